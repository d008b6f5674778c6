//! The mailbox reader of `clu serve`: reads what waits in clu's mailbox,
//! hands each message to `domain::inbox` in one transaction, then moves it
//! to the "traité" folder. A message stays in the mailbox until its
//! handling has committed, and is handled once even when several servers
//! read the same mailbox (its key is unique in the database). IDLE wakes
//! it when mail arrives; when the server is unreachable it tries again,
//! waiting longer each time, and nothing is lost meanwhile.

use std::sync::Arc;
use std::time::Duration;

use crate::config::ImapSettings;
use crate::domain::inbox::{self, Handled};
use crate::mail::imap::{ImapError, Mailbox};
use crate::mail::inbound::{self, MAX_BYTES};
use crate::state::AppState;

/// How long a message handled by another reader is left for that reader
/// to file away.
const GRACE: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// What one pass over the mailbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct InboxPass {
    /// Messages handled by this reader.
    pub handled: usize,
    /// Messages another reader had handled already: only filed away.
    pub already: usize,
    /// Messages left in the mailbox for the next pass (the database failed).
    pub kept: usize,
}

pub struct Inbox {
    state: AppState,
    settings: Arc<ImapSettings>,
}

impl Inbox {
    /// A reader, when a mailbox is set.
    pub fn new(state: AppState) -> Option<Self> {
        let settings = state.mailbox.clone()?;
        Some(Self { state, settings })
    }

    /// Connects, handles everything waiting, signs out.
    pub async fn run_once(&self) -> Result<InboxPass, ImapError> {
        let mut mailbox = Mailbox::open(&self.settings).await?;
        let pass = self.drain(&mut mailbox).await;
        mailbox.close().await;
        pass
    }

    /// Everything waiting in the folder, oldest first.
    async fn drain(&self, mailbox: &mut Mailbox) -> Result<InboxPass, ImapError> {
        let mut pass = InboxPass::default();
        for waiting in mailbox.waiting().await? {
            if waiting.size as usize > MAX_BYTES {
                tracing::warn!(
                    uid = waiting.uid,
                    size = waiting.size,
                    "message too large to read, filed away"
                );
                mailbox.file_away(waiting.uid).await?;
                continue;
            }
            let Some(raw) = mailbox.fetch(waiting.uid).await? else {
                continue;
            };
            match self.handle(raw).await {
                Ok(Handled::Now(_)) => pass.handled += 1,
                // The reader that handled it files it away at once; another
                // does only when that one seems to have stopped before.
                Ok(Handled::Before(at)) => {
                    pass.already += 1;
                    if self.state.clock.now() - at < GRACE {
                        continue;
                    }
                }
                Err(err) => {
                    tracing::error!(uid = waiting.uid, error = %err, "inbound message kept for the next pass");
                    pass.kept += 1;
                    continue;
                }
            }
            mailbox.file_away(waiting.uid).await?;
        }
        if pass != InboxPass::default() {
            tracing::info!(
                handled = pass.handled,
                already = pass.already,
                kept = pass.kept,
                "inbox pass"
            );
        }
        Ok(pass)
    }

    /// One message in one transaction.
    async fn handle(&self, raw: Vec<u8>) -> crate::error::AppResult<Handled> {
        let incoming = Arc::new(inbound::parse(&raw));
        let raw = Arc::new(raw);
        let notices = self.state.notices();
        let (message, bytes) = (Arc::clone(&incoming), Arc::clone(&raw));
        let result = self
            .state
            .db
            .write(move |conn| inbox::handle(conn, &notices, &message, &bytes))
            .await;
        match result {
            Ok(handled) => {
                if let Handled::Now(effect) = &handled {
                    tracing::info!(kind = effect.kind.as_str(), outcome = %effect.outcome, "inbound message handled");
                    self.state.outbox_wake.notify_one();
                }
                Ok(handled)
            }
            // Another server committed the same message first: its
            // unique key refused ours, and our transaction was undone.
            Err(err) => {
                let key = incoming.key.clone();
                let handled = self
                    .state
                    .db
                    .read(move |conn| inbox::handled_at(conn, &key))
                    .await?;
                handled.map(Handled::Before).ok_or(err)
            }
        }
    }

    /// Runs until the process stops: a pass, then IDLE (or a pause) until
    /// mail arrives, on one connection; when it fails, a new connection
    /// after 1, 2, 4… up to 60 seconds.
    pub async fn run(self) {
        tracing::info!(host = %self.settings.host, folder = %self.settings.folder, "mailbox reader started");
        let mut delay = Duration::from_secs(1);
        loop {
            match self.session().await {
                Ok(()) => delay = Duration::from_secs(1),
                Err(err) => {
                    tracing::warn!(error = %err, retry_in_seconds = delay.as_secs(), "mailbox unreachable");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(60));
                }
            }
        }
    }

    /// One connection: passes and waits until something fails.
    async fn session(&self) -> Result<(), ImapError> {
        let mut mailbox = Mailbox::open(&self.settings).await?;
        loop {
            self.drain(&mut mailbox).await?;
            mailbox.wait().await?;
        }
    }
}
