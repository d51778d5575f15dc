//! Intake's SQL: dossiers, the daily code sequence, idempotency keys, compliance events.

use crate::files::CheckedFile;
use sqlx::{FromRow, PgConnection, PgPool};
use time::{Date, OffsetDateTime};

/// The next number in `agency`'s sequence for `day`. Runs in the dossier's transaction: the
/// row lock serialises concurrent submissions at one agency, so numbers are consecutive and
/// a rolled-back submission leaves no gap.
pub async fn next_sequence(
    tx: &mut PgConnection,
    agency: &str,
    day: Date,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO dossier_sequence (agency, day, last) VALUES ($1, $2, 1)
         ON CONFLICT (agency, day) DO UPDATE SET last = dossier_sequence.last + 1
         RETURNING last",
    )
    .bind(agency)
    .bind(day)
    .fetch_one(&mut *tx)
    .await
}

/// A dossier row to insert.
pub struct NewDossier<'a> {
    pub code: &'a str,
    pub procedure_code: &'a str,
    pub procedure_version: i32,
    pub receiving_agency: &'a str,
    pub channel: &'a str,
    pub status: &'a str,
    pub status_code: i16,
    pub applicant: &'a serde_json::Value,
    pub applicant_id_last4: &'a str,
    pub received_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    pub due_provisional: bool,
    pub submitted_by: &'a str,
    pub submitted_roles: &'a [String],
    pub trace_id: Option<String>,
}

/// Inserts the dossier.
pub async fn insert_dossier(tx: &mut PgConnection, d: &NewDossier<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dossier (code, procedure_code, procedure_version, receiving_agency, channel, status,
                              status_code, applicant, applicant_id_last4, received_at, due_at, due_provisional,
                              submitted_by, submitted_roles, trace_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(d.code)
    .bind(d.procedure_code)
    .bind(d.procedure_version)
    .bind(d.receiving_agency)
    .bind(d.channel)
    .bind(d.status)
    .bind(d.status_code)
    .bind(d.applicant)
    .bind(d.applicant_id_last4)
    .bind(d.received_at)
    .bind(d.due_at)
    .bind(d.due_provisional)
    .bind(d.submitted_by)
    .bind(d.submitted_roles)
    .bind(&d.trace_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Inserts one component and its files (content stored once per sha256).
pub async fn insert_component(
    tx: &mut PgConnection,
    dossier: &str,
    position: i32,
    code: &str,
    form: &str,
    files: &[CheckedFile],
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO dossier_component (dossier_code, position, component_code, form) VALUES ($1, $2, $3, $4)")
        .bind(dossier)
        .bind(position)
        .bind(code)
        .bind(form)
        .execute(&mut *tx)
        .await?;
    for (i, f) in files.iter().enumerate() {
        sqlx::query("INSERT INTO file_blob (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
            .bind(&f.sha256)
            .bind(f.content.len() as i64)
            .bind(&f.content)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO dossier_file (dossier_code, position, file_index, name, media_type, sha256)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(dossier)
        .bind(position)
        .bind(i as i32)
        .bind(&f.name)
        .bind(&f.media_type)
        .bind(&f.sha256)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// A stored dossier.
#[derive(Debug, Clone, FromRow)]
pub struct DossierRow {
    pub code: String,
    pub procedure_code: String,
    pub procedure_version: i32,
    pub receiving_agency: String,
    pub channel: String,
    pub status: String,
    pub status_code: i16,
    pub applicant: serde_json::Value,
    pub received_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    pub due_provisional: bool,
    pub submitted_by: String,
}

/// A stored component with its files.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ComponentRow {
    pub component_code: String,
    pub form: String,
    pub files: serde_json::Value,
}

/// Loads a dossier.
pub async fn get_dossier(pool: &PgPool, code: &str) -> Result<Option<DossierRow>, sqlx::Error> {
    sqlx::query_as::<_, DossierRow>(
        "SELECT code, procedure_code, procedure_version, receiving_agency, channel, status, status_code, applicant,
                received_at, due_at, due_provisional, submitted_by
           FROM dossier WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await
}

/// A dossier's components with file metadata (not content).
pub async fn get_components(pool: &PgPool, code: &str) -> Result<Vec<ComponentRow>, sqlx::Error> {
    sqlx::query_as::<_, ComponentRow>(
        "SELECT c.component_code, c.form,
                coalesce(jsonb_agg(jsonb_build_object('name', f.name, 'media_type', f.media_type, 'sha256', f.sha256)
                         ORDER BY f.file_index) FILTER (WHERE f.sha256 IS NOT NULL), '[]') AS files
           FROM dossier_component c
           LEFT JOIN dossier_file f ON f.dossier_code = c.dossier_code AND f.position = c.position
          WHERE c.dossier_code = $1
          GROUP BY c.position, c.component_code, c.form ORDER BY c.position",
    )
    .bind(code)
    .fetch_all(pool)
    .await
}

/// What an idempotency key already holds.
pub enum Idempotency {
    /// First use: go ahead (the key is now claimed in this transaction).
    Claimed,
    /// Used before with the same body: replay this response.
    Replay {
        status: u16,
        body: serde_json::Value,
    },
    /// Used before with a different body.
    Reused,
}

/// Claims `key` for `caller` in the transaction, or reports its earlier use. Concurrent
/// requests with one key queue on the primary key; the second sees the first's response.
pub async fn claim_idempotency(
    tx: &mut PgConnection,
    caller: &str,
    key: &str,
    request_hash: &str,
) -> Result<Idempotency, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_key (caller, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(caller)
    .bind(key)
    .bind(request_hash)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Idempotency::Claimed);
    }
    lookup_idempotency(&mut *tx, caller, key, request_hash)
        .await
        .map(|o| o.unwrap_or(Idempotency::Reused))
}

/// An earlier use of `key`, if it completed.
pub async fn lookup_idempotency(
    conn: &mut PgConnection,
    caller: &str,
    key: &str,
    request_hash: &str,
) -> Result<Option<Idempotency>, sqlx::Error> {
    let row: Option<(String, Option<i16>, Option<serde_json::Value>)> = sqlx::query_as(
        "SELECT request_hash, status, response FROM idempotency_key WHERE caller = $1 AND key = $2",
    )
    .bind(caller)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        None => None,
        Some((hash, _, _)) if hash != request_hash => Some(Idempotency::Reused),
        Some((_, Some(status), Some(body))) => Some(Idempotency::Replay {
            status: status as u16,
            body,
        }),
        Some(_) => None,
    })
}

/// Stores the response of the request that claimed `key`.
pub async fn complete_idempotency(
    tx: &mut PgConnection,
    caller: &str,
    key: &str,
    status: u16,
    body: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_key SET status = $3, response = $4 WHERE caller = $1 AND key = $2",
    )
    .bind(caller)
    .bind(key)
    .bind(status as i16)
    .bind(body)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records a compliance event (its own transaction: the refused action wrote nothing else).
pub async fn record_compliance(
    pool: &PgPool,
    at: OffsetDateTime,
    kind: &str,
    actor: &str,
    agency: Option<&str>,
    detail: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO compliance_event (at, kind, actor, agency, detail, request_id) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(at)
        .bind(kind)
        .bind(actor)
        .bind(agency)
        .bind(detail)
        .bind(motcua_telemetry::request_id::current())
        .execute(pool)
        .await?;
    Ok(())
}
