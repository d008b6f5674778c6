//! CMS SignedData as PAdES wants it (CAdES detached: content-type,
//! message-digest and signing-certificate-v2 signed; the timestamp token
//! unsigned), and the checks of one read back: the signer's signature over
//! its attributes and the digest of the content.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Reader, Sequence};
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use super::keys::Identity;
use super::oids;

/// ESSCertIDv2 (RFC 5035): the signing certificate by its hash, the
/// algorithm left out when it is SHA-256 (the default).
#[derive(Clone, Debug, Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

#[derive(Clone, Debug, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

#[derive(Clone, Debug, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn sha256_algorithm() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: oids::SHA256,
        parameters: None,
    }
}

fn attribute(oid: der::oid::ObjectIdentifier, value: Any) -> Result<Attribute, String> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(|e| e.to_string())?;
    Ok(Attribute { oid, values })
}

fn any_of(value: &impl Encode) -> Result<Any, String> {
    Any::from_der(&value.to_der().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

/// The signed attributes over a content whose SHA-256 is `digest`.
pub fn signed_attributes(
    identity: &Identity,
    digest: &[u8],
) -> Result<SetOfVec<Attribute>, String> {
    let certificate = &identity.certificate.tbs_certificate;
    let signing_certificate = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(identity.certificate_hash()?.to_vec())
                .map_err(|e| e.to_string())?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(certificate.issuer.clone())],
                serial_number: certificate.serial_number.clone(),
            }),
        }],
    };
    let digest = OctetString::new(digest.to_vec()).map_err(|e| e.to_string())?;
    let mut attributes = SetOfVec::new();
    for item in [
        attribute(oids::CONTENT_TYPE, any_of(&oids::DATA)?)?,
        attribute(oids::MESSAGE_DIGEST, any_of(&digest)?)?,
        attribute(oids::SIGNING_CERTIFICATE_V2, any_of(&signing_certificate)?)?,
    ] {
        attributes.insert(item).map_err(|e| e.to_string())?;
    }
    Ok(attributes)
}

/// The SignedData (as a DER ContentInfo) of `attributes` signed with
/// `signature`, with the timestamp token over that signature if any.
pub fn signed_data(
    identity: &Identity,
    attributes: SetOfVec<Attribute>,
    signature: Vec<u8>,
    timestamp: Option<&[u8]>,
) -> Result<Vec<u8>, String> {
    let certificate = &identity.certificate.tbs_certificate;
    let unsigned_attrs = match timestamp {
        Some(token) => {
            let token = Any::from_der(token).map_err(|e| format!("jeton d'horodatage : {e}"))?;
            let mut set = SetOfVec::new();
            set.insert(attribute(oids::TIMESTAMP_TOKEN, token)?)
                .map_err(|e| e.to_string())?;
            Some(set)
        }
        None => None,
    };
    let signer = SignerInfo {
        version: cms::content_info::CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: certificate.issuer.clone(),
            serial_number: certificate.serial_number.clone(),
        }),
        digest_alg: sha256_algorithm(),
        signed_attrs: Some(attributes),
        signature_algorithm: identity.key.algorithm(),
        signature: OctetString::new(signature).map_err(|e| e.to_string())?,
        unsigned_attrs,
    };
    let mut certificates = SetOfVec::new();
    for c in std::iter::once(&identity.certificate).chain(&identity.chain) {
        certificates
            .insert(CertificateChoices::Certificate(c.clone()))
            .map_err(|e| e.to_string())?;
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms
        .insert(sha256_algorithm())
        .map_err(|e| e.to_string())?;
    let mut signer_infos = SetOfVec::new();
    signer_infos.insert(signer).map_err(|e| e.to_string())?;
    let data = SignedData {
        version: cms::content_info::CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oids::DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    ContentInfo {
        content_type: oids::SIGNED_DATA,
        content: any_of(&data)?,
    }
    .to_der()
    .map_err(|e| e.to_string())
}

/// A SignedData read back, with its (first) signer and that signer's
/// certificate.
pub struct Parsed {
    pub data: SignedData,
    pub signer: SignerInfo,
    pub certificate: Certificate,
    pub certificates: Vec<Certificate>,
}

/// Reads the SignedData at the start of `bytes` (a PDF's /Contents is
/// padded with zeros after it).
pub fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    const UNREADABLE: &str = "la signature (CMS) est illisible";
    let mut reader = der::SliceReader::new(bytes).map_err(|_| UNREADABLE)?;
    let info: ContentInfo = reader.decode().map_err(|_| UNREADABLE)?;
    let rest = reader.remaining_len();
    let rest = &bytes[bytes.len() - usize::try_from(rest).unwrap_or(0)..];
    if rest.iter().any(|b| *b != 0) {
        return Err(UNREADABLE.into());
    }
    if info.content_type != oids::SIGNED_DATA {
        return Err("la signature n'est pas une SignedData CMS".into());
    }
    let data: SignedData = info.content.decode_as().map_err(|_| UNREADABLE)?;
    let signer = data
        .signer_infos
        .0
        .iter()
        .next()
        .cloned()
        .ok_or("la signature ne contient aucun signataire")?;
    let certificates: Vec<Certificate> = data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let certificate = match &signer.sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => certificates.iter().find(|c| {
            c.tbs_certificate.issuer == id.issuer
                && c.tbs_certificate.serial_number == id.serial_number
        }),
        SignerIdentifier::SubjectKeyIdentifier(_) => certificates.first(),
    }
    .cloned()
    .ok_or("le certificat du signataire n'est pas joint à la signature")?;
    Ok(Parsed {
        data,
        signer,
        certificate,
        certificates,
    })
}

