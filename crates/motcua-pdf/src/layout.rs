//! The document model the forms are written in: blocks laid out top to bottom on A4 pages with
//! the margins of Decree 30/2020 (left 30 mm, right 15 mm, top and bottom 20 mm), a new page
//! when the next line does not fit. THE PUBLIC API BELOW IS THE CONTRACT the forms crate is
//! written against: add to it freely, change it only together with `motcua-forms`.

use crate::signer::DetachedSigner;

/// Which face of the embedded serif font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Upright.
    Regular,
    /// Bold (titles, labels, the national heading).
    Bold,
    /// Italic (place and date line, notes).
    Italic,
}

/// Horizontal alignment of a paragraph's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Flush left.
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
}

/// How a run of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// Font size in points (forms use 13, headings 12–14).
    pub size: f32,
    /// The face.
    pub face: Face,
    /// Alignment of the paragraph.
    pub align: Align,
    /// Draws a line under the text (the national motto's underline).
    pub underline: bool,
}

impl Style {
    /// Regular, left-aligned, `size` points, no underline.
    pub const fn new(size: f32) -> Self {
        Self {
            size,
            face: Face::Regular,
            align: Align::Left,
            underline: false,
        }
    }
    /// The same, in `face`.
    pub const fn face(mut self, face: Face) -> Self {
        self.face = face;
        self
    }
    /// The same, aligned `align`.
    pub const fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }
    /// The same, underlined.
    pub const fn underlined(mut self) -> Self {
        self.underline = true;
        self
    }
}

/// A run of text in one face inside a paragraph ("Họ tên: " bold, then the name regular).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The text (any Unicode the font covers; NFC as given).
    pub text: String,
    /// Its face.
    pub face: Face,
}

/// One line or paragraph of a column of the heading block.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The text.
    pub text: String,
    /// How it looks (alignment is within the column).
    pub style: Style,
}

/// The signature's dictionary entries besides the signature itself.
pub struct Signing<'a> {
    /// Who signs and how.
    pub signer: &'a dyn DetachedSigner,
    /// `/M`: when it is signed, as a PDF date `D:YYYYMMDDHHmmSS+07'00'`.
    pub pdf_date: String,
    /// `/Reason` (e.g. "Giấy tiếp nhận hồ sơ và hẹn trả kết quả").
    pub reason: String,
    /// `/Location` (the agency's place).
    pub location: String,
}

/// A block of the document, kept as given until [`Document::to_pdf`] lays it out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// A paragraph of runs.
    Paragraph { spans: Vec<Span>, style: Style },
    /// Two independent stacks of lines side by side.
    Columns {
        left: Vec<Line>,
        right: Vec<Line>,
        left_share: f32,
    },
    /// A ruled table.
    Table {
        widths: Vec<f32>,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        size: f32,
    },
    /// Vertical space in points.
    Space(f32),
}

/// A document being laid out. It only records the blocks; [`Document::to_pdf`] lays them out
/// on pages and writes the file, so a document can be written any number of times.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub(crate) title: String,
    pub(crate) blocks: Vec<Block>,
}

impl Document {
    /// An empty A4 portrait document whose `/Title` is `title`.
    pub fn a4(title: &str) -> Self {
        Self {
            title: title.to_string(),
            blocks: Vec::new(),
        }
    }
    /// A paragraph in one style, wrapped to the text width.
    pub fn paragraph(&mut self, text: &str, style: Style) {
        self.blocks.push(Block::Paragraph {
            spans: vec![Span {
                text: text.to_string(),
                face: style.face,
            }],
            style,
        });
    }
    /// A paragraph of runs in different faces, wrapped as one (size and alignment from
    /// `style`; its face is ignored).
    pub fn spans(&mut self, spans: &[Span], style: Style) {
        self.blocks.push(Block::Paragraph {
            spans: spans.to_vec(),
            style,
        });
    }
    /// Two columns side by side (the heading: the agency on the left, the national heading on
    /// the right; or the two signature blocks), `left_share` of the text width to the left.
    pub fn columns(&mut self, left: &[Line], right: &[Line], left_share: f32) {
        self.blocks.push(Block::Columns {
            left: left.to_vec(),
            right: right.to_vec(),
            left_share,
        });
    }
    /// A table with ruled cells: `widths` are relative column widths, `header` is bold and
    /// repeated at the top of each page, cells wrap; `size` is the font size.
    pub fn table(&mut self, widths: &[f32], header: &[&str], rows: &[Vec<String>], size: f32) {
        self.blocks.push(Block::Table {
            widths: widths.to_vec(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: rows.to_vec(),
            size,
        });
    }
    /// Vertical space of `points`.
    pub fn space(&mut self, points: f32) {
        self.blocks.push(Block::Space(points));
    }
    /// The PDF's bytes: unsigned, or signed over the whole file (`adbe.pkcs7.detached`, the
    /// signature field on the first page). The same input gives the same bytes.
    pub fn to_pdf(&self, signing: Option<&Signing<'_>>) -> Result<Vec<u8>, crate::PdfError> {
        crate::render::write(self, signing)
    }
}

/// Width in points of `text` on one line in `face` at `size` points, as the writer measures it
/// (for a form to check that a heading fits its column before choosing a size).
pub fn text_width(text: &str, face: Face, size: f32) -> Result<f32, crate::PdfError> {
    let fonts = crate::font::Fonts::load()?;
    let font = fonts.get(face);
    let advance: u32 = text
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| u32::from(font.glyph(c).advance))
        .sum();
    Ok(crate::font::points(advance, size))
}
