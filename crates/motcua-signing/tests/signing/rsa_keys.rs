//! Configured RSA keys, as the government and public certificate authorities issue them
//! (RSA-2048): a key and self-signed certificate made with `openssl` at test time sign `.p7s`
//! files and PDFs that this crate, `openssl cms` and poppler's `pdfsig` accept, and that they
//! all refuse once a byte changes. Unlike the P-256 interop tests these need `openssl` (to make
//! the keys, RSA key generation in a debug build being slow) and fail without it.

use std::fs;
use std::path::Path;
use std::process::Command;

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerInfo};
use motcua_pdf::{DetachedSigner, SignError};
use motcua_signing::{AgencySigner, AgencySigners, SigningError, verify_detached};
use tempfile::TempDir;
use x509_cert::der::oid::db::rfc5912::{ID_SHA_256, RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION};
use x509_cert::der::{Any, Decode};

use crate::interop::cms_verify;
use crate::pdf::{assert_pdfsig_checks, find};
use crate::{AGENCY_CODE, AGENCY_NAME, fixed_time, folder_with_authority, test_signer, write};

/// What to do when `openssl` is missing.
const OPENSSL_MISSING: &str =
    "openssl is required by the RSA signing tests: install it (apt-get install openssl)";
/// The DER of the `rsaEncryption` object identifier (1.2.840.113549.1.1.1).
const RSA_ENCRYPTION_DER: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];

/// Runs `openssl` with `args` in `dir`, which must succeed; fails clearly without `openssl`.
fn openssl(dir: &Path, args: &[&str]) {
    let output = match Command::new("openssl").args(args).current_dir(dir).output() {
        Ok(output) => output,
        Err(err) => panic!("running openssl failed ({err}): {OPENSSL_MISSING}"),
    };
    assert!(
        output.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `openssl cms -verify` of `sig` over `data` against the self-signed certificate `ca`.
fn openssl_accepts(dir: &Path, data: &str, sig: &str, ca: &str) -> bool {
    cms_verify(dir, data, sig, ca).expect(OPENSSL_MISSING)
}

/// An RSA key of `bits` bits (unencrypted PKCS #8) and its self-signed certificate (CN the
/// agency's name, OU `code`), as `<code>.key.pem` and `<code>.chain.pem` in `dir`.
fn make_rsa_pair(dir: &Path, code: &str, bits: u32) {
    let key = format!("{code}.key.pem");
    let chain = format!("{code}.chain.pem");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            &format!("rsa:{bits}"),
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &chain,
            "-utf8",
            "-subj",
            &format!("/C=VN/OU={code}/CN={AGENCY_NAME}"),
            "-days",
            "30",
        ],
    );
    // OpenSSL 3 writes PKCS #8 already; older versions wrote PKCS #1 (`RSA PRIVATE KEY`).
    let pem = fs::read_to_string(dir.join(&key)).expect("key");
    if !pem.starts_with("-----BEGIN PRIVATE KEY-----") {
        openssl(
            dir,
            &[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                &key,
                "-out",
                "pkcs8.pem",
            ],
        );
        fs::rename(dir.join("pkcs8.pem"), dir.join(&key)).expect("rename");
    }
}

/// A signing folder (no test authority) configuring an RSA key of `bits` bits for
/// [`AGENCY_CODE`], and that agency's signer.
fn rsa_signer(bits: u32) -> (TempDir, AgencySigner) {
    let dir = tempfile::tempdir().expect("folder");
    make_rsa_pair(dir.path(), AGENCY_CODE, bits);
    let signers = AgencySigners::load(dir.path()).expect("load the RSA key");
    assert!(!signers.has_test_authority());
    let signer = signers
        .signer(AGENCY_CODE, "unused")
        .expect("configured RSA signer");
    (dir, signer)
}

/// The one `SignerInfo` of a CMS signature.
fn signer_info(der: &[u8]) -> SignerInfo {
    let content_info = ContentInfo::from_der(der).expect("ContentInfo");
    let signed_data: SignedData = content_info.content.decode_as().expect("SignedData");
    signed_data
        .signer_infos
        .0
        .iter()
        .next()
        .expect("a signer")
        .clone()
}

/// `der` with its `SignerInfo` naming the signature `sha256WithRSAEncryption` instead of
/// `rsaEncryption` (the name is not signed: the signature stays valid).
fn renamed_to_sha256_with_rsa(mut der: Vec<u8>) -> Vec<u8> {
    // The last occurrence: the certificates (with their key's rsaEncryption) come first.
    let at = der
        .windows(RSA_ENCRYPTION_DER.len())
        .rposition(|w| w == RSA_ENCRYPTION_DER)
        .expect("rsaEncryption in the signature");
    der[at + RSA_ENCRYPTION_DER.len() - 1] = 0x0b;
    assert_eq!(
        signer_info(&der).signature_algorithm.oid,
        SHA_256_WITH_RSA_ENCRYPTION
    );
    der
}

