//! `GET /metrics` in the Prometheus text format (the official
//! `prometheus-client` crate): requests by route pattern, method and
//! status, their latency, the database pool, the outbox, the e-mails sent
//! and failed, the sign-ins failed and throttled. Counters live in the
//! process (each server is scraped on its own); the pool and the outbox
//! are read when scraped. Never public: behind `metrics_token`, or on its
//! own address (`metrics_bind`).

use std::sync::atomic::AtomicU64;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Status {
    status: String,
}

type Latency = Family<Route, Histogram, fn() -> Histogram>;

/// From 1 ms to about 16 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<Request, Counter>,
    latency: Latency,
    emails: Family<Outcome, Counter>,
    logins: Family<Outcome, Counter>,
    pool: Family<Status, Gauge>,
    outbox: Family<Status, Gauge>,
    outbox_oldest: Gauge<f64, AtomicU64>,
    sqlite_writes: Family<Status, Gauge>,
}

/// What a sign-in came to, as counted.
#[derive(Debug, Clone, Copy)]
pub enum Login {
    Succeeded,
    Failed,
    Throttled,
}

/// What a sending came to, as counted.
#[derive(Debug, Clone, Copy)]
pub enum Email {
    Sent,
    Retried,
    Failed,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("clu");
        let requests = Family::<Request, Counter>::default();
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        let emails = Family::<Outcome, Counter>::default();
        let logins = Family::<Outcome, Counter>::default();
        let pool = Family::<Status, Gauge>::default();
        let outbox = Family::<Status, Gauge>::default();
        let outbox_oldest = Gauge::<f64, AtomicU64>::default();
        let sqlite_writes = Family::<Status, Gauge>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route pattern, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route pattern and method",
            latency.clone(),
        );
        registry.register(
            "emails",
            "E-mails handed to the mail server (sent), put back for a retry (retried) or given up (failed)",
            emails.clone(),
        );
        registry.register(
            "logins",
            "Sign-ins: succeeded, failed (wrong or unknown credentials) or throttled",
            logins.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database connections: in_use, idle, and requests waiting for one",
            pool.clone(),
        );
        registry.register(
            "outbox_messages",
            "Outbox messages by status: queued, sending, failed",
            outbox.clone(),
        );
        registry.register(
            "outbox_oldest_queued_age_seconds",
            "Age of the oldest queued message (0: none queued)",
            outbox_oldest.clone(),
        );
        registry.register(
            "db_sqlite_writes",
            "SQLite write transactions committed (commits) and the writes they held (writes): writes / commits is the group commit's mean batch",
            sqlite_writes.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            emails,
            logins,
            pool,
            outbox,
            outbox_oldest,
            sqlite_writes,
        }
    }
}

impl Metrics {
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&Request {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&Route {
                route: route.to_owned(),
                method: method.to_owned(),
            })
            .observe(seconds);
    }

    pub fn login(&self, outcome: Login) {
        let outcome = match outcome {
            Login::Succeeded => "succeeded",
            Login::Failed => "failed",
            Login::Throttled => "throttled",
        };
        self.logins
            .get_or_create(&Outcome {
                outcome: outcome.into(),
            })
            .inc();
    }

    pub fn email(&self, outcome: Email) {
        let outcome = match outcome {
            Email::Sent => "sent",
            Email::Retried => "retried",
            Email::Failed => "failed",
        };
        self.emails
            .get_or_create(&Outcome {
                outcome: outcome.into(),
            })
            .inc();
    }

    /// The text exposition, the pool and the outbox read now.
    fn render(&self, snapshot: &Snapshot) -> String {
        for (status, value) in [
            ("in_use", snapshot.pool.in_use),
            ("idle", snapshot.pool.idle),
            ("waiting", snapshot.pool.waiting),
        ] {
            self.pool
                .get_or_create(&Status {
                    status: status.into(),
                })
                .set(value);
        }
        for (status, value) in [
            ("queued", snapshot.outbox.queued),
            ("sending", snapshot.outbox.sending),
            ("failed", snapshot.outbox.failed),
        ] {
            self.outbox
                .get_or_create(&Status {
                    status: status.into(),
                })
                .set(value);
        }
        self.outbox_oldest
            .set(snapshot.outbox.oldest_queued_seconds);
        if let Some((commits, writes)) = snapshot.group_commits {
            for (status, value) in [("commits", commits), ("writes", writes)] {
                self.sqlite_writes
                    .get_or_create(&Status {
                        status: status.into(),
                    })
                    .set(i64::try_from(value).unwrap_or(i64::MAX));
            }
        }
        let mut text = String::new();
        if encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

struct Snapshot {
    pool: crate::db::PoolState,
    group_commits: Option<(u64, u64)>,
    outbox: crate::store::outbox::Stats,
}

/// Whether the request carries the metrics token (compared through their
/// digests, in constant time for equal lengths).
fn authorized(req: &HttpRequest, token: &str) -> bool {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(token.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// `GET /metrics` on the main address: only with `metrics_token`, and
/// only when no address of its own is set.
pub async fn scrape_with_token(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let token = match (&state.settings.metrics_token, &state.settings.metrics_bind) {
        (Some(token), None) => token.expose().to_owned(),
        _ => return Err(AppError::NotFound),
    };
    if !authorized(&req, &token) {
        return Err(AppError::Unauthorized);
    }
    exposition(&state).await
}

/// `GET /metrics` on `metrics_bind`, for the scraper on that network only.
pub async fn scrape(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    exposition(&state).await
}

async fn exposition(state: &AppState) -> AppResult<HttpResponse> {
    let now = state.clock.now().naive_utc();
    let outbox = state
        .db
        .read(move |conn| Ok(crate::store::outbox::stats(conn, now)?))
        .await?;
    let snapshot = Snapshot {
        pool: state.db.pool_state(),
        group_commits: state.db.group_commits(),
        outbox,
    };
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(state.metrics.render(&snapshot)))
}
