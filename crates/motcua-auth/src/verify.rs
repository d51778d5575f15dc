//! Token verification for REST and gRPC.

use crate::{Caller, Claims, Jwks, Role, ServiceKeys};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use motcua_problem::Problem;
use std::sync::Arc;

/// Why a token was refused. Every variant is a 401; the text is for logs and the problem detail.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error("missing bearer token")]
    Missing,
    /// The header is not `Bearer <token>`.
    #[error("authorization header is not a bearer token")]
    NotBearer,
    /// The token did not verify (signature, algorithm, expiry, audience, shape).
    #[error("invalid token: {0}")]
    Invalid(String),
}

impl From<AuthError> for Problem {
    fn from(e: AuthError) -> Self {
        Problem::unauthorized(e.to_string())
    }
}

/// Verifies bearer tokens with one key and one algorithm, or with the key a JWK set names by
/// the token's `kid`, and their claims: `iss`, `aud`
/// (string or array), `exp` and `nbf` within [`crate::CLOCK_SKEW_SECS`], a lifetime of at most
/// the configured maximum, a non-empty `sub`.
#[derive(Clone)]
pub struct JwtVerifier {
    /// The one configured key; `None` when only a JWK set is.
    key: Option<Arc<DecodingKey>>,
    jwks: Option<Arc<Jwks>>,
    validation: Arc<Validation>,
    max_lifetime_secs: i64,
    services: Option<Arc<ServiceKeys>>,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("algorithms", &self.validation.algorithms)
            .finish()
    }
}

impl JwtVerifier {
    fn with(key: DecodingKey, alg: Algorithm, audience: &str) -> Self {
        let mut validation = Validation::new(alg);
        validation.algorithms = vec![alg];
        validation.set_audience(&[audience]);
        validation.set_issuer(&[crate::DEFAULT_ISSUER]);
        validation.set_required_spec_claims(&["exp", "aud", "sub", "iss"]);
        validation.validate_nbf = true;
        validation.leeway = crate::CLOCK_SKEW_SECS;
        Self {
            key: Some(Arc::new(key)),
            jwks: None,
            validation: Arc::new(validation),
            max_lifetime_secs: crate::DEFAULT_MAX_LIFETIME_SECS,
            services: None,
        }
    }

    /// Tokens signed with the keys of a JWK set, chosen by `kid` (the province's single
    /// sign-on). [`Jwks::load`] it before serving and run [`Jwks::refresh`] beside.
    pub fn jwks(jwks: Arc<Jwks>, audience: &str) -> Self {
        let mut v = Self::with(DecodingKey::from_secret(&[]), Algorithm::RS256, audience);
        v.key = None;
        v.jwks = Some(jwks);
        v
    }

    /// The same verifier also accepting tokens signed with a key of `jwks` named by their
    /// `kid` (tokens without a known `kid` are checked with the configured key).
    pub fn with_jwks(mut self, jwks: Arc<Jwks>) -> Self {
        self.jwks = Some(jwks);
        self
    }

    /// The JWK set this verifier reads, if any (for its loader and refresher).
    pub fn jwk_set(&self) -> Option<Arc<Jwks>> {
        self.jwks.clone()
    }

    /// The key a user's token is checked with: the JWK set's key of its `kid`, else the one
    /// configured key.
    fn key_for(&self, kid: Option<&str>) -> Result<(Arc<DecodingKey>, Validation), AuthError> {
        if let (Some(kid), Some(jwks)) = (kid, &self.jwks)
            && let Some((key, alg)) = jwks.key(kid)
        {
            let mut validation = (*self.validation).clone();
            validation.algorithms = vec![alg];
            return Ok((key, validation));
        }
        match &self.key {
            Some(key) => Ok((key.clone(), (*self.validation).clone())),
            None => Err(AuthError::Invalid(format!(
                "the token names no signing key of the identity provider (kid {kid:?})"
            ))),
        }
    }

    /// The same verifier also accepting service tokens signed with `keys` (the only way a
    /// caller gets the `service` role).
    pub fn with_service_keys(mut self, keys: ServiceKeys) -> Self {
        self.services = Some(Arc::new(keys));
        self
    }

    /// The same verifier expecting `iss` to be one of `issuers` (the province's single sign-on,
    /// or a configured name for motcua's own tokens).
    pub fn with_issuers(mut self, issuers: &[&str]) -> Self {
        Arc::make_mut(&mut self.validation).set_issuer(issuers);
        self
    }

