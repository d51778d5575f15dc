//! Service-to-service tokens (thẻ giữa các dịch vụ), signed with keys of their own.
//!
//! Each motcua service has its own Ed25519 key pair: it signs the tokens it presents to the
//! others with its private key (header `kid = svc:<name>`, `sub = svc:<name>`), and every
//! service verifies them with the public key of the service the token names. So a user token
//! can never carry the `service` role, a leaked user-signing key cannot mint service tokens,
//! and a service cannot speak as another: the receiver knows which service sent what (see
//! [`Caller::service`](crate::Caller::service)), which is how events are accepted only from
//! the service that owns their type.
//!
//! On disk (`MOTCUA_SERVICE_KEYS_DIR`): `<name>.key.pem` (PKCS#8, only where that service runs)
//! and `<name>.pub.pem` (SubjectPublicKeyInfo, for every service).

use crate::{AuthError, Caller, Role};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// `iss` and `aud` of service tokens: never accepted as a user token's audience.
pub const SERVICE_AUDIENCE: &str = "motcua-services";

/// The `kid` (and `sub`) prefix that marks a service token.
pub const SERVICE_KID_PREFIX: &str = "svc:";

/// How long a service token lives: it is minted per call.
const SERVICE_TOKEN_SECS: i64 = 300;

/// A fresh Ed25519 key pair as PEM: (private PKCS#8, public SubjectPublicKeyInfo).
pub fn ed25519_pair() -> Result<(String, String), String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("no random source: {e}"))?;
    let pair = SigningKey::from_bytes(&seed);
    let private = pair
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("encoding the private key: {e}"))?;
    let public = pair
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| format!("encoding the public key: {e}"))?;
    Ok((private.to_string(), public))
}

/// The private key file of service `name` in a keys folder.
pub fn private_key_file(dir: &Path, name: &str) -> std::path::PathBuf {
    dir.join(format!("{name}.key.pem"))
}

/// The public key file of service `name` in a keys folder.
pub fn public_key_file(dir: &Path, name: &str) -> std::path::PathBuf {
    dir.join(format!("{name}.pub.pem"))
}

