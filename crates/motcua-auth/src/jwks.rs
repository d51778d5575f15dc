//! Signing keys published by an identity provider as a JWK set (bộ khóa công khai), chosen by
//! the token's `kid`: the province's single sign-on can rotate its keys (publish the new one,
//! sign with it, withdraw the old one) without motcua being restarted or ever holding a
//! private key. The set is fetched at start-up and refreshed in the background, and at once
//! (at most every few seconds) when a token names a `kid` it does not have yet.

use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The usable keys of one JWK set, by `kid`.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: HashMap<String, (Arc<DecodingKey>, Algorithm)>,
}

impl KeySet {
    /// Parses a JWK set document. Keys without a `kid`, for encryption, or of an algorithm
    /// motcua does not accept (only RS256 and EdDSA are) are left out; a document with no
    /// usable key is an error.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let set: JwkSet = serde_json::from_str(text).map_err(|e| format!("not a JWK set: {e}"))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let (Some(kid), Some(alg)) = (&jwk.common.key_id, algorithm(jwk)) else {
                continue;
            };
            if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
                continue;
            }
            let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("key {kid}: {e}"))?;
            keys.insert(kid.clone(), (Arc::new(key), alg));
        }
        if keys.is_empty() {
            return Err("no RS256 or EdDSA signing key with a kid".into());
        }
        Ok(Self { keys })
    }

    /// The key named `kid` and its algorithm.
    pub(crate) fn get(&self, kid: &str) -> Option<(Arc<DecodingKey>, Algorithm)> {
        self.keys.get(kid).cloned()
    }

    /// The key ids, sorted (for logs).
    pub fn kids(&self) -> Vec<String> {
        let mut kids: Vec<String> = self.keys.keys().cloned().collect();
        kids.sort();
        kids
    }
}

/// The algorithm a JWK is for: its `alg`, else what its key type implies.
fn algorithm(jwk: &Jwk) -> Option<Algorithm> {
    match (&jwk.common.key_algorithm, &jwk.algorithm) {
        (Some(KeyAlgorithm::RS256), AlgorithmParameters::RSA(_)) => Some(Algorithm::RS256),
        (Some(KeyAlgorithm::EdDSA), AlgorithmParameters::OctetKeyPair(p))
            if p.curve == EllipticCurve::Ed25519 =>
        {
            Some(Algorithm::EdDSA)
        }
        (None, AlgorithmParameters::RSA(_)) => Some(Algorithm::RS256),
        (None, AlgorithmParameters::OctetKeyPair(p)) if p.curve == EllipticCurve::Ed25519 => {
            Some(Algorithm::EdDSA)
        }
        _ => None,
    }
}

/// A JWK set at a URL (`https://`, `http://`) or in a file, kept current.
pub struct Jwks {
    source: String,
    started: std::sync::atomic::AtomicBool,
    set: RwLock<Arc<KeySet>>,
    wanted: Notify,
}

impl std::fmt::Debug for Jwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwks")
            .field("source", &self.source)
            .finish()
    }
}

impl Jwks {
    /// The set at `source`, empty until [`Jwks::load`] succeeds.
    pub fn new(source: &str) -> Result<Self, String> {
        Ok(Self {
            source: source.to_string(),
            started: std::sync::atomic::AtomicBool::new(false),
            set: RwLock::default(),
            wanted: Notify::new(),
        })
    }

    /// Fetches the set now and keeps it; on failure the previous set stays.
    pub async fn load(&self) -> Result<Vec<String>, String> {
        let text = if self.source.starts_with("https://") || self.source.starts_with("http://") {
            crate::fetch::get_text(&self.source, Duration::from_secs(5))
                .await
                .map_err(|e| format!("{}: {e}", self.source))?
        } else {
            let path = self.source.strip_prefix("file://").unwrap_or(&self.source);
            tokio::fs::read_to_string(path)
                .await
                .map_err(|e| format!("{path}: {e}"))?
        };
        let set = KeySet::from_json(&text).map_err(|e| format!("{}: {e}", self.source))?;
        let kids = set.kids();
        *self.set.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(set);
        Ok(kids)
    }

