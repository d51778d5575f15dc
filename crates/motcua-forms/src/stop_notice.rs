//! Form 05, the stop notice (Thông báo dừng giải quyết hồ sơ): tells the applicant that their
//! dossier is no longer being handled and why — because they withdrew it, or because the
//! supplement window passed without the supplement — so the stop is on record.

use crate::heading::{self, SIGN_AND_NAME};
use crate::parties::{Applicant, Issuer, addressed};
use crate::sheet::{Sheet, body};
use crate::vn;
use time::OffsetDateTime;

const TITLE: &str = "Thông báo dừng giải quyết hồ sơ";

/// Why handling stopped (lý do dừng giải quyết).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopCause {
    /// The applicant asked to stop (rút hồ sơ theo đề nghị của người nộp).
    Withdrawn {
        /// The reason the applicant gave.
        reason: String,
    },
    /// The supplement was not handed in by the deadline (quá thời hạn bổ sung, hoàn thiện).
    SupplementWindowPassed {
        /// The deadline that passed (thời hạn bổ sung, hoàn thiện hồ sơ).
        supplement_deadline: OffsetDateTime,
    },
}

/// Form 05: the stop notice (Thông báo dừng giải quyết hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopNoticeForm05 {
    /// The receiving one-stop that gives notice (bộ phận tiếp nhận và trả kết quả).
    pub issuer: Issuer,
    /// The dossier code (mã hồ sơ).
    pub dossier_code: String,
    /// What was asked (nội dung yêu cầu giải quyết).
    pub procedure_name: String,
    /// Who submitted it (người nộp hồ sơ), to whom the notice goes (kính gửi).
    pub applicant: Applicant,
    /// When the dossier was received (thời gian nhận hồ sơ).
    pub received_at: OffsetDateTime,
    /// When handling stopped (thời điểm dừng giải quyết), the place-date line's date.
    pub stopped_at: OffsetDateTime,
    /// Why (lý do dừng).
    pub cause: StopCause,
    /// The officer who gives notice (người thông báo).
    pub signed_by: String,
}

form!(StopNoticeForm05, "05", TITLE);

impl StopNoticeForm05 {
    fn sheet(&self) -> Sheet {
        let mut s = Sheet::new(format!("{TITLE} {}", self.dossier_code));
        let number = format!("{}/DGQ", self.dossier_code);
        heading::heading(&mut s, &self.issuer, Some(&number), Some(self.stopped_at));
        heading::title(&mut s, TITLE, &self.dossier_code);
        let agency = self.issuer.agency_name.trim();
        s.field("Kính gửi", &addressed(&self.applicant.name));
        self.applicant
            .dossier_lines(&mut s, &self.procedure_name, self.received_at);
        let since = vn::clock_and_date(self.stopped_at);
        match &self.cause {
            StopCause::Withdrawn { reason } => {
                s.text(
                    format!(
                        "Theo đề nghị của Ông/Bà, {agency} dừng giải quyết hồ sơ nêu trên kể từ \
                         {since}."
                    ),
                    body(),
                );
                s.field("Lý do Ông/Bà đề nghị dừng giải quyết", reason.trim());
            }
            StopCause::SupplementWindowPassed {
                supplement_deadline,
            } => {
                let deadline = vn::clock_and_date(*supplement_deadline);
                s.text(
                    format!(
                        "Hồ sơ của Ông/Bà đã được yêu cầu bổ sung, hoàn thiện trước {deadline}. \
                         Quá thời hạn trên, Ông/Bà chưa bổ sung, hoàn thiện hồ sơ theo yêu cầu \
                         nên {agency} dừng giải quyết hồ sơ nêu trên kể từ {since}."
                    ),
                    body(),
                );
                s.field(
                    "Lý do",
                    &format!("Quá thời hạn bổ sung, hoàn thiện hồ sơ ({deadline})"),
                );
            }
        }
        s.text("Xin thông báo để Ông/Bà được biết./.", body());
        heading::signed_by(&mut s, "NGƯỜI THÔNG BÁO", SIGN_AND_NAME, &self.signed_by);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn form(cause: StopCause) -> StopNoticeForm05 {
        StopNoticeForm05 {
            issuer: Issuer {
                agency_code: "000.25.80.H80".into(),
                agency_name: "UBND phường Bến Nghé".into(),
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
            stopped_at: datetime!(2026-12-14 01:00 UTC),
            cause,
            signed_by: "Trần Văn Bình".into(),
        }
    }

    #[test]
    fn a_withdrawal_says_it_was_the_applicants_request_and_why() {
        let text = form(StopCause::Withdrawn {
            reason: "Gia đình chuyển nơi cư trú".into(),
        })
        .sheet()
        .plain_text();
        assert!(text.contains(
            "Theo đề nghị của Ông/Bà, UBND phường Bến Nghé dừng giải quyết hồ sơ nêu trên kể từ \
             08 giờ 00 phút, ngày 14/12/2026.\n"
        ));
        assert!(
            text.contains("Lý do Ông/Bà đề nghị dừng giải quyết: Gia đình chuyển nơi cư trú\n")
        );
        assert!(!text.contains("bổ sung"));
    }

    #[test]
    fn a_passed_supplement_window_names_the_deadline() {
        let text = form(StopCause::SupplementWindowPassed {
            supplement_deadline: datetime!(2026-12-11 17:00 +07:00),
        })
        .sheet()
        .plain_text();
        assert!(text.contains(
            "đã được yêu cầu bổ sung, hoàn thiện trước 17 giờ 00 phút, ngày 11/12/2026."
        ));
        assert!(text.contains(
            "Lý do: Quá thời hạn bổ sung, hoàn thiện hồ sơ (17 giờ 00 phút, ngày 11/12/2026)\n"
        ));
        assert!(!text.contains("Theo đề nghị"));
        assert!(text.contains("Số: 000.25.80.H80-261127-0001/DGQ\n"));
        assert!(text.contains("Ngày 14 tháng 12 năm 2026\n"));
    }
}
