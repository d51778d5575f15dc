//! The dossier's forms (biểu mẫu) over REST: the receipt (form 01) and the forms issued with
//! later changes — supplement request (02), refusal (03), apology and re-appointment (04),
//! stop notice (05) — as stored JSON, as a printable HTML page (`Accept: text/html`), or as a
//! PDF signed with the issuing agency's key (`Accept: application/pdf`).

use crate::domain::dossier::Dossier;
use crate::domain::printed::{self, AgencyName, FormNumber, IssuedDocument};
use crate::domain::receipt::ReceiptForm;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_problem::{ApiPath, ApiResult, Problem, codes};
use motcua_server::printed::{IssuingAgency, Rendition};
use serde::Serialize;
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(get_receipt, get_form), components(schemas(IssuedForm)))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dossiers/{code}/receipt", get(get_receipt))
        .route("/api/v1/dossiers/{code}/forms/{form}", get(get_form))
}

/// The receipt (form 01) as JSON; a printable page with `Accept: text/html`; a PDF signed by
/// the receiving one-stop with `Accept: application/pdf`.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/receipt", tag = "dossiers",
    params(("code" = String, Path, example = "000.25.80.H80-261127-0001")),
    responses((status = 200, description = "the receipt (form 01): JSON, a printable page with `Accept: text/html`, \
                  or a signed PDF with `Accept: application/pdf`",
                  content((ReceiptForm = "application/json"), (String = "text/html"), (String = "application/pdf"))),
              (status = 404, description = "unknown dossier, or one the caller may not read (the same \
                answer): dossier_not_found"),
              (status = 503, description = "signing_key_missing: documents are signed here and the one-stop has no key")),
    security(("bearer" = [])))]
async fn get_receipt(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Response> {
    let d = s.readable(&caller, &code).await?;
    match Rendition::of(&headers) {
        Rendition::Json => Ok(Json(d.receipt).into_response()),
        r => print(&s, &d, FormNumber::Receipt, None, r).await,
    }
}

/// A form as issued, in JSON: what the change that issued it recorded.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct IssuedForm {
    /// `01`…`05`.
    form: &'static str,
    /// The dossier.
    dossier_code: String,
    /// The kind of document recorded (`refusal_form_03`, `stop_notice`, …).
    kind: String,
    /// When it was issued (RFC 3339, +07:00).
    #[schema(format = DateTime)]
    issued_at: String,
    /// The account that issued it.
    issued_by: String,
    /// What it says (the reasons, items, old and new appointment…).
    body: Value,
}

/// One of the dossier's forms: `01` receipt, `02` supplement request, `03` refusal, `04`
/// apology and re-appointment, `05` stop notice; as JSON, a printable page (`Accept:
/// text/html`) or a PDF signed by the agency that issued it (`Accept: application/pdf`).
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/forms/{form}", tag = "dossiers",
    params(("code" = String, Path, example = "000.25.80.H80-261127-0001"),
           ("form" = String, Path, description = "01 | 02 | 03 | 04 | 05", example = "02")),
    responses((status = 200, description = "the form: JSON (form 01: the receipt), a printable page, or a signed PDF",
                  content((IssuedForm = "application/json"), (String = "text/html"), (String = "application/pdf"))),
              (status = 404, description = "dossier_not_found (unknown, or not readable by the caller); \
                form_not_issued: no such form for this dossier (not 01–05, or never issued)"),
              (status = 503, description = "signing_key_missing: documents are signed here and the issuing agency has no key")),
    security(("bearer" = [])))]
async fn get_form(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiPath((code, form)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let d = s.readable(&caller, &code).await?;
    let not_issued = || {
        Problem::new(
            &codes::FORM_NOT_ISSUED,
            format!("dossier {code} has no form {form}"),
        )
    };
    let number = FormNumber::parse(&form).ok_or_else(not_issued)?;
    let doc = match number {
        FormNumber::Receipt => None,
        n => Some(
            crate::store::documents::latest(&s.pool, &code, n.document_kinds())
                .await?
                .ok_or_else(not_issued)?,
        ),
    };
    match (Rendition::of(&headers), &doc) {
        (Rendition::Json, None) => Ok(Json(d.receipt).into_response()),
        (Rendition::Json, Some(doc)) => Ok(Json(IssuedForm {
            form: number.as_str(),
            dossier_code: d.code.clone(),
            kind: doc.kind.clone(),
            issued_at: crate::domain::dossier::rfc3339(doc.issued_at),
            issued_by: doc.issued_by.clone(),
            body: doc.body.clone(),
        })
        .into_response()),
        (r, _) => print(&s, &d, number, doc.as_ref(), r).await,
    }
}

/// An agency's name from the catalogue (its code when the catalogue does not know it). A
/// catalogue that cannot answer is an error, never a form (and a test authority's certificate)
/// issued under the bare code.
async fn agency_name(s: &AppState, code: &str) -> Result<AgencyName, Problem> {
    let name = match s.catalogue.agency(code).await? {
        Some(a) => a.name,
        None => code.to_string(),
    };
    Ok(AgencyName {
        code: code.to_string(),
        name,
    })
}

/// Fills the form and answers it as HTML or as a signed PDF.
async fn print(
    s: &AppState,
    d: &Dossier,
    number: FormNumber,
    doc: Option<&IssuedDocument>,
    rendition: Rendition,
) -> ApiResult<Response> {
    let receiving = agency_name(s, &d.receiving_agency).await?;
    let late = match doc.and_then(printed::late_agency_code) {
        Some(code) if number == FormNumber::Apology => Some(agency_name(s, &code).await?),
        _ => None,
    };
    let filled = match doc {
        None => printed::receipt(d, &receiving),
        Some(doc) => printed::from_document(number, d, doc, &receiving, late.as_ref()),
    }
    .map_err(|e| {
        tracing::error!(dossier = %d.code, form = number.as_str(), error = %e.0, "a stored form cannot be printed");
        Problem::internal()
    })?;
    if rendition == Rendition::Html {
        return Ok(Html(filled.html()).into_response());
    }
    let issuer = filled.issuer();
    s.printer.pdf(
        &filled.document(),
        &IssuingAgency {
            code: &issuer.agency_code,
            name: &issuer.agency_name,
            place: issuer.place.as_deref(),
        },
        filled.title(),
        s.now(),
        &format!("{}-{}.pdf", d.code, number.as_str()),
    )
}
