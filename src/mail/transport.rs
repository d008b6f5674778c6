//! Where messages go: an SMTP server (pooled connections) when
//! `CLU_SMTP_URL` is set, `.eml` files in `CLU_MAIL_DIR` otherwise.

use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Settings;

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl Transport {
    pub fn from_settings(settings: &Settings) -> Result<Self, String> {
        match &settings.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| format!("CLU_SMTP_URL invalide : {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build();
                Ok(Self::Smtp(transport))
            }
            None => {
                std::fs::create_dir_all(&settings.mail_dir).map_err(|e| {
                    format!("impossible de créer {} : {e}", settings.mail_dir.display())
                })?;
                Ok(Self::Files(AsyncFileTransport::new(&settings.mail_dir)))
            }
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Self::Smtp(_) => "smtp",
            Self::Files(_) => "files",
        }
    }

    /// Sends `message`; with `return_path`, the envelope sender (where
    /// delivery failures go) is that address instead of the From.
    pub async fn send(
        &self,
        message: Message,
        return_path: Option<&Address>,
    ) -> Result<(), String> {
        let envelope = match return_path {
            Some(address) => Envelope::new(Some(address.clone()), message.envelope().to().to_vec())
                .map_err(|e| e.to_string())?,
            None => message.envelope().clone(),
        };
        let bytes = message.formatted();
        match self {
            Self::Smtp(smtp) => smtp
                .send_raw(&envelope, &bytes)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Self::Files(files) => files
                .send_raw(&envelope, &bytes)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        }
    }
}
