//! Bad input gets a clear problem+json answer, never a 500, and writes nothing.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    malformed_json_is_a_bad_request,
    unknown_fields_and_wrong_types_are_validation_errors,
    oversized_bodies_and_wrong_content_types_are_refused,
    unknown_routes_are_problem_not_found,
    probes_answer_and_requests_carry_an_id,
    bad_query_parameters_are_client_errors,
);

fn raw(
    method: Method,
    path: &str,
    token: &str,
    content_type: &str,
    body: impl Into<Vec<u8>>,
) -> TestRequest {
    TestRequest::default()
        .method(method)
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", content_type.to_owned()))
        .set_payload(body.into())
}

async fn malformed_json_is_a_bad_request(app: TestApp) {
    let admin = app.admin().await;
    let deep = "[".repeat(100_000);
    let bodies: Vec<Vec<u8>> = vec![
        b"{".to_vec(),
        b"{\"name\": \"x\",}".to_vec(),
        b"".to_vec(),
        b"{\"name\":\"\xff\xfe\"}".to_vec(),
        b"{} {}".to_vec(),
        deep.into_bytes(),
    ];
    for body in bodies {
        let shown = String::from_utf8_lossy(&body[..body.len().min(20)]).into_owned();
        let response = app
            .send(raw(
                Method::POST,
                "/api/v1/structures",
                &admin,
                "application/json",
                body,
            ))
            .await;
        let problem = response.assert_problem(400);
        assert!(
            problem["detail"].as_str().expect("detail").contains("JSON"),
            "{shown}: {problem}"
        );
    }
    // Login too: malformed credentials are a 400, not a 401 or a 500.
    let response = app
        .send(raw(
            Method::POST,
            "/api/v1/auth/login",
            "",
            "application/json",
            "{\"email\":",
        ))
        .await;
    response.assert_problem(400);
    assert_eq!(
        app.get("/api/v1/structures", &admin).await.json()["total"],
        0
    );
}

async fn unknown_fields_and_wrong_types_are_validation_errors(app: TestApp) {
    let admin = app.admin().await;
    let base =
        json!({"name": "P", "department_code": "52", "city": "Chaumont", "service_name": "SGCD"});
    let mut unknown = base.clone();
    unknown["colour"] = json!("blue");
    assert_eq!(
        app.post("/api/v1/structures", &admin, unknown)
            .await
            .error_fields(),
        ["colour"]
    );
    let mut wrong_type = base.clone();
    wrong_type["letterhead"] = json!("one line");
    assert_eq!(
        app.post("/api/v1/structures", &admin, wrong_type)
            .await
            .error_fields(),
        ["letterhead"]
    );
    let mut nested = base.clone();
    nested["case_officer"] = json!({"name": "M", "fax": "01"});
    assert_eq!(
        app.post("/api/v1/structures", &admin, nested)
            .await
            .error_fields(),
        ["case_officer.fax"]
    );
    assert_eq!(
        app.post("/api/v1/structures", &admin, json!("a string"))
            .await
            .error_fields(),
        ["body"]
    );
    let missing = json!({"name": "P"});
    assert_eq!(
        app.post("/api/v1/structures", &admin, missing)
            .await
            .error_fields()
            .len(),
        1
    );
    let login = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "a@b.c"})),
        )
        .await;
    assert_eq!(login.error_fields(), ["password"]);
    assert_eq!(
        app.get("/api/v1/structures", &admin).await.json()["total"],
        0
    );
}

async fn oversized_bodies_and_wrong_content_types_are_refused(app: TestApp) {
    let admin = app.admin().await;
    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(300 * 1024));
    let response = app
        .send(raw(
            Method::POST,
            "/api/v1/structures",
            &admin,
            "application/json",
            huge,
        ))
        .await;
    response.assert_problem(413);
    let just_under = format!(
        "{{\"name\":\"{}\",\"department_code\":\"52\",\"city\":\"C\",\"service_name\":\"S\"}}",
        "x".repeat(200 * 1024)
    );
    let response = app
        .send(raw(
            Method::POST,
            "/api/v1/structures",
            &admin,
            "application/json",
            just_under,
        ))
        .await;
    assert_eq!(
        response.error_fields(),
        ["name"],
        "under the limit, the body is read and validated"
    );
    let form = app
        .send(raw(
            Method::POST,
            "/api/v1/structures",
            &admin,
            "application/x-www-form-urlencoded",
            "name=x",
        ))
        .await;
    form.assert_problem(415);
    let charset = raw(
        Method::POST,
        "/api/v1/structures",
        &admin,
        "application/json; charset=utf-8",
        json!({"name": "P", "department_code": "52", "city": "C", "service_name": "S"}).to_string(),
    );
    app.send(charset).await.assert_status(201);
}

async fn unknown_routes_are_problem_not_found(app: TestApp) {
    let admin = app.admin().await;
    app.get("/api/v1/nothing-here", &admin)
        .await
        .assert_problem(404);
    app.get("/nothing", &admin).await.assert_problem(404);
    // A known path with a method it does not have: 405, saying which.
    let wrong = app
        .request(Method::PUT, "/api/v1/auth/me", Some(&admin), None)
        .await;
    wrong.assert_problem(405);
    assert_eq!(
        wrong.headers.get("allow").and_then(|v| v.to_str().ok()),
        Some("GET, HEAD, OPTIONS")
    );
}

async fn probes_answer_and_requests_carry_an_id(app: TestApp) {
    let healthz = app.open("/healthz").await;
    healthz.assert_status(200);
    let readyz = app.open("/readyz").await;
    let body = readyz.assert_status(200).json();
    let expected = match app.backend {
        crate::common::Backend::Sqlite => "sqlite",
        crate::common::Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
    let id = readyz
        .headers
        .get("x-request-id")
        .expect("request id")
        .to_str()
        .expect("ascii");
    assert!(uuid::Uuid::parse_str(id).is_ok());
    let other = healthz
        .headers
        .get("x-request-id")
        .expect("request id")
        .to_str()
        .expect("ascii");
    assert_ne!(id, other);
    assert_eq!(
        readyz
            .headers
            .get("x-content-type-options")
            .expect("nosniff"),
        "nosniff"
    );
}

async fn bad_query_parameters_are_client_errors(app: TestApp) {
    let admin = app.admin().await;
    app.get("/api/v1/structures?limit=abc", &admin)
        .await
        .assert_problem(400);
    assert_eq!(
        app.get("/api/v1/structures?limit=501", &admin)
            .await
            .error_fields(),
        ["limit"]
    );
    assert_eq!(
        app.get("/api/v1/structures?offset=-1", &admin)
            .await
            .error_fields(),
        ["offset"]
    );
    app.get("/api/v1/audit?since=yesterday", &admin)
        .await
        .assert_problem(400);
    app.get("/api/v1/structures?limit=500", &admin)
        .await
        .assert_status(200);
}
