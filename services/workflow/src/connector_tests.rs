//! Unit tests of the connector's parsing of a completion and its stored answers.

use super::*;

fn system() -> Caller {
    Caller {
        sub: "hotich".into(),
        roles: vec![Role::SectorSystem],
        agency: Some("000.30.80.H80".into()),
        sector: Some("justice".into()),
        id_number: None,
    }
}

fn request(outcome: &str, request_id: &str, documents: &str) -> pb::CompleteTaskRequest {
    pb::CompleteTaskRequest {
        task_id: Uuid::from_u128(7).to_string(),
        request_id: request_id.into(),
        outcome: outcome.into(),
        documents_json: documents.into(),
        ..Default::default()
    }
}

#[test]
fn a_completion_is_parsed_once_with_every_field_error_at_once() {
    let (id, body, _) =
        parse_completion(&system(), &request("done", "r-1", "[{\"n\": 1}]")).unwrap();
    assert_eq!(
        (id, body.outcome, body.documents.len()),
        (Uuid::from_u128(7), Outcome::Done, 1)
    );
    let mut bad = request("finish", "", "{\"not\": \"an array\"}");
    bad.task_id = "nope".into();
    let p = parse_completion(&system(), &bad).unwrap_err();
    let mut fields: Vec<&str> = p.errors.iter().map(|e| e.field.as_str()).collect();
    fields.sort();
    assert_eq!(p.code, "invalid_argument");
    assert_eq!(
        fields,
        ["documents_json", "outcome", "request_id", "task_id"]
    );
    let too_long = "k".repeat(201);
    let p = parse_completion(&system(), &request("done", &too_long, "")).unwrap_err();
    assert_eq!(p.errors[0].field, "request_id");
}

#[test]
fn the_same_request_id_with_another_completion_is_another_request() {
    let a = parse_completion(&system(), &request("done", "r-1", ""))
        .unwrap()
        .2;
    let b = parse_completion(&system(), &request("done", "r-1", ""))
        .unwrap()
        .2;
    let c = parse_completion(&system(), &request("refuse", "r-1", ""))
        .unwrap()
        .2;
    assert!(a.same_key(&b) && a.same_key(&c));
    assert_eq!(format!("{a:?}"), format!("{b:?}"), "same fingerprint");
    assert_ne!(format!("{a:?}"), format!("{c:?}"), "another fingerprint");
}

#[test]
fn a_stored_answer_replays_the_same_step() {
    let t = pb::SectorTask {
        id: "x".into(),
        state: "done".into(),
        offer: 3,
        ..Default::default()
    };
    let a = Answer::new(StatusCode::OK, stored(&t));
    assert_eq!(replayed(&a).unwrap(), t);
}
