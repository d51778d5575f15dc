//! Catalogue import and export (nhập, xuất danh mục): a whole catalogue file is validated first
//! — every error named by entry and field — and then written in one transaction. Importing
//! the same file again changes nothing (no row, no audit entry). Published versions are
//! immutable: a file that changes a stored version is refused; a change is a new version.

use crate::domain::import::check;
use crate::store;
use crate::store::agencies::Put;
use motcua_audit::Actor;
use motcua_catalogue_model::{CatalogueFile, EntryError};
use sqlx::PgPool;

/// What an import changed.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    /// Agencies added.
    pub agencies_added: usize,
    /// Agencies whose published data changed.
    pub agencies_changed: usize,
    /// Procedure versions published.
    pub versions_added: usize,
    /// Versions already stored, identical.
    pub versions_unchanged: usize,
    /// One-stop listings replaced.
    pub listings_changed: usize,
}

/// Why an import was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has errors; nothing was written.
    #[error("{} error(s) in the catalogue file", .0.len())]
    Invalid(Vec<EntryError>),
    /// The database failed; nothing was written.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Everything stored, as a catalogue file (for export and for validating a change in context).
pub async fn load(pool: &PgPool) -> Result<CatalogueFile, ImportError> {
    Ok(CatalogueFile {
        agencies: store::agencies::all(pool).await?,
        procedures: store::procedures::entries(pool).await?,
        listings: store::listings::all(pool).await?,
        ..CatalogueFile::default()
    })
}

/// Validates `file` on its own and against what is stored, then writes it in one transaction.
/// `actor` names the operator (or the seed) on the audit trail; an import carries no token,
/// so no roles or agency are recorded with it.
pub async fn import(
    pool: &PgPool,
    file: &CatalogueFile,
    actor: &str,
) -> Result<ImportSummary, ImportError> {
    let stored = load(pool).await?;
    let errors = check(file, &stored);
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }
    let actor = &Actor {
        sub: actor.to_string(),
        roles: Vec::new(),
        agency: None,
    };
    let mut summary = ImportSummary::default();
    let mut tx = pool.begin().await?;
    for a in &file.agencies {
        match store::agencies::put(&mut tx, a, actor).await? {
            Put::Unchanged => {}
            Put::Added => summary.agencies_added += 1,
            Put::Changed => summary.agencies_changed += 1,
        }
    }
    for p in &file.procedures {
        if store::procedures::publish(&mut tx, p, actor).await? {
            summary.versions_added += 1;
        } else {
            summary.versions_unchanged += 1;
        }
    }
    for l in &file.listings {
        if store::listings::replace(&mut tx, &l.one_stop, &l.listed(), actor).await? {
            summary.listings_changed += 1;
        }
    }
    tx.commit().await?;
    Ok(summary)
}
