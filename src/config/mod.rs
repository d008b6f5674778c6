//! Typed settings: `config/default.toml` (compiled in), then the file named by
//! `CLU_CONFIG`, then `CLU_*` environment variables. Validated once at start.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;

pub mod mailbox;
pub mod proconnect;

pub use mailbox::{ImapSettings, ImapTls};
pub use proconnect::ProConnectSettings;

const DEFAULTS: &str = include_str!("../../config/default.toml");

/// Longest lifetime accepted for an access token.
pub const MAX_TOKEN_TTL_SECONDS: i64 = 3600;
/// The shortest signing key accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

/// A value that must never reach a log: `Debug` prints a placeholder.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub bind: SocketAddr,
    pub public_url: String,
    pub database_url: Secret,
    pub database_pool_size: u32,
    pub data_dir: PathBuf,
    #[serde(default)]
    pub smtp_url: Option<Secret>,
    pub mail_dir: PathBuf,
    pub mail_from: String,
    #[serde(default)]
    pub jwt_secret: Option<Secret>,
    pub token_ttl_seconds: i64,
    pub outbox_poll_ms: u64,
    pub outbox_retry_base_seconds: i64,
    pub outbox_max_attempts: i32,
    pub reminder_days_before: i64,
    #[serde(default)]
    pub templates_dir: Option<PathBuf>,
    pub log: String,
    // The staff web interface's session (src/web/session.rs).
    /// Key of the session cookie, at least 32 bytes; unset: generated and
    /// kept in `data_dir/session-key`.
    #[serde(default)]
    pub session_secret: Option<Secret>,
    /// A session unused this long ends.
    pub session_idle_minutes: i64,
    /// A session ends this long after sign-in, used or not.
    pub session_max_hours: i64,
    // The mailbox clu reads (src/config/mailbox.rs).
    #[serde(default)]
    pub imap_url: Option<String>,
    #[serde(default)]
    pub imap_user: Option<String>,
    #[serde(default)]
    pub imap_password: Option<Secret>,
    #[serde(default)]
    pub imap_address: Option<String>,
    pub imap_folder: String,
    pub imap_done_folder: String,
    pub imap_poll_seconds: u64,
    #[serde(default)]
    pub imap_ca_file: Option<PathBuf>,
    /// A calendar alarm this many hours before the meeting (0: none).
    pub calendar_alarm_hours: i64,
    /// The largest annex, and all of a meeting's annexes, in MB.
    pub annex_max_file_mb: u64,
    pub annex_max_meeting_mb: u64,
    /// The reverse proxies, as written (see `proxies()`).
    pub trusted_proxies: String,
    /// `GET /metrics` on the main address with this bearer token…
    #[serde(default)]
    pub metrics_token: Option<Secret>,
    /// …or on an address of its own, without a token.
    #[serde(default)]
    pub metrics_bind: Option<SocketAddr>,
    // The compte-rendu's signature (src/signature). Unset: a local key and
    // self-signed certificate kept in `data_dir`.
    /// The "cachet serveur" as PEM: its certificate (and chain)…
    #[serde(default)]
    pub signing_certificate: Option<PathBuf>,
    /// …and its private key;
    #[serde(default)]
    pub signing_key: Option<PathBuf>,
    /// or as a PKCS#12 file, with its password (from the environment).
    #[serde(default)]
    pub signing_pkcs12: Option<PathBuf>,
    #[serde(default)]
    pub signing_pkcs12_password: Option<Secret>,
    /// The RFC 3161 time-stamping authority's URL.
    #[serde(default)]
    pub tsa_url: Option<String>,
    /// Certificates (PEM) trusted when checking a signed copy, beside the
    /// signing certificate's own chain.
    #[serde(default)]
    pub trust_anchors: Option<PathBuf>,
    // Sign-in with ProConnect (src/config/proconnect.rs). Unset issuer: off.
    #[serde(default)]
    pub proconnect_issuer: Option<String>,
    #[serde(default)]
    pub proconnect_client_id: Option<String>,
    /// From the environment only.
    #[serde(default)]
    pub proconnect_client_secret: Option<Secret>,
    #[serde(default)]
    pub proconnect_redirect_uri: Option<String>,
    #[serde(default)]
    pub proconnect_post_logout_redirect_uri: Option<String>,
    pub proconnect_scopes: String,
    #[serde(default)]
    pub proconnect_acr_values: Option<String>,
}

