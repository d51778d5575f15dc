//! Stale listings (danh mục niêm yết chưa cập nhật): what a one-stop unit
//! shows compared with the catalogue in force, so that outdated or incomplete
//! listings at communes are reported instead of found by inspectors.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::file::{AgencyEntry, ProcedureEntry};
use crate::version::version_in_force;

/// One procedure whose listing at a unit does not match the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StaleEntry {
    /// The procedure code concerned.
    pub procedure_code: String,
    /// What is wrong.
    pub reason: StaleReason,
}

/// Why a listing entry is stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StaleReason {
    /// The unit shows a version other than the one in force.
    Superseded {
        /// Version shown.
        listed_version: u32,
        /// Version in force.
        current_version: u32,
    },
    /// A procedure of the unit's level in force is not shown at all.
    Missing {
        /// Version in force.
        current_version: u32,
    },
    /// The unit shows a procedure that has no version in force.
    NotInForce {
        /// Version shown.
        listed_version: u32,
    },
}

/// Compares what `unit` lists (`listed`: (code, version) pairs) with the
/// catalogue `procedures` (all versions) in force on `at`.
///
/// * superseded: a listed version is not the version in force (a code listed
///   twice is reported for each version that is not in force);
/// * missing: a procedure in force on `at` whose level equals the unit's level
///   is not listed at all;
/// * not in force: a listed code has no version in force on `at`.
///
/// The result is ordered by procedure code, then listed version.
pub fn stale_listings(
    unit: &AgencyEntry,
    listed: &[(String, u32)],
    procedures: &[ProcedureEntry],
    at: Date,
) -> Vec<StaleEntry> {
    let mut out = Vec::new();
    let listed_codes: BTreeSet<&str> = listed.iter().map(|(c, _)| c.as_str()).collect();
    let mut listed_sorted: Vec<&(String, u32)> = listed.iter().collect();
    listed_sorted.sort();
    listed_sorted.dedup();
    for (code, version) in listed_sorted {
        let reason = match version_in_force(procedures, code, at) {
            None => StaleReason::NotInForce {
                listed_version: *version,
            },
            Some(p) if p.version != *version => StaleReason::Superseded {
                listed_version: *version,
                current_version: p.version,
            },
            Some(_) => continue,
        };
        out.push(StaleEntry {
            procedure_code: code.clone(),
            reason,
        });
    }
    let catalogue_codes: BTreeSet<&str> = procedures.iter().map(|p| p.code.as_str()).collect();
    for code in catalogue_codes {
        if listed_codes.contains(code) {
            continue;
        }
        if let Some(p) = version_in_force(procedures, code, at)
            && p.level == unit.level
        {
            out.push(StaleEntry {
                procedure_code: code.to_owned(),
                reason: StaleReason::Missing {
                    current_version: p.version,
                },
            });
        }
    }
    out.sort_by(|a, b| {
        a.procedure_code
            .cmp(&b.procedure_code)
            .then_with(|| listed_version(&a.reason).cmp(&listed_version(&b.reason)))
    });
    out
}

