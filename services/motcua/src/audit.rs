//! `motcua audit verify`: checks the audit chain of every service schema and names the first
//! edited, deleted or reordered record of each broken one, so an operator (or an inspector)
//! can tell that the trail was tampered with and where.

use motcua_audit::ChainReport;
use motcua_config::ServiceName;

/// What the check found in one schema.
#[derive(Debug)]
pub enum SchemaCheck {
    /// The chain was read to its end.
    Checked(ChainReport),
    /// The schema has no chain yet (never migrated).
    Missing,
}

impl SchemaCheck {
    /// True when the chain is there and sound.
    pub fn is_ok(&self) -> bool {
        matches!(self, SchemaCheck::Checked(r) if r.is_ok())
    }
}

/// Checks the chain of each service schema of the database at `url`, in service order.
pub async fn verify_all(url: &str) -> anyhow::Result<Vec<(ServiceName, SchemaCheck)>> {
    let mut out = Vec::new();
    for name in ServiceName::ALL {
        let pool = motcua_db::connect(url, name.as_str(), 1).await?;
        let mut conn = pool.acquire().await?;
        let check = match motcua_audit::verify(&mut conn).await {
            Ok(report) => SchemaCheck::Checked(report),
            // 42P01: no audit_head in this schema.
            Err(sqlx::Error::Database(d)) if d.code().is_some_and(|c| c == "42P01") => {
                SchemaCheck::Missing
            }
            Err(e) => return Err(e.into()),
        };
        drop(conn);
        pool.close().await;
        out.push((name, check));
    }
    Ok(out)
}

/// The line printed for one schema: `<schema>: N records, head <hash>, ok` or
/// `<schema>: record <seq> (<action> <target>) <reason>`.
pub fn line(schema: ServiceName, check: &SchemaCheck) -> String {
    match check {
        SchemaCheck::Checked(ChainReport {
            records,
            head,
            first_bad: None,
        }) => format!("{schema}: {records} records, head {head}, ok"),
        SchemaCheck::Checked(ChainReport {
            first_bad: Some(bad),
            ..
        }) => format!("{schema}: {bad}"),
        SchemaCheck::Missing => format!("{schema}: no audit chain (run motcua migrate)"),
    }
}

/// Runs the check, prints a line per schema, and fails naming the broken schemas.
pub async fn verify_command(url: &str) -> anyhow::Result<()> {
    let checks = verify_all(url).await?;
    let mut broken = Vec::new();
    for (schema, check) in &checks {
        println!("{}", line(*schema, check));
        if !check.is_ok() {
            broken.push(schema.as_str());
        }
    }
    match broken.is_empty() {
        true => Ok(()),
        false => anyhow::bail!("audit chain broken in {}", broken.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_audit::BadRecord;

    #[test]
    fn a_sound_chain_and_a_broken_one_read_as_one_line_each() {
        let ok = SchemaCheck::Checked(ChainReport {
            records: 3,
            head: "ab".into(),
            first_bad: None,
        });
        assert_eq!(
            line(ServiceName::Intake, &ok),
            "intake: 3 records, head ab, ok"
        );
        let bad = SchemaCheck::Checked(ChainReport {
            records: 3,
            head: "ab".into(),
            first_bad: Some(BadRecord {
                seq: 2,
                action: "dossier.received".into(),
                target: "D2".into(),
                reason: "was edited".into(),
            }),
        });
        assert_eq!(
            line(ServiceName::Intake, &bad),
            "intake: record 2 (dossier.received D2) was edited"
        );
        assert!(!bad.is_ok() && ok.is_ok() && !SchemaCheck::Missing.is_ok());
    }
}
