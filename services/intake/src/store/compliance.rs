//! Compliance events (vi phạm quy định): rule violations attempted or detected, for inspectors.
//! Each is kept here and announced (`compliance.recorded`) in the same transaction, so the
//! compliance report counts exactly what intake recorded.

use crate::domain::change::Compliance;
use motcua_audit::{Actor, AuditEntry};
use motcua_events::destination::{REPORTING, WORKFLOW};
use serde_json::json;
use sqlx::PgConnection;
use time::OffsetDateTime;

/// Records a compliance event in `conn` (the refused action's own transaction, or the
/// transaction of an action that is allowed but flagged), announces it and audits it
/// (`compliance.<kind>` on the dossier, or the agency).
pub async fn record(
    conn: &mut PgConnection,
    at: OffsetDateTime,
    by: &Actor,
    agency: Option<&str>,
    dossier: Option<&str>,
    c: &Compliance,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO compliance_event (at, kind, actor, agency, detail, request_id) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(at)
        .bind(c.kind.as_str())
        .bind(&by.sub)
        .bind(agency)
        .bind(&c.detail)
        .bind(motcua_telemetry::request_id::current())
        .execute(&mut *conn)
        .await?;
    let payload = motcua_events::ComplianceRecorded {
        kind: c.kind.as_str().to_string(),
        dossier_code: dossier.map(str::to_string),
        agency: agency.map(str::to_string),
        actor: by.sub.clone(),
        detail: c.detail.clone(),
        at: motcua_calendar::local(at),
    };
    let subject = dossier.or(agency).unwrap_or("compliance");
    let event = motcua_outbox::NewEvent {
        event_type: motcua_events::COMPLIANCE_RECORDED,
        subject,
        payload: &payload,
        occurred_at: at,
    };
    motcua_outbox::record(conn, event, &[WORKFLOW, REPORTING]).await?;
    let entry = AuditEntry {
        actor: by.clone(),
        action: format!("compliance.{}", c.kind.as_str()),
        target: subject.to_string(),
        at,
        before: None,
        after: Some(json!({ "kind": c.kind.as_str(), "agency": agency, "detail": c.detail })),
    };
    motcua_audit::append(conn, &[entry]).await
}
