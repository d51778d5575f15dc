//! Near-due and overdue (sắp đến hạn, quá hạn), `shared/domain.md` §1: a step or a dossier
//! within the margin of its deadline (default 8 working hours) is marked near-due, past it
//! overdue, once each; a dossier gone late with no apology on file is a compliance event. A
//! clock that is stopped (the applicant holds the dossier, or a step pauses the main clock)
//! raises nothing.

use super::case::{Case, CaseState, Task};
use motcua_calendar::{WorkingCalendar, WorkingDuration};
use time::OffsetDateTime;

/// What is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// Within the margin of its deadline.
    NearDue,
    /// Past its deadline.
    Overdue,
    /// A dossier past its appointment with no apology (form 04) on file.
    LateWithoutApology,
}

impl AlertKind {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NearDue => "near_due",
            Self::Overdue => "overdue",
            Self::LateWithoutApology => "late_without_apology",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::NearDue, Self::Overdue, Self::LateWithoutApology]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The marks a deadline calls for now that are not made yet: overdue past it; near-due within
/// `margin` of it (not once it is overdue: that mark says more).
fn due_alerts(
    cal: &WorkingCalendar,
    due: OffsetDateTime,
    now: OffsetDateTime,
    margin: WorkingDuration,
    marked: &[AlertKind],
) -> Vec<AlertKind> {
    let kind = if now > due {
        AlertKind::Overdue
    } else if cal.elapsed(now, due).duration <= margin {
        AlertKind::NearDue
    } else {
        return Vec::new();
    };
    if marked.contains(&kind)
        || (kind == AlertKind::NearDue && marked.contains(&AlertKind::Overdue))
    {
        return Vec::new();
    }
    vec![kind]
}

/// The marks a step calls for: only a running step whose clock runs.
pub fn task_alerts(
    cal: &WorkingCalendar,
    t: &Task,
    now: OffsetDateTime,
    margin: WorkingDuration,
    marked: &[AlertKind],
) -> Vec<AlertKind> {
    match t.due_at {
        Some(due) if t.state.is_running() && t.paused_at.is_none() => {
            due_alerts(cal, due, now, margin, marked)
        }
        _ => Vec::new(),
    }
}

/// The marks a dossier calls for: only an open, forwarded case whose main clock runs; an
/// overdue one without an apology on file is also late without apology.
pub fn case_alerts(
    cal: &WorkingCalendar,
    c: &Case,
    now: OffsetDateTime,
    margin: WorkingDuration,
    marked: &[AlertKind],
    apologised: bool,
) -> Vec<AlertKind> {
    if c.state != CaseState::Open || c.main_clock_paused_at.is_some() || c.forwarded_at.is_none() {
        return Vec::new();
    }
    let mut kinds = due_alerts(cal, c.due_at, now, margin, marked);
    if now > c.due_at && !apologised && !marked.contains(&AlertKind::LateWithoutApology) {
        kinds.push(AlertKind::LateWithoutApology);
    }
    kinds
}

/// The notices an alert sends the heads of the agencies responsible (thông báo cho thủ trưởng
/// cơ quan): near-due and overdue, by e-mail and SMS to the contacts on file; nothing for an
/// agency with no contact, nor for the late-without-apology mark (a compliance record).
/// `cause` identifies the mark, so one mark never notifies twice.
pub fn head_notices(
    kind: AlertKind,
    cause: &str,
    alert: &motcua_events::DeadlineAlert,
    contacts: &motcua_notify::Contacts,
) -> Vec<motcua_notify::NoticeDraft> {
    use motcua_notify::{Channel, NoticeDraft, Template};
    let template = match kind {
        AlertKind::NearDue => Template::NearDue,
        AlertKind::Overdue => Template::Overdue,
        AlertKind::LateWithoutApology => return Vec::new(),
    };
    let deadline = motcua_calendar::spoken_time(alert.deadline);
    let mut out = Vec::new();
    for agency in alert.agency.split(',').filter(|a| !a.is_empty()) {
        let Some(contact) = contacts.of(agency) else {
            continue;
        };
        let values = vec![
            ("code", alert.dossier_code.clone()),
            (
                "step",
                alert.step.clone().unwrap_or_else(|| "cả hồ sơ".into()),
            ),
            ("agency", agency.to_string()),
            ("deadline", deadline.clone()),
            (
                "deadline_short",
                motcua_calendar::short_time(alert.deadline),
            ),
        ];
        let channels = [
            (Channel::Email, &contact.email),
            (Channel::Sms, &contact.phone),
        ];
        for (channel, address) in channels {
            if let Some(address) = address {
                out.push(NoticeDraft {
                    cause: cause.to_string(),
                    dossier_code: Some(alert.dossier_code.clone()),
                    template,
                    channel,
                    recipient: address.clone(),
                    values: values.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const DUE: OffsetDateTime = datetime!(2026-12-02 17:00 +07:00);
    const MARGIN: WorkingDuration = WorkingDuration::hours(8);

    #[test]
    fn near_due_within_the_margin_overdue_past_the_deadline_each_once() {
        let cal = WorkingCalendar::vietnam_default();
        assert!(
            due_alerts(&cal, DUE, datetime!(2026-12-01 16:59 +07:00), MARGIN, &[]).is_empty(),
            "8h01 left"
        );
        assert_eq!(
            due_alerts(&cal, DUE, datetime!(2026-12-01 17:00 +07:00), MARGIN, &[]),
            [AlertKind::NearDue]
        );
        assert!(
            due_alerts(
                &cal,
                DUE,
                datetime!(2026-12-02 09:00 +07:00),
                MARGIN,
                &[AlertKind::NearDue]
            )
            .is_empty()
        );
        assert_eq!(
            due_alerts(
                &cal,
                DUE,
                datetime!(2026-12-02 17:01 +07:00),
                MARGIN,
                &[AlertKind::NearDue]
            ),
            [AlertKind::Overdue]
        );
        assert!(
            due_alerts(
                &cal,
                DUE,
                datetime!(2026-12-03 09:00 +07:00),
                MARGIN,
                &[AlertKind::Overdue]
            )
            .is_empty()
        );
        assert_eq!(
            due_alerts(&cal, DUE, datetime!(2026-12-03 09:00 +07:00), MARGIN, &[]),
            [AlertKind::Overdue],
            "first seen late: overdue only"
        );
    }

    #[test]
    fn each_responsible_head_with_a_contact_is_told_and_the_apology_mark_tells_no_one() {
        let contacts = motcua_notify::Contacts::parse(
            r#"{"justice": {"email": "tp@example.vn", "phone": "0900000001"}, "police": {"phone": "0900000002"}}"#,
        )
        .unwrap();
        let alert = motcua_events::DeadlineAlert {
            dossier_code: "C-1".into(),
            task_id: None,
            step: None,
            agency: "justice,police,tax".into(),
            deadline: DUE,
            at: DUE,
        };
        let n = head_notices(AlertKind::Overdue, "case:1:overdue", &alert, &contacts);
        let to: Vec<&str> = n.iter().map(|d| d.recipient.as_str()).collect();
        assert_eq!(to, ["tp@example.vn", "0900000001", "0900000002"]);
        let (_, body) = motcua_notify::render(n[0].template, n[0].channel, &n[0].values).unwrap();
        assert!(body.contains("17 giờ 00 phút, ngày 02/12/2026") && body.contains("C-1"));
        assert!(head_notices(AlertKind::LateWithoutApology, "x", &alert, &contacts).is_empty());
    }
}
