//! A real IMAP server for the mailbox tests: Debian's dovecot, started by
//! `scripts/imap-server` on a loopback port of its own with a throwaway
//! configuration and mailbox. Messages are put in with IMAP APPEND, as a
//! mail server's delivery would; it can be stopped and started again on
//! the same port with the same mail.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const USER: &str = "clu-retours@prefecture.test";
pub const PASSWORD: &str = "mot de passe de la boite 2031";
/// The "traité" folder as IMAP spells it.
pub const DONE: &str = "Trait&AOk-";

pub struct ImapServer {
    pub port: u16,
    /// With TLS: the port that speaks it from the first byte (and `port`
    /// requires STARTTLS).
    pub tls_port: Option<u16>,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

type Session = async_imap::Session<tokio::net::TcpStream>;

impl ImapServer {
    pub fn start() -> Self {
        Self::started(None)
    }

    /// A server that speaks only TLS, with a certificate of its own
    /// authority (`ca_file`).
    pub fn start_tls() -> Self {
        Self::started(Some(free_port()))
    }

    fn started(tls_port: Option<u16>) -> Self {
        let mut server = Self {
            port: free_port(),
            tls_port,
            dir: tempfile::tempdir().expect("tempdir"),
            child: None,
        };
        server.resume();
        server
    }

    /// The authority of a TLS server's certificate.
    pub fn ca_file(&self) -> std::path::PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// The settings that make clu read this mailbox.
    pub fn settings(&self) -> Vec<(&'static str, Value)> {
        vec![
            (
                "imap_url",
                json!(format!("imap://127.0.0.1:{}?tls=none", self.port)),
            ),
            ("imap_user", json!(USER)),
            ("imap_password", json!(PASSWORD)),
            ("imap_poll_seconds", json!(5)),
        ]
    }

    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "already running");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/imap-server");
        let mut command = Command::new(script);
        command
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .arg(USER)
            .arg(PASSWORD);
        if let Some(port) = self.tls_port {
            command.arg(port.to_string());
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start scripts/imap-server");
        self.child = Some(child);
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the IMAP server did not start (is dovecot-imapd installed? see {})",
                self.dir.path().join("dovecot.log").display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (SIGTERM: dovecot ends its processes) and waits.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = i32::try_from(child.id()).expect("pid");
            // SAFETY: kill(2) on our own child's pid.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let _ = child.wait();
            let started = Instant::now();
            while TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && started.elapsed() < Duration::from_secs(10)
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    async fn session(&self) -> Session {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("connect to the IMAP server");
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.expect("greeting");
        client
            .login(USER, PASSWORD)
            .await
            .map_err(|(err, _)| err)
            .expect("login")
    }

    /// Delivers a message to the inbox (IMAP APPEND).
    pub async fn append(&self, raw: &[u8]) {
        let mut session = self.session().await;
        session
            .append("INBOX", None, None, raw)
            .await
            .expect("APPEND");
        session.logout().await.expect("logout");
    }

    /// How many messages a folder holds (0 when it does not exist yet).
    pub async fn count(&self, folder: &str) -> u32 {
        let mut session = self.session().await;
        let count = match session.examine(folder).await {
            Ok(mailbox) => mailbox.exists,
            Err(_) => 0,
        };
        session.logout().await.expect("logout");
        count
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        self.stop();
    }
}
