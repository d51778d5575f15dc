//! The dossier state machine (vòng đời hồ sơ): which action is allowed in which status, and
//! where it leads. Every status carries its national code (1–10). The table is documented in
//! `docs/dossier-states.md`; an action not in the table is refused with `409
//! illegal_transition` naming the current status and the action.

use super::status::DossierStatus::{self, *};
use motcua_problem::{Problem, codes};

/// Something that can happen to a dossier after it is received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Workflow opened the case: the dossier is being processed at the agencies.
    Forward,
    /// The officer or agency requests a supplement (form 02), once.
    RequestSupplement,
    /// The applicant supplements; the dossier returns to where it was.
    Supplement,
    /// The supplement window passed unanswered: processing stops (stop notice).
    ExpireSupplement,
    /// Not accepted, with specific reasons (form 03).
    Refuse,
    /// The applicant withdraws before a result exists (stop notice, form 05).
    Withdraw,
    /// A financial obligation (tax, fees) must be paid first.
    RequestFinancialObligation,
    /// Payment confirmed.
    ConfirmPayment,
    /// The agencies finished: the result is at the one-stop.
    Complete,
    /// The result was handed back to the applicant.
    ReturnResult,
    /// A step that paused the main clock finished: the appointment moves by its working time
    /// (no change of status).
    ResumeMainClock,
    /// The agency running late apologised and re-appointed (form 04; no change of status).
    Extend,
}

impl Action {
    /// Snake_case name used in errors and the history.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Forward => "forward",
            Action::RequestSupplement => "request_supplement",
            Action::Supplement => "supplement",
            Action::ExpireSupplement => "expire_supplement",
            Action::Refuse => "refuse",
            Action::Withdraw => "withdraw",
            Action::RequestFinancialObligation => "request_financial_obligation",
            Action::ConfirmPayment => "confirm_payment",
            Action::Complete => "complete",
            Action::ReturnResult => "return_result",
            Action::ResumeMainClock => "resume_main_clock",
            Action::Extend => "extend",
        }
    }
}

/// The status after `action` in status `from`; `resume_to` is where a supplemented dossier
/// goes back to (the status it had when the supplement was requested).
pub fn next(
    from: DossierStatus,
    action: Action,
    resume_to: Option<DossierStatus>,
) -> Option<DossierStatus> {
    match (from, action) {
        (Received, Action::Forward) => Some(Processing),
        (Received | Processing, Action::RequestSupplement) => Some(SupplementRequested),
        (SupplementRequested, Action::Supplement) => Some(resume_to.unwrap_or(Received)),
        (SupplementRequested, Action::ExpireSupplement) => Some(Stopped),
        (Received | Processing | SupplementRequested, Action::Refuse) => Some(Refused),
        (Received | Processing | SupplementRequested | FinancialObligation, Action::Withdraw) => {
            Some(Withdrawn)
        }
        (Processing, Action::RequestFinancialObligation) => Some(FinancialObligation),
        // Back to processing, or to processed when the agencies finished meanwhile.
        (FinancialObligation, Action::ConfirmPayment) => Some(match resume_to {
            Some(Processed) => Processed,
            _ => Processing,
        }),
        (Processing, Action::Complete) => Some(Processed),
        (Processed, Action::ReturnResult) => Some(ResultReturned),
        _ => None,
    }
}

/// Like [`next`], but an illegal action is the `409` the API returns.
pub fn apply(
    from: DossierStatus,
    action: Action,
    resume_to: Option<DossierStatus>,
) -> Result<DossierStatus, Problem> {
    next(from, action, resume_to).ok_or_else(|| {
        Problem::new(
            &codes::ILLEGAL_TRANSITION,
            format!(
                "a dossier in status {} ({}) cannot {}",
                from.as_str(),
                from.code(),
                action.as_str()
            ),
        )
        .with("current_state", from.as_str())
        .with("current_status_code", from.code())
        .with("action", action.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIONS: [Action; 10] = [
        Action::Forward,
        Action::RequestSupplement,
        Action::Supplement,
        Action::ExpireSupplement,
        Action::Refuse,
        Action::Withdraw,
        Action::RequestFinancialObligation,
        Action::ConfirmPayment,
        Action::Complete,
        Action::ReturnResult,
    ];

    #[test]
    fn the_happy_path_reaches_result_returned() {
        let mut s = Received;
        for a in [Action::Forward, Action::Complete, Action::ReturnResult] {
            s = next(s, a, None).unwrap();
        }
        assert_eq!((s, s.code()), (ResultReturned, 10));
    }

    #[test]
    fn a_supplement_returns_the_dossier_to_where_it_was() {
        let s = next(Processing, Action::RequestSupplement, None).unwrap();
        assert_eq!(s.code(), 5);
        assert_eq!(
            next(s, Action::Supplement, Some(Processing)),
            Some(Processing)
        );
        assert_eq!(next(s, Action::ExpireSupplement, None), Some(Stopped));
    }

    #[test]
    fn a_result_ready_while_waiting_is_not_lost() {
        assert_eq!(
            next(FinancialObligation, Action::ConfirmPayment, None),
            Some(Processing)
        );
        assert_eq!(
            next(FinancialObligation, Action::ConfirmPayment, Some(Processed)),
            Some(Processed)
        );
        assert_eq!(
            next(SupplementRequested, Action::Supplement, Some(Processed)),
            Some(Processed)
        );
    }

    #[test]
    fn final_statuses_accept_no_action() {
        for s in DossierStatus::ALL.into_iter().filter(|s| s.is_final()) {
            for a in ACTIONS {
                assert_eq!(next(s, a, None), None, "{} then {}", s.as_str(), a.as_str());
            }
        }
    }

    #[test]
    fn no_withdrawal_once_a_result_exists_and_no_return_before_it() {
        assert_eq!(next(Processed, Action::Withdraw, None), None);
        assert_eq!(next(Processing, Action::ReturnResult, None), None);
        assert_eq!(next(Received, Action::Complete, None), None);
    }

    #[test]
    fn an_illegal_action_is_a_409_naming_state_and_action() {
        let p = apply(ResultReturned, Action::Withdraw, None).unwrap_err();
        assert_eq!(p.status.as_u16(), 409);
        assert_eq!(p.code, "illegal_transition");
        assert_eq!(p.extra["current_state"], "result_returned");
        assert_eq!(p.extra["action"], "withdraw");
    }
}
