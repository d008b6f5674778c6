//! The meeting lifecycle: draft → convened (invitations sent) → held →
//! minutes drafted → submitted → signed; cancelled from draft or convened.
//! Any other move is a 409 naming the current status.

use crate::error::{AppError, AppResult};
use crate::store::meetings::MeetingRow;
use crate::text_enum;

text_enum! {
    pub enum MeetingStatus {
        Draft = "draft",
        Convened = "convened",
        Held = "held",
        MinutesDraft = "minutes_draft",
        MinutesSubmitted = "minutes_submitted",
        MinutesSigned = "minutes_signed",
        Cancelled = "cancelled",
    }
}

text_enum! {
    pub enum MeetingMode {
        InPerson = "in_person",
        Remote = "remote",
        Hybrid = "hybrid",
    }
}

impl MeetingStatus {
    /// The legal moves of the lifecycle.
    pub fn can_become(self, next: Self) -> bool {
        use MeetingStatus::*;
        matches!(
            (self, next),
            (Draft, Convened)
                | (Convened, Held)
                | (Held, MinutesDraft)
                | (MinutesDraft, MinutesSubmitted)
                | (MinutesSubmitted, MinutesDraft)
                | (MinutesSubmitted, MinutesSigned)
                | (MinutesSigned, MinutesDraft)
                | (Draft | Convened, Cancelled)
        )
    }

    /// How the status reads in a French sentence.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "en préparation",
            Self::Convened => "convoquée",
            Self::Held => "tenue",
            Self::MinutesDraft => "compte-rendu en rédaction",
            Self::MinutesSubmitted => "compte-rendu soumis à signature",
            Self::MinutesSigned => "compte-rendu signé",
            Self::Cancelled => "annulée",
        }
    }
}

impl MeetingMode {
    pub fn label(self) -> &'static str {
        match self {
            Self::InPerson => "en présentiel",
            Self::Remote => "à distance",
            Self::Hybrid => "en présentiel et à distance",
        }
    }
}

/// 409 unless the meeting may move from its status to `next`.
pub fn ensure_move(row: &MeetingRow, next: MeetingStatus) -> AppResult<MeetingStatus> {
    let current = MeetingStatus::from_stored(&row.status)?;
    if current.can_become(next) {
        Ok(current)
    } else {
        Err(AppError::Conflict(format!(
            "la réunion est au statut « {} » ({}) : elle ne peut pas passer au statut « {} »",
            current.as_str(),
            current.label(),
            next.as_str()
        )))
    }
}

/// 409 unless the meeting is in one of `allowed`.
pub fn ensure_status(
    row: &MeetingRow,
    allowed: &[MeetingStatus],
    action: &str,
) -> AppResult<MeetingStatus> {
    let current = MeetingStatus::from_stored(&row.status)?;
    if allowed.contains(&current) {
        Ok(current)
    } else {
        Err(AppError::Conflict(format!(
            "la réunion est au statut « {} » ({}) : impossible de {action}",
            current.as_str(),
            current.label()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::MeetingStatus::*;

    #[test]
    fn only_legal_moves() {
        assert!(Draft.can_become(Convened));
        assert!(Convened.can_become(Held));
        assert!(Draft.can_become(Cancelled) && Convened.can_become(Cancelled));
        assert!(!Held.can_become(Cancelled));
        assert!(!Draft.can_become(Held));
        assert!(!Cancelled.can_become(Convened));
        assert!(!MinutesSigned.can_become(Cancelled));
        assert!(MinutesSubmitted.can_become(MinutesSigned));
        assert!(!MinutesDraft.can_become(MinutesSigned));
    }
}
