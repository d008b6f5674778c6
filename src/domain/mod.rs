//! The rules: validation, lifecycles, who may do what to which record, and
//! the transactions that apply them (with their audit events).

pub mod audit;
pub mod login;
pub mod structures;
pub mod users;
pub mod validate;
