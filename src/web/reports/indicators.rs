//! `/comites/{id}/indicateurs`: the legend of the bilan qualité, each
//! indicator with its values and their band, the form to record a value,
//! and the form to create an indicator.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::BandLine;
use crate::auth::caller::need;
use crate::domain::indicators::annual_report::printed;
use crate::domain::indicators::{self, Direction, Indicator, NewIndicator, NewValue, Unit};
use crate::domain::registry::committees::Committee;
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout, Nav};
use crate::web::paths::committee_href;
use crate::web::session::{Staff, StaffCan};
use crate::web::{COMMITTEES, DASHBOARD};

pub struct ValueLine {
    pub period: String,
    pub value: String,
    pub gap: String,
    pub band: Option<BandLine>,
}

pub struct IndicatorLine {
    pub id: String,
    pub name: String,
    pub target: String,
    pub direction: &'static str,
    pub values: Vec<ValueLine>,
    pub action: String,
    /// The value form as typed, and its errors (when it was refused).
    pub period: String,
    pub value: String,
    pub errors: Errors,
}

fn unit_label(unit: Unit) -> &'static str {
    match unit {
        Unit::Percent => "Pourcentage (%)",
        Unit::Days => "Jours",
        Unit::PerMille => "Pour mille (‰)",
        Unit::Count => "Nombre",
    }
}

fn direction_label(direction: Direction) -> &'static str {
    match direction {
        Direction::HigherIsBetter => "Plus la valeur est haute, mieux c’est",
        Direction::LowerIsBetter => "Plus la valeur est basse, mieux c’est",
    }
}

impl IndicatorLine {
    fn of(committee_id: &str, indicator: &Indicator) -> Self {
        Self {
            id: indicator.id.clone(),
            name: indicator.name.clone(),
            target: indicator
                .target
                .map(|t| printed(t, indicator.unit))
                .unwrap_or_else(|| "aucune".into()),
            direction: direction_label(indicator.direction),
            values: indicator
                .values
                .iter()
                .rev()
                .map(|v| ValueLine {
                    period: v.period.clone(),
                    value: printed(v.value, indicator.unit),
                    gap: v
                        .gap_percent
                        .map(|g| format!("{} %", g.to_string().replace('.', ",")))
                        .unwrap_or_else(|| "—".into()),
                    band: v.status.map(BandLine::of),
                })
                .collect(),
            action: format!(
                "{}/indicateurs/{}/valeurs",
                committee_href(committee_id),
                indicator.id
            ),
            period: String::new(),
            value: String::new(),
            errors: Errors::default(),
        }
    }
}

/// The new indicator's form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct IndicatorForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    target: String,
}

/// The value form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct ValueForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    value: String,
}

#[derive(Template)]
#[template(path = "web/reports/indicators.html")]
struct IndicatorsPage {
    layout: Layout,
    legend: Vec<BandLine>,
    indicators: Vec<IndicatorLine>,
    create_action: String,
    report_href: String,
    form: IndicatorForm,
    errors: Errors,
    units: Vec<(String, String)>,
    directions: Vec<(String, String)>,
    can_write: bool,
}

