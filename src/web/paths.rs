//! The addresses of the records' pages, named once: every screen links to
//! them, none owns them.

use super::{COMMITTEES, MEETINGS};

pub fn committee_href(id: &str) -> String {
    format!("{COMMITTEES}/{id}")
}

pub fn meeting_href(id: &str) -> String {
    format!("{MEETINGS}/{id}")
}
