//! "Administration": structures, users and roles (administrators), the audit log (administrators and the secrétariat).

use actix_web::web;

pub fn routes(config: &mut web::ServiceConfig) {
    let _ = config;
}