/// An RSA signer whose signatures name their algorithm `sha256WithRSAEncryption`.
struct Sha256WithRsaNamed<'a>(&'a AgencySigner);

impl DetachedSigner for Sha256WithRsaNamed<'_> {
    fn sign_detached(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        self.0.sign_detached(data).map(renamed_to_sha256_with_rsa)
    }

    fn max_signature_len(&self) -> usize {
        self.0.max_signature_len()
    }

    fn signer_name(&self) -> String {
        self.0.signer_name()
    }
}

#[test]
fn an_openssl_rsa_key_signs_and_verify_detached_checks_it() {
    let (_dir, signer) = rsa_signer(2048);
    let data = "Quyết định số 125/QĐ-STP".as_bytes();
    let der = signer.sign_file(data, fixed_time()).expect("sign");
    let verified = verify_detached(data, &der).expect("a valid RSA signature");
    assert_eq!(verified.signer_cn, AGENCY_NAME);
    assert_eq!(verified.agency_code.as_deref(), Some(AGENCY_CODE));
    assert_eq!(verified.signed_at, fixed_time());
    assert_eq!(&verified.chain[..], signer.chain());

    let info = signer_info(&der);
    assert_eq!(info.digest_alg.oid, ID_SHA_256);
    assert_eq!(info.signature_algorithm.oid, RSA_ENCRYPTION);
    assert_eq!(info.signature_algorithm.parameters, Some(Any::null()));
    assert_eq!(info.signature.as_bytes().len(), 256, "RSA-2048");
    assert_eq!(
        signer.sign_file(data, fixed_time()).expect("sign again"),
        der,
        "PKCS #1 v1.5 and a fixed time: the same DER (blinding changes nothing)"
    );

    // One changed byte of the data.
    let mut changed = data.to_vec();
    changed[3] ^= 0x01;
    let err = verify_detached(&changed, &der).expect_err("changed data");
    assert!(matches!(err, SigningError::DigestMismatch), "{err}");
    // The signing time "250301083000Z" moved by a minute: the RSA signature no longer holds.
    let mut moved = der.clone();
    let at = find(&moved, b"250301083000Z");
    moved[at + 7] = b'1';
    let err = verify_detached(data, &moved).expect_err("changed signed attributes");
    assert!(matches!(err, SigningError::BadSignature), "{err}");
    // One changed bit of the signature value (its last bytes end the DER).
    let mut forged = der;
    let last = forged.len() - 1;
    forged[last] ^= 0x01;
    let err = verify_detached(data, &forged).expect_err("changed signature");
    assert!(matches!(err, SigningError::BadSignature), "{err}");
}

#[test]
fn openssl_verifies_an_rsa_p7s_and_refuses_changed_data() {
    let (dir, signer) = rsa_signer(2048);
    let chain = format!("{AGENCY_CODE}.chain.pem");
    let data = "Kết quả: giấy phép (không phải PDF)\n".repeat(50);
    let der = signer
        .sign_file(data.as_bytes(), fixed_time())
        .expect("sign");
    write(dir.path(), "result.txt", data.as_bytes());
    write(dir.path(), "result.txt.p7s", &der);
    assert!(
        openssl_accepts(dir.path(), "result.txt", "result.txt.p7s", &chain),
        "openssl refused our RSA signature"
    );

    let mut changed = data.into_bytes();
    changed[0] ^= 0x20;
    write(dir.path(), "changed.txt", &changed);
    assert!(
        !openssl_accepts(dir.path(), "changed.txt", "result.txt.p7s", &chain),
        "openssl accepted changed data"
    );
}

#[test]
fn pdfsig_accepts_an_rsa_signature_and_refuses_a_changed_byte() {
    let (dir, signer) = rsa_signer(2048);
    assert_pdfsig_checks(dir.path(), "rsa", &signer);
}

#[test]
fn the_sha256_with_rsa_encryption_name_is_accepted_too() {
    let (dir, signer) = rsa_signer(2048);
    let data = b"ban ve hoan cong";
    let der = renamed_to_sha256_with_rsa(signer.sign_file(data, fixed_time()).expect("sign"));
    verify_detached(data, &der).expect("sha256WithRSAEncryption verifies");
    write(dir.path(), "data", data);
    write(dir.path(), "data.p7s", &der);
    let chain = format!("{AGENCY_CODE}.chain.pem");
    assert!(openssl_accepts(dir.path(), "data", "data.p7s", &chain));
    assert_pdfsig_checks(dir.path(), "renamed", &Sha256WithRsaNamed(&signer));
}

