//! Agencies and one-stop units (cơ quan, bộ phận một cửa), with validity and succession: a
//! retired agency resolves to its successor (Long An + Tây Ninh → Tây Ninh, 2025), so dossiers
//! in flight continue at the successor.

use crate::AppState;
use crate::procedures::{parse_date, today};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_catalogue_model::{AgencyEntry, SuccessionError, resolve_agency};
use motcua_problem::{ApiPath, ApiQuery, ApiResult, Problem, codes};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use time::Date;
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(list_agencies, get_agency), components(schemas(ResolvedAgency)))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agencies", get(list_agencies))
        .route("/api/v1/agencies/{code}", get(get_agency))
}

/// Every stored agency, as published.
pub(crate) async fn all(pool: &PgPool) -> Result<Vec<AgencyEntry>, Problem> {
    let bodies: Vec<serde_json::Value> =
        sqlx::query_scalar("SELECT body FROM agency ORDER BY code")
            .fetch_all(pool)
            .await?;
    bodies
        .into_iter()
        .map(|b| {
            serde_json::from_value(b).map_err(|e| {
                tracing::error!(error = %e, "stored agency unreadable");
                Problem::internal()
            })
        })
        .collect()
}

/// Lists all agencies with their validity and successors (public).
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies",
    responses((status = 200, description = "{items, next_cursor}", content_type = "application/json",
        example = json!({"items": [{"code": "000.25.80.H80", "name": "Trung tâm Phục vụ hành chính công phường Long An",
            "kind": "one_stop", "level": "commune", "unit_code": "80"}], "next_cursor": null}))))]
async fn list_agencies(State(s): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let items = all(&s.pool).await?;
    Ok(Json(
        serde_json::json!({ "items": items, "next_cursor": null }),
    ))
}

/// An agency resolved on a date.
#[derive(Serialize, ToSchema)]
pub(crate) struct ResolvedAgency {
    /// The agency valid on the date (the successor when the asked one was retired).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub agency: AgencyEntry,
    /// The code that was asked for, when it was retired and resolved to a successor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_from: Option<String>,
    /// Codes followed, from the asked one to the answer.
    pub chain: Vec<String>,
    /// With `resolved_from`: the first day the successor took over (the day after the asked
    /// agency's last valid day).
    /// (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub succeeded_on: Option<String>,
}

/// Date selector.
#[derive(Deserialize, IntoParams)]
pub(crate) struct AtQuery {
    /// Date (YYYY-MM-DD); default today.
    at: Option<String>,
}

/// One agency (public); a retired agency resolves to its successor valid on the date.
#[utoipa::path(get, path = "/api/v1/agencies/{code}", tag = "agencies",
    params(("code" = String, Path, description = "agency code", example = "000.25.80.H80"), AtQuery),
    responses((status = 200, body = ResolvedAgency,
        example = json!({"code": "000.25.80.H80", "name": "Trung tâm Phục vụ hành chính công phường Long An", "kind": "one_stop",
            "level": "commune", "unit_code": "80", "resolved_from": "000.25.72.H72", "chain": ["000.25.72.H72", "000.25.80.H80"]})),
        (status = 404, description = "unknown agency"),
              (status = 409, description = "retired without successor, or not yet valid")))]
async fn get_agency(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> ApiResult<Json<ResolvedAgency>> {
    let at = match q.at {
        Some(raw) => parse_date("at", &raw)?,
        None => today(&s),
    };
    Ok(Json(resolve(&s.pool, &code, at).await?))
}

/// Finds the agency valid on `at` for `code`, following successors of retired ones.
pub(crate) async fn resolve(
    pool: &PgPool,
    code: &str,
    at: Date,
) -> Result<ResolvedAgency, Problem> {
    let agencies = all(pool).await?;
    match resolve_agency(&agencies, code, at) {
        Ok(r) => {
            let succeeded_on = r
                .resolved_from
                .as_ref()
                .and_then(|_| agencies.iter().find(|a| a.code == code))
                .and_then(|asked| asked.valid_until)
                .and_then(|last| last.next_day())
                .map(|d| d.to_string());
            Ok(ResolvedAgency {
                agency: r.agency.clone(),
                resolved_from: r.resolved_from.clone(),
                chain: r.chain.clone(),
                succeeded_on,
            })
        }
        Err(SuccessionError::NotFound { .. }) => Err(Problem::new(
            &codes::AGENCY_NOT_FOUND,
            format!("no agency {code}"),
        )),
        Err(e @ SuccessionError::Cycle { .. }) => {
            tracing::error!(error = %e, "succession cycle in stored agencies");
            Err(Problem::internal())
        }
        Err(e) => Err(Problem::new(&codes::AGENCY_NOT_VALID, e.to_string()).with("agency", code)),
    }
}
