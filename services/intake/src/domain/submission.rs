//! Receiving a dossier (tiếp nhận hồ sơ), `shared/domain.md` §4: only through the one-stop;
//! the applicant, the files and every component checked against the procedure version in force
//! on the receipt date, all problems reported at once; the appointment counted from the
//! receipt with the submission method's own limit on the receiving unit's calendar; then a
//! code from the unit's daily sequence and the receipt (form 01).

use super::change::{ComplianceKind, Refusal};
use super::components::{CheckedComponent, SubmittedComponent, check_handed_in, check_membership};
use super::dossier::{Applicant, Channel, local, rfc3339};
use super::dossier_code::{self, AgencyCodes, CodeFormat};
use super::status::DossierStatus;
use super::{access, applicant, personal_id, submitter};
use motcua_audit::{Actor, AuditEntry};
use motcua_auth::{Caller, Role};
use motcua_calendar::{Deadline, SupplementClockPolicy, TimeLimit, WorkingCalendar};
use motcua_catalogue_client::{Agency, Procedure};
use motcua_problem::{FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// Body of `POST /api/v1/dossiers`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({
    "procedure_code": "1.001193", "receiving_agency": "000.25.80.H80", "channel": "counter",
    "applicant": {"type": "citizen", "full_name": "Nguyễn Văn An", "id_number": "080203001234", "phone": "0912345678"},
    "components": [{"code": "TK", "form": "paper"}, {"code": "GCS", "form": "paper"}]}))]
pub struct SubmitDossier {
    /// Procedure code, e.g. `1.001193`.
    pub procedure_code: String,
    /// The procedure's case (trường hợp) the dossier falls under, when it has cases: its own
    /// components (and time limit, if it has one) apply.
    #[serde(default)]
    pub case_code: Option<String>,
    /// Agency code of the receiving one-stop unit.
    pub receiving_agency: String,
    /// Counter, online or postal.
    pub channel: Channel,
    /// The applicant.
    pub applicant: Applicant,
    /// The components handed in.
    pub components: Vec<SubmittedComponent>,
}

/// The answer to a submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    /// Dossier code, e.g. `000.25.80.H80-261127-0001`.
    pub code: String,
    /// `received`.
    pub status: String,
    /// National status code (2).
    pub status_code: i16,
    /// When it was received (RFC 3339, +07:00).
    pub received_at: String,
    /// The appointment (RFC 3339, +07:00).
    pub due_at: String,
    /// True when the appointment falls in a year whose calendar is not loaded.
    pub due_provisional: bool,
    /// The receipt (Giấy tiếp nhận hồ sơ và hẹn trả kết quả, form 01).
    #[schema(value_type = super::receipt::ReceiptForm)]
    pub receipt: Value,
}

/// What the submission decision reads.
pub struct SubmissionInput<'a> {
    /// Who submits.
    pub caller: &'a Caller,
    /// What was submitted.
    pub request: &'a SubmitDossier,
    /// The receiving agency as the catalogue knows it today (`None`: unknown).
    pub agency: Option<&'a Agency>,
    /// The procedure version in force on the receipt date (`None`: none).
    pub procedure: Option<&'a Procedure>,
    /// The receiving agency's working calendar.
    pub calendar: Option<&'a WorkingCalendar>,
    /// The receipt instant.
    pub now: OffsetDateTime,
    /// The dossier code format configured.
    pub code_format: &'a CodeFormat,
}

/// A submission that passed every check, waiting for its number in the daily sequence.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The receiving unit (its 01/2018 code; resolved to a successor when retired).
    pub agency: Agency,
    /// Its local receipt date (the sequence's day).
    pub day: Date,
    /// The receipt instant.
    pub received_at: OffsetDateTime,
    /// The appointment.
    pub due: Deadline,
    /// The limit counted.
    pub time_limit: TimeLimit,
    /// The procedure's clock policy after a supplement.
    pub clock_policy: SupplementClockPolicy,
    /// Procedure code, name and version.
    pub procedure: (String, String, u32),
    /// The procedure's field code and level, for reports.
    pub classification: (String, &'static str),
    /// The request's case, channel and applicant.
    pub case_code: Option<String>,
    /// Channel.
    pub channel: Channel,
    /// The applicant.
    pub applicant: Applicant,
    /// The components, checked, with their published names.
    pub components: Vec<(CheckedComponent, String)>,
    /// Who received it.
    pub received_by: String,
    /// Their roles.
    pub roles: Vec<String>,
    /// The agency they act for (for the audit trail).
    pub received_by_agency: Option<String>,
}

