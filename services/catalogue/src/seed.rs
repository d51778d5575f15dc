//! The demo data set (`data/catalogue-demo.json`, a superset of `shared/data/catalogue-sample.json`)
//! that `motcua up` loads so the documentation's examples work as written. Loading is
//! idempotent: agencies are upserted, and a procedure version is only published when that
//! procedure has no version yet (published versions are immutable).

use anyhow::Context;
use motcua_calendar::TimeLimit;
use serde::Deserialize;
use sqlx::PgPool;

const DEMO: &str = include_str!("../../../data/catalogue-demo.json");

/// Effective date given to demo procedures that name none: the start of the Decree 118 regime.
const DEMO_EFFECTIVE_FROM: time::Date = time::macros::date!(2025 - 07 - 01);

#[derive(Deserialize)]
struct CatalogueFile {
    agencies: Vec<AgencyEntry>,
    procedures: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct AgencyEntry {
    code: String,
    name: String,
    kind: String,
    level: String,
    #[serde(default)]
    sector: Option<String>,
    #[serde(default)]
    unit_code: Option<String>,
}

/// Loads the embedded demo catalogue.
pub async fn load_demo(pool: &PgPool) -> anyhow::Result<()> {
    let file: CatalogueFile = serde_json::from_str(DEMO).context("parsing the demo catalogue")?;
    let mut tx = pool.begin().await?;
    for a in &file.agencies {
        sqlx::query(
            "INSERT INTO agency (code, name, kind, level, sector, unit_code)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
                 level = EXCLUDED.level, sector = EXCLUDED.sector, unit_code = EXCLUDED.unit_code",
        )
        .bind(&a.code)
        .bind(&a.name)
        .bind(&a.kind)
        .bind(&a.level)
        .bind(&a.sector)
        .bind(&a.unit_code)
        .execute(&mut *tx)
        .await?;
    }
    for (i, p) in file.procedures.iter().enumerate() {
        let text = |k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let code = text("code").with_context(|| format!("procedures[{i}].code missing"))?;
        let limit: TimeLimit =
            serde_json::from_value(p.get("time_limit").cloned().unwrap_or_default())
                .with_context(|| format!("procedures[{i}].time_limit of {code}"))?;
        sqlx::query("INSERT INTO procedure (code) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(&code)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO procedure_version (code, version, name, field, level, online_level,
                                            effective_from, time_limit, body)
             SELECT $1, 1, $2, $3, $4, $5, $6, $7, $8
              WHERE NOT EXISTS (SELECT 1 FROM procedure_version WHERE code = $1)",
        )
        .bind(&code)
        .bind(text("name").unwrap_or_default())
        .bind(text("field").unwrap_or_default())
        .bind(text("level").unwrap_or_default())
        .bind(text("online_level").unwrap_or_else(|| "partial".into()))
        .bind(DEMO_EFFECTIVE_FROM)
        .bind(serde_json::to_value(limit)?)
        .bind(p)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
