//! A reference national public-service portal (Cổng Dịch vụ công quốc gia): it serves the two
//! sync services of `docs/national-portal.md` (`DongBoHoSoMC`, `CapNhatTienDoHoSoMC`), checks
//! every push against that mapping on its own (it shares no code with motcua's), keeps what it
//! accepted once per `Idempotency-Key`, and fails or hangs on demand.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the portal saw.
#[derive(Default)]
struct Seen {
    accepted: Vec<Value>,
    keys: HashSet<String>,
    registered: HashSet<String>,
    duplicates: usize,
    rejected: Vec<String>,
    fail_next: u32,
    hang_next: u32,
    refused_calls: u32,
}

#[derive(Clone)]
struct Portal {
    province: String,
    token: String,
    hang: Duration,
    seen: Arc<Mutex<Seen>>,
}

/// A running portal.
pub struct PortalStub {
    /// Its base URL (`MOTCUA_NATIONAL_PORTAL_URL`).
    pub url: String,
    portal: Portal,
}

impl PortalStub {
    /// Starts a portal that knows `province` by the bearer `token`; a hung call answers after
    /// `hang` (longer than the client's timeout).
    pub async fn start(province: &str, token: &str, hang: Duration) -> Self {
        let portal = Portal {
            province: province.into(),
            token: token.into(),
            hang,
            seen: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/{service}", post(push))
            .with_state(portal.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, portal }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.portal.seen.lock().unwrap()
    }

    /// The next `n` calls answer `503`.
    pub fn fail_next(&self, n: u32) {
        self.seen().fail_next = n;
    }

    /// The next `n` calls are taken but answered too late (the client gives up and retries).
    pub fn hang_next(&self, n: u32) {
        self.seen().hang_next = n;
    }

    /// Every push taken, in order, each once: `(service, data[0])`.
    pub fn accepted(&self) -> Vec<Value> {
        self.seen().accepted.clone()
    }

    /// Pushes that broke the mapping, with why.
    pub fn rejected(&self) -> Vec<String> {
        self.seen().rejected.clone()
    }

    /// Repeats of a push already taken (same `Idempotency-Key`).
    pub fn duplicates(&self) -> usize {
        self.seen().duplicates
    }

    /// Calls answered `503` or hung on purpose.
    pub fn refused_calls(&self) -> u32 {
        self.seen().refused_calls
    }
}

async fn push(
    State(p): State<Portal>,
    Path(service): Path<String>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, axum::Json<Value>) {
    let ok = || {
        (
            StatusCode::OK,
            axum::Json(json!({"error_code": "0", "message": "OK"})),
        )
    };
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {}", p.token))
    {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error_code": "401"})),
        );
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let hang = {
        let mut seen = p.seen.lock().unwrap();
        if seen.fail_next > 0 {
            seen.fail_next -= 1;
            seen.refused_calls += 1;
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({"error_code": "503"})),
            );
        }
        if seen.keys.contains(&key) {
            seen.duplicates += 1;
            return ok();
        }
        let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let errors = check(&p.province, &service, &body, &seen.registered);
        if !errors.is_empty() {
            seen.rejected
                .push(format!("{service}: {}", errors.join("; ")));
            return (
                StatusCode::OK,
                axum::Json(json!({"error_code": "2", "message": errors})),
            );
        }
        let doc = body["data"][0].clone();
        if let Some(code) = doc["MaHoSo"].as_str() {
            seen.registered.insert(code.to_string());
        }
        seen.keys.insert(key);
        seen.accepted
            .push(json!({"service": service, "isUpdating": body["isUpdating"], "data": doc}));
        let hang = seen.hang_next > 0;
        if hang {
            seen.hang_next -= 1;
            seen.refused_calls += 1;
        }
        hang
    };
    if hang {
        tokio::time::sleep(p.hang).await;
    }
    ok()
}

const DOSSIER_KEYS: [&str; 25] = [
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaLinhVuc",
    "TenLinhVuc",
    "KenhThucHien",
    "ChuHoSo",
    "LoaiDoiTuong",
    "MaDoiTuong",
    "SoDienThoai",
    "Email",
    "DiaChi",
    "TrichYeuHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "TrangThaiHoSo",
    "NgayTra",
    "ThongTinTra",
    "NgayKetThucXuLy",
    "DonViXuLy",
    "TenDonViXuLy",
    "TaiLieuNop",
    "DanhSachLePhi",
    "DanhSachHoSoBoSung",
    "DanhSachGiayToKetQua",
];
const PROGRESS_KEYS: [&str; 9] = [
    "MaHoSo",
    "NguoiXuLy",
    "ChucDanh",
    "ThoiDiemXuLy",
    "PhongBanXuLy",
    "NoiDungXuLy",
    "TrangThai",
    "NgayBatDau",
    "NgayKetThucTheoQuyDinh",
];

