//! Adding and editing a member: the form keeps what was typed and puts each
//! error by its field; an edit read before someone else's save is refused
//! (409) with the saved values beside the typed ones and the new version,
//! so that saving again, having looked, goes through.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::members::{CHOICES, choices, member};
use super::{MEMBERS, TRAIL, labels};
use crate::auth::caller::need;
use crate::domain::registry::members::{self, Civility, Member, MemberPatch, NewMember};
use crate::domain::registry::organizations;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::organizations::OrganizationFilter;
use crate::web::csrf::CsrfForm;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout, Nav};
use crate::web::session::{Staff, StaffCan};

/// The member form as typed (the domain's field names).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    civility: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    function: String,
    #[serde(default)]
    organization_id: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    /// The member's `updated_at` when the form was read (edit only).
    #[serde(default)]
    version: String,
}

impl MemberForm {
    fn of(member: &Member) -> Self {
        Self {
            civility: member
                .civility
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            first_name: member.first_name.clone(),
            last_name: member.last_name.clone(),
            function: member.function.clone().unwrap_or_default(),
            organization_id: member.organization_id.clone().unwrap_or_default(),
            email: member.email.clone().unwrap_or_default(),
            phone: member.phone.clone().unwrap_or_default(),
            version: form::version(member.updated_at),
        }
    }

    fn civility(&self) -> Result<Civility, Errors> {
        Civility::parse(&self.civility)
            .ok_or_else(|| Errors::one("civility", "Choisissez « M. » ou « Mme »."))
    }

    fn new_member(&self) -> Result<NewMember, Errors> {
        Ok(NewMember {
            civility: self.civility()?,
            first_name: self.first_name.trim().to_owned(),
            last_name: self.last_name.trim().to_owned(),
            function: form::text(&self.function),
            organization_id: form::text(&self.organization_id),
            email: form::text(&self.email),
            phone: form::text(&self.phone),
        })
    }

    fn patch(&self) -> Result<MemberPatch, Errors> {
        Ok(MemberPatch {
            civility: Some(self.civility()?),
            first_name: Some(self.first_name.trim().to_owned()),
            last_name: Some(self.last_name.trim().to_owned()),
            function: Some(form::text(&self.function)),
            organization_id: Some(form::text(&self.organization_id)),
            email: Some(form::text(&self.email)),
            phone: Some(form::text(&self.phone)),
            archived: None,
        })
    }
}

/// What someone else saved, beside each field typed differently (empty:
/// the same, or no conflict).
#[derive(Default)]
pub struct Current {
    civility: String,
    first_name: String,
    last_name: String,
    function: String,
    organization: String,
    email: String,
    phone: String,
}

impl Current {
    fn of(saved: &Member, typed: &MemberForm) -> Self {
        let now = MemberForm::of(saved);
        let differs = |saved: &str, typed: &str, shown: &str| {
            if saved.trim() == typed.trim() {
                String::new()
            } else if shown.is_empty() {
                "(vide)".to_owned()
            } else {
                shown.to_owned()
            }
        };
        let organization = saved.organization.as_ref().map(|o| o.name.as_str());
        Self {
            civility: differs(&now.civility, &typed.civility, &now.civility),
            first_name: differs(&now.first_name, &typed.first_name, &now.first_name),
            last_name: differs(&now.last_name, &typed.last_name, &now.last_name),
            function: differs(&now.function, &typed.function, &now.function),
            organization: differs(
                &now.organization_id,
                &typed.organization_id,
                organization.unwrap_or_default(),
            ),
            email: differs(&now.email, &typed.email, &now.email),
            phone: differs(&now.phone, &typed.phone, &now.phone),
        }
    }
}

#[derive(Template)]
#[template(path = "web/registry/member_form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    submit: &'static str,
    cancel: String,
    form: MemberForm,
    errors: Errors,
    summary: Vec<String>,
    civilities: Vec<(String, String)>,
    organizations: Vec<(String, String)>,
    /// Someone saved the member since the form was read.
    stale: bool,
    current: Current,
}

fn field_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "civility" => "Civilité",
        "first_name" => "Prénom",
        "last_name" => "Nom",
        "function" => "Fonction",
        "organization_id" => "Organisation",
        "email" => "Adresse e-mail",
        "phone" => "Téléphone",
        _ => return None,
    })
}

