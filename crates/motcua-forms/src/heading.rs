//! The parts every form shares (thể thức văn bản): the heading block with the issuing agency
//! and the national heading (quốc hiệu, tiêu ngữ), the place-date line, the form's title with
//! the dossier code, and the signature blocks — written once so the six forms look alike.

use crate::Issuer;
use crate::sheet::{BODY, Block, HEADING, Sheet, TITLE, centred, line, span};
use crate::vn;
use motcua_pdf::{Align, Face, Line, Style};
use time::OffsetDateTime;

/// The national title (quốc hiệu).
pub const NATIONAL_TITLE: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
/// The national motto (tiêu ngữ).
pub const NATIONAL_MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";

/// Share of the text width the agency's column takes in the heading block (tỷ lệ cột cơ
/// quan): the national title fits the rest on one line; a long agency name wraps in it.
pub const AGENCY_SHARE: f32 = 0.35;

/// Whether `text` fits on one line of the agency's column at body size.
fn fits_agency_column(text: &str) -> bool {
    motcua_pdf::text_width(text, Face::Regular, BODY)
        .is_ok_and(|w| w <= AGENCY_SHARE * motcua_pdf::TEXT_WIDTH - 2.0)
}

/// The heading block and the place-date line: the parent body and the agency on the left, the
/// national heading on the right; `number` (`Số: …`) under the agency when it fits there, else
/// on its own line under the block (a long dossier code is never cut); then the place and
/// `issued_at` (dotted blanks when the form carries no issue date).
pub(crate) fn heading(
    sheet: &mut Sheet,
    issuer: &Issuer,
    number: Option<&str>,
    issued_at: Option<OffsetDateTime>,
) {
    let mut left = Vec::new();
    if let Some(parent) = issuer
        .parent_name
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        left.push(line(parent.to_uppercase(), centred(HEADING, Face::Regular)));
    }
    left.push(line(
        issuer.agency_name.trim().to_uppercase(),
        centred(HEADING, Face::Bold),
    ));
    let number = number.map(|n| format!("Số: {n}"));
    let (in_column, below) = match number {
        Some(n) if fits_agency_column(&n) => (Some(n), None),
        n => (None, n),
    };
    if let Some(n) = in_column {
        left.push(line(n, centred(BODY, Face::Regular)));
    }
    let right = vec![
        line(NATIONAL_TITLE, centred(HEADING, Face::Bold)),
        line(NATIONAL_MOTTO, centred(BODY, Face::Bold).underlined()),
    ];
    sheet.push(Block::Columns {
        left,
        right,
        left_share: AGENCY_SHARE,
    });
    sheet.space(4.0);
    if let Some(n) = below {
        sheet.text(n, Style::new(BODY));
    }
    sheet.text(
        vn::place_date(issuer.place.as_deref(), issued_at),
        Style::new(BODY).face(Face::Italic).align(Align::Right),
    );
    sheet.space(10.0);
}

/// The form's title in bold capitals, centred, with the dossier code under it.
pub(crate) fn title(sheet: &mut Sheet, title: &str, dossier_code: &str) {
    sheet.text(title.to_uppercase(), centred(TITLE, Face::Bold));
    sheet.push(Block::Spans {
        spans: vec![
            span("Mã hồ sơ: ", Face::Bold),
            span(dossier_code, Face::Regular),
        ],
        style: centred(BODY, Face::Regular),
    });
    sheet.space(8.0);
}

/// A signature block (chữ ký): who signs, how, room to sign, and the signer's name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Signature<'a> {
    /// `NGƯỜI TIẾP NHẬN HỒ SƠ`.
    pub(crate) role: &'a str,
    /// `(Ký và ghi rõ họ tên)`.
    pub(crate) note: &'a str,
    /// The name printed under the room, if known.
    pub(crate) name: Option<&'a str>,
}

/// The note under a signer who signs by name.
pub(crate) const SIGN_AND_NAME: &str = "(Ký và ghi rõ họ tên)";
/// The note under the head of an agency.
pub(crate) const SIGN_AND_SEAL: &str = "(Ký tên, đóng dấu)";

fn block(sig: Option<Signature<'_>>) -> Vec<Line> {
    let Some(sig) = sig else {
        return Vec::new();
    };
    let mut lines = vec![
        line(sig.role, centred(BODY, Face::Bold)),
        line(sig.note, centred(BODY, Face::Italic)),
        line("", centred(BODY, Face::Regular)),
        line("", centred(BODY, Face::Regular)),
        line("", centred(BODY, Face::Regular)),
    ];
    if let Some(name) = sig.name.map(str::trim).filter(|n| !n.is_empty()) {
        lines.push(line(name, centred(BODY, Face::Bold)));
    }
    lines
}

