//! 64 clients writing at once on SQLite: answers by link, minutes saves and
//! action updates, each client on its own records, so that the end state is
//! known: every acknowledged write must be there, and must have left exactly
//! one audit event.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use serde_json::json;

use crate::support::api::Api;
use crate::support::seed;
use crate::support::server::{Backend, Server};

pub const WRITERS: usize = 64;
/// The whole audit trail, for its count.
const AUDIT_EVENTS: &str = "/api/v1/audit?limit=1";

#[derive(Default)]
pub struct WritersReport {
    pub seconds: f64,
    pub acknowledged: u64,
    pub refused: HashMap<u16, u64>,
    pub transport_errors: u64,
    pub first_errors: Vec<String>,
    pub audit_events: i64,
    pub lost: Vec<String>,
    pub locked_in_log: usize,
}

/// What one writer owns.
#[derive(Clone)]
struct Writer {
    link: String,
    meeting: String,
    agenda_item: String,
    action: String,
}

#[derive(Default)]
struct Tally {
    acknowledged: u64,
    refused: HashMap<u16, u64>,
    transport_errors: u64,
    first_errors: Vec<String>,
    last_answer: Option<&'static str>,
    last_opening: Option<String>,
    last_finding: Option<String>,
}

pub async fn run(dir: &Path, seconds: u64) -> Result<WritersReport, String> {
    let url = Backend::Sqlite.fresh_url(dir)?;
    let server = Server::start(dir, &url, None).await?;
    let api = Rc::new(Api::new(&server.base));
    eprintln!("[writers] seeding {WRITERS} answer links, held meetings and actions");
    let staff = seed::staff(&api).await?;
    let token = staff.secretariat.clone();
    let members = seed::members(&api, &token, WRITERS).await?;
    let everyone = seed::committee(&api, &token, "Comité local des usagers", &members).await?;
    let future = seed::meeting(&api, &token, &everyone, &members[0], 30).await?;
    let invitations = seed::invite(&api, &token, &future.id).await?;
    let links = seed::answer_links(&invitations, future.starts_at)?;
    let bureau = seed::committee(&api, &token, "Bureau", &members[..1]).await?;
    let mut writers = Vec::new();
    for (n, link) in links.into_iter().enumerate() {
        let meeting = seed::meeting(&api, &token, &bureau, &members[0], 10).await?;
        seed::invite(&api, &token, &meeting.id).await?;
        api.expect(
            Method::POST,
            &format!("/api/v1/meetings/{}/hold", meeting.id),
            &token,
            Some(&json!({})),
            200,
        )
        .await?;
        let action = api
            .create(
                &format!("/api/v1/committees/{everyone}/actions"),
                &token,
                &json!({"finding": format!("Constat initial n° {n}")}),
            )
            .await?;
        writers.push(Writer {
            link,
            meeting: meeting.id,
            agenda_item: meeting.agenda[0].clone(),
            action,
        });
    }
    let audit_before = api.total(AUDIT_EVENTS, &token).await?;

    eprintln!("[writers] {WRITERS} writers for {seconds} s");
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (n, writer) in writers.iter().enumerate() {
        let api = Rc::clone(&api);
        let token = token.clone();
        let writer = writer.clone();
        tasks.push(actix_web::rt::spawn(async move {
            write_until(&api, &token, n, &writer, deadline).await
        }));
    }
    let mut tallies = Vec::new();
    for task in tasks {
        tallies.push(task.await.map_err(|e| e.to_string())?);
    }
    let elapsed = started.elapsed().as_secs_f64();

    let mut report = WritersReport {
        seconds: elapsed,
        ..WritersReport::default()
    };
    let answers: HashMap<String, String> = api
        .get(
            &format!("/api/v1/meetings/{}/attendance", future.id),
            &token,
        )
        .await?["items"]
        .as_array()
        .ok_or("attendance without items")?
        .iter()
        .map(|i| {
            (
                i["invitation_id"].as_str().unwrap_or_default().to_owned(),
                i["response"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for ((writer, tally), invitation) in writers.iter().zip(&tallies).zip(&invitations) {
        report.acknowledged += tally.acknowledged;
        report.transport_errors += tally.transport_errors;
        for (status, count) in &tally.refused {
            *report.refused.entry(*status).or_default() += count;
        }
        report
            .first_errors
            .extend(tally.first_errors.iter().take(3).cloned());
        if let Some(answer) = tally.last_answer
            && answers.get(invitation).map(String::as_str) != Some(answer)
        {
            report.lost.push(format!(
                "answer of {invitation}: {answer} acknowledged, {:?} stored",
                answers.get(invitation)
            ));
        }
        if let Some(opening) = &tally.last_opening {
            let minutes = api
                .get(
                    &format!("/api/v1/meetings/{}/minutes", writer.meeting),
                    &token,
                )
                .await?;
            if minutes["opening"].as_str() != Some(opening) {
                report.lost.push(format!(
                    "minutes of {}: {opening:?} acknowledged, {} stored",
                    writer.meeting, minutes["opening"]
                ));
            }
        }
        if let Some(finding) = &tally.last_finding {
            let action = api
                .get(&format!("/api/v1/actions/{}", writer.action), &token)
                .await?;
            if action["finding"].as_str() != Some(finding) {
                report.lost.push(format!(
                    "action {}: {finding:?} acknowledged, {} stored",
                    writer.action, action["finding"]
                ));
            }
        }
    }
    report.audit_events = api.total(AUDIT_EVENTS, &token).await? - audit_before;
    report.locked_in_log = server.log_lines_with("database is locked");
    server.stop()?;
    Ok(report)
}

/// Writes in turn an answer, the minutes and the action until `deadline`,
/// each write a real change.
async fn write_until(
    api: &Api,
    token: &str,
    n: usize,
    writer: &Writer,
    deadline: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut step = 0_u64;
    while Instant::now() < deadline {
        let (answer, opening, finding) = (
            if (step / 3).is_multiple_of(2) {
                "accepted"
            } else {
                "declined"
            },
            format!("Rédaction n° {step} de l'écrivain {n}."),
            format!("Constat n° {step} de l'écrivain {n}"),
        );
        let sent = match step % 3 {
            0 => {
                api.call(
                    Method::POST,
                    &format!("/api/v1/rsvp/{}", writer.link),
                    None,
                    Some(&json!({"response": answer, "mode": "in_person"})),
                )
                .await
            }
            1 => {
                let body = json!({"opening": opening, "items": [{"agenda_item_id": writer.agenda_item, "body": "Le bilan est présenté."}]});
                api.call(
                    Method::PUT,
                    &format!("/api/v1/meetings/{}/minutes", writer.meeting),
                    Some(token),
                    Some(&body),
                )
                .await
            }
            _ => {
                api.call(
                    Method::PATCH,
                    &format!("/api/v1/actions/{}", writer.action),
                    Some(token),
                    Some(&json!({"finding": finding})),
                )
                .await
            }
        };
        match sent {
            Ok(reply) if reply.status == 200 => {
                tally.acknowledged += 1;
                match step % 3 {
                    0 => tally.last_answer = Some(answer),
                    1 => tally.last_opening = Some(opening),
                    _ => tally.last_finding = Some(finding),
                }
            }
            Ok(reply) => {
                *tally.refused.entry(reply.status).or_default() += 1;
                if tally.first_errors.len() < 3 {
                    tally.first_errors.push(format!(
                        "{}: {}",
                        reply.status,
                        reply.text.chars().take(300).collect::<String>()
                    ));
                }
            }
            Err(err) => {
                tally.transport_errors += 1;
                if tally.first_errors.len() < 3 {
                    tally.first_errors.push(err);
                }
            }
        }
        step += 1;
    }
    tally
}
