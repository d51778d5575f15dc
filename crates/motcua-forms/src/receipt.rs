//! Form 01, the receipt and appointment (Giấy tiếp nhận hồ sơ và hẹn trả kết quả): what the
//! applicant takes home from the counter, proving what was handed in, when, and when the result
//! is due. Laid out as the circular's form.

use crate::heading::{self, SIGN_AND_NAME, Signature};
use crate::parties::{Applicant, Issuer, addressed};
use crate::sheet::{Block, Sheet, body, span};
use crate::vn;
use motcua_pdf::Face;
use time::OffsetDateTime;

const TITLE: &str = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả";

/// A component received with the dossier (thành phần hồ sơ đã nhận).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedComponent {
    /// Its name in the procedure (tên giấy tờ).
    pub name: String,
    /// How it was handed in (hình thức): `electronic`, `paper` or `scanned`.
    pub form: String,
    /// Originals handed in (bản chính), paper, when recorded.
    pub originals: Option<i32>,
    /// Copies handed in (bản sao), paper, when recorded.
    pub copies: Option<i32>,
    /// Files attached (tệp đính kèm).
    pub files: usize,
}

/// Form 01: the receipt and appointment (Giấy tiếp nhận hồ sơ và hẹn trả kết quả).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptForm01 {
    /// The receiving one-stop (bộ phận tiếp nhận và trả kết quả).
    pub issuer: Issuer,
    /// The dossier code (mã hồ sơ).
    pub dossier_code: String,
    /// The procedure's code (mã thủ tục hành chính).
    pub procedure_code: String,
    /// The procedure's name: what is asked (nội dung yêu cầu giải quyết).
    pub procedure_name: String,
    /// Who submitted it (người nộp hồ sơ).
    pub applicant: Applicant,
    /// How it was submitted (hình thức nộp): `counter`, `postal` or `online`.
    pub channel: String,
    /// The components received (thành phần hồ sơ).
    pub components: Vec<ReceivedComponent>,
    /// When it was received (thời gian nhận hồ sơ).
    pub received_at: OffsetDateTime,
    /// When the result is due (thời gian trả kết quả, ngày hẹn trả).
    pub due_at: OffsetDateTime,
    /// The appointment falls in a year whose holidays are not yet published: it may move.
    pub due_provisional: bool,
    /// The officer who received it (người tiếp nhận hồ sơ).
    pub received_by: String,
    /// When the receipt was issued (ngày ký), the place-date line's date.
    pub issued_at: OffsetDateTime,
}

form!(ReceiptForm01, "01", TITLE);

impl ReceiptForm01 {
    fn sheet(&self) -> Sheet {
        let mut s = Sheet::new(format!("{TITLE} {}", self.dossier_code));
        let number = format!("{}/TNHS", self.dossier_code);
        heading::heading(&mut s, &self.issuer, Some(&number), Some(self.issued_at));
        heading::title(&mut s, TITLE, &self.dossier_code);
        s.spans(vec![
            span(self.issuer.agency_name.trim(), Face::Regular),
            span(" tiếp nhận hồ sơ của: ", Face::Bold),
            span(addressed(&self.applicant.name), Face::Regular),
        ]);
        self.applicant.contact_lines(&mut s);
        s.field(
            "Nội dung yêu cầu giải quyết",
            &format!(
                "{} (mã thủ tục: {})",
                self.procedure_name.trim(),
                self.procedure_code.trim()
            ),
        );
        s.field("Hình thức nộp hồ sơ", vn::channel(&self.channel));
        s.spans(vec![span("1. Thành phần hồ sơ nộp gồm:", Face::Bold)]);
        self.components_table(&mut s);
        s.field("2. Số lượng hồ sơ", &format!("{} (bộ)", vn::count(1)));
        s.field(
            "3. Thời gian nhận hồ sơ",
            &vn::clock_and_date(self.received_at),
        );
        s.field(
            "4. Thời gian trả kết quả giải quyết hồ sơ",
            &vn::clock_and_date(self.due_at),
        );
        if self.due_provisional {
            s.text(
                "(Ngày hẹn dự kiến: lịch nghỉ lễ của năm trả kết quả chưa được công bố, ngày hẹn \
                 có thể thay đổi và sẽ được thông báo lại.)",
                body().face(Face::Italic),
            );
        }
        s.field(
            "5. Đăng ký nhận kết quả tại",
            &vn::result_delivery(&self.channel, self.issuer.agency_name.trim()),
        );
        heading::signatures(
            &mut s,
            Some(Signature {
                role: "NGƯỜI NỘP HỒ SƠ",
                note: SIGN_AND_NAME,
                name: Some(&self.applicant.name),
            }),
            Some(Signature {
                role: "NGƯỜI TIẾP NHẬN HỒ SƠ",
                note: SIGN_AND_NAME,
                name: Some(&self.received_by),
            }),
        );
        s
    }

