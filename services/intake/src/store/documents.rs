//! The documents issued with a dossier's changes (`dossier_document`): the supplement request,
//! the refusal, the apology, the stop notice, each with who issued it and when, read back to
//! print the form.

use crate::domain::printed::IssuedDocument;
use sqlx::{PgPool, Row};

/// The latest document of one of `kinds` issued for dossier `code`, if any.
pub async fn latest(
    pool: &PgPool,
    code: &str,
    kinds: &[&str],
) -> Result<Option<IssuedDocument>, sqlx::Error> {
    let kinds: Vec<String> = kinds.iter().map(|k| (*k).to_string()).collect();
    let row = sqlx::query(
        "SELECT kind, issued_at, issued_by, body FROM dossier_document
          WHERE dossier_code = $1 AND kind = ANY($2) ORDER BY id DESC LIMIT 1",
    )
    .bind(code)
    .bind(&kinds)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(IssuedDocument {
            kind: r.try_get("kind")?,
            issued_at: r.try_get("issued_at")?,
            issued_by: r.try_get("issued_by")?,
            body: r.try_get("body")?,
        })
    })
    .transpose()
}
