//! Who is calling (xác thực, phân quyền): verifies JWT bearer tokens on REST (the [`Caller`]
//! extractor) and gRPC ([`JwtVerifier::grpc_interceptor`]), and issues tokens for local use
//! and for service-to-service calls ([`TokenIssuer`]).
//!
//! Services call each other with tokens signed by keys of their own ([`ServiceKeys`]), never
//! with the users' key.
//!
//! Only HS256 (shared secret, local use) or one configured public-key algorithm (RS256 or
//! EdDSA, production) is accepted; `alg: none` and any other algorithm are rejected.

mod caller;
mod fetch;
mod issue;
mod jwks;
pub mod matrix;
mod service_keys;
mod verify;

pub use caller::{Caller, Role};
pub use issue::TokenIssuer;
pub use jwks::{Jwks, KeySet};
pub use service_keys::{
    SERVICE_AUDIENCE, SERVICE_KID_PREFIX, ServiceKeys, ServiceSigner, ed25519_pair,
    private_key_file, public_key_file, write_missing,
};
pub use verify::{AuthError, JwtVerifier, caller_of, require_grpc};

/// Claims carried by every motcua token (`shared/api.md` § Auth).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Claims {
    /// Subject: a user id, or `svc:<service>` for service accounts.
    pub sub: String,
    /// Roles, as strings so that unknown roles survive a round trip.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The agency code the caller acts for (absent for citizens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// The sector of a sector system (land, justice, labour…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// A citizen's personal identification number (số định danh cá nhân), as the identity
    /// provider verified it: who the citizen is, whatever account they use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Issued at.
    #[serde(default)]
    pub iat: i64,
    /// Not before (seconds since the epoch); absent: at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issuer: who signed it (motcua itself, or the province's single sign-on).
    #[serde(default)]
    pub iss: String,
    /// Audience: one string, or an array of them (RFC 7519 §4.1.3 allows both).
    pub aud: Audience,
}

/// A token's audience, as RFC 7519 allows it: one string or several.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Audience {
    /// `"aud": "motcua"`.
    One(String),
    /// `"aud": ["motcua", "other"]`.
    Many(Vec<String>),
}

/// The issuer motcua writes in the tokens it signs and expects unless told otherwise.
pub const DEFAULT_ISSUER: &str = "motcua";

/// The longest lifetime a token may have (`exp` − `iat`, or `exp` − now without `iat`) unless
/// configured otherwise: a day. A token valid until 2100 is a stolen key's dream.
pub const DEFAULT_MAX_LIFETIME_SECS: i64 = 24 * 3600;

/// How far apart two clocks may be when `exp`, `nbf` and `iat` are checked.
pub const CLOCK_SKEW_SECS: u64 = 30;
