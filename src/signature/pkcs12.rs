//! Reading a PKCS#12 file (`.p12`, `.pfx`), as certification authorities
//! deliver a "cachet serveur": the private key and its certificates, in
//! bags encrypted with PBES2 (OpenSSL 3's default: PBKDF2 and AES).

use der::{Decode, Encode};
use x509_cert::Certificate;

use super::keys::SigningKey;
use super::oids;

/// The key and every certificate of a PKCS#12 file.
pub fn read(bytes: &[u8], password: &str) -> Result<(SigningKey, Vec<Certificate>), String> {
    let pfx = pkcs12::pfx::Pfx::from_der(bytes).map_err(|_| "fichier PKCS#12 illisible")?;
    if pfx.auth_safe.content_type != oids::DATA {
        return Err("fichier PKCS#12 signé par clé publique : non pris en charge".into());
    }
    let safe = octets(&pfx.auth_safe.content)?;
    let contents: Vec<cms::content_info::ContentInfo> =
        Decode::from_der(&safe).map_err(|_| "contenu PKCS#12 illisible")?;
    let (mut key, mut certificates) = (None, Vec::new());
    for info in contents {
        let bags = match info.content_type {
            oids::DATA => octets(&info.content)?,
            oids::ENCRYPTED_DATA => decrypt_data(&info.content, password)?,
            _ => continue,
        };
        let bags: Vec<pkcs12::safe_bag::SafeBag> =
            Decode::from_der(&bags).map_err(|_| "sacs PKCS#12 illisibles")?;
        for bag in bags {
            let inner = der::AnyRef::from_der(&bag.bag_value)
                .map_err(|_| "sac PKCS#12 illisible")?
                .value()
                .to_vec();
            match bag.bag_id {
                pkcs12::PKCS_12_PKCS8_KEY_BAG_OID => {
                    let encrypted = pkcs8::EncryptedPrivateKeyInfo::from_der(&inner)
                        .map_err(|_| "clé chiffrée illisible")?;
                    let plain = encrypted.decrypt(password).map_err(
                        |_| "mot de passe PKCS#12 incorrect (ou chiffrement non pris en charge)",
                    )?;
                    key = Some(SigningKey::from_pkcs8(plain.as_bytes())?);
                }
                pkcs12::PKCS_12_KEY_BAG_OID => key = Some(SigningKey::from_pkcs8(&inner)?),
                pkcs12::PKCS_12_CERT_BAG_OID => {
                    let bag = pkcs12::cert_type::CertBag::from_der(&inner)
                        .map_err(|_| "certificat PKCS#12 illisible")?;
                    certificates.push(
                        Certificate::from_der(bag.cert_value.as_bytes())
                            .map_err(|_| "certificat PKCS#12 illisible")?,
                    );
                }
                _ => {}
            }
        }
    }
    let key = key.ok_or("le fichier PKCS#12 ne contient pas de clé privée")?;
    Ok((key, certificates))
}

/// The bytes of an OCTET STRING held as `Any`.
fn octets(any: &der::Any) -> Result<Vec<u8>, String> {
    any.decode_as::<der::asn1::OctetString>()
        .map(|o| o.into_bytes())
        .map_err(|_| "contenu PKCS#12 illisible".into())
}

/// The plain content of a PKCS#7 EncryptedData (PBES2).
fn decrypt_data(any: &der::Any, password: &str) -> Result<Vec<u8>, String> {
    let data: cms::encrypted_data::EncryptedData = any
        .decode_as()
        .map_err(|_| "contenu chiffré PKCS#12 illisible")?;
    let info = data.enc_content_info;
    let algorithm = info
        .content_enc_alg
        .to_der()
        .map_err(|_| "chiffrement PKCS#12 illisible")?;
    let scheme = pkcs5::EncryptionScheme::from_der(&algorithm).map_err(|_| {
        "chiffrement PKCS#12 non pris en charge (refaites le fichier avec OpenSSL 3 : PBES2, AES)"
    })?;
    let cipher = info
        .encrypted_content
        .ok_or("contenu chiffré PKCS#12 vide")?;
    scheme
        .decrypt(password, cipher.as_bytes())
        .map_err(|_| "mot de passe PKCS#12 incorrect (ou chiffrement non pris en charge)".into())
}
