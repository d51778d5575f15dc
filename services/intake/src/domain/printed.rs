//! What each of a dossier's printed forms says (nội dung biểu mẫu): forms 01–05 filled from
//! the dossier, its receipt as issued, and the document recorded with the change that issued
//! the form. Pure: the handler loads, this fills, `motcua-forms` lays out.

use super::dossier::Dossier;
use motcua_forms as f;
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A form intake issues for a dossier (biểu mẫu 01–05).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormNumber {
    /// 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
    Receipt,
    /// 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
    SupplementRequest,
    /// 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ.
    Refusal,
    /// 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả.
    Apology,
    /// 05 Thông báo dừng giải quyết hồ sơ.
    StopNotice,
}

impl FormNumber {
    /// `01`…`05` as the path names it.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "01" => Self::Receipt,
            "02" => Self::SupplementRequest,
            "03" => Self::Refusal,
            "04" => Self::Apology,
            "05" => Self::StopNotice,
            _ => return None,
        })
    }

    /// Its number.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Receipt => "01",
            Self::SupplementRequest => "02",
            Self::Refusal => "03",
            Self::Apology => "04",
            Self::StopNotice => "05",
        }
    }

    /// The kinds of `dossier_document` that issue it (none for the receipt: it is the
    /// dossier's own).
    pub const fn document_kinds(self) -> &'static [&'static str] {
        match self {
            Self::Receipt => &[],
            Self::SupplementRequest => &["supplement_request_form_02"],
            Self::Refusal => &["refusal_form_03"],
            Self::Apology => &["apology_form_04"],
            Self::StopNotice => &["stop_notice_form_05", "stop_notice"],
        }
    }
}

/// A document recorded with a change (`dossier_document`).
#[derive(Debug, Clone)]
pub struct IssuedDocument {
    /// What it is (`refusal_form_03`, …).
    pub kind: String,
    /// When the change was made.
    pub issued_at: OffsetDateTime,
    /// The account that made it.
    pub issued_by: String,
    /// What the change recorded.
    pub body: Value,
}

