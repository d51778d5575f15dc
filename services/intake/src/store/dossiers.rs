//! Dossiers (hồ sơ): the row with its status and clock, components and files
//! (content-addressed), history, issued documents, and the events announcing each change, all
//! written in the transaction of the change.

use crate::domain::change::{Change, DossierUpdate};
use crate::domain::components::CheckedComponent;
use crate::domain::dossier::{Channel, Dossier};
use crate::domain::files::CheckedFile;
use crate::domain::status::DossierStatus;
use crate::store::outreach::{self, Outreach};
use crate::store::{compliance, supplements};
use motcua_calendar::{Deadline, SupplementClockPolicy, TimeLimit, WorkingDuration};
use motcua_events::destination::{REPORTING, WORKFLOW};
use serde_json::{Value, json};
use sqlx::{FromRow, PgConnection, PgPool};
use time::OffsetDateTime;

/// A dossier row as stored.
#[derive(Debug, Clone, FromRow)]
struct DossierRow {
    code: String,
    procedure_code: String,
    procedure_version: i32,
    receiving_agency: String,
    channel: String,
    status: String,
    applicant: Value,
    applicant_id_last4: String,
    received_at: OffsetDateTime,
    due_at: OffsetDateTime,
    due_provisional: bool,
    submitted_by: String,
    time_limit: Value,
    clock_policy: String,
    clock_paused_at: Option<OffsetDateTime>,
    resume_status: Option<String>,
    receipt: Value,
    case_completed_at: Option<OffsetDateTime>,
    case_code: Option<String>,
}

const COLUMNS: &str = "code, procedure_code, procedure_version, receiving_agency, channel, status,
    applicant, applicant_id_last4, received_at, due_at, due_provisional, submitted_by, time_limit, clock_policy,
    clock_paused_at, resume_status, receipt, case_completed_at, case_code";

fn decode(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored {what} {value:?} unknown").into())
}

/// The stored shape of a time limit: `{"working_minutes", "same_day", "cutoff"}`.
pub(super) fn time_limit_json(l: &TimeLimit) -> Value {
    json!({
        "working_minutes": l.working.as_minutes(),
        "same_day": l.same_day,
        "cutoff": l.cutoff.map(motcua_calendar::format_time_of_day).unwrap_or_default(),
    })
}

fn time_limit_of(v: &Value) -> Result<TimeLimit, sqlx::Error> {
    let minutes = v["working_minutes"]
        .as_i64()
        .ok_or_else(|| decode("time limit", &v.to_string()))?;
    let cutoff = match v["cutoff"].as_str().unwrap_or_default() {
        "" => None,
        c => Some(motcua_calendar::parse_time_of_day(c).map_err(|_| decode("cutoff", c))?),
    };
    Ok(TimeLimit {
        working: WorkingDuration::minutes(minutes),
        same_day: v["same_day"].as_bool().unwrap_or(false),
        cutoff,
    })
}

fn status_of(s: &str) -> Result<DossierStatus, sqlx::Error> {
    DossierStatus::parse(s).ok_or_else(|| decode("status", s))
}

impl TryFrom<DossierRow> for Dossier {
    type Error = sqlx::Error;
    fn try_from(r: DossierRow) -> Result<Self, sqlx::Error> {
        let clock_policy: SupplementClockPolicy =
            serde_json::from_value(Value::String(r.clock_policy.clone()))
                .map_err(|_| decode("clock policy", &r.clock_policy))?;
        Ok(Dossier {
            channel: Channel::parse(&r.channel).ok_or_else(|| decode("channel", &r.channel))?,
            status: status_of(&r.status)?,
            applicant: serde_json::from_value(r.applicant)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            due: Deadline {
                at: r.due_at,
                provisional: r.due_provisional,
            },
            time_limit: time_limit_of(&r.time_limit)?,
            clock_policy,
            resume_status: r.resume_status.as_deref().map(status_of).transpose()?,
            code: r.code,
            procedure_code: r.procedure_code,
            procedure_version: r.procedure_version,
            receiving_agency: r.receiving_agency,
            applicant_id_last4: r.applicant_id_last4,
            received_at: r.received_at,
            submitted_by: r.submitted_by,
            clock_paused_at: r.clock_paused_at,
            receipt: r.receipt,
            case_completed_at: r.case_completed_at,
            case_code: r.case_code,
        })
    }
}

