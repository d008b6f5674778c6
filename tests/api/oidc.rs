//! Sign-in with ProConnect against a real OpenID provider (`oidc-provider`
//! run by Node, keys generated for the run; `common::oidc`), by HTTP: the
//! browser's clu cookie kept here, the provider's pages walked with their
//! own cookies. A sign-in opens the same session a password opens and
//! links the identity; the link then decides, not the e-mail. Refused,
//! each with its French page and no session: an unknown identity (audited),
//! a disabled user, a replayed or foreign `state`, a wrong nonce, an ID
//! token signed by another key, an expired one, one from the future (clock
//! skew), a code used twice, a cancel at the provider. The provider down:
//! the password form still works. The sign-out ends both sessions.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::common::oidc::{Account, Mode, OidcProvider, ProviderBrowser};
use crate::common::{Backend, PASSWORD, Response, TestApp};
use crate::on_both_backends;

const PUBLIC_URL: &str = "http://127.0.0.1:8080";
const RETURN: &str = "http://127.0.0.1:8080/connexion/proconnect/retour";
const AFTER_SIGN_OUT: &str = "http://127.0.0.1:8080/deconnexion/proconnect/retour";
const SECRETARIAT: &str = "secretariat@haute-marne.gouv.fr";

/// clu's browser: its session cookie, the last page's form token.
struct Clu<'a> {
    app: &'a TestApp,
    cookie: Option<String>,
    csrf: String,
}

fn location(response: &Response) -> String {
    response
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

impl<'a> Clu<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookie: None,
            csrf: String::new(),
        }
    }

    async fn send(&mut self, mut req: TestRequest) -> Response {
        req = req.insert_header(("Accept", "text/html"));
        if let Some(cookie) = &self.cookie {
            req = req.insert_header(("Cookie", cookie.clone()));
        }
        let response = self.app.send(req).await;
        for value in response.headers.get_all("set-cookie") {
            let pair = value
                .to_str()
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default();
            if let Some(value) = pair.strip_prefix("clu_session=") {
                self.cookie = (!value.is_empty()).then(|| pair.to_owned());
            }
        }
        let text = response.text();
        if let Some(token) = text
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        {
            self.csrf = token.to_owned();
        }
        response
    }

    async fn get(&mut self, path: &str) -> Response {
        self.send(TestRequest::get().uri(path)).await
    }

    /// The path and query of a URL of clu's.
    fn local(url: &str) -> &str {
        url.strip_prefix(PUBLIC_URL).unwrap_or(url)
    }
}

/// A structure with a secrétariat account (the fixtures' password), and
/// the administrator's token.
async fn secretariat(app: &TestApp) -> (String, String) {
    let admin = app.admin().await;
    let structure = app.structure(&admin, "Préfecture de la Haute-Marne").await;
    let (id, _) = app
        .user(&admin, &structure, "secretariat", SECRETARIAT)
        .await;
    (admin, id)
}

async fn app_with(backend: Backend, provider: &OidcProvider) -> TestApp {
    let mut settings = provider.settings();
    settings.push(("public_url", json!(PUBLIC_URL)));
    TestApp::configured(backend, clu::clock::Clock::system(), &settings).await
}

/// A new browser, signed in nowhere, through the provider as `email`:
/// clu's client and the answer of clu's redirect URI.
async fn fresh_sign_in<'a>(
    app: &'a TestApp,
    provider: &OidcProvider,
    email: Option<&str>,
) -> (Clu<'a>, Response, String) {
    let mut clu = Clu::new(app);
    let (answer, used) =
        through_provider(&mut clu, provider, &mut ProviderBrowser::new(), email).await;
    (clu, answer, used)
}

/// Clicks "S'identifier avec ProConnect", signs in at the provider as
/// `email` (or cancels there), and brings the provider's answer back to
/// clu; returns clu's answer and the callback's path.
async fn through_provider(
    clu: &mut Clu<'_>,
    provider: &OidcProvider,
    at_provider: &mut ProviderBrowser,
    email: Option<&str>,
) -> (Response, String) {
    let start = clu.get("/connexion/proconnect").await;
    start.assert_status(303);
    let authorize = location(&start);
    assert!(authorize.starts_with(&provider.issuer), "{authorize}");
    for part in [
        "code_challenge_method=S256",
        "response_type=code",
        "acr_values=eidas1",
    ] {
        assert!(authorize.contains(part), "{part} in {authorize}");
    }
    let callback = at_provider
        .walk(&provider.issuer, &authorize, RETURN, email)
        .await;
    let path = Clu::local(&callback).to_owned();
    (clu.get(&path).await, path)
}