/// An agency as a form names it.
#[derive(Debug, Clone)]
pub struct AgencyName {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// A filled form, ready to lay out (any of 01–05).
pub type Filled = Box<dyn f::Form + Send>;

/// Why a stored receipt or document cannot fill its form (a fault of ours, logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfillable(pub String);

/// The receipt as stored with the dossier (form 01's data).
#[derive(Deserialize)]
struct StoredReceipt {
    procedure_name: String,
    #[serde(default)]
    received_by: String,
    due_at: String,
    #[serde(default)]
    due_provisional: bool,
    #[serde(default)]
    components: Vec<StoredComponent>,
}

#[derive(Deserialize)]
struct StoredComponent {
    code: String,
    name: String,
    form: String,
    #[serde(default)]
    files: usize,
    originals: Option<i32>,
    copies: Option<i32>,
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, v: &Value) -> Result<T, Unfillable> {
    serde_json::from_value(v.clone()).map_err(|e| Unfillable(format!("{what}: {e}")))
}

fn instant(what: &str, v: &Value) -> Result<OffsetDateTime, Unfillable> {
    v.as_str()
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .ok_or_else(|| Unfillable(format!("{what}: not an RFC 3339 instant: {v}")))
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn issuer(a: &AgencyName) -> f::Issuer {
    f::Issuer {
        agency_code: a.code.clone(),
        agency_name: a.name.clone(),
        parent_name: None,
        place: None,
    }
}

fn applicant(d: &Dossier) -> f::Applicant {
    f::Applicant {
        name: d.applicant.full_name.clone(),
        address: d.applicant.address.clone(),
        phone: d.applicant.phone.clone(),
        email: d.applicant.email.clone(),
    }
}

/// Form 01 from the dossier and its receipt as issued; `receiving` names the one-stop.
pub fn receipt(d: &Dossier, receiving: &AgencyName) -> Result<Filled, Unfillable> {
    let r: StoredReceipt = parse("receipt", &d.receipt)?;
    Ok(Box::new(f::ReceiptForm01 {
        issuer: issuer(receiving),
        dossier_code: d.code.clone(),
        procedure_code: d.procedure_code.clone(),
        procedure_name: r.procedure_name,
        applicant: applicant(d),
        channel: d.channel.as_str().to_string(),
        components: r
            .components
            .into_iter()
            .map(|c| f::ReceivedComponent {
                name: c.name,
                form: c.form,
                originals: c.originals,
                copies: c.copies,
                files: c.files,
            })
            .collect(),
        received_at: d.received_at,
        due_at: instant("receipt.due_at", &Value::String(r.due_at))?,
        due_provisional: r.due_provisional,
        received_by: r.received_by,
        issued_at: d.received_at,
    }))
}

/// The component's name on the receipt, when it was received.
fn component_name(d: &Dossier, code: &str) -> Option<String> {
    let r: StoredReceipt = parse("receipt", &d.receipt).ok()?;
    r.components
        .into_iter()
        .find(|c| c.code == code)
        .map(|c| c.name)
}

/// Forms 02–05 from the document that issued them; `receiving` names the one-stop and
/// `late_agency` the agency that apologised (form 04; its code is in the document).
pub fn from_document(
    form: FormNumber,
    d: &Dossier,
    doc: &IssuedDocument,
    receiving: &AgencyName,
    late_agency: Option<&AgencyName>,
) -> Result<Filled, Unfillable> {
    let procedure_name = parse::<StoredReceipt>("receipt", &d.receipt)?.procedure_name;
    let b = &doc.body;
    Ok(match form {
        FormNumber::Receipt => return receipt(d, receiving),
        FormNumber::SupplementRequest => {
            #[derive(Deserialize)]
            struct Item {
                component_code: String,
                reason: String,
                defect: Option<String>,
            }
            let items: Vec<Item> = parse("items", b.get("items").unwrap_or(&Value::Null))?;
            Box::new(f::SupplementRequestForm02 {
                issuer: issuer(receiving),
                dossier_code: d.code.clone(),
                procedure_name,
                applicant: applicant(d),
                received_at: d.received_at,
                requested_at: doc.issued_at,
                items: items
                    .into_iter()
                    .map(|i| f::SupplementLine {
                        component_name: component_name(d, &i.component_code),
                        component_code: i.component_code,
                        reason: i.reason,
                        defect: i.defect,
                    })
                    .collect(),
                supplement_deadline: instant(
                    "supplement_deadline",
                    b.get("supplement_deadline").unwrap_or(&Value::Null),
                )?,
                requested_by: doc.issued_by.clone(),
            })
        }
        FormNumber::Refusal => Box::new(f::RefusalForm03 {
            issuer: issuer(receiving),
            dossier_code: d.code.clone(),
            procedure_name,
            applicant: applicant(d),
            received_at: d.received_at,
            refused_at: doc.issued_at,
            reasons: parse("reasons", b.get("reasons").unwrap_or(&Value::Null))?,
            refused_by: doc.issued_by.clone(),
        }),
        FormNumber::Apology => Box::new(f::ApologyForm04 {
            issuer: issuer(late_agency.unwrap_or(receiving)),
            dossier_code: d.code.clone(),
            procedure_name,
            applicant: applicant(d),
            received_at: d.received_at,
            due_before: instant("due_before", b.get("due_before").unwrap_or(&Value::Null))?,
            due_after: instant("due_after", b.get("due_after").unwrap_or(&Value::Null))?,
            reason: text(b, "reason"),
            signed_by: text(b, "by"),
            issued_at: doc.issued_at,
        }),
        FormNumber::StopNotice => {
            let cause = if doc.kind == "stop_notice" {
                f::StopCause::SupplementWindowPassed {
                    supplement_deadline: instant(
                        "supplement_deadline",
                        b.get("supplement_deadline").unwrap_or(&Value::Null),
                    )?,
                }
            } else {
                f::StopCause::Withdrawn {
                    reason: text(b, "reason"),
                }
            };
            Box::new(f::StopNoticeForm05 {
                issuer: issuer(receiving),
                dossier_code: d.code.clone(),
                procedure_name,
                applicant: applicant(d),
                received_at: d.received_at,
                stopped_at: doc.issued_at,
                cause,
                signed_by: doc.issued_by.clone(),
            })
        }
    })
}

/// The agency a form 04 document names as running late.
pub fn late_agency_code(doc: &IssuedDocument) -> Option<String> {
    doc.body
        .get("agency")
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{JUSTICE, WARD, dossier};
    use super::super::status::DossierStatus;
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    fn names(code: &str, name: &str) -> AgencyName {
        AgencyName {
            code: code.into(),
            name: name.into(),
        }
    }

    fn received() -> Dossier {
        let mut d = dossier(DossierStatus::Processing);
        d.receipt = json!({
            "procedure_name": "Thủ tục đăng ký khai sinh", "received_by": "officer-1",
            "due_at": "2026-11-28T10:00:00+07:00", "due_provisional": false,
            "components": [{"code": "GCS", "name": "Giấy chứng sinh", "form": "paper", "files": 0,
                            "originals": 1, "copies": null}]
        });
        d
    }

    fn doc(kind: &str, body: serde_json::Value) -> IssuedDocument {
        IssuedDocument {
            kind: kind.into(),
            issued_at: datetime!(2026-11-30 10:00 +07:00),
            issued_by: "officer-2".into(),
            body,
        }
    }

    #[test]
    fn only_01_to_05_are_intakes_forms_and_each_comes_from_its_own_documents() {
        for n in ["01", "02", "03", "04", "05"] {
            assert_eq!(FormNumber::parse(n).map(FormNumber::as_str), Some(n));
        }
        assert_eq!(FormNumber::parse("06"), None, "form 06 is workflow's");
        assert_eq!(FormNumber::parse("1"), None);
        assert!(FormNumber::Receipt.document_kinds().is_empty());
        assert_eq!(
            FormNumber::StopNotice.document_kinds(),
            ["stop_notice_form_05", "stop_notice"],
            "a withdrawal and a passed supplement window both stop the dossier"
        );
    }

    #[test]
    fn the_receipt_prints_what_was_issued_at_the_counter() {
        let d = received();
        let form = receipt(&d, &names(WARD, "Trung tâm Phục vụ hành chính công")).unwrap();
        assert_eq!(form.number(), "01");
        assert_eq!(
            form.issuer().agency_name,
            "Trung tâm Phục vụ hành chính công"
        );
        let html = form.html();
        for want in [
            "Thủ tục đăng ký khai sinh",
            "Giấy chứng sinh",
            "28/11/2026",
            "officer-1",
        ] {
            assert!(html.contains(want), "{want} missing from {html}");
        }
    }

    #[test]
    fn forms_02_to_05_say_what_their_document_recorded() {
        let d = received();
        let os = names(WARD, "Một cửa");
        let items = doc(
            "supplement_request_form_02",
            json!({"items": [{"component_code": "GCS", "reason": "Bị mờ", "defect": "thiếu dấu"}],
                   "supplement_deadline": "2026-12-21T10:00:00+07:00"}),
        );
        let f = from_document(FormNumber::SupplementRequest, &d, &items, &os, None).unwrap();
        let html = f.html();
        for want in ["Giấy chứng sinh", "Bị mờ", "thiếu dấu", "21/12/2026"] {
            assert!(html.contains(want), "form 02 lacks {want}: {html}");
        }
        let refusal = doc(
            "refusal_form_03",
            json!({"reasons": ["Không thuộc thẩm quyền"]}),
        );
        let f = from_document(FormNumber::Refusal, &d, &refusal, &os, None).unwrap();
        assert!(f.html().contains("Không thuộc thẩm quyền"));
        let late = names(JUSTICE, "Tư pháp - hộ tịch");
        let apology = doc(
            "apology_form_04",
            json!({"reason": "Cần xác minh", "agency": JUSTICE, "by": "head@justice",
                   "due_before": "2026-12-02T09:00:00+07:00", "due_after": "2026-12-04T17:00:00+07:00"}),
        );
        assert_eq!(late_agency_code(&apology).as_deref(), Some(JUSTICE));
        let f = from_document(FormNumber::Apology, &d, &apology, &os, Some(&late)).unwrap();
        assert_eq!(
            f.issuer().agency_code,
            JUSTICE,
            "the agency running late signs form 04"
        );
        assert!(f.html().contains("04/12/2026") && f.html().contains("02/12/2026"));
        let expired = doc(
            "stop_notice",
            json!({"reason": "supplement_deadline_passed", "supplement_deadline": "2026-12-21T10:00:00+07:00"}),
        );
        let f = from_document(FormNumber::StopNotice, &d, &expired, &os, None).unwrap();
        assert!(f.html().contains("21/12/2026"), "{}", f.html());
        let withdrawn = doc(
            "stop_notice_form_05",
            json!({"reason": "Không còn nhu cầu"}),
        );
        let f = from_document(FormNumber::StopNotice, &d, &withdrawn, &os, None).unwrap();
        assert!(f.html().contains("Không còn nhu cầu"));
    }

    #[test]
    fn a_document_that_cannot_fill_its_form_is_an_error_not_a_blank_form() {
        let d = received();
        let os = names(WARD, "Một cửa");
        let broken = doc("supplement_request_form_02", json!({"items": "none"}));
        assert!(from_document(FormNumber::SupplementRequest, &d, &broken, &os, None).is_err());
        let no_date = doc(
            "apology_form_04",
            json!({"reason": "x", "due_before": "soon"}),
        );
        assert!(from_document(FormNumber::Apology, &d, &no_date, &os, None).is_err());
    }
}
