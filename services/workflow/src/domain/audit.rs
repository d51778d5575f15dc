//! What workflow's audit trail (nhật ký kiểm tra) records of each change: who acted, the action,
//! the dossier it concerns, and a short summary of the case and of the steps it touched before
//! and after — states, agencies, appointments, outcomes, handovers; never the applicant's
//! personal data. Pure: the store appends the entries in the change's transaction.

use super::case::{Case, Task, TaskState};
use super::update::{CaseUpdate, StepSummary, TaskUpdate};
use motcua_audit::{Actor, AuditEntry};
use motcua_calendar::local_rfc3339 as rfc3339;
use motcua_events as e;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

impl StepSummary {
    /// The step after `u`.
    fn after(&mut self, u: &TaskUpdate) {
        match u {
            TaskUpdate::Open { due_at, .. } => {
                self.state = TaskState::Open;
                self.due_at = Some(*due_at);
            }
            TaskUpdate::Claim { .. } => self.state = TaskState::Claimed,
            TaskUpdate::Finish {
                outcome,
                timeliness,
                ..
            } => {
                self.state = TaskState::Done;
                self.outcome = Some(outcome);
                self.timeliness = timeliness.map(|x| x.as_str());
                self.paused = false;
            }
            TaskUpdate::Pause { .. } => self.paused = true,
            TaskUpdate::Resume(m) => {
                self.paused = false;
                self.due_at = Some(m.due_after);
            }
            TaskUpdate::SupplementWait { since, .. } => {
                self.waiting_for_supplement = since.is_some();
            }
            TaskUpdate::Cancel { .. } => self.state = TaskState::Cancelled,
            TaskUpdate::Reassign { agency, .. } => agency.clone_into(&mut self.agency),
        }
    }

    fn json(&self) -> Value {
        let mut m = Map::new();
        m.insert("step".into(), json!(self.name));
        m.insert("agency".into(), json!(self.agency));
        m.insert("state".into(), json!(self.state.as_str()));
        m.insert("due_at".into(), json!(self.due_at.map(rfc3339)));
        if self.paused {
            m.insert("paused".into(), json!(true));
        }
        if self.waiting_for_supplement {
            m.insert("waiting_for_supplement".into(), json!(true));
        }
        if let Some(o) = self.outcome {
            m.insert("outcome".into(), json!(o));
        }
        if let Some(t) = self.timeliness {
            m.insert("timeliness".into(), json!(t));
        }
        Value::Object(m)
    }
}

fn task_id(u: &TaskUpdate) -> Uuid {
    match u {
        TaskUpdate::Open { id, .. }
        | TaskUpdate::Claim { id, .. }
        | TaskUpdate::Finish { id, .. }
        | TaskUpdate::Pause { id, .. }
        | TaskUpdate::SupplementWait { id, .. }
        | TaskUpdate::Cancel { id }
        | TaskUpdate::Reassign { id, .. } => *id,
        TaskUpdate::Resume(m) => m.task_id,
    }
}

/// The audit entry of `u`, made at `at`: the case's state and appointment and the steps `u`
/// touched, before and after; the control slip's new rows with the after.
pub fn entry(u: &CaseUpdate, at: OffsetDateTime) -> AuditEntry {
    let before = &u.acted.before;
    let mut touched: Vec<Uuid> = Vec::new();
    for id in u.tasks.iter().map(task_id) {
        if !touched.contains(&id) {
            touched.push(id);
        }
    }
    let steps: Vec<&StepSummary> = touched
        .iter()
        .filter_map(|id| before.steps.iter().find(|s| s.id == *id))
        .collect();
    let after_steps: Vec<Value> = steps
        .iter()
        .map(|s| {
            let mut s = (*s).clone();
            let id = s.id;
            for t in u.tasks.iter().filter(|t| task_id(t) == id) {
                s.after(t);
            }
            s.json()
        })
        .collect();
    let mut after = json!({
        "state": u.state.unwrap_or(before.state).as_str(),
        "due_at": rfc3339(u.due_at.unwrap_or(before.due_at)),
        "steps": after_steps,
    });
    if let Some(at) = u.forwarded_at {
        after["forwarded_at"] = json!(rfc3339(at));
    }
    if let Some((reason, _)) = &u.closed {
        after["closed_reason"] = json!(reason);
    }
    if !u.handovers.is_empty() {
        after["handovers"] = u
            .handovers
            .iter()
            .map(|h| {
                json!({"from_agency": h.from.0, "to_agency": h.to.0, "step": h.step_name,
                       "reason": h.reason.as_str(), "result": h.result.map(|r| r.as_str())})
            })
            .collect();
    }
    AuditEntry {
        actor: u.acted.by.clone(),
        action: u.acted.action.to_string(),
        target: u.dossier_code.clone(),
        at,
        before: Some(json!({
            "state": before.state.as_str(),
            "due_at": rfc3339(before.due_at),
            "steps": steps.iter().map(|s| s.json()).collect::<Vec<_>>(),
        })),
        after: Some(after),
    }
}