fn h1(response: &Response) -> String {
    let text = response.text();
    text.split("<h1>")
        .nth(1)
        .and_then(|rest| rest.split("</h1>").next())
        .unwrap_or_default()
        .to_owned()
}

/// No session: the dashboard sends to the sign-in page.
async fn assert_signed_out(clu: &mut Clu<'_>) {
    let dashboard = clu.get("/tableau-de-bord").await;
    dashboard.assert_status(303);
    assert!(location(&dashboard).starts_with("/connexion"));
}

async fn signs_in_and_out_at_both_ends(backend: Backend) {
    let mut provider = OidcProvider::start(PUBLIC_URL, &[]);
    let app = app_with(backend, &provider).await;
    let (admin, _) = secretariat(&app).await;
    provider.set_accounts(&[Account::new("agent-1", SECRETARIAT)]);

    let mut clu = Clu::new(&app);
    let page = clu.get("/connexion").await;
    let html = page.text();
    assert!(
        html.contains("fr-connect fr-connect--pro")
            && html.contains("S’identifier avec")
            && html.contains("Qu’est-ce que ProConnect\u{202f}?")
            && html.contains("name=\"password\""),
        "the ProConnect button beside the password form: {html}"
    );
    let mut at_provider = ProviderBrowser::new();
    let (answer, _) =
        through_provider(&mut clu, &provider, &mut at_provider, Some(SECRETARIAT)).await;
    answer.assert_status(303);
    assert_eq!(location(&answer), "/tableau-de-bord");
    let dashboard = clu.get("/tableau-de-bord").await;
    dashboard.assert_status(200);
    assert_eq!(h1(&dashboard), "Tableau de bord");
    assert_eq!(
        app.audit_count(&admin, "user.proconnect_linked", "agent-1")
            .await,
        1
    );

    // Signing out ends clu's session, then the provider's.
    let csrf = clu.csrf.clone();
    let out = clu
        .send(
            TestRequest::post()
                .uri("/deconnexion")
                .set_form([("csrf", csrf.as_str())]),
        )
        .await;
    out.assert_status(200);
    let end = out
        .text()
        .split("url=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page goes on to the provider")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert!(
        end.starts_with(&format!("{}/session/end", provider.issuer)),
        "{end}"
    );
    assert!(
        end.contains("id_token_hint=") && end.contains("post_logout_redirect_uri="),
        "{end}"
    );
    assert_signed_out(&mut clu).await;
    let back = at_provider
        .walk(&provider.issuer, &end, AFTER_SIGN_OUT, None)
        .await;
    let landed = clu.get(Clu::local(&back)).await;
    assert_eq!(location(&landed), "/connexion?sortie=proconnect");
    let page = clu.get("/connexion?sortie=proconnect").await;
    assert!(page.text().contains("déconnecté de clu et de ProConnect"));

    // The provider's session ended too: it asks who signs in again.
    let start = clu.get("/connexion/proconnect").await;
    let page = at_provider.get(&location(&start)).await;
    let interaction = page.location.expect("to the provider's login page");
    let login = at_provider
        .get(&format!("{}{interaction}", provider.issuer))
        .await;
    assert!(login.body.contains("/login"), "{}", login.body);
}

async fn refuses_an_unknown_identity(backend: Backend) {
    let provider = OidcProvider::start(
        PUBLIC_URL,
        &[Account::new("inconnu-1", "inconnu@culture.gouv.fr")],
    );
    let app = app_with(backend, &provider).await;
    let (admin, _) = secretariat(&app).await;
    let (mut clu, answer, _) =
        fresh_sign_in(&app, &provider, Some("inconnu@culture.gouv.fr")).await;
    answer.assert_status(403);
    let text = answer.text();
    assert!(text.contains("Aucun compte clu à cette adresse"), "{text}");
    assert!(
        text.contains("inconnu@culture.gouv.fr") && text.contains("secrétariat"),
        "{text}"
    );
    assert_signed_out(&mut clu).await;
    assert_eq!(
        app.audit_count(&admin, "user.proconnect_refused", "inconnu-1")
            .await,
        1
    );
}

