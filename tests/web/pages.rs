//! Pages through the real application: sign-in and its cookie, the same
//! answer for an unknown e-mail and a wrong password, CSRF and cross-site
//! refusals, the session's end (account disabled, idle), the API refusing
//! the cookie, the dashboard's meetings, errors as French pages, assets.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use chrono::Duration;
use serde_json::json;

use crate::browse::{Browser, attribute, location, select, select_attr, set_cookie};
use crate::common::fixtures::{self, TestClock};
use crate::common::{Backend, PASSWORD, Response, TestApp};

async fn app() -> TestApp {
    TestApp::new(Backend::Sqlite).await
}

#[actix_web::test]
async fn root_sends_a_visitor_to_the_sign_in_page() {
    let app = app().await;
    let mut browser = Browser::new(&app);
    let response = browser.get("/").await;
    response.assert_status(303);
    assert_eq!(location(&response), "/connexion");
    let page = browser.get("/connexion").await;
    page.assert_status(200);
    let html = page.text();
    assert_eq!(select(&html, "title"), ["Connexion — clu"]);
    assert_eq!(select(&html, "h1").len(), 1);
    assert_eq!(
        attribute(&html, "html", "lang").as_deref(),
        Some("fr"),
        "French page"
    );
    // Every field has its label.
    assert_eq!(
        attribute(&html, "label[for=email]", "for").as_deref(),
        Some("email")
    );
    assert_eq!(
        attribute(&html, "input#mot-de-passe", "type").as_deref(),
        Some("password")
    );
    assert!(!browser.csrf.is_empty(), "the form carries a CSRF token");
    let csp = page
        .headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("CSP");
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert!(page.headers.contains_key("referrer-policy"));
    assert_eq!(
        page.headers
            .get("x-content-type-options")
            .map(|v| v.as_bytes()),
        Some(&b"nosniff"[..])
    );
    // No inline script or style for the CSP to refuse.
    assert!(
        select(&html, "script:not([src])").is_empty() && select(&html, "style").is_empty(),
        "{html}"
    );
}

#[actix_web::test]
async fn signing_in_sets_a_private_cookie_and_opens_the_dashboard() {
    let app = app().await;
    app.admin().await;
    let mut browser = Browser::new(&app);
    let response = browser.sign_in("admin@clu.test", PASSWORD).await;
    response.assert_status(303);
    assert_eq!(location(&response), "/tableau-de-bord");
    let cookie = set_cookie(&response).expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http here: {cookie}");
    assert!(
        !cookie.contains("Max-Age"),
        "ends with the browser: {cookie}"
    );
    // The cookie is encrypted: nothing of the user shows through.
    assert!(!cookie.contains("admin"), "{cookie}");

    let dashboard = browser.get("/tableau-de-bord").await;
    dashboard.assert_status(200);
    let html = dashboard.text();
    assert_eq!(select(&html, "title"), ["Tableau de bord — clu"]);
    assert_eq!(select(&html, "h1"), ["Tableau de bord"]);
    assert_eq!(
        select(
            &html,
            "nav[aria-label='Menu principal'] a[aria-current=page]"
        ),
        ["Tableau de bord"]
    );
    assert!(html.contains("Aucune réunion à venir"), "{html}");
    // Signed in, / goes to the dashboard.
    let root = browser.get("/").await;
    assert_eq!(location(&root), "/tableau-de-bord");
}

