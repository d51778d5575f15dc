//! Who the forms are between (các bên): the agency that issues a form and the applicant it is
//! addressed to, as plain data the services fill, and the applicant's contact lines every
//! form addressed to them repeats.

use crate::sheet::{Sheet, span};
use motcua_pdf::Face;
use time::OffsetDateTime;

/// The agency that issues a form (cơ quan ban hành): the one-stop that received the dossier,
/// or for form 04 the agency running late.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// Its code (mã cơ quan), which key signs its documents.
    pub agency_code: String,
    /// Its name (tên cơ quan), printed in bold capitals in the heading.
    pub agency_name: String,
    /// The body it belongs to (tên cơ quan chủ quản), printed above it, if any.
    pub parent_name: Option<String>,
    /// Where it is (địa danh) for the place-date line, if known.
    pub place: Option<String>,
}

/// The person or organisation that submitted the dossier (tổ chức, cá nhân nộp hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    /// Full name (họ và tên).
    pub name: String,
    /// Address (địa chỉ), if given.
    pub address: Option<String>,
    /// Phone number (số điện thoại), if given.
    pub phone: Option<String>,
    /// E-mail address (thư điện tử), if given.
    pub email: Option<String>,
}

/// How forms address the applicant: `Ông/Bà Nguyễn Thị Hồng Nhung`.
pub(crate) fn addressed(name: &str) -> String {
    format!("Ông/Bà {}", name.trim())
}

fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

impl Applicant {
    /// "<agency> tiếp nhận hồ sơ của: Ông/Bà …" (forms 02 and 03), then [`Self::dossier_lines`].
    pub(crate) fn received_by(
        &self,
        sheet: &mut Sheet,
        agency: &str,
        procedure: &str,
        received_at: OffsetDateTime,
    ) {
        sheet.spans(vec![
            span(agency, Face::Regular),
            span(" tiếp nhận hồ sơ của: ", Face::Bold),
            span(addressed(&self.name), Face::Regular),
        ]);
        self.dossier_lines(sheet, procedure, received_at);
    }

    /// The applicant's contacts, what they asked for and when it was received: the lines every
    /// notice about a received dossier repeats.
    pub(crate) fn dossier_lines(
        &self,
        sheet: &mut Sheet,
        procedure: &str,
        received_at: OffsetDateTime,
    ) {
        self.contact_lines(sheet);
        sheet.field("Nội dung yêu cầu giải quyết", procedure.trim());
        sheet.field(
            "Thời gian nhận hồ sơ",
            &crate::vn::clock_and_date(received_at),
        );
    }

    /// The address line, then phone and e-mail on one line, each only when given.
    pub(crate) fn contact_lines(&self, sheet: &mut Sheet) {
        sheet.field_if("Địa chỉ", self.address.as_deref());
        let mut spans = Vec::new();
        if let Some(phone) = given(self.phone.as_deref()) {
            spans.push(span("Số điện thoại: ", Face::Bold));
            spans.push(span(phone, Face::Regular));
        }
        if let Some(email) = given(self.email.as_deref()) {
            if !spans.is_empty() {
                spans.push(span("; ", Face::Regular));
            }
            spans.push(span("Thư điện tử: ", Face::Bold));
            spans.push(span(email, Face::Regular));
        }
        if !spans.is_empty() {
            sheet.spans(spans);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_lines_show_only_what_was_given() {
        let mut a = Applicant {
            name: "Nguyễn Thị Hồng Nhung".into(),
            address: Some("12 Lê Lợi".into()),
            phone: None,
            email: Some("nhung@example.vn".into()),
        };
        let mut s = Sheet::new(String::new());
        a.contact_lines(&mut s);
        assert_eq!(
            s.plain_text(),
            "Địa chỉ: 12 Lê Lợi\nThư điện tử: nhung@example.vn\n"
        );
        a.phone = Some("0901234567".into());
        let mut s = Sheet::new(String::new());
        a.contact_lines(&mut s);
        assert!(
            s.plain_text()
                .ends_with("Số điện thoại: 0901234567; Thư điện tử: nhung@example.vn\n")
        );
        a.phone = None;
        a.address = Some(" ".into());
        a.email = None;
        let mut s = Sheet::new(String::new());
        a.contact_lines(&mut s);
        assert_eq!(s.plain_text(), "");
        assert_eq!(addressed(" An "), "Ông/Bà An");
    }
}
