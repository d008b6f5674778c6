//! The mailbox clu reads (calendar answers, delivery failures, replies):
//! its settings checked once at start, as one value the reader uses.

use super::{ConfigError, Secret, Settings};

/// How the connection to the IMAP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapTls {
    /// TLS from the first byte (`imaps://`, port 993).
    Implicit,
    /// Plain, then STARTTLS before the password is sent (`imap://`, 143).
    StartTls,
    /// No TLS at all (`imap://…?tls=none`): only to a loopback address.
    None,
}

#[derive(Debug, Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub tls: ImapTls,
    pub user: String,
    pub password: Secret,
    /// The mailbox's address: the invitations' ORGANIZER and the envelope
    /// sender of every message, so answers and bounces come back here.
    pub address: String,
    /// Where messages arrive (INBOX).
    pub folder: String,
    /// Where handled messages are moved (never deleted).
    pub done_folder: String,
    /// Between two looks when the server offers no IDLE, and the longest
    /// an IDLE lasts before it is renewed.
    pub poll_seconds: u64,
    /// Certificates of authorities to trust besides the public ones (an
    /// administration's own PKI), PEM.
    pub ca_file: Option<std::path::PathBuf>,
}

fn invalid(message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid(message.into())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Settings {
    /// The mailbox settings, or none when `imap_url` is unset (then clu
    /// reads no mail and nothing else changes).
    pub fn imap(&self) -> Result<Option<ImapSettings>, ConfigError> {
        let Some(raw) = self.imap_url.as_deref().filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let url =
            url::Url::parse(raw.trim()).map_err(|e| invalid(format!("imap_url invalide : {e}")))?;
        let tls_param = url
            .query_pairs()
            .find(|(key, _)| key == "tls")
            .map(|(_, value)| value.to_ascii_lowercase());
        let tls = match (url.scheme(), tls_param.as_deref()) {
            ("imaps", None) => ImapTls::Implicit,
            ("imap", None | Some("starttls" | "required")) => ImapTls::StartTls,
            ("imap", Some("none")) => ImapTls::None,
            ("imap" | "imaps", Some(other)) => {
                return Err(invalid(format!(
                    "imap_url : tls={other} inconnu (starttls ou none)"
                )));
            }
            (scheme, _) => {
                return Err(invalid(format!(
                    "imap_url doit commencer par imaps:// ou imap:// (et non {scheme}://)"
                )));
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| invalid("imap_url : nom du serveur manquant"))?
            .to_owned();
        if tls == ImapTls::None && !is_loopback(&host) {
            return Err(invalid(
                "imap_url : tls=none n'est accepté que vers la machine locale ; \
                 utilisez imaps:// ou STARTTLS",
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "imap_url ne doit pas contenir d'identifiants : utilisez imap_user et \
                 CLU_IMAP_PASSWORD",
            ));
        }
        let user = self
            .imap_user
            .clone()
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| invalid("imap_user est requis quand imap_url est défini"))?;
        let password = self
            .imap_password
            .clone()
            .filter(|p| !p.expose().is_empty())
            .ok_or_else(|| invalid("CLU_IMAP_PASSWORD est requis quand imap_url est défini"))?;
        let address = self
            .imap_address
            .clone()
            .filter(|a| !a.trim().is_empty())
            .or_else(|| user.contains('@').then(|| user.clone()))
            .ok_or_else(|| invalid("imap_address (l'adresse de la boîte lue) est requis"))?;
        if !email_address::EmailAddress::is_valid(address.trim()) {
            return Err(invalid(format!("imap_address invalide : {address}")));
        }
        if !(5..=1500).contains(&self.imap_poll_seconds) {
            return Err(invalid(
                "imap_poll_seconds doit être compris entre 5 et 1500",
            ));
        }
        if self.imap_folder.trim().is_empty() || self.imap_done_folder.trim().is_empty() {
            return Err(invalid(
                "imap_folder et imap_done_folder ne peuvent être vides",
            ));
        }
        Ok(Some(ImapSettings {
            port: url.port().unwrap_or(match tls {
                ImapTls::Implicit => 993,
                _ => 143,
            }),
            host,
            tls,
            user,
            password,
            address: address.trim().to_owned(),
            folder: self.imap_folder.trim().to_owned(),
            done_folder: self.imap_done_folder.trim().to_owned(),
            poll_seconds: self.imap_poll_seconds,
            ca_file: self
                .imap_ca_file
                .clone()
                .filter(|p| !p.as_os_str().is_empty()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::with;
    use super::*;

    #[test]
    fn no_url_no_mailbox() {
        assert!(with(&[]).expect("defaults").imap().expect("ok").is_none());
    }

    #[test]
    fn schemes_choose_the_protection_and_the_port() {
        let base = [
            ("imap_user", "clu@prefecture.gouv.fr"),
            ("imap_password", "secret"),
        ];
        let read = |url: &str| {
            let mut pairs = base.to_vec();
            pairs.push(("imap_url", url));
            with(&pairs).map(|s| s.imap().expect("checked").expect("set"))
        };
        let tls = read("imaps://imap.example.fr").expect("ok");
        assert_eq!((tls.tls, tls.port), (ImapTls::Implicit, 993));
        assert_eq!(tls.address, "clu@prefecture.gouv.fr");
        let start = read("imap://imap.example.fr").expect("ok");
        assert_eq!((start.tls, start.port), (ImapTls::StartTls, 143));
        let local = read("imap://127.0.0.1:1143?tls=none").expect("ok");
        assert_eq!((local.tls, local.port), (ImapTls::None, 1143));
        let err = read("imap://imap.example.fr?tls=none").expect_err("refused");
        assert!(err.to_string().contains("machine locale"), "{err}");
        assert!(read("pop3://imap.example.fr").is_err());
        assert!(read("imaps://user:pw@imap.example.fr").is_err());
    }

    #[test]
    fn a_password_is_required_and_never_shown() {
        let err = with(&[("imap_url", "imaps://x.fr"), ("imap_user", "a@b.fr")])
            .expect_err("no password");
        assert!(err.to_string().contains("CLU_IMAP_PASSWORD"), "{err}");
        let settings = with(&[
            ("imap_url", "imaps://x.fr"),
            ("imap_user", "a@b.fr"),
            ("imap_password", "hunter2-hunter2"),
        ])
        .expect("ok");
        assert!(!format!("{:?}", settings.imap()).contains("hunter2"));
    }
}
