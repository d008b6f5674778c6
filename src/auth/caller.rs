//! `Caller`: the authenticated staff user of a request, and `Can<N>`, a
//! caller allowed what a route needs. Each adapter extracts them its own
//! way (the API from a bearer token, the web pages from the session), both
//! through `service::auth::caller`, which checks the account as it is now.

use super::policy::{self, Permission, Role};
use crate::error::AppError;
use crate::store::Scope;

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub structure_id: Option<String>,
}

impl Caller {
    /// 403 unless the caller's role allows `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if policy::allows(self.role, permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The structures this caller's queries may touch.
    pub fn scope(&self) -> Scope {
        match (&self.role, &self.structure_id) {
            (Role::Admin, _) => Scope::All,
            (_, Some(id)) => Scope::Structure(id.clone()),
            // A non-admin without a structure sees nothing: an id no row has.
            (_, None) => Scope::Structure(String::new()),
        }
    }
}

/// What a route needs: one marker type per permission, for `Can`.
pub mod need {
    use super::super::policy::Permission;

    pub trait Need {
        const PERMISSION: Permission;
    }

    macro_rules! needs {
        ($($name:ident),+) => {
            $(
                pub struct $name;
                impl Need for $name {
                    const PERMISSION: Permission = Permission::$name;
                }
            )+
        };
    }

    needs!(Read, Write, Sign, ManageUsers, ManageStructures, ReadAudit);
}

/// A caller allowed `N`, checked before the request body is read: a caller
/// who may not act learns nothing from the body's validation.
pub struct Can<N: need::Need>(pub Caller, pub std::marker::PhantomData<N>);
