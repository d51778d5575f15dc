//! The one error type of the crate, so that callers (the PDF printer, `motcua up`, a verifying
//! subcommand) can tell a missing key from a broken file from a signature that does not hold.
//! No variant carries key material: a bad key file is named by its path and a reason only.

use std::path::PathBuf;

/// Everything that can go wrong loading keys, issuing certificates, signing or verifying.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The agency has no key in the signing folder, and the folder holds no test authority
    /// that could issue one.
    #[error(
        "no signing key for agency {agency}: put {agency}.key.pem and {agency}.chain.pem in \
         the signing folder (MOTCUA_SIGNING_DIR), or generate a test authority there"
    )]
    NoKey {
        /// The agency code asked for.
        agency: String,
    },
    /// An agency code that cannot name files in the signing folder.
    #[error("invalid agency code {agency:?}: use letters, digits, '.', '_' and '-'")]
    InvalidAgencyCode {
        /// The agency code as given.
        agency: String,
    },
    /// Reading or writing a file of the signing folder failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A private key file that is not a usable PKCS #8 key: ECDSA P-256, or RSA of 2048 to
    /// 4096 bits.
    #[error("{path}: not a usable PKCS #8 P-256 or RSA private key ({reason})")]
    BadKey {
        /// The key file.
        path: PathBuf,
        /// Why it was refused (never the key itself).
        reason: String,
    },
    /// A certificate file (or chain) that cannot be read or used.
    #[error("{path}: {reason}")]
    BadCertificate {
        /// The certificate or chain file.
        path: PathBuf,
        /// Why it was refused.
        reason: String,
    },
    /// The first certificate of a chain is not the certificate of the key beside it.
    #[error("{path}: the first certificate is not for the private key beside it")]
    KeyMismatch {
        /// The chain file.
        path: PathBuf,
    },
    /// Only half of the test authority (key or certificate) is in the signing folder.
    #[error("{dir}: incomplete test authority (test-ca.key.pem and test-ca.cert.pem go together)")]
    IncompleteAuthority {
        /// The signing folder.
        dir: PathBuf,
    },
    /// The operating system gave no random bytes (for a key or a serial number).
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    /// A time that cannot be written in a certificate or a signature (before 1970, after 9999).
    #[error("time out of range for a certificate or a signature: {0}")]
    TimeOutOfRange(String),
    /// Building a certificate or a signature failed (an encoding or signing error).
    #[error("building {what}: {reason}")]
    Build {
        /// What was being built.
        what: &'static str,
        /// The underlying error.
        reason: String,
    },
    /// Bytes that are not a CMS `SignedData` this crate can check.
    #[error("not a usable CMS signature: {0}")]
    Malformed(String),
    /// The signed message digest is not the digest of the data: the data changed after signing.
    #[error("the data does not match the signature (message digest differs)")]
    DigestMismatch,
    /// The signature over the signed attributes does not verify with the signer's public key.
    #[error("the signature does not verify with the signer's public key")]
    BadSignature,
}

impl SigningError {
    /// An [`SigningError::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// A [`SigningError::Build`] from any displayable error.
    pub(crate) fn build(what: &'static str, err: impl std::fmt::Display) -> Self {
        Self::Build {
            what,
            reason: err.to_string(),
        }
    }

    /// A [`SigningError::Malformed`] from any displayable error.
    pub(crate) fn malformed(err: impl std::fmt::Display) -> Self {
        Self::Malformed(err.to_string())
    }
}
