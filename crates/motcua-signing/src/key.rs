//! The keys signatures are made and checked with, over SHA-256: ECDSA P-256 (the test
//! authority's, and the keys it issues) or RSA with PKCS #1 v1.5 padding (what the government
//! and public certificate authorities issue, RSA-2048). One enum for private keys, one for
//! public keys and one for signatures, so that the CMS builder and the verifier each have a
//! single code path and only the algorithm-specific steps branch here.
//!
//! In a `SignerInfo`, ECDSA signatures are named `ecdsa-with-SHA256` (1.2.840.10045.4.3.2) and
//! RSA signatures `rsaEncryption` (1.2.840.113549.1.1.1, NULL parameters), the identifier every
//! CMS implementation must accept (RFC 3370 § 3.2) and the one OpenSSL, BouncyCastle and Adobe
//! write; checking also accepts `id-ecPublicKey` and `sha256WithRSAEncryption`
//! (1.2.840.113549.1.1.11), which other producers write.

use std::path::Path;

use p256::ecdsa::DerSignature;
use p256::ecdsa::signature::{Keypair, RandomizedSigner, Signer, Verifier};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, PrivateKeyInfo};
use p256::pkcs8::{ObjectIdentifier, SecretDocument};
use rsa::rand_core::OsRng;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey, pkcs1v15};
use sha2::Sha256;
use x509_cert::der::asn1::BitString;
use x509_cert::der::oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION,
};
use x509_cert::der::{Any, Encode};
use x509_cert::spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, SignatureBitStringEncoding,
    SubjectPublicKeyInfoOwned,
};

use crate::SigningError;

/// The smallest RSA modulus accepted, in bits (shorter keys are no longer considered safe).
const MIN_RSA_BITS: usize = 2048;
/// The longest DER ECDSA P-256 signature: a SEQUENCE of two 33-byte INTEGERs.
const MAX_P256_SIGNATURE_LEN: usize = 72;

/// A private key to sign with. Deliberately not `Debug`: it never shows.
pub(crate) enum SigningKey {
    /// ECDSA over P-256 with SHA-256 (deterministic, RFC 6979).
    P256(p256::ecdsa::SigningKey),
    /// RSA PKCS #1 v1.5 with SHA-256 (deterministic; blinded while computing).
    Rsa(Box<pkcs1v15::SigningKey<Sha256>>),
}

/// A public key to check signatures with, as a certificate holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PublicKey {
    /// An ECDSA P-256 key.
    P256(p256::ecdsa::VerifyingKey),
    /// An RSA key of at least [`MIN_RSA_BITS`] bits (and at most 4096).
    Rsa(RsaPublicKey),
}

/// A signature made by a [`SigningKey`].
pub(crate) enum Signature {
    /// A DER-encoded ECDSA signature.
    P256(DerSignature),
    /// An RSA signature, as long as the modulus.
    Rsa(pkcs1v15::Signature),
}

impl SigningKey {
    /// Reads an unencrypted PKCS #8 PEM (`PRIVATE KEY`) P-256 or RSA key; `path` only names
    /// the file in errors, which never hold key material.
    pub(crate) fn from_pem(pem: &str, path: &Path) -> Result<Self, SigningError> {
        let bad = |reason: String| SigningError::BadKey {
            path: path.to_path_buf(),
            reason,
        };
        let (label, document) =
            SecretDocument::from_pem(pem).map_err(|err| bad(format!("not PEM ({err})")))?;
        if label != "PRIVATE KEY" {
            return Err(bad(format!(
                "a {label} PEM block, not an unencrypted PKCS #8 PRIVATE KEY (convert it with \
                 `openssl pkey -in <this file> -out <new file>`)"
            )));
        }
        let der = document.as_bytes();
        let algorithm = PrivateKeyInfo::try_from(der)
            .map_err(|err| bad(err.to_string()))?
            .algorithm
            .oid;
        if algorithm == ID_EC_PUBLIC_KEY {
            p256::ecdsa::SigningKey::from_pkcs8_der(der)
                .map(Self::P256)
                .map_err(|err| bad(format!("an EC key that is not P-256 ({err})")))
        } else if algorithm == RSA_ENCRYPTION {
            let key = RsaPrivateKey::from_pkcs8_der(der)
                .map_err(|err| bad(format!("an unusable RSA key ({err})")))?;
            check_rsa_size(key.n().bits()).map_err(bad)?;
            Ok(Self::Rsa(Box::new(pkcs1v15::SigningKey::new(key))))
        } else {
            Err(bad(format!(
                "key algorithm {algorithm} is neither EC (P-256) nor RSA"
            )))
        }
    }

    /// The P-256 key, if it is one (the test authority signs certificates with P-256 only).
    pub(crate) fn p256(&self) -> Option<&p256::ecdsa::SigningKey> {
        match self {
            Self::P256(key) => Some(key),
            Self::Rsa(_) => None,
        }
    }

