//! The handling report as provinces exchange it (xuất báo cáo): CSV and XLSX with the form's
//! Vietnamese column headings, and a printable HTML page with an SVG chart of the on-time rate
//! per agency. Which one is chosen by the `Accept` header; JSON otherwise.

use crate::domain::handling::{HandlingReport, HandlingRow};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use motcua_problem::Problem;

/// The spreadsheet media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A report format a client can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json` (the default).
    Json,
    /// `text/csv`.
    Csv,
    /// The spreadsheet.
    Xlsx,
    /// `text/html`, printable.
    Html,
}

impl Format {
    /// The first format `Accept` names that reports come in; JSON when it names none.
    pub fn of(headers: &HeaderMap) -> Self {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        accept
            .split(',')
            .map(|p| p.split(';').next().unwrap_or("").trim())
            .find_map(|m| match m {
                "application/json" => Some(Self::Json),
                "text/csv" => Some(Self::Csv),
                XLSX => Some(Self::Xlsx),
                "text/html" => Some(Self::Html),
                _ => None,
            })
            .unwrap_or(Self::Json)
    }
}

/// The form's column headings, after the group's.
pub const HEADINGS: [&str; 16] = [
    "Tổng số hồ sơ tiếp nhận",
    "Kỳ trước chuyển qua",
    "Tiếp nhận trực tuyến",
    "Tiếp nhận trực tiếp, bưu chính",
    "Đã giải quyết - Tổng số",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Đang giải quyết - Tổng số",
    "Trong hạn",
    "Quá hạn",
    "Chờ bổ sung",
    "Chờ thực hiện nghĩa vụ tài chính",
    "Dừng xử lý",
    "Rút hồ sơ",
    "Từ chối",
];

fn cells(r: &HandlingRow) -> [i64; 16] {
    [
        r.received.total,
        r.received.carried_over,
        r.received.online,
        r.received.direct_postal,
        r.resolved.total,
        r.resolved.early,
        r.resolved.on_time,
        r.resolved.late,
        r.in_progress.total,
        r.in_progress.within_time,
        r.in_progress.overdue,
        r.waiting_supplement,
        r.waiting_financial,
        r.stopped,
        r.withdrawn,
        r.refused,
    ]
}

fn group_heading(group_by: &str) -> &'static str {
    match group_by {
        "procedure_code" => "Thủ tục",
        "agency" => "Cơ quan tiếp nhận",
        "level" => "Cấp",
        _ => "Lĩnh vực",
    }
}

fn rows(report: &HandlingReport) -> impl Iterator<Item = (String, [i64; 16])> + '_ {
    report
        .items
        .iter()
        .map(|r| (r.key.clone().unwrap_or_default(), cells(r)))
        .chain(std::iter::once((
            "Tổng cộng".to_string(),
            cells(&report.total),
        )))
}

/// The report as CSV: one heading line, one line per group, the totals last.
pub fn csv(report: &HandlingReport) -> Result<Vec<u8>, Problem> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| failed(&e);
    let mut head = vec![group_heading(&report.group_by)];
    head.extend(HEADINGS);
    w.write_record(&head).map_err(fail)?;
    for (key, c) in rows(report) {
        let mut line = vec![key];
        line.extend(c.iter().map(i64::to_string));
        w.write_record(&line).map_err(fail)?;
    }
    w.into_inner().map_err(|e| failed(&e))
}

