//! Quality indicators (re-exported here) and the annual report.

pub mod annual_report;
mod quality;

pub use quality::*;