async fn select(
    conn: &mut PgConnection,
    code: &str,
    lock: &str,
) -> Result<Option<Dossier>, sqlx::Error> {
    let row = sqlx::query_as::<_, DossierRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM dossier WHERE code = $1 {lock}"
    )))
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(Dossier::try_from).transpose()
}

/// Loads a dossier.
pub async fn get(pool: &PgPool, code: &str) -> Result<Option<Dossier>, sqlx::Error> {
    select(&mut *pool.acquire().await?, code, "").await
}

/// The receiving agency of each of `codes` that exists, in one query (what an event's
/// decision needs to fetch the agency's calendar before its transaction).
pub async fn receiving_agencies(
    pool: &PgPool,
    codes: &[&str],
) -> Result<std::collections::HashMap<String, String>, sqlx::Error> {
    if codes.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT code, receiving_agency FROM dossier WHERE code = ANY($1)")
            .bind(codes)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().collect())
}

/// Locks the dossiers of `codes` that exist, in code order, for the rest of the transaction.
pub async fn lock_all(tx: &mut PgConnection, codes: &[&str]) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT code FROM dossier WHERE code = ANY($1) ORDER BY code FOR UPDATE")
        .bind(codes)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Loads a dossier and locks it for the rest of the transaction (every change does).
pub async fn lock(tx: &mut PgConnection, code: &str) -> Result<Option<Dossier>, sqlx::Error> {
    select(tx, code, "FOR UPDATE").await
}

/// Loads a dossier inside a transaction (as the transaction sees it).
pub async fn read(conn: &mut PgConnection, code: &str) -> Result<Option<Dossier>, sqlx::Error> {
    select(conn, code, "").await
}

/// Locks a dossier unless another transaction holds it (workers skip busy rows).
pub async fn try_lock(tx: &mut PgConnection, code: &str) -> Result<Option<Dossier>, sqlx::Error> {
    select(tx, code, "FOR UPDATE SKIP LOCKED").await
}

async fn announce<P: serde::Serialize>(
    tx: &mut PgConnection,
    event_type: &str,
    subject: &str,
    payload: &P,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let event = motcua_outbox::NewEvent {
        event_type,
        subject,
        payload,
        occurred_at: at,
    };
    motcua_outbox::record(tx, event, &[WORKFLOW, REPORTING]).await?;
    Ok(())
}

/// Inserts one component and its files (content stored once per sha256).
async fn insert_component(
    tx: &mut PgConnection,
    dossier: &str,
    position: i32,
    round: i16,
    c: &CheckedComponent,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dossier_component (dossier_code, position, component_code, form, scan_status, round, originals, copies)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(dossier)
    .bind(position)
    .bind(&c.code)
    .bind(c.form.as_str())
    .bind(c.form.initial_scan_status())
    .bind(round)
    .bind(c.originals)
    .bind(c.copies)
    .execute(&mut *tx)
    .await?;
    insert_files(tx, dossier, position, &c.files).await
}

