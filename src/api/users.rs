//! `/users`: staff accounts, managed by administrators and, within their
//! structure, by the secrétariat.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::extract::{Json, List, Paging};
use super::problems::{Authenticated, ById, Invalid, JsonBody, Query, Restricted};
use crate::auth::caller::{Can, need};
use crate::auth::password;
use crate::domain::accounts::users::{self, NewUser, PreparedUser, User, UserPatch};
use crate::error::{AppResult, Problem};
use crate::state::AppState;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only the users of this structure.
    pub structure_id: Option<Uuid>,
}

#[utoipa::path(tag = "users", security(("bearer" = [])), params(UserFilter, Paging), responses(
    (status = 200, body = List<User>),
    Authenticated, Restricted, Query, Invalid,
))]
#[get("/users")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::ManageUsers>,
    filter: web::Query<UserFilter>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<List<User>>> {
    let (scope, page) = (caller.scope(), paging.page()?);
    let structure_id = filter.structure_id.map(|id| id.to_string());
    let list = state
        .db
        .read(move |conn| users::list(conn, &scope, structure_id.as_deref(), page))
        .await?;
    Ok(web::Json(list.into()))
}

#[utoipa::path(tag = "users", security(("bearer" = [])), request_body = NewUser, responses(
    (status = 201, body = User),
    Authenticated, Restricted, JsonBody,
    (status = 409, description = "E-mail already used", body = Problem, content_type = "application/problem+json"),
))]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::ManageUsers>,
    input: Json<NewUser>,
) -> AppResult<HttpResponse> {
    let mut input = input.into_inner()?;
    users::check_new(&mut input)?;
    let plain = input.password.clone();
    let password_hash = web::block(move || password::hash(&plain)).await??;
    let now = state.clock.now();
    let user = state
        .db
        .write(move |conn| {
            users::create(
                conn,
                &caller,
                now,
                PreparedUser {
                    input,
                    password_hash,
                },
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(user))
}

#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = User),
    Authenticated, Restricted, ById,
))]
#[get("/users/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::ManageUsers>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<User>> {
    let (scope, id) = (caller.scope(), id.to_string());
    Ok(web::Json(
        state
            .db
            .read(move |conn| users::get(conn, &scope, &id))
            .await?,
    ))
}

#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UserPatch, responses(
    (status = 200, body = User),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "E-mail already used, or one's own role or activation", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::ManageUsers>,
    id: web::Path<Uuid>,
    patch: Json<UserPatch>,
) -> AppResult<web::Json<User>> {
    let (mut patch, id) = (patch.into_inner()?, id.to_string());
    users::check_patch(&caller, &id, &mut patch)?;
    let password_hash = match patch.password.take() {
        Some(plain) => Some(web::block(move || password::hash(&plain)).await??),
        None => None,
    };
    let now = state.clock.now();
    let user = state
        .db
        .write(move |conn| users::update(conn, &caller, now, &id, patch, password_hash))
        .await?;
    Ok(web::Json(user))
}

/// Deletes the account; its tokens stop working at once.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 204, description = "Deleted"),
    Authenticated, Restricted, ById,
    (status = 409, description = "One's own account", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/users/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::ManageUsers>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (now, id) = (state.clock.now(), id.to_string());
    state
        .db
        .write(move |conn| users::delete(conn, &caller, now, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
