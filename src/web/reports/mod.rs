//! A committee's indicators and their values, and its annual report with its charts (SVG drawn on the server).

use actix_web::web;

pub fn routes(config: &mut web::ServiceConfig) {
    let _ = config;
}
