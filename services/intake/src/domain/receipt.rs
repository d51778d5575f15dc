//! The receipt (Giấy tiếp nhận hồ sơ và hẹn trả kết quả, form 01 of Circular 01/2018) as the
//! API answers it: the typed shape of what is stored with the dossier at receipt and shown by
//! `GET /api/v1/dossiers/{code}/receipt`.

use serde::Serialize;
use utoipa::ToSchema;

/// Form 01: what the applicant takes home from the counter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptForm {
    /// Always `01`.
    pub form: &'static str,
    /// The form's title.
    pub title: &'static str,
    /// Dossier code (mã hồ sơ).
    pub dossier_code: String,
    /// Procedure code.
    pub procedure_code: String,
    /// Procedure name.
    pub procedure_name: String,
    /// The procedure's field (lĩnh vực).
    pub field: String,
    /// The procedure's case the applicant chose (trường hợp), if it has cases.
    pub case_code: Option<String>,
    /// Receiving one-stop agency code.
    pub receiving_agency: String,
    /// Its name.
    pub receiving_agency_name: String,
    /// Applicant's full name.
    pub applicant_name: String,
    /// Applicant's address.
    pub applicant_address: Option<String>,
    /// Applicant's phone.
    pub applicant_phone: Option<String>,
    /// Applicant's e-mail.
    pub applicant_email: Option<String>,
    /// `counter`, `postal` or `online`.
    pub channel: &'static str,
    /// Receipt instant (RFC 3339, +07:00).
    pub received_at: String,
    /// Appointment for the result (ngày hẹn trả, RFC 3339, +07:00): `due_at` as everywhere.
    pub due_at: String,
    /// True when the appointment falls in a year whose calendar is not loaded.
    pub due_provisional: bool,
    /// The same as `due_at`, under the form's former name; read `due_at`.
    #[schema(deprecated)]
    pub appointment_at: String,
    /// The same as `due_provisional`, under its former name; read `due_provisional`.
    #[schema(deprecated)]
    pub appointment_provisional: bool,
    /// The components received.
    pub components: Vec<ReceiptComponent>,
    /// Who received it.
    pub received_by: String,
}

/// One component as the receipt lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptComponent {
    /// Component code.
    pub code: String,
    /// Its name in the procedure.
    pub name: String,
    /// `electronic`, `paper` or `scanned`.
    pub form: &'static str,
    /// Number of files attached.
    pub files: usize,
    /// Originals handed in (paper), when recorded.
    pub originals: Option<i32>,
    /// Copies handed in (paper), when recorded.
    pub copies: Option<i32>,
}
