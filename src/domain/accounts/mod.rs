//! Accounts: the structures that run committees, their staff users and
//! how those sign in.

pub mod login;
pub mod password;
pub mod proconnect;
mod roles;
pub mod structures;
pub mod users;
