//! "Comités": the committees of the structure, their members with their
//! roles, dates and titular / substitute pairs, and their meetings.

mod memberships;
mod pages;
mod seat_form;

use actix_web::web;

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route(super::COMMITTEES, web::get().to(pages::list))
        .route("/comites/nouveau", web::get().to(pages::new_form))
        .route("/comites/nouveau", web::post().to(pages::create))
        .route("/comites/{id}", web::get().to(pages::show))
        .route("/comites/{id}/modifier", web::get().to(pages::edit_form))
        .route("/comites/{id}/modifier", web::post().to(pages::update))
        .route("/comites/{id}/membres", web::post().to(memberships::add))
        .route(
            "/comites/{id}/membres/{membership}/modifier",
            web::get().to(memberships::edit_form),
        )
        .route(
            "/comites/{id}/membres/{membership}/modifier",
            web::post().to(memberships::update),
        )
        .route(
            "/comites/{id}/membres/{membership}/retirer",
            web::post().to(memberships::remove),
        );
}
