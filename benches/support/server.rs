//! A `clu serve` process on a free loopback port, over its own SQLite file
//! or PostgreSQL schema, with its log in a file; its memory read from /proc.

use std::fs;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};

/// The signing key given to the server, so the bench can write answer links.
pub const JWT_SECRET: &str = "bench-only-signing-key-0123456789abcdef0123456789";
pub const ADMIN_EMAIL: &str = "admin@bench.test";
pub const PASSWORD: &str = "mot de passe du banc d'essai";
const BINARY: &str = env!("CARGO_BIN_EXE_clu");

/// The child gets SIGTERM if the bench dies, even killed: no server is
/// left behind.
fn dies_with_parent(command: &mut Command) -> &mut Command {
    // SAFETY: prctl is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        })
    }
}

pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Where a run's database lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }

    /// A fresh database: a new file in `dir`, or a new schema.
    pub fn fresh_url(self, dir: &Path) -> Result<String, String> {
        match self {
            Self::Sqlite => Ok(format!("sqlite://{}", dir.join("clu.db").display())),
            Self::Postgres => {
                let base = postgres_base_url()?;
                let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&base).map_err(|e| e.to_string())?;
                diesel::sql_query(format!("CREATE SCHEMA {schema}"))
                    .execute(&mut conn)
                    .map_err(|e| e.to_string())?;
                let separator = if base.contains('?') { '&' } else { '?' };
                Ok(format!("{base}{separator}options=-csearch_path%3D{schema}"))
            }
        }
    }
}

/// CLU_BENCH_POSTGRES_URL, else CLU_TEST_POSTGRES_URL, else a throwaway
/// PostgreSQL 15 cluster, started once, that stops when this process exits.
fn postgres_base_url() -> Result<String, String> {
    static THROWAWAY: OnceLock<Result<String, String>> = OnceLock::new();
    for name in ["CLU_BENCH_POSTGRES_URL", "CLU_TEST_POSTGRES_URL"] {
        if let Ok(url) = std::env::var(name)
            && !url.is_empty()
        {
            return Ok(url);
        }
    }
    THROWAWAY
        .get_or_init(|| {
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/throwaway-postgres");
            let output = Command::new(script)
                .arg(std::process::id().to_string())
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| format!("{script}: {e}"))?;
            if !output.status.success() {
                return Err("scripts/throwaway-postgres failed".into());
            }
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        })
        .clone()
}

pub struct Server {
    child: Option<Child>,
    pub base: String,
    pub log: PathBuf,
    pub mail_dir: PathBuf,
}

impl Server {
    /// Creates the administrator, then starts `clu serve` and waits until
    /// `/readyz` answers.
    pub async fn start(
        dir: &Path,
        database_url: &str,
        smtp_url: Option<&str>,
    ) -> Result<Self, String> {
        fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let mail_dir = dir.join("outbox");
        let env = [
            ("CLU_BIND", format!("127.0.0.1:{port}")),
            ("CLU_PUBLIC_URL", base.clone()),
            ("CLU_DATABASE_URL", database_url.to_owned()),
            ("CLU_DATA_DIR", dir.display().to_string()),
            ("CLU_MAIL_DIR", mail_dir.display().to_string()),
            ("CLU_SMTP_URL", smtp_url.unwrap_or_default().to_owned()),
            ("CLU_JWT_SECRET", JWT_SECRET.to_owned()),
            ("CLU_TOKEN_TTL_SECONDS", "3600".to_owned()),
            ("CLU_OUTBOX_POLL_MS", "200".to_owned()),
            ("CLU_LOG", "warn".to_owned()),
            ("CLU_ADMIN_PASSWORD", PASSWORD.to_owned()),
        ];
        let status = Command::new(BINARY)
            .args(["create-admin", "--email", ADMIN_EMAIL])
            .envs(env.iter().map(|(k, v)| (*k, v)))
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("clu create-admin: {e}"))?;
        if !status.success() {
            return Err("clu create-admin failed".into());
        }
        let log = dir.join("server.log");
        let log_file = fs::File::create(&log).map_err(|e| e.to_string())?;
        let child = dies_with_parent(&mut Command::new(BINARY))
            .arg("serve")
            .envs(env.iter().map(|(k, v)| (*k, v)))
            .env_remove("RUST_LOG")
            .env_remove("CLU_ADMIN_PASSWORD")
            .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("clu serve: {e}"))?;
        let server = Self {
            child: Some(child),
            base,
            log,
            mail_dir,
        };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&self) -> Result<(), String> {
        let client = awc::Client::default();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(response) = client.get(format!("{}/readyz", self.base)).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "clu serve did not become ready; see {}",
            self.log.display()
        ))
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    fn status_field(&self, field: &str) -> Option<u64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with(field))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }

    /// Resident memory now, in KiB.
    pub fn rss_kib(&self) -> u64 {
        self.status_field("VmRSS:").unwrap_or(0)
    }

    /// The most resident memory so far, in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_field("VmHWM:").unwrap_or(0)
    }

    /// Lines of the server's log that contain `needle`.
    pub fn log_lines_with(&self, needle: &str) -> usize {
        fs::read_to_string(&self.log)
            .map(|log| log.lines().filter(|l| l.contains(needle)).count())
            .unwrap_or(0)
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// SIGTERM, then waits for the graceful stop.
    pub fn stop(mut self) -> Result<(), String> {
        self.terminate()
    }

    fn terminate(&mut self) -> Result<(), String> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return if status.success() {
                    Ok(())
                } else {
                    Err(format!("clu serve stopped with {status}"))
                };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        Err("clu serve did not stop within 30 s".into())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An SMTP server (aiosmtpd, `scripts/smtp-sink`) storing into a maildir.
pub struct SmtpSink {
    child: Child,
    pub url: String,
    pub maildir: PathBuf,
}

impl SmtpSink {
    pub fn start(dir: &Path) -> Result<Self, String> {
        let port = free_port()?;
        let maildir = dir.join("maildir");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/smtp-sink");
        let child = dies_with_parent(&mut Command::new(script))
            .arg(port.to_string())
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{script}: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("the SMTP sink did not start".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Self {
            child,
            url: format!("smtp://127.0.0.1:{port}"),
            maildir,
        })
    }

    /// Messages received so far.
    pub fn received(&self) -> usize {
        fs::read_dir(self.maildir.join("new")).map_or(0, |d| d.count())
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Files in a folder (the server's .eml outbox).
pub fn files_in(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |d| d.count())
}
