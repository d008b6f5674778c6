//! The `clu` binary as an operator uses it: migrate, create-admin, serve
//! on the embedded default, stop on SIGTERM.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const CLU: &str = env!("CARGO_BIN_EXE_clu");

fn clu(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(CLU);
    command.current_dir(dir).args(args);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("CLU_")) {
        command.env_remove(key);
    }
    command.envs(env.iter().copied()).output().expect("run clu")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn migrate_is_idempotent_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = clu(dir.path(), &["migrate"], &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("Migrations appliquées"),
        "{}",
        stdout(&first)
    );
    assert!(
        dir.path().join("data/clu.db").exists(),
        "the default database file and folder are created"
    );
    let second = clu(dir.path(), &["migrate"], &[]);
    assert!(second.status.success());
    assert!(
        stdout(&second).contains("aucune migration"),
        "{}",
        stdout(&second)
    );
}

#[test]
fn migrate_is_idempotent_on_postgres() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let base = crate::common::postgres_base_url();
    let schema = format!("cli_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::establish(&base).expect("connect");
    diesel::sql_query(format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .expect("schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-csearch_path%3D{schema}");
    let dir = tempfile::tempdir().expect("tempdir");
    let env = [("CLU_DATABASE_URL", url.as_str())];
    let first = clu(dir.path(), &["migrate"], &env);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("Migrations appliquées"));
    let second = clu(dir.path(), &["migrate"], &env);
    assert!(
        stdout(&second).contains("aucune migration"),
        "{}",
        stdout(&second)
    );
    diesel::sql_query(format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&mut conn)
        .expect("drop");
}

#[test]
fn unreachable_postgres_is_reported_as_such() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = clu(
        dir.path(),
        &["migrate"],
        &[("CLU_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")],
    );
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(
        message.contains("connexion à la base de données impossible"),
        "{message}"
    );
    assert!(!message.contains("multiconnection"), "{message}");
}

