//! Token issuing: `motcua token` for local use, and short-lived tokens that one motcua service
//! presents to another over gRPC.

use crate::Claims;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::sync::Arc;

/// Signs tokens with the configured key.
#[derive(Clone)]
pub struct TokenIssuer {
    /// `None`: this installation verifies tokens someone else signs (a single sign-on).
    key: Option<Arc<EncodingKey>>,
    alg: Algorithm,
    audience: String,
    issuer: String,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("alg", &self.alg)
            .finish()
    }
}

impl TokenIssuer {
    /// HS256 with a shared secret.
    pub fn hs256(secret: &[u8], audience: &str) -> Self {
        Self {
            key: Some(Arc::new(EncodingKey::from_secret(secret))),
            alg: Algorithm::HS256,
            audience: audience.to_string(),
            issuer: crate::DEFAULT_ISSUER.to_string(),
        }
    }

    /// A private key in PEM (`RS256` or `EdDSA`), for deployments that verify with public keys.
    pub fn private_key(pem: &[u8], alg: &str, audience: &str) -> Result<Self, String> {
        let (key, alg) = match alg {
            "RS256" => (EncodingKey::from_rsa_pem(pem), Algorithm::RS256),
            "EdDSA" => (EncodingKey::from_ed_pem(pem), Algorithm::EdDSA),
            other => return Err(format!("unsupported algorithm {other}")),
        };
        Ok(Self {
            key: Some(Arc::new(key.map_err(|e| e.to_string())?)),
            alg,
            audience: audience.to_string(),
            issuer: crate::DEFAULT_ISSUER.to_string(),
        })
    }

    /// An issuer without a key, for an installation that only verifies tokens signed elsewhere
    /// (the province's single sign-on holds the private key): issuing fails, saying so.
    pub fn without_key(alg: &str, audience: &str) -> Self {
        Self {
            key: None,
            alg: if alg == "EdDSA" {
                Algorithm::EdDSA
            } else {
                Algorithm::RS256
            },
            audience: audience.to_string(),
            issuer: crate::DEFAULT_ISSUER.to_string(),
        }
    }

    /// The same issuer writing `iss` as `issuer` (what the verifiers are configured to expect).
    pub fn with_issuer(mut self, issuer: &str) -> Self {
        self.issuer = issuer.to_string();
        self
    }

    /// Issues a token valid for `ttl_secs` seconds (negative gives an already expired token,
    /// which tests use).
    pub fn issue(
        &self,
        sub: &str,
        roles: &[&str],
        agency: Option<&str>,
        sector: Option<&str>,
        ttl_secs: i64,
    ) -> Result<String, String> {
        self.issue_identified(sub, roles, agency, sector, None, ttl_secs)
    }

    /// [`issue`](Self::issue) with a citizen's verified personal identification number
    /// (claim `id_number`), as the identity provider would (local use and tests).
    pub fn issue_identified(
        &self,
        sub: &str,
        roles: &[&str],
        agency: Option<&str>,
        sector: Option<&str>,
        id_number: Option<&str>,
        ttl_secs: i64,
    ) -> Result<String, String> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.sign(&Claims {
            sub: sub.to_string(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            agency: agency.map(str::to_string),
            sector: sector.map(str::to_string),
            exp: now + ttl_secs,
            iat: now,
            nbf: None,
            iss: self.issuer.clone(),
            aud: crate::Audience::One(self.audience.clone()),
            id_number: id_number.map(str::to_string),
        })
    }

    fn sign(&self, claims: &Claims) -> Result<String, String> {
        let key = self.key.as_ref().ok_or(
            "no private key is configured (MOTCUA_JWT_PRIVATE_KEY_FILE): tokens come from the \
             identity provider that holds it",
        )?;
        jsonwebtoken::encode(&Header::new(self.alg), claims, key).map_err(|e| e.to_string())
    }
}
