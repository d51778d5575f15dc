//! The daily sequence of dossier codes per receiving agency (Circular 01/2018 Art. 19).

use sqlx::PgConnection;
use time::Date;

/// Takes the next `n` numbers of `agency`'s sequence for `day` and returns the first. Runs in
/// the transaction that inserts the dossiers: the row lock serialises concurrent batches at
/// one agency, so numbers are consecutive, and a rolled-back batch leaves no gap. One bump
/// serves a whole batch (group commit), so the lock is taken once per commit, not per dossier.
pub async fn take(
    tx: &mut PgConnection,
    agency: &str,
    day: Date,
    n: i32,
) -> Result<i32, sqlx::Error> {
    let last: i32 = sqlx::query_scalar(
        "INSERT INTO dossier_sequence (agency, day, last) VALUES ($1, $2, $3)
         ON CONFLICT (agency, day) DO UPDATE SET last = dossier_sequence.last + $3
         RETURNING last",
    )
    .bind(agency)
    .bind(day)
    .bind(n)
    .fetch_one(&mut *tx)
    .await?;
    Ok(last - n + 1)
}