fn outside_one_stop(input: &SubmissionInput<'_>, why: &str) -> Refusal {
    let req = input.request;
    let detail = json!({
        "reason": why, "channel": req.channel.as_str(), "receiving_agency": req.receiving_agency,
        "procedure_code": req.procedure_code,
        "roles": input.caller.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
    });
    Refusal::recorded(
        Problem::new(
            &codes::INTAKE_OUTSIDE_ONE_STOP,
            format!("dossiers are received only through the one-stop: {why}"),
        ),
        ComplianceKind::IntakeOutsideOneStop,
        detail,
    )
}

/// The one-stop rule: the caller's role on the channel, a one-stop receiving unit, and an
/// officer acting for that unit.
fn check_one_stop(input: &SubmissionInput<'_>) -> Result<(), Refusal> {
    let (caller, req) = (input.caller, input.request);
    if !access::channel_allows(caller, req.channel) {
        return Err(outside_one_stop(
            input,
            "the caller's role may not receive dossiers on this channel",
        ));
    }
    let Some(a) = input.agency else { return Ok(()) };
    if !a.is_one_stop() {
        return Err(outside_one_stop(
            input,
            "the receiving agency is not a one-stop unit",
        ));
    }
    let acts_for = caller.agency.as_deref();
    if caller.has(Role::OneStopOfficer)
        && req.channel != Channel::Online
        && acts_for != Some(a.code.as_str())
        && acts_for != Some(req.receiving_agency.as_str())
    {
        return Err(Problem::new(
            &codes::AGENCY_NOT_ALLOWED,
            format!(
                "the officer acts for {}, not for {}",
                acts_for.unwrap_or("no agency"),
                a.code
            ),
        )
        .into());
    }
    Ok(())
}

/// Problems with the procedure, its case and the method; the limit when there are none.
fn check_procedure(input: &SubmissionInput<'_>, errors: &mut Vec<FieldError>) -> Option<TimeLimit> {
    let req = input.request;
    let Some(p) = input.procedure else {
        errors.push(FieldError::new(
            "procedure_code",
            &codes::PROCEDURE_NOT_IN_FORCE,
            format!(
                "không có thủ tục {} có hiệu lực ngày {}",
                req.procedure_code,
                local(input.now).date()
            ),
        ));
        return None;
    };
    let case = req.case_code.as_deref().map(|c| (c, p.case(c)));
    if let Some((c, None)) = case {
        errors.push(FieldError::new(
            "case_code",
            &codes::CASE_UNKNOWN,
            format!("thủ tục không có trường hợp {c}"),
        ));
    }
    let limit = p.time_limit_for(req.channel.method(), case.and_then(|c| c.1));
    if limit.is_none() {
        errors.push(FieldError::new(
            "channel",
            &codes::METHOD_NOT_OFFERED,
            format!(
                "thủ tục không tiếp nhận qua hình thức {}",
                req.channel.as_str()
            ),
        ));
    }
    limit
}

