//! Ready time: from spawning `clu serve` to its first 200 from `/healthz`,
//! polled every millisecond over plain TCP (no client start-up in the
//! figure).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::support::server::{JWT_SECRET, free_port};

const BINARY: &str = env!("CARGO_BIN_EXE_clu");

/// The status of `GET path` on `address` (host:port), or None when nothing
/// answers yet.
pub fn get_status(address: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(2)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    // "HTTP/1.1 200"
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// Starts `clu serve` over `database_url` with its data in `dir` (as the
/// bench's servers are configured), times it to its first 200 from
/// `/healthz`, then stops it.
pub fn time_to_ready(dir: &Path, database_url: &str) -> Result<Duration, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let address = format!("127.0.0.1:{port}");
    let log = std::fs::File::create(dir.join("ready.log")).map_err(|e| e.to_string())?;
    let mut command = Command::new(BINARY);
    command
        .arg("serve")
        .env("CLU_BIND", &address)
        .env("CLU_PUBLIC_URL", format!("http://{address}"))
        .env("CLU_DATABASE_URL", database_url)
        .env("CLU_DATA_DIR", dir)
        .env("CLU_MAIL_DIR", dir.join("outbox"))
        .env("CLU_SMTP_URL", "")
        .env("CLU_JWT_SECRET", JWT_SECRET)
        .env("CLU_TOKEN_TTL_SECONDS", "3600")
        .env("CLU_OUTBOX_POLL_MS", "200")
        .env("CLU_LOG", "warn")
        .env_remove("RUST_LOG")
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log);
    // SAFETY: prctl is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("clu serve: {e}"))?;
    let outcome = loop {
        if get_status(&address, "/healthz") == Some(200) {
            break Ok(started.elapsed());
        }
        if let Ok(Some(status)) = child.try_wait() {
            break Err(format!(
                "clu serve exited with {status} before it was ready; see {}",
                dir.join("ready.log").display()
            ));
        }
        if started.elapsed() > Duration::from_secs(60) {
            break Err("clu serve not ready within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    stop(&mut child)?;
    outcome
}

fn stop(child: &mut Child) -> Result<(), String> {
    let pid = i32::try_from(child.id()).map_err(|e| e.to_string())?;
    // SAFETY: a signal to our own child.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    Err("clu serve did not stop within 30 s".into())
}
