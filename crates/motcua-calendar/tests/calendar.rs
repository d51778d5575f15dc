//! Table tests against the real 2025 and 2026 calendars, property tests of the
//! arithmetic, and processing-clock tests. Expected instants were worked out
//! by hand from `data/calendar-vn.json` (comments show the working).

use motcua_calendar::{
    CalendarError, PROVINCE_OFFSET, ProcessingClock, Session, SupplementClockPolicy, TimeLimit,
    Timeliness, WorkingCalendar, WorkingDuration, timeliness,
};
use proptest::prelude::*;
use time::macros::{date, datetime, offset, time};
use time::{Duration, OffsetDateTime};

fn cal() -> WorkingCalendar {
    WorkingCalendar::vietnam_default()
}

fn days(d: f64) -> WorkingDuration {
    WorkingDuration::days(d).expect("valid days")
}

/// `add` whose result must not be provisional.
fn add_exact(c: &WorkingCalendar, start: OffsetDateTime, d: WorkingDuration) -> OffsetDateTime {
    let due = c.add(start, d);
    assert!(!due.provisional, "{start} + {d} should not be provisional");
    assert_eq!(due.at.offset(), PROVINCE_OFFSET);
    due.at
}

// ---------------------------------------------------------------- add: table

#[test]
fn add_table_2025_2026() {
    let c = cal();
    let cases: &[(&str, OffsetDateTime, WorkingDuration, OffsetDateTime)] = &[
        // Fri 13/02/2026 10:00: 300 min left that day; Tết 14–22/02 off;
        // 19 full days from Mon 23/02 end Thu 19/03; 180 min more on Fri 20/03.
        (
            "20 days across Tết 2026",
            datetime!(2026-02-13 10:00 +7),
            days(20.0),
            datetime!(2026-03-20 10:00 +7),
        ),
        // Fri 24/01/2025 10:00: Tết 25/01–02/02 off, so the next working day is Mon 03/02.
        (
            "1 day across Tết 2025",
            datetime!(2025-01-24 10:00 +7),
            days(1.0),
            datetime!(2025-02-03 10:00 +7),
        ),
        // Fri 24/04/2026 16:00: 60 min; Sat, Sun, Mon 27/04 (compensatory) off;
        // Tue 28/04: 270 morning + 150 afternoon → 16:00.
        (
            "compensatory Monday 27/04/2026",
            datetime!(2026-04-24 16:00 +7),
            WorkingDuration::hours(8),
            datetime!(2026-04-28 16:00 +7),
        ),
        // Make-up Saturday 26/04/2025 is a working day.
        (
            "make-up Saturday 26/04/2025",
            datetime!(2025-04-25 16:00 +7),
            WorkingDuration::hours(8),
            datetime!(2025-04-26 16:00 +7),
        ),
        // Tue 29/04/2025 16:00: 30/04, 01/05, 02/05 (swapped) off, weekend → Mon 05/05.
        (
            "swapped 02/05/2025",
            datetime!(2025-04-29 16:00 +7),
            WorkingDuration::hours(8),
            datetime!(2025-05-05 16:00 +7),
        ),
        // Hùng Kings Mon 07/04/2025.
        (
            "Hùng Kings 07/04/2025",
            datetime!(2025-04-04 16:00 +7),
            WorkingDuration::hours(8),
            datetime!(2025-04-08 16:00 +7),
        ),
        // Make-up Saturday 22/08/2026 is a working day.
        (
            "make-up Saturday 22/08/2026",
            datetime!(2026-08-21 16:00 +7),
            WorkingDuration::hours(8),
            datetime!(2026-08-22 16:00 +7),
        ),
        // Fri 28/08/2026 16:00: weekend, Mon 31/08 (swapped), 01/09, 02/09 off → Thu 03/09.
        (
            "swapped 31/08/2026 and National Day",
            datetime!(2026-08-28 16:00 +7),
            WorkingDuration::hours(8),
            datetime!(2026-09-03 16:00 +7),
        ),
        // Lunch start moves to 13:30.
        (
            "lunch start",
            datetime!(2026-03-02 12:00 +7),
            WorkingDuration::hours(1),
            datetime!(2026-03-02 14:30 +7),
        ),
        (
            "lunch start, zero",
            datetime!(2026-03-02 12:00 +7),
            WorkingDuration::ZERO,
            datetime!(2026-03-02 13:30 +7),
        ),
        // After-hours start moves to the next day's 07:00.
        (
            "after hours",
            datetime!(2026-03-02 18:00 +7),
            WorkingDuration::hours(1),
            datetime!(2026-03-03 08:00 +7),
        ),
        (
            "after hours on Friday",
            datetime!(2026-03-06 18:00 +7),
            WorkingDuration::hours(1),
            datetime!(2026-03-09 08:00 +7),
        ),
        (
            "before opening",
            datetime!(2026-03-02 05:45 +7),
            WorkingDuration::minutes(30),
            datetime!(2026-03-02 07:30 +7),
        ),
        (
            "on a Sunday",
            datetime!(2026-03-08 09:00 +7),
            WorkingDuration::ZERO,
            datetime!(2026-03-09 07:00 +7),
        ),
        // Exactly at a session end: the end itself, not the next start.
        (
            "reaches 11:30 exactly",
            datetime!(2026-03-02 07:00 +7),
            WorkingDuration::minutes(270),
            datetime!(2026-03-02 11:30 +7),
        ),
        (
            "reaches 17:00 exactly",
            datetime!(2026-03-02 07:00 +7),
            days(1.0),
            datetime!(2026-03-02 17:00 +7),
        ),
        (
            "one minute past 11:30",
            datetime!(2026-03-02 07:00 +7),
            WorkingDuration::minutes(271),
            datetime!(2026-03-02 13:31 +7),
        ),
        (
            "zero at a session end stays",
            datetime!(2026-03-02 11:30 +7),
            WorkingDuration::ZERO,
            datetime!(2026-03-02 11:30 +7),
        ),
        (
            "from a session end",
            datetime!(2026-03-02 11:30 +7),
            WorkingDuration::minutes(30),
            datetime!(2026-03-02 14:00 +7),
        ),
        (
            "inside a session, zero",
            datetime!(2026-03-02 09:15 +7),
            WorkingDuration::ZERO,
            datetime!(2026-03-02 09:15 +7),
        ),
        // 1 day from mid-morning = same time next working day.
        (
            "one day from 10:00",
            datetime!(2026-03-02 10:00 +7),
            days(1.0),
            datetime!(2026-03-03 10:00 +7),
        ),
        (
            "half a day from 13:30",
            datetime!(2026-03-02 13:30 +7),
            days(0.5),
            datetime!(2026-03-03 07:30 +7),
        ),
        // Input in UTC: 03:00Z is 10:00 at +07:00.
        (
            "UTC input",
            datetime!(2026-03-02 03:00 UTC),
            WorkingDuration::hours(1),
            datetime!(2026-03-02 11:00 +7),
        ),
        // Seconds are kept: 30 s before lunch, 30 s after.
        (
            "seconds across lunch",
            datetime!(2026-03-02 11:29:30 +7),
            WorkingDuration::minutes(1),
            datetime!(2026-03-02 13:30:30 +7),
        ),
        // 2025 → 2026 (both loaded): Wed 31/12/2025 16:00, 1/1/2026 off.
        (
            "year end 2025",
            datetime!(2025-12-31 16:00 +7),
            WorkingDuration::hours(2),
            datetime!(2026-01-02 08:00 +7),
        ),
    ];
    for (name, start, d, want) in cases {
        let got = add_exact(&c, *start, *d);
        assert_eq!(got, *want, "{name}: {start} + {d}");
        assert_eq!(got.offset(), offset!(+7), "{name}");
    }
}

