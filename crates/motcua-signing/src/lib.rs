//! Agencies' digital signatures (chữ ký số của cơ quan): each agency's key and certificate
//! chain from configuration, a test certificate authority that `motcua up` generates, and
//! detached CMS signatures over documents (a PDF's signature, or a `.p7s` beside a result
//! that is not a PDF).
//!
//! Signatures are CMS `SignedData` (RFC 5652) without the content, signed over SHA-256 with the
//! agency's key: ECDSA P-256 (the test authority's keys) or RSA PKCS #1 v1.5 (configured keys
//! from the government and public certificate authorities, RSA-2048), with the signed
//! attributes contentType (id-data), messageDigest and signingTime, the signer named by issuer
//! and serial number, and the signer's chain in `certificates`: what
//! `/SubFilter /adbe.pkcs7.detached` PDF signatures hold, and what `openssl cms -verify` reads.
//!
//! A service loads the folder [`SIGNING_DIR_ENV`] names with [`AgencySigners::load`] (or
//! [`AgencySigners::from_env`]) and asks it for an agency's [`AgencySigner`], which implements
//! [`motcua_pdf::DetachedSigner`].

#![warn(missing_docs)]

mod authority;
mod error;
mod files;
mod key;
mod pki;
mod signer;
mod store;
mod verify;

pub use authority::TEST_CA_COMMON_NAME;
pub use error::SigningError;
pub use signer::AgencySigner;
pub use store::{AgencySigners, SIGNING_DIR_ENV, generate_test_authority};
pub use verify::{Verified, verify_detached};
/// The X.509 certificate type of [`AgencySigner::chain`] and [`Verified::chain`].
pub use x509_cert::Certificate;
