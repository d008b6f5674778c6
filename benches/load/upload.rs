//! A 20 MB annex uploaded to a running `clu serve` (SQLite): what it costs
//! the server in resident memory, and that it round-trips byte for byte.
//! The file is hashed and chunked as it arrives and sits in memory once.

use std::time::{Duration, Instant};

use crate::support::api::Api;
use crate::support::seed;
use crate::support::server::{Backend, Server};

pub struct UploadReport {
    pub bytes: usize,
    pub status: u16,
    pub round_trip: bool,
    pub seconds: f64,
    pub rss_before_kib: u64,
    pub peak_rss_kib: u64,
}

/// A PDF of `size` bytes that no compression would shrink.
fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    while bytes.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

pub async fn run(dir: &std::path::Path, megabytes: usize) -> Result<UploadReport, String> {
    let url = Backend::Sqlite.fresh_url(dir)?;
    let server = Server::start(dir, &url, None).await?;
    let api = Api::new(&server.base);
    let staff = seed::staff(&api).await?;
    let token = &staff.secretariat;
    let members = seed::members(&api, token, 2).await?;
    let committee = seed::committee(&api, token, "Comité des annexes", &members).await?;
    let meeting = seed::meeting(&api, token, &committee, &members[0], 30).await?;
    let file = pdf(megabytes * 1024 * 1024);
    let boundary = "clu-bench-annexe";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bilan.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    // Settle, then measure from here: the high-water mark only grows.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let rss_before_kib = server.rss_kib();
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(120))
        .finish();
    let started = Instant::now();
    let mut response = client
        .post(format!(
            "{}/api/v1/meetings/{}/annexes",
            server.base, meeting.id
        ))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header((
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .send_body(body)
        .await
        .map_err(|e| format!("upload: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    let created: serde_json::Value = response
        .json()
        .limit(1024 * 1024)
        .await
        .map_err(|e| format!("upload answer: {e}"))?;
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    let mut download = client
        .get(format!("{}/api/v1/annexes/{id}/content", server.base))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .map_err(|e| format!("download: {e}"))?;
    let back = download
        .body()
        .limit(64 * 1024 * 1024)
        .await
        .map_err(|e| format!("download: {e}"))?;
    let peak_rss_kib = server.peak_rss_kib();
    server.stop()?;
    Ok(UploadReport {
        bytes: file.len(),
        status,
        round_trip: back.as_ref() == file.as_slice(),
        seconds,
        rss_before_kib,
        peak_rss_kib,
    })
}
