//! The HTTP load run on one backend: seeds one structure with 200 members,
//! a meeting with 60 invitations and 500 answer links, then measures the
//! healthz ceiling and each endpoint against it.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::api::Api;
use crate::support::seed;
use crate::support::server::{Backend, Server, files_in};
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
    let mut answer_meetings = Vec::new();
    for days in [40, 41, 42] {
        let meeting = seed::meeting(&api, token, &large, &members[0], days).await?;
        let invitations = seed::invite(&api, token, &meeting.id).await?;
        links.extend(seed::answer_links(&invitations, meeting.starts_at)?);
        answer_meetings.push(meeting.id);
    }
    links.truncate(LINKS);
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
    let events_before = api.total(ANSWER_EVENTS, token).await?;

    let load = Load {
        server: &server,
        work_dir: dir,
        seconds,
        threads: 2,
        connections: 64,
    };
    eprintln!("[{}] GET /healthz", backend.name());
    let healthz = load.get("/healthz", None)?;
    eprintln!("[{}] GET /api/v1/meetings/{{id}}", backend.name());
    let meeting = load.get(&format!("/api/v1/meetings/{}", read.id), Some(token))?;
    eprintln!(
        "[{}] GET /api/v1/meetings/{{id}}/attendance",
        backend.name()
    );
    let attendance = load.get(
        &format!("/api/v1/meetings/{}/attendance", read.id),
        Some(token),
    )?;
    eprintln!(
        "[{}] POST /api/v1/rsvp/{{token}} over {LINKS} links",
        backend.name()
    );
    let answers = load.answers(&links)?;

    // wrk ran while this thread waited: the client's pooled connections
    // went stale, so take a new client.
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
    Ok(HttpReport {
        idle_rss_kib,
        healthz,
        meeting,
        attendance,
        answers,
        answers_recorded: answers_recorded.min(LINKS),
        answer_events,
        peak_rss_kib,
    })
}
