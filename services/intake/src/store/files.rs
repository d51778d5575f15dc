//! A dossier's stored files: the metadata of one by its id (`<position>-<index>`: the
//! component's place in the dossier and the file's in the component), and a range of its
//! bytes read by the database (`substring`), so a range request does not load the whole file;
//! and whether a stored content still matches its digest.

use sqlx::{FromRow, PgPool};

/// One file of a dossier.
#[derive(Debug, Clone, FromRow)]
pub struct StoredFile {
    /// File name as handed in.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
}

/// The file `position`-`index` of dossier `code`, if there is one.
pub async fn get(
    pool: &PgPool,
    code: &str,
    position: i32,
    index: i32,
) -> Result<Option<StoredFile>, sqlx::Error> {
    sqlx::query_as::<_, StoredFile>(
        "SELECT f.name, f.media_type, f.sha256, b.size
           FROM dossier_file f JOIN file_blob b ON b.sha256 = f.sha256
          WHERE f.dossier_code = $1 AND f.position = $2 AND f.file_index = $3",
    )
    .bind(code)
    .bind(position)
    .bind(index)
    .fetch_optional(pool)
    .await
}

/// `length` bytes of the content `sha256` from byte `first` (0-based).
pub async fn bytes(
    pool: &PgPool,
    sha256: &str,
    first: i64,
    length: i64,
) -> Result<Vec<u8>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT substring(content FROM $2::int4 FOR $3::int4) FROM file_blob WHERE sha256 = $1",
    )
    .bind(sha256)
    .bind(first + 1)
    .bind(length)
    .fetch_one(pool)
    .await
}

/// Whether the stored content `sha256` still hashes to it, computed by the database (no bytes
/// leave it): checked before a file is streamed, so a damaged blob is never sent as if sound.
pub async fn content_matches(pool: &PgPool, sha256: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT coalesce(encode(sha256(content), 'hex') = $1, false) FROM file_blob WHERE sha256 = $1",
    )
    .bind(sha256)
    .fetch_optional(pool)
    .await
    .map(|m| m.unwrap_or(false))
}
