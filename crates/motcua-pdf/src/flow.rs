//! Pages and the flow of blocks down them: the A4 geometry with the margins of Decree
//! 30/2020, a cursor that moves to a new page when the next line does not fit, and the
//! placing of paragraphs, two-column blocks and vertical space as drawing operations (tables
//! are in `table.rs`). Nothing here knows PDF syntax: `render.rs` turns the operations into
//! content streams.

use crate::font::Fonts;
use crate::layout::{Align, Face, Line, Style};
use crate::text::{Run, TextLine, wrap};

/// Points in a millimetre.
const MM: f32 = 72.0 / 25.4;
/// A4 width in points (210 mm).
pub const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points (297 mm).
pub const PAGE_HEIGHT: f32 = 841.89;
/// Left margin in points (30 mm).
pub const MARGIN_LEFT: f32 = 30.0 * MM;
/// Right margin in points (15 mm).
pub const MARGIN_RIGHT: f32 = 15.0 * MM;
/// Top margin in points (20 mm).
pub const MARGIN_TOP: f32 = 20.0 * MM;
/// Bottom margin in points (20 mm).
pub const MARGIN_BOTTOM: f32 = 20.0 * MM;
/// Width of the text between the margins, in points.
pub const TEXT_WIDTH: f32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// The lowest a line may reach, measured from the top of the page.
pub(crate) const LIMIT: f32 = PAGE_HEIGHT - MARGIN_BOTTOM;
/// Height of the text area of a page.
pub(crate) const BODY_HEIGHT: f32 = LIMIT - MARGIN_TOP;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.2;
/// Baseline below the top of a line, as a multiple of the font size.
const BASELINE: f32 = 0.95;
/// Least distance of an underline below the baseline, as a multiple of the font size.
const UNDERLINE_DROP: f32 = 0.24;

/// Font size used when a style's size is not a positive number.
const FALLBACK_SIZE: f32 = 12.0;

/// `style` with a usable size (a size that is zero, negative or not a number becomes 12 pt).
pub(crate) fn sane(style: Style) -> Style {
    if style.size.is_finite() && style.size > 0.0 {
        style
    } else {
        Style {
            size: FALLBACK_SIZE,
            ..style
        }
    }
}

/// Height in points of a line of text at `size`.
pub(crate) fn line_height(size: f32) -> f32 {
    size * LEADING
}

/// A drawing operation on a page, in PDF coordinates (origin bottom left, y up).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// Glyphs from `(x, y)` on the baseline.
    Text { x: f32, y: f32, size: f32, run: Run },
    /// A straight line `width` points thick.
    Rule {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
    },
    /// A stroked rectangle (a table cell).
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        width: f32,
    },
}

/// Where the next thing goes: a page and a height measured down from the page's top edge.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub(crate) struct Cursor {
    /// Index of the page.
    pub page: usize,
    /// Distance from the top of the page, in points.
    pub y: f32,
}

impl Cursor {
    /// Room left above the bottom margin.
    pub fn room(self) -> f32 {
        LIMIT - self.y
    }
    /// Whether nothing has been placed on this page yet.
    pub fn at_top(self) -> bool {
        self.y <= MARGIN_TOP + 0.01
    }
}

/// The pages laid out so far and the cursor.
pub(crate) struct Flow<'f> {
    /// The fonts, to measure with.
    pub fonts: &'f Fonts,
    /// Each page's operations.
    pub pages: Vec<Vec<Op>>,
    /// Where the next block starts.
    pub at: Cursor,
}

impl<'f> Flow<'f> {
    /// One empty page, the cursor at its top margin.
    pub fn new(fonts: &'f Fonts) -> Self {
        Self {
            fonts,
            pages: vec![Vec::new()],
            at: Cursor {
                page: 0,
                y: MARGIN_TOP,
            },
        }
    }

    /// The top of the page after `c`'s, created if needed.
    pub fn next_page(&mut self, c: Cursor) -> Cursor {
        let page = c.page + 1;
        while self.pages.len() <= page {
            self.pages.push(Vec::new());
        }
        Cursor {
            page,
            y: MARGIN_TOP,
        }
    }

    /// Adds `op` to page `page`.
    pub fn push(&mut self, page: usize, op: Op) {
        if let Some(ops) = self.pages.get_mut(page) {
            ops.push(op);
        }
    }

