//! Enterprise code = tax code (mã số doanh nghiệp / mã số thuế), `shared/domain.md` §8: 10
//! digits whose last one is a check digit over the first nine, or those 10 digits, a dash and 3
//! digits for a dependent unit (chi nhánh, đơn vị phụ thuộc).

/// Weights of the first nine digits in the check-digit sum.
const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// Why a tax code was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxCodeError {
    /// Not `NNNNNNNNNN` or `NNNNNNNNNN-NNN`.
    Shape,
    /// The serial part (digits 3–9) or the unit part (`-000`) is all zeros.
    ZeroPart,
    /// The tenth digit does not match the first nine.
    CheckDigit,
}

impl TaxCodeError {
    /// Human-readable message for the field error.
    pub fn message(self) -> &'static str {
        match self {
            Self::Shape => "mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu '-' và 3 chữ số",
            Self::ZeroPart => "mã số thuế có phần số thứ tự toàn chữ số 0",
            Self::CheckDigit => "chữ số kiểm tra (chữ số thứ 10) của mã số thuế không đúng",
        }
    }
}

/// The check digit of nine digits, or `None` when no digit fits (the sum is a multiple of
/// 11: such a prefix is never issued).
fn check_digit(first_nine: &[u8]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let digit = 10 - sum % 11;
    u8::try_from(digit).ok().filter(|d| *d <= 9)
}

/// Checks a tax code: shape, non-zero serial and unit parts, and the check digit.
pub fn validate(code: &str) -> Result<(), TaxCodeError> {
    let (main, unit) = match code.split_once('-') {
        None => (code, None),
        Some((m, u)) => (m, Some(u)),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(main, 10) || unit.is_some_and(|u| !digits(u, 3)) {
        return Err(TaxCodeError::Shape);
    }
    let bytes = main.as_bytes();
    if bytes[2..9].iter().all(|b| *b == b'0') || unit == Some("000") {
        return Err(TaxCodeError::ZeroPart);
    }
    match check_digit(&bytes[..9]) {
        Some(d) if d == bytes[9] - b'0' => Ok(()),
        _ => Err(TaxCodeError::CheckDigit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_codes_with_their_check_digit_pass() {
        assert_eq!(validate("0100233488"), Ok(()));
        assert_eq!(validate("0314409058"), Ok(()));
        assert_eq!(validate("0314409058-002"), Ok(()), "a dependent unit");
    }

    #[test]
    fn a_wrong_check_digit_is_refused() {
        for last in (0..=9).filter(|d| *d != 8) {
            let code = format!("010023348{last}");
            assert_eq!(validate(&code), Err(TaxCodeError::CheckDigit), "{code}");
        }
    }

    #[test]
    fn shapes_and_zero_parts_are_refused() {
        for bad in [
            "010023348",
            "01002334889",
            "01002334a8",
            "0100233488-02",
            "0100233488-0a2",
            "",
        ] {
            assert_eq!(validate(bad), Err(TaxCodeError::Shape), "{bad}");
        }
        assert_eq!(validate("0100000008"), Err(TaxCodeError::ZeroPart));
        assert_eq!(validate("0100233488-000"), Err(TaxCodeError::ZeroPart));
    }
}
