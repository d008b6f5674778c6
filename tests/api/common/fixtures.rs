//! A committee of six titular members (one without e-mail) and a
//! substitute, and meetings to invite them to.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, Utc};
use clu::clock::Clock;
use serde_json::json;

use super::TestApp;

/// A clock the test moves forward.
#[derive(Clone)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn new() -> (Self, Clock) {
        let offset = Arc::new(AtomicI64::new(0));
        let seen = Arc::clone(&offset);
        (
            Self(offset),
            Clock::from_fn(move || Utc::now() + Duration::seconds(seen.load(Ordering::SeqCst))),
        )
    }

    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: chrono::DateTime<Utc>) -> Clock {
        let offset = start - Utc::now();
        Clock::from_fn(move || Utc::now() + offset)
    }

    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.num_seconds(), Ordering::SeqCst);
    }
}

pub struct Committee {
    pub admin: String,
    pub structure: String,
    /// To log in again once the clock has moved past the token's life.
    pub secretariat_email: String,
    pub secretariat: String,
    pub committee: String,
    /// The six titulars, in creation order; the fifth has no e-mail.
    pub titulars: Vec<String>,
    pub without_email: String,
    /// The first titular's substitute.
    pub substitute: String,
}

pub const EMAILS: [&str; 6] = [
    "anne.titulaire@example.fr",
    "bruno.martin@example.fr",
    "claire.durand@example.fr",
    "denis.petit@example.fr",
    "",
    "farid.benali@example.fr",
];

pub async fn committee(app: &TestApp) -> Committee {
    let admin = app.admin().await;
    let (structure, sec) = app
        .secretariat(&admin, "Préfecture de la Haute-Marne")
        .await;
    let committee = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "Comité Local des Usagers de la Haute-Marne", "kind": "clu"}),
        )
        .await;
    let udaf = app
        .create(
            "/api/v1/organizations",
            &sec,
            json!({"name": "UDAF de la Haute-Marne", "kind": "association"}),
        )
        .await;
    let names = [
        ("Mme", "Anne", "Titulaire"),
        ("M.", "Bruno", "Martin"),
        ("Mme", "Claire", "Durand"),
        ("M.", "Denis", "Petit"),
        ("Mme", "Eva", "Sanscourriel"),
        ("M.", "Farid", "Benali"),
    ];
    let mut titulars = Vec::new();
    let mut seats = Vec::new();
    for ((civility, first, last), email) in names.iter().zip(EMAILS) {
        let mut body = json!({"civility": civility, "first_name": first, "last_name": last, "organization_id": udaf, "function": "Représentant"});
        if !email.is_empty() {
            body["email"] = json!(email);
        }
        let member = app.create("/api/v1/members", &sec, body).await;
        let role = if titulars.is_empty() {
            "chair"
        } else {
            "member"
        };
        seats.push(
            app.create(
                &format!("/api/v1/committees/{committee}/memberships"),
                &sec,
                json!({"member_id": member, "role": role}),
            )
            .await,
        );
        titulars.push(member);
    }
    let substitute = app
        .create("/api/v1/members", &sec, json!({"civility": "Mme", "first_name": "Sophie", "last_name": "Suppléante", "email": "sophie.suppleante@example.fr"}))
        .await;
    app.create(
        &format!("/api/v1/committees/{committee}/memberships"),
        &sec,
        json!({"member_id": substitute, "role": "member", "substitute_for": seats[1]}),
    )
    .await;
    let secretariat_email = format!("secretariat-{}@clu.test", &structure[..8]);
    Committee {
        admin,
        secretariat_email,
        structure,
        secretariat: sec,
        without_email: titulars[4].clone(),
        committee,
        titulars,
        substitute,
    }
}

/// A draft meeting `days` days from now, 14h30–16h30 Paris time, chaired
/// by the first titular.
pub async fn meeting(app: &TestApp, fixture: &Committee, days: i64) -> String {
    let date = (app.state.clock.now() + Duration::days(days)).date_naive();
    let paris = chrono_tz::Europe::Paris;
    let at = |h: u32, m: u32| {
        date.and_hms_opt(h, m, 0)
            .expect("time")
            .and_local_timezone(paris)
            .single()
            .expect("unambiguous")
            .with_timezone(&Utc)
            .to_rfc3339()
    };
    let meeting = app
        .create(
            &format!("/api/v1/committees/{}/meetings", fixture.committee),
            &fixture.secretariat,
            json!({"title": "Comité local des usagers", "starts_at": at(14, 30), "ends_at": at(16, 30), "location": "Salle Louise Michel", "mode": "hybrid", "chair_member_id": fixture.titulars[0]}),
        )
        .await;
    for title in [
        "Bilan qualité 2022",
        "Résultats des audits",
        "Questions diverses",
    ] {
        app.create(
            &format!("/api/v1/meetings/{meeting}/agenda-items"),
            &fixture.secretariat,
            json!({"title": title}),
        )
        .await;
    }
    meeting
}

/// Invites to `meeting`, marks the first three titulars present and holds
/// it; returns its agenda item ids, in order.
pub async fn hold(app: &TestApp, fixture: &Committee, meeting: &str) -> Vec<String> {
    let sec = &fixture.secretariat;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        sec,
        json!({}),
    )
    .await
    .assert_status(202);
    for member in &fixture.titulars[..3] {
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
    let agenda = app
        .get(&format!("/api/v1/meetings/{meeting}/agenda-items"), sec)
        .await
        .json();
    agenda["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}
