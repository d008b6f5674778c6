//! Importing members from CSV: all or nothing. Organizations are matched
//! by name or created; members matched by e-mail (or by name and
//! organization) are updated rather than duplicated. A dry run does it all
//! in a savepoint and rolls back.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::Connection;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::csv::{Line, read_lines};
use super::members::{self, NewMember};
use super::organizations::{self, NewOrganization, OrganizationKind};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::audit::{self, Actor, Event};
use crate::domain::text::fold;
use crate::domain::validate::Check;
use crate::error::{AppError, AppResult, FieldError};
use crate::store;
use crate::store::members::MemberRow;

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    /// True when nothing was written (`?dry_run=true`).
    pub dry_run: bool,
    /// Data lines read (the header excluded).
    pub lines: usize,
    pub members_created: usize,
    pub members_updated: usize,
    pub members_unchanged: usize,
    pub organizations_created: usize,
    pub organizations_matched: usize,
    /// What became of each line, in the file's order.
    pub details: Vec<ImportedLine>,
}

/// What the import did (or, dry run, would do) with one line of the file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedLine {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub first_name: String,
    pub last_name: String,
    pub organization: Option<String>,
    pub outcome: LineOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineOutcome {
    Created,
    Updated,
    Unchanged,
}

/// Imports the CSV `body` into the caller's registry, or (dry run) reports
/// what it would do, writing nothing.
pub fn import(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    body: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    let structure_id = crate::domain::own_structure(caller)?;
    let lines = read_lines(body, now).map_err(AppError::Validation)?;
    if lines.is_empty() {
        return Err(AppError::validation("body", "aucune ligne à importer"));
    }
    enum Stop {
        DryRun(ImportReport),
        Failed(AppError),
    }
    impl From<diesel::result::Error> for Stop {
        fn from(err: diesel::result::Error) -> Self {
            Stop::Failed(err.into())
        }
    }
    impl From<AppError> for Stop {
        fn from(err: AppError) -> Self {
            Stop::Failed(err)
        }
    }
    // A savepoint: a dry run rolls back to it and reports what it saw.
    let outcome = conn.transaction(|conn| {
        let report = apply(conn, &caller.into(), now, &structure_id, lines)?;
        if dry_run {
            Err(Stop::DryRun(report))
        } else {
            Ok(report)
        }
    });
    match outcome {
        Ok(report) => Ok(report),
        Err(Stop::DryRun(report)) => Ok(ImportReport {
            dry_run: true,
            ..report
        }),
        Err(Stop::Failed(err)) => Err(err),
    }
}

fn apply(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    structure_id: &str,
    lines: Vec<Line>,
) -> AppResult<ImportReport> {
    let mut report = ImportReport {
        lines: lines.len(),
        ..ImportReport::default()
    };
    let mut organization_ids: HashMap<String, String> = HashMap::new();
    for line in lines {
        let organization_id = match &line.organization {
            None => None,
            Some(name) => Some(resolve_organization(
                conn,
                actor,
                now,
                structure_id,
                name,
                &mut organization_ids,
                &mut report,
            )?),
        };
        let mut row = members::new_row(
            structure_id,
            NewMember {
                organization_id,
                ..line.member
            },
            now,
        );
        let mut check = Check::new();
        members::check_row(conn, &mut row, &mut check)?;
        if !check.is_empty() {
            let errors = check
                .take()
                .into_iter()
                .map(|e| FieldError {
                    line: Some(line.number),
                    ..e
                })
                .collect();
            return Err(AppError::Validation(errors));
        }
        let mut detail = ImportedLine {
            line: line.number,
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            organization: line.organization.clone(),
            outcome: LineOutcome::Created,
        };
        let existing = match &row.email {
            Some(email) => store::members::find_by_email(conn, structure_id, email)?,
            None => store::members::find_by_names(
                conn,
                structure_id,
                &row.search_key,
                row.organization_id.as_deref(),
            )?,
        };
        match existing {
            None => {
                members::insert(conn, actor, now, &row)?;
                report.members_created += 1;
            }
            Some(before) => {
                let mut updated = imported_over(&before, row);
                if members::save(conn, actor, now, &before, &mut updated)?.is_empty() {
                    report.members_unchanged += 1;
                    detail.outcome = LineOutcome::Unchanged;
                } else {
                    report.members_updated += 1;
                    detail.outcome = LineOutcome::Updated;
                }
            }
        }
        report.details.push(detail);
    }
    audit::record(
        conn,
        actor,
        now,
        Event {
            structure_id: Some(structure_id),
            action: "member.import",
            entity: "structure",
            entity_id: structure_id,
            summary: json!({
                "lines": report.lines,
                "members_created": report.members_created,
                "members_updated": report.members_updated,
                "organizations_created": report.organizations_created,
            }),
        },
    )?;
    Ok(report)
}

/// An existing member takes the imported values, keeping id and history.
fn imported_over(before: &MemberRow, imported: MemberRow) -> MemberRow {
    MemberRow {
        id: before.id.clone(),
        archived_at: before.archived_at,
        anonymized_at: before.anonymized_at,
        created_at: before.created_at,
        updated_at: before.updated_at,
        ..imported
    }
}

fn resolve_organization(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    structure_id: &str,
    name: &str,
    known: &mut HashMap<String, String>,
    report: &mut ImportReport,
) -> AppResult<String> {
    let key = fold(name);
    if let Some(id) = known.get(&key) {
        return Ok(id.clone());
    }
    let id = match store::organizations::find_by_name(conn, structure_id, &key)? {
        Some(found) => {
            report.organizations_matched += 1;
            found.id
        }
        None => {
            let mut check = Check::new();
            let input = NewOrganization {
                name: name.into(),
                acronym: None,
                kind: OrganizationKind::Other,
                email: None,
                phone: None,
            };
            let row = organizations::new_row(structure_id, input, now, &mut check);
            check.finish()?;
            let created = organizations::insert(conn, actor, now, row)?;
            report.organizations_created += 1;
            created.id
        }
    };
    known.insert(key, id.clone());
    Ok(id)
}
