//! What one dossier adds to the handling report's flows (luồng hồ sơ), day by day: entering on
//! its day of receipt, leaving on the day it ended (judged early, on time or late), and moving
//! the stocks the report reads at a period's edges — in progress, overdue, waiting for the
//! applicant. Stocks are kept as deltas, so the stock at the end of any day is the sum of the
//! deltas up to it, and a dossier's contribution can be replaced when its facts change.

use super::dossier::{DossierFacts, Ending, WaitReason};
use motcua_calendar::{PROVINCE_OFFSET, Timeliness};
use std::collections::BTreeMap;
use std::ops::{AddAssign, Neg};
use time::{Date, OffsetDateTime};

/// The counters of one flow row (one day or month, one group).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Counts {
    /// Received online.
    pub received_online: i64,
    /// Received at the counter or by post.
    pub received_direct: i64,
    /// Ended before the appointment's working day.
    pub resolved_early: i64,
    /// Ended on the appointment's working day, not after it.
    pub resolved_on_time: i64,
    /// Ended after the appointment.
    pub resolved_late: i64,
    /// Of the ended: refused.
    pub refused: i64,
    /// Of the ended: withdrawn.
    pub withdrawn: i64,
    /// Of the ended: stopped.
    pub stopped: i64,
    /// In progress (stock delta).
    pub open: i64,
    /// In progress and past its appointment, not waiting for the applicant (stock delta).
    pub overdue: i64,
    /// Waiting for a supplement (stock delta).
    pub waiting_supplement: i64,
    /// Waiting for a financial obligation (stock delta).
    pub waiting_financial: i64,
}

/// The stored column of each counter, in [`Counts::values`] order.
pub const COLUMNS: [&str; 12] = [
    "received_online",
    "received_direct",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "refused",
    "withdrawn",
    "stopped",
    "open_delta",
    "overdue_delta",
    "waiting_supplement_delta",
    "waiting_financial_delta",
];

impl Counts {
    /// The counters in [`COLUMNS`] order.
    pub const fn values(&self) -> [i64; 12] {
        [
            self.received_online,
            self.received_direct,
            self.resolved_early,
            self.resolved_on_time,
            self.resolved_late,
            self.refused,
            self.withdrawn,
            self.stopped,
            self.open,
            self.overdue,
            self.waiting_supplement,
            self.waiting_financial,
        ]
    }

    /// The counters from values in [`COLUMNS`] order.
    pub const fn from_values(v: [i64; 12]) -> Self {
        Self {
            received_online: v[0],
            received_direct: v[1],
            resolved_early: v[2],
            resolved_on_time: v[3],
            resolved_late: v[4],
            refused: v[5],
            withdrawn: v[6],
            stopped: v[7],
            open: v[8],
            overdue: v[9],
            waiting_supplement: v[10],
            waiting_financial: v[11],
        }
    }

    /// Nothing counted.
    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, o: Self) {
        let (a, b) = (self.values(), o.values());
        *self = Self::from_values(std::array::from_fn(|i| a[i] + b[i]));
    }
}

impl Neg for Counts {
    type Output = Self;
    fn neg(self) -> Self {
        Self::from_values(self.values().map(|v| -v))
    }
}

/// The group a dossier's flows are kept under.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    /// Receiving agency.
    pub agency: String,
    /// Procedure code.
    pub procedure_code: String,
    /// Field code.
    pub field: String,
    /// Level.
    pub level: String,
}

impl FlowKey {
    /// The key of `f`'s flows.
    pub fn of(f: &DossierFacts) -> Self {
        Self {
            agency: f.agency.clone(),
            procedure_code: f.procedure_code.clone(),
            field: f.field.clone(),
            level: f.level.clone(),
        }
    }
}

/// The province's local date of `t`.
pub fn day_of(t: OffsetDateTime) -> Date {
    t.to_offset(PROVINCE_OFFSET).date()
}