    /// Draws `line` with its top at `c`, aligned by `align` within `[x, x + w]`; with an
    /// underline under the text when `underline`.
    pub fn draw_line(&mut self, c: Cursor, line: &TextLine, (x, w): (f32, f32), style: Style) {
        let size = style.size;
        let width = line.width(size);
        let left = match style.align {
            Align::Left => x,
            Align::Center => x + (w - width) / 2.0,
            Align::Right => x + w - width,
        };
        let baseline = PAGE_HEIGHT - (c.y + BASELINE * size);
        let mut pen = left;
        for run in &line.runs {
            let advance: u32 = run.glyphs.iter().map(|g| u32::from(g.advance)).sum();
            self.push(
                c.page,
                Op::Text {
                    x: pen,
                    y: baseline,
                    size,
                    run: run.clone(),
                },
            );
            pen += crate::font::points(advance, size);
        }
        if style.underline && width > 0.0 {
            // Below the dot under ạ, ậ, ặ… (which the font's own underline position crosses),
            // still inside the line.
            let (position, thickness) = self.fonts.get(style.face).underline();
            let y = baseline + position.min(-UNDERLINE_DROP) * size;
            self.push(
                c.page,
                Op::Rule {
                    from: (left, y),
                    to: (left + width, y),
                    width: thickness * size,
                },
            );
        }
    }

    /// Places `lines` in `style` from `c` down, within `[x, x + w]`, going on to the next
    /// page when one does not fit; answers where the lines end.
    pub fn place_lines(
        &mut self,
        mut c: Cursor,
        lines: &[TextLine],
        span: (f32, f32),
        style: Style,
    ) -> Cursor {
        let h = line_height(style.size);
        for line in lines {
            if h > c.room() && !c.at_top() {
                c = self.next_page(c);
            }
            self.draw_line(c, line, span, style);
            c.y += h;
        }
        c
    }

    /// A paragraph of `(face, text)` runs across the text width.
    pub fn paragraph(&mut self, spans: &[(Face, &str)], style: Style) {
        let style = sane(style);
        let lines = wrap(self.fonts, spans, style.size, TEXT_WIDTH);
        self.at = self.place_lines(self.at, &lines, (MARGIN_LEFT, TEXT_WIDTH), style);
    }

