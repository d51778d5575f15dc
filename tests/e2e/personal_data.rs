//! Personal numbers stay out of logs and error details (`shared/domain.md` §8, issue 13):
//! every log line of this test process goes through the scanner of
//! `motcua_e2e::log_capture` (the services' real subscriber, `debug` for motcua and the
//! database driver, span fields in each line), while a dossier is received, looked up,
//! read, refused bad input and followed by workflow; then no line may hold the applicant's
//! ID number (whole, or the masked form that keeps its last digits), phone number, or the
//! lookup's `id_last4` next to the code. The shared fixture's numbers are watched for the
//! whole run, so a leak by any other test that ran meanwhile fails this one too.

use motcua_config::ServiceName::{Intake, Workflow};
use motcua_e2e::{TestSystem, birth_registration, eventually, log_capture};
use std::time::Duration;
use time::macros::datetime;

const OS: &str = "000.25.80.H80";
const ID: &str = "001099012345";
const PHONE: &str = "0987654321";
/// Every request of this test carries it, so its lines can be counted.
const REQUEST_ID: &str = "personal-data-capture";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_number_appears_in_logs_or_error_details() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    for needle in [
        ID,
        PHONE,
        "*2345",
        "id_last4=2345",
        "080203001234",
        "0912345678",
    ] {
        log_capture::watch(needle);
    }
    log_capture::mark(REQUEST_ID);
    let officer = sys.token(&["one_stop_officer"], Some(OS), "officer-1");
    let send = |req: reqwest::RequestBuilder| async move {
        let res = req.header("x-request-id", REQUEST_ID).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.text().await.unwrap())
    };
    let mut body = birth_registration("counter");
    body["applicant"]["id_number"] = ID.into();
    body["applicant"]["phone"] = PHONE.into();
    let submit = || {
        sys.http
            .post(sys.url(Intake, "/api/v1/dossiers"))
            .bearer_auth(&officer)
    };
    let (status, text) = send(submit().header("Idempotency-Key", "pd-1").json(&body)).await;
    assert_eq!(status, 201, "{text}");
    let code = serde_json::from_str::<serde_json::Value>(&text).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    // The public lookup, right and wrong.
    for last4 in ["2345", "9999"] {
        let url = format!("/api/v1/public/dossiers/{code}?id_last4={last4}");
        let (status, _) = send(sys.http.get(sys.url(Intake, &url))).await;
        assert!(status == 200 || status == 404, "{status}");
    }
    let (status, _) = send(
        sys.http
            .get(sys.url(Intake, &format!("/api/v1/dossiers/{code}")))
            .bearer_auth(&officer),
    )
    .await;
    assert_eq!(status, 200);
    // Bad numbers are refused without being repeated back.
    let bad_id = "00109901234X";
    let bad_phone = "09876x4321";
    body["applicant"]["id_number"] = bad_id.into();
    body["applicant"]["phone"] = bad_phone.into();
    let (status, text) = send(submit().header("Idempotency-Key", "pd-2").json(&body)).await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("applicant.id_number"), "{text}");
    assert!(
        !text.contains(bad_id) && !text.contains(bad_phone),
        "an error detail repeats a personal number: {text}"
    );
    // Workflow hears of the dossier (its logs are captured too).
    let handovers = format!("/api/v1/dossiers/{code}/handovers");
    let head = sys.token(&["inspector"], None, "inspector-1");
    eventually(Duration::from_secs(20), || async {
        let (status, _) = send(
            sys.http
                .get(sys.url(Workflow, &handovers))
                .bearer_auth(&head),
        )
        .await;
        (status == 200).then_some(())
    })
    .await
    .expect("workflow opened the case");
    sys.stop().await.unwrap();
    assert!(
        log_capture::marked(REQUEST_ID) > 10,
        "the capture saw only {} lines of this test's requests",
        log_capture::marked(REQUEST_ID)
    );
    let hits = log_capture::hits();
    assert!(
        hits.is_empty(),
        "{} log lines hold a personal number:\n{}",
        hits.len(),
        hits.join("")
    );
}
