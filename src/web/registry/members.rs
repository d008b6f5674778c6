//! The members: the list (search, filters, paging), one member's page,
//! archiving or deleting, and the CSV export (adding and editing:
//! `member_form`).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{MEMBERS, TRAIL, encode, labels, page_number, param};
use crate::auth::caller::need;
use crate::domain::registry::history::{self, MemberHistory};
use crate::domain::registry::members::{self, Member};
use crate::domain::registry::organizations::Removal;
use crate::domain::registry::{committees, csv as member_csv, organizations};
use crate::domain::text::search_terms;
use crate::state::AppState;
use crate::store::Page;
use crate::store::members::MemberFilter;
use crate::store::organizations::OrganizationFilter;
use crate::web::csrf::{CsrfForm, NoFields};
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::layout::{self, Layout, Nav, Pager};
use crate::web::session::{Staff, StaffCan};

/// Organizations and committees offered in the drop-down lists.
pub(super) const CHOICES: Page = Page {
    limit: 1000,
    offset: 0,
};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    organisation: Option<String>,
    comite: Option<String>,
    archives: Option<String>,
    page: Option<String>,
    /// Set after an import: how many lines it took.
    importe: Option<String>,
    supprime: Option<String>,
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub function: String,
    pub organization: String,
    pub email: String,
    pub committees: i64,
    pub archived: bool,
}

impl From<Member> for Row {
    fn from(member: Member) -> Self {
        Self {
            name: labels::member_name(&member),
            function: member.function.unwrap_or_default(),
            organization: member.organization.map(|o| o.name).unwrap_or_default(),
            email: member.email.unwrap_or_default(),
            committees: 0,
            archived: member.archived_at.is_some(),
            id: member.id,
        }
    }
}

#[derive(Template)]
#[template(path = "web/registry/members.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    q: String,
    organization: String,
    committee: String,
    archived: bool,
    organizations: Vec<(String, String)>,
    committees: Vec<(String, String)>,
    /// Whether a search or a filter is in force (the empty state differs).
    filtered: bool,
    pager: Pager,
    can_write: bool,
    notice: String,
}

pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<ListQuery>,
) -> WebResult<HttpResponse> {
    let q = param(&query.q).unwrap_or_default();
    let organization = param(&query.organisation).unwrap_or_default();
    let committee = param(&query.comite).unwrap_or_default();
    let archived = query.archives.is_some();
    let page = page_number(&query.page);
    let filter = MemberFilter {
        terms: search_terms(&q),
        organization_id: Some(organization.clone()).filter(|o| !o.is_empty()),
        committee_id: Some(committee.clone()).filter(|c| !c.is_empty()),
        include_archived: archived,
    };
    let scope = staff.caller.scope();
    let (found, counts, total, orgs, comms) = state
        .db
        .read(move |conn| {
            let (found, total) = members::list(conn, &scope, &filter, Some(Pager::page_of(page)))?;
            let counts = history::committee_counts(conn, &found)?;
            let all = OrganizationFilter {
                terms: Vec::new(),
                include_archived: false,
            };
            let (orgs, _) = organizations::list(conn, &scope, &all, CHOICES)?;
            let (comms, _) = committees::list(conn, &scope, CHOICES)?;
            Ok((found, counts, total, orgs, comms))
        })
        .await?;
    let archives = if archived { "1" } else { "" };
    let kept = encode(&[
        ("q", &q),
        ("organisation", &organization),
        ("comite", &committee),
        ("archives", archives),
    ]);
    let notice = match (page_number(&query.importe), &query.supprime) {
        (Some(n), _) => labels::imported(n),
        (None, Some(_)) => "Le membre a été supprimé.".to_owned(),
        _ => String::new(),
    };
    let page = ListPage {
        layout: Layout::staff(&staff, "Membres", Nav::Registry, &[TRAIL]),
        rows: found
            .into_iter()
            .map(|member| Row {
                committees: counts.get(&member.id).copied().unwrap_or(0),
                ..Row::from(member)
            })
            .collect(),
        filtered: !q.is_empty() || !organization.is_empty() || !committee.is_empty() || archived,
        q,
        organization,
        committee,
        archived,
        organizations: choices(orgs.into_iter().map(|o| (o.id, o.name)), "Toutes"),
        committees: choices(comms.into_iter().map(|c| (c.id, c.name)), "Tous"),
        pager: Pager::new(MEMBERS, &kept, page, total),
        can_write: staff.can::<need::Write>(),
        notice,
    };
    Ok(layout::ok(&page)?)
}

