//! `POST /auth/login`, `GET /auth/me`, `POST /auth/password`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::Json;
use super::problems::{Authenticated, JsonBody, RateLimited};
use crate::auth::Caller;
use crate::domain::accounts::login::Credentials;
use crate::domain::accounts::users::User;
use crate::error::{AppResult, Problem};
use crate::service;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    pub user: User,
}

/// The client's address, as the login throttle counts it.
pub fn client_address(req: &HttpRequest, state: &AppState) -> String {
    crate::auth::client::address(req, &state.proxies)
}

/// Exchanges e-mail and password for a short-lived access token.
#[utoipa::path(tag = "auth", request_body = Credentials, responses(
    (status = 200, body = LoginResponse),
    JsonBody,
    (status = 401, description = "Unknown e-mail or wrong password (same answer)", body = Problem, content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "Always `Bearer`"))),
    RateLimited,
))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    credentials: Json<Credentials>,
) -> AppResult<web::Json<LoginResponse>> {
    let credentials = credentials.into_inner()?;
    let user = service::auth::sign_in(&state, credentials, &client_address(&req, &state)).await?;
    let ttl = state.settings.token_ttl_seconds;
    let access_token = state.keys.issue_access(
        &user.id,
        &user.role,
        user.structure_id.as_deref(),
        user.token_version,
        state.clock.now(),
        ttl,
    )?;
    Ok(web::Json(LoginResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: ttl,
        user: user.try_into()?,
    }))
}

/// The authenticated user.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = User),
    Authenticated,
))]
#[get("/auth/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> AppResult<web::Json<User>> {
    let id = caller.user_id.clone();
    let scope = caller.scope();
    let user = state
        .db
        .read(move |conn| crate::domain::accounts::users::get(conn, &scope, &id))
        .await?;
    Ok(web::Json(user))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// 12 to 128 characters.
    pub new_password: String,
}

/// Changes the caller's own password, given the current one. Every token
/// of the account stops working, this one included: sign in again.
#[utoipa::path(tag = "auth", security(("bearer" = [])), request_body = PasswordChange, responses(
    (status = 204, description = "Changed; sign in again"),
    Authenticated, JsonBody, RateLimited,
))]
#[post("/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    change: Json<PasswordChange>,
) -> AppResult<HttpResponse> {
    let change = change.into_inner()?;
    service::auth::change_own_password(
        &state,
        &caller,
        change.current_password,
        change.new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
