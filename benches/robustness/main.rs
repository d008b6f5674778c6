//! The bad-input corpus: `scripts/robustness` (or `cargo bench --bench
//! robustness`). Starts `clu serve` on a fresh SQLite file, seeds one of
//! every record, then sends malformed requests to every operation of the
//! OpenAPI document — forged and expired tokens, ids that are not ids,
//! truncated and deeply nested JSON, wrong types, invalid UTF-8, overlong
//! strings, unknown enum values, 10 MB bodies, wrong content types, bad
//! query values — each on an otherwise valid request. Every answer must be
//! a 4xx (a problem+json one under /api), no connection may be dropped, the
//! server must stay up and its memory flat.
//!
//! `--requests N` (100,000 by default), `--short` (5,000, for CI).

mod corpus;
mod openapi;
#[path = "../support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use actix_web::http::Method;
use chrono::{Duration, Utc};
use clu::auth::token::TokenKeys;
use futures_util::StreamExt;
use serde_json::json;

use corpus::{Case, FAULTS, Valid};
use support::api::Api;
use support::seed;
use support::server::{Backend, JWT_SECRET, Server};

fn main() -> ExitCode {
    match actix_web::rt::System::new().block_on(run()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("robustness: {err}");
            ExitCode::FAILURE
        }
    }
}

/// What came back from one request.
enum Answer {
    Status { status: u16, problem_json: bool },
    Dropped(String),
}

async fn send(client: &awc::Client, base: &str, case: &Case) -> Answer {
    let Ok(method) = Method::from_bytes(case.method.as_bytes()) else {
        return Answer::Dropped(format!("bad method {}", case.method));
    };
    let mut request = client.request(method, format!("{base}{}", case.path));
    for (name, value) in &case.headers {
        request = request.insert_header((name.as_str(), value.as_str()));
    }
    match request.send_body(case.body.clone()).await {
        Ok(mut response) => {
            let problem_json = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/problem+json"));
            let status = response.status().as_u16();
            match response.body().limit(1024 * 1024).await {
                Ok(_) => Answer::Status {
                    status,
                    problem_json,
                },
                Err(err) => Answer::Dropped(format!("body: {err}")),
            }
        }
        Err(err) => Answer::Dropped(err.to_string()),
    }
}

/// Real ids for each path parameter, seeded through the API.
async fn seed_records(
    api: &Api,
) -> Result<(String, BTreeMap<&'static str, String>, String), String> {
    let staff = seed::staff(api).await?;
    let token = staff.secretariat.clone();
    let members = seed::members(api, &token, 3).await?;
    let committee = seed::committee(api, &token, "Comité local des usagers", &members).await?;
    let meeting = seed::meeting(api, &token, &committee, &members[0], 30).await?;
    let invitations = seed::invite(api, &token, &meeting.id).await?;
    let link = seed::answer_links(&invitations[..1], meeting.starts_at)?.remove(0);
    let me = api.get("/api/v1/auth/me", &token).await?;
    let member = api
        .get(&format!("/api/v1/members/{}", members[1]), &token)
        .await?;
    let memberships = api
        .get(
            &format!("/api/v1/committees/{committee}/memberships"),
            &token,
        )
        .await?;
    let action = api
        .create(
            &format!("/api/v1/committees/{committee}/actions"),
            &token,
            &json!({"finding": "Délais d'accueil"}),
        )
        .await?;
    let indicator = api
        .create(
            &format!("/api/v1/committees/{committee}/indicators"),
            &token,
            &json!({"name": "Taux de décroché", "unit": "percent", "direction": "higher_is_better"}),
        )
        .await?;
    let field = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let ids = BTreeMap::from([
        ("structures", staff.structure.clone()),
        ("users", field(&me, "id")),
        ("organizations", field(&member, "organization_id")),
        ("members", members[1].clone()),
        ("committees", committee),
        ("memberships", field(&memberships["items"][1], "id")),
        ("meetings", meeting.id.clone()),
        ("agenda-items", meeting.agenda[0].clone()),
        ("actions", action),
        ("indicators", indicator),
        ("member_id", members[1].clone()),
        ("rsvp", link),
        ("verify", "0".repeat(64)),
    ]);
    Ok((token, ids, meeting.id))
}

