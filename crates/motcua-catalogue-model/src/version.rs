//! Which version of a procedure applies on a date (phiên bản TTHC có hiệu
//! lực): a dossier is judged by the version in force when it was received.

use time::Date;

use crate::file::ProcedureEntry;

/// The version of `code` in force on `at`: among the versions whose
/// effective period contains `at` (from `effective_from`, which defaults to
/// 1 July 2025, to `effective_until` if any, both inclusive), the one that took
/// effect last. Ties, which validation forbids, go to the higher version
/// number so that the answer never depends on the order of the slice.
pub fn version_in_force<'a>(
    versions: &'a [ProcedureEntry],
    code: &str,
    at: Date,
) -> Option<&'a ProcedureEntry> {
    versions
        .iter()
        .filter(|p| p.code == code && p.is_in_force(at))
        .max_by_key(|p| (p.effective_from(), p.version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{CatalogueFile, Decision};
    use time::macros::date;

    fn versions() -> Vec<ProcedureEntry> {
        let f = CatalogueFile::parse(crate::file::tests::SAMPLE).unwrap();
        let base = f.procedures[0].clone();
        let with = |version, from, until| ProcedureEntry {
            version,
            decision: Some(Decision {
                number: format!("{version}/QĐ-UBND"),
                date: from,
                effective_from: from,
                effective_until: until,
            }),
            ..base.clone()
        };
        vec![
            // Listed out of order on purpose.
            with(2, date!(2026 - 01 - 25), Some(date!(2026 - 06 - 30))),
            with(1, date!(2025 - 07 - 01), None),
            ProcedureEntry {
                code: "1.000000".into(),
                ..with(9, date!(2020 - 01 - 01), None)
            },
        ]
    }

    fn at(y: i32, m: u8, d: u8) -> Date {
        Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap()
    }

    #[test]
    fn before_on_and_after_an_effective_date() {
        let v = versions();
        let version = |d| version_in_force(&v, "1.001193", d).map(|p| p.version);
        assert_eq!(version(at(2025, 6, 30)), None, "before the first version");
        assert_eq!(version(at(2025, 7, 1)), Some(1), "on its first day");
        assert_eq!(version(at(2026, 1, 24)), Some(1), "the day before v2");
        assert_eq!(version(at(2026, 1, 25)), Some(2), "v2 on its first day");
        assert_eq!(version(at(2026, 6, 30)), Some(2), "v2 on its last day");
        // After v2's effective_until, v1 (open-ended) applies again.
        assert_eq!(version(at(2026, 7, 1)), Some(1));
        assert_eq!(version_in_force(&v, "9.999999", at(2026, 1, 1)), None);
    }

    #[test]
    fn nothing_in_force_after_effective_until() {
        let mut v = versions();
        v.retain(|p| p.version == 2);
        assert!(version_in_force(&v, "1.001193", at(2026, 6, 30)).is_some());
        assert!(version_in_force(&v, "1.001193", at(2026, 7, 1)).is_none());
    }

    #[test]
    fn default_effective_date_is_decree_118() {
        let f = CatalogueFile::parse(crate::file::tests::SAMPLE).unwrap();
        assert!(version_in_force(&f.procedures, "1.001193", at(2025, 6, 30)).is_none());
        assert!(version_in_force(&f.procedures, "1.001193", at(2025, 7, 1)).is_some());
    }
}
