//! The working-day calendar (lịch làm việc) and its arithmetic: adding
//! working time to an instant and measuring working time between instants.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use crate::session::{nanos_of_day, parse_time_of_day, time_from_nanos, validate_sessions};
use crate::year::{YearBits, check_year};
use crate::{CalendarError, PROVINCE_OFFSET, Session, WorkingDuration, YearCalendar};

/// The shared national calendar, embedded so that a service starts with the
/// published years even before an administrator loads anything.
const EMBEDDED_CALENDAR: &str = include_str!("../data/calendar-vn.json");

/// The instant at which an amount of working time runs out: a deadline or
/// appointment (thời hạn, ngày hẹn trả kết quả).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Deadline {
    /// The instant, always at offset +07:00.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// True when a day consulted lay in a year whose calendar is not loaded,
    /// so the fallback (weekends and fixed-date holidays) was used and the
    /// instant may move once the year is published.
    pub provisional: bool,
}

/// Working time between two instants (for early / on time / late and step
/// budgets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Elapsed {
    /// Whole working minutes (truncated).
    pub duration: WorkingDuration,
    /// True when a day in the interval lay in a year not loaded.
    pub provisional: bool,
}

/// One loaded year: its published data and the derived bitmap.
#[derive(Clone, Debug)]
struct LoadedYear {
    data: YearCalendar,
    bits: YearBits,
}

/// The working-day calendar (lịch làm việc): daily working sessions plus the
/// days off and extra working days of each loaded year, in the province's
/// time zone (Asia/Ho_Chi_Minh, fixed UTC+7).
///
/// Sessions may be overridden per province or per agency with
/// [`WorkingCalendar::with_sessions`]. A year that is not loaded falls back to
/// weekends plus the fixed-date holidays (1/1, 30/4, 1/5, 2/9) and every
/// result touching it is marked `provisional`.
///
/// Cloning copies the loaded years (a few hundred bytes each); wrap it in an
/// `Arc` to share it between tasks.
#[derive(Clone, Debug)]
pub struct WorkingCalendar {
    sessions: Vec<Session>,
    /// Sessions as nanoseconds since midnight, `[start, end)`.
    spans: Vec<(i64, i64)>,
    /// Sum of the session lengths in nanoseconds.
    day_nanos: i64,
    years: BTreeMap<i32, LoadedYear>,
}

impl Default for WorkingCalendar {
    /// Same as [`WorkingCalendar::new`]: default sessions, no year loaded.
    fn default() -> Self {
        Self::new()
    }
}

impl WorkingCalendar {
    /// A calendar with the default sessions (07:00–11:30, 13:30–17:00) and no
    /// year loaded: every result is provisional until years are loaded.
    pub fn new() -> Self {
        let sessions = Session::vietnam_default();
        let (spans, day_nanos) = spans_of(&sessions);
        Self {
            sessions,
            spans,
            day_nanos,
            years: BTreeMap::new(),
        }
    }

    /// The national calendar shipped with the crate (a copy of the shared
    /// `calendar-vn.json`, all its years), with default sessions.
    pub fn vietnam_default() -> Self {
        // The embedded file is checked by a unit test; should it ever be
        // broken, an empty calendar (provisional everywhere) is safer than a panic.
        Self::from_json(EMBEDDED_CALENDAR).unwrap_or_else(|_| Self::new())
    }

