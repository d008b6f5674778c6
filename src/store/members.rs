//! The `members` table, with the organization each member represents.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Page, Scope};
use crate::db::DbConn;
use crate::db::schema::{invitations, meetings, members, memberships, organizations, outbox};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = members, treat_none_as_null = true)]
pub struct MemberRow {
    pub id: String,
    pub structure_id: String,
    pub civility: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub function: Option<String>,
    pub organization_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Folded first and last names, searched.
    pub search_key: String,
    pub archived_at: Option<NaiveDateTime>,
    pub anonymized_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The organization's name and acronym, when the member has one.
pub type OrganizationName = Option<(String, Option<String>)>;

pub fn insert(conn: &mut DbConn, row: &MemberRow) -> QueryResult<()> {
    diesel::insert_into(members::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut DbConn, row: &MemberRow) -> QueryResult<()> {
    diesel::update(members::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::delete(members::table.find(id))
        .execute(conn)
        .map(drop)
}

/// The member `id` if visible in `scope`; `NotFound` otherwise.
pub fn find(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
) -> QueryResult<Option<(MemberRow, OrganizationName)>> {
    let mut query = members::table
        .left_join(organizations::table)
        .filter(members::id.eq(id.to_owned()))
        .select((
            MemberRow::as_select(),
            (organizations::name, organizations::acronym).nullable(),
        ))
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(members::structure_id.eq(own.clone()));
    }
    query.first(conn).optional()
}

/// A member of the structure with this e-mail (the CSV import matches on it).
pub fn find_by_email(
    conn: &mut DbConn,
    structure_id: &str,
    email: &str,
) -> QueryResult<Option<MemberRow>> {
    members::table
        .filter(members::structure_id.eq(structure_id))
        .filter(members::email.eq(email))
        .filter(members::anonymized_at.is_null())
        .select(MemberRow::as_select())
        .first(conn)
        .optional()
}

/// A member of the structure with these folded names in this organization.
pub fn find_by_names(
    conn: &mut DbConn,
    structure_id: &str,
    search_key: &str,
    organization_id: Option<&str>,
) -> QueryResult<Option<MemberRow>> {
    let mut query = members::table
        .filter(members::structure_id.eq(structure_id))
        .filter(members::search_key.eq(search_key))
        .filter(members::anonymized_at.is_null())
        .select(MemberRow::as_select())
        .into_boxed();
    query = match organization_id {
        Some(id) => query.filter(members::organization_id.eq(id.to_owned())),
        None => query.filter(members::organization_id.is_null()),
    };
    query.first(conn).optional()
}

#[derive(Debug, Default)]
pub struct MemberFilter {
    /// Folded words; each must appear in the member's names or in their
    /// organization's name or acronym.
    pub terms: Vec<String>,
    pub organization_id: Option<String>,
    pub committee_id: Option<String>,
    pub include_archived: bool,
}

/// Ordered by last name, first name.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &MemberFilter,
    page: Option<Page>,
) -> QueryResult<(Vec<(MemberRow, OrganizationName)>, i64)> {
    let filtered = || {
        // The organization within the member's structure too: the
        // planner then reads only that structure's organizations (through
        // `organizations_structure_name`), not a hash of every structure's.
        let mut query = members::table
            .left_join(
                organizations::table.on(organizations::id
                    .nullable()
                    .eq(members::organization_id)
                    .and(organizations::structure_id.eq(members::structure_id))),
            )
            .into_boxed();
        if let Scope::Structure(own) = scope {
            query = query.filter(members::structure_id.eq(own.clone()));
        }
        if !filter.include_archived {
            query = query.filter(members::archived_at.is_null());
        }
        if let Some(organization_id) = &filter.organization_id {
            query = query.filter(members::organization_id.eq(organization_id.clone()));
        }
        if let Some(committee_id) = &filter.committee_id {
            query = query.filter(
                members::id.eq_any(
                    memberships::table
                        .filter(memberships::committee_id.eq(committee_id.clone()))
                        .select(memberships::member_id),
                ),
            );
        }
        for term in &filter.terms {
            let pattern = format!("%{term}%");
            query = query.filter(
                members::search_key
                    .like(pattern.clone())
                    .nullable()
                    .or(organizations::search_key.like(pattern).nullable()),
            );
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let mut query = filtered()
        .order((
            members::last_name.asc(),
            members::first_name.asc(),
            members::id.asc(),
        ))
        .select((
            MemberRow::as_select(),
            (organizations::name, organizations::acronym).nullable(),
        ));
    if let Some(page) = page {
        query = query.limit(page.limit).offset(page.offset);
    }
    Ok((query.load(conn)?, total))
}

/// Whether anything in the history refers to the member: a membership, a
/// meeting they chair, an invitation or an e-mail, which outlive the
/// membership itself (the database forbids deleting the member then).
pub fn has_history(conn: &mut DbConn, id: &str) -> QueryResult<bool> {
    let counts: [i64; 4] = [
        memberships::table
            .filter(memberships::member_id.eq(id))
            .count()
            .get_result(conn)?,
        meetings::table
            .filter(meetings::chair_member_id.eq(id))
            .count()
            .get_result(conn)?,
        invitations::table
            .filter(invitations::member_id.eq(id))
            .count()
            .get_result(conn)?,
        outbox::table
            .filter(outbox::member_id.eq(id))
            .count()
            .get_result(conn)?,
    ];
    Ok(counts.iter().any(|&count| count > 0))
}
