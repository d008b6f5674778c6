//! The HTTP load run on one backend: seeds one structure with 200 members,
//! a meeting with 60 invitations and 500 answer links, then measures the
//! healthz ceiling and each endpoint against it, the attendance read and
//! the answers against the minimal reference server (`reference.rs`) on
//! the same database, a conditional read, and the time `clu serve` takes
//! to be ready.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::reference::Reference;
use crate::support::api::Api;
use crate::support::seed;
use crate::support::server::{Backend, JWT_SECRET, Server, files_in};
use crate::wrk::{Load, Outcome};

pub struct HttpReport {
    pub idle_rss_kib: u64,
    pub healthz: Outcome,
    pub meeting: Outcome,
    pub attendance: Outcome,
    pub answers: Outcome,
    /// Links whose answer is recorded at the end (of 500).
    pub answers_recorded: usize,
    /// Answer events in the audit trail against the answers wrk counted.
    pub answer_events: i64,
    pub peak_rss_kib: u64,
    /// The reference server's attendance read and answers.
    pub reference_attendance: Outcome,
    pub reference_answers: Outcome,
    pub reference_answers_recorded: usize,
    pub reference_answer_events: i64,
    /// clu's attendance read with `If-None-Match`.
    pub conditional: Conditional,
    /// From spawning `clu serve` to its first 200 from `/healthz`: over
    /// the seeded database (each start), and over an empty one (migrations
    /// run first).
    pub ready_seeded: Vec<Duration>,
    pub ready_empty: Duration,
    /// Differences between clu's answers and the reference server's, in
    /// shape (a failed run).
    pub shape_mismatches: Vec<String>,
    /// Whether the two attendance bodies were identical, byte for byte.
    pub identical_attendance: bool,
}

/// What clu did with a conditional attendance read.
pub enum Conditional {
    /// No `ETag` on the attendance answer.
    NoEtag,
    /// An `ETag`, but `If-None-Match` with it answered this status.
    Not304(u16),
    /// 304s, measured.
    Measured(Outcome),
}

pub const LINKS: usize = 500;
/// The audit trail's answers, for their count.
const ANSWER_EVENTS: &str = "/api/v1/audit?entity=invitation&limit=1";

