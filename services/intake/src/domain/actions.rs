//! The other decisions on a received dossier (`shared/domain.md` §4–5): refusal with specific
//! reasons (form 03), withdrawal at the applicant's request (form 05), the financial
//! obligation and its payment (the clock waits meanwhile), the hand-back of the result, and the
//! stop when the supplement window passes unanswered.

use super::access::{self, CaseAgencies};
use super::change::{Change, DossierUpdate, Refusal};
use super::dossier::{Dossier, rfc3339};
use super::status::DossierStatus;
use super::supplement::{OpenRequest, clock_of, resume_after_wait};
use super::transition::{self, Action};
use motcua_audit::Actor;
use motcua_auth::Caller;
use motcua_calendar::{SupplementClockPolicy, WorkingCalendar};
use motcua_problem::{FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// A fee or tax to pay (phí, lệ phí, thuế).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct Fee {
    /// What it is.
    pub name: String,
    /// Amount in VND.
    pub amount_vnd: u64,
}

/// How the result goes back (hình thức trả kết quả).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnChannel {
    /// At the counter.
    Counter,
    /// By post (bưu chính): `postal`, the word dossiers arrive by; `post` is still read
    /// (deprecated, docs/api.md).
    #[serde(alias = "post")]
    Postal,
    /// Electronically.
    Electronic,
}

/// A simple action on a dossier, with what it carries.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Refuse (form 03) with specific reasons.
    Refuse {
        /// The reasons, each stated.
        reasons: Vec<String>,
    },
    /// Withdraw at the applicant's request (form 05).
    Withdraw {
        /// The applicant's reason.
        reason: String,
    },
    /// Notify a financial obligation; the clock waits until it is paid.
    RequestFinancialObligation {
        /// What is to be paid.
        items: Vec<Fee>,
    },
    /// Confirm payment; processing continues, the appointment moves by the wait.
    ConfirmPayment {
        /// Receipt or transaction reference.
        reference: String,
    },
    /// Hand the result back.
    ReturnResult {
        /// How.
        channel: ReturnChannel,
        /// When (default now; never in the future).
        returned_at: Option<OffsetDateTime>,
    },
}

fn unprocessable(
    code: &'static motcua_problem::ProblemCode,
    field: &str,
    fc: &'static motcua_problem::FieldCode,
    msg: &str,
) -> Problem {
    Problem::new(code, msg.to_string()).with_errors(vec![FieldError::new(field, fc, msg)])
}

impl Decision {
    /// The state machine's action.
    pub const fn action(&self) -> Action {
        match self {
            Self::Refuse { .. } => Action::Refuse,
            Self::Withdraw { .. } => Action::Withdraw,
            Self::RequestFinancialObligation { .. } => Action::RequestFinancialObligation,
            Self::ConfirmPayment { .. } => Action::ConfirmPayment,
            Self::ReturnResult { .. } => Action::ReturnResult,
        }
    }

    /// Checks the body alone; returns the details to record and the instant of the action.
    fn detail(&self, now: OffsetDateTime) -> Result<(Value, OffsetDateTime), Problem> {
        match self {
            Self::Refuse { reasons } => {
                let reasons: Vec<&str> = reasons
                    .iter()
                    .map(|r| r.trim())
                    .filter(|r| !r.is_empty())
                    .collect();
                if reasons.is_empty() {
                    return Err(unprocessable(
                        &codes::REASONS_REQUIRED,
                        "reasons",
                        &codes::REQUIRED,
                        "nêu rõ lý do từ chối",
                    ));
                }
                Ok((json!({"reasons": reasons}), now))
            }
            Self::Withdraw { reason } => Ok((
                json!({"reason": reason.trim(), "requested_by_applicant": true}),
                now,
            )),
            Self::RequestFinancialObligation { items } => {
                if items.is_empty() {
                    return Err(unprocessable(
                        &codes::ITEMS_REQUIRED,
                        "items",
                        &codes::REQUIRED,
                        "nêu các khoản phải nộp",
                    ));
                }
                Ok((json!({"items": items}), now))
            }
            Self::ConfirmPayment { reference } => Ok((json!({"reference": reference}), now)),
            Self::ReturnResult {
                channel,
                returned_at,
            } => {
                let at = returned_at.unwrap_or(now);
                if at > now {
                    return Err(unprocessable(
                        &codes::RETURNED_AT_IN_FUTURE,
                        "returned_at",
                        &codes::IN_FUTURE,
                        "thời điểm trả kết quả ở tương lai",
                    ));
                }
                Ok((json!({"channel": channel, "returned_at": rfc3339(at)}), at))
            }
        }
    }

