//! The dossier's forms as documents (issue 17), through the running system: forms 01–06 as
//! PDFs whose text, extracted with poppler's `pdftotext`, carries every field with its
//! diacritics and the dates as the circular writes them; the receipt signed with the one-stop's
//! key as `pdfsig` verifies it, and a copy with one byte changed no longer verifying; an agency
//! without a key answering `signing_key_missing` while its HTML is still served.

use crate::workflow_support::*;
use motcua_config::ServiceName::{self, Intake, Workflow};
use motcua_e2e::{TestSystem, get, post};
use std::process::Command;
use time::macros::datetime;

/// A system whose documents are signed by agencies' keys from a test authority in `dir`.
async fn signing_system(dir: &std::path::Path) -> TestSystem {
    motcua_signing::generate_test_authority(dir).expect("test authority");
    TestSystem::start_with(
        datetime!(2026-11-27 09:00 +07:00),
        &[("MOTCUA_SIGNING_DIR", dir.display().to_string())],
    )
    .await
    .expect("system")
}

/// `GET path` with `Accept: accept`: the status, the content type and the bytes.
async fn fetch(
    sys: &TestSystem,
    name: ServiceName,
    path: &str,
    token: &str,
    accept: &str,
) -> (u16, String, Vec<u8>) {
    let res = sys
        .http
        .get(sys.url(name, path))
        .bearer_auth(token)
        .header("accept", accept)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, kind, res.bytes().await.expect("body").to_vec())
}

/// A PDF the service answered 200 with.
async fn pdf(sys: &TestSystem, name: ServiceName, path: &str, token: &str) -> Vec<u8> {
    let (status, kind, body) = fetch(sys, name, path, token, "application/pdf").await;
    assert_eq!(
        (status, kind.as_str()),
        (200, "application/pdf"),
        "{path}: {}",
        String::from_utf8_lossy(&body)
    );
    assert!(body.starts_with(b"%PDF-"), "{path} is not a PDF");
    body
}

/// Runs a poppler tool on `bytes` written to a file; its standard output and error.
fn poppler(tool: &str, args: &[&str], bytes: &[u8]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("form.pdf");
    std::fs::write(&file, bytes).expect("write pdf");
    let out = Command::new(tool)
        .args(args)
        .arg(&file)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{tool} could not run ({e}): install poppler-utils (apt-get install poppler-utils)"
            )
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The PDF's text as `pdftotext` extracts it, whitespace collapsed to single spaces.
fn text_of(bytes: &[u8]) -> String {
    let (ok, text) = poppler("pdftotext", &["-enc", "UTF-8"], bytes);
    assert!(ok, "pdftotext failed: {text}");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asserts every one of `wanted` is in `text`.
fn has_all(what: &str, text: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(text.contains(w), "{what} lacks {w:?}; its text: {text}");
    }
}

