//! The signing folder (`MOTCUA_SIGNING_DIR`): each agency's `<code>.key.pem` (PKCS #8) and
//! `<code>.chain.pem` (its certificate, then its issuers), and optionally a test authority
//! (`test-ca.key.pem`, `test-ca.cert.pem`) that issues a certificate, once, to an agency that
//! has none. Services load it at start and ask it for the signer of the agency a document is
//! issued by.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use p256::ecdsa::signature::Keypair;
use time::OffsetDateTime;
use x509_cert::Certificate;

use crate::files::{self, ensure_pair};
use crate::key::SigningKey;
use crate::{AgencySigner, SigningError, authority};

/// The environment variable naming the signing folder, for services to read.
pub const SIGNING_DIR_ENV: &str = "MOTCUA_SIGNING_DIR";
/// The test authority's private key file.
const TEST_CA_KEY: &str = "test-ca.key.pem";
/// The test authority's (self-signed) certificate file.
const TEST_CA_CERT: &str = "test-ca.cert.pem";
/// The test authority's file stem, which no agency may use.
const TEST_CA_STEM: &str = "test-ca";
/// The ending of an agency's key file.
const KEY_SUFFIX: &str = ".key.pem";
/// The ending of an agency's chain file.
const CHAIN_SUFFIX: &str = ".chain.pem";

/// The agencies' signers of one signing folder: the configured ones, read at load, and those the
/// folder's test authority issues on demand. Shared by a service's handlers.
pub struct AgencySigners {
    dir: PathBuf,
    authority: Option<TestAuthority>,
    signers: Mutex<HashMap<String, AgencySigner>>,
}

/// The test authority's key (always P-256) and root certificate.
struct TestAuthority {
    key: p256::ecdsa::SigningKey,
    cert: Certificate,
}

impl AgencySigners {
    /// Reads the signing folder `dir`: every agency key with its chain (checked to match), and
    /// the test authority if there is one.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, SigningError> {
        let dir = dir.as_ref().to_path_buf();
        let authority = load_authority(&dir)?;
        let mut signers = HashMap::new();
        let entries = fs::read_dir(&dir).map_err(|err| SigningError::io(&dir, err))?;
        for entry in entries {
            let entry = entry.map_err(|err| SigningError::io(&dir, err))?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str() else {
                continue;
            };
            if name.starts_with('.') || name == TEST_CA_KEY || name == TEST_CA_CERT {
                continue;
            }
            if let Some(code) = name.strip_suffix(KEY_SUFFIX) {
                check_agency_code(code)?;
                let chain_path = dir.join(format!("{code}{CHAIN_SUFFIX}"));
                if files::exists(&chain_path)? {
                    signers.insert(code.to_owned(), read_signer(&dir, code)?);
                } else if authority.is_none() {
                    return Err(missing_chain(chain_path));
                }
            } else if let Some(code) = name.strip_suffix(CHAIN_SUFFIX)
                && !files::exists(&dir.join(format!("{code}{KEY_SUFFIX}")))?
            {
                return Err(SigningError::BadCertificate {
                    path: entry.path(),
                    reason: format!("no private key {code}{KEY_SUFFIX} beside it"),
                });
            }
        }
        Ok(Self {
            dir,
            authority,
            signers: Mutex::new(signers),
        })
    }

    /// [`Self::load`] of the folder [`SIGNING_DIR_ENV`] names; `None` when it is not set.
    pub fn from_env() -> Result<Option<Self>, SigningError> {
        match std::env::var_os(SIGNING_DIR_ENV) {
            Some(dir) if !dir.is_empty() => Self::load(PathBuf::from(dir)).map(Some),
            _ => Ok(None),
        }
    }

    /// The signing folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the folder holds a test authority (which issues keys to agencies without one).
    pub fn has_test_authority(&self) -> bool {
        self.authority.is_some()
    }

    /// The codes of the agencies that have a signer so far, sorted.
    pub fn agency_codes(&self) -> Vec<String> {
        let signers = self.signers.lock().unwrap_or_else(PoisonError::into_inner);
        let mut codes: Vec<String> = signers.keys().cloned().collect();
        codes.sort();
        codes
    }

    /// The signer of agency `agency_code`: its configured key and chain; else, when the folder
    /// holds a test authority, a key and certificate (CN `agency_name`) issued once, written to
    /// the folder and used from then on; else [`SigningError::NoKey`].
    pub fn signer(
        &self,
        agency_code: &str,
        agency_name: &str,
    ) -> Result<AgencySigner, SigningError> {
        check_agency_code(agency_code)?;
        let mut signers = self.signers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(signer) = signers.get(agency_code) {
            return Ok(signer.clone());
        }
        let signer = self.read_or_issue(agency_code, agency_name)?;
        signers.insert(agency_code.to_owned(), signer.clone());
        Ok(signer)
    }

    /// The agency's pair from the folder (perhaps written by another process since the load),
    /// or one the test authority issues now.
    fn read_or_issue(&self, code: &str, name: &str) -> Result<AgencySigner, SigningError> {
        let key_name = format!("{code}{KEY_SUFFIX}");
        let chain_name = format!("{code}{CHAIN_SUFFIX}");
        let key_exists = files::exists(&self.dir.join(&key_name))?;
        let chain_exists = files::exists(&self.dir.join(&chain_name))?;
        if key_exists && chain_exists {
            return read_signer(&self.dir, code);
        }
        let Some(authority) = &self.authority else {
            if key_exists {
                return Err(missing_chain(self.dir.join(chain_name)));
            }
            return Err(SigningError::NoKey {
                agency: code.to_owned(),
            });
        };
        ensure_pair(&self.dir, &key_name, &chain_name, |key| {
            let leaf = authority::issue_leaf(
                &authority.key,
                &authority.cert,
                key.verifying_key().public_key_info()?,
                code,
                name,
                OffsetDateTime::now_utc(),
            )?;
            Ok(vec![leaf, authority.cert.clone()])
        })?;
        read_signer(&self.dir, code)
    }
}