    /// Who may take it: the receiving one-stop; for a withdrawal, the applicant too; for a
    /// refusal, the agency holding the dossier too (its step found it must be refused).
    fn allowed(&self, caller: &Caller, d: &Dossier, case: &CaseAgencies) -> bool {
        access::is_receiving_officer(caller, d)
            || (matches!(self, Self::Withdraw { .. }) && access::is_applicant(caller, d))
            || (matches!(self, Self::Refuse { .. }) && access::is_staff_of(caller, &case.current))
    }

    /// Whether deciding it needs the agencies holding the dossier.
    pub const fn needs_case(&self) -> bool {
        matches!(self, Self::Refuse { .. })
    }

    /// The event announcing it and the document issued with it.
    const fn announced(&self) -> (&'static str, Option<&'static str>) {
        use motcua_events as e;
        match self {
            Self::Refuse { .. } => (e::DOSSIER_REFUSED, Some("refusal_form_03")),
            Self::Withdraw { .. } => (e::DOSSIER_WITHDRAWN, Some("stop_notice_form_05")),
            Self::RequestFinancialObligation { .. } => (
                e::DOSSIER_FINANCIAL_OBLIGATION_REQUESTED,
                Some("financial_obligation_notice"),
            ),
            Self::ConfirmPayment { .. } => (e::DOSSIER_PAYMENT_CONFIRMED, None),
            Self::ReturnResult { .. } => (e::DOSSIER_RESULT_RETURNED, Some("result_handed_back")),
        }
    }
}

/// Decides a simple action: its body, who may take it, the state machine, no action before
/// the receipt; a financial obligation stops the clock, its payment resumes it with the
/// appointment moved by the wait.
pub fn decide(
    decision: &Decision,
    caller: &Caller,
    d: &Dossier,
    case: &CaseAgencies,
    calendar: &WorkingCalendar,
    now: OffsetDateTime,
) -> Result<DossierUpdate, Refusal> {
    let (detail, at) = decision.detail(now)?;
    let action = decision.action();
    if !decision.allowed(caller, d, case) {
        return Err(Problem::new(
            &codes::DOSSIER_ACTION_NOT_ALLOWED,
            format!("the caller may not {} for this dossier", action.as_str()),
        )
        .into());
    }
    take(decision, detail, at, &Actor::of(caller), d, calendar)
}

/// The same decision taken by `actor`, a service whose own rules allow it (the payment gateway's
/// confirmation, `payment.rs`): the body, the state machine and the clock as for a caller.
pub fn decide_by_service(
    decision: &Decision,
    actor: &Actor,
    d: &Dossier,
    calendar: &WorkingCalendar,
    now: OffsetDateTime,
) -> Result<DossierUpdate, Refusal> {
    let (detail, at) = decision.detail(now)?;
    take(decision, detail, at, actor, d, calendar)
}