    /// Parses a whole calendar in the format of `calendar-vn.json`:
    /// `time_zone` (must be `Asia/Ho_Chi_Minh` or `+07:00` when present),
    /// `working_sessions` (`[["07:00","11:30"], ...]`, default sessions when
    /// absent) and `years` (`{"2025": {"days_off": [...], "working_days": [...]}}`).
    /// Other top-level fields (such as `description`) are ignored.
    pub fn from_json(json: &str) -> Result<Self, CalendarError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| CalendarError::Syntax(e.to_string()))?;
        let root = value.as_object().ok_or_else(|| CalendarError::Json {
            path: "$".to_owned(),
            reason: "expected an object".to_owned(),
        })?;
        match root.get("time_zone") {
            None | Some(Value::Null) => {}
            Some(Value::String(tz)) if is_province_zone(tz) => {}
            Some(Value::String(tz)) => return Err(CalendarError::UnsupportedTimeZone(tz.clone())),
            Some(_) => {
                return Err(CalendarError::Json {
                    path: "$.time_zone".to_owned(),
                    reason: "expected a string".to_owned(),
                });
            }
        }
        let mut cal = Self::new();
        if let Some(v) = root.get("working_sessions").filter(|v| !v.is_null()) {
            cal = cal.with_sessions(parse_sessions(v, "$.working_sessions")?)?;
        }
        match root.get("years") {
            None | Some(Value::Null) => {}
            Some(Value::Object(years)) => {
                for (key, year_value) in years {
                    let path = format!("$.years.{key}");
                    let year = parse_year_key(key, &path)?;
                    let data = YearCalendar::from_value(year, year_value, &path)?;
                    cal.set_year(year, data)?;
                }
            }
            Some(_) => {
                return Err(CalendarError::Json {
                    path: "$.years".to_owned(),
                    reason: "expected an object keyed by year, e.g. {\"2026\": {...}}".to_owned(),
                });
            }
        }
        Ok(cal)
    }

    /// The whole calendar in the format of `calendar-vn.json`.
    pub fn to_json(&self) -> Value {
        let mut root = Map::new();
        root.insert(
            "time_zone".to_owned(),
            Value::String("Asia/Ho_Chi_Minh".to_owned()),
        );
        root.insert(
            "working_sessions".to_owned(),
            serde_json::to_value(&self.sessions).unwrap_or(Value::Null),
        );
        let years = self
            .years
            .iter()
            .map(|(y, l)| (y.to_string(), l.data.to_json()))
            .collect::<Map<_, _>>();
        root.insert("years".to_owned(), Value::Object(years));
        Value::Object(root)
    }

    /// Replaces the working sessions, e.g. for a province or an agency whose
    /// hours differ (giờ làm việc). Sessions must be non-empty, each must
    /// start before it ends, and they must be sorted and not overlap.
    ///
    /// A working day still counts as 480 minutes in [`WorkingDuration::days`]
    /// whatever the sessions add up to.
    pub fn with_sessions(mut self, sessions: Vec<Session>) -> Result<Self, CalendarError> {
        validate_sessions(&sessions)?;
        let (spans, day_nanos) = spans_of(&sessions);
        self.sessions = sessions;
        self.spans = spans;
        self.day_nanos = day_nanos;
        Ok(self)
    }

    /// The working sessions of every working day.
    pub fn sessions(&self) -> &[Session] {
        &self.sessions
    }

    /// Working time in one working day according to the sessions.
    pub fn day_length(&self) -> WorkingDuration {
        WorkingDuration::from_nanos(self.day_nanos)
    }

    /// Loads or replaces one year's days off and extra working days (after the
    /// government publishes them). Refused when a date is not in `year`, when
    /// a date is both off and working, or when the year is out of range.
    pub fn set_year(&mut self, year: i32, data: YearCalendar) -> Result<(), CalendarError> {
        data.validate(year)?;
        let bits = YearBits::loaded(year, &data).ok_or(CalendarError::BadYear(year))?;
        self.years.insert(year, LoadedYear { data, bits });
        Ok(())
    }

    /// Unloads a year; results touching it become provisional again.
    pub fn remove_year(&mut self, year: i32) -> Option<YearCalendar> {
        self.years.remove(&year).map(|l| l.data)
    }

    /// Parses one year's object `{"days_off": [...], "working_days": [...]}`
    /// (the body of `PUT /api/v1/calendar/{year}`), checking every date
    /// belongs to `year`. Load it with [`WorkingCalendar::set_year`].
    pub fn year_from_json(year: i32, json: &str) -> Result<YearCalendar, CalendarError> {
        YearCalendar::from_json(year, json)
    }

    /// The years whose calendars are loaded, ascending.
    pub fn loaded_years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// One loaded year's data.
    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.get(&year).map(|l| &l.data)
    }

    /// One loaded year in the shape of the file's per-year object (for
    /// `GET /api/v1/calendar/{year}`); `None` when the year is not loaded.
    pub fn year_to_json(&self, year: i32) -> Option<Value> {
        self.year(year).map(YearCalendar::to_json)
    }

    /// Whether `date` is a working day (ngày làm việc), and whether that
    /// answer is provisional because the year is not loaded.
    pub fn is_working_day(&self, date: Date) -> (bool, bool) {
        let (bits, provisional) = self.bits_for(date.year());
        let working = bits.is_some_and(|b| b.is_working(date.ordinal()));
        (working, provisional)
    }

    /// The first working day strictly after `date` (with the provisional
    /// flag); `None` past the year 9999.
    pub fn next_working_day(&self, date: Date) -> Option<(Date, bool)> {
        let mut cur = Cursor::new(self, date)?;
        loop {
            if !cur.advance() {
                return None;
            }
            if cur.is_working() {
                return Some((cur.date()?, cur.provisional));
            }
        }
    }

    /// Adds working time to an instant: the deadline is the instant at which
    /// the working time counted from `start` reaches `d`.
    ///
    /// The start is first converted to +07:00. A start outside a session
    /// (lunch, after hours, a day off) counts from the next session's start.
    /// When the time runs out exactly at a session end, the deadline is that
    /// end (e.g. 17:00), not the next session's start. `add(start, 0)` is
    /// `start` itself when it lies within a session or at its end, otherwise
    /// the next session's start. Negative durations count as zero. Past the
    /// year 9999 the result saturates at the last representable instant and
    /// is provisional.
    pub fn add(&self, start: OffsetDateTime, d: WorkingDuration) -> Deadline {
        self.add_nanos(start, d.as_nanos())
    }

    /// Working time between `from` and `to` (zero when `to <= from`): the sum
    /// of the session time of working days lying between them. Truncated to
    /// whole minutes.
    pub fn elapsed(&self, from: OffsetDateTime, to: OffsetDateTime) -> Elapsed {
        let (nanos, provisional) = self.elapsed_nanos(from, to);
        Elapsed {
            duration: WorkingDuration::from_nanos(nanos),
            provisional,
        }
    }

    /// Bitmap of `year`: the loaded one, else the fallback (provisional).
    #[inline]
    fn bits_for(&self, year: i32) -> (Option<YearBits>, bool) {
        match self.years.get(&year) {
            Some(l) => (Some(l.bits), false),
            None => (YearBits::fallback(year), true),
        }
    }

    /// [`WorkingCalendar::add`] in nanoseconds of working time.
    pub(crate) fn add_nanos(&self, start: OffsetDateTime, nanos: i128) -> Deadline {
        // i128 so that even `WorkingDuration::minutes(i64::MAX)` is exact.
        let mut remaining = nanos.max(0);
        let day_nanos = i128::from(self.day_nanos);
        let Some(local) = start.checked_to_offset(PROVINCE_OFFSET) else {
            return Deadline::saturated();
        };
        let mut pos = nanos_of_day(local.time());
        let Some(mut cur) = Cursor::new(self, local.date()) else {
            return Deadline::saturated();
        };
        loop {
            if cur.is_working() {
                if pos == 0 && remaining > day_nanos {
                    // A whole working day: all its sessions at once.
                    remaining -= day_nanos;
                } else {
                    for &(s, e) in &self.spans {
                        // A session already over; at its very end only a zero
                        // amount can still be satisfied there.
                        if e < pos || (e == pos && remaining > 0) {
                            continue;
                        }
                        let from = pos.max(s);
                        let avail = i128::from(e - from);
                        if remaining <= avail {
                            // remaining fits in the session, hence in i64.
                            return cur.deadline(from + remaining as i64);
                        }
                        remaining -= avail;
                    }
                }
            }
            if !cur.advance() {
                return Deadline::saturated();
            }
            pos = 0;
            // Skip whole years at once when the remaining time spans them.
            while cur.ordinal == 1 {
                let year_nanos = i128::from(cur.bits.count(1, cur.bits.days())) * day_nanos;
                if remaining <= year_nanos {
                    break;
                }
                remaining -= year_nanos;
                cur.ordinal = cur.bits.days();
                if !cur.advance() {
                    return Deadline::saturated();
                }
            }
        }
    }

    /// [`WorkingCalendar::elapsed`] in nanoseconds, with the provisional flag.
    pub(crate) fn elapsed_nanos(&self, from: OffsetDateTime, to: OffsetDateTime) -> (i64, bool) {
        if to <= from {
            return (0, false);
        }
        let (Some(a), Some(b)) = (
            from.checked_to_offset(PROVINCE_OFFSET),
            to.checked_to_offset(PROVINCE_OFFSET),
        ) else {
            return (0, true);
        };
        let (d1, p1) = (a.date(), nanos_of_day(a.time()));
        let (d2, p2) = (b.date(), nanos_of_day(b.time()));
        let mut provisional = false;
        let mut total: i64 = 0;
        for year in d1.year()..=d2.year() {
            let (bits, prov) = self.bits_for(year);
            provisional |= prov;
            let Some(bits) = bits else { continue };
            // Whole days strictly between d1 and d2 that fall in this year.
            let lo = if year == d1.year() {
                d1.ordinal() + 1
            } else {
                1
            };
            let hi = if year == d2.year() {
                d2.ordinal().saturating_sub(1)
            } else {
                bits.days()
            };
            total = total.saturating_add(i64::from(bits.count(lo, hi)) * self.day_nanos);
            if year == d1.year() && bits.is_working(d1.ordinal()) {
                let end = if d1 == d2 { p2 } else { i64::MAX };
                total = total.saturating_add(self.overlap(p1, end));
            }
            if year == d2.year() && d1 != d2 && bits.is_working(d2.ordinal()) {
                total = total.saturating_add(self.overlap(0, p2));
            }
        }
        (total, provisional)
    }

    /// Session time within `[from, to)` of one working day.
    fn overlap(&self, from: i64, to: i64) -> i64 {
        self.spans
            .iter()
            .map(|&(s, e)| (e.min(to) - s.max(from)).max(0))
            .sum()
    }

    /// The earliest instant at or after `at` that lies inside a session with
    /// working time still ahead in it (a session end does not qualify): where
    /// counting starts.
    pub(crate) fn counting_start(&self, at: OffsetDateTime) -> Deadline {
        let Some(local) = at.checked_to_offset(PROVINCE_OFFSET) else {
            return Deadline::saturated();
        };
        let Some(cur) = Cursor::new(self, local.date()) else {
            return Deadline::saturated();
        };
        self.counting_start_from(cur, nanos_of_day(local.time()))
    }

    /// The first session start of the first working day after `date`.
    pub(crate) fn first_session_after_day(&self, date: Date) -> Deadline {
        let Some(mut cur) = Cursor::new(self, date) else {
            return Deadline::saturated();
        };
        if !cur.advance() {
            return Deadline::saturated();
        }
        self.counting_start_from(cur, 0)
    }

    fn counting_start_from(&self, mut cur: Cursor<'_>, mut pos: i64) -> Deadline {
        loop {
            if cur.is_working()
                && let Some(&(s, _)) = self.spans.iter().find(|&&(_, e)| e > pos)
            {
                return cur.deadline(pos.max(s));
            }
            if !cur.advance() {
                return Deadline::saturated();
            }
            pos = 0;
        }
    }

    /// End of the last session of the day of `at` (local date), keeping the
    /// provisional flag of `at`.
    pub(crate) fn end_of_day(&self, at: Deadline) -> Deadline {
        let Some(local) = at.at.checked_to_offset(PROVINCE_OFFSET) else {
            return Deadline::saturated();
        };
        let end = self.spans.last().map_or(0, |&(_, e)| e);
        Deadline {
            at: PrimitiveDateTime::new(local.date(), time_from_nanos(end))
                .assume_offset(PROVINCE_OFFSET),
            provisional: at.provisional,
        }
    }

    /// The working day to which the instant `at` belongs for early / on time
    /// / late: its local date when that is a working day, else the nearest
    /// earlier working day (searching back at most a year).
    pub(crate) fn working_day_of(&self, at: OffsetDateTime) -> Date {
        let date = at
            .checked_to_offset(PROVINCE_OFFSET)
            .map_or(at.date(), |l| l.date());
        let mut d = date;
        for _ in 0..366 {
            if self.is_working_day(d).0 {
                return d;
            }
            match d.previous_day() {
                Some(p) => d = p,
                None => break,
            }
        }
        date
    }
}

