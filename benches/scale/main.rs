//! The growth benchmark: `scripts/bench-scale` (or `cargo bench --bench
//! scale`). For each backend (SQLite, PostgreSQL) and each size (1×: one
//! préfecture of 200 members and 10 meetings; 10×; 100×: 100 structures,
//! 20,000 members, 1,000 meetings, 60,000 invitations, 1,000,000 audit
//! events) it seeds a fresh database through clu's domain layer
//! (`seed.rs`), starts a real `clu serve` on it, and times the reads a
//! secrétariat waits for, one request at a time (`measure.rs`).
//!
//! Target: for every endpoint, p99 at the largest size within 2× of p99 at
//! 1×. Timing targets are printed, never asserted; a wrong answer (not
//! 200, empty) fails the run.
//!
//!   --short                 1× and 10×, 30 requests each (CI)
//!   --backend sqlite|postgres
//!   --sizes 1,10,100        the sizes to run
//!   --requests N            timed requests per endpoint (1,000; 30 short)
//!   --keep                  keep the databases (to read their query plans)

mod measure;
mod seed;
#[path = "../support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use diesel::{Connection, PgConnection, RunQueryDsl};

use measure::{ENDPOINTS, REFERENCE, Timing};
use seed::{Counts, Size};
use support::server::{Backend, JWT_SECRET, Server};

fn main() -> ExitCode {
    match actix_web::rt::System::new().block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nFAILED: {err}");
            ExitCode::FAILURE
        }
    }
}

/// One size on one backend: its data set and its timings.
struct Run {
    backend: Backend,
    size: Size,
    counts: Counts,
    domain_seconds: f64,
    audit_seconds: f64,
    database_mib: f64,
    /// The machine's 1-minute load average before and after the timing.
    load: (f64, f64),
    timings: Vec<Timing>,
}

/// The 1-minute load average: how busy the shared machine was.
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn sizes(short: bool) -> Result<Vec<usize>, String> {
    match support::arg("sizes") {
        Some(list) => list
            .split(',')
            .map(|s| {
                s.trim()
                    .trim_end_matches(['x', '×'])
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| format!("--sizes: {s:?} is not a size"))
            })
            .collect(),
        None if short => Ok(vec![1, 10]),
        None => Ok(vec![1, 10, 100]),
    }
}

