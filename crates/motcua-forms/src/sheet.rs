//! A form's content laid out once (bản trình bày), then written as a PDF document or as an
//! HTML page: each form builds a [`Sheet`] of blocks, so the printed PDF and the page on the
//! screen can never say different things.

use motcua_pdf::{Align, Document, Face, Line, Span, Style};

/// Body text size in points (cỡ chữ nội dung).
pub(crate) const BODY: f32 = 13.0;
/// The heading block's agency names and national title.
pub(crate) const HEADING: f32 = 12.0;
/// The form's title.
pub(crate) const TITLE: f32 = 14.0;

/// One block of a sheet, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// Two columns side by side, `left_share` of the width to the left.
    Columns {
        left: Vec<Line>,
        right: Vec<Line>,
        left_share: f32,
    },
    /// A paragraph of runs (size and alignment from `style`).
    Spans { spans: Vec<Span>, style: Style },
    /// A ruled table; `widths` are relative.
    Table {
        widths: Vec<f32>,
        header: Vec<&'static str>,
        rows: Vec<Vec<String>>,
        size: f32,
    },
    /// Vertical space in points.
    Space(f32),
}

/// A form laid out: its title (the PDF's `/Title`, the page's `<title>`) and its blocks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sheet {
    pub(crate) title: String,
    pub(crate) blocks: Vec<Block>,
}

/// A run in `face`.
pub(crate) fn span(text: impl Into<String>, face: Face) -> Span {
    Span {
        text: text.into(),
        face,
    }
}

/// A column line.
pub(crate) fn line(text: impl Into<String>, style: Style) -> Line {
    Line {
        text: text.into(),
        style,
    }
}

/// Body style, left-aligned.
pub(crate) const fn body() -> Style {
    Style::new(BODY)
}

impl Sheet {
    /// An empty sheet titled `title`.
    pub(crate) fn new(title: String) -> Self {
        Self {
            title,
            blocks: Vec::new(),
        }
    }

    /// Appends a block.
    pub(crate) fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }

    /// A paragraph of runs in body size, left-aligned.
    pub(crate) fn spans(&mut self, spans: Vec<Span>) {
        self.push(Block::Spans {
            spans,
            style: body(),
        });
    }

    /// A bold label followed by a regular value: `Địa chỉ: 12 Lê Lợi`.
    pub(crate) fn field(&mut self, label: &str, value: &str) {
        self.spans(vec![
            span(format!("{label}: "), Face::Bold),
            span(value, Face::Regular),
        ]);
    }

    /// [`Self::field`] when `value` is given and not blank.
    pub(crate) fn field_if(&mut self, label: &str, value: Option<&str>) {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            self.field(label, v);
        }
    }

    /// A paragraph of regular text in `style`'s size and alignment.
    pub(crate) fn text(&mut self, text: impl Into<String>, style: Style) {
        self.push(Block::Spans {
            spans: vec![span(text, style.face)],
            style,
        });
    }

    /// Vertical space.
    pub(crate) fn space(&mut self, points: f32) {
        self.push(Block::Space(points));
    }

    /// The sheet as a PDF document, ready for `to_pdf`.
    pub(crate) fn document(&self) -> Document {
        let mut doc = Document::a4(&self.title);
        for block in &self.blocks {
            match block {
                Block::Columns {
                    left,
                    right,
                    left_share,
                } => doc.columns(left, right, *left_share),
                Block::Spans { spans, style } => doc.spans(spans, *style),
                Block::Table {
                    widths,
                    header,
                    rows,
                    size,
                } => doc.table(widths, header, rows, *size),
                Block::Space(points) => doc.space(*points),
            }
        }
        doc
    }

    /// All the sheet's text in reading order, one block a line (what a reader of the form
    /// sees, for tests).
    #[cfg(test)]
    pub(crate) fn plain_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            match block {
                Block::Columns { left, right, .. } => {
                    for l in left.iter().chain(right) {
                        out.push_str(&l.text);
                        out.push('\n');
                    }
                }
                Block::Spans { spans, .. } => {
                    spans.iter().for_each(|s| out.push_str(&s.text));
                    out.push('\n');
                }
                Block::Table { header, rows, .. } => {
                    out.push_str(&header.join(" | "));
                    out.push('\n');
                    for r in rows {
                        out.push_str(&r.join(" | "));
                        out.push('\n');
                    }
                }
                Block::Space(_) => {}
            }
        }
        out
    }
}

/// Centred, in `size` and `face`.
pub(crate) const fn centred(size: f32, face: Face) -> Style {
    Style::new(size).face(face).align(Align::Center)
}
