//! The measurement: one client, one request at a time over one kept-alive
//! connection, after a warm-up; p50 and p99 of each endpoint. Every
//! answer must be 200 with a non-empty body (and the lists a non-empty
//! list): a wrong answer fails the run.

use std::time::{Duration, Instant};

use actix_web::http::header;
use serde_json::Value;

use crate::seed::Target;

/// The endpoints measured, in the order of the table.
pub const ENDPOINTS: [&str; 10] = [
    "GET /api/v1/members?q=<surname>",
    "GET /api/v1/members?q=<organization>",
    "GET /api/v1/meetings/{id}/attendance",
    "GET /api/v1/committees/{id}/meetings",
    "GET /api/v1/audit?entity_id=<meeting>",
    "GET /api/v1/audit?since=…&until=… (a month)",
    "GET /api/v1/committees/{id}/actions?overdue=true",
    "GET /api/v1/committees/{id}/report?year=…",
    "GET /tableau-de-bord (web, signed in)",
    "GET /healthz (no database: the machine's floor and noise)",
];

/// The last of `ENDPOINTS` is a reference, not a target.
pub const REFERENCE: usize = ENDPOINTS.len() - 1;

#[derive(Debug, Clone, Copy, Default)]
pub struct Timing {
    pub p50_ms: f64,
    pub p99_ms: f64,
}

pub struct Client {
    http: awc::Client,
    base: String,
}

struct Answer {
    status: u16,
    body: Vec<u8>,
    cookie: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Self {
        let http = awc::Client::builder()
            .timeout(Duration::from_secs(120))
            .disable_redirects()
            .connector(awc::Connector::new().limit(1))
            .finish();
        Self {
            http,
            base: base.to_owned(),
        }
    }

    async fn get(&self, path: &str, auth: &Auth) -> Result<Answer, String> {
        let mut request = self.http.get(format!("{}{path}", self.base));
        request = match auth {
            Auth::Bearer(token) => {
                request.insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
            }
            Auth::Cookie(cookie) => request
                .insert_header((header::COOKIE, cookie.clone()))
                .insert_header((header::ACCEPT, "text/html")),
            Auth::None => request.insert_header((header::ACCEPT, "text/html")),
        };
        let response = request.send().await;
        read(path, response).await
    }

