//! What `openssl cms` makes of our `.p7s` signatures, and keys and certificates made with
//! `openssl` as an agency would configure them. Skipped (with a note) where `openssl` is not
//! installed: the PDF check with `pdfsig` is the one that must run.

use std::path::Path;
use std::process::{Command, Output};

use motcua_signing::{AgencySigners, verify_detached};

use crate::{fixed_time, test_signer, write};

/// Runs `openssl` with `args` in `dir`; `None` when `openssl` is not installed.
fn openssl(dir: &Path, args: &[&str]) -> Option<Output> {
    match Command::new("openssl").args(args).current_dir(dir).output() {
        Ok(output) => Some(output),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("openssl is not installed: skipping the openssl check");
            None
        }
        Err(err) => panic!("running openssl: {err}"),
    }
}

/// `openssl cms -verify` of a detached DER signature; answers whether it verified (`None`: no
/// `openssl`).
pub(crate) fn cms_verify(dir: &Path, data: &str, sig: &str, ca: &str) -> Option<bool> {
    let output = openssl(
        dir,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            sig,
            "-content",
            data,
            "-CAfile",
            ca,
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    )?;
    eprintln!(
        "openssl cms -verify: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(output.status.success())
}

#[test]
fn openssl_verifies_a_p7s_and_refuses_changed_data() {
    let (dir, signer) = test_signer();
    let data = "Kết quả: bản đồ địa chính (không phải PDF)\n".repeat(100);
    let der = signer
        .sign_file(data.as_bytes(), fixed_time())
        .expect("sign");
    write(dir.path(), "result.txt", data.as_bytes());
    write(dir.path(), "result.txt.p7s", &der);
    let Some(valid) = cms_verify(
        dir.path(),
        "result.txt",
        "result.txt.p7s",
        "test-ca.cert.pem",
    ) else {
        return;
    };
    assert!(valid, "openssl refused our signature");

    let mut changed = data.into_bytes();
    changed[0] ^= 0x20;
    write(dir.path(), "changed.txt", &changed);
    let valid = cms_verify(
        dir.path(),
        "changed.txt",
        "result.txt.p7s",
        "test-ca.cert.pem",
    );
    assert_eq!(valid, Some(false), "openssl accepted changed data");
}

#[test]
fn a_key_and_certificate_made_with_openssl_can_be_configured() {
    let dir = tempfile::tempdir().expect("folder");
    let code = "000.00.20.H12";
    let key = format!("{code}.key.pem");
    let chain = format!("{code}.chain.pem");
    let Some(genkey) = openssl(
        dir.path(),
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            &key,
        ],
    ) else {
        return;
    };
    assert!(
        genkey.status.success(),
        "{}",
        String::from_utf8_lossy(&genkey.stderr)
    );
    let req = openssl(
        dir.path(),
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            &key,
            "-utf8",
            "-subj",
            &format!("/C=VN/OU={code}/CN=Sở Xây dựng"),
            "-days",
            "30",
            "-out",
            &chain,
        ],
    )
    .expect("openssl ran before");
    assert!(
        req.status.success(),
        "{}",
        String::from_utf8_lossy(&req.stderr)
    );

    let signer = AgencySigners::load(dir.path())
        .and_then(|signers| signers.signer(code, "unused"))
        .expect("configured signer");
    let der = signer.sign_file(b"ban ve", fixed_time()).expect("sign");
    let verified = verify_detached(b"ban ve", &der).expect("verify");
    assert_eq!(verified.signer_cn, "Sở Xây dựng");
    assert_eq!(verified.agency_code.as_deref(), Some(code));
    write(dir.path(), "data", b"ban ve");
    write(dir.path(), "data.p7s", &der);
    assert_eq!(
        cms_verify(dir.path(), "data", "data.p7s", &chain),
        Some(true)
    );
}
