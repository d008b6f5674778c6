//! Data seeded through the API, the way the secretariat would enter it.

use actix_web::http::Method;
use chrono::{DateTime, Duration, Utc};
use clu::auth::token::TokenKeys;
use serde_json::{Value, json};

use super::api::Api;
use super::server::{ADMIN_EMAIL, JWT_SECRET, PASSWORD};

pub struct Staff {
    pub admin: String,
    pub structure: String,
    pub secretariat: String,
}

/// A structure and its secretariat, created by the administrator.
pub async fn staff(api: &Api) -> Result<Staff, String> {
    let admin = api.login(ADMIN_EMAIL, PASSWORD).await?;
    let structure = api
        .create(
            "/api/v1/structures",
            &admin,
            &json!({
                "name": "Préfecture du Banc d'Essai",
                "department_code": "52",
                "city": "Chaumont",
                "service_name": "Secrétariat Général Commun Départemental",
                "letterhead": ["PRÉFET DU BANC D'ESSAI", "Liberté Égalité Fraternité"],
                "case_officer": {"name": "Mylène BÉGUÉ", "phone": "03 25 30 52 52", "email": "mylene.begue@bench.test"}
            }),
        )
        .await?;
    let email = "secretariat@bench.test";
    api.create(
        "/api/v1/users",
        &admin,
        &json!({"email": email, "display_name": "Secrétariat", "role": "secretariat", "structure_id": structure, "password": PASSWORD}),
    )
    .await?;
    let secretariat = api.login(email, PASSWORD).await?;
    Ok(Staff {
        admin,
        structure,
        secretariat,
    })
}

/// `count` members with an e-mail, spread over ten organizations.
pub async fn members(api: &Api, token: &str, count: usize) -> Result<Vec<String>, String> {
    let mut organizations = Vec::new();
    for n in 1..=10 {
        organizations.push(
            api.create(
                "/api/v1/organizations",
                token,
                &json!({"name": format!("Association des usagers n° {n}"), "kind": "association"}),
            )
            .await?,
        );
    }
    let mut members = Vec::with_capacity(count);
    for n in 0..count {
        members.push(
            api.create(
                "/api/v1/members",
                token,
                &json!({
                    "civility": if n % 2 == 0 { "Mme" } else { "M." },
                    "first_name": format!("Prénom{n}"),
                    "last_name": format!("NOM{n}"),
                    "email": format!("membre{n}@bench.test"),
                    "organization_id": organizations[n % organizations.len()],
                    "function": "Représentant",
                }),
            )
            .await?,
        );
    }
    Ok(members)
}

/// A committee whose members are `members`, the first one chairing.
pub async fn committee(
    api: &Api,
    token: &str,
    name: &str,
    members: &[String],
) -> Result<String, String> {
    let committee = api
        .create(
            "/api/v1/committees",
            token,
            &json!({"name": name, "kind": "clu"}),
        )
        .await?;
    for (n, member) in members.iter().enumerate() {
        let role = if n == 0 { "chair" } else { "member" };
        api.create(
            &format!("/api/v1/committees/{committee}/memberships"),
            token,
            &json!({"member_id": member, "role": role}),
        )
        .await?;
    }
    Ok(committee)
}

pub struct Meeting {
    pub id: String,
    pub starts_at: DateTime<Utc>,
    pub agenda: Vec<String>,
}

/// A meeting `days` from now with three agenda items, chaired by `chair`.
pub async fn meeting(
    api: &Api,
    token: &str,
    committee: &str,
    chair: &str,
    days: i64,
) -> Result<Meeting, String> {
    let starts_at = Utc::now() + Duration::days(days);
    let created = api
        .expect(
            Method::POST,
            &format!("/api/v1/committees/{committee}/meetings"),
            token,
            Some(&json!({
                "title": "Comité local des usagers",
                "starts_at": starts_at.to_rfc3339(),
                "ends_at": (starts_at + Duration::hours(2)).to_rfc3339(),
                "location": "Salle Louise Michel",
                "mode": "hybrid",
                "chair_member_id": chair,
            })),
            201,
        )
        .await?;
    let id = created["id"]
        .as_str()
        .ok_or("meeting without id")?
        .to_owned();
    let starts_at = created["starts_at"]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map_or(starts_at, |d| d.with_timezone(&Utc));
    let mut agenda = Vec::new();
    for title in [
        "Bilan qualité",
        "Résultats des enquêtes",
        "Questions diverses",
    ] {
        agenda.push(
            api.create(
                &format!("/api/v1/meetings/{id}/agenda-items"),
                token,
                &json!({"title": title}),
            )
            .await?,
        );
    }
    Ok(Meeting {
        id,
        starts_at,
        agenda,
    })
}

/// Sends the invitations; returns their ids, as the roll call lists them.
pub async fn invite(api: &Api, token: &str, meeting: &str) -> Result<Vec<String>, String> {
    api.expect(
        Method::POST,
        &format!("/api/v1/meetings/{meeting}/invitations"),
        token,
        Some(&json!({})),
        202,
    )
    .await?;
    let attendance = api
        .get(&format!("/api/v1/meetings/{meeting}/attendance"), token)
        .await?;
    Ok(invitation_ids(&attendance))
}

pub fn invitation_ids(attendance: &Value) -> Vec<String> {
    attendance["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["invitation_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The answer link of each invitation, as the e-mail carries it.
pub fn answer_links(invitations: &[String], closes: DateTime<Utc>) -> Result<Vec<String>, String> {
    let keys = TokenKeys::from_secret(JWT_SECRET.as_bytes())?;
    invitations
        .iter()
        .map(|id| {
            keys.issue_rsvp(id, Utc::now(), closes)
                .map_err(|e| e.to_string())
        })
        .collect()
}