    async fn post_form(
        &self,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
    ) -> Result<Answer, String> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .insert_header((header::COOKIE, cookie.to_owned()))
            .insert_header((header::ACCEPT, "text/html"))
            .send_form(&form)
            .await;
        read(path, response).await
    }

    /// An access token of the API.
    pub async fn login(&self, email: &str, password: &str) -> Result<String, String> {
        let body = serde_json::json!({"email": email, "password": password});
        let mut response = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .send_json(&body)
            .await
            .map_err(|e| format!("login: {e}"))?;
        let bytes = response.body().await.map_err(|e| format!("login: {e}"))?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        value["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("login {email}: {} {value}", response.status()))
    }

    /// Signs in on the web interface as a browser does: the sign-in page
    /// (its session cookie and CSRF token), then the form; the signed-in
    /// session's cookie.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<String, String> {
        let page = self.get("/connexion", &Auth::None).await?;
        if page.status != 200 {
            return Err(format!("GET /connexion: {}", page.status));
        }
        let cookie = page.cookie.ok_or("GET /connexion set no session cookie")?;
        let html = String::from_utf8_lossy(&page.body);
        let csrf = csrf_token(&html).ok_or("no CSRF token on the sign-in page")?;
        let signed = self
            .post_form(
                "/connexion",
                &cookie,
                &[("csrf", &csrf), ("email", email), ("password", password)],
            )
            .await?;
        if signed.status != 303 {
            return Err(format!(
                "POST /connexion: {} instead of 303: {}",
                signed.status,
                String::from_utf8_lossy(&signed.body)
            ));
        }
        signed
            .cookie
            .ok_or_else(|| "POST /connexion set no session cookie".into())
    }

    /// The OpenAPI document's query parameters of `GET path`.
    pub async fn parameters(&self, path: &str) -> Result<Vec<String>, String> {
        let answer = self.get("/api/v1/openapi.json", &Auth::None).await?;
        let document: Value =
            serde_json::from_slice(&answer.body).map_err(|e| format!("openapi.json: {e}"))?;
        Ok(document["paths"][path]["get"]["parameters"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }
}

async fn read<S>(
    path: &str,
    response: Result<awc::ClientResponse<S>, awc::error::SendRequestError>,
) -> Result<Answer, String>
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>>
        + Unpin,
{
    let mut response = response.map_err(|e| format!("GET {path}: {e}"))?;
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("clu_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let body = response
        .body()
        .limit(64 * 1024 * 1024)
        .await
        .map_err(|e| format!("{path}: {e}"))?;
    Ok(Answer {
        status: response.status().as_u16(),
        body: body.to_vec(),
        cookie,
    })
}

fn csrf_token(html: &str) -> Option<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse("input[name=csrf]").ok()?;
    document
        .select(&selector)
        .next()?
        .value()
        .attr("value")
        .map(str::to_owned)
}

pub enum Auth {
    None,
    Bearer(String),
    Cookie(String),
}

/// What a right answer must hold, beyond 200 and a non-empty body.
#[derive(Clone, Copy)]
enum Expect {
    /// A list with at least one item.
    List,
    /// A JSON object.
    Object,
    /// An HTML page containing this text.
    Html(&'static str),
    /// Any non-empty body.
    Any,
}

fn check(path: &str, answer: &Answer, expect: Expect) -> Result<(), String> {
    if answer.status != 200 {
        return Err(format!(
            "GET {path}: {} instead of 200: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
                .chars()
                .take(300)
                .collect::<String>()
        ));
    }
    if answer.body.is_empty() {
        return Err(format!("GET {path}: empty body"));
    }
    match expect {
        Expect::List => {
            let value: Value = serde_json::from_slice(&answer.body)
                .map_err(|e| format!("GET {path}: not JSON: {e}"))?;
            let items = value["items"].as_array().map_or(0, Vec::len);
            if items == 0 || value["total"].as_i64().unwrap_or(0) == 0 {
                return Err(format!("GET {path}: an empty list"));
            }
        }
        Expect::Object => {
            let value: Value = serde_json::from_slice(&answer.body)
                .map_err(|e| format!("GET {path}: not JSON: {e}"))?;
            if value.as_object().is_none_or(serde_json::Map::is_empty) {
                return Err(format!("GET {path}: not a JSON object"));
            }
        }
        Expect::Any => {}
        Expect::Html(needle) => {
            if !String::from_utf8_lossy(&answer.body).contains(needle) {
                return Err(format!("GET {path}: the page lacks {needle:?}"));
            }
        }
    }
    Ok(())
}

/// Times `requests` GETs of each path, in rounds (one request of each
/// path, then the next round), after `warm_up` untimed rounds: a moment
/// of noise on the shared machine (another process on the core) falls on
/// every endpoint alike instead of on the one being measured.
async fn rounds(
    client: &Client,
    paths: &[(String, &Auth, Expect)],
    warm_up: usize,
    requests: usize,
) -> Result<Vec<Timing>, String> {
    for _ in 0..warm_up {
        for (path, auth, expect) in paths {
            check(path, &client.get(path, auth).await?, *expect)?;
        }
    }
    let mut samples = vec![Vec::with_capacity(requests); paths.len()];
    for _ in 0..requests {
        for ((path, auth, expect), samples) in paths.iter().zip(&mut samples) {
            let started = Instant::now();
            let answer = client.get(path, auth).await?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            check(path, &answer, *expect)?;
        }
    }
    Ok(samples
        .into_iter()
        .map(|mut samples| {
            samples.sort_by(f64::total_cmp);
            Timing {
                p50_ms: percentile(&samples, 50.0),
                p99_ms: percentile(&samples, 99.0),
            }
        })
        .collect())
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The timings of `ENDPOINTS`, in order; and a note when the audit log has
/// no `until` (then the period is "since" alone).
pub async fn run(
    base: &str,
    target: &Target,
    password: &str,
    requests: usize,
) -> Result<(Vec<Timing>, Option<String>), String> {
    let client = Client::new(base);
    let token = client.login(&target.secretariat_email, password).await?;
    let cookie = client.sign_in(&target.secretariat_email, password).await?;
    let audit_parameters = client.parameters("/api/v1/audit").await?;
    let has_until = audit_parameters.iter().any(|p| p == "until");
    let note = (!has_until).then(|| {
        "GET /api/v1/audit has no `until` parameter in this build: the period is `since` alone"
            .to_owned()
    });
    let (since, until) = target.period;
    let period = if has_until {
        format!(
            "/api/v1/audit?since={}&until={}",
            rfc3339(since),
            rfc3339(until)
        )
    } else {
        format!("/api/v1/audit?since={}", rfc3339(since))
    };
    let bearer = Auth::Bearer(token);
    let signed_in = Auth::Cookie(cookie);
    let none = Auth::None;
    let paths: [(String, &Auth, Expect); ENDPOINTS.len()] = [
        (
            format!("/api/v1/members?q={}", target.surname_query),
            &bearer,
            Expect::List,
        ),
        (
            format!("/api/v1/members?q={}", target.organization_query),
            &bearer,
            Expect::List,
        ),
        (
            format!("/api/v1/meetings/{}/attendance", target.meeting_id),
            &bearer,
            Expect::List,
        ),
        (
            format!("/api/v1/committees/{}/meetings", target.committee_id),
            &bearer,
            Expect::List,
        ),
        (
            format!("/api/v1/audit?entity_id={}", target.meeting_id),
            &bearer,
            Expect::List,
        ),
        (period, &bearer, Expect::List),
        (
            format!(
                "/api/v1/committees/{}/actions?overdue=true",
                target.committee_id
            ),
            &bearer,
            Expect::List,
        ),
        (
            format!(
                "/api/v1/committees/{}/report?year={}",
                target.committee_id, target.report_year
            ),
            &bearer,
            Expect::Object,
        ),
        (
            "/tableau-de-bord".to_owned(),
            &signed_in,
            Expect::Html("Tableau de bord"),
        ),
        ("/healthz".to_owned(), &none, Expect::Any),
    ];
    let warm_up = (requests / 20).max(5);
    let timings = rounds(&client, &paths, warm_up, requests).await?;
    Ok((timings, note))
}
