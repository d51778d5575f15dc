//! Apology and extension (phiếu xin lỗi và hẹn lại, form 04), `shared/domain.md` §5: the head of
//! the agency whose step is running late apologises with the reason and a new appointment, at
//! least one working day before the dossier's deadline, once per dossier.

use super::case::{Case, CaseState, Task};
use super::update::{Announcement, CaseUpdate};
use motcua_auth::Caller;
use motcua_calendar::{PROVINCE_OFFSET, WorkingCalendar, WorkingDuration};
use motcua_events as e;
use motcua_problem::{FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// How long before the dossier's deadline the apology must come (1 working day).
pub const NOTICE: WorkingDuration = WorkingDuration::hours(8);

/// Body of `POST /api/v1/dossiers/{code}/extensions`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "Cần xác minh thêm nguồn gốc đất với UBND xã", "new_appointment": "2026-12-15T17:00:00+07:00"}))]
pub struct ExtensionRequest {
    /// Why the dossier will be late (lý do chậm trễ, stated to the applicant); not blank.
    #[schema(min_length = 1, pattern = r"\S")]
    pub reason: String,
    /// The new appointment (ngày hẹn trả mới, RFC 3339 with offset): after the current one.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub new_appointment: OffsetDateTime,
}

/// A granted extension.
#[derive(Debug, Clone, PartialEq)]
pub struct Extension {
    /// The agency responsible for the delay.
    pub agency: String,
    /// Its head.
    pub by: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: OffsetDateTime,
    /// The appointment before.
    pub due_before: OffsetDateTime,
    /// The new appointment.
    pub due_after: OffsetDateTime,
}

/// A granted apology and re-appointment (phiếu xin lỗi và hẹn lại, form 04), as answered.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"dossier_code": "000.25.80.H80-261127-0001", "agency": "000.33.80.H80", "by": "head-1",
    "reason": "Cần xác minh thêm nguồn gốc đất", "granted_at": "2026-12-10T09:00:00+07:00",
    "due_before": "2026-12-24T17:00:00+07:00", "due_after": "2027-01-05T17:00:00+07:00"}))]
pub struct ExtensionGranted {
    /// The dossier re-appointed (mã hồ sơ).
    pub dossier_code: String,
    /// The agency responsible for the delay.
    pub agency: String,
    /// Its head, who signed the form (the caller's `sub`).
    pub by: String,
    /// Why, as stated to the applicant.
    pub reason: String,
    /// When it was granted (RFC 3339, +07:00).
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    pub granted_at: OffsetDateTime,
    /// The appointment before (RFC 3339, +07:00).
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    pub due_before: OffsetDateTime,
    /// The new appointment (RFC 3339, +07:00).
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    pub due_after: OffsetDateTime,
}

impl ExtensionGranted {
    /// The extension `e` granted for dossier `dossier_code`.
    pub fn of(dossier_code: &str, e: &Extension) -> Self {
        Self {
            dossier_code: dossier_code.to_string(),
            agency: e.agency.clone(),
            by: e.by.clone(),
            reason: e.reason.clone(),
            granted_at: e.at,
            due_before: e.due_before,
            due_after: e.due_after,
        }
    }
}

/// Decides an apology and re-appointment by `caller` for `case` (`granted`: one is on file).
pub fn decide(
    caller: &Caller,
    case: &Case,
    tasks: &[Task],
    granted: bool,
    req: &ExtensionRequest,
    now: OffsetDateTime,
    cal: &WorkingCalendar,
) -> Result<(Extension, CaseUpdate), Problem> {
    let agency = caller.agency.clone().unwrap_or_default();
    if !tasks
        .iter()
        .any(|t| t.agency == agency && t.state.is_running())
    {
        return Err(Problem::new(
            &codes::EXTENSION_NOT_ALLOWED,
            "no step of the caller's agency is running for this dossier",
        ));
    }
    if matches!(case.state, CaseState::Completed | CaseState::Closed) {
        return Err(Problem::new(
            &codes::CASE_NOT_OPEN,
            format!("the case is {}", case.state.as_str()),
        )
        .with("case_state", case.state.as_str()));
    }
    if granted {
        return Err(Problem::new(
            &codes::EXTENSION_ALREADY_GRANTED,
            "only one re-appointment per dossier (form 04)",
        ));
    }
    if now > case.due_at || cal.elapsed(now, case.due_at).duration < NOTICE {
        return Err(Problem::new(
            &codes::EXTENSION_TOO_LATE,
            "an apology must come at least 1 working day before the deadline",
        )
        .with(
            "deadline",
            case.due_at.to_offset(PROVINCE_OFFSET).to_string(),
        ));
    }
    let mut errors = Vec::new();
    if req.reason.trim().is_empty() {
        errors.push(FieldError::new(
            "reason",
            &codes::REQUIRED,
            "nêu rõ lý do chậm trễ",
        ));
    }
    if req.new_appointment <= case.due_at {
        errors.push(FieldError::new(
            "new_appointment",
            &codes::NOT_AFTER_DEADLINE,
            "ngày hẹn mới phải sau ngày hẹn hiện tại",
        ));
    }
    if !errors.is_empty() {
        return Err(Problem::new(
            &codes::EXTENSION_INVALID,
            "the extension request is invalid",
        )
        .with_errors(errors));
    }
    let ext = Extension {
        agency,
        by: caller.sub.clone(),
        reason: req.reason.trim().to_string(),
        at: now,
        due_before: case.due_at,
        due_after: req.new_appointment,
    };
    let mut u = CaseUpdate::new(
        case,
        tasks,
        motcua_audit::Actor::of(caller),
        "case.extended",
    );
    u.due_at = Some(ext.due_after);
    u.announcements
        .push(Announcement::Extended(e::CaseExtended {
            dossier_code: case.dossier_code.clone(),
            case_id: case.id.to_string(),
            agency: ext.agency.clone(),
            by: ext.by.clone(),
            reason: ext.reason.clone(),
            at: now.to_offset(PROVINCE_OFFSET),
            due_before: ext.due_before.to_offset(PROVINCE_OFFSET),
            due_after: ext.due_after.to_offset(PROVINCE_OFFSET),
        }));
    Ok((ext, u))
}