fn take(
    decision: &Decision,
    detail: Value,
    at: OffsetDateTime,
    actor: &Actor,
    d: &Dossier,
    calendar: &WorkingCalendar,
) -> Result<DossierUpdate, Refusal> {
    let action = decision.action();
    let resume = matches!(decision, Decision::ConfirmPayment { .. })
        .then(|| resume_after_wait(d))
        .flatten();
    let to = transition::apply(d.status, action, resume)?;
    if at < d.received_at {
        return Err(unprocessable(
            &codes::BEFORE_RECEIPT,
            "returned_at",
            &codes::BEFORE_RECEIPT_FIELD,
            "trước thời điểm tiếp nhận",
        )
        .into());
    }
    let (event, document) = decision.announced();
    let mut change = Change::of(d, action, to, actor, at)
        .with_detail(detail.clone())
        .announced(event);
    if to == DossierStatus::FinancialObligation {
        change.clock_paused_at = Some(at);
    }
    if matches!(decision, Decision::ConfirmPayment { .. }) && d.clock_paused_at.is_some() {
        // The time to pay is the applicant's, not the agencies': the appointment moves by it.
        let mut clock = clock_of(d, calendar);
        change.due = clock
            .resume(calendar, at, SupplementClockPolicy::Pause)
            .map_err(|e| {
                tracing::error!(dossier = %d.code, error = %e, "payment clock");
                Problem::internal()
            })?;
    }
    let mut update = DossierUpdate::of(change);
    if let Some(kind) = document {
        update = update.with_document(kind, detail);
    }
    update.close_supplement_request = matches!(action, Action::Refuse | Action::Withdraw);
    Ok(update)
}

