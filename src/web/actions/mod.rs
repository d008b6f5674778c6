//! "Plans d’action": a committee's action plan (the seed's annex columns), its filters, create and edit, each action's history, the CSV export.

use actix_web::web;

pub fn routes(config: &mut web::ServiceConfig) {
    let _ = config;
}
