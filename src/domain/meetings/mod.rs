//! Meetings: their lifecycle (re-exported here), agenda, invitations and
//! the answers to them, attendance, reminders, the notices e-mailed about
//! them and the print models of letters and pages.

pub mod agenda;
pub mod annex_files;
pub mod annex_meeting;
pub mod annexes;
pub mod attendance;
pub mod convocation;
pub mod invitations;
mod lifecycle;
pub mod notices;
pub mod print;
pub mod reminders;
pub mod rsvp;
pub mod status;

pub use lifecycle::*;