pub async fn run(backend: Backend, dir: &Path, seconds: u64) -> Result<HttpReport, String> {
    let url = backend.fresh_url(dir)?;
    let server = Server::start(dir, &url, None).await?;
    let api = Api::new(&server.base);
    eprintln!(
        "[{}] seeding: 1 structure, 200 members, 60 + 600 invitations",
        backend.name()
    );
    let staff = seed::staff(&api).await?;
    let token = &staff.secretariat;
    let members = seed::members(&api, token, 200).await?;
    let small = seed::committee(&api, token, "Comité local des usagers", &members[..60]).await?;
    let read = seed::meeting(&api, token, &small, &members[0], 30).await?;
    let read_invitations = seed::invite(&api, token, &read.id).await?;
    if read_invitations.len() != 60 {
        return Err(format!(
            "{} invitations instead of 60",
            read_invitations.len()
        ));
    }
    let large = seed::committee(&api, token, "Assemblée des usagers", &members).await?;
    let mut links = Vec::new();
    let mut link_invitations = Vec::new();
    let mut answer_meetings = Vec::new();
    for days in [40, 41, 42] {
        let meeting = seed::meeting(&api, token, &large, &members[0], days).await?;
        let invitations = seed::invite(&api, token, &meeting.id).await?;
        links.extend(seed::answer_links(&invitations, meeting.starts_at)?);
        link_invitations.extend(invitations);
        answer_meetings.push(meeting.id);
    }
    links.truncate(LINKS);
    link_invitations.truncate(LINKS);
    // The outbox writes the 660 invitations as .eml files: let it finish.
    let deadline = Instant::now() + Duration::from_secs(120);
    while files_in(&server.mail_dir) < 660 && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    let idle_rss_kib = server.rss_kib();
    if let Some(hold) = crate::support::arg("hold").and_then(|s| s.parse().ok()) {
        // For a look by hand: the server stays up, seeded, this long.
        eprintln!(
            "[{}] holding {hold} s: {} token {token} meeting {} pid {}",
            backend.name(),
            server.base,
            read.id,
            server.pid()
        );
        std::thread::sleep(Duration::from_secs(hold));
    }
    let reference = Reference::start(&url, JWT_SECRET)?;
    let attendance_path = format!("/api/v1/meetings/{}/attendance", read.id);
    let clu_body = api.get(&attendance_path, token).await?;
    let reference_api = Api::new(&reference.base);
    let reference_body = reference_api.get(&attendance_path, token).await?;
    let mut shape_mismatches = same_shape("attendance", &clu_body, &reference_body);
    let identical_attendance = clu_body == reference_body;
    let etag = etag_of(&server.base, &attendance_path, token).await?;

    let load = Load {
        base: &server.base,
        server: Some(&server),
        work_dir: dir,
        seconds,
        threads: 2,
        connections: 64,
    };
    let reference_load = Load {
        base: &reference.base,
        server: None,
        ..load
    };
    eprintln!("[{}] GET /healthz", backend.name());
    let healthz = load.get("/healthz", None)?;
    eprintln!("[{}] GET /api/v1/meetings/{{id}}", backend.name());
    let meeting = load.get(&format!("/api/v1/meetings/{}", read.id), Some(token))?;
    eprintln!(
        "[{}] GET /api/v1/meetings/{{id}}/attendance",
        backend.name()
    );
    let attendance = load.get(&attendance_path, Some(token))?;
    eprintln!(
        "[{}] reference: GET /api/v1/meetings/{{id}}/attendance",
        backend.name()
    );
    let reference_attendance = reference_load.get(&attendance_path, Some(token))?;
    let conditional = match etag {
        None => Conditional::NoEtag,
        Some(etag) => {
            let header = format!("If-None-Match: {etag}");
            let status = conditional_status(&server.base, &attendance_path, token, &etag).await?;
            if status == 304 {
                eprintln!(
                    "[{}] GET /api/v1/meetings/{{id}}/attendance, If-None-Match",
                    backend.name()
                );
                let outcome =
                    load.get_with(&attendance_path, Some(token), std::slice::from_ref(&header))?;
                // Still 304 after the run: the figure is of 304s.
                match conditional_status(&server.base, &attendance_path, token, &etag).await? {
                    304 => Conditional::Measured(outcome),
                    other => Conditional::Not304(other),
                }
            } else {
                Conditional::Not304(status)
            }
        }
    };

    // One answer through each server, for the shape, then every link back
    // to unanswered: each run of answers starts from the same state.
    let body = json!({"response": "accepted", "mode": "in_person"});
    let link = format!("/api/v1/rsvp/{}", links[0]);
    let reference_reply = reference_api
        .call(Method::POST, &link, None, Some(&body))
        .await?;
    let clu_reply = Api::new(&server.base)
        .call(Method::POST, &link, None, Some(&body))
        .await?;
    if (reference_reply.status, clu_reply.status) != (200, 200) {
        shape_mismatches.push(format!(
            "one answer: clu {} {}, reference {} {}",
            clu_reply.status, clu_reply.text, reference_reply.status, reference_reply.text
        ));
    }
    shape_mismatches.extend(same_shape("answer", &clu_reply.body, &reference_reply.body));

    reference.reset_answers(&link_invitations)?;
    let reference_events_before = reference.answer_events()?;
    eprintln!(
        "[{}] reference: POST /api/v1/rsvp/{{token}} over {LINKS} links",
        backend.name()
    );
    let reference_answers = reference_load.answers(&links)?;
    let reference_answers_recorded =
        usize::try_from(reference.answered(&link_invitations)?).unwrap_or(0);
    let reference_answer_events = reference.answer_events()? - reference_events_before;
    reference.reset_answers(&link_invitations)?;
    reference.stop().await?;

    // wrk ran while this thread waited: the client's pooled connections
    // went stale, so take a new client.
    let api = Api::new(&server.base);
    let events_before = api.total(ANSWER_EVENTS, token).await?;
    eprintln!(
        "[{}] POST /api/v1/rsvp/{{token}} over {LINKS} links",
        backend.name()
    );
    let answers = load.answers(&links)?;

    let api = Api::new(&server.base);
    let mut answers_recorded = 0;
    for meeting in &answer_meetings {
        let attendance = api
            .get(&format!("/api/v1/meetings/{meeting}/attendance"), token)
            .await?;
        answers_recorded += attendance["items"].as_array().map_or(0, |items| {
            items.iter().filter(|i| i["response"] != "pending").count()
        });
    }
    let answer_events = api.total(ANSWER_EVENTS, token).await? - events_before;
    let peak_rss_kib = server.peak_rss_kib();
    server.stop()?;

    eprintln!("[{}] ready time of clu serve", backend.name());
    let starts = if crate::support::short_run() { 1 } else { 3 };
    let mut ready_seeded = Vec::new();
    for _ in 0..starts {
        ready_seeded.push(crate::ready::time_to_ready(dir, &url)?);
    }
    let empty_dir = dir.join("empty");
    let ready_empty = crate::ready::time_to_ready(&empty_dir, &backend.fresh_url(&empty_dir)?)?;
    Ok(HttpReport {
        idle_rss_kib,
        healthz,
        meeting,
        attendance,
        answers,
        answers_recorded: answers_recorded.min(LINKS),
        answer_events,
        peak_rss_kib,
        reference_attendance,
        reference_answers,
        reference_answers_recorded,
        reference_answer_events,
        conditional,
        ready_seeded,
        ready_empty,
        shape_mismatches,
        identical_attendance,
    })
}

