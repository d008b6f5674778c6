//! Staff accounts: who may create, change and delete whom, and what revokes
//! a user's tokens (password, role, structure or activation changes).
//!
//! The signature controls the secrétariat's minutes, so the secrétariat
//! controls no signatory: only an administrator creates a signatory, gives
//! the signatory or administrator role, or changes or deletes a signatory's
//! account. A secrétariat manages the reader and secrétariat accounts of
//! its own structure. Everyone changes their own password by giving the
//! current one (`password`), never by a patch.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::roles::{ensure_may_manage, resolve_structure};
use crate::auth::{Caller, Role, password};
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Actor, Event};
use crate::domain::validate::Check;
use crate::error::{AppError, AppResult};
use crate::store::users::UserRow;
use crate::store::{self, Page, Scope};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Null for administrators.
    pub structure_id: Option<String>,
    pub active: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = AppError;

    fn try_from(row: UserRow) -> AppResult<Self> {
        Ok(Self {
            role: Role::parse(&row.role)
                .ok_or_else(|| AppError::internal(format!("unknown role {}", row.role)))?,
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            structure_id: row.structure_id,
            active: row.active,
            last_login_at: row.last_login_at.map(|t| t.and_utc()),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Required for every role but `admin`; a secretariat may leave it out
    /// (its own structure is used).
    #[serde(default)]
    pub structure_id: Option<String>,
    /// 12 to 128 characters. Never returned.
    pub password: String,
}

/// Absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// Administrators only.
    pub structure_id: Option<String>,
    pub password: Option<String>,
    /// `false` disables the account and revokes its tokens.
    pub active: Option<bool>,
}

/// A new user, checked and with its password already hashed (hashing runs
/// on the blocking pool before the transaction opens).
pub struct PreparedUser {
    pub input: NewUser,
    pub password_hash: String,
}

/// The checks that need no database; the password rule among them.
pub fn check_new(input: &mut NewUser) -> AppResult<()> {
    let mut check = Check::new();
    input.email = check.email("email", &input.email);
    input.display_name = check.text("display_name", &input.display_name, 1, 100);
    check.push(password::check_policy("password", &input.password));
    check.finish()
}

fn email_taken(conn: &mut DbConn, email: &str, except: Option<&str>) -> AppResult<()> {
    match store::users::find_by_email(conn, email)? {
        Some(other) if Some(other.id.as_str()) != except => Err(AppError::Conflict(
            "un compte existe déjà avec cette adresse e-mail".into(),
        )),
        _ => Ok(()),
    }
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    prepared: PreparedUser,
) -> AppResult<User> {
    let input = prepared.input;
    ensure_may_manage(caller, input.role)?;
    let structure_id = resolve_structure(conn, caller, input.role, input.structure_id)?;
    let row = new_row(
        input.email,
        input.display_name,
        input.role,
        structure_id,
        prepared.password_hash,
        now,
    );
    insert(conn, &caller.into(), now, row, None)
}

/// Creates an administrator from the command line: no caller, checked input.
pub fn create_admin(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    email: &str,
    password_hash: String,
) -> AppResult<User> {
    let row = new_row(
        email.into(),
        "Administrateur".into(),
        Role::Admin,
        None,
        password_hash,
        now,
    );
    insert(conn, &Actor::system(), now, row, Some("cli"))
}

fn new_row(
    email: String,
    display_name: String,
    role: Role,
    structure_id: Option<String>,
    password_hash: String,
    now: DateTime<Utc>,
) -> UserRow {
    UserRow {
        id: store::new_id(),
        structure_id,
        email,
        display_name,
        role: role.as_str().into(),
        password_hash,
        active: true,
        token_version: 0,
        last_login_at: None,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    }
}

fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    row: UserRow,
    via: Option<&str>,
) -> AppResult<User> {
    email_taken(conn, &row.email, None)?;
    store::users::insert(conn, &row)?;
    let mut summary = json!({ "email": row.email, "role": row.role });
    if let Some(via) = via {
        summary["via"] = json!(via);
    }
    audit::record(
        conn,
        actor,
        now,
        Event {
            structure_id: row.structure_id.as_deref(),
            action: "user.create",
            entity: "user",
            entity_id: &row.id,
            summary,
        },
    )?;
    row.try_into()
}

/// Any staff member renames their own account (the name shown in the
/// header and the audit log); nothing else of the account changes.
pub fn rename_self(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    display_name: String,
) -> AppResult<User> {
    let mut patch = UserPatch {
        display_name: Some(display_name),
        ..UserPatch::default()
    };
    let own = caller.user_id.clone();
    check_patch(caller, &own, &mut patch)?;
    update(conn, caller, now, &own, patch, None)
}

/// One's own password changes with the current one (`POST
/// /api/v1/auth/password`, "Mon compte"), never through an account patch.
fn own_password_refused(caller: &Caller, id: &str, setting_password: bool) -> AppResult<()> {
    if setting_password && caller.user_id == id {
        return Err(AppError::validation(
            "password",
            "votre propre mot de passe se change avec l’actuel : POST /api/v1/auth/password",
        ));
    }
    Ok(())
}

