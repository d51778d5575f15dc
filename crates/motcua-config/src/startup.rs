//! Start-up failures an operator causes and can fix — no PostgreSQL binaries, a port already
//! taken, a database out of reach, a JWT secret too short — each told in one line that says
//! what was looked at, which setting is involved and the way out. `motcua` prints that line
//! first, above any detail, so a newcomer's first error is the one that helps.

use crate::{AuthConfig, ConfigError, MIN_SECRET_LEN, PUBLISHED_SECRETS};

/// A start-up failure the operator can fix, in one line (what is wrong, the setting, the fix).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StartupError(String);

impl StartupError {
    /// The failure told in `line`; line breaks are folded into spaces so it stays one line.
    pub fn new(line: impl Into<String>) -> Self {
        let line: String = line.into();
        Self(line.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// The one line.
    pub fn line(&self) -> &str {
        &self.0
    }
}

/// How to make a secret, said wherever one is refused.
pub const MAKE_A_SECRET: &str = "run `motcua keys generate` (a fresh deploy/.env with secrets and \
     a key pair) or make one with `openssl rand -base64 48`";

impl AuthConfig {
    /// True when the HS256 secret is one published in this repository (the development
    /// default or the example env file's).
    pub fn uses_published_secret(&self) -> bool {
        PUBLISHED_SECRETS.contains(&self.hs256_secret.as_str())
    }

    /// Refuses a short HS256 secret, and a published one everywhere (local runs included: they
    /// make a secret of their own): anyone could mint an admin or service token with it.
    /// Consulted only when no public key is configured.
    pub fn check_secret(&self) -> Result<(), ConfigError> {
        let len = self.hs256_secret.len();
        if len < MIN_SECRET_LEN {
            return Err(short_secret(len));
        }
        if self.uses_published_secret() {
            return Err(ConfigError {
                var: "MOTCUA_JWT_SECRET".into(),
                reason: format!(
                    "unset or a value published in the motcua repository (anyone could sign \
                     an admin token with it): {MAKE_A_SECRET}"
                ),
            });
        }
        Ok(())
    }
}

/// The refusal of a secret of `len` bytes, shorter than [`MIN_SECRET_LEN`].
fn short_secret(len: usize) -> ConfigError {
    ConfigError {
        var: "MOTCUA_JWT_SECRET".into(),
        reason: format!(
            "{len} bytes is too short, at least {MIN_SECRET_LEN} are needed: {MAKE_A_SECRET}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(secret: &str) -> AuthConfig {
        AuthConfig {
            hs256_secret: secret.into(),
            public_key_file: None,
            private_key_file: None,
            public_key_algorithm: "RS256".into(),
            audience: "motcua".into(),
            issuers: vec!["motcua".into()],
            max_lifetime_secs: 86_400,
            service_keys_dir: None,
            jwks_url: None,
            jwks_refresh_secs: 300,
        }
    }

    #[test]
    fn a_short_secret_names_the_variable_the_minimum_and_how_to_make_one() {
        let err = auth("short").check_secret().unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration variable MOTCUA_JWT_SECRET: 5 bytes is too short, at least 32 are \
             needed: run `motcua keys generate` (a fresh deploy/.env with secrets and a key \
             pair) or make one with `openssl rand -base64 48`"
        );
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn a_published_secret_is_refused_everywhere() {
        for published in PUBLISHED_SECRETS {
            let err = auth(published).check_secret().unwrap_err();
            assert_eq!(err.var, "MOTCUA_JWT_SECRET");
            assert!(err.reason.contains("motcua keys generate"), "{err}");
        }
        assert!(
            auth("an-operator-made-secret-of-enough-bytes-01")
                .check_secret()
                .is_ok()
        );
    }

    #[test]
    fn a_startup_error_stays_on_one_line() {
        let e = StartupError::new("port 8081 is taken:\n  stop it\tor move");
        assert_eq!(e.line(), "port 8081 is taken: stop it or move");
    }
}
