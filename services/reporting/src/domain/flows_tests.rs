//! Tests of a dossier's flows: for random histories, the stocks read off the summed deltas at
//! the end of every day equal the dossier's state that day, computed directly.

use super::*;
use crate::domain::dossier::Wait;
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, Time};

const START: OffsetDateTime = datetime!(2026-01-05 00:00 +07:00);

fn at(day: i64, hour: u8) -> OffsetDateTime {
    (START + Duration::days(day)).replace_time(Time::from_hms(hour, 0, 0).unwrap())
}

fn facts(
    received: (i64, u8),
    due: i64,
    waits: Vec<(bool, i64, Option<i64>)>,
    end: Option<(i64, u8)>,
) -> DossierFacts {
    let received_at = at(received.0, received.1);
    let ending = end.map(|_| Ending::Resolved);
    DossierFacts {
        code: "D".into(),
        agency: "A".into(),
        procedure_code: "P".into(),
        field: "F".into(),
        level: "commune".into(),
        channel: "online".into(),
        received_at,
        due_at: at(received.0 + due, 17),
        ending,
        finished_at: end.map(|(d, h)| at(received.0 + d, h)),
        timeliness: end.map(|_| Timeliness::Late),
        waits: waits
            .into_iter()
            .map(|(supplement, from, to)| Wait {
                reason: if supplement {
                    WaitReason::Supplement
                } else {
                    WaitReason::Financial
                },
                from: at(received.0 + from, 10),
                to: to.map(|t| at(received.0 + from + t, 10)),
            })
            .collect(),
        paused_minutes: 0,
    }
}

/// The dossier's state at the end of `day`, straight from its facts.
fn state_at(f: &DossierFacts, day: Date) -> (i64, i64, i64, i64) {
    let received = day_of(f.received_at);
    let finished = f.finished_at.map(day_of);
    let open = received <= day && finished.is_none_or(|e| day < e);
    let waiting = |r: WaitReason| {
        f.waits.iter().any(|w| {
            w.reason == r
                && day_of(w.from) <= day
                && w.to.or(f.finished_at).is_none_or(|t| day < day_of(t))
        })
    };
    let (s, fin) = (
        open && waiting(WaitReason::Supplement),
        open && waiting(WaitReason::Financial),
    );
    let overdue = open && day_of(f.due_at) <= day && !s && !fin;
    (open as i64, overdue as i64, s as i64, fin as i64)
}

fn waits() -> impl Strategy<Value = Vec<(bool, i64, Option<i64>)>> {
    // Non-overlapping: each wait starts after the previous one ended.
    prop::collection::vec((any::<bool>(), 0i64..4, prop::option::of(0i64..6)), 0..3).prop_map(
        |ws| {
            let mut from = 0;
            let mut out = Vec::new();
            for (s, gap, len) in ws {
                from += gap;
                out.push((s, from, len));
                match len {
                    Some(l) => from += l + 1,
                    None => break,
                }
            }
            out
        },
    )
}

proptest! {
    #[test]
    fn stocks_summed_from_deltas_are_the_dossiers_state_every_day(
        received in (0i64..20, 7u8..23),
        due in 0i64..10,
        ws in waits(),
        end in prop::option::of((0i64..25, 7u8..23)),
    ) {
        let mut f = facts(received, due, ws, end);
        // An ending closes an open wait, as intake's status change does.
        if let Some(t) = f.finished_at {
            for w in &mut f.waits {
                if w.to.is_none_or(|x| x > t) { w.to = Some(t.max(w.from)); }
            }
            f.waits.retain(|w| w.from <= t);
        }
        let flows = contributions(&f);
        let mut stock = Counts::default();
        let mut day = START.date();
        let mut entered = 0;
        let mut ended = 0;
        while day <= (START + Duration::days(60)).date() {
            if let Some(c) = flows.get(&day) {
                stock += *c;
                entered += c.received_online + c.received_direct;
                ended += c.resolved_early + c.resolved_on_time + c.resolved_late;
            }
            prop_assert_eq!(
                (stock.open, stock.overdue, stock.waiting_supplement, stock.waiting_financial),
                state_at(&f, day),
                "day {}", day
            );
            day = day.next_day().unwrap();
        }
        prop_assert_eq!(entered, 1);
        prop_assert_eq!(ended, i64::from(f.finished_at.is_some()));
    }
}

#[test]
fn a_dossier_waiting_past_its_appointment_is_not_overdue_until_it_comes_back() {
    // Due on day 2; waits from day 1 to day 5; still open.
    let f = facts((0, 9), 2, vec![(true, 1, Some(4))], None);
    let flows = contributions(&f);
    let mut stock = Counts::default();
    let mut seen = Vec::new();
    for d in 0..8 {
        if let Some(c) = flows.get(&at(d, 0).date()) {
            stock += *c;
        }
        seen.push((stock.overdue, stock.waiting_supplement));
    }
    assert_eq!(
        seen,
        [
            (0, 0),
            (0, 1),
            (0, 1),
            (0, 1),
            (0, 1),
            (1, 0),
            (1, 0),
            (1, 0)
        ]
    );
}

#[test]
fn replacing_facts_writes_only_the_difference_day_and_month() {
    let before = facts((0, 9), 2, vec![], None);
    let mut after = before.clone();
    after.ending = Some(Ending::Refused);
    after.finished_at = Some(at(3, 10));
    after.timeliness = Some(Timeliness::Late);
    let mut d = FlowDeltas::default();
    d.add(&after, 1);
    d.add(&before, -1);
    let day = at(3, 0).date();
    let key = FlowKey::of(&after);
    let expected = Counts {
        resolved_late: 1,
        refused: 1,
        open: -1,
        overdue: -1,
        ..Counts::default()
    };
    assert_eq!(FlowDeltas::changed(&d.days).len(), 1);
    assert_eq!(d.days[&(day, key.clone())], expected);
    assert_eq!(d.months[&(month_of(day), key)], expected);
}
