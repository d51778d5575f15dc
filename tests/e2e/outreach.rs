//! What leaves motcua: the national public-service portal and the applicant (issue 16). A
//! Decree 63 birth group lives from receipt to result — a supplement round, an apology with a
//! new appointment, three agencies' steps — while the reference portal refuses and hangs for a
//! while in the middle; a second dossier is stopped when its supplement window passes. The
//! portal must end with exactly the expected pushes, each valid and in order, none lost or
//! taken twice; the applicant with exactly the expected e-mails and SMS; each agency head with
//! one notice per near-due or overdue mark.

use crate::skeleton::sqlx_conn;
use crate::workflow_support::*;
use motcua_config::ServiceName::{Intake, Workflow};
use motcua_e2e::outside::{mail::MailSink, portal::PortalStub, sms::SmsStub};
use motcua_e2e::{TestSystem, eventually, post};
use serde_json::{Value, json};
use std::time::Duration;
use time::macros::datetime;

const PROVINCE: &str = "000.00.00.H80";
const EMAIL: &str = "an.nguyen@example.vn";
const PHONE: &str = "0987654321";

/// The pushes the portal took for `code`: `(service, status or progress state, appointment)`.
fn pushes(portal: &PortalStub, code: &str) -> Vec<(String, String, String)> {
    portal
        .accepted()
        .iter()
        .filter(|p| p["data"]["MaHoSo"] == code)
        .map(|p| {
            let d = &p["data"];
            let state = d["TrangThaiHoSo"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("step {}", d["TrangThai"]));
            (
                p["service"].as_str().unwrap().to_string(),
                state,
                d["NgayHenTra"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let seen = eventually(Duration::from_secs(60), || {
        let ok = done();
        async move { ok.then_some(()) }
    })
    .await;
    assert!(seen.is_some(), "never happened: {what}");
}

async fn start(
    portal: &PortalStub,
    mail: &MailSink,
    sms: &SmsStub,
    contacts: &std::path::Path,
) -> TestSystem {
    TestSystem::start_with(
        datetime!(2026-11-27 09:00 +07:00),
        &[
            ("MOTCUA_NATIONAL_PORTAL_URL", portal.url.clone()),
            ("MOTCUA_NATIONAL_PORTAL_TOKEN", "portal-credential".into()),
            ("MOTCUA_PROVINCE_CODE", PROVINCE.into()),
            ("MOTCUA_NATIONAL_PORTAL_TIMEOUT_MS", "1500".into()),
            ("MOTCUA_SMTP_ADDR", mail.addr.clone()),
            ("MOTCUA_SMTP_FROM", "motcua@tinh.example.vn".into()),
            ("MOTCUA_SMS_URL", sms.url.clone()),
            ("MOTCUA_SMS_API_KEY", "sms-key".into()),
            (
                "MOTCUA_AGENCY_CONTACTS_FILE",
                contacts.display().to_string(),
            ),
            (
                "MOTCUA_PUBLIC_LOOKUP_URL",
                "https://dichvucong.example.vn/tra-cuu?ma={code}".into(),
            ),
        ],
    )
    .await
    .unwrap()
}

/// The birth group at the counter, with the applicant's e-mail and phone.
async fn submit_group(sys: &TestSystem) -> String {
    let body = json!({
        "procedure_code": "DEMO.LT.63-1", "receiving_agency": OS, "channel": "counter",
        "applicant": {"type": "citizen", "full_name": "Nguyễn Văn An", "id_number": "080203001234",
                      "email": EMAIL, "phone": PHONE},
        "components": [{"code": "TK01", "form": "scanned"}, {"code": "GCSDT", "form": "scanned"}],
    });
    let (status, d) = post(sys, Intake, "/api/v1/dossiers", &officer(sys), "g-1", body).await;
    assert_eq!(status, 201, "{d}");
    d["code"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dossiers_life_reaches_the_national_portal_and_the_applicant_exactly_once_in_order() {
    let portal = PortalStub::start(PROVINCE, "portal-credential", Duration::from_secs(4)).await;
    let (mail, sms) = (MailSink::start().await, SmsStub::start("sms-key").await);
    let contacts =
        std::env::temp_dir().join(format!("motcua-contacts-{}.json", std::process::id()));
    std::fs::write(
        &contacts,
        json!({
            JUSTICE: {"email": "thutruong@tuphap.example.vn", "phone": "0900000001"},
            POLICE: {"email": "thutruong@congan.example.vn"},
        })
        .to_string(),
    )
    .unwrap();
    let sys = start(&portal, &mail, &sms, &contacts).await;
    let code = submit_group(&sys).await;
    let path = |p: &str| format!("/api/v1/dossiers/{code}/{p}");
    wait_for("forwarded, pushed as 4", || {
        pushes(&portal, &code).len() == 2
    })
    .await;

    // The portal goes down for a while: two refusals and one call it takes but answers too late.
    portal.fail_next(2);
    portal.hang_next(1);
    sms.fail_next(1);
    at(&sys, datetime!(2026-11-27 10:00 +07:00));
    let items = json!({"items": [{"component_code": "GCSDT", "reason": "Giấy chứng sinh không đọc được", "defect": "mờ"}]});
    let (status, r) = post(
        &sys,
        Intake,
        &path("supplement-requests"),
        &officer(&sys),
        "sr",
        items,
    )
    .await;
    assert_eq!(status, 200, "{r}");
    // Workflow has the request (the case waits) before the supplement comes, so "not paused"
    // below means resumed, not "not paused yet".
    let paused = eventually(Duration::from_secs(30), || {
        let (sys, code) = (&sys, &code);
        async move { (case(sys, code).await["state"] == "paused").then_some(()) }
    })
    .await;
    assert!(
        paused.is_some(),
        "workflow never had the supplement request"
    );
    at(&sys, datetime!(2026-11-27 11:00 +07:00));
    let supplement = json!({"components": [{"code": "GCSDT", "form": "scanned"}]});
    let (status, r) = post(
        &sys,
        Intake,
        &path("supplements"),
        &officer(&sys),
        "sup",
        supplement,
    )
    .await;
    assert_eq!(status, 200, "{r}");

    // Monday: the apology and new appointment, then the three agencies' steps and the result.
    at(&sys, datetime!(2026-11-30 09:00 +07:00));
    let resumed = eventually(Duration::from_secs(30), || {
        let (sys, code) = (&sys, &code);
        async move { (case(sys, code).await["state"] != "paused").then_some(()) }
    })
    .await;
    assert!(resumed.is_some(), "workflow never had the supplement");
    task_of(&sys, &code, JUSTICE).await;
    let head = sys.token(&["agency_head"], Some(JUSTICE), "head@justice");
    let apology = json!({"reason": "Cần xác minh thêm thông tin hộ tịch", "new_appointment": "2026-12-04T17:00:00+07:00"});
    let (status, r) = post(&sys, Workflow, &path("extensions"), &head, "ext", apology).await;
    assert_eq!(status, 201, "{r}");
    wait_status(&sys, &code, 4).await;
    finish(&sys, &code, JUSTICE).await;
    finish(&sys, &code, POLICE).await;
    finish(&sys, &code, INSURANCE).await;
    wait_status(&sys, &code, 9).await;
    let (status, r) = post(
        &sys,
        Intake,
        &path("result-return"),
        &officer(&sys),
        "ret",
        json!({"channel": "counter"}),
    )
    .await;
    assert_eq!(status, 200, "{r}");

    let expected: Vec<(&str, &str, &str)> = vec![
        ("DongBoHoSoMC", "2", ""),
        ("DongBoHoSoMC", "4", ""),
        ("DongBoHoSoMC", "5", ""),
        ("DongBoHoSoMC", "4", ""),
        ("DongBoHoSoMC", "4", "20261204170000"),
        ("CapNhatTienDoHoSoMC", "step 1", ""),
        ("CapNhatTienDoHoSoMC", "step 1", ""),
        ("CapNhatTienDoHoSoMC", "step 1", ""),
        ("DongBoHoSoMC", "9", "20261204170000"),
        ("DongBoHoSoMC", "10", "20261204170000"),
    ];
    wait_for("every push taken", || {
        pushes(&portal, &code).len() >= expected.len()
    })
    .await;
    let got = pushes(&portal, &code);
    let shape: Vec<(&str, &str)> = got
        .iter()
        .map(|(s, st, _)| (s.as_str(), st.as_str()))
        .collect();
    let want: Vec<(&str, &str)> = expected.iter().map(|(s, st, _)| (*s, *st)).collect();
    assert_eq!(shape, want, "the portal's pushes, in order, each once");
    for ((_, _, due), (_, _, want_due)) in got.iter().zip(&expected).skip(4) {
        if !want_due.is_empty() {
            assert_eq!(due, want_due, "the new appointment reaches the portal");
        }
    }
    assert_eq!(
        portal.rejected(),
        Vec::<String>::new(),
        "every push fits the mapping"
    );
    assert_eq!(portal.refused_calls(), 3);
    assert!(
        portal.duplicates() >= 1,
        "the hung push was retried with its key and taken once"
    );

    // The applicant: receipt, supplement request, apology, result ready; by e-mail and SMS.
    wait_for("the applicant's four e-mails", || {
        mail.mails().iter().filter(|m| m.to == [EMAIL]).count() >= 4
    })
    .await;
    wait_for("the applicant's four SMS", || {
        sms.messages().iter().filter(|m| m["to"] == PHONE).count() >= 4
    })
    .await;
    let mails: Vec<_> = mail
        .mails()
        .into_iter()
        .filter(|m| m.to == [EMAIL])
        .collect();
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            format!("Đã tiếp nhận hồ sơ {code}"),
            format!("Yêu cầu bổ sung hồ sơ {code}"),
            format!("Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}"),
            format!("Hồ sơ {code} đã có kết quả"),
        ]
    );
    assert!(
        mails[1]
            .body
            .contains("1. GCSDT: Giấy chứng sinh không đọc được (mờ)"),
        "{}",
        mails[1].body
    );
    assert!(
        mails[2].body.contains("17 giờ 00 phút, ngày 04/12/2026")
            && mails[2].body.contains("xác minh")
    );
    let link = format!("https://dichvucong.example.vn/tra-cuu?ma={code}");
    let texts: Vec<String> = sms
        .messages()
        .iter()
        .filter(|m| m["to"] == PHONE)
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts.len(), 4, "{texts:?}");
    assert!(
        texts[0].starts_with(&format!("Ho so {code} da tiep nhan"))
            && texts[3].contains("da co ket qua")
    );
    for text in mails.iter().map(|m| m.body.clone()).chain(texts) {
        assert!(text.contains(&link), "the lookup link: {text}");
        assert!(
            !text.contains("080203001234"),
            "never the ID number: {text}"
        );
    }
    let ids: std::collections::HashSet<_> = mails.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), 4, "four distinct notices");

    // The officer sees what the applicant was told, and that it reached them.
    let told = dossier(&sys, &code).await["notices"].clone();
    let told: Vec<(&str, &str, &str)> = told
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["template"].as_str().unwrap(),
                n["channel"].as_str().unwrap(),
                n["status"].as_str().unwrap(),
            )
        })
        .collect();
    let templates = ["receipt", "supplement_requested", "apology", "result_ready"];
    let want: Vec<(&str, &str, &str)> = templates
        .iter()
        .flat_map(|t| [(*t, "email", "sent"), (*t, "sms", "sent")])
        .collect();
    assert_eq!(told, want);

    heads_told_once_per_mark(&sys, &mail, &sms).await;
    stopped_when_the_window_passes(&sys, &portal, &sms).await;
    lag_shows_while_the_portal_is_down(&sys, &portal).await;
    sys.stop().await.unwrap();
    let _ = std::fs::remove_file(contacts);
}

