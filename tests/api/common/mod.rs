//! The test application: the real router over a real database (a fresh
//! SQLite file, or a fresh schema in the PostgreSQL server named by
//! `CLU_TEST_POSTGRES_URL`), driven in-process.

#![allow(dead_code)]

pub mod fixtures;
pub mod imap;
pub mod mail_samples;
pub mod oidc;
pub mod pdf;
pub mod pki;
pub mod smtp;
pub mod tsa;

use actix_service::boxed::{self, BoxService};
use actix_service::{Service, ServiceExt};
use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{Method, StatusCode, header::HeaderMap};
use actix_web::test::TestRequest;
use clu::AppState;
use clu::clock::Clock;
use clu::config::Settings;
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{Value, json};
use std::sync::OnceLock;

pub const JWT_SECRET: &str = "test-secret-of-at-least-32-bytes!!";
pub const PASSWORD: &str = "mot de passe de test 2031";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named test once per backend, as `sqlite::name` and
/// `postgres::name`: given a fresh `TestApp`, or (with `backend:` first)
/// given the backend, for tests that build their app themselves.
#[macro_export]
macro_rules! on_both_backends {
    (backend: $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::common::TestApp::new($crate::common::Backend::Sqlite).await).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::common::TestApp::new($crate::common::Backend::Postgres).await).await
                }
            )*
        }
    };
}

pub struct TestApp {
    pub state: AppState,
    pub backend: Backend,
    service: BoxService<actix_http::Request, ServiceResponse<BoxBody>, actix_web::Error>,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        assert_eq!(self.status.as_u16(), expected, "body: {}", self.text());
        self
    }

    /// Asserts an RFC 9457 problem with this status.
    #[track_caller]
    pub fn assert_problem(&self, expected: u16) -> Value {
        self.assert_status(expected);
        assert_eq!(self.content_type(), "application/problem+json");
        let body = self.json();
        assert_eq!(body["status"], expected);
        assert!(
            body["type"].is_string() && body["title"].is_string() && body["detail"].is_string()
        );
        body
    }

    /// The fields named by a 422.
    #[track_caller]
    pub fn error_fields(&self) -> Vec<String> {
        let body = self.assert_problem(422);
        body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].as_str().expect("field").to_owned())
            .collect()
    }
}

/// The PostgreSQL server the tests use: `CLU_TEST_POSTGRES_URL`, or else a
/// throwaway cluster started for this test process (never on CI, where a
/// missing URL is a failure).
pub fn postgres_base_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("CLU_TEST_POSTGRES_URL")
            && !url.is_empty()
        {
            return url;
        }
        if std::env::var("CI").is_ok_and(|ci| !ci.is_empty() && ci != "false") {
            panic!("CLU_TEST_POSTGRES_URL is not set on CI: .ci/run must start PostgreSQL");
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/throwaway-postgres");
        let output = std::process::Command::new(script)
            .arg(std::process::id().to_string())
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("run scripts/throwaway-postgres");
        assert!(output.status.success(), "scripts/throwaway-postgres failed");
        String::from_utf8(output.stdout)
            .expect("utf-8")
            .trim()
            .to_owned()
    })
    .clone()
}

