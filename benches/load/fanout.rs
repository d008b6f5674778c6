//! 1,000 invitations through a real SMTP server (aiosmtpd): the time from
//! the secretariat's click to the last message received.

use std::collections::HashSet;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::api::Api;
use crate::support::seed;
use crate::support::server::{Backend, Server, SmtpSink};

pub struct FanOutReport {
    pub invitations: usize,
    pub delivered: usize,
    pub distinct_recipients: usize,
    pub seconds: f64,
    pub peak_rss_kib: u64,
}

pub async fn run(dir: &Path, count: usize) -> Result<FanOutReport, String> {
    let sink = SmtpSink::start(dir)?;
    let url = Backend::Sqlite.fresh_url(dir)?;
    let server = Server::start(dir, &url, Some(&sink.url)).await?;
    let api = Api::new(&server.base);
    eprintln!("[fan-out] seeding {count} members in one committee");
    let staff = seed::staff(&api).await?;
    let token = &staff.secretariat;
    let members = seed::members(&api, token, count).await?;
    let committee = seed::committee(&api, token, "Assemblée des usagers", &members).await?;
    let meeting = seed::meeting(&api, token, &committee, &members[0], 30).await?;
    eprintln!("[fan-out] inviting");
    let started = Instant::now();
    let invitations = seed::invite(&api, token, &meeting.id).await?.len();
    let deadline = started + Duration::from_secs(120);
    while sink.received() < invitations && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    // Give a duplicate the time to show up before counting.
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
    let delivered = sink.received();
    let distinct_recipients = recipients(&sink.maildir.join("new"))?.len();
    let peak_rss_kib = server.peak_rss_kib();
    server.stop()?;
    Ok(FanOutReport {
        invitations,
        delivered,
        distinct_recipients,
        seconds,
        peak_rss_kib,
    })
}

/// The `To:` address of every message in the maildir.
fn recipients(dir: &Path) -> Result<HashSet<String>, String> {
    let mut seen = HashSet::new();
    for entry in fs::read_dir(dir).map_err(|e| e.to_string())? {
        let text = fs::read_to_string(entry.map_err(|e| e.to_string())?.path())
            .map_err(|e| e.to_string())?;
        if let Some(to) = text.lines().find_map(|l| l.strip_prefix("To: ")) {
            seen.insert(to.trim().to_owned());
        }
    }
    Ok(seen)
}
