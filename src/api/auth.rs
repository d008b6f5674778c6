//! `POST /auth/login`, `GET /auth/me`.

use actix_web::{HttpRequest, get, post, web};

use super::extract::Json;
use super::problems::{Authenticated, JsonBody, RateLimited};
use crate::auth::Caller;
use crate::domain::login::{Credentials, LoginResponse};
use crate::domain::users::User;
use crate::error::{AppResult, Problem};
use crate::state::AppState;

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
    let client = req
        .peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    Ok(web::Json(
        crate::domain::login::login(&state, credentials, client).await?,
    ))
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
        .read(move |conn| crate::domain::users::get(conn, &scope, &id))
        .await?;
    Ok(web::Json(user))
}
