//! What reporting knows about one dossier (sổ theo dõi hồ sơ), and how each of intake's status
//! changes moves it: the appointment as last moved, the applicant's waits (which stop the
//! clock, so a waiting dossier is never overdue), and how and when it ended, judged against
//! its appointment.

use motcua_calendar::{Timeliness, WorkingCalendar};
use motcua_events::DossierStatusChanged;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// How a dossier ended (kết thúc), for the handling report: every ending is "resolved" in the
/// form's sense, and the raw counters keep refusals, withdrawals and stops apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// The agencies finished: the result is at the one-stop (status 9, or 10 directly).
    Resolved,
    /// Refused after receipt (form 03).
    Refused,
    /// Withdrawn at the applicant's request.
    Withdrawn,
    /// Stopped (the supplement window passed unanswered…).
    Stopped,
}

impl Ending {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Resolved => "resolved",
            Self::Refused => "refused",
            Self::Withdrawn => "withdrawn",
            Self::Stopped => "stopped",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Resolved,
            Self::Refused,
            Self::Withdrawn,
            Self::Stopped,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }

    /// The ending a status means, if it is one.
    pub fn of_status(status: &str) -> Option<Self> {
        Some(match status {
            "processed" | "result_returned" => Self::Resolved,
            "refused" => Self::Refused,
            "withdrawn" => Self::Withdrawn,
            "stopped" => Self::Stopped,
            _ => return None,
        })
    }
}

/// Why the applicant holds the dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// A supplement was requested (status 5).
    Supplement,
    /// A financial obligation is to be paid (status 6).
    Financial,
}

/// One wait of the applicant's (thời gian chờ người nộp), from the status that started it to
/// the one that ended it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Wait {
    /// Why.
    pub reason: WaitReason,
    /// Since (RFC 3339, +07:00).
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    pub from: OffsetDateTime,
    /// Until (RFC 3339, +07:00); null while it lasts.
    #[serde(with = "motcua_calendar::province_time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub to: Option<OffsetDateTime>,
}

/// The facts about one dossier the handling report is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct DossierFacts {
    /// Dossier code.
    pub code: String,
    /// Receiving one-stop unit.
    pub agency: String,
    /// Procedure code.
    pub procedure_code: String,
    /// Procedure's field code.
    pub field: String,
    /// Procedure's level.
    pub level: String,
    /// `online`, `counter` or `postal`.
    pub channel: String,
    /// When it was received.
    pub received_at: OffsetDateTime,
    /// The appointment as last moved (waits under the pause policy, the one extension).
    pub due_at: OffsetDateTime,
    /// How it ended, when it did.
    pub ending: Option<Ending>,
    /// When it ended.
    pub finished_at: Option<OffsetDateTime>,
    /// Its ending judged against `due_at` then.
    pub timeliness: Option<Timeliness>,
    /// The applicant's waits, oldest first.
    pub waits: Vec<Wait>,
    /// Working minutes the applicant held it, in all.
    pub paused_minutes: i64,
}

impl DossierFacts {
    /// Follows one of intake's status changes: the appointment it announces, a wait that
    /// starts or ends, and the ending (once; a later `result_returned` after `processed`
    /// keeps the first). Judged on `cal`, the receiving agency's calendar.
    pub fn follow(&mut self, ev: &DossierStatusChanged, cal: &WorkingCalendar) {
        self.due_at = ev.due_at;
        let waiting = match ev.to_status.as_str() {
            "supplement_requested" => Some(WaitReason::Supplement),
            "financial_obligation" => Some(WaitReason::Financial),
            _ => None,
        };
        if let Some(w) = self.waits.last_mut().filter(|w| w.to.is_none())
            && waiting != Some(w.reason)
        {
            let to = ev.at.max(w.from);
            w.to = Some(to);
            self.paused_minutes += cal.elapsed(w.from, to).duration.as_minutes();
        }
        if let Some(reason) = waiting
            && self.waits.last().is_none_or(|w| w.to.is_some())
        {
            self.waits.push(Wait {
                reason,
                from: ev.at,
                to: None,
            });
        }
        if self.ending.is_none()
            && let Some(ending) = Ending::of_status(&ev.to_status)
        {
            let at = ev.at.max(self.received_at);
            self.ending = Some(ending);
            self.finished_at = Some(at);
            self.timeliness = Some(cal.timeliness(at, self.due_at));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn facts() -> DossierFacts {
        DossierFacts {
            code: "D1".into(),
            agency: "A".into(),
            procedure_code: "P".into(),
            field: "F".into(),
            level: "commune".into(),
            channel: "counter".into(),
            received_at: datetime!(2026-11-23 09:00 +07:00),
            due_at: datetime!(2026-11-25 17:00 +07:00),
            ending: None,
            finished_at: None,
            timeliness: None,
            waits: Vec::new(),
            paused_minutes: 0,
        }
    }

    fn change(to: &str, at: OffsetDateTime, due: OffsetDateTime) -> DossierStatusChanged {
        DossierStatusChanged {
            dossier_code: "D1".into(),
            action: "x".into(),
            from_status: "processing".into(),
            to_status: to.into(),
            status_code: 4,
            at,
            due_at: due,
            detail: serde_json::Value::Null,
        }
    }

    #[test]
    fn a_wait_is_counted_in_working_minutes_and_the_moved_appointment_judges_the_end() {
        let cal = WorkingCalendar::vietnam_default();
        let mut f = facts();
        let due = f.due_at;
        // Requested Tuesday 10:00, supplemented Thursday 10:00: two working days.
        f.follow(
            &change(
                "supplement_requested",
                datetime!(2026-11-24 10:00 +07:00),
                due,
            ),
            &cal,
        );
        assert_eq!(f.waits.len(), 1);
        let moved = datetime!(2026-11-27 17:00 +07:00);
        f.follow(
            &change("processing", datetime!(2026-11-26 10:00 +07:00), moved),
            &cal,
        );
        assert_eq!(f.paused_minutes, 2 * 8 * 60);
        assert_eq!(f.waits[0].to, Some(datetime!(2026-11-26 10:00 +07:00)));
        f.follow(
            &change("processed", datetime!(2026-11-27 16:00 +07:00), moved),
            &cal,
        );
        assert_eq!(
            (f.ending, f.timeliness),
            (Some(Ending::Resolved), Some(Timeliness::OnTime))
        );
        // Handing the result back later does not move the finish.
        f.follow(
            &change("result_returned", datetime!(2026-12-01 09:00 +07:00), moved),
            &cal,
        );
        assert_eq!(f.finished_at, Some(datetime!(2026-11-27 16:00 +07:00)));
    }

    #[test]
    fn a_refusal_after_the_appointment_is_late_and_ends_an_open_wait() {
        let cal = WorkingCalendar::vietnam_default();
        let mut f = facts();
        let due = f.due_at;
        f.follow(
            &change(
                "financial_obligation",
                datetime!(2026-11-24 09:00 +07:00),
                due,
            ),
            &cal,
        );
        f.follow(
            &change("refused", datetime!(2026-11-26 09:00 +07:00), due),
            &cal,
        );
        assert_eq!(f.ending, Some(Ending::Refused));
        assert_eq!(f.timeliness, Some(Timeliness::Late));
        assert!(f.waits[0].to.is_some());
        assert_eq!(f.paused_minutes, 2 * 8 * 60);
    }
}
