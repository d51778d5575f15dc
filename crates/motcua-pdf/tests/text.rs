//! What a reader (and `pdftotext`) gets back from a printed document: the Vietnamese exactly
//! as given, every word of wrapped paragraphs and table cells, a table's header on every page
//! it reaches, and the fonts embedded.

mod common;

use common::{STRINGS, page_count, poppler, receipt, text, words};
use motcua_pdf::{Document, Face, Span, Style};

#[test]
fn pdftotext_gives_back_the_vietnamese_exactly() {
    let pdf = receipt().to_pdf(None).unwrap();
    let got = text(&pdf, None);
    for s in STRINGS {
        assert!(got.contains(s), "{s:?} not extracted from:\n{got}");
    }
    assert!(got.contains("Họ và tên: Nguyễn Thị Hồng Nhung"), "{got}");
    assert!(
        got.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        "{got}"
    );
}

#[test]
fn wrapping_keeps_every_word() {
    let sentence = "Bộ phận Tiếp nhận và Trả kết quả của Ủy ban nhân dân quận đã tiếp nhận hồ sơ \
                    của bà Nguyễn Thị Hồng Nhung vào lúc 14 giờ 05 phút, ngày 27 tháng 11 năm \
                    2026, gồm các giấy tờ đã kê khai dưới đây; thời hạn giải quyết được tính \
                    theo ngày làm việc.";
    let paragraph = sentence.repeat(4);
    let mut doc = Document::a4("wrap");
    doc.spans(
        &[
            Span {
                text: "Ghi chú: ".into(),
                face: Face::Bold,
            },
            Span {
                text: paragraph.clone(),
                face: Face::Italic,
            },
        ],
        Style::new(13.0),
    );
    let pdf = doc.to_pdf(None).unwrap();
    let got = text(&pdf, None);
    assert!(got.trim().lines().count() >= 8, "wrapped: {got}");
    assert_eq!(words(&got), words(&format!("Ghi chú: {paragraph}")));
}

#[test]
fn a_word_longer_than_a_line_is_cut_not_lost() {
    let word = "Mãsốđịnhdanhcánhân".repeat(12);
    let mut doc = Document::a4("long");
    doc.paragraph(&word, Style::new(13.0));
    let got = text(&doc.to_pdf(None).unwrap(), None);
    assert!(got.trim().lines().count() >= 2, "cut: {got}");
    let joined: String = got.split_whitespace().collect();
    assert_eq!(joined, word);
}

#[test]
fn a_table_over_pages_repeats_its_header_and_keeps_its_cells() {
    let rows: Vec<Vec<String>> = (1..=90)
        .map(|i| {
            vec![
                i.to_string(),
                format!("Đăng ký khai sinh cho trẻ em số {i} tại phường Bến Nghé"),
                "Đã tiếp nhận".to_string(),
            ]
        })
        .collect();
    let mut doc = Document::a4("bảng");
    doc.paragraph("Danh sách hồ sơ", Style::new(13.0));
    doc.table(
        &[1.0, 6.0, 3.0],
        &["STT", "Tên thủ tục", "Tình trạng"],
        &rows,
        12.0,
    );
    let pdf = doc.to_pdf(None).unwrap();
    let pages = page_count(&pdf);
    assert!(pages >= 3, "90 rows take several pages, got {pages}");
    for page in 1..=pages {
        let got = text(&pdf, Some((page, page)));
        assert!(
            got.contains("Tên thủ tục"),
            "page {page} has no header:\n{got}"
        );
        assert!(
            got.contains("Tình trạng"),
            "page {page} has no header:\n{got}"
        );
    }
    let all = words(&text(&pdf, None));
    for i in 1..=90 {
        let cell = format!("Đăng ký khai sinh cho trẻ em số {i} tại phường Bến Nghé");
        assert!(all.contains(&cell), "row {i} lost");
    }
}

#[test]
fn pdffonts_lists_the_three_faces_embedded() {
    let pdf = receipt().to_pdf(None).unwrap();
    let ran = poppler("pdffonts", &[], &pdf, &[]);
    assert!(ran.ok, "pdffonts failed: {}", ran.stderr);
    for name in ["DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic"] {
        let row = ran
            .stdout
            .lines()
            .find(|l| {
                l.split_whitespace()
                    .next()
                    .is_some_and(|n| n.split_once('+').is_some_and(|(_, b)| b == name))
            })
            .unwrap_or_else(|| panic!("{name} not listed:\n{}", ran.stdout));
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name, type (CID TrueType), encoding (Identity-H), emb, sub, uni, object, id
        assert_eq!(
            &cols[1..5],
            ["CID", "TrueType", "Identity-H", "yes"],
            "{row}"
        );
        assert_eq!(cols[6], "yes", "ToUnicode: {row}");
    }
}

#[test]
fn pdfinfo_reads_it_without_a_word_on_stderr() {
    for pdf in [
        receipt().to_pdf(None).unwrap(),
        Document::a4("Trống").to_pdf(None).unwrap(),
    ] {
        let ran = poppler("pdfinfo", &[], &pdf, &[]);
        assert!(ran.ok, "pdfinfo failed: {}", ran.stderr);
        assert_eq!(ran.stderr, "", "pdfinfo complained");
        let info = words(&ran.stdout);
        assert!(info.contains("PDF version: 1.7"), "{}", ran.stdout);
        assert!(
            info.contains("Page size: 595.28 x 841.89 pts (A4)"),
            "{}",
            ran.stdout
        );
    }
    let ran = poppler("pdfinfo", &[], &receipt().to_pdf(None).unwrap(), &[]);
    assert!(
        words(&ran.stdout).contains("Title: Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        "{}",
        ran.stdout
    );
}

#[test]
fn a_character_the_font_lacks_is_no_panic() {
    let mut doc = Document::a4("thiếu");
    doc.paragraph(
        "Chữ 漢 và 😀 không có trong phông, còn lại vẫn in: Hạnh phúc",
        Style::new(13.0),
    );
    let pdf = doc.to_pdf(None).unwrap();
    assert!(text(&pdf, None).contains("Hạnh phúc"));
    assert_eq!(page_count(&pdf), 1);
}
