//! What a decision about a received dossier returns (quyết định): the change of its status and
//! clock, the document issued, the supplement request written or answered, the components
//! added, and the compliance events to record — everything the store writes in one
//! transaction — or a refusal with the problem to answer and, where the attempt itself breaks
//! a rule, the compliance event to record anyway.

use super::components::CheckedComponent;
use super::dossier::{Dossier, rfc3339};
use super::status::DossierStatus;
use super::supplement_items::SupplementItem;
use super::transition::Action;
use motcua_audit::{Actor, AuditEntry};
use motcua_calendar::Deadline;
use motcua_problem::Problem;
use serde_json::{Value, json};
use time::OffsetDateTime;

/// A kind of rule violation attempted or detected (vi phạm), reported to inspectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceKind {
    /// A dossier offered outside the one-stop.
    IntakeOutsideOneStop,
    /// A supplement request citing a component not in the procedure, or a document held in a national database.
    ExtraComponentRequested,
    /// A second supplement request for one dossier.
    SecondSupplementRequest,
    /// A supplement request later than the allowed working time after receipt.
    LateSupplementRequest,
}

impl ComplianceKind {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::IntakeOutsideOneStop => "intake_outside_one_stop",
            Self::ExtraComponentRequested => "extra_component_requested",
            Self::SecondSupplementRequest => "second_supplement_request",
            Self::LateSupplementRequest => "late_supplement_request",
        }
    }
}

/// A compliance event to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Compliance {
    /// What was attempted or detected.
    pub kind: ComplianceKind,
    /// Details (the dossier code, the items, the delay…).
    pub detail: Value,
}

/// A decision that refuses: the problem to answer and, when the attempt breaks a rule, the
/// compliance event recorded although nothing else is written.
#[derive(Debug)]
pub struct Refusal {
    /// What the caller is told.
    pub problem: Problem,
    /// What inspectors are told.
    pub compliance: Option<Compliance>,
}

impl From<Problem> for Refusal {
    fn from(problem: Problem) -> Self {
        Self {
            problem,
            compliance: None,
        }
    }
}

impl Refusal {
    /// A refusal that is also recorded as a compliance event.
    pub fn recorded(problem: Problem, kind: ComplianceKind, detail: Value) -> Self {
        Self {
            problem,
            compliance: Some(Compliance { kind, detail }),
        }
    }
}

/// One change of a dossier's status (and clock), written with a history row and announced.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The dossier.
    pub code: String,
    /// What happened.
    pub action: Action,
    /// Status before.
    pub from: DossierStatus,
    /// Status after (may equal `from`: a recorded event that moves only the clock).
    pub to: DossierStatus,
    /// Who did it: the caller (subject, roles, agency), or a service acting on its own
    /// (`svc:workflow` applying its events, `svc:intake`'s expiry worker).
    pub actor: Actor,
    /// When.
    pub at: OffsetDateTime,
    /// The appointment after the change.
    pub due: Deadline,
    /// Since when the clock waits, after the change.
    pub clock_paused_at: Option<OffsetDateTime>,
    /// Where a waiting dossier returns, after the change.
    pub resume_status: Option<DossierStatus>,
    /// Details for the history, the event and the answer.
    pub detail: Value,
    /// The event type announcing it to workflow and reporting; `None` for a change that only
    /// follows workflow (nothing new to announce).
    pub event: Option<&'static str>,
}

impl Change {
    /// A change of `d` to `to` that keeps its appointment and ends any wait.
    pub fn of(
        d: &Dossier,
        action: Action,
        to: DossierStatus,
        actor: &Actor,
        at: OffsetDateTime,
    ) -> Self {
        Self {
            code: d.code.clone(),
            action,
            from: d.status,
            to,
            actor: actor.clone(),
            at,
            due: d.due,
            clock_paused_at: None,
            resume_status: None,
            detail: json!({}),
            event: None,
        }
    }

    /// The same change, announced as `event`.
    pub fn announced(mut self, event: &'static str) -> Self {
        self.event = Some(event);
        self
    }

