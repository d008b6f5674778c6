//! The rules: validation, lifecycles, who may do what to which record, and
//! the transactions that apply them (with their audit events).

pub mod action_csv;
pub mod action_history;
pub mod actions;
pub mod agenda;
pub mod annual_report;
pub mod attendance;
pub mod audit;
pub mod committees;
pub mod context;
pub mod convocation;
pub mod distribution;
pub mod gdpr;
pub mod indicators;
pub mod invitations;
pub mod login;
pub mod meeting_status;
pub mod meetings;
pub mod member_csv;
pub mod member_import;
pub mod members;
pub mod memberships;
pub mod minutes;
pub mod notices;
pub mod organizations;
pub mod reminders;
pub mod rsvp;
pub mod signing;
pub mod structures;
pub mod text;
pub mod users;
pub mod validate;
pub mod verification;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// The structure whose registry the caller writes to. Administrators belong
/// to none: the registry is kept by each structure's own staff.
pub fn own_structure(caller: &Caller) -> AppResult<String> {
    caller.structure_id.clone().ok_or(AppError::Forbidden)
}
