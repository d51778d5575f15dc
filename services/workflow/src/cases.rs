//! Cases (hồ sơ đang giải quyết): opened from `dossier.received`, read by staff.

use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_events::DossierReceived;
use motcua_problem::{ApiPath, ApiResult, Problem};
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(paths(get_case), components(schemas(Case)))]
pub(crate) struct Doc;

/// A case as stored.
#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub(crate) struct Case {
    pub id: Uuid,
    pub dossier_code: String,
    pub procedure_code: String,
    pub procedure_version: i32,
    pub receiving_agency: String,
    pub state: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub opened_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub due_at: OffsetDateTime,
    pub due_provisional: bool,
    /// Trace id of the request that created the dossier.
    pub trace_id: Option<String>,
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/dossiers/{code}/case", get(get_case))
}

/// Opens the case for a received dossier; a second event for the same dossier changes nothing.
pub(crate) async fn open(
    tx: &mut PgConnection,
    event_id: Uuid,
    ev: &DossierReceived,
    opened_at: OffsetDateTime,
    trace_id: Option<String>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO dossier_case (id, dossier_code, procedure_code, procedure_version, receiving_agency, state,
                                   opened_at, received_at, due_at, due_provisional, opened_by_event, trace_id)
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $11)
         ON CONFLICT (dossier_code) DO NOTHING",
    )
    .bind(Uuid::now_v7())
    .bind(&ev.dossier_code)
    .bind(&ev.procedure_code)
    .bind(ev.procedure_version)
    .bind(&ev.receiving_agency)
    .bind(opened_at)
    .bind(ev.received_at)
    .bind(ev.due_at)
    .bind(ev.due_provisional)
    .bind(event_id)
    .bind(trace_id)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The case of a dossier, if opened.
pub(crate) async fn find(pool: &PgPool, dossier_code: &str) -> Result<Option<Case>, sqlx::Error> {
    sqlx::query_as::<_, Case>(
        "SELECT id, dossier_code, procedure_code, procedure_version, receiving_agency, state, opened_at, due_at,
                due_provisional, trace_id
           FROM dossier_case WHERE dossier_code = $1",
    )
    .bind(dossier_code)
    .fetch_optional(pool)
    .await
    .map(|c| {
        c.map(|mut c| {
            c.opened_at = c.opened_at.to_offset(motcua_calendar::PROVINCE_OFFSET);
            c.due_at = c.due_at.to_offset(motcua_calendar::PROVINCE_OFFSET);
            c
        })
    })
}

/// The case behind a dossier (inspectors, admins, and staff of the receiving agency).
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/case", tag = "cases",
    params(("code" = String, Path, example = "000.25.80.H80-261127-0001")),
    responses((status = 200, body = Case), (status = 403, description = "not allowed"), (status = 404, description = "no case")),
    security(("bearer" = [])))]
async fn get_case(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Case>> {
    caller.require_any(&[
        Role::Inspector,
        Role::Admin,
        Role::OneStopOfficer,
        Role::Specialist,
        Role::AgencyHead,
    ])?;
    let case = find(&s.pool, &code).await?.ok_or_else(|| {
        Problem::not_found("case_not_found", format!("no case for dossier {code}"))
    })?;
    if !caller.has_any(&[Role::Inspector, Role::Admin])
        && caller.agency.as_deref() != Some(case.receiving_agency.as_str())
    {
        return Err(Problem::forbidden(
            "agency_not_allowed",
            "the case is not at the caller's agency",
        ));
    }
    Ok(Json(case))
}
