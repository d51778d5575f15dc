//! The handling report (báo cáo tình hình giải quyết TTHC, form II.06a): which flow rows a period
//! reads — whole months from the monthly rows, the edges from the daily ones — and how one
//! group's sums become a row whose identities always hold: received is carried over plus
//! online plus direct/postal, and also resolved plus in progress; in progress is within time
//! plus overdue; resolved is early plus on time plus late. Refused, withdrawn and stopped
//! dossiers are folded into resolved (they ended, judged against their appointment) and also
//! counted raw, so another folding can be reproduced; waiting dossiers are in progress and
//! within time (their clock is stopped).

use super::flows::{Counts, month_of};
use motcua_problem::{FieldError, Problem, codes};
use serde::Serialize;
use time::{Date, Duration};
use utoipa::ToSchema;

/// What a report row is grouped by (`group_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// Procedure field (lĩnh vực).
    Field,
    /// Procedure (thủ tục).
    Procedure,
    /// Receiving agency.
    Agency,
    /// Level (cấp).
    Level,
}

impl GroupBy {
    /// Parses `group_by`; absent means by field, as the form is laid out.
    pub fn parse(raw: Option<&str>) -> Result<Self, Problem> {
        Ok(match raw.unwrap_or("field") {
            "field" => Self::Field,
            "procedure" => Self::Procedure,
            "agency" => Self::Agency,
            "level" => Self::Level,
            other => {
                return Err(Problem::new(
                    &codes::INVALID_QUERY,
                    format!("group_by {other:?} is not field, procedure, agency or level"),
                )
                .with_errors(vec![FieldError::new(
                    "group_by",
                    &codes::INVALID_VALUE,
                    "field, procedure, agency or level",
                )]));
            }
        })
    }

    /// The flow column (and the row's key name).
    pub const fn column(self) -> &'static str {
        match self {
            Self::Field => "field",
            Self::Procedure => "procedure_code",
            Self::Agency => "agency",
            Self::Level => "level",
        }
    }
}

/// An inclusive span of days.
pub type Days = Option<(Date, Date)>;

/// Which flow rows a period `[from, to]` reads: the stock before it (end of `from - 1`), the
/// stock at its end (end of `to`), and its flows. Each stock is every month before the one
/// of its day plus that month's days up to it; the flows are the whole months inside the
/// period plus the days at its edges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Months (by first day) before this one, for the stock before.
    pub before_months: Date,
    /// And these days.
    pub before_days: Days,
    /// Months before this one, for the stock at the end.
    pub end_months: Date,
    /// And these days (none when the period ends with a month: its monthly row holds them).
    pub end_days: Days,
    /// Whole months of the period, first days `[a, b)`.
    pub period_months: Option<(Date, Date)>,
    /// The period's days outside those months.
    pub period_days: [Days; 2],
}

impl Plan {
    /// The plan of `[from, to]` (`from <= to`).
    pub fn of(from: Date, to: Date) -> Self {
        let before_months = month_of(from);
        let before_days = (from > before_months).then(|| (before_months, from - Duration::DAY));
        let first_whole = match from == month_of(from) {
            true => from,
            false => next_month(from),
        };
        let after_whole = match to.next_day().is_some_and(|n| n.day() == 1) {
            true => next_month(to),
            false => month_of(to),
        };
        let (period_months, period_days) = if first_whole < after_whole {
            (
                Some((first_whole, after_whole)),
                [
                    (from < first_whole).then(|| (from, first_whole - Duration::DAY)),
                    (after_whole <= to).then_some((after_whole, to)),
                ],
            )
        } else {
            (None, [Some((from, to)), None])
        };
        let ends_month = to.next_day().is_some_and(|n| n.day() == 1);
        Self {
            before_months,
            before_days,
            end_months: if ends_month {
                next_month(to)
            } else {
                month_of(to)
            },
            end_days: (!ends_month).then_some((month_of(to), to)),
            period_months,
            period_days,
        }
    }

    /// Months are read from the monthly rows strictly before this month.
    pub fn months_until(&self) -> Date {
        let p = self.period_months.map_or(self.end_months, |p| p.1);
        p.max(self.end_months)
    }
}

fn next_month(d: Date) -> Date {
    let first = month_of(d);
    month_of(first + Duration::days(32))
}

/// Received (tiếp nhận): carried over plus new, online and direct/postal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Received {
    /// Carried over + online + direct/postal.
    pub total: i64,
    /// Received online in the period.
    pub online: i64,
    /// Received at the counter or by post in the period.
    pub direct_postal: i64,
    /// In progress at the end of the day before the period (kỳ trước chuyển sang).
    pub carried_over: i64,
}

/// Resolved in the period (đã giải quyết).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Resolved {
    /// Early + on time + late.
    pub total: i64,
    /// Before the appointment's working day (trước hạn).
    pub early: i64,
    /// On the appointment's working day, not after it (đúng hạn).
    pub on_time: i64,
    /// After the appointment (quá hạn).
    pub late: i64,
}

