//! Who may do what: the four staff roles and the one table deciding it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, in every structure.
    Admin,
    /// Everything within its structure.
    Secretariat,
    /// Reads its structure; signs or returns minutes.
    Signatory,
    /// Reads its structure.
    Reader,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Secretariat => "secretariat",
            Self::Signatory => "signatory",
            Self::Reader => "reader",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "admin" => Some(Self::Admin),
            "secretariat" => Some(Self::Secretariat),
            "signatory" => Some(Self::Signatory),
            "reader" => Some(Self::Reader),
            _ => None,
        }
    }
}

/// What a request wants to do, independent of which record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Create and change structures.
    ManageStructures,
    /// Create, change and delete staff accounts.
    ManageUsers,
    /// Read the records of one's structure.
    Read,
    /// Change the records of one's structure (registry, meetings, minutes drafts…).
    Write,
    /// Sign or return submitted minutes.
    Sign,
    /// Read the audit trail.
    ReadAudit,
}

/// The whole authorization table. Structure scoping is applied on top, by
/// every query (see `Caller::scope`).
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Admin => true,
        Role::Secretariat => matches!(permission, ManageUsers | Read | Write | ReadAudit),
        Role::Signatory => matches!(permission, Read | Sign),
        Role::Reader => matches!(permission, Read),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_text() {
        for role in [
            Role::Admin,
            Role::Secretariat,
            Role::Signatory,
            Role::Reader,
        ] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_admin_manages_structures_and_readers_only_read() {
        assert!(allows(Role::Admin, Permission::ManageStructures));
        assert!(!allows(Role::Secretariat, Permission::ManageStructures));
        assert!(allows(Role::Reader, Permission::Read));
        assert!(!allows(Role::Reader, Permission::Write));
        assert!(!allows(Role::Signatory, Permission::Write));
        assert!(allows(Role::Signatory, Permission::Sign));
        assert!(!allows(Role::Secretariat, Permission::Sign));
    }
}
