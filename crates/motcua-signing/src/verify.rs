//! Checking a detached CMS signature against its data: for this crate's tests and for a
//! `motcua` subcommand that checks a delivered result and its `.p7s`. It checks what the
//! signature itself can prove (the data's SHA-256 digest and the signer's ECDSA P-256 or RSA
//! PKCS #1 v1.5 signature over the signed attributes); whether the signer's chain is trusted is
//! the caller's concern, so the chain is handed back.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::attr::Attributes;
use x509_cert::der::asn1::OctetString;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::oid::db::rfc5911::{
    ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME,
};
use x509_cert::der::oid::db::rfc5912::ID_SHA_256;
use x509_cert::der::{Any, Decode, Encode};
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::time::Time;

use crate::SigningError;
use crate::key::PublicKey;
use crate::pki::{self, CN, OU};

/// What a valid signature says about who signed and when.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The signer certificate's common name (the agency's name).
    pub signer_cn: String,
    /// The agency code in the signer's certificate (its organizational unit), if it has one.
    pub agency_code: Option<String>,
    /// The signing time the signer stated (a signed attribute, not a trusted timestamp).
    pub signed_at: OffsetDateTime,
    /// The certificates the signature carries: the signer's first, then its issuers as far as
    /// they are present, then any others. Not checked against any trust anchor.
    pub chain: Vec<Certificate>,
}

/// Checks that `der` is a detached CMS `SignedData` with one signer, ECDSA P-256 or RSA
/// PKCS #1 v1.5 (of 2048 to 4096 bits) over SHA-256, whose signature covers exactly `data`.
pub fn verify_detached(data: &[u8], der: &[u8]) -> Result<Verified, SigningError> {
    let content_info = ContentInfo::from_der(der).map_err(SigningError::malformed)?;
    if content_info.content_type != ID_SIGNED_DATA {
        return Err(SigningError::Malformed("not a SignedData".to_owned()));
    }
    let signed_data: SignedData = content_info
        .content
        .decode_as()
        .map_err(SigningError::malformed)?;
    if signed_data.encap_content_info.econtent.is_some() {
        return Err(SigningError::Malformed(
            "not detached: the signature holds its content".to_owned(),
        ));
    }
    let mut signer_infos = signed_data.signer_infos.0.iter();
    let (Some(signer_info), None) = (signer_infos.next(), signer_infos.next()) else {
        return Err(SigningError::Malformed("not exactly one signer".to_owned()));
    };
    let certificates: Vec<Certificate> = signed_data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(cert) => Some(cert.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let leaf = signer_certificate(&signer_info.sid, &certificates)?;
    let signed_at = check_signer_info(signer_info, leaf, data, &signed_data)?;
    let subject = &leaf.tbs_certificate.subject;
    Ok(Verified {
        signer_cn: pki::name_attribute(subject, CN).unwrap_or_else(|| subject.to_string()),
        agency_code: pki::name_attribute(subject, OU),
        signed_at,
        chain: order_chain(leaf, &certificates),
    })
}

/// Checks the signer's digest, attributes and signature; answers the stated signing time.
fn check_signer_info(
    signer_info: &SignerInfo,
    leaf: &Certificate,
    data: &[u8],
    signed_data: &SignedData,
) -> Result<OffsetDateTime, SigningError> {
    if signer_info.digest_alg.oid != ID_SHA_256 {
        return Err(SigningError::Malformed(format!(
            "digest algorithm {} is not SHA-256",
            signer_info.digest_alg.oid
        )));
    }
    let key = PublicKey::from_spki(&leaf.tbs_certificate.subject_public_key_info)
        .map_err(|reason| SigningError::Malformed(format!("the signer's key: {reason}")))?;
    let sig_alg = signer_info.signature_algorithm.oid;
    if !key.accepts_signature_algorithm(sig_alg) {
        return Err(SigningError::Malformed(format!(
            "signature algorithm {sig_alg} is not SHA-256 with the signer's key type"
        )));
    }
    let attrs = signer_info
        .signed_attrs
        .as_ref()
        .ok_or_else(|| SigningError::Malformed("no signed attributes".to_owned()))?;
    let content_type: ObjectIdentifier = single_value(attrs, ID_CONTENT_TYPE)?
        .decode_as()
        .map_err(SigningError::malformed)?;
    if content_type != signed_data.encap_content_info.econtent_type {
        return Err(SigningError::Malformed(
            "the contentType attribute differs from the content's type".to_owned(),
        ));
    }
    let digest: OctetString = single_value(attrs, ID_MESSAGE_DIGEST)?
        .decode_as()
        .map_err(SigningError::malformed)?;
    if digest.as_bytes() != &Sha256::digest(data)[..] {
        return Err(SigningError::DigestMismatch);
    }
    let time_der = single_value(attrs, ID_SIGNING_TIME)?
        .to_der()
        .map_err(SigningError::malformed)?;
    let signed_at =
        pki::offset_date_time(Time::from_der(&time_der).map_err(SigningError::malformed)?)?;

    // The signature covers the signed attributes' DER with the SET OF tag (RFC 5652 § 5.4).
    let signed = attrs.to_der().map_err(SigningError::malformed)?;
    key.verify(&signed, signer_info.signature.as_bytes())?;
    Ok(signed_at)
}

/// The one value of the signed attribute `oid`.
fn single_value(attrs: &Attributes, oid: ObjectIdentifier) -> Result<&Any, SigningError> {
    let attr = attrs
        .iter()
        .find(|attr| attr.oid == oid)
        .ok_or_else(|| SigningError::Malformed(format!("no signed attribute {oid}")))?;
    let mut values = attr.values.iter();
    match (values.next(), values.next()) {
        (Some(value), None) => Ok(value),
        _ => Err(SigningError::Malformed(format!(
            "signed attribute {oid} has not exactly one value"
        ))),
    }
}

/// The certificate the signer identifies itself by.
fn signer_certificate<'a>(
    sid: &SignerIdentifier,
    certificates: &'a [Certificate],
) -> Result<&'a Certificate, SigningError> {
    certificates
        .iter()
        .find(|cert| {
            let tbs = &cert.tbs_certificate;
            match sid {
                SignerIdentifier::IssuerAndSerialNumber(id) => {
                    tbs.issuer == id.issuer && tbs.serial_number == id.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(id) => {
                    matches!(tbs.get::<SubjectKeyIdentifier>(), Ok(Some((_, ski))) if ski == *id)
                }
            }
        })
        .ok_or_else(|| {
            SigningError::Malformed("the signer's certificate is not in the signature".to_owned())
        })
}

/// The signer's certificate, then its issuers as far as present, then the rest.
fn order_chain(leaf: &Certificate, certificates: &[Certificate]) -> Vec<Certificate> {
    let mut chain = vec![leaf.clone()];
    let mut rest: Vec<&Certificate> = certificates.iter().filter(|cert| *cert != leaf).collect();
    while let Some(last) = chain.last() {
        let issuer = &last.tbs_certificate.issuer;
        if *issuer == last.tbs_certificate.subject {
            break;
        }
        let Some(index) = rest
            .iter()
            .position(|cert| cert.tbs_certificate.subject == *issuer)
        else {
            break;
        };
        chain.push(rest.remove(index).clone());
    }
    chain.extend(rest.into_iter().cloned());
    chain
}
