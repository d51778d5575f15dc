//! The sector connector's rules (kết nối hệ thống chuyên ngành), pure: whose steps an account
//! sees (its agency and, when its token names one, its sector — the same rule as claiming and
//! finishing, `progress::at_callers_agency`), the stream's window, which steps a stream sends
//! next (oldest first, never twice in one stream, at most `window` unacknowledged in flight),
//! which dossiers the account may read, and what the audit trail records of its reads.

use super::case::{Task, TaskState};
use super::plan::TaskKind;
use super::progress;
use motcua_audit::{Actor, AuditEntry};
use motcua_auth::{Caller, Role};
use motcua_problem::{FieldError, Problem, codes};
use serde_json::json;
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

/// The window when the client asks for none.
pub const DEFAULT_WINDOW: usize = 64;
/// The largest window a client may ask for.
pub const MAX_WINDOW: u32 = 500;

/// The steps an account sees: its agency's and, for a sector system whose token names a
/// sector, that sector's only (as the inbox, `inbox::filter`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The account.
    pub account: String,
    /// Its agency.
    pub agency: String,
    /// Its sector, when its token names one.
    pub sector: Option<String>,
}

impl Scope {
    /// The scope of `caller`; `403 agency_not_allowed` without an agency.
    pub fn of(caller: &Caller) -> Result<Scope, Problem> {
        let agency = caller.agency.clone().ok_or_else(|| {
            Problem::new(&codes::AGENCY_NOT_ALLOWED, "the account acts for no agency")
        })?;
        Ok(Scope {
            account: caller.sub.clone(),
            agency,
            sector: caller
                .has(Role::SectorSystem)
                .then(|| caller.sector.clone())
                .flatten(),
        })
    }
}

/// Whether step `t` may be offered to `caller` on its stream: a processing step in its scope,
/// open, or claimed by the account itself.
pub fn offerable(t: &Task, caller: &Caller) -> bool {
    let running = match t.state {
        TaskState::Open => true,
        TaskState::Claimed => t.claimed_by.as_deref() == Some(caller.sub.as_str()),
        _ => false,
    };
    running && t.kind == TaskKind::Process && progress::at_callers_agency(t, caller).is_ok()
}

/// Whether `caller` may read the dossier whose steps are `tasks`: one of them is in its scope
/// and reached it (open, claimed or done). Anything else answers as an unknown code.
pub fn may_read(caller: &Caller, tasks: &[Task]) -> bool {
    tasks.iter().any(|t| {
        matches!(
            t.state,
            TaskState::Open | TaskState::Claimed | TaskState::Done
        ) && progress::at_callers_agency(t, caller).is_ok()
    })
}

/// The window asked for: 0 means [`DEFAULT_WINDOW`]; above [`MAX_WINDOW`] is `422
/// invalid_argument` naming `window`.
pub fn window(asked: u32) -> Result<usize, Problem> {
    match asked {
        0 => Ok(DEFAULT_WINDOW),
        w if w <= MAX_WINDOW => Ok(w as usize),
        w => Err(Problem::new(
            &codes::INVALID_ARGUMENT,
            format!("window {w} is above {MAX_WINDOW}"),
        )
        .with_errors(vec![FieldError::new(
            "window",
            &codes::INVALID_VALUE,
            "1-500, or 0 for the default (64)",
        )])),
    }
}

/// Where a step this stream sent is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Still offerable and not acknowledged: in flight.
    Waiting,
    /// Acknowledged by the account: never offered again, forgotten by the stream.
    Acked,
    /// No longer offerable (another person claimed it, it ended, it moved): out of flight,
    /// and not sent again by this stream.
    Gone,
}

/// One stream's memory: what it sent, and what of that still waits for an acknowledgement.
#[derive(Debug, Default)]
pub struct Offers {
    sent: HashSet<Uuid>,
    waiting: HashSet<Uuid>,
}

