//! The action plan: lifecycle and its 409s, history field by field, the
//! overdue filter at a fixed date, and the spreadsheet export — with the
//! Cher 2021 table entered through the API and read back.

use chrono::{DateTime, Utc};
use clu::clock::Clock;
use serde_json::{Value, json};

use crate::common::fixtures::TestClock;
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    backend: actions_move_only_along_their_lifecycle,
    history_lists_each_changed_field,
    overdue_filter_uses_the_injected_today,
    cher_2021_action_table_round_trips_through_csv,
    filters_ignore_case_and_accents_and_follow_discussions,
    sources_come_as_kinds_or_with_their_dates,
);

/// `sources` takes the short form of the contract (`["survey"]`) as well
/// as the dated one, in a creation and in a change, and always answers the
/// dated form; a bad kind is a 422 naming it, and nothing is written.
async fn sources_come_as_kinds_or_with_their_dates(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (sec, committee) = committee(&app).await;
    let path = format!("/api/v1/committees/{committee}/actions");
    let short = app
        .post(
            &path,
            &sec,
            json!({"finding": "Attente au guichet", "sources": ["survey", "local_context"]}),
        )
        .await
        .assert_status(201)
        .json();
    assert_eq!(
        short["sources"],
        json!([{"kind": "survey", "date": null}, {"kind": "local_context", "date": null}])
    );
    let id = short["id"].as_str().expect("id");
    let mixed = patch(
        &app,
        &sec,
        id,
        json!({"sources": ["external_audit", {"kind": "self_assessment", "date": "2020-10-01"}]}),
    )
    .await
    .assert_status(200)
    .json();
    assert_eq!(
        mixed["sources"],
        json!([{"kind": "external_audit", "date": null}, {"kind": "self_assessment", "date": "2020-10-01"}])
    );
    let twice = app
        .post(
            &path,
            &sec,
            json!({"finding": "Doublon", "sources": ["survey", {"kind": "survey"}]}),
        )
        .await;
    assert_eq!(
        twice.error_fields(),
        ["sources"],
        "the same kind twice, whatever the form"
    );

    for bad in [json!(["rumour"]), json!([{"kind": "rumour"}]), json!([7])] {
        let refused = app
            .post(
                &path,
                &sec,
                json!({"finding": "Mauvaise source", "sources": bad}),
            )
            .await;
        let problem = refused.assert_problem(422);
        assert_eq!(refused.content_type(), "application/problem+json");
        let fields = refused.error_fields();
        assert!(
            fields.len() == 1 && fields[0].starts_with("sources"),
            "{bad}: {problem}"
        );
        if bad != json!([7]) {
            let message = problem["errors"][0]["message"].as_str().expect("message");
            assert!(
                message.contains("valeur inconnue") && message.contains("survey"),
                "the kinds allowed are named: {problem}"
            );
        }
        let refused = patch(&app, &sec, id, json!({"sources": bad})).await;
        refused.assert_problem(422);
    }
    assert_eq!(
        app.get(&path, &sec).await.json()["total"],
        1,
        "nothing written"
    );
    let kept = app.get(&format!("/api/v1/actions/{id}"), &sec).await.json();
    assert_eq!(kept["sources"], mixed["sources"], "nothing changed");
}

