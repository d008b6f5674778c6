//! Quality indicators and their values per period. Each value's status
//! follows the legend of the bilan qualité — on or better than target, gap
//! under 25 %, 25 to 50 %, over 50 % — computed, never stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Event};
use crate::domain::validate::Check;
use crate::error::{AppError, AppResult};
use crate::store::indicators::{IndicatorRow, ValueRow};
use crate::store::{self, Scope};
use crate::text_enum;

text_enum! {
    pub enum Unit {
        Percent = "percent",
        Days = "days",
        PerMille = "per_mille",
        Count = "count",
    }
}

text_enum! {
    pub enum Direction {
        HigherIsBetter = "higher_is_better",
        LowerIsBetter = "lower_is_better",
    }
}

text_enum! {
    /// The legend of the bilan qualité.
    pub enum Band {
        /// Résultat conforme voire meilleur que la cible.
        OnTarget = "on_target",
        /// Écart inférieur à 25 % de la cible.
        GapUnder25 = "gap_under_25",
        /// Écart compris entre 25 % et 50 % de la cible.
        Gap25To50 = "gap_25_to_50",
        /// Écart supérieur à 50 % de la cible.
        GapOver50 = "gap_over_50",
    }
}

impl Band {
    pub fn label(self) -> &'static str {
        match self {
            Self::OnTarget => "résultat conforme voire meilleur que la cible",
            Self::GapUnder25 => "résultat avec un écart inférieur à 25 % de la cible",
            Self::Gap25To50 => "résultat avec un écart compris entre 25 % et 50 % de la cible",
            Self::GapOver50 => "résultat avec un écart supérieur à 50 % de la cible",
        }
    }
}

/// The shortfall against the target, as a fraction of it (0 when met).
pub fn gap(value: f64, target: f64, direction: Direction) -> f64 {
    let shortfall = match direction {
        Direction::HigherIsBetter => target - value,
        Direction::LowerIsBetter => value - target,
    };
    if shortfall <= 0.0 {
        0.0
    } else if target == 0.0 {
        f64::INFINITY
    } else {
        shortfall / target.abs()
    }
}