/// Where the settings could not be read, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration invalide : {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration invalide : {0}")]
    Invalid(String),
}

/// The kind of database named by `database_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Settings {
    /// The reverse proxies trusted to name the client: networks, a lone
    /// address being a network of one.
    pub fn proxies(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.trusted_proxies
            .split([',', ' '])
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<ipnet::IpNet>()
                    .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        ConfigError::Invalid(format!(
                            "trusted_proxies : « {item} » n'est ni une adresse IP ni un réseau (10.0.0.0/8)"
                        ))
                    })
            })
            .collect()
    }

    /// Reads the settings from the process environment.
    pub fn load() -> Result<Self, ConfigError> {
        Self::from_figment(Self::figment(
            std::env::var_os("CLU_CONFIG").map(PathBuf::from),
        ))
    }

    /// Defaults, then the optional file, then `CLU_*` variables.
    pub fn figment(file: Option<PathBuf>) -> Figment {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        figment.merge(Env::prefixed("CLU_").ignore(&["config", "admin_password"]))
    }

    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        proconnect::secret_not_in_a_file(&figment)?;
        let mut settings: Settings = figment.extract().map_err(Box::new)?;
        settings.normalize();
        settings.validate()?;
        Ok(settings)
    }

    /// Empty strings in the environment mean "unset".
    fn normalize(&mut self) {
        if self
            .smtp_url
            .as_ref()
            .is_some_and(|s| s.expose().trim().is_empty())
        {
            self.smtp_url = None;
        }
        if self
            .jwt_secret
            .as_ref()
            .is_some_and(|s| s.expose().is_empty())
        {
            self.jwt_secret = None;
        }
        if self
            .templates_dir
            .as_ref()
            .is_some_and(|p| p.as_os_str().is_empty())
        {
            self.templates_dir = None;
        }
        if self
            .metrics_token
            .as_ref()
            .is_some_and(|s| s.expose().trim().is_empty())
        {
            self.metrics_token = None;
        }
        while self.public_url.ends_with('/') {
            self.public_url.pop();
        }
        self.normalize_web();
    }

    // The web interface's settings.
    fn normalize_web(&mut self) {
        if self
            .session_secret
            .as_ref()
            .is_some_and(|s| s.expose().is_empty())
        {
            self.session_secret = None;
        }
    }

    fn validate_web(&self) -> Result<(), ConfigError> {
        if let Some(secret) = &self.session_secret
            && secret.expose().len() < MIN_SECRET_LEN
        {
            return Err(ConfigError::Invalid(format!(
                "CLU_SESSION_SECRET doit contenir au moins {} octets ; \
                 laissez-le vide pour qu'une clé aléatoire soit générée",
                MIN_SECRET_LEN
            )));
        }
        if !(1..=24 * 60).contains(&self.session_idle_minutes) {
            return Err(ConfigError::Invalid(
                "session_idle_minutes doit être compris entre 1 et 1440".into(),
            ));
        }
        if !(1..=24).contains(&self.session_max_hours) {
            return Err(ConfigError::Invalid(
                "session_max_hours doit être compris entre 1 et 24".into(),
            ));
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if let Some(secret) = &self.jwt_secret
            && secret.expose().len() < MIN_SECRET_LEN
        {
            return Err(ConfigError::Invalid(format!(
                "CLU_JWT_SECRET doit contenir au moins {} octets (il en contient {}) ; \
                     laissez-le vide pour qu'une clé aléatoire soit générée",
                MIN_SECRET_LEN,
                secret.expose().len()
            )));
        }
        if !(60..=MAX_TOKEN_TTL_SECONDS).contains(&self.token_ttl_seconds) {
            return Err(ConfigError::Invalid(format!(
                "token_ttl_seconds doit être compris entre 60 et {MAX_TOKEN_TTL_SECONDS}"
            )));
        }
        if self.outbox_max_attempts < 1
            || self.outbox_retry_base_seconds < 1
            || self.outbox_poll_ms < 10
        {
            return Err(ConfigError::Invalid(
                "outbox_max_attempts, outbox_retry_base_seconds et outbox_poll_ms doivent être positifs".into(),
            ));
        }
        if self.database_pool_size == 0 {
            return Err(ConfigError::Invalid(
                "database_pool_size doit être positif".into(),
            ));
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid(
                "public_url doit commencer par http:// ou https://".into(),
            ));
        }
        self.database_target()?;
        self.validate_web()?;
        self.imap()?;
        if !(1..=200).contains(&self.annex_max_file_mb)
            || !(self.annex_max_file_mb..=10_000).contains(&self.annex_max_meeting_mb)
        {
            return Err(ConfigError::Invalid(
                "annex_max_file_mb doit être compris entre 1 et 200, et annex_max_meeting_mb \
                 entre annex_max_file_mb et 10000"
                    .into(),
            ));
        }
        self.proxies()?;
        self.proconnect()?;
        if self
            .metrics_token
            .as_ref()
            .is_some_and(|s| s.expose().len() < MIN_SECRET_LEN)
        {
            return Err(ConfigError::Invalid(format!(
                "metrics_token doit contenir au moins {MIN_SECRET_LEN} caractères"
            )));
        }
        if !(0..=24 * 7).contains(&self.calendar_alarm_hours) {
            return Err(ConfigError::Invalid(
                "calendar_alarm_hours doit être compris entre 0 et 168".into(),
            ));
        }
        Ok(())
    }

    /// Chooses the backend from the URL scheme, so a PostgreSQL error is
    /// reported as such instead of falling through to SQLite.
    pub fn database_target(&self) -> Result<DatabaseTarget, ConfigError> {
        parse_database_url(self.database_url.expose())
    }
}

