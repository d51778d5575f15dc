//! Received dossiers written as a batch (tiếp nhận theo lô): the rows of every dossier an
//! agency's writer took in one transaction, one statement per table whatever the batch's size —
//! dossiers, components, first history rows, `dossier.received` events and their deliveries.
//! Files (online submissions) are stored per file.

use crate::domain::submission::IssuedDossier;
use crate::store::dossiers::{insert_files, time_limit_json};
use motcua_events::destination::{REPORTING, WORKFLOW};
use motcua_outbox::{NewEvent, Origin};
use serde_json::{Value, json};
use sqlx::PgConnection;

/// One dossier of a batch, with the request it came from (its trace and request id are stored
/// with its rows and its event, so each dossier stays in its own request's trace).
pub struct Receipt<'a> {
    /// The dossier, with its code.
    pub issued: IssuedDossier<'a>,
    /// Its request's trace and request id.
    pub origin: Origin,
    /// Its request's trace id (kept on the dossier).
    pub trace_id: Option<String>,
    /// Its request's client address (for the audit trail).
    pub source: Option<String>,
}

/// Inserts the batch's dossiers, components, files, first history rows and `dossier.received`
/// events, in the caller's transaction, in the batch's order.
pub async fn insert_all(tx: &mut PgConnection, batch: &[Receipt<'_>]) -> Result<(), sqlx::Error> {
    insert_dossiers(tx, batch).await?;
    insert_components(tx, batch).await?;
    insert_history(tx, batch).await?;
    let payloads: Vec<_> = batch.iter().map(|r| r.issued.received_event()).collect();
    let events: Vec<_> = batch
        .iter()
        .zip(&payloads)
        .map(|(r, payload)| {
            let event = NewEvent {
                event_type: motcua_events::DOSSIER_RECEIVED,
                subject: &r.issued.code,
                payload,
                occurred_at: r.issued.accepted.received_at,
            };
            (event, r.origin.clone())
        })
        .collect();
    motcua_outbox::record_all(tx, &events, &[WORKFLOW, REPORTING]).await?;
    Ok(())
}

/// Appends the batch's `dossier.received` audit records, each with its own request id and
/// client address, in one statement. Called last before the commit: it holds the chain's head.
pub async fn audit_all(tx: &mut PgConnection, batch: &[Receipt<'_>]) -> Result<(), sqlx::Error> {
    let entries: Vec<_> = batch
        .iter()
        .map(|r| {
            let origin = motcua_audit::Origin {
                request_id: r.origin.request_id.clone(),
                source: r.source.clone(),
            };
            (r.issued.audit_entry(), origin)
        })
        .collect();
    motcua_audit::append_from(tx, &entries).await
}

fn encode<T: serde::Serialize>(v: &T) -> Result<Value, sqlx::Error> {
    serde_json::to_value(v).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

async fn insert_dossiers(tx: &mut PgConnection, batch: &[Receipt<'_>]) -> Result<(), sqlx::Error> {
    let mut c = Columns::default();
    for r in batch {
        let (d, a) = (&r.issued, r.issued.accepted);
        c.code.push(d.code.as_str());
        c.procedure.push(a.procedure.0.as_str());
        c.version
            .push(i32::try_from(a.procedure.2).unwrap_or(i32::MAX));
        c.agency.push(a.agency.code.as_str());
        c.channel.push(a.channel.as_str());
        c.status.push(d.status.as_str());
        c.status_code.push(d.status.code());
        c.applicant.push(encode(&a.applicant)?);
        c.last4.push(d.applicant_id_last4.as_str());
        c.received_at.push(a.received_at);
        c.due_at.push(a.due.at);
        c.provisional.push(a.due.provisional);
        c.by.push(a.received_by.as_str());
        c.roles.push(encode(&a.roles)?);
        c.time_limit.push(time_limit_json(&a.time_limit));
        c.policy.push(a.clock_policy.as_str());
        c.receipt.push(d.receipt.clone());
        c.trace_id.push(r.trace_id.as_deref());
        c.case_code.push(a.case_code.as_deref());
    }
    sqlx::query(
        "INSERT INTO dossier (code, procedure_code, procedure_version, receiving_agency, channel, status,
                              status_code, applicant, applicant_id_last4, received_at, due_at, due_provisional,
                              submitted_by, submitted_roles, time_limit, clock_policy, receipt, trace_id, case_code)
         SELECT code, procedure_code, procedure_version, receiving_agency, channel, status, status_code,
                applicant, last4, received_at, due_at, provisional, submitted_by,
                ARRAY(SELECT jsonb_array_elements_text(roles)), time_limit, clock_policy, receipt,
                trace_id, case_code
           FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[], $5::text[], $6::text[],
                       $7::int2[], $8::jsonb[], $9::text[], $10::timestamptz[], $11::timestamptz[],
                       $12::bool[], $13::text[], $14::jsonb[], $15::jsonb[], $16::text[],
                       $17::jsonb[], $18::text[], $19::text[])
             AS x(code, procedure_code, procedure_version, receiving_agency, channel, status,
                  status_code, applicant, last4, received_at, due_at, provisional, submitted_by,
                  roles, time_limit, clock_policy, receipt, trace_id, case_code)",
    )
    .bind(&c.code)
    .bind(&c.procedure)
    .bind(&c.version)
    .bind(&c.agency)
    .bind(&c.channel)
    .bind(&c.status)
    .bind(&c.status_code)
    .bind(&c.applicant)
    .bind(&c.last4)
    .bind(&c.received_at)
    .bind(&c.due_at)
    .bind(&c.provisional)
    .bind(&c.by)
    .bind(&c.roles)
    .bind(&c.time_limit)
    .bind(&c.policy)
    .bind(&c.receipt)
    .bind(&c.trace_id)
    .bind(&c.case_code)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The dossier table's columns of a batch, one vector each (bound as arrays).
#[derive(Default)]
struct Columns<'a> {
    code: Vec<&'a str>,
    procedure: Vec<&'a str>,
    version: Vec<i32>,
    agency: Vec<&'a str>,
    channel: Vec<&'a str>,
    status: Vec<&'a str>,
    status_code: Vec<i16>,
    applicant: Vec<Value>,
    last4: Vec<&'a str>,
    received_at: Vec<time::OffsetDateTime>,
    due_at: Vec<time::OffsetDateTime>,
    provisional: Vec<bool>,
    by: Vec<&'a str>,
    roles: Vec<Value>,
    time_limit: Vec<Value>,
    policy: Vec<&'a str>,
    receipt: Vec<Value>,
    trace_id: Vec<Option<&'a str>>,
    case_code: Vec<Option<&'a str>>,
}

async fn insert_components(
    tx: &mut PgConnection,
    batch: &[Receipt<'_>],
) -> Result<(), sqlx::Error> {
    let (mut code, mut pos, mut comp, mut form, mut scan, mut orig, mut copies) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for r in batch {
        for (i, (c, _)) in r.issued.accepted.components.iter().enumerate() {
            code.push(r.issued.code.as_str());
            pos.push(i32::try_from(i).unwrap_or(i32::MAX));
            comp.push(c.code.as_str());
            form.push(c.form.as_str());
            scan.push(c.form.initial_scan_status());
            orig.push(c.originals);
            copies.push(c.copies);
        }
    }
    sqlx::query(
        "INSERT INTO dossier_component (dossier_code, position, component_code, form, scan_status, round, originals, copies)
         SELECT code, position, component, form, scan, 0, originals, copies
           FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::int4[], $7::int4[])
             AS x(code, position, component, form, scan, originals, copies)",
    )
    .bind(&code)
    .bind(&pos)
    .bind(&comp)
    .bind(&form)
    .bind(&scan)
    .bind(&orig)
    .bind(&copies)
    .execute(&mut *tx)
    .await?;
    for r in batch {
        for (i, (c, _)) in r.issued.accepted.components.iter().enumerate() {
            if !c.files.is_empty() {
                let position = i32::try_from(i).unwrap_or(i32::MAX);
                insert_files(tx, &r.issued.code, position, &c.files).await?;
            }
        }
    }
    Ok(())
}

async fn insert_history(tx: &mut PgConnection, batch: &[Receipt<'_>]) -> Result<(), sqlx::Error> {
    let (mut code, mut at, mut actor, mut to, mut detail, mut rid) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for r in batch {
        let a = r.issued.accepted;
        code.push(r.issued.code.as_str());
        at.push(a.received_at);
        actor.push(a.received_by.as_str());
        to.push(r.issued.status.as_str());
        detail.push(json!({"channel": a.channel.as_str()}));
        rid.push(r.origin.request_id.as_deref());
    }
    sqlx::query(
        "INSERT INTO dossier_history (dossier_code, at, action, actor, from_status, to_status, detail, request_id)
         SELECT code, at, 'receive', actor, NULL, to_status, detail, request_id
           FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::jsonb[], $6::text[])
             AS x(code, at, actor, to_status, detail, request_id)",
    )
    .bind(&code)
    .bind(&at)
    .bind(&actor)
    .bind(&to)
    .bind(&detail)
    .bind(&rid)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
