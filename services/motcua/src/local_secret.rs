//! The signing secret of one local installation (`motcua up`, `motcua token`): made on first
//! use, kept in `.motcua/jwt-secret` beside the private database, readable only by its owner.
//! A one-command run therefore never signs or accepts a secret published in the repository,
//! and a token made for one checkout is refused by every other. The services' own key pairs
//! are kept beside it (`.motcua/service-keys`).

use anyhow::Context;
use motcua_config::Env;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The file, under the installation's folder.
pub const FILE: &str = "jwt-secret";

/// True when the operator configured no key of their own: then the installation's secret
/// signs and verifies tokens.
pub fn applies(env: &Env<'_>) -> bool {
    [
        "MOTCUA_JWT_SECRET",
        "MOTCUA_JWT_PUBLIC_KEY_FILE",
        "MOTCUA_JWT_PRIVATE_KEY_FILE",
    ]
    .iter()
    .all(|var| env.get(var).is_none())
}

/// The installation's folder: `.motcua` in the working directory, as `motcua up` uses it.
pub fn folder() -> anyhow::Result<PathBuf> {
    Ok(std::env::current_dir()?.join(".motcua"))
}

/// The folder of the services' own key pairs in this installation (`.motcua/service-keys`),
/// with a pair made for each service that has none yet: `motcua serve` processes started
/// from the same folder with `MOTCUA_SERVICE_KEYS_DIR` set to it share them.
pub fn service_keys() -> anyhow::Result<String> {
    let dir = folder()?.join("service-keys");
    let names: Vec<&str> = motcua_config::ServiceName::ALL
        .iter()
        .map(|n| n.as_str())
        .collect();
    motcua_auth::write_missing(&dir, &names).map_err(anyhow::Error::msg)?;
    Ok(dir.display().to_string())
}

/// The folder of this installation's signing keys (`.motcua/signing`), with a test certificate
/// authority made on first use that issues each agency's key when its documents are first
/// signed: `MOTCUA_SIGNING_DIR` of the services `motcua up` runs.
pub fn signing() -> anyhow::Result<String> {
    let dir = folder()?.join("signing");
    motcua_signing::generate_test_authority(&dir)
        .with_context(|| format!("making the test signing authority in {}", dir.display()))?;
    Ok(dir.display().to_string())
}

/// The secret kept in `dir`, made (48 random bytes, mode 0600) when there is none yet.
pub fn load_or_create(dir: &Path) -> anyhow::Result<String> {
    let path = dir.join(FILE);
    if path.exists() {
        return load(dir);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let secret = crate::keys::random_token::<48>()?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    Ok(secret)
}

/// The secret kept in `dir`; its absence is an error saying how to make one.
pub fn load(dir: &Path) -> anyhow::Result<String> {
    let path = dir.join(FILE);
    let secret = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "no signing secret at {}: run `motcua up` in this folder first (it makes one), or set \
             MOTCUA_JWT_SECRET to the secret the services use",
            path.display()
        )
    })?;
    Ok(secret.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_secret_is_made_once_private_and_then_read_back() {
        let dir = std::env::temp_dir().join(format!("motcua-secret-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(load(&dir).is_err(), "nothing to read before `up`");
        let made = load_or_create(&dir).unwrap();
        assert!(made.len() >= 48, "48 random bytes, base64");
        assert!(!motcua_config::PUBLISHED_SECRETS.contains(&made.as_str()));
        assert_eq!(load_or_create(&dir).unwrap(), made, "kept, not remade");
        assert_eq!(load(&dir).unwrap(), made);
        let mode = std::fs::metadata(dir.join(FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let other = std::env::temp_dir().join(format!("motcua-secret-b-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&other);
        assert_ne!(
            load_or_create(&other).unwrap(),
            made,
            "each installation its own"
        );
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&other);
    }

    #[test]
    fn an_operator_key_of_any_kind_takes_precedence() {
        assert!(applies(&Env::from_fn(|_| None)));
        for var in ["MOTCUA_JWT_SECRET", "MOTCUA_JWT_PUBLIC_KEY_FILE"] {
            let env = Env::from_fn(move |k| (k == var).then(|| "x".to_string()));
            assert!(!applies(&env), "{var}");
        }
    }
}