impl Offers {
    /// The steps sent and not acknowledged (the database excludes acknowledged ones itself).
    pub fn sent(&self) -> Vec<Uuid> {
        self.sent.iter().copied().collect()
    }

    /// Takes in where the steps sent are now (steps not listed are unchanged).
    pub fn settle(&mut self, now: &[(Uuid, Sent)]) {
        for (id, state) in now {
            match state {
                Sent::Waiting => {}
                Sent::Acked => {
                    self.sent.remove(id);
                    self.waiting.remove(id);
                }
                Sent::Gone => {
                    self.waiting.remove(id);
                }
            }
        }
    }

    /// How many more may be sent now under `window`.
    pub fn room(&self, window: usize) -> usize {
        window.saturating_sub(self.waiting.len())
    }

    /// Of `candidates` (offerable, unacknowledged, oldest first), those to send now: the ones
    /// this stream has not sent yet, at most [`room`](Self::room); they are counted as sent.
    pub fn take(&mut self, candidates: Vec<Task>, window: usize) -> Vec<Task> {
        let room = self.room(window);
        let next: Vec<Task> = candidates
            .into_iter()
            .filter(|t| !self.sent.contains(&t.id))
            .take(room)
            .collect();
        for t in &next {
            self.sent.insert(t.id);
            self.waiting.insert(t.id);
        }
        next
    }
}

/// The audit entry of a connector call that changes nothing (a stream opened, a dossier or a
/// file read) by `caller`: `action` on `target` (the dossier code, or the account's agency for
/// a stream), with `after` a summary that never holds personal data.
pub fn read_entry(
    caller: &Caller,
    action: &str,
    target: &str,
    after: serde_json::Value,
    at: OffsetDateTime,
) -> AuditEntry {
    AuditEntry {
        actor: Actor::of(caller),
        action: action.to_string(),
        target: target.to_string(),
        at,
        before: None,
        after: Some(after),
    }
}

