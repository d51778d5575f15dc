//! Writing the signing folder's files so that processes racing to create the same key or
//! certificate end with one consistent pair: each file is written whole to a temporary name and
//! then hard-linked to its final name, which fails if the name exists (unlike a rename, it never
//! replaces). The key is published first; a certificate is only ever written for the key that
//! won, so whichever certificate wins matches it.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use p256::elliptic_curve::zeroize::Zeroizing;
use x509_cert::Certificate;
use x509_cert::der::EncodePem;
use x509_cert::der::pem::LineEnding;

use crate::SigningError;
use crate::key::SigningKey;
use crate::pki;

/// Whether `path` exists.
pub(crate) fn exists(path: &Path) -> Result<bool, SigningError> {
    path.try_exists().map_err(|err| SigningError::io(path, err))
}

/// Writes `contents` as `dir/name` unless that file exists; answers whether this call wrote it.
/// `private` files (keys) are readable by their owner only.
fn publish(dir: &Path, name: &str, contents: &[u8], private: bool) -> Result<bool, SigningError> {
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).map_err(|err| SigningError::Random(err.to_string()))?;
    let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let temp = dir.join(format!(".{name}.{}.{suffix}.tmp", std::process::id()));
    let target = dir.join(name);
    let result =
        write_new(&temp, contents, private).and_then(|()| match fs::hard_link(&temp, &target) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == ErrorKind::AlreadyExists => Ok(false),
            Err(err) => Err(SigningError::io(&target, err)),
        });
    // The temporary name goes either way; a failure to remove it leaves a stray file only.
    let _ = fs::remove_file(&temp);
    result
}

/// Creates `path` (which must not exist) with `contents`, flushed to disk.
fn write_new(path: &Path, contents: &[u8], private: bool) -> Result<(), SigningError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options
        .open(path)
        .map_err(|err| SigningError::io(path, err))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|err| SigningError::io(path, err))
}

/// A key file's PEM, wiped from memory when dropped.
pub(crate) fn read_key_pem(path: &Path) -> Result<Zeroizing<String>, SigningError> {
    fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|err| SigningError::io(path, err))
}

/// A certificate or chain file's bytes.
pub(crate) fn read_chain_pem(path: &Path) -> Result<Vec<u8>, SigningError> {
    fs::read(path).map_err(|err| SigningError::io(path, err))
}

/// A chain as PEM, one certificate after the other.
fn chain_to_pem(chain: &[Certificate]) -> Result<String, SigningError> {
    let mut pem = String::new();
    for cert in chain {
        let one = cert
            .to_pem(LineEnding::LF)
            .map_err(|err| SigningError::build("a PEM certificate", err))?;
        pem.push_str(&one);
    }
    Ok(pem)
}

/// The paths of a key and its certificate (chain) in the signing folder, both created if
/// missing: a fresh P-256 key, then `make_chain` for whichever key is in the folder (which may
/// be an RSA key an operator put there).
pub(crate) fn ensure_pair(
    dir: &Path,
    key_name: &str,
    chain_name: &str,
    make_chain: impl FnOnce(&SigningKey) -> Result<Vec<Certificate>, SigningError>,
) -> Result<(PathBuf, PathBuf), SigningError> {
    let key_path = dir.join(key_name);
    if !exists(&key_path)? {
        let key = pki::generate_key()?;
        publish(dir, key_name, pki::key_to_pem(&key)?.as_bytes(), true)?;
    }
    let chain_path = dir.join(chain_name);
    if !exists(&chain_path)? {
        // The key that won a race, not necessarily the one generated above.
        let key = SigningKey::from_pem(&read_key_pem(&key_path)?, &key_path)?;
        let chain = make_chain(&key)?;
        publish(dir, chain_name, chain_to_pem(&chain)?.as_bytes(), false)?;
    }
    Ok((key_path, chain_path))
}
