//! Sample forms with Vietnamese data, shared by the integration tests, so that the PDF and
//! HTML tests check the same values: one dossier of "Đăng ký khai sinh" received by "UBND
//! phường Bến Nghé" from "Nguyễn Thị Hồng Nhung", followed through every form.

#![allow(dead_code)] // each test binary uses some of the samples

use motcua_forms::{
    ApologyForm04, Applicant, ControlSlipForm06, Issuer, ReceiptForm01, ReceivedComponent,
    RefusalForm03, SlipRow, StopCause, StopNoticeForm05, SupplementLine, SupplementRequestForm02,
};
use time::macros::datetime;

/// The dossier code every sample is about.
pub const CODE: &str = "000.25.80.H80-261127-0001";
/// The receiving one-stop.
pub const AGENCY: &str = "UBND phường Bến Nghé";
/// Its parent body.
pub const PARENT: &str = "UBND Quận 1";
/// Its place.
pub const PLACE: &str = "TP. Hồ Chí Minh";
/// The applicant.
pub const APPLICANT: &str = "Nguyễn Thị Hồng Nhung";
/// The procedure.
pub const PROCEDURE: &str = "Đăng ký khai sinh";

/// The receiving one-stop as issuer.
pub fn issuer() -> Issuer {
    Issuer {
        agency_code: "000.25.80.H80".into(),
        agency_name: AGENCY.into(),
        parent_name: Some(PARENT.into()),
        place: Some(PLACE.into()),
    }
}

/// The applicant with every contact detail.
pub fn applicant() -> Applicant {
    Applicant {
        name: APPLICANT.into(),
        address: Some("Số 12 Lê Lợi, phường Bến Nghé, Quận 1".into()),
        phone: Some("0901234567".into()),
        email: Some("nhung.nguyen@example.vn".into()),
    }
}

/// Form 01: received online-side at 07:05 UTC (14 giờ 05 phút), due 4 December 17:00.
pub fn receipt() -> ReceiptForm01 {
    ReceiptForm01 {
        issuer: issuer(),
        dossier_code: CODE.into(),
        procedure_code: "1.001193".into(),
        procedure_name: PROCEDURE.into(),
        applicant: applicant(),
        channel: "counter".into(),
        components: vec![
            ReceivedComponent {
                name: "Tờ khai đăng ký khai sinh".into(),
                form: "paper".into(),
                originals: Some(1),
                copies: None,
                files: 0,
            },
            ReceivedComponent {
                name: "Giấy chứng sinh".into(),
                form: "scanned".into(),
                originals: None,
                copies: None,
                files: 2,
            },
            ReceivedComponent {
                name: "Căn cước".into(),
                form: "electronic".into(),
                originals: None,
                copies: None,
                files: 1,
            },
            ReceivedComponent {
                name: "Giấy đăng ký kết hôn".into(),
                form: "paper".into(),
                originals: None,
                copies: Some(2),
                files: 0,
            },
        ],
        received_at: datetime!(2026-11-27 07:05 UTC),
        due_at: datetime!(2026-12-04 17:00 +07:00),
        due_provisional: false,
        received_by: "Trần Văn Bình".into(),
        issued_at: datetime!(2026-11-27 07:05 UTC),
    }
}

/// Form 02: two items to supplement, by 11 December 17:00.
pub fn supplement() -> SupplementRequestForm02 {
    SupplementRequestForm02 {
        issuer: issuer(),
        dossier_code: CODE.into(),
        procedure_name: PROCEDURE.into(),
        applicant: applicant(),
        received_at: datetime!(2026-11-27 07:05 UTC),
        requested_at: datetime!(2026-11-28 08:05 +07:00),
        items: vec![
            SupplementLine {
                component_code: "TK01".into(),
                component_name: Some("Tờ khai đăng ký khai sinh".into()),
                reason: "Thiếu chữ ký của người đi khai".into(),
                defect: Some("Ô chữ ký để trống".into()),
            },
            SupplementLine {
                component_code: "GCS".into(),
                component_name: Some("Giấy chứng sinh".into()),
                reason: "Bản chụp không rõ nét".into(),
                defect: None,
            },
        ],
        supplement_deadline: datetime!(2026-12-11 10:00 UTC),
        requested_by: "Trần Văn Bình".into(),
    }
}

