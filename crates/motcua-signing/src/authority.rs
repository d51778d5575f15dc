//! The test certificate authority: a self-signed P-256 root that `motcua up` creates in its data
//! folder, and the agency certificates it issues on first use, so that a development or
//! demonstration install prints signed documents without any real key. Nothing it issues is
//! trusted anywhere (its name says so); production installs configure real keys and chains.

use p256::ecdsa::{DerSignature, SigningKey};
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::Name;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

use crate::SigningError;
use crate::key::PublicKey;
use crate::pki::{self, C, CN, O, OU};

/// The common name of the test authority's root certificate.
pub const TEST_CA_COMMON_NAME: &str = "motcua test CA (not for production)";
/// The organisation named in the test authority's certificates.
const TEST_ORGANIZATION: &str = "motcua (test)";
/// How long the test root is valid.
const ROOT_VALIDITY: Duration = Duration::days(10 * 365);
/// How long an agency certificate the test authority issues is valid (at most up to the root).
const LEAF_VALIDITY: Duration = Duration::days(5 * 365);
/// How far back the test authority's certificates start: for clocks behind the issuer's, and
/// for documents a test system signs at a test clock set in the recent past.
const BACKDATE: Duration = Duration::days(30);

/// A self-signed root certificate for `key`, valid from about `now` for ten years.
pub(crate) fn issue_root(
    key: &SigningKey,
    now: OffsetDateTime,
) -> Result<Certificate, SigningError> {
    let subject = pki::name(&[(C, "VN"), (O, TEST_ORGANIZATION), (CN, TEST_CA_COMMON_NAME)])?;
    let validity = validity(now - BACKDATE, now + ROOT_VALIDITY)?;
    let spki = PublicKey::P256(*key.verifying_key()).public_key_info()?;
    let builder = CertificateBuilder::new(
        Profile::Root,
        pki::random_serial()?,
        validity,
        subject,
        spki,
        key,
    )
    .map_err(|err| SigningError::build("the test root certificate", err))?;
    builder
        .build::<DerSignature>()
        .map_err(|err| SigningError::build("the test root certificate", err))
}

/// An agency's certificate (CN the agency's name, OU its code; key usage digital signature and
/// non-repudiation) for the public key `subject_key` (P-256 or RSA), signed by the test
/// authority.
pub(crate) fn issue_leaf(
    ca_key: &SigningKey,
    ca_cert: &Certificate,
    subject_key: SubjectPublicKeyInfoOwned,
    agency_code: &str,
    agency_name: &str,
    now: OffsetDateTime,
) -> Result<Certificate, SigningError> {
    let subject = pki::name(&[
        (C, "VN"),
        (O, TEST_ORGANIZATION),
        (OU, agency_code),
        (CN, agency_name),
    ])?;
    let ca_not_after = pki::offset_date_time(ca_cert.tbs_certificate.validity.not_after)?;
    let validity = validity(now - BACKDATE, (now + LEAF_VALIDITY).min(ca_not_after))?;
    let issuer: Name = ca_cert.tbs_certificate.subject.clone();
    let profile = Profile::Leaf {
        issuer,
        enable_key_agreement: false,
        enable_key_encipherment: false,
    };
    let builder = CertificateBuilder::new(
        profile,
        pki::random_serial()?,
        validity,
        subject,
        subject_key,
        ca_key,
    )
    .map_err(|err| SigningError::build("an agency certificate", err))?;
    builder
        .build::<DerSignature>()
        .map_err(|err| SigningError::build("an agency certificate", err))
}

/// A validity period from `not_before` to `not_after`.
fn validity(
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<Validity, SigningError> {
    Ok(Validity {
        not_before: pki::x509_time(not_before)?,
        not_after: pki::x509_time(not_after)?,
    })
}
