//! The OpenAPI document describes every route, and `/docs` serves it offline.

use actix_web::http::Method;

use crate::common::{Backend, TestApp};

/// Every route of the API, as (method, path). A route added to the code but
/// not here, or documented but not served, fails `openapi_lists_every_route`.
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/password"),
    ("get", "/api/v1/auth/me"),
    ("get", "/api/v1/structures"),
    ("post", "/api/v1/structures"),
    ("get", "/api/v1/structures/{id}"),
    ("patch", "/api/v1/structures/{id}"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/{id}"),
    ("patch", "/api/v1/users/{id}"),
    ("delete", "/api/v1/users/{id}"),
    ("get", "/api/v1/organizations"),
    ("post", "/api/v1/organizations"),
    ("get", "/api/v1/organizations/{id}"),
    ("patch", "/api/v1/organizations/{id}"),
    ("delete", "/api/v1/organizations/{id}"),
    ("get", "/api/v1/members"),
    ("post", "/api/v1/members"),
    ("get", "/api/v1/members/{id}"),
    ("patch", "/api/v1/members/{id}"),
    ("delete", "/api/v1/members/{id}"),
    ("get", "/api/v1/members/{id}/export"),
    ("post", "/api/v1/members/{id}/anonymize"),
    ("post", "/api/v1/members/import"),
    ("get", "/api/v1/members.csv"),
    ("get", "/api/v1/committees"),
    ("post", "/api/v1/committees"),
    ("get", "/api/v1/committees/{id}"),
    ("patch", "/api/v1/committees/{id}"),
    ("get", "/api/v1/committees/{id}/memberships"),
    ("post", "/api/v1/committees/{id}/memberships"),
    ("patch", "/api/v1/memberships/{id}"),
    ("delete", "/api/v1/memberships/{id}"),
    ("get", "/api/v1/committees/{id}/meetings"),
    ("post", "/api/v1/committees/{id}/meetings"),
    ("get", "/api/v1/meetings/{id}"),
    ("patch", "/api/v1/meetings/{id}"),
    ("post", "/api/v1/meetings/{id}/cancel"),
    ("post", "/api/v1/meetings/{id}/hold"),
    ("get", "/api/v1/meetings/{id}/convocation.html"),
    ("get", "/api/v1/meetings/{id}/agenda-items"),
    ("post", "/api/v1/meetings/{id}/agenda-items"),
    ("put", "/api/v1/meetings/{id}/agenda-items/order"),
    ("patch", "/api/v1/agenda-items/{id}"),
    ("delete", "/api/v1/agenda-items/{id}"),
    ("post", "/api/v1/agenda-items/{id}/annexes"),
    ("post", "/api/v1/meetings/{id}/annexes"),
    ("get", "/api/v1/meetings/{id}/annexes"),
    ("put", "/api/v1/meetings/{id}/annexes/order"),
    ("post", "/api/v1/meetings/{id}/annexes/announce"),
    ("get", "/api/v1/annexes/{id}/content"),
    ("patch", "/api/v1/annexes/{id}"),
    ("delete", "/api/v1/annexes/{id}"),
    ("get", "/rsvp/{token}/annexes/{annex}"),
    ("get", "/rsvp/{token}/dossier.zip"),
    ("get", "/rsvp/{token}/dossier.pdf"),
    ("get", "/verify/{sha256}/fichier"),
    ("get", "/verify"),
    ("post", "/verify"),
    ("get", "/api/v1/meetings/{id}/dossier.zip"),
    ("get", "/api/v1/meetings/{id}/dossier.pdf"),
    ("put", "/api/v1/annexes/{id}/content"),
    ("post", "/api/v1/meetings/{id}/invitations"),
    ("get", "/api/v1/meetings/{id}/invitations"),
    ("post", "/api/v1/meetings/{id}/reminders"),
    ("post", "/api/v1/invitations/{id}/resend"),
    ("get", "/api/v1/meetings/{id}/attendance"),
    ("put", "/api/v1/meetings/{id}/attendance/{member_id}"),
    ("post", "/api/v1/rsvp/{token}"),
    ("get", "/rsvp/{token}"),
    ("head", "/rsvp/{token}"),
    ("post", "/rsvp/{token}"),
    ("get", "/api/v1/committees/{id}/actions"),
    ("post", "/api/v1/committees/{id}/actions"),
    ("get", "/api/v1/committees/{id}/actions.csv"),
    ("get", "/api/v1/actions/{id}"),
    ("patch", "/api/v1/actions/{id}"),
    ("get", "/api/v1/actions/{id}/history"),
    ("get", "/api/v1/committees/{id}/indicators"),
    ("post", "/api/v1/committees/{id}/indicators"),
    ("get", "/api/v1/indicators/{id}"),
    ("post", "/api/v1/indicators/{id}/values"),
    ("get", "/api/v1/committees/{id}/report"),
    ("get", "/api/v1/committees/{id}/report.html"),
    ("get", "/api/v1/meetings/{id}/minutes"),
    ("put", "/api/v1/meetings/{id}/minutes"),
    ("post", "/api/v1/meetings/{id}/minutes/submit"),
    ("post", "/api/v1/meetings/{id}/minutes/return"),
    ("post", "/api/v1/meetings/{id}/minutes/sign"),
    ("post", "/api/v1/meetings/{id}/minutes/revise"),
    ("post", "/api/v1/meetings/{id}/minutes/distribute"),
    ("get", "/api/v1/meetings/{id}/minutes/distribution"),
    ("get", "/api/v1/meetings/{id}/compte-rendu.html"),
    ("get", "/api/v1/meetings/{id}/compte-rendu.md"),
    ("get", "/api/v1/meetings/{id}/compte-rendu.pdf"),
    ("get", "/verify/{sha256}"),
    ("get", "/api/v1/audit"),
    ("get", "/healthz"),
    ("get", "/readyz"),
];

