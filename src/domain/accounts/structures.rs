//! Structures: the public services that run committees (a préfecture, a
//! DDT…). Created and changed by administrators; read by their own staff.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Actor, Event};
use crate::domain::validate::{Check, nullable};
use crate::error::AppResult;
use crate::store::structures::StructureRow;
use crate::store::{self, Page, Scope};

/// "Affaire suivie par" block of the letters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseOfficer {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Structure {
    pub id: String,
    /// "Préfecture de la Haute-Marne".
    pub name: String,
    /// "52", "2A", "974".
    pub department_code: String,
    /// Where letters are dated from: "Chaumont".
    pub city: String,
    /// "Secrétariat Général Commun Départemental".
    pub service_name: String,
    /// Lines printed at the top of documents.
    pub letterhead: Vec<String>,
    pub case_officer: Option<CaseOfficer>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStructure {
    pub name: String,
    pub department_code: String,
    pub city: String,
    pub service_name: String,
    #[serde(default)]
    pub letterhead: Vec<String>,
    #[serde(default)]
    pub case_officer: Option<CaseOfficer>,
}

/// Absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StructurePatch {
    pub name: Option<String>,
    pub department_code: Option<String>,
    pub city: Option<String>,
    pub service_name: Option<String>,
    pub letterhead: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<CaseOfficer>)]
    pub case_officer: Option<Option<CaseOfficer>>,
}

const MAX_LETTERHEAD_LINES: usize = 8;

/// French département codes: 01–95 (with 2A/2B), 971–976.
fn is_department_code(code: &str) -> bool {
    match code.len() {
        2 => {
            matches!(code, "2A" | "2B")
                || (code.bytes().all(|b| b.is_ascii_digit())
                    && !matches!(code, "00" | "20")
                    && code < "96")
        }
        3 => matches!(code, "971" | "972" | "973" | "974" | "975" | "976"),
        _ => false,
    }
}

fn check_row(row: &mut StructureRow, letterhead: &[String], check: &mut Check) {
    row.name = check.text("name", &row.name, 1, 200);
    row.department_code = check
        .text("department_code", &row.department_code, 1, 3)
        .to_uppercase();
    if !is_department_code(&row.department_code) {
        check.add(
            "department_code",
            "code de département inconnu (ex. 52, 2A, 974)",
        );
    }
    row.city = check.text("city", &row.city, 1, 100);
    row.service_name = check.text("service_name", &row.service_name, 1, 200);
    if letterhead.len() > MAX_LETTERHEAD_LINES {
        check.add(
            "letterhead",
            format!("au plus {MAX_LETTERHEAD_LINES} lignes"),
        );
    }
    let lines: Vec<String> = letterhead
        .iter()
        .enumerate()
        .map(|(i, line)| check.text(&format!("letterhead[{i}]"), line, 1, 200))
        .collect();
    row.letterhead = json!(lines).to_string();
}

fn apply_case_officer(row: &mut StructureRow, officer: Option<&CaseOfficer>, check: &mut Check) {
    let officer = officer.cloned().unwrap_or_default();
    row.case_officer_name = check.optional_text("case_officer.name", officer.name.as_deref(), 200);
    row.case_officer_phone =
        check.optional_text("case_officer.phone", officer.phone.as_deref(), 40);
    row.case_officer_email = check.optional_email("case_officer.email", officer.email.as_deref());
}

