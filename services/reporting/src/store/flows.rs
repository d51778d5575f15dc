//! The handling report's flows (`handling_flow_day`, `handling_flow_month`): added to in the
//! transaction that changes a dossier's facts, summed by a report, and recomputed from the
//! facts by a rebuild, whose checksum proves the incremental path kept them exact.

use crate::domain::flows::{COLUMNS, Counts, FlowDeltas, FlowKey};
use crate::domain::handling::{GroupBy, Plan};
use crate::store::facts::{FACT_COLUMNS, FactRow};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool, Row};
use time::Date;

const TABLES: [&str; 2] = ["handling_flow_day", "handling_flow_month"];

/// Adds `deltas` to the flow rows, in key order (one lock order for every writer).
pub async fn apply(tx: &mut PgConnection, deltas: &FlowDeltas) -> Result<(), sqlx::Error> {
    for (table, rows) in TABLES.iter().zip([&deltas.days, &deltas.months]) {
        for chunk in FlowDeltas::changed(rows).chunks(5_000) {
            upsert(tx, table, chunk).await?;
        }
    }
    Ok(())
}

async fn upsert(
    tx: &mut PgConnection,
    table: &str,
    rows: &[(&(Date, FlowKey), &Counts)],
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let cols = COLUMNS.join(", ");
    let unnest: Vec<String> = (0..COLUMNS.len())
        .map(|i| format!("${}::bigint[]", i + 6))
        .collect();
    let set: Vec<String> = COLUMNS
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO {table} (day, agency, procedure_code, field, level, {cols})
         SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[], {})
         ON CONFLICT (day, agency, procedure_code, field, level) DO UPDATE SET {}",
        unnest.join(", "),
        set.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(rows.iter().map(|r| r.0.0).collect::<Vec<_>>())
        .bind(
            rows.iter()
                .map(|r| r.0.1.agency.clone())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.0.1.procedure_code.clone())
                .collect::<Vec<_>>(),
        )
        .bind(rows.iter().map(|r| r.0.1.field.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.1.level.clone()).collect::<Vec<_>>());
    for i in 0..COLUMNS.len() {
        q = q.bind(rows.iter().map(|r| r.1.values()[i]).collect::<Vec<_>>());
    }
    q.execute(&mut *tx).await?;
    Ok(())
}

/// One group's three sums: the stock before the period, its flows, the stock at its end.
pub struct GroupSums {
    /// The group's key.
    pub key: String,
    /// Stock deltas up to the day before the period.
    pub before: Counts,
    /// Flows within the period.
    pub period: Counts,
    /// Stock deltas up to the period's last day.
    pub end: Counts,
}

/// The counters each sum needs, by index in [`COLUMNS`]: the stock before the period (in
/// progress), its flows (entered and ended), the stocks at its end. Only these are summed.
const BEFORE: [usize; 1] = [8];
const PERIOD: [usize; 8] = [0, 1, 2, 3, 4, 5, 6, 7];
const END: [usize; 4] = [8, 9, 10, 11];

/// Which sum each summed column feeds (0 before, 1 period, 2 end) and its counter index.
fn needed() -> Vec<(usize, usize)> {
    BEFORE
        .iter()
        .map(|i| (0, *i))
        .chain(PERIOD.iter().map(|i| (1, *i)))
        .chain(END.iter().map(|i| (2, *i)))
        .collect()
}

/// The flow query of a report grouped by `group_by`; its parameters are bound by [`bind`].
fn handling_sql(group_by: GroupBy) -> String {
    let key = group_by.column();
    let sums: Vec<String> = needed()
        .iter()
        .map(|(which, i)| {
            let flag = ["b", "p", "e"][*which];
            format!(
                "coalesce(sum({}) FILTER (WHERE {flag}), 0)::bigint",
                COLUMNS[*i]
            )
        })
        .collect();
    let cols = COLUMNS.join(", ");
    let days = "day BETWEEN $3 AND $4";
    let end_days = "day BETWEEN $6 AND $7";
    let period_days = "(day BETWEEN $10 AND $11 OR day BETWEEN $12 AND $13)";
    format!(
        "WITH src AS (
           SELECT {key} AS key, {cols}, day < $2 AS b, day < $5 AS e, (day >= $8 AND day < $9) AS p
             FROM handling_flow_month WHERE day < $14 AND ($1::text IS NULL OR agency = $1)
           UNION ALL
           SELECT {key} AS key, {cols}, coalesce({days}, false), coalesce({end_days}, false), coalesce({period_days}, false)
             FROM handling_flow_day
            WHERE ({days} OR {end_days} OR {period_days}) AND ($1::text IS NULL OR agency = $1))
         SELECT key, {} FROM src GROUP BY key",
        sums.join(", ")
    )
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// Binds `plan` and `agency` to the flow query.
fn bind<'q>(q: PgQuery<'q>, plan: &Plan, agency: Option<&'q str>) -> PgQuery<'q> {
    let (bd, ed, pm, [p1, p2]) = (
        plan.before_days,
        plan.end_days,
        plan.period_months,
        plan.period_days,
    );
    q.bind(agency)
        .bind(plan.before_months)
        .bind(bd.map(|d| d.0))
        .bind(bd.map(|d| d.1))
        .bind(plan.end_months)
        .bind(ed.map(|d| d.0))
        .bind(ed.map(|d| d.1))
        .bind(pm.map(|m| m.0))
        .bind(pm.map(|m| m.1))
        .bind(p1.map(|d| d.0))
        .bind(p1.map(|d| d.1))
        .bind(p2.map(|d| d.0))
        .bind(p2.map(|d| d.1))
        .bind(plan.months_until())
}