/// One signature block on the right: a form signed by one person (`role`, the `note` under
/// it, the signer's `name`).
pub(crate) fn signed_by(sheet: &mut Sheet, role: &'static str, note: &'static str, name: &str) {
    signatures(
        sheet,
        None,
        Some(Signature {
            role,
            note,
            name: Some(name),
        }),
    );
}

/// The signature blocks side by side (half the width each); a form signed by one person
/// passes `None` on the left.
pub(crate) fn signatures(
    sheet: &mut Sheet,
    left: Option<Signature<'_>>,
    right: Option<Signature<'_>>,
) {
    sheet.space(14.0);
    sheet.push(Block::Columns {
        left: block(left),
        right: block(right),
        left_share: 0.5,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn issuer(parent: Option<&str>) -> Issuer {
        Issuer {
            agency_code: "000.25.80.H80".into(),
            agency_name: "UBND phường Bến Nghé".into(),
            parent_name: parent.map(str::to_string),
            place: Some("TP. Hồ Chí Minh".into()),
        }
    }

    #[test]
    fn the_national_heading_fits_its_column_on_one_line() {
        let room = (1.0 - AGENCY_SHARE) * motcua_pdf::TEXT_WIDTH;
        let title = motcua_pdf::text_width(NATIONAL_TITLE, Face::Bold, HEADING);
        let motto = motcua_pdf::text_width(NATIONAL_MOTTO, Face::Bold, BODY);
        assert!(title.expect("the font loads") < room - 2.0);
        assert!(motto.expect("the font loads") < room - 2.0);
    }

    #[test]
    fn the_heading_names_parent_and_agency_in_capitals_beside_the_national_heading() {
        let mut s = Sheet::new(String::new());
        let at = datetime!(2026-12-04 09:00 UTC);
        heading(
            &mut s,
            &issuer(Some("UBND Quận 1")),
            Some("12/TNHS"),
            Some(at),
        );
        let Block::Columns { left, right, .. } = &s.blocks[0] else {
            panic!("the heading block comes first");
        };
        assert_eq!(left[0].text, "UBND QUẬN 1");
        assert_eq!(left[0].style.face, Face::Regular);
        assert_eq!(left[1].text, "UBND PHƯỜNG BẾN NGHÉ");
        assert_eq!(left[1].style.face, Face::Bold);
        assert_eq!(left[2].text, "Số: 12/TNHS");
        assert_eq!(right[0].text, NATIONAL_TITLE);
        assert_eq!(right[0].style.face, Face::Bold);
        assert_eq!(right[1].text, NATIONAL_MOTTO);
        assert!(right[1].style.underline && right[1].style.face == Face::Bold);
        let text = s.plain_text();
        assert!(text.contains("TP. Hồ Chí Minh, ngày 04 tháng 12 năm 2026\n"));
    }

    #[test]
    fn a_number_too_long_for_the_column_goes_under_the_block_whole() {
        let mut s = Sheet::new(String::new());
        let number = "000.25.80.H80-261127-0001/TNHS";
        heading(&mut s, &issuer(None), Some(number), None);
        let Block::Columns { left, .. } = &s.blocks[0] else {
            panic!("the heading block comes first");
        };
        assert!(!left.iter().any(|l| l.text.starts_with("Số")));
        let text = s.plain_text();
        assert!(text.contains("\nSố: 000.25.80.H80-261127-0001/TNHS\nTP. Hồ Chí Minh, ngày ....."));
    }

    #[test]
    fn without_a_parent_the_agency_heads_the_column() {
        let mut s = Sheet::new(String::new());
        heading(&mut s, &issuer(None), None, None);
        let Block::Columns { left, .. } = &s.blocks[0] else {
            panic!("the heading block comes first");
        };
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].text, "UBND PHƯỜNG BẾN NGHÉ");
        assert!(s.plain_text().contains("ngày ..... tháng"));
    }

    #[test]
    fn a_signature_block_has_role_note_and_name() {
        let mut s = Sheet::new(String::new());
        let sig = Signature {
            role: "NGƯỜI TIẾP NHẬN HỒ SƠ",
            note: SIGN_AND_NAME,
            name: Some("Trần Văn Bình"),
        };
        signatures(&mut s, None, Some(sig));
        let Some(Block::Columns { left, right, .. }) = s.blocks.last() else {
            panic!("signatures are columns");
        };
        assert!(left.is_empty());
        assert_eq!(right.first().map(|l| l.text.as_str()), Some(sig.role));
        assert_eq!(right[1].text, SIGN_AND_NAME);
        assert_eq!(right.last().map(|l| l.text.as_str()), Some("Trần Văn Bình"));
    }
}