    /// The same verifier refusing tokens that live longer than `secs`.
    pub fn with_max_lifetime(mut self, secs: i64) -> Self {
        self.max_lifetime_secs = secs;
        self
    }

    /// HS256 with a shared secret (local use and tests).
    pub fn hs256(secret: &[u8], audience: &str) -> Self {
        Self::with(DecodingKey::from_secret(secret), Algorithm::HS256, audience)
    }

    /// A public key in PEM: `alg` is `RS256` or `EdDSA` (production).
    pub fn public_key(pem: &[u8], alg: &str, audience: &str) -> Result<Self, AuthError> {
        let (key, alg) = match alg {
            "RS256" => (DecodingKey::from_rsa_pem(pem), Algorithm::RS256),
            "EdDSA" => (DecodingKey::from_ed_pem(pem), Algorithm::EdDSA),
            other => return Err(AuthError::Invalid(format!("unsupported algorithm {other}"))),
        };
        let key = key.map_err(|e| AuthError::Invalid(format!("bad public key: {e}")))?;
        Ok(Self::with(key, alg, audience))
    }

    /// Verifies a raw token and returns the caller: a service token (header `kid: svc:<name>`)
    /// with that service's public key, any other with the users' key, and then never with the
    /// `service` role.
    pub fn verify(&self, token: &str) -> Result<Caller, AuthError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        if let Some(service) = header
            .kid
            .as_deref()
            .and_then(|k| k.strip_prefix(crate::SERVICE_KID_PREFIX))
        {
            return match &self.services {
                Some(keys) => keys.verify(service, token),
                None => Err(AuthError::Invalid(
                    "service tokens are not accepted here".into(),
                )),
            };
        }
        let (key, validation) = self.key_for(header.kid.as_deref())?;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| AuthError::Invalid(e.to_string()))?;
        let c = data.claims;
        self.check_claims(&c, time::OffsetDateTime::now_utc().unix_timestamp())?;
        Ok(Caller {
            sub: c.sub,
            roles: c
                .roles
                .iter()
                .filter_map(|r| Role::parse(r))
                .filter(|r| *r != Role::Service)
                .collect(),
            agency: c.agency.filter(|a| !a.is_empty()),
            sector: c.sector.filter(|s| !s.is_empty()),
            id_number: c.id_number.filter(|n| !n.is_empty()),
        })
    }

    /// What the signature library does not check: a subject, an issue time not in the future,
    /// and a lifetime within the maximum (counted from `iat`, or from now without one).
    fn check_claims(&self, c: &Claims, now: i64) -> Result<(), AuthError> {
        let skew = i64::try_from(crate::CLOCK_SKEW_SECS).unwrap_or(30);
        if c.sub.trim().is_empty() {
            return Err(AuthError::Invalid("empty sub".into()));
        }
        if c.iat > now + skew {
            return Err(AuthError::Invalid("iat in the future".into()));
        }
        let from = if c.iat > 0 { c.iat } else { now };
        if c.exp - from > self.max_lifetime_secs + skew {
            return Err(AuthError::Invalid(format!(
                "lifetime over the maximum of {} s",
                self.max_lifetime_secs
            )));
        }
        Ok(())
    }

    /// Verifies the value of an `Authorization` header.
    pub fn verify_header(&self, value: Option<&str>) -> Result<Caller, AuthError> {
        let value = value.ok_or(AuthError::Missing)?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or(AuthError::NotBearer)?;
        self.verify(token.trim())
    }

    /// A tonic interceptor: a present token must verify (else `UNAUTHENTICATED`); the caller
    /// is put in the request's extensions for [`caller_of`]. Calls without a token pass
    /// through, so public reads keep working; handlers that need a caller use [`require_grpc`].
    pub fn grpc_interceptor(
        &self,
    ) -> impl FnMut(tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status>
    + Clone
    + Send
    + Sync
    + 'static {
        let verifier = self.clone();
        move |mut req: tonic::Request<()>| {
            let header = req
                .metadata()
                .get("authorization")
                .map(|v| v.to_str().map(str::to_string));
            match header {
                None => Ok(req),
                Some(Err(_)) => {
                    Err(Problem::unauthorized("authorization header is not ASCII").into())
                }
                Some(Ok(h)) => {
                    let caller = verifier
                        .verify_header(Some(&h))
                        .map_err(|e| tonic::Status::from(Problem::unauthorized(e.to_string())))?;
                    req.extensions_mut().insert(caller);
                    Ok(req)
                }
            }
        }
    }
}

