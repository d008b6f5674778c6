//! The IMAP side of the mailbox clu reads: connect (TLS, STARTTLS, or
//! plain to a loopback server), list what waits in the folder, fetch a
//! message, move it to the "traité" folder once handled, and wait for new
//! mail (IDLE when the server offers it, else a pause). Nothing here
//! deletes a message.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_imap::types::Fetch;
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::config::{ImapSettings, ImapTls};

/// Any step longer than this is a dead connection.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// The byte stream under the IMAP session, TLS or not.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Io for T {}

type Session = async_imap::Session<Box<dyn Io>>;

/// What went wrong, in words for the log (never the password).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ImapError(String);

fn fail(step: &str) -> impl Fn(async_imap::error::Error) -> ImapError + '_ {
    move |err| ImapError(format!("{step} : {err}"))
}

async fn timed<T, E>(
    step: &str,
    work: impl Future<Output = Result<T, E>>,
    map: impl FnOnce(E) -> ImapError,
) -> Result<T, ImapError> {
    match tokio::time::timeout(STEP_TIMEOUT, work).await {
        Ok(result) => result.map_err(map),
        Err(_) => Err(ImapError(format!("{step} : délai dépassé"))),
    }
}

/// A message waiting in the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub uid: u32,
    pub size: u32,
}

pub struct Mailbox {
    session: Option<Session>,
    settings: ImapSettings,
    /// The "traité" folder's name as IMAP spells it (modified UTF-7).
    done_folder: String,
    can_move: bool,
    can_idle: bool,
}