/// Stores the files of the component at `position` (content once per sha256).
pub(super) async fn insert_files(
    tx: &mut PgConnection,
    dossier: &str,
    position: i32,
    files: &[CheckedFile],
) -> Result<(), sqlx::Error> {
    for (i, f) in files.iter().enumerate() {
        sqlx::query("INSERT INTO file_blob (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
            .bind(&f.sha256)
            .bind(i64::try_from(f.content.len()).unwrap_or(i64::MAX))
            .bind(&f.content)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO dossier_file (dossier_code, position, file_index, name, media_type, sha256)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(dossier)
        .bind(position)
        .bind(i32::try_from(i).unwrap_or(i32::MAX))
        .bind(&f.name)
        .bind(&f.media_type)
        .bind(&f.sha256)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn add_history(
    tx: &mut PgConnection,
    code: &str,
    at: OffsetDateTime,
    action: &str,
    actor: &str,
    from: Option<&str>,
    to: &str,
    detail: &Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dossier_history (dossier_code, at, action, actor, from_status, to_status, detail, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(code)
    .bind(at)
    .bind(action)
    .bind(actor)
    .bind(from)
    .bind(to)
    .bind(detail)
    .bind(motcua_telemetry::request_id::current())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn write_change(tx: &mut PgConnection, c: &Change) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE dossier SET status = $2, status_code = $3, due_at = $4, due_provisional = $5,
                            clock_paused_at = $6, resume_status = $7, updated_at = now()
          WHERE code = $1",
    )
    .bind(&c.code)
    .bind(c.to.as_str())
    .bind(c.to.code())
    .bind(c.due.at)
    .bind(c.due.provisional)
    .bind(c.clock_paused_at)
    .bind(c.resume_status.map(DossierStatus::as_str))
    .execute(&mut *tx)
    .await?;
    add_history(
        tx,
        &c.code,
        c.at,
        c.action.as_str(),
        &c.actor.sub,
        Some(c.from.as_str()),
        c.to.as_str(),
        &c.detail,
    )
    .await?;
    if let Some(event_type) = c.event {
        announce(tx, event_type, &c.code, &c.event_payload(), c.at).await?;
    }
    Ok(())
}

/// Writes everything a decision decided, with what the portal and the applicant are told of
/// it, and its audit record. Returns `false` (and writes nothing further) when the
/// supplement request it inserts already exists: the once-only rule held by the primary key.
pub async fn apply(
    tx: &mut PgConnection,
    u: &DossierUpdate,
    agency: Option<&str>,
    o: &Outreach,
) -> Result<bool, sqlx::Error> {
    let mut audit = Vec::with_capacity(1);
    let written = apply_then_audit(tx, u, agency, o, &mut audit).await?;
    // Last: the chain's head stays locked until the commit.
    motcua_audit::append_from(tx, &audit).await?;
    Ok(written)
}

/// [`apply`] without its audit record, which goes to `audit` (with the request it came from)
/// for the caller to append last: a transaction applying a run of changes appends all their
/// records at once just before its commit, so it holds an audit chain's head only then.
pub async fn apply_then_audit(
    tx: &mut PgConnection,
    u: &DossierUpdate,
    agency: Option<&str>,
    o: &Outreach,
    audit: &mut Vec<(motcua_audit::AuditEntry, motcua_audit::Origin)>,
) -> Result<bool, sqlx::Error> {
    let c = &u.change;
    if let Some(r) = &u.new_supplement_request
        && !supplements::insert(tx, &c.code, c.at, &c.actor.sub, r).await?
    {
        return Ok(false);
    }
    if let Some(due_after) = u.supplement_answered {
        supplements::answer(tx, &c.code, c.at, &c.actor.sub, due_after).await?;
    }
    if u.close_supplement_request {
        supplements::close(tx, &c.code, c.at).await?;
    }
    if !u.supplemented.is_empty() {
        let next: i32 = sqlx::query_scalar(
            "SELECT coalesce(max(position) + 1, 0) FROM dossier_component WHERE dossier_code = $1",
        )
        .bind(&c.code)
        .fetch_one(&mut *tx)
        .await?;
        for (i, comp) in u.supplemented.iter().enumerate() {
            insert_component(
                tx,
                &c.code,
                next + i32::try_from(i).unwrap_or(i32::MAX),
                1,
                comp,
            )
            .await?;
        }
    }
    if let Some(at) = u.case_completed_at {
        sqlx::query("UPDATE dossier SET case_completed_at = $2 WHERE code = $1")
            .bind(&c.code)
            .bind(at)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(doc) = &u.document {
        sqlx::query("INSERT INTO dossier_document (dossier_code, kind, issued_at, issued_by, body) VALUES ($1, $2, $3, $4, $5)")
            .bind(&c.code)
            .bind(doc.kind)
            .bind(c.at)
            .bind(&c.actor.sub)
            .bind(&doc.body)
            .execute(&mut *tx)
            .await?;
    }
    for event in &u.compliance {
        compliance::record(tx, c.at, &c.actor, agency, Some(&c.code), event).await?;
    }
    write_change(tx, c).await?;
    if let Some(notice) = outreach::plan(o, u)
        && let Some(after) = read(tx, &c.code).await?
    {
        outreach::after_update(tx, o, notice, after, c.at).await?;
    }
    audit.push((c.audit_entry(), motcua_audit::Origin::current()));
    Ok(true)
}

/// A stored component with its files' metadata.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ComponentRow {
    /// Component code.
    pub component_code: String,
    /// Its form.
    pub form: String,
    /// Scanning status.
    pub scan_status: String,
    /// 0 at receipt, 1 for the supplement.
    pub round: i16,
    /// Files: name, media type, sha256.
    pub files: Value,
}

/// A dossier's components with file metadata (not content).
pub async fn components(pool: &PgPool, code: &str) -> Result<Vec<ComponentRow>, sqlx::Error> {
    sqlx::query_as::<_, ComponentRow>(
        "SELECT c.component_code, c.form, c.scan_status, c.round,
                coalesce(jsonb_agg(jsonb_build_object('id', f.position || '-' || f.file_index,
                                   'name', f.name, 'media_type', f.media_type, 'size', b.size, 'sha256', f.sha256)
                         ORDER BY f.file_index) FILTER (WHERE f.sha256 IS NOT NULL), '[]') AS files
           FROM dossier_component c
           LEFT JOIN dossier_file f ON f.dossier_code = c.dossier_code AND f.position = c.position
           LEFT JOIN file_blob b ON b.sha256 = f.sha256
          WHERE c.dossier_code = $1
          GROUP BY c.position, c.component_code, c.form, c.scan_status, c.round ORDER BY c.position",
    )
    .bind(code)
    .fetch_all(pool)
    .await
}

/// The component codes submitted so far.
pub async fn component_codes(
    conn: &mut PgConnection,
    code: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT component_code FROM dossier_component WHERE dossier_code = $1 ORDER BY position",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await
}

/// One change in a dossier's history (lịch sử xử lý), as the dossier view shows it.
#[derive(Debug, Clone, FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    /// When (RFC 3339, +07:00).
    pub at: String,
    /// The action, e.g. `receive`, `request_supplement`.
    pub action: String,
    /// Who took it.
    pub actor: String,
    /// Status before (null at receipt).
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: String,
    /// The action's details (free-form: each action has its own).
    #[schema(value_type = Object)]
    pub detail: Value,
}

/// A dossier's history, oldest first.
pub async fn history(pool: &PgPool, code: &str) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    sqlx::query_as::<_, HistoryEntry>(
        "SELECT to_char(at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+07:00\"') AS at,
                action, actor, from_status, to_status, detail
           FROM dossier_history WHERE dossier_code = $1 ORDER BY id",
    )
    .bind(code)
    .fetch_all(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::time;

    #[test]
    fn time_limits_round_trip_through_the_stored_shape() {
        for limit in [
            TimeLimit::same_day().with_cutoff(time!(15:00)),
            TimeLimit::new(WorkingDuration::minutes(9600)),
        ] {
            assert_eq!(time_limit_of(&time_limit_json(&limit)).unwrap(), limit);
        }
        assert!(
            time_limit_of(&json!({"same_day": true})).is_err(),
            "a limit without minutes is unreadable"
        );
    }
}