/// The caller a gRPC request was authenticated as, if any.
pub fn caller_of<T>(req: &tonic::Request<T>) -> Option<&Caller> {
    req.extensions().get::<Caller>()
}

/// The caller of a gRPC request, which must have one of `roles`.
pub fn require_grpc<'r, T>(
    req: &'r tonic::Request<T>,
    roles: &[Role],
) -> Result<&'r Caller, tonic::Status> {
    let caller = caller_of(req).ok_or_else(|| Problem::unauthorized("missing bearer token"))?;
    caller.require_any(roles)?;
    Ok(caller)
}

/// The caller the gate already verified for this request (it puts the [`Caller`] in the
/// request's extensions; a client cannot): the token is checked once per request, not once in
/// the gate and again in the handler.
fn gate_verified(parts: &Parts) -> Option<Caller> {
    parts.extensions.get::<Caller>().cloned()
}

fn verifier_from(parts: &Parts) -> Result<&JwtVerifier, Problem> {
    parts.extensions.get::<JwtVerifier>().ok_or_else(|| {
        tracing::error!(
            "JwtVerifier extension missing: the router was built without the auth layer"
        );
        Problem::internal()
    })
}

fn authorization(parts: &Parts) -> Result<Option<&str>, Problem> {
    match parts.headers.get(axum::http::header::AUTHORIZATION) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(Some)
            .map_err(|_| Problem::unauthorized("authorization header is not ASCII")),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(c) = gate_verified(parts) {
            return Ok(c);
        }
        let verifier = verifier_from(parts)?;
        Ok(verifier.verify_header(authorization(parts)?)?)
    }
}

