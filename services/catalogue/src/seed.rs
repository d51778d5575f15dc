//! The demo data set (`data/catalogue-demo.json`, a superset of `shared/data/catalogue-sample.json`)
//! that `motcua up` loads so the documentation's examples work as written. It goes through the
//! same import as any catalogue file, so loading it again changes nothing.

use crate::import::{ImportError, import};
use motcua_catalogue_model::CatalogueFile;
use sqlx::PgPool;

const DEMO: &str = include_str!("../../../data/catalogue-demo.json");

/// Loads the embedded demo catalogue.
pub async fn load_demo(pool: &PgPool) -> anyhow::Result<()> {
    let file = CatalogueFile::parse(DEMO).map_err(|e| anyhow::anyhow!("demo catalogue: {e:?}"))?;
    match import(pool, &file, "system:demo").await {
        Ok(summary) => {
            tracing::info!(?summary, "demo catalogue loaded");
            Ok(())
        }
        Err(ImportError::Invalid(errors)) => anyhow::bail!("demo catalogue invalid: {errors:?}"),
        Err(ImportError::Database(e)) => Err(e.into()),
    }
}
