//! From a [`Document`] to the file: lays the blocks out on pages, embeds each face the pages
//! use (subset to the glyphs they use), writes the catalogue, page tree, pages and their
//! content streams, and, when asked, the signature field and the signature itself.

use crate::PdfError;
use crate::embed::{Embedded, embed};
use crate::flow::{Flow, Op, PAGE_HEIGHT, PAGE_WIDTH};
use crate::font::Fonts;
use crate::layout::{Block, Document, Face, Signing};
use crate::signature;
use crate::writer::{Writer, num, text_string};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The faces in the order of their resource names.
const FACES: [(Face, &str); 3] = [
    (Face::Regular, "FR"),
    (Face::Bold, "FB"),
    (Face::Italic, "FI"),
];

/// The operations of each page of `doc`.
fn lay_out(doc: &Document, fonts: &Fonts) -> Vec<Vec<Op>> {
    let mut flow = Flow::new(fonts);
    for block in &doc.blocks {
        match block {
            Block::Paragraph { spans, style } => {
                let runs: Vec<(Face, &str)> =
                    spans.iter().map(|s| (s.face, s.text.as_str())).collect();
                flow.paragraph(&runs, *style);
            }
            Block::Columns {
                left,
                right,
                left_share,
            } => flow.columns(left, right, *left_share),
            Block::Table {
                widths,
                header,
                rows,
                size,
            } => crate::table::table(&mut flow, widths, header, rows, *size),
            Block::Space(points) => flow.space(*points),
        }
    }
    flow.pages
}

/// Index of `face` in [`FACES`].
fn slot(face: Face) -> usize {
    match face {
        Face::Regular => 0,
        Face::Bold => 1,
        Face::Italic => 2,
    }
}

/// The glyphs the pages use in each face: original glyph id → the character it was set for
/// (the first one, if several characters share a glyph).
fn used_glyphs(pages: &[Vec<Op>]) -> [BTreeMap<u16, char>; 3] {
    let mut used: [BTreeMap<u16, char>; 3] = Default::default();
    for op in pages.iter().flatten() {
        if let Op::Text { run, .. } = op {
            for g in &run.glyphs {
                used[slot(run.face)].entry(g.gid).or_insert(g.ch);
            }
        }
    }
    used
}

/// The content stream of one page.
fn content(ops: &[Op], fonts: &[Option<Embedded>; 3]) -> String {
    let mut out = String::new();
    for op in ops {
        match op {
            Op::Text { x, y, size, run } => {
                let Some(font) = &fonts[slot(run.face)] else {
                    continue;
                };
                let _ = write!(
                    out,
                    "BT /{} {} Tf {} {} Td <",
                    FACES[slot(run.face)].1,
                    num(*size),
                    num(*x),
                    num(*y)
                );
                for g in &run.glyphs {
                    let _ = write!(out, "{:04X}", font.cid(g.gid));
                }
                out.push_str("> Tj ET\n");
            }
            Op::Rule { from, to, width } => {
                let _ = writeln!(
                    out,
                    "{} w {} {} m {} {} l S",
                    num(*width),
                    num(from.0),
                    num(from.1),
                    num(to.0),
                    num(to.1)
                );
            }
            Op::Rect { x, y, w, h, width } => {
                let _ = writeln!(
                    out,
                    "{} w {} {} {} {} re S",
                    num(*width),
                    num(*x),
                    num(*y),
                    num(*w),
                    num(*h)
                );
            }
        }
    }
    out
}

/// The whole file of `doc`, signed when `signing` is given.
pub(crate) fn write(doc: &Document, signing: Option<&Signing<'_>>) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let pages = lay_out(doc, &fonts);
    let mut w = Writer::new();
    let [catalog, tree, info, resources] = [(); 4].map(|()| w.alloc());
    let page_ids: Vec<(u32, u32)> = pages.iter().map(|_| (w.alloc(), w.alloc())).collect();
    let sig_ids = signing.map(|_| (w.alloc(), w.alloc()));

    let acro_form = sig_ids.map_or(String::new(), |(field, _)| {
        format!(" /AcroForm << /Fields [{field} 0 R] /SigFlags 3 >>")
    });
    w.object(
        catalog,
        &format!("<< /Type /Catalog /Pages {tree} 0 R /Lang (vi-VN){acro_form} >>"),
    );
    let kids: Vec<String> = page_ids.iter().map(|(p, _)| format!("{p} 0 R")).collect();
    w.object(
        tree,
        &format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            page_ids.len()
        ),
    );
    w.object(
        info,
        &format!(
            "<< /Title {} /Producer (motcua-pdf) >>",
            text_string(&doc.title)
        ),
    );

    let used = used_glyphs(&pages);
    let mut embedded: [Option<Embedded>; 3] = Default::default();
    let mut names = String::new();
    for (i, (face, name)) in FACES.iter().enumerate() {
        if !used[i].is_empty() {
            let e = embed(&mut w, fonts.get(*face), &used[i])?;
            let _ = write!(names, " /{name} {} 0 R", e.font_id);
            embedded[i] = Some(e);
        }
    }
    w.object(resources, &format!("<< /Font <<{names} >> >>"));

    for (i, (ops, (page, contents))) in pages.iter().zip(&page_ids).enumerate() {
        let annots = match sig_ids {
            Some((field, _)) if i == 0 => format!(" /Annots [{field} 0 R]"),
            _ => String::new(),
        };
        w.object(
            *page,
            &format!(
                "<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 {} {}] \
                 /Resources {resources} 0 R /Contents {contents} 0 R{annots} >>",
                num(PAGE_WIDTH),
                num(PAGE_HEIGHT)
            ),
        );
        w.stream(*contents, "", content(ops, &embedded).as_bytes());
    }

    let reserved = match (signing, sig_ids, page_ids.first()) {
        (Some(s), Some(ids), Some((first, _))) => {
            Some((s, signature::write_field(&mut w, s, *first, ids)?))
        }
        _ => None,
    };
    let mut pdf = w.finish(catalog, info);
    if let Some((s, r)) = reserved {
        signature::sign(&mut pdf, &r, s.signer)?;
    }
    Ok(pdf)
}