/// The public authorities, and those of `ca_file` when one is set.
fn tls_connector(settings: &ImapSettings) -> Result<TlsConnector, ImapError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = &settings.ca_file {
        let unreadable =
            |e: &dyn fmt::Display| ImapError(format!("imap_ca_file {} : {e}", path.display()));
        let pem = std::fs::read(path).map_err(|e| unreadable(&e))?;
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            roots
                .add(cert.map_err(|e| unreadable(&e))?)
                .map_err(|e| unreadable(&e))?;
            added += 1;
        }
        if added == 0 {
            return Err(unreadable(&"aucun certificat PEM"));
        }
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| ImapError(format!("TLS : {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

async fn secure(tcp: TcpStream, settings: &ImapSettings) -> Result<Box<dyn Io>, ImapError> {
    let host = &settings.host;
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| ImapError(format!("TLS : nom de serveur {host} : {e}")))?;
    let stream = timed("TLS", tls_connector(settings)?.connect(name, tcp), |e| {
        ImapError(format!("TLS : {e}"))
    })
    .await?;
    Ok(Box::new(stream))
}

impl Mailbox {
    /// Connects, signs in, makes sure the "traité" folder exists, selects
    /// the folder to read.
    pub async fn open(settings: &ImapSettings) -> Result<Self, ImapError> {
        let address = (settings.host.as_str(), settings.port);
        let tcp = timed("connexion", TcpStream::connect(address), |e| {
            ImapError(format!(
                "connexion à {}:{} : {e}",
                settings.host, settings.port
            ))
        })
        .await?;
        let stream: Box<dyn Io> = match settings.tls {
            ImapTls::Implicit => secure(tcp, settings).await?,
            ImapTls::None => Box::new(tcp),
            ImapTls::StartTls => {
                let mut client = async_imap::Client::new(tcp);
                greeting(&mut client).await?;
                timed(
                    "STARTTLS",
                    client.run_command_and_check_ok("STARTTLS", None),
                    fail("STARTTLS"),
                )
                .await?;
                secure(client.into_inner(), settings).await?
            }
        };
        let mut client = async_imap::Client::new(stream);
        if settings.tls != ImapTls::StartTls {
            greeting(&mut client).await?;
        }
        let mut session = timed(
            "identification",
            client.login(&settings.user, settings.password.expose()),
            |(err, _)| ImapError(format!("identification de {} : {err}", settings.user)),
        )
        .await?;
        let capabilities = timed("CAPABILITY", session.capabilities(), fail("CAPABILITY")).await?;
        let folder = utf7_imap::encode_utf7_imap(settings.folder.clone());
        let done_folder = utf7_imap::encode_utf7_imap(settings.done_folder.clone());
        // Already there: the server says so, and that is fine.
        let _ = timed("CREATE", session.create(&done_folder), fail("CREATE")).await;
        timed("SELECT", session.select(&folder), fail("SELECT")).await?;
        Ok(Self {
            can_move: capabilities.has_str("MOVE"),
            can_idle: capabilities.has_str("IDLE"),
            session: Some(session),
            settings: settings.clone(),
            done_folder,
        })
    }

    fn session(&mut self) -> Result<&mut Session, ImapError> {
        self.session
            .as_mut()
            .ok_or_else(|| ImapError("connexion IMAP perdue".into()))
    }

    /// The messages waiting, oldest first, with their size.
    pub async fn waiting(&mut self) -> Result<Vec<Waiting>, ImapError> {
        let session = self.session()?;
        let fetches: Vec<Fetch> = timed(
            "FETCH",
            async {
                // An empty folder answers "1:*" with nothing, or a NO.
                match session.uid_fetch("1:*", "(UID RFC822.SIZE)").await {
                    Ok(stream) => stream.try_collect().await,
                    Err(async_imap::error::Error::No(_)) => Ok(Vec::new()),
                    Err(err) => Err(err),
                }
            },
            fail("FETCH"),
        )
        .await?;
        let mut waiting: Vec<Waiting> = fetches
            .iter()
            .filter_map(|f| {
                Some(Waiting {
                    uid: f.uid?,
                    size: f.size.unwrap_or(0),
                })
            })
            .collect();
        waiting.sort_by_key(|w| w.uid);
        waiting.dedup();
        Ok(waiting)
    }

    /// A message's bytes, unread flag untouched; none if it has gone
    /// (another server moved it).
    pub async fn fetch(&mut self, uid: u32) -> Result<Option<Vec<u8>>, ImapError> {
        let session = self.session()?;
        let fetches: Vec<Fetch> = timed(
            "FETCH",
            async {
                session
                    .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
                    .await?
                    .try_collect()
                    .await
            },
            fail("FETCH"),
        )
        .await?;
        Ok(fetches
            .iter()
            .find(|f| f.uid == Some(uid))
            .and_then(|f| f.body())
            .map(<[u8]>::to_vec))
    }

    /// Moves a handled message to the "traité" folder (MOVE, or COPY then
    /// the original flagged and expunged). A message already gone is fine.
    pub async fn file_away(&mut self, uid: u32) -> Result<(), ImapError> {
        let (can_move, done) = (self.can_move, self.done_folder.clone());
        let session = self.session()?;
        let set = uid.to_string();
        if can_move {
            return match tokio::time::timeout(STEP_TIMEOUT, session.uid_mv(&set, &done)).await {
                // Gone meanwhile (another reader moved it): nothing to do.
                Ok(Ok(()) | Err(async_imap::error::Error::No(_))) => Ok(()),
                Ok(Err(err)) => Err(fail("MOVE")(err)),
                Err(_) => Err(ImapError("MOVE : délai dépassé".into())),
            };
        }
        timed("COPY", session.uid_copy(&set, &done), fail("COPY")).await?;
        timed(
            "STORE",
            async {
                session
                    .uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
                    .await?
                    .try_collect::<Vec<_>>()
                    .await
            },
            fail("STORE"),
        )
        .await?;
        timed(
            "EXPUNGE",
            async {
                session
                    .uid_expunge(&set)
                    .await?
                    .try_collect::<Vec<_>>()
                    .await
            },
            fail("EXPUNGE"),
        )
        .await
        .map(drop)
    }

    /// Waits for new mail: IDLE until the server says something or the
    /// poll interval passes, or a plain pause then NOOP.
    pub async fn wait(&mut self) -> Result<(), ImapError> {
        let pause = Duration::from_secs(self.settings.poll_seconds);
        let session = self
            .session
            .take()
            .ok_or_else(|| ImapError("connexion IMAP perdue".into()))?;
        if !self.can_idle {
            self.session = Some(session);
            tokio::time::sleep(pause).await;
            return timed("NOOP", self.session()?.noop(), fail("NOOP")).await;
        }
        let mut idle = session.idle();
        timed("IDLE", idle.init(), fail("IDLE")).await?;
        let (wait, _stop) = idle.wait_with_timeout(pause);
        wait.await.map_err(fail("IDLE"))?;
        self.session = Some(timed("DONE", idle.done(), fail("IDLE")).await?);
        Ok(())
    }

    pub async fn close(mut self) {
        if let Some(mut session) = self.session.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
        }
    }
}

async fn greeting(client: &mut async_imap::Client<impl Io>) -> Result<(), ImapError> {
    match tokio::time::timeout(STEP_TIMEOUT, client.read_response()).await {
        Ok(Ok(Some(_))) => Ok(()),
        Ok(Ok(None)) => Err(ImapError("le serveur a fermé la connexion".into())),
        Ok(Err(err)) => Err(ImapError(format!("accueil du serveur : {err}"))),
        Err(_) => Err(ImapError("accueil du serveur : délai dépassé".into())),
    }
}
