//! The query plans of what a person waits for: every statement the hot
//! reads run (member search, a meeting's attendance, a committee's
//! meetings, the audit log by entity and by period, the overdue action
//! plan, the annual report, the dashboard) is recorded as the application
//! runs it, then explained by the database itself — SQLite's `EXPLAIN
//! QUERY PLAN`, PostgreSQL's `EXPLAIN` of the generic plan with sequential
//! scans discouraged — and none may read a whole table that grows with
//! the number of structures. Plans, not timings: the growth benchmark
//! (`scripts/bench-scale`) has the figures.

use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use serde_json::json;

use crate::common::fixtures;
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(backend: the_hot_reads_scan_no_growing_table);

/// Tables whose rows grow with the number of structures.
const GROWING: &[&str] = &[
    "structures",
    "users",
    "organizations",
    "members",
    "committees",
    "memberships",
    "meetings",
    "agenda_items",
    "invitations",
    "outbox",
    "actions",
    "action_meetings",
    "indicators",
    "indicator_values",
    "minutes",
    "documents",
    "audit_events",
    "annexes",
    "inbound_messages",
    "login_failures",
];

/// The statements run on connections to the recorded databases.
struct Recorder {
    recording: Option<String>,
}

/// Per database recorded (a marker of its URL), the statements it ran.
type Targets = Mutex<Vec<(String, Vec<String>)>>;

fn targets() -> &'static Targets {
    static TARGETS: OnceLock<Targets> = OnceLock::new();
    TARGETS.get_or_init(Mutex::default)
}

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartEstablishConnection { url, .. } => {
                let targets = targets().lock().expect("targets");
                self.recording = targets
                    .iter()
                    .find(|(wanted, _)| url.contains(wanted.as_str()))
                    .map(|(wanted, _)| wanted.clone());
            }
            InstrumentationEvent::StartQuery { query, .. } => {
                if let Some(wanted) = &self.recording {
                    let text = query.to_string();
                    let sql = text.split(" -- binds: ").next().unwrap_or(&text).to_owned();
                    let mut targets = targets().lock().expect("targets");
                    if let Some((_, statements)) = targets.iter_mut().find(|(w, _)| w == wanted) {
                        statements.push(sql);
                    }
                }
            }
            _ => {}
        }
    }
}

fn recorder() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(Recorder { recording: None }))
}

/// Records the statements of connections to `marker` (part of their URL),
/// from connections opened from now on.
fn record(marker: &str) {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        set_default_instrumentation(recorder).expect("instrumentation");
    });
    targets()
        .lock()
        .expect("targets")
        .push((marker.to_owned(), Vec::new()));
}

fn recorded(marker: &str) -> BTreeSet<String> {
    let mut targets = targets().lock().expect("targets");
    let at = targets
        .iter()
        .position(|(w, _)| w == marker)
        .expect("recorded");
    targets.remove(at).1.into_iter().collect()
}

#[derive(QueryableByName)]
struct SqlitePlanRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlanRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[diesel(column_name = "QUERY PLAN")]
    plan: String,
}

/// The plan's lines that read a whole growing table.
fn scans(backend: Backend, url: &str, sql: &str) -> Vec<String> {
    let plan = match backend {
        Backend::Sqlite => sqlite_plan(url, sql),
        Backend::Postgres => postgres_plan(url, sql),
    };
    let growing = |line: &str| {
        GROWING.iter().any(|table| {
            let line = line.trim();
            match backend {
                // `SCAN t`, `SCAN t USING [COVERING] INDEX i`: every row
                // (or index entry); `SEARCH t USING INDEX i (c=?)` is not.
                Backend::Sqlite => {
                    line == format!("SCAN {table}") || line.starts_with(&format!("SCAN {table} "))
                }
                Backend::Postgres => {
                    line.contains(&format!(" on {table} "))
                        || line.ends_with(&format!(" on {table}"))
                }
            }
        })
    };
    let mut found = Vec::new();
    for (at, line) in plan.iter().enumerate() {
        if !growing(line) {
            continue;
        }
        let whole = match backend {
            Backend::Sqlite => true,
            // A sequential scan reads every row; an index scan without an
            // index condition walks the whole index (the planner's way
            // round `enable_seqscan = off`).
            Backend::Postgres if line.contains("Seq Scan") => true,
            Backend::Postgres
                if line.contains("Index Scan") || line.contains("Index Only Scan") =>
            {
                !plan[at + 1..]
                    .iter()
                    .take_while(|next| !next.contains("->"))
                    .any(|next| next.contains("Index Cond"))
            }
            Backend::Postgres => false,
        };
        if whole {
            found.push(line.clone());
        }
    }
    found
}

fn sqlite_plan(path: &str, sql: &str) -> Vec<String> {
    let mut conn = SqliteConnection::establish(path).expect("sqlite");
    diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
        .load::<SqlitePlanRow>(&mut conn)
        .unwrap_or_else(|e| panic!("explain {sql}: {e}"))
        .into_iter()
        .map(|r| r.detail)
        .collect()
}