/// The audit entry of `caller`'s acknowledgement of step `t`.
pub fn acked_entry(caller: &Caller, t: &Task, at: OffsetDateTime) -> AuditEntry {
    let after = json!({"task_id": t.id, "step": t.name, "agency": t.agency});
    read_entry(caller, "connector.task_acked", &t.dossier_code, after, at)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    fn system(agency: &str, sector: Option<&str>) -> Caller {
        let mut c = caller("sys", &[Role::SectorSystem], agency);
        c.sector = sector.map(str::to_string);
        c
    }

    fn in_sector(n: u128, agency: &str, sector: Option<&str>, state: TaskState) -> Task {
        let mut t = task(n, 1, agency, 8, state);
        t.sector = sector.map(str::to_string);
        t
    }

    #[test]
    fn a_sector_system_is_offered_its_agencys_and_sectors_open_steps_and_its_own_claims() {
        let justice = system(JUSTICE, Some("justice"));
        let open = in_sector(1, JUSTICE, Some("justice"), TaskState::Open);
        assert!(offerable(&open, &justice));
        assert!(offerable(&open, &system(JUSTICE, None)), "no sector: all");
        assert!(!offerable(&open, &system(JUSTICE, Some("land"))));
        assert!(!offerable(&open, &system(POLICE, Some("justice"))));
        let mut mine = in_sector(2, JUSTICE, Some("justice"), TaskState::Claimed);
        mine.claimed_by = Some("sys".into());
        assert!(offerable(&mine, &justice));
        mine.claimed_by = Some("someone-else".into());
        assert!(!offerable(&mine, &justice), "a person holds it");
        for state in [TaskState::Pending, TaskState::Done, TaskState::Cancelled] {
            assert!(!offerable(
                &in_sector(3, JUSTICE, Some("justice"), state),
                &justice
            ));
        }
        let mut receive = open.clone();
        receive.kind = TaskKind::Receive;
        assert!(!offerable(&receive, &justice), "only processing steps");
    }

    #[test]
    fn a_dossier_is_readable_only_through_a_step_that_reached_the_account() {
        let justice = system(JUSTICE, Some("justice"));
        let pending = in_sector(1, JUSTICE, Some("justice"), TaskState::Pending);
        let done = in_sector(1, JUSTICE, Some("justice"), TaskState::Done);
        let land = in_sector(2, JUSTICE, Some("land"), TaskState::Open);
        assert!(!may_read(&justice, std::slice::from_ref(&pending)));
        assert!(may_read(&justice, &[pending.clone(), done]));
        assert!(!may_read(&justice, std::slice::from_ref(&land)));
        assert!(may_read(
            &system(JUSTICE, Some("land")),
            std::slice::from_ref(&land)
        ));
        assert!(!may_read(&system(POLICE, None), &[land]));
    }

    #[test]
    fn the_window_defaults_to_64_and_stops_at_500() {
        assert_eq!(window(0).unwrap(), 64);
        assert_eq!(window(1).unwrap(), 1);
        assert_eq!(window(500).unwrap(), 500);
        let e = window(501).unwrap_err();
        assert_eq!(
            (e.code, e.errors[0].field.as_str()),
            ("invalid_argument", "window")
        );
    }

    #[test]
    fn a_scope_needs_an_agency_and_keeps_a_sector_systems_sector() {
        let s = Scope::of(&system(JUSTICE, Some("justice"))).unwrap();
        assert_eq!(
            (s.agency.as_str(), s.sector.as_deref()),
            (JUSTICE, Some("justice"))
        );
        let mut none = system(JUSTICE, None);
        none.agency = None;
        assert_eq!(Scope::of(&none).unwrap_err().code, "agency_not_allowed");
    }

    #[test]
    fn a_stream_sends_oldest_first_within_its_window_and_never_twice() {
        let steps: Vec<Task> = (1..=5u128)
            .map(|n| in_sector(n, JUSTICE, None, TaskState::Open))
            .collect();
        let mut offers = Offers::default();
        let first = offers.take(steps.clone(), 2);
        assert_eq!(first, steps[..2].to_vec(), "oldest first, two in flight");
        assert!(
            offers.take(steps.clone(), 2).is_empty(),
            "the window is full"
        );
        offers.settle(&[(steps[0].id, Sent::Acked)]);
        // The database no longer lists the acknowledged one; the unacknowledged is not resent.
        let next = offers.take(steps[1..].to_vec(), 2);
        assert_eq!(next, vec![steps[2].clone()]);
        offers.settle(&[(steps[1].id, Sent::Gone)]);
        let next = offers.take(steps[1..].to_vec(), 2);
        assert_eq!(
            next,
            vec![steps[3].clone()],
            "gone leaves flight, is not resent"
        );
        assert_eq!(offers.room(2), 0);
        let mut sent = offers.sent();
        sent.sort();
        let mut want = vec![steps[1].id, steps[2].id, steps[3].id];
        want.sort();
        assert_eq!(sent, want, "acknowledged ones are forgotten");
    }

    #[test]
    fn reads_are_recorded_with_the_account_and_no_personal_data() {
        let justice = system(JUSTICE, Some("justice"));
        let at = time::macros::datetime!(2026-11-27 10:00 +7);
        let e = read_entry(
            &justice,
            "connector.file_read",
            "D-1",
            json!({"file_id": "0-0"}),
            at,
        );
        assert_eq!(
            (
                e.actor.sub.as_str(),
                e.actor.agency.as_deref(),
                e.target.as_str()
            ),
            ("sys", Some(JUSTICE), "D-1")
        );
        let t = in_sector(1, JUSTICE, Some("justice"), TaskState::Open);
        let e = acked_entry(&justice, &t, at);
        assert_eq!(
            (e.action.as_str(), e.target),
            ("connector.task_acked", t.dossier_code)
        );
    }
}