async fn refuses_a_replayed_or_foreign_state(backend: Backend) {
    let provider = OidcProvider::start(PUBLIC_URL, &[Account::new("agent-1", SECRETARIAT)]);
    let app = app_with(backend, &provider).await;
    secretariat(&app).await;
    let mut clu = Clu::new(&app);
    // The cookie as it was before the answer: replaying it with the answer
    // replays the whole browser.
    let before = {
        let start = clu.get("/connexion/proconnect").await;
        let cookie = clu.cookie.clone();
        let callback = ProviderBrowser::new()
            .walk(
                &provider.issuer,
                &location(&start),
                RETURN,
                Some(SECRETARIAT),
            )
            .await;
        (cookie, Clu::local(&callback).to_owned())
    };
    let (cookie, path) = before;
    let first = clu.get(&path).await;
    first.assert_status(303);
    let mut replay = Clu::new(&app);
    replay.cookie = cookie;
    let again = replay.get(&path).await;
    again.assert_status(400);
    assert_eq!(h1(&again), "Demande de connexion expirée");
    assert_signed_out(&mut replay).await;

    // A state this browser never sent, or none.
    let mut other = Clu::new(&app);
    other.get("/connexion/proconnect").await.assert_status(303);
    let foreign = other.get(&path).await;
    foreign.assert_status(400);
    let none = other.get("/connexion/proconnect/retour?code=abc").await;
    none.assert_status(400);
    assert_signed_out(&mut other).await;
}

async fn refused_with(backend: Backend, mode: Mode, status: u16, title: &str) {
    let mut provider = OidcProvider::start(PUBLIC_URL, &[Account::new("agent-1", SECRETARIAT)]);
    provider.set_mode(mode);
    let app = app_with(backend, &provider).await;
    secretariat(&app).await;
    let (mut clu, answer, _) = fresh_sign_in(&app, &provider, Some(SECRETARIAT)).await;
    answer.assert_status(status);
    assert_eq!(h1(&answer), title, "{mode:?}");
    assert_signed_out(&mut clu).await;
    // Nothing half-done: no link was made; once the provider behaves, the
    // same identity signs in (and is linked then).
    provider.set_mode(Mode::Normal);
    let (answer, _) = through_provider(
        &mut clu,
        &provider,
        &mut ProviderBrowser::new(),
        Some(SECRETARIAT),
    )
    .await;
    answer.assert_status(303);
}

async fn refuses_a_wrong_nonce(backend: Backend) {
    refused_with(backend, Mode::WrongNonce, 502, "Connexion refusée").await;
}

async fn refuses_an_id_token_signed_by_another_key(backend: Backend) {
    refused_with(backend, Mode::OtherKey, 502, "Connexion refusée").await;
}

async fn refuses_an_expired_id_token(backend: Backend) {
    refused_with(backend, Mode::Expired, 502, "Connexion refusée").await;
}

async fn refuses_an_id_token_from_the_future(backend: Backend) {
    refused_with(backend, Mode::Future, 502, "Horloges désaccordées").await;
}

async fn refuses_a_disabled_user(backend: Backend) {
    let provider = OidcProvider::start(PUBLIC_URL, &[Account::new("agent-1", SECRETARIAT)]);
    let app = app_with(backend, &provider).await;
    let (admin, user_id) = secretariat(&app).await;
    let (mut clu, answer, _) = fresh_sign_in(&app, &provider, Some(SECRETARIAT)).await;
    answer.assert_status(303);
    clu.get("/tableau-de-bord").await.assert_status(200);
    app.patch(
        &format!("/api/v1/users/{user_id}"),
        &admin,
        json!({"active": false}),
    )
    .await
    .assert_status(200);
    // The session ends at the next click, as a password session does.
    let ended = clu.get("/tableau-de-bord").await;
    assert_eq!(location(&ended), "/connexion?session=terminee");
    let (mut clu, answer, _) = fresh_sign_in(&app, &provider, Some(SECRETARIAT)).await;
    answer.assert_status(403);
    assert_eq!(h1(&answer), "Compte désactivé");
    assert_signed_out(&mut clu).await;
    assert_eq!(
        app.audit_count(&admin, "user.proconnect_refused", "agent-1")
            .await,
        1
    );
}

