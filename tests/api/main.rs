//! Integration tests: the whole application over real databases. One test
//! binary (one link of the dependency tree); each test runs on SQLite and on
//! PostgreSQL.

mod common;

mod actions;
mod annex_dossier;
mod annexes;
mod auth;
mod authorization;
mod cli;
mod database;
mod errors;
mod gdpr;
mod golden;
mod inbox;
mod indicators;
mod invitations;
mod meetings;
mod member_csv;
mod memberships;
mod minutes;
mod minutes_notices;
mod openapi;
mod outbox;
mod races;
mod registry;
mod registry_access;
mod rsvp;
mod structures;
mod tokens;
mod users;
