//! The registry: organizations, members, the committees they sit on, the
//! CSV files it is imported from and exported to, and the GDPR rights.

pub mod committees;
pub mod csv;
pub mod gdpr;
pub mod history;
pub mod import;
pub mod members;
pub mod memberships;
pub mod organizations;