#[actix_web::test]
async fn openapi_lists_every_route() {
    let app = TestApp::new(Backend::Sqlite).await;
    let response = app.open("/api/v1/openapi.json").await;
    let doc = response.assert_status(200).json();
    assert!(
        doc["openapi"].as_str().expect("version").starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("path item")
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    documented.sort();
    let mut expected: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

/// Every operation has its own id and every response a description, as
/// OpenAPI requires, and every operation documents the errors its shape
/// implies, as problem+json: 401 behind a token, 404 with a record in the
/// path, 400/413/415/422 with a JSON body.
#[actix_web::test]
async fn every_operation_documents_its_errors() {
    let app = TestApp::new(Backend::Sqlite).await;
    let doc = app
        .open("/api/v1/openapi.json")
        .await
        .assert_status(200)
        .json();
    let mut missing = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let id = operation["operationId"].as_str().unwrap_or_default();
            if !ids.insert(id.to_owned()) {
                missing.push(format!("{method} {path}: operationId {id:?} not unique"));
            }
            let responses = operation["responses"].as_object().expect("responses");
            for (status, response) in responses {
                if response["description"]
                    .as_str()
                    .unwrap_or_default()
                    .is_empty()
                {
                    missing.push(format!("{method} {path} {status}: no description"));
                }
            }
            let mut expected = Vec::new();
            if operation["security"].is_array() {
                expected.push("401");
            }
            let in_path = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["in"] == "path" && p["name"] == "id");
            if in_path {
                expected.push("404");
            }
            if operation["requestBody"]["content"]["application/json"].is_object() {
                expected.extend(["400", "413", "415", "422"]);
            }
            for status in expected {
                if !responses[status]["content"]["application/problem+json"]["schema"].is_object() {
                    missing.push(format!("{method} {path}: no {status} problem+json"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

/// Each documented route is served: without a token every one of them
/// answers (401, 415, 200…), none falls to the 404 of unknown routes.
#[actix_web::test]
async fn every_documented_route_is_served() {
    let app = TestApp::new(Backend::Sqlite).await;
    for (method, path) in ROUTES {
        let path = path
            .replace("{id}", "00000000-0000-4000-8000-000000000000")
            .replace("{member_id}", "00000000-0000-4000-8000-000000000000")
            .replace("{token}", "not-a-token")
            .replace("{sha256}", "0000");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        // An unknown fingerprint is a 404 by design: its own French page
        // tells it from the route-less 404 (problem+json).
        let request = actix_web::test::TestRequest::default()
            .method(method.clone())
            .uri(&path)
            .insert_header(("Accept", "text/html"));
        let response = app.send(request).await;
        let status = response.status.as_u16();
        let routed = status != 404 || response.content_type().starts_with("text/html");
        assert!(routed && status < 500, "{method} {path}: {status}");
    }
}

#[actix_web::test]
async fn docs_page_renders_without_internet() {
    let app = TestApp::new(Backend::Sqlite).await;
    let redirect = app.open("/docs").await;
    assert!(redirect.status.is_redirection());
    let page = app.open("/docs/").await;
    page.assert_status(200);
    let html = page.text();
    assert!(html.contains("swagger-ui"), "{html}");
    // Every script and stylesheet is served by clu itself, none from a CDN.
    assert!(!html.contains("https://"), "{html}");
    let script = app.open("/docs/swagger-ui-bundle.js").await;
    script.assert_status(200);
    assert!(script.body.len() > 100_000);
    let init = app.open("/docs/swagger-initializer.js").await;
    assert!(
        init.assert_status(200)
            .text()
            .contains("/api/v1/openapi.json")
    );
}
