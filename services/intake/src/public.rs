//! The public status lookup (tra cứu hồ sơ) for applicants: dossier code plus the last four
//! digits of the applicant's ID give status, appointment and current step — nothing else. A
//! wrong suffix and an unknown code give the same `404`, and lookups are rate-limited per
//! client address, so codes cannot be probed.

use crate::dossiers::{local, rfc3339};
use crate::{AppState, store};
use axum::extract::{ConnectInfo, State};
use axum::routing::get;
use axum::{Json, Router};
use motcua_problem::{ApiPath, ApiQuery, ApiResult, Problem, codes};
use motcua_proto::workflow::v1::GetCaseRequest;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(lookup), components(schemas(PublicStatus)))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/public/dossiers/{code}", get(lookup))
}

/// Fixed-window limit per client address (IPv6 by /64, since one host holds a whole /64), and a
/// lock on a dossier code after repeated wrong digits, counted for any code string so that the
/// lock reveals nothing about which codes exist.
#[derive(Clone, Debug)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    windows: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
    wrong_digits: Arc<Mutex<HashMap<String, (Instant, u32)>>>,
}

/// Wrong `id_last4` answers allowed per code per 15 minutes.
const WRONG_DIGITS_ALLOWED: u32 = 5;
const WRONG_DIGITS_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The address a quota belongs to: IPv6 reduced to its /64.
fn quota_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::from([s[0], s[1], s[2], s[3], 0, 0, 0, 0])
        }
        v4 => v4,
    }
}

impl RateLimiter {
    /// At most `per_minute` lookups per address per minute.
    pub(crate) fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Arc::new(Mutex::new(HashMap::new())),
            wrong_digits: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// True while `code` has not had too many wrong digits recently.
    fn code_open(&self, code: &str) -> bool {
        let w = self.wrong_digits.lock().unwrap_or_else(|e| e.into_inner());
        w.get(code).is_none_or(|(start, n)| {
            start.elapsed() >= WRONG_DIGITS_WINDOW || *n < WRONG_DIGITS_ALLOWED
        })
    }

    /// Counts a wrong answer for `code`.
    fn wrong(&self, code: &str) {
        let mut w = self.wrong_digits.lock().unwrap_or_else(|e| e.into_inner());
        if w.len() > 100_000 {
            w.retain(|_, (start, _)| start.elapsed() < WRONG_DIGITS_WINDOW);
        }
        let entry = w.entry(code.to_string()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WRONG_DIGITS_WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }

    fn allow(&self, ip: IpAddr) -> bool {
        let ip = quota_key(ip);
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if w.len() > 100_000 {
            w.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = w.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_minute
    }
}

/// The lookup's question.
#[derive(Deserialize, IntoParams)]
pub(crate) struct LookupQuery {
    /// Last four digits of the applicant's ID number.
    id_last4: String,
}

/// What the public sees.
#[derive(Serialize, ToSchema)]
pub(crate) struct PublicStatus {
    code: String,
    status: String,
    /// National status code 1–10.
    status_code: i16,
    /// Vietnamese label of the status.
    status_label: String,
    /// The appointment (RFC 3339, +07:00).
    appointment_at: String,
    /// What is happening now.
    current_step: String,
}

/// Vietnamese label of a national status code.
pub(crate) fn status_label(code: i16) -> &'static str {
    match code {
        1 => "Mới đăng ký",
        2 => "Đã tiếp nhận",
        3 => "Không được tiếp nhận",
        4 => "Đang xử lý",
        5 => "Yêu cầu bổ sung hồ sơ",
        6 => "Yêu cầu thực hiện nghĩa vụ tài chính",
        7 => "Rút hồ sơ theo yêu cầu",
        8 => "Dừng xử lý",
        9 => "Đã xử lý xong, chờ trả kết quả",
        10 => "Đã trả kết quả",
        _ => "Không xác định",
    }
}

fn same(a: &str, b: &str) -> bool {
    // Constant-time for equal lengths: the answer must not leak how much matched.
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Public status lookup: code + last four ID digits → status, appointment, current step.
#[utoipa::path(get, path = "/api/v1/public/dossiers/{code}", tag = "public",
    params(("code" = String, Path, example = "000.25.80.H80-261127-0001"), LookupQuery),
    responses((status = 200, body = PublicStatus), (status = 404, description = "unknown code or wrong digits (same answer)"),
        (status = 429, description = "too many lookups")))]
async fn lookup(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> ApiResult<Json<PublicStatus>> {
    let ip = peer.ip();
    if !s.lookup_limiter.allow(ip) {
        return Err(Problem::rate_limited(
            "too many lookups from this address; wait a minute",
        ));
    }
    if !s.lookup_limiter.code_open(&code) {
        return Err(Problem::rate_limited(
            "too many wrong answers for this code; wait 15 minutes",
        ));
    }
    let unknown = || {
        Problem::new(
            &codes::DOSSIER_NOT_FOUND,
            "no dossier matches this code and these digits",
        )
    };
    let found = store::get_dossier(&s.pool, &code).await?;
    let Some(d) = found.filter(|d| same(&d.applicant_id_last4, q.id_last4.trim())) else {
        s.lookup_limiter.wrong(&code);
        return Err(unknown());
    };
    let mut current_step = status_label(d.status_code).to_string();
    if d.status == "processing" {
        let mut wf = s.workflow.clone();
        if let Ok(case) = wf
            .get_case(GetCaseRequest {
                dossier_code: code.clone(),
            })
            .await
        {
            let steps = case.into_inner().current_steps;
            if !steps.is_empty() {
                current_step = steps.join("; ");
            }
        }
    }
    Ok(Json(PublicStatus {
        code: d.code,
        status: d.status,
        status_code: d.status_code,
        status_label: status_label(d.status_code).into(),
        appointment_at: rfc3339(local(d.due_at)),
        current_step,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_allows_the_quota_then_refuses() {
        let l = RateLimiter::new(3);
        let ip = IpAddr::from([10, 0, 0, 1]);
        assert!((0..3).all(|_| l.allow(ip)));
        assert!(!l.allow(ip));
        assert!(
            l.allow(IpAddr::from([10, 0, 0, 2])),
            "other addresses have their own quota"
        );
    }

    #[test]
    fn a_code_locks_after_repeated_wrong_digits_and_ipv6_shares_a_64() {
        let l = RateLimiter::new(100);
        for _ in 0..WRONG_DIGITS_ALLOWED {
            assert!(l.code_open("X"));
            l.wrong("X");
        }
        assert!(!l.code_open("X"));
        assert!(l.code_open("Y"));
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(quota_key(a), quota_key(b));
    }

    #[test]
    fn digits_compare_exactly() {
        assert!(same("1234", "1234"));
        assert!(!same("1234", "1235"));
        assert!(!same("1234", "123"));
    }
}