/// "91,96" or "91.96" as a number.
fn decimal(text: &str) -> Option<f64> {
    text.trim()
        .replace(['\u{202f}', '\u{a0}', ' '], "")
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

fn indicators_page(staff: &Staff, committee: &Committee, items: &[Indicator]) -> IndicatorsPage {
    let href = committee_href(&committee.id);
    IndicatorsPage {
        layout: Layout::staff(
            staff,
            &format!("Indicateurs — {}", committee.name),
            Nav::Committees,
            &[
                ("Tableau de bord", DASHBOARD),
                ("Comités", COMMITTEES),
                (&committee.name, &href),
            ],
        ),
        legend: BandLine::legend(),
        indicators: items
            .iter()
            .map(|i| IndicatorLine::of(&committee.id, i))
            .collect(),
        create_action: format!("{href}/indicateurs"),
        report_href: format!("{href}/bilan"),
        form: IndicatorForm {
            unit: Unit::Percent.as_str().into(),
            direction: Direction::HigherIsBetter.as_str().into(),
            ..IndicatorForm::default()
        },
        errors: Errors::default(),
        units: Unit::ALL
            .iter()
            .map(|u| (u.as_str().to_owned(), unit_label(*u).to_owned()))
            .collect(),
        directions: Direction::ALL
            .iter()
            .map(|d| (d.as_str().to_owned(), direction_label(*d).to_owned()))
            .collect(),
        can_write: staff.can::<need::Write>(),
    }
}

async fn load(
    state: &AppState,
    staff: &Staff,
    id: String,
) -> WebResult<(Committee, Vec<Indicator>)> {
    let scope = staff.caller.scope();
    Ok(state
        .db
        .read(move |conn| indicators::of_committee(conn, &scope, &id))
        .await?)
}

pub async fn page(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (committee, items) = load(&state, &staff, id.into_inner()).await?;
    Ok(layout::ok(&indicators_page(&staff, &committee, &items))?)
}

pub async fn create(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<IndicatorForm>,
) -> WebResult<HttpResponse> {
    let (committee, items) = load(&state, &staff, id.into_inner()).await?;
    let mut page = indicators_page(&staff, &committee, &items);
    let mut errors = Vec::new();
    let unit = Unit::parse(&form.unit);
    let direction = Direction::parse(&form.direction);
    let target = match form::text(&form.target) {
        None => None,
        Some(t) => {
            let parsed = decimal(&t);
            if parsed.is_none() {
                errors.push(("target", "Un nombre, par exemple 90 ou 91,5."));
            }
            parsed
        }
    };
    if unit.is_none() || direction.is_none() {
        errors.push(("unit", "Choisissez l’unité et le sens de l’indicateur."));
    }
    let (Some(unit), Some(direction), true) = (unit, direction, errors.is_empty()) else {
        page.errors = Errors::of(crate::error::AppError::Validation(
            errors
                .iter()
                .map(|(f, m)| crate::error::FieldError::new(*f, *m))
                .collect(),
        ))?;
        page.form = form;
        return Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?);
    };
    let input = NewIndicator {
        name: form.name.clone(),
        unit,
        direction,
        target,
        values: Vec::new(),
    };
    let (caller, now, committee_id) = (staff.caller.clone(), state.clock.now(), committee.id);
    match state
        .db
        .write(move |conn| indicators::create(conn, &caller, now, &committee_id, input.clone()))
        .await
    {
        Ok(created) => {
            staff.flash(format!(
                "Indicateur « {} » créé. Enregistrez-en la première valeur.",
                created.name
            ));
            Ok(layout::see_other(&format!(
                "{}/indicateurs#indicateur-{}",
                committee_href(&created.committee_id),
                created.id
            )))
        }
        Err(err) => {
            page.errors = Errors::of(err)?;
            page.form = form;
            Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
        }
    }
}

pub async fn record_value(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ValueForm>,
) -> WebResult<HttpResponse> {
    let (committee_id, indicator_id) = path.into_inner();
    let (committee, items) = load(&state, &staff, committee_id).await?;
    if !items.iter().any(|i| i.id == indicator_id) {
        return Err(crate::error::AppError::NotFound.into());
    }
    let refuse = |errors: Errors, form: ValueForm| -> WebResult<HttpResponse> {
        let mut page = indicators_page(&staff, &committee, &items);
        if let Some(line) = page.indicators.iter_mut().find(|l| l.id == indicator_id) {
            line.period = form.period;
            line.value = form.value;
            line.errors = errors;
        }
        Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
    };
    let Some(value) = decimal(&form.value) else {
        return refuse(Errors::one("value", "Un nombre, par exemple 91,96."), form);
    };
    let input = NewValue {
        period: form.period.clone(),
        value,
    };
    let (caller, now, id) = (
        staff.caller.clone(),
        state.clock.now(),
        indicator_id.clone(),
    );
    match state
        .db
        .write(move |conn| indicators::record_value(conn, &caller, now, &id, input.clone()))
        .await
    {
        Ok(saved) => {
            staff.flash(format!(
                "Valeur {} enregistrée pour « {} ».",
                form.period.trim(),
                saved.name
            ));
            Ok(layout::see_other(&format!(
                "{}/indicateurs#indicateur-{}",
                committee_href(&saved.committee_id),
                saved.id
            )))
        }
        Err(err) => refuse(Errors::of(err)?, form),
    }
}
