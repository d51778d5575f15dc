//! The public status lookup (tra cứu hồ sơ) for applicants: dossier code plus the last four
//! digits of the applicant's ID give status, appointment and current step — nothing else. A
//! wrong suffix and an unknown code give the same `404`, and lookups are rate-limited per
//! client (its address, through a trusted proxy when one is configured), so codes cannot be
//! probed; a client's wrong digits lock the code for that client only, never for the applicant.

use crate::domain::dossier::rfc3339;
use crate::domain::status::DossierStatus;
use crate::limiter::seconds;
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_problem::{ApiPath, ApiQuery, ApiResult, Problem, codes};
use motcua_proto::workflow::v1::GetCaseRequest;
use motcua_server::ClientAddr;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(lookup), components(schemas(PublicStatus)))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/public/dossiers/{code}", get(lookup))
}

/// The lookup's question.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LookupQuery {
    /// Last four digits of the applicant's ID number.
    #[param(pattern = "^[0-9]{4}$", example = "1234")]
    id_last4: String,
}

/// What the public sees.
#[derive(Serialize, ToSchema)]
pub(crate) struct PublicStatus {
    /// Dossier code.
    code: String,
    /// Status name, e.g. `processing`.
    status: String,
    /// National status code 1–10.
    status_code: i16,
    /// Vietnamese label of the status.
    status_label: String,
    /// The appointment for the result (ngày hẹn trả, RFC 3339, +07:00): `due_at` as everywhere.
    due_at: String,
    /// The same instant under its former name; read `due_at` (docs/api.md, deprecations).
    #[schema(deprecated)]
    appointment_at: String,
    /// What is happening now.
    current_step: String,
}

fn same(a: &str, b: &str) -> bool {
    // Constant-time for equal lengths: the answer must not leak how much matched.
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Public status lookup: code + last four ID digits → status, appointment, current step.
#[utoipa::path(get, path = "/api/v1/public/dossiers/{code}", tag = "public",
    params(("code" = String, Path, example = "000.25.80.H80-261127-0001"), LookupQuery),
    responses((status = 200, body = PublicStatus, description = "the dossier's status"),
        (status = 404, description = "unknown code or wrong digits (same answer): dossier_not_found"),
        (status = 429, description = "too many lookups from this client, or too many wrong digits for this code from it: rate_limited",
            headers(("Retry-After" = u64, description = "seconds to wait before asking again")))))]
async fn lookup(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> ApiResult<Json<PublicStatus>> {
    if let Err(wait) = s.lookup_limiter.allow(client) {
        let secs = seconds(wait);
        return Err(Problem::rate_limited(format!(
            "too many lookups from this address; try again in {secs} s"
        ))
        .retry_after(secs));
    }
    if let Err(wait) = s.lookup_limiter.code_open(client, &code) {
        let secs = seconds(wait);
        return Err(Problem::rate_limited(format!(
            "too many wrong answers for this code from this address; try again in {secs} s"
        ))
        .retry_after(secs));
    }
    let unknown = || {
        Problem::new(
            &codes::DOSSIER_NOT_FOUND,
            "no dossier matches this code and these digits",
        )
    };
    let found = store::dossiers::get(&s.pool, &code).await?;
    let Some(d) = found.filter(|d| same(&d.applicant_id_last4, q.id_last4.trim())) else {
        s.lookup_limiter.wrong(client, &code);
        return Err(unknown());
    };
    let mut current_step = d.status.label().to_string();
    if d.status == DossierStatus::Processing {
        let mut wf = s.workflow.clone();
        if let Ok(case) = wf
            .get_case(GetCaseRequest {
                dossier_code: code.clone(),
            })
            .await
        {
            let steps = case.into_inner().current_steps;
            if !steps.is_empty() {
                current_step = steps.join("; ");
            }
        }
    }
    Ok(Json(PublicStatus {
        code: d.code,
        status: d.status.as_str().into(),
        status_code: d.status.code(),
        status_label: d.status.label().into(),
        due_at: rfc3339(d.due.at),
        appointment_at: rfc3339(d.due.at),
        current_step,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_compare_exactly() {
        assert!(same("1234", "1234"));
        assert!(!same("1234", "1235"));
        assert!(!same("1234", "123"));
    }
}
