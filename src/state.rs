//! `AppState`: what every handler may use, built once at start and passed
//! explicitly (no globals).

use std::sync::Arc;

use crate::auth::password;
use crate::auth::token::{self, TokenKeys};
use crate::clock::Clock;
use crate::config::{ImapSettings, Settings};
use crate::db::Db;
use crate::documents::pdf::PdfEngine;
use crate::templates::Templates;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub keys: TokenKeys,
    pub clock: Clock,
    /// A hash to verify against when the e-mail is unknown, so that an
    /// unknown account costs the same time as a wrong password.
    pub decoy: password::Decoy,
    pub templates: Arc<Templates>,
    /// The compte-rendu's PDF renderer (Typst, fonts loaded once).
    pub pdf: Arc<PdfEngine>,
    /// Wakes the outbox worker when mail is queued.
    pub outbox_wake: Arc<Notify>,
    /// Encrypts the web interface's session cookie.
    pub session_key: actix_web::cookie::Key,
    /// The mailbox clu reads, if one is set.
    pub mailbox: Option<Arc<ImapSettings>>,
    /// The reverse proxies trusted to name the client.
    pub proxies: Arc<[ipnet::IpNet]>,
    /// This process's counters, for `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Signs the compte-rendu's PDF and checks signed copies.
    pub signer: Arc<crate::signature::Signer>,
    /// Sign-in with ProConnect, when configured.
    pub proconnect: Option<Arc<crate::oidc::RelyingParty>>,
    /// The accounts read in the last second (`auth::recent`).
    pub accounts: Arc<crate::auth::recent::RecentAccounts>,
}

impl AppState {
    /// Opens the database (applying nothing) and loads the signing key.
    pub fn new(settings: Settings, clock: Clock) -> Result<Self, String> {
        let target = settings.database_target().map_err(|e| e.to_string())?;
        let db = Db::connect(&target, settings.database_pool_size)?;
        let keys = TokenKeys::from_secret(&token::load_secret(&settings)?)?;
        let decoy = password::Decoy::default();
        decoy.warm();
        let templates = Templates::load(settings.templates_dir.as_deref())?;
        let session_key = crate::auth::keys::session_key(&settings)?;
        let mailbox = settings.imap().map_err(|e| e.to_string())?.map(Arc::new);
        let proxies = settings.proxies().map_err(|e| e.to_string())?.into();
        let signer = Arc::new(crate::signature::Signer::load(&settings)?);
        let proconnect = settings
            .proconnect()
            .map_err(|e| e.to_string())?
            .map(|settings| Arc::new(crate::oidc::RelyingParty::new(settings)));
        Ok(Self {
            settings: Arc::new(settings),
            db,
            keys,
            clock,
            decoy,
            pdf: Arc::new(PdfEngine::new(&templates)),
            templates: Arc::new(templates),
            outbox_wake: Arc::new(Notify::new()),
            session_key,
            mailbox,
            proxies,
            metrics: Arc::default(),
            signer,
            proconnect,
            accounts: Arc::default(),
        })
    }
}
