//! SQL, one module per table family. Functions take a connection so the
//! domain layer can compose them inside one transaction.

pub mod actions;
pub mod annexes;
pub mod audit;
pub mod committees;
pub mod inbound;
pub mod indicators;
pub mod invitations;
pub mod login_failures;
pub mod meetings;
pub mod members;
pub mod minutes;
pub mod oidc;
pub mod organizations;
pub mod outbox;
pub mod structures;
pub mod users;

/// The slice of a list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

/// Which structures' records a query may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every structure (administrators).
    All,
    /// One structure (everyone else).
    Structure(String),
}

impl Scope {
    /// Whether a record of `structure_id` is visible in this scope.
    pub fn includes(&self, structure_id: Option<&str>) -> bool {
        match self {
            Self::All => true,
            Self::Structure(own) => structure_id == Some(own.as_str()),
        }
    }
}

/// A fresh identifier, as stored.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
