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
    pub time_limit: &'a serde_json::Value,
    pub clock_policy: &'a str,
    pub receipt: &'a serde_json::Value,
    pub case_code: Option<&'a str>,
    pub trace_id: Option<String>,
}

/// Inserts the dossier.
pub async fn insert_dossier(tx: &mut PgConnection, d: &NewDossier<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dossier (code, procedure_code, procedure_version, receiving_agency, channel, status,
                              status_code, applicant, applicant_id_last4, received_at, due_at, due_provisional,
                              submitted_by, submitted_roles, time_limit, clock_policy, receipt, trace_id, case_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
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
    .bind(d.time_limit)
    .bind(d.clock_policy)
    .bind(d.receipt)
    .bind(&d.trace_id)
    .bind(d.case_code)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A component to store.
pub struct NewComponent<'a> {
    pub code: &'a str,
    pub form: &'a str,
    pub scan_status: &'a str,
    /// 0 at receipt, 1 for the supplement.
    pub round: i16,
    pub originals: Option<i32>,
    pub copies: Option<i32>,
    pub files: &'a [CheckedFile],
}

/// The next free component position of a dossier.
pub async fn next_position(tx: &mut PgConnection, dossier: &str) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT coalesce(max(position) + 1, 0) FROM dossier_component WHERE dossier_code = $1",
    )
    .bind(dossier)
    .fetch_one(&mut *tx)
    .await
}

/// Inserts one component and its files (content stored once per sha256).
pub async fn insert_component(
    tx: &mut PgConnection,
    dossier: &str,
    position: i32,
    c: &NewComponent<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dossier_component (dossier_code, position, component_code, form, scan_status, round, originals, copies)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(dossier)
    .bind(position)
    .bind(c.code)
    .bind(c.form)
    .bind(c.scan_status)
    .bind(c.round)
    .bind(c.originals)
    .bind(c.copies)
    .execute(&mut *tx)
    .await?;
    let files = c.files;
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
    pub applicant_id_last4: String,
    pub received_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    pub due_provisional: bool,
    pub submitted_by: String,
    pub time_limit: serde_json::Value,
    pub clock_policy: String,
    pub clock_paused_at: Option<OffsetDateTime>,
    pub resume_status: Option<String>,
    pub receipt: serde_json::Value,
    pub case_completed_at: Option<OffsetDateTime>,
    pub case_code: Option<String>,
}

const DOSSIER_COLUMNS: &str = "code, procedure_code, procedure_version, receiving_agency, channel, status, status_code,
    applicant, applicant_id_last4, received_at, due_at, due_provisional, submitted_by, time_limit, clock_policy,
    clock_paused_at, resume_status, receipt, case_completed_at, case_code";

/// Loads a dossier and locks it for the rest of the transaction (every state change does).
pub async fn lock_dossier(
    tx: &mut PgConnection,
    code: &str,
) -> Result<Option<DossierRow>, sqlx::Error> {
    sqlx::query_as::<_, DossierRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {DOSSIER_COLUMNS} FROM dossier WHERE code = $1 FOR UPDATE"
    )))
    .bind(code)
    .fetch_optional(&mut *tx)
    .await
}

/// The new state of a dossier after an action.
pub struct StatusUpdate<'a> {
    pub status: &'a str,
    pub status_code: i16,
    pub due_at: OffsetDateTime,
    pub due_provisional: bool,
    pub clock_paused_at: Option<OffsetDateTime>,
    pub resume_status: Option<&'a str>,
}

/// Writes a dossier's new status (and clock).
pub async fn update_status(
    tx: &mut PgConnection,
    code: &str,
    u: &StatusUpdate<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE dossier SET status = $2, status_code = $3, due_at = $4, due_provisional = $5,
                            clock_paused_at = $6, resume_status = $7, updated_at = now()
          WHERE code = $1",
    )
    .bind(code)
    .bind(u.status)
    .bind(u.status_code)
    .bind(u.due_at)
    .bind(u.due_provisional)
    .bind(u.clock_paused_at)
    .bind(u.resume_status)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// One history row.
pub struct HistoryEntry<'a> {
    pub at: OffsetDateTime,
    pub action: &'a str,
    pub actor: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: &'a str,
    pub detail: &'a serde_json::Value,
}

