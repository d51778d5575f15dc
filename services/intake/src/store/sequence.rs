//! The daily sequence of dossier codes per receiving agency (Circular 01/2018 Art. 19).

use sqlx::PgConnection;
use time::Date;

/// The next number in `agency`'s sequence for `day`. Runs in the dossier's transaction: the
/// row lock serialises concurrent submissions at one agency, so numbers are consecutive and
/// a rolled-back submission leaves no gap.
pub async fn next(tx: &mut PgConnection, agency: &str, day: Date) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO dossier_sequence (agency, day, last) VALUES ($1, $2, 1)
         ON CONFLICT (agency, day) DO UPDATE SET last = dossier_sequence.last + 1
         RETURNING last",
    )
    .bind(agency)
    .bind(day)
    .fetch_one(&mut *tx)
    .await
}
