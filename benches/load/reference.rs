//! A minimal reference server: what the stack itself (actix-web, an r2d2
//! pool, diesel) does for clu's two hot paths, with none of clu's layers —
//! no clu handler, middleware, extractor, domain or store. It runs in the
//! bench process, on a thread of its own with its own actix System, over
//! the database clu has just seeded (the same SQLite file, or the same
//! PostgreSQL schema), and serves:
//!
//! - `GET /api/v1/meetings/{id}/attendance`: the bearer token checked as
//!   clu checks it (HS256, issuer, audience, `typ`, `exp` with clu's
//!   leeway), then, in one hand-off to the blocking pool, the user's row
//!   (still active, same token version), the meeting within the caller's
//!   structure, and its invitations joined to members, answered in clu's
//!   JSON shape;
//! - `POST /api/v1/rsvp/{token}` (JSON): the answer link checked as clu
//!   checks it, then one write transaction (`BEGIN IMMEDIATE` behind an
//!   in-process writers' mutex on SQLite, `SERIALIZABLE` retried on
//!   PostgreSQL, as clu writes) that reads the invitation with its meeting
//!   (withdrawn link, cancelled, held or started meeting refused), updates
//!   the answer when it changes, inserts its audit event (clu's columns and
//!   summary) and, for a decline, looks for a substitute to invite.
//!
//! It does not send the substitute's invitation (it answers 501 if one is
//! due; the bench seeds none), render pages, log, count metrics, nor
//! answer problem+json: refusals are bare statuses.

use std::net::TcpListener;
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use actix_web::http::{StatusCode, header};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use clu::auth::token::{ACCESS_AUDIENCE, ACCESS_TYPE, ISSUER, RSVP_AUDIENCE, RSVP_TYPE};
use clu::db::schema::{audit_events, invitations, meetings, members, memberships, users};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Clock skew tolerated on `exp`, as clu's `auth::token`.
const LEEWAY_SECONDS: i64 = 5;
/// clu's `database_pool_size` default; clu's blocking pool has as many
/// threads as the database pool has connections.
const POOL_SIZE: u32 = 8;
/// Serialization failures retried on PostgreSQL before giving up.
const WRITE_ATTEMPTS: u32 = 10;

#[derive(diesel::MultiConnection)]
pub enum RefConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone)]
enum Target {
    Sqlite(String),
    Postgres(String),
}

#[derive(Debug, Clone)]
struct Manager(Target);

