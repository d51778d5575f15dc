//! Catalogue import and export (nhập, xuất danh mục): a whole catalogue file is validated first
//! — every error named by entry and field — and then written in one transaction. Importing
//! the same file again changes nothing (no row, no audit entry). Published versions are
//! immutable: a file that changes a stored version is refused; a change is a new version.

use crate::audit;
use motcua_catalogue_model::{
    AgencyEntry, CatalogueFile, EntryError, ListedProcedure, ListingEntry, ProcedureEntry, fold,
    validate,
};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

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

fn entry_error(entry: String, field: String, code: &str, message: String) -> EntryError {
    EntryError {
        entry,
        field,
        code: code.into(),
        message,
    }
}

/// Everything stored, as a catalogue file (for export and for validating a change in context).
pub async fn load(pool: &PgPool) -> Result<CatalogueFile, ImportError> {
    let mut file = CatalogueFile::default();
    let agencies: Vec<Value> = sqlx::query_scalar("SELECT body FROM agency ORDER BY code")
        .fetch_all(pool)
        .await?;
    for a in agencies {
        file.agencies.push(from_stored(a)?);
    }
    let versions: Vec<Value> =
        sqlx::query_scalar("SELECT body FROM procedure_version ORDER BY code, version")
            .fetch_all(pool)
            .await?;
    for v in versions {
        file.procedures.push(from_stored(v)?);
    }
    let rows: Vec<(String, String, i32)> = sqlx::query_as(
        "SELECT one_stop, procedure_code, version FROM listing ORDER BY one_stop, procedure_code",
    )
    .fetch_all(pool)
    .await?;
    for (one_stop, code, version) in rows {
        match file.listings.last_mut() {
            Some(l) if l.one_stop == one_stop => l.procedures.push(ListedProcedure {
                code,
                version: version as u32,
            }),
            _ => file.listings.push(ListingEntry {
                one_stop,
                procedures: vec![ListedProcedure {
                    code,
                    version: version as u32,
                }],
            }),
        }
    }
    Ok(file)
}

fn from_stored<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, ImportError> {
    serde_json::from_value(v).map_err(|e| ImportError::Database(sqlx::Error::Decode(Box::new(e))))
}

/// Validates `file` on its own and against what is stored, then writes it in one transaction.
pub async fn import(
    pool: &PgPool,
    file: &CatalogueFile,
    actor: &str,
) -> Result<ImportSummary, ImportError> {
    let mut errors = validate(file);
    let stored = load(pool).await?;
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
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }
    let mut summary = ImportSummary::default();
    let mut tx = pool.begin().await?;
    for a in &file.agencies {
        upsert_agency(&mut tx, a, actor, &mut summary).await?;
    }
    for p in &file.procedures {
        if publish_version(&mut tx, p, actor).await? {
            summary.versions_added += 1;
        } else {
            summary.versions_unchanged += 1;
        }
    }
    for l in &file.listings {
        if replace_listing(&mut tx, &l.one_stop, &l.listed(), actor).await? {
            summary.listings_changed += 1;
        }
    }
    tx.commit().await?;
    Ok(summary)
}

async fn upsert_agency(
    tx: &mut PgConnection,
    a: &AgencyEntry,
    actor: &str,
    summary: &mut ImportSummary,
) -> Result<(), sqlx::Error> {
    let body = serde_json::to_value(a).unwrap_or_default();
    let before: Option<Value> =
        sqlx::query_scalar("SELECT body FROM agency WHERE code = $1 FOR UPDATE")
            .bind(&a.code)
            .fetch_optional(&mut *tx)
            .await?;
    if before.as_ref() == Some(&body) {
        return Ok(());
    }
    let sessions = a
        .working_sessions
        .as_ref()
        .map(|s| serde_json::to_value(s).unwrap_or_default());
    sqlx::query(
        "INSERT INTO agency (code, name, kind, level, sector, unit_code, parent_code, valid_from, valid_until,
                             successor_code, working_sessions, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, level = EXCLUDED.level,
             sector = EXCLUDED.sector, unit_code = EXCLUDED.unit_code, parent_code = EXCLUDED.parent_code,
             valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until,
             successor_code = EXCLUDED.successor_code, working_sessions = EXCLUDED.working_sessions, body = EXCLUDED.body",
    )
    .bind(&a.code)
    .bind(&a.name)
    .bind(a.kind.as_str())
    .bind(a.level.as_str())
    .bind(&a.sector)
    .bind(&a.unit_code)
    .bind(&a.parent_code)
    .bind(a.valid_from)
    .bind(a.valid_until)
    .bind(&a.successor_code)
    .bind(sessions)
    .bind(&body)
    .execute(&mut *tx)
    .await?;
    if before.is_some() {
        summary.agencies_changed += 1;
    } else {
        summary.agencies_added += 1;
    }
    audit::record(
        tx,
        actor,
        "agency.put",
        &a.code,
        before.as_ref(),
        Some(&body),
    )
    .await
}

