//! The daily sequence of dossier codes per receiving agency (Circular 01/2018 Art. 19).

use sqlx::PgConnection;
use time::Date;

/// Takes the next `n` numbers of each `(agency, day)` sequence (distinct pairs) in one
/// statement and returns the first of each, in the order given. Runs in the transaction that
/// inserts the dossiers: the row locks serialise concurrent batches at one agency, so numbers
/// are consecutive, and a rolled-back batch leaves no gap. Rows are locked in agency and day
/// order, so two writers (two replicas) never deadlock on them. One bump serves a whole batch
/// (group commit), so a row is locked once per commit, not per dossier.
pub async fn take_all(
    tx: &mut PgConnection,
    wanted: &[(&str, Date, i32)],
) -> Result<Vec<i32>, sqlx::Error> {
    let rows: Vec<(String, Date, i32)> = sqlx::query_as(
        "INSERT INTO dossier_sequence (agency, day, last)
         SELECT * FROM unnest($1::text[], $2::date[], $3::int4[]) ORDER BY 1, 2
         ON CONFLICT (agency, day) DO UPDATE SET last = dossier_sequence.last + excluded.last
         RETURNING agency, day, last",
    )
    .bind(wanted.iter().map(|w| w.0).collect::<Vec<_>>())
    .bind(wanted.iter().map(|w| w.1).collect::<Vec<_>>())
    .bind(wanted.iter().map(|w| w.2).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?;
    wanted
        .iter()
        .map(|(agency, day, n)| {
            rows.iter()
                .find(|(a, d, _)| a == agency && d == day)
                .map(|(_, _, last)| last - n + 1)
                .ok_or_else(|| sqlx::Error::Protocol(format!("no sequence row for {agency}")))
        })
        .collect()
}
