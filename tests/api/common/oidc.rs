//! A real OpenID provider for the tests: `oidc-provider` from npm, run by
//! the machine's Node through `scripts/oidc-provider` (which installs it at
//! its pinned version) on a free loopback port, with keys generated for
//! the run, and stopped when dropped. The test says which accounts it
//! knows and how it misbehaves (`Mode`), and may change either between two
//! sign-ins. `ProviderBrowser` walks its interaction pages as a person
//! would, keeping its cookies.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

pub const CLIENT_ID: &str = "clu-test";
pub const CLIENT_SECRET: &str = "secret du client clu de test 2031";

/// How the provider's token endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// The ID token carries another nonce than the request's.
    WrongNonce,
    /// The ID token expired ten minutes ago.
    Expired,
    /// The ID token is signed by a key the provider never published.
    OtherKey,
    /// The ID token is issued five minutes from now (clocks apart).
    Future,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::WrongNonce => "wrong-nonce",
            Self::Expired => "expired",
            Self::OtherKey => "other-key",
            Self::Future => "future",
        }
    }
}

/// A person the provider knows.
#[derive(Debug, Clone)]
pub struct Account {
    pub sub: String,
    pub email: String,
}

impl Account {
    pub fn new(sub: &str, email: &str) -> Self {
        Self {
            sub: sub.into(),
            email: email.into(),
        }
    }

    fn json(&self) -> Value {
        json!({
            "sub": self.sub,
            "email": self.email,
            "given_name": "Mylène",
            "usual_name": "Bégué",
            "uid": format!("uid-{}", self.sub),
            "siret": "17520001200011",
        })
    }
}

pub struct OidcProvider {
    child: Child,
    pub issuer: String,
    config: PathBuf,
    clients: Value,
    accounts: Vec<Account>,
    mode: Mode,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Runs the provider on `port`; none when it stopped without listening.
fn spawn(port: u16, config: &std::path::Path) -> Option<Child> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/oidc-provider");
    let mut child = Command::new(script)
        .arg(port.to_string())
        .arg(config)
        .env(
            "OIDC_PROVIDER_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/target/oidc-provider"),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scripts/oidc-provider (Node.js and npm are needed)");
    let (stdout, stderr) = (
        child.stdout.take().expect("stdout"),
        child.stderr.take().expect("stderr"),
    );
    // Its warnings about Node's version and its in-memory store are for
    // production; anything else it says is shown.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if !line.starts_with("oidc-provider WARNING") {
                eprintln!("oidc-provider: {line}");
            }
        }
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("listening ") {
                let _ = tx.send(true);
            }
        }
        let _ = tx.send(false);
    });
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(true) => Some(child),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            None
        }
    }
}

/// Written whole, then renamed: the provider may read it any time.
fn write_config(path: &std::path::Path, clients: &Value, accounts: &[Account], mode: Mode) {
    let config = json!({
        "clients": clients,
        "accounts": accounts.iter().map(Account::json).collect::<Vec<_>>(),
        "mode": mode.name(),
    });
    let next = path.with_extension("next");
    std::fs::write(&next, config.to_string()).expect("write provider config");
    std::fs::rename(&next, path).expect("rename provider config");
}

impl OidcProvider {
    /// Starts a provider whose one client is clu, sending browsers back to
    /// `public_url`'s ProConnect paths.
    pub fn start(public_url: &str, accounts: &[Account]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let clients = json!([{
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [format!("{public_url}/connexion/proconnect/retour")],
            "post_logout_redirect_uris": [format!("{public_url}/deconnexion/proconnect/retour")],
        }]);
        let config = dir.path().join("provider.json");
        write_config(&config, &clients, accounts, Mode::Normal);
        // A port found free may be taken before the provider listens on
        // it: then it stops at once, and another port is tried.
        for _ in 0..5 {
            let port = free_port();
            if let Some(child) = spawn(port, &config) {
                return Self {
                    child,
                    issuer: format!("http://127.0.0.1:{port}"),
                    config,
                    clients,
                    accounts: accounts.to_vec(),
                    mode: Mode::Normal,
                    _dir: dir,
                };
            }
        }
        panic!("the OpenID provider did not start (see its output above)");
    }

