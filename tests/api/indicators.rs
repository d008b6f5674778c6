//! Indicators with the bilan's legend at its edges, and the annual report
//! on a fixture of three meetings.

use chrono::{DateTime, Utc};
use clu::clock::Clock;
use serde_json::{Value, json};

use crate::common::fixtures;
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(backend: legend_bands_at_their_edges_in_both_directions, annual_report_adds_up);

async fn legend_bands_at_their_edges_in_both_directions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let committee = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "CLU", "kind": "clu"}),
        )
        .await;
    let path = format!("/api/v1/committees/{committee}/indicators");
    // Gaps of 0 %, 24.9 %, 25 %, 50 % and 50.1 % for each direction.
    let higher = app
        .create(&path, &sec, json!({"name": "Taux d'appels décrochés", "unit": "percent", "direction": "higher_is_better", "target": 100.0,
            "values": [{"period": "a", "value": 100.0}, {"period": "b", "value": 75.1}, {"period": "c", "value": 75.0}, {"period": "d", "value": 50.0}, {"period": "e", "value": 49.9}]}))
        .await;
    let lower = app
        .create(&path, &sec, json!({"name": "Délai CNI / passeports", "unit": "days", "direction": "lower_is_better", "target": 10.0,
            "values": [{"period": "a", "value": 10.0}, {"period": "b", "value": 12.49}, {"period": "c", "value": 12.5}, {"period": "d", "value": 15.0}, {"period": "e", "value": 15.01}]}))
        .await;
    let expected = [
        "on_target",
        "gap_under_25",
        "gap_25_to_50",
        "gap_25_to_50",
        "gap_over_50",
    ];
    for id in [higher, lower] {
        let indicator = app
            .get(&format!("/api/v1/indicators/{id}"), &sec)
            .await
            .assert_status(200)
            .json();
        let statuses: Vec<&str> = indicator["values"]
            .as_array()
            .expect("values")
            .iter()
            .map(|v| v["status"].as_str().expect("status"))
            .collect();
        assert_eq!(statuses, expected, "{}", indicator["name"]);
    }
    let list = app.get(&path, &sec).await.json();
    assert_eq!(list["total"], 2);
    let bad = app
        .post(
            &path,
            &sec,
            json!({"name": "", "unit": "percent", "direction": "up"}),
        )
        .await;
    assert_eq!(bad.error_fields(), ["direction"]);
}

fn at(text: &str) -> String {
    DateTime::parse_from_rfc3339(text)
        .expect("date")
        .with_timezone(&Utc)
        .to_rfc3339()
}

