//! An agency's signer: its key (P-256 or RSA) and certificate chain, producing detached CMS
//! `SignedData` (RFC 5652) over given bytes. It is what the PDF writer calls through
//! [`motcua_pdf::DetachedSigner`], and what writes the `.p7s` beside a result that is not a PDF.
//! The key never leaves this type: not through `Debug`, errors or logs.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use motcua_pdf::{DetachedSigner, SignError};
use p256::ecdsa::signature::Keypair;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::der::asn1::SetOfVec;
use x509_cert::der::oid::db::rfc5911::{ID_DATA, ID_SIGNING_TIME};
use x509_cert::der::oid::db::rfc5912::ID_SHA_256;
use x509_cert::der::{Any, Encode};
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::SigningError;
use crate::key::{PublicKey, Signature, SigningKey};
use crate::pki::{self, CN, OU};

/// Room beyond the certificates, the issuer's name, the serial number and the signature value
/// that a signature needs: the `ContentInfo` and `SignedData` framing, the digest and signature
/// algorithm identifiers and three signed attributes (about 110 bytes), about 230 bytes in all,
/// with room to spare (with a 72-byte ECDSA signature, 512 bytes in all).
const SIGNATURE_OVERHEAD: usize = 440;

/// An agency's key and certificate chain, signing documents in the agency's name. Cheap to
/// clone (shared).
#[derive(Clone)]
pub struct AgencySigner {
    inner: Arc<Inner>,
}

/// What an [`AgencySigner`] holds.
struct Inner {
    agency_code: String,
    common_name: String,
    key: SigningKey,
    chain: Vec<Certificate>,
    max_len: usize,
}

impl AgencySigner {
    /// A signer from a PKCS #8 PEM key (P-256, or RSA of 2048 to 4096 bits) and a PEM chain
    /// (the key's certificate first, then its issuers, optionally up to the root). Fails if the
    /// first certificate is not the key's.
    pub fn from_pem(
        agency_code: &str,
        key_pem: &str,
        chain_pem: &[u8],
    ) -> Result<Self, SigningError> {
        Self::from_pem_files(
            agency_code,
            key_pem,
            Path::new("(private key)"),
            chain_pem,
            Path::new("(certificate chain)"),
        )
    }

    /// [`Self::from_pem`], naming the files the PEM came from in errors.
    pub(crate) fn from_pem_files(
        agency_code: &str,
        key_pem: &str,
        key_path: &Path,
        chain_pem: &[u8],
        chain_path: &Path,
    ) -> Result<Self, SigningError> {
        let key = SigningKey::from_pem(key_pem, key_path)?;
        let chain =
            Certificate::load_pem_chain(chain_pem).map_err(|err| SigningError::BadCertificate {
                path: chain_path.to_path_buf(),
                reason: format!("not a PEM certificate chain ({err})"),
            })?;
        Self::new(agency_code, key, chain, chain_path)
    }

    /// A signer from a key and its chain, checked: the first certificate is the key's, each
    /// one is issued by the next, and none is listed twice.
    fn new(
        agency_code: &str,
        key: SigningKey,
        chain: Vec<Certificate>,
        chain_path: &Path,
    ) -> Result<Self, SigningError> {
        let bad = |reason: String| SigningError::BadCertificate {
            path: chain_path.to_path_buf(),
            reason,
        };
        let Some(leaf) = chain.first() else {
            return Err(bad("no certificate in the chain".to_owned()));
        };
        let leaf_key = PublicKey::from_spki(&leaf.tbs_certificate.subject_public_key_info)
            .map_err(|reason| bad(format!("the first certificate's key: {reason}")))?;
        if key.verifying_key() != leaf_key {
            return Err(SigningError::KeyMismatch {
                path: chain_path.to_path_buf(),
            });
        }
        let mut ders: Vec<Vec<u8>> = Vec::with_capacity(chain.len());
        for (index, cert) in chain.iter().enumerate() {
            let der = cert.to_der().map_err(|err| bad(err.to_string()))?;
            if ders.contains(&der) {
                return Err(bad(format!("certificate {} is listed twice", index + 1)));
            }
            ders.push(der);
            if let Some(issuer) = chain.get(index + 1)
                && issuer.tbs_certificate.subject != cert.tbs_certificate.issuer
            {
                return Err(bad(format!(
                    "certificate {} is not the issuer of certificate {}",
                    index + 2,
                    index + 1
                )));
            }
        }
        let tbs = &leaf.tbs_certificate;
        let common_name =
            pki::name_attribute(&tbs.subject, CN).unwrap_or_else(|| tbs.subject.to_string());
        let fixed = tbs.issuer.encoded_len().and_then(|issuer| {
            tbs.serial_number
                .encoded_len()
                .and_then(|serial| issuer + serial)
        });
        let fixed = usize::try_from(fixed.map_err(|err| bad(err.to_string()))?)
            .map_err(|err| bad(err.to_string()))?;
        let max_len = ders.iter().map(Vec::len).sum::<usize>()
            + fixed
            + SIGNATURE_OVERHEAD
            + key.max_signature_len();
        Ok(Self {
            inner: Arc::new(Inner {
                agency_code: agency_code.to_owned(),
                common_name,
                key,
                chain,
                max_len,
            }),
        })
    }