    /// Two independent stacks side by side, the left one `left_share` of the text width;
    /// moved to a new page whole when it does not fit here but fits on a page. The flow goes
    /// on under the taller stack.
    pub fn columns(&mut self, left: &[Line], right: &[Line], left_share: f32) {
        let share = if left_share.is_finite() {
            left_share.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let left_w = TEXT_WIDTH * share;
        let stacks = [
            (left, MARGIN_LEFT, left_w),
            (right, MARGIN_LEFT + left_w, TEXT_WIDTH - left_w),
        ];
        let laid: Vec<Vec<(Style, Vec<TextLine>)>> = stacks
            .iter()
            .map(|(lines, _, w)| {
                lines
                    .iter()
                    .map(|l| {
                        let style = sane(l.style);
                        let face_text = [(style.face, l.text.as_str())];
                        (style, wrap(self.fonts, &face_text, style.size, *w))
                    })
                    .collect()
            })
            .collect();
        let height = laid
            .iter()
            .map(|stack| {
                stack
                    .iter()
                    .map(|(s, ls)| line_height(s.size) * ls.len() as f32)
                    .sum::<f32>()
            })
            .fold(0.0, f32::max);
        if height > self.at.room() && height <= BODY_HEIGHT && !self.at.at_top() {
            self.at = self.next_page(self.at);
        }
        let start = self.at;
        let mut end = start;
        for (stack, (_, x, w)) in laid.iter().zip(stacks) {
            let mut c = start;
            for (style, lines) in stack {
                c = self.place_lines(c, lines, (x, w), *style);
            }
            if c > end {
                end = c;
            }
        }
        self.at = end;
    }

    /// Vertical space; a new page when it reaches the bottom margin.
    pub fn space(&mut self, points: f32) {
        let points = if points.is_finite() {
            points.max(0.0)
        } else {
            0.0
        };
        if points >= self.at.room() {
            self.at = self.next_page(self.at);
        } else {
            self.at.y += points;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(ops: &[Op]) -> Vec<(f32, f32, String)> {
        ops.iter()
            .filter_map(|op| match op {
                Op::Text { x, y, run, .. } => {
                    Some((*x, *y, run.glyphs.iter().map(|g| g.ch).collect()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_underline_is_a_thin_rule_under_the_whole_text() {
        let fonts = Fonts::load().unwrap();
        let mut flow = Flow::new(&fonts);
        let style = Style::new(13.0).align(Align::Center).underlined();
        flow.paragraph(
            &[(Face::Bold, "Độc lập - Tự do - Hạnh phúc")],
            style.face(Face::Bold),
        );
        let ops = &flow.pages[0];
        let (x, y, _) = texts(ops)[0].clone();
        let Some(Op::Rule { from, to, width }) = ops.iter().find(|o| matches!(o, Op::Rule { .. }))
        else {
            panic!("no underline in {ops:?}");
        };
        let text_w = crate::layout::text_width("Độc lập - Tự do - Hạnh phúc", Face::Bold, 13.0);
        assert!((from.0 - x).abs() < 0.01 && (to.0 - from.0 - text_w.unwrap()).abs() < 0.01);
        assert!(
            from.1 == to.1 && from.1 < y - 0.2 * 13.0,
            "below the baseline and its dots"
        );
        assert!(*width > 0.0 && *width < 1.5, "thin: {width}");
    }

    #[test]
    fn columns_sit_side_by_side_and_the_flow_goes_on_below_the_taller() {
        let fonts = Fonts::load().unwrap();
        let mut flow = Flow::new(&fonts);
        let line = |t: &str| Line {
            text: t.to_string(),
            style: Style::new(12.0),
        };
        flow.columns(&[line("trái")], &[line("a"), line("b"), line("c")], 0.4);
        assert!((flow.at.y - (MARGIN_TOP + 3.0 * line_height(12.0))).abs() < 0.01);
        let t = texts(&flow.pages[0]);
        assert_eq!(t.len(), 4);
        assert_eq!(t[0].1, t[1].1, "both stacks start at the same height");
        assert!((t[0].0 - MARGIN_LEFT).abs() < 0.01);
        assert!((t[1].0 - (MARGIN_LEFT + 0.4 * TEXT_WIDTH)).abs() < 0.01);
        assert!(
            t[3].1 < t[2].1 && t[2].1 < t[1].1,
            "the right stack goes down"
        );
    }

    #[test]
    fn text_stays_within_the_margins_and_overflows_to_new_pages() {
        let fonts = Fonts::load().unwrap();
        let mut flow = Flow::new(&fonts);
        let long = "Hồ sơ đã được tiếp nhận đầy đủ và hợp lệ theo quy định. ".repeat(200);
        flow.paragraph(
            &[(Face::Regular, &long)],
            Style::new(13.0).align(Align::Right),
        );
        assert!(flow.pages.len() >= 3, "{} pages", flow.pages.len());
        for page in &flow.pages {
            for (x, y, _) in texts(page) {
                assert!((MARGIN_LEFT - 0.01..=PAGE_WIDTH - MARGIN_RIGHT).contains(&x));
                assert!(
                    (MARGIN_BOTTOM..=PAGE_HEIGHT - MARGIN_TOP).contains(&y),
                    "{y}"
                );
            }
        }
    }

    #[test]
    fn a_size_that_is_no_positive_number_falls_back_to_12_points() {
        let fonts = Fonts::load().unwrap();
        let mut flow = Flow::new(&fonts);
        flow.paragraph(&[(Face::Regular, "a")], Style::new(f32::NAN));
        flow.paragraph(&[(Face::Regular, "b")], Style::new(-3.0));
        assert!((flow.at.y - (MARGIN_TOP + 2.0 * line_height(12.0))).abs() < 0.01);
    }

    #[test]
    fn space_past_the_bottom_starts_a_page() {
        let fonts = Fonts::load().unwrap();
        let mut flow = Flow::new(&fonts);
        flow.space(100.0);
        assert_eq!(flow.at.y, MARGIN_TOP + 100.0);
        flow.space(BODY_HEIGHT);
        assert_eq!((flow.at.page, flow.at.y), (1, MARGIN_TOP));
        assert_eq!(flow.pages.len(), 2);
    }
}