#[cfg(test)]
mod tests {
    use super::super::case::TaskState;
    use super::super::fixtures::*;
    use super::*;
    use motcua_auth::Role;
    use time::macros::datetime;

    const DUE: OffsetDateTime = datetime!(2026-12-02 09:00 +07:00);

    fn ask(
        caller: &Caller,
        granted: bool,
        now: OffsetDateTime,
        new: OffsetDateTime,
    ) -> Result<(Extension, CaseUpdate), Problem> {
        let tasks = [
            task(1, 0, JUSTICE, 8, TaskState::Open),
            task(2, 1, POLICE, 8, TaskState::Pending),
        ];
        let req = ExtensionRequest {
            reason: "Cần xác minh thêm".into(),
            new_appointment: new,
        };
        decide(
            caller,
            &case(DUE),
            &tasks,
            granted,
            &req,
            now,
            &motcua_calendar::WorkingCalendar::vietnam_default(),
        )
    }

    fn head(agency: &str) -> Caller {
        caller("head", &[Role::AgencyHead], agency)
    }

    const NEW: OffsetDateTime = datetime!(2026-12-04 17:00 +07:00);
    const TWO_DAYS_BEFORE: OffsetDateTime = datetime!(2026-11-30 09:00 +07:00);

    #[test]
    fn a_granted_extension_is_answered_with_its_instants_at_the_provinces_offset() {
        let (ext, _) = ask(&head(JUSTICE), false, TWO_DAYS_BEFORE, NEW).unwrap();
        let local = motcua_calendar::local_rfc3339;
        assert_eq!(
            serde_json::to_value(ExtensionGranted::of("D-1", &ext)).unwrap(),
            serde_json::json!({"dossier_code": "D-1", "agency": ext.agency, "by": ext.by, "reason": ext.reason,
                "granted_at": local(ext.at), "due_before": local(ext.due_before), "due_after": local(ext.due_after)})
        );
    }

    #[test]
    fn the_head_of_the_agency_running_late_re_appoints_once() {
        let (ext, u) = ask(&head(JUSTICE), false, TWO_DAYS_BEFORE, NEW).unwrap();
        assert_eq!(
            (ext.due_before, ext.due_after, u.due_at),
            (DUE, NEW, Some(NEW))
        );
        assert!(matches!(&u.announcements[0], Announcement::Extended(_)));
        assert_eq!(
            ask(&head(JUSTICE), true, TWO_DAYS_BEFORE, NEW)
                .unwrap_err()
                .code,
            "extension_already_granted"
        );
        // Only agency heads reach the decision: the gate's (`motcua_auth::matrix`).
        assert_eq!(
            ask(&head(POLICE), false, TWO_DAYS_BEFORE, NEW)
                .unwrap_err()
                .code,
            "extension_not_allowed",
            "no running step"
        );
    }

    #[test]
    fn at_least_one_working_day_before_the_deadline() {
        assert!(
            ask(
                &head(JUSTICE),
                false,
                datetime!(2026-12-01 09:00 +07:00),
                NEW
            )
            .is_ok(),
            "exactly one working day before"
        );
        let late = ask(
            &head(JUSTICE),
            false,
            datetime!(2026-12-01 09:01 +07:00),
            NEW,
        )
        .unwrap_err();
        assert_eq!(late.code, "extension_too_late");
        assert_eq!(
            ask(
                &head(JUSTICE),
                false,
                datetime!(2026-12-03 09:00 +07:00),
                NEW
            )
            .unwrap_err()
            .code,
            "extension_too_late"
        );
    }

    #[test]
    fn the_new_appointment_must_be_later() {
        let bad = ask(&head(JUSTICE), false, TWO_DAYS_BEFORE, DUE).unwrap_err();
        assert_eq!(
            (bad.code, bad.errors[0].code.as_str()),
            ("extension_invalid", "not_after_deadline")
        );
    }
}
