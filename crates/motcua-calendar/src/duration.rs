//! Working time (thời gian làm việc) counted in whole minutes.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};

use serde::{Deserialize, Serialize};

use crate::CalendarError;

/// Minutes in one working day (ngày làm việc): 8 working hours, by law.
pub const MINUTES_PER_WORKING_DAY: i64 = 480;

/// Largest number of working days accepted from fractional input, so that
/// conversions stay exact and nobody asks for a deadline in year 100000.
const MAX_DAYS: f64 = 1_000_000.0;

/// Working time in whole minutes (1 working day = 480 minutes).
///
/// Procedure time limits (thời hạn giải quyết) are stated in working days or
/// working hours; both become minutes here so that they add up exactly.
/// Negative values can arise from subtraction (time overdue); calendar
/// operations treat a negative duration as zero.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct WorkingDuration(i64);

impl WorkingDuration {
    /// No working time.
    pub const ZERO: Self = Self(0);

    /// `m` working minutes.
    pub const fn minutes(m: i64) -> Self {
        Self(m)
    }

    /// `h` working hours (giờ làm việc).
    pub const fn hours(h: i64) -> Self {
        Self(h.saturating_mul(60))
    }

    /// `d` whole working days (ngày làm việc), 8 hours each.
    pub const fn whole_days(d: i64) -> Self {
        Self(d.saturating_mul(MINUTES_PER_WORKING_DAY))
    }

    /// `d` working days, where halves are allowed (`0.5`, `12.5`, …), as in
    /// published procedure time limits. Negative, non-finite, other fractions
    /// and absurdly large values are refused.
    pub fn days(d: f64) -> Result<Self, CalendarError> {
        let bad = |reason: &str| CalendarError::BadDuration {
            value: format!("{d} working days"),
            reason: reason.to_owned(),
        };
        if !d.is_finite() {
            return Err(bad("not a finite number"));
        }
        if d < 0.0 {
            return Err(bad("negative"));
        }
        if d > MAX_DAYS {
            return Err(bad("too large"));
        }
        let halves = d * 2.0;
        if halves.fract() != 0.0 {
            return Err(bad("only whole or half working days are allowed"));
        }
        // Exact: halves is an integer below 2e6.
        Ok(Self(halves as i64 * (MINUTES_PER_WORKING_DAY / 2)))
    }

    /// `h` working hours given as a number that must come to whole minutes
    /// (`1.5` is 90 minutes; `0.01` is refused). Negative and non-finite values
    /// are refused.
    pub fn from_hours_f64(h: f64) -> Result<Self, CalendarError> {
        let bad = |reason: &str| CalendarError::BadDuration {
            value: format!("{h} working hours"),
            reason: reason.to_owned(),
        };
        if !h.is_finite() {
            return Err(bad("not a finite number"));
        }
        if h < 0.0 {
            return Err(bad("negative"));
        }
        if h > MAX_DAYS * 8.0 {
            return Err(bad("too large"));
        }
        let minutes = h * 60.0;
        let whole = minutes.round();
        if (minutes - whole).abs() > 1e-6 {
            return Err(bad("must be a whole number of minutes"));
        }
        Ok(Self(whole as i64))
    }

    /// The duration in minutes.
    pub const fn as_minutes(self) -> i64 {
        self.0
    }

    /// The duration in hours, possibly fractional.
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / 60.0
    }

    /// The duration in working days of 8 hours, possibly fractional.
    pub fn as_days_f64(self) -> f64 {
        self.0 as f64 / MINUTES_PER_WORKING_DAY as f64
    }

    /// Whether the duration is zero or negative (nothing left to count).
    pub const fn is_zero_or_negative(self) -> bool {
        self.0 <= 0
    }

    /// Sum that saturates instead of overflowing.
    pub const fn saturating_add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }

    /// Difference that saturates instead of overflowing (may be negative).
    pub const fn saturating_sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }

    /// Nanoseconds (exact), for the calendar's internal arithmetic.
    pub(crate) const fn as_nanos(self) -> i128 {
        self.0 as i128 * 60_000_000_000
    }

    /// Whole minutes in `nanos` (truncated toward zero, saturating).
    pub(crate) fn from_nanos(nanos: impl Into<i128>) -> Self {
        let m = nanos.into() / 60_000_000_000;
        Self(m.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }
}

impl Add for WorkingDuration {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        self.saturating_add(rhs)
    }
}

impl AddAssign for WorkingDuration {
    fn add_assign(&mut self, rhs: Self) {
        *self = self.saturating_add(rhs);
    }
}

impl Sub for WorkingDuration {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        self.saturating_sub(rhs)
    }
}

impl SubAssign for WorkingDuration {
    fn sub_assign(&mut self, rhs: Self) {
        *self = self.saturating_sub(rhs);
    }
}

/// Shown as hours and minutes of working time, e.g. `8h00m` or `-1h30m`.
impl fmt::Display for WorkingDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let m = self.0.unsigned_abs();
        write!(f, "{sign}{}h{:02}m", m / 60, m % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_accept_halves_only() {
        assert_eq!(
            WorkingDuration::days(1.0),
            Ok(WorkingDuration::minutes(480))
        );
        assert_eq!(
            WorkingDuration::days(0.5),
            Ok(WorkingDuration::minutes(240))
        );
        assert_eq!(
            WorkingDuration::days(12.5),
            Ok(WorkingDuration::minutes(6000))
        );
        assert_eq!(WorkingDuration::days(0.0), Ok(WorkingDuration::ZERO));
        for bad in [-1.0, -0.5, 0.25, 1.3, f64::NAN, f64::INFINITY, 1e12] {
            assert!(
                WorkingDuration::days(bad).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn hours_must_be_whole_minutes() {
        assert_eq!(
            WorkingDuration::from_hours_f64(1.5),
            Ok(WorkingDuration::minutes(90))
        );
        assert_eq!(
            WorkingDuration::from_hours_f64(24.0),
            Ok(WorkingDuration::days(3.0).unwrap())
        );
        assert!(WorkingDuration::from_hours_f64(0.01).is_err());
        assert!(WorkingDuration::from_hours_f64(-1.0).is_err());
        assert!(WorkingDuration::from_hours_f64(f64::NAN).is_err());
    }

    #[test]
    fn conversions_and_display() {
        let d = WorkingDuration::hours(12);
        assert_eq!(d.as_minutes(), 720);
        assert_eq!(d.as_hours_f64(), 12.0);
        assert_eq!(d.as_days_f64(), 1.5);
        assert_eq!(d.to_string(), "12h00m");
        assert_eq!(
            (WorkingDuration::ZERO - WorkingDuration::minutes(90)).to_string(),
            "-1h30m"
        );
        assert_eq!(WorkingDuration::whole_days(2), WorkingDuration::hours(16));
        assert_eq!(serde_json::to_string(&d).unwrap(), "720");
    }
}