#[actix_web::test]
async fn the_cookie_is_secure_when_the_public_address_is_https() {
    let app = TestApp::configured(
        Backend::Sqlite,
        clu::clock::Clock::system(),
        &[("public_url", json!("https://clu.example.fr"))],
    )
    .await;
    let response = Browser::new(&app).get("/connexion").await;
    let cookie = set_cookie(&response).expect("cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[actix_web::test]
async fn an_unknown_email_and_a_wrong_password_get_the_same_page() {
    let app = app().await;
    app.admin().await;
    let mut browser = Browser::new(&app);
    let wrong = browser
        .sign_in("admin@clu.test", "pas le bon mot de passe")
        .await;
    let mut other = Browser::new(&app);
    let unknown = other
        .sign_in("personne@clu.test", "pas le bon mot de passe")
        .await;
    assert_eq!(wrong.status, unknown.status);
    wrong.assert_status(200);
    let main = |response: &Response| {
        select(&response.text(), "main")
            .pop()
            .expect("main")
            .replace(char::is_whitespace, "")
    };
    assert_eq!(main(&wrong), main(&unknown));
    assert_eq!(
        select(&wrong.text(), ".fr-alert--error p"),
        ["Adresse e-mail ou mot de passe incorrect."]
    );
    // What was typed stays; the password does not.
    assert_eq!(
        attribute(&wrong.text(), "input#email", "value").as_deref(),
        Some("admin@clu.test")
    );
    assert_eq!(
        attribute(&wrong.text(), "input#mot-de-passe", "value").as_deref(),
        Some("")
    );
}

#[actix_web::test]
async fn an_empty_field_is_reported_next_to_it() {
    let app = app().await;
    let mut browser = Browser::new(&app);
    browser.get("/connexion").await;
    let csrf = browser.csrf.clone();
    let response = browser
        .post(
            "/connexion",
            &[("csrf", &csrf), ("email", ""), ("password", "x")],
        )
        .await;
    response.assert_status(422);
    let html = response.text();
    assert_eq!(
        attribute(&html, "input#email", "aria-describedby").as_deref(),
        Some("email-erreur")
    );
    assert_eq!(
        attribute(&html, "input#email", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        select(&html, "#email-erreur"),
        ["Indiquez votre adresse e-mail."]
    );
    assert!(attribute(&html, "input#mot-de-passe", "aria-invalid").is_none());
}

#[actix_web::test]
async fn repeated_failures_are_throttled_and_the_wait_said_in_words() {
    let app = app().await;
    app.admin().await;
    let mut browser = Browser::new(&app);
    for _ in 0..10 {
        browser.sign_in("admin@clu.test", "mauvais").await;
    }
    let response = browser.sign_in("admin@clu.test", PASSWORD).await;
    response.assert_status(429);
    assert!(response.headers.contains_key("retry-after"));
    let alert = select(&response.text(), ".fr-alert--error p").join(" ");
    assert!(
        alert.starts_with("Trop de tentatives ont échoué. Réessayez dans ")
            && alert.contains("minute"),
        "{alert}"
    );
}

#[actix_web::test]
async fn forms_without_their_token_or_from_another_site_are_refused() {
    let app = app().await;
    app.admin().await;
    let mut browser = Browser::new(&app);
    browser.get("/connexion").await;
    // Sign-in without the token: refused, even with the right password.
    let response = browser
        .post(
            "/connexion",
            &[("email", "admin@clu.test"), ("password", PASSWORD)],
        )
        .await;
    response.assert_status(403);
    assert_eq!(select(&response.text(), "h1"), ["Formulaire refusé"]);

    browser
        .sign_in("admin@clu.test", PASSWORD)
        .await
        .assert_status(303);
    browser.get("/compte").await.assert_status(200);
    // Sign-out with a wrong token: refused, and the session stays.
    let response = browser.post("/deconnexion", &[("csrf", "0000")]).await;
    response.assert_status(403);
    assert!(response.content_type().starts_with("text/html"));
    browser.get("/compte").await.assert_status(200);

    // The right token, but the browser says another site sent it.
    let csrf = browser.csrf.clone();
    let cookie = browser.cookie.clone().expect("cookie");
    for (name, value) in [
        ("Sec-Fetch-Site", "cross-site"),
        ("Origin", "https://evil.example"),
    ] {
        let response = app
            .send(
                TestRequest::post()
                    .uri("/deconnexion")
                    .insert_header(("Cookie", cookie.clone()))
                    .insert_header((name, value))
                    .set_form([("csrf", csrf.as_str())]),
            )
            .await;
        response.assert_status(403);
        assert_eq!(select(&response.text(), "h1"), ["Requête refusée"]);
    }
    browser.get("/compte").await.assert_status(200);

    // The right token from this site: signed out.
    let response = browser
        .send(
            TestRequest::post()
                .uri("/deconnexion")
                .insert_header(("Sec-Fetch-Site", "same-origin"))
                .set_form([("csrf", csrf.as_str())]),
        )
        .await;
    response.assert_status(303);
    assert_eq!(location(&response), "/connexion?sortie=1");
    let after = browser.get("/compte").await;
    after.assert_status(303);
    assert_eq!(location(&after), "/connexion");
}

#[actix_web::test]
async fn disabling_an_account_ends_its_session_at_the_next_request() {
    let app = app().await;
    let admin = app.admin().await;
    let (structure, _) = app
        .secretariat(&admin, "Préfecture de la Haute-Marne")
        .await;
    let (reader, _) = app
        .user(&admin, &structure, "reader", "lecteur@clu.test")
        .await;
    let mut browser = Browser::new(&app);
    browser
        .sign_in("lecteur@clu.test", PASSWORD)
        .await
        .assert_status(303);
    let account = browser.get("/compte").await;
    account.assert_status(200);
    assert!(account.text().contains("Lecture seule"));
    assert!(account.text().contains("Préfecture"));

    app.patch(
        &format!("/api/v1/users/{reader}"),
        &admin,
        json!({"active": false}),
    )
    .await
    .assert_status(200);
    let response = browser.get("/compte").await;
    response.assert_status(303);
    assert_eq!(location(&response), "/connexion?session=terminee");
    assert!(browser.cookie.is_none(), "the cookie is removed");
    let page = browser.get("/connexion?session=terminee").await;
    assert!(page.text().contains("Votre session a pris fin"));
}

#[actix_web::test]
async fn an_idle_session_ends() {
    let (clock, time) = TestClock::new();
    let app = TestApp::with_clock(Backend::Sqlite, time).await;
    app.admin().await;
    let mut browser = Browser::new(&app);
    browser
        .sign_in("admin@clu.test", PASSWORD)
        .await
        .assert_status(303);
    clock.advance(Duration::minutes(29));
    browser.get("/compte").await.assert_status(200);
    // Used 29 minutes in: the idle limit starts again from there.
    clock.advance(Duration::minutes(29));
    browser.get("/compte").await.assert_status(200);
    clock.advance(Duration::minutes(31));
    let response = browser.get("/compte").await;
    response.assert_status(303);
    assert_eq!(location(&response), "/connexion?session=terminee");
}

#[actix_web::test]
async fn the_api_does_not_accept_the_session_cookie() {
    let app = app().await;
    app.admin().await;
    let mut browser = Browser::new(&app);
    browser
        .sign_in("admin@clu.test", PASSWORD)
        .await
        .assert_status(303);
    let cookie = browser.cookie.clone().expect("cookie");
    let response = app
        .send(
            TestRequest::default()
                .method(Method::GET)
                .uri("/api/v1/auth/me")
                .insert_header(("Cookie", cookie.clone())),
        )
        .await;
    response.assert_problem(401);
    let response = app
        .send(
            TestRequest::post()
                .uri("/api/v1/structures")
                .insert_header(("Cookie", cookie))
                .set_json(
                    json!({"name": "P", "department_code": "52", "city": "C", "service_name": "S"}),
                ),
        )
        .await;
    response.assert_problem(401);
}

#[actix_web::test]
async fn the_dashboard_lists_the_next_meetings_with_their_answers() {
    let app = app().await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 12).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    // A meeting already over is not "to come".
    fixtures::meeting(&app, &fixture, -3).await;
    let mut browser = Browser::new(&app);
    browser
        .sign_in(&fixture.secretariat_email, PASSWORD)
        .await
        .assert_status(303);
    let html = browser.get("/tableau-de-bord").await.text();
    let rows = select(&html, "#a-venir tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("Comité local des usagers"), "{}", rows[0]);
    assert!(rows[0].contains("de 14h30 à 16h30"), "{}", rows[0]);
    let cells = select(&html, "#a-venir tbody td");
    assert_eq!(cells[2], "convoquée");
    // The fixture's members who have an e-mail (five of the six titulars).
    let invited: usize = cells[3].parse().expect("count");
    assert!(invited >= 5, "{invited}");
    assert_eq!(cells[4], format!("0 oui, 0 non, {invited} en attente"));
    // The past one is listed apart, with its status.
    let past = select(&html, "h2 + p + .fr-table tbody tr");
    assert_eq!(past.len(), 1, "{past:?}");
    assert!(past[0].contains("en préparation"), "{}", past[0]);
    // The header shows the structure.
    assert_eq!(
        select(&html, ".fr-header .fr-logo"),
        ["Préfecturede la Haute-Marne"]
    );
}

#[actix_web::test]
async fn errors_are_french_pages_and_the_api_keeps_problem_json() {
    let app = app().await;
    let mut browser = Browser::new(&app);
    let response = browser.get("/nulle-part").await;
    response.assert_status(404);
    assert!(response.content_type().starts_with("text/html"));
    assert_eq!(select(&response.text(), "h1"), ["Page introuvable"]);
    assert!(response.headers.contains_key("content-security-policy"));
    // A client that does not ask for HTML, and the API, get problem+json.
    app.request(Method::GET, "/nulle-part", None, None)
        .await
        .assert_problem(404);
    let api = browser.get("/api/v1/nulle-part").await;
    api.assert_problem(404);
}

#[actix_web::test]
async fn assets_are_served_with_their_type_and_a_long_cache() {
    let app = app().await;
    let page = Browser::new(&app).get("/connexion").await.text();
    let css = attribute(&page, "link[rel=stylesheet]", "href").expect("stylesheet");
    assert!(css.starts_with("/static/dsfr-1.15."), "{css}");
    let response = app.request(Method::GET, &css, None, None).await;
    response.assert_status(200);
    assert!(response.content_type().starts_with("text/css"));
    assert_eq!(
        response.headers.get("cache-control").map(|v| v.as_bytes()),
        Some(&b"public, max-age=31536000, immutable"[..])
    );
    assert!(set_cookie(&response).is_none(), "no session for assets");
    // The fonts the stylesheet names, by their relative path.
    let font = css.replace("dsfr.min.css", "fonts/Marianne-Regular.woff2");
    let response = app.request(Method::GET, &font, None, None).await;
    response.assert_status(200);
    assert_eq!(response.content_type(), "font/woff2");
    for script in select_attr(&page, "script[src]", "src") {
        app.request(Method::GET, &script, None, None)
            .await
            .assert_status(200);
    }
    app.request(
        Method::GET,
        "/static/dsfr-1.15.3/analytics/analytics.min.js",
        None,
        None,
    )
    .await
    .assert_status(404);
}
