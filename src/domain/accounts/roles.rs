//! Who may give which role, in which structure. The signature controls the
//! secrétariat's minutes, so only an administrator gives the signatory or
//! administrator role, or changes an account that holds one.

use crate::auth::{Caller, Role};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::store;

/// Roles only an administrator gives, and accounts only an administrator
/// changes.
fn admin_only(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Signatory)
}

/// 403 unless the caller may give `role`, or change an account holding it.
pub(super) fn ensure_may_manage(caller: &Caller, role: Role) -> AppResult<()> {
    if admin_only(role) && caller.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// Who may give which role in which structure.
pub(super) fn resolve_structure(
    conn: &mut DbConn,
    caller: &Caller,
    role: Role,
    requested: Option<String>,
) -> AppResult<Option<String>> {
    if role == Role::Admin {
        if caller.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        return match requested {
            None => Ok(None),
            Some(_) => Err(AppError::validation(
                "structure_id",
                "un administrateur n'est rattaché à aucune structure",
            )),
        };
    }
    let structure_id = requested
        .or_else(|| caller.structure_id.clone())
        .ok_or_else(|| {
            AppError::validation("structure_id", "la structure est obligatoire pour ce rôle")
        })?;
    match store::structures::find(conn, &caller.scope(), &structure_id)? {
        Some(row) => Ok(Some(row.id)),
        None => Err(AppError::validation("structure_id", "structure inconnue")),
    }
}
