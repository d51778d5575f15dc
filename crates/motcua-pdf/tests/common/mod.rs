//! What the integration tests share: sample documents and running poppler's tools on a PDF
//! (a test fails, never skips, when poppler-utils is missing).

#![allow(dead_code)]

use motcua_pdf::{Align, Document, Face, Line, Span, Style};
use std::process::Command;

/// The Vietnamese strings a printed form carries, which extraction must give back exactly.
pub const STRINGS: [&str; 6] = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Nguyễn Thị Hồng Nhung",
    "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "ngày 27 tháng 11 năm 2026",
    "14 giờ 05 phút",
];

/// What a poppler tool printed.
pub struct Ran {
    /// Exit status was success.
    pub ok: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs poppler's `tool` with `args` and then the path of a file holding `pdf` (and `extra`
/// arguments after it); panics telling to install poppler-utils when the tool is missing.
pub fn poppler(tool: &str, args: &[&str], pdf: &[u8], extra: &[&str]) -> Ran {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("the PDF written");
    let out = match Command::new(tool)
        .args(args)
        .arg(&path)
        .args(extra)
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{tool}` is not installed: these tests need poppler-utils \
             (apt-get install poppler-utils)"
        ),
        Err(e) => panic!("running {tool}: {e}"),
    };
    Ran {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The text `pdftotext` extracts from `pdf` (UTF-8), pages `first..=last` if given.
pub fn text(pdf: &[u8], pages: Option<(usize, usize)>) -> String {
    let range = pages.map(|(f, l)| [f.to_string(), l.to_string()]);
    let mut args = vec!["-enc", "UTF-8"];
    if let Some([f, l]) = &range {
        args.extend(["-f", f.as_str(), "-l", l.as_str()]);
    }
    let ran = poppler("pdftotext", &args, pdf, &["-"]);
    assert!(ran.ok, "pdftotext failed: {}", ran.stderr);
    ran.stdout
}

/// The number of pages `pdfinfo` reports.
pub fn page_count(pdf: &[u8]) -> usize {
    let ran = poppler("pdfinfo", &[], pdf, &[]);
    assert!(ran.ok, "pdfinfo failed: {}", ran.stderr);
    ran.stdout
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo reports Pages")
}

/// Words of `s` separated by single spaces (text compared modulo line breaks).
pub fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A receipt-like document carrying [`STRINGS`] in every kind of block and face.
pub fn receipt() -> Document {
    let centred = |size, face| Style::new(size).face(face).align(Align::Center);
    let mut doc = Document::a4("Giấy tiếp nhận hồ sơ và hẹn trả kết quả");
    doc.columns(
        &[
            Line {
                text: "UBND QUẬN 1".into(),
                style: centred(12.0, Face::Regular),
            },
            Line {
                text: "BỘ PHẬN MỘT CỬA".into(),
                style: centred(12.0, Face::Bold),
            },
        ],
        &[
            Line {
                text: STRINGS[0].into(),
                style: centred(12.0, Face::Bold),
            },
            Line {
                text: STRINGS[1].into(),
                style: centred(13.0, Face::Bold).underlined(),
            },
        ],
        // DejaVu Serif Bold is wide: the national title at 12 pt needs 293 pt, so the
        // right column must have at least that (0.64 of the 467.7 pt text width).
        0.36,
    );
    doc.space(12.0);
    doc.paragraph(&STRINGS[3].to_uppercase(), centred(14.0, Face::Bold));
    doc.spans(
        &[
            Span {
                text: "Họ và tên: ".into(),
                face: Face::Bold,
            },
            Span {
                text: STRINGS[2].into(),
                face: Face::Regular,
            },
        ],
        Style::new(13.0),
    );
    doc.paragraph(STRINGS[3], Style::new(13.0));
    doc.paragraph(
        &format!("Hẹn trả kết quả lúc {}, {}.", STRINGS[5], STRINGS[4]),
        Style::new(13.0).face(Face::Italic).align(Align::Right),
    );
    doc
}