/// The first day of `d`'s month: the key of the monthly rows.
pub fn month_of(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

/// What `f` adds per local day (zero days left out). A dossier is in progress at the end of
/// every day from its receipt to the day before it ended; overdue on those days from its
/// appointment's day on, except the days it ends waiting for the applicant; waiting from the
/// day a wait starts to the day before it ends.
pub fn contributions(f: &DossierFacts) -> BTreeMap<Date, Counts> {
    let mut out: BTreeMap<Date, Counts> = BTreeMap::new();
    let received = day_of(f.received_at);
    let finished = f.finished_at.map(|t| day_of(t).max(received));
    {
        let c = out.entry(received).or_default();
        match f.channel.as_str() {
            "online" => c.received_online += 1,
            _ => c.received_direct += 1,
        }
        c.open += 1;
    }
    if let (Some(day), Some(ending)) = (finished, f.ending) {
        let c = out.entry(day).or_default();
        c.open -= 1;
        match f.timeliness.unwrap_or(Timeliness::OnTime) {
            Timeliness::Early => c.resolved_early += 1,
            Timeliness::OnTime => c.resolved_on_time += 1,
            Timeliness::Late => c.resolved_late += 1,
        }
        match ending {
            Ending::Refused => c.refused += 1,
            Ending::Withdrawn => c.withdrawn += 1,
            Ending::Stopped => c.stopped += 1,
            Ending::Resolved => {}
        }
    }
    let clip = |d: Date| finished.map_or(d, |f| d.min(f)).max(received);
    let mut waits: Vec<(Date, Option<Date>)> = Vec::new();
    for w in &f.waits {
        let (from, to) = (
            clip(day_of(w.from)),
            w.to.map(|t| clip(day_of(t))).or(finished),
        );
        if to.is_some_and(|t| t <= from) {
            continue;
        }
        *waiting(out.entry(from).or_default(), w.reason) += 1;
        if let Some(to) = to {
            *waiting(out.entry(to).or_default(), w.reason) -= 1;
        }
        waits.push((from, to));
    }
    let due = day_of(f.due_at).max(received);
    for (from, to) in overdue_spans(due, finished, &waits) {
        out.entry(from).or_default().overdue += 1;
        if let Some(to) = to {
            out.entry(to).or_default().overdue -= 1;
        }
    }
    out.retain(|_, c| !c.is_zero());
    out
}

/// The spans of days `[from, to)` from `due` to `finished` not covered by a wait.
fn overdue_spans(
    due: Date,
    finished: Option<Date>,
    waits: &[(Date, Option<Date>)],
) -> Vec<(Date, Option<Date>)> {
    let mut spans = vec![(due, finished)];
    spans.retain(|(a, b)| b.is_none_or(|b| *a < b));
    for &(wf, wt) in waits {
        let mut next = Vec::new();
        for (a, b) in spans {
            // The part before the wait, and the part after it.
            if a < wf {
                next.push((a, Some(b.map_or(wf, |b| b.min(wf)))));
            }
            if let Some(wt) = wt
                && b.is_none_or(|b| wt < b)
            {
                next.push((a.max(wt), b));
            }
        }
        spans = next;
        spans.retain(|(a, b)| b.is_none_or(|b| *a < b));
    }
    spans
}

/// The stock a wait of `reason` moves.
fn waiting(c: &mut Counts, reason: WaitReason) -> &mut i64 {
    match reason {
        WaitReason::Supplement => &mut c.waiting_supplement,
        WaitReason::Financial => &mut c.waiting_financial,
    }
}

/// Row updates for the daily and the monthly flows, in key order (so concurrent writers
/// take row locks in one order): how a change of facts becomes writes.
#[derive(Debug, Default, PartialEq)]
pub struct FlowDeltas {
    /// Per local day and group.
    pub days: BTreeMap<(Date, FlowKey), Counts>,
    /// Per month (its first day) and group.
    pub months: BTreeMap<(Date, FlowKey), Counts>,
}

impl FlowDeltas {
    /// Adds `f`'s contributions, or takes them away (`sign` -1): a change of facts is the new
    /// facts added and the old taken away.
    pub fn add(&mut self, f: &DossierFacts, sign: i64) {
        let key = FlowKey::of(f);
        for (day, c) in contributions(f) {
            let c = if sign < 0 { -c } else { c };
            *self.days.entry((day, key.clone())).or_default() += c;
            *self.months.entry((month_of(day), key.clone())).or_default() += c;
        }
    }

    /// The rows that change something (a change that moves nothing writes nothing).
    pub fn changed(map: &BTreeMap<(Date, FlowKey), Counts>) -> Vec<(&(Date, FlowKey), &Counts)> {
        map.iter().filter(|(_, c)| !c.is_zero()).collect()
    }
}

#[cfg(test)]
#[path = "flows_tests.rs"]
mod tests;