/// The generic plan (the one a prepared statement gets whatever its
/// parameters), with sequential scans priced out: what remains is a scan
/// no index could avoid.
fn postgres_plan(url: &str, sql: &str) -> Vec<String> {
    let mut conn = PgConnection::establish(url).expect("postgres");
    let parameters = (1..100)
        .take_while(|n| sql.contains(&format!("${n}")))
        .count();
    for setup in [
        "SET enable_seqscan = off",
        "SET plan_cache_mode = force_generic_plan",
        &format!("PREPARE planned AS {sql}"),
    ] {
        diesel::sql_query(setup)
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{setup}: {e}"));
    }
    let execute = if parameters == 0 {
        "EXPLAIN EXECUTE planned".to_owned()
    } else {
        format!(
            "EXPLAIN EXECUTE planned({})",
            vec!["NULL"; parameters].join(", ")
        )
    };
    diesel::sql_query(execute)
        .load::<PgPlanRow>(&mut conn)
        .unwrap_or_else(|e| panic!("explain {sql}: {e}"))
        .into_iter()
        .map(|r| r.plan)
        .collect()
}

async fn the_hot_reads_scan_no_growing_table(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let sec = fixture.secretariat.clone();
    let meeting = fixtures::meeting(&app, &fixture, 10).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &sec,
        json!({}),
    )
    .await
    .assert_status(202);
    app.create(
        &format!("/api/v1/committees/{}/actions", fixture.committee),
        &sec,
        json!({"finding": "Délai d'attente trop long", "responsible": "Service des titres", "due_date": "2020-01-31"}),
    )
    .await;

    // Everything these reads run, from a restart on: each connection of
    // the new pool is recorded.
    let url = app.state.settings.database_url.expose().to_owned();
    let marker = match backend {
        Backend::Sqlite => url.trim_start_matches("sqlite://").to_owned(),
        Backend::Postgres => url
            .split("search_path%3D")
            .nth(1)
            .expect("schema")
            .to_owned(),
    };
    record(&marker);
    let mut app = app;
    app.restart().await;
    let committee = &fixture.committee;
    for path in [
        "/api/v1/members?q=titulaire".to_owned(),
        "/api/v1/members?q=udaf".to_owned(),
        format!("/api/v1/meetings/{meeting}/attendance"),
        format!("/api/v1/committees/{committee}/meetings"),
        format!("/api/v1/audit?entity_id={meeting}"),
        "/api/v1/audit?since=2020-01-01T00:00:00Z&until=2030-01-01T00:00:00Z".to_owned(),
        format!("/api/v1/committees/{committee}/actions?overdue=true"),
        format!("/api/v1/committees/{committee}/report?year=2026"),
    ] {
        app.get(&path, &sec).await.assert_status(200);
    }
    let me = app.get("/api/v1/auth/me", &sec).await.json();
    let caller = clu::auth::Caller {
        user_id: me["id"].as_str().expect("id").to_owned(),
        email: me["email"].as_str().expect("email").to_owned(),
        display_name: "Secrétariat".into(),
        role: clu::auth::policy::Role::Secretariat,
        structure_id: Some(fixture.structure.clone()),
    };
    let now = app.state.clock.now();
    let overview = clu::web::calls::overview(&app.state, &caller, now, 5)
        .await
        .expect("the dashboard's overview");
    assert_eq!(overview.upcoming.len(), 1, "the dashboard sees the meeting");

    let statements = recorded(&marker);
    let reads: Vec<&String> = statements
        .iter()
        .filter(|s| s.trim_start().to_uppercase().starts_with("SELECT"))
        // An empty `IN ()` list: diesel writes `1=0`, which reads nothing
        // whatever the plan says.
        .filter(|s| !s.contains("WHERE (1=0)"))
        .collect();
    assert!(
        reads.len() >= 15,
        "{} statements recorded: {statements:#?}",
        reads.len()
    );
    // Each hot read was recorded, not only some of them (the backends
    // quote names differently: the marks leave quotes out).
    for (what, marks) in [
        ("the member search", &["members", "search_key", "LIKE"][..]),
        (
            "the attendance",
            &["FROM", "invitations", "INNER JOIN", "members"],
        ),
        (
            "the committee's meetings",
            &["FROM", "meetings", "committee_id", "ORDER BY"],
        ),
        (
            "the audit log by entity",
            &["FROM", "audit_events", "entity_id"],
        ),
        (
            "the audit log by period",
            &["FROM", "audit_events", "created_at", ">="],
        ),
        ("the overdue actions", &["FROM", "actions", "due_date", "<"]),
        ("the dashboard's meetings", &["FROM", "meetings", "ends_at"]),
    ] {
        let found = reads
            .iter()
            .any(|sql| marks.iter().all(|mark| sql.contains(mark)));
        assert!(found, "{what}: no statement recorded");
    }
    let explain_url = match backend {
        Backend::Sqlite => url.trim_start_matches("sqlite://").to_owned(),
        Backend::Postgres => url.clone(),
    };
    let mut scanning = Vec::new();
    for sql in reads {
        let lines = scans(backend, &explain_url, sql);
        if !lines.is_empty() {
            scanning.push(format!("{sql}\n    {}", lines.join("\n    ")));
        }
    }
    assert!(
        scanning.is_empty(),
        "{} statements read a whole growing table:\n{}",
        scanning.len(),
        scanning.join("\n\n")
    );
}
