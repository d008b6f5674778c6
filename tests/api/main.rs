//! Integration tests: the whole application over real databases. One test
//! binary (one link of the dependency tree); each test runs on SQLite and on
//! PostgreSQL.

mod common;

mod actions;
mod annex_dossier;
mod annexes;
mod auth;
mod authorization;
mod backup;
mod cli;
mod conditional_reads;
mod database;
mod errors;
mod gdpr;
mod golden;
mod http_methods;
mod inbox;
mod indicators;
mod invitations;
mod meetings;
mod member_csv;
mod memberships;
mod metrics;
mod minutes;
mod minutes_notices;
mod oidc;
mod openapi;
mod outbox;
mod pki_harness;
mod proxies;
mod query_plans;
mod races;
mod registry;
mod registry_access;
mod rsvp;
mod servers;
mod signature;
mod signature_copies;
mod structures;
mod tokens;
mod users;
