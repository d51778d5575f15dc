//! Ruled tables: columns sized from relative widths, cells wrapped to their column, the bold
//! header row drawn again at the top of every page the table reaches, and a row taller than
//! what is left of a page moved to the next page, or split between pages when it is taller
//! than a page.

use crate::flow::{
    BODY_HEIGHT, Cursor, Flow, MARGIN_LEFT, Op, PAGE_HEIGHT, TEXT_WIDTH, line_height,
};
use crate::layout::{Align, Face, Style};
use crate::text::{TextLine, wrap};
use std::ops::Range;

/// Room between a cell's rule and its text, left and right.
const PAD_X: f32 = 3.0;
/// Room between a cell's rule and its text, above and below.
const PAD_Y: f32 = 2.0;
/// Thickness of the rules.
const RULE: f32 = 0.5;

/// The wrapped lines of each cell of a row.
type Cells = Vec<Vec<TextLine>>;

/// A table's columns and header, shared by all its rows.
struct Grid {
    /// Left edge and width of each column.
    cols: Vec<(f32, f32)>,
    /// Font size.
    size: f32,
    /// Line height.
    lh: f32,
    /// The header's cells, if it has any text.
    header: Option<Cells>,
}

/// Absolute column widths: relative `widths` (a missing or non-positive one counts as the
/// mean of the others) scaled to the text width, for `n` columns.
fn column_spans(widths: &[f32], n: usize) -> Vec<(f32, f32)> {
    let valid: Vec<f32> = widths
        .iter()
        .copied()
        .filter(|w| w.is_finite() && *w > 0.0)
        .collect();
    let mean = if valid.is_empty() {
        1.0
    } else {
        valid.iter().sum::<f32>() / valid.len() as f32
    };
    let rel: Vec<f32> = (0..n)
        .map(|i| match widths.get(i) {
            Some(w) if w.is_finite() && *w > 0.0 => *w,
            _ => mean,
        })
        .collect();
    let total: f32 = rel.iter().sum();
    let mut x = MARGIN_LEFT;
    rel.iter()
        .map(|r| {
            let w = TEXT_WIDTH * r / total;
            let span = (x, w);
            x += w;
            span
        })
        .collect()
}

impl Grid {
    /// Wraps each of `texts` to its column in `face`.
    fn cells<S: AsRef<str>>(&self, flow: &Flow<'_>, texts: &[S], face: Face) -> Cells {
        self.cols
            .iter()
            .enumerate()
            .map(|(i, (_, w))| {
                let text = texts.get(i).map_or("", AsRef::as_ref);
                wrap(flow.fonts, &[(face, text)], self.size, w - 2.0 * PAD_X)
            })
            .collect()
    }

    /// Height of `k` lines of a row.
    fn height(&self, k: usize) -> f32 {
        2.0 * PAD_Y + k as f32 * self.lh
    }

    /// How many lines of a row fit in `room`.
    fn fit(&self, room: f32) -> usize {
        let lines = ((room - 2.0 * PAD_Y) / self.lh + 1e-3).floor();
        if lines > 0.0 { lines as usize } else { 0 }
    }

    /// Height of the header row (0 without one).
    fn header_height(&self) -> f32 {
        self.header
            .as_ref()
            .map_or(0.0, |h| self.height(tallest(h)))
    }

    /// Draws lines `part` of each cell as a row of ruled cells with its top at `c` (bold and
    /// centred for the `header`).
    fn draw(
        &self,
        flow: &mut Flow<'_>,
        c: Cursor,
        cells: &Cells,
        part: Range<usize>,
        header: bool,
    ) -> Cursor {
        let h = self.height(part.len());
        let style = Style {
            size: self.size,
            face: if header { Face::Bold } else { Face::Regular },
            align: if header { Align::Center } else { Align::Left },
            underline: false,
        };
        for ((x, w), lines) in self.cols.iter().zip(cells) {
            flow.push(
                c.page,
                Op::Rect {
                    x: *x,
                    y: PAGE_HEIGHT - c.y - h,
                    w: *w,
                    h,
                    width: RULE,
                },
            );
            for (j, line) in lines.iter().skip(part.start).take(part.len()).enumerate() {
                let top = Cursor {
                    page: c.page,
                    y: c.y + PAD_Y + j as f32 * self.lh,
                };
                flow.draw_line(top, line, (x + PAD_X, w - 2.0 * PAD_X), style);
            }
        }
        Cursor {
            page: c.page,
            y: c.y + h,
        }
    }

    /// Draws the header row at `c` (nothing without one).
    fn draw_header(&self, flow: &mut Flow<'_>, c: Cursor) -> Cursor {
        match &self.header {
            Some(h) => self.draw(flow, c, h, 0..tallest(h), true),
            None => c,
        }
    }
}

/// The most lines any cell of a row has (at least 1).
fn tallest(cells: &Cells) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(1).max(1)
}