impl Deadline {
    /// The last representable instant, for arithmetic that runs past 9999.
    fn saturated() -> Self {
        Self {
            at: PrimitiveDateTime::MAX.assume_offset(PROVINCE_OFFSET),
            provisional: true,
        }
    }
}

/// Walks day by day through the calendar, carrying the current year's bitmap.
struct Cursor<'a> {
    cal: &'a WorkingCalendar,
    year: i32,
    ordinal: u16,
    bits: YearBits,
    provisional: bool,
}

impl<'a> Cursor<'a> {
    fn new(cal: &'a WorkingCalendar, date: Date) -> Option<Self> {
        let (bits, provisional) = cal.bits_for(date.year());
        Some(Self {
            cal,
            year: date.year(),
            ordinal: date.ordinal(),
            bits: bits?,
            provisional,
        })
    }

    #[inline]
    fn is_working(&self) -> bool {
        self.bits.is_working(self.ordinal)
    }

    /// Moves to the next day; false past the last representable year.
    #[inline]
    fn advance(&mut self) -> bool {
        if self.ordinal < self.bits.days() {
            self.ordinal += 1;
            return true;
        }
        let year = self.year + 1;
        let (bits, provisional) = self.cal.bits_for(year);
        match bits {
            Some(bits) => {
                self.year = year;
                self.ordinal = 1;
                self.bits = bits;
                self.provisional |= provisional;
                true
            }
            None => false,
        }
    }

