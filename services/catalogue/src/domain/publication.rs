//! Publishing a procedure version (công bố thủ tục): one procedure entry of the catalogue file
//! format, numbered after the stored versions when it has no number, validated in the context
//! of everything stored (agencies referenced, template budget against the time limit,
//! effective dates). A published version is never changed.

use motcua_catalogue_model::{CatalogueFile, EntryError, ProcedureEntry, validate};
use motcua_problem::{FieldError, Problem, codes};
use serde_json::Value;

/// The request body as JSON.
pub fn parse_body(body: &[u8]) -> Result<Value, Problem> {
    serde_json::from_slice(body).map_err(|e| {
        Problem::new(&codes::INVALID_BODY, "the body is not JSON").with_errors(vec![
            FieldError::new("body", &codes::INVALID_JSON, e.to_string()),
        ])
    })
}

/// The procedure code the body is about (empty when it has none; validation says so).
pub fn requested_code(raw: &Value) -> String {
    raw.get("code")
        .and_then(|c| c.as_str())
        .unwrap_or_default()
        .to_string()
}

/// The version to publish from `raw`, numbered `next` unless it says otherwise, checked
/// against `stored` (everything published): refused when that version exists or when the
/// entry has errors, each named relative to the request body.
pub fn prepare(
    mut stored: CatalogueFile,
    mut raw: Value,
    next: i32,
) -> Result<ProcedureEntry, Problem> {
    if let Some(o) = raw.as_object_mut() {
        o.entry("version").or_insert(next.into());
    }
    let entry: ProcedureEntry = match CatalogueFile::parse(
        &serde_json::json!({"agencies": [], "procedures": [raw]}).to_string(),
    ) {
        Ok(mut f) => f.procedures.remove(0),
        Err(errors) => return Err(entry_problem(errors, 0)),
    };
    if stored
        .procedures
        .iter()
        .any(|p| p.code == entry.code && p.version == entry.version)
    {
        return Err(Problem::new(
            &codes::VERSION_EXISTS,
            format!(
                "version {} of {} is published and immutable; publish a new version",
                entry.version, entry.code
            ),
        ));
    }
    let index = stored.procedures.len();
    stored.procedures.push(entry.clone());
    let errors: Vec<_> = validate(&stored)
        .into_iter()
        .filter(|e| e.field.starts_with(&format!("procedures[{index}]")))
        .collect();
    if !errors.is_empty() {
        return Err(entry_problem(errors, index));
    }
    Ok(entry)
}

/// Entry errors as field errors, with paths relative to the request body.
pub fn entry_problem(errors: Vec<EntryError>, index: usize) -> Problem {
    let prefix = format!("procedures[{index}]");
    let fields = errors
        .into_iter()
        .map(|e| {
            let field = e
                .field
                .strip_prefix(&prefix)
                .map(|f| f.trim_start_matches('.').to_string())
                .unwrap_or(e.field);
            FieldError::relayed(
                if field.is_empty() {
                    "body".to_string()
                } else {
                    field
                },
                &e.code,
                e.message,
            )
        })
        .collect();
    Problem::new(
        &codes::PROCEDURE_INVALID,
        "the procedure version has errors",
    )
    .with_errors(fields)
}