/// A drop-down list's options, the empty choice first.
pub(super) fn choices(
    items: impl Iterator<Item = (String, String)>,
    none: &str,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), none.to_owned()))
        .chain(items)
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    cree: Option<String>,
    enregistre: Option<String>,
    archive: Option<String>,
    anonymise: Option<String>,
}

#[derive(Template)]
#[template(path = "web/registry/member.html")]
struct ShowPage {
    layout: Layout,
    id: String,
    civility: String,
    function: String,
    organization: String,
    email: String,
    phone: String,
    archived: bool,
    anonymized: bool,
    seats: Vec<labels::SeatRow>,
    meetings: Vec<labels::MeetingRow>,
    can_write: bool,
    notice: String,
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> WebResult<HttpResponse> {
    let (scope, id) = (staff.caller.scope(), id.into_inner());
    let MemberHistory {
        member,
        seats,
        meetings,
    } = state
        .db
        .read(move |conn| history::of_member(conn, &scope, &id))
        .await?;
    let notice = if query.cree.is_some() {
        "Le membre a été ajouté au registre."
    } else if query.enregistre.is_some() {
        "Les modifications ont été enregistrées."
    } else if query.archive.is_some() {
        "Le membre a été archivé : des comités, réunions ou courriels le mentionnent, son historique est gardé."
    } else if query.anonymise.is_some() {
        "Les données personnelles du membre ont été effacées ; son historique est gardé."
    } else {
        ""
    };
    let name = labels::member_name(&member);
    let page = ShowPage {
        layout: Layout::staff(&staff, &name, Nav::Registry, &[TRAIL, ("Membres", MEMBERS)]),
        civility: member
            .civility
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        function: member.function.unwrap_or_default(),
        organization: member.organization.map(|o| o.name).unwrap_or_default(),
        email: member.email.unwrap_or_default(),
        phone: member.phone.unwrap_or_default(),
        archived: member.archived_at.is_some(),
        anonymized: member.anonymized_at.is_some(),
        id: member.id,
        seats: seats.into_iter().map(labels::SeatRow::from).collect(),
        meetings: meetings.into_iter().map(labels::MeetingRow::from).collect(),
        can_write: staff.can::<need::Write>(),
        notice: notice.to_owned(),
    };
    Ok(layout::ok(&page)?)
}

/// The member `id` of the caller's structure (404 otherwise).
pub(super) async fn member(state: &AppState, staff: &Staff, id: String) -> WebResult<Member> {
    let scope = staff.caller.scope();
    Ok(state
        .db
        .read(move |conn| members::get(conn, &scope, &id))
        .await?)
}

#[derive(Template)]
#[template(path = "web/registry/member_remove.html")]
struct RemovePage {
    layout: Layout,
    id: String,
    name: String,
}

pub async fn remove_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let member = member(&state, &staff, id.into_inner()).await?;
    let name = labels::member_name(&member);
    let href = format!("{MEMBERS}/{}", member.id);
    let page = RemovePage {
        layout: Layout::staff(
            &staff,
            &format!("Archiver ou supprimer {name}"),
            Nav::Registry,
            &[TRAIL, ("Membres", MEMBERS), (&name, &href)],
        ),
        id: member.id,
        name,
    };
    Ok(layout::ok(&page)?)
}

/// Deletes the member, or archives them when history refers to them.
pub async fn remove(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (caller, now, id) = (staff.caller.clone(), state.clock.now(), id.into_inner());
    Ok(
        match state
            .db
            .write(move |conn| members::delete(conn, &caller, now, &id))
            .await?
        {
            Removal::Deleted => layout::see_other(&format!("{MEMBERS}?supprime=1")),
            Removal::Archived(member) => {
                layout::see_other(&format!("{MEMBERS}/{}?archive=1", member.id))
            }
        },
    )
}

/// The members as CSV, in the columns the import reads (readers too, as the API).
pub async fn export_csv(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Read>,
) -> WebResult<HttpResponse> {
    let scope = staff.caller.scope();
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
