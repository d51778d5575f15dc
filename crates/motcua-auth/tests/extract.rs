//! The `Caller` extractor takes the caller the REST gate verified for the request (from the
//! request's extensions) instead of checking the token a second time, and verifies the header
//! itself only where no gate ran.

use axum::extract::FromRequestParts;
use http::Request;
use motcua_auth::{Caller, JwtVerifier, Role, TokenIssuer};

const SECRET: &[u8] = b"extract-test-secret-extract-test-secret";

fn gate_caller() -> Caller {
    Caller {
        sub: "officer-1".into(),
        roles: vec![Role::OneStopOfficer],
        agency: Some("000.25.80.H80".into()),
        sector: None,
        id_number: None,
    }
}

#[tokio::test]
async fn a_caller_the_gate_verified_is_taken_without_verifying_again() {
    // No verifier and no header: only the gate's caller can answer.
    let (mut parts, ()) = Request::builder().body(()).unwrap().into_parts();
    parts.extensions.insert(gate_caller());
    let c = Caller::from_request_parts(&mut parts, &()).await.unwrap();
    assert_eq!(c.sub, "officer-1");
    assert_eq!(c.agency.as_deref(), Some("000.25.80.H80"));
    let optional = <Caller as axum::extract::OptionalFromRequestParts<()>>::from_request_parts(
        &mut parts,
        &(),
    )
    .await
    .unwrap();
    assert_eq!(optional.map(|c| c.sub).as_deref(), Some("officer-1"));
}

#[tokio::test]
async fn without_the_gate_the_header_is_verified() {
    let token = TokenIssuer::hs256(SECRET, "motcua")
        .issue("u9", &["one_stop_officer"], Some("A1"), None, 600)
        .unwrap();
    let verifier = JwtVerifier::hs256(SECRET, "motcua");
    let request = |auth: &str| {
        let (mut parts, ()) = Request::builder()
            .header("authorization", auth)
            .body(())
            .unwrap()
            .into_parts();
        parts.extensions.insert(verifier.clone());
        parts
    };
    let mut good = request(&format!("Bearer {token}"));
    let c = Caller::from_request_parts(&mut good, &()).await.unwrap();
    assert_eq!(c.sub, "u9");
    let mut forged = request(&format!("Bearer {token}x"));
    let refused = Caller::from_request_parts(&mut forged, &()).await;
    assert_eq!(refused.unwrap_err().status, http::StatusCode::UNAUTHORIZED);
}