fn with_search_path(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-csearch_path%3D{schema}")
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        Self::with_clock(backend, Clock::system()).await
    }

    pub async fn with_clock(backend: Backend, clock: Clock) -> Self {
        Self::configured(backend, clock, &[]).await
    }

    /// With settings of the test's own (e.g. `("smtp_url", …)`).
    pub async fn configured(backend: Backend, clock: Clock, settings: &[(&str, Value)]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let (database_url, pg) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("clu.db").display()),
                None,
            ),
            Backend::Postgres => {
                let base = postgres_base_url();
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut conn =
                    PgConnection::establish(&base).expect("connect to the test PostgreSQL");
                diesel::sql_query(format!("CREATE SCHEMA {schema}"))
                    .execute(&mut conn)
                    .expect("create schema");
                (with_search_path(&base, &schema), Some((base, schema)))
            }
        };
        let mut figment = Settings::figment(None)
            .merge(("database_url", database_url))
            .merge(("database_pool_size", 3))
            .merge(("data_dir", dir.path().join("data")))
            .merge(("mail_dir", dir.path().join("outbox")))
            .merge(("jwt_secret", JWT_SECRET));
        for (key, value) in settings {
            figment = figment.merge((*key, value.clone()));
        }
        let settings = Settings::from_figment(figment).expect("settings");
        let state = actix_web::web::block(move || {
            let state = AppState::new(settings, clock)?;
            state.migrate()?;
            Ok::<_, String>(state)
        })
        .await
        .expect("block")
        .expect("state");
        let app = actix_web::test::init_service(clu::build_app(state.clone())).await;
        let service = boxed::service(app.map(|res: ServiceResponse<_>| res.map_into_boxed_body()));
        Self {
            state,
            backend,
            service,
            _dir: dir,
            pg,
        }
    }

    /// The same database and settings, in a new process state: a restart.
    pub async fn restart(&mut self) {
        let settings = (*self.state.settings).clone();
        self.restart_with(settings).await;
    }

    /// A restart with other settings over the same database.
    pub async fn restart_with(&mut self, settings: Settings) {
        let clock = self.state.clock.clone();
        let state = actix_web::web::block(move || AppState::new(settings, clock))
            .await
            .expect("block")
            .expect("state");
        let app = actix_web::test::init_service(clu::build_app(state.clone())).await;
        self.service = boxed::service(app.map(|res: ServiceResponse<_>| res.map_into_boxed_body()));
        self.state = state;
    }

    /// One pass of the outbox worker, as `clu serve` runs it.
    pub async fn deliver(&self) -> clu::worker::Pass {
        let worker = clu::worker::Worker::new(self.state.clone()).expect("worker");
        worker.run_once().await.expect("outbox pass")
    }

    /// Every message written as `.eml` (no SMTP server set), parsed.
    pub fn mails(&self) -> Vec<smtp::Received> {
        std::fs::read_dir(self.mail_dir())
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| smtp::Received {
                        raw: std::fs::read(e.path()).expect("read message"),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Where `.eml` files go when no SMTP server is set.
    pub fn mail_dir(&self) -> std::path::PathBuf {
        self.state.settings.mail_dir.clone()
    }

    pub async fn send(&self, req: TestRequest) -> Response {
        let response = self
            .service
            .call(req.to_request())
            .await
            .expect("service call");
        let status = response.status();
        let headers = response.headers().clone();
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .map_err(|_| "body")
            .expect("body");
        Response {
            status,
            headers,
            body: body.to_vec(),
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = TestRequest::default().method(method).uri(path);
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        if let Some(body) = body {
            req = req.set_json(body);
        }
        self.send(req).await
    }

    /// A GET without a token, as a member's browser opens a link.
    pub async fn open(&self, path: &str) -> Response {
        self.request(Method::GET, path, None, None).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": password})),
        )
        .await
    }

    /// Logs in and returns the access token.
    pub async fn token(&self, email: &str) -> String {
        self.token_with(email, PASSWORD).await
    }

    pub async fn token_with(&self, email: &str, password: &str) -> String {
        let response = self.login(email, password).await;
        response.assert_status(200);
        response.json()["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// An administrator made the way `clu create-admin` makes one.
    pub async fn admin(&self) -> String {
        let email = "admin@clu.test".to_owned();
        let state = self.state.clone();
        let address = email.clone();
        actix_web::web::block(move || {
            let hash = clu::auth::password::hash(PASSWORD).expect("hash");
            let mut conn = state.db.get().expect("conn");
            let now = state.clock.now();
            clu::db::write_transaction(&mut conn, |c| {
                clu::domain::accounts::users::create_admin(c, now, &address, hash)
            })
        })
        .await
        .expect("block")
        .expect("admin");
        self.token(&email).await
    }

    /// A structure created by `admin_token`; returns its id.
    pub async fn structure(&self, admin_token: &str, name: &str) -> String {
        let response = self
            .post(
                "/api/v1/structures",
                admin_token,
                json!({
                    "name": name,
                    "department_code": "52",
                    "city": "Chaumont",
                    "service_name": "Secrétariat Général Commun Départemental",
                    "letterhead": ["PRÉFÈTE DE LA HAUTE-MARNE", "Liberté Égalité Fraternité"],
                    "case_officer": {"name": "Mylène BÉGUÉ", "phone": "03 25 30 52 52", "email": "mylene.begue@haute-marne.gouv.fr"}
                }),
            )
            .await;
        response.assert_status(201);
        response.json()["id"].as_str().expect("id").to_owned()
    }

    /// A staff user of `structure_id` with `role`; returns (id, token).
    pub async fn user(
        &self,
        admin_token: &str,
        structure_id: &str,
        role: &str,
        email: &str,
    ) -> (String, String) {
        let response = self
            .post(
                "/api/v1/users",
                admin_token,
                json!({"email": email, "display_name": email, "role": role, "structure_id": structure_id, "password": PASSWORD}),
            )
            .await;
        response.assert_status(201);
        let id = response.json()["id"].as_str().expect("id").to_owned();
        (id, self.token(email).await)
    }

    /// A structure with a secretariat account; returns (structure id, token).
    pub async fn secretariat(&self, admin_token: &str, name: &str) -> (String, String) {
        let structure = self.structure(admin_token, name).await;
        let email = format!("secretariat-{}@clu.test", &structure[..8]);
        let (_, token) = self
            .user(admin_token, &structure, "secretariat", &email)
            .await;
        (structure, token)
    }

    /// Posts a CSV body.
    pub async fn post_csv(&self, path: &str, token: &str, body: impl Into<Vec<u8>>) -> Response {
        let req = TestRequest::post()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", "text/csv; charset=utf-8"))
            .set_payload(body.into());
        self.send(req).await
    }

    /// Uploads a file as `multipart/form-data` in the field `file`, its
    /// name given as the `filename*` parameter (UTF-8, percent-encoded).
    pub async fn upload(&self, path: &str, token: &str, file_name: &str, bytes: &[u8]) -> Response {
        self.send_file(TestRequest::post(), path, token, file_name, bytes)
            .await
    }

    /// The same upload with PUT: a new version in place of an annex.
    pub async fn upload_put(
        &self,
        path: &str,
        token: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Response {
        self.send_file(TestRequest::put(), path, token, file_name, bytes)
            .await
    }

    async fn send_file(
        &self,
        req: TestRequest,
        path: &str,
        token: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Response {
        let boundary = "clu-test-7d1f0a";
        let encoded: String = file_name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''{encoded}\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = req
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header((
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .set_payload(body);
        self.send(req).await
    }

    /// Creates through the API and returns the new record's id.
    pub async fn create(&self, path: &str, token: &str, body: Value) -> String {
        let response = self.post(path, token, body).await;
        assert_eq!(
            response.status.as_u16(),
            201,
            "POST {path}: {}",
            response.text()
        );
        response.json()["id"].as_str().expect("id").to_owned()
    }

    /// Audit events with this action, as the administrator sees them.
    pub async fn audit_count(&self, admin_token: &str, action: &str, entity_id: &str) -> usize {
        let response = self
            .get(
                &format!("/api/v1/audit?entity_id={entity_id}&limit=500"),
                admin_token,
            )
            .await;
        response.assert_status(200);
        response.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|e| e["action"] == action)
            .count()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.pg
            && let Ok(mut conn) = PgConnection::establish(base)
        {
            let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .execute(&mut conn);
        }
    }
}
