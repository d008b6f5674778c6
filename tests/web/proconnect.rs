//! The ProConnect sign-in in a real browser (tests/web/browser/proconnect.py):
//! the built `clu serve` on a loopback port over a fresh SQLite file, its
//! provider a real local OpenID provider (`common::oidc`, oidc-provider run
//! by Node, keys generated for the run), then Playwright driving Debian's
//! chromium through `scripts/browser-suite`. Screenshots of the sign-in
//! page with the button at 1280 and 320 px go to `target/screenshots/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::oidc::{Account, OidcProvider};

const ADMIN_EMAIL: &str = "admin@parcours.test";
const ADMIN_PASSWORD: &str = "administrateur du parcours 2031";

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn clu(dir: &Path, port: u16, provider: &OidcProvider) -> Command {
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
        .env("CLU_LOG", "warn")
        .env_remove("CLU_CONFIG");
    for (key, value) in provider.settings() {
        let value = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        command.env(format!("CLU_{}", key.to_uppercase()), value);
    }
    command
}

fn healthy(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
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
fn signs_in_with_proconnect_and_out_at_both_ends_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf);
    let axe = Path::new(env!("OUT_DIR")).join("test/axe.min.js");
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let provider = OidcProvider::start(
        &format!("http://127.0.0.1:{port}"),
        &[
            Account::new("agent-secretariat", "secretariat@parcours.test"),
            Account::new("agent-inconnu", "inconnu@culture.gouv.fr"),
        ],
    );
    let migrated = clu(dir.path(), port, &provider)
        .arg("migrate")
        .output()
        .expect("run clu migrate");
    assert!(migrated.status.success(), "clu migrate: {migrated:?}");
    let admin = clu(dir.path(), port, &provider)
        .args(["create-admin", "--email", ADMIN_EMAIL])
        .env("CLU_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("run clu create-admin");
    assert!(admin.status.success(), "clu create-admin: {admin:?}");
    let _server = Server(
        clu(dir.path(), port, &provider)
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
        .env("BROWSER_WALK", "tests/web/browser/proconnect.py")
        .env("CLU_URL", format!("http://127.0.0.1:{port}"))
        .env("CLU_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("CLU_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("OIDC_ISSUER", &provider.issuer)
        .env("AXE_JS", &axe)
        .env("MAILDIR", dir.path().join("maildir"))
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
        output.status.success() && stdout.contains(" passed, 0 failed"),
        "the ProConnect walk failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    for shot in ["connexion-proconnect", "proconnect-compte-inconnu"] {
        for width in [1280, 320] {
            let file = screenshots.join(format!("{shot}-{width}.png"));
            assert!(file.is_file(), "{} was not saved", file.display());
        }
    }
}
