//! Sign-in with ProConnect (OpenID Connect): its settings checked once at
//! start, as one value the relying party (`src/oidc`) uses. Unset issuer:
//! no ProConnect at all (no button, its routes answer "not configured").

use figment::Figment;

use super::{ConfigError, Secret, Settings};

/// The scopes ProConnect's documentation asks for: the claims clu reads.
pub const DEFAULT_SCOPES: &str = "openid given_name usual_name email uid siret";
/// Where the provider sends the browser back after sign-in and sign-out
/// (under `public_url` unless set).
pub const REDIRECT_PATH: &str = "/connexion/proconnect/retour";
pub const POST_LOGOUT_PATH: &str = "/deconnexion/proconnect/retour";

#[derive(Debug, Clone)]
pub struct ProConnectSettings {
    /// The issuer, as written (the provider's `iss` must be exactly this),
    /// whose `/.well-known/openid-configuration` is read.
    pub issuer: String,
    pub client_id: String,
    /// Only from the environment (`CLU_PROCONNECT_CLIENT_SECRET`).
    pub client_secret: Secret,
    pub redirect_uri: url::Url,
    pub post_logout_redirect_uri: url::Url,
    /// Without `openid`, which is always asked.
    pub scopes: Vec<String>,
    /// The authentication levels asked (`eidas1`); the ID token's `acr`
    /// must be one of them.
    pub acr_values: Vec<String>,
}

fn invalid(message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid(message.into())
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// An https URL (http only to this machine, as the tests' provider is).
fn web_url(name: &str, raw: &str) -> Result<url::Url, ConfigError> {
    let url = url::Url::parse(raw.trim()).map_err(|e| invalid(format!("{name} invalide : {e}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(invalid(format!(
            "{name} doit commencer par https:// (http:// n'est accepté que vers la machine locale)"
        ))),
    }
}

fn words(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or_default()
        .split([' ', ','])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Settings {
    /// The ProConnect settings, or none when `proconnect_issuer` is unset.
    pub fn proconnect(&self) -> Result<Option<ProConnectSettings>, ConfigError> {
        let Some(issuer) = self
            .proconnect_issuer
            .as_deref()
            .filter(|u| !u.trim().is_empty())
        else {
            return Ok(None);
        };
        let issuer = issuer.trim().to_owned();
        web_url("proconnect_issuer", &issuer)?;
        let client_id = self
            .proconnect_client_id
            .clone()
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                invalid("proconnect_client_id est requis quand proconnect_issuer est défini")
            })?;
        let client_secret = self
            .proconnect_client_secret
            .clone()
            .filter(|s| !s.expose().is_empty())
            .ok_or_else(|| {
                invalid(
                    "CLU_PROCONNECT_CLIENT_SECRET est requis quand proconnect_issuer est défini",
                )
            })?;
        let under_public = |path: &str| format!("{}{path}", self.public_url);
        let redirect_uri = web_url(
            "proconnect_redirect_uri",
            self.proconnect_redirect_uri
                .as_deref()
                .filter(|u| !u.trim().is_empty())
                .unwrap_or(&under_public(REDIRECT_PATH)),
        )?;
        let post_logout_redirect_uri = web_url(
            "proconnect_post_logout_redirect_uri",
            self.proconnect_post_logout_redirect_uri
                .as_deref()
                .filter(|u| !u.trim().is_empty())
                .unwrap_or(&under_public(POST_LOGOUT_PATH)),
        )?;
        let scopes: Vec<String> = words(Some(&self.proconnect_scopes))
            .into_iter()
            .filter(|s| s != "openid")
            .collect();
        if !scopes.iter().any(|s| s == "email") {
            return Err(invalid(
                "proconnect_scopes doit contenir email : clu reconnaît ses comptes à leur adresse",
            ));
        }
        Ok(Some(ProConnectSettings {
            issuer,
            client_id,
            client_secret,
            redirect_uri,
            post_logout_redirect_uri,
            scopes,
            acr_values: words(self.proconnect_acr_values.as_deref()),
        }))
    }
}

/// The client secret is read from the environment only: a configuration
/// file that holds it is refused, saying so.
pub(super) fn secret_not_in_a_file(figment: &Figment) -> Result<(), ConfigError> {
    let from_file = figment
        .find_metadata("proconnect_client_secret")
        .and_then(|metadata| metadata.source.as_ref())
        .is_some_and(|source| matches!(source, figment::Source::File(_)));
    if from_file {
        return Err(invalid(
            "proconnect_client_secret ne se met pas dans un fichier : \
             donnez-le par la variable d'environnement CLU_PROCONNECT_CLIENT_SECRET",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::with;

    const CONFIGURED: [(&str, &str); 3] = [
        (
            "proconnect_issuer",
            "https://fca.integ01.dev-agentconnect.fr/api/v2",
        ),
        ("proconnect_client_id", "clu-haute-marne"),
        ("proconnect_client_secret", "un secret de ProConnect 2031"),
    ];

    #[test]
    fn unset_issuer_means_no_proconnect() {
        assert!(
            with(&[])
                .expect("defaults")
                .proconnect()
                .expect("ok")
                .is_none()
        );
    }

    #[test]
    fn defaults_follow_the_public_address() {
        let mut pairs = CONFIGURED.to_vec();
        pairs.push(("public_url", "https://clu.haute-marne.gouv.fr"));
        let settings = with(&pairs).expect("loads");
        let proconnect = settings.proconnect().expect("valid").expect("configured");
        assert_eq!(
            proconnect.redirect_uri.as_str(),
            "https://clu.haute-marne.gouv.fr/connexion/proconnect/retour"
        );
        assert_eq!(
            proconnect.post_logout_redirect_uri.as_str(),
            "https://clu.haute-marne.gouv.fr/deconnexion/proconnect/retour"
        );
        assert_eq!(
            proconnect.scopes,
            ["given_name", "usual_name", "email", "uid", "siret"]
        );
        assert!(proconnect.acr_values.is_empty());
        assert!(
            !format!("{proconnect:?}").contains("un secret"),
            "never shown"
        );
    }

    #[test]
    fn the_secret_is_refused_from_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("clu.toml");
        std::fs::write(
            &file,
            "proconnect_issuer = \"https://auth.proconnect.gouv.fr/api/v2\"\n\
             proconnect_client_id = \"clu\"\n\
             proconnect_client_secret = \"un secret dans un fichier\"\n",
        )
        .expect("write");
        let err = super::super::Settings::from_figment(super::super::Settings::figment(Some(file)))
            .expect_err("a secret in a file");
        assert!(
            err.to_string().contains("CLU_PROCONNECT_CLIENT_SECRET"),
            "{err}"
        );
        assert!(!err.to_string().contains("un secret"), "{err}");
    }

    #[test]
    fn a_missing_secret_or_a_plain_http_issuer_is_refused() {
        let err = with(&CONFIGURED[..2]).expect_err("no secret");
        assert!(
            err.to_string().contains("CLU_PROCONNECT_CLIENT_SECRET"),
            "{err}"
        );
        let mut pairs = CONFIGURED.to_vec();
        pairs[0] = ("proconnect_issuer", "http://proconnect.example.fr");
        let err = with(&pairs).expect_err("http");
        assert!(err.to_string().contains("https://"), "{err}");
        pairs[0] = ("proconnect_issuer", "http://127.0.0.1:9000");
        assert!(with(&pairs).is_ok(), "the tests' provider on the loopback");
    }
}
