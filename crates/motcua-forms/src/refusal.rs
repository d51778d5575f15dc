//! Form 03, the refusal (Phiếu từ chối tiếp nhận giải quyết hồ sơ): a dossier that cannot be
//! received or handled is refused in writing, with every reason, so the applicant knows why and
//! can contest it.

use crate::heading::{self, SIGN_AND_NAME};
use crate::parties::{Applicant, Issuer};
use crate::sheet::{Sheet, body, span};
use motcua_pdf::Face;
use time::OffsetDateTime;

const TITLE: &str = "Phiếu từ chối tiếp nhận giải quyết hồ sơ";

/// Form 03: the refusal (Phiếu từ chối tiếp nhận giải quyết hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalForm03 {
    /// The receiving one-stop that refuses (bộ phận tiếp nhận và trả kết quả).
    pub issuer: Issuer,
    /// The dossier code (mã hồ sơ).
    pub dossier_code: String,
    /// What was asked (nội dung yêu cầu giải quyết).
    pub procedure_name: String,
    /// Who submitted it (người nộp hồ sơ).
    pub applicant: Applicant,
    /// When the dossier was received (thời gian nhận hồ sơ).
    pub received_at: OffsetDateTime,
    /// When it was refused (ngày từ chối), the place-date line's date.
    pub refused_at: OffsetDateTime,
    /// Every reason (lý do từ chối).
    pub reasons: Vec<String>,
    /// The officer who refuses (người tiếp nhận hồ sơ).
    pub refused_by: String,
}

form!(RefusalForm03, "03", TITLE);

impl RefusalForm03 {
    fn sheet(&self) -> Sheet {
        let mut s = Sheet::new(format!("{TITLE} {}", self.dossier_code));
        let number = format!("{}/TCHS", self.dossier_code);
        heading::heading(&mut s, &self.issuer, Some(&number), Some(self.refused_at));
        heading::title(&mut s, TITLE, &self.dossier_code);
        let agency = self.issuer.agency_name.trim();
        self.applicant
            .received_by(&mut s, agency, &self.procedure_name, self.received_at);
        s.text(
            format!(
                "Sau khi xem xét, đối chiếu thành phần hồ sơ của Ông/Bà, {agency} thông báo không \
                 tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:"
            ),
            body(),
        );
        let reasons = self
            .reasons
            .iter()
            .map(|r| r.trim())
            .filter(|r| !r.is_empty());
        for (i, reason) in reasons.enumerate() {
            s.spans(vec![
                span(format!("{}. ", i + 1), Face::Bold),
                span(reason, Face::Regular),
            ]);
        }
        s.text("Xin thông báo cho Ông/Bà được biết và thực hiện./.", body());
        heading::signed_by(
            &mut s,
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            SIGN_AND_NAME,
            &self.refused_by,
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn every_reason_is_numbered_and_blank_ones_are_dropped() {
        let form = RefusalForm03 {
            issuer: Issuer {
                agency_code: "000.25.80.H80".into(),
                agency_name: "UBND phường Bến Nghé".into(),
                parent_name: Some("UBND Quận 1".into()),
                place: None,
            },
            dossier_code: "000.25.80.H80-261127-0001".into(),
            procedure_name: "Đăng ký khai sinh".into(),
            applicant: Applicant {
                name: "Nguyễn Thị Hồng Nhung".into(),
                address: None,
                phone: None,
                email: None,
            },
            received_at: datetime!(2026-11-27 14:05 +07:00),
            refused_at: datetime!(2026-11-27 15:30 +07:00),
            reasons: vec![
                "Không thuộc thẩm quyền".into(),
                " ".into(),
                "Trẻ đã được đăng ký khai sinh".into(),
            ],
            refused_by: "Trần Văn Bình".into(),
        };
        let text = form.sheet().plain_text();
        assert!(text.contains("1. Không thuộc thẩm quyền\n2. Trẻ đã được đăng ký khai sinh\n"));
        assert!(!text.contains("3. "));
        assert!(text.contains("UBND phường Bến Nghé thông báo không tiếp nhận"));
        assert!(text.contains("Số: 000.25.80.H80-261127-0001/TCHS\n"));
        assert!(text.contains("Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 27/11/2026\n"));
        assert!(text.ends_with("Trần Văn Bình\n"));
    }
}
