//! Form 06, the processing control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ): the
//! dossier's path through the agencies, one row per handover with who gave, who took, when,
//! and whether the step finished in time — so a late dossier shows where it was late.

use crate::heading;
use crate::parties::{Issuer, addressed};
use crate::sheet::{Block, Sheet, body, span};
use crate::vn;
use motcua_pdf::Face;
use time::OffsetDateTime;

const TITLE: &str = "Phiếu kiểm soát quá trình giải quyết hồ sơ";

/// One handover of the dossier (một lần giao, nhận hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipRow {
    /// When it was handed over (thời gian giao, nhận).
    pub at: OffsetDateTime,
    /// The agency that handed it over (cơ quan giao).
    pub from_agency: String,
    /// The person who handed it over (người giao), if recorded.
    pub from_person: Option<String>,
    /// The agency that took it (cơ quan nhận).
    pub to_agency: String,
    /// The person who took it (người nhận), if recorded.
    pub to_person: Option<String>,
    /// The step the handover ends or starts (bước xử lý), shown in the note.
    pub step_name: String,
    /// The step's deadline (hạn xử lý của bước), if it has one.
    pub step_deadline: Option<OffsetDateTime>,
    /// How the step ended (kết quả): `early`, `on_time` or `late`; none while it runs.
    pub result: Option<String>,
}

/// Form 06: the processing control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlSlipForm06 {
    /// The receiving one-stop, which opens the slip (bộ phận tiếp nhận và trả kết quả).
    pub issuer: Issuer,
    /// The dossier code (mã hồ sơ).
    pub dossier_code: String,
    /// What is asked (nội dung yêu cầu giải quyết).
    pub procedure_name: String,
    /// Who submitted it (người nộp hồ sơ).
    pub applicant_name: String,
    /// When the dossier was received (thời gian nhận hồ sơ), the place-date line's date: the
    /// slip is opened with the receipt.
    pub received_at: OffsetDateTime,
    /// When the result is due (thời gian hẹn trả kết quả).
    pub due_at: OffsetDateTime,
    /// Every handover, in order (quá trình giao, nhận hồ sơ).
    pub rows: Vec<SlipRow>,
    /// The steps that overran and their agencies, as (step, agency) (các bước quá hạn).
    pub late_steps: Vec<(String, String)>,
}

form!(ControlSlipForm06, "06", TITLE);

/// The agency, and the person on the next line when recorded.
fn party(agency: &str, person: Option<&str>) -> String {
    match person.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => format!("{}\n{p}", agency.trim()),
        None => agency.trim().to_string(),
    }
}

impl SlipRow {
    fn cells(&self, n: usize) -> Vec<String> {
        let mut note = self.step_name.trim().to_string();
        if let Some(deadline) = self.step_deadline {
            if !note.is_empty() {
                note.push('\n');
            }
            note.push_str("Hạn xử lý: ");
            note.push_str(&vn::clock_and_date(deadline));
        }
        vec![
            n.to_string(),
            party(&self.from_agency, self.from_person.as_deref()),
            format!("{}\nngày {}", vn::clock(self.at), vn::date(self.at)),
            party(&self.to_agency, self.to_person.as_deref()),
            self.result
                .as_deref()
                .map_or_else(String::new, |r| vn::handover_result(r).to_string()),
            note,
        ]
    }
}