    /// The table of components: STT, name, form, quantity.
    fn components_table(&self, s: &mut Sheet) {
        if self.components.is_empty() {
            s.text("(Không có giấy tờ kèm theo.)", body().face(Face::Italic));
            return;
        }
        let rows = self
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    (i + 1).to_string(),
                    c.name.trim().to_string(),
                    vn::component_form(&c.form, c.originals, c.copies),
                    vn::component_quantity(&c.form, c.originals, c.copies, c.files),
                ]
            })
            .collect();
        s.push(Block::Table {
            // in points: "STT" and the forms fit their columns at 12 pt
            widths: vec![34.0, 228.0, 104.0, 101.7],
            header: vec!["STT", "Tên giấy tờ", "Hình thức", "Số lượng"],
            rows,
            size: 12.0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn form() -> ReceiptForm01 {
        ReceiptForm01 {
            issuer: Issuer {
                agency_code: "000.25.80.H80".into(),
                agency_name: "UBND phường Bến Nghé".into(),
                parent_name: None,
                place: None,
            },
            dossier_code: "000.25.80.H80-261127-0001".into(),
            procedure_code: "1.001193".into(),
            procedure_name: "Đăng ký khai sinh".into(),
            applicant: Applicant {
                name: "Nguyễn Thị Hồng Nhung".into(),
                address: None,
                phone: None,
                email: None,
            },
            channel: "online".into(),
            components: vec![ReceivedComponent {
                name: "Tờ khai đăng ký khai sinh".into(),
                form: "electronic".into(),
                originals: None,
                copies: None,
                files: 1,
            }],
            received_at: datetime!(2026-11-27 07:05 UTC),
            due_at: datetime!(2026-12-04 10:00 UTC),
            due_provisional: false,
            received_by: "Trần Văn Bình".into(),
            issued_at: datetime!(2026-11-27 07:05 UTC),
        }
    }

    #[test]
    fn the_receipt_says_who_what_when_and_where_in_vietnam_time() {
        let text = form().sheet().plain_text();
        assert!(
            text.contains(
                "UBND phường Bến Nghé tiếp nhận hồ sơ của: Ông/Bà Nguyễn Thị Hồng Nhung\n"
            )
        );
        assert!(text.contains("Số: 000.25.80.H80-261127-0001/TNHS\n"));
        assert!(
            text.contains(
                "Nội dung yêu cầu giải quyết: Đăng ký khai sinh (mã thủ tục: 1.001193)\n"
            )
        );
        assert!(text.contains("Hình thức nộp hồ sơ: Trực tuyến\n"));
        assert!(text.contains("1 | Tờ khai đăng ký khai sinh | Điện tử | 01 tệp\n"));
        assert!(text.contains("2. Số lượng hồ sơ: 01 (bộ)\n"));
        assert!(text.contains("3. Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 27/11/2026\n"));
        assert!(text.contains(
            "4. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 04/12/2026\n"
        ));
        assert!(text.contains("5. Đăng ký nhận kết quả tại: Trực tuyến"));
        assert!(text.contains("Ngày 27 tháng 11 năm 2026\n"));
        assert!(!text.contains("dự kiến"));
    }

    #[test]
    fn a_provisional_appointment_is_said_to_be_provisional() {
        let mut f = form();
        f.due_provisional = true;
        assert!(f.sheet().plain_text().contains("(Ngày hẹn dự kiến"));
    }

    #[test]
    fn the_applicant_and_the_officer_sign() {
        let text = form().sheet().plain_text();
        let applicant = text.find("NGƯỜI NỘP HỒ SƠ\n").expect("applicant's block");
        let officer = text
            .find("NGƯỜI TIẾP NHẬN HỒ SƠ\n")
            .expect("officer's block");
        assert!(applicant < officer);
        assert!(text.ends_with("Trần Văn Bình\n"));
    }

    #[test]
    fn a_receipt_without_components_says_so() {
        let mut f = form();
        f.components.clear();
        let s = f.sheet();
        assert!(!s.blocks.iter().any(|b| matches!(b, Block::Table { .. })));
        assert!(s.plain_text().contains("(Không có giấy tờ kèm theo.)"));
    }
}