    /// The longest signature the key makes, in bytes: 72 for P-256 (DER), the modulus length
    /// for RSA (256 for RSA-2048, 512 for RSA-4096).
    pub(crate) fn max_signature_len(&self) -> usize {
        match self {
            Self::P256(_) => MAX_P256_SIGNATURE_LEN,
            Self::Rsa(key) => AsRef::<RsaPrivateKey>::as_ref(&**key).size(),
        }
    }
}

impl Keypair for SigningKey {
    type VerifyingKey = PublicKey;

    fn verifying_key(&self) -> PublicKey {
        match self {
            Self::P256(key) => PublicKey::P256(*key.verifying_key()),
            Self::Rsa(key) => {
                PublicKey::Rsa(AsRef::<RsaPrivateKey>::as_ref(&**key).to_public_key())
            }
        }
    }
}

impl DynSignatureAlgorithmIdentifier for SigningKey {
    fn signature_algorithm_identifier(&self) -> x509_cert::spki::Result<AlgorithmIdentifierOwned> {
        match self {
            Self::P256(key) => key.signature_algorithm_identifier(),
            Self::Rsa(_) => Ok(AlgorithmIdentifierOwned {
                oid: RSA_ENCRYPTION,
                parameters: Some(Any::null()),
            }),
        }
    }
}

impl Signer<Signature> for SigningKey {
    fn try_sign(&self, msg: &[u8]) -> Result<Signature, p256::ecdsa::Error> {
        match self {
            Self::P256(key) => key.try_sign(msg).map(Signature::P256),
            // Blinding changes how the signature is computed, not what it is.
            Self::Rsa(key) => key.try_sign_with_rng(&mut OsRng, msg).map(Signature::Rsa),
        }
    }
}

impl SignatureBitStringEncoding for Signature {
    fn to_bitstring(&self) -> x509_cert::der::Result<BitString> {
        match self {
            Self::P256(signature) => signature.to_bitstring(),
            Self::Rsa(signature) => signature.to_bitstring(),
        }
    }
}

impl PublicKey {
    /// The key of a certificate's `SubjectPublicKeyInfo`; the error says why it is unusable.
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, String> {
        let der = spki.to_der().map_err(|err| err.to_string())?;
        let algorithm = spki.algorithm.oid;
        if algorithm == ID_EC_PUBLIC_KEY {
            p256::ecdsa::VerifyingKey::from_public_key_der(&der)
                .map(Self::P256)
                .map_err(|err| format!("an EC key that is not P-256 ({err})"))
        } else if algorithm == RSA_ENCRYPTION {
            let key = RsaPublicKey::from_public_key_der(&der)
                .map_err(|err| format!("an unusable RSA key ({err})"))?;
            check_rsa_size(key.n().bits())?;
            Ok(Self::Rsa(key))
        } else {
            Err(format!(
                "key algorithm {algorithm} is neither EC (P-256) nor RSA"
            ))
        }
    }

    /// The key as a certificate's `SubjectPublicKeyInfo`.
    pub(crate) fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, SigningError> {
        let info = match self {
            Self::P256(key) => SubjectPublicKeyInfoOwned::from_key(*key),
            Self::Rsa(key) => SubjectPublicKeyInfoOwned::from_key(key.clone()),
        };
        info.map_err(|err| SigningError::build("a public key info", err))
    }

    /// Whether `oid` names a SHA-256 signature of this key's kind in a `SignerInfo`.
    pub(crate) fn accepts_signature_algorithm(&self, oid: ObjectIdentifier) -> bool {
        match self {
            Self::P256(_) => oid == ECDSA_WITH_SHA_256 || oid == ID_EC_PUBLIC_KEY,
            Self::Rsa(_) => oid == RSA_ENCRYPTION || oid == SHA_256_WITH_RSA_ENCRYPTION,
        }
    }

    /// Checks `signature` over `message` (hashed with SHA-256 here).
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SigningError> {
        let valid = match self {
            Self::P256(key) => DerSignature::from_bytes(signature)
                .is_ok_and(|signature| key.verify(message, &signature).is_ok()),
            Self::Rsa(key) => pkcs1v15::Signature::try_from(signature).is_ok_and(|signature| {
                pkcs1v15::VerifyingKey::<Sha256>::new(key.clone())
                    .verify(message, &signature)
                    .is_ok()
            }),
        };
        if valid {
            Ok(())
        } else {
            Err(SigningError::BadSignature)
        }
    }
}

/// Refuses an RSA modulus of fewer than [`MIN_RSA_BITS`] bits.
fn check_rsa_size(bits: usize) -> Result<(), String> {
    if bits < MIN_RSA_BITS {
        Err(format!(
            "an RSA key of {bits} bits, fewer than the {MIN_RSA_BITS} required"
        ))
    } else {
        Ok(())
    }
}