/// The stop when the applicant's window passed unanswered (thông báo dừng giải quyết), or
/// `None` when the dossier no longer waits for that request.
pub fn decide_expiry(
    d: &Dossier,
    request: &OpenRequest,
    now: OffsetDateTime,
) -> Option<DossierUpdate> {
    if request.deadline_at > now {
        return None;
    }
    let to = transition::next(d.status, Action::ExpireSupplement, None)?;
    let detail = json!({
        "reason": "supplement_deadline_passed",
        "supplement_deadline": rfc3339(request.deadline_at),
    });
    let change = Change::of(
        d,
        Action::ExpireSupplement,
        to,
        &Actor::service("intake"),
        now,
    )
    .with_detail(detail.clone())
    .announced(motcua_events::DOSSIER_STOPPED);
    let mut update = DossierUpdate::of(change).with_document("stop_notice", detail);
    update.close_supplement_request = true;
    Some(update)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use motcua_auth::Role;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-27 10:00 +07:00);

    fn run(
        decision: Decision,
        caller: &Caller,
        d: &Dossier,
        now: OffsetDateTime,
    ) -> Result<DossierUpdate, Refusal> {
        let case = CaseAgencies {
            current: vec![JUSTICE.into()],
            path: vec![JUSTICE.into()],
        };
        decide(&decision, caller, d, &case, &calendar(), now)
    }

    #[test]
    fn a_refusal_states_its_reasons_and_issues_form_03() {
        let d = dossier(DossierStatus::Received);
        let empty = run(
            Decision::Refuse {
                reasons: vec![" ".into()],
            },
            &officer(),
            &d,
            NOW,
        )
        .unwrap_err();
        assert_eq!(empty.problem.code, "reasons_required");
        let u = run(
            Decision::Refuse {
                reasons: vec!["Không thuộc thẩm quyền".into()],
            },
            &officer(),
            &d,
            NOW,
        )
        .unwrap();
        assert_eq!(
            (u.change.to, u.document.unwrap().kind),
            (DossierStatus::Refused, "refusal_form_03")
        );
        assert!(u.close_supplement_request);
        let holder = caller("j", &[Role::Specialist], Some(JUSTICE));
        let by_agency = run(
            Decision::Refuse {
                reasons: vec!["Không đủ điều kiện".into()],
            },
            &holder,
            &d,
            NOW,
        )
        .unwrap();
        assert_eq!(
            by_agency.change.to,
            DossierStatus::Refused,
            "the agency holding it may refuse"
        );
        let other = caller("p", &[Role::Specialist], Some("000.31.80.H80"));
        let r = run(
            Decision::Refuse {
                reasons: vec!["x".into()],
            },
            &other,
            &d,
            NOW,
        )
        .unwrap_err();
        assert_eq!(r.problem.code, "dossier_action_not_allowed");
    }

    #[test]
    fn the_applicant_may_withdraw_someone_else_may_not() {
        let mut d = dossier(DossierStatus::Processing);
        d.submitted_by = "citizen-1".into();
        let applicant = caller("citizen-1", &[Role::Citizen], None);
        let other = caller("citizen-2", &[Role::Citizen], None);
        let withdraw = || Decision::Withdraw {
            reason: "Không còn nhu cầu".into(),
        };
        assert_eq!(
            run(withdraw(), &other, &d, NOW).unwrap_err().problem.code,
            "dossier_action_not_allowed"
        );
        assert_eq!(
            run(withdraw(), &applicant, &d, NOW).unwrap().change.to,
            DossierStatus::Withdrawn
        );
        d.status = DossierStatus::Processed;
        assert_eq!(
            run(withdraw(), &applicant, &d, NOW)
                .unwrap_err()
                .problem
                .code,
            "illegal_transition",
            "not once a result exists"
        );
    }

    #[test]
    fn the_time_to_pay_moves_the_appointment() {
        let d = dossier(DossierStatus::Processing);
        let fee = Fee {
            name: "Lệ phí".into(),
            amount_vnd: 50_000,
        };
        let obligation = run(
            Decision::RequestFinancialObligation { items: vec![fee] },
            &officer(),
            &d,
            NOW,
        )
        .unwrap();
        assert_eq!(obligation.change.clock_paused_at, Some(NOW));
        let mut waiting = dossier(DossierStatus::FinancialObligation);
        waiting.clock_paused_at = Some(NOW);
        let paid = run(
            Decision::ConfirmPayment {
                reference: "BL-1".into(),
            },
            &officer(),
            &waiting,
            datetime!(2026-11-30 10:00 +07:00),
        )
        .unwrap();
        assert_eq!(paid.change.to, DossierStatus::Processing);
        assert_eq!(paid.change.clock_paused_at, None);
        assert_eq!(
            paid.change.due.at,
            datetime!(2026-11-30 17:00 +07:00),
            "moved by the working day waited"
        );
        let empty = run(
            Decision::RequestFinancialObligation { items: vec![] },
            &officer(),
            &d,
            NOW,
        )
        .unwrap_err();
        assert_eq!(empty.problem.code, "items_required");
    }

    #[test]
    fn the_result_is_returned_after_processing_never_in_the_future_nor_before_receipt() {
        let d = dossier(DossierStatus::Processed);
        let at = |t| Decision::ReturnResult {
            channel: ReturnChannel::Counter,
            returned_at: Some(t),
        };
        assert_eq!(
            run(at(datetime!(2026-11-27 11:00 +07:00)), &officer(), &d, NOW)
                .unwrap_err()
                .problem
                .code,
            "returned_at_in_future"
        );
        assert_eq!(
            run(at(datetime!(2026-11-20 09:00 +07:00)), &officer(), &d, NOW)
                .unwrap_err()
                .problem
                .code,
            "before_receipt"
        );
        assert_eq!(
            run(at(NOW), &officer(), &d, NOW).unwrap().change.to,
            DossierStatus::ResultReturned
        );
        let processing = dossier(DossierStatus::Processing);
        assert_eq!(
            run(at(NOW), &officer(), &processing, NOW)
                .unwrap_err()
                .problem
                .code,
            "illegal_transition"
        );
    }

    #[test]
    fn an_unanswered_supplement_stops_the_dossier_once_its_window_passed() {
        let d = waiting(NOW, motcua_calendar::SupplementClockPolicy::Restart);
        let request = OpenRequest {
            items: Vec::new(),
            deadline_at: datetime!(2026-12-18 10:00 +07:00),
            requested_at: datetime!(2026-11-27 10:00 +07:00),
        };
        assert!(decide_expiry(&d, &request, datetime!(2026-12-18 09:59 +07:00)).is_none());
        let u = decide_expiry(&d, &request, datetime!(2026-12-18 10:01 +07:00)).unwrap();
        assert_eq!(
            (u.change.to, u.document.unwrap().kind),
            (DossierStatus::Stopped, "stop_notice")
        );
        assert!(
            decide_expiry(
                &dossier(DossierStatus::Withdrawn),
                &request,
                datetime!(2026-12-19 10:00 +07:00)
            )
            .is_none()
        );
    }
}
