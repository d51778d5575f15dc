//! The national public-service portal's view of a dossier (đồng bộ hồ sơ lên Cổng Dịch vụ công
//! quốc gia): the portal's dossier-sync document (`DongBoHoSoMC`) built from a dossier as it
//! stands after a change, and its progress document (`CapNhatTienDoHoSoMC`) for one step done.
//! Field names and formats are the portal's (`docs/national-portal.md` maps each one); times
//! are Asia/Ho_Chi_Minh as `yyyyMMddHHmmss`. Pure: the store loads, this decides.

use super::dossier::{ApplicantType, Channel, Dossier};
use serde_json::{Value, json};
use time::OffsetDateTime;

/// Event type of a dossier-sync push (the outbox routes it to `DongBoHoSoMC`).
pub const DOSSIER_SYNC: &str = "national_portal.dossier_sync";
/// Event type of a progress push (routed to `CapNhatTienDoHoSoMC`).
pub const PROGRESS: &str = "national_portal.progress";
/// The portal's service names, by event type: the HTTP path of each push.
pub const ROUTES: [(&str, &str); 2] = [
    (DOSSIER_SYNC, "DongBoHoSoMC"),
    (PROGRESS, "CapNhatTienDoHoSoMC"),
];

/// A file handed in, as the portal lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmittedFile {
    /// The component it belongs to.
    pub component_code: String,
    /// File name.
    pub name: String,
    /// Its sha256 (the file's identity).
    pub sha256: String,
}

/// One line of the dossier's history (action, when, details).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryLine {
    /// The action (`request_financial_obligation`, `complete`, `return_result`…).
    pub action: String,
    /// When.
    pub at: OffsetDateTime,
    /// Its recorded details.
    pub detail: Value,
}

/// The supplement round, if one was requested (only one ever is).
#[derive(Debug, Clone, PartialEq)]
pub struct SupplementRound {
    /// Who asked.
    pub requested_by: String,
    /// When.
    pub requested_at: OffsetDateTime,
    /// The items, as stored (`component_code`, `reason`…).
    pub items: Value,
    /// The appointment before the request.
    pub due_before: OffsetDateTime,
    /// The appointment after the applicant supplemented.
    pub due_after: Option<OffsetDateTime>,
    /// When the applicant supplemented.
    pub answered_at: Option<OffsetDateTime>,
    /// When the window closed unanswered.
    pub expired_at: Option<OffsetDateTime>,
}

/// Everything the portal's document is built from: the dossier after the change.
#[derive(Debug, Clone, PartialEq)]
pub struct PortalDossier {
    /// The dossier (its receipt carries the procedure's and agency's names).
    pub dossier: Dossier,
    /// The files handed in, in order.
    pub files: Vec<SubmittedFile>,
    /// The supplement round.
    pub supplement: Option<SupplementRound>,
    /// The history, oldest first.
    pub history: Vec<HistoryLine>,
}

/// `yyyyMMddHHmmss` in province time, the portal's time format.
pub fn portal_time(t: OffsetDateTime) -> String {
    motcua_calendar::local_compact(t)
}

fn opt_time(t: Option<OffsetDateTime>) -> String {
    t.map(portal_time).unwrap_or_default()
}

const fn channel_code(c: Channel) -> u8 {
    match c {
        Channel::Counter => 1,
        Channel::Online => 2,
        Channel::Postal => 3,
    }
}

/// The dossier-sync push: `{madonvi, service, isUpdating, data: [document]}`. `first` is the
/// dossier's first push (the portal creates the record; later pushes replace it).
pub fn dossier_sync(p: &PortalDossier, province: &str, first: bool) -> Value {
    json!({
        "madonvi": province,
        "service": "DongBoHoSoMC",
        "isUpdating": !first,
        "data": [document(p)],
    })
}

fn last<'a>(p: &'a PortalDossier, action: &str) -> Option<&'a HistoryLine> {
    p.history.iter().rev().find(|h| h.action == action)
}

