//! What intake tells the world outside motcua with each change, written in the change's own
//! transaction (so nothing told is unrecorded and nothing recorded is lost): the national
//! portal's pushes as outbox events for its HTTP destination, and the applicant's notices.

use crate::domain::change::DossierUpdate;
use crate::domain::dossier::Dossier;
use crate::domain::national_portal::{
    self as portal, HistoryLine, PortalDossier, SubmittedFile, SupplementRound,
};
use crate::domain::notices;
use crate::domain::submission::IssuedDossier;
use motcua_notify::NoticeDraft;
use sqlx::{PgConnection, Row};
use time::OffsetDateTime;

/// The outbox destination of the national portal's pushes.
pub const NATIONAL_PORTAL: &str = "national_portal";

/// Who is told: the province's code at the national portal (`None`: no portal configured,
/// nothing recorded for it) and the public lookup link notices carry.
#[derive(Debug, Clone)]
pub struct Outreach {
    /// `MOTCUA_PROVINCE_CODE` when the national portal is configured.
    pub portal_province: Option<String>,
    /// `MOTCUA_PUBLIC_LOOKUP_URL`.
    pub lookup_url: String,
}

/// After a receipt: the portal's first push and the receipt notices. Nothing is built when
/// there is no portal and no one to tell (the hot path of a counter without contacts).
pub async fn after_receipt(
    tx: &mut PgConnection,
    o: &Outreach,
    issued: &IssuedDossier<'_>,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    if o.portal_province.is_none() && !notices::reaches(&issued.accepted.applicant) {
        return Ok(());
    }
    let d = issued.dossier();
    notify(tx, &notices::on_receipt(&d, &o.lookup_url)).await?;
    push_dossier(tx, o, d, at, true).await
}

/// What a written update tells outside motcua, decided before anything is read: `None` when
/// nothing (no portal configured and no notice), and the dossier is then not read back.
pub fn plan(o: &Outreach, u: &DossierUpdate) -> Option<Option<notices::PendingNotice>> {
    let notice = notices::of_update(u);
    (o.portal_province.is_some() || notice.is_some()).then_some(notice)
}

/// After a written update: the portal's push of the dossier as it now stands (`d`, read back
/// in the transaction), and the notice [`plan`] found.
pub async fn after_update(
    tx: &mut PgConnection,
    o: &Outreach,
    notice: Option<notices::PendingNotice>,
    d: Dossier,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    if let Some(n) = notice {
        notify(tx, &n.to(&d, &o.lookup_url)).await?;
    }
    push_dossier(tx, o, d, at, false).await
}

/// After a step is done in workflow: the portal's progress push.
pub async fn after_step(
    tx: &mut PgConnection,
    o: &Outreach,
    step: &motcua_events::StepChanged,
) -> Result<(), sqlx::Error> {
    let Some(province) = &o.portal_province else {
        return Ok(());
    };
    let body = portal::progress(step, province);
    record(tx, portal::PROGRESS, &step.dossier_code, &body, step.at).await
}

async fn notify(tx: &mut PgConnection, drafts: &[NoticeDraft]) -> Result<(), sqlx::Error> {
    if !drafts.is_empty() {
        motcua_notify::record(tx, drafts).await?;
    }
    Ok(())
}

async fn push_dossier(
    tx: &mut PgConnection,
    o: &Outreach,
    d: Dossier,
    at: OffsetDateTime,
    first: bool,
) -> Result<(), sqlx::Error> {
    let Some(province) = &o.portal_province else {
        return Ok(());
    };
    let snapshot = snapshot(tx, d).await?;
    let body = portal::dossier_sync(&snapshot, province, first);
    record(tx, portal::DOSSIER_SYNC, &snapshot.dossier.code, &body, at).await
}

async fn record(
    tx: &mut PgConnection,
    event_type: &str,
    code: &str,
    body: &serde_json::Value,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let event = motcua_outbox::NewEvent {
        event_type,
        subject: code,
        payload: body,
        occurred_at: at,
    };
    motcua_outbox::record(tx, event, &[NATIONAL_PORTAL]).await?;
    Ok(())
}

/// The dossier with its files, supplement round and history, as the portal's document needs.
async fn snapshot(tx: &mut PgConnection, dossier: Dossier) -> Result<PortalDossier, sqlx::Error> {
    let code = dossier.code.clone();
    let files = sqlx::query(
        "SELECT c.component_code, f.name, f.sha256
           FROM dossier_component c
           JOIN dossier_file f ON f.dossier_code = c.dossier_code AND f.position = c.position
          WHERE c.dossier_code = $1 ORDER BY c.position, f.file_index",
    )
    .bind(&code)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| {
        Ok(SubmittedFile {
            component_code: r.try_get("component_code")?,
            name: r.try_get("name")?,
            sha256: r.try_get("sha256")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let supplement = sqlx::query(
        "SELECT requested_by, requested_at, items, due_before, due_after, answered_at, expired_at
           FROM supplement_request WHERE dossier_code = $1",
    )
    .bind(&code)
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| {
        Ok::<_, sqlx::Error>(SupplementRound {
            requested_by: r.try_get("requested_by")?,
            requested_at: r.try_get("requested_at")?,
            items: r.try_get("items")?,
            due_before: r.try_get("due_before")?,
            due_after: r.try_get("due_after")?,
            answered_at: r.try_get("answered_at")?,
            expired_at: r.try_get("expired_at")?,
        })
    })
    .transpose()?;
    let history = sqlx::query(
        "SELECT action, at, detail FROM dossier_history WHERE dossier_code = $1 ORDER BY id",
    )
    .bind(&code)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| {
        Ok(HistoryLine {
            action: r.try_get("action")?,
            at: r.try_get("at")?,
            detail: r.try_get("detail")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(PortalDossier {
        dossier,
        files,
        supplement,
        history,
    })
}