/// The legend band of a value; none without a target.
pub fn band(value: f64, target: Option<f64>, direction: Direction) -> Option<Band> {
    let gap = gap(value, target?, direction);
    // Percentages are compared rounded to 1e-9, so that 25 % is 25 %.
    let percent = (gap * 100.0 * 1e9).round() / 1e9;
    Some(if percent <= 0.0 {
        Band::OnTarget
    } else if percent < 25.0 {
        Band::GapUnder25
    } else if percent <= 50.0 {
        Band::Gap25To50
    } else {
        Band::GapOver50
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorValue {
    /// "2020", "2024-T1"…
    pub period: String,
    pub value: f64,
    /// The shortfall against the target, in percent of it; null without a target.
    pub gap_percent: Option<f64>,
    pub status: Option<Band>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Indicator {
    pub id: String,
    pub committee_id: String,
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
    /// The national target.
    pub target: Option<f64>,
    pub values: Vec<IndicatorValue>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIndicator {
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
    #[serde(default)]
    pub target: Option<f64>,
    /// Values to record at once.
    #[serde(default)]
    pub values: Vec<NewValue>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewValue {
    pub period: String,
    pub value: f64,
}

fn view(row: IndicatorRow, values: Vec<ValueRow>) -> AppResult<Indicator> {
    let direction = Direction::from_stored(&row.direction)?;
    Ok(Indicator {
        values: values
            .into_iter()
            .map(|v| IndicatorValue {
                gap_percent: row
                    .target
                    .map(|t| (gap(v.value, t, direction) * 1000.0).round() / 10.0)
                    .filter(|g| g.is_finite()),
                status: band(v.value, row.target, direction),
                period: v.period,
                value: v.value,
            })
            .collect(),
        unit: Unit::from_stored(&row.unit)?,
        direction,
        id: row.id,
        committee_id: row.committee_id,
        name: row.name,
        target: row.target,
    })
}

fn check_value(check: &mut Check, field: &str, value: &NewValue) -> String {
    let period = check.text(&format!("{field}.period"), &value.period, 1, 20);
    if !value.value.is_finite() {
        check.add(&format!("{field}.value"), "un nombre fini");
    }
    period
}

/// Records (or corrects) the value of a period.
fn put_value(
    conn: &mut DbConn,
    indicator_id: &str,
    period: &str,
    value: f64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match store::indicators::find_value(conn, indicator_id, period)? {
        Some(mut row) => {
            row.value = value;
            row.updated_at = now.naive_utc();
            store::indicators::update_value(conn, &row)?;
        }
        None => store::indicators::insert_value(
            conn,
            &ValueRow {
                id: store::new_id(),
                indicator_id: indicator_id.into(),
                period: period.into(),
                value,
                created_at: now.naive_utc(),
                updated_at: now.naive_utc(),
            },
        )?,
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    committee_id: &str,
    input: NewIndicator,
) -> AppResult<Indicator> {
    let committee = store::committees::find(conn, &caller.scope(), committee_id).found()?;
    let mut check = Check::new();
    let name = check.text("name", &input.name, 1, 200);
    if input.target.is_some_and(|t| !t.is_finite()) {
        check.add("target", "un nombre fini");
    }
    let periods: Vec<String> = input
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| check_value(&mut check, &format!("values[{i}]"), v))
        .collect();
    check.finish()?;
    let row = IndicatorRow {
        id: store::new_id(),
        structure_id: committee.structure_id,
        committee_id: committee.id,
        name,
        unit: input.unit.as_str().into(),
        direction: input.direction.as_str().into(),
        target: input.target,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    };
    store::indicators::insert(conn, &row)?;
    for (period, value) in periods.iter().zip(&input.values) {
        put_value(conn, &row.id, period, value.value, now)?;
    }
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: "indicator.create",
            entity: "indicator",
            entity_id: &row.id,
            summary: json!({ "name": row.name, "values": input.values.len() }),
        },
    )?;
    get(conn, &caller.scope(), &row.id)
}

pub fn record_value(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
    input: NewValue,
) -> AppResult<Indicator> {
    let row = store::indicators::find(conn, &caller.scope(), id).found()?;
    let mut check = Check::new();
    let period = check_value(&mut check, "value", &input);
    check.finish().map_err(|err| match err {
        AppError::Validation(errors) => AppError::Validation(
            errors
                .into_iter()
                .map(|e| crate::error::FieldError {
                    field: e.field.trim_start_matches("value.").to_owned(),
                    ..e
                })
                .collect(),
        ),
        other => other,
    })?;
    put_value(conn, &row.id, &period, input.value, now)?;
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: "indicator.value",
            entity: "indicator",
            entity_id: &row.id,
            summary: json!({ "period": period, "value": input.value }),
        },
    )?;
    get(conn, &caller.scope(), id)
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> AppResult<Indicator> {
    let row = store::indicators::find(conn, scope, id).found()?;
    let values = store::indicators::values_of(conn, std::slice::from_ref(&row.id))?;
    view(row, values)
}

pub fn list(conn: &mut DbConn, scope: &Scope, committee_id: &str) -> AppResult<Vec<Indicator>> {
    store::committees::find(conn, scope, committee_id).found()?;
    let rows = store::indicators::of_committee(conn, committee_id)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut values = store::indicators::values_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let (mine, rest): (Vec<ValueRow>, Vec<ValueRow>) =
                values.drain(..).partition(|v| v.indicator_id == row.id);
            values = rest;
            view(row, mine)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Band::*;
    use super::Direction::*;
    use super::*;

    #[test]
    fn legend_bands_at_their_edges_higher_is_better() {
        // Target 100: a gap of x % is a value of 100 − x.
        let cases = [
            (100.0, OnTarget),
            (120.0, OnTarget),
            (75.1, GapUnder25),
            (75.0, Gap25To50),
            (50.0, Gap25To50),
            (49.9, GapOver50),
            (0.0, GapOver50),
        ];
        for (value, expected) in cases {
            assert_eq!(
                band(value, Some(100.0), HigherIsBetter),
                Some(expected),
                "{value}"
            );
        }
        // The seed's "taux d'appels décrochés": 91,96 % for 90 % is on target.
        assert_eq!(band(91.96, Some(90.0), HigherIsBetter), Some(OnTarget));
    }

    #[test]
    fn legend_bands_at_their_edges_lower_is_better() {
        // Target 10 days: a gap of x % is 10 × (1 + x).
        let cases = [
            (10.0, OnTarget),
            (5.9, OnTarget),
            (12.49, GapUnder25),
            (12.5, Gap25To50),
            (15.0, Gap25To50),
            (15.01, GapOver50),
        ];
        for (value, expected) in cases {
            assert_eq!(
                band(value, Some(10.0), LowerIsBetter),
                Some(expected),
                "{value}"
            );
        }
        // The seed: renewal of residence permits, 64 days for a 30-day target.
        assert_eq!(band(64.0, Some(30.0), LowerIsBetter), Some(GapOver50));
        assert_eq!(band(1.0, Some(0.0), LowerIsBetter), Some(GapOver50));
        assert_eq!(band(1.0, None, LowerIsBetter), None);
    }
}