/// Asserts every word of each of `wanted` is a word of `text`: for a table's cells, whose
/// wrapped lines `pdftotext` interleaves with their neighbours'.
fn has_words(what: &str, text: &str, wanted: &[&str]) {
    let words: std::collections::HashSet<&str> = text.split_whitespace().collect();
    for w in wanted.iter().flat_map(|w| w.split_whitespace()) {
        assert!(
            words.contains(w),
            "{what} lacks the word {w:?}; its text: {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receipt_is_a_pdf_signed_by_the_one_stop_and_a_changed_copy_no_longer_verifies() {
    let keys = tempfile::tempdir().expect("temp dir");
    let sys = signing_system(keys.path()).await;
    at(&sys, datetime!(2026-11-27 14:05 +07:00));
    let code = birth_at_counter(&sys, "r1").await;
    let path = format!("/api/v1/dossiers/{code}/receipt");
    let receipt = pdf(&sys, Intake, &path, &officer(&sys)).await;
    let text = text_of(&receipt);
    let (_, stored) = get(&sys, Intake, &path, &officer(&sys)).await;
    let due = time::OffsetDateTime::parse(
        stored["due_at"].as_str().expect("due_at"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("due_at is RFC 3339")
    .to_offset(time::macros::offset!(+7));
    let due_time = format!("{:02} giờ {:02} phút", due.hour(), due.minute());
    let due_date = format!(
        "{:02}/{:02}/{}",
        due.day(),
        u8::from(due.month()),
        due.year()
    );
    has_all(
        "form 01",
        &text,
        &[
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            &code,
            "Nguyễn Văn An",
            "phường Long An",
            "0912345678",
            "Thủ tục đăng ký khai sinh",
            "Tờ khai đăng ký khai sinh",
            "Giấy chứng sinh",
            "14 giờ 05 phút",
            "27/11/2026",
            &due_time,
            &due_date,
            "officer-1",
        ],
    );
    has_all(
        "form 01's heading",
        &text.to_uppercase(),
        &["TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG LONG AN"],
    );

    let (ok, verdict) = poppler("pdfsig", &[], &receipt);
    assert!(ok, "pdfsig: {verdict}");
    has_all(
        "pdfsig of the receipt",
        &verdict,
        &[
            "Signature is Valid",
            "Trung tâm Phục vụ hành chính công phường Long An",
        ],
    );
    // One byte of the signed content changed: the file still opens, the signature fails.
    let mut changed = receipt.clone();
    let at = find(&changed, b"stream").expect("a content stream") + 20;
    changed[at] ^= 0x01;
    let (_, verdict) = poppler("pdfsig", &[], &changed);
    assert!(
        !verdict.contains("Signature is Valid"),
        "a modified copy verified: {verdict}"
    );
    assert!(
        verdict.contains("Signature #1"),
        "pdfsig no longer finds the signature: {verdict}"
    );

    // The same form for the screen.
    let (status, kind, html) = fetch(&sys, Intake, &path, &officer(&sys), "text/html").await;
    let html = String::from_utf8_lossy(&html);
    assert_eq!((status, kind.starts_with("text/html")), (200, true));
    has_all(
        "form 01 as HTML",
        &html,
        &["Nguyễn Văn An", &code, &due_date],
    );
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_02_03_and_05_carry_the_reasons_and_dates_of_the_change_that_issued_them() {
    let keys = tempfile::tempdir().expect("temp dir");
    let sys = signing_system(keys.path()).await;
    let officer = officer(&sys);
    let form = |code: &str, n: &str| format!("/api/v1/dossiers/{code}/forms/{n}");
    let act = |code: &str, what: &str| format!("/api/v1/dossiers/{code}/{what}");

    // 02: the supplement request, every item with its reason and defect, and the deadline.
    let asked = birth_at_counter(&sys, "s1").await;
    let (status, _, p) = fetch(
        &sys,
        Intake,
        &form(&asked, "02"),
        &officer,
        "application/pdf",
    )
    .await;
    assert_eq!(status, 404, "{}", String::from_utf8_lossy(&p));
    let items = serde_json::json!({"items": [
        {"component_code": "GCS", "reason": "Giấy chứng sinh bị mờ", "defect": "không đọc được số"},
        {"component_code": "HTSS", "reason": "Cần văn bản của cơ sở y tế"}]});
    let (status, r) = post(
        &sys,
        Intake,
        &act(&asked, "supplement-requests"),
        &officer,
        "k2",
        items,
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let (_, json) = get(&sys, Intake, &form(&asked, "02"), &officer).await;
    let deadline = time::OffsetDateTime::parse(
        json["body"]["supplement_deadline"]
            .as_str()
            .expect("deadline"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339");
    let deadline = format!(
        "{:02}/{:02}/{}",
        deadline.day(),
        u8::from(deadline.month()),
        deadline.year()
    );
    let text = text_of(&pdf(&sys, Intake, &form(&asked, "02"), &officer).await);
    has_all(
        "form 02",
        &text,
        &[
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            &asked,
            "Nguyễn Văn An",
            "Giấy chứng sinh bị mờ",
            "không đọc được số",
            "Cần văn bản của cơ sở y tế",
            &deadline,
        ],
    );
    let (status, p) = get(&sys, Intake, &form(&asked, "03"), &officer).await;
    assert_eq!((status, p["code"].as_str()), (404, Some("form_not_issued")));
    let (status, p) = get(&sys, Intake, &form(&asked, "07"), &officer).await;
    assert_eq!((status, p["code"].as_str()), (404, Some("form_not_issued")));

    // 03: the refusal with every reason.
    let refused = birth_at_counter(&sys, "s2").await;
    let reasons = serde_json::json!({"reasons": ["Hồ sơ không thuộc thẩm quyền giải quyết", "Người yêu cầu không đủ điều kiện"]});
    let (status, r) = post(
        &sys,
        Intake,
        &act(&refused, "refusal"),
        &officer,
        "k3",
        reasons,
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let text = text_of(&pdf(&sys, Intake, &form(&refused, "03"), &officer).await);
    has_all(
        "form 03",
        &text,
        &[
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            &refused,
            "Hồ sơ không thuộc thẩm quyền giải quyết",
            "Người yêu cầu không đủ điều kiện",
            "27/11/2026",
        ],
    );

    // 05: the stop at the applicant's request, with the reason.
    let stopped = birth_at_counter(&sys, "s3").await;
    let why = serde_json::json!({"reason": "Gia đình đã đăng ký tại nơi khác"});
    let (status, r) = post(
        &sys,
        Intake,
        &act(&stopped, "withdrawal"),
        &officer,
        "k5",
        why,
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let text = text_of(&pdf(&sys, Intake, &form(&stopped, "05"), &officer).await);
    has_all(
        "form 05",
        &text,
        &[
            &stopped,
            "Gia đình đã đăng ký tại nơi khác",
            "Nguyễn Văn An",
        ],
    );
    assert!(
        text.to_uppercase().contains("DỪNG GIẢI QUYẾT"),
        "form 05's title: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apology_is_signed_by_the_agency_running_late_and_the_control_slip_lists_each_handover()
{
    let keys = tempfile::tempdir().expect("temp dir");
    let sys = signing_system(keys.path()).await;
    let code = submit(&sys, "a1", "DEMO.LT.63-1", &["TK01", "GCSDT"], false).await;
    let code = code["code"].as_str().expect("code").to_string();
    task_of(&sys, &code, JUSTICE).await;
    let head = sys.token(&["agency_head"], Some(JUSTICE), "head@justice");
    let body = serde_json::json!({"reason": "Cần xác minh thêm thông tin hộ tịch", "new_appointment": "2026-12-04T17:00:00+07:00"});
    at(&sys, datetime!(2026-11-30 09:00 +07:00));
    let path = format!("/api/v1/dossiers/{code}/extensions");
    let (status, granted) = post(&sys, Workflow, &path, &head, "e1", body).await;
    assert_eq!(status, 201, "{granted}");
    let form04 = format!("/api/v1/dossiers/{code}/forms/04");
    let issued = motcua_e2e::eventually(std::time::Duration::from_secs(10), || {
        let sys = &sys;
        let form04 = form04.clone();
        async move {
            let (status, _) = get(sys, Intake, &form04, &officer(sys)).await;
            (status == 200).then_some(())
        }
    })
    .await;
    assert!(issued.is_some(), "form 04 was never issued");
    let apology = pdf(&sys, Intake, &form04, &officer(&sys)).await;
    let text = text_of(&apology);
    has_all(
        "form 04",
        &text,
        &[
            "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            &code,
            "Cần xác minh thêm thông tin hộ tịch",
            "17 giờ 00 phút",
            "04/12/2026",
            "02/12/2026",
            "xin lỗi",
        ],
    );
    let (ok, verdict) = poppler("pdfsig", &[], &apology);
    assert!(ok, "pdfsig: {verdict}");
    has_all(
        "pdfsig of form 04",
        &verdict,
        &["Signature is Valid", "công chức tư pháp - hộ tịch"],
    );

    // Form 06 once the birth step is done: each handover with its agencies and verdict.
    finish(&sys, &code, JUSTICE).await;
    let slip_path = format!("/api/v1/dossiers/{code}/handovers");
    let text = text_of(&pdf(&sys, Workflow, &slip_path, &officer(&sys)).await);
    has_all(
        "form 06",
        &text,
        &[
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            &code,
            "Nguyễn Văn An",
            "Trung tâm Phục vụ hành chính công phường Long An",
            "Đăng ký khai sinh",
            "09 giờ 00 phút, ngày 27/11/2026",
        ],
    );
    // The rows: from the one-stop to the justice officer, then from justice to the police
    // and the insurance office, each step judged.
    has_words(
        "form 06's rows",
        &text,
        &[
            "UBND phường Long An — công chức tư pháp - hộ tịch",
            "Công an phường Long An (quản lý cư trú)",
            "Bảo hiểm xã hội cơ sở",
            "Đúng hạn",
            "30/11/2026",
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_without_a_key_answers_signing_key_missing_and_still_prints_html() {
    // A signing folder with no key and no test authority.
    let keys = tempfile::tempdir().expect("temp dir");
    let sys = TestSystem::start_with(
        datetime!(2026-11-27 09:00 +07:00),
        &[("MOTCUA_SIGNING_DIR", keys.path().display().to_string())],
    )
    .await
    .expect("system");
    let code = birth_at_counter(&sys, "n1").await;
    let path = format!("/api/v1/dossiers/{code}/receipt");
    let (status, _, body) = fetch(&sys, Intake, &path, &officer(&sys), "application/pdf").await;
    let p: serde_json::Value = serde_json::from_slice(&body).expect("problem json");
    assert_eq!(
        (status, p["code"].as_str()),
        (503, Some("signing_key_missing"))
    );
    let (status, _, html) = fetch(&sys, Intake, &path, &officer(&sys), "text/html").await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&html).contains("Nguyễn Văn An"));
}
