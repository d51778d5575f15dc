//! `motcua keys generate`: everything secret a docker-compose deployment needs, fresh, so that
//! `motcua keys generate` then `docker-compose up` is the whole deployment.
//!
//! It writes `<out>/.env` from `deploy/example.env` with every secret replaced by a random one
//! (`POSTGRES_PASSWORD`, `MOTCUA_JWT_SECRET`), and an Ed25519 key pair in `<out>/keys/` that
//! the services verify tokens with (`MOTCUA_JWT_PUBLIC_KEY_FILE`, EdDSA) and sign their
//! tokens with (`MOTCUA_JWT_PRIVATE_KEY_FILE`), and one key pair per service in
//! `<out>/keys/services/` that the services sign their calls to each other with
//! (`MOTCUA_SERVICE_KEYS_DIR`). The compose file mounts that
//! folder at [`CONTAINER_KEYS_DIR`]. Every file is readable by its owner only (0600), and the
//! containers run as that owner (`MOTCUA_CONTAINER_USER`). An existing `.env` is never
//! replaced without `--force`: it holds the password the database volume was created with.
//!
//! Secrets issued by others (`MOTCUA_NATIONAL_PORTAL_TOKEN`, `MOTCUA_SMS_API_KEY`) cannot be
//! made here; they stay as the example has them.

use anyhow::Context;
use base64::Engine;
use motcua_config::{ServiceName, StartupError};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The example the `.env` starts from when `<out>/example.env` is absent (the copy built in).
pub const EXAMPLE_ENV: &str = include_str!("../../../deploy/example.env");

/// The folder under `<out>` holding the key pair.
pub const KEYS_FOLDER: &str = "keys";

/// File name of the public key (verifies tokens).
pub const PUBLIC_KEY_FILE: &str = "jwt-public.pem";

/// File name of the private key (signs service-to-service tokens, and `motcua token`).
pub const PRIVATE_KEY_FILE: &str = "jwt-private.pem";

/// The folder under `<out>/keys` holding each service's own key pair (its calls to the
/// others are signed with it: `MOTCUA_SERVICE_KEYS_DIR`).
pub const SERVICE_KEYS_FOLDER: &str = "services";

/// Where `deploy/docker-compose.yml` mounts `<out>/keys` inside the service containers.
pub const CONTAINER_KEYS_DIR: &str = "/run/motcua/keys";

/// The image's unprivileged user and group (`deploy/Dockerfile`): the owner of the keys when
/// they are made by root, so the containers can read them.
pub const IMAGE_USER: (u32, u32) = (10001, 10001);

/// What `motcua keys generate` was asked for.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Folder receiving `.env` and `keys/` (`--out`, default `deploy`).
    pub out: PathBuf,
    /// Replace an existing `.env` and key pair (`--force`).
    pub force: bool,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The `.env` file.
    pub env_file: PathBuf,
    /// The public key (PEM, SubjectPublicKeyInfo).
    pub public_key: PathBuf,
    /// The private key (PEM, PKCS#8).
    pub private_key: PathBuf,
    /// True when an existing `.env` was replaced (`--force`).
    pub replaced: bool,
}

/// Writes a fresh `.env` and key pair into `opts.out`.
pub fn generate(opts: &GenerateOptions) -> anyhow::Result<Generated> {
    let env_file = opts.out.join(".env");
    let replaced = env_file.exists();
    if replaced && !opts.force {
        return Err(StartupError::new(format!(
            "{} already exists: motcua keys generate does not replace it (it holds the password \
             the database volume was created with); pass --force to write new secrets and keys",
            env_file.display()
        ))
        .into());
    }
    let template = match std::fs::read_to_string(opts.out.join("example.env")) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => EXAMPLE_ENV.to_string(),
        Err(e) => return Err(e).context("reading example.env"),
    };
    let owner = owner();
    let keys = opts.out.join(KEYS_FOLDER);
    std::fs::create_dir_all(&keys).with_context(|| format!("creating {}", keys.display()))?;
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o700))?;
    let (private_pem, public_pem) = motcua_auth::ed25519_pair().map_err(anyhow::Error::msg)?;
    let private_key = keys.join(PRIVATE_KEY_FILE);
    let public_key = keys.join(PUBLIC_KEY_FILE);
    write_private(&private_key, private_pem.as_bytes(), owner)?;
    write_private(&public_key, public_pem.as_bytes(), owner)?;
    let services = keys.join(SERVICE_KEYS_FOLDER);
    if opts.force {
        let _ = std::fs::remove_dir_all(&services);
    }
    let names: Vec<&str> = ServiceName::ALL.iter().map(|n| n.as_str()).collect();
    motcua_auth::write_missing(&services, &names).map_err(anyhow::Error::msg)?;
    if let Some((uid, gid)) = owner.chown {
        std::os::unix::fs::chown(&keys, Some(uid), Some(gid))?;
        for entry in std::fs::read_dir(&services)?.chain(std::fs::read_dir(&keys)?) {
            std::os::unix::fs::chown(entry?.path(), Some(uid), Some(gid))?;
        }
    }
    let env = render_env(&template, &fresh_values(owner.container_user)?);
    write_private(&env_file, env.as_bytes(), Ownership::default())?;
    Ok(Generated {
        env_file,
        public_key,
        private_key,
        replaced,
    })
}

