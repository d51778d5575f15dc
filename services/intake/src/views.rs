//! What intake's dossier resource answers (hồ sơ, sổ theo dõi): the typed bodies its OpenAPI
//! document shows, built here from the stored rows, so that the documented schema is the very
//! type the handler serialises and cannot drift from it.

use crate::domain::dossier::{Applicant, ApplicantType, Channel, Dossier, rfc3339};
use crate::store;
use motcua_proto::connector::v1 as connector;
use motcua_proto::timestamp::to_proto;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// A dossier as staff, its applicant and inspectors read it (hồ sơ).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DossierView {
    /// Dossier code (mã hồ sơ).
    code: String,
    /// Procedure code (mã thủ tục).
    procedure_code: String,
    /// The procedure's version it was received under.
    procedure_version: i32,
    /// The one-stop agency that received it.
    receiving_agency: String,
    /// How it was submitted.
    channel: Channel,
    /// Status (trạng thái), e.g. `processing`.
    status: String,
    /// The national status code 1–10.
    status_code: i16,
    /// The applicant (người nộp hồ sơ).
    applicant: Applicant,
    /// Receipt instant (RFC 3339, +07:00).
    received_at: String,
    /// Appointment for the result (ngày hẹn trả, RFC 3339, +07:00).
    due_at: String,
    /// True when the appointment falls in a year whose calendar is not loaded yet.
    due_provisional: bool,
    /// Its components (thành phần hồ sơ) with their files' metadata.
    components: Vec<ComponentView>,
    /// The supplement request (yêu cầu bổ sung), if one was issued.
    supplement_request: Option<SupplementRequestView>,
    /// Every change, oldest first (lịch sử xử lý).
    history: Vec<store::dossiers::HistoryEntry>,
    /// What the applicant was told and whether it reached them (not where).
    notices: Vec<NoticeView>,
}

/// One component as stored.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ComponentView {
    /// The procedure's component code.
    component_code: String,
    /// `electronic`, `paper` or `scanned`.
    form: String,
    /// Scanning status of a paper component.
    scan_status: String,
    /// 0 at receipt, 1 for the supplement.
    round: i16,
    /// Its files (name, media type, sha256), without content.
    files: Vec<FileMeta>,
}

/// A file's metadata.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub(crate) struct FileMeta {
    /// What `GET /api/v1/dossiers/{code}/files/{file_id}` takes: `<position>-<index>`.
    #[serde(default)]
    id: String,
    /// Size in bytes.
    #[serde(default)]
    size: i64,
    /// File name.
    name: String,
    /// Media type, e.g. `application/pdf`.
    media_type: String,
    /// SHA-256 of the content, hex.
    sha256: String,
}

/// The supplement request as the dossier view shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SupplementRequestView {
    /// When it was issued (RFC 3339).
    requested_at: String,
    /// Who issued it.
    requested_by: String,
    /// The agency that asked, when not the one-stop.
    requested_by_agency: Option<String>,
    /// What must be supplemented and why.
    items: Vec<crate::domain::supplement_items::SupplementItem>,
    /// The applicant's window closes then (RFC 3339).
    deadline_at: String,
    /// When the applicant answered.
    answered_at: Option<String>,
    /// When it closed without an answer.
    expired_at: Option<String>,
}

/// A notice sent to the applicant.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NoticeView {
    /// The template, e.g. `dossier_received`.
    template: String,
    /// `email` or `sms`.
    channel: String,
    /// `pending`, `sent`, `failed` or `unsent`.
    status: String,
    /// Attempts so far.
    attempts: i32,
    /// When it was sent.
    sent_at: Option<String>,
    /// The last failure.
    last_error: Option<String>,
}

/// Everything the dossier view is made of, as loaded.
pub(crate) struct Loaded {
    pub(crate) dossier: Dossier,
    pub(crate) components: Vec<store::dossiers::ComponentRow>,
    pub(crate) supplement: Option<store::supplements::RequestView>,
    pub(crate) history: Vec<store::dossiers::HistoryEntry>,
    pub(crate) notices: Vec<motcua_notify::Delivery>,
}

impl DossierView {
    /// The view of what was loaded.
    pub(crate) fn of(l: Loaded) -> Self {
        let d = l.dossier;
        Self {
            status: d.status.as_str().to_string(),
            status_code: d.status.code(),
            received_at: rfc3339(d.received_at),
            due_at: rfc3339(d.due.at),
            due_provisional: d.due.provisional,
            components: l.components.into_iter().map(ComponentView::of).collect(),
            supplement_request: l.supplement.map(SupplementRequestView::of),
            history: l.history,
            notices: l.notices.into_iter().map(NoticeView::of).collect(),
            code: d.code,
            procedure_code: d.procedure_code,
            procedure_version: d.procedure_version,
            receiving_agency: d.receiving_agency,
            channel: d.channel,
            applicant: d.applicant,
        }
    }
}

