//! Dossier codes (mã hồ sơ). Circular 01/2018/TT-VPCP Art. 19: `<agency code>-YYMMDD-XXXX`,
//! YYMMDD the receipt date, XXXX the sequence of that day at that agency (4 digits, growing
//! past 9999). Circular 04/2025 (centralised systems, selectable by configuration):
//! `<agency code>-YYMMDD-AAXXXX` with a 2-letter system prefix and ≥ 4 digits.
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

/// Formats a dossier code from its agency, receipt date (local) and daily sequence.
pub fn format(format: &CodeFormat, agency: &str, day: Date, seq: u32) -> String {
    let yymmdd = format!(
        "{:02}{:02}{:02}",
        day.year().rem_euclid(100),
        day.month() as u8,
        day.day()
    );
    match format {
        CodeFormat::Circular01 => format!("{agency}-{yymmdd}-{seq:04}"),
        CodeFormat::Circular04 { prefix } => format!("{agency}-{yymmdd}-{prefix}{seq:04}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn circular_01_2018_shape_with_growing_sequence() {
        let f = CodeFormat::Circular01;
        assert_eq!(
            format(&f, "000.25.80.H80", date!(2026 - 11 - 27), 1),
            "000.25.80.H80-261127-0001"
        );
        assert_eq!(
            format(&f, "000.25.80.H80", date!(2026 - 01 - 05), 9999),
            "000.25.80.H80-260105-9999"
        );
        assert_eq!(
            format(&f, "000.25.80.H80", date!(2026 - 01 - 05), 10000),
            "000.25.80.H80-260105-10000"
        );
    }

    #[test]
    fn circular_04_2025_is_selectable() {
        let f = CodeFormat::parse("04-2025:TN").unwrap();
        assert_eq!(
            format(&f, "000.25.80.H80", date!(2026 - 11 - 27), 12),
            "000.25.80.H80-261127-TN0012"
        );
        assert!(CodeFormat::parse("04-2025:tn").is_err());
        assert_eq!(
            CodeFormat::parse("01-2018").unwrap(),
            CodeFormat::Circular01
        );
    }
}
