//! Personal identification number (số định danh cá nhân / CCCD), `shared/domain.md` §8:
//! 12 digits = 3-digit province-of-birth-registration code, 1 digit century and sex,
//! 2 digits birth year, 6 random digits.

/// Province codes used as the first three digits (Circular 07/2016/TT-BCA and later), for
/// the 63 provinces before the 2025 merger; codes are never reused, so old IDs stay valid.
const PROVINCE_PREFIXES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

/// Why a personal ID number was rejected (the stable error code of each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalIdError {
    /// Not exactly 12 characters.
    Length,
    /// A character is not an ASCII digit.
    NotDigits,
    /// The first three digits are not a known province code.
    UnknownPrefix,
    /// The century/sex digit is not 0–9 in a known century.
    Century,
    /// The birth year is after the current year.
    FutureBirthYear,
}

impl PersonalIdError {
    /// Human-readable message for the field error.
    pub fn message(self) -> &'static str {
        match self {
            Self::Length => "số định danh cá nhân phải có đúng 12 chữ số",
            Self::NotDigits => "số định danh cá nhân chỉ gồm chữ số",
            Self::UnknownPrefix => "ba chữ số đầu không phải mã tỉnh nơi đăng ký khai sinh",
            Self::Century => "chữ số thế kỷ/giới tính không hợp lệ",
            Self::FutureBirthYear => "năm sinh ở tương lai",
        }
    }
}

/// Checks the structure of a personal ID number; `current_year` bounds the birth year.
pub fn validate(id: &str, current_year: i32) -> Result<(), PersonalIdError> {
    if id.len() != 12 {
        return Err(PersonalIdError::Length);
    }
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PersonalIdError::NotDigits);
    }
    let d = |i: usize| i32::from(id.as_bytes()[i] - b'0');
    let prefix = (d(0) * 100 + d(1) * 10 + d(2)) as u16;
    if !PROVINCE_PREFIXES.contains(&prefix) {
        return Err(PersonalIdError::UnknownPrefix);
    }
    let century = match d(3) {
        0 | 1 => 1900,
        2 | 3 => 2000,
        4 | 5 => 2100,
        6 | 7 => 2200,
        8 | 9 => 2300,
        _ => return Err(PersonalIdError::Century),
    };
    let year = century + d(4) * 10 + d(5);
    if year > current_year {
        return Err(PersonalIdError::FutureBirthYear);
    }
    Ok(())
}

/// The last four digits, which the public status lookup asks for.
pub fn last4(id: &str) -> String {
    let n = id.len();
    id.get(n.saturating_sub(4)..)
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_numbers_pass() {
        assert_eq!(validate("080203001234", 2026), Ok(()));
        assert_eq!(validate("001090123456", 2026), Ok(()));
    }

    #[test]
    fn each_structural_rule_rejects() {
        assert_eq!(validate("08020300123", 2026), Err(PersonalIdError::Length));
        assert_eq!(
            validate("08020300123a", 2026),
            Err(PersonalIdError::NotDigits)
        );
        assert_eq!(
            validate("003203001234", 2026),
            Err(PersonalIdError::UnknownPrefix)
        );
        assert_eq!(
            validate("080230001234", 2026),
            Err(PersonalIdError::FutureBirthYear)
        );
        assert_eq!(
            validate("080227001234", 2026),
            Err(PersonalIdError::FutureBirthYear)
        );
        assert_eq!(validate("080226001234", 2026), Ok(()));
    }

    #[test]
    fn last_four_digits() {
        assert_eq!(last4("080203001234"), "1234");
    }
}
