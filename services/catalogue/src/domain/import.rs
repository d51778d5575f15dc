//! What an import (nhập danh mục) may write: a whole catalogue file is valid on its own and
//! against what is stored — a stored version is never changed, two versions of a code never
//! take effect on the same day — and its references may point at agencies or versions already
//! stored. Every error is named by entry and field.

use motcua_catalogue_model::{CatalogueFile, EntryError, validate};

fn entry_error(entry: String, field: String, code: &str, message: String) -> EntryError {
    EntryError {
        entry,
        field,
        code: code.into(),
        message,
    }
}

/// Every error of `file` imported over `stored`; empty when it may be written.
pub fn check(file: &CatalogueFile, stored: &CatalogueFile) -> Vec<EntryError> {
    let mut errors = validate(file);
    for (i, p) in file.procedures.iter().enumerate() {
        let entry = format!("procedures[{i}] ({})", p.code);
        for s in stored.procedures.iter().filter(|s| s.code == p.code) {
            if s.version == p.version && s != p {
                errors.push(entry_error(
                    entry.clone(),
                    format!("procedures[{i}].version"),
                    "published_version_immutable",
                    format!(
                        "version {} of {} is published and differs; publish a new version",
                        p.version, p.code
                    ),
                ));
            } else if s.version != p.version && s.effective_from() == p.effective_from() {
                errors.push(entry_error(
                    entry.clone(),
                    format!("procedures[{i}].decision.effective_from"),
                    "duplicate_effective_from",
                    format!(
                        "stored version {} of {} already takes effect on {}",
                        s.version,
                        p.code,
                        p.effective_from()
                    ),
                ));
            }
        }
    }
    // References may point at agencies or versions that are already stored.
    if !errors.is_empty() {
        let mut combined = stored.clone();
        combined
            .agencies
            .retain(|a| !file.agencies.iter().any(|f| f.code == a.code));
        combined.agencies.extend(file.agencies.iter().cloned());
        combined.procedures.retain(|p| {
            !file
                .procedures
                .iter()
                .any(|f| f.code == p.code && f.version == p.version)
        });
        combined.procedures.extend(file.procedures.iter().cloned());
        let known = |e: &EntryError| e.code == "unknown_agency" || e.code == "unknown_procedure";
        let resolved_in_context = validate(&combined);
        errors.retain(|e| {
            !known(e)
                || resolved_in_context
                    .iter()
                    .any(|c| c.code == e.code && c.message == e.message)
        });
    }
    errors
}
