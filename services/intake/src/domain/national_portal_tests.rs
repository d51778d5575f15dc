//! The national portal's documents, field by field.

use super::*;
use crate::domain::fixtures::dossier;
use crate::domain::status::DossierStatus;
use time::macros::datetime;

fn portal_dossier() -> PortalDossier {
    let mut d = dossier(DossierStatus::ResultReturned);
    d.applicant.phone = Some("0912345678".into());
    d.receipt = json!({
        "procedure_name": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "receiving_agency_name": "UBND phường An Hòa",
        "components": [{"code": "TK", "name": "Tờ khai đăng ký khai sinh"}],
    });
    PortalDossier {
        dossier: d,
        files: vec![SubmittedFile {
            component_code: "TK".into(),
            name: "to-khai.pdf".into(),
            sha256: "ab".repeat(32),
        }],
        supplement: Some(SupplementRound {
            requested_by: "officer-1".into(),
            requested_at: datetime!(2026-11-27 09:30 +07:00),
            items: json!([{"component_code": "GCS", "reason": "bản chụp mờ"}]),
            due_before: datetime!(2026-11-27 17:00 +07:00),
            due_after: Some(datetime!(2026-11-30 10:00 +07:00)),
            answered_at: Some(datetime!(2026-11-30 08:00 +07:00)),
            expired_at: None,
        }),
        history: vec![
            HistoryLine {
                action: "request_financial_obligation".into(),
                at: datetime!(2026-11-30 09:00 +07:00),
                detail: json!({"items": [{"name": "Lệ phí", "amount_vnd": 50000}]}),
            },
            HistoryLine {
                action: "complete".into(),
                at: datetime!(2026-11-30 15:00 +07:00),
                detail: json!({}),
            },
            HistoryLine {
                action: "return_result".into(),
                at: datetime!(2026-12-01 08:05:09 +07:00),
                detail: json!({"channel": "counter"}),
            },
        ],
    }
}

#[test]
fn times_are_province_time_in_the_portals_format() {
    assert_eq!(
        portal_time(datetime!(2026-11-27 02:03:04 UTC)),
        "20261127090304"
    );
}

#[test]
fn the_dossier_document_carries_every_field_of_the_mapping() {
    let doc = dossier_sync(&portal_dossier(), "000.00.00.H80", false);
    assert_eq!(doc["service"], "DongBoHoSoMC");
    assert_eq!(doc["isUpdating"], true);
    assert_eq!(doc["madonvi"], "000.00.00.H80");
    let d = &doc["data"][0];
    assert_eq!(d["MaHoSo"], "000.25.80.H80-261127-0001");
    assert_eq!(d["TenTTHC"], "Đăng ký khai sinh");
    assert_eq!(d["TenLinhVuc"], "Hộ tịch");
    assert_eq!(d["KenhThucHien"], 1);
    assert_eq!(
        (d["LoaiDoiTuong"].clone(), d["MaDoiTuong"].clone()),
        (json!(1), json!("080203001234"))
    );
    assert_eq!(d["SoDienThoai"], "0912345678");
    assert_eq!(d["NgayTiepNhan"], "20261127090000");
    assert_eq!(d["NgayHenTra"], "20261127170000");
    assert_eq!(d["TrangThaiHoSo"], "10");
    assert_eq!(d["NgayTra"], "20261201080509");
    assert_eq!(d["ThongTinTra"], "counter");
    assert_eq!(d["NgayKetThucXuLy"], "20261130150000");
    assert_eq!(
        d["TaiLieuNop"][0]["TenThanhPhanHoSo"],
        "Tờ khai đăng ký khai sinh"
    );
    assert_eq!(
        d["DanhSachLePhi"],
        json!([{"TenPhiLePhi": "Lệ phí", "Gia": 50000}])
    );
    let s = &d["DanhSachHoSoBoSung"][0];
    assert_eq!(s["NoiDungBoSung"], "GCS: bản chụp mờ");
    assert_eq!(
        (s["TrangThaiBoSung"].clone(), s["NgayHenTraMoi"].clone()),
        (json!(1), json!("20261130100000"))
    );
}

#[test]
fn a_first_push_creates_and_an_unanswered_round_is_open() {
    let mut p = portal_dossier();
    p.history.clear();
    let s = p.supplement.as_mut().unwrap();
    (s.answered_at, s.due_after) = (None, None);
    let doc = dossier_sync(&p, "X", true);
    assert_eq!(doc["isUpdating"], false);
    let d = &doc["data"][0];
    assert_eq!(
        (d["NgayTra"].clone(), d["NgayKetThucXuLy"].clone()),
        (json!(""), json!(""))
    );
    assert_eq!(d["DanhSachHoSoBoSung"][0]["TrangThaiBoSung"], 0);
}

#[test]
fn a_step_done_is_a_progress_line_with_its_deadline() {
    let step = motcua_events::StepChanged {
        dossier_code: "C".into(),
        task_id: "t".into(),
        step: "Đăng ký thường trú".into(),
        agency: "police".into(),
        from_agency: None,
        by: "cutru-1".into(),
        outcome: "done".into(),
        at: datetime!(2026-11-28 10:00 +07:00),
        deadline: Some(datetime!(2026-11-30 17:00 +07:00)),
        timeliness: Some("early".into()),
        lateness_minutes: None,
        started_at: Some(datetime!(2026-11-27 09:00 +07:00)),
    };
    let doc = progress(&step, "X");
    let line = &doc["data"][0];
    assert_eq!(doc["service"], "CapNhatTienDoHoSoMC");
    assert_eq!(line["TrangThai"], 1);
    assert_eq!(line["NgayBatDau"], "20261127090000");
    assert_eq!(line["NgayKetThucTheoQuyDinh"], "20261130170000");
    assert_eq!(line["PhongBanXuLy"], "police");
}