async fn run() -> Result<(), String> {
    let short = support::short_run();
    let requests = match support::arg("requests") {
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or("--requests: a positive number")?,
        None if short => 30,
        None => 1000,
    };
    let backends: Vec<Backend> = match support::arg("backend").as_deref() {
        Some("sqlite") => vec![Backend::Sqlite],
        Some("postgres") => vec![Backend::Postgres],
        None => vec![Backend::Sqlite, Backend::Postgres],
        Some(other) => return Err(format!("--backend {other}: sqlite or postgres")),
    };
    let mut sizes = sizes(short)?;
    sizes.sort_unstable();
    sizes.dedup();
    let root = tempfile::Builder::new()
        .prefix("clu-scale-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let keep = std::env::args().any(|a| a == "--keep");
    let started = Instant::now();
    let mut runs = Vec::new();
    let mut notes = Vec::new();
    for backend in backends {
        for &factor in &sizes {
            let size = Size { factor };
            let dir = root.path().join(format!("{}-{factor}", backend.name()));
            eprintln!("== {} {factor}×", backend.name());
            let (one, note) = run_one(backend, size, &dir, requests, keep).await?;
            if let Some(note) = note
                && !notes.contains(&note)
            {
                notes.push(note);
            }
            print_run(&one);
            runs.push(one);
            // The SQLite file of 100× is more than a GB: gone at once.
            if !keep {
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    }
    println!("{}", report(&runs, requests, &notes));
    if keep {
        eprintln!("(kept: {})", root.keep().display());
    }
    eprintln!("(whole run: {:.0} s)", started.elapsed().as_secs_f64());
    Ok(())
}

async fn run_one(
    backend: Backend,
    size: Size,
    dir: &Path,
    requests: usize,
    keep: bool,
) -> Result<(Run, Option<String>), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let url = backend.fresh_url(dir)?;
    let outcome = seed_and_measure(backend, size, dir, &url, requests).await;
    if backend == Backend::Postgres {
        if keep {
            eprintln!("    (kept: {url})");
        } else {
            drop_schema(&url)?;
        }
    }
    outcome
}

async fn seed_and_measure(
    backend: Backend,
    size: Size,
    dir: &Path,
    url: &str,
    requests: usize,
) -> Result<(Run, Option<String>), String> {
    let target = clu::config::parse_database_url(url).map_err(|e| e.to_string())?;
    let db = clu::db::Db::connect(&target, 2)?;
    {
        let mut conn = db.get().map_err(|e| e.to_string())?;
        clu::db::migrate::run_pending(&mut conn)?;
    }
    let keys = clu::auth::token::TokenKeys::from_secret(JWT_SECRET.as_bytes())?;
    let seeded = seed::seed(&db, size, keys)?;
    let database_mib = database_mib(&db, dir)?;
    drop(db);
    eprintln!(
        "    seeded: {} structures, {} members, {} meetings, {} invitations, {} actions, {} audit events ({} by the domain); {:.0} s + {:.0} s; {:.0} MiB",
        seeded.counts.structures,
        seeded.counts.members,
        seeded.counts.meetings,
        seeded.counts.invitations,
        seeded.counts.actions,
        seeded.counts.audit_events,
        seeded.counts.domain_audit_events,
        seeded.domain_seconds,
        seeded.audit_seconds,
        database_mib,
    );
    let server = Server::start(dir, url, None).await?;
    let load_before = load_average();
    let measured = measure::run(&server.base, &seeded.target, seed::PASSWORD, requests).await;
    let load = (load_before, load_average());
    let errors = server.log_lines_with("ERROR");
    server.stop()?;
    let (timings, note) = measured?;
    if errors > 0 {
        return Err(format!(
            "{} {}×: {errors} errors in the server's log",
            backend.name(),
            size.factor
        ));
    }
    Ok((
        Run {
            backend,
            size,
            counts: seeded.counts,
            domain_seconds: seeded.domain_seconds,
            audit_seconds: seeded.audit_seconds,
            database_mib,
            load,
            timings,
        },
        note,
    ))
}

/// The database's size on disk: the SQLite file (and its WAL), or the
/// PostgreSQL schema's tables with their indexes.
fn database_mib(db: &clu::db::Db, dir: &Path) -> Result<f64, String> {
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let bytes = match &mut *conn {
        clu::db::DbConn::Sqlite(_) => ["clu.db", "clu.db-wal"]
            .iter()
            .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
            .map(|m| m.len())
            .sum::<u64>(),
        clu::db::DbConn::Pg(pg) => {
            #[derive(diesel::QueryableByName)]
            struct Total {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                bytes: i64,
            }
            let total: Total = diesel::sql_query(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT AS bytes \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND c.relkind = 'r'",
            )
            .get_result(pg)
            .map_err(|e| e.to_string())?;
            total.bytes.max(0) as u64
        }
    };
    Ok(bytes as f64 / (1024.0 * 1024.0))
}

/// Drops the schema `fresh_url` made for the run (its name is in the URL's
/// search path), so that a PostgreSQL server given by CLU_BENCH_POSTGRES_URL
/// keeps nothing of it.
fn drop_schema(url: &str) -> Result<(), String> {
    let marker = "options=-csearch_path%3D";
    let Some(at) = url.find(marker) else {
        return Ok(());
    };
    let schema: String = url[at + marker.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
    diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&mut conn)
        .map_err(|e| format!("DROP SCHEMA {schema}: {e}"))?;
    Ok(())
}

fn print_run(run: &Run) {
    for (name, timing) in ENDPOINTS.iter().zip(&run.timings) {
        eprintln!(
            "    {name}: p50 {:.2} ms, p99 {:.2} ms",
            timing.p50_ms, timing.p99_ms
        );
    }
}

fn thousands(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn report(runs: &[Run], requests: usize, notes: &[String]) -> String {
    let mut out = String::new();
    let mut backends: Vec<Backend> = runs.iter().map(|r| r.backend).collect();
    backends.dedup();
    let mut factors: Vec<usize> = runs.iter().map(|r| r.size.factor).collect();
    factors.sort_unstable();
    factors.dedup();
    let _ = writeln!(out, "\n## Data sets\n");
    let _ = writeln!(
        out,
        "| backend | size | structures | members | meetings | invitations | actions | audit events (by the domain) | seeding: domain + audit top-up | database | load average while timed |"
    );
    let _ = writeln!(
        out,
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for r in runs {
        let c = &r.counts;
        let _ = writeln!(
            out,
            "| {} | {}× | {} | {} | {} | {} | {} | {} ({}) | {:.0} s + {:.0} s | {:.0} MiB | {:.1} → {:.1} |",
            r.backend.name(),
            r.size.factor,
            thousands(c.structures),
            thousands(c.members),
            thousands(c.meetings),
            thousands(c.invitations),
            thousands(c.actions),
            thousands(c.audit_events),
            thousands(c.domain_audit_events),
            r.domain_seconds,
            r.audit_seconds,
            r.database_mib,
            r.load.0,
            r.load.1
        );
    }
    let (Some(&smallest), Some(&largest)) = (factors.first(), factors.last()) else {
        return out;
    };
    let _ = writeln!(
        out,
        "\n## Growth: p50 / p99 in ms, one client, {requests} requests each after a warm-up\n"
    );
    let mut header = String::from("| endpoint | backend |");
    let mut rule = String::from("| --- | --- |");
    for f in &factors {
        let _ = write!(header, " {f}× p50 | {f}× p99 |");
        rule.push_str(" ---: | ---: |");
    }
    let _ = write!(
        header,
        " p99 {largest}× / {smallest}× | target ≤ 2× | p50 {largest}× / {smallest}× |"
    );
    rule.push_str(" ---: | --- | ---: |");
    let _ = writeln!(out, "{header}\n{rule}");
    for (e, name) in ENDPOINTS.iter().enumerate() {
        for backend in &backends {
            let timing = |f: usize| {
                runs.iter()
                    .find(|r| r.backend == *backend && r.size.factor == f)
                    .and_then(|r| r.timings.get(e).copied())
            };
            let mut line = format!("| {name} | {} |", backend.name());
            for f in &factors {
                match timing(*f) {
                    Some(t) => {
                        let _ = write!(line, " {:.2} | {:.2} |", t.p50_ms, t.p99_ms);
                    }
                    None => line.push_str(" – | – |"),
                }
            }
            match (timing(smallest), timing(largest)) {
                (Some(a), Some(b)) if largest > smallest && a.p99_ms > 0.0 && a.p50_ms > 0.0 => {
                    let ratio = b.p99_ms / a.p99_ms;
                    let verdict = if e == REFERENCE {
                        "(reference)"
                    } else if ratio <= 2.0 {
                        "met"
                    } else {
                        "NOT met"
                    };
                    let _ = write!(
                        line,
                        " {ratio:.2}× | {verdict} | {:.2}× |",
                        b.p50_ms / a.p50_ms
                    );
                }
                _ => line.push_str(" – | – | – |"),
            }
            let _ = writeln!(out, "{line}");
        }
    }
    for note in notes {
        let _ = writeln!(out, "\nNote: {note}.");
    }
    out
}
