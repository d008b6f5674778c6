//! Password hashing with Argon2id and the OWASP parameters. Both functions
//! are CPU-bound (tens of milliseconds): call them from the blocking pool.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::sync::{Arc, OnceLock};

use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{AppError, FieldError};

/// OWASP: m = 19 MiB, t = 2, p = 1.
const PARAMS: Params = match Params::new(19_456, 2, 1, None) {
    Ok(params) => params,
    Err(_) => panic!("invalid Argon2 parameters"),
};

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 128;

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS)
}

/// The PHC string of `password` with a fresh random salt.
pub fn hash(password: &str) -> Result<String, AppError> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("argon2 hash: {e}")))
}

/// A hash to verify against when the e-mail is unknown, so that an
/// unknown account costs the same time as a wrong password: of a random
/// password nobody knows, made once per process, in the background from
/// the start (`warm`) so that the server does not wait for it to listen.
#[derive(Clone, Default)]
pub struct Decoy(Arc<OnceLock<Option<String>>>);

impl Decoy {
    /// Starts making the hash on a thread of its own.
    pub fn warm(&self) {
        let decoy = self.clone();
        std::thread::spawn(move || {
            let _ = decoy.hash();
        });
    }

    /// The hash, made now if the background has not finished (CPU-bound:
    /// call it from the blocking pool).
    pub fn hash(&self) -> Result<String, AppError> {
        self.0
            .get_or_init(|| {
                let mut random = [0u8; 24];
                getrandom::fill(&mut random).ok()?;
                let secret: String = random.iter().map(|b| format!("{b:02x}")).collect();
                hash(&secret).ok()
            })
            .clone()
            .ok_or_else(|| AppError::internal("argon2: no decoy hash"))
    }
}

/// Whether `password` matches the PHC string `stored`. A malformed stored
/// hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    argon2()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// The length rule, as a field error.
pub fn check_policy(field: &str, password: &str) -> Option<FieldError> {
    let len = password.chars().count();
    (!(MIN_LEN..=MAX_LEN).contains(&len)).then(|| {
        FieldError::new(
            field,
            format!("le mot de passe doit contenir entre {MIN_LEN} et {MAX_LEN} caractères"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_argon2id_owasp_parameters_and_verifies() {
        let stored = hash("correct horse battery").expect("hash");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterY", &stored));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn length_policy_counts_characters() {
        assert!(check_policy("password", "court").is_some());
        assert!(check_policy("password", "éééééééééééé").is_none());
        assert!(check_policy("password", &"x".repeat(129)).is_some());
    }
}