/// Makes the key pair of each of `names` that `dir` lacks (files readable by their owner
/// only), keeping those already there: `motcua up` and `motcua keys generate`.
pub fn write_missing(dir: &Path, names: &[&str]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for name in names {
        if public_key_file(dir, name).exists() && private_key_file(dir, name).exists() {
            continue;
        }
        let (private, public) = ed25519_pair()?;
        for (path, pem) in [
            (private_key_file(dir, name), private),
            (public_key_file(dir, name), public),
        ] {
            let _ = std::fs::remove_file(&path);
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .and_then(|mut f| f.write_all(pem.as_bytes()))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The services' keys this process holds: private keys of the services it runs, public keys
/// of every service.
#[derive(Clone, Default)]
pub struct ServiceKeys {
    signing: HashMap<String, Arc<EncodingKey>>,
    verifying: HashMap<String, Arc<DecodingKey>>,
    /// Service tokens already verified, with their expiry: a signer reuses its token for a
    /// minute, so a receiver checks each signature once rather than on every call (an Ed25519
    /// verification per call was the cost of a burst of catalogue lookups).
    verified: Arc<std::sync::Mutex<HashMap<String, (Caller, i64)>>>,
}

/// Verified tokens remembered at most (a few per service and minute are in use).
const VERIFIED_MAX: usize = 256;

impl std::fmt::Debug for ServiceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut signing: Vec<_> = self.signing.keys().collect();
        signing.sort();
        f.debug_struct("ServiceKeys")
            .field("signing", &signing)
            .finish()
    }
}

impl ServiceKeys {
    /// Fresh keys for `names`, in memory only: for one process running every service (tests).
    pub fn generate(names: &[&str]) -> Result<Self, String> {
        let mut keys = Self::default();
        for name in names {
            let (private, public) = ed25519_pair()?;
            keys.add(name, Some(private.as_bytes()), public.as_bytes())?;
        }
        Ok(keys)
    }

    /// Reads the keys of `names` from `dir`: every public key must be there; a private key is
    /// taken when present (a deployment gives each service only its own).
    pub fn load_dir(dir: &Path, names: &[&str]) -> Result<Self, String> {
        let mut keys = Self::default();
        for name in names {
            let public_file = public_key_file(dir, name);
            let public = std::fs::read(&public_file)
                .map_err(|e| format!("{}: {e}", public_file.display()))?;
            let private = match std::fs::read(private_key_file(dir, name)) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(format!("{}: {e}", private_key_file(dir, name).display())),
            };
            keys.add(name, private.as_deref(), &public)
                .map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        Ok(keys)
    }

    fn add(&mut self, name: &str, private: Option<&[u8]>, public: &[u8]) -> Result<(), String> {
        let decoding =
            DecodingKey::from_ed_pem(public).map_err(|e| format!("public key of {name}: {e}"))?;
        self.verifying.insert(name.to_string(), Arc::new(decoding));
        if let Some(pem) = private {
            let encoding =
                EncodingKey::from_ed_pem(pem).map_err(|e| format!("private key of {name}: {e}"))?;
            self.signing.insert(name.to_string(), Arc::new(encoding));
        }
        Ok(())
    }

    /// The signer of service `name`, when this process holds its private key.
    pub fn signer(&self, name: &str) -> Option<ServiceSigner> {
        self.signing.get(name).map(|key| ServiceSigner {
            name: name.to_string(),
            key: key.clone(),
            minted: Arc::default(),
        })
    }

    /// Verifies a token whose header named `kid = svc:<service>`.
    pub(crate) fn verify(&self, service: &str, token: &str) -> Result<Caller, AuthError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((caller, exp)) = verified.get(token)
            && *exp > now
        {
            return Ok(caller.clone());
        }
        let (caller, exp) = self.verify_signature(service, token)?;
        if verified.len() >= VERIFIED_MAX {
            verified.retain(|_, (_, exp)| *exp > now);
            if verified.len() >= VERIFIED_MAX {
                verified.clear();
            }
        }
        verified.insert(token.to_string(), (caller.clone(), exp));
        Ok(caller)
    }

    /// The signature and claims of a service token, and its expiry.
    fn verify_signature(&self, service: &str, token: &str) -> Result<(Caller, i64), AuthError> {
        let key = self
            .verifying
            .get(service)
            .ok_or_else(|| AuthError::Invalid(format!("unknown service {service}")))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[SERVICE_AUDIENCE]);
        validation.set_issuer(&[SERVICE_AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "aud", "sub", "iss"]);
        validation.leeway = crate::CLOCK_SKEW_SECS;
        let claims = jsonwebtoken::decode::<crate::Claims>(token, key, &validation)
            .map_err(|e| AuthError::Invalid(e.to_string()))?
            .claims;
        let sub = format!("{SERVICE_KID_PREFIX}{service}");
        if claims.sub != sub {
            return Err(AuthError::Invalid(format!(
                "a token of {service} names {}",
                claims.sub
            )));
        }
        if claims.exp - claims.iat > 2 * SERVICE_TOKEN_SECS {
            return Err(AuthError::Invalid("service token lives too long".into()));
        }
        let caller = Caller {
            sub,
            roles: vec![Role::Service],
            agency: None,
            sector: None,
            id_number: None,
        };
        Ok((caller, claims.exp))
    }
}

/// Signs the service tokens of one service.
#[derive(Clone)]
pub struct ServiceSigner {
    name: String,
    key: Arc<EncodingKey>,
    /// The last token and when it was minted: reused for a minute, not signed per call.
    minted: Arc<std::sync::Mutex<Option<(String, i64)>>>,
}

impl std::fmt::Debug for ServiceSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceSigner")
            .field("name", &self.name)
            .finish()
    }
}