async fn annual_report_adds_up(backend: Backend) {
    let clock = Clock::fixed(
        DateTime::parse_from_rfc3339("2024-01-08T09:00:00Z")
            .expect("date")
            .with_timezone(&Utc),
    );
    let app = TestApp::with_clock(backend, clock).await;
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let create = |starts: &str, ends: &str| json!({"title": "Comité local des usagers", "starts_at": at(starts), "ends_at": at(ends), "location": "Salle Louise Michel", "mode": "in_person"});
    let path = format!("/api/v1/committees/{}/meetings", fixture.committee);
    let march = app
        .create(
            &path,
            sec,
            create("2024-03-12T13:30:00Z", "2024-03-12T15:30:00Z"),
        )
        .await;
    let october = app
        .create(
            &path,
            sec,
            create("2024-10-08T12:30:00Z", "2024-10-08T14:30:00Z"),
        )
        .await;
    let cancelled = app
        .create(
            &path,
            sec,
            create("2024-12-10T13:30:00Z", "2024-12-10T15:30:00Z"),
        )
        .await;
    // Two meetings held, with a roll call; the third cancelled.
    for (meeting, present) in [(&march, 3), (&october, 2)] {
        app.post(
            &format!("/api/v1/meetings/{meeting}/invitations"),
            sec,
            json!({}),
        )
        .await
        .assert_status(202);
        for member in fixture
            .titulars
            .iter()
            .filter(|m| **m != fixture.without_email)
            .take(present)
        {
            app.request(
                "PUT".parse().expect("method"),
                &format!("/api/v1/meetings/{meeting}/attendance/{member}"),
                Some(sec),
                Some(json!({"presence": "present"})),
            )
            .await
            .assert_status(200);
        }
        app.post(&format!("/api/v1/meetings/{meeting}/hold"), sec, json!({}))
            .await
            .assert_status(200);
    }
    app.post(
        &format!("/api/v1/meetings/{cancelled}/cancel"),
        sec,
        json!({}),
    )
    .await
    .assert_status(200);
    let actions = format!("/api/v1/committees/{}/actions", fixture.committee);
    app.create(&actions, sec, json!({"finding": "Réalisée, efficace", "status": "done", "completed_on": "2024-01-05", "effective": true})).await;
    app.create(
        &actions,
        sec,
        json!({"finding": "En retard", "due_date": "2024-01-02"}),
    )
    .await;
    app.create(
        &actions,
        sec,
        json!({"finding": "À venir", "due_date": "2024-06-30"}),
    )
    .await;
    app.create(
        &format!("/api/v1/committees/{}/indicators", fixture.committee),
        sec,
        json!({"name": "Taux d'appels décrochés", "unit": "percent", "direction": "higher_is_better", "target": 90.0, "values": [{"period": "2023", "value": 91.96}, {"period": "2024", "value": 60.0}]}),
    )
    .await;

    let report: Value = app
        .get(
            &format!("/api/v1/committees/{}/report?year=2024", fixture.committee),
            sec,
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(report["meetings_held"], 2);
    assert_eq!(report["meets_yearly_rule"], true);
    assert_eq!(report["meetings"][0]["long_date"], "mardi 12 mars 2024");
    assert_eq!(report["meetings"][0]["invited"], 5);
    assert_eq!(report["meetings"][0]["present"], 3);
    let udaf = &report["attendance"][0];
    assert_eq!(udaf["organization"], "UDAF de la Haute-Marne");
    assert_eq!(udaf["invited"], 10);
    assert_eq!(udaf["present"], 5);
    assert_eq!(udaf["rate_percent"], 50.0);
    assert_eq!(report["actions"]["opened"], 3);
    assert_eq!(report["actions"]["done"], 1);
    assert_eq!(report["actions"]["effective"], 1);
    assert_eq!(report["actions"]["overdue"], 1);
    assert_eq!(report["indicators"][0]["value"], 60.0);
    assert_eq!(report["indicators"][0]["status"], "gap_25_to_50");

    let empty = app
        .get(
            &format!("/api/v1/committees/{}/report?year=2023", fixture.committee),
            sec,
        )
        .await
        .json();
    assert_eq!(empty["meetings_held"], 0);
    assert_eq!(empty["meets_yearly_rule"], false);
    let html = app
        .get(
            &format!(
                "/api/v1/committees/{}/report.html?year=2024",
                fixture.committee
            ),
            sec,
        )
        .await;
    html.assert_status(200);
    let text = html.text();
    assert!(
        text.contains("lang=\"fr\"")
            && text.contains("Rapport annuel 2024")
            && text.contains("60\u{202f}%"),
        "{text}"
    );
    assert!(text.contains("mardi 12 mars 2024"));
    // The same charts as the staff page: accessible SVG images, labels escaped.
    assert_eq!(text.matches("<svg").count(), 3, "{text}");
    assert_eq!(text.matches("role=\"img\"").count(), 3);
    assert!(text.contains(
        "<title id=\"graphique-assiduite-titre\">Taux de présence par organisation en 2024</title>"
    ));
    assert!(
        text.contains("UDAF de la Haute-Marne"),
        "an organization's bar"
    );
    app.get(
        &format!("/api/v1/committees/{}/report?year=1999", fixture.committee),
        sec,
    )
    .await
    .assert_problem(422);
}
