//! Keys kept beside the database when the settings give none: made on first
//! start (32 random bytes, hex), readable by their owner only, never logged.

use std::io::Write;
use std::path::Path;

use actix_web::cookie::Key;

use crate::config::{MIN_SECRET_LEN, Settings};

/// The file the session key is kept in, when `session_secret` is unset.
pub const SESSION_KEY_FILE: &str = "session-key";

/// The key in `data_dir/file_name`, made there if missing; `what` names
/// it in the log and in errors.
pub fn kept(data_dir: &Path, file_name: &str, what: &str) -> Result<Vec<u8>, String> {
    let path = data_dir.join(file_name);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let key = text.trim().as_bytes().to_vec();
            if key.len() < MIN_SECRET_LEN {
                return Err(format!(
                    "la clé {} est trop courte ; supprimez-la pour qu'une nouvelle soit générée",
                    path.display()
                ));
            }
            Ok(key)
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir)
                .map_err(|e| format!("impossible de créer {} : {e}", data_dir.display()))?;
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| format!("aléa indisponible : {e}"))?;
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&path)
                .map_err(|e| format!("impossible de créer {} : {e}", path.display()))?;
            file.write_all(hex.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| format!("impossible d'écrire {} : {e}", path.display()))?;
            tracing::info!(path = %path.display(), "generated a new {what}");
            Ok(hex.into_bytes())
        }
        Err(err) => Err(format!("impossible de lire {} : {err}", path.display())),
    }
}

/// The web session cookie's key: the configured secret, or the one kept in
/// the data folder, stretched by HKDF to the 64 bytes the cookie needs.
pub fn session_key(settings: &Settings) -> Result<Key, String> {
    let master = match &settings.session_secret {
        Some(secret) => secret.expose().as_bytes().to_vec(),
        None => kept(&settings.data_dir, SESSION_KEY_FILE, "session key")?,
    };
    if master.len() < MIN_SECRET_LEN {
        return Err("la clé de session est trop courte".into());
    }
    Ok(Key::derive_from(&master))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_key_is_private_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = kept(dir.path(), SESSION_KEY_FILE, "session key").expect("created");
        let second = kept(dir.path(), SESSION_KEY_FILE, "session key").expect("read");
        assert_eq!(first, second);
        assert_eq!(first.len(), 64);
        let other = kept(dir.path(), "jwt-secret", "token signing key").expect("another");
        assert_ne!(first, other, "each key file its own key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SESSION_KEY_FILE))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
