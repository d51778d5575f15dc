//! Printed documents (văn bản, biểu mẫu) as every service answers them: the rendition the
//! caller asked for (`Accept`: JSON unless `application/pdf` or `text/html` is named), and the
//! PDF signed with the issuing agency's key when keys are configured (`MOTCUA_SIGNING_DIR`).
//! Shared by the services that issue forms (intake's 01–05, workflow's control slip 06), so a
//! document is negotiated, signed and named the same way wherever it comes from.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use motcua_config::{Settings, StartupError};
use motcua_problem::{Problem, codes};
use motcua_signing::{AgencySigners, SigningError};
use std::sync::Arc;
use time::OffsetDateTime;

/// What the caller asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendition {
    /// The document's data (the default).
    Json,
    /// A printable page for the screen.
    Html,
    /// The PDF file, signed when keys are configured.
    Pdf,
}

impl Rendition {
    /// What `headers`' `Accept` asks for: whichever of `application/pdf` and `text/html` it
    /// names first, else JSON (also for `*/*` and no `Accept`).
    pub fn of(headers: &HeaderMap) -> Self {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let pdf = accept.find("application/pdf");
        let html = accept.find("text/html");
        match (pdf, html) {
            (Some(p), Some(h)) if h < p => Self::Html,
            (Some(_), _) => Self::Pdf,
            (None, Some(_)) => Self::Html,
            (None, None) => Self::Json,
        }
    }
}

/// The agency that issues a document (cơ quan ban hành): its key signs it.
#[derive(Debug, Clone)]
pub struct IssuingAgency<'a> {
    /// Its code (which key).
    pub code: &'a str,
    /// Its name (the certificate issued for it by a test authority, the signature's `/Name`).
    pub name: &'a str,
    /// Where it is (`/Location`), when known.
    pub place: Option<&'a str>,
}

/// Turns laid-out documents into answers: PDF bytes, signed with the issuing agency's key
/// when the installation has keys.
#[derive(Clone, Default)]
pub struct Printer {
    signers: Option<Arc<AgencySigners>>,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer")
            .field("signs", &self.signers.is_some())
            .finish()
    }
}

impl Printer {
    /// From `MOTCUA_SIGNING_DIR`: unset, documents are unsigned; set, its keys are loaded (a
    /// folder that cannot be read stops the start-up, saying why).
    pub fn from_settings(settings: &Settings) -> Result<Self, StartupError> {
        let Some(dir) = &settings.signing_dir else {
            return Ok(Self::default());
        };
        let signers = AgencySigners::load(std::path::Path::new(dir))
            .map_err(|e| StartupError::new(format!("MOTCUA_SIGNING_DIR={dir}: {e}")))?;
        Ok(Self {
            signers: Some(Arc::new(signers)),
        })
    }

    /// Whether documents are signed here.
    pub fn signs(&self) -> bool {
        self.signers.is_some()
    }

    /// The PDF of `doc` as an answer named `file_name`, signed by `by` at `at` when keys are
    /// configured; `503 signing_key_missing` when they are but `by` has none.
    pub fn pdf(
        &self,
        doc: &motcua_pdf::Document,
        by: &IssuingAgency<'_>,
        reason: &str,
        at: OffsetDateTime,
        file_name: &str,
    ) -> Result<Response, Problem> {
        let bytes = self.pdf_bytes(doc, by, reason, at)?;
        let mut res = bytes.into_response();
        let headers = res.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pdf"),
        );
        if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{file_name}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(res)
    }

    /// The PDF's bytes, signed as [`Self::pdf`] signs them.
    pub fn pdf_bytes(
        &self,
        doc: &motcua_pdf::Document,
        by: &IssuingAgency<'_>,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<Vec<u8>, Problem> {
        let failed = |e: &dyn std::fmt::Display| {
            tracing::error!(agency = by.code, error = %e, "a document could not be written");
            Problem::internal()
        };
        let Some(signers) = &self.signers else {
            return doc.to_pdf(None).map_err(|e| failed(&e));
        };
        let signer = match signers.signer(by.code, by.name) {
            Ok(s) => s,
            Err(SigningError::NoKey { .. }) => {
                return Err(Problem::new(
                    &codes::SIGNING_KEY_MISSING,
                    format!(
                        "agency {} has no signing key in MOTCUA_SIGNING_DIR; ask for the document \
                         as text/html, or configure the key",
                        by.code
                    ),
                ));
            }
            Err(e) => return Err(failed(&e)),
        };
        let signer = SignedAt { signer, at };
        let signing = motcua_pdf::Signing {
            signer: &signer,
            pdf_date: pdf_date(at),
            reason: reason.to_string(),
            location: by.place.unwrap_or(by.name).to_string(),
        };
        doc.to_pdf(Some(&signing)).map_err(|e| failed(&e))
    }
}

/// An agency's signer whose CMS `signingTime` is the service's clock, the same instant as the
/// PDF's `/M` (the test clock under test, not the wall clock).
struct SignedAt {
    signer: motcua_signing::AgencySigner,
    at: OffsetDateTime,
}

impl motcua_pdf::DetachedSigner for SignedAt {
    fn sign_detached(&self, data: &[u8]) -> Result<Vec<u8>, motcua_pdf::SignError> {
        self.signer
            .sign_file(data, self.at)
            .map_err(|e| motcua_pdf::SignError(e.to_string()))
    }
    fn max_signature_len(&self) -> usize {
        self.signer.max_signature_len()
    }
    fn signer_name(&self) -> String {
        self.signer.signer_name()
    }
}

/// A PDF date in Vietnam time: `D:YYYYMMDDHHmmSS+07'00'`.
fn pdf_date(at: OffsetDateTime) -> String {
    format!("D:{}+07'00'", motcua_calendar::local_compact(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn accept(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static(v));
        h
    }

    #[test]
    fn the_first_named_of_pdf_and_html_wins_and_json_is_the_default() {
        assert_eq!(Rendition::of(&accept("application/pdf")), Rendition::Pdf);
        assert_eq!(
            Rendition::of(&accept("text/html,application/pdf")),
            Rendition::Html
        );
        assert_eq!(
            Rendition::of(&accept("application/pdf, text/html")),
            Rendition::Pdf
        );
        assert_eq!(Rendition::of(&accept("*/*")), Rendition::Json);
        assert_eq!(Rendition::of(&HeaderMap::new()), Rendition::Json);
    }

    #[test]
    fn pdf_dates_are_in_vietnam_time() {
        assert_eq!(
            pdf_date(datetime!(2026-11-27 23:30:05 UTC)),
            "D:20261128063005+07'00'"
        );
    }
}