#[test]
fn rsa_4096_signatures_fit_the_reserved_room() {
    let (_dir, signer) = rsa_signer(4096);
    let max = signer.max_signature_len();
    let der = signer
        .sign_detached(&[7u8; 1000])
        .expect("sign within the room");
    assert_eq!(signer_info(&der).signature.as_bytes().len(), 512);
    assert!(der.len() <= max, "{} > {max}", der.len());
    assert!(
        max - der.len() < 600,
        "room {max} wastes too much for {}",
        der.len()
    );
}

#[test]
fn verify_detached_accepts_an_rsa_signature_made_by_openssl() {
    let dir = tempfile::tempdir().expect("folder");
    make_rsa_pair(dir.path(), AGENCY_CODE, 2048);
    let data = "Thông báo kết quả giải quyết hồ sơ\n";
    write(dir.path(), "notice.txt", data.as_bytes());
    openssl(
        dir.path(),
        &[
            "cms",
            "-sign",
            "-binary",
            "-md",
            "sha256",
            "-in",
            "notice.txt",
            "-signer",
            &format!("{AGENCY_CODE}.chain.pem"),
            "-inkey",
            &format!("{AGENCY_CODE}.key.pem"),
            "-outform",
            "DER",
            "-out",
            "notice.txt.p7s",
        ],
    );
    let der = fs::read(dir.path().join("notice.txt.p7s")).expect("p7s");
    eprintln!(
        "openssl's signature algorithm: {}",
        signer_info(&der).signature_algorithm.oid
    );
    let verified = verify_detached(data.as_bytes(), &der).expect("openssl's signature");
    assert_eq!(verified.signer_cn, AGENCY_NAME);
    let err = verify_detached(b"changed", &der).expect_err("changed data");
    assert!(matches!(err, SigningError::DigestMismatch), "{err}");
}

#[test]
fn the_test_authority_certifies_an_rsa_key_without_a_chain() {
    let source = tempfile::tempdir().expect("folder");
    make_rsa_pair(source.path(), "rsa", 2048);
    let dir = folder_with_authority();
    fs::copy(
        source.path().join("rsa.key.pem"),
        dir.path().join("rsa.key.pem"),
    )
    .expect("copy the key alone");
    let signer = AgencySigners::load(dir.path())
        .and_then(|signers| signers.signer("rsa", "Sở Công Thương"))
        .expect("a certificate for the RSA key");
    assert_eq!(signer.chain().len(), 2, "leaf and test root");
    let der = signer.sign_file(b"data", fixed_time()).expect("sign");
    assert_eq!(signer_info(&der).signature_algorithm.oid, RSA_ENCRYPTION);
    let verified = verify_detached(b"data", &der).expect("verify");
    assert_eq!(verified.signer_cn, "Sở Công Thương");
}

#[test]
fn unusable_rsa_keys_are_refused() {
    // Shorter than 2048 bits.
    let dir = tempfile::tempdir().expect("folder");
    make_rsa_pair(dir.path(), AGENCY_CODE, 1024);
    let err = AgencySigners::load(dir.path()).expect_err("RSA-1024");
    assert!(
        matches!(&err, SigningError::BadKey { reason, .. } if reason.contains("1024 bits")),
        "{err}"
    );

    // PKCS #1 (`RSA PRIVATE KEY`) rather than PKCS #8: refused, saying how to convert it (and
    // the conversion it names works).
    let dir = tempfile::tempdir().expect("folder");
    make_rsa_pair(dir.path(), AGENCY_CODE, 2048);
    let key = format!("{AGENCY_CODE}.key.pem");
    openssl(
        dir.path(),
        &["rsa", "-in", &key, "-traditional", "-out", "pkcs1.pem"],
    );
    fs::rename(dir.path().join("pkcs1.pem"), dir.path().join(&key)).expect("rename");
    let err = AgencySigners::load(dir.path()).expect_err("PKCS #1");
    assert!(
        matches!(&err, SigningError::BadKey { reason, .. }
            if reason.contains("RSA PRIVATE KEY") && reason.contains("openssl pkey")),
        "{err}"
    );
    openssl(dir.path(), &["pkey", "-in", &key, "-out", "pkcs8.pem"]);
    fs::rename(dir.path().join("pkcs8.pem"), dir.path().join(&key)).expect("rename");
    AgencySigners::load(dir.path()).expect("converted to PKCS #8");

    // An RSA key beside another key's (P-256) certificate.
    let rsa = tempfile::tempdir().expect("folder");
    make_rsa_pair(rsa.path(), AGENCY_CODE, 2048);
    let (dir, _signer) = test_signer();
    fs::copy(rsa.path().join(&key), dir.path().join(&key)).expect("replace the key");
    let err = AgencySigners::load(dir.path()).expect_err("mismatched pair");
    assert!(matches!(err, SigningError::KeyMismatch { .. }), "{err}");
}