fn document(p: &PortalDossier) -> Value {
    let d = &p.dossier;
    let r = &d.receipt;
    let returned = last(p, "return_result");
    let names: Vec<(&str, &str)> = r["components"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        c["code"].as_str().unwrap_or_default(),
                        c["name"].as_str().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "MaHoSo": d.code,
        "MaTTHC": d.procedure_code,
        "TenTTHC": r["procedure_name"].as_str().unwrap_or_default(),
        "MaLinhVuc": "",
        "TenLinhVuc": r["field"].as_str().unwrap_or_default(),
        "KenhThucHien": channel_code(d.channel),
        "ChuHoSo": d.applicant.full_name,
        "LoaiDoiTuong": match d.applicant.kind { ApplicantType::Citizen => 1, ApplicantType::Organisation => 2 },
        "MaDoiTuong": d.applicant.id_number,
        "SoDienThoai": d.applicant.phone.clone().unwrap_or_default(),
        "Email": d.applicant.email.clone().unwrap_or_default(),
        "DiaChi": d.applicant.address.clone().unwrap_or_default(),
        "TrichYeuHoSo": r["procedure_name"].as_str().unwrap_or_default(),
        "NgayTiepNhan": portal_time(d.received_at),
        "NgayHenTra": portal_time(d.due.at),
        "TrangThaiHoSo": d.status.code().to_string(),
        "NgayTra": opt_time(returned.map(|h| h.at)),
        "ThongTinTra": returned.and_then(|h| h.detail["channel"].as_str()).unwrap_or_default(),
        "NgayKetThucXuLy": opt_time(last(p, "complete").map(|h| h.at)),
        "DonViXuLy": d.receiving_agency,
        "TenDonViXuLy": r["receiving_agency_name"].as_str().unwrap_or_default(),
        "TaiLieuNop": p.files.iter().map(|f| json!({
            "MaThanhPhanHoSo": f.component_code,
            "TenThanhPhanHoSo": names.iter().find(|(c, _)| *c == f.component_code).map(|(_, n)| *n).unwrap_or_default(),
            "TenTepDinhKem": f.name,
            "TepDinhKemId": f.sha256,
        })).collect::<Vec<_>>(),
        "DanhSachLePhi": fees(p),
        "DanhSachHoSoBoSung": p.supplement.iter().map(supplement).collect::<Vec<_>>(),
        "DanhSachGiayToKetQua": Vec::<Value>::new(),
    })
}

fn fees(p: &PortalDossier) -> Vec<Value> {
    p.history
        .iter()
        .filter(|h| h.action == "request_financial_obligation")
        .flat_map(|h| h.detail["items"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            json!({
                "TenPhiLePhi": f["name"].as_str().unwrap_or_default(),
                "Gia": f["amount_vnd"].as_u64().unwrap_or_default(),
            })
        })
        .collect()
}

fn supplement(s: &SupplementRound) -> Value {
    let content: Vec<String> = s
        .items
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    format!(
                        "{}: {}",
                        i["component_code"].as_str().unwrap_or_default(),
                        i["reason"].as_str().unwrap_or_default()
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let state = match (s.answered_at, s.expired_at) {
        (Some(_), _) => 1,
        (None, Some(_)) => 2,
        (None, None) => 0,
    };
    json!({
        "NguoiYeuCauBoSung": s.requested_by,
        "NoiDungBoSung": content.join("; "),
        "NgayBoSung": portal_time(s.requested_at),
        "NgayTiepNhanBoSung": opt_time(s.answered_at),
        "TrangThaiBoSung": state,
        "NgayHenTraTruoc": portal_time(s.due_before),
        "NgayHenTraMoi": opt_time(s.due_after),
    })
}

/// The progress push for one step done (`task.completed`): who handled it, where, with which
/// outcome, and its deadline.
pub fn progress(step: &motcua_events::StepChanged, province: &str) -> Value {
    let (state, content) = match step.outcome.as_str() {
        "done" => (1, "đã xử lý xong"),
        "return_for_supplement" => (2, "trả về yêu cầu bổ sung"),
        "refuse" => (3, "từ chối giải quyết"),
        _ => (0, "chuyển xử lý"),
    };
    json!({
        "madonvi": province,
        "service": "CapNhatTienDoHoSoMC",
        "data": [{
            "MaHoSo": step.dossier_code,
            "NguoiXuLy": step.by,
            "ChucDanh": "",
            "ThoiDiemXuLy": portal_time(step.at),
            "PhongBanXuLy": step.agency,
            "NoiDungXuLy": format!("{}: {content}", step.step),
            "TrangThai": state,
            "NgayBatDau": opt_time(step.started_at),
            "NgayKetThucTheoQuyDinh": opt_time(step.deadline),
        }],
    })
}

#[cfg(test)]
#[path = "national_portal_tests.rs"]
mod tests;