impl fmt::Debug for AgencySigners {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgencySigners")
            .field("dir", &self.dir)
            .field("test_authority", &self.authority.is_some())
            .field("agencies", &self.agency_codes())
            .finish()
    }
}

/// Creates a test authority (a P-256 key and a self-signed root certificate, CN
/// [`authority::TEST_CA_COMMON_NAME`]) in the signing folder `dir`, creating the folder if
/// needed; keeps the one already there.
pub fn generate_test_authority(dir: impl AsRef<Path>) -> Result<(), SigningError> {
    let dir = dir.as_ref();
    fs::create_dir_all(dir).map_err(|err| SigningError::io(dir, err))?;
    ensure_pair(dir, TEST_CA_KEY, TEST_CA_CERT, |key| {
        let key = test_authority_key(key, &dir.join(TEST_CA_KEY))?;
        Ok(vec![authority::issue_root(key, OffsetDateTime::now_utc())?])
    })?;
    // Checks that what is there (perhaps from before) is a matching pair.
    load_authority(dir).map(|_| ())
}

/// The folder's test authority, if it has one.
fn load_authority(dir: &Path) -> Result<Option<TestAuthority>, SigningError> {
    let key_path = dir.join(TEST_CA_KEY);
    let cert_path = dir.join(TEST_CA_CERT);
    match (files::exists(&key_path)?, files::exists(&cert_path)?) {
        (false, false) => return Ok(None),
        (true, true) => {}
        _ => {
            return Err(SigningError::IncompleteAuthority {
                dir: dir.to_path_buf(),
            });
        }
    }
    let key_pem = files::read_key_pem(&key_path)?;
    // Read as a signer to check that the certificate is the key's.
    let signer = AgencySigner::from_pem_files(
        TEST_CA_STEM,
        &key_pem,
        &key_path,
        &files::read_chain_pem(&cert_path)?,
        &cert_path,
    )?;
    let key = SigningKey::from_pem(&key_pem, &key_path)?;
    Ok(Some(TestAuthority {
        key: test_authority_key(&key, &key_path)?.clone(),
        cert: signer.certificate().clone(),
    }))
}

/// The test authority's key as P-256, the only kind it signs certificates with.
fn test_authority_key<'a>(
    key: &'a SigningKey,
    key_path: &Path,
) -> Result<&'a p256::ecdsa::SigningKey, SigningError> {
    key.p256().ok_or_else(|| SigningError::BadKey {
        path: key_path.to_path_buf(),
        reason: "the test authority's key must be P-256".to_owned(),
    })
}

/// The agency's signer from its two files.
fn read_signer(dir: &Path, code: &str) -> Result<AgencySigner, SigningError> {
    let key_path = dir.join(format!("{code}{KEY_SUFFIX}"));
    let chain_path = dir.join(format!("{code}{CHAIN_SUFFIX}"));
    AgencySigner::from_pem_files(
        code,
        &files::read_key_pem(&key_path)?,
        &key_path,
        &files::read_chain_pem(&chain_path)?,
        &chain_path,
    )
}

/// The error for a key without its chain file.
fn missing_chain(chain_path: PathBuf) -> SigningError {
    SigningError::BadCertificate {
        path: chain_path,
        reason: format!("missing: each <code>{KEY_SUFFIX} needs its <code>{CHAIN_SUFFIX}"),
    }
}

/// Refuses agency codes that cannot safely name files: empty, longer than 64 characters,
/// other characters than ASCII letters, digits, '.', '_' and '-', a leading '.', or `test-ca`.
fn check_agency_code(code: &str) -> Result<(), SigningError> {
    let valid = !code.is_empty()
        && code.len() <= 64
        && !code.starts_with('.')
        && code != TEST_CA_STEM
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(SigningError::InvalidAgencyCode {
            agency: code.to_owned(),
        })
    }
}