    fn write(&self) {
        write_config(&self.config, &self.clients, &self.accounts, self.mode);
    }

    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
        self.write();
    }

    pub fn set_accounts(&mut self, accounts: &[Account]) {
        self.accounts = accounts.to_vec();
        self.write();
    }

    /// clu's settings for this provider.
    pub fn settings(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("proconnect_issuer", json!(self.issuer)),
            ("proconnect_client_id", json!(CLIENT_ID)),
            ("proconnect_client_secret", json!(CLIENT_SECRET)),
            ("proconnect_acr_values", json!("eidas1")),
        ]
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser at the provider: its cookies, redirects followed by hand.
pub struct ProviderBrowser {
    client: awc::Client,
    cookies: Vec<(String, String)>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Default for ProviderBrowser {
    fn default() -> Self {
        Self::new()
    }
}

impl ProviderBrowser {
    pub fn new() -> Self {
        Self {
            client: awc::Client::builder()
                .disable_redirects()
                .timeout(Duration::from_secs(30))
                .finish(),
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn keep<S>(&mut self, mut response: awc::ClientResponse<S>) -> Page
    where
        S: futures_util::Stream<
                Item = Result<actix_web::web::Bytes, actix_http::error::PayloadError>,
            > + Unpin,
    {
        for value in response.headers().get_all("set-cookie") {
            let Ok(value) = value.to_str() else { continue };
            let pair = value.split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let removed =
                value.is_empty() || value.contains("expires=Thu, 01 Jan 1970") || pair.is_empty();
            self.cookies.retain(|(n, _)| n != name);
            if !removed {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.body().limit(1_000_000).await.expect("body");
        Page {
            status: response.status().as_u16(),
            location,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub async fn get(&mut self, url: &str) -> Page {
        let response = self
            .client
            .get(url)
            .insert_header(("Cookie", self.cookie_header()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        self.keep(response).await
    }

    pub async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(url)
            .insert_header(("Cookie", self.cookie_header()))
            .send_form(&form)
            .await
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        self.keep(response).await
    }

    /// Follows the provider's redirects from `url` until one leaves for
    /// `until` (returned), signing in as `email` on the login page or
    /// cancelling there when `email` is `None`, and posting the sign-out
    /// form when there is one.
    pub async fn walk(
        &mut self,
        issuer: &str,
        url: &str,
        until: &str,
        email: Option<&str>,
    ) -> String {
        let mut next = url.to_owned();
        for _ in 0..20 {
            if next.starts_with(until) {
                return next;
            }
            let absolute = if next.starts_with('/') {
                format!("{issuer}{next}")
            } else {
                next.clone()
            };
            let page = self.get(&absolute).await;
            let page = if page.status == 200 {
                self.answer(issuer, page, email).await
            } else {
                page
            };
            next = page.location.unwrap_or_else(|| {
                panic!(
                    "the provider stopped at {absolute}: {} {}",
                    page.status, page.body
                )
            });
        }
        panic!("more than 20 redirects from {url}");
    }

    /// Posts the form of a provider page: the login (or its cancel), or
    /// the sign-out confirmation.
    async fn answer(&mut self, issuer: &str, page: Page, email: Option<&str>) -> Page {
        let action = |marker: &str| -> Option<String> {
            page.body
                .split("action=\"")
                .skip(1)
                .filter_map(|rest| rest.split('"').next())
                .find(|action| action.contains(marker))
                .map(|action| {
                    if action.starts_with('/') {
                        format!("{issuer}{action}")
                    } else {
                        action.replace("&amp;", "&")
                    }
                })
        };
        if let Some(login) = action("/login") {
            return match email {
                Some(email) => self.post(&login, &[("email", email)]).await,
                None => {
                    let abort = action("/abort").expect("cancel form");
                    self.post(&abort, &[]).await
                }
            };
        }
        if let Some(confirm) = action("/session/end/confirm") {
            let xsrf = page
                .body
                .split("name=\"xsrf\" value=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("xsrf of the sign-out form")
                .to_owned();
            return self
                .post(&confirm, &[("xsrf", &xsrf), ("logout", "yes")])
                .await;
        }
        panic!("unexpected provider page: {}", page.body);
    }
}