    /// Loads the set and starts its refresher, once per process whatever the number of
    /// services sharing it; a set that cannot be loaded fails the start.
    pub async fn start(
        self: &Arc<Self>,
        every: Duration,
        shutdown: CancellationToken,
    ) -> Result<(), String> {
        if self.started.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return Ok(());
        }
        if let Err(e) = self.load().await {
            self.started
                .store(false, std::sync::atomic::Ordering::SeqCst);
            return Err(e);
        }
        tokio::spawn(self.clone().refresh(every, shutdown));
        Ok(())
    }

    /// The key named `kid`; an unknown one asks the refresher to fetch the set again.
    pub(crate) fn key(&self, kid: &str) -> Option<(Arc<DecodingKey>, Algorithm)> {
        let found = self.set.read().unwrap_or_else(|p| p.into_inner()).get(kid);
        if found.is_none() {
            self.wanted.notify_one();
        }
        found
    }

    /// Refreshes the set every `every`, and soon after a token named an unknown `kid` (never
    /// more often than every five seconds), until `shutdown`.
    pub async fn refresh(self: Arc<Self>, every: Duration, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
                _ = self.wanted.notified() => {}
            }
            match self.load().await {
                Ok(kids) => tracing::debug!(?kids, "signing keys refreshed"),
                Err(e) => tracing::warn!(error = %e, "signing keys could not be refreshed"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::JwtVerifier;
    use base64::Engine;
    use ed25519_dalek::pkcs8::DecodePublicKey;
    use jsonwebtoken::{EncodingKey, Header};

    /// A key pair: its private PEM and its public key as a JWK with `kid`.
    fn pair(kid: &str) -> (String, serde_json::Value) {
        let (private, public) = crate::ed25519_pair().unwrap();
        let key = ed25519_dalek::VerifyingKey::from_public_key_pem(&public).unwrap();
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.to_bytes());
        let jwk = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid,
                                     "use": "sig", "alg": "EdDSA"});
        (private, jwk)
    }

    fn token(private: &str, kid: &str) -> String {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = crate::Claims {
            sub: "citizen-1".into(),
            roles: vec!["citizen".into()],
            agency: None,
            sector: None,
            exp: now + 300,
            iat: now,
            nbf: None,
            iss: "https://sso.example".into(),
            aud: crate::Audience::One("motcua".into()),
            id_number: None,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.into());
        let key = EncodingKey::from_ed_pem(private.as_bytes()).unwrap();
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    }

    #[test]
    fn only_signing_keys_with_a_kid_of_accepted_algorithms_are_kept() {
        let (_, a) = pair("a");
        let mut enc = a.clone();
        enc["use"] = "enc".into();
        enc["kid"] = "enc".into();
        let mut no_kid = a.clone();
        no_kid.as_object_mut().unwrap().remove("kid");
        let hmac = serde_json::json!({"kty": "oct", "k": "c2VjcmV0", "kid": "h", "alg": "HS256"});
        let set = serde_json::json!({"keys": [a, enc, no_kid, hmac]}).to_string();
        assert_eq!(KeySet::from_json(&set).unwrap().kids(), vec!["a"]);
        let none = serde_json::json!({"keys": [hmac]}).to_string();
        assert!(KeySet::from_json(&none).is_err());
        assert!(KeySet::from_json("not json").is_err());
    }

    #[tokio::test]
    async fn a_rotated_key_is_fetched_when_first_seen_and_a_withdrawn_one_refused() {
        let (private_a, a) = pair("a");
        let (private_b, b) = pair("b");
        let served = Arc::new(RwLock::new(serde_json::json!({"keys": [a]})));
        let doc = served.clone();
        let app = axum::Router::new().route(
            "/jwks",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { doc.read().unwrap().to_string() }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let jwks = Arc::new(Jwks::new(&url).unwrap());
        let stop = CancellationToken::new();
        jwks.start(Duration::from_secs(3600), stop.clone())
            .await
            .unwrap();
        let v = JwtVerifier::jwks(jwks.clone(), "motcua").with_issuers(&["https://sso.example"]);
        assert!(v.verify(&token(&private_a, "a")).is_ok());
        // The provider starts signing with b: the first token asks for a refresh.
        *served.write().unwrap() = serde_json::json!({"keys": [a, b]});
        let with_b = token(&private_b, "b");
        assert!(v.verify(&with_b).is_err(), "not fetched yet");
        let mut accepted = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if v.verify(&with_b).is_ok() {
                accepted = true;
                break;
            }
        }
        assert!(accepted, "the new key was fetched");
        // a is withdrawn: once the set is read again, a's tokens are refused.
        *served.write().unwrap() = serde_json::json!({"keys": [b]});
        jwks.load().await.unwrap();
        assert!(v.verify(&token(&private_a, "a")).is_err());
        // A token signed by b but claiming to be a's is refused too.
        assert!(v.verify(&token(&private_b, "a")).is_err());
        stop.cancel();
    }
}
