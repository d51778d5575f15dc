//! Supplement decisions (yêu cầu bổ sung, bổ sung hồ sơ), `shared/domain.md` §4: the request
//! is issued **once** per dossier by the one-stop or the agency holding the dossier, the clock
//! waits and the applicant gets a window; the applicant's answer keeps the dossier code and the
//! clock resumes under the procedure's policy (restart, pause, continue).

use super::access::{self, CaseAgencies};
use super::change::{Change, ComplianceKind, DossierUpdate, NewSupplementRequest, Refusal};
use super::components::{SubmittedComponent, check_handed_in};
use super::dossier::{Dossier, rfc3339};
use super::status::DossierStatus;
use super::transition::{self, Action};
use motcua_audit::Actor;
use motcua_auth::Caller;
use motcua_calendar::{Deadline, ProcessingClock, WorkingCalendar, WorkingDuration};
use motcua_catalogue_model::PublishedComponent;
use motcua_problem::{Problem, codes};
use serde_json::json;
use time::OffsetDateTime;

pub use super::supplement_items::{SupplementItem, check_answer, check_request};

/// When a supplement request is allowed and how long the applicant has.
#[derive(Debug, Clone, Copy)]
pub struct SupplementRules {
    /// A request later than this after receipt (working time) is recorded as a violation.
    pub request_within: WorkingDuration,
    /// The applicant's window to supplement (default 15 working days).
    pub window: WorkingDuration,
}

/// What the supplement-request decision reads.
pub struct RequestInput<'a> {
    /// Who asks.
    pub caller: &'a Caller,
    /// Every item at once.
    pub items: &'a [SupplementItem],
    /// The dossier, locked.
    pub dossier: &'a Dossier,
    /// Agencies on the dossier's path and holding it now.
    pub case: &'a CaseAgencies,
    /// The components its procedure (and case) publishes.
    pub published: &'a [PublishedComponent],
    /// Codes of the components submitted so far.
    pub submitted: &'a [String],
    /// A request exists already.
    pub already_requested: bool,
    /// The receiving unit's calendar.
    pub calendar: &'a WorkingCalendar,
    /// The rules in force.
    pub rules: SupplementRules,
    /// Now.
    pub now: OffsetDateTime,
}

/// Decides a supplement request (form 02): once per dossier, every item at once, only the
/// procedure's components, never documents held in national databases; the clock waits and the
/// applicant gets the window; a request later than allowed is still issued, and recorded.
pub fn decide_request(i: &RequestInput<'_>) -> Result<DossierUpdate, Refusal> {
    let d = i.dossier;
    if !access::may_request_supplement(i.caller, d, i.case) {
        return Err(forbidden("request a supplement").into());
    }
    if i.already_requested {
        return Err(second_request(d));
    }
    let to = transition::apply(d.status, Action::RequestSupplement, None)?;
    let submitted: Vec<&str> = i.submitted.iter().map(String::as_str).collect();
    let errors = check_request(i.items, i.published, &submitted);
    if !errors.is_empty() {
        let problem = Problem::new(
            &codes::SUPPLEMENT_ITEMS_INVALID,
            format!("{} problem(s) in the request", errors.len()),
        )
        .with_errors(errors.clone());
        let extra = errors.iter().any(|e| {
            e.code == codes::SUPPLEMENT_ITEM_NOT_IN_PROCEDURE.code
                || e.code == codes::OBTAINABLE_FROM_NATIONAL_DATABASE.code
        });
        return Err(match extra {
            true => Refusal::recorded(
                problem,
                ComplianceKind::ExtraComponentRequested,
                json!({"dossier_code": d.code, "items": i.items}),
            ),
            false => problem.into(),
        });
    }
    Ok(request_update(i, to))
}

/// The refusal of a second supplement request, recorded for inspectors.
pub fn second_request(d: &Dossier) -> Refusal {
    Refusal::recorded(
        Problem::new(
            &codes::SUPPLEMENT_ALREADY_REQUESTED,
            "a supplement may be requested only once per dossier (Decree 118/2025 Art. 11)",
        ),
        ComplianceKind::SecondSupplementRequest,
        json!({"dossier_code": d.code}),
    )
}

fn request_update(i: &RequestInput<'_>, to: DossierStatus) -> DossierUpdate {
    let d = i.dossier;
    let after_receipt = i.calendar.elapsed(d.received_at, i.now).duration;
    let late = after_receipt > i.rules.request_within;
    let deadline: Deadline = i.calendar.add(i.now, i.rules.window);
    let detail = json!({
        "items": i.items,
        "supplement_deadline": rfc3339(deadline.at),
        "supplement_deadline_provisional": deadline.provisional,
        "clock_policy": d.clock_policy,
        "late": late,
    });
    let mut change = Change::of(
        d,
        Action::RequestSupplement,
        to,
        &Actor::of(i.caller),
        i.now,
    )
    .with_detail(detail.clone())
    .announced(motcua_events::DOSSIER_SUPPLEMENT_REQUESTED);
    change.clock_paused_at = Some(i.now);
    change.resume_status = Some(d.status);
    let mut update = DossierUpdate::of(change).with_document("supplement_request_form_02", detail);
    update.new_supplement_request = Some(NewSupplementRequest {
        items: i.items.to_vec(),
        deadline,
        due_before: d.due.at,
        agency: i.caller.agency.clone(),
    });
    if late {
        update.compliance.push(super::change::Compliance {
            kind: ComplianceKind::LateSupplementRequest,
            detail: json!({
                "dossier_code": d.code,
                "working_minutes_after_receipt": after_receipt.as_minutes(),
                "allowed_working_minutes": i.rules.request_within.as_minutes(),
            }),
        });
    }
    update
}

