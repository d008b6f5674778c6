//! `/compte`: the signed-in user's account; any staff member changes their
//! own display name and their password (the current one asked again, as
//! the API does; the other sessions and tokens of the account end, this
//! one is bound again to the new token version).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::error::WebResult;
use super::form::Errors;
use super::layout::{self, Layout, Nav};
use super::session::{self, Staff};
use super::{ACCOUNT, DASHBOARD, calls};
use crate::auth::policy::Role;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "web/account.html")]
struct AccountPage {
    layout: Layout,
    display_name: String,
    email: String,
    role: &'static str,
    structure: String,
    last_login: String,
    created: String,
    /// The name as typed, when refused.
    name_input: String,
    errors: Errors,
}

/// The role as the secrétariat says it.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administrateur",
        Role::Secretariat => "Secrétariat",
        Role::Signatory => "Signataire",
        Role::Reader => "Lecture seule",
    }
}

async fn account_page(state: &AppState, staff: &Staff) -> WebResult<AccountPage> {
    let user = calls::account(state, &staff.caller).await?;
    Ok(AccountPage {
        layout: Layout::staff(
            staff,
            "Mon compte",
            Nav::Account,
            &[("Tableau de bord", DASHBOARD)],
        ),
        name_input: user.display_name.clone(),
        display_name: user.display_name,
        email: user.email,
        role: role_label(user.role),
        structure: staff
            .structure
            .as_ref()
            .map_or_else(|| "Toutes (administration)".to_owned(), |s| s.name.clone()),
        last_login: user
            .last_login_at
            .map_or_else(|| "jamais".to_owned(), crate::french::date_time),
        created: crate::french::long_date_of(user.created_at),
        errors: Errors::default(),
    })
}

pub async fn page(state: web::Data<AppState>, staff: Staff) -> WebResult<HttpResponse> {
    Ok(layout::ok(&account_page(&state, &staff).await?)?)
}

#[derive(Debug, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    display_name: String,
}

pub async fn rename(
    state: web::Data<AppState>,
    staff: Staff,
    CsrfForm(form): CsrfForm<NameForm>,
) -> WebResult<HttpResponse> {
    let (caller, now, name) = (
        staff.caller.clone(),
        state.clock.now(),
        form.display_name.clone(),
    );
    let renamed = state
        .db
        .write(move |conn| {
            crate::domain::accounts::users::rename_self(conn, &caller, now, name.clone())
        })
        .await;
    match renamed {
        Ok(_) => {
            staff.flash("Votre nom affiché est enregistré.");
            Ok(layout::see_other(ACCOUNT))
        }
        Err(err) => {
            let mut page = account_page(&state, &staff).await?;
            page.errors = Errors::of(err)?;
            page.name_input = form.display_name;
            Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirmation: String,
}

pub async fn change_password(
    state: web::Data<AppState>,
    staff: Staff,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> WebResult<HttpResponse> {
    let refused = |errors: Errors| async {
        let mut page = account_page(&state, &staff).await?;
        page.errors = errors;
        Ok::<_, super::WebError>(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
    };
    if form.new_password != form.confirmation {
        return refused(Errors::one(
            "confirmation",
            "les deux saisies du nouveau mot de passe diffèrent",
        ))
        .await;
    }
    let changed = crate::service::auth::change_own_password(
        &state,
        &staff.caller,
        form.current_password,
        form.new_password,
    )
    .await;
    match changed {
        Ok(version) => {
            // The account's other sessions and tokens have ended; this
            // session goes on, bound to the new version.
            session::sign_in(
                &staff.session,
                &staff.caller.user_id,
                version,
                state.clock.now().timestamp(),
            )?;
            session::flash(
                &staff.session,
                "Mot de passe changé. Vos autres sessions et jetons d’accès sont terminés.",
            );
            Ok(layout::see_other(ACCOUNT))
        }
        Err(err) => refused(Errors::of(err)?).await,
    }
}
