//! An agency's inbox (hộp việc): its running steps, soonest deadline first, a page at a time
//! (keyset cursor), each with its deadline, the working time left and whether its clock waits.

use super::case::Task;
use super::clock::time_left;
use motcua_auth::{Caller, Role};
use motcua_calendar::WorkingCalendar;
use motcua_problem::{FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The steps an inbox lists by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InboxState {
    /// Open: no one holds it yet (chờ xử lý).
    Open,
    /// Claimed: a person holds it (đang xử lý).
    Claimed,
}

impl InboxState {
    /// The stored state name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Claimed => "claimed",
        }
    }
}

/// Inbox filters, as sent.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// `open` or `claimed` (default: both).
    pub state: Option<InboxState>,
    /// Only steps with this name.
    pub step: Option<String>,
    /// Only steps due before this instant (RFC 3339 with offset).
    #[param(format = DateTime, example = "2026-11-27T12:00:00+07:00")]
    pub due_before: Option<String>,
    /// `next_cursor` of the previous page (opaque).
    pub cursor: Option<String>,
    /// Page size: default 50; a value below 1 counts as 1, above 200 as 200.
    pub limit: Option<i64>,
}

/// Inbox filters, parsed, for the caller's agency (and sector, for a sector system).
#[derive(Debug, Clone, PartialEq)]
pub struct InboxFilter {
    /// The caller's agency.
    pub agency: String,
    /// A sector system sees its sector's steps only.
    pub sector: Option<String>,
    /// The states listed.
    pub states: Vec<&'static str>,
    /// Only this step name.
    pub step: Option<String>,
    /// Only due before.
    pub due_before: Option<OffsetDateTime>,
    /// After this row (deadline, id).
    pub after: Option<(OffsetDateTime, Uuid)>,
    /// Rows per page.
    pub limit: i64,
}

fn bad(field: &str, message: &str) -> Problem {
    Problem::new(&codes::INVALID_QUERY, format!("{field}: {message}"))
        .with_errors(vec![FieldError::new(field, &codes::INVALID_VALUE, message)])
}

/// Far in the future: the keyset position of a step without a deadline (listed last).
pub const NO_DEADLINE: OffsetDateTime = time::macros::datetime!(9999-12-31 00:00 UTC);

/// The filter for `caller`: staff of an agency, its inbox only.
pub fn filter(caller: &Caller, q: &InboxQuery) -> Result<InboxFilter, Problem> {
    let agency = caller
        .agency
        .clone()
        .ok_or_else(|| Problem::new(&codes::AGENCY_NOT_ALLOWED, "the caller acts for no agency"))?;
    let states = match q.state {
        None => vec![InboxState::Open.as_str(), InboxState::Claimed.as_str()],
        Some(state) => vec![state.as_str()],
    };
    let instant = |field: &str, raw: &str| {
        OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
            .map_err(|_| bad(field, "expected RFC 3339"))
    };
    let after = q
        .cursor
        .as_deref()
        .map(|c| {
            let (at, id) = c
                .split_once('~')
                .ok_or_else(|| bad("cursor", "not a cursor from this API"))?;
            Ok::<_, Problem>((
                instant("cursor", at)?,
                Uuid::parse_str(id).map_err(|_| bad("cursor", "not a cursor from this API"))?,
            ))
        })
        .transpose()?;
    Ok(InboxFilter {
        sector: caller
            .has(Role::SectorSystem)
            .then(|| caller.sector.clone())
            .flatten(),
        agency,
        states,
        step: q.step.clone(),
        due_before: q
            .due_before
            .as_deref()
            .map(|d| instant("due_before", d))
            .transpose()?,
        after,
        limit: q.limit.unwrap_or(50).clamp(1, 200),
    })
}

/// The cursor after `t`.
pub fn cursor_after(t: &Task) -> String {
    let at = t.due_at.unwrap_or(NO_DEADLINE);
    let text = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    format!("{text}~{}", t.id)
}

/// A step as its agency sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "01a21a72-2ab1-75e9-872f-c30b217116a5", "case_id": "01a21a72-2ab1-75e9-872f-c30b21711600",
    "dossier_code": "000.25.80.H80-261127-0001", "name": "Thẩm định, ghi sổ hộ tịch, trình ký", "agency": "000.30.80.H80",
    "sector": null, "kind": "process", "block": 1, "state": "open", "claimed_by": null, "due_at": "2026-11-27T15:00:00+07:00",
    "budget_minutes": 360, "working_minutes_left": 240, "working_hours_left": 4.0, "clock_paused": false,
    "waiting_for_supplement": false, "paused_minutes": 0}))]
