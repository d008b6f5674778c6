//! RFC 3161: asking a time-stamping authority for a token over a digest,
//! and checking a token read back from a signature.

use std::time::Duration;

use chrono::{DateTime, Utc};
use der::asn1::{Int, OctetString};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

use super::cms;
use super::oids;

/// How long the authority has to answer before clu signs without it.
const TIMEOUT: Duration = Duration::from_secs(5);
/// A token is a few kilobytes; an answer past this is not one.
const MAX_ANSWER: u64 = 256 * 1024;

/// A token from the authority at `url` over the SHA-256 `imprint`, as DER
/// (a CMS ContentInfo), checked to be over that imprint.
pub fn ask(url: &str, imprint: &[u8]) -> Result<Vec<u8>, String> {
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| format!("aléa indisponible : {e}"))?;
    nonce[0] &= 0x7f;
    let nonce = Int::new(&nonce).map_err(|e| e.to_string())?;
    let request = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifier::<Any> {
                oid: oids::SHA256,
                parameters: None,
            },
            hashed_message: OctetString::new(imprint.to_vec()).map_err(|e| e.to_string())?,
        },
        req_policy: None,
        nonce: Some(nonce.clone()),
        cert_req: true,
        extensions: None,
    }
    .to_der()
    .map_err(|e| e.to_string())?;
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut answer = agent
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .send(&request[..])
        .map_err(|e| format!("autorité d'horodatage injoignable ({url}) : {e}"))?;
    if answer.status() != 200 {
        return Err(format!(
            "l'autorité d'horodatage a répondu {} ({url})",
            answer.status()
        ));
    }
    let body = answer
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER)
        .read_to_vec()
        .map_err(|e| format!("réponse d'horodatage illisible : {e}"))?;
    let response =
        TimeStampResp::from_der(&body).map_err(|_| "réponse d'horodatage illisible".to_owned())?;
    use cmpv2::status::PkiStatus;
    if !matches!(
        response.status.status,
        PkiStatus::Accepted | PkiStatus::GrantedWithMods
    ) {
        return Err(format!(
            "l'autorité d'horodatage a refusé la demande ({:?})",
            response.status.status
        ));
    }
    let token = response
        .time_stamp_token
        .ok_or("réponse d'horodatage sans jeton")?
        .to_der()
        .map_err(|e| e.to_string())?;
    let stamp = check(&token, &[imprint], true)?;
    if stamp.nonce.as_ref() != Some(&nonce) {
        return Err("le jeton d'horodatage ne répond pas à cette demande (nonce)".into());
    }
    Ok(token)
}

/// What a checked token says.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub time: DateTime<Utc>,
    /// The authority's certificate.
    pub authority: x509_cert::Certificate,
    pub certificates: Vec<x509_cert::Certificate>,
    nonce: Option<Int>,
}

/// Checks a token: the authority's signature over its TSTInfo, and that
/// the TSTInfo's imprint is the digest of `data` (given in parts, or, when
/// `is_digest`, the digest itself).
pub fn check(token: &[u8], data: &[&[u8]], is_digest: bool) -> Result<Stamp, String> {
    let parsed = cms::parse(token).map_err(|e| format!("jeton d'horodatage : {e}"))?;
    if parsed.data.encap_content_info.econtent_type != oids::TST_INFO {
        return Err("le jeton d'horodatage ne contient pas de TSTInfo".into());
    }
    let content = parsed.content().ok_or("le jeton d'horodatage est vide")?;
    parsed
        .check(&[&content])
        .map_err(|e| format!("jeton d'horodatage : {e}"))?;
    let info = TstInfo::from_der(&content).map_err(|_| "TSTInfo illisible".to_owned())?;
    let imprint = &info.message_imprint;
    let expected = if is_digest {
        data.concat()
    } else {
        cms::digest(&imprint.hash_algorithm.oid, data)?
    };
    if imprint.hashed_message.as_bytes() != expected.as_slice() {
        return Err("l'horodatage ne porte pas sur cette signature".into());
    }
    let time = DateTime::<Utc>::from(info.gen_time.to_system_time());
    Ok(Stamp {
        time,
        authority: parsed.certificate,
        certificates: parsed.certificates,
        nonce: info.nonce,
    })
}
