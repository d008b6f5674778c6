//! Login, `me`, no account enumeration, throttling.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::common::{PASSWORD, TestApp};
use crate::on_both_backends;

on_both_backends!(
    login_returns_a_short_lived_bearer_token,
    me_returns_the_caller,
    unknown_email_and_wrong_password_answer_alike,
    eleventh_failure_for_an_email_is_throttled,
    eleventh_failure_from_an_address_is_throttled,
    success_resets_the_email_counter,
    parallel_guesses_verify_at_most_the_allowed_passwords,
    everyone_changes_their_own_password_with_the_current_one,
);

/// The attempt is recorded before its password is checked: fifty guesses
/// at once cannot all pass the count. Exactly ten are checked (and
/// refused); the forty others are throttled unchecked.
async fn parallel_guesses_verify_at_most_the_allowed_passwords(app: TestApp) {
    app.admin().await;
    let wrong: Vec<String> = (0..50)
        .map(|i| format!("mauvais mot de passe {i}"))
        .collect();
    let guesses = wrong
        .iter()
        .map(|password| app.login("admin@clu.test", password));
    let statuses: Vec<u16> = futures_util::future::join_all(guesses)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    let refused = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((refused, throttled), (10, 40), "{statuses:?}");
    // Even the right password is refused now, unchecked.
    app.login("admin@clu.test", PASSWORD)
        .await
        .assert_problem(429);
}

async fn everyone_changes_their_own_password_with_the_current_one(app: TestApp) {
    let admin = app.admin().await;
    let structure = app.structure(&admin, "Préfecture de la Haute-Marne").await;
    for role in ["reader", "signatory", "secretariat"] {
        let email = format!("{role}@clu.test");
        let (id, token) = app.user(&admin, &structure, role, &email).await;
        let new = format!("nouveau mot de passe de {role}");
        // Not by a patch, even for an account one manages.
        if role == "secretariat" {
            let patched = app
                .patch(
                    &format!("/api/v1/users/{id}"),
                    &token,
                    json!({"password": new}),
                )
                .await;
            assert_eq!(patched.error_fields(), ["password"]);
        }
        let wrong = app
            .post(
                "/api/v1/auth/password",
                &token,
                json!({"current_password": "pas le bon", "new_password": new}),
            )
            .await;
        assert_eq!(wrong.error_fields(), ["current_password"]);
        let short = app
            .post(
                "/api/v1/auth/password",
                &token,
                json!({"current_password": PASSWORD, "new_password": "court"}),
            )
            .await;
        assert_eq!(short.error_fields(), ["new_password"]);
        app.post(
            "/api/v1/auth/password",
            &token,
            json!({"current_password": PASSWORD, "new_password": new}),
        )
        .await
        .assert_status(204);
        // Every token of the account ends; the new password opens it.
        app.get("/api/v1/auth/me", &token).await.assert_problem(401);
        app.login(&email, PASSWORD).await.assert_problem(401);
        app.token_with(&email, &new).await;
        assert_eq!(
            app.audit_count(&admin, "user.reauthentication_failed", &id)
                .await,
            1
        );
    }
}

async fn login_returns_a_short_lived_bearer_token(app: TestApp) {
    app.admin().await;
    let response = app.login("ADMIN@clu.test ", PASSWORD).await;
    let body = response.assert_status(200).json();
    assert_eq!(body["token_type"], "Bearer");
    let expires_in = body["expires_in"].as_i64().expect("expires_in");
    assert!((60..=3600).contains(&expires_in), "{expires_in}");
    assert_eq!(body["user"]["email"], "admin@clu.test");
    assert_eq!(body["user"]["role"], "admin");
    assert!(body["user"].get("password_hash").is_none() && body["user"].get("password").is_none());
    assert!(body["user"]["last_login_at"].is_string());
    assert_eq!(
        body["access_token"]
            .as_str()
            .expect("token")
            .split('.')
            .count(),
        3
    );
}

async fn me_returns_the_caller(app: TestApp) {
    let admin = app.admin().await;
    let structure = app.structure(&admin, "Préfecture de la Haute-Marne").await;
    let (id, token) = app
        .user(&admin, &structure, "reader", "lecteur@clu.test")
        .await;
    let body = app
        .get("/api/v1/auth/me", &token)
        .await
        .assert_status(200)
        .json();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["role"], "reader");
    assert_eq!(body["structure_id"], structure.as_str());
    app.open("/api/v1/auth/me").await.assert_problem(401);
}

async fn unknown_email_and_wrong_password_answer_alike(app: TestApp) {
    app.admin().await;
    let wrong_password = app.login("admin@clu.test", "not the password at all").await;
    let unknown_email = app
        .login("nobody@clu.test", "not the password at all")
        .await;
    wrong_password.assert_problem(401);
    assert_eq!(wrong_password.status, unknown_email.status);
    assert_eq!(wrong_password.body, unknown_email.body);
}

async fn eleventh_failure_for_an_email_is_throttled(app: TestApp) {
    app.admin().await;
    for attempt in 1..=10 {
        let response = app
            .login("admin@clu.test", &format!("wrong password {attempt:02}"))
            .await;
        response.assert_problem(401);
    }
    let eleventh = app.login("admin@clu.test", "wrong password 11").await;
    eleventh.assert_problem(429);
    let retry_after: i64 = eleventh
        .headers
        .get("retry-after")
        .expect("retry-after")
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    // Even the right password waits: the throttle is checked first.
    app.login("admin@clu.test", PASSWORD)
        .await
        .assert_problem(429);
}

async fn eleventh_failure_from_an_address_is_throttled(app: TestApp) {
    let attempt = |email: String| {
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .peer_addr("192.0.2.7:4242".parse().expect("addr"))
            .set_json(json!({"email": email, "password": "guessing passwords"}))
    };
    for n in 0..10 {
        app.send(attempt(format!("user{n}@clu.test")))
            .await
            .assert_problem(401);
    }
    app.send(attempt("someone-else@clu.test".into()))
        .await
        .assert_problem(429);
    // Another address is not affected.
    let other = TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr("198.51.100.1:4242".parse().expect("addr"))
        .set_json(json!({"email": "someone-else@clu.test", "password": "guessing passwords"}));
    app.send(other).await.assert_problem(401);
}

async fn success_resets_the_email_counter(app: TestApp) {
    app.admin().await;
    // From many addresses, so that only the e-mail counter is in play.
    let from = |n: usize, password: &str| {
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .peer_addr(format!("203.0.113.{n}:1000").parse().expect("addr"))
            .set_json(json!({"email": "admin@clu.test", "password": password}))
    };
    for n in 0..9 {
        app.send(from(n, "wrong password"))
            .await
            .assert_problem(401);
    }
    app.send(from(100, PASSWORD)).await.assert_status(200);
    for n in 10..19 {
        app.send(from(n, "wrong password"))
            .await
            .assert_problem(401);
    }
    app.send(from(101, PASSWORD)).await.assert_status(200);
}
