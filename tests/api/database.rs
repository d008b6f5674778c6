//! The database layer: SQLite connection settings, write transactions that
//! do not deadlock under concurrency, and rollback on failure.

use clu::db::DbConn;
use clu::error::AppError;
use clu::store;
use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};

use crate::common::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    concurrent_read_then_write_transactions_all_commit,
    failed_writes_leave_nothing_behind,
    concurrent_writes_each_get_their_own_outcome,
    actions_written_before_the_filter_keys_are_migrated,
);

/// Actions written before `action_filters` (discussions as a JSON list,
/// no folded key) come out of the migration with both.
async fn actions_written_before_the_filter_keys_are_migrated(app: TestApp) {
    let fixture = crate::common::fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let meeting = crate::common::fixtures::meeting(&app, &fixture, 10).await;
    let action = app
        .create(
            &format!("/api/v1/committees/{}/actions", fixture.committee),
            sec,
            serde_json::json!({"finding": "Accueil", "responsible": "Bureau de l'ÉTAT", "discussed_in": [meeting]}),
        )
        .await;
    let reverted = {
        let mut conn = app.state.db.get().expect("conn");
        // Back to before `action_filters`, the later migrations first.
        let mut reverted = Vec::new();
        while reverted.last().map(String::as_str) != Some("20261201000006") {
            reverted.push(clu::db::migrate::revert_last(&mut conn).expect("revert"));
            assert!(
                reverted.len() < 50,
                "action_filters not found: {reverted:?}"
            );
        }
        diesel::sql_query(format!(
            "UPDATE actions SET responsible = 'DC / Réfèrent', discussed_in = '[\"{meeting}\"]' WHERE id = '{action}'"
        ))
        .execute(&mut *conn)
        .expect("an action as the previous release wrote it");
        reverted
    };
    let applied = app.state.migrate().expect("migrate");
    assert_eq!(applied.len(), reverted.len(), "{applied:?}");
    let found = app
        .get(&format!("/api/v1/actions/{action}"), sec)
        .await
        .assert_status(200)
        .json();
    assert_eq!(found["discussed_in"], serde_json::json!([meeting]));
    let by_key = app
        .get(
            &format!(
                "/api/v1/committees/{}/actions?responsible=REFERENT",
                fixture.committee
            ),
            sec,
        )
        .await
        .json();
    assert_eq!(by_key["total"], 1, "{by_key}");
}

#[derive(diesel::QueryableByName)]
struct Pragma {
    #[diesel(sql_type = Text)]
    value: String,
}

#[actix_web::test]
async fn every_pooled_sqlite_connection_has_its_settings() {
    let app = TestApp::new(Backend::Sqlite).await;
    // Every connection of the pool held at once: each is a different one.
    let size = app.state.settings.database_pool_size as usize;
    let mut held: Vec<_> = (0..size)
        .map(|_| app.state.db.get().expect("a connection"))
        .collect();
    for conn in &mut held {
        let DbConn::Sqlite(inner) = &mut **conn else {
            panic!("sqlite expected")
        };
        let mut read = |pragma: &str, column: &str| -> String {
            let rows: Vec<Pragma> = diesel::sql_query(format!(
                "SELECT CAST({column} AS TEXT) AS value FROM pragma_{pragma}()"
            ))
            .load(inner)
            .expect("pragma");
            rows.into_iter().next().map(|r| r.value).unwrap_or_default()
        };
        assert_eq!(read("journal_mode", "journal_mode"), "wal");
        assert_eq!(read("foreign_keys", "foreign_keys"), "1");
        assert_eq!(read("secure_delete", "secure_delete"), "1");
        let timeout = read("busy_timeout", "timeout");
        assert!(
            timeout.parse::<i64>().expect("timeout") >= 5000,
            "{timeout}"
        );
    }
    assert_eq!(held.len(), 3, "the tests' pool holds three connections");
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count_events(conn: &mut DbConn) -> Result<i64, AppError> {
    let rows: Vec<Count> =
        diesel::sql_query("SELECT COUNT(*) AS n FROM audit_events").load(conn)?;
    Ok(rows.first().map_or(0, |r| r.n))
}

fn insert_event(conn: &mut DbConn, label: &str) -> Result<(), AppError> {
    store::audit::insert(
        conn,
        &store::audit::AuditRow {
            id: store::new_id(),
            structure_id: None,
            actor_id: None,
            actor_email: None,
            action: "test.write".into(),
            entity: "test".into(),
            entity_id: label.into(),
            summary: "{}".into(),
            created_at: chrono::Utc::now().naive_utc(),
        },
    )?;
    Ok(())
}

/// Read first, then write, from many clients at once: with deferred
/// transactions SQLite answers "database is locked" to all but one; with
/// `BEGIN IMMEDIATE` they queue and all commit.
async fn concurrent_read_then_write_transactions_all_commit(app: TestApp) {
    let writers = (0..24).map(|i| {
        let db = app.state.db.clone();
        async move {
            db.write(move |conn| {
                let seen = count_events(conn)?;
                // Long enough for the other writers to read in between.
                std::thread::sleep(std::time::Duration::from_millis(20));
                insert_event(conn, &format!("writer-{i}-saw-{seen}"))
            })
            .await
        }
    });
    let results = futures_util::future::join_all(writers).await;
    let failures: Vec<_> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| format!("{e:?}"))
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    let total = app.state.db.read(count_events).await.expect("count");
    assert_eq!(total, 24);
}

