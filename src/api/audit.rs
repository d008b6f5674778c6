//! `GET /audit`: the audit trail of the caller's structure.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{List, Paging};
use super::problems::{Authenticated, Invalid, Query, Restricted};
use crate::auth::caller::{Can, need};
use crate::domain::audit::{self, AuditEvent};
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::audit::AuditFilter;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `structure`, `user`, …
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Events at or after this instant (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Events before this instant (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

/// Newest first.
#[utoipa::path(tag = "audit", security(("bearer" = [])), params(AuditQuery, Paging), responses(
    (status = 200, body = List<AuditEvent>),
    Authenticated, Restricted, Query, Invalid,
))]
#[get("/audit")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::ReadAudit>,
    query: web::Query<AuditQuery>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<List<AuditEvent>>> {
    let (scope, page) = (caller.scope(), paging.page()?);
    let query = query.into_inner();
    let filter = AuditFilter {
        entity: query.entity,
        entity_id: query.entity_id,
        since: query.since.map(|s| s.naive_utc()),
        until: query.until.map(|u| u.naive_utc()),
        ..AuditFilter::default()
    };
    let list = state
        .db
        .read(move |conn| audit::list(conn, &scope, &filter, page))
        .await?;
    Ok(web::Json(list.into()))
}
