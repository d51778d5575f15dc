//! The case behind a received dossier (hồ sơ đang giải quyết) and its steps (bước xử lý), as
//! stored, parsed once: states are enums, budgets are working durations.

use motcua_calendar::{Timeliness, WorkingDuration};
use time::OffsetDateTime;
use uuid::Uuid;

use super::plan::TaskKind;

/// Where a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseState {
    /// Agencies are working on it (or it waits to be forwarded).
    Open,
    /// Waiting for the applicant (supplement, payment): every step's clock is stopped.
    Paused,
    /// Every processing step is done: the result is at the one-stop.
    Completed,
    /// Ended (result returned, refused, withdrawn, stopped).
    Closed,
}

impl CaseState {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::Closed => "closed",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Paused, Self::Completed, Self::Closed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Where a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    /// Its block has not started.
    Pending,
    /// At its agency, nobody holds it.
    Open,
    /// Someone at its agency holds it.
    Claimed,
    /// Finished.
    Done,
    /// The case ended before it was done.
    Cancelled,
}

impl TaskState {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Open => "open",
            Self::Claimed => "claimed",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Open,
            Self::Claimed,
            Self::Done,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// At its agency now (open or claimed).
    pub const fn is_running(self) -> bool {
        matches!(self, Self::Open | Self::Claimed)
    }

    /// Not finished (pending, open or claimed).
    pub const fn is_unfinished(self) -> bool {
        matches!(self, Self::Pending | Self::Open | Self::Claimed)
    }
}

/// A case.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Case id.
    pub id: Uuid,
    /// Its dossier.
    pub dossier_code: String,
    /// Procedure code.
    pub procedure_code: String,
    /// The receiving one-stop unit.
    pub receiving_agency: String,
    /// Where it is.
    pub state: CaseState,
    /// When the dossier was received.
    pub received_at: OffsetDateTime,
    /// The dossier's appointment (as intake last announced it, or as re-appointed).
    pub due_at: OffsetDateTime,
    /// When the dossier goes (went) to the first agencies.
    pub forward_at: Option<OffsetDateTime>,
    /// The deadline of that forwarding.
    pub forward_due: Option<OffsetDateTime>,
    /// When it was forwarded.
    pub forwarded_at: Option<OffsetDateTime>,
    /// Waiting for the applicant since.
    pub paused_at: Option<OffsetDateTime>,
    /// The dossier's main clock stopped since (a step that pauses it runs).
    pub main_clock_paused_at: Option<OffsetDateTime>,
    /// When every processing step was done.
    pub completed_at: Option<OffsetDateTime>,
}

/// A step of a case.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Task id.
    pub id: Uuid,
    /// Its case.
    pub case_id: Uuid,
    /// Its dossier.
    pub dossier_code: String,
    /// Position in the template.
    pub position: i32,
    /// Its block (steps of a block run in parallel).
    pub block: i32,
    /// Step name.
    pub name: String,
    /// Owner agency.
    pub agency: String,
    /// Sector, if any.
    pub sector: Option<String>,
    /// Reception, processing or hand-back.
    pub kind: TaskKind,
    /// Its budget.
    pub budget: WorkingDuration,
    /// Where it is.
    pub state: TaskState,
    /// Who holds it.
    pub claimed_by: Option<String>,
    /// When its block started.
    pub opened_at: Option<OffsetDateTime>,
    /// Its deadline (moved only by the case's waits, each recorded).
    pub due_at: Option<OffsetDateTime>,
    /// Its clock is stopped since (the case waits).
    pub paused_at: Option<OffsetDateTime>,
    /// Working minutes its deadline moved in all.
    pub paused_minutes: i64,
    /// It runs while the dossier's main clock is stopped.
    pub pauses_main_clock: bool,
    /// When it was finished.
    pub completed_at: Option<OffsetDateTime>,
    /// Early, on time or late.
    pub timeliness: Option<Timeliness>,
    /// Working minutes it finished past its deadline.
    pub lateness_minutes: Option<i64>,
    /// It returned the dossier for supplement, waiting for the applicant since.
    pub supplement_requested_at: Option<OffsetDateTime>,
}

/// May `caller` see this case (its view, its control slip, an apology on it)? Inspectors and
/// admins any; anyone else only as staff of the receiving agency or of an agency with a step in
/// it. A case the caller may not see answers as one that does not exist (no oracle on dossier
/// codes); which roles get this far at all is the gate's (`motcua_auth::matrix`).
pub fn visible_to(caller: &motcua_auth::Caller, case: &Case, tasks: &[Task]) -> bool {
    use motcua_auth::Role;
    if caller.has_any(&[Role::Inspector, Role::Admin]) {
        return true;
    }
    let a = caller.agency.as_deref().unwrap_or_default();
    !a.is_empty() && (a == case.receiving_agency || tasks.iter().any(|t| t.agency == a))
}
