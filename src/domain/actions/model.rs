//! What an action is, as the API and the pages read it, and what a
//! creation or a change carries.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::status::{ActionStatus, Source, SourceInput};
use crate::domain::validate::nullable;
use crate::error::{AppError, AppResult};
use crate::store::actions::ActionRow;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Action {
    pub id: String,
    pub committee_id: String,
    /// Unique within the committee.
    pub number: Option<i32>,
    /// The finding (constat, écart, dysfonctionnement).
    pub finding: String,
    /// In the quality framework: "E6", "E3 § 3-1".
    pub reference: Option<String>,
    pub sources: Vec<Source>,
    pub status: ActionStatus,
    pub due_date: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub cancel_reason: Option<String>,
    /// The action planned (nature du plan d'action).
    pub description: Option<String>,
    /// Responsible services: "DC / BLS / RQ".
    pub responsible: Option<String>,
    /// Whether it proved effective; null until judged.
    pub effective: Option<bool>,
    /// How the effectiveness was verified.
    pub verification: Option<String>,
    /// The meeting that raised it.
    pub meeting_id: Option<String>,
    /// The meetings that discussed it.
    pub discussed_in: Vec<String>,
    /// Open and past its due date, today.
    pub overdue: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Action {
    pub fn from_row(
        row: ActionRow,
        discussed_in: Vec<String>,
        today: NaiveDate,
    ) -> AppResult<Self> {
        let status = ActionStatus::from_stored(&row.status)?;
        Ok(Self {
            sources: serde_json::from_str(&row.sources).map_err(AppError::internal)?,
            discussed_in,
            overdue: status.is_open() && row.due_date.is_some_and(|due| due < today),
            status,
            id: row.id,
            committee_id: row.committee_id,
            number: row.number,
            finding: row.finding,
            reference: row.reference,
            due_date: row.due_date,
            completed_on: row.completed_on,
            cancel_reason: row.cancel_reason,
            description: row.description,
            responsible: row.responsible,
            effective: row.effective,
            verification: row.verification,
            meeting_id: row.meeting_id,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    #[serde(default)]
    pub number: Option<i32>,
    pub finding: String,
    #[serde(default)]
    pub reference: Option<String>,
    /// Each a kind (`"survey"`) or a kind with its date (`{kind, date}`).
    #[serde(default)]
    pub sources: Vec<SourceInput>,
    /// planned by default; an action entered as already under way or done
    /// may say so (done needs `completed_on`, today by default).
    #[serde(default)]
    pub status: Option<ActionStatus>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    pub completed_on: Option<NaiveDate>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub responsible: Option<String>,
    #[serde(default)]
    pub effective: Option<bool>,
    #[serde(default)]
    pub verification: Option<String>,
    #[serde(default)]
    pub meeting_id: Option<String>,
    #[serde(default)]
    pub discussed_in: Vec<String>,
}

/// Absent fields stay as they are; `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPatch {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub number: Option<Option<i32>>,
    pub finding: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub reference: Option<Option<String>>,
    /// Each a kind (`"survey"`) or a kind with its date (`{kind, date}`).
    pub sources: Option<Vec<SourceInput>>,
    /// A legal move only (409 otherwise).
    pub status: Option<ActionStatus>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    /// When moving to done (today by default).
    pub completed_on: Option<NaiveDate>,
    /// Required when cancelling.
    pub cancel_reason: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub responsible: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    pub effective: Option<Option<bool>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub verification: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub meeting_id: Option<Option<String>>,
    /// Replaces the list of meetings that discussed the action.
    pub discussed_in: Option<Vec<String>>,
}
