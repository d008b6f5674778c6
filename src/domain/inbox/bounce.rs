//! A delivery status notification (RFC 3464): a message clu sent did not
//! reach its recipient. The message is marked "non distribuée" with the
//! reason, so the secrétariat fixes the address and sends it again.

use serde_json::json;

use super::{Effect, Kind};
use crate::db::DbConn;
use crate::domain::audit::{self, Actor, Event};
use crate::domain::meetings::notices::Notices;
use crate::error::AppResult;
use crate::mail::inbound::DeliveryReport;
use crate::store;

pub(super) fn handle(
    conn: &mut DbConn,
    notices: &Notices,
    report: &DeliveryReport,
) -> AppResult<Effect> {
    let sent = match &report.original {
        Some(id) => store::outbox::by_message_id(conn, id)?,
        None => None,
    };
    let Some(sent) = sent else {
        tracing::warn!("delivery report about a message clu did not send");
        return Ok(Effect::nothing(
            Kind::Unrelated,
            "Avis de non-distribution d’un message inconnu : rien à faire.",
        ));
    };
    let effect = Effect {
        kind: Kind::Bounce,
        structure_id: sent.structure_id.clone(),
        meeting_id: sent.meeting_id.clone(),
        invitation_id: sent.invitation_id.clone(),
        outcome: String::new(),
    };
    let Some(failure) = report.recipients.iter().find(|r| r.action == "failed") else {
        return Ok(Effect {
            outcome: "Avis de retard de distribution : le serveur réessaie, rien à faire.".into(),
            ..effect
        });
    };
    let reason = failure.reason();
    if store::outbox::mark_bounced(conn, &sent.id, &reason)? {
        audit::record(
            conn,
            &Actor::system(),
            notices.now,
            Event {
                structure_id: sent.structure_id.as_deref(),
                action: "message.undelivered",
                entity: if sent.invitation_id.is_some() {
                    "invitation"
                } else {
                    "message"
                },
                entity_id: sent.invitation_id.as_deref().unwrap_or(&sent.id),
                // The status code, not the text: it may quote the address.
                summary: json!({ "meeting_id": sent.meeting_id, "kind": sent.kind, "message_id": sent.id, "status": failure.status }),
            },
        )?;
    }
    Ok(Effect {
        outcome: format!("Non distribué : {}.", failure.summary()),
        ..effect
    })
}
