//! `motcua audit verify`: checks every audit chain of every service schema and names the first
//! edited, deleted, reordered or moved record of each broken one, so an operator (or an
//! inspector) can tell that the trail was tampered with and where; with `--heads`, prints each
//! chain's head to keep.

use motcua_audit::TrailReport;
use motcua_config::ServiceName;

/// What the check found in one schema.
#[derive(Debug)]
pub enum SchemaCheck {
    /// The chains were read to their ends.
    Checked(TrailReport),
    /// The schema has no chains yet (never migrated).
    Missing,
}

impl SchemaCheck {
    /// True when the chains are there and sound.
    pub fn is_ok(&self) -> bool {
        matches!(self, SchemaCheck::Checked(r) if r.is_ok())
    }
}

/// Checks the chains of each service schema of the database at `url`, in service order.
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

/// The lines printed for one schema: `<schema>: N records in C chains, ok`, or one
/// `<schema>: chain <c> record <seq> (<action> <target>) <reason>` per broken chain; with
/// `heads`, then `<schema> chain <c>: N records, head <seq> <hash>` for every chain.
pub fn lines(schema: ServiceName, check: &SchemaCheck, heads: bool) -> Vec<String> {
    let SchemaCheck::Checked(report) = check else {
        return vec![format!("{schema}: no audit chain (run motcua migrate)")];
    };
    let mut out: Vec<String> = report.broken().map(|b| format!("{schema}: {b}")).collect();
    if out.is_empty() {
        let (records, chains) = (report.records(), report.chains.len());
        out.push(format!(
            "{schema}: {records} records in {chains} chains, ok"
        ));
    }
    if heads {
        out.extend(report.chains.iter().map(|c| {
            let (chain, records, seq, hash) = (c.chain, c.records, c.head_seq, &c.head);
            format!("{schema} chain {chain}: {records} records, head {seq} {hash}")
        }));
    }
    out
}

/// [`lines`] without the heads, as one string (a line per schema when its chains are sound).
pub fn line(schema: ServiceName, check: &SchemaCheck) -> String {
    lines(schema, check, false).join("\n")
}

/// Runs the check, prints the lines of each schema, and fails naming the broken schemas.
pub async fn verify_command(url: &str, heads: bool) -> anyhow::Result<()> {
    let checks = verify_all(url).await?;
    let mut broken = Vec::new();
    for (schema, check) in &checks {
        for line in lines(*schema, check, heads) {
            println!("{line}");
        }
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
    use motcua_audit::{BadRecord, ChainReport};

    fn chain(chain: i16, records: u64, first_bad: Option<BadRecord>) -> ChainReport {
        ChainReport {
            chain,
            records,
            head_seq: records as i64,
            head: "ab".into(),
            first_bad,
        }
    }

    #[test]
    fn sound_chains_read_as_one_line_and_each_broken_chain_as_its_own() {
        let ok = SchemaCheck::Checked(TrailReport {
            chains: vec![chain(0, 1, None), chain(1, 2, None)],
        });
        assert_eq!(
            line(ServiceName::Intake, &ok),
            "intake: 3 records in 2 chains, ok"
        );
        assert_eq!(
            lines(ServiceName::Intake, &ok, true)[1..],
            [
                "intake chain 0: 1 records, head 1 ab",
                "intake chain 1: 2 records, head 2 ab"
            ]
        );
        let bad = |chain: i16| BadRecord {
            chain,
            seq: 2,
            action: "dossier.received".into(),
            target: "D2".into(),
            reason: "was edited".into(),
        };
        let broken = SchemaCheck::Checked(TrailReport {
            chains: vec![chain(0, 3, Some(bad(0))), chain(5, 3, Some(bad(5)))],
        });
        assert_eq!(
            lines(ServiceName::Intake, &broken, false),
            [
                "intake: chain 0 record 2 (dossier.received D2) was edited",
                "intake: chain 5 record 2 (dossier.received D2) was edited"
            ]
        );
        assert!(!broken.is_ok() && ok.is_ok() && !SchemaCheck::Missing.is_ok());
    }
}
