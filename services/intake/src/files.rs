//! A dossier's files (tệp của hồ sơ): what the staff and the sector systems on the dossier's
//! path, its applicant and inspectors download to do their step — with the type, length and
//! SHA-256 the receiving side checks, and byte ranges to resume a broken download. What the
//! caller may not see answers as what does not exist.

use crate::domain::byte_range::{self, ByteRange};
use crate::state::AppState;
use crate::store;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use motcua_auth::Caller;
use motcua_problem::{ApiPath, ApiResult, Problem, codes};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(get_file))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/dossiers/{code}/files/{file_id}", get(get_file))
}

/// One file of the dossier, whole or a byte range (`Range: bytes=first-last`).
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/files/{file_id}", tag = "dossiers",
    params(("code" = String, Path, example = "000.25.80.H80-261127-0001"),
           ("file_id" = String, Path, example = "0-0",
            description = "the file's `id` in the dossier's components (`<position>-<index>`)"),
           ("Range" = Option<String>, Header, pattern = "^bytes=[0-9]*-[0-9]*$",
            description = "one byte range, to resume a download")),
    responses((status = 200, description = "the file: `Content-Type` as handed in, `Content-Length`, \
                  `ETag` and `Repr-Digest` with its SHA-256, `Accept-Ranges: bytes`",
                  content((String = "application/octet-stream"))),
              (status = 206, description = "the range asked for, with `Content-Range`",
                  content((String = "application/octet-stream"))),
              (status = 404, description = "unknown dossier or one the caller may not read (the same \
                answer): dossier_not_found; no such file: file_not_found"),
              (status = 416, description = "the range starts past the end: range_not_satisfiable")),
    security(("bearer" = [])))]
async fn get_file(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiPath((code, file_id)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    s.readable(&caller, &code).await?;
    let file = match parse_id(&file_id) {
        Some((position, index)) => store::files::get(&s.pool, &code, position, index).await?,
        None => None,
    }
    .ok_or_else(|| {
        Problem::new(
            &codes::FILE_NOT_FOUND,
            format!("dossier {code} has no file {file_id}"),
        )
    })?;
    let size = u64::try_from(file.size).unwrap_or(0);
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (status, first, last) = match byte_range::parse(range, size) {
        ByteRange::Whole => (StatusCode::OK, 0, size.saturating_sub(1)),
        ByteRange::Part { first, last } => (StatusCode::PARTIAL_CONTENT, first, last),
        ByteRange::Unsatisfiable => {
            let mut res = Problem::new(
                &codes::RANGE_NOT_SATISFIABLE,
                format!("the file has {size} bytes"),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                res.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(res);
        }
    };
    let length = if size == 0 { 0 } else { last - first + 1 };
    let bytes = store::files::bytes(
        &s.pool,
        &file.sha256,
        i64::try_from(first).unwrap_or(0),
        i64::try_from(length).unwrap_or(0),
    )
    .await?;
    let mut res = (status, Body::from(bytes)).into_response();
    describe(res.headers_mut(), &file);
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {first}-{last}/{size}"))
    {
        res.headers_mut().insert(header::CONTENT_RANGE, v);
    }
    Ok(res)
}

/// `<position>-<index>`, both small non-negative numbers.
fn parse_id(id: &str) -> Option<(i32, i32)> {
    let (p, i) = id.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit());
    (digits(p) && digits(i)).then(|| Some((p.parse().ok()?, i.parse().ok()?)))?
}

/// Type, name, integrity and range headers of a file's answer.
fn describe(h: &mut HeaderMap, f: &store::files::StoredFile) {
    let media = HeaderValue::from_str(&f.media_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, media);
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", f.sha256)) {
        h.insert(header::ETAG, v);
    }
    let raw: Vec<u8> = (0..f.sha256.len() / 2)
        .filter_map(|i| u8::from_str_radix(f.sha256.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    if let Ok(v) = HeaderValue::from_str(&format!("sha-256=:{b64}:")) {
        h.insert("repr-digest", v);
    }
    let encoded: String = f
        .name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_id_is_position_dash_index() {
        assert_eq!(parse_id("0-0"), Some((0, 0)));
        assert_eq!(parse_id("12-3"), Some((12, 3)));
        for bad in ["", "0", "-1", "a-0", "0-", "1-2-3", "9999999-0", "+1-0"] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }
}