/// `?responsible=` matches the folded services, whatever the case and the
/// accents typed, the same on both databases; `?meeting_id=` finds the
/// actions raised at a meeting and those discussed there.
async fn filters_ignore_case_and_accents_and_follow_discussions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = crate::common::fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let raised_at = crate::common::fixtures::meeting(&app, &fixture, 10).await;
    let discussed_at = crate::common::fixtures::meeting(&app, &fixture, 20).await;
    let path = format!("/api/v1/committees/{}/actions", fixture.committee);
    app.create(&path, sec, json!({"number": 1, "finding": "Accueil", "responsible": "Bureau de l'État civil / DC", "meeting_id": raised_at})).await;
    let second = app.create(&path, sec, json!({"number": 2, "finding": "Affichage", "responsible": "RQ — Réfèrent qualité", "discussed_in": [raised_at, discussed_at]})).await;
    app.create(
        &path,
        sec,
        json!({"number": 3, "finding": "Urne", "responsible": "BLS"}),
    )
    .await;
    let numbers = |list: Value| -> Vec<i64> {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|a| a["number"].as_i64().expect("n"))
            .collect()
    };
    let filtered =
        async |query: &str| numbers(app.get(&format!("{path}?{query}"), sec).await.json());
    assert_eq!(filtered("responsible=etat%20CIVIL").await, [1]);
    assert_eq!(filtered("responsible=%C3%89TAT").await, [1], "ÉTAT");
    assert_eq!(filtered("responsible=referent").await, [2]);
    assert_eq!(
        filtered("responsible=R%C3%89F%C3%88RENT%20QUALIT%C3%89").await,
        [2]
    );
    assert_eq!(filtered("responsible=dc").await, [1]);
    assert_eq!(
        filtered("responsible=%25").await,
        [1, 2, 3],
        "a wildcard is no filter"
    );
    assert_eq!(filtered(&format!("meeting_id={raised_at}")).await, [1, 2]);
    assert_eq!(filtered(&format!("meeting_id={discussed_at}")).await, [2]);
    let action = app
        .get(&format!("/api/v1/actions/{second}"), sec)
        .await
        .json();
    assert_eq!(
        action["discussed_in"],
        json!([raised_at, discussed_at]),
        "in the order given"
    );
    // Discussions change with a patch, the history says so.
    app.patch(
        &format!("/api/v1/actions/{second}"),
        sec,
        json!({"discussed_in": [discussed_at]}),
    )
    .await
    .assert_status(200);
    assert_eq!(filtered(&format!("meeting_id={raised_at}")).await, [1]);
    let twice = app
        .patch(
            &format!("/api/v1/actions/{second}"),
            sec,
            json!({"discussed_in": [discussed_at, discussed_at]}),
        )
        .await;
    assert_eq!(twice.error_fields(), ["discussed_in"]);
    let history = app
        .get(&format!("/api/v1/actions/{second}/history"), sec)
        .await
        .json();
    assert!(history.to_string().contains("discussed_in"), "{history}");
}

/// 16 February 2021, the day of the Cher meeting, from noon in Paris
/// (running on, so that events keep their order).
fn cher_day() -> Clock {
    TestClock::starting_at(
        DateTime::parse_from_rfc3339("2021-02-16T11:00:00Z")
            .expect("date")
            .with_timezone(&Utc),
    )
}

async fn committee(app: &TestApp) -> (String, String) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let committee = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "Comité Local des Usagers du Cher", "kind": "clu"}),
        )
        .await;
    (sec, committee)
}

async fn patch(app: &TestApp, sec: &str, id: &str, body: Value) -> crate::common::Response {
    app.patch(&format!("/api/v1/actions/{id}"), sec, body).await
}