/// The template with real ids: `{id}` after `/meetings` is the meeting's…
fn fill(template: &str, ids: &BTreeMap<&'static str, String>) -> String {
    let mut previous = "";
    template
        .split('/')
        .map(|segment| {
            let filled = match segment {
                "{id}" => ids.get(previous).cloned().unwrap_or_default(),
                "{member_id}" => ids["member_id"].clone(),
                "{token}" => ids["rsvp"].clone(),
                "{sha256}" => ids["verify"].clone(),
                s => s.to_owned(),
            };
            previous = segment;
            filled
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

async fn run() -> Result<bool, String> {
    let total: usize = if support::short_run() {
        5_000
    } else {
        support::arg("requests")
            .and_then(|n| n.parse().ok())
            .unwrap_or(100_000)
    };
    let dir = tempfile::Builder::new()
        .prefix("clu-robustness-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let url = Backend::Sqlite.fresh_url(dir.path())?;
    let mut server = Server::start(dir.path(), &url, None).await?;
    let api = Api::new(&server.base);
    let (token, ids, _) = seed_records(&api).await?;
    let doc = api.get("/api/v1/openapi.json", &token).await?;
    let operations = openapi::operations(&doc);

    let keys = TokenKeys::from_secret(JWT_SECRET.as_bytes())?;
    let other = TokenKeys::from_secret(b"une autre cle de signature, inconnue du serveur")?;
    let claims_of = |t: &str| t.split('.').nth(1).unwrap_or_default().to_owned();
    let user = &ids["users"];
    let forged_other = other
        .issue_access(
            user,
            "secretariat",
            Some(&ids["structures"]),
            0,
            Utc::now(),
            900,
        )
        .map_err(|e| e.to_string())?;
    let expired = keys
        .issue_access(
            user,
            "secretariat",
            Some(&ids["structures"]),
            0,
            Utc::now() - Duration::hours(3),
            900,
        )
        .map_err(|e| e.to_string())?;
    let forged = [
        forged_other.clone(),
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", claims_of(&token)),
        expired,
        ids["rsvp"].clone(),
    ];
    let mut pairs = Vec::new();
    for op in &operations {
        let valid = Valid {
            token: &token,
            forged: &forged,
            path: fill(&op.template, &ids),
        };
        for fault in FAULTS {
            if corpus::applies(op, fault) {
                pairs.push((op, fault, valid.path.clone()));
            }
        }
        drop(valid);
    }
    eprintln!(
        "{} operations, {} (operation, fault) pairs, {total} requests, 32 at a time",
        operations.len(),
        pairs.len()
    );

    let client = awc::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .connector(awc::Connector::new().limit(64))
        .finish();
    let started = Instant::now();
    let rss_start = server.rss_kib();
    let mut rss_marks = Vec::new();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut wrong: BTreeMap<String, (u16, usize)> = BTreeMap::new();
    let mut not_problem: BTreeMap<String, usize> = BTreeMap::new();
    let mut dropped: Vec<String> = Vec::new();
    let base = server.base.clone();
    let mut answers = futures_util::stream::iter(0..total)
        .map(|n| {
            let (op, fault, path) = &pairs[n % pairs.len()];
            let valid = Valid {
                token: &token,
                forged: &forged,
                path: path.clone(),
            };
            let case = corpus::case(op, *fault, &valid, n / pairs.len() + n);
            let (client, base) = (&client, &base);
            async move {
                (
                    send(client, base, &case).await,
                    case.label,
                    case.path.starts_with("/api/"),
                )
            }
        })
        .buffer_unordered(32);
    let mut done = 0;
    while let Some((answer, label, api_route)) = answers.next().await {
        done += 1;
        match answer {
            Answer::Status {
                status,
                problem_json,
            } => {
                *statuses.entry(status).or_default() += 1;
                if !(400..500).contains(&status) {
                    wrong.entry(label).or_insert((status, 0)).1 += 1;
                } else if api_route && !problem_json {
                    *not_problem
                        .entry(format!("{label} → {status}"))
                        .or_default() += 1;
                }
            }
            Answer::Dropped(err) => dropped.push(format!("{label}: {err}")),
        }
        if done % (total / 10).max(1) == 0 {
            let rss = server.rss_kib();
            rss_marks.push(rss);
            eprintln!(
                "{done:>7} / {total} requests, {:.0} s, server memory {:.1} MiB",
                started.elapsed().as_secs_f64(),
                mib(rss)
            );
        }
    }
    drop(answers);
    let seconds = started.elapsed().as_secs_f64();
    let alive = server.alive() && api.get("/healthz", &token).await.is_ok();
    let panics = server.log_lines_with("panicked");
    let rss_end = server.rss_kib();
    let rss_early = rss_marks.first().copied().unwrap_or(rss_start);
    let growth = mib(rss_end.saturating_sub(rss_early));

    println!(
        "\n## Bad-input corpus ({done} requests in {seconds:.1} s, {:.0}/s)\n",
        done as f64 / seconds
    );
    println!(
        "- operations: {}; (operation, fault) pairs: {}",
        operations.len(),
        pairs.len()
    );
    println!("- answers by status: {statuses:?}");
    println!(
        "- answers outside 4xx: {}",
        wrong.values().map(|(_, n)| n).sum::<usize>()
    );
    println!(
        "- 4xx under /api without problem+json: {}",
        not_problem.values().sum::<usize>()
    );
    println!("- dropped connections: {}", dropped.len());
    println!(
        "- server memory: {:.1} MiB at start, {:.1} MiB after 10 %, {:.1} MiB at the end ({growth:+.1} MiB); still up: {alive}; panics in the log: {panics}",
        mib(rss_start),
        mib(rss_early),
        mib(rss_end)
    );
    for (label, (status, count)) in wrong.iter().take(30) {
        println!("  ! {label} → {status} ({count}×)");
    }
    for (label, count) in not_problem.iter().take(30) {
        println!("  ! not problem+json: {label} ({count}×)");
    }
    for drop in dropped.iter().take(10) {
        println!("  ! dropped: {drop}");
    }
    let ok = wrong.is_empty()
        && not_problem.is_empty()
        && dropped.is_empty()
        && alive
        && panics == 0
        && growth < 16.0;
    server.stop()?;
    Ok(ok)
}