/// Appends to a dossier's history.
pub async fn add_history(
    tx: &mut PgConnection,
    code: &str,
    h: &HistoryEntry<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dossier_history (dossier_code, at, action, actor, from_status, to_status, detail, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(code)
    .bind(h.at)
    .bind(h.action)
    .bind(h.actor)
    .bind(h.from_status)
    .bind(h.to_status)
    .bind(h.detail)
    .bind(motcua_telemetry::request_id::current())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records a document issued to the applicant (forms 02, 03, 05, result hand-back).
pub async fn add_document(
    tx: &mut PgConnection,
    code: &str,
    kind: &str,
    at: OffsetDateTime,
    by: &str,
    body: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO dossier_document (dossier_code, kind, issued_at, issued_by, body) VALUES ($1, $2, $3, $4, $5)")
        .bind(code)
        .bind(kind)
        .bind(at)
        .bind(by)
        .bind(body)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A stored component with its files.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ComponentRow {
    pub component_code: String,
    pub form: String,
    pub scan_status: String,
    pub round: i16,
    pub files: serde_json::Value,
}

/// Loads a dossier.
pub async fn get_dossier(pool: &PgPool, code: &str) -> Result<Option<DossierRow>, sqlx::Error> {
    sqlx::query_as::<_, DossierRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {DOSSIER_COLUMNS} FROM dossier WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(pool)
    .await
}

/// A dossier's components with file metadata (not content).
pub async fn get_components(pool: &PgPool, code: &str) -> Result<Vec<ComponentRow>, sqlx::Error> {
    sqlx::query_as::<_, ComponentRow>(
        "SELECT c.component_code, c.form, c.scan_status, c.round,
                coalesce(jsonb_agg(jsonb_build_object('name', f.name, 'media_type', f.media_type, 'sha256', f.sha256)
                         ORDER BY f.file_index) FILTER (WHERE f.sha256 IS NOT NULL), '[]') AS files
           FROM dossier_component c
           LEFT JOIN dossier_file f ON f.dossier_code = c.dossier_code AND f.position = c.position
          WHERE c.dossier_code = $1
          GROUP BY c.position, c.component_code, c.form, c.scan_status, c.round ORDER BY c.position",
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

/// Whether a supplement was ever requested for the dossier.
pub async fn supplement_request_exists(pool: &PgPool, code: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM supplement_request WHERE dossier_code = $1)")
        .bind(code)
        .fetch_one(pool)
        .await
}

/// The component codes submitted so far.
pub async fn component_codes(pool: &PgPool, code: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT component_code FROM dossier_component WHERE dossier_code = $1 ORDER BY position",
    )
    .bind(code)
    .fetch_all(pool)
    .await
}

/// A supplement request to store.
pub struct NewSupplementRequest<'a> {
    pub dossier_code: &'a str,
    pub requested_at: OffsetDateTime,
    pub requested_by: &'a str,
    pub items: &'a serde_json::Value,
    pub deadline_at: OffsetDateTime,
    pub deadline_provisional: bool,
    pub due_before: OffsetDateTime,
}

/// Stores the supplement request; `false` when one already exists (the once-only rule, held by
/// the primary key even under concurrent requests).
pub async fn insert_supplement_request(
    tx: &mut PgConnection,
    r: &NewSupplementRequest<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO supplement_request (dossier_code, requested_at, requested_by, items, deadline_at,
                                         deadline_provisional, due_before)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dossier_code) DO NOTHING",
    )
    .bind(r.dossier_code)
    .bind(r.requested_at)
    .bind(r.requested_by)
    .bind(r.items)
    .bind(r.deadline_at)
    .bind(r.deadline_provisional)
    .bind(r.due_before)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A stored supplement request.
#[derive(Debug, Clone, FromRow)]
pub struct SupplementRequestRow {
    pub requested_at: OffsetDateTime,
    pub requested_by: String,
    pub items: serde_json::Value,
    pub deadline_at: OffsetDateTime,
    pub answered_at: Option<OffsetDateTime>,
    pub expired_at: Option<OffsetDateTime>,
}

/// The dossier's supplement request, if any.
pub async fn supplement_request(
    pool: &PgPool,
    code: &str,
) -> Result<Option<SupplementRequestRow>, sqlx::Error> {
    sqlx::query_as::<_, SupplementRequestRow>(
        "SELECT requested_at, requested_by, items, deadline_at, answered_at, expired_at
           FROM supplement_request WHERE dossier_code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await
}

/// Marks the request answered.
pub async fn answer_supplement_request(
    tx: &mut PgConnection,
    code: &str,
    at: OffsetDateTime,
    by: &str,
    due_after: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE supplement_request SET answered_at = $2, answered_by = $3, due_after = $4 WHERE dossier_code = $1")
        .bind(code)
        .bind(at)
        .bind(by)
        .bind(due_after)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Closes an open request when the dossier ends otherwise (refused, withdrawn, stopped), so
/// the expiry worker leaves it alone.
pub async fn close_supplement_request(
    tx: &mut PgConnection,
    code: &str,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE supplement_request SET expired_at = $2 WHERE dossier_code = $1 AND answered_at IS NULL AND expired_at IS NULL")
        .bind(code)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Dossiers whose supplement window has passed unanswered, oldest deadline first.
pub async fn expired_supplement_requests(
    pool: &PgPool,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT dossier_code FROM supplement_request
          WHERE answered_at IS NULL AND expired_at IS NULL AND deadline_at <= $1
          ORDER BY deadline_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Locks a dossier unless another transaction holds it (workers skip busy rows).
pub async fn try_lock_dossier(
    tx: &mut PgConnection,
    code: &str,
) -> Result<Option<DossierRow>, sqlx::Error> {
    sqlx::query_as::<_, DossierRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {DOSSIER_COLUMNS} FROM dossier WHERE code = $1 FOR UPDATE SKIP LOCKED"
    )))
    .bind(code)
    .fetch_optional(&mut *tx)
    .await
}

/// A dossier's history, oldest first.
pub async fn history(pool: &PgPool, code: &str) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT jsonb_build_object('at', to_char(at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+07:00\"'),
                                   'action', action, 'actor', actor, 'from_status', from_status,
                                   'to_status', to_status, 'detail', detail)
           FROM dossier_history WHERE dossier_code = $1 ORDER BY id",
    )
    .bind(code)
    .fetch_all(pool)
    .await
}

/// Remembers that workflow finished while the dossier was waiting.
pub async fn mark_case_completed(
    tx: &mut PgConnection,
    code: &str,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE dossier SET case_completed_at = $2, updated_at = now() WHERE code = $1")
        .bind(code)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