impl ControlSlipForm06 {
    fn sheet(&self) -> Sheet {
        let mut s = Sheet::new(format!("{TITLE} {}", self.dossier_code));
        heading::heading(&mut s, &self.issuer, None, Some(self.received_at));
        heading::title(&mut s, TITLE, &self.dossier_code);
        s.text(
            format!(
                "(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: {}/TNHS)",
                self.dossier_code
            ),
            crate::sheet::centred(crate::sheet::BODY, Face::Italic),
        );
        s.space(4.0);
        s.field("Cơ quan tiếp nhận hồ sơ", self.issuer.agency_name.trim());
        s.field("Người nộp hồ sơ", &addressed(&self.applicant_name));
        s.field("Nội dung yêu cầu giải quyết", self.procedure_name.trim());
        s.field(
            "Thời gian nhận hồ sơ",
            &vn::clock_and_date(self.received_at),
        );
        s.field(
            "Thời gian hẹn trả kết quả",
            &vn::clock_and_date(self.due_at),
        );
        let rows = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| r.cells(i + 1))
            .collect();
        s.push(Block::Table {
            // in points: the time and the verdicts fit their columns at 11 pt
            widths: vec![31.0, 86.0, 102.0, 86.0, 80.0, 82.7],
            header: vec![
                "STT",
                "Tên cơ quan/\nngười giao",
                "Thời gian\ngiao, nhận\n(giờ, phút,\nngày/tháng/\nnăm)",
                "Tên cơ quan/\nngười nhận",
                "Kết quả\n(Trước hạn/\nĐúng hạn/\nQuá hạn)",
                "Ghi chú",
            ],
            rows,
            size: 11.0,
        });
        if !self.late_steps.is_empty() {
            let late = self
                .late_steps
                .iter()
                .map(|(step, agency)| format!("{} ({})", step.trim(), agency.trim()))
                .collect::<Vec<_>>()
                .join("; ");
            s.spans(vec![
                span("Các bước giải quyết quá hạn: ", Face::Bold),
                span(format!("{late}."), Face::Regular),
            ]);
        }
        if self.rows.is_empty() {
            s.text(
                "(Chưa có lần giao, nhận hồ sơ nào.)",
                body().face(Face::Italic),
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn form() -> ControlSlipForm06 {
        ControlSlipForm06 {
            issuer: Issuer {
                agency_code: "000.25.80.H80".into(),
                agency_name: "UBND phường Bến Nghé".into(),
                parent_name: None,
                place: None,
            },
            dossier_code: "000.25.80.H80-261127-0001".into(),
            procedure_name: "Đăng ký khai sinh".into(),
            applicant_name: "Nguyễn Thị Hồng Nhung".into(),
            received_at: datetime!(2026-11-27 14:05 +07:00),
            due_at: datetime!(2026-12-04 17:00 +07:00),
            rows: vec![
                SlipRow {
                    at: datetime!(2026-11-27 07:30 UTC),
                    from_agency: "UBND phường Bến Nghé".into(),
                    from_person: Some("Trần Văn Bình".into()),
                    to_agency: "Công chức tư pháp - hộ tịch".into(),
                    to_person: None,
                    step_name: "Thẩm định".into(),
                    step_deadline: Some(datetime!(2026-11-28 17:00 +07:00)),
                    result: Some("late".into()),
                },
                SlipRow {
                    at: datetime!(2026-11-29 09:00 +07:00),
                    from_agency: "Công chức tư pháp - hộ tịch".into(),
                    from_person: None,
                    to_agency: "Lãnh đạo UBND".into(),
                    to_person: Some("Lê Minh Tâm".into()),
                    step_name: "Ký duyệt".into(),
                    step_deadline: None,
                    result: None,
                },
            ],
            late_steps: vec![("Thẩm định".into(), "Công chức tư pháp - hộ tịch".into())],
        }
    }

    #[test]
    fn each_handover_is_a_row_with_its_verdict_and_step() {
        let text = form().sheet().plain_text();
        assert!(text.contains(
            "1 | UBND phường Bến Nghé\nTrần Văn Bình | 14 giờ 30 phút\nngày 27/11/2026 | \
             Công chức tư pháp - hộ tịch | Quá hạn | Thẩm định\nHạn xử lý: 17 giờ 00 phút, \
             ngày 28/11/2026\n"
        ));
        assert!(text.contains(
            "2 | Công chức tư pháp - hộ tịch | 09 giờ 00 phút\nngày 29/11/2026 | \
             Lãnh đạo UBND\nLê Minh Tâm |  | Ký duyệt\n"
        ));
        assert!(text.contains("Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 04/12/2026\n"));
    }

    #[test]
    fn late_steps_are_listed_only_when_the_dossier_is_late() {
        let mut f = form();
        assert!(
            f.sheet().plain_text().contains(
                "Các bước giải quyết quá hạn: Thẩm định (Công chức tư pháp - hộ tịch).\n"
            )
        );
        f.late_steps.clear();
        assert!(!f.sheet().plain_text().contains("quá hạn:"));
    }
}
