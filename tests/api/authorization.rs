//! The authorization matrix: every route of the OpenAPI document × every
//! kind of caller, with the ids of one structure. Wherever a caller may not
//! act, the route refuses (401, 403 or 404) — never a 2xx, never a 422 that
//! would describe the body; wherever a caller may act, the route never
//! answers 401 or 403 (the body `{}` may well be refused, as invalid). The
//! routes come from the document, so a new route cannot escape the matrix.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::common::fixtures;
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(backend: no_caller_gets_2xx_where_it_is_forbidden, the_secretariat_controls_no_signatory);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    LinkHolder,
    Reader,
    Signatory,
    Secretariat,
    OtherStructure,
}

/// Routes anyone may call.
fn public(method: &str, path: &str) -> bool {
    matches!(
        (method, path),
        ("post", "/api/v1/auth/login")
            | ("get", "/healthz")
            | ("get", "/readyz")
            | ("get" | "head" | "post", "/rsvp/{token}")
            | (
                "get",
                "/rsvp/{token}/annexes/{annex}"
                    | "/rsvp/{token}/dossier.zip"
                    | "/rsvp/{token}/dossier.pdf"
            )
            | ("post", "/api/v1/rsvp/{token}")
            | (
                "get",
                "/verify" | "/verify/{sha256}" | "/verify/{sha256}/fichier"
            )
            | ("post", "/verify")
    )
}

/// Whether `who` may get a 2xx from this route on the structure's records.
fn allowed(who: Who, method: &str, path: &str) -> bool {
    if public(method, path) {
        return true;
    }
    let reads = method == "get";
    // Every staff member changes their own password.
    if path == "/api/v1/auth/password" && !matches!(who, Who::Anonymous | Who::LinkHolder) {
        return true;
    }
    match who {
        Who::Anonymous | Who::LinkHolder => false,
        // Another structure's staff may list (their own rows) but not touch ours.
        Who::OtherStructure => !path.contains('{') && allowed(Who::Secretariat, method, path),
        Who::Reader => {
            reads
                && !path.starts_with("/api/v1/users")
                && !path.starts_with("/api/v1/audit")
                && !path.ends_with("/export")
        }
        Who::Signatory => {
            (reads
                && !path.starts_with("/api/v1/users")
                && !path.starts_with("/api/v1/audit")
                && !path.ends_with("/export"))
                || path.ends_with("/minutes/sign")
                || path.ends_with("/minutes/return")
        }
        Who::Secretariat => {
            let changes_structures = path.starts_with("/api/v1/structures") && !reads;
            let signs = path.ends_with("/minutes/sign") || path.ends_with("/minutes/return");
            !changes_structures && !signs
        }
    }
}