/// Publishes one version; `false` when the identical version is already stored.
pub(crate) async fn publish_version(
    tx: &mut PgConnection,
    p: &ProcedureEntry,
    actor: &str,
) -> Result<bool, sqlx::Error> {
    let body = serde_json::to_value(p).unwrap_or_default();
    let exists: Option<Value> =
        sqlx::query_scalar("SELECT body FROM procedure_version WHERE code = $1 AND version = $2")
            .bind(&p.code)
            .bind(p.version as i32)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_some() {
        return Ok(false);
    }
    let mut agencies: Vec<String> = p
        .implementing_agency
        .iter()
        .chain(p.deciding_agency.iter())
        .chain(p.coordinating_agencies.iter())
        .chain(p.steps.iter().map(|s| &s.agency))
        .cloned()
        .collect();
    agencies.sort();
    agencies.dedup();
    sqlx::query("INSERT INTO procedure (code) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(&p.code)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO procedure_version (code, version, name, field, level, online_level, effective_from, effective_until,
                                        decision_number, decision_date, time_limit, body, search_key, agencies, published_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&p.code)
    .bind(p.version as i32)
    .bind(&p.name)
    .bind(&p.field)
    .bind(p.level.as_str())
    .bind(serde_json::to_value(p.online_level).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())
    .bind(p.effective_from())
    .bind(p.effective_until())
    .bind(p.decision.as_ref().map(|d| d.number.clone()))
    .bind(p.decision.as_ref().map(|d| d.date))
    .bind(serde_json::to_value(p.time_limit).unwrap_or_default())
    .bind(&body)
    .bind(fold(&p.name))
    .bind(&agencies)
    .bind(actor)
    .execute(&mut *tx)
    .await?;
    audit::record(
        tx,
        actor,
        "procedure.publish",
        &format!("{} v{}", p.code, p.version),
        None,
        Some(&body),
    )
    .await?;
    Ok(true)
}

/// Replaces a one-stop unit's listing; `false` when it is already exactly that.
pub(crate) async fn replace_listing(
    tx: &mut PgConnection,
    one_stop: &str,
    listed: &[(String, u32)],
    actor: &str,
) -> Result<bool, sqlx::Error> {
    let mut current: Vec<(String, i32)> =
        sqlx::query_as("SELECT procedure_code, version FROM listing WHERE one_stop = $1 ORDER BY procedure_code FOR UPDATE")
            .bind(one_stop)
            .fetch_all(&mut *tx)
            .await?;
    let mut wanted: Vec<(String, i32)> =
        listed.iter().map(|(c, v)| (c.clone(), *v as i32)).collect();
    wanted.sort();
    current.sort();
    if current == wanted {
        return Ok(false);
    }
    sqlx::query("DELETE FROM listing WHERE one_stop = $1")
        .bind(one_stop)
        .execute(&mut *tx)
        .await?;
    for (code, version) in &wanted {
        sqlx::query("INSERT INTO listing (one_stop, procedure_code, version) VALUES ($1, $2, $3)")
            .bind(one_stop)
            .bind(code)
            .bind(version)
            .execute(&mut *tx)
            .await?;
    }
    let json = |l: &[(String, i32)]| {
        serde_json::json!(
            l.iter()
                .map(|(c, v)| serde_json::json!({"code": c, "version": v}))
                .collect::<Vec<_>>()
        )
    };
    audit::record(
        tx,
        actor,
        "listing.put",
        one_stop,
        Some(&json(&current)),
        Some(&json(&wanted)),
    )
    .await?;
    Ok(true)
}