/// Lays out a table at the flow's cursor (see [`crate::Document::table`]).
pub(crate) fn table(
    flow: &mut Flow<'_>,
    widths: &[f32],
    header: &[String],
    rows: &[Vec<String>],
    size: f32,
) {
    let n = rows
        .iter()
        .map(Vec::len)
        .chain([widths.len(), header.len()])
        .max()
        .unwrap_or(0);
    if n == 0 {
        return;
    }
    let size = crate::flow::sane(Style::new(size)).size;
    let mut grid = Grid {
        cols: column_spans(widths, n),
        size,
        lh: line_height(size),
        header: None,
    };
    if header.iter().any(|h| !h.trim().is_empty()) {
        grid.header = Some(grid.cells(flow, header, Face::Bold));
    }
    let rows: Vec<Cells> = rows
        .iter()
        .map(|row| grid.cells(flow, row, Face::Regular))
        .collect();
    // The header with the first row (as much of it as a page holds): never a header alone.
    let header_h = grid.header_height();
    let first = rows.first().map_or(0, |cells| {
        tallest(cells).min(grid.fit(BODY_HEIGHT - header_h).max(1))
    });
    let mut c = flow.at;
    if header_h + grid.height(first) > c.room() && !c.at_top() {
        c = flow.next_page(c);
    }
    c = grid.draw_header(flow, c);
    for cells in &rows {
        c = place_row(flow, &grid, c, cells);
    }
    flow.at = c;
}

/// Places one row from `c`: whole here if it fits, else whole on the next page (under the
/// header again) if it fits there, else as many lines here as fit and the rest after.
fn place_row(flow: &mut Flow<'_>, grid: &Grid, mut c: Cursor, cells: &Cells) -> Cursor {
    let total = tallest(cells);
    let header_h = grid.header_height();
    let on_fresh_page = |c: Cursor| c.y <= crate::flow::MARGIN_TOP + header_h + 0.01;
    let fresh = grid.fit(BODY_HEIGHT - header_h);
    let mut from = 0;
    while from < total {
        let rest = total - from;
        let fits = grid.fit(c.room());
        if rest <= fits {
            return grid.draw(flow, c, cells, from..total, false);
        }
        if !on_fresh_page(c) && (rest <= fresh || fits == 0) {
            c = flow.next_page(c);
            c = grid.draw_header(flow, c);
            continue;
        }
        let k = fits.clamp(1, rest);
        c = grid.draw(flow, c, cells, from..from + k, false);
        from += k;
        if from < total {
            c = flow.next_page(c);
            c = grid.draw_header(flow, c);
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::font::Fonts;

    /// The texts of each page's text operations.
    fn page_texts(flow: &Flow<'_>) -> Vec<Vec<String>> {
        flow.pages
            .iter()
            .map(|ops| {
                ops.iter()
                    .filter_map(|op| match op {
                        Op::Text { run, .. } => Some(run.glyphs.iter().map(|g| g.ch).collect()),
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn columns_fill_the_text_width_whatever_widths_are_given() {
        for widths in [&[1.0, 3.0][..], &[], &[0.0, f32::NAN, 2.0], &[1.0]] {
            let spans = column_spans(widths, 3);
            assert_eq!(spans.len(), 3);
            let total: f32 = spans.iter().map(|s| s.1).sum();
            assert!((total - TEXT_WIDTH).abs() < 0.01, "{widths:?}");
            assert!((spans[0].0 - MARGIN_LEFT).abs() < 0.01);
        }
        let spans = column_spans(&[1.0, 3.0], 2);
        assert!((spans[1].1 - 3.0 * spans[0].1).abs() < 0.01);
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_under_a_repeated_header() {
        let fonts = Fonts::load().unwrap();
        let mut flow = Flow::new(&fonts);
        let cell: Vec<String> = (1..=150).map(|i| format!("dòng {i}")).collect();
        let rows = vec![vec!["1".to_string(), cell.join("\n")]];
        let header = ["STT".to_string(), "Nội dung".to_string()];
        table(&mut flow, &[1.0, 5.0], &header, &rows, 12.0);
        let pages = page_texts(&flow);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for texts in &pages {
            assert_eq!(
                texts[..2],
                ["STT", "Nội dung"],
                "each page starts with the header"
            );
        }
        let lines: Vec<&String> = pages
            .iter()
            .flatten()
            .filter(|t| t.starts_with("dòng"))
            .collect();
        assert_eq!(lines.len(), 150, "no line lost or doubled");
        assert_eq!(lines[149], "dòng 150");
    }

    #[test]
    fn a_row_that_does_not_fit_moves_whole_to_the_next_page() {
        let fonts = Fonts::load().unwrap();
        let mut flow = Flow::new(&fonts);
        flow.space(BODY_HEIGHT - 60.0);
        let rows = vec![vec!["a\nb\nc\nd\ne".to_string()]];
        table(&mut flow, &[1.0], &["Cột".to_string()], &rows, 12.0);
        let pages = page_texts(&flow);
        assert!(pages[0].is_empty(), "no header alone at the foot of a page");
        assert_eq!(pages[1], ["Cột", "a", "b", "c", "d", "e"]);

        let mut flow = Flow::new(&fonts);
        flow.space(BODY_HEIGHT - 150.0);
        let rows = vec![
            vec!["a".to_string()],
            vec!["b\nc\nd\ne\nf\ng\nh\ni".to_string()],
        ];
        table(&mut flow, &[1.0], &["Cột".to_string()], &rows, 12.0);
        let pages = page_texts(&flow);
        assert_eq!(pages[0], ["Cột", "a"]);
        assert_eq!(pages[1], ["Cột", "b", "c", "d", "e", "f", "g", "h", "i"]);
    }
}
