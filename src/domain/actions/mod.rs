//! The action plan: actions and their lifecycle (re-exported here), their
//! history and their CSV form.

pub mod csv;
pub mod history;
mod lifecycle;
mod model;
pub mod plans;
pub mod status;

pub use lifecycle::*;