async fn the_link_decides_not_the_email(backend: Backend) {
    let other_email = "lecteur@haute-marne.gouv.fr";
    let mut provider = OidcProvider::start(PUBLIC_URL, &[Account::new("agent-1", SECRETARIAT)]);
    let app = app_with(backend, &provider).await;
    let (admin, _) = secretariat(&app).await;
    let structure = app.structure(&admin, "Préfecture de la Meuse").await;
    app.user(&admin, &structure, "reader", other_email).await;
    let (_, answer, _) = fresh_sign_in(&app, &provider, Some(SECRETARIAT)).await;
    answer.assert_status(303);

    // At the provider, agent-1's address becomes the reader's: agent-1
    // still signs in as the secrétariat, never as the reader.
    provider.set_accounts(&[Account::new("agent-1", other_email)]);
    let (mut clu, answer, _) = fresh_sign_in(&app, &provider, Some(other_email)).await;
    answer.assert_status(303);
    let account = clu.get("/compte").await;
    account.assert_status(200);
    let text = account.text();
    assert!(
        text.contains(SECRETARIAT),
        "signed in as the linked user: {text}"
    );

    // Another identity with the secrétariat's address is refused: that
    // account is linked already.
    provider.set_accounts(&[Account::new("agent-2", SECRETARIAT)]);
    let (mut clu, answer, _) = fresh_sign_in(&app, &provider, Some(SECRETARIAT)).await;
    answer.assert_status(403);
    assert_eq!(h1(&answer), "Compte déjà associé");
    assert_signed_out(&mut clu).await;
}

async fn a_code_used_twice_or_a_cancel_opens_nothing(backend: Backend) {
    let provider = OidcProvider::start(PUBLIC_URL, &[Account::new("agent-1", SECRETARIAT)]);
    let app = app_with(backend, &provider).await;
    secretariat(&app).await;
    let (_, answer, used) = fresh_sign_in(&app, &provider, Some(SECRETARIAT)).await;
    answer.assert_status(303);
    // A new request of this browser, answered with the old code.
    let mut again = Clu::new(&app);
    let start = again.get("/connexion/proconnect").await;
    let state = location(&start)
        .split("state=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("state")
        .to_owned();
    let code = used
        .split("code=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("code")
        .to_owned();
    let reused = again
        .get(&format!(
            "/connexion/proconnect/retour?code={code}&state={state}"
        ))
        .await;
    reused.assert_status(400);
    assert_eq!(h1(&reused), "Connexion expirée");
    assert_signed_out(&mut again).await;

    // Cancelled at the provider.
    let mut cancelled = Clu::new(&app);
    let (answer, _) =
        through_provider(&mut cancelled, &provider, &mut ProviderBrowser::new(), None).await;
    answer.assert_status(200);
    assert_eq!(h1(&answer), "Connexion annulée");
    assert_signed_out(&mut cancelled).await;
}

async fn the_password_form_works_while_the_provider_is_down(backend: Backend) {
    let provider = OidcProvider::start(PUBLIC_URL, &[]);
    let mut settings = provider.settings();
    drop(provider);
    // Nothing listens there any more.
    settings.push(("public_url", json!(PUBLIC_URL)));
    let app = TestApp::configured(backend, clu::clock::Clock::system(), &settings).await;
    secretariat(&app).await;
    let mut clu = Clu::new(&app);
    let start = clu.get("/connexion/proconnect").await;
    start.assert_status(303);
    assert_eq!(location(&start), "/connexion?proconnect=indisponible");
    let page = clu.get("/connexion?proconnect=indisponible").await;
    page.assert_status(200);
    assert!(
        page.text().contains("ProConnect ne répond pas"),
        "{}",
        page.text()
    );
    let csrf = clu.csrf.clone();
    let signed = clu
        .send(TestRequest::post().uri("/connexion").set_form([
            ("csrf", csrf.as_str()),
            ("email", SECRETARIAT),
            ("password", PASSWORD),
        ]))
        .await;
    signed.assert_status(303);
    assert_eq!(location(&signed), "/tableau-de-bord");
}

async fn without_settings_there_is_no_proconnect(app: TestApp) {
    let mut clu = Clu::new(&app);
    let page = clu.get("/connexion").await;
    assert!(!page.text().contains("fr-connect"), "no button");
    let start = clu.get("/connexion/proconnect").await;
    start.assert_status(404);
    assert_eq!(h1(&start), "ProConnect n’est pas disponible");
    clu.get("/connexion/proconnect/retour?code=a&state=b")
        .await
        .assert_status(404);
}

on_both_backends!(
    backend: signs_in_and_out_at_both_ends,
    refuses_an_unknown_identity,
    refuses_a_replayed_or_foreign_state,
    refuses_a_wrong_nonce,
    refuses_an_id_token_signed_by_another_key,
    refuses_an_expired_id_token,
    refuses_an_id_token_from_the_future,
    refuses_a_disabled_user,
    the_link_decides_not_the_email,
    a_code_used_twice_or_a_cancel_opens_nothing,
    the_password_form_works_while_the_provider_is_down,
);

mod without_settings {
    crate::on_both_backends!(without_settings_there_is_no_proconnect);
    use super::without_settings_there_is_no_proconnect;
}
