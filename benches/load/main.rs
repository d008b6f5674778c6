//! The load benchmark: `scripts/bench` (or `cargo bench --bench load`,
//! with wrk installed). Starts `clu serve` processes of its own and drives
//! them over loopback:
//!
//! 1. the HTTP load on SQLite and PostgreSQL (wrk): the healthz ceiling,
//!    a meeting, its roll call, and answers through 500 links, the roll
//!    call and the answers also against a minimal reference server on the
//!    same database (clu's throughput as a ratio of it), a conditional
//!    read, and the time `clu serve` takes to be ready;
//! 2. 1,000 invitations through a real SMTP server;
//! 3. 64 concurrent writers on SQLite, with the end state checked;
//! 4. a 20 MB annex uploaded: the server's memory growth, the round trip.
//!
//! `--short` runs each step for seconds (CI: correctness checked, figures
//! printed). Timing targets are reported, never asserted; a wrong result
//! (an error answer, a lost write, an answer not recorded) fails the run.

mod fanout;
mod http;
mod ready;
mod reference;
#[path = "../support/mod.rs"]
mod support;
mod upload;
mod writers;
mod wrk;

use std::fmt::Write as _;
use std::process::ExitCode;

use support::server::Backend;

fn main() -> ExitCode {
    let short = support::short_run();
    match actix_web::rt::System::new().block_on(run(short)) {
        Ok(failures) if failures.is_empty() => ExitCode::SUCCESS,
        Ok(failures) => {
            eprintln!("\nFAILED:");
            for failure in failures {
                eprintln!("  - {failure}");
            }
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("bench: {err}");
            ExitCode::FAILURE
        }
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

async fn run(short: bool) -> Result<Vec<String>, String> {
    let root = tempfile::Builder::new()
        .prefix("clu-bench-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let (seconds, writers_seconds, fan_out) = if short { (2, 5, 200) } else { (10, 60, 1000) };
    let backends: Vec<Backend> = match support::arg("backend").as_deref() {
        Some("sqlite") => vec![Backend::Sqlite],
        Some("postgres") => vec![Backend::Postgres],
        _ => vec![Backend::Sqlite, Backend::Postgres],
    };
    // `--only http|fan-out|writers` runs one part.
    let only = support::arg("only");
    let part = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let mut failures = Vec::new();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## HTTP load (wrk, 2 threads, 64 connections, {seconds} s per endpoint)\n"
    );
    for backend in backends.into_iter().filter(|_| part("http")) {
        let dir = root.path().join(backend.name());
        let r = http::run(backend, &dir, seconds).await?;
        http_part(backend, &r, &mut out, &mut failures);
    }

    if part("fan-out") {
        fan_out_part(
            &root.path().join("fan-out"),
            fan_out,
            &mut out,
            &mut failures,
        )
        .await?;
    }
    if part("writers") {
        writers_part(
            &root.path().join("writers"),
            writers_seconds,
            &mut out,
            &mut failures,
        )
        .await?;
    }
    if part("upload") {
        upload_part(&root.path().join("upload"), &mut out, &mut failures).await?;
    }
    println!("{out}");
    Ok(failures)
}

/// Targets of the hot paths (issue 18), against the reference server.
const ATTENDANCE_RATIO: f64 = 1.0;
const CONDITIONAL_RATIO: f64 = 3.0;
const ANSWERS_RATIO: f64 = 1.0;
const P99_MS: f64 = 25.0;
const IDLE_MIB: f64 = 30.0;
const READY_MS: f64 = 300.0;

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn http_part(backend: Backend, r: &http::HttpReport, out: &mut String, failures: &mut Vec<String>) {
    let name = backend.name();
    let ceiling = r.healthz.per_second;
    let _ = writeln!(out, "### {name}\n");
    let _ = writeln!(
        out,
        "| server | endpoint | requests/s | ratio to clu's ceiling | p50 | p99 | errors |"
    );
    let _ = writeln!(out, "| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    let conditional = match &r.conditional {
        http::Conditional::Measured(o) => Some(o),
        _ => None,
    };
    let rows = [
        ("clu", "GET /healthz (ceiling)", Some(&r.healthz)),
        ("clu", "GET /api/v1/meetings/{id}", Some(&r.meeting)),
        (
            "clu",
            "GET /api/v1/meetings/{id}/attendance (60 invited)",
            Some(&r.attendance),
        ),
        (
            "reference",
            "GET /api/v1/meetings/{id}/attendance (60 invited)",
            Some(&r.reference_attendance),
        ),
        (
            "clu",
            "GET /api/v1/meetings/{id}/attendance, If-None-Match (304)",
            conditional,
        ),
        (
            "clu",
            "POST /api/v1/rsvp/{token} (500 links)",
            Some(&r.answers),
        ),
        (
            "reference",
            "POST /api/v1/rsvp/{token} (500 links)",
            Some(&r.reference_answers),
        ),
    ];
    for (server, endpoint, outcome) in rows {
        let Some(o) = outcome else { continue };
        let _ = writeln!(
            out,
            "| {server} | {endpoint} | {:.0} | {:.1} % | {:.2} ms | {:.2} ms | {} |",
            o.per_second,
            100.0 * o.per_second / ceiling,
            o.p50_ms,
            o.p99_ms,
            o.socket_errors + o.bad_status
        );
        if o.socket_errors + o.bad_status > 0 {
            failures.push(format!(
                "{name} {server} {endpoint}: {} socket errors, {} error answers",
                o.socket_errors, o.bad_status
            ));
        }
    }
    let attendance_ratio = r.attendance.per_second / r.reference_attendance.per_second;
    let answers_ratio = r.answers.per_second / r.reference_answers.per_second;
    let peak = r
        .healthz
        .rss_kib
        .max(r.meeting.rss_kib)
        .max(r.attendance.rss_kib)
        .max(r.answers.rss_kib)
        .max(r.peak_rss_kib);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "- clu ÷ reference: attendance {:.2}× ({:.0} / {:.0} req/s; target ≥ {ATTENDANCE_RATIO:.1}×: {}), answers {:.2}× ({:.0} / {:.0} req/s; target ≥ {ANSWERS_RATIO:.1}×: {})",
        attendance_ratio,
        r.attendance.per_second,
        r.reference_attendance.per_second,
        verdict(attendance_ratio >= ATTENDANCE_RATIO),
        answers_ratio,
        r.answers.per_second,
        r.reference_answers.per_second,
        verdict(answers_ratio >= ANSWERS_RATIO)
    );
    match &r.conditional {
        http::Conditional::Measured(o) => {
            let ratio = o.per_second / r.reference_attendance.per_second;
            let _ = writeln!(
                out,
                "- conditional read (304) ÷ the reference's full read: {ratio:.2}× (target ≥ {CONDITIONAL_RATIO:.0}×: {})",
                verdict(ratio >= CONDITIONAL_RATIO)
            );
        }
        http::Conditional::NoEtag => {
            let _ = writeln!(
                out,
                "- conditional read: no ETag: NOT met (target ≥ {CONDITIONAL_RATIO:.0}× the reference's full read)"
            );
        }
        http::Conditional::Not304(status) => {
            let _ = writeln!(
                out,
                "- conditional read: an ETag, but If-None-Match with it answered {status}: NOT met"
            );
            failures.push(format!(
                "{name}: If-None-Match with the attendance's own ETag answered {status}, not 304"
            ));
        }
    }
    for (what, o) in [
        ("clu attendance", &r.attendance),
        ("clu answers", &r.answers),
    ] {
        let _ = writeln!(
            out,
            "- p99 of {what} at 64 connections: {:.2} ms (target < {P99_MS:.0} ms: {})",
            o.p99_ms,
            verdict(o.p99_ms < P99_MS)
        );
    }
    let _ = writeln!(
        out,
        "- answers: {} of 500 links recorded; {:.0} answers/s over {} answers, {} audit events for them (reference server: {} of 500 recorded, {} answers, {} audit events)",
        r.answers_recorded,
        r.answers.per_second,
        r.answers.requests,
        r.answer_events,
        r.reference_answers_recorded,
        r.reference_answers.requests,
        r.reference_answer_events
    );
    let _ = writeln!(
        out,
        "- server memory: {:.1} MiB idle (target < {IDLE_MIB:.0}: {}), {:.1} MiB at most under load (target < 100: {})",
        mib(r.idle_rss_kib),
        verdict(mib(r.idle_rss_kib) < IDLE_MIB),
        mib(peak),
        verdict(mib(peak) < 100.0)
    );
    let mut seeded: Vec<f64> = r.ready_seeded.iter().copied().map(ms).collect();
    seeded.sort_by(f64::total_cmp);
    let median = seeded.get(seeded.len() / 2).copied().unwrap_or(f64::NAN);
    let all: Vec<String> = seeded.iter().map(|t| format!("{t:.0}")).collect();
    let _ = writeln!(
        out,
        "- ready (spawn to the first 200 from /healthz): {median:.0} ms over the seeded database (median of {} ms; target < {READY_MS:.0} ms: {}), {:.0} ms over an empty one, migrations included ({})",
        all.join(", "),
        verdict(median < READY_MS),
        ms(r.ready_empty),
        verdict(ms(r.ready_empty) < READY_MS)
    );
    let _ = writeln!(
        out,
        "- the reference's attendance answer: same shape as clu's, {} byte for byte\n",
        if r.identical_attendance {
            "identical"
        } else {
            "not identical"
        }
    );
    for mismatch in &r.shape_mismatches {
        failures.push(format!("{name}: clu and the reference differ: {mismatch}"));
    }
    let checks = [
        ("clu", r.answers_recorded, &r.answers, r.answer_events),
        (
            "reference",
            r.reference_answers_recorded,
            &r.reference_answers,
            r.reference_answer_events,
        ),
    ];
    for (server, recorded, outcome, events) in checks {
        if recorded != http::LINKS {
            failures.push(format!(
                "{name} {server}: {recorded} of 500 answers recorded"
            ));
        }
        // wrk stops counting at its deadline, with requests still in flight.
        let counted = i64::try_from(outcome.requests).unwrap_or(i64::MAX);
        if events < counted || events > counted + 64 {
            let mismatch = format!("{name} {server}: {events} answer events for {counted} answers");
            if server == "clu" {
                failures.push(mismatch);
            } else {
                // The yardstick's own bookkeeping (a few answers in a run
                // of 30,000 were seen without their event once, under a
                // compile on the same cores): told, not clu's failure.
                eprintln!("warning: {mismatch}");
            }
        }
    }
}

async fn upload_part(
    dir: &std::path::Path,
    out: &mut String,
    failures: &mut Vec<String>,
) -> Result<(), String> {
    let u = upload::run(dir, 20).await?;
    let growth = mib(u.peak_rss_kib.saturating_sub(u.rss_before_kib));
    let _ = writeln!(out, "## A 20 MB annex uploaded (SQLite)\n");
    let _ = writeln!(
        out,
        "- {} bytes in {:.2} s, answered {}, downloaded byte for byte: {}; server memory {:.1} MiB before, {:.1} MiB at most (growth {:.1} MiB, target < 30: {})\n",
        u.bytes,
        u.seconds,
        u.status,
        u.round_trip,
        mib(u.rss_before_kib),
        mib(u.peak_rss_kib),
        growth,
        verdict(growth < 30.0)
    );
    if u.status != 201 || !u.round_trip {
        failures.push(format!(
            "upload: answered {}, round trip {}",
            u.status, u.round_trip
        ));
    }
    Ok(())
}

async fn fan_out_part(
    dir: &std::path::Path,
    fan_out: usize,
    out: &mut String,
    failures: &mut Vec<String>,
) -> Result<(), String> {
    let f = fanout::run(dir, fan_out).await?;
    let _ = writeln!(
        out,
        "## Invitation fan-out through SMTP (aiosmtpd on loopback)\n"
    );
    let _ = writeln!(
        out,
        "- {} invitations: {} messages received, {} distinct recipients, in {:.2} s ({:.0} messages/s; target 1,000 in < 10 s: {}); server memory at most {:.1} MiB\n",
        f.invitations,
        f.delivered,
        f.distinct_recipients,
        f.seconds,
        f.delivered as f64 / f.seconds,
        verdict(f.seconds < 10.0 * f.invitations as f64 / 1000.0),
        mib(f.peak_rss_kib)
    );
    if f.invitations != fan_out || f.delivered != fan_out || f.distinct_recipients != fan_out {
        failures.push(format!(
            "fan-out: {} invited, {} received, {} distinct",
            f.invitations, f.delivered, f.distinct_recipients
        ));
    }

    Ok(())
}

async fn writers_part(
    dir: &std::path::Path,
    writers_seconds: u64,
    out: &mut String,
    failures: &mut Vec<String>,
) -> Result<(), String> {
    let w = writers::run(dir, writers_seconds).await?;
    let _ = writeln!(
        out,
        "## {} concurrent writers on SQLite for {:.0} s\n",
        writers::WRITERS,
        w.seconds
    );
    let refused: u64 = w.refused.values().sum();
    let _ = writeln!(
        out,
        "- {} writes acknowledged ({:.0}/s), {} refused {:?}, {} transport errors, {} \"database is locked\" in the log\n- {} audit events for {} acknowledged writes; {} acknowledged writes missing at the end\n",
        w.acknowledged,
        w.acknowledged as f64 / w.seconds,
        refused,
        w.refused,
        w.transport_errors,
        w.locked_in_log,
        w.audit_events,
        w.acknowledged,
        w.lost.len()
    );
    if refused + w.transport_errors > 0 || w.locked_in_log > 0 {
        failures.push(format!(
            "writers: {refused} refused, {} transport errors, {} locked: {:?}",
            w.transport_errors, w.locked_in_log, w.first_errors
        ));
    }
    if i64::try_from(w.acknowledged).ok() != Some(w.audit_events) || !w.lost.is_empty() {
        failures.push(format!(
            "writers: {} audit events for {} writes; lost: {:?}",
            w.audit_events,
            w.acknowledged,
            w.lost.iter().take(5).collect::<Vec<_>>()
        ));
    }
    Ok(())
}