/// The report as a spreadsheet: a title, the period, the headings, the rows and the totals.
pub fn xlsx(report: &HandlingReport) -> Result<Vec<u8>, Problem> {
    use rust_xlsxwriter::{Format as Cell, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| failed(&e);
    let mut book = Workbook::new();
    let bold = Cell::new().set_bold();
    let sheet = book.add_worksheet();
    sheet
        .set_name("II.06a")
        .map_err(fail)?
        .write_string_with_format(0, 0, "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT TTHC", &bold)
        .map_err(fail)?
        .write_string(
            1,
            0,
            format!("Từ ngày {} đến ngày {}", dmy(report.from), dmy(report.to)),
        )
        .map_err(fail)?
        .write_string_with_format(3, 0, group_heading(&report.group_by), &bold)
        .map_err(fail)?;
    for (i, h) in HEADINGS.iter().enumerate() {
        sheet
            .write_string_with_format(3, col(i + 1), *h, &bold)
            .map_err(fail)?;
    }
    for (n, (key, c)) in rows(report).enumerate() {
        let row = 4 + u32::try_from(n).unwrap_or(u32::MAX - 4);
        sheet.write_string(row, 0, key).map_err(fail)?;
        for (i, v) in c.iter().enumerate() {
            sheet
                .write_number(row, col(i + 1), *v as f64)
                .map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// A rendering that failed: logged, answered as an internal error.
fn failed(e: &dyn std::fmt::Display) -> Problem {
    tracing::error!(error = %e, "report export failed");
    Problem::internal()
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn dmy(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The on-time rate of a row's resolved dossiers (early + on time over resolved), if any.
pub fn on_time_rate(r: &HandlingRow) -> Option<f64> {
    (r.resolved.total > 0)
        .then(|| (r.resolved.early + r.resolved.on_time) as f64 / r.resolved.total as f64)
}

/// The report as a printable page; `by_agency` (the same period grouped by agency) draws the
/// chart of each agency's on-time rate.
pub fn html(report: &HandlingReport, by_agency: &HandlingReport) -> String {
    let mut page = format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Báo cáo II.06a</title>\
         <style>body{{font-family:serif}}table{{border-collapse:collapse}}td,th{{border:1px solid #000;padding:2px 4px}}\
         td{{text-align:right}}@media print{{.noprint{{display:none}}}}</style></head><body>\
         <p style=\"text-align:center\"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>Độc lập - Tự do - Hạnh phúc</p>\
         <h1 style=\"text-align:center\">BÁO CÁO TÌNH HÌNH GIẢI QUYẾT TTHC</h1>\
         <p style=\"text-align:center\">Từ ngày {} đến ngày {}</p><table><tr><th>{}</th>",
        dmy(report.from),
        dmy(report.to),
        group_heading(&report.group_by)
    );
    for h in HEADINGS {
        page.push_str(&format!("<th>{h}</th>"));
    }
    page.push_str("</tr>");
    for (key, c) in rows(report) {
        page.push_str(&format!("<tr><th>{}</th>", escape(&key)));
        for v in c {
            page.push_str(&format!("<td>{v}</td>"));
        }
        page.push_str("</tr>");
    }
    page.push_str("</table><h2>Tỷ lệ giải quyết đúng hạn theo cơ quan</h2>");
    page.push_str(&chart(by_agency));
    page.push_str("</body></html>");
    page
}

/// A horizontal bar per agency: its on-time rate, in percent.
fn chart(by_agency: &HandlingReport) -> String {
    let bars: Vec<(String, f64)> = by_agency
        .items
        .iter()
        .filter_map(|r| Some((r.key.clone().unwrap_or_default(), on_time_rate(r)?)))
        .collect();
    let height = 24 * bars.len().max(1) + 10;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"{height}\" role=\"img\" \
         aria-label=\"Tỷ lệ đúng hạn\">"
    );
    for (i, (agency, rate)) in bars.iter().enumerate() {
        let y = 5 + 24 * i;
        let w = (rate * 400.0).round();
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect x=\"160\" y=\"{y}\" width=\"{w}\" height=\"18\" fill=\"#2b6cb0\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{:.1}%</text>",
            y + 14,
            escape(agency),
            165.0 + w,
            y + 14,
            rate * 100.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Answers `body` with its media type.
pub fn answer(media: &'static str, body: Vec<u8>) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flows::Counts;
    use crate::domain::handling::GroupBy;
    use time::macros::date;

    fn report() -> HandlingReport {
        let period = Counts {
            received_online: 2,
            resolved_on_time: 1,
            ..Counts::default()
        };
        let end = Counts {
            open: 1,
            ..Counts::default()
        };
        let row = HandlingRow::of(Some("G13, HT".into()), &Counts::default(), &period, &end);
        HandlingReport::of(
            date!(2026 - 11 - 01),
            date!(2026 - 11 - 30),
            GroupBy::Field,
            vec![row],
        )
    }

    #[test]
    fn csv_has_the_forms_headings_a_quoted_key_and_the_totals() {
        let text = String::from_utf8(csv(&report()).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("Lĩnh vực,Tổng số hồ sơ tiếp nhận,Kỳ trước chuyển qua"));
        assert!(lines[1].starts_with("\"G13, HT\",2,0,2,0,1,0,1,0,1,1,0"));
        assert!(lines[2].starts_with("Tổng cộng,2,"));
    }

    #[test]
    fn the_spreadsheet_is_a_zip_and_the_page_escapes_and_charts() {
        let book = xlsx(&report()).unwrap();
        assert_eq!(&book[..2], b"PK");
        let mut by_agency = report();
        by_agency.items[0].key = Some("<A>".into());
        let page = html(&report(), &by_agency);
        assert!(page.contains("&lt;A&gt;") && page.contains("100.0%") && page.contains("<svg"));
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/csv;q=0.9, */*"),
        );
        assert_eq!(Format::of(&h), Format::Csv);
        assert_eq!(Format::of(&HeaderMap::new()), Format::Json);
    }
}