/// Decides a submission: refused (with every problem at once), or accepted with its appointment.
pub fn decide(input: &SubmissionInput<'_>) -> Result<Accepted, Refusal> {
    check_one_stop(input)?;
    let req = input.request;
    let today = local(input.now).date();
    let mut errors = applicant::check(&req.applicant, today.year());
    errors.extend(submitter::check(
        input.caller,
        req.channel,
        &req.applicant,
        today.year(),
    )?);
    let published = input
        .procedure
        .map(|p| {
            p.components_for(req.case_code.as_deref().and_then(|c| p.case(c)))
                .to_vec()
        })
        .unwrap_or_default();
    let handed_in = check_handed_in(&req.components, &published);
    errors.extend(handed_in.errors);
    if input.agency.is_none() {
        errors.push(FieldError::new(
            "receiving_agency",
            &codes::AGENCY_UNKNOWN,
            "không có cơ quan này",
        ));
    }
    let limit = check_procedure(input, &mut errors);
    let mut component_errors = Vec::new();
    if input.procedure.is_some() {
        component_errors = check_membership(&req.components, &published);
        component_errors.extend(handed_in.component_errors);
    }
    if let Some(a) = input.agency
        && dossier_code::format(input.code_format, codes_of(a), today, 1).is_err()
    {
        errors.push(FieldError::new(
            "receiving_agency",
            &codes::AGENCY_CODE_04_MISSING_FIELD,
            "thiếu mã cơ quan theo Thông tư 04/2025",
        ));
    }
    let (Some(agency), Some(procedure), Some(limit), Some(cal), true, true) = (
        input.agency,
        input.procedure,
        limit,
        input.calendar,
        errors.is_empty(),
        component_errors.is_empty(),
    ) else {
        return Err(invalid(errors, component_errors).into());
    };
    let names = |code: &str| {
        published
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    Ok(Accepted {
        agency: agency.clone(),
        day: today,
        received_at: input.now,
        due: cal.deadline(input.now, &limit),
        time_limit: limit,
        clock_policy: procedure.clock_policy,
        procedure: (
            procedure.code.clone(),
            procedure.name.clone(),
            procedure.version,
        ),
        classification: (procedure.field.clone(), procedure.level.as_str()),
        case_code: req.case_code.clone(),
        channel: req.channel,
        applicant: req.applicant.clone(),
        components: handed_in
            .checked
            .into_iter()
            .map(|c| {
                let n = names(&c.code);
                (c, n)
            })
            .collect(),
        received_by: input.caller.sub.clone(),
        roles: input.caller.role_names(),
        received_by_agency: input.caller.agency.clone(),
    })
}

/// The 422 for a refused submission: `components_invalid` when only components are at fault.
fn invalid(mut errors: Vec<FieldError>, component_errors: Vec<FieldError>) -> Problem {
    let code = if errors.is_empty() {
        &codes::COMPONENTS_INVALID
    } else {
        &codes::VALIDATION_FAILED
    };
    errors.extend(component_errors);
    Problem::new(code, format!("{} problem(s) in the dossier", errors.len())).with_errors(errors)
}

fn codes_of(a: &Agency) -> AgencyCodes<'_> {
    AgencyCodes {
        circular_01: &a.code,
        circular_04: a.code_04_2025.as_deref(),
    }
}

/// A dossier with its code, ready to store.
#[derive(Debug, Clone)]
pub struct IssuedDossier<'a> {
    /// The submission.
    pub accepted: &'a Accepted,
    /// Its code.
    pub code: String,
    /// Status (received).
    pub status: DossierStatus,
    /// The receipt (form 01).
    pub receipt: Value,
    /// Last four digits of the applicant's ID.
    pub applicant_id_last4: String,
    /// The answer (also stored for idempotent replays).
    pub answer: Value,
}

