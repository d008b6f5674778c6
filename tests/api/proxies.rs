//! Behind a reverse proxy: the login throttle counts the client the proxy
//! names, only when the connection comes from a trusted proxy; anyone else
//! sending `X-Forwarded-For` is counted by their own address.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp};

const PROXY: &str = "10.0.0.2:40000";

fn attempt(peer: &str, forwarded_for: Option<&str>, email: &str) -> TestRequest {
    let mut req = TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr(peer.parse().expect("addr"))
        .set_json(json!({"email": email, "password": "guessing passwords"}));
    if let Some(client) = forwarded_for {
        req = req.insert_header(("X-Forwarded-For", client));
    }
    req
}

async fn behind(proxies: &str) -> TestApp {
    TestApp::configured(
        Backend::Sqlite,
        clu::clock::Clock::system(),
        &[("trusted_proxies", Value::from(proxies))],
    )
    .await
}

#[actix_web::test]
async fn a_trusted_proxy_names_the_client_and_one_client_locks_only_itself() {
    let app = behind("10.0.0.0/24, 192.0.2.80").await;
    for n in 0..10 {
        app.send(attempt(
            PROXY,
            Some("203.0.113.5"),
            &format!("u{n}@clu.test"),
        ))
        .await
        .assert_problem(401);
    }
    app.send(attempt(PROXY, Some("203.0.113.5"), "autre@clu.test"))
        .await
        .assert_problem(429);
    // The rest of the building, through the same proxy, signs in as before.
    app.send(attempt(PROXY, Some("203.0.113.6"), "autre@clu.test"))
        .await
        .assert_problem(401);
    // A client that adds its own header to fool the throttle: the proxy
    // appends the real address, which is the one counted.
    app.send(attempt(
        PROXY,
        Some("198.51.100.99, 203.0.113.5"),
        "autre@clu.test",
    ))
    .await
    .assert_problem(429);
}

#[actix_web::test]
async fn the_header_from_anyone_else_is_ignored() {
    let app = behind("10.0.0.0/24").await;
    // From an address that is not a proxy, ten different "clients".
    for n in 0..10 {
        let client = format!("203.0.113.{n}");
        app.send(attempt(
            "198.51.100.7:5000",
            Some(&client),
            &format!("u{n}@clu.test"),
        ))
        .await
        .assert_problem(401);
    }
    app.send(attempt(
        "198.51.100.7:5000",
        Some("203.0.113.200"),
        "x@clu.test",
    ))
    .await
    .assert_problem(429);
    // Without trusted proxies the header never counts.
    let plain = behind("").await;
    for n in 0..10 {
        plain
            .send(attempt(
                PROXY,
                Some(&format!("203.0.113.{n}")),
                &format!("u{n}@clu.test"),
            ))
            .await
            .assert_problem(401);
    }
    plain
        .send(attempt(PROXY, Some("203.0.113.250"), "x@clu.test"))
        .await
        .assert_problem(429);
}

#[actix_web::test]
async fn a_bad_proxy_setting_is_refused_at_start() {
    let figment = clu::config::Settings::figment(None)
        .merge(("trusted_proxies", "10.0.0.0/8, la-passerelle"));
    let err = clu::config::Settings::from_figment(figment).expect_err("refused");
    assert!(err.to_string().contains("la-passerelle"), "{err}");
}
