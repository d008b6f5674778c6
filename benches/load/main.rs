//! The load benchmark: `scripts/bench` (or `cargo bench --bench load`,
//! with wrk installed). Starts `clu serve` processes of its own and drives
//! them over loopback:
//!
//! 1. the HTTP load on SQLite and PostgreSQL (wrk): the healthz ceiling,
//!    a meeting, its roll call, and answers through 500 links;
//! 2. 1,000 invitations through a real SMTP server;
//! 3. 64 concurrent writers on SQLite, with the end state checked;
//! 4. a 20 MB annex uploaded: the server's memory growth, the round trip.
//!
//! `--short` runs each step for seconds (CI: correctness checked, figures
//! printed). Timing targets are reported, never asserted; a wrong result
//! (an error answer, a lost write, an answer not recorded) fails the run.

mod fanout;
mod http;
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
        let ceiling = r.healthz.per_second;
        let _ = writeln!(out, "### {}\n", backend.name());
        let _ = writeln!(
            out,
            "| endpoint | requests/s | ratio to ceiling | p50 | p99 | errors |"
        );
        let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: |");
        for (name, o) in [
            ("GET /healthz (ceiling)", &r.healthz),
            ("GET /api/v1/meetings/{id}", &r.meeting),
            (
                "GET /api/v1/meetings/{id}/attendance (60 invited)",
                &r.attendance,
            ),
            ("POST /api/v1/rsvp/{token} (500 links)", &r.answers),
        ] {
            let _ = writeln!(
                out,
                "| {name} | {:.0} | {:.0} % | {:.2} ms | {:.2} ms | {} |",
                o.per_second,
                100.0 * o.per_second / ceiling,
                o.p50_ms,
                o.p99_ms,
                o.socket_errors + o.bad_status
            );
            if o.socket_errors + o.bad_status > 0 {
                failures.push(format!(
                    "{} {name}: {} socket errors, {} error answers",
                    backend.name(),
                    o.socket_errors,
                    o.bad_status
                ));
            }
        }
        let attendance_ratio = r.attendance.per_second / ceiling;
        let target = if backend == Backend::Sqlite {
            0.50
        } else {
            0.35
        };
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
            "- attendance read: {:.0} % of the ceiling (target ≥ {:.0} %: {})",
            100.0 * attendance_ratio,
            100.0 * target,
            verdict(attendance_ratio >= target)
        );
        let _ = writeln!(
            out,
            "- answers: {} of 500 links recorded; {:.0} answers/s over {} answers, {} audit events for them (target all recorded at ≥ 2,000/s: {})",
            r.answers_recorded,
            r.answers.per_second,
            r.answers.requests,
            r.answer_events,
            verdict(r.answers_recorded == http::LINKS && r.answers.per_second >= 2000.0)
        );
        let _ = writeln!(
            out,
            "- server memory: {:.1} MiB idle (target < 30: {}), {:.1} MiB at most under load (target < 100: {})\n",
            mib(r.idle_rss_kib),
            verdict(mib(r.idle_rss_kib) < 30.0),
            mib(peak),
            verdict(mib(peak) < 100.0)
        );
        if r.answers_recorded != http::LINKS {
            failures.push(format!(
                "{}: {} of 500 answers recorded",
                backend.name(),
                r.answers_recorded
            ));
        }
        // wrk stops counting at its deadline, with requests still in flight.
        let counted = i64::try_from(r.answers.requests).unwrap_or(i64::MAX);
        if r.answer_events < counted || r.answer_events > counted + 64 {
            failures.push(format!(
                "{}: {} answer events for {} answers",
                backend.name(),
                r.answer_events,
                counted
            ));
        }
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