fn listed_version(r: &StaleReason) -> Option<u32> {
    match *r {
        StaleReason::Superseded { listed_version, .. }
        | StaleReason::NotInForce { listed_version } => Some(listed_version),
        StaleReason::Missing { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{CatalogueFile, Decision, Level};
    use time::macros::date;

    fn catalogue() -> CatalogueFile {
        let mut f = CatalogueFile::parse(crate::file::tests::SAMPLE).unwrap();
        // A second version of the birth registration from 25 January 2026.
        let mut v2 = f.procedures[0].clone();
        v2.version = 2;
        v2.decision = Some(Decision {
            number: "2/QĐ-UBND".into(),
            date: date!(2026 - 01 - 10),
            effective_from: date!(2026 - 01 - 25),
            effective_until: None,
        });
        f.procedures.push(v2);
        // A province-level procedure that a commune need not list.
        let mut province = f.procedures[1].clone();
        province.code = "2.000001".into();
        province.level = Level::Province;
        f.procedures.push(province);
        f
    }

    fn listed(pairs: &[(&str, u32)]) -> Vec<(String, u32)> {
        pairs.iter().map(|&(c, v)| (c.to_owned(), v)).collect()
    }

    const ALL_COMMUNE: [(&str, u32); 4] = [
        ("1.001193", 1),
        ("DEMO.LT.63-1", 1),
        ("1.011537", 1),
        ("DEMO.DD.001", 1),
    ];

    #[test]
    fn clean_listing_has_nothing_stale() {
        let f = catalogue();
        let commune = &f.agencies[1];
        assert_eq!(commune.level, Level::Commune);
        let got = stale_listings(
            commune,
            &listed(&ALL_COMMUNE),
            &f.procedures,
            date!(2025 - 09 - 01),
        );
        assert_eq!(got, []);
    }

    #[test]
    fn superseded_version_is_reported() {
        let f = catalogue();
        let got = stale_listings(
            &f.agencies[1],
            &listed(&ALL_COMMUNE),
            &f.procedures,
            date!(2026 - 01 - 25),
        );
        assert_eq!(
            got,
            [StaleEntry {
                procedure_code: "1.001193".into(),
                reason: StaleReason::Superseded {
                    listed_version: 1,
                    current_version: 2
                },
            }]
        );
    }

    #[test]
    fn missing_procedure_of_the_units_level_is_reported() {
        let f = catalogue();
        let got = stale_listings(
            &f.agencies[1],
            &listed(&ALL_COMMUNE[1..]),
            &f.procedures,
            date!(2025 - 09 - 01),
        );
        assert_eq!(
            got,
            [StaleEntry {
                procedure_code: "1.001193".into(),
                reason: StaleReason::Missing { current_version: 1 },
            }]
        );
        // The province centre must list the province-level procedure only.
        let province = &f.agencies[0];
        let got = stale_listings(province, &[], &f.procedures, date!(2025 - 09 - 01));
        assert_eq!(
            got,
            [StaleEntry {
                procedure_code: "2.000001".into(),
                reason: StaleReason::Missing { current_version: 1 },
            }]
        );
    }

    #[test]
    fn not_in_force_and_deterministic_order() {
        let f = catalogue();
        let mut l = listed(&ALL_COMMUNE);
        l.push(("9.999999".into(), 3));
        l.push(("0.000001".into(), 1));
        // Before 1 July 2025 nothing is in force: every listed entry is stale.
        let got = stale_listings(&f.agencies[1], &l, &f.procedures, date!(2025 - 09 - 01));
        assert_eq!(
            got,
            [
                StaleEntry {
                    procedure_code: "0.000001".into(),
                    reason: StaleReason::NotInForce { listed_version: 1 },
                },
                StaleEntry {
                    procedure_code: "9.999999".into(),
                    reason: StaleReason::NotInForce { listed_version: 3 },
                },
            ]
        );
        let early = stale_listings(&f.agencies[1], &l, &f.procedures, date!(2025 - 06 - 30));
        assert_eq!(early.len(), 6);
        assert!(
            early
                .windows(2)
                .all(|w| w[0].procedure_code <= w[1].procedure_code)
        );
        assert!(
            early
                .iter()
                .all(|e| matches!(e.reason, StaleReason::NotInForce { .. }))
        );
        // Input order does not matter.
        l.reverse();
        assert_eq!(
            stale_listings(&f.agencies[1], &l, &f.procedures, date!(2025 - 06 - 30)),
            early
        );
    }

    #[test]
    fn reasons_serialise_with_a_kind_tag() {
        let e = StaleEntry {
            procedure_code: "1.001193".into(),
            reason: StaleReason::Superseded {
                listed_version: 1,
                current_version: 2,
            },
        };
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"procedure_code": "1.001193", "reason": {"kind": "superseded", "listed_version": 1, "current_version": 2}})
        );
    }
}
