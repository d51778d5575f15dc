//! Agencies and one-stop units (cơ quan, bộ phận một cửa), with validity and succession.

use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_problem::{ApiPath, ApiResult, Problem};
use serde::Serialize;
use sqlx::{FromRow, PgPool};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list_agencies, get_agency),
    components(schemas(Agency, AgencyList))
)]
pub(crate) struct Doc;

/// An agency as published (cơ quan).
#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub(crate) struct Agency {
    /// Agency code as used in dossier codes, e.g. `000.25.80.H80`.
    pub code: String,
    pub name: String,
    /// `one_stop`, `agency` or `sector_system`.
    pub kind: String,
    /// `province` or `commune`.
    pub level: String,
    pub sector: Option<String>,
    pub unit_code: Option<String>,
    pub parent_code: Option<String>,
    #[schema(value_type = Option<String>)]
    pub valid_from: Option<time::Date>,
    #[schema(value_type = Option<String>)]
    pub valid_until: Option<time::Date>,
    pub successor_code: Option<String>,
    /// Set when the code asked for was retired and this is its successor.
    #[sqlx(skip)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_from: Option<String>,
}

/// A list of agencies.
#[derive(Serialize, ToSchema)]
pub(crate) struct AgencyList {
    items: Vec<Agency>,
    next_cursor: Option<String>,
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agencies", get(list_agencies))
        .route("/api/v1/agencies/{code}", get(get_agency))
}

const SELECT: &str = "SELECT code, name, kind, level, sector, unit_code, parent_code, valid_from, valid_until, successor_code FROM agency";

/// Lists all agencies (public).
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies", responses((status = 200, body = AgencyList)))]
async fn list_agencies(State(s): State<AppState>) -> ApiResult<Json<AgencyList>> {
    let items = sqlx::query_as::<_, Agency>(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY code")))
        .fetch_all(&s.pool)
        .await?;
    Ok(Json(AgencyList {
        items,
        next_cursor: None,
    }))
}

/// One agency (public); a retired agency resolves to its successor, with `resolved_from` set.
#[utoipa::path(get, path = "/api/v1/agencies/{code}", tag = "agencies",
    params(("code" = String, Path, description = "agency code", example = "000.25.80.H80")),
    responses((status = 200, body = Agency), (status = 404, description = "unknown agency")))]
async fn get_agency(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Agency>> {
    Ok(Json(resolve(&s.pool, &code).await?))
}

/// Finds an agency, following successors of retired ones (at most 10 hops).
pub(crate) async fn resolve(pool: &PgPool, code: &str) -> Result<Agency, Problem> {
    let mut current = code.to_string();
    for _ in 0..10 {
        let found =
            sqlx::query_as::<_, Agency>(sqlx::AssertSqlSafe(format!("{SELECT} WHERE code = $1")))
                .bind(&current)
                .fetch_optional(pool)
                .await?;
        let Some(mut agency) = found else {
            return Err(Problem::not_found(
                "agency_not_found",
                format!("no agency {code}"),
            ));
        };
        match agency.successor_code.clone() {
            Some(next) if next != agency.code => current = next,
            _ => {
                if agency.code != code {
                    agency.resolved_from = Some(code.to_string());
                }
                return Ok(agency);
            }
        }
    }
    Err(Problem::unprocessable(
        "succession_cycle",
        format!("agency {code} has a succession chain too long"),
    ))
}