#[test]
fn short_jwt_secret_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = clu(dir.path(), &["migrate"], &[("CLU_JWT_SECRET", "short")]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("au moins 32 octets"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn create_admin_reads_the_password_from_stdin_or_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(CLU)
        .current_dir(dir.path())
        .args(["create-admin", "--email", "Admin@Prefecture.gouv.fr"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"un mot de passe solide\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("admin@prefecture.gouv.fr"));

    let again = clu(
        dir.path(),
        &["create-admin", "--email", "admin@prefecture.gouv.fr"],
        &[("CLU_ADMIN_PASSWORD", "un mot de passe solide")],
    );
    assert!(!again.status.success(), "the same e-mail twice is refused");
    let weak = clu(
        dir.path(),
        &["create-admin", "--email", "other@prefecture.gouv.fr"],
        &[("CLU_ADMIN_PASSWORD", "court")],
    );
    assert!(!weak.status.success());
    assert!(
        stderr(&weak).contains("entre 12 et 128"),
        "{}",
        stderr(&weak)
    );
}

fn http_get(port: u16, path: &str) -> Option<String> {
    http(port, "GET", path)
}

/// The raw answer to one request, read until the server closes.
fn http(port: u16, method: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn serve_runs_on_the_embedded_default_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let bind = format!("127.0.0.1:{port}");
    let metrics_port = TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let mut command = Command::new(CLU);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("CLU_")) {
        command.env_remove(key);
    }
    let child = command
        .current_dir(dir.path())
        .env("CLU_BIND", &bind)
        .env("CLU_METRICS_BIND", format!("127.0.0.1:{metrics_port}"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    let ready = loop {
        if let Some(response) = http_get(port, "/readyz") {
            break response;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    assert!(ready.contains("sqlite"));
    assert!(dir.path().join("data/clu.db").exists());
    assert!(dir.path().join("data/jwt-secret").exists());
    // On the wire, a HEAD gets the GET's headers, its length included,
    // and not one byte of body.
    let (get, head) = (
        http(port, "GET", "/connexion").expect("GET"),
        http(port, "HEAD", "/connexion").expect("HEAD"),
    );
    let (get_head, get_body) = get.split_once("\r\n\r\n").expect("GET headers");
    let (head_head, head_body) = head.split_once("\r\n\r\n").expect("HEAD headers");
    assert!(head_head.starts_with("HTTP/1.1 200"), "{head_head}");
    assert_eq!(head_body, "", "no body after the headers");
    let length = |headers: &str| {
        headers.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
    };
    assert_eq!(length(head_head), Some(get_body.len().to_string()));
    assert_eq!(length(get_head), length(head_head));
    // The metrics on their own address, without a token; not on the main one.
    let metrics = http(metrics_port, "GET", "/metrics").expect("metrics");
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(
        metrics.contains(
            r#"clu_http_requests_total{route="/connexion",method="HEAD",status="200"} 1"#
        ),
        "{metrics}"
    );
    let hidden = http(port, "GET", "/metrics").expect("main address");
    assert!(hidden.starts_with("HTTP/1.1 404"), "{hidden}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "graceful stop exits 0: {:?}",
        out.status
    );
    let log = stderr(&out);
    assert!(log.contains("clu stopped"), "{log}");
    let key = std::fs::read_to_string(dir.path().join("data/jwt-secret")).expect("key");
    assert!(!log.contains(key.trim()), "the signing key is never logged");

    // A second start on the same file finds the migrations applied.
    let again = clu(dir.path(), &["migrate"], &[]);
    assert!(
        stdout(&again).contains("aucune migration"),
        "{}",
        stdout(&again)
    );
}

/// An unexpected failure names its cause for the operator, not just
/// "erreur interne".
#[test]
fn create_admin_reports_the_cause_of_a_failure() {
    use diesel::{Connection, RunQueryDsl, SqliteConnection};
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(clu(dir.path(), &["migrate"], &[]).status.success());
    let mut conn = SqliteConnection::establish(&dir.path().join("data/clu.db").to_string_lossy())
        .expect("open");
    diesel::sql_query("DROP TABLE audit_events")
        .execute(&mut conn)
        .expect("drop");
    let output = clu(
        dir.path(),
        &["create-admin", "--email", "admin@prefecture.gouv.fr"],
        &[("CLU_ADMIN_PASSWORD", "un mot de passe assez long")],
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("no such table: audit_events"), "{message}");
    assert!(!message.contains("un mot de passe assez long"), "{message}");
}

/// `clu demo` tells a newcomer what to open in a browser, and with which
/// logins.
#[test]
fn demo_prints_the_address_to_open_and_its_logins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = clu(
        dir.path(),
        &["demo"],
        &[("CLU_PUBLIC_URL", "http://127.0.0.1:8099")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("ouvrez dans un navigateur : http://127.0.0.1:8099/\n"),
        "{text}"
    );
    for login in [
        clu::demo::SECRETARIAT_EMAIL,
        clu::demo::SIGNATORY_EMAIL,
        clu::demo::PASSWORD,
    ] {
        assert!(text.contains(login), "{login} missing from:\n{text}");
    }
}

/// The systemd unit of `deploy/` passes `systemd-analyze verify` (Debian's
/// systemd, installed by `.ci/run`), pointed at the built binary, and
/// keeps its sandboxing.
#[test]
fn the_systemd_unit_verifies_and_is_sandboxed() {
    let unit = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/clu.service"))
        .expect("deploy/clu.service");
    for setting in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "StateDirectory=clu",
        "NoNewPrivileges=yes",
    ] {
        assert!(
            unit.lines().any(|line| line == setting),
            "{setting} missing"
        );
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clu.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/clu", CLU)).expect("write unit");
    let output = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .expect("systemd-analyze (Debian's systemd; .ci/run installs it)");
    let complaints = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && complaints.trim().is_empty(),
        "{complaints}"
    );
}

/// The signing key, configured (PEM) or made locally, is in no line of a
/// debug log and no byte of the database; the demo's compte-rendu is
/// signed with it all the same.
#[test]
fn the_signing_key_reaches_no_log_and_no_database_row() {
    let pki = crate::common::pki::TestPki::new();
    let configured = tempfile::tempdir().expect("tempdir");
    let local = tempfile::tempdir().expect("tempdir");
    let (certificate, key) = (pki.signer_cert_pem(), pki.signer_key_pem());
    for (dir, env) in [
        (
            configured.path(),
            vec![
                (
                    "CLU_SIGNING_CERTIFICATE",
                    certificate.to_str().expect("path"),
                ),
                ("CLU_SIGNING_KEY", key.to_str().expect("path")),
                ("CLU_LOG", "debug"),
            ],
        ),
        (local.path(), vec![("CLU_LOG", "debug")]),
    ] {
        let output = clu(dir, &["demo"], &env);
        assert!(output.status.success(), "{}", stderr(&output));
        let log = format!("{}{}", stdout(&output), stderr(&output));
        assert!(log.contains("signing certificate loaded"), "{log}");
        let key_file = if dir == configured.path() {
            key.clone()
        } else {
            dir.join("data").join(clu::signature::keys::LOCAL_KEY_FILE)
        };
        let material: Vec<String> = std::fs::read_to_string(&key_file)
            .expect("the key")
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() >= 16)
            .map(str::to_owned)
            .collect();
        assert!(!material.is_empty());
        let bytes = std::fs::read(dir.join("data").join("clu.db")).expect("the database");
        use base64::Engine;
        let der = base64::engine::general_purpose::STANDARD
            .decode(material.concat())
            .expect("the key's DER");
        assert!(
            !bytes.windows(der.len()).any(|w| w == der.as_slice()),
            "the key's DER in the database"
        );
        let database = String::from_utf8_lossy(&bytes);
        assert!(database.contains("%PDF-"), "the signed PDF is stored");
        for line in &material {
            assert!(!log.contains(line.as_str()), "key material in the log");
            assert!(
                !database.contains(line.as_str()),
                "key material in the database"
            );
        }
    }
}
