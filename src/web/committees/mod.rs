//! "Comités": the committees of the structure, their members with their
//! roles, dates and titular / substitute pairs, and their meetings.

mod memberships;
mod pages;
mod seat_form;

use crate::methods::Pages;

pub fn routes(config: &mut Pages) {
    config
        .get(super::COMMITTEES, pages::list)
        .get("/comites/nouveau", pages::new_form)
        .post("/comites/nouveau", pages::create)
        .get("/comites/{id}", pages::show)
        .get("/comites/{id}/modifier", pages::edit_form)
        .post("/comites/{id}/modifier", pages::update)
        .post("/comites/{id}/membres", memberships::add)
        .get(
            "/comites/{id}/membres/{membership}/modifier",
            memberships::edit_form,
        )
        .post(
            "/comites/{id}/membres/{membership}/modifier",
            memberships::update,
        )
        .post(
            "/comites/{id}/membres/{membership}/retirer",
            memberships::remove,
        );
}