    /// The agency code the signer was configured or issued for.
    pub fn agency_code(&self) -> &str {
        &self.inner.agency_code
    }

    /// The signer certificate's common name (the agency's name), as PDF readers show it.
    pub fn common_name(&self) -> &str {
        &self.inner.common_name
    }

    /// The agency code written in the signer's certificate (its organizational unit), if any.
    pub fn certificate_agency_code(&self) -> Option<String> {
        pki::name_attribute(&self.certificate().tbs_certificate.subject, OU)
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> &Certificate {
        // `new` refuses an empty chain.
        &self.inner.chain[0]
    }

    /// The certificate chain, the signer's certificate first.
    pub fn chain(&self) -> &[Certificate] {
        &self.inner.chain
    }

    /// A detached CMS `SignedData` (DER) over `data`, signed at `at`: the `.p7s` of a result
    /// that is not a PDF (and, at the current time, what a PDF's signature holds).
    pub fn sign_file(&self, data: &[u8], at: OffsetDateTime) -> Result<Vec<u8>, SigningError> {
        let cms_err = |err: cms::builder::Error| SigningError::build("a CMS signature", err);
        let digest = Sha256::digest(data);
        let content = EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        };
        let leaf = &self.certificate().tbs_certificate;
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: leaf.issuer.clone(),
            serial_number: leaf.serial_number.clone(),
        });
        let sha256 = AlgorithmIdentifierOwned {
            oid: ID_SHA_256,
            parameters: None,
        };
        // contentType and messageDigest are added by the builder (the digest being external).
        let mut signer_info = SignerInfoBuilder::new(
            &self.inner.key,
            sid,
            sha256.clone(),
            &content,
            Some(&digest[..]),
        )
        .map_err(cms_err)?;
        signer_info
            .add_signed_attribute(signing_time(at)?)
            .map_err(cms_err)?;
        let mut signed_data = SignedDataBuilder::new(&content);
        signed_data.add_digest_algorithm(sha256).map_err(cms_err)?;
        for cert in &self.inner.chain {
            signed_data
                .add_certificate(CertificateChoices::Certificate(cert.clone()))
                .map_err(cms_err)?;
        }
        signed_data
            .add_signer_info::<SigningKey, Signature>(signer_info)
            .map_err(cms_err)?;
        let content_info = signed_data.build().map_err(cms_err)?;
        content_info
            .to_der()
            .map_err(|err| SigningError::build("a CMS signature", err))
    }
}

/// The signingTime signed attribute (RFC 5652 § 11.3).
fn signing_time(at: OffsetDateTime) -> Result<Attribute, SigningError> {
    let time = pki::x509_time(at)?;
    let value = Any::encode_from(&time).map_err(|err| SigningError::build("signingTime", err))?;
    let mut values = SetOfVec::new();
    values
        .insert(value)
        .map_err(|err| SigningError::build("signingTime", err))?;
    Ok(Attribute {
        oid: ID_SIGNING_TIME,
        values,
    })
}

impl DetachedSigner for AgencySigner {
    fn sign_detached(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        let der = self
            .sign_file(data, OffsetDateTime::now_utc())
            .map_err(|err| SignError(err.to_string()))?;
        if der.len() > self.inner.max_len {
            return Err(SignError(format!(
                "the signature takes {} bytes, more than the {} reserved",
                der.len(),
                self.inner.max_len
            )));
        }
        Ok(der)
    }

    /// The DER of the certificates, the issuer's name and the serial number (which a signature
    /// carries whole), the longest signature value of the key (72 bytes for P-256, 256 for
    /// RSA-2048, 512 for RSA-4096), plus 440 bytes for the rest (about 230 needed).
    fn max_signature_len(&self) -> usize {
        self.inner.max_len
    }

    fn signer_name(&self) -> String {
        self.inner.common_name.clone()
    }
}

impl fmt::Debug for AgencySigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgencySigner")
            .field("agency_code", &self.inner.agency_code)
            .field("common_name", &self.inner.common_name)
            .field("chain_len", &self.inner.chain.len())
            .field("key", &"(hidden)")
            .finish()
    }
}
