//! The dossier's forms (biểu mẫu): the receipt (Giấy tiếp nhận hồ sơ và hẹn trả kết quả,
//! form 01) as stored JSON, or rendered as a self-contained HTML page the counter prints.

use crate::domain::receipt::ReceiptForm;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_problem::{ApiPath, ApiResult};
use serde_json::Value;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(get_receipt))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/dossiers/{code}/receipt", get(get_receipt))
}

/// The receipt (form 01) as JSON, or as a printable HTML page with `Accept: text/html`.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/receipt", tag = "dossiers",
    params(("code" = String, Path, example = "000.25.80.H80-261127-0001")),
    responses((status = 200, description = "the receipt (form 01): JSON, or a printable page with `Accept: text/html`",
                  content((ReceiptForm = "application/json"), (String = "text/html"))),
              (status = 404, description = "unknown dossier, or one the caller may not read (the same \
                answer): dossier_not_found")),
    security(("bearer" = [])))]
async fn get_receipt(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Response> {
    let d = s.readable(&caller, &code).await?;
    let wants_html = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html {
        return Ok(axum::response::Html(render_html(&d.receipt)).into_response());
    }
    Ok(Json(d.receipt).into_response())
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn field(r: &Value, k: &str) -> String {
    esc(r.get(k).and_then(Value::as_str).unwrap_or(""))
}

/// Renders form 01 as HTML; every value is escaped.
fn render_html(r: &Value) -> String {
    let rows: String = r
        .get("components")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, c)| {
                    format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        i + 1,
                        field(c, "name"),
                        field(c, "code"),
                        field(c, "form")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    format!(
        r#"<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Giấy tiếp nhận hồ sơ {code}</title>
<style>body{{font-family:serif;max-width:46em;margin:2em auto}}h1{{text-align:center;font-size:1.3em}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #000;padding:.3em}}</style></head>
<body>
<p><strong>{agency_name}</strong><br>Mã cơ quan: {agency}</p>
<h1>GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ</h1>
<p>Mã hồ sơ: <strong>{code}</strong></p>
<p>Tiếp nhận hồ sơ của: <strong>{applicant}</strong></p>
<p>Địa chỉ: {address} — Số điện thoại: {phone} — Thư điện tử: {email}</p>
<p>Nội dung yêu cầu giải quyết: {procedure} ({procedure_code})</p>
<p>Hình thức nộp: {channel}</p>
<table><tr><th>TT</th><th>Tên giấy tờ</th><th>Mã</th><th>Hình thức</th></tr>{rows}</table>
<p>Thời gian nhận hồ sơ: {received}</p>
<p>Thời gian trả kết quả: <strong>{appointment}</strong></p>
<p>Người tiếp nhận: {officer}</p>
</body></html>"#,
        code = field(r, "dossier_code"),
        agency_name = field(r, "receiving_agency_name"),
        agency = field(r, "receiving_agency"),
        applicant = field(r, "applicant_name"),
        address = field(r, "applicant_address"),
        phone = field(r, "applicant_phone"),
        email = field(r, "applicant_email"),
        procedure = field(r, "procedure_name"),
        procedure_code = field(r, "procedure_code"),
        channel = field(r, "channel"),
        received = field(r, "received_at"),
        appointment = field(r, "appointment_at"),
        officer = field(r, "received_by"),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_are_escaped_and_the_appointment_is_shown() {
        let html = super::render_html(&serde_json::json!({
            "dossier_code": "000.25.80.H80-261127-0001",
            "applicant_name": "<script>alert(1)</script>",
            "appointment_at": "2026-11-27T17:00:00+07:00",
            "components": [{"name": "Tờ khai", "code": "TK", "form": "paper"}]
        }));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("2026-11-27T17:00:00+07:00"));
        assert!(html.contains("<td>Tờ khai</td>"));
    }
}