/// Writes arriving together (on SQLite, committed as one batch, each in a
/// savepoint): each writer gets its own result, a refused one leaves
/// nothing behind, the others are all kept.
async fn concurrent_writes_each_get_their_own_outcome(app: TestApp) {
    let before = app.state.db.read(count_events).await.expect("count");
    let counted = app.state.db.group_commits();
    let writes = (0..48).map(|n| {
        let db = app.state.db.clone();
        async move {
            let label = format!("write-{n}");
            let written = label.clone();
            let outcome = db
                .write(move |conn| {
                    insert_event(conn, &written)?;
                    insert_event(conn, &written)?;
                    if n % 4 == 3 {
                        return Err(AppError::Conflict(format!("{written} refused")));
                    }
                    Ok(written)
                })
                .await;
            (n, label, outcome)
        }
    });
    let outcomes = futures_util::future::join_all(writes).await;
    for (n, label, outcome) in &outcomes {
        match outcome {
            Ok(returned) => assert_eq!(returned, label),
            Err(AppError::Conflict(message)) => {
                assert_eq!(n % 4, 3, "{label}: {message}");
                assert_eq!(message, &format!("{label} refused"));
            }
            Err(other) => panic!("{label}: {other}"),
        }
    }
    let kept = outcomes.iter().filter(|(_, _, o)| o.is_ok()).count();
    assert_eq!(kept, 36);
    let after = app.state.db.read(count_events).await.expect("count");
    assert_eq!(
        after - before,
        2 * 36,
        "two events per kept write, none of the refused"
    );
    let refused: Vec<Count> = app
        .state
        .db
        .read(|conn| {
            Ok(diesel::sql_query(
                "SELECT COUNT(*) AS n FROM audit_events WHERE entity_id IN ('write-3', 'write-7', 'write-47')",
            )
            .load(conn)?)
        })
        .await
        .expect("count");
    assert_eq!(refused[0].n, 0);
    // SQLite counts the writes its transactions ran (the refused ones
    // too, rolled back to their savepoint), in fewer transactions when
    // they arrived together.
    if let (Some((c0, w0)), Some((c1, w1))) = (counted, app.state.db.group_commits()) {
        assert_eq!(w1 - w0, 48, "writes counted");
        assert!(c1 - c0 <= w1 - w0);
        eprintln!(
            "48 concurrent writes: {} transactions held {} writes",
            c1 - c0,
            w1 - w0
        );
    } else {
        assert_eq!(app.state.db.backend(), "postgres");
    }
}

async fn failed_writes_leave_nothing_behind(app: TestApp) {
    let before = app.state.db.read(count_events).await.expect("count");
    let result: Result<(), AppError> = app
        .state
        .db
        .write(|conn| {
            insert_event(conn, "first")?;
            insert_event(conn, "second")?;
            Err(AppError::Conflict("refused after two writes".into()))
        })
        .await;
    assert!(matches!(result, Err(AppError::Conflict(_))));
    assert_eq!(
        app.state.db.read(count_events).await.expect("count"),
        before
    );
    // The connection is usable again afterwards.
    app.state
        .db
        .write(|conn| insert_event(conn, "after"))
        .await
        .expect("write");
    assert_eq!(
        app.state.db.read(count_events).await.expect("count"),
        before + 1
    );
}