/// Each near-due or overdue mark tells each responsible head with a contact once per channel.
async fn heads_told_once_per_mark(sys: &TestSystem, mail: &MailSink, sms: &SmsStub) {
    let marks: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, agency FROM workflow.deadline_alert WHERE kind IN ('near_due', 'overdue')",
    )
    .fetch_all(&mut sqlx_conn(sys).await)
    .await
    .unwrap();
    let per = |agency: &str| {
        marks
            .iter()
            .filter(|(_, a)| a.split(',').any(|x| x == agency))
            .count()
    };
    assert!(
        per(JUSTICE) > 0,
        "the same-day justice step was near its deadline: {marks:?}"
    );
    let to = |addr: &str| mail.mails().iter().filter(|m| m.to == [addr]).count();
    wait_for("the heads' notices", || {
        to("thutruong@tuphap.example.vn") == per(JUSTICE)
            && to("thutruong@congan.example.vn") == per(POLICE)
    })
    .await;
    wait_for("the justice head's SMS", || {
        sms.messages()
            .iter()
            .filter(|m| m["to"] == "0900000001")
            .count()
            == per(JUSTICE)
    })
    .await;
    let unsent: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM workflow.notice WHERE status <> 'sent')
              + (SELECT count(*) FROM intake.notice WHERE status <> 'sent' AND recipient IN ($1, $2))",
    )
    .bind(EMAIL)
    .bind(PHONE)
    .fetch_one(&mut sqlx_conn(sys).await)
    .await
    .unwrap();
    assert_eq!(
        unsent, 0,
        "every notice recorded as sent (the SMS refused once was retried)"
    );
}