    /// The same change with its details.
    pub fn with_detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }

    /// The answer to the client that asked for it (stored with its idempotency key).
    pub fn answer(&self) -> Value {
        serde_json::to_value(DossierChanged {
            code: self.code.clone(),
            action: self.action.as_str(),
            status: self.to.as_str(),
            status_code: self.to.code(),
            due_at: rfc3339(self.due.at),
            detail: self.detail.clone(),
        })
        .unwrap_or_default()
    }

    /// Its audit record: who, the action on the dossier, the status before and after with the
    /// appointment and the details (which never hold the personal ID number or a phone).
    pub fn audit_entry(&self) -> AuditEntry {
        AuditEntry {
            actor: self.actor.clone(),
            action: self.action.as_str().to_string(),
            target: self.code.clone(),
            at: self.at,
            before: Some(json!({ "status": self.from.as_str() })),
            after: Some(json!({
                "status": self.to.as_str(),
                "due_at": rfc3339(self.due.at),
                "detail": self.detail,
            })),
        }
    }

    /// The payload of its event.
    pub fn event_payload(&self) -> motcua_events::DossierStatusChanged {
        motcua_events::DossierStatusChanged {
            dossier_code: self.code.clone(),
            action: self.action.as_str().into(),
            from_status: self.from.as_str().into(),
            to_status: self.to.as_str().into(),
            status_code: self.to.code(),
            at: super::dossier::local(self.at),
            due_at: super::dossier::local(self.due.at),
            detail: self.detail.clone(),
        }
    }
}

/// What an action on a dossier answers (refusal, withdrawal, supplement, payment, hand-back).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DossierChanged {
    /// Dossier code.
    pub code: String,
    /// The action taken, e.g. `refuse`, `request_supplement`, `return_result`.
    pub action: &'static str,
    /// Status after it (trạng thái).
    pub status: &'static str,
    /// The national status code 1–10 after it.
    pub status_code: i16,
    /// The appointment after it (RFC 3339, +07:00); moved by a supplement or a pause.
    pub due_at: String,
    /// The action's details (free-form: each action has its own, e.g. the documents issued).
    #[schema(value_type = Object)]
    pub detail: Value,
}

/// A document issued to the applicant (forms 02, 03, 05, the stop notice, the hand-back).
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Its kind, e.g. `refusal_form_03`.
    pub kind: &'static str,
    /// Its content.
    pub body: Value,
}

/// A supplement request (form 02) to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSupplementRequest {
    /// Every item at once.
    pub items: Vec<SupplementItem>,
    /// The applicant's window closes then.
    pub deadline: Deadline,
    /// The appointment before the request.
    pub due_before: OffsetDateTime,
    /// The agency that asked (a one-stop officer's unit, or the agency holding the dossier).
    pub agency: Option<String>,
}

/// Everything one decision writes, in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct DossierUpdate {
    /// The status change.
    pub change: Change,
    /// A document issued with it.
    pub document: Option<Document>,
    /// A supplement request to insert (at most one per dossier, held by its primary key).
    pub new_supplement_request: Option<NewSupplementRequest>,
    /// The supplement request is answered (the appointment after the answer).
    pub supplement_answered: Option<OffsetDateTime>,
    /// An open supplement request is closed (refused, withdrawn, stopped).
    pub close_supplement_request: bool,
    /// Components added by the applicant's supplement (round 1).
    pub supplemented: Vec<CheckedComponent>,
    /// Workflow finished while the dossier waits: remembered.
    pub case_completed_at: Option<OffsetDateTime>,
    /// Rule violations detected while the action is still allowed.
    pub compliance: Vec<Compliance>,
}

impl DossierUpdate {
    /// An update that is only `change`.
    pub fn of(change: Change) -> Self {
        Self {
            change,
            document: None,
            new_supplement_request: None,
            supplement_answered: None,
            close_supplement_request: false,
            supplemented: Vec::new(),
            case_completed_at: None,
            compliance: Vec::new(),
        }
    }

    /// The same update issuing a document.
    pub fn with_document(mut self, kind: &'static str, body: Value) -> Self {
        self.document = Some(Document { kind, body });
        self
    }
}
