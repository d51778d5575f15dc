//! Integration tests of `motcua-signing`: signatures and their verification, the signing
//! folder (configured keys, P-256 and RSA, the test authority), and what outside checkers
//! (poppler's `pdfsig`, `openssl cms`) make of our signatures. One test binary, to link once.

mod folder;
mod interop;
mod pdf;
mod round_trip;
mod rsa_keys;

use std::path::Path;

use motcua_signing::{AgencySigner, AgencySigners, generate_test_authority};
use tempfile::TempDir;
use time::OffsetDateTime;
use time::macros::datetime;

/// An agency code as the province writes them (mã định danh).
const AGENCY_CODE: &str = "000.00.15.H12";
/// That agency's name, in Vietnamese.
const AGENCY_NAME: &str = "Sở Tư pháp tỉnh Thử nghiệm";

/// A fixed signing time, for tests that compare.
fn fixed_time() -> OffsetDateTime {
    datetime!(2025-03-01 08:30:00 UTC)
}

/// A fresh signing folder holding a test authority.
fn folder_with_authority() -> TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    generate_test_authority(dir.path()).expect("test authority");
    dir
}

/// The test authority's signer for [`AGENCY_CODE`] in a fresh folder (kept alive with it).
fn test_signer() -> (TempDir, AgencySigner) {
    let dir = folder_with_authority();
    let signer = AgencySigners::load(dir.path())
        .expect("load")
        .signer(AGENCY_CODE, AGENCY_NAME)
        .expect("signer");
    (dir, signer)
}

/// Writes `bytes` to `dir/name`, answering the path.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}