/// Form 03: two reasons.
pub fn refusal() -> RefusalForm03 {
    RefusalForm03 {
        issuer: issuer(),
        dossier_code: CODE.into(),
        procedure_name: PROCEDURE.into(),
        applicant: applicant(),
        received_at: datetime!(2026-11-27 07:05 UTC),
        refused_at: datetime!(2026-11-27 08:30 UTC),
        reasons: vec![
            "Trẻ đã được đăng ký khai sinh tại nơi khác".into(),
            "Người đi khai không có giấy ủy quyền".into(),
        ],
        refused_by: "Trần Văn Bình".into(),
    }
}

/// Form 04: the justice office runs late, from 4 to 9 December.
pub fn apology() -> ApologyForm04 {
    ApologyForm04 {
        issuer: Issuer {
            agency_code: "000.30.80.H80".into(),
            agency_name: "Phòng Tư pháp Quận 1".into(),
            parent_name: Some(PARENT.into()),
            place: Some(PLACE.into()),
        },
        dossier_code: CODE.into(),
        procedure_name: PROCEDURE.into(),
        applicant: applicant(),
        received_at: datetime!(2026-11-27 07:05 UTC),
        due_before: datetime!(2026-12-04 17:00 +07:00),
        due_after: datetime!(2026-12-09 02:30 UTC),
        reason: "Cần xác minh thông tin cư trú của người mẹ".into(),
        signed_by: "Lê Minh Tâm".into(),
        issued_at: datetime!(2026-12-03 09:00 +07:00),
    }
}

/// Form 05 with `cause`, stopped on 14 December at 08:00.
pub fn stop_notice(cause: StopCause) -> StopNoticeForm05 {
    StopNoticeForm05 {
        issuer: issuer(),
        dossier_code: CODE.into(),
        procedure_name: PROCEDURE.into(),
        applicant: applicant(),
        received_at: datetime!(2026-11-27 07:05 UTC),
        stopped_at: datetime!(2026-12-14 01:00 UTC),
        cause,
        signed_by: "Trần Văn Bình".into(),
    }
}

/// Form 06: two handovers, the first late.
pub fn control_slip() -> ControlSlipForm06 {
    ControlSlipForm06 {
        issuer: issuer(),
        dossier_code: CODE.into(),
        procedure_name: PROCEDURE.into(),
        applicant_name: APPLICANT.into(),
        received_at: datetime!(2026-11-27 07:05 UTC),
        due_at: datetime!(2026-12-04 17:00 +07:00),
        rows: vec![
            SlipRow {
                at: datetime!(2026-11-27 07:30 UTC),
                from_agency: "Một cửa".into(),
                from_person: Some("Bình".into()),
                to_agency: "Tư pháp".into(),
                to_person: Some("Hà".into()),
                step_name: "Thẩm định".into(),
                step_deadline: Some(datetime!(2026-11-28 17:00 +07:00)),
                result: Some("late".into()),
            },
            SlipRow {
                at: datetime!(2026-11-30 01:05 UTC),
                from_agency: "Tư pháp".into(),
                from_person: None,
                to_agency: "Lãnh đạo".into(),
                to_person: Some("Tâm".into()),
                step_name: "Ký duyệt".into(),
                step_deadline: None,
                result: Some("early".into()),
            },
        ],
        late_steps: vec![("Thẩm định".into(), "Phòng Tư pháp Quận 1".into())],
    }
}

/// `s` with every run of whitespace made one space, as extracted text is compared.
pub fn collapsed(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asserts that `haystack` (collapsed) contains `needle` (collapsed), showing the text when not.
#[track_caller]
pub fn assert_says(haystack: &str, needle: &str) {
    let (h, n) = (collapsed(haystack), collapsed(needle));
    assert!(h.contains(&n), "expected {n:?} in the text:\n{h}");
}