/// Sums the flows `plan` reads, per `group_by`, at one agency or all.
pub async fn handling(
    pool: &PgPool,
    plan: &Plan,
    group_by: GroupBy,
    agency: Option<&str>,
) -> Result<Vec<GroupSums>, sqlx::Error> {
    let q = sqlx::query(sqlx::AssertSqlSafe(handling_sql(group_by)));
    let rows = bind(q, plan, agency).fetch_all(pool).await?;
    let needed = needed();
    rows.into_iter()
        .map(|r| {
            let mut v = [[0i64; 12]; 3];
            for (n, (which, i)) in needed.iter().enumerate() {
                v[*which][*i] = r.try_get(1 + n)?;
            }
            Ok(GroupSums {
                key: r.try_get(0)?,
                before: Counts::from_values(v[0]),
                period: Counts::from_values(v[1]),
                end: Counts::from_values(v[2]),
            })
        })
        .collect()
}

/// The flow query's `EXPLAIN (ANALYZE, BUFFERS)` for `plan` over every agency (benchmarks).
pub async fn explain(
    pool: &PgPool,
    plan: &Plan,
    group_by: GroupBy,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!("EXPLAIN (ANALYZE, BUFFERS) {}", handling_sql(group_by));
    let rows = bind(sqlx::query(sqlx::AssertSqlSafe(sql)), plan, None)
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

/// A sha256 over every non-zero flow row, in key order: equal before and after a rebuild
/// when the incremental path kept the flows exact.
pub async fn checksum(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    let mut hash = Sha256::new();
    let nonzero = COLUMNS
        .iter()
        .map(|c| format!("{c} <> 0"))
        .collect::<Vec<_>>();
    for table in TABLES {
        let sql = format!(
            "SELECT day, agency, procedure_code, field, level, {} FROM {table}
              WHERE {} ORDER BY day, agency, procedure_code, field, level",
            COLUMNS.join(", "),
            nonzero.join(" OR ")
        );
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
        while let Some(r) = rows.try_next().await? {
            let day: Date = r.try_get(0)?;
            hash.update(format!("{table}|{day}"));
            for i in 1..5 {
                hash.update(format!("|{}", r.try_get::<String, _>(i)?));
            }
            for i in 0..COLUMNS.len() {
                hash.update(format!("|{}", r.try_get::<i64, _>(5 + i)?));
            }
            hash.update("\n");
        }
    }
    Ok(format!("{:x}", hash.finalize()))
}

/// What a rebuild found.
#[derive(Debug, serde::Serialize)]
pub struct Rebuilt {
    /// Dossier facts read.
    pub dossiers: u64,
    /// Checksum of the flows before.
    pub before: String,
    /// Checksum after, recomputed from the facts.
    pub after: String,
}

/// Recomputes every flow row from the dossier facts, in one transaction that holds the facts
/// still (ingestion waits), records it in the audit trail, and returns the checksums before
/// and after.
pub async fn rebuild(pool: &PgPool) -> Result<Rebuilt, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("LOCK TABLE dossier_fact IN SHARE MODE")
        .execute(&mut *tx)
        .await?;
    let before = checksum(&mut tx).await?;
    let mut deltas = FlowDeltas::default();
    let mut dossiers = 0u64;
    {
        let sql = format!("SELECT {FACT_COLUMNS} FROM dossier_fact");
        let mut rows = sqlx::query_as::<_, FactRow>(sqlx::AssertSqlSafe(sql)).fetch(&mut *tx);
        while let Some(row) = rows.try_next().await? {
            deltas.add(&row.facts()?, 1);
            dossiers += 1;
        }
    }
    for table in TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!("TRUNCATE {table}")))
            .execute(&mut *tx)
            .await?;
    }
    apply(&mut tx, &deltas).await?;
    let after = checksum(&mut tx).await?;
    let at = time::OffsetDateTime::now_utc();
    let entry = crate::domain::audit::rebuilt(dossiers, (&before, &after), at);
    motcua_audit::append(&mut tx, &[entry]).await?;
    tx.commit().await?;
    Ok(Rebuilt {
        dossiers,
        before,
        after,
    })
}
