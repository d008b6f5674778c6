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

    /// planned → in progress → done, or planned → done directly (an
    /// action often gets done before anyone marks it under way); cancelled
    /// from any open status.
    pub fn can_become(self, next: Self) -> bool {
        use ActionStatus::*;
        matches!(
            (self, next),
            (Planned, InProgress)
                | (Planned | InProgress, Done)
                | (Planned | InProgress, Cancelled)
        )
    }

    /// The French word of the action plan's table.
    pub fn label(self) -> &'static str {
        match self {
            Self::Planned => "Prévue",
            Self::InProgress => "En cours",
            Self::Done => "Réalisée",
            Self::Cancelled => "Annulée",
        }
    }
}

impl SourceKind {
    /// The column of the action plan's table.
    pub fn label(self) -> &'static str {
        match self {
            Self::LocalContext => "Contexte local",
            Self::SelfAssessment => "Auto-diagnostic",
            Self::Survey => "Enquête de satisfaction",
            Self::InternalAudit => "Audit interne",
            Self::ExternalAudit => "Audit externe",
        }
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

/// A source as a client may send it: the kind alone (`"survey"`, the short
/// form of the contract) or with its date (`{"kind": "survey", "date": …}`).
/// Read by hand rather than as an untagged enum, so that a bad kind is
/// reported as such ("unknown variant `rumour`, expected one of …") with
/// its path, not as "did not match any variant".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum SourceInput {
    Kind(SourceKind),
    Dated(Source),
}

impl From<SourceInput> for Source {
    fn from(input: SourceInput) -> Self {
        match input {
            SourceInput::Kind(kind) => Source { kind, date: None },
            SourceInput::Dated(source) => source,
        }
    }
}

/// The sources as stored, whichever form they came in.
pub fn sources_of(inputs: Vec<SourceInput>) -> Vec<Source> {
    inputs.into_iter().map(Source::from).collect()
}

impl<'de> Deserialize<'de> for SourceInput {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, IntoDeserializer, MapAccess, Visitor};

        struct Either;

        impl<'de> Visitor<'de> for Either {
            type Value = SourceInput;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a source kind, or an object {kind, date}")
            }

            fn visit_str<E: de::Error>(self, kind: &str) -> Result<SourceInput, E> {
                SourceKind::deserialize(kind.into_deserializer()).map(SourceInput::Kind)
            }

            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<SourceInput, M::Error> {
                Source::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(SourceInput::Dated)
            }
        }

        deserializer.deserialize_any(Either)
    }
}

#[cfg(test)]
mod tests {
    use super::ActionStatus::*;

    #[test]
    fn legal_moves() {
        assert!(Planned.can_become(InProgress));
        assert!(InProgress.can_become(Done));
        assert!(Planned.can_become(Done), "done directly from planned");
        assert!(Planned.can_become(Cancelled) && InProgress.can_become(Cancelled));
        assert!(!Done.can_become(Planned));
        assert!(!Done.can_become(Cancelled));
        assert!(!Cancelled.can_become(Planned));
        assert!(!Done.can_become(InProgress));
        assert!(!Cancelled.can_become(Done));
    }

    #[test]
    fn sources_come_short_or_dated() {
        use super::{Source, SourceInput, SourceKind, sources_of};
        let inputs: Vec<SourceInput> = serde_json::from_str(
            r#"["survey", {"kind": "internal_audit", "date": "2020-11-05"}, {"kind": "local_context"}]"#,
        )
        .expect("both forms");
        assert_eq!(
            sources_of(inputs),
            [
                Source {
                    kind: SourceKind::Survey,
                    date: None
                },
                Source {
                    kind: SourceKind::InternalAudit,
                    date: chrono::NaiveDate::from_ymd_opt(2020, 11, 5)
                },
                Source {
                    kind: SourceKind::LocalContext,
                    date: None
                },
            ]
        );
        let bad =
            serde_json::from_str::<Vec<SourceInput>>(r#"["rumour"]"#).expect_err("unknown kind");
        assert!(bad.to_string().contains("rumour"), "{bad}");
        let bad = serde_json::from_str::<Vec<SourceInput>>(r#"[{"kind": "survey", "when": 1}]"#)
            .expect_err("unknown field");
        assert!(bad.to_string().contains("when"), "{bad}");
        assert!(serde_json::from_str::<Vec<SourceInput>>("[3]").is_err());
    }
}