/// Who owns the written keys and who the containers run as.
#[derive(Debug, Clone, Copy, Default)]
struct Ownership {
    /// Hand the file to this user and group (when we are root).
    chown: Option<(u32, u32)>,
    /// `uid:gid` the containers run as, so they can read the keys.
    container_user: (u32, u32),
}

/// Root hands the keys to the image's user; anyone else keeps them and the containers run as
/// them (a 0600 file is readable by its owner only, and a bind mount keeps the owner).
fn owner() -> Ownership {
    // SAFETY: geteuid and getegid have no preconditions.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    if uid == 0 {
        Ownership {
            chown: Some(IMAGE_USER),
            container_user: IMAGE_USER,
        }
    } else {
        Ownership {
            chown: None,
            container_user: (uid, gid),
        }
    }
}

/// The values written into the `.env`: fresh secrets, and the key pair's settings as the
/// containers see them.
fn fresh_values(container_user: (u32, u32)) -> anyhow::Result<Vec<(&'static str, String)>> {
    let keys = |file: &str| format!("{CONTAINER_KEYS_DIR}/{file}");
    Ok(vec![
        ("POSTGRES_PASSWORD", random_token::<32>()?),
        ("MOTCUA_JWT_SECRET", random_token::<48>()?),
        ("MOTCUA_JWT_ALGORITHM", "EdDSA".into()),
        ("MOTCUA_JWT_PUBLIC_KEY_FILE", keys(PUBLIC_KEY_FILE)),
        ("MOTCUA_JWT_PRIVATE_KEY_FILE", keys(PRIVATE_KEY_FILE)),
        ("MOTCUA_SERVICE_KEYS_DIR", keys(SERVICE_KEYS_FOLDER)),
        (
            "MOTCUA_CONTAINER_USER",
            format!("{}:{}", container_user.0, container_user.1),
        ),
    ])
}

/// The example with each of `values` set: a line `KEY=…` of the example gets the new value,
/// keys the example lacks are added at the end; comments and other lines stay as they are.
pub fn render_env(template: &str, values: &[(&str, String)]) -> String {
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut out = format!(
        "# Written by `motcua keys generate` ({now}): fresh secrets and a key pair in keys/.\n\
         # Keep it private (mode 0600); it is ignored by git and by the image build.\n"
    );
    let mut written = Vec::new();
    for line in template.lines() {
        let key = line.split_once('=').map(|(k, _)| k.trim());
        match values.iter().find(|(k, _)| Some(*k) == key) {
            Some((k, v)) if !line.trim_start().starts_with('#') => {
                out.push_str(&format!("{k}={v}\n"));
                written.push(*k);
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    let missing: Vec<_> = values
        .iter()
        .filter(|(k, _)| !written.contains(k))
        .collect();
    if !missing.is_empty() {
        out.push_str("# Added by `motcua keys generate`.\n");
        for (k, v) in missing {
            out.push_str(&format!("{k}={v}\n"));
        }
    }
    out
}

/// Writes `bytes` to a file only its owner can read (0600), replacing any file there.
fn write_private(path: &Path, bytes: &[u8], owner: Ownership) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("replacing {}", path.display()));
        }
        _ => {}
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    // The mode given at creation is masked by the umask; set it exactly.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    if let Some((uid, gid)) = owner.chown {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))?;
    }
    Ok(())
}

/// `N` bytes from the operating system's random source.
fn random_bytes<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
    Ok(bytes)
}

/// `N` random bytes as URL-safe base64 without padding: safe in a `.env` line, in YAML and in
/// a PostgreSQL URL (`POSTGRES_PASSWORD` goes into `DATABASE_URL`).
pub(crate) fn random_token<const N: usize>() -> anyhow::Result<String> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<N>()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_replaces_the_example_line_and_a_missing_one_is_added() {
        let template =
            "# POSTGRES_PASSWORD=not this one\nPOSTGRES_PASSWORD=change-me\nRUST_LOG=info\n";
        let values = vec![
            ("POSTGRES_PASSWORD", "fresh".to_string()),
            ("MOTCUA_CONTAINER_USER", "1000:1000".to_string()),
        ];
        let env = render_env(template, &values);
        let lines: Vec<&str> = env.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            lines,
            [
                "POSTGRES_PASSWORD=fresh",
                "RUST_LOG=info",
                "MOTCUA_CONTAINER_USER=1000:1000"
            ]
        );
        assert!(env.contains("# POSTGRES_PASSWORD=not this one\n"));
    }

    #[test]
    fn tokens_are_url_safe_and_long_enough() {
        let t = random_token::<48>().unwrap();
        assert_eq!(t.len(), 64);
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(t, random_token::<48>().unwrap());
    }
}