impl ServiceSigner {
    /// The service this signer speaks for.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A token naming this service, valid at least four more minutes (one is minted a minute
    /// and reused meanwhile).
    pub fn token(&self) -> Result<String, String> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut minted = self.minted.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((token, at)) = minted.as_ref()
            && (0..60).contains(&(now - at))
        {
            return Ok(token.clone());
        }
        let token = self.mint(now)?;
        *minted = Some((token.clone(), now));
        Ok(token)
    }

    fn mint(&self, now: i64) -> Result<String, String> {
        let sub = format!("{SERVICE_KID_PREFIX}{}", self.name);
        let claims = crate::Claims {
            sub: sub.clone(),
            roles: vec![Role::Service.as_str().to_string()],
            agency: None,
            sector: None,
            exp: now + SERVICE_TOKEN_SECS,
            iat: now,
            nbf: None,
            iss: SERVICE_AUDIENCE.to_string(),
            aud: crate::Audience::One(SERVICE_AUDIENCE.to_string()),
            id_number: None,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(sub);
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{JwtVerifier, TokenIssuer};

    const USER_SECRET: &[u8] = b"user-secret-user-secret-user-secret!";

    fn verifier(keys: &ServiceKeys) -> JwtVerifier {
        JwtVerifier::hs256(USER_SECRET, "motcua").with_service_keys(keys.clone())
    }

    #[test]
    fn a_service_token_names_its_service_and_carries_the_service_role() {
        let keys = ServiceKeys::generate(&["intake", "workflow"]).unwrap();
        let token = keys.signer("intake").unwrap().token().unwrap();
        let caller = verifier(&keys).verify(&token).unwrap();
        assert_eq!(caller.roles, vec![Role::Service]);
        assert_eq!(caller.service(), Some("intake"));
    }

    #[test]
    fn a_user_token_never_gets_the_service_role() {
        let keys = ServiceKeys::generate(&["intake"]).unwrap();
        let user = TokenIssuer::hs256(USER_SECRET, "motcua")
            .issue("svc:intake", &["service", "admin"], None, None, 300)
            .unwrap();
        let caller = verifier(&keys).verify(&user).unwrap();
        assert_eq!(caller.roles, vec![Role::Admin]);
        assert_eq!(caller.service(), None);
    }

    #[test]
    fn one_service_cannot_speak_as_another() {
        let keys = ServiceKeys::generate(&["intake", "workflow"]).unwrap();
        // Signed with intake's key, but saying it is workflow's token.
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = crate::Claims {
            sub: "svc:workflow".into(),
            roles: vec!["service".into()],
            agency: None,
            sector: None,
            exp: now + 60,
            iat: now,
            nbf: None,
            iss: SERVICE_AUDIENCE.into(),
            aud: crate::Audience::One(SERVICE_AUDIENCE.into()),
            id_number: None,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("svc:workflow".into());
        let forged = jsonwebtoken::encode(&header, &claims, &keys.signing["intake"]).unwrap();
        assert!(verifier(&keys).verify(&forged).is_err());
        // Workflow's real key, but a subject naming intake.
        header.kid = Some("svc:intake".into());
        let borrowed = jsonwebtoken::encode(&header, &claims, &keys.signing["workflow"]).unwrap();
        assert!(verifier(&keys).verify(&borrowed).is_err());
    }

    #[test]
    fn keys_of_another_installation_and_verifiers_without_keys_refuse_service_tokens() {
        let ours = ServiceKeys::generate(&["intake"]).unwrap();
        let theirs = ServiceKeys::generate(&["intake"]).unwrap();
        let token = theirs.signer("intake").unwrap().token().unwrap();
        assert!(verifier(&ours).verify(&token).is_err());
        let plain = JwtVerifier::hs256(USER_SECRET, "motcua");
        let own = ours.signer("intake").unwrap().token().unwrap();
        assert!(plain.verify(&own).is_err());
    }

    #[test]
    fn keys_load_from_a_folder_with_only_the_private_keys_present() {
        let dir = std::env::temp_dir().join(format!("motcua-svc-keys-{}", std::process::id()));
        write_missing(&dir, &["intake", "workflow"]).unwrap();
        let before = std::fs::read(private_key_file(&dir, "intake")).unwrap();
        write_missing(&dir, &["intake", "workflow"]).unwrap();
        assert_eq!(
            std::fs::read(private_key_file(&dir, "intake")).unwrap(),
            before
        );
        std::fs::remove_file(private_key_file(&dir, "workflow")).unwrap();
        let keys = ServiceKeys::load_dir(&dir, &["intake", "workflow"]).unwrap();
        assert!(keys.signer("intake").is_some());
        assert!(keys.signer("workflow").is_none());
        let token = keys.signer("intake").unwrap().token().unwrap();
        assert_eq!(
            verifier(&keys).verify(&token).unwrap().service(),
            Some("intake")
        );
        assert!(ServiceKeys::load_dir(&dir, &["reporting"]).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
