//! `clu backup` while the server serves and writes, then `clu restore` into
//! a fresh file: every write acknowledged before the backup started is in
//! the copy, the restored server starts, and the demo's signed compte-rendu
//! still verifies there.

use std::cell::RefCell;
use std::process::{Child, Command, Output, Stdio};
use std::rc::Rc;
use std::time::Duration;

use diesel::prelude::*;
use serde_json::{Value, json};

const CLU: &str = env!("CARGO_BIN_EXE_clu");

fn clu(dir: &std::path::Path, db: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(CLU);
    command.current_dir(dir).args(args);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("CLU_")) {
        command.env_remove(key);
    }
    command
        .env("CLU_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("CLU_DATA_DIR", dir);
    command
}

fn run(mut command: Command) -> Output {
    let output = command.output().expect("run clu");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn serve(dir: &std::path::Path, db: &std::path::Path) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let child = clu(dir, db, &["serve"])
        .env("CLU_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    (child, format!("http://127.0.0.1:{port}"))
}

async fn ready(base: &str) {
    for _ in 0..300 {
        let answer = awc::Client::default()
            .get(format!("{base}/readyz"))
            .send()
            .await;
        if answer.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{base} did not start");
}

async fn json(request: awc::ClientRequest, body: Option<Value>) -> (u16, Value) {
    let mut response = match body {
        Some(body) => request.send_json(&body).await,
        None => request.send().await,
    }
    .expect("answer");
    let body = response.body().await.expect("body");
    (
        response.status().as_u16(),
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait().expect("stopped");
}

#[actix_web::test]
async fn a_backup_taken_under_writes_restores_every_acknowledged_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("clu.db");
    let demo = String::from_utf8_lossy(&run(clu(dir.path(), &db, &["demo"])).stdout).into_owned();
    let signed = demo
        .split("/verify/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the demo's verification link")
        .to_owned();
    let (server, base) = serve(dir.path(), &db);
    ready(&base).await;
    let (status, login) = json(
        awc::Client::default().post(format!("{base}/api/v1/auth/login")),
        Some(json!({"email": clu::demo::SECRETARIAT_EMAIL, "password": clu::demo::PASSWORD})),
    )
    .await;
    assert_eq!(status, 200, "{login}");
    let token = login["access_token"].as_str().expect("token").to_owned();

    // A writer adds organizations one after the other, noting each one the
    // server acknowledged.
    let acknowledged = Rc::new(RefCell::new(Vec::<String>::new()));
    let writer = {
        let (acknowledged, base, token) = (Rc::clone(&acknowledged), base.clone(), token.clone());
        actix_web::rt::spawn(async move {
            for n in 0.. {
                let name = format!("Association n° {n}");
                let request = awc::Client::default()
                    .post(format!("{base}/api/v1/organizations"))
                    .insert_header(("Authorization", format!("Bearer {token}")));
                let (status, _) =
                    json(request, Some(json!({"name": name, "kind": "association"}))).await;
                if status == 201 {
                    acknowledged.borrow_mut().push(name);
                }
            }
        })
    };
    while acknowledged.borrow().len() < 30 {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    let before: Vec<String> = acknowledged.borrow().clone();
    let copy = dir.path().join("sauvegarde.db");
    let backup = clu(dir.path(), &db, &["backup", copy.to_str().expect("path")]);
    let output = actix_web::web::block(move || run(backup))
        .await
        .expect("backup");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("intégrité vérifiée"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let during = acknowledged.borrow().len();
    // The writes went on while the copy was made.
    while acknowledged.borrow().len() < during + 10 {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    writer.abort();
    stop(server);

    // A second backup to the same file is refused, nothing overwritten.
    let again = clu(dir.path(), &db, &["backup", copy.to_str().expect("path")])
        .output()
        .expect("run");
    assert!(!again.status.success());

    let restored = dir.path().join("restauree").join("clu.db");
    run(clu(
        dir.path(),
        &restored,
        &["restore", copy.to_str().expect("path")],
    ));
    let names: Vec<String> = {
        use clu::db::schema::organizations::dsl;
        let mut conn = SqliteConnection::establish(&restored.display().to_string()).expect("open");
        dsl::organizations
            .select(dsl::name)
            .load(&mut conn)
            .expect("names")
    };
    for name in &before {
        assert!(
            names.contains(name),
            "{name} was acknowledged before the backup"
        );
    }
    // Restoring over a database that has data is refused.
    let refused = clu(dir.path(), &db, &["restore", copy.to_str().expect("path")])
        .output()
        .expect("run");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("base vide"));

    let (server, base) = serve(dir.path(), &restored);
    ready(&base).await;
    let (status, verified) = json(
        awc::Client::default()
            .get(format!("{base}/verify/{signed}"))
            .insert_header(("Accept", "application/json")),
        None,
    )
    .await;
    stop(server);
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["found"], true, "{verified}");
    eprintln!(
        "backup: {} writes acknowledged before it, {} by its end, all restored",
        before.len(),
        during
    );
}