fn forbidden(what: &str) -> Problem {
    Problem::new(
        &codes::DOSSIER_ACTION_NOT_ALLOWED,
        format!("the caller may not {what} for this dossier"),
    )
}

/// The stored supplement request, as the answer's decision needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRequest {
    /// Every item requested.
    pub items: Vec<SupplementItem>,
    /// The applicant's window closes then.
    pub deadline_at: OffsetDateTime,
    /// When it was issued (the clock stopped then).
    pub requested_at: OffsetDateTime,
}

/// What the supplement decision reads.
pub struct SupplementInput<'a> {
    /// Who supplements.
    pub caller: &'a Caller,
    /// The components supplied.
    pub components: &'a [SubmittedComponent],
    /// The dossier, locked.
    pub dossier: &'a Dossier,
    /// Its open request.
    pub request: Option<&'a OpenRequest>,
    /// The components its procedure (and case) publishes (for the counts).
    pub published: &'a [PublishedComponent],
    /// The receiving unit's calendar.
    pub calendar: &'a WorkingCalendar,
    /// Now.
    pub now: OffsetDateTime,
}

/// Where a waiting dossier goes when the wait ends: processed if the agencies finished
/// meanwhile (`case.completed` arrived while waiting), else where it was.
pub fn resume_after_wait(d: &Dossier) -> Option<DossierStatus> {
    if d.case_completed_at.is_some() {
        return Some(DossierStatus::Processed);
    }
    d.resume_status
}

/// The dossier's clock as stored: running since receipt toward its appointment, paused while
/// it waits.
pub fn clock_of(d: &Dossier, cal: &WorkingCalendar) -> ProcessingClock {
    ProcessingClock::restore(
        cal,
        d.received_at,
        d.due,
        d.clock_paused_at,
        Some(d.time_limit),
    )
}

/// Decides the applicant's supplement: every requested item and nothing else, the same checks
/// of files and counts as at submission, within the window; the dossier keeps its code and
/// returns where it was, the clock resumes under the procedure's policy.
pub fn decide_supplement(i: &SupplementInput<'_>) -> Result<DossierUpdate, Refusal> {
    let d = i.dossier;
    if !access::is_receiving_officer(i.caller, d) && !access::is_applicant(i.caller, d) {
        return Err(forbidden("supplement").into());
    }
    let to = transition::apply(d.status, Action::Supplement, resume_after_wait(d))?;
    let request = i.request.ok_or_else(Problem::internal)?;
    if i.now > request.deadline_at {
        return Err(Problem::new(
            &codes::SUPPLEMENT_DEADLINE_PASSED,
            format!(
                "the supplement deadline {} has passed",
                rfc3339(request.deadline_at)
            ),
        )
        .into());
    }
    let supplied: Vec<&str> = i.components.iter().map(|c| c.code.as_str()).collect();
    let mut errors = check_answer(&request.items, &supplied);
    let handed_in = check_handed_in(i.components, i.published);
    errors.extend(handed_in.errors);
    errors.extend(handed_in.component_errors);
    if !errors.is_empty() {
        return Err(Problem::new(
            &codes::SUPPLEMENT_INVALID,
            format!("{} problem(s) in the supplement", errors.len()),
        )
        .with_errors(errors)
        .into());
    }
    // The clock stopped when the request was issued (kept as `clock_paused_at`).
    let paused = Dossier {
        clock_paused_at: d.clock_paused_at.or(Some(request.requested_at)),
        ..d.clone()
    };
    let mut clock = clock_of(&paused, i.calendar);
    let due = clock
        .resume(i.calendar, i.now, d.clock_policy)
        .map_err(|e| {
            tracing::error!(dossier = %d.code, error = %e, "supplement clock");
            Problem::internal()
        })?;
    let detail = json!({
        "components": supplied,
        "clock_policy": d.clock_policy,
        "due_before": rfc3339(d.due.at),
        "due_after": rfc3339(due.at),
    });
    let mut change = Change::of(d, Action::Supplement, to, &Actor::of(i.caller), i.now)
        .with_detail(detail)
        .announced(motcua_events::DOSSIER_SUPPLEMENTED);
    change.due = due;
    let mut update = DossierUpdate::of(change);
    update.supplement_answered = Some(due.at);
    update.supplemented = handed_in.checked;
    Ok(update)
}

#[cfg(test)]
#[path = "supplement_tests.rs"]
mod tests;
