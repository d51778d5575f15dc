//! A face embedded as PDF wants a Unicode TrueType font: `Type0` with `Identity-H`, a
//! `CIDFontType2` whose CIDs are the glyph ids of a subset of the font (only the glyphs the
//! document uses, renumbered from 0 by the `subsetter` crate, so `/CIDToGIDMap /Identity`),
//! their `/W` widths, the font descriptor, the subset font file, and a `/ToUnicode` CMap so
//! that text copied or extracted from the PDF is the text that was given.

use crate::PdfError;
use crate::font::Font;
use crate::writer::{Writer, num};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A face as embedded: its `Type0` font object and how glyph ids were renumbered.
pub(crate) struct Embedded {
    /// The object number of the `Type0` font (what a page's resources name).
    pub font_id: u32,
    /// Original glyph id to CID (the glyph id in the subset).
    pub cids: BTreeMap<u16, u16>,
}

impl Embedded {
    /// The CID of original glyph `gid` (`.notdef`, 0, for one not in the subset).
    pub fn cid(&self, gid: u16) -> u16 {
        self.cids.get(&gid).copied().unwrap_or(0)
    }
}

/// Writes `font` subset to the glyphs in `used` (original glyph id → the character it
/// stands for) with its descriptor, widths and `/ToUnicode`.
pub(crate) fn embed(
    w: &mut Writer,
    font: &Font,
    used: &BTreeMap<u16, char>,
) -> Result<Embedded, PdfError> {
    let mut remapper = subsetter::GlyphRemapper::new();
    for gid in used.keys() {
        remapper.remap(*gid);
    }
    let subset = subsetter::subset(font.data(), 0, &remapper)
        .map_err(|e| PdfError::Font(format!("subsetting {}: {e}", font.ps_name())))?;
    let cids: BTreeMap<u16, u16> = remapper
        .remapped_gids()
        .enumerate()
        .filter_map(|(cid, gid)| Some((gid, u16::try_from(cid).ok()?)))
        .collect();
    let base = format!("{}+{}", tag(font, &cids), font.ps_name());
    let [type0, cid_font, descriptor, file, to_unicode] = [(); 5].map(|()| w.alloc());

    w.object(
        type0,
        &format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H \
             /DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>"
        ),
    );
    w.object(
        cid_font,
        &format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base} \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor {descriptor} 0 R /DW 1000 /W {} /CIDToGIDMap /Identity >>",
            widths(font, &remapper)
        ),
    );
    w.object(descriptor, &descriptor_dict(font, &base, file));
    w.stream(file, &format!("/Length1 {}", subset.len()), &subset);
    w.stream(to_unicode, "", to_unicode_cmap(&cids, used).as_bytes());
    Ok(Embedded {
        font_id: type0,
        cids,
    })
}

/// The `/W` array: the widths of CIDs 0, 1, 2… in order.
fn widths(font: &Font, remapper: &subsetter::GlyphRemapper) -> String {
    let mut out = String::from("[0 [");
    for (i, gid) in remapper.remapped_gids().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{}", font.advance(gid));
    }
    out.push_str("]]");
    out
}

/// The font descriptor of `font` named `base`, its font file in object `file`.
fn descriptor_dict(font: &Font, base: &str, file: u32) -> String {
    let (ascent, descent, cap) = font.vertical();
    let [x0, y0, x1, y1] = font.bbox();
    // Serif (2) and Nonsymbolic (32), and Italic (64) for the italic face.
    let flags = if font.italic() { 2 + 32 + 64 } else { 2 + 32 };
    format!(
        "<< /Type /FontDescriptor /FontName /{base} /Flags {flags} \
         /FontBBox [{x0} {y0} {x1} {y1}] /ItalicAngle {} /Ascent {ascent} /Descent {descent} \
         /CapHeight {cap} /StemV 80 /FontFile2 {file} 0 R >>",
        num(font.italic_angle())
    )
}

/// The six capital letters that mark a subset (`ABCDEF+DejaVuSerif`), derived from the font
/// and the glyphs it keeps, so that the same document always gets the same tag.
fn tag(font: &Font, cids: &BTreeMap<u16, u16>) -> String {
    let mut h = Sha256::new();
    h.update(font.ps_name().as_bytes());
    for gid in cids.keys() {
        h.update(gid.to_be_bytes());
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

/// The `/ToUnicode` CMap: each CID to the character its glyph was chosen for.
fn to_unicode_cmap(cids: &BTreeMap<u16, u16>, used: &BTreeMap<u16, char>) -> String {
    let pairs: Vec<(u16, char)> = used
        .iter()
        .filter(|(gid, _)| **gid != 0)
        .filter_map(|(gid, ch)| Some((*cids.get(gid)?, *ch)))
        .collect();
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in pairs.chunks(100) {
        let _ = writeln!(out, "{} beginbfchar", chunk.len());
        for (cid, ch) in chunk {
            let _ = write!(out, "<{cid:04X}> <");
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                let _ = write!(out, "{unit:04X}");
            }
            out.push_str(">\n");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cmap_maps_each_cid_to_its_character() {
        let cids = BTreeMap::from([(0, 0), (7, 1), (900, 2)]);
        let used = BTreeMap::from([(7, 'A'), (900, 'Ộ'), (0, '?')]);
        let cmap = to_unicode_cmap(&cids, &used);
        assert!(cmap.contains("2 beginbfchar\n<0001> <0041>\n<0002> <1ED8>\n"));
        assert!(!cmap.contains("<0000> <003F>"));
    }

    #[test]
    fn a_subset_keeps_the_used_glyphs_first_after_notdef() {
        let fonts = crate::font::Fonts::load().unwrap();
        let font = fonts.get(crate::layout::Face::Regular);
        let a = font.glyph('A');
        let o = font.glyph('Ộ');
        let used = BTreeMap::from([(a.gid, 'A'), (o.gid, 'Ộ')]);
        let mut w = Writer::new();
        let e = embed(&mut w, font, &used).unwrap();
        assert_eq!(e.cid(0), 0);
        assert_eq!(e.cid(a.gid.min(o.gid)), 1);
        assert_eq!(e.cid(a.gid.max(o.gid)), 2);
        assert_eq!(e.cid(9999), 0);
        assert!(w.len() < font.data().len() / 4, "the subset is small");
    }
}
