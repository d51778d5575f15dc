//! Listings (danh mục TTHC niêm yết): which procedure versions each one-stop unit publishes,
//! and which listings are stale — showing a superseded version, or missing a procedure in
//! force for the unit's level. The inspection found exactly these at communes.

use crate::procedures::today;
use crate::{AppState, agencies, import};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_catalogue_model::{AgencyKind, ProcedureEntry, StaleEntry, stale_listings};
use motcua_problem::{ApiJson, ApiPath, ApiResult, FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(get_listing, stale, put_listing),
    components(schemas(ListingBody, ListedVersion))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/listings/stale", get(stale))
        .route(
            "/api/v1/listings/{one_stop}",
            get(get_listing).put(put_listing),
        )
}

async fn versions(s: &AppState) -> Result<Vec<ProcedureEntry>, Problem> {
    let bodies: Vec<serde_json::Value> = sqlx::query_scalar("SELECT body FROM procedure_version")
        .fetch_all(&s.pool)
        .await?;
    bodies
        .into_iter()
        .map(|b| {
            serde_json::from_value(b).map_err(|e| {
                tracing::error!(error = %e, "stored procedure version unreadable");
                Problem::internal()
            })
        })
        .collect()
}

async fn listed(s: &AppState, one_stop: &str) -> Result<Vec<(String, u32)>, Problem> {
    let rows: Vec<(String, i32)> = sqlx::query_as(
        "SELECT procedure_code, version FROM listing WHERE one_stop = $1 ORDER BY procedure_code",
    )
    .bind(one_stop)
    .fetch_all(&s.pool)
    .await?;
    Ok(rows.into_iter().map(|(c, v)| (c, v as u32)).collect())
}

fn stale_of(
    unit: &motcua_catalogue_model::AgencyEntry,
    listed: &[(String, u32)],
    all: &[ProcedureEntry],
    at: Date,
) -> Vec<StaleEntry> {
    stale_listings(unit, listed, all, at)
}

/// The procedures a one-stop unit publishes, with what is stale today: for that unit's officers
/// and heads, catalogue admins, inspectors and admins.
#[utoipa::path(get, path = "/api/v1/listings/{one_stop}", tag = "listings", params(("one_stop" = String, Path, example = "000.25.80.H80")),
    responses((status = 200, content_type = "application/json",
        example = json!({"one_stop": "000.25.80.H80", "items": [{"code": "1.001193", "version": 1}],
                         "stale": [{"procedure_code": "1.011537", "reason": {"kind": "missing", "current_version": 1}}]})),
        (status = 403, description = "not allowed"), (status = 404, description = "unknown unit")),
    security(("bearer" = [])))]
async fn get_listing(
    State(s): State<AppState>,
    ApiPath(one_stop): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let all_agencies = agencies::all(&s.pool).await?;
    let unit = all_agencies
        .iter()
        .find(|a| a.code == one_stop)
        .ok_or_else(|| Problem::new(&codes::AGENCY_NOT_FOUND, format!("no agency {one_stop}")))?;
    let listed = listed(&s, &one_stop).await?;
    let stale = stale_of(unit, &listed, &versions(&s).await?, today(&s));
    let items: Vec<_> = listed
        .iter()
        .map(|(c, v)| json!({"code": c, "version": v}))
        .collect();
    Ok(Json(
        json!({ "one_stop": one_stop, "items": items, "stale": stale }),
    ))
}

/// Every one-stop unit whose listing is stale today, with what is wrong (inspectors, admins).
#[utoipa::path(get, path = "/api/v1/listings/stale", tag = "listings",
    responses((status = 200, content_type = "application/json",
        example = json!({"items": [{"one_stop": "000.25.80.H80", "name": "Trung tâm Phục vụ hành chính công phường Long An",
            "stale": [{"procedure_code": "1.001193", "reason": {"kind": "superseded", "listed_version": 1, "current_version": 2}}]}],
            "next_cursor": null}))),
    security(("bearer" = [])))]
async fn stale(caller: Caller, State(s): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    caller.require_any(&[Role::Inspector, Role::Admin, Role::CatalogueAdmin])?;
    let all = versions(&s).await?;
    let at = today(&s);
    let mut items = Vec::new();
    for unit in agencies::all(&s.pool)
        .await?
        .iter()
        .filter(|a| a.kind == AgencyKind::OneStop && a.is_valid_on(at))
    {
        let stale = stale_of(unit, &listed(&s, &unit.code).await?, &all, at);
        if !stale.is_empty() {
            items.push(json!({ "one_stop": unit.code, "name": unit.name, "stale": stale }));
        }
    }
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

/// One listed version.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub(crate) struct ListedVersion {
    code: String,
    version: u32,
}

/// A unit's whole listing.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"procedures": [{"code": "1.001193", "version": 1}, {"code": "1.011537", "version": 1}]}))]
pub(crate) struct ListingBody {
    procedures: Vec<ListedVersion>,
}

/// Replaces a one-stop unit's listing (catalogue_admin; audited).
#[utoipa::path(put, path = "/api/v1/listings/{one_stop}", tag = "listings", params(("one_stop" = String, Path)),
    request_body = ListingBody,
    responses((status = 200, content_type = "application/json"), (status = 404, description = "unknown unit"),
              (status = 422, description = "not a one-stop unit, or unknown versions")),
    security(("bearer" = [])))]
async fn put_listing(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(one_stop): ApiPath<String>,
    ApiJson(body): ApiJson<ListingBody>,
) -> ApiResult<Json<serde_json::Value>> {
    caller.require_any(&[Role::CatalogueAdmin])?;
    let all_agencies = agencies::all(&s.pool).await?;
    let unit = all_agencies
        .iter()
        .find(|a| a.code == one_stop)
        .ok_or_else(|| Problem::new(&codes::AGENCY_NOT_FOUND, format!("no agency {one_stop}")))?;
    if unit.kind != AgencyKind::OneStop {
        return Err(Problem::new(
            &codes::NOT_A_ONE_STOP,
            format!("{one_stop} is not a one-stop unit"),
        ));
    }
    let all = versions(&s).await?;
    let mut errors = Vec::new();
    for (i, p) in body.procedures.iter().enumerate() {
        if !all
            .iter()
            .any(|v| v.code == p.code && v.version == p.version)
        {
            errors.push(
                FieldError::new(
                    format!("procedures[{i}]"),
                    &codes::UNKNOWN_PROCEDURE,
                    format!("no version {} of {}", p.version, p.code),
                )
                .with("procedure_code", p.code.as_str()),
            );
        }
        if body.procedures[..i].iter().any(|o| o.code == p.code) {
            errors.push(FieldError::new(
                format!("procedures[{i}].code"),
                &codes::DUPLICATE_PROCEDURE,
                format!("{} listed twice", p.code),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(
            Problem::new(&codes::LISTING_INVALID, "the listing has errors").with_errors(errors),
        );
    }
    let wanted: Vec<(String, u32)> = body
        .procedures
        .iter()
        .map(|p| (p.code.clone(), p.version))
        .collect();
    let mut tx = s.pool.begin().await?;
    let changed = import::replace_listing(&mut tx, &one_stop, &wanted, &caller.sub).await?;
    tx.commit().await?;
    let stale = stale_of(unit, &wanted, &all, today(&s));
    Ok(Json(
        json!({ "one_stop": one_stop, "changed": changed, "stale": stale }),
    ))
}
