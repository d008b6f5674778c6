//! Public-key signatures checked (RSA PKCS#1 v1.5, ECDSA P-256), and the
//! chain of certificates from a signer up to a trusted authority.

use chrono::{DateTime, Utc};
use der::Encode;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use super::oids;

/// Checks a signature made with the key `public`.
pub fn verify(
    public: &SubjectPublicKeyInfoOwned,
    algorithm: &der::oid::ObjectIdentifier,
    digest_algorithm: &der::oid::ObjectIdentifier,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    use signature::Verifier;
    let der = public.to_der().map_err(|e| e.to_string())?;
    match public.algorithm.oid {
        oids::RSA_ENCRYPTION => {
            use rsa::pkcs8::DecodePublicKey;
            let key = rsa::RsaPublicKey::from_public_key_der(&der)
                .map_err(|_| "clé publique RSA illisible")?;
            let signature = rsa::pkcs1v15::Signature::try_from(signature)
                .map_err(|_| "signature RSA illisible")?;
            let hash = match *algorithm {
                oids::SHA256_WITH_RSA => oids::SHA256,
                oids::SHA384_WITH_RSA => oids::SHA384,
                oids::SHA512_WITH_RSA => oids::SHA512,
                oids::RSA_ENCRYPTION => *digest_algorithm,
                _ => {
                    return Err(format!(
                        "algorithme de signature non pris en charge ({algorithm})"
                    ));
                }
            };
            let checked = match hash {
                oids::SHA256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key)
                    .verify(message, &signature),
                oids::SHA384 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::new(key)
                    .verify(message, &signature),
                oids::SHA512 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(key)
                    .verify(message, &signature),
                other => {
                    return Err(format!(
                        "algorithme d'empreinte non pris en charge ({other})"
                    ));
                }
            };
            checked.map_err(|_| "la signature RSA ne correspond pas".into())
        }
        oids::EC_PUBLIC_KEY => {
            use p256::pkcs8::DecodePublicKey;
            if *algorithm != oids::ECDSA_WITH_SHA256 {
                return Err(format!(
                    "algorithme de signature non pris en charge ({algorithm})"
                ));
            }
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(&der)
                .map_err(|_| "clé publique EC illisible (seule P-256 est prise en charge)")?;
            let signature = p256::ecdsa::Signature::from_der(signature)
                .map_err(|_| "signature ECDSA illisible")?;
            key.verify(message, &signature)
                .map_err(|_| "la signature ECDSA ne correspond pas".into())
        }
        other => Err(format!("type de clé non pris en charge ({other})")),
    }
}

/// Whether `certificate` was valid at `at`.
fn valid_at(certificate: &Certificate, at: DateTime<Utc>) -> bool {
    let validity = &certificate.tbs_certificate.validity;
    let seconds = |t: x509_cert::time::Time| {
        i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
    };
    let at = at.timestamp();
    seconds(validity.not_before) <= at && at <= seconds(validity.not_after)
}

/// Follows the issuers of `certificate` (among `pool` and `anchors`) up to
/// one of `anchors`, checking each signature and validity at `at`; returns
/// the anchor reached.
pub fn chain_to<'a>(
    certificate: &Certificate,
    pool: &[Certificate],
    anchors: &'a [Certificate],
    at: DateTime<Utc>,
) -> Result<&'a Certificate, String> {
    let mut current = certificate.clone();
    for _ in 0..8 {
        if !valid_at(&current, at) {
            return Err(format!(
                "le certificat « {} » n'était pas valide à la date de signature",
                current.tbs_certificate.subject
            ));
        }
        if let Some(anchor) = anchors.iter().find(|a| **a == current) {
            return Ok(anchor);
        }
        let issuer = anchors
            .iter()
            .chain(pool)
            .filter(|c| {
                c.tbs_certificate.subject == current.tbs_certificate.issuer && **c != current
            })
            .find(|c| {
                current.tbs_certificate.to_der().is_ok_and(|tbs| {
                    verify(
                        &c.tbs_certificate.subject_public_key_info,
                        &current.signature_algorithm.oid,
                        &oids::SHA256,
                        &tbs,
                        current.signature.raw_bytes(),
                    )
                    .is_ok()
                })
            });
        match issuer {
            Some(issuer) => match anchors.iter().find(|a| *a == issuer) {
                Some(anchor) => return Ok(anchor),
                None => current = issuer.clone(),
            },
            None => break,
        }
    }
    Err(
        "la chaîne de certificats ne mène à aucune autorité de confiance de cette installation"
            .into(),
    )
}

/// The common name of a certificate's subject (else its whole name).
pub fn common_name(certificate: &Certificate) -> String {
    let subject = &certificate.tbs_certificate.subject;
    for rdn in subject.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == const_oid_cn() {
                if let Ok(s) = atv.value.decode_as::<der::asn1::Utf8StringRef<'_>>() {
                    return s.as_str().to_owned();
                }
                if let Ok(s) = atv.value.decode_as::<der::asn1::PrintableStringRef<'_>>() {
                    return s.as_str().to_owned();
                }
            }
        }
    }
    subject.to_string()
}

fn const_oid_cn() -> der::oid::ObjectIdentifier {
    der::oid::ObjectIdentifier::new_unwrap("2.5.4.3")
}