impl IssuedDossier<'_> {
    /// Its audit record (`dossier.received`): who received it, and the procedure, unit,
    /// channel and status — never the applicant's ID number or phone.
    pub fn audit_entry(&self) -> AuditEntry {
        let a = self.accepted;
        AuditEntry {
            actor: Actor {
                sub: a.received_by.clone(),
                roles: a.roles.clone(),
                agency: a.received_by_agency.clone(),
            },
            action: "dossier.received".into(),
            target: self.code.clone(),
            at: a.received_at,
            before: None,
            after: Some(json!({
                "procedure": a.procedure.0, "procedure_version": a.procedure.2,
                "case": a.case_code, "agency": a.agency.code, "channel": a.channel.as_str(),
                "status": self.status.as_str(), "due_at": rfc3339(a.due.at),
            })),
        }
    }

    /// The dossier as it is stored at receipt (what every later decision starts from).
    pub fn dossier(&self) -> super::dossier::Dossier {
        let a = self.accepted;
        super::dossier::Dossier {
            code: self.code.clone(),
            procedure_code: a.procedure.0.clone(),
            procedure_version: i32::try_from(a.procedure.2).unwrap_or(i32::MAX),
            receiving_agency: a.agency.code.clone(),
            channel: a.channel,
            status: self.status,
            applicant: a.applicant.clone(),
            applicant_id_last4: self.applicant_id_last4.clone(),
            received_at: a.received_at,
            due: a.due,
            submitted_by: a.received_by.clone(),
            time_limit: a.time_limit,
            clock_policy: a.clock_policy,
            clock_paused_at: None,
            resume_status: None,
            case_completed_at: None,
            case_code: a.case_code.clone(),
            receipt: self.receipt.clone(),
        }
    }

    /// The `dossier.received` event announcing it to workflow and reporting.
    pub fn received_event(&self) -> motcua_events::DossierReceived {
        let a = self.accepted;
        motcua_events::DossierReceived {
            dossier_code: self.code.clone(),
            procedure_code: a.procedure.0.clone(),
            procedure_version: i32::try_from(a.procedure.2).unwrap_or(i32::MAX),
            receiving_agency: a.agency.code.clone(),
            channel: a.channel.as_str().to_string(),
            received_at: local(a.received_at),
            due_at: local(a.due.at),
            due_provisional: a.due.provisional,
            paper_components: a
                .components
                .iter()
                .any(|(c, _)| c.form == super::dossier::Form::Paper),
            field: a.classification.0.clone(),
            level: a.classification.1.to_string(),
            submitted_by: a.received_by.clone(),
        }
    }
}

impl Accepted {
    /// Issues the dossier with number `seq` of its unit's day: the code, the receipt, the answer.
    pub fn issue(&self, format: &CodeFormat, seq: i32) -> Result<IssuedDossier<'_>, Problem> {
        let number = u32::try_from(seq).map_err(|_| Problem::internal())?;
        let code = dossier_code::format(format, codes_of(&self.agency), self.day, number)
            .map_err(|_| Problem::internal())?;
        let receipt = self.receipt(&code);
        let status = DossierStatus::Received;
        let answer = serde_json::to_value(Submitted {
            code: code.clone(),
            status: status.as_str().into(),
            status_code: status.code(),
            received_at: rfc3339(self.received_at),
            due_at: rfc3339(self.due.at),
            due_provisional: self.due.provisional,
            receipt: receipt.clone(),
        })
        .map_err(|e| {
            tracing::error!(error = %e, "submission answer not serialisable");
            Problem::internal()
        })?;
        Ok(IssuedDossier {
            applicant_id_last4: personal_id::last4(&self.applicant.id_number),
            accepted: self,
            code,
            status,
            receipt,
            answer,
        })
    }

    /// Form 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả) with its code.
    fn receipt(&self, code: &str) -> Value {
        let a = &self.applicant;
        let form = super::receipt::ReceiptForm {
            form: "01",
            title: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            dossier_code: code.to_string(),
            procedure_code: self.procedure.0.clone(),
            procedure_name: self.procedure.1.clone(),
            field: self.classification.0.clone(),
            case_code: self.case_code.clone(),
            receiving_agency: self.agency.code.clone(),
            receiving_agency_name: self.agency.name.clone(),
            applicant_name: a.full_name.clone(),
            applicant_address: a.address.clone(),
            applicant_phone: a.phone.clone(),
            applicant_email: a.email.clone(),
            channel: self.channel.as_str(),
            received_at: rfc3339(self.received_at),
            due_at: rfc3339(self.due.at),
            due_provisional: self.due.provisional,
            appointment_at: rfc3339(self.due.at),
            appointment_provisional: self.due.provisional,
            components: self
                .components
                .iter()
                .map(|(c, name)| super::receipt::ReceiptComponent {
                    code: c.code.clone(),
                    name: name.clone(),
                    form: c.form.as_str(),
                    files: c.files.len(),
                    originals: c.originals,
                    copies: c.copies,
                })
                .collect(),
            received_by: self.received_by.clone(),
        };
        serde_json::to_value(form).unwrap_or_default()
    }
}

#[cfg(test)]
#[path = "submission_tests.rs"]
mod tests;
