//! Form 02, the supplement request (Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ): tells the
//! applicant, all at once, every component to supplement or correct, why, and by when — the
//! circular allows asking only once, so the form must list everything.

use crate::heading::{self, SIGN_AND_NAME};
use crate::parties::{Applicant, Issuer};
use crate::sheet::{Sheet, body, span};
use crate::vn;
use motcua_pdf::Face;
use time::OffsetDateTime;

const TITLE: &str = "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ";

/// One thing to supplement or correct (nội dung yêu cầu bổ sung, hoàn thiện).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplementLine {
    /// The component's code in the procedure (mã thành phần hồ sơ).
    pub component_code: String,
    /// The component's name (tên thành phần hồ sơ), printed instead of the code when known.
    pub component_name: Option<String>,
    /// What to supplement and why (lý do, nội dung cần bổ sung).
    pub reason: String,
    /// What is wrong with what was handed in (sai sót), if anything specific.
    pub defect: Option<String>,
}

/// Form 02: the supplement request (Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplementRequestForm02 {
    /// The receiving one-stop that asks (bộ phận tiếp nhận và trả kết quả).
    pub issuer: Issuer,
    /// The dossier code (mã hồ sơ).
    pub dossier_code: String,
    /// What is asked (nội dung yêu cầu giải quyết).
    pub procedure_name: String,
    /// Who submitted it (người nộp hồ sơ).
    pub applicant: Applicant,
    /// When the dossier was received (thời gian nhận hồ sơ).
    pub received_at: OffsetDateTime,
    /// When the supplement was asked (ngày yêu cầu), the place-date line's date.
    pub requested_at: OffsetDateTime,
    /// Everything to supplement (nội dung yêu cầu bổ sung, hoàn thiện).
    pub items: Vec<SupplementLine>,
    /// By when the applicant must supplement (thời hạn bổ sung, hoàn thiện hồ sơ).
    pub supplement_deadline: OffsetDateTime,
    /// The officer who asks (người hướng dẫn).
    pub requested_by: String,
}

form!(SupplementRequestForm02, "02", TITLE);

impl SupplementLine {
    /// `Tờ khai đăng ký khai sinh: thiếu chữ ký (sai sót: ...)`.
    fn spans(&self, n: usize) -> Vec<motcua_pdf::Span> {
        let component = self
            .component_name
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or(self.component_code.trim());
        let mut spans = vec![
            span(format!("{n}. {component}: "), Face::Bold),
            span(self.reason.trim(), Face::Regular),
        ];
        if let Some(defect) = self.defect.as_deref().map(str::trim)
            && !defect.is_empty()
        {
            spans.push(span(". Sai sót: ", Face::Bold));
            spans.push(span(defect, Face::Regular));
        }
        spans
    }
}

impl SupplementRequestForm02 {
    fn sheet(&self) -> Sheet {
        let mut s = Sheet::new(format!("{TITLE} {}", self.dossier_code));
        let number = format!("{}/HDHS", self.dossier_code);
        heading::heading(&mut s, &self.issuer, Some(&number), Some(self.requested_at));
        heading::title(&mut s, TITLE, &self.dossier_code);
        let agency = self.issuer.agency_name.trim();
        self.applicant
            .received_by(&mut s, agency, &self.procedure_name, self.received_at);
        s.text(
            "Sau khi xem xét, hồ sơ của Ông/Bà chưa đầy đủ, hợp lệ. Đề nghị Ông/Bà bổ sung, \
             hoàn thiện hồ sơ gồm những nội dung sau:",
            body(),
        );
        for (i, item) in self.items.iter().enumerate() {
            s.spans(item.spans(i + 1));
        }
        s.field(
            "Thời hạn bổ sung, hoàn thiện hồ sơ",
            &format!("trước {}", vn::clock_and_date(self.supplement_deadline)),
        );
        s.text(
            "Quá thời hạn trên, nếu Ông/Bà không bổ sung, hoàn thiện hồ sơ thì hồ sơ sẽ bị dừng \
             giải quyết.",
            body(),
        );
        s.text(
            format!(
                "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với {agency} \
                 để được hướng dẫn."
            ),
            body(),
        );
        heading::signed_by(&mut s, "NGƯỜI HƯỚNG DẪN", SIGN_AND_NAME, &self.requested_by);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn form() -> SupplementRequestForm02 {
        SupplementRequestForm02 {
            issuer: Issuer {
                agency_code: "000.25.80.H80".into(),
                agency_name: "UBND phường Bến Nghé".into(),
                parent_name: None,
                place: Some("TP. Hồ Chí Minh".into()),
            },
            dossier_code: "000.25.80.H80-261127-0001".into(),
            procedure_name: "Đăng ký khai sinh".into(),
            applicant: Applicant {
                name: "Nguyễn Thị Hồng Nhung".into(),
                address: None,
                phone: Some("0901234567".into()),
                email: None,
            },
            received_at: datetime!(2026-11-27 14:05 +07:00),
            requested_at: datetime!(2026-11-28 09:00 +07:00),
            items: vec![
                SupplementLine {
                    component_code: "TK01".into(),
                    component_name: Some("Tờ khai đăng ký khai sinh".into()),
                    reason: "Thiếu chữ ký của người đi khai".into(),
                    defect: Some("Ô chữ ký để trống".into()),
                },
                SupplementLine {
                    component_code: "GCS".into(),
                    component_name: None,
                    reason: "Bản chụp mờ".into(),
                    defect: None,
                },
            ],
            supplement_deadline: datetime!(2026-12-05 10:00 UTC),
            requested_by: "Trần Văn Bình".into(),
        }
    }

    #[test]
    fn every_item_is_listed_with_its_component_reason_and_defect() {
        let text = form().sheet().plain_text();
        assert!(text.contains(
            "1. Tờ khai đăng ký khai sinh: Thiếu chữ ký của người đi khai. Sai sót: Ô chữ ký để trống\n"
        ));
        assert!(text.contains("2. GCS: Bản chụp mờ\n"));
        assert!(text.contains(
            "Thời hạn bổ sung, hoàn thiện hồ sơ: trước 17 giờ 00 phút, ngày 05/12/2026\n"
        ));
        assert!(text.contains("Số: 000.25.80.H80-261127-0001/HDHS\n"));
        assert!(text.contains("TP. Hồ Chí Minh, ngày 28 tháng 11 năm 2026\n"));
        assert!(text.contains("Số điện thoại: 0901234567\n"));
        assert!(text.ends_with("NGƯỜI HƯỚNG DẪN\n(Ký và ghi rõ họ tên)\n\n\n\nTrần Văn Bình\n"));
    }
}
