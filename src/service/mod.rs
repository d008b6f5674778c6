//! Use cases that span several transactions or blocking work — a password
//! to verify, a document to render — over `AppState`. Both adapters (the
//! JSON API and the web pages) call these; the rules stay in `domain`, each
//! step here is one domain call in one transaction, and nothing slow runs
//! while a connection or SQLite's writer turn is held.

pub mod annexes;
pub mod auth;
pub mod dossier;
pub mod minutes;
pub mod proconnect;

use std::sync::Arc;

use crate::domain::meetings::notices::Notices;
use crate::state::AppState;

impl AppState {
    /// What the domain needs to write e-mails inside a transaction, now.
    pub fn notices(&self) -> Notices {
        Notices::new(
            self.clock.now(),
            Arc::clone(&self.templates),
            self.keys.clone(),
            &self.settings.public_url,
            &self.settings.mail_from,
        )
        .with_calendar(
            self.mailbox.as_ref().map(|mailbox| mailbox.address.clone()),
            self.settings.calendar_alarm_hours,
        )
    }

    /// Applies pending migrations, then fills what the application
    /// derives from the data (folded keys); returns the names applied.
    pub fn migrate(&self) -> Result<Vec<String>, String> {
        let mut conn = self.db.get().map_err(|e| e.to_string())?;
        let applied = crate::db::migrate::run_pending(&mut conn)?;
        crate::db::write_transaction(&mut conn, crate::domain::actions::fill_responsible_keys)
            .map_err(|e| format!("clés de recherche des actions : {e}"))?;
        Ok(applied)
    }
}