    fn date(&self) -> Option<Date> {
        Date::from_ordinal_date(self.year, self.ordinal).ok()
    }

    /// The instant `nanos` after midnight of the current day, at +07:00.
    fn deadline(&self, nanos: i64) -> Deadline {
        match self.date() {
            Some(date) => Deadline {
                at: PrimitiveDateTime::new(date, time_from_nanos(nanos))
                    .assume_offset(PROVINCE_OFFSET),
                provisional: self.provisional,
            },
            None => Deadline::saturated(),
        }
    }
}

fn spans_of(sessions: &[Session]) -> (Vec<(i64, i64)>, i64) {
    let spans: Vec<(i64, i64)> = sessions
        .iter()
        .map(|s| (nanos_of_day(s.start), nanos_of_day(s.end)))
        .collect();
    let day = sessions.iter().map(Session::nanos).sum();
    (spans, day)
}

fn is_province_zone(tz: &str) -> bool {
    matches!(
        tz,
        "Asia/Ho_Chi_Minh" | "Asia/Saigon" | "+07:00" | "UTC+7" | "UTC+07:00"
    )
}

fn parse_year_key(key: &str, path: &str) -> Result<i32, CalendarError> {
    let year = if key.len() == 4 && key.bytes().all(|b| b.is_ascii_digit()) {
        key.parse::<i32>().ok()
    } else {
        None
    };
    let year = year.ok_or_else(|| CalendarError::Json {
        path: path.to_owned(),
        reason: "the key must be a four-digit year".to_owned(),
    })?;
    check_year(year)?;
    Ok(year)
}

