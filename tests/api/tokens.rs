//! Access tokens: everything but a valid, current, well-formed HS256 token
//! for this audience is a 401; account changes revoke tokens at once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

use crate::common::{JWT_SECRET, PASSWORD, TestApp};
use crate::on_both_backends;

on_both_backends!(
    forged_and_malformed_tokens_are_refused,
    changing_password_revokes_tokens,
    disabling_or_deleting_a_user_revokes_tokens,
    changing_role_revokes_tokens,
);

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("json")
}

fn sign(claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("sign")
}

fn unsigned(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

async fn forged_and_malformed_tokens_are_refused(app: TestApp) {
    let token = app.admin().await;
    app.get("/api/v1/auth/me", &token).await.assert_status(200);
    let claims = claims_of(&token);
    // Re-signing the real claims with the real key is accepted: the cases
    // below fail for the one thing they change.
    app.get("/api/v1/auth/me", &sign(&claims))
        .await
        .assert_status(200);

    // A character in the middle of the signature: its last one may carry
    // only base64 padding bits, which decoding ignores.
    let signature_start = token.rfind('.').expect("three parts") + 1;
    let middle = signature_start + (token.len() - signature_start) / 2;
    let mut tampered = token.clone().into_bytes();
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");

    let with = |key: &str, value: Value| {
        let mut changed = claims.clone();
        changed[key] = value;
        changed
    };
    let now = Utc::now().timestamp();
    let mut without_sub = claims.clone();
    without_sub.as_object_mut().expect("object").remove("sub");
    let cases = [
        ("tampered signature", tampered),
        (
            "alg none",
            unsigned(&json!({"alg": "none", "typ": "JWT"}), &claims),
        ),
        ("wrong audience", sign(&with("aud", json!("clu-rsvp")))),
        ("wrong issuer", sign(&with("iss", json!("someone-else")))),
        ("expired", sign(&with("exp", json!(now - 60)))),
        (
            "string exp",
            sign(&with("exp", json!((now + 600).to_string()))),
        ),
        ("wrong typ", sign(&with("typ", json!("rsvp")))),
        ("no sub", sign(&without_sub)),
        ("other key", {
            jsonwebtoken::encode(
                &Header::default(),
                &claims,
                &EncodingKey::from_secret(&[9u8; 32]),
            )
            .expect("sign")
        }),
        ("HS512", {
            jsonwebtoken::encode(
                &Header::new(jsonwebtoken::Algorithm::HS512),
                &claims,
                &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
            )
            .expect("sign")
        }),
        ("garbage", "not.a.token".into()),
    ];
    for (case, token) in cases {
        let response = app.get("/api/v1/auth/me", &token).await;
        assert_eq!(response.status.as_u16(), 401, "{case}: {}", response.text());
        assert_eq!(
            response.content_type(),
            "application/problem+json",
            "{case}"
        );
    }
}

async fn changing_password_revokes_tokens(app: TestApp) {
    let admin = app.admin().await;
    let structure = app.structure(&admin, "Préfecture du Cher").await;
    let (id, token) = app
        .user(&admin, &structure, "reader", "lecteur@clu.test")
        .await;
    app.get("/api/v1/auth/me", &token).await.assert_status(200);
    app.patch(
        &format!("/api/v1/users/{id}"),
        &admin,
        json!({"password": "un tout nouveau mot de passe"}),
    )
    .await
    .assert_status(200);
    app.get("/api/v1/auth/me", &token).await.assert_problem(401);
    app.login("lecteur@clu.test", PASSWORD)
        .await
        .assert_problem(401);
    app.login("lecteur@clu.test", "un tout nouveau mot de passe")
        .await
        .assert_status(200);
}

async fn disabling_or_deleting_a_user_revokes_tokens(app: TestApp) {
    let admin = app.admin().await;
    let structure = app.structure(&admin, "Préfecture du Cher").await;
    let (disabled, disabled_token) = app.user(&admin, &structure, "reader", "a@clu.test").await;
    let (deleted, deleted_token) = app.user(&admin, &structure, "reader", "b@clu.test").await;

    app.patch(
        &format!("/api/v1/users/{disabled}"),
        &admin,
        json!({"active": false}),
    )
    .await
    .assert_status(200);
    app.get("/api/v1/auth/me", &disabled_token)
        .await
        .assert_problem(401);
    // A disabled account cannot log in, and says so like any bad credentials.
    app.login("a@clu.test", PASSWORD).await.assert_problem(401);

    app.delete(&format!("/api/v1/users/{deleted}"), &admin)
        .await
        .assert_status(204);
    app.get("/api/v1/auth/me", &deleted_token)
        .await
        .assert_problem(401);
    app.get(&format!("/api/v1/users/{deleted}"), &admin)
        .await
        .assert_problem(404);
}

async fn changing_role_revokes_tokens(app: TestApp) {
    let admin = app.admin().await;
    let structure = app.structure(&admin, "Préfecture du Cher").await;
    let (id, token) = app
        .user(&admin, &structure, "secretariat", "s@clu.test")
        .await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        &admin,
        json!({"role": "reader"}),
    )
    .await
    .assert_status(200);
    app.get("/api/v1/auth/me", &token).await.assert_problem(401);
    let fresh = app.token("s@clu.test").await;
    assert_eq!(
        app.get("/api/v1/auth/me", &fresh).await.json()["role"],
        "reader"
    );
}
