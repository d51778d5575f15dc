//! Tests of the handling report's plan and rows: every day's flows are read exactly once for
//! each of the report's three sums, and the form's identities hold.

use super::*;
use proptest::prelude::*;
use time::macros::date;

fn within(d: Date, span: Days) -> bool {
    span.is_some_and(|(a, b)| a <= d && d <= b)
}

/// How often `plan` reads day `d`'s flows for (the stock before, the stock at the end, the
/// period's flows): through its month's row and through its own.
fn reads(plan: &Plan, d: Date) -> (u8, u8, u8) {
    let m = month_of(d);
    let before = u8::from(m < plan.before_months) + u8::from(within(d, plan.before_days));
    let end = u8::from(m < plan.end_months) + u8::from(within(d, plan.end_days));
    let period = u8::from(plan.period_months.is_some_and(|(a, b)| a <= m && m < b))
        + plan
            .period_days
            .iter()
            .map(|s| u8::from(within(d, *s)))
            .sum::<u8>();
    let needed = m < plan.before_months
        || m < plan.end_months
        || plan.period_months.is_some_and(|(a, b)| a <= m && m < b);
    assert!(
        !needed || m < plan.months_until(),
        "month {m} needed but not read"
    );
    (before, end, period)
}

proptest! {
    #[test]
    fn every_day_is_read_once_for_each_sum(start in 0i64..700, len in 0i64..500) {
        let from = date!(2025 - 01 - 01) + Duration::days(start);
        let to = from + Duration::days(len);
        let plan = Plan::of(from, to);
        let mut d = date!(2024 - 06 - 01);
        while d < date!(2028 - 01 - 01) {
            let expected = (u8::from(d < from), u8::from(d <= to), u8::from(from <= d && d <= to));
            prop_assert_eq!(reads(&plan, d), expected, "day {} of {} to {}", d, from, to);
            d = d.next_day().unwrap();
        }
    }
}

#[test]
fn a_calendar_month_reads_one_monthly_row_and_no_edge_days() {
    let plan = Plan::of(date!(2026 - 11 - 01), date!(2026 - 11 - 30));
    assert_eq!(
        plan.period_months,
        Some((date!(2026 - 11 - 01), date!(2026 - 12 - 01)))
    );
    assert_eq!(plan.period_days, [None, None]);
    assert_eq!(plan.before_days, None);
    assert_eq!(
        (plan.end_months, plan.end_days),
        (date!(2026 - 12 - 01), None),
        "the month's end stock is its monthly row"
    );
}

#[test]
fn a_row_keeps_the_forms_identities() {
    let before = Counts {
        open: 4,
        ..Counts::default()
    };
    let period = Counts {
        received_online: 3,
        received_direct: 2,
        resolved_early: 1,
        resolved_on_time: 2,
        resolved_late: 1,
        refused: 1,
        ..Counts::default()
    };
    let end = Counts {
        open: 5,
        overdue: 2,
        waiting_supplement: 1,
        ..Counts::default()
    };
    let row = HandlingRow::of(Some("G13".into()), &before, &period, &end);
    assert!(row.identities_hold(), "{row:?}");
    assert_eq!(row.received.total, 9);
    assert_eq!(row.in_progress.within_time, 3);
    let report = HandlingReport::of(
        date!(2026 - 11 - 01),
        date!(2026 - 11 - 30),
        GroupBy::Field,
        vec![row.clone(), row],
    );
    assert_eq!(report.total.received.total, 18);
    assert!(report.total.identities_hold());
    assert!(GroupBy::parse(Some("ward")).is_err());
}