fn parse_sessions(value: &Value, path: &str) -> Result<Vec<Session>, CalendarError> {
    let items = value.as_array().ok_or_else(|| CalendarError::Json {
        path: path.to_owned(),
        reason: "expected a list like [[\"07:00\", \"11:30\"], [\"13:30\", \"17:00\"]]".to_owned(),
    })?;
    let mut sessions = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        let pair = match item.as_array().map(Vec::as_slice) {
            Some([Value::String(a), Value::String(b)]) => (a, b),
            _ => {
                return Err(CalendarError::Json {
                    path: item_path,
                    reason: "expected a pair of times [\"HH:MM\", \"HH:MM\"]".to_owned(),
                });
            }
        };
        let start = parse_time_of_day(pair.0).map_err(|e| json_err(&item_path, &e))?;
        let end = parse_time_of_day(pair.1).map_err(|e| json_err(&item_path, &e))?;
        sessions.push(Session::new(start, end).map_err(|e| json_err(&item_path, &e))?);
    }
    validate_sessions(&sessions).map_err(|e| json_err(path, &e))?;
    Ok(sessions)
}

fn json_err(path: &str, e: &CalendarError) -> CalendarError {
    CalendarError::Json {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn embedded_calendar_parses_with_both_years() {
        let cal = WorkingCalendar::from_json(EMBEDDED_CALENDAR).unwrap();
        assert_eq!(cal.loaded_years(), vec![2025, 2026]);
        assert_eq!(cal.day_length(), WorkingDuration::hours(8));
        assert_eq!(
            WorkingCalendar::vietnam_default().loaded_years(),
            vec![2025, 2026]
        );
        assert_eq!(cal.year(2025).map(|y| y.days_off.len()), Some(12));
        assert!(cal.year(2025).unwrap().notes.is_some());
    }

    #[test]
    fn whole_calendar_round_trips_through_json() {
        let cal = WorkingCalendar::vietnam_default();
        let again = WorkingCalendar::from_json(&cal.to_json().to_string()).unwrap();
        assert_eq!(again.loaded_years(), cal.loaded_years());
        assert_eq!(again.year(2026), cal.year(2026));
        assert_eq!(again.sessions(), cal.sessions());
    }

    #[test]
    fn json_errors_name_the_entry_at_fault() {
        let bad_date =
            r#"{"years":{"2026":{"days_off":[{"date":"2026-01-01"},{"date":"2026-02-31"}]}}}"#;
        match WorkingCalendar::from_json(bad_date) {
            Err(CalendarError::BadDate { path, value }) => {
                assert_eq!(path, "$.years.2026.days_off[1].date");
                assert_eq!(value, "2026-02-31");
            }
            other => panic!("unexpected {other:?}"),
        }
        let bad_session = r#"{"working_sessions":[["07:00","11:30"],["11:00","17:00"]]}"#;
        assert!(matches!(
            WorkingCalendar::from_json(bad_session),
            Err(CalendarError::Json { path, .. }) if path == "$.working_sessions"
        ));
        let bad_time = r#"{"working_sessions":[["7h","11:30"]]}"#;
        assert!(matches!(
            WorkingCalendar::from_json(bad_time),
            Err(CalendarError::Json { path, .. }) if path == "$.working_sessions[0]"
        ));
        let bad_zone = r#"{"time_zone":"Asia/Bangkok"}"#;
        assert!(matches!(
            WorkingCalendar::from_json(bad_zone),
            Err(CalendarError::UnsupportedTimeZone(_))
        ));
        let bad_key = r#"{"years":{"26":{"days_off":[]}}}"#;
        assert!(matches!(
            WorkingCalendar::from_json(bad_key),
            Err(CalendarError::Json { path, .. }) if path == "$.years.26"
        ));
        let wrong_year = r#"{"years":{"2025":{"days_off":["2026-01-01"]}}}"#;
        assert!(matches!(
            WorkingCalendar::from_json(wrong_year),
            Err(CalendarError::DateOutsideYear { year: 2025, .. })
        ));
        assert!(matches!(
            WorkingCalendar::from_json("[]"),
            Err(CalendarError::Json { .. })
        ));
        assert!(matches!(
            WorkingCalendar::from_json("nope"),
            Err(CalendarError::Syntax(_))
        ));
    }

    #[test]
    fn set_year_validates_and_replaces() {
        let mut cal = WorkingCalendar::new();
        assert_eq!(cal.is_working_day(date!(2026 - 04 - 27)), (true, true));
        let y = YearCalendar::new().with_day_off(date!(2026 - 04 - 27), "bù");
        cal.set_year(2026, y.clone()).unwrap();
        assert_eq!(cal.is_working_day(date!(2026 - 04 - 27)), (false, false));
        assert!(cal.set_year(2025, y).is_err());
        assert!(cal.set_year(10_000, YearCalendar::new()).is_err());
        assert_eq!(
            cal.year_to_json(2026),
            Some(
                serde_json::json!({"days_off":[{"date":"2026-04-27","name":"bù"}],"working_days":[]})
            )
        );
        assert_eq!(cal.year_to_json(2024), None);
        assert!(cal.remove_year(2026).is_some());
        assert_eq!(cal.is_working_day(date!(2026 - 04 - 27)), (true, true));
    }

    #[test]
    fn custom_sessions_change_the_arithmetic() {
        let cal = WorkingCalendar::vietnam_default()
            .with_sessions(vec![
                Session::parse("07:30", "11:30").unwrap(),
                Session::parse("13:00", "17:00").unwrap(),
            ])
            .unwrap();
        let d = cal.add(datetime!(2026-03-02 11:00 +7), WorkingDuration::hours(1));
        assert_eq!(d.at, datetime!(2026-03-02 13:30 +7));
        assert!(WorkingCalendar::new().with_sessions(vec![]).is_err());
    }

    #[test]
    fn saturates_past_year_9999() {
        let cal = WorkingCalendar::vietnam_default();
        let d = cal.add(
            datetime!(2026-03-02 10:00 +7),
            WorkingDuration::minutes(i64::MAX),
        );
        assert!(d.provisional);
        assert_eq!(d.at.year(), 9999);
        let near_end = datetime!(9999-12-31 23:00 UTC);
        let d = cal.add(near_end, WorkingDuration::hours(1));
        assert!(d.provisional);
    }

    #[test]
    fn skips_whole_years_exactly() {
        let cal = WorkingCalendar::vietnam_default();
        // 2025 has 261 weekdays - 12 weekday days off + 1 make-up Saturday = 250.
        let start = datetime!(2025-01-01 00:00 +7);
        let d = cal.add(start, WorkingDuration::whole_days(250));
        assert_eq!(d.at, datetime!(2025-12-31 17:00 +7));
        assert!(!d.provisional);
        let d = cal.add(start, WorkingDuration::whole_days(251));
        assert_eq!(d.at, datetime!(2026-01-02 17:00 +7));
        // Far into fallback years: same answer as walking day by day.
        let far = cal.add(start, WorkingDuration::whole_days(2500));
        let mut step = start;
        for _ in 0..10 {
            step = cal.add(step, WorkingDuration::whole_days(250)).at;
        }
        assert_eq!(far.at, step);
        assert!(far.provisional);
    }
}