#[test]
fn working_day_flags_of_the_real_calendar() {
    let c = cal();
    for (d, working) in [
        (date!(2025 - 04 - 26), true),  // make-up Saturday
        (date!(2025 - 05 - 02), false), // swapped Friday
        (date!(2025 - 01 - 29), false), // Tết
        (date!(2025 - 02 - 08), false), // Saturday (not confirmed as make-up; not listed)
        (date!(2026 - 02 - 16), false), // Tết
        (date!(2026 - 02 - 23), true),  // first day after Tết
        (date!(2026 - 04 - 27), false), // compensatory Monday
        (date!(2026 - 08 - 22), true),  // make-up Saturday
        (date!(2026 - 08 - 31), false), // swapped Monday
        (date!(2026 - 09 - 03), true),
        (date!(2026 - 03 - 07), false), // plain Saturday
    ] {
        assert_eq!(c.is_working_day(d), (working, false), "{d}");
    }
    assert_eq!(
        c.next_working_day(date!(2026 - 02 - 13)),
        Some((date!(2026 - 02 - 23), false))
    );
    assert_eq!(
        c.next_working_day(date!(2026 - 12 - 31)),
        Some((date!(2027 - 01 - 04), true))
    );
}

// -------------------------------------------------------- missing year 2027

#[test]
fn missing_year_falls_back_and_is_provisional() {
    let c = cal();
    // Wed 30/12/2026 10:00 + 5 days: 300 min Wed, Thu 31/12 full, 1/1/2027 off
    // (fallback), weekend, Mon 4, Tue 5, Wed 6 full, 180 min on Thu 7/1.
    let due = c.add(datetime!(2026-12-30 10:00 +7), days(5.0));
    assert_eq!(due.at, datetime!(2027-01-07 10:00 +7));
    assert!(due.provisional);
    // Staying inside 2026 is not provisional.
    let due = c.add(datetime!(2026-12-30 10:00 +7), days(1.0));
    assert_eq!(due.at, datetime!(2026-12-31 10:00 +7));
    assert!(!due.provisional);
    // Fallback flags: fixed holidays and weekends off, plain weekdays working.
    assert_eq!(c.is_working_day(date!(2027 - 01 - 01)), (false, true));
    assert_eq!(c.is_working_day(date!(2027 - 04 - 30)), (false, true));
    assert_eq!(c.is_working_day(date!(2027 - 09 - 02)), (false, true));
    assert_eq!(c.is_working_day(date!(2027 - 01 - 02)), (false, true));
    assert_eq!(c.is_working_day(date!(2027 - 01 - 04)), (true, true));
    // Elapsed into 2027 is provisional too.
    let e = c.elapsed(
        datetime!(2026-12-31 16:00 +7),
        datetime!(2027-01-04 08:00 +7),
    );
    assert_eq!(e.duration, WorkingDuration::hours(2));
    assert!(e.provisional);
    // Loading 2027 removes the provisional flag.
    let mut c = c;
    let y =
        WorkingCalendar::year_from_json(2027, r#"{"days_off":["2027-01-01"],"working_days":[]}"#)
            .expect("valid year");
    c.set_year(2027, y).expect("loads");
    let due = c.add(datetime!(2026-12-30 10:00 +7), days(5.0));
    assert_eq!(due.at, datetime!(2027-01-07 10:00 +7));
    assert!(!due.provisional);
    assert_eq!(c.loaded_years(), vec![2025, 2026, 2027]);
}

#[test]
fn a_calendar_with_no_year_is_provisional_everywhere() {
    let c = WorkingCalendar::new();
    let due = c.add(datetime!(2026-04-24 16:00 +7), WorkingDuration::hours(8));
    // Without 2026 data, Mon 27/04 is (wrongly, but visibly) a working day.
    assert_eq!(due.at, datetime!(2026-04-27 16:00 +7));
    assert!(due.provisional);
}

// ------------------------------------------------------------ elapsed: table

#[test]
fn elapsed_table() {
    let c = cal();
    let cases: &[(OffsetDateTime, OffsetDateTime, i64)] = &[
        (
            datetime!(2026-03-02 11:00 +7),
            datetime!(2026-03-02 14:00 +7),
            60,
        ),
        (
            datetime!(2026-03-02 12:00 +7),
            datetime!(2026-03-02 13:00 +7),
            0,
        ),
        (
            datetime!(2026-03-02 07:00 +7),
            datetime!(2026-03-02 17:00 +7),
            480,
        ),
        (
            datetime!(2026-03-02 06:00 +7),
            datetime!(2026-03-03 20:00 +7),
            960,
        ),
        (
            datetime!(2026-02-13 10:00 +7),
            datetime!(2026-03-20 10:00 +7),
            20 * 480,
        ),
        (
            datetime!(2026-04-24 16:00 +7),
            datetime!(2026-04-28 16:00 +7),
            480,
        ),
        (
            datetime!(2025-04-25 16:00 +7),
            datetime!(2025-04-26 16:00 +7),
            480,
        ),
        (
            datetime!(2026-08-28 16:00 +7),
            datetime!(2026-09-03 16:00 +7),
            480,
        ),
        (
            datetime!(2026-03-07 09:00 +7),
            datetime!(2026-03-08 09:00 +7),
            0,
        ),
        // Reversed or equal → zero.
        (
            datetime!(2026-03-03 10:00 +7),
            datetime!(2026-03-02 10:00 +7),
            0,
        ),
        (
            datetime!(2026-03-03 10:00 +7),
            datetime!(2026-03-03 10:00 +7),
            0,
        ),
        // Whole 2025: 250 working days.
        (
            datetime!(2025-01-01 00:00 +7),
            datetime!(2026-01-01 00:00 +7),
            250 * 480,
        ),
        // Mixed offsets: 03:00Z = 10:00 local.
        (
            datetime!(2026-03-02 03:00 UTC),
            datetime!(2026-03-02 11:00 +7),
            60,
        ),
    ];
    for (from, to, minutes) in cases {
        let e = c.elapsed(*from, *to);
        assert_eq!(
            e.duration,
            WorkingDuration::minutes(*minutes),
            "{from} → {to}"
        );
        assert!(!e.provisional, "{from} → {to}");
    }
}

// ------------------------------------------------------ deadline: cut-off etc.

#[test]
fn cutoff_at_15h() {
    let c = cal();
    let limit = TimeLimit::new(days(3.0)).with_cutoff(time!(15:00));
    for (received, want) in [
        // After 15:00: counting from Tue 07:00, three full days → Thu 17:00.
        (
            datetime!(2026-03-02 15:30 +7),
            datetime!(2026-03-05 17:00 +7),
        ),
        (
            datetime!(2026-03-02 15:00:01 +7),
            datetime!(2026-03-05 17:00 +7),
        ),
        // At 15:00 sharp is not after the cut-off.
        (
            datetime!(2026-03-02 15:00 +7),
            datetime!(2026-03-05 15:00 +7),
        ),
        (
            datetime!(2026-03-02 14:59 +7),
            datetime!(2026-03-05 14:59 +7),
        ),
        // After hours anyway.
        (
            datetime!(2026-03-02 19:00 +7),
            datetime!(2026-03-05 17:00 +7),
        ),
        // Fri 24/04/2026 after 15:00: next working day is Tue 28/04 (27 is off),
        // 28, 29, then 30/04 and 01/05 off, weekend → Mon 04/05 17:00.
        (
            datetime!(2026-04-24 16:00 +7),
            datetime!(2026-05-04 17:00 +7),
        ),
        // A Saturday make-up working day has a cut-off too: 22/08/2026 16:00 →
        // Mon 24/08 07:00 + 3 days → Wed 26/08 17:00.
        (
            datetime!(2026-08-22 16:00 +7),
            datetime!(2026-08-26 17:00 +7),
        ),
    ] {
        let due = c.deadline(received, &limit);
        assert_eq!(due.at, want, "received {received}");
        assert!(!due.provisional);
    }
    // Without a cut-off, 15:30 counts from 15:30.
    let no_cutoff = TimeLimit::new(days(3.0));
    assert_eq!(
        c.deadline(datetime!(2026-03-02 15:30 +7), &no_cutoff).at,
        datetime!(2026-03-05 15:30 +7)
    );
}

#[test]
fn same_day_procedures() {
    let c = cal();
    let limit = TimeLimit::same_day().with_cutoff(time!(15:00));
    for (received, want) in [
        (
            datetime!(2026-03-02 10:00 +7),
            datetime!(2026-03-02 17:00 +7),
        ),
        (
            datetime!(2026-03-02 06:30 +7),
            datetime!(2026-03-02 17:00 +7),
        ),
        (
            datetime!(2026-03-02 12:00 +7),
            datetime!(2026-03-02 17:00 +7),
        ),
        (
            datetime!(2026-03-02 15:00 +7),
            datetime!(2026-03-02 17:00 +7),
        ),
        // After the cut-off → end of the next working day.
        (
            datetime!(2026-03-02 15:30 +7),
            datetime!(2026-03-03 17:00 +7),
        ),
        // Saturday → Monday.
        (
            datetime!(2026-03-07 10:00 +7),
            datetime!(2026-03-09 17:00 +7),
        ),
        // Friday before Tết after the cut-off → Mon 23/02/2026.
        (
            datetime!(2026-02-13 16:00 +7),
            datetime!(2026-02-23 17:00 +7),
        ),
        // Make-up Saturday 26/04/2025 morning → that Saturday.
        (
            datetime!(2025-04-26 09:00 +7),
            datetime!(2025-04-26 17:00 +7),
        ),
    ] {
        let due = c.deadline(received, &limit);
        assert_eq!(due.at, want, "received {received}");
        assert!(!due.provisional);
    }
    // Without a cut-off: 16:30 is the same day, 17:00 sharp and later the next.
    let plain = TimeLimit::same_day();
    assert_eq!(
        c.deadline(datetime!(2026-03-02 16:30 +7), &plain).at,
        datetime!(2026-03-02 17:00 +7)
    );
    assert_eq!(
        c.deadline(datetime!(2026-03-02 17:00 +7), &plain).at,
        datetime!(2026-03-03 17:00 +7)
    );
    assert_eq!(
        c.deadline(datetime!(2026-03-02 21:00 +7), &plain).at,
        datetime!(2026-03-03 17:00 +7)
    );
    // Same-day plus working time: added after the end of the day.
    let plus = TimeLimit {
        working: WorkingDuration::hours(4),
        same_day: true,
        cutoff: None,
    };
    assert_eq!(
        c.deadline(datetime!(2026-03-02 10:00 +7), &plus).at,
        datetime!(2026-03-03 11:00 +7)
    );
    // Same-day reaching into 2027 is provisional: Thu 31/12/2026 after cut-off.
    let due = c.deadline(datetime!(2026-12-31 16:00 +7), &limit);
    assert_eq!(due.at, datetime!(2027-01-04 17:00 +7));
    assert!(due.provisional);
}

// ---------------------------------------------------------------- timeliness

#[test]
fn early_on_time_late() {
    let c = cal();
    let due = datetime!(2026-03-05 17:00 +7);
    for (finished, want) in [
        (datetime!(2026-03-04 16:00 +7), Timeliness::Early),
        (datetime!(2026-03-05 06:00 +7), Timeliness::OnTime),
        (datetime!(2026-03-05 09:00 +7), Timeliness::OnTime),
        (datetime!(2026-03-05 17:00 +7), Timeliness::OnTime),
        (datetime!(2026-03-05 17:00:01 +7), Timeliness::Late),
        (datetime!(2026-03-06 08:00 +7), Timeliness::Late),
        // 2026-03-04 23:30Z is 06:30 on the 5th locally: same day.
        (datetime!(2026-03-04 23:30 UTC), Timeliness::OnTime),
    ] {
        assert_eq!(timeliness(&c, finished, due), want, "{finished}");
    }
    // A deadline stored on a day off belongs to the previous working day:
    // Sun 08/03 → Fri 06/03.
    let sunday = datetime!(2026-03-08 10:00 +7);
    assert_eq!(
        timeliness(&c, datetime!(2026-03-06 16:00 +7), sunday),
        Timeliness::OnTime
    );
    assert_eq!(
        timeliness(&c, datetime!(2026-03-05 16:00 +7), sunday),
        Timeliness::Early
    );
    assert_eq!(
        serde_json::to_string(&Timeliness::OnTime).unwrap(),
        "\"on_time\""
    );
}

// ------------------------------------------------------------ processing clock

/// Budget 3 days from Mon 02/03/2026 07:00 → due Wed 04/03 17:00; paused Mon
/// 15:00 after 360 minutes (270 + 90).
fn paused_clock(c: &WorkingCalendar) -> ProcessingClock {
    let mut clock = ProcessingClock::start(c, datetime!(2026-03-02 07:00 +7), days(3.0));
    assert_eq!(
        clock.due().map(|d| d.at),
        Some(datetime!(2026-03-04 17:00 +7))
    );
    clock
        .pause(c, datetime!(2026-03-02 15:00 +7))
        .expect("running");
    assert_eq!(clock.due(), None);
    assert!(!clock.is_running());
    assert_eq!(
        clock.consumed(c, datetime!(2026-03-03 12:00 +7)).duration,
        WorkingDuration::minutes(360)
    );
    assert_eq!(
        clock.remaining(c, datetime!(2026-03-03 12:00 +7)),
        WorkingDuration::minutes(1080)
    );
    clock
}

#[test]
fn clock_restart_policy() {
    let c = cal();
    let mut clock = paused_clock(&c);
    // Whole budget again from Tue 10:00: 300 + 480 + 480 + 180 → Fri 06/03 10:00.
    let due = clock
        .resume(
            &c,
            datetime!(2026-03-03 10:00 +7),
            SupplementClockPolicy::Restart,
        )
        .expect("paused");
    assert_eq!(due.at, datetime!(2026-03-06 10:00 +7));
    assert!(!due.provisional);
    assert_eq!(clock.due(), Some(due));
    assert_eq!(
        clock.remaining(&c, datetime!(2026-03-03 10:00 +7)),
        days(3.0)
    );
}

#[test]
fn clock_pause_policy() {
    let c = cal();
    let mut clock = paused_clock(&c);
    // 1080 min left from Tue 10:00: 300 Tue, 480 Wed, 300 Thu (270 + 30) → Thu 14:00,
    // i.e. the original Wed 17:00 moved by the wait's 300 working minutes.
    let due = clock
        .resume(
            &c,
            datetime!(2026-03-03 10:00 +7),
            SupplementClockPolicy::Pause,
        )
        .expect("paused");
    assert_eq!(due.at, datetime!(2026-03-05 14:00 +7));
    assert_eq!(
        clock.remaining(&c, datetime!(2026-03-03 11:00 +7)),
        WorkingDuration::minutes(1020)
    );
}

#[test]
fn clock_continue_policy() {
    let c = cal();
    let mut clock = paused_clock(&c);
    let due = clock
        .resume(
            &c,
            datetime!(2026-03-03 10:00 +7),
            SupplementClockPolicy::Continue,
        )
        .expect("paused");
    // The wait counted: the due instant is unchanged.
    assert_eq!(due.at, datetime!(2026-03-04 17:00 +7));
    // 360 + 300 (wait) consumed at resume.
    assert_eq!(
        clock.consumed(&c, datetime!(2026-03-03 10:00 +7)).duration,
        WorkingDuration::minutes(660)
    );
    // Overdue by Thu 09:00: remaining is negative (-120 min).
    assert_eq!(
        clock.remaining(&c, datetime!(2026-03-05 09:00 +7)),
        WorkingDuration::minutes(-120)
    );
}

#[test]
fn clock_resume_after_budget_spent_keeps_the_due() {
    let c = cal();
    let mut clock = paused_clock(&c);
    // Resumed Thu 07:00 under Continue: the wait (120 + 480 + 480) used it all up.
    let due = clock
        .resume(
            &c,
            datetime!(2026-03-05 07:00 +7),
            SupplementClockPolicy::Continue,
        )
        .expect("paused");
    assert_eq!(due.at, datetime!(2026-03-04 17:00 +7));
}

#[test]
fn clock_state_errors_and_serde() {
    let c = cal();
    let mut clock = ProcessingClock::start(&c, datetime!(2026-03-02 07:00 +7), days(1.0));
    assert_eq!(
        clock.resume(
            &c,
            datetime!(2026-03-02 08:00 +7),
            SupplementClockPolicy::Pause
        ),
        Err(CalendarError::ClockNotPaused)
    );
    clock
        .pause(&c, datetime!(2026-03-02 08:00 +7))
        .expect("running");
    assert_eq!(
        clock.pause(&c, datetime!(2026-03-02 09:00 +7)),
        Err(CalendarError::ClockAlreadyPaused)
    );
    let text = serde_json::to_string(&clock).expect("serialises");
    let back: ProcessingClock = serde_json::from_str(&text).expect("deserialises");
    assert_eq!(back, clock);
    assert_eq!(
        serde_json::to_string(&SupplementClockPolicy::Continue).unwrap(),
        "\"continue\""
    );
    assert_eq!(
        serde_json::from_str::<SupplementClockPolicy>("\"restart\"").unwrap(),
        SupplementClockPolicy::Restart
    );
    // Several pauses under Pause add up: 60 min before, 60 more after.
    let due = clock
        .resume(
            &c,
            datetime!(2026-03-04 07:00 +7),
            SupplementClockPolicy::Pause,
        )
        .expect("paused");
    assert_eq!(due.at, datetime!(2026-03-04 16:00 +7));
}

#[test]
fn clock_into_missing_year_is_provisional() {
    let c = cal();
    let mut clock = ProcessingClock::start(&c, datetime!(2026-12-21 07:00 +7), days(3.0));
    assert!(!clock.due().expect("running").provisional);
    clock
        .pause(&c, datetime!(2026-12-21 08:00 +7))
        .expect("running");
    let due = clock
        .resume(
            &c,
            datetime!(2026-12-31 07:00 +7),
            SupplementClockPolicy::Pause,
        )
        .expect("paused");
    // 1380 left from Thu 31/12: 480, then Mon 4, Tue 5 (420 of 480) → 2027-01-05 16:00.
    assert_eq!(due.at, datetime!(2027-01-05 16:00 +7));
    assert!(due.provisional);
}

// ------------------------------------------------------- sessions per agency

#[test]
fn agency_sessions_override() {
    let c = cal()
        .with_sessions(vec![
            Session::parse("08:00", "12:00").unwrap(),
            Session::parse("13:00", "17:00").unwrap(),
        ])
        .expect("valid sessions");
    assert_eq!(c.day_length(), WorkingDuration::hours(8));
    assert_eq!(
        add_exact(
            &c,
            datetime!(2026-03-02 07:00 +7),
            WorkingDuration::hours(4)
        ),
        datetime!(2026-03-02 12:00 +7)
    );
    assert_eq!(
        add_exact(&c, datetime!(2026-03-02 12:30 +7), WorkingDuration::ZERO),
        datetime!(2026-03-02 13:00 +7)
    );
    // The holidays still apply.
    assert_eq!(
        add_exact(
            &c,
            datetime!(2026-04-24 16:00 +7),
            WorkingDuration::hours(8)
        ),
        datetime!(2026-04-28 16:00 +7)
    );
    assert!(matches!(
        cal().with_sessions(vec![
            Session::parse("13:00", "17:00").unwrap(),
            Session::parse("08:00", "12:00").unwrap()
        ]),
        Err(CalendarError::BadSession(_))
    ));
}

// ------------------------------------------------------------------ properties

/// Instants from 2025-01-01 to the end of 2027 at one-second resolution, in
/// one of three offsets (the calendar converts to +07:00 itself).
fn instant() -> impl Strategy<Value = OffsetDateTime> {
    (0i64..3 * 365 * 86_400, 0usize..3).prop_map(|(secs, o)| {
        let t = datetime!(2025-01-01 00:00 +7) + Duration::seconds(secs);
        let off = [offset!(+7), offset!(UTC), offset!(-5)][o];
        t.to_offset(off)
    })
}

/// Working durations from zero to 60 working days, in minutes.
fn duration() -> impl Strategy<Value = WorkingDuration> {
    (0i64..=60 * 480).prop_map(WorkingDuration::minutes)
}

proptest! {
    // Failures print their minimal input; no regression files in the source tree.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn deadline_is_on_a_working_day_inside_a_session(start in instant(), d in duration()) {
        let c = cal();
        let due = c.add(start, d);
        prop_assert_eq!(due.at.offset(), PROVINCE_OFFSET);
        let (working, _) = c.is_working_day(due.at.date());
        prop_assert!(working, "{} + {} = {} is a day off", start, d, due.at);
        let t = due.at.time();
        let inside = c.sessions().iter().any(|s| s.start <= t && t <= s.end);
        prop_assert!(inside, "{} + {} = {} is outside a session", start, d, due.at);
        prop_assert!(due.at >= start);
    }

    #[test]
    fn add_is_monotonic_in_the_start(a in instant(), b in instant(), d in duration()) {
        let c = cal();
        let (s1, s2) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(c.add(s1, d).at <= c.add(s2, d).at);
    }

    #[test]
    fn adding_a_then_b_equals_adding_a_plus_b(s in instant(), a in duration(), b in duration()) {
        let c = cal();
        let step = c.add(c.add(s, a).at, b);
        let once = c.add(s, a + b);
        prop_assert_eq!(step.at, once.at);
    }

    #[test]
    fn elapsed_inverts_add(s in instant(), d in duration()) {
        let c = cal();
        let due = c.add(s, d);
        let e = c.elapsed(s, due.at);
        prop_assert_eq!(e.duration, d);
        prop_assert_eq!(e.provisional, due.provisional);
    }

    #[test]
    fn elapsed_is_additive_on_whole_minutes(a in 0i64..3 * 365 * 1440, b in 0i64..30 * 1440, cc in 0i64..30 * 1440) {
        let c = cal();
        let t0 = datetime!(2025-01-01 00:00 +7) + Duration::minutes(a);
        let t1 = t0 + Duration::minutes(b);
        let t2 = t1 + Duration::minutes(cc);
        let whole = c.elapsed(t0, t2).duration;
        let parts = c.elapsed(t0, t1).duration + c.elapsed(t1, t2).duration;
        prop_assert_eq!(whole, parts);
    }

    #[test]
    fn pause_policy_moves_due_by_the_wait(
        start_min in 0i64..3 * 365 * 1440,
        budget in 1i64..=20 * 480,
        run in 0i64..20 * 1440,
        wait in 0i64..20 * 1440,
    ) {
        // Whole-minute instants, so the minute-truncated `elapsed` used for
        // the expectation is exact.
        let c = cal();
        let start = datetime!(2025-01-01 00:00 +7) + Duration::minutes(start_min);
        let budget = WorkingDuration::minutes(budget);
        let mut clock = ProcessingClock::start(&c, start, budget);
        let original = clock.due().expect("running").at;
        let paused = start + Duration::minutes(run);
        let resumed = paused + Duration::minutes(wait);
        clock.pause(&c, paused).expect("running");
        let mut cont = clock;
        let due = clock.resume(&c, resumed, SupplementClockPolicy::Pause).expect("paused");
        let used = c.elapsed(start, paused).duration;
        if used < budget {
            // Equivalent: the remaining budget counted from the resume.
            prop_assert_eq!(due.at, c.add(resumed, budget - used).at);
            prop_assert!(due.at >= original);
        } else {
            prop_assert_eq!(due.at, original);
        }
        let due = cont.resume(&c, resumed, SupplementClockPolicy::Continue).expect("paused");
        prop_assert_eq!(due.at, original);
    }
}