/// In progress at the period's end (đang giải quyết).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct InProgress {
    /// Within time + overdue.
    pub total: i64,
    /// Not past the appointment, or waiting for the applicant (trong hạn).
    pub within_time: i64,
    /// Past the appointment (quá hạn).
    pub overdue: i64,
}

/// One row of the handling report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct HandlingRow {
    /// The group's key: a field, procedure, agency or level code (`null` on the totals row).
    pub key: Option<String>,
    /// Received.
    pub received: Received,
    /// Resolved in the period.
    pub resolved: Resolved,
    /// In progress at its end.
    pub in_progress: InProgress,
    /// In progress at the end, waiting for a supplement.
    pub waiting_supplement: i64,
    /// In progress at the end, waiting for a financial obligation.
    pub waiting_financial: i64,
    /// Of the resolved: stopped.
    pub stopped: i64,
    /// Of the resolved: withdrawn.
    pub withdrawn: i64,
    /// Of the resolved: refused.
    pub refused: i64,
}

impl HandlingRow {
    /// The row from one group's sums: the stock before the period, its flows, and the stock
    /// at its end.
    pub fn of(key: Option<String>, before: &Counts, period: &Counts, end: &Counts) -> Self {
        let resolved = Resolved {
            total: period.resolved_early + period.resolved_on_time + period.resolved_late,
            early: period.resolved_early,
            on_time: period.resolved_on_time,
            late: period.resolved_late,
        };
        Self {
            key,
            received: Received {
                total: before.open + period.received_online + period.received_direct,
                online: period.received_online,
                direct_postal: period.received_direct,
                carried_over: before.open,
            },
            resolved,
            in_progress: InProgress {
                total: end.open,
                within_time: end.open - end.overdue,
                overdue: end.overdue,
            },
            waiting_supplement: end.waiting_supplement,
            waiting_financial: end.waiting_financial,
            stopped: period.stopped,
            withdrawn: period.withdrawn,
            refused: period.refused,
        }
    }

    /// Whether the form's identities hold (§9): they do by construction, checked in tests.
    pub fn identities_hold(&self) -> bool {
        let r = &self.received;
        r.total == r.carried_over + r.online + r.direct_postal
            && r.total == self.resolved.total + self.in_progress.total
            && self.resolved.total
                == self.resolved.early + self.resolved.on_time + self.resolved.late
            && self.in_progress.total == self.in_progress.within_time + self.in_progress.overdue
    }

    /// Adds `o` into this row (the totals row).
    pub fn add(&mut self, o: &Self) {
        let (a, b) = (&mut self.received, &o.received);
        (a.total, a.online, a.direct_postal, a.carried_over) = (
            a.total + b.total,
            a.online + b.online,
            a.direct_postal + b.direct_postal,
            a.carried_over + b.carried_over,
        );
        let (a, b) = (&mut self.resolved, &o.resolved);
        (a.total, a.early, a.on_time, a.late) = (
            a.total + b.total,
            a.early + b.early,
            a.on_time + b.on_time,
            a.late + b.late,
        );
        let (a, b) = (&mut self.in_progress, &o.in_progress);
        (a.total, a.within_time, a.overdue) = (
            a.total + b.total,
            a.within_time + b.within_time,
            a.overdue + b.overdue,
        );
        self.waiting_supplement += o.waiting_supplement;
        self.waiting_financial += o.waiting_financial;
        self.stopped += o.stopped;
        self.withdrawn += o.withdrawn;
        self.refused += o.refused;
    }
}

/// The handling report: one row per group, and their totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct HandlingReport {
    /// First day, inclusive.
    #[schema(value_type = String, format = Date, example = "2026-11-01")]
    pub from: Date,
    /// Last day, inclusive.
    #[schema(value_type = String, format = Date, example = "2026-11-30")]
    pub to: Date,
    /// What the rows are grouped by: `field`, `procedure_code`, `agency` or `level`.
    pub group_by: String,
    /// One row per group, by key.
    pub items: Vec<HandlingRow>,
    /// The sum of the rows.
    pub total: HandlingRow,
}

impl HandlingReport {
    /// The report of `rows`, sorted by key, with their totals.
    pub fn of(from: Date, to: Date, group_by: GroupBy, mut items: Vec<HandlingRow>) -> Self {
        items.sort_by(|a, b| a.key.cmp(&b.key));
        items.retain(|r| {
            *r != HandlingRow {
                key: r.key.clone(),
                ..HandlingRow::default()
            }
        });
        let mut total = HandlingRow::default();
        for r in &items {
            total.add(r);
        }
        Self {
            from,
            to,
            group_by: group_by.column().to_string(),
            items,
            total,
        }
    }
}

#[cfg(test)]
#[path = "handling_tests.rs"]
mod tests;
