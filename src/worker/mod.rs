//! The background worker of `clu serve`, beside the HTTP adapters: it
//! drives the outbox (`mail` builds and sends the messages). It claims due messages
//! atomically, sends them, marks them sent, and on failure puts them back
//! with exponential backoff until they are given up as `failed`. State
//! lives in the database, so a restart resumes where the last run stopped.
//! It also sends the automatic reminders when they fall due. Beside it,
//! `inbox` reads the mail that comes back.

pub mod inbox;
pub mod timestamps;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use lettre::message::Mailbox;

use crate::error::{AppError, AppResult};
use crate::mail::message;
use crate::mail::transport::Transport;
use crate::state::AppState;
use crate::store::outbox::OutboxRow;
use crate::store::{self};

/// How long a claim holds before another worker may take the message: a
/// live worker renews it every `RENEW_SECONDS` while it sends, so a dead
/// one's messages move on to another server within this much.
const LEASE_SECONDS: i64 = 20;
const RENEW_SECONDS: u64 = 5;
/// Messages claimed at once, and sent concurrently over the pool (lettre
/// keeps up to 10 SMTP connections open).
const BATCH: i64 = 100;
const CONCURRENCY: usize = 10;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub reminders_queued: usize,
}

pub struct Worker {
    state: AppState,
    transport: Transport,
    from: Mailbox,
    /// The envelope sender when a mailbox is read: bounces come back there.
    return_path: Option<lettre::Address>,
    claim: String,
}

/// The delay before attempt `attempts + 1`: base × 2^(attempts − 1), capped at an hour.
pub fn backoff(base_seconds: i64, attempts: i32) -> chrono::Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let seconds = base_seconds.saturating_mul(1_i64 << exponent).min(3600);
    chrono::Duration::seconds(seconds)
}

impl Worker {
    pub fn new(state: AppState) -> Result<Self, String> {
        let transport = Transport::from_settings(&state.settings)?;
        let from: Mailbox = state
            .settings
            .mail_from
            .parse()
            .map_err(|e| format!("CLU_MAIL_FROM invalide : {e}"))?;
        let return_path = match &state.mailbox {
            Some(mailbox) => Some(
                mailbox
                    .address
                    .parse()
                    .map_err(|e| format!("imap_address invalide : {e}"))?,
            ),
            None => None,
        };
        Ok(Self {
            state,
            transport,
            from,
            return_path,
            claim: store::new_id(),
        })
    }

    /// Sends everything due now: reminders first, then the messages, batch
    /// after batch, until nothing is due.
    pub async fn run_once(&self) -> AppResult<Pass> {
        let mut pass = Pass {
            reminders_queued: self.queue_due_reminders().await?,
            ..Pass::default()
        };
        loop {
            let batch = self.claim_batch().await?;
            if batch.is_empty() {
                break;
            }
            // Each message is recorded as soon as it is sent, while the
            // others are on the wire: a crash re-sends at most the ones in
            // flight.
            let sending = futures_util::stream::iter(batch)
                .map(|row| async move {
                    let result = match message::build(&row, &self.from) {
                        Ok(message) => {
                            self.transport
                                .send(message, self.return_path.as_ref())
                                .await
                        }
                        Err(err) => Err(err),
                    };
                    self.record(&row, result).await
                })
                .buffer_unordered(CONCURRENCY)
                .collect::<Vec<AppResult<Outcome>>>();
            let outcomes = tokio::select! {
                outcomes = sending => outcomes,
                never = self.keep_claim() => match never {},
            };
            for outcome in outcomes {
                match outcome? {
                    Outcome::Sent => pass.sent += 1,
                    Outcome::Retry => pass.retried += 1,
                    Outcome::Failed => pass.failed += 1,
                }
            }
        }
        if pass != Pass::default() {
            tracing::info!(
                sent = pass.sent,
                retried = pass.retried,
                failed = pass.failed,
                reminders = pass.reminders_queued,
                transport = self.transport.describe(),
                "outbox pass"
            );
        }
        Ok(pass)
    }

    async fn queue_due_reminders(&self) -> AppResult<usize> {
        let days = self.state.settings.reminder_days_before;
        if days <= 0 {
            return Ok(0);
        }
        // Read first: most passes find nothing, and take no write lock.
        let now = self.state.clock.now().naive_utc();
        let until = now + chrono::Duration::days(days);
        let due = self
            .state
            .db
            .read(move |conn| Ok(store::meetings::due_for_reminder(conn, now, until)?))
            .await?;
        if due.is_empty() {
            return Ok(0);
        }
        let notices = self.state.notices();
        self.state
            .db
            .write(move |conn| {
                crate::domain::meetings::reminders::queue_automatic(conn, &notices, days)
            })
            .await
    }