impl From<StructureRow> for Structure {
    fn from(row: StructureRow) -> Self {
        let case_officer = CaseOfficer {
            name: row.case_officer_name,
            phone: row.case_officer_phone,
            email: row.case_officer_email,
        };
        Self {
            letterhead: serde_json::from_str(&row.letterhead).unwrap_or_default(),
            case_officer: (case_officer != CaseOfficer::default()).then_some(case_officer),
            id: row.id,
            name: row.name,
            department_code: row.department_code,
            city: row.city,
            service_name: row.service_name,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    input: NewStructure,
) -> AppResult<Structure> {
    let mut check = Check::new();
    let mut row = StructureRow {
        id: store::new_id(),
        name: input.name,
        department_code: input.department_code,
        city: input.city,
        service_name: input.service_name,
        letterhead: String::new(),
        case_officer_name: None,
        case_officer_phone: None,
        case_officer_email: None,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    };
    check_row(&mut row, &input.letterhead, &mut check);
    apply_case_officer(&mut row, input.case_officer.as_ref(), &mut check);
    check.finish()?;
    store::structures::insert(conn, &row)?;
    audit::record(
        conn,
        actor,
        now,
        Event {
            structure_id: Some(&row.id),
            action: "structure.create",
            entity: "structure",
            entity_id: &row.id,
            summary: json!({ "name": row.name, "department_code": row.department_code }),
        },
    )?;
    Ok(row.into())
}

/// Changes a structure; `seen` is the version the change was made from
/// (a form's), refused as stale when someone saved since (`None`: the API's
/// patch, which names only what it changes).
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    scope: &Scope,
    id: &str,
    patch: StructurePatch,
    seen: Option<DateTime<Utc>>,
) -> AppResult<Structure> {
    let before = store::structures::find(conn, scope, id).found()?;
    crate::domain::unchanged_since(seen, before.updated_at)?;
    let mut row = before.clone();
    let letterhead: Vec<String> = match patch.letterhead {
        Some(lines) => lines,
        None => serde_json::from_str(&before.letterhead).unwrap_or_default(),
    };
    row.name = patch.name.unwrap_or(row.name);
    row.department_code = patch.department_code.unwrap_or(row.department_code);
    row.city = patch.city.unwrap_or(row.city);
    row.service_name = patch.service_name.unwrap_or(row.service_name);
    let mut check = Check::new();
    check_row(&mut row, &letterhead, &mut check);
    if let Some(officer) = patch.case_officer {
        apply_case_officer(&mut row, officer.as_ref(), &mut check);
    }
    check.finish()?;
    let changed = changed_fields(&before, &row);
    if changed.is_empty() {
        return Ok(before.into());
    }
    row.updated_at = now.naive_utc();
    store::structures::update(conn, &row)?;
    audit::record(
        conn,
        actor,
        now,
        Event {
            structure_id: Some(&row.id),
            action: "structure.update",
            entity: "structure",
            entity_id: &row.id,
            summary: json!({ "changed": changed }),
        },
    )?;
    Ok(row.into())
}

fn changed_fields(before: &StructureRow, after: &StructureRow) -> Vec<&'static str> {
    let pairs = [
        ("name", before.name != after.name),
        (
            "department_code",
            before.department_code != after.department_code,
        ),
        ("city", before.city != after.city),
        ("service_name", before.service_name != after.service_name),
        ("letterhead", before.letterhead != after.letterhead),
        (
            "case_officer",
            (
                &before.case_officer_name,
                &before.case_officer_phone,
                &before.case_officer_email,
            ) != (
                &after.case_officer_name,
                &after.case_officer_phone,
                &after.case_officer_email,
            ),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| name)
        .collect()
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> AppResult<Structure> {
    Ok(store::structures::find(conn, scope, id).found()?.into())
}

pub fn list(conn: &mut DbConn, scope: &Scope, page: Page) -> AppResult<(Vec<Structure>, i64)> {
    let (rows, total) = store::structures::list(conn, scope, page)?;
    Ok((rows.into_iter().map(Into::into).collect(), total))
}

#[cfg(test)]
mod tests {
    use super::is_department_code;

    #[test]
    fn department_codes() {
        for ok in ["01", "18", "2A", "2B", "52", "95", "971", "976"] {
            assert!(is_department_code(ok), "{ok}");
        }
        for bad in ["00", "20", "96", "99", "977", "5", "ABC", "2C"] {
            assert!(!is_department_code(bad), "{bad}");
        }
    }
}
