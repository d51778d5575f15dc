//! Signing and verifying in memory: the round trip, tampering, the reserved room, and that the
//! key stays out of `Debug`.

use motcua_pdf::DetachedSigner;
use motcua_signing::{SigningError, verify_detached};

use crate::{AGENCY_CODE, AGENCY_NAME, fixed_time, test_signer};

#[test]
fn sign_and_verify_round_trip() {
    let (_dir, signer) = test_signer();
    let data = "Giấy chứng nhận: hồ sơ H12.15-250301-0001".as_bytes();
    let der = signer.sign_file(data, fixed_time()).expect("sign");
    let verified = verify_detached(data, &der).expect("valid signature");
    assert_eq!(verified.signer_cn, AGENCY_NAME);
    assert_eq!(verified.agency_code.as_deref(), Some(AGENCY_CODE));
    assert_eq!(verified.signed_at, fixed_time());
    assert_eq!(verified.chain.len(), 2, "leaf and test root");
    assert_eq!(&verified.chain[0], signer.certificate());
    assert_eq!(
        verified.chain[1].tbs_certificate.subject,
        verified.chain[0].tbs_certificate.issuer
    );
}

#[test]
fn signing_is_deterministic_for_a_fixed_time() {
    let (_dir, signer) = test_signer();
    let first = signer.sign_file(b"same bytes", fixed_time()).expect("sign");
    let second = signer.sign_file(b"same bytes", fixed_time()).expect("sign");
    assert_eq!(
        first, second,
        "RFC 6979 ECDSA and a fixed time: the same DER"
    );
}

#[test]
fn one_changed_byte_fails_verification() {
    let (_dir, signer) = test_signer();
    let mut data = b"Quyet dinh so 123/QD-STP".to_vec();
    let der = signer.sign_file(&data, fixed_time()).expect("sign");
    data[10] ^= 0x01;
    let err = verify_detached(&data, &der).expect_err("changed data must not verify");
    assert!(matches!(err, SigningError::DigestMismatch), "{err}");
}

#[test]
fn a_changed_signed_attribute_fails_verification() {
    let (_dir, signer) = test_signer();
    let data = b"Quyet dinh so 124/QD-STP";
    let mut der = signer.sign_file(data, fixed_time()).expect("sign");
    // The signing time "250301083000Z" is signed: move it by a minute.
    let at = der
        .windows(13)
        .position(|w| w == b"250301083000Z")
        .expect("signing time in the DER");
    der[at + 7] = b'1';
    let err = verify_detached(data, &der).expect_err("changed attributes must not verify");
    assert!(matches!(err, SigningError::BadSignature), "{err}");
}

#[test]
fn the_signature_fits_the_reserved_room() {
    let (_dir, signer) = test_signer();
    let max = signer.max_signature_len();
    for size in [0usize, 1, 100_000] {
        let der = signer.sign_detached(&vec![7u8; size]).expect("sign");
        assert!(der.len() <= max, "{} > {max}", der.len());
        assert!(
            max - der.len() < 600,
            "room {max} wastes too much for {}",
            der.len()
        );
    }
}

#[test]
fn the_signer_name_is_the_certificate_common_name() {
    let (_dir, signer) = test_signer();
    assert_eq!(signer.signer_name(), AGENCY_NAME);
    assert_eq!(signer.common_name(), AGENCY_NAME);
    assert_eq!(
        signer.certificate_agency_code().as_deref(),
        Some(AGENCY_CODE)
    );
}

#[test]
fn debug_output_hides_the_private_key() {
    let (dir, signer) = test_signer();
    let key_pem =
        std::fs::read_to_string(dir.path().join(format!("{AGENCY_CODE}.key.pem"))).expect("key");
    let body: String = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let debug = format!("{signer:?}");
    assert!(debug.contains("(hidden)"), "{debug}");
    assert!(!debug.contains(&body[..40]), "{debug}");
    let signers = motcua_signing::AgencySigners::load(dir.path()).expect("load");
    let debug = format!("{signers:?}");
    assert!(!debug.contains(&body[..40]), "{debug}");
}

#[test]
fn garbage_is_not_a_signature() {
    let err = verify_detached(b"data", b"not DER at all").expect_err("garbage");
    assert!(matches!(err, SigningError::Malformed(_)), "{err}");
}
