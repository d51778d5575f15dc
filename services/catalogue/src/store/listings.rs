//! Listings (`listing`): the procedure versions each one-stop unit publishes, read per unit or
//! all at once, and replaced whole (audited, only when they change).

use super::audit;
use motcua_audit::Actor;
use motcua_catalogue_model::{ListedProcedure, ListingEntry};
use sqlx::{PgConnection, PgPool};

/// What `one_stop` lists, as (code, version) pairs by code.
pub async fn of_unit(pool: &PgPool, one_stop: &str) -> Result<Vec<(String, u32)>, sqlx::Error> {
    let rows: Vec<(String, i32)> = sqlx::query_as(
        "SELECT procedure_code, version FROM listing WHERE one_stop = $1 ORDER BY procedure_code",
    )
    .bind(one_stop)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(c, v)| (c, v as u32)).collect())
}

/// Every unit's listing, by unit and then code; units that list nothing are absent.
pub async fn all(pool: &PgPool) -> Result<Vec<ListingEntry>, sqlx::Error> {
    let rows: Vec<(String, String, i32)> = sqlx::query_as(
        "SELECT one_stop, procedure_code, version FROM listing ORDER BY one_stop, procedure_code",
    )
    .fetch_all(pool)
    .await?;
    let mut listings: Vec<ListingEntry> = Vec::new();
    for (one_stop, code, version) in rows {
        match listings.last_mut() {
            Some(l) if l.one_stop == one_stop => l.procedures.push(ListedProcedure {
                code,
                version: version as u32,
            }),
            _ => listings.push(ListingEntry {
                one_stop,
                procedures: vec![ListedProcedure {
                    code,
                    version: version as u32,
                }],
            }),
        }
    }
    Ok(listings)
}

/// Replaces a one-stop unit's listing, audited; `false` when it is already exactly that.
pub async fn replace(
    tx: &mut PgConnection,
    one_stop: &str,
    listed: &[(String, u32)],
    actor: &Actor,
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