    async fn claim_batch(&self) -> AppResult<Vec<OutboxRow>> {
        let now = self.state.clock.now().naive_utc();
        let candidates = self
            .state
            .db
            .read(move |conn| Ok(store::outbox::due(conn, now, BATCH)?))
            .await?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let claim = self.claim.clone();
        let lease = now + chrono::Duration::seconds(LEASE_SECONDS);
        self.state
            .db
            .write(move |conn| Ok(store::outbox::claim(conn, &claim, &candidates, now, lease)?))
            .await
    }

    /// Renews the lease of the messages this worker is sending, for as
    /// long as it is sending them (the caller drops this future then).
    async fn keep_claim(&self) -> std::convert::Infallible {
        loop {
            tokio::time::sleep(Duration::from_secs(RENEW_SECONDS)).await;
            let claim = self.claim.clone();
            let until =
                (self.state.clock.now() + chrono::Duration::seconds(LEASE_SECONDS)).naive_utc();
            let renewed = self
                .state
                .db
                .write(move |conn| Ok(store::outbox::renew(conn, &claim, until)?))
                .await;
            if let Err(err) = renewed {
                tracing::warn!(error = %err, "outbox lease not renewed");
            }
        }
    }

    async fn record(&self, row: &OutboxRow, result: Result<(), String>) -> AppResult<Outcome> {
        let now: DateTime<Utc> = self.state.clock.now();
        let (id, claim) = (row.id.clone(), self.claim.clone());
        let settings = Arc::clone(&self.state.settings);
        let attempts = row.attempts;
        let outcome = match &result {
            Ok(()) => Outcome::Sent,
            Err(_) if attempts < settings.outbox_max_attempts => Outcome::Retry,
            Err(_) => Outcome::Failed,
        };
        self.state.metrics.email(match outcome {
            Outcome::Sent => crate::metrics::Email::Sent,
            Outcome::Retry => crate::metrics::Email::Retried,
            Outcome::Failed => crate::metrics::Email::Failed,
        });
        match &result {
            Ok(()) => tracing::debug!(outbox_id = %row.id, kind = %row.kind, "sent"),
            Err(err) => {
                tracing::warn!(outbox_id = %row.id, kind = %row.kind, attempts, error = %err, "sending failed")
            }
        }
        self.state
            .db
            .write(move |conn| {
                match (result, outcome) {
                    (Ok(()), _) => store::outbox::mark_sent(conn, &id, &claim, now.naive_utc())?,
                    (Err(err), Outcome::Retry) => {
                        let at = now + backoff(settings.outbox_retry_base_seconds, attempts);
                        store::outbox::mark_failed(conn, &id, &claim, &err, Some(at.naive_utc()))?;
                    }
                    (Err(err), _) => store::outbox::mark_failed(conn, &id, &claim, &err, None)?,
                }
                Ok::<_, AppError>(())
            })
            .await?;
        Ok(outcome)
    }

    /// Runs until the process stops: a pass, then a wait until the poll
    /// interval runs out or new mail is queued.
    pub async fn run(self) {
        let poll = Duration::from_millis(self.state.settings.outbox_poll_ms);
        let wake = Arc::clone(&self.state.outbox_wake);
        tracing::info!(
            transport = self.transport.describe(),
            "outbox worker started"
        );
        // The missing timestamps are asked for once a minute at most: an
        // authority that does not answer costs its timeout each time.
        let mut timestamps_due = tokio::time::Instant::now();
        loop {
            if let Err(err) = self.run_once().await {
                tracing::error!(error = %err, "outbox pass failed");
            }
            if tokio::time::Instant::now() >= timestamps_due {
                timestamps_due = tokio::time::Instant::now() + Duration::from_secs(60);
                if let Err(err) = timestamps::run_once(&self.state).await {
                    tracing::error!(error = %err, "timestamp pass failed");
                }
            }
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                () = wake.notified() => {}
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Sent,
    Retry,
    Failed,
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        let seconds: Vec<i64> = (1..=9).map(|n| backoff(30, n).num_seconds()).collect();
        assert_eq!(seconds, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }
}
