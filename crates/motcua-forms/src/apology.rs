//! Form 04, the apology and re-appointment (Phiếu xin lỗi và hẹn lại ngày trả kết quả): the
//! agency that runs late apologises in writing, says why, and gives a new appointment — the
//! circular makes the late agency, not the one-stop, sign it.

use crate::heading::{self, SIGN_AND_SEAL};
use crate::parties::{Applicant, Issuer, addressed};
use crate::sheet::{Sheet, body, span};
use crate::vn;
use motcua_pdf::Face;
use time::OffsetDateTime;

const TITLE: &str = "Phiếu xin lỗi và hẹn lại ngày trả kết quả";

/// Form 04: the apology and re-appointment (Phiếu xin lỗi và hẹn lại ngày trả kết quả).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApologyForm04 {
    /// The agency running late (cơ quan giải quyết hồ sơ quá hạn), which apologises.
    pub issuer: Issuer,
    /// The dossier code (mã hồ sơ).
    pub dossier_code: String,
    /// What is asked (nội dung yêu cầu giải quyết).
    pub procedure_name: String,
    /// Who submitted it (người nộp hồ sơ), to whom the apology goes (kính gửi).
    pub applicant: Applicant,
    /// When the dossier was received (thời gian nhận hồ sơ).
    pub received_at: OffsetDateTime,
    /// The appointment being missed (thời gian hẹn trả kết quả).
    pub due_before: OffsetDateTime,
    /// The new appointment (hẹn lại ngày trả kết quả).
    pub due_after: OffsetDateTime,
    /// Why it is late (lý do chậm trễ).
    pub reason: String,
    /// The head of the agency who signs (thủ trưởng cơ quan).
    pub signed_by: String,
    /// When the apology was issued (ngày ban hành): the place-date line.
    pub issued_at: OffsetDateTime,
}

form!(ApologyForm04, "04", TITLE);

impl ApologyForm04 {
    fn sheet(&self) -> Sheet {
        let mut s = Sheet::new(format!("{TITLE} {}", self.dossier_code));
        let number = format!("{}/XLHS", self.dossier_code);
        heading::heading(&mut s, &self.issuer, Some(&number), Some(self.issued_at));
        heading::title(&mut s, TITLE, &self.dossier_code);
        let agency = self.issuer.agency_name.trim();
        s.field("Kính gửi", &addressed(&self.applicant.name));
        self.applicant.contact_lines(&mut s);
        s.field(
            "Thời gian nhận hồ sơ",
            &vn::clock_and_date(self.received_at),
        );
        s.field("Nội dung yêu cầu giải quyết", self.procedure_name.trim());
        s.field(
            "Thời gian hẹn trả kết quả giải quyết hồ sơ",
            &vn::clock_and_date(self.due_before),
        );
        s.text(
            format!("Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ của Ông/Bà."),
            body(),
        );
        s.field("Lý do", self.reason.trim());
        s.text(
            format!(
                "Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {agency} xin lỗi Ông/Bà và hẹn lại \
                 ngày trả kết quả giải quyết hồ sơ vào {}.",
                vn::clock_and_date(self.due_after)
            ),
            body(),
        );
        s.spans(vec![
            span("Thời gian hẹn trả kết quả mới: ", Face::Bold),
            span(vn::clock_and_date(self.due_after), Face::Bold),
        ]);
        s.text("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà./.", body());
        heading::signed_by(&mut s, "THỦ TRƯỞNG CƠ QUAN", SIGN_AND_SEAL, &self.signed_by);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_late_agency_apologises_with_the_old_and_the_new_appointment() {
        let form = ApologyForm04 {
            issuer: Issuer {
                agency_code: "000.30.80.H80".into(),
                agency_name: "Phòng Tư pháp Quận 1".into(),
                parent_name: None,
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
            due_before: datetime!(2026-12-04 10:00 UTC),
            due_after: datetime!(2026-12-09 02:30 UTC),
            reason: "Cần xác minh thông tin".into(),
            signed_by: "Lê Minh Tâm".into(),
            issued_at: datetime!(2026-12-03 09:00 +07:00),
        };
        let text = form.sheet().plain_text();
        assert!(text.contains("PHÒNG TƯ PHÁP QUẬN 1\n"));
        assert!(text.contains("Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung\n"));
        assert!(text.contains(
            "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 04/12/2026\n"
        ));
        assert!(text.contains("Lý do: Cần xác minh thông tin\n"));
        assert!(text.contains(
            "Phòng Tư pháp Quận 1 xin lỗi Ông/Bà và hẹn lại ngày trả kết quả giải quyết hồ sơ \
             vào 09 giờ 30 phút, ngày 09/12/2026.\n"
        ));
        assert!(text.contains("THỦ TRƯỞNG CƠ QUAN\n(Ký tên, đóng dấu)\n"));
        assert!(
            text.contains("Ngày 03 tháng 12 năm 2026"),
            "the issue date: {text}"
        );
        assert!(text.ends_with("Lê Minh Tâm\n"));
    }
}