async fn actions_move_only_along_their_lifecycle(backend: Backend) {
    let app = TestApp::with_clock(backend, cher_day()).await;
    let (sec, committee) = committee(&app).await;
    let path = format!("/api/v1/committees/{committee}/actions");
    let id = app.create(&path, &sec, json!({"number": 1, "finding": "Affiche horaires", "reference": "E1 §1-1", "sources": [{"kind": "local_context"}], "due_date": "2021-03-31", "responsible": "DC / BREC"})).await;
    let action = app
        .get(&format!("/api/v1/actions/{id}"), &sec)
        .await
        .assert_status(200)
        .json();
    assert_eq!(action["status"], "planned");

    patch(&app, &sec, &id, json!({"status": "in_progress"}))
        .await
        .assert_status(200);
    let done = patch(
        &app,
        &sec,
        &id,
        json!({"status": "done", "effective": true, "verification": "Affiche en ligne"}),
    )
    .await
    .assert_status(200)
    .json();
    assert_eq!(
        done["completed_on"], "2021-02-16",
        "today, in Paris, by default"
    );
    assert_eq!(done["effective"], true);
    patch(
        &app,
        &sec,
        &id,
        json!({"status": "cancelled", "cancel_reason": "x"}),
    )
    .await
    .assert_problem(409);
    let back = patch(&app, &sec, &id, json!({"status": "in_progress"}))
        .await
        .assert_problem(409);
    assert!(
        back["detail"]
            .as_str()
            .expect("detail")
            .contains("« done »"),
        "{back}"
    );

    // A planned action may be marked done directly, as the secrétariats do.
    let direct = app
        .create(
            &path,
            &sec,
            json!({"number": 3, "finding": "Signalétique du hall"}),
        )
        .await;
    let done = patch(&app, &sec, &direct, json!({"status": "done"}))
        .await
        .assert_status(200)
        .json();
    assert_eq!(done["status"], "done");
    assert_eq!(done["completed_on"], "2021-02-16");
    let history = app
        .get(&format!("/api/v1/actions/{direct}/history"), &sec)
        .await
        .json();
    let status_change = &history["items"][1]["changes"];
    assert!(
        status_change.to_string().contains(r#""from":"planned""#)
            && status_change.to_string().contains(r#""to":"done""#),
        "{history}"
    );

    let other = app
        .create(
            &path,
            &sec,
            json!({"number": 2, "finding": "Boucle auditive au pré-accueil"}),
        )
        .await;
    let no_reason = patch(&app, &sec, &other, json!({"status": "cancelled"})).await;
    assert_eq!(no_reason.error_fields(), ["cancel_reason"]);
    let cancelled = patch(
        &app,
        &sec,
        &other,
        json!({"status": "cancelled", "cancel_reason": "Peu fiable selon l'APF"}),
    )
    .await
    .assert_status(200)
    .json();
    assert_eq!(cancelled["cancel_reason"], "Peu fiable selon l'APF");
    patch(&app, &sec, &other, json!({"status": "planned"}))
        .await
        .assert_problem(409);

    // Numbers are unique within the committee.
    app.post(&path, &sec, json!({"number": 1, "finding": "Doublon"}))
        .await
        .assert_problem(409);
    let bad = app
        .post(
            &path,
            &sec,
            json!({"finding": "", "sources": [{"kind": "rumour"}], "due_date": "31/03/2021"}),
        )
        .await;
    bad.assert_problem(422);
    let bad = app
        .post(
            &path,
            &sec,
            json!({"finding": " ", "sources": [{"kind": "survey"}, {"kind": "survey"}]}),
        )
        .await;
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, ["finding", "sources"]);
    assert_eq!(
        app.get(&path, &sec).await.json()["total"],
        3,
        "nothing more written"
    );
}

async fn history_lists_each_changed_field(backend: Backend) {
    let app = TestApp::with_clock(backend, cher_day()).await;
    let (sec, committee) = committee(&app).await;
    let id = app
        .create(
            &format!("/api/v1/committees/{committee}/actions"),
            &sec,
            json!({"finding": "Urne des réclamations peu visible", "responsible": "RQ"}),
        )
        .await;
    patch(
        &app,
        &sec,
        &id,
        json!({"responsible": "RQ / BLS", "due_date": "2020-10-23"}),
    )
    .await
    .assert_status(200);
    patch(&app, &sec, &id, json!({"status": "in_progress"}))
        .await
        .assert_status(200);
    patch(&app, &sec, &id, json!({"responsible": "RQ / BLS"}))
        .await
        .assert_status(200);

    let history = app
        .get(&format!("/api/v1/actions/{id}/history"), &sec)
        .await
        .assert_status(200)
        .json();
    assert_eq!(history["total"], 3, "an unchanged patch records nothing");
    let entries = history["items"].as_array().expect("items");
    assert_eq!(entries[0]["action"], "create");
    assert_eq!(entries[1]["action"], "update");
    assert!(
        entries[1]["actor_email"]
            .as_str()
            .expect("who")
            .starts_with("secretariat-")
    );
    assert!(entries[1]["at"].is_string());
    let changed: Vec<(String, Value, Value)> = entries[1]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["field"].as_str().expect("field").to_owned(),
                c["from"].clone(),
                c["to"].clone(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("due_date".to_owned(), Value::Null, json!("2020-10-23")),
            ("responsible".to_owned(), json!("RQ"), json!("RQ / BLS")),
        ]
    );
    assert_eq!(entries[2]["changes"][0]["field"], "status");
    assert_eq!(entries[2]["changes"][0]["from"], "planned");
    assert_eq!(entries[2]["changes"][0]["to"], "in_progress");
}

