//! The staff web interface, tested two ways in one binary: page tests
//! through the real app over a real SQLite file (`pages`), and the walk in
//! a real browser on a real `clu serve` (`browser`).

// The API suite's test application, shared rather than copied.
#[path = "../api/common/mod.rs"]
mod common;

mod account;
mod actions;
mod admin;
mod browse;
mod browser;
mod committees;
mod meetings;
mod minutes;
mod organizations;
mod pages;
mod proconnect;
mod registry;
mod registry_files;
mod reports;
mod roll_call;
