//! Minutes: drafting and sign-off (the workflow, re-exported here), the
//! signature, building the compte-rendu from the database, its
//! distribution and its verification by fingerprint.

pub mod compte_rendu;
pub mod distribution;
mod model;
pub mod notify;
pub mod reading;
pub mod signing;
pub mod timestamps;
pub mod verification;
mod workflow;

pub use model::*;
pub use workflow::*;