/// `yyyyMMddHHmmss` that is a real instant (or, where allowed, empty).
fn is_time(v: &Value, empty_ok: bool) -> bool {
    let Some(s) = v.as_str() else { return false };
    if s.is_empty() {
        return empty_ok;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok()).unwrap_or(99);
    s.len() == 14
        && s.bytes().all(|b| b.is_ascii_digit())
        && (1..=12).contains(&n(4..6))
        && (1..=31).contains(&n(6..8))
        && n(8..10) < 24
        && n(10..12) < 60
        && n(12..14) < 60
}

fn check(province: &str, service: &str, body: &Value, registered: &HashSet<String>) -> Vec<String> {
    let errors = std::cell::RefCell::new(Vec::new());
    let need = |ok: bool, what: &str| {
        if !ok {
            errors.borrow_mut().push(what.to_string());
        }
    };
    need(body["madonvi"] == province, "madonvi is not the province");
    need(body["service"] == service, "service differs from the path");
    let data = body["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    need(data.len() == 1, "data holds one document");
    let Some(d) = data.first().and_then(Value::as_object) else {
        return errors.into_inner();
    };
    let text = |k: &str| {
        d.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    let code = d.get("MaHoSo").and_then(Value::as_str).unwrap_or_default();
    match service {
        "DongBoHoSoMC" => {
            need(
                d.keys().all(|k| DOSSIER_KEYS.contains(&k.as_str())),
                "unknown field",
            );
            need(
                DOSSIER_KEYS.iter().all(|k| d.contains_key(*k)),
                "missing field",
            );
            for k in [
                "MaHoSo",
                "MaTTHC",
                "TenTTHC",
                "ChuHoSo",
                "MaDoiTuong",
                "DonViXuLy",
            ] {
                need(text(k), k);
            }
            need(
                body["isUpdating"] == registered.contains(code),
                "isUpdating false exactly on the first push",
            );
            need(
                [1, 2, 3].contains(&d["KenhThucHien"].as_i64().unwrap_or(0)),
                "KenhThucHien",
            );
            need(
                [1, 2].contains(&d["LoaiDoiTuong"].as_i64().unwrap_or(0)),
                "LoaiDoiTuong",
            );
            let status: u8 = d["TrangThaiHoSo"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            need((1..=10).contains(&status), "TrangThaiHoSo is \"1\"..\"10\"");
            need(
                is_time(&d["NgayTiepNhan"], false) && is_time(&d["NgayHenTra"], false),
                "NgayTiepNhan/NgayHenTra",
            );
            need(
                is_time(&d["NgayTra"], status != 10),
                "NgayTra set exactly when returned",
            );
            need(
                is_time(&d["NgayKetThucXuLy"], status < 9),
                "NgayKetThucXuLy once processed",
            );
            for k in [
                "TaiLieuNop",
                "DanhSachLePhi",
                "DanhSachHoSoBoSung",
                "DanhSachGiayToKetQua",
            ] {
                need(d[k].is_array(), k);
            }
            for s in d["DanhSachHoSoBoSung"].as_array().into_iter().flatten() {
                need(
                    is_time(&s["NgayBoSung"], false) && is_time(&s["NgayHenTraTruoc"], false),
                    "NgayBoSung",
                );
                need(
                    is_time(&s["NgayTiepNhanBoSung"], true) && is_time(&s["NgayHenTraMoi"], true),
                    "NgayHenTraMoi",
                );
                need(
                    [0, 1, 2].contains(&s["TrangThaiBoSung"].as_i64().unwrap_or(-1)),
                    "TrangThaiBoSung",
                );
            }
            for f in d["DanhSachLePhi"].as_array().into_iter().flatten() {
                need(
                    f["TenPhiLePhi"].is_string() && f["Gia"].is_u64(),
                    "DanhSachLePhi",
                );
            }
        }
        "CapNhatTienDoHoSoMC" => {
            need(
                d.keys().all(|k| PROGRESS_KEYS.contains(&k.as_str())),
                "unknown field",
            );
            need(
                PROGRESS_KEYS.iter().all(|k| d.contains_key(*k)),
                "missing field",
            );
            need(
                registered.contains(code),
                "progress of a dossier the portal has not been sent",
            );
            for k in ["MaHoSo", "NguoiXuLy", "PhongBanXuLy", "NoiDungXuLy"] {
                need(text(k), k);
            }
            need(is_time(&d["ThoiDiemXuLy"], false), "ThoiDiemXuLy");
            need(
                is_time(&d["NgayBatDau"], true) && is_time(&d["NgayKetThucTheoQuyDinh"], true),
                "NgayBatDau",
            );
            need(
                (0..=3).contains(&d["TrangThai"].as_i64().unwrap_or(-1)),
                "TrangThai",
            );
        }
        other => need(false, &format!("unknown service {other}")),
    }
    errors.into_inner()
}
