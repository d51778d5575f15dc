//! The signing folder: configured keys win, the test authority issues a certificate once and
//! reuses it (across loads and racing loaders), and without either there is no key.

use std::fs;

use motcua_signing::{
    AgencySigners, SigningError, TEST_CA_COMMON_NAME, generate_test_authority, verify_detached,
};

use crate::{AGENCY_CODE, AGENCY_NAME, fixed_time, folder_with_authority, write};

#[test]
fn a_configured_agency_key_is_used() {
    // Issue a pair in one folder, then configure it alone (no authority) in another.
    let issuing = folder_with_authority();
    AgencySigners::load(issuing.path())
        .and_then(|signers| signers.signer(AGENCY_CODE, AGENCY_NAME))
        .expect("issue");
    let configured = tempfile::tempdir().expect("folder");
    for name in [
        format!("{AGENCY_CODE}.key.pem"),
        format!("{AGENCY_CODE}.chain.pem"),
    ] {
        fs::copy(issuing.path().join(&name), configured.path().join(&name)).expect("copy");
    }
    let signers = AgencySigners::load(configured.path()).expect("load");
    assert!(!signers.has_test_authority());
    assert_eq!(signers.agency_codes(), vec![AGENCY_CODE.to_owned()]);
    let signer = signers
        .signer(AGENCY_CODE, "a different name, not used")
        .expect("configured signer");
    let der = signer.sign_file(b"data", fixed_time()).expect("sign");
    let verified = verify_detached(b"data", &der).expect("verify");
    assert_eq!(
        verified.signer_cn, AGENCY_NAME,
        "the certificate's CN, not the name asked"
    );
}

#[test]
fn the_test_authority_issues_a_leaf_once_and_reuses_it() {
    let dir = folder_with_authority();
    let signers = AgencySigners::load(dir.path()).expect("load");
    assert!(signers.has_test_authority());
    let first = signers.signer(AGENCY_CODE, AGENCY_NAME).expect("issue");
    let issuer_cn = first.chain()[1].tbs_certificate.subject.to_string();
    assert!(issuer_cn.contains(TEST_CA_COMMON_NAME), "{issuer_cn}");
    assert!(dir.path().join(format!("{AGENCY_CODE}.key.pem")).is_file());
    assert!(
        dir.path()
            .join(format!("{AGENCY_CODE}.chain.pem"))
            .is_file()
    );

    let again = signers.signer(AGENCY_CODE, "another name").expect("again");
    assert_eq!(again.certificate(), first.certificate());
    let reloaded = AgencySigners::load(dir.path())
        .and_then(|signers| signers.signer(AGENCY_CODE, "another name"))
        .expect("reloaded");
    assert_eq!(reloaded.certificate(), first.certificate());
    assert_eq!(reloaded.common_name(), AGENCY_NAME);
}

#[test]
fn racing_loaders_end_with_one_pair() {
    let dir = folder_with_authority();
    let certificates: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    // Separate loads: no shared cache, only the folder.
                    AgencySigners::load(dir.path())
                        .and_then(|signers| signers.signer("000.00.20.H12", "Sở Xây dựng"))
                        .map(|signer| signer.certificate().clone())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("thread").expect("signer"))
            .collect()
    });
    assert!(
        certificates.windows(2).all(|w| w[0] == w[1]),
        "one certificate for all"
    );
    let on_disk = AgencySigners::load(dir.path())
        .and_then(|signers| signers.signer("000.00.20.H12", "Sở Xây dựng"))
        .expect("reload");
    assert_eq!(on_disk.certificate(), &certificates[0]);
    let strays: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(strays.is_empty(), "temporary files left: {strays:?}");
}

#[test]
fn no_key_and_no_authority_is_no_key() {
    let dir = tempfile::tempdir().expect("folder");
    let signers = AgencySigners::load(dir.path()).expect("load an empty folder");
    let err = signers
        .signer(AGENCY_CODE, AGENCY_NAME)
        .expect_err("nothing to sign with");
    assert!(
        matches!(&err, SigningError::NoKey { agency } if agency == AGENCY_CODE),
        "{err}"
    );
    assert!(
        fs::read_dir(dir.path()).expect("list").next().is_none(),
        "nothing written"
    );
}

#[test]
fn generating_the_test_authority_keeps_an_existing_one() {
    let dir = folder_with_authority();
    let cert = fs::read(dir.path().join("test-ca.cert.pem")).expect("cert");
    let key = fs::read(dir.path().join("test-ca.key.pem")).expect("key");
    generate_test_authority(dir.path()).expect("again");
    assert_eq!(
        fs::read(dir.path().join("test-ca.cert.pem")).expect("cert"),
        cert
    );
    assert_eq!(
        fs::read(dir.path().join("test-ca.key.pem")).expect("key"),
        key
    );
}

#[cfg(unix)]
#[test]
fn private_keys_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder_with_authority();
    AgencySigners::load(dir.path())
        .and_then(|signers| signers.signer(AGENCY_CODE, AGENCY_NAME))
        .expect("issue");
    for name in [
        "test-ca.key.pem".to_owned(),
        format!("{AGENCY_CODE}.key.pem"),
    ] {
        let mode = fs::metadata(dir.path().join(&name))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{name} is {mode:o}");
    }
}

#[test]
fn a_key_that_is_not_its_certificates_is_refused() {
    let dir = folder_with_authority();
    let signers = AgencySigners::load(dir.path()).expect("load");
    signers.signer("a", "A").expect("a");
    signers.signer("b", "B").expect("b");
    let b_key = fs::read(dir.path().join("b.key.pem")).expect("key");
    write(dir.path(), "a.key.pem", &b_key);
    let err = AgencySigners::load(dir.path()).expect_err("mismatched pair");
    assert!(matches!(err, SigningError::KeyMismatch { .. }), "{err}");
}

#[test]
fn agency_codes_that_cannot_name_files_are_refused() {
    let dir = folder_with_authority();
    let signers = AgencySigners::load(dir.path()).expect("load");
    for code in ["", "../etc", "a/b", ".hidden", "test-ca", "có dấu"] {
        let err = signers.signer(code, "X").expect_err(code);
        assert!(
            matches!(err, SigningError::InvalidAgencyCode { .. }),
            "{code}: {err}"
        );
    }
}

#[test]
fn a_missing_folder_is_an_error() {
    let dir = tempfile::tempdir().expect("folder");
    let err = AgencySigners::load(dir.path().join("absent")).expect_err("absent");
    assert!(matches!(err, SigningError::Io { .. }), "{err}");
}

#[test]
fn signers_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<AgencySigners>();
    shared::<motcua_signing::AgencySigner>();
}
