//! Each form rendered to PDF and read back with `pdftotext -layout` (poppler-utils): proves
//! that what the applicant gets on paper carries the national heading, the title and every
//! value with its Vietnamese diacritics intact (the font embeds and extracts them), and the
//! instants in Vietnam time as the forms write them.

mod samples;

use motcua_forms::{AGENCY_SHARE, Form, NATIONAL_MOTTO, NATIONAL_TITLE, StopCause};
use motcua_pdf::{MARGIN_LEFT, TEXT_WIDTH};
use samples::{AGENCY, APPLICANT, CODE, PLACE, PROCEDURE, assert_says};
use std::path::Path;
use std::process::Command;
use time::macros::datetime;

/// The text `pdftotext -layout` extracts from the first page of the PDF at `path`, cropped to
/// `crop` (x, y, width, height in points from the top left) when given.
fn pdftotext(path: &Path, crop: Option<[u32; 4]>) -> String {
    let mut cmd = Command::new("pdftotext");
    cmd.args(["-layout", "-enc", "UTF-8"]);
    if let Some([x, y, w, h]) = crop {
        cmd.args(["-f", "1", "-l", "1"]);
        for (flag, v) in [("-x", x), ("-y", y), ("-W", w), ("-H", h)] {
            cmd.arg(flag).arg(v.to_string());
        }
    }
    let out = match cmd.arg(path).arg("-").output() {
        Ok(out) => out,
        Err(e) => panic!(
            "cannot run pdftotext ({e}): these tests need poppler-utils installed \
             (apt-get install poppler-utils); they do not skip"
        ),
    };
    assert!(
        out.status.success(),
        "pdftotext failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
}

/// What a form's PDF says: the whole text, and the heading's agency column alone (read apart,
/// since a wrapped agency name would otherwise interleave with the national heading).
struct Extracted {
    text: String,
    agency_column: String,
}

/// Renders `form` to PDF, writes it as `<name>.pdf` in the test's temporary folder, and
/// extracts its text.
fn extract(form: &dyn Form, name: &str) -> Extracted {
    let bytes = form
        .document()
        .to_pdf(None)
        .unwrap_or_else(|e| panic!("form {} did not render: {e}", form.number()));
    assert!(
        bytes.starts_with(b"%PDF-"),
        "form {} is not a PDF",
        form.number()
    );
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.pdf"));
    std::fs::write(&path, &bytes).expect("the PDF is written to the test's temporary folder");
    // the agency column: from the page's left edge to where the national heading's begins
    let right_edge = MARGIN_LEFT + AGENCY_SHARE * TEXT_WIDTH;
    let column = [0, 0, right_edge.floor() as u32, 140];
    Extracted {
        text: pdftotext(&path, None),
        agency_column: pdftotext(&path, Some(column)),
    }
}

/// What every form's PDF carries: the agency column (parent body, agency in capitals), the
/// national heading, the number line, the place-date line, the title and the dossier code.
#[track_caller]
fn assert_heading(pdf: &Extracted, form: &dyn Form, number: Option<&str>, place_date: &str) {
    let issuer = form.issuer();
    let agencies = match &issuer.parent_name {
        Some(parent) => format!(
            "{} {}",
            parent.to_uppercase(),
            issuer.agency_name.to_uppercase()
        ),
        None => issuer.agency_name.to_uppercase(),
    };
    assert_says(&pdf.agency_column, &agencies);
    assert!(
        !pdf.agency_column.contains("CỘNG"),
        "the agency column overlaps the national heading:\n{}",
        pdf.agency_column
    );
    let text = &pdf.text;
    assert_says(text, NATIONAL_TITLE);
    assert_says(text, NATIONAL_MOTTO);
    if let Some(number) = number {
        assert_says(text, &format!("Số: {CODE}/{number}"));
    }
    assert_says(text, place_date);
    assert_says(text, &form.title().to_uppercase());
    assert_says(text, &format!("Mã hồ sơ: {CODE}"));
}

#[test]
fn form_01_receipt_pdf_has_every_field() {
    let form = samples::receipt();
    let pdf = extract(&form, "form01");
    let text = &pdf.text;
    assert_heading(
        &pdf,
        &form,
        Some("TNHS"),
        &format!("{PLACE}, ngày 27 tháng 11 năm 2026"),
    );
    assert_says(text, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ");
    assert_says(
        text,
        &format!("{AGENCY} tiếp nhận hồ sơ của: Ông/Bà {APPLICANT}"),
    );
    assert_says(text, "Địa chỉ: Số 12 Lê Lợi, phường Bến Nghé, Quận 1");
    assert_says(text, "Số điện thoại: 0901234567");
    assert_says(text, "Thư điện tử: nhung.nguyen@example.vn");
    assert_says(text, &format!("Nội dung yêu cầu giải quyết: {PROCEDURE}"));
    assert_says(text, "Hình thức nộp hồ sơ: Trực tiếp tại Bộ phận Một cửa");
    for cell in ["STT", "Tên giấy tờ", "Hình thức", "Số lượng"] {
        assert_says(text, cell);
    }
    for cell in [
        "Tờ khai đăng ký khai sinh",
        "Bản chính",
        "01 bản chính",
        "Giấy chứng sinh",
        "Bản chụp",
        "02 tệp",
        "Căn cước",
        "Điện tử",
        "Giấy đăng ký kết hôn",
        "Bản sao",
        "02 bản sao",
    ] {
        assert_says(text, cell);
    }
    assert_says(text, "Số lượng hồ sơ: 01 (bộ)");
    assert_says(
        text,
        "Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 27/11/2026",
    );
    assert_says(
        text,
        "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 04/12/2026",
    );
    assert_says(
        text,
        &format!("Đăng ký nhận kết quả tại: Bộ phận Một cửa - {AGENCY}"),
    );
    assert_says(text, "NGƯỜI NỘP HỒ SƠ");
    assert_says(text, "NGƯỜI TIẾP NHẬN HỒ SƠ");
    assert_says(text, "(Ký và ghi rõ họ tên)");
    assert_says(text, "Trần Văn Bình");
}

#[test]
fn form_02_supplement_request_pdf_lists_every_item_and_the_deadline() {
    let form = samples::supplement();
    let pdf = extract(&form, "form02");
    let text = &pdf.text;
    assert_heading(
        &pdf,
        &form,
        Some("HDHS"),
        &format!("{PLACE}, ngày 28 tháng 11 năm 2026"),
    );
    assert_says(text, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ");
    assert_says(
        text,
        &format!("{AGENCY} tiếp nhận hồ sơ của: Ông/Bà {APPLICANT}"),
    );
    assert_says(text, &format!("Nội dung yêu cầu giải quyết: {PROCEDURE}"));
    assert_says(
        text,
        "Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 27/11/2026",
    );
    assert_says(
        text,
        "1. Tờ khai đăng ký khai sinh: Thiếu chữ ký của người đi khai. Sai sót: Ô chữ ký để trống",
    );
    assert_says(text, "2. Giấy chứng sinh: Bản chụp không rõ nét");
    assert_says(
        text,
        "Thời hạn bổ sung, hoàn thiện hồ sơ: trước 17 giờ 00 phút, ngày 11/12/2026",
    );
    assert_says(text, "NGƯỜI HƯỚNG DẪN");
    assert_says(text, "Trần Văn Bình");
}

#[test]
fn form_03_refusal_pdf_gives_every_reason() {
    let form = samples::refusal();
    let pdf = extract(&form, "form03");
    let text = &pdf.text;
    assert_heading(
        &pdf,
        &form,
        Some("TCHS"),
        &format!("{PLACE}, ngày 27 tháng 11 năm 2026"),
    );
    assert_says(text, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ");
    assert_says(
        text,
        &format!("{AGENCY} tiếp nhận hồ sơ của: Ông/Bà {APPLICANT}"),
    );
    assert_says(text, "Địa chỉ: Số 12 Lê Lợi, phường Bến Nghé, Quận 1");
    assert_says(text, &format!("Nội dung yêu cầu giải quyết: {PROCEDURE}"));
    assert_says(
        text,
        "Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 27/11/2026",
    );
    assert_says(text, "1. Trẻ đã được đăng ký khai sinh tại nơi khác");
    assert_says(text, "2. Người đi khai không có giấy ủy quyền");
    assert_says(text, "NGƯỜI TIẾP NHẬN HỒ SƠ");
    assert_says(text, "Trần Văn Bình");
}

#[test]
fn form_04_apology_pdf_has_the_reason_and_both_appointments() {
    let form = samples::apology();
    let pdf = extract(&form, "form04");
    let text = &pdf.text;
    assert_heading(
        &pdf,
        &form,
        Some("XLHS"),
        &format!("{PLACE}, ngày 03 tháng 12 năm 2026"),
    );
    assert_says(text, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ");
    assert_says(text, &format!("Kính gửi: Ông/Bà {APPLICANT}"));
    assert_says(text, &format!("Nội dung yêu cầu giải quyết: {PROCEDURE}"));
    assert_says(
        text,
        "Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 27/11/2026",
    );
    assert_says(
        text,
        "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 04/12/2026",
    );
    assert_says(text, "Lý do: Cần xác minh thông tin cư trú của người mẹ");
    assert_says(
        text,
        "Phòng Tư pháp Quận 1 xin lỗi Ông/Bà và hẹn lại ngày trả kết quả giải quyết hồ sơ \
         vào 09 giờ 30 phút, ngày 09/12/2026.",
    );
    assert_says(text, "THỦ TRƯỞNG CƠ QUAN");
    assert_says(text, "Lê Minh Tâm");
}

#[test]
fn form_05_stop_notice_pdf_at_the_applicants_request_gives_the_reason() {
    let form = samples::stop_notice(StopCause::Withdrawn {
        reason: "Gia đình chuyển nơi cư trú".into(),
    });
    let pdf = extract(&form, "form05-withdrawn");
    let text = &pdf.text;
    assert_heading(
        &pdf,
        &form,
        Some("DGQ"),
        &format!("{PLACE}, ngày 14 tháng 12 năm 2026"),
    );
    assert_says(text, "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ");
    assert_says(text, &format!("Kính gửi: Ông/Bà {APPLICANT}"));
    assert_says(text, &format!("Nội dung yêu cầu giải quyết: {PROCEDURE}"));
    assert_says(
        text,
        "Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 27/11/2026",
    );
    assert_says(
        text,
        &format!(
            "Theo đề nghị của Ông/Bà, {AGENCY} dừng giải quyết hồ sơ nêu trên kể từ \
             08 giờ 00 phút, ngày 14/12/2026."
        ),
    );
    assert_says(
        text,
        "Lý do Ông/Bà đề nghị dừng giải quyết: Gia đình chuyển nơi cư trú",
    );
    assert_says(text, "Trần Văn Bình");
}

#[test]
fn form_05_stop_notice_pdf_after_the_supplement_window_names_the_deadline() {
    let form = samples::stop_notice(StopCause::SupplementWindowPassed {
        supplement_deadline: datetime!(2026-12-11 10:00 UTC),
    });
    let pdf = extract(&form, "form05-window");
    let text = &pdf.text;
    assert_heading(
        &pdf,
        &form,
        Some("DGQ"),
        &format!("{PLACE}, ngày 14 tháng 12 năm 2026"),
    );
    assert_says(
        text,
        &format!(
            "Hồ sơ của Ông/Bà đã được yêu cầu bổ sung, hoàn thiện trước 17 giờ 00 phút, ngày \
             11/12/2026. Quá thời hạn trên, Ông/Bà chưa bổ sung, hoàn thiện hồ sơ theo yêu cầu \
             nên {AGENCY} dừng giải quyết hồ sơ nêu trên kể từ 08 giờ 00 phút, ngày 14/12/2026."
        ),
    );
    assert_says(
        text,
        "Lý do: Quá thời hạn bổ sung, hoàn thiện hồ sơ (17 giờ 00 phút, ngày 11/12/2026)",
    );
}

#[test]
fn form_06_control_slip_pdf_has_every_handover_and_the_late_steps() {
    let form = samples::control_slip();
    let pdf = extract(&form, "form06");
    let text = &pdf.text;
    assert_heading(
        &pdf,
        &form,
        None,
        &format!("{PLACE}, ngày 27 tháng 11 năm 2026"),
    );
    assert_says(text, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ");
    assert_says(text, &format!("Người nộp hồ sơ: Ông/Bà {APPLICANT}"));
    assert_says(text, &format!("Nội dung yêu cầu giải quyết: {PROCEDURE}"));
    assert_says(
        text,
        "Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 27/11/2026",
    );
    assert_says(
        text,
        "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 04/12/2026",
    );
    for cell in [
        "STT",
        "Tên cơ quan/",
        "người giao",
        "người nhận",
        "Thời gian",
        "giao, nhận",
        "Kết quả",
        "Ghi chú",
        "Một cửa",
        "Bình",
        "Tư pháp",
        "Hà",
        "Lãnh đạo",
        "Tâm",
        "14 giờ 30 phút",
        "27/11/2026",
        "08 giờ 05 phút",
        "30/11/2026",
        "Quá hạn",
        "Trước hạn",
        "Thẩm định",
        "Ký duyệt",
        "28/11/2026",
    ] {
        assert_says(text, cell);
    }
    assert_says(
        text,
        "Các bước giải quyết quá hạn: Thẩm định (Phòng Tư pháp Quận 1).",
    );
}