/// A dossier whose supplement window passes is stopped: pushed as 8, the applicant told.
async fn stopped_when_the_window_passes(sys: &TestSystem, portal: &PortalStub, sms: &SmsStub) {
    at(sys, datetime!(2026-12-01 09:00 +07:00));
    let code = birth_at_counter(sys, "b-1").await;
    wait_for("the second dossier forwarded", || {
        pushes(portal, &code).len() == 2
    })
    .await;
    let items = json!({"items": [{"component_code": "GCS", "reason": "Thiếu giấy chứng sinh"}]});
    let (status, r) = post(
        sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/supplement-requests"),
        &officer(sys),
        "sr-b",
        items,
    )
    .await;
    assert_eq!(status, 200, "{r}");
    at(sys, datetime!(2027-01-05 09:00 +07:00));
    wait_status(sys, &code, 8).await;
    wait_for("pushed as stopped", || pushes(portal, &code).len() == 4).await;
    let states: Vec<String> = pushes(portal, &code).into_iter().map(|p| p.1).collect();
    assert_eq!(states, ["2", "4", "5", "8"]);
    let stop = format!("Ho so {code} da dung giai quyet");
    wait_for("the stop SMS", || {
        sms.messages()
            .iter()
            .any(|m| m["text"].as_str().unwrap_or_default().starts_with(&stop))
    })
    .await;
    let told: Vec<Value> = sms
        .messages()
        .into_iter()
        .filter(|m| m["to"] == "0912345678")
        .collect();
    assert_eq!(told.len(), 3, "receipt, supplement request, stop: {told:?}");
    for m in &told {
        let text = m["text"].as_str().unwrap_or_default();
        assert!(
            text.is_ascii() && text.len() <= 160,
            "one plain SMS: {text}"
        );
    }
}