/// `Option<Caller>` on public endpoints: no header is `None`, a bad token is still a 401.
impl<S: Send + Sync> OptionalFromRequestParts<S> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        if let Some(c) = gate_verified(parts) {
            return Ok(Some(c));
        }
        let verifier = verifier_from(parts)?;
        match authorization(parts)? {
            None => Ok(None),
            Some(h) => Ok(Some(verifier.verify_header(Some(h))?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TokenIssuer;
    use base64_free::b64url;

    const SECRET: &[u8] = b"test-secret-test-secret-test-secret";

    fn issuer() -> TokenIssuer {
        TokenIssuer::hs256(SECRET, "motcua")
    }

    #[test]
    fn a_valid_token_yields_the_caller() {
        let v = JwtVerifier::hs256(SECRET, "motcua");
        let t = issuer()
            .issue(
                "u1",
                &["one_stop_officer", "future_role"],
                Some("000.25.80.H80"),
                None,
                3600,
            )
            .unwrap();
        let c = v.verify(&t).unwrap();
        assert_eq!(c.sub, "u1");
        assert_eq!(c.roles, vec![Role::OneStopOfficer]);
        assert_eq!(c.agency.as_deref(), Some("000.25.80.H80"));
    }

    #[test]
    fn expired_wrong_signature_wrong_audience_and_garbage_are_refused() {
        let v = JwtVerifier::hs256(SECRET, "motcua");
        let expired = issuer()
            .issue("u", &["citizen"], None, None, -3600)
            .unwrap();
        assert!(matches!(v.verify(&expired), Err(AuthError::Invalid(_))));
        let other = TokenIssuer::hs256(b"another-secret-another-secret-xx", "motcua")
            .issue("u", &["citizen"], None, None, 3600)
            .unwrap();
        assert!(v.verify(&other).is_err());
        let wrong_aud = TokenIssuer::hs256(SECRET, "elsewhere")
            .issue("u", &["citizen"], None, None, 3600)
            .unwrap();
        assert!(v.verify(&wrong_aud).is_err());
        assert!(v.verify("garbage").is_err());
        assert_eq!(v.verify_header(None), Err(AuthError::Missing));
        assert_eq!(
            v.verify_header(Some("Basic abc")),
            Err(AuthError::NotBearer)
        );
    }

    #[test]
    fn alg_none_is_refused() {
        let v = JwtVerifier::hs256(SECRET, "motcua");
        let header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
        let claims = b64url(
            format!(
                r#"{{"sub":"x","roles":["admin"],"aud":"motcua","exp":{}}}"#,
                i64::MAX / 2
            )
            .as_bytes(),
        );
        assert!(v.verify(&format!("{header}.{claims}.")).is_err());
        assert!(v.verify(&format!("{header}.{claims}")).is_err());
    }

    /// Signs `claims` as they are (HS256 with the test secret), for tokens no issuer would make.
    fn signed(claims: serde_json::Value) -> String {
        let key = jsonwebtoken::EncodingKey::from_secret(SECRET);
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap()
    }

    #[test]
    fn every_claim_defect_is_refused_and_an_array_audience_accepted() {
        let v = JwtVerifier::hs256(SECRET, "motcua");
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let good = serde_json::json!({"sub": "u1", "roles": ["citizen"], "iss": "motcua",
            "aud": "motcua", "iat": now, "exp": now + 3600});
        let with = |k: &str, val: serde_json::Value| {
            let mut c = good.clone();
            c[k] = val;
            signed(c)
        };
        assert!(v.verify(&signed(good.clone())).is_ok());
        assert!(
            v.verify(&with("aud", serde_json::json!(["portal", "motcua"])))
                .is_ok()
        );
        let defects = [
            ("nbf a day ahead", with("nbf", (now + 86_400).into())),
            ("exp in 2100", with("exp", 4_102_444_800_i64.into())),
            (
                "a foreign iss",
                with("iss", "https://elsewhere.example".into()),
            ),
            ("an empty sub", with("sub", "".into())),
            ("a blank sub", with("sub", "  ".into())),
            ("iat a day ahead", with("iat", (now + 86_400).into())),
            (
                "an array aud without us",
                with("aud", serde_json::json!(["portal"])),
            ),
        ];
        for (what, token) in defects {
            assert!(v.verify(&token).is_err(), "{what} was accepted");
        }
        let mut no_iss = good.clone();
        no_iss.as_object_mut().unwrap().remove("iss");
        assert!(
            v.verify(&signed(no_iss)).is_err(),
            "a token without iss was accepted"
        );
        let mut no_iat = good.clone();
        no_iat.as_object_mut().unwrap().remove("iat");
        assert!(v.verify(&signed(no_iat)).is_ok(), "iat is optional");
        // Configured: another issuer, a shorter lifetime.
        let sso = JwtVerifier::hs256(SECRET, "motcua")
            .with_issuers(&["https://sso.tinh.gov.vn"])
            .with_max_lifetime(600);
        assert!(
            sso.verify(&with("iss", "https://sso.tinh.gov.vn".into()))
                .is_err()
        );
        let short = with("exp", (now + 300).into());
        assert!(sso.verify(&short).is_err(), "iss motcua is not the SSO");
        let mut sso_short = good.clone();
        sso_short["iss"] = "https://sso.tinh.gov.vn".into();
        sso_short["exp"] = (now + 300).into();
        assert!(sso.verify(&signed(sso_short)).is_ok());
    }

    /// A throwaway Ed25519 key pair made for this test only.
    const TEST_ED25519_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIF6M38sOek83KE0J8h16c6D18tTN5WLokfIPRqwj2AQm\n-----END PRIVATE KEY-----\n";
    const TEST_ED25519_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA20aXRffppnEceMo7mXci7hCStsMRFjc5HaEOHWZ2O9s=\n-----END PUBLIC KEY-----\n";

    #[test]
    fn production_public_keys_verify_and_refuse_hs256_tokens() {
        let issuer =
            TokenIssuer::private_key(TEST_ED25519_PRIVATE.as_bytes(), "EdDSA", "motcua").unwrap();
        let v = JwtVerifier::public_key(TEST_ED25519_PUBLIC.as_bytes(), "EdDSA", "motcua").unwrap();
        let t = issuer
            .issue("officer-1", &["one_stop_officer"], None, None, 60)
            .unwrap();
        assert_eq!(v.verify(&t).unwrap().roles, vec![Role::OneStopOfficer]);
        // An HS256 token (e.g. signed with the public key as a secret) is refused.
        let hs = TokenIssuer::hs256(TEST_ED25519_PUBLIC.as_bytes(), "motcua")
            .issue("x", &["admin"], None, None, 60)
            .unwrap();
        assert!(v.verify(&hs).is_err());
        assert!(JwtVerifier::public_key(b"not a key", "EdDSA", "motcua").is_err());
        assert!(
            JwtVerifier::public_key(TEST_ED25519_PUBLIC.as_bytes(), "HS512", "motcua").is_err()
        );
    }

    /// A tiny base64url encoder so the test needs no extra crate.
    mod base64_free {
        pub fn b64url(input: &[u8]) -> String {
            const A: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for chunk in input.chunks(3) {
                let b = [
                    chunk[0],
                    *chunk.get(1).unwrap_or(&0),
                    *chunk.get(2).unwrap_or(&0),
                ];
                let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
                for i in 0..=chunk.len() {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        }
    }
}
