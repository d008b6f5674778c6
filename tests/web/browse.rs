//! A browser of the page tests: one cookie jar, the last page's form
//! token, and readers of the HTML by CSS selector.

use actix_web::test::TestRequest;
use scraper::{Html, Selector};

use crate::common::{Response, TestApp};

pub fn select(html: &str, selector: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let selector = Selector::parse(selector).expect("selector");
    document
        .select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

pub fn attribute(html: &str, selector: &str, name: &str) -> Option<String> {
    let document = Html::parse_document(html);
    let selector = Selector::parse(selector).expect("selector");
    document
        .select(&selector)
        .next()
        .and_then(|e| e.value().attr(name))
        .map(str::to_owned)
}

pub fn set_cookie(response: &Response) -> Option<String> {
    response
        .headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("clu_session="))
        .map(str::to_owned)
}

/// A browser's cookie jar of one cookie, and the page's form token.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookie: Option<String>,
    pub csrf: String,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookie: None,
            csrf: String::new(),
        }
    }

    pub async fn send(&mut self, mut req: TestRequest) -> Response {
        req = req.insert_header(("Accept", "text/html"));
        if let Some(cookie) = &self.cookie {
            req = req.insert_header(("Cookie", cookie.clone()));
        }
        let response = self.app.send(req).await;
        if let Some(set) = set_cookie(&response) {
            let pair = set.split(';').next().unwrap_or_default().to_owned();
            // A removal sets an empty value.
            self.cookie = (pair != "clu_session=").then_some(pair);
        }
        if let Some(token) = attribute(&response.text(), "input[name=csrf]", "value") {
            self.csrf = token;
        }
        response
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.send(TestRequest::get().uri(path)).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Response {
        self.send(TestRequest::post().uri(path).set_form(form))
            .await
    }

    /// Opens the sign-in page and signs in.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Response {
        self.get("/connexion").await.assert_status(200);
        let csrf = self.csrf.clone();
        self.post(
            "/connexion",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }
}

pub fn location(response: &Response) -> &str {
    response
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

impl<'a> Browser<'a> {
    /// A browser signed in as `email` (the fixtures' password), on the
    /// dashboard: its form token is the signed-in session's.
    pub async fn signed_in(app: &'a TestApp, email: &str) -> Self {
        let mut browser = Browser::new(app);
        browser
            .sign_in(email, crate::common::PASSWORD)
            .await
            .assert_status(303);
        browser.get("/tableau-de-bord").await.assert_status(200);
        browser
    }

    /// Posts a form of the last page, its token added as the page has it.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let csrf = self.csrf.clone();
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post(path, &form).await
    }

    /// Posts a form, then follows its redirect to the page it leads to.
    pub async fn submit_follow(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let response = self.submit(path, fields).await;
        self.follow(&response).await
    }

    /// Follows a redirect (POST-redirect-GET) and returns the page.
    pub async fn follow(&mut self, response: &Response) -> Response {
        response.assert_status(303);
        let to = location(response).to_owned();
        self.get(&to).await
    }
}

/// The attribute `name` of every element matching `selector`.
pub fn select_attr(html: &str, selector: &str, name: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let selector = Selector::parse(selector).expect("selector");
    document
        .select(&selector)
        .filter_map(|e| e.value().attr(name).map(str::to_owned))
        .collect()
}

/// A page's text with French typography's no-break spaces as plain ones,
/// for assertions written with plain spaces.
pub fn plain(text: String) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}
