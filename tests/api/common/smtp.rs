//! A real SMTP server for the e-mail tests: aiosmtpd on a loopback port of
//! its own, storing what it receives in a maildir the test reads. It can be
//! stopped and started again on the same port.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mail_parser::{Message, MessageParser, MimeHeaders};

pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// A received message, parsed.
pub struct Received {
    pub raw: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> Message<'_> {
        MessageParser::default()
            .parse(&self.raw)
            .expect("a MIME message")
    }

    pub fn to(&self) -> String {
        self.parsed()
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_owned()
    }

    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    pub fn html(&self) -> String {
        self.parsed()
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    /// The `.ics` attachment's text.
    pub fn ics(&self) -> Option<String> {
        let message = self.parsed();
        message
            .attachments()
            .find(|part| part.attachment_name().is_some_and(|n| n.ends_with(".ics")))
            .map(|part| String::from_utf8_lossy(part.contents()).into_owned())
    }

    /// The personal answer link found in the text part.
    pub fn rsvp_path(&self) -> Option<String> {
        let text = self.text();
        let start = text.find("/rsvp/")?;
        let path: String = text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != ')')
            .collect();
        Some(path)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

impl SmtpSink {
    /// A running server.
    pub fn start() -> Self {
        let mut sink = Self::stopped();
        sink.resume();
        sink
    }

    /// A port where nothing listens yet (start it with `resume`).
    pub fn stopped() -> Self {
        Self {
            port: free_port(),
            dir: tempfile::tempdir().expect("tempdir"),
            child: None,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "already running");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/smtp-sink");
        let child = Command::new(script)
            .arg(self.port.to_string())
            .arg(self.dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start scripts/smtp-sink");
        self.child = Some(child);
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the SMTP sink did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The maildir the server writes (its messages are in `new/`).
    pub fn maildir_root(&self) -> PathBuf {
        self.dir.path().join("maildir")
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("maildir").join("new")
    }

    /// Every message received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        let Ok(entries) = std::fs::read_dir(self.maildir()) else {
            return Vec::new();
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(Result::ok)
            .map(|e| {
                (
                    e.metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or(std::time::UNIX_EPOCH),
                    e.path(),
                )
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, path)| Received {
                raw: std::fs::read(path).expect("read message"),
            })
            .collect()
    }

    /// Waits until at least `count` messages arrived, and returns them all.
    pub fn wait_for(&self, count: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{} of {count} messages arrived",
                received.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}