impl ManageConnection for Manager {
    type Connection = RefConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<RefConn, r2d2::Error> {
        match &self.0 {
            Target::Postgres(url) => PgConnection::establish(url)
                .map(RefConn::Pg)
                .map_err(r2d2::Error::ConnectionError),
            Target::Sqlite(path) => {
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // clu's own pragmas (WAL is already set on the file by clu).
                conn.batch_execute(clu::db::SQLITE_PRAGMAS)
                    .map_err(r2d2::Error::QueryError)?;
                Ok(RefConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut RefConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut RefConn) -> bool {
        match conn {
            RefConn::Pg(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
            RefConn::Sqlite(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
        }
    }
}

type Pool = r2d2::Pool<Manager>;

struct State {
    pool: Pool,
    keys: DecodingKey,
    /// SQLite only: writers take turns here, as in clu.
    writers: Option<Mutex<()>>,
}

/// The reference server, running until `stop`.
pub struct Reference {
    pub base: String,
    pool: Pool,
    handle: actix_web::dev::ServerHandle,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl Reference {
    /// Starts on a free loopback port over `database_url` (clu's
    /// `sqlite://path` or `postgres://…`), and waits until it answers.
    pub fn start(database_url: &str, jwt_secret: &str) -> Result<Self, String> {
        let target = match database_url.strip_prefix("sqlite://") {
            Some(path) => Target::Sqlite(path.to_owned()),
            None => Target::Postgres(database_url.to_owned()),
        };
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .connection_timeout(Duration::from_secs(10))
            .test_on_check_out(false)
            .build(Manager(target.clone()))
            .map_err(|e| format!("reference pool: {e}"))?;
        if matches!(target, Target::Sqlite(_)) {
            // Same file, same journal: clu put it in WAL mode.
            #[derive(QueryableByName)]
            struct Journal {
                #[diesel(sql_type = diesel::sql_types::Text)]
                journal_mode: String,
            }
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let mode: Vec<Journal> = diesel::sql_query("PRAGMA journal_mode")
                .load(&mut *conn)
                .map_err(|e| e.to_string())?;
            if mode.first().map(|m| m.journal_mode.as_str()) != Some("wal") {
                return Err("reference: the SQLite file is not in WAL mode".into());
            }
        }
        let state = web::Data::new(State {
            pool: pool.clone(),
            keys: DecodingKey::from_secret(jwt_secret.as_bytes()),
            writers: matches!(target, Target::Sqlite(_)).then(|| Mutex::new(())),
        });
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let base = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let (sender, receiver) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                // Workers: actix's default (one per core), as `clu serve`;
                // blocking threads per worker: the pool's size, as clu.
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(state.clone())
                        .route("/healthz", web::get().to(healthz))
                        .route(
                            "/api/v1/meetings/{id}/attendance",
                            web::get().to(attendance),
                        )
                        .route("/api/v1/rsvp/{token}", web::post().to(answer))
                })
                .worker_max_blocking_threads(POOL_SIZE as usize)
                .disable_signals()
                .listen(listener)?
                .run();
                let _ = sender.send(server.handle());
                server.await
            })
        });
        let handle = receiver
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| "the reference server did not start".to_owned())?;
        let reference = Self {
            base,
            pool,
            handle,
            thread: Some(thread),
        };
        reference.wait_ready()?;
        Ok(reference)
    }

    fn wait_ready(&self) -> Result<(), String> {
        let address = self.base.trim_start_matches("http://").to_owned();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if crate::ready::get_status(&address, "/healthz") == Some(200) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err("the reference server did not answer /healthz".into())
    }

    /// Audit events of answers in the database (both servers' answers).
    pub fn answer_events(&self) -> Result<i64, String> {
        let mut conn = self.pool.get().map_err(|e| e.to_string())?;
        audit_events::table
            .filter(audit_events::action.eq("invitation.answer"))
            .count()
            .get_result(&mut *conn)
            .map_err(|e| e.to_string())
    }

    /// How many of `ids` have an answer.
    pub fn answered(&self, ids: &[String]) -> Result<i64, String> {
        let mut conn = self.pool.get().map_err(|e| e.to_string())?;
        invitations::table
            .filter(invitations::id.eq_any(ids))
            .filter(invitations::response.ne("pending"))
            .count()
            .get_result(&mut *conn)
            .map_err(|e| e.to_string())
    }

    /// Puts `ids` back to unanswered, so that the next run of answers
    /// starts from where the first one did (bench bookkeeping, no audit).
    pub fn reset_answers(&self, ids: &[String]) -> Result<(), String> {
        let mut conn = self.pool.get().map_err(|e| e.to_string())?;
        diesel::update(invitations::table.filter(invitations::id.eq_any(ids)))
            .set((
                invitations::response.eq("pending"),
                invitations::mode.eq(None::<String>),
                invitations::responded_at.eq(None::<NaiveDateTime>),
                invitations::answered_via.eq(None::<String>),
                invitations::response_note.eq(None::<String>),
            ))
            .execute(&mut *conn)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    pub async fn stop(mut self) -> Result<(), String> {
        self.handle.stop(true).await;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(Ok(()))) | None => Ok(()),
            Some(Ok(Err(e))) => Err(format!("reference server: {e}")),
            Some(Err(_)) => Err("reference server: its thread panicked".into()),
        }
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// What refuses a request, as a bare status.
#[derive(Debug)]
struct Refusal(StatusCode);

