//! One dossier as reporting knows it, over REST (hồ sơ theo dõi): the facts behind every count
//! it is in — appointment as moved, paused working time, how it ended, its statuses and steps.

use crate::state::AppState;
use crate::store;
use crate::store::views::{DossierView, StatusEntry, StepEntry};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_problem::{ApiPath, ApiResult, Problem, codes};
use utoipa::OpenApi;

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(dossier),
    components(schemas(DossierView, StatusEntry, StepEntry))
)]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports/dossiers/{code}", get(dossier))
}

/// A dossier's reporting facts, status history and steps. Inspectors and admins read any;
/// agency heads and one-stop officers those their agency received or worked on.
#[utoipa::path(get, path = "/api/v1/reports/dossiers/{code}", tag = "reports",
    params(("code" = String, Path, description = "dossier code", example = "000.25.80.H80-261127-0001")),
    responses((status = 200, description = "the dossier's facts, history and steps", body = DossierView),
        (status = 401, description = "no or invalid token"),
        (status = 403, description = "role_not_allowed: role not allowed"),
        (status = 404, description = "dossier_not_found: unknown, or not one the caller's agency received or \
            worked on (the same answer, so that a code's existence is not revealed)")),
    security(("bearer" = [])))]
async fn dossier(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<DossierView>> {
    let not_found = || Problem::new(&codes::DOSSIER_NOT_FOUND, format!("no dossier {code}"));
    let v = store::views::dossier(&s.pool, &code)
        .await?
        .ok_or_else(not_found)?;
    let own = caller.agency.as_deref();
    let concerned =
        own.is_some_and(|a| v.receiving_agency == a || v.steps.iter().any(|st| st.agency == a));
    // What the caller may not see answers as what does not exist: no oracle on dossier codes.
    if !caller.has_any(&[Role::Inspector, Role::Admin]) && !concerned {
        return Err(not_found());
    }
    Ok(Json(v))
}
