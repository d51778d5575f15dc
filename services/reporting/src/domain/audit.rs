//! What reporting's audit trail (nhật ký kiểm tra) records: each delivered event applied as a
//! fact (by the service that sent it), each rating, each feedback filed, answered or judged (by
//! the caller), each rebuild of the flows. The target is the dossier's code when there is one
//! (so the inspector's history export finds it), else `feedback:<id>`, `compliance:<event id>`
//! or `flows`. Summaries hold states, agencies, dates and scores, never the applicant's
//! personal data, a contact or free text. Pure: the caller appends the entries in the change's
//! transaction.

use super::dossier::DossierFacts;
use super::facts::Fact;
use super::satisfaction::Scores;
use motcua_audit::{Actor, AuditEntry};
use motcua_calendar::local_rfc3339 as rfc3339;
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

fn entry(actor: Actor, action: &str, target: String, at: OffsetDateTime) -> AuditEntry {
    AuditEntry {
        actor,
        action: action.to_string(),
        target,
        at,
        before: None,
        after: None,
    }
}

/// What a dossier's facts say, in short.
pub fn facts_summary(f: &DossierFacts) -> Value {
    json!({
        "agency": f.agency,
        "due_at": rfc3339(f.due_at),
        "ending": f.ending.map(|e| e.as_str()),
        "timeliness": f.timeliness.map(|t| t.as_str()),
        "waiting": f.waits.last().is_some_and(|w| w.to.is_none()),
        "paused_minutes": f.paused_minutes,
    })
}

/// The entry of event `event_type` (id `event_id`, sent by `source`) applied as `fact`; a
/// status change's entry is [`followed`].
pub fn applied(
    source: &str,
    event_type: &str,
    event_id: Uuid,
    fact: &Fact,
    at: OffsetDateTime,
) -> AuditEntry {
    let (target, after) = match fact {
        Fact::Received(ev) => (
            ev.dossier_code.clone(),
            json!({"agency": ev.receiving_agency, "procedure_code": ev.procedure_code,
                   "channel": ev.channel, "due_at": rfc3339(ev.due_at)}),
        ),
        Fact::Followed(ev) => (ev.dossier_code.clone(), json!({"to_status": ev.to_status})),
        Fact::Extended(ev) => (
            ev.dossier_code.clone(),
            json!({"agency": ev.agency, "due_at": rfc3339(ev.due_after)}),
        ),
        Fact::Alert { overdue, alert } => (
            alert.dossier_code.clone(),
            json!({"agency": alert.agency, "step": alert.step, "overdue": overdue,
                   "deadline": rfc3339(alert.deadline)}),
        ),
        Fact::Step(ev) => (
            ev.dossier_code.clone(),
            json!({"step": ev.step, "agency": ev.agency, "from_agency": ev.from_agency,
                   "outcome": ev.outcome, "timeliness": ev.timeliness}),
        ),
        Fact::StepMoved(ev) => (
            ev.dossier_code.clone(),
            json!({"step": ev.step, "agency": ev.agency, "due_before": rfc3339(ev.due_before),
                   "due_after": rfc3339(ev.due_after)}),
        ),
        Fact::Compliance(c) => (
            c.dossier_code
                .clone()
                .unwrap_or_else(|| format!("compliance:{event_id}")),
            json!({"kind": c.kind, "agency": c.agency}),
        ),
    };
    let mut after = after;
    after["event"] = json!(event_type);
    AuditEntry {
        after: Some(after),
        ..entry(Actor::service(source), "fact.recorded", target, at)
    }
}

/// The entry of a status change (`event_type`, sent by `source`) moving a dossier's facts from
/// `before` to `after`.
pub fn followed(
    source: &str,
    event_type: &str,
    before: &DossierFacts,
    after: &DossierFacts,
    at: OffsetDateTime,
) -> AuditEntry {
    let mut a = facts_summary(after);
    a["event"] = json!(event_type);
    AuditEntry {
        before: Some(facts_summary(before)),
        after: Some(a),
        ..entry(
            Actor::service(source),
            "fact.followed",
            before.code.clone(),
            at,
        )
    }
}

/// The entry of a rating of dossier `code` by `by` (the scores, not the comment).
pub fn rated(by: Actor, code: &str, scores: &Scores, at: OffsetDateTime) -> AuditEntry {
    AuditEntry {
        after: Some(json!({"scores": scores, "unsatisfied": scores.unsatisfied()})),
        ..entry(by, "dossier.rated", code.to_string(), at)
    }
}

/// What a feedback's entries are about: its dossier, or the feedback itself.
pub fn feedback_target(id: Uuid, dossier_code: Option<&str>) -> String {
    dossier_code.map_or_else(|| format!("feedback:{id}"), str::to_string)
}

/// The entry of a feedback's change (`feedback.filed`, `feedback.answered`,
/// `feedback.judged`) by `by`: its id, agency and state before and after — never its content,
/// its contact or the answer's text.
pub fn feedback(
    by: Actor,
    action: &str,
    (id, agency, dossier_code): (Uuid, &str, Option<&str>),
    before: Option<Value>,
    after: Value,
    at: OffsetDateTime,
) -> AuditEntry {
    let with_id = |mut v: Value| {
        v["feedback"] = json!(id);
        v["agency"] = json!(agency);
        v
    };
    AuditEntry {
        before: before.map(with_id),
        after: Some(with_id(after)),
        ..entry(by, action, feedback_target(id, dossier_code), at)
    }
}

/// The entry of a rebuild of the handling report's flows: their checksums before and after.
pub fn rebuilt(dossiers: u64, (before, after): (&str, &str), at: OffsetDateTime) -> AuditEntry {
    AuditEntry {
        before: Some(json!({"checksum": before})),
        after: Some(json!({"checksum": after, "dossiers": dossiers})),
        ..entry(
            Actor::service("reporting"),
            "flows.rebuilt",
            "flows".into(),
            at,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn feedback_is_recorded_on_its_dossier_without_its_contact_or_content() {
        let id = Uuid::from_u128(7);
        let by = Actor::service("x");
        let at = datetime!(2026-11-27 09:00 +07:00);
        let e = feedback(
            by.clone(),
            "feedback.filed",
            (id, "A", None),
            None,
            json!({}),
            at,
        );
        assert_eq!(e.target, format!("feedback:{id}"));
        let e = feedback(
            by,
            "feedback.filed",
            (id, "A", Some("D1")),
            None,
            json!({}),
            at,
        );
        assert_eq!(e.target, "D1");
        let text = e.after.unwrap().to_string();
        assert!(
            text.contains("\"agency\":\"A\"") && !text.contains("contact"),
            "{text}"
        );
    }
}
