//! A sheet as a printable HTML page (trang in): self-contained (inline CSS, no script, no
//! external resource), A4 with the PDF's margins, and every value HTML-escaped, so a name like
//! `<script>` typed at the counter is shown, never run.

use crate::sheet::{Block, Sheet};
use motcua_pdf::{Align, Face, Line, Span, Style};
use std::fmt::Write as _;

const STYLE: &str = "@page{size:A4;margin:20mm 15mm 20mm 30mm}\
body{font-family:'Times New Roman','DejaVu Serif',serif;max-width:165mm;margin:1em auto;\
line-height:1.35;color:#000}\
p{margin:.2em 0}\
.cols{display:flex;gap:1em}.cols>div{flex:1 1 0}\
table.grid{border-collapse:collapse;width:100%;margin:.4em 0}\
table.grid td,table.grid th{border:1px solid #000;padding:.2em .35em;vertical-align:top;\
text-align:left}table.grid th{text-align:center}";

/// Escapes `s` for HTML text and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn css(style: &Style) -> String {
    let align = match style.align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
    };
    let mut css = format!("font-size:{}pt;text-align:{align}", style.size);
    match style.face {
        Face::Regular => {}
        Face::Bold => css.push_str(";font-weight:bold"),
        Face::Italic => css.push_str(";font-style:italic"),
    }
    if style.underline {
        css.push_str(";text-decoration:underline");
    }
    css
}

fn run(s: &Span) -> String {
    let text = escape(&s.text);
    match s.face {
        Face::Regular => text,
        Face::Bold => format!("<strong>{text}</strong>"),
        Face::Italic => format!("<em>{text}</em>"),
    }
}

fn paragraph(out: &mut String, text: &str, style: &Style) {
    // an empty line still takes its height (signature room)
    let text = if text.is_empty() { "&nbsp;" } else { text };
    let _ = writeln!(out, "<p style=\"{}\">{text}</p>", css(style));
}

fn column(out: &mut String, lines: &[Line], share: f32) {
    let _ = writeln!(out, "<div style=\"flex-grow:{share}\">");
    for l in lines {
        paragraph(out, &escape(&l.text).replace('\n', "<br>"), &l.style);
    }
    out.push_str("</div>\n");
}

fn table(out: &mut String, widths: &[f32], header: &[&str], rows: &[Vec<String>], size: f32) {
    let total: f32 = widths.iter().sum::<f32>().max(f32::EPSILON);
    let _ = writeln!(out, "<table class=\"grid\" style=\"font-size:{size}pt\">");
    out.push_str("<colgroup>");
    for w in widths {
        let _ = write!(out, "<col style=\"width:{:.1}%\">", w / total * 100.0);
    }
    out.push_str("</colgroup>\n<thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", escape(h).replace('\n', "<br>"));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for cell in r {
            let _ = write!(out, "<td>{}</td>", escape(cell).replace('\n', "<br>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

impl Sheet {
    /// The sheet as a self-contained printable HTML page.
    pub(crate) fn html(&self) -> String {
        let mut out = String::with_capacity(4096);
        let _ = write!(
            out,
            "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
             <title>{}</title><style>{STYLE}</style></head>\n<body>\n",
            escape(&self.title)
        );
        for block in &self.blocks {
            match block {
                Block::Columns {
                    left,
                    right,
                    left_share,
                } => {
                    out.push_str("<div class=\"cols\">\n");
                    column(&mut out, left, *left_share);
                    column(&mut out, right, 1.0 - left_share);
                    out.push_str("</div>\n");
                }
                Block::Spans { spans, style } => {
                    // each run carries its face; the paragraph's is ignored, as in the PDF
                    let text: String = spans.iter().map(run).collect();
                    paragraph(&mut out, &text, &style.face(Face::Regular));
                }
                Block::Table {
                    widths,
                    header,
                    rows,
                    size,
                } => table(&mut out, widths, header, rows, *size),
                Block::Space(points) => {
                    let _ = writeln!(out, "<div style=\"height:{points}pt\"></div>");
                }
            }
        }
        out.push_str("</body></html>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{body, line, span};

    #[test]
    fn every_kind_of_text_is_escaped() {
        let mut s = Sheet::new("<t>".into());
        s.push(Block::Columns {
            left: vec![line("<a>", body())],
            right: vec![line("b&c", body())],
            left_share: 0.4,
        });
        s.spans(vec![span("\"x\"", Face::Bold), span("'y'", Face::Italic)]);
        s.push(Block::Table {
            widths: vec![1.0],
            header: vec!["<h>"],
            rows: vec![vec!["<script>alert(1)</script>".into()]],
            size: 12.0,
        });
        let html = s.html();
        assert!(html.contains("<title>&lt;t&gt;</title>"));
        assert!(html.contains("&lt;a&gt;") && html.contains("b&amp;c"));
        assert!(html.contains("<strong>&quot;x&quot;</strong><em>&#39;y&#39;</em>"));
        assert!(html.contains("<th>&lt;h&gt;</th>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<script"));
    }
}
