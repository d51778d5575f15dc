//! The handling report computed by brute force (đối chiếu): random dossier histories, the
//! events intake would announce for them, and every cell of the report read straight off the
//! histories, day by day, with none of reporting's machinery (no deltas, no flows, no SQL).

use motcua_calendar::{Timeliness, WorkingCalendar};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

const VN: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// A small deterministic generator (xorshift), so a failing history can be replayed by seed.
pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// One status change of a history: when, to which status, with which appointment after it.
#[derive(Clone, Debug)]
pub(crate) struct Change {
    pub at: OffsetDateTime,
    pub event_type: &'static str,
    pub to_status: &'static str,
    pub due_at: OffsetDateTime,
}

/// A dossier's whole history.
#[derive(Clone, Debug)]
pub(crate) struct History {
    pub code: String,
    pub agency: &'static str,
    pub procedure: (&'static str, &'static str, &'static str),
    pub channel: &'static str,
    pub received_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    pub changes: Vec<Change>,
}

const PROCEDURES: [(&str, &str, &str); 3] = [
    ("1.001193", "G13-HT", "commune"),
    ("1.000656", "G13-HT", "commune"),
    ("1.004227", "G01-DD", "province"),
];

/// A random history received at `agencies`, somewhere in the 100 days from `start`.
pub(crate) fn history(
    rng: &mut Rng,
    i: usize,
    agencies: &[&'static str],
    start: OffsetDateTime,
    cal: &WorkingCalendar,
) -> History {
    let received_at = start
        + Duration::days(rng.below(100) as i64)
        + Duration::hours(7 + rng.below(10) as i64)
        + Duration::minutes(rng.below(60) as i64);
    let budget = motcua_calendar::WorkingDuration::hours(8 * (1 + rng.below(10) as i64));
    let mut due = cal.add(received_at, budget).at;
    let mut t = received_at;
    let mut changes = Vec::new();
    let step = |rng: &mut Rng, t: &mut OffsetDateTime| {
        *t += Duration::hours(1 + rng.below(70) as i64);
        *t
    };
    let forwarded = step(rng, &mut t);
    changes.push(change(forwarded, "dossier.forwarded", "processing", due));
    for _ in 0..rng.below(3) {
        let (ty, status) = match rng.below(3) {
            0 => ("dossier.supplement_requested", "supplement_requested"),
            1 => (
                "dossier.financial_obligation_requested",
                "financial_obligation",
            ),
            _ => ("dossier.due_moved", "processing"),
        };
        let from = step(rng, &mut t);
        if status == "processing" {
            due += Duration::days(1 + rng.below(5) as i64);
            changes.push(change(from, ty, status, due));
            continue;
        }
        changes.push(change(from, ty, status, due));
        if rng.below(5) == 0 {
            break; // the applicant never comes back (maybe stopped below)
        }
        let back = step(rng, &mut t);
        due = cal.add(due, cal.elapsed(from, back).duration).at;
        let back_ty = match status {
            "supplement_requested" => "dossier.supplemented",
            _ => "dossier.payment_confirmed",
        };
        changes.push(change(back, back_ty, "processing", due));
    }
    let waiting = changes.last().is_some_and(|c| c.to_status != "processing");
    let ending = match rng.below(10) {
        0..=4 if !waiting => Some(("dossier.processed", "processed")),
        5 => Some(("dossier.refused", "refused")),
        6 => Some(("dossier.withdrawn", "withdrawn")),
        7 if waiting => Some(("dossier.stopped", "stopped")),
        _ => None,
    };
    if let Some((ty, status)) = ending {
        let at = step(rng, &mut t);
        changes.push(change(at, ty, status, due));
        if status == "processed" && rng.below(2) == 0 {
            let at = step(rng, &mut t);
            changes.push(change(
                at,
                "dossier.result_returned",
                "result_returned",
                due,
            ));
        }
    }
    History {
        code: format!("R{i:05}"),
        agency: rng.pick(agencies),
        procedure: rng.pick(&PROCEDURES),
        channel: rng.pick(&["online", "counter", "postal"]),
        received_at,
        due_at: cal.add(received_at, budget).at,
        changes,
    }
}

fn change(
    at: OffsetDateTime,
    ty: &'static str,
    status: &'static str,
    due: OffsetDateTime,
) -> Change {
    Change {
        at: at.to_offset(VN),
        event_type: ty,
        to_status: status,
        due_at: due.to_offset(VN),
    }
}

fn day(t: OffsetDateTime) -> Date {
    t.to_offset(VN).date()
}

/// What the report needs of a history, read straight off it.
struct Reading {
    received: Date,
    finished: Option<(Date, &'static str, Timeliness)>,
    due: Date,
    waits: Vec<(&'static str, Date, Option<Date>)>,
}

fn read(h: &History, cal: &WorkingCalendar) -> Reading {
    let ending = h.changes.iter().find(|c| {
        matches!(
            c.to_status,
            "processed" | "result_returned" | "refused" | "withdrawn" | "stopped"
        )
    });
    let finished = ending.map(|c| {
        let kind = match c.to_status {
            "processed" | "result_returned" => "resolved",
            s => s,
        };
        (day(c.at), kind, cal.timeliness(c.at, c.due_at))
    });
    let mut waits = Vec::new();
    for (i, c) in h.changes.iter().enumerate() {
        if matches!(c.to_status, "supplement_requested" | "financial_obligation") {
            let end = h.changes.get(i + 1).map(|n| day(n.at));
            waits.push((c.to_status, day(c.at), end));
        }
    }
    Reading {
        received: day(h.received_at),
        finished,
        due: day(h.changes.last().map_or(h.due_at, |c| c.due_at)),
        waits,
    }
}

/// The dossier's state at the end of day `d`: (in progress, overdue, waiting supplement,
/// waiting financial).
fn state_at(r: &Reading, d: Date) -> [i64; 4] {
    let open = r.received <= d && r.finished.is_none_or(|f| d < f.0);
    let waiting = |status: &str| {
        open && r
            .waits
            .iter()
            .any(|w| w.0 == status && w.1 <= d && w.2.is_none_or(|e| d < e))
    };
    let (s, f) = (
        waiting("supplement_requested"),
        waiting("financial_obligation"),
    );
    let overdue = open && r.due <= d && !s && !f;
    [open, overdue, s, f].map(i64::from)
}

/// The report the oracle expects for `[from, to]` grouped by `group_by`, at `agency` or all,
/// in the API's JSON shape (items by key, then the totals).
pub(crate) fn expected(
    hs: &[History],
    cal: &WorkingCalendar,
    (from, to): (Date, Date),
    group_by: &str,
    agency: Option<&str>,
) -> (Vec<Value>, Value) {
    let mut rows: BTreeMap<String, [i64; 16]> = BTreeMap::new();
    for h in hs.iter().filter(|h| agency.is_none_or(|a| a == h.agency)) {
        let key = match group_by {
            "procedure" => h.procedure.0,
            "agency" => h.agency,
            "level" => h.procedure.2,
            _ => h.procedure.1,
        };
        let r = read(h, cal);
        let before = state_at(&r, from - Duration::DAY);
        let end = state_at(&r, to);
        let new = (from <= r.received && r.received <= to) as i64;
        let online = new * i64::from(h.channel == "online");
        let mut c = [0i64; 16];
        c[1] = before[0];
        c[2] = online;
        c[3] = new - online;
        c[0] = c[1] + c[2] + c[3];
        if let Some((_, kind, t)) = r.finished.filter(|f| from <= f.0 && f.0 <= to) {
            c[4] = 1;
            c[5 + t as usize] = 1;
            match kind {
                "stopped" => c[13] = 1,
                "withdrawn" => c[14] = 1,
                "refused" => c[15] = 1,
                _ => {}
            }
        }
        c[8] = end[0];
        c[10] = end[1];
        c[9] = end[0] - end[1];
        c[11] = end[2];
        c[12] = end[3];
        let row = rows.entry(key.to_string()).or_insert([0; 16]);
        for (a, b) in row.iter_mut().zip(c) {
            *a += b;
        }
    }
    rows.retain(|_, c| c.iter().any(|v| *v != 0));
    let mut total = [0i64; 16];
    for c in rows.values() {
        for (a, b) in total.iter_mut().zip(c) {
            *a += b;
        }
    }
    let items = rows.iter().map(|(k, c)| row_json(Some(k), c)).collect();
    (items, row_json(None, &total))
}

fn row_json(key: Option<&str>, c: &[i64; 16]) -> Value {
    json!({
        "key": key,
        "received": {"total": c[0], "carried_over": c[1], "online": c[2], "direct_postal": c[3]},
        "resolved": {"total": c[4], "early": c[5], "on_time": c[6], "late": c[7]},
        "in_progress": {"total": c[8], "within_time": c[9], "overdue": c[10]},
        "waiting_supplement": c[11], "waiting_financial": c[12],
        "stopped": c[13], "withdrawn": c[14], "refused": c[15],
    })
}

/// The other reports' numbers for `[from, to]` over all agencies, straight off the histories:
/// (received, online, resolved, resolved in time, returned unresolved), as the service index
/// and the compliance report count them.
pub(crate) fn period_counts(
    hs: &[History],
    cal: &WorkingCalendar,
    (from, to): (Date, Date),
) -> [i64; 5] {
    let mut c = [0i64; 5];
    for h in hs {
        let r = read(h, cal);
        if from <= r.received && r.received <= to {
            c[0] += 1;
            c[1] += i64::from(h.channel == "online");
        }
        if let Some((_, kind, t)) = r.finished.filter(|f| from <= f.0 && f.0 <= to) {
            c[2] += 1;
            c[3] += i64::from(t != Timeliness::Late);
            c[4] += i64::from(matches!(kind, "refused" | "stopped"));
        }
    }
    c
}

/// The dossiers overdue at `now`: not ended, not waiting for the applicant, past their last
/// appointment.
pub(crate) fn overdue_at(hs: &[History], now: OffsetDateTime) -> Vec<String> {
    let mut out: Vec<String> = hs
        .iter()
        .filter(|h| {
            let seen: Vec<&Change> = h.changes.iter().filter(|c| c.at <= now).collect();
            let ended = seen.iter().any(|c| {
                matches!(
                    c.to_status,
                    "processed" | "result_returned" | "refused" | "withdrawn" | "stopped"
                )
            });
            let waiting = seen.last().is_some_and(|c| {
                matches!(c.to_status, "supplement_requested" | "financial_obligation")
            });
            let due = seen.last().map_or(h.due_at, |c| c.due_at);
            h.received_at <= now && !ended && !waiting && due < now
        })
        .map(|h| h.code.clone())
        .collect();
    out.sort();
    out
}
