//! What a workflow decision writes (thay đổi của hồ sơ đang giải quyết): the case's new state
//! and clocks, each step's change, the rows of the processing control slip, the recorded moves
//! of step deadlines, the events announcing it all, and who decided it with the case before
//! (its audit record, `audit.rs`) — written by the store in one transaction with the case
//! locked.

use super::case::{Case, CaseState, Task, TaskState};
use super::clock::MovedDeadline;
use motcua_audit::Actor;
use motcua_calendar::Timeliness;
use motcua_events as e;
use time::OffsetDateTime;
use uuid::Uuid;

/// Why a row of the control slip was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoverReason {
    /// The one-stop forwards the dossier to the first agencies.
    Forward,
    /// A step is done: to the next agencies, or back to the one-stop.
    Handover,
    /// An agency returned the dossier for the applicant's supplement.
    ReturnForSupplement,
    /// The supplement came back: the one-stop hands the dossier back to the agency.
    Supplemented,
    /// A retired agency's step moved to its successor.
    Succession,
    /// An agency found the dossier must be refused.
    Refusal,
}

impl HandoverReason {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Forward => "forward",
            Self::Handover => "handover",
            Self::ReturnForSupplement => "return_for_supplement",
            Self::Supplemented => "supplemented",
            Self::Succession => "succession",
            Self::Refusal => "refusal",
        }
    }
}

/// One row of the processing control slip (phiếu kiểm soát quá trình giải quyết, form 06).
#[derive(Debug, Clone, PartialEq)]
pub struct NewHandover {
    /// The step handed over, if a step.
    pub task_id: Option<Uuid>,
    /// When.
    pub at: OffsetDateTime,
    /// From agency and person.
    pub from: (String, Option<String>),
    /// To agency and person.
    pub to: (String, Option<String>),
    /// The step's name.
    pub step_name: String,
    /// The step's deadline.
    pub step_deadline: Option<OffsetDateTime>,
    /// Early / on time / late of the step handed over, when it finished.
    pub result: Option<Timeliness>,
    /// Why the row exists.
    pub reason: HandoverReason,
}

/// A change of one step.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskUpdate {
    /// Its block starts: it is at its agency with its deadline.
    Open {
        /// The step.
        id: Uuid,
        /// Since.
        at: OffsetDateTime,
        /// Its deadline.
        due_at: OffsetDateTime,
    },
    /// Someone at its agency takes it.
    Claim {
        /// The step.
        id: Uuid,
        /// Who.
        by: String,
        /// When.
        at: OffsetDateTime,
    },
    /// It is finished.
    Finish {
        /// The step.
        id: Uuid,
        /// Who finished it.
        by: String,
        /// When.
        at: OffsetDateTime,
        /// `done`, `refuse`.
        outcome: &'static str,
        /// Note and result documents.
        note: serde_json::Value,
        /// Against its deadline.
        timeliness: Option<Timeliness>,
        /// Working minutes late.
        lateness_minutes: Option<i64>,
    },
    /// Its clock stops (the case waits).
    Pause {
        /// The step.
        id: Uuid,
        /// Since.
        at: OffsetDateTime,
    },
    /// Its clock resumes with its deadline moved.
    Resume(MovedDeadline),
    /// Its agency returned the dossier for supplement (or the supplement came back: `None`);
    /// the person who returned it holds the step.
    SupplementWait {
        /// The step.
        id: Uuid,
        /// Since (or none any more).
        since: Option<OffsetDateTime>,
        /// Who returned it.
        by: Option<String>,
    },
    /// The case ended before it was done.
    Cancel {
        /// The step.
        id: Uuid,
    },
    /// A successor agency takes it over (nobody holds it there yet).
    Reassign {
        /// The step.
        id: Uuid,
        /// The successor.
        agency: String,
    },
}

/// An event to announce, with its payload (the contract of `motcua-events`).
#[derive(Debug, Clone, PartialEq)]
pub enum Announcement {
    /// `case.opened`: forwarded to the first agencies.
    Opened(e::CaseChanged),
    /// `case.completed`: every processing step is done.
    Completed(e::CaseChanged),
    /// `case.main_clock_paused` / `case.main_clock_resumed`.
    MainClock(e::CaseMainClock),
    /// `case.extended`: apology and new appointment.
    Extended(e::CaseExtended),
    /// A deadline alert (`task.near_due`, `task.overdue`, `case.near_due`, `case.overdue`,
    /// `case.late_without_apology`).
    Alert(&'static str, e::DeadlineAlert),
    /// `task.deadline_moved`.
    DeadlineMoved(e::StepDeadlineMoved),
    /// `task.completed` / `task.reassigned`.
    Step(&'static str, e::StepChanged),
}

impl Announcement {
    /// The event type.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Opened(_) => e::CASE_OPENED,
            Self::Completed(_) => e::CASE_COMPLETED,
            Self::MainClock(c) if c.resumed_at.is_some() => e::CASE_MAIN_CLOCK_RESUMED,
            Self::MainClock(_) => e::CASE_MAIN_CLOCK_PAUSED,
            Self::Extended(_) => e::CASE_EXTENDED,
            Self::Alert(t, _) | Self::Step(t, _) => t,
            Self::DeadlineMoved(_) => e::TASK_DEADLINE_MOVED,
        }
    }

