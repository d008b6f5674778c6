//! Quality indicators (re-exported here) and the annual report.

pub mod annual_report;
pub mod charts;
mod quality;

pub use quality::*;

use crate::db::DbConn;
use crate::domain::registry::committees::{self, Committee};
use crate::error::AppResult;
use crate::store::Scope;

/// A committee and its indicators, for its indicators' page.
pub fn of_committee(
    conn: &mut DbConn,
    scope: &Scope,
    committee_id: &str,
) -> AppResult<(Committee, Vec<Indicator>)> {
    let committee = committees::get(conn, scope, committee_id)?;
    let indicators = list(conn, scope, committee_id)?;
    Ok((committee, indicators))
}
