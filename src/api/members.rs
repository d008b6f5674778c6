//! `/members`: the people of the registry, with search, CSV and GDPR.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::conditional;
use super::extract::{Json, List, Paging};
use super::problems::{Authenticated, ById, Invalid, JsonBody, Query, Restricted};
use crate::auth::caller::{Can, need};
use crate::domain::registry::csv::{self as member_csv, CSV_LIMIT};
use crate::domain::registry::gdpr::{self, MemberExport};
use crate::domain::registry::import::{self as member_import, ImportReport};
use crate::domain::registry::members::{self, Member, MemberPatch, NewMember};
use crate::domain::registry::organizations::Removal;
use crate::domain::text::search_terms;
use crate::error::{AppError, AppResult, Problem};
use crate::state::AppState;
use crate::store::members::MemberFilter;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Words of the first name, last name or organization, accents and case ignored.
    pub q: Option<String>,
    pub organization_id: Option<Uuid>,
    /// Members with a membership in this committee.
    pub committee_id: Option<Uuid>,
    /// Include archived (and anonymised) members.
    #[serde(default)]
    pub include_archived: bool,
}

/// By last name, then first name.
#[utoipa::path(tag = "registry", security(("bearer" = [])), params(MemberQuery, Paging), responses(
    (status = 200, body = List<Member>),
    Authenticated, Query, Invalid,
))]
#[get("/members")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    query: web::Query<MemberQuery>,
    paging: web::Query<Paging>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let (scope, page) = (caller.scope(), paging.page()?);
    let filter = MemberFilter {
        terms: search_terms(query.q.as_deref().unwrap_or_default()),
        organization_id: query.organization_id.map(|id| id.to_string()),
        committee_id: query.committee_id.map(|id| id.to_string()),
        include_archived: query.include_archived,
    };
    conditional::json(&state, &caller, &req, move |conn| {
        Ok(List::from(members::list(
            conn,
            &scope,
            &filter,
            Some(page),
        )?))
    })
    .await
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), request_body = NewMember, responses(
    (status = 201, body = Member),
    Authenticated, Restricted, JsonBody,
))]
#[post("/members")]
pub async fn create(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    input: Json<NewMember>,
) -> AppResult<HttpResponse> {
    let input = input.into_inner()?;
    let now = state.clock.now();
    let created = state
        .db
        .write(move |conn| members::create(conn, &caller, now, input))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Member),
    Authenticated, ById,
))]
#[get("/members/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Member>> {
    let (scope, id) = (caller.scope(), id.to_string());
    Ok(web::Json(
        state
            .db
            .read(move |conn| members::get(conn, &scope, &id))
            .await?,
    ))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = MemberPatch, responses(
    (status = 200, body = Member),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "Anonymised", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/members/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    patch: Json<MemberPatch>,
) -> AppResult<web::Json<Member>> {
    let patch = patch.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| members::update(conn, &caller, now, &id, patch, None))
            .await?,
    ))
}

/// Deletes the member, or archives them when history refers to them.
#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Archived: history refers to the member", body = Member),
    (status = 204, description = "Deleted"),
    Authenticated, Restricted, ById,
))]
#[delete("/members/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(
        match state
            .db
            .write(move |conn| members::delete(conn, &caller, now, &id))
            .await?
        {
            Removal::Deleted => HttpResponse::NoContent().finish(),
            Removal::Archived(member) => HttpResponse::Ok().json(member),
        },
    )
}

/// GDPR: everything held about the person.
#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = MemberExport),
    Authenticated, Restricted, ById,
))]
#[get("/members/{id}/export")]
pub async fn export(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (now, scope, id) = (state.clock.now(), caller.scope(), id.to_string());
    let export = state
        .db
        .read(move |conn| gdpr::export(conn, &scope, &id, now))
        .await?;
    let filename = format!("attachment; filename=\"membre-{}.json\"", export.member.id);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_DISPOSITION, filename))
        .json(export))
}

/// GDPR: erases the person's identity, keeps the history.
#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Member),
    Authenticated, Restricted, ById,
))]
#[post("/members/{id}/anonymize")]
pub async fn anonymize(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Member>> {
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| gdpr::anonymize(conn, &caller, now, &id))
            .await?,
    ))
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check and report without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// Imports members from CSV (columns civility, first_name, last_name,
/// function, organization, email, phone; `;` or `,`; UTF-8 with or without
/// BOM). All or nothing: a 422 lists every bad line.
#[utoipa::path(tag = "registry", security(("bearer" = [])), params(ImportQuery), request_body(content = String, content_type = "text/csv"), responses(
    (status = 200, body = ImportReport),
    Authenticated, Restricted, Query,
    (status = 400, description = "Unreadable body, or a query parameter of the wrong type", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Content-Type is not `text/csv`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad lines, each with its number", body = Problem, content_type = "application/problem+json"),
))]
#[post("/members/import")]
pub async fn import(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    query: web::Query<ImportQuery>,
    req: HttpRequest,
    body: web::Payload,
) -> AppResult<web::Json<ImportReport>> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("text/csv") && !content_type.starts_with("application/csv") {
        return Err(AppError::UnsupportedMediaType(format!(
            "{content_type} (attendu : text/csv)"
        )));
    }
    let body = body
        .to_bytes_limited(CSV_LIMIT)
        .await
        .map_err(|_| AppError::PayloadTooLarge { limit: CSV_LIMIT })?
        .map_err(|e| AppError::BadRequest(format!("corps illisible : {e}")))?;
    let (now, dry_run) = (state.clock.now(), query.dry_run);
    let report = state
        .db
        .write(move |conn| member_import::import(conn, &caller, now, &body, dry_run))
        .await?;
    Ok(web::Json(report))
}

/// The members as CSV, in the columns the import reads.
#[utoipa::path(tag = "registry", security(("bearer" = [])), responses(
    (status = 200, description = "UTF-8 with BOM, `;`-separated", content_type = "text/csv"),
    Authenticated,
))]
#[get("/members.csv")]
pub async fn export_csv(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
) -> AppResult<HttpResponse> {
    let scope = caller.scope();
    let csv = state
        .db
        .read(move |conn| member_csv::export(conn, &scope))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"membres.csv\"",
        ))
        .body(csv))
}