/// Intake's `/readyz` detail and `/metrics` show the portal's sync lag: growing while the portal
/// refuses, back to 0 once it takes the push; no dead letter.
async fn lag_shows_while_the_portal_is_down(sys: &TestSystem, portal: &PortalStub) {
    let portal_detail = || async {
        let r = sys.http.get(sys.url(Intake, "/readyz")).send().await.ok()?;
        let v: Value = r.json().await.ok()?;
        Some(v["detail"]["outbox"]["national_portal"].clone())
    };
    portal.fail_next(u32::MAX);
    let code = birth_at_counter(sys, "lag-1").await;
    let behind = eventually(Duration::from_secs(30), || async {
        let d = portal_detail().await?;
        (d["oldest_pending_seconds"].as_f64()? >= 1.0).then_some(d)
    })
    .await
    .expect("the lag grows while the portal refuses");
    assert_eq!(behind["dead_letters"], 0);
    let metrics = sys.text(Intake, "/metrics").await;
    assert!(
        metrics.contains("motcua_outbox_oldest_pending_seconds{source=\"intake\",destination=\"national_portal\"}"),
        "the gauge"
    );
    portal.fail_next(0);
    wait_for("the pushes taken once the portal is back", || {
        pushes(portal, &code).len() == 2
    })
    .await;
    let caught_up = eventually(Duration::from_secs(30), || async {
        let d = portal_detail().await?;
        (d["oldest_pending_seconds"].as_f64()? == 0.0).then_some(())
    })
    .await;
    assert!(caught_up.is_some(), "the lag returns to 0");
}
