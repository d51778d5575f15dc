//! Dossier codes (mã hồ sơ). Circular 01/2018/TT-VPCP Art. 19: `<agency code>-YYMMDD-XXXX`,
//! YYMMDD the receipt date, XXXX the sequence of that day at that agency (4 digits, growing
//! past 9999). Circular 04/2025 (centralised systems, from 25/01/2026, selected by
//! configuration): `MX1X2.Y1Y2Y3.Z1Z2-YYMMDD-AAXXXX` — the agency's 04/2025 code as published
//! in the catalogue, a 2-letter system prefix, and ≥ 4 digits.
//! A code never changes after issue.

use time::Date;

/// Which legal format to issue codes in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeFormat {
    /// Circular 01/2018: `000.25.80.H80-261127-0001`.
    Circular01,
    /// Circular 04/2025: `000.25.80.H80-261127-TN0001`, `prefix` two upper-case letters.
    Circular04 {
        /// The issuing system's two-letter prefix.
        prefix: String,
    },
}

impl CodeFormat {
    /// Parses the configuration value: `01-2018` or `04-2025:XX`.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.split_once(':') {
            None if s == "01-2018" => Ok(Self::Circular01),
            Some(("04-2025", p)) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_uppercase()) => {
                Ok(Self::Circular04 {
                    prefix: p.to_string(),
                })
            }
            _ => Err(format!(
                "unknown dossier code format {s:?}: use 01-2018 or 04-2025:XX"
            )),
        }
    }
}

/// The day Circular 04/2025 takes effect for centralised systems.
pub const CIRCULAR_04_FROM: Date = time::macros::date!(2026 - 01 - 25);

/// The agency's codes in both schemes.
#[derive(Debug, Clone, Copy)]
pub struct AgencyCodes<'a> {
    /// Circular 01/2018 code, e.g. `000.25.80.H80`.
    pub circular_01: &'a str,
    /// Circular 04/2025 code (`MX1X2.Y1Y2Y3.Z1Z2`), when the catalogue publishes one.
    pub circular_04: Option<&'a str>,
}

/// Why no code could be issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    /// The 04/2025 format is in force but the agency has no code in that scheme.
    NoCircular04Code,
}

/// Formats a dossier code from its agency, receipt date (local) and daily sequence. With the
/// 04/2025 format configured, receipts before 25/01/2026 still get the 01/2018 format: a
/// dossier is judged by the rules in force when it was received.
pub fn format(
    format: &CodeFormat,
    agency: AgencyCodes<'_>,
    day: Date,
    seq: u32,
) -> Result<String, CodeError> {
    let yymmdd = format!(
        "{:02}{:02}{:02}",
        day.year().rem_euclid(100),
        day.month() as u8,
        day.day()
    );
    match format {
        CodeFormat::Circular04 { prefix } if day >= CIRCULAR_04_FROM => {
            let code = agency.circular_04.ok_or(CodeError::NoCircular04Code)?;
            Ok(format!("{code}-{yymmdd}-{prefix}{seq:04}"))
        }
        _ => Ok(format!("{}-{yymmdd}-{seq:04}", agency.circular_01)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const WARD: AgencyCodes<'static> = AgencyCodes {
        circular_01: "000.25.80.H80",
        circular_04: Some("H80.025.01"),
    };

    #[test]
    fn circular_01_2018_shape_with_growing_sequence() {
        let f = CodeFormat::Circular01;
        let code = |day, seq| format(&f, WARD, day, seq).unwrap();
        assert_eq!(code(date!(2026 - 11 - 27), 1), "000.25.80.H80-261127-0001");
        assert_eq!(
            code(date!(2026 - 01 - 05), 9999),
            "000.25.80.H80-260105-9999"
        );
        assert_eq!(
            code(date!(2026 - 01 - 05), 10000),
            "000.25.80.H80-260105-10000"
        );
    }

    #[test]
    fn circular_04_2025_applies_from_25_january_2026_with_the_agencys_04_code() {
        let f = CodeFormat::parse("04-2025:TN").unwrap();
        assert_eq!(
            format(&f, WARD, date!(2026 - 11 - 27), 12).unwrap(),
            "H80.025.01-261127-TN0012"
        );
        assert_eq!(
            format(&f, WARD, date!(2026 - 01 - 25), 1).unwrap(),
            "H80.025.01-260125-TN0001"
        );
        assert_eq!(
            format(&f, WARD, date!(2026 - 01 - 24), 1).unwrap(),
            "000.25.80.H80-260124-0001"
        );
        let no_04 = AgencyCodes {
            circular_04: None,
            ..WARD
        };
        assert_eq!(
            format(&f, no_04, date!(2026 - 11 - 27), 1),
            Err(CodeError::NoCircular04Code)
        );
        assert!(CodeFormat::parse("04-2025:tn").is_err());
        assert_eq!(
            CodeFormat::parse("01-2018").unwrap(),
            CodeFormat::Circular01
        );
    }
}
