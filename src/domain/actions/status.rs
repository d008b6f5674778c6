//! An action's status and the moves between them, and where its finding
//! comes from.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::text_enum;

text_enum! {
    pub enum ActionStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Done = "done",
        Cancelled = "cancelled",
    }
}

text_enum! {
    pub enum SourceKind {
        LocalContext = "local_context",
        SelfAssessment = "self_assessment",
        Survey = "survey",
        InternalAudit = "internal_audit",
        ExternalAudit = "external_audit",
    }
}

impl ActionStatus {
    pub fn is_open(self) -> bool {
        matches!(self, Self::Planned | Self::InProgress)
    }

    /// planned → in progress → done; cancelled from any open status.
    pub fn can_become(self, next: Self) -> bool {
        use ActionStatus::*;
        matches!(
            (self, next),
            (Planned, InProgress) | (InProgress, Done) | (Planned | InProgress, Cancelled)
        )
    }
}

/// Where a finding comes from, and when (the date of the audit, survey…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub kind: SourceKind,
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::ActionStatus::*;

    #[test]
    fn legal_moves() {
        assert!(Planned.can_become(InProgress));
        assert!(InProgress.can_become(Done));
        assert!(Planned.can_become(Cancelled) && InProgress.can_become(Cancelled));
        assert!(!Planned.can_become(Done));
        assert!(!Done.can_become(Cancelled));
        assert!(!Cancelled.can_become(Planned));
        assert!(!Done.can_become(InProgress));
    }
}