/// The audit entry of a case opened from its dossier's `dossier.received` event.
pub fn opened(case: &Case, tasks: &[Task], by: Actor, at: OffsetDateTime) -> AuditEntry {
    AuditEntry {
        actor: by,
        action: "case.opened".into(),
        target: case.dossier_code.clone(),
        at,
        before: None,
        after: Some(json!({
            "state": case.state.as_str(),
            "procedure_code": case.procedure_code,
            "receiving_agency": case.receiving_agency,
            "due_at": rfc3339(case.due_at),
            "forward_at": case.forward_at.map(rfc3339),
            "steps": tasks.len(),
        })),
    }
}

/// The audit entry of a near-due or overdue mark (`event_type`, e.g. `task.overdue`) a worker
/// made.
pub fn marked(event_type: &str, a: &e::DeadlineAlert, at: OffsetDateTime) -> AuditEntry {
    AuditEntry {
        actor: Actor::service("workflow"),
        action: event_type.to_string(),
        target: a.dossier_code.clone(),
        at,
        before: None,
        after: Some(json!({
            "step": a.step,
            "agency": a.agency,
            "deadline": rfc3339(a.deadline),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{JUSTICE, cals, case, specialist, task};
    use crate::domain::progress;
    use time::macros::datetime;

    #[test]
    fn a_finished_step_is_recorded_with_its_caller_outcome_and_handover() {
        let c = case(datetime!(2026-11-30 17:00 +7));
        let mut t = task(1, 1, JUSTICE, 8, TaskState::Claimed);
        t.claimed_by = Some(format!("s@{JUSTICE}"));
        let tasks = vec![t.clone()];
        let who = specialist(JUSTICE);
        let now = datetime!(2026-11-27 10:00 +7);
        let u = progress::complete(&c, &tasks, t.id, &who, json!({}), now, &cals()).unwrap();
        let e = entry(&u, now);
        assert_eq!(e.action, "task.completed");
        assert_eq!(e.target, c.dossier_code);
        assert_eq!(e.actor.sub, who.sub);
        assert_eq!(e.actor.agency.as_deref(), Some(JUSTICE));
        let before = e.before.unwrap();
        let after = e.after.unwrap();
        assert_eq!(before["steps"][0]["state"], "claimed");
        assert_eq!(after["steps"][0]["state"], "done");
        assert_eq!(after["steps"][0]["outcome"], "done");
        assert_eq!(after["state"], "completed");
        assert_eq!(after["handovers"][0]["reason"], "handover");
        let text = after.to_string() + &before.to_string();
        assert!(
            !text.contains("id_number") && !text.contains("phone"),
            "{text}"
        );
    }

    #[test]
    fn an_opening_and_a_workers_mark_name_their_services() {
        let c = case(datetime!(2026-11-30 17:00 +7));
        let tasks = vec![task(1, 1, JUSTICE, 8, TaskState::Pending)];
        let at = datetime!(2026-11-27 09:00 +7);
        let e = opened(&c, &tasks, Actor::service("intake"), at);
        assert_eq!(
            (e.actor.sub.as_str(), e.action.as_str()),
            ("svc:intake", "case.opened")
        );
        assert_eq!(
            (e.before, e.after.unwrap()["steps"].clone()),
            (None, json!(1))
        );
        let alert = e::DeadlineAlert {
            dossier_code: c.dossier_code.clone(),
            task_id: None,
            step: None,
            agency: JUSTICE.into(),
            deadline: c.due_at,
            at,
        };
        let e = marked(e::CASE_OVERDUE, &alert, at);
        assert_eq!(
            (e.actor.sub.as_str(), e.action.as_str()),
            ("svc:workflow", "case.overdue")
        );
        assert_eq!(e.target, c.dossier_code);
    }
}