pub struct TaskView {
    /// Task id.
    pub id: Uuid,
    /// Its case.
    pub case_id: Uuid,
    /// Its dossier.
    pub dossier_code: String,
    /// Step name.
    pub name: String,
    /// Its agency.
    pub agency: String,
    /// Its sector.
    pub sector: Option<String>,
    /// `receive`, `process` or `return`.
    pub kind: String,
    /// Its block.
    pub block: i32,
    /// `pending`, `open`, `claimed`, `done`, `cancelled`.
    pub state: String,
    /// Who holds it.
    pub claimed_by: Option<String>,
    /// Its deadline (RFC 3339, +07:00).
    #[schema(format = DateTime)]
    pub due_at: Option<String>,
    /// Its budget.
    pub budget_minutes: i64,
    /// Working minutes left before its deadline (negative once late).
    pub working_minutes_left: Option<i64>,
    /// The same in working hours.
    pub working_hours_left: Option<f64>,
    /// Its clock waits (the applicant holds the dossier).
    pub clock_paused: bool,
    /// It returned the dossier for supplement and waits for it.
    pub waiting_for_supplement: bool,
    /// Working minutes its deadline moved in all.
    pub paused_minutes: i64,
}

/// The view of `t` at `now`.
pub fn view(t: &Task, cal: &WorkingCalendar, now: OffsetDateTime) -> TaskView {
    let left = time_left(cal, t, now).map(|d| d.as_minutes());
    TaskView {
        id: t.id,
        case_id: t.case_id,
        dossier_code: t.dossier_code.clone(),
        name: t.name.clone(),
        agency: t.agency.clone(),
        sector: t.sector.clone(),
        kind: t.kind.as_str().into(),
        block: t.block,
        state: t.state.as_str().into(),
        claimed_by: t.claimed_by.clone(),
        due_at: t.due_at.map(motcua_calendar::local_rfc3339),
        budget_minutes: t.budget.as_minutes(),
        working_minutes_left: left,
        working_hours_left: left.map(|m| (m as f64 / 60.0 * 100.0).round() / 100.0),
        clock_paused: t.paused_at.is_some(),
        waiting_for_supplement: t.supplement_requested_at.is_some(),
        paused_minutes: t.paused_minutes,
    }
}

#[cfg(test)]
mod tests {
    use super::super::case::TaskState;
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn staff_see_their_agency_a_sector_system_its_sector_and_bad_filters_are_refused() {
        let f = filter(&specialist(JUSTICE), &InboxQuery::default()).unwrap();
        assert_eq!(
            (f.agency.as_str(), f.sector.clone(), f.states.clone()),
            (JUSTICE, None, vec!["open", "claimed"])
        );
        let mut system = caller("sys", &[Role::SectorSystem], JUSTICE);
        system.sector = Some("justice".into());
        assert_eq!(
            filter(&system, &InboxQuery::default())
                .unwrap()
                .sector
                .as_deref(),
            Some("justice")
        );
        let claimed = InboxQuery {
            state: Some(InboxState::Claimed),
            ..Default::default()
        };
        assert_eq!(
            filter(&specialist(JUSTICE), &claimed).unwrap().states,
            vec!["claimed"]
        );
        let bad = InboxQuery {
            due_before: Some("tomorrow".into()),
            ..Default::default()
        };
        assert_eq!(
            filter(&specialist(JUSTICE), &bad).unwrap_err().code,
            "invalid_query"
        );
        // Which roles reach the inbox at all is the gate's (`motcua_auth::matrix`).
    }

    #[test]
    fn the_cursor_is_the_next_page_after_a_step() {
        let t = task(1, 0, JUSTICE, 6, TaskState::Open);
        let q = InboxQuery {
            cursor: Some(cursor_after(&t)),
            ..Default::default()
        };
        assert_eq!(
            filter(&specialist(JUSTICE), &q).unwrap().after,
            Some((t.due_at.unwrap(), t.id))
        );
        let garbage = InboxQuery {
            cursor: Some("nope".into()),
            ..Default::default()
        };
        assert!(filter(&specialist(JUSTICE), &garbage).is_err());
    }
}
