//! Satisfaction and feedback (đánh giá sự hài lòng, phản ánh kiến nghị): who may rate a dossier
//! and when (its applicant, once, after the result was returned), what makes a rating
//! unsatisfied, who answers feedback and by when (the agency concerned, ten working days).

use motcua_auth::{Caller, Role};
use motcua_calendar::{WorkingCalendar, WorkingDuration};
use motcua_problem::{FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Working days an agency has to answer feedback (Decree 20/2008, as the province applies it).
pub const ANSWER_WITHIN_DAYS: i64 = 10;

/// A rating on SIPAS's five dimensions, each 1 (very unsatisfied) to 5 (very satisfied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Scores {
    /// Access to the service (tiếp cận dịch vụ).
    #[schema(minimum = 1, maximum = 5)]
    pub access: i16,
    /// The procedure itself (thủ tục hành chính).
    #[schema(minimum = 1, maximum = 5)]
    pub procedure: i16,
    /// The officials (công chức giải quyết).
    #[schema(minimum = 1, maximum = 5)]
    pub officials: i16,
    /// The result (kết quả).
    #[schema(minimum = 1, maximum = 5)]
    pub result: i16,
    /// Handling of feedback (tiếp nhận, xử lý phản ánh kiến nghị).
    #[schema(minimum = 1, maximum = 5)]
    pub feedback_handling: i16,
}

impl Scores {
    fn all(&self) -> [(&'static str, i16); 5] {
        [
            ("access", self.access),
            ("procedure", self.procedure),
            ("officials", self.officials),
            ("result", self.result),
            ("feedback_handling", self.feedback_handling),
        ]
    }

    /// Every score between 1 and 5, or the fields at fault.
    pub fn check(&self) -> Result<(), Problem> {
        let bad: Vec<FieldError> = self
            .all()
            .iter()
            .filter(|(_, v)| !(1..=5).contains(v))
            .map(|(f, _)| FieldError::new(*f, &codes::COUNT_OUT_OF_RANGE, "từ 1 đến 5"))
            .collect();
        match bad.is_empty() {
            true => Ok(()),
            false => {
                Err(Problem::new(&codes::RATING_INVALID, "scores are 1 to 5").with_errors(bad))
            }
        }
    }

    /// Unsatisfied (không hài lòng): the five scores average below 3, the middle of the scale.
    pub fn unsatisfied(&self) -> bool {
        let sum: i16 = self.all().iter().map(|(_, v)| v).sum();
        sum < 15
    }
}

/// What reporting knows of a dossier when it is rated.
pub struct Ratable<'a> {
    /// Who submitted it.
    pub submitted_by: &'a str,
    /// When the result was handed back, if it was.
    pub returned_at: Option<OffsetDateTime>,
    /// Already rated by.
    pub rated_by: Option<&'a str>,
}

/// Whether `caller` is who rates the dossier: the applicant who submitted it online, or the
/// portal acting for an applicant. Anyone else is answered as if the dossier did not exist.
pub fn rates(caller: &Caller, d: &Ratable<'_>) -> bool {
    let applicant = caller.has_any(&[Role::Citizen]) && caller.sub == d.submitted_by;
    applicant || caller.has_any(&[Role::Portal])
}

/// Whether `caller` may rate the dossier now: who [`rates`] it, after the result was handed
/// back, once.
pub fn may_rate(caller: &Caller, d: &Ratable<'_>) -> Result<(), Problem> {
    if !rates(caller, d) {
        return Err(Problem::new(
            &codes::DOSSIER_NOT_ALLOWED,
            "only the dossier's applicant (or the portal for them) rates it",
        ));
    }
    if d.returned_at.is_none() {
        return Err(Problem::new(
            &codes::RATING_NOT_OPEN,
            "a dossier is rated once its result was handed back",
        ));
    }
    if d.rated_by.is_some() {
        return Err(Problem::new(
            &codes::ALREADY_RATED,
            "a dossier is rated once",
        ));
    }
    Ok(())
}

/// When feedback received at `at` must be answered: ten working days on the agency's calendar.
pub fn answer_due(cal: &WorkingCalendar, at: OffsetDateTime) -> OffsetDateTime {
    cal.add(at, WorkingDuration::whole_days(ANSWER_WITHIN_DAYS))
        .at
}

/// Whether `caller` answers feedback addressed to `agency`: its staff (head, specialist,
/// one-stop officer), once.
pub fn may_answer(caller: &Caller, agency: &str, answered: bool) -> Result<(), Problem> {
    if caller.agency.as_deref() != Some(agency) {
        return Err(Problem::new(
            &codes::AGENCY_NOT_ALLOWED,
            "feedback is answered by the agency it concerns",
        ));
    }
    if answered {
        return Err(Problem::new(
            &codes::FEEDBACK_ALREADY_ANSWERED,
            "feedback is answered once",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn caller(sub: &str, role: Role, agency: Option<&str>) -> Caller {
        Caller {
            sub: sub.into(),
            roles: vec![role],
            agency: agency.map(str::to_string),
            sector: None,
            id_number: None,
        }
    }

    #[test]
    fn scores_are_one_to_five_and_an_average_below_three_is_unsatisfied() {
        let s = Scores {
            access: 3,
            procedure: 3,
            officials: 3,
            result: 3,
            feedback_handling: 3,
        };
        assert!(s.check().is_ok() && !s.unsatisfied());
        let low = Scores { result: 2, ..s };
        assert!(low.unsatisfied());
        let bad = Scores {
            access: 6,
            officials: 0,
            ..s
        };
        let e = bad.check().unwrap_err();
        assert_eq!(e.errors.len(), 2);
    }

    #[test]
    fn the_applicant_rates_a_returned_dossier_once() {
        let d = Ratable {
            submitted_by: "c1",
            returned_at: Some(datetime!(2026-11-30 10:00 +07:00)),
            rated_by: None,
        };
        assert!(may_rate(&caller("c1", Role::Citizen, None), &d).is_ok());
        assert!(may_rate(&caller("portal", Role::Portal, None), &d).is_ok());
        let other = may_rate(&caller("c2", Role::Citizen, None), &d).unwrap_err();
        assert_eq!(other.code, "dossier_not_allowed");
        let early = Ratable {
            returned_at: None,
            ..d
        };
        assert_eq!(
            may_rate(&caller("c1", Role::Citizen, None), &early)
                .unwrap_err()
                .code,
            "rating_not_open"
        );
        let twice = Ratable {
            rated_by: Some("c1"),
            ..d
        };
        assert_eq!(
            may_rate(&caller("c1", Role::Citizen, None), &twice)
                .unwrap_err()
                .code,
            "already_rated"
        );
    }

    #[test]
    fn feedback_is_due_in_ten_working_days_and_answered_by_its_agency_once() {
        let cal = WorkingCalendar::vietnam_default();
        // Friday 10:00 plus ten working days: the second Friday after, 10:00.
        let due = answer_due(&cal, datetime!(2026-11-20 10:00 +07:00));
        assert_eq!(due, datetime!(2026-12-04 10:00 +07:00));
        let head = caller("h", Role::AgencyHead, Some("A"));
        assert!(may_answer(&head, "A", false).is_ok());
        assert_eq!(
            may_answer(&head, "B", false).unwrap_err().code,
            "agency_not_allowed"
        );
        assert_eq!(
            may_answer(&head, "A", true).unwrap_err().code,
            "feedback_already_answered"
        );
        let citizen = caller("c", Role::Citizen, None);
        assert!(may_answer(&citizen, "A", false).is_err());
    }
}