async fn no_caller_gets_2xx_where_it_is_forbidden(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        sec,
        json!({}),
    )
    .await
    .assert_status(202);
    app.deliver().await;
    let link = std::fs::read_dir(app.mail_dir())
        .expect("mail dir")
        .map(|e| crate::common::smtp::Received {
            raw: std::fs::read(e.expect("entry").path()).expect("read"),
        })
        .find_map(|m| m.rsvp_path())
        .expect("an answer link");
    let token = link.trim_start_matches("/rsvp/").to_owned();
    let first = |list: Value| list["items"][0]["id"].as_str().expect("id").to_owned();
    let organization = first(app.get("/api/v1/organizations", sec).await.json());
    let membership = first(
        app.get(
            &format!("/api/v1/committees/{}/memberships", fixture.committee),
            sec,
        )
        .await
        .json(),
    );
    let annex = app
        .upload(
            &format!("/api/v1/meetings/{meeting}/annexes"),
            sec,
            "bilan.txt",
            b"Bilan",
        )
        .await
        .json()["id"]
        .as_str()
        .expect("annex")
        .to_owned();
    let invitation = first(
        app.get(&format!("/api/v1/meetings/{meeting}/invitations"), sec)
            .await
            .json(),
    );
    let agenda_item = first(
        app.get(&format!("/api/v1/meetings/{meeting}/agenda-items"), sec)
            .await
            .json(),
    );
    let action = app
        .create(
            &format!("/api/v1/committees/{}/actions", fixture.committee),
            sec,
            json!({"finding": "Affiche horaires"}),
        )
        .await;
    let indicator = app
        .create(
            &format!("/api/v1/committees/{}/indicators", fixture.committee),
            sec,
            json!({"name": "Appels", "unit": "percent", "direction": "higher_is_better"}),
        )
        .await;
    let (reader_id, reader) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "reader",
            "lecteur@clu.test",
        )
        .await;
    let (_, signatory) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "signatory",
            "signataire@clu.test",
        )
        .await;
    let (_, other) = app.secretariat(&fixture.admin, "Préfecture du Cher").await;

    let id_for = |path: &str| -> String {
        let kind = path
            .trim_start_matches("/api/v1/")
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        match kind {
            "structures" => fixture.structure.clone(),
            "users" => reader_id.clone(),
            "organizations" => organization.clone(),
            "members" => fixture.titulars[1].clone(),
            "committees" => fixture.committee.clone(),
            "memberships" => membership.clone(),
            "meetings" => meeting.clone(),
            "agenda-items" => agenda_item.clone(),
            "invitations" => invitation.clone(),
            "annexes" => annex.clone(),
            "actions" => action.clone(),
            "indicators" => indicator.clone(),
            other => panic!("the matrix has no record for /{other}/{{id}}: add one"),
        }
    };

    let doc = app.open("/api/v1/openapi.json").await.json();
    let mut routes: Vec<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("item")
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    routes.sort();
    assert!(routes.len() > 80, "{} routes", routes.len());

    let callers = [
        (Who::Anonymous, None),
        (Who::LinkHolder, Some(token.clone())),
        (Who::Reader, Some(reader)),
        (Who::Signatory, Some(signatory)),
        (Who::OtherStructure, Some(other)),
        (Who::Secretariat, Some(sec.clone())),
    ];
    let (mut checked, mut permitted) = (0, 0);
    let mut breaches = Vec::new();
    for (who, bearer) in &callers {
        for (method, template) in &routes {
            let may = allowed(*who, method, template);
            let mut path = template.clone();
            if path.contains("{id}") {
                path = path.replace("{id}", &id_for(template));
            }
            path = path
                .replace("{member_id}", &fixture.titulars[2])
                .replace("{token}", &token)
                .replace("{annex}", &annex)
                .replace("{sha256}", &"0".repeat(64));
            let verb = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let mut request = TestRequest::default().method(verb).uri(&path);
            if let Some(bearer) = bearer {
                request = request.insert_header(("Authorization", format!("Bearer {bearer}")));
            }
            if matches!(method.as_str(), "post" | "put" | "patch") {
                request = request.set_json(json!({}));
            }
            let status = app.send(request).await.status.as_u16();
            if may {
                permitted += 1;
                if matches!(status, 401 | 403) || status >= 500 {
                    breaches.push(format!(
                        "{who:?} {method} {path} → {status}, though allowed"
                    ));
                }
                continue;
            }
            checked += 1;
            // Refused before anything else, the body unread: no 2xx, and
            // no validation error that would tell what the route expects.
            // Another structure's staff may act on the route in general:
            // its body is checked as for any id (the answer is the same
            // whether the record exists or not), but never a 2xx.
            let refused = match who {
                Who::OtherStructure => !(200..300).contains(&status) && status < 500,
                _ => matches!(status, 401 | 403 | 404),
            };
            if !refused {
                breaches.push(format!("{who:?} {method} {path} → {status}"));
            }
        }
    }
    assert!(
        breaches.is_empty(),
        "forbidden but not refused:\n{}",
        breaches.join("\n")
    );
    assert!(checked > 250, "{checked} forbidden cells checked");
    assert!(permitted > 150, "{permitted} allowed cells checked");
}

/// The secrétariat manages readers and secrétariats of its structure, and
/// no signatory: the signature is what controls its minutes.
async fn the_secretariat_controls_no_signatory(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let (signatory_id, _) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "signatory",
            "signataire@clu.test",
        )
        .await;
    let (reader_id, _) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "reader",
            "lecteur@clu.test",
        )
        .await;
    let new_user = |role: &str| {
        json!({"email": format!("{role}@clu.test"), "display_name": "Nouveau", "role": role,
               "password": crate::common::PASSWORD})
    };
    let signatory = format!("/api/v1/users/{signatory_id}");
    let reader = format!("/api/v1/users/{reader_id}");
    let refusals = [
        app.post("/api/v1/users", sec, new_user("signatory")).await,
        app.post("/api/v1/users", sec, new_user("admin")).await,
        app.patch(
            &signatory,
            sec,
            json!({"password": "un tout nouveau mot de passe"}),
        )
        .await,
        app.patch(&signatory, sec, json!({"email": "autre@clu.test"}))
            .await,
        app.patch(&signatory, sec, json!({"display_name": "Autre nom"}))
            .await,
        app.delete(&signatory, sec).await,
        app.patch(&reader, sec, json!({"role": "signatory"})).await,
    ];
    for (index, refusal) in refusals.iter().enumerate() {
        assert_eq!(
            refusal.status.as_u16(),
            403,
            "refusal {index}: {}",
            refusal.text()
        );
    }
    // What stays the secrétariat's own.
    app.post("/api/v1/users", sec, new_user("reader"))
        .await
        .assert_status(201);
    app.post("/api/v1/users", sec, new_user("secretariat"))
        .await
        .assert_status(201);
    app.patch(&reader, sec, json!({"display_name": "Lecteur renommé"}))
        .await
        .assert_status(200);
    // The administrator may do all of it.
    app.patch(
        &signatory,
        &fixture.admin,
        json!({"password": "un tout nouveau mot de passe"}),
    )
    .await
    .assert_status(200);
    let mut another = new_user("signatory");
    another["email"] = json!("second-signataire@clu.test");
    another["structure_id"] = json!(fixture.structure);
    app.post("/api/v1/users", &fixture.admin, another)
        .await
        .assert_status(201);
}