    /// Who receives it: intake follows the case (status, appointment) and the steps done (for
    /// the national portal); reporting everything.
    pub fn destinations(&self) -> &'static [&'static str] {
        use e::destination::{INTAKE, REPORTING};
        match self {
            Self::MainClock(c) if c.resumed_at.is_none() => &[REPORTING],
            Self::Opened(_) | Self::Completed(_) | Self::MainClock(_) | Self::Extended(_) => {
                &[INTAKE, REPORTING]
            }
            // Intake tells the national portal of each step's progress.
            Self::Step(t, _) if *t == e::TASK_COMPLETED => &[INTAKE, REPORTING],
            _ => &[REPORTING],
        }
    }
}

/// Everything one decision writes.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseUpdate {
    /// The case.
    pub case_id: Uuid,
    /// Its dossier (the events' subject).
    pub dossier_code: String,
    /// Its new state.
    pub state: Option<CaseState>,
    /// Forwarded to the first agencies then.
    pub forwarded_at: Option<OffsetDateTime>,
    /// The forwarding's deadline, moved by the applicant's wait before forwarding.
    pub forward_due: Option<OffsetDateTime>,
    /// Waiting for the applicant since (`Some(None)`: not any more).
    pub paused_at: Option<Option<OffsetDateTime>>,
    /// The main clock stopped since (`Some(None)`: running again).
    pub main_clock_paused_at: Option<Option<OffsetDateTime>>,
    /// The dossier's new appointment.
    pub due_at: Option<OffsetDateTime>,
    /// Every processing step done then.
    pub completed_at: Option<OffsetDateTime>,
    /// Ended then, for this reason.
    pub closed: Option<(String, OffsetDateTime)>,
    /// Changes of steps, in order.
    pub tasks: Vec<TaskUpdate>,
    /// Rows of the control slip.
    pub handovers: Vec<NewHandover>,
    /// Why the steps' clocks stopped (for the recorded moves).
    pub pause_reason: Option<&'static str>,
    /// Events.
    pub announcements: Vec<Announcement>,
    /// Who decided it and what, with the case before (the audit trail's entry).
    pub acted: Acted,
}

impl CaseUpdate {
    /// An update of `case` (with its `tasks`, as they are now) that changes nothing yet, made
    /// by `by` doing `action` (the audit trail's names, e.g. `task.claimed`).
    pub fn new(case: &Case, tasks: &[Task], by: Actor, action: &'static str) -> Self {
        Self {
            case_id: case.id,
            dossier_code: case.dossier_code.clone(),
            state: None,
            forwarded_at: None,
            forward_due: None,
            paused_at: None,
            main_clock_paused_at: None,
            due_at: None,
            completed_at: None,
            closed: None,
            tasks: Vec::new(),
            handovers: Vec::new(),
            pause_reason: None,
            announcements: Vec::new(),
            acted: Acted::new(by, action, case, tasks),
        }
    }
}

/// Who made a decision and what it was, with the case as it was before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Acted {
    /// The caller (or `svc:<service>` for a worker or another service's event).
    pub by: Actor,
    /// The action's dotted name, e.g. `task.claimed`.
    pub action: &'static str,
    /// The case before.
    pub(super) before: CaseSummary,
}

impl Acted {
    /// `by` does `action` to `case` (with its `tasks`) as they are now.
    pub fn new(by: Actor, action: &'static str, case: &Case, tasks: &[Task]) -> Self {
        Self {
            by,
            action,
            before: CaseSummary {
                state: case.state,
                due_at: case.due_at,
                steps: tasks.iter().map(StepSummary::of).collect(),
            },
        }
    }
}

/// The case's state and appointment, and its steps.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CaseSummary {
    pub(super) state: CaseState,
    pub(super) due_at: OffsetDateTime,
    pub(super) steps: Vec<StepSummary>,
}

/// One step, as the trail shows it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct StepSummary {
    pub(super) id: Uuid,
    pub(super) name: String,
    pub(super) agency: String,
    pub(super) state: TaskState,
    pub(super) due_at: Option<OffsetDateTime>,
    pub(super) paused: bool,
    pub(super) waiting_for_supplement: bool,
    pub(super) outcome: Option<&'static str>,
    pub(super) timeliness: Option<&'static str>,
}

impl StepSummary {
    fn of(t: &Task) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            agency: t.agency.clone(),
            state: t.state,
            due_at: t.due_at,
            paused: t.paused_at.is_some(),
            waiting_for_supplement: t.supplement_requested_at.is_some(),
            outcome: None,
            timeliness: t.timeliness.map(|x| x.as_str()),
        }
    }
}