async fn overdue_filter_uses_the_injected_today(backend: Backend) {
    let app = TestApp::with_clock(backend, cher_day()).await;
    let (sec, committee) = committee(&app).await;
    let path = format!("/api/v1/committees/{committee}/actions");
    let late = app.create(&path, &sec, json!({"number": 1, "finding": "En retard", "due_date": "2021-02-15", "responsible": "DC / BLS"})).await;
    app.create(&path, &sec, json!({"number": 2, "finding": "Échéance aujourd'hui", "due_date": "2021-02-16", "responsible": "RQ"})).await;
    app.create(&path, &sec, json!({"number": 3, "finding": "Réalisée en retard", "due_date": "2020-12-31", "status": "done", "completed_on": "2021-01-10"})).await;
    app.create(
        &path,
        &sec,
        json!({"number": 4, "finding": "Sans échéance"}),
    )
    .await;
    let numbers = |list: Value| -> Vec<i64> {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|a| a["number"].as_i64().expect("n"))
            .collect()
    };

    assert_eq!(
        numbers(app.get(&format!("{path}?overdue=true"), &sec).await.json()),
        [1]
    );
    assert_eq!(
        app.get(&format!("/api/v1/actions/{late}"), &sec)
            .await
            .json()["overdue"],
        true
    );
    assert_eq!(
        numbers(app.get(&format!("{path}?status=done"), &sec).await.json()),
        [3]
    );
    assert_eq!(
        numbers(
            app.get(&format!("{path}?status=planned,done"), &sec)
                .await
                .json()
        ),
        [1, 2, 3, 4]
    );
    assert_eq!(
        numbers(
            app.get(&format!("{path}?responsible=BLS"), &sec)
                .await
                .json()
        ),
        [1]
    );
    app.get(&format!("{path}?status=late"), &sec)
        .await
        .assert_problem(422);
}

async fn cher_2021_action_table_round_trips_through_csv(backend: Backend) {
    let app = TestApp::with_clock(backend, cher_day()).await;
    let (sec, committee) = committee(&app).await;
    let rows: Vec<Value> =
        serde_json::from_str(include_str!("../fixtures/plan-actions-cher-2021.json"))
            .expect("fixture");
    assert_eq!(rows.len(), 12);
    for row in rows {
        app.create(
            &format!("/api/v1/committees/{committee}/actions"),
            &sec,
            row,
        )
        .await;
    }
    let response = app
        .get(&format!("/api/v1/committees/{committee}/actions.csv"), &sec)
        .await;
    response.assert_status(200);
    assert!(response.content_type().starts_with("text/csv"));
    assert!(
        response.body.starts_with(b"\xEF\xBB\xBF"),
        "BOM, for spreadsheets"
    );
    let expected = include_str!("../fixtures/plan-actions-cher-2021.csv");
    let got = response.text();
    for (line, (got, want)) in got.lines().zip(expected.lines()).enumerate() {
        assert_eq!(got, want, "line {}", line + 1);
    }
    assert_eq!(got.lines().count(), expected.lines().count());
    assert!(
        got.lines()
            .next()
            .expect("header")
            .contains("Vérification de l'efficacité")
    );
}

/// The OpenAPI document shows both forms of a source.
#[actix_web::test]
async fn openapi_shows_both_forms_of_a_source() {
    let app = TestApp::new(Backend::Sqlite).await;
    let response = app
        .send(actix_web::test::TestRequest::get().uri("/api/v1/openapi.json"))
        .await;
    let document = response.assert_status(200).json();
    let schemas = &document["components"]["schemas"];
    let items = &schemas["NewAction"]["properties"]["sources"]["items"];
    assert_eq!(items["$ref"], "#/components/schemas/SourceInput", "{items}");
    let forms = schemas["SourceInput"]["oneOf"].as_array().expect("oneOf");
    let refs: Vec<String> = forms.iter().map(|f| f.to_string()).collect();
    assert!(
        refs.iter().any(|r| r.contains("SourceKind"))
            && refs.iter().any(|r| r.contains("Source\"")),
        "{refs:?}"
    );
}
