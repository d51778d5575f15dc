//! A dossier's files (tệp của hồ sơ): what the staff and the sector systems on the dossier's
//! path, its applicant and inspectors download to do their step — with the type, length and
//! SHA-256 the receiving side checks, and byte ranges to resume a broken download. What the
//! caller may not see answers as what does not exist. The same files, in chunks with their
//! digest checked, for the other services over gRPC (`chunks`).

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
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use motcua_auth::Caller;
use motcua_problem::{ApiPath, ApiResult, Problem, codes};
use motcua_proto::connector::v1 as connector;
use sha2::Digest;
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
    let file = find(&s, &code, &file_id).await?;
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

/// The file `file_id` of dossier `code` (whoever may read it: the caller's check is done), or
/// `404 file_not_found`.
pub(crate) async fn find(
    s: &AppState,
    code: &str,
    file_id: &str,
) -> Result<store::files::StoredFile, Problem> {
    match parse_id(file_id) {
        Some((position, index)) => store::files::get(&s.pool, code, position, index).await?,
        None => None,
    }
    .ok_or_else(|| {
        Problem::new(
            &codes::FILE_NOT_FOUND,
            format!("dossier {code} has no file {file_id}"),
        )
    })
}

/// Largest piece of a file sent on the gRPC stream (64 KiB).
const CHUNK: usize = 64 * 1024;
/// How much of a file one read of the database fetches (16 chunks).
const BLOCK: u64 = 1024 * 1024;

/// `500 file_integrity_failed`, logged for the operator.
fn integrity_failed(code: &str, file_id: &str, sha256: &str) -> Problem {
    tracing::error!(
        dossier = code,
        file = file_id,
        sha256,
        "stored file does not match its digest"
    );
    Problem::new(
        &codes::FILE_INTEGRITY_FAILED,
        format!("the stored content of file {file_id} does not match its recorded SHA-256"),
    )
}

/// Where a file's stream is: the offset of the next chunk, the block read and not yet sent
/// from `at`, the digest of what was sent, and the description the first chunk still carries.
struct Reading {
    offset: u64,
    block: Vec<u8>,
    at: usize,
    hasher: sha2::Sha256,
    first: Option<connector::DossierFile>,
}

/// What a file's stream reads: its content's digest and size, and who asked (for the log).
#[derive(Clone)]
struct Source {
    pool: sqlx::PgPool,
    sha256: String,
    size: u64,
    code: String,
    file_id: String,
}

impl Source {
    fn failed(&self) -> tonic::Status {
        integrity_failed(&self.code, &self.file_id, &self.sha256).into()
    }

    /// The next chunk after `r`, `None` at the end; the end is an error when the bytes sent
    /// do not hash to the recorded digest.
    async fn next(
        self,
        r: Option<Reading>,
    ) -> Option<(Result<connector::FileChunk, tonic::Status>, Option<Reading>)> {
        let mut r = r?;
        if r.offset >= self.size && r.first.is_none() {
            let sent = crate::domain::files::hex(&r.hasher.finalize());
            return (sent != self.sha256).then(|| (Err(self.failed()), None));
        }
        if r.at >= r.block.len() && r.offset < self.size {
            let len = BLOCK.min(self.size - r.offset);
            let (first, length) = (i64::try_from(r.offset), i64::try_from(len));
            let read = store::files::bytes(
                &self.pool,
                &self.sha256,
                first.unwrap_or(0),
                length.unwrap_or(0),
            );
            match read.await {
                Ok(b) if b.len() as u64 == len => (r.block, r.at) = (b, 0),
                Ok(_) => return Some((Err(self.failed()), None)),
                Err(e) => return Some((Err(Problem::from(e).into()), None)),
            }
        }
        let end = (r.at + CHUNK).min(r.block.len());
        let data = r.block[r.at..end].to_vec();
        r.at = end;
        r.hasher.update(&data);
        let chunk = connector::FileChunk {
            file: r.first.take(),
            offset: r.offset,
            data,
        };
        r.offset += chunk.data.len() as u64;
        Some((Ok(chunk), Some(r)))
    }
}

/// The file `file_id` of dossier `code` as a stream of chunks of up to 64 KiB, the first with
/// the file's description (gRPC `GetFile`). The stored content is checked against its digest
/// before the first byte, and the bytes sent are hashed again: a mismatch ends the stream with
/// `file_integrity_failed` instead of its success.
pub(crate) async fn chunks(
    s: &AppState,
    code: &str,
    file_id: &str,
) -> Result<BoxStream<'static, Result<connector::FileChunk, tonic::Status>>, Problem> {
    store::dossiers::get(&s.pool, code)
        .await?
        .ok_or_else(|| crate::state::not_found(code))?;
    let f = find(s, code, file_id).await?;
    if !store::files::content_matches(&s.pool, &f.sha256).await? {
        return Err(integrity_failed(code, file_id, &f.sha256));
    }
    let size = u64::try_from(f.size).unwrap_or(0);
    let start = Reading {
        offset: 0,
        block: Vec::new(),
        at: 0,
        hasher: sha2::Sha256::new(),
        first: Some(connector::DossierFile {
            id: file_id.to_string(),
            name: f.name,
            media_type: f.media_type,
            size,
            sha256: f.sha256.clone(),
        }),
    };
    let source = Source {
        pool: s.pool.clone(),
        sha256: f.sha256,
        size,
        code: code.to_string(),
        file_id: file_id.to_string(),
    };
    let next = move |r: Option<Reading>| source.clone().next(r);
    Ok(futures_util::stream::unfold(Some(start), next).boxed())
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