pub fn parse_database_url(url: &str) -> Result<DatabaseTarget, ConfigError> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Err(ConfigError::Invalid(
                "CLU_DATABASE_URL : chemin SQLite manquant après sqlite://".into(),
            ));
        }
        Ok(DatabaseTarget::Sqlite(Path::new(path).to_path_buf()))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(DatabaseTarget::Postgres(url.to_owned()))
    } else {
        Err(ConfigError::Invalid(
            "CLU_DATABASE_URL doit commencer par sqlite:// ou postgres://".into(),
        ))
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(super) fn with(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut figment = Settings::figment(None);
        for (key, value) in pairs {
            figment = figment.merge((*key, *value));
        }
        Settings::from_figment(figment)
    }

    #[test]
    fn defaults_match_the_contract() {
        let settings = with(&[]).expect("defaults load");
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.public_url, "http://127.0.0.1:8080");
        assert_eq!(
            settings.database_target().expect("url"),
            DatabaseTarget::Sqlite(PathBuf::from("data/clu.db"))
        );
        assert_eq!(settings.mail_dir, PathBuf::from("data/outbox"));
        assert_eq!(settings.mail_from, "clu@localhost");
        assert!(settings.smtp_url.is_none());
        assert!(settings.jwt_secret.is_none());
    }

    #[test]
    fn short_jwt_secret_is_refused_with_a_clear_message() {
        let err = with(&[("jwt_secret", "too-short")]).expect_err("must refuse");
        assert!(err.to_string().contains("au moins 32 octets"), "{err}");
    }

    #[test]
    fn empty_smtp_url_means_file_delivery() {
        let settings = with(&[("smtp_url", "")]).expect("loads");
        assert!(settings.smtp_url.is_none());
    }

    #[test]
    fn unknown_database_scheme_is_refused() {
        assert!(with(&[("database_url", "mysql://x")]).is_err());
        assert!(matches!(
            parse_database_url("postgresql://u@h/db"),
            Ok(DatabaseTarget::Postgres(_))
        ));
    }

    #[test]
    fn token_lifetime_is_capped_at_one_hour() {
        assert!(with(&[("token_ttl_seconds", "7200")]).is_err());
    }

    #[test]
    fn web_session_settings_are_checked() {
        let settings = with(&[]).expect("defaults load");
        assert_eq!(settings.session_idle_minutes, 30);
        assert_eq!(settings.session_max_hours, 10);
        assert!(settings.session_secret.is_none());
        assert!(with(&[("session_secret", "short")]).is_err());
        assert!(with(&[("session_idle_minutes", "0")]).is_err());
        assert!(with(&[("session_max_hours", "48")]).is_err());
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let settings =
            with(&[("jwt_secret", "0123456789abcdef0123456789abcdef-secret")]).expect("loads");
        let shown = format!("{settings:?}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
    }
}
