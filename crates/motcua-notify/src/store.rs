//! The notice table: notices recorded with the change that caused them, read back with their
//! delivery status.

use crate::{NoticeDraft, render};
use sqlx::{FromRow, PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

/// Renders and records `drafts` in the caller's transaction. A notice already recorded for the
/// same cause, channel and recipient is left as it is (a redelivered event adds nothing).
/// Returns how many were new. A template that cannot be filled is an error: nothing is
/// recorded and the change fails with it, rather than a notice going out half-written.
pub async fn record(conn: &mut PgConnection, drafts: &[NoticeDraft]) -> Result<u64, sqlx::Error> {
    let mut added = 0;
    for d in drafts {
        let (subject, body) = render(d.template, d.channel, &d.values)
            .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        added += sqlx::query(
            "INSERT INTO notice (id, event_key, dossier_code, template, channel, recipient, subject, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (event_key, channel, recipient) DO NOTHING",
        )
        .bind(Uuid::now_v7())
        .bind(&d.cause)
        .bind(&d.dossier_code)
        .bind(d.template.as_str())
        .bind(d.channel.as_str())
        .bind(&d.recipient)
        .bind(subject)
        .bind(body)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(added)
}

/// A recorded notice and how its delivery went.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Delivery {
    /// Its id (the e-mail's Message-ID and the SMS reference carry it).
    pub id: Uuid,
    /// The template.
    pub template: String,
    /// `email` or `sms`.
    pub channel: String,
    /// `pending`, `sent`, `failed` or `unsent`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// When it was sent.
    pub sent_at: Option<OffsetDateTime>,
    /// The last failure.
    pub last_error: Option<String>,
}

/// A dossier's notices, oldest first (the recipient is not shown: it is personal data).
pub async fn deliveries(pool: &PgPool, dossier_code: &str) -> Result<Vec<Delivery>, sqlx::Error> {
    sqlx::query_as::<_, Delivery>(
        "SELECT id, template, channel, status, attempts, sent_at, last_error
           FROM notice WHERE dossier_code = $1 ORDER BY created_at, id",
    )
    .bind(dossier_code)
    .fetch_all(pool)
    .await
}
