//! Shapes of catalogue codes (mã TTHC, mã cơ quan, mã đơn vị hành chính),
//! checked by hand so the crate needs no regular-expression engine.

/// Longest procedure code accepted, so that a stray paragraph pasted into the
/// code field is refused.
pub const MAX_PROCEDURE_CODE_LEN: usize = 64;

/// What kind of procedure code (mã TTHC) a text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProcedureCodeKind {
    /// A code of the national TTHC database, `d.dddddd` (e.g. `1.001193`).
    National,
    /// A national code localised by a province suffix (e.g. `1.001193.H38`).
    NationalLocalised,
    /// A local code: starts with an uppercase letter, then uppercase letters,
    /// digits and single `.` or `-` separators, not ending in a separator
    /// (e.g. `DEMO.LT.63-1`).
    Local,
}

/// Classifies a procedure code, or `None` when it is neither national
/// (`^\d\.\d{6}(\.[A-Z0-9]+)?$`) nor local.
pub fn procedure_code_kind(code: &str) -> Option<ProcedureCodeKind> {
    if code.is_empty() || code.len() > MAX_PROCEDURE_CODE_LEN {
        return None;
    }
    let b = code.as_bytes();
    if b[0].is_ascii_digit() {
        let national = b.len() >= 8 && b[1] == b'.' && b[2..8].iter().all(u8::is_ascii_digit);
        if !national {
            return None;
        }
        return match &b[8..] {
            [] => Some(ProcedureCodeKind::National),
            [b'.', suffix @ ..]
                if !suffix.is_empty() && suffix.iter().all(|&c| is_upper_alnum(c)) =>
            {
                Some(ProcedureCodeKind::NationalLocalised)
            }
            _ => None,
        };
    }
    if !b[0].is_ascii_uppercase() {
        return None;
    }
    let mut previous_separator = false;
    for &c in b {
        let separator = c == b'.' || c == b'-';
        if separator && previous_separator {
            return None;
        }
        if !separator && !is_upper_alnum(c) {
            return None;
        }
        previous_separator = separator;
    }
    (!previous_separator).then_some(ProcedureCodeKind::Local)
}

/// Whether `code` is an acceptable procedure code.
pub fn is_valid_procedure_code(code: &str) -> bool {
    procedure_code_kind(code).is_some()
}

/// Whether `code` is an acceptable agency code (mã cơ quan): non-empty, no
/// white space or control characters. The `000.00.01.H80` pattern of Circular
/// 01/2018 is not enforced, because sector systems and newer agencies use
/// other codes.
pub fn is_valid_agency_code(code: &str) -> bool {
    !code.is_empty() && !code.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether `code` is an agency code of the Circular 04/2025 scheme, `MX1X2.Y1Y2Y3.Z1Z2`: an
/// upper-case letter and 2 digits, 3 digits, 2 digits, separated by dots.
pub fn is_valid_agency_code_04(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 10
        && b[0].is_ascii_uppercase()
        && [1, 2, 4, 5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit())
        && b[3] == b'.'
        && b[7] == b'.'
}

/// Whether `code` is an administrative-unit code (mã đơn vị hành chính,
/// Decision 19/2025/QĐ-TTg): 2 digits for a province, 5 for a commune.
pub fn is_valid_unit_code(code: &str) -> bool {
    matches!(code.len(), 2 | 5) && code.bytes().all(|b| b.is_ascii_digit())
}

fn is_upper_alnum(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn national_codes() {
        assert_eq!(
            procedure_code_kind("1.001193"),
            Some(ProcedureCodeKind::National)
        );
        assert_eq!(
            procedure_code_kind("1.011537"),
            Some(ProcedureCodeKind::National)
        );
        assert_eq!(
            procedure_code_kind("1.001193.H38"),
            Some(ProcedureCodeKind::NationalLocalised)
        );
        assert_eq!(
            procedure_code_kind("2.000123.000.00.H80"),
            None,
            "one suffix segment only"
        );
        for bad in [
            "1.00119",
            "1.0011933",
            "11.001193",
            "1001193",
            "1.001193.",
            "1.001193.h38",
            "1.001193-H38",
            "1.00119A",
            "1,001193",
            " 1.001193",
            "1.001193 ",
            "1.001193.H 38",
        ] {
            assert_eq!(procedure_code_kind(bad), None, "{bad}");
        }
    }

    #[test]
    fn local_codes() {
        for good in ["DEMO.LT.63-1", "DEMO.DD.001", "X", "LA-2025.7"] {
            assert_eq!(
                procedure_code_kind(good),
                Some(ProcedureCodeKind::Local),
                "{good}"
            );
        }
        for bad in [
            "", "demo.lt", "DEMO..LT", "DEMO.-LT", "DEMO.", "DEMO-", ".DEMO", "-DEMO", "DEMO LT",
            "DEMO_LT", "ĐẤT", "DEMO/1",
        ] {
            assert_eq!(procedure_code_kind(bad), None, "{bad}");
        }
        let long = "A".repeat(MAX_PROCEDURE_CODE_LEN + 1);
        assert!(!is_valid_procedure_code(&long));
        assert!(is_valid_procedure_code(&long[1..]));
    }

    #[test]
    fn agency_and_unit_codes() {
        assert!(is_valid_agency_code("000.00.01.H80"));
        assert!(!is_valid_agency_code(""));
        assert!(!is_valid_agency_code("000.00 01"));
        assert!(!is_valid_agency_code("000\n"));
        assert!(is_valid_unit_code("80"));
        assert!(is_valid_unit_code("27001"));
        for bad in ["8", "800", "2700", "270011", "8a", ""] {
            assert!(!is_valid_unit_code(bad), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = procedure_code_kind(&s);
        }

        #[test]
        fn generated_national_codes_are_valid(d in 0u8..10, n in 0u32..1_000_000, suffix in "[A-Z0-9]{0,4}") {
            let code = if suffix.is_empty() {
                format!("{d}.{n:06}")
            } else {
                format!("{d}.{n:06}.{suffix}")
            };
            prop_assert!(is_valid_procedure_code(&code));
        }
    }
}

#[cfg(test)]
mod code_04_tests {
    #[test]
    fn circular_04_agency_codes_have_their_shape() {
        assert!(super::is_valid_agency_code_04("H80.025.01"));
        for bad in [
            "000.25.80.H80",
            "h80.025.01",
            "H80.25.01",
            "H80-025-01",
            "H8A.025.01",
        ] {
            assert!(!super::is_valid_agency_code_04(bad), "{bad}");
        }
    }
}
