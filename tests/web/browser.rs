//! The real-browser suite, run by `cargo test`: starts the built `clu serve`
//! on a loopback port over a fresh SQLite file, with an administrator and a
//! real SMTP server (aiosmtpd, `scripts/smtp-sink`) and a real IMAP server
//! (dovecot, `scripts/imap-server`) for the mail that comes back, then
//! runs `scripts/browser-suite` (Playwright driving Debian's chromium; see
//! tests/web/browser/walk.py) and fails with its output if any check, or
//! any axe-core WCAG 2.1 A/AA violation, fails. Screenshots at 1280 and
//! 320 px go to `target/screenshots/`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::imap::ImapServer;

const ADMIN_EMAIL: &str = "admin@parcours.test";
const ADMIN_PASSWORD: &str = "administrateur du parcours 2031";

/// The server, stopped when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn clu(dir: &Path, port: u16, smtp: &str, imap: &ImapServer) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clu"));
    command
        .env(
            "CLU_DATABASE_URL",
            format!("sqlite://{}", dir.join("clu.db").display()),
        )
        .env("CLU_DATA_DIR", dir.join("data"))
        .env("CLU_MAIL_DIR", dir.join("outbox"))
        .env("CLU_BIND", format!("127.0.0.1:{port}"))
        .env("CLU_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("CLU_SMTP_URL", smtp)
        .env("CLU_LOG", "warn")
        .env_remove("CLU_CONFIG");
    for (key, value) in imap.settings() {
        let value = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        command.env(format!("CLU_{}", key.to_uppercase()), value);
    }
    command
}

fn healthy(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

#[test]
fn the_walk_in_chromium_passes_with_no_axe_violation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf);
    let axe = Path::new(env!("OUT_DIR")).join("test/axe.min.js");
    assert!(
        axe.is_file(),
        "{} missing: build.rs makes it",
        axe.display()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    // A real SMTP server: the walk reads the invitations it receives.
    let sink = crate::common::smtp::SmtpSink::start();
    let smtp = sink.url();
    // A real IMAP server: the mail that comes back is read from it.
    let imap = ImapServer::start();

    let migrated = clu(dir.path(), port, &smtp, &imap)
        .arg("migrate")
        .output()
        .expect("run clu migrate");
    assert!(migrated.status.success(), "clu migrate: {migrated:?}");
    let admin = clu(dir.path(), port, &smtp, &imap)
        .args(["create-admin", "--email", ADMIN_EMAIL])
        .env("CLU_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("run clu create-admin");
    assert!(admin.status.success(), "clu create-admin: {admin:?}");

    let _server = Server(
        clu(dir.path(), port, &smtp, &imap)
            .arg("serve")
            .stdout(Stdio::null())
            .spawn()
            .expect("start clu serve"),
    );
    let started = Instant::now();
    while !healthy(port) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "clu serve did not answer /healthz on port {port} within a minute"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let screenshots = target.join("screenshots");
    let output = Command::new(root.join("scripts/browser-suite"))
        .current_dir(root)
        .env("CLU_URL", format!("http://127.0.0.1:{port}"))
        .env("CLU_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("CLU_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("AXE_JS", &axe)
        .env("MAILDIR", sink.maildir_root())
        .env("IMAP_PORT", imap.port.to_string())
        .env("IMAP_USER", crate::common::imap::USER)
        .env("IMAP_PASSWORD", crate::common::imap::PASSWORD)
        .env(
            "REGISTRY_CSV",
            root.join("tests/fixtures/registre-haute-marne.csv"),
        )
        .env("SCREENSHOTS_DIR", &screenshots)
        .env("BROWSER_VENV", target.join("browser-venv"))
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/browser-suite");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the browser suite failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains(" passed, 0 failed")
            && stdout.contains("axe-core on tableau-de-bord@320: 0 violations"),
        "the browser suite did not report its checks:\n{stdout}"
    );
    for shot in [
        "connexion",
        "tableau-de-bord",
        "import-verification",
        "comite",
        "reunion",
        "invitations",
        "reponse",
        "presences",
        "presences-retours",
        "reunion-retours",
        "mon-compte",
    ] {
        for width in [1280, 320] {
            let file = screenshots.join(format!("{shot}-{width}.png"));
            assert!(file.is_file(), "{} was not saved", file.display());
        }
    }
}