/// Checks a patch of account `id` before any database work (and before
/// its password is hashed).
pub fn check_patch(caller: &Caller, id: &str, patch: &mut UserPatch) -> AppResult<()> {
    own_password_refused(caller, id, patch.password.is_some())?;
    let mut check = Check::new();
    if let Some(email) = &patch.email {
        patch.email = Some(check.email("email", email));
    }
    if let Some(name) = &patch.display_name {
        patch.display_name = Some(check.text("display_name", name, 1, 100));
    }
    if let Some(password) = &patch.password {
        check.push(password::check_policy("password", password));
    }
    check.finish()
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
    patch: UserPatch,
    password_hash: Option<String>,
) -> AppResult<User> {
    let before = store::users::find(conn, &caller.scope(), id).found()?;
    let before_role =
        Role::parse(&before.role).ok_or_else(|| AppError::internal("unknown role"))?;
    if before_role == Role::Admin && caller.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    let is_self = caller.user_id == before.id;
    if !is_self {
        ensure_may_manage(caller, before_role)?;
    }
    if let Some(role) = patch.role {
        ensure_may_manage(caller, role)?;
    }
    own_password_refused(caller, id, password_hash.is_some())?;
    let mut row = before.clone();
    let mut changed: Vec<&str> = Vec::new();
    if let Some(email) = patch.email.filter(|e| *e != before.email) {
        email_taken(conn, &email, Some(id))?;
        row.email = email;
        changed.push("email");
    }
    if let Some(name) = patch.display_name.filter(|n| *n != before.display_name) {
        row.display_name = name;
        changed.push("display_name");
    }
    let role = patch.role.unwrap_or(before_role);
    if role != before_role || patch.structure_id.is_some() {
        if patch.structure_id.is_some() && caller.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let requested = patch.structure_id.or_else(|| before.structure_id.clone());
        let requested = if role == Role::Admin { None } else { requested };
        row.structure_id = resolve_structure(conn, caller, role, requested)?;
        row.role = role.as_str().into();
        if row.role != before.role {
            changed.push("role");
        }
        if row.structure_id != before.structure_id {
            changed.push("structure_id");
        }
    }
    if let Some(hash) = password_hash {
        row.password_hash = hash;
        changed.push("password");
    }
    if let Some(active) = patch.active.filter(|a| *a != before.active) {
        row.active = active;
        changed.push("active");
    }
    if changed.is_empty() {
        return before.try_into();
    }
    if is_self
        && changed
            .iter()
            .any(|c| matches!(*c, "role" | "structure_id" | "active"))
    {
        return Err(AppError::Conflict(
            "vous ne pouvez pas changer votre propre rôle ni désactiver votre propre compte".into(),
        ));
    }
    // Anything that changes what a token grants, or who holds the password,
    // revokes the tokens already issued.
    if changed
        .iter()
        .any(|c| matches!(*c, "role" | "structure_id" | "password" | "active"))
    {
        row.token_version += 1;
    }
    row.updated_at = now.naive_utc();
    store::users::update(conn, &row)?;
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: row
                .structure_id
                .as_deref()
                .or(before.structure_id.as_deref()),
            action: "user.update",
            entity: "user",
            entity_id: &row.id,
            summary: json!({ "changed": changed }),
        },
    )?;
    row.try_into()
}

/// Whether the caller may change account `user` (to show the buttons; the
/// changes check it again): never an administrator's unless one is one,
/// never a signatory's unless an administrator.
pub fn manageable(caller: &Caller, user: &User) -> bool {
    ensure_may_manage(caller, user.role).is_ok()
}

/// The roles the caller may give.
pub fn grantable(caller: &Caller) -> Vec<Role> {
    [
        Role::Reader,
        Role::Secretariat,
        Role::Signatory,
        Role::Admin,
    ]
    .into_iter()
    .filter(|role| ensure_may_manage(caller, *role).is_ok())
    .filter(|role| *role != Role::Admin || caller.role == Role::Admin)
    .collect()
}

pub fn delete(conn: &mut DbConn, caller: &Caller, now: DateTime<Utc>, id: &str) -> AppResult<()> {
    let row = store::users::find(conn, &caller.scope(), id).found()?;
    let role = Role::parse(&row.role).ok_or_else(|| AppError::internal("unknown role"))?;
    if role == Role::Admin && caller.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    ensure_may_manage(caller, role)?;
    if row.id == caller.user_id {
        return Err(AppError::Conflict(
            "vous ne pouvez pas supprimer votre propre compte".into(),
        ));
    }
    store::users::delete(conn, id)?;
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: row.structure_id.as_deref(),
            action: "user.delete",
            entity: "user",
            entity_id: &row.id,
            summary: json!({ "email": row.email, "role": row.role }),
        },
    )
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> AppResult<User> {
    store::users::find(conn, scope, id).found()?.try_into()
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    structure_id: Option<&str>,
    page: Page,
) -> AppResult<(Vec<User>, i64)> {
    let (rows, total) = store::users::list(conn, scope, structure_id, page)?;
    Ok((
        rows.into_iter()
            .map(User::try_from)
            .collect::<AppResult<_>>()?,
        total,
    ))
}