impl ComponentView {
    fn of(c: store::dossiers::ComponentRow) -> Self {
        Self {
            files: serde_json::from_value(c.files).unwrap_or_default(),
            component_code: c.component_code,
            form: c.form,
            scan_status: c.scan_status,
            round: c.round,
        }
    }
}

impl SupplementRequestView {
    fn of(r: store::supplements::RequestView) -> Self {
        let time = |t: Option<OffsetDateTime>| t.map(rfc3339);
        Self {
            requested_at: rfc3339(r.requested_at),
            requested_by: r.requested_by,
            requested_by_agency: r.requested_by_agency,
            items: serde_json::from_value(r.items).unwrap_or_default(),
            deadline_at: rfc3339(r.deadline_at),
            answered_at: time(r.answered_at),
            expired_at: time(r.expired_at),
        }
    }
}

impl NoticeView {
    fn of(n: motcua_notify::Delivery) -> Self {
        Self {
            template: n.template,
            channel: n.channel,
            status: n.status,
            attempts: n.attempts,
            sent_at: n.sent_at.map(rfc3339),
            last_error: n.last_error,
        }
    }
}

/// A dossier's contents as a sector system's step needs them (`GetDossierContents`, relayed by
/// workflow's connector): the same applicant, components and file descriptions as
/// [`DossierView`], without its history, notices or supplement request.
pub(crate) fn connector_dossier(
    d: Dossier,
    components: Vec<store::dossiers::ComponentRow>,
) -> connector::Dossier {
    let a = d.applicant;
    let kind = match a.kind {
        ApplicantType::Citizen => "citizen",
        ApplicantType::Organisation => "organisation",
    };
    connector::Dossier {
        status: d.status.as_str().to_string(),
        status_code: u32::from(d.status.code().unsigned_abs()),
        received_at: Some(to_proto(d.received_at)),
        due_at: Some(to_proto(d.due.at)),
        channel: d.channel.as_str().to_string(),
        code: d.code,
        procedure_code: d.procedure_code,
        receiving_agency: d.receiving_agency,
        applicant: Some(connector::Applicant {
            r#type: kind.to_string(),
            full_name: a.full_name,
            id_number: a.id_number,
            phone: a.phone.unwrap_or_default(),
            email: a.email.unwrap_or_default(),
            address: a.address.unwrap_or_default(),
        }),
        components: components
            .into_iter()
            .map(|c| {
                let c = ComponentView::of(c);
                connector::DossierComponent {
                    code: c.component_code,
                    form: c.form,
                    round: u32::from(c.round.unsigned_abs()),
                    files: c.files.into_iter().map(FileMeta::into_connector).collect(),
                }
            })
            .collect(),
    }
}

impl FileMeta {
    fn into_connector(self) -> connector::DossierFile {
        connector::DossierFile {
            id: self.id,
            name: self.name,
            media_type: self.media_type,
            size: u64::try_from(self.size).unwrap_or(0),
            sha256: self.sha256,
        }
    }
}

/// One page of the register (sổ theo dõi hồ sơ).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RegisterPage {
    /// The dossiers, newest first.
    items: Vec<RegisterEntry>,
    /// Pass as `cursor` for the next page; null on the last one.
    next_cursor: Option<String>,
}

/// One line of the register.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RegisterEntry {
    /// Dossier code.
    code: String,
    /// Procedure code.
    procedure_code: String,
    /// The one-stop agency that received it.
    receiving_agency: String,
    /// How it was submitted.
    channel: String,
    /// Status.
    status: String,
    /// The national status code 1–10.
    status_code: i16,
    /// The applicant's name.
    applicant_name: Option<String>,
    /// Receipt instant (RFC 3339).
    received_at: String,
    /// Appointment (RFC 3339).
    due_at: String,
}

impl RegisterPage {
    /// A page of register rows and the cursor of the next one.
    pub(crate) fn of(rows: &[store::register::RegisterRow], next_cursor: Option<String>) -> Self {
        let items = rows
            .iter()
            .map(|r| RegisterEntry {
                code: r.code.clone(),
                procedure_code: r.procedure_code.clone(),
                receiving_agency: r.receiving_agency.clone(),
                channel: r.channel.clone(),
                status: r.status.clone(),
                status_code: r.status_code,
                applicant_name: r.applicant_name.clone(),
                received_at: rfc3339(r.received_at),
                due_at: rfc3339(r.due_at),
            })
            .collect();
        Self { items, next_cursor }
    }
}
