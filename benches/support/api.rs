//! A small JSON client for the seeding and the checks (awc, on loopback).

use std::time::Duration;

use actix_web::http::Method;
use serde_json::Value;

pub struct Api {
    client: awc::Client,
    pub base: String,
}

/// A response: its status and its body, parsed when it is JSON.
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

impl Api {
    pub fn new(base: &str) -> Self {
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .connector(awc::Connector::new().limit(256))
            .finish();
        Self {
            client,
            base: base.to_owned(),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Reply, String> {
        let mut request = self
            .client
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.insert_header(("Authorization", format!("Bearer {token}")));
        }
        let sent = match body {
            Some(body) => request.send_json(body).await,
            None => request.send().await,
        };
        let mut response = sent.map_err(|e| format!("{method} {path}: {e}"))?;
        let bytes = response
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Ok(Reply {
            status: response.status().as_u16(),
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text,
        })
    }

    /// A call that must answer `expected`; its body.
    pub async fn expect(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
        expected: u16,
    ) -> Result<Value, String> {
        let reply = self.call(method.clone(), path, Some(token), body).await?;
        if reply.status != expected {
            return Err(format!(
                "{method} {path}: {} instead of {expected}: {}",
                reply.status, reply.text
            ));
        }
        Ok(reply.body)
    }

    pub async fn get(&self, path: &str, token: &str) -> Result<Value, String> {
        self.expect(Method::GET, path, token, None, 200).await
    }

    /// The `total` of a list (`?limit=1` is enough).
    pub async fn total(&self, path: &str, token: &str) -> Result<i64, String> {
        let page = self.get(path, token).await?;
        page["total"]
            .as_i64()
            .ok_or_else(|| format!("GET {path}: no total in {page}"))
    }

    /// POSTs, expects 201, returns the new record's id.
    pub async fn create(&self, path: &str, token: &str, body: &Value) -> Result<String, String> {
        let created = self
            .expect(Method::POST, path, token, Some(body), 201)
            .await?;
        created["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("POST {path}: no id in {created}"))
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<String, String> {
        let body = serde_json::json!({"email": email, "password": password});
        let reply = self
            .call(Method::POST, "/api/v1/auth/login", None, Some(&body))
            .await?;
        reply.body["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("login {email}: {} {}", reply.status, reply.text))
    }
}