impl From<DieselError> for Refusal {
    fn from(_: DieselError) -> Self {
        Self(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<r2d2::PoolError> for Refusal {
    fn from(_: r2d2::PoolError) -> Self {
        Self(StatusCode::SERVICE_UNAVAILABLE)
    }
}

fn refused(status: StatusCode) -> Refusal {
    Refusal(status)
}

/// Checks a token's signature (HS256 only), `iss`, `aud`, then `exp`
/// against now with clu's leeway, as clu's `TokenKeys::decode`.
fn decode<C: serde::de::DeserializeOwned>(
    keys: &DecodingKey,
    token: &str,
    audience: &str,
    expires: impl Fn(&C) -> i64,
) -> Result<C, Refusal> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<C>(token, keys, &validation)
        .map_err(|_| refused(StatusCode::UNAUTHORIZED))?
        .claims;
    if expires(&claims) + LEEWAY_SECONDS < Utc::now().timestamp() {
        return Err(refused(StatusCode::GONE));
    }
    Ok(claims)
}

/// A staff access token's claims, all of them read as clu reads them.
#[derive(Debug, Deserialize)]
#[expect(dead_code, reason = "deserialized as clu does, not all used")]
struct AccessClaims {
    iss: String,
    aud: String,
    sub: String,
    iat: i64,
    exp: i64,
    typ: String,
    role: String,
    structure_id: Option<String>,
    ver: i32,
}

#[derive(Debug, Deserialize)]
#[expect(dead_code, reason = "deserialized as clu does, not all used")]
struct RsvpClaims {
    iss: String,
    aud: String,
    sub: String,
    iat: i64,
    exp: i64,
    typ: String,
}

fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[derive(Debug, Serialize)]
struct Entry {
    member_id: String,
    invitation_id: String,
    civility: Option<String>,
    first_name: String,
    last_name: String,
    response: String,
    mode: Option<String>,
    presence: String,
    responded_at: Option<DateTime<Utc>>,
    answered_via: Option<String>,
    response_note: Option<String>,
}

#[derive(Debug, Default, Serialize)]
struct Counts {
    pending: usize,
    accepted: usize,
    declined: usize,
    in_person: usize,
    remote: usize,
    unknown: usize,
    present: usize,
    excused: usize,
    absent: usize,
}

#[derive(Debug, Serialize)]
struct Attendance {
    items: Vec<Entry>,
    total: i64,
    counts: Counts,
}

type Row = (
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<NaiveDateTime>,
    Option<String>,
    Option<String>,
);

async fn attendance(
    state: web::Data<State>,
    req: HttpRequest,
    id: web::Path<String>,
) -> HttpResponse {
    let Ok(meeting_id) = uuid::Uuid::parse_str(&id) else {
        return HttpResponse::BadRequest().finish();
    };
    let claims = match bearer_token(&req)
        .map(|token| decode::<AccessClaims>(&state.keys, token, ACCESS_AUDIENCE, |c| c.exp))
    {
        Some(Ok(claims)) if claims.typ == ACCESS_TYPE => claims,
        _ => return HttpResponse::Unauthorized().finish(),
    };
    let read = web::block(move || read_attendance(&state, &claims, &meeting_id.to_string())).await;
    match read {
        Ok(Ok(body)) => HttpResponse::Ok().json(body),
        Ok(Err(Refusal(status))) => HttpResponse::build(status).finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

fn read_attendance(
    state: &State,
    claims: &AccessClaims,
    meeting_id: &str,
) -> Result<Attendance, Refusal> {
    let mut conn = state.pool.get()?;
    let conn = &mut *conn;
    // The account as it is now: revocation is immediate.
    let (_, _, role, structure_id) = users::table
        .find(&claims.sub)
        .select((
            users::active,
            users::token_version,
            users::role,
            users::structure_id,
        ))
        .first::<(bool, i32, String, Option<String>)>(conn)
        .optional()?
        .filter(|(active, version, _, _)| *active && *version == claims.ver)
        .ok_or(refused(StatusCode::UNAUTHORIZED))?;
    // Every role may read; a non-admin reads its own structure only.
    let own = match role.as_str() {
        "admin" => None,
        "secretariat" | "signatory" | "reader" => Some(structure_id.unwrap_or_default()),
        _ => return Err(refused(StatusCode::INTERNAL_SERVER_ERROR)),
    };
    let found: Option<String> = match own {
        None => meetings::table
            .find(meeting_id)
            .select(meetings::id)
            .first(conn)
            .optional()?,
        Some(own) => meetings::table
            .find(meeting_id)
            .filter(meetings::structure_id.eq(own))
            .select(meetings::id)
            .first(conn)
            .optional()?,
    };
    found.ok_or(refused(StatusCode::NOT_FOUND))?;
    let rows: Vec<Row> = invitations::table
        .inner_join(members::table)
        .filter(invitations::meeting_id.eq(meeting_id))
        .order((
            members::last_name.asc(),
            members::first_name.asc(),
            invitations::id.asc(),
        ))
        .select((
            members::id,
            invitations::id,
            members::civility,
            members::first_name,
            members::last_name,
            invitations::response,
            invitations::mode,
            invitations::presence,
            invitations::responded_at,
            invitations::answered_via,
            invitations::response_note,
        ))
        .load(conn)?;
    let mut counts = Counts::default();
    let mut items = Vec::with_capacity(rows.len());
    let bad = || refused(StatusCode::INTERNAL_SERVER_ERROR);
    for row in rows {
        let (member_id, invitation_id, civility, first_name, last_name, response) =
            (row.0, row.1, row.2, row.3, row.4, row.5);
        let (mode, presence, responded_at, answered_via, response_note) =
            (row.6, row.7, row.8, row.9, row.10);
        *match response.as_str() {
            "pending" => &mut counts.pending,
            "accepted" => &mut counts.accepted,
            "declined" => &mut counts.declined,
            _ => return Err(bad()),
        } += 1;
        match (response.as_str(), mode.as_deref()) {
            ("accepted", Some("in_person")) => counts.in_person += 1,
            ("accepted", Some("remote")) => counts.remote += 1,
            (_, None | Some("in_person" | "remote")) => {}
            _ => return Err(bad()),
        }
        *match presence.as_str() {
            "unknown" => &mut counts.unknown,
            "present" => &mut counts.present,
            "excused" => &mut counts.excused,
            "absent" => &mut counts.absent,
            _ => return Err(bad()),
        } += 1;
        items.push(Entry {
            member_id,
            invitation_id,
            civility,
            first_name,
            last_name,
            response,
            mode,
            presence,
            responded_at: responded_at.map(|t| t.and_utc()),
            answered_via,
            response_note,
        });
    }
    Ok(Attendance {
        total: items.len() as i64,
        items,
        counts,
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    response: String,
    #[serde(default)]
    mode: Option<String>,
}

#[derive(Debug, Serialize)]
struct Outcome {
    response: String,
    mode: Option<String>,
    responded_at: Option<DateTime<Utc>>,
    changed: bool,
    substitute_invited: bool,
}

async fn answer(
    state: web::Data<State>,
    token: web::Path<String>,
    body: web::Json<AnswerBody>,
) -> HttpResponse {
    let claims = match decode::<RsvpClaims>(&state.keys, &token, RSVP_AUDIENCE, |c| c.exp) {
        Ok(claims) if claims.typ == RSVP_TYPE => claims,
        // Expired: the meeting has started (410); anything else: 400.
        Err(Refusal(status)) if status == StatusCode::GONE => {
            return HttpResponse::Gone().finish();
        }
        _ => return HttpResponse::BadRequest().finish(),
    };
    let body = body.into_inner();
    let response = body.response.clone();
    if !matches!(response.as_str(), "accepted" | "declined")
        || !matches!(body.mode.as_deref(), None | Some("in_person" | "remote"))
    {
        return HttpResponse::UnprocessableEntity().finish();
    }
    let written = web::block(move || write_answer(&state, &claims.sub, &body)).await;
    match written {
        Ok(Ok(outcome)) => HttpResponse::Ok().json(outcome),
        Ok(Err(Refusal(status))) => HttpResponse::build(status).finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

/// Why an answer's transaction did not commit.
enum WriteError {
    Database(DieselError),
    /// Refused by the rules (withdrawn link, closed meeting, …).
    Refused(StatusCode),
}

impl From<DieselError> for WriteError {
    fn from(err: DieselError) -> Self {
        Self::Database(err)
    }
}

/// One write transaction, as clu opens them: `BEGIN IMMEDIATE` behind the
/// writers' mutex on SQLite, `SERIALIZABLE` on PostgreSQL, retried when it
/// collides with another; rolled back whatever refuses it.
fn write_answer(state: &State, invitation_id: &str, body: &AnswerBody) -> Result<Outcome, Refusal> {
    type Manager = <RefConn as Connection>::TransactionManager;
    let _turn = state
        .writers
        .as_ref()
        .map(|w| w.lock().unwrap_or_else(PoisonError::into_inner));
    let mut conn = state.pool.get()?;
    let conn = &mut *conn;
    let mut attempt = 1;
    loop {
        match conn {
            RefConn::Pg(inner) => AnsiTransactionManager::begin_transaction_sql(
                inner,
                "BEGIN ISOLATION LEVEL SERIALIZABLE",
            )?,
            RefConn::Sqlite(inner) => {
                AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?
            }
        }
        let outcome = record_answer(conn, invitation_id, body)
            .and_then(|outcome| Ok(Manager::commit_transaction(conn).map(|()| outcome)?));
        let err = match outcome {
            Ok(outcome) => return Ok(outcome),
            Err(err) => err,
        };
        let _ = Manager::rollback_transaction(conn);
        match err {
            WriteError::Database(DieselError::DatabaseError(
                DatabaseErrorKind::SerializationFailure,
                _,
            )) if attempt < WRITE_ATTEMPTS => {
                std::thread::sleep(retry_pause(attempt));
                attempt += 1;
            }
            WriteError::Database(_) => return Err(refused(StatusCode::INTERNAL_SERVER_ERROR)),
            WriteError::Refused(status) => return Err(refused(status)),
        }
    }
}

fn retry_pause(attempt: u32) -> Duration {
    let ceiling = 5u64 << attempt.min(10);
    let mut random = [0u8; 8];
    let drawn = match getrandom::fill(&mut random) {
        Ok(()) => u64::from_le_bytes(random) % ceiling,
        Err(_) => ceiling / 2,
    };
    Duration::from_millis(1 + drawn)
}

type Found = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    String,
    String,
    String,
    NaiveDateTime,
    String,
);

/// Inside the transaction: checks the link's invitation and meeting,
/// records the answer when it changes.
fn record_answer(
    conn: &mut RefConn,
    invitation_id: &str,
    body: &AnswerBody,
) -> Result<Outcome, WriteError> {
    let now = Utc::now();
    let found: Option<Found> = invitations::table
        .inner_join(meetings::table)
        .filter(invitations::id.eq(invitation_id))
        .select((
            invitations::structure_id,
            invitations::response,
            invitations::mode,
            invitations::response_note,
            invitations::responded_at,
            invitations::revoked_at,
            invitations::member_id,
            meetings::id,
            meetings::status,
            meetings::starts_at,
            meetings::mode,
        ))
        .first(conn)
        .optional()?;
    let Some((
        structure_id,
        response,
        mode,
        note,
        responded_at,
        revoked_at,
        member_id,
        meeting_id,
        status,
        starts_at,
        meeting_mode,
    )) = found
    else {
        return Err(WriteError::Refused(StatusCode::BAD_REQUEST));
    };
    if revoked_at.is_some() {
        return Err(WriteError::Refused(StatusCode::BAD_REQUEST));
    }
    if !matches!(status.as_str(), "draft" | "convened") || starts_at <= now.naive_utc() {
        return Err(WriteError::Refused(StatusCode::GONE));
    }
    let given_mode = match (body.response.as_str(), body.mode.as_deref()) {
        ("declined", _) => None,
        (_, Some(mode)) => Some(mode.to_owned()),
        (_, None) => match meeting_mode.as_str() {
            "in_person" => Some("in_person".to_owned()),
            "remote" => Some("remote".to_owned()),
            _ => return Err(WriteError::Refused(StatusCode::UNPROCESSABLE_ENTITY)),
        },
    };
    let changed = (body.response.as_str(), given_mode.as_deref(), None)
        != (response.as_str(), mode.as_deref(), note.as_deref());
    let mut outcome = Outcome {
        response: body.response.clone(),
        mode: given_mode,
        responded_at: responded_at.map(|t| t.and_utc()),
        changed,
        substitute_invited: false,
    };
    if !changed {
        return Ok(outcome);
    }
    let at = now.naive_utc();
    diesel::update(invitations::table.find(invitation_id))
        .set((
            invitations::response.eq(&outcome.response),
            invitations::mode.eq(&outcome.mode),
            invitations::response_note.eq(None::<String>),
            invitations::responded_at.eq(Some(at)),
            invitations::updated_at.eq(at),
            invitations::answered_via.eq(Some("link")),
        ))
        .execute(conn)?;
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(uuid::Uuid::new_v4().to_string()),
            audit_events::structure_id.eq(Some(&structure_id)),
            audit_events::actor_id.eq(None::<String>),
            audit_events::actor_email.eq(None::<String>),
            audit_events::action.eq("invitation.answer"),
            audit_events::entity.eq("invitation"),
            audit_events::entity_id.eq(invitation_id),
            audit_events::summary.eq(json!({
                "meeting_id": meeting_id,
                "response": outcome.response,
                "mode": outcome.mode,
                "via": "link",
            })
            .to_string()),
            audit_events::created_at.eq(at),
        ))
        .execute(conn)?;
    outcome.responded_at = Some(now);
    if outcome.response == "declined" && substitute_due(conn, &meeting_id, &member_id, now)? {
        // Inviting the substitute means an e-mail: not in the reference.
        return Err(WriteError::Refused(StatusCode::NOT_IMPLEMENTED));
    }
    Ok(outcome)
}

/// Whether the titular's current seat on the meeting's committee has a
/// current substitute with an e-mail, not yet invited: clu then invites
/// them. Two indexed reads instead of clu's read of every seat.
fn substitute_due(
    conn: &mut RefConn,
    meeting_id: &str,
    member_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DieselError> {
    let today: NaiveDate = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let current_since = memberships::since
        .is_null()
        .or(memberships::since.le(today));
    let current_until = memberships::until
        .is_null()
        .or(memberships::until.ge(today));
    let seats: Vec<String> = memberships::table
        .filter(
            memberships::committee_id.nullable().eq(meetings::table
                .find(meeting_id)
                .select(meetings::committee_id)
                .single_value()),
        )
        .filter(memberships::member_id.eq(member_id))
        .filter(current_since)
        .filter(current_until)
        .select(memberships::id)
        .load(conn)?;
    if seats.is_empty() {
        return Ok(false);
    }
    let substitutes: Vec<String> = memberships::table
        .inner_join(members::table)
        .filter(memberships::substitute_for.eq_any(&seats))
        .filter(
            memberships::since
                .is_null()
                .or(memberships::since.le(today)),
        )
        .filter(
            memberships::until
                .is_null()
                .or(memberships::until.ge(today)),
        )
        .filter(members::email.is_not_null())
        .filter(members::archived_at.is_null())
        .select(members::id)
        .load(conn)?;
    for substitute in substitutes {
        let invited: i64 = invitations::table
            .filter(invitations::meeting_id.eq(meeting_id))
            .filter(invitations::member_id.eq(&substitute))
            .count()
            .get_result(conn)?;
        if invited == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}