impl FormPage {
    async fn new(
        state: &AppState,
        staff: &Staff,
        editing: Option<&Member>,
        form: MemberForm,
        errors: Errors,
    ) -> WebResult<Self> {
        let scope = staff.caller.scope();
        let all = OrganizationFilter {
            terms: Vec::new(),
            include_archived: false,
        };
        let (orgs, _) = state
            .db
            .read(move |conn| organizations::list(conn, &scope, &all, CHOICES))
            .await?;
        let mut organizations = choices(orgs.into_iter().map(|o| (o.id, o.name)), "Aucune");
        // An archived organization the member still represents stays offered.
        if let Some(org) = editing.and_then(|m| m.organization.as_ref())
            && !organizations.iter().any(|(id, _)| *id == org.id)
        {
            organizations.push((org.id.clone(), format!("{} (archivée)", org.name)));
        }
        let (title, action, submit, cancel) = match editing {
            None => (
                "Ajouter un membre".to_owned(),
                "/registre/membres/nouveau".to_owned(),
                "Ajouter le membre",
                MEMBERS.to_owned(),
            ),
            Some(member) => (
                format!("Modifier {}", labels::member_name(member)),
                format!("{MEMBERS}/{}/modifier", member.id),
                "Enregistrer",
                format!("{MEMBERS}/{}", member.id),
            ),
        };
        let mut trail = vec![TRAIL, ("Membres", MEMBERS)];
        let back = editing.map(|m| (labels::member_name(m), cancel.clone()));
        if let Some((name, href)) = &back {
            trail.push((name.as_str(), href.as_str()));
        }
        Ok(Self {
            layout: Layout::staff(staff, &title, Nav::Registry, &trail),
            action,
            submit,
            cancel,
            summary: errors.summary(field_label),
            errors,
            form,
            civilities: civilities(editing.is_none()),
            organizations,
            stale: false,
            current: Current::default(),
        })
    }
}

/// M. or Mme; a new member's is chosen, not presumed.
fn civilities(choose: bool) -> Vec<(String, String)> {
    let choice = choose.then(|| (String::new(), "Sélectionner une option".to_owned()));
    choice
        .into_iter()
        .chain(["M.", "Mme"].map(|c| (c.to_owned(), c.to_owned())))
        .collect()
}

pub async fn new_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
) -> WebResult<HttpResponse> {
    let page = FormPage::new(
        &state,
        &staff,
        None,
        MemberForm::default(),
        Errors::default(),
    )
    .await?;
    Ok(layout::ok(&page)?)
}

pub async fn create(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    CsrfForm(typed): CsrfForm<MemberForm>,
) -> WebResult<HttpResponse> {
    let outcome = match typed.new_member() {
        Ok(input) => {
            let (caller, now) = (staff.caller.clone(), state.clock.now());
            state
                .db
                .write(move |conn| members::create(conn, &caller, now, input))
                .await
                .map_err(Errors::of)
        }
        Err(errors) => Err(Ok(errors)),
    };
    match outcome {
        Ok(member) => Ok(layout::see_other(&format!(
            "{MEMBERS}/{}?cree=1",
            member.id
        ))),
        Err(Ok(errors)) => {
            let page = FormPage::new(&state, &staff, None, typed, errors).await?;
            Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
        }
        Err(Err(other)) => Err(other.into()),
    }
}

pub async fn edit_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let member = member(&state, &staff, id.into_inner()).await?;
    let typed = MemberForm::of(&member);
    let page = FormPage::new(&state, &staff, Some(&member), typed, Errors::default()).await?;
    Ok(layout::ok(&page)?)
}

pub async fn update(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(typed): CsrfForm<MemberForm>,
) -> WebResult<HttpResponse> {
    let id = id.into_inner();
    let (status, errors, stale) = match typed.patch() {
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, false),
        Ok(patch) => {
            let (caller, now, at) = (staff.caller.clone(), state.clock.now(), id.clone());
            let seen = form::version_of(&typed.version);
            match state
                .db
                .write(move |conn| members::update(conn, &caller, now, &at, patch, seen))
                .await
            {
                Ok(member) => {
                    return Ok(layout::see_other(&format!(
                        "{MEMBERS}/{}?enregistre=1",
                        member.id
                    )));
                }
                Err(AppError::Stale) => (StatusCode::CONFLICT, Errors::default(), true),
                Err(err) => (StatusCode::UNPROCESSABLE_ENTITY, Errors::of(err)?, false),
            }
        }
    };
    let saved = member(&state, &staff, id).await?;
    let mut shown = typed.clone();
    let mut page = FormPage::new(&state, &staff, Some(&saved), typed.clone(), errors).await?;
    if stale {
        // The saved version, so that saving again (having looked) goes through.
        shown.version = form::version(saved.updated_at);
        page.current = Current::of(&saved, &typed);
        page.stale = true;
    }
    page.form = shown;
    Ok(layout::page(status, &page)?)
}