/// The value of a signed or unsigned attribute.
fn attribute_value(
    attributes: Option<&SetOfVec<Attribute>>,
    oid: der::oid::ObjectIdentifier,
) -> Option<Any> {
    attributes?
        .iter()
        .find(|a| a.oid == oid)
        .and_then(|a| a.values.iter().next().cloned())
}

/// The digest of `parts` with the algorithm `oid`.
pub fn digest(oid: &der::oid::ObjectIdentifier, parts: &[&[u8]]) -> Result<Vec<u8>, String> {
    fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
        let mut hasher = D::new();
        for part in parts {
            hasher.update(part);
        }
        hasher.finalize().to_vec()
    }
    match *oid {
        oids::SHA256 => Ok(run::<sha2::Sha256>(parts)),
        oids::SHA384 => Ok(run::<sha2::Sha384>(parts)),
        oids::SHA512 => Ok(run::<sha2::Sha512>(parts)),
        other => Err(format!(
            "algorithme d'empreinte non pris en charge ({other})"
        )),
    }
}

impl Parsed {
    /// Checks that the signer signed `content` (given in parts): the
    /// message-digest attribute, then the signature over the attributes.
    pub fn check(&self, content: &[&[u8]]) -> Result<(), String> {
        let attributes = self
            .signer
            .signed_attrs
            .as_ref()
            .ok_or("la signature n'a pas d'attributs signés")?;
        let expected = digest(&self.signer.digest_alg.oid, content)?;
        let found = attribute_value(Some(attributes), oids::MESSAGE_DIGEST)
            .and_then(|v| v.decode_as::<OctetString>().ok())
            .ok_or("la signature n'a pas d'empreinte du contenu")?;
        if found.as_bytes() != expected.as_slice() {
            return Err("l'empreinte du contenu ne correspond pas : le document a été modifié après la signature".into());
        }
        let signed = attributes.to_der().map_err(|e| e.to_string())?;
        super::chain::verify(
            &self.certificate.tbs_certificate.subject_public_key_info,
            &self.signer.signature_algorithm.oid,
            &self.signer.digest_alg.oid,
            &signed,
            self.signer.signature.as_bytes(),
        )
        .map_err(|e| format!("la signature est invalide : {e}"))
    }

    /// Whether the signing-certificate-v2 attribute names the signer's
    /// certificate (PAdES requires it).
    pub fn names_its_certificate(&self) -> bool {
        let Some(value) = attribute_value(
            self.signer.signed_attrs.as_ref(),
            oids::SIGNING_CERTIFICATE_V2,
        ) else {
            return false;
        };
        let Ok(certificate) = self.certificate.to_der() else {
            return false;
        };
        value
            .decode_as::<SigningCertificateV2>()
            .ok()
            .and_then(|s| s.certs.into_iter().next())
            .is_some_and(|id| {
                let oid = id.hash_algorithm.map_or(oids::SHA256, |a| a.oid);
                digest(&oid, &[&certificate]).is_ok_and(|d| d == id.cert_hash.as_bytes())
            })
    }

    /// The timestamp token in the unsigned attributes, as DER.
    pub fn timestamp_token(&self) -> Option<Vec<u8>> {
        attribute_value(self.signer.unsigned_attrs.as_ref(), oids::TIMESTAMP_TOKEN)
            .and_then(|any| any.to_der().ok())
    }

    /// The encapsulated content (a timestamp token's TSTInfo).
    pub fn content(&self) -> Option<Vec<u8>> {
        self.data
            .encap_content_info
            .econtent
            .as_ref()
            .and_then(|any| any.decode_as::<OctetString>().ok())
            .map(OctetString::into_bytes)
    }
}