/// The keys of an object, of its objects, and of the first item of its
/// arrays, with the arrays' lengths: what must match between the two
/// servers' answers.
fn shape(value: &Value, at: &str, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                into.insert(format!("{at}.{key}"));
                shape(inner, &format!("{at}.{key}"), into);
            }
        }
        Value::Array(items) => {
            into.insert(format!("{at}[{}]", items.len()));
            if let Some(first) = items.first() {
                shape(first, &format!("{at}[0]"), into);
            }
        }
        _ => {}
    }
}

fn same_shape(what: &str, clu: &Value, reference: &Value) -> Vec<String> {
    let (mut a, mut b) = (BTreeSet::new(), BTreeSet::new());
    shape(clu, "", &mut a);
    shape(reference, "", &mut b);
    if a.is_empty() {
        return vec![format!("{what}: clu answered no JSON object")];
    }
    let only_clu: Vec<_> = a.difference(&b).collect();
    let only_reference: Vec<_> = b.difference(&a).collect();
    if only_clu.is_empty() && only_reference.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "{what}: only in clu's answer {only_clu:?}, only in the reference's {only_reference:?}"
        )]
    }
}

/// The `ETag` of clu's answer to a GET, if it sends one.
async fn etag_of(base: &str, path: &str, token: &str) -> Result<Option<String>, String> {
    let response = awc::Client::default()
        .get(format!("{base}{path}"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    if response.status() != 200 {
        return Err(format!("GET {path}: {}", response.status()));
    }
    Ok(response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned))
}

/// The status of a GET with `If-None-Match: etag`.
async fn conditional_status(
    base: &str,
    path: &str,
    token: &str,
    etag: &str,
) -> Result<u16, String> {
    let response = awc::Client::default()
        .get(format!("{base}{path}"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("If-None-Match", etag))
        .send()
        .await
        .map_err(|e| format!("GET {path} (If-None-Match): {e}"))?;
    Ok(response.status().as_u16())
}
