//! The embedded DejaVu Serif faces: parsed with `ttf-parser` once per document, they answer
//! the glyph of a character (`.notdef` when the font lacks it, never a panic) and its advance
//! width, in the thousandths of an em that both line breaking and the PDF's `/W` array use,
//! so that what is measured is exactly what a viewer draws.

use crate::PdfError;
use crate::layout::Face;

/// DejaVu Serif, regular.
static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSerif.ttf");
/// DejaVu Serif Bold.
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSerif-Bold.ttf");
/// DejaVu Serif Italic.
static ITALIC: &[u8] = include_bytes!("../fonts/DejaVuSerif-Italic.ttf");

/// One character set in a face: the glyph that draws it and its advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Glyph {
    /// The glyph id in the original font (0, `.notdef`, when the font lacks `ch`).
    pub gid: u16,
    /// The character it stands for (what `/ToUnicode` maps it back to).
    pub ch: char,
    /// Advance width in thousandths of an em.
    pub advance: u16,
}

/// A parsed face and the numbers its PDF font descriptor needs.
pub(crate) struct Font {
    face: ttf_parser::Face<'static>,
    data: &'static [u8],
    ps_name: &'static str,
    italic: bool,
    upem: f32,
}

impl Font {
    fn load(data: &'static [u8], ps_name: &'static str, italic: bool) -> Result<Self, PdfError> {
        let face = ttf_parser::Face::parse(data, 0)
            .map_err(|e| PdfError::Font(format!("{ps_name}: {e}")))?;
        let upem = f32::from(face.units_per_em().max(1));
        Ok(Self {
            face,
            data,
            ps_name,
            italic,
            upem,
        })
    }

    /// The font file's bytes (what is subset and embedded).
    pub fn data(&self) -> &'static [u8] {
        self.data
    }

    /// The PostScript name (`DejaVuSerif-Bold`), the base of the PDF's `/BaseFont`.
    pub fn ps_name(&self) -> &'static str {
        self.ps_name
    }

    /// Whether the face is italic (the descriptor's flags).
    pub fn italic(&self) -> bool {
        self.italic
    }

    /// Font units scaled to thousandths of an em, rounded.
    fn milli(&self, units: f32) -> i32 {
        (units * 1000.0 / self.upem).round() as i32
    }

    /// The glyph for `ch` (`.notdef` if the font has none).
    pub fn glyph(&self, ch: char) -> Glyph {
        let id = self.face.glyph_index(ch).unwrap_or(ttf_parser::GlyphId(0));
        Glyph {
            gid: id.0,
            ch,
            advance: self.advance(id.0),
        }
    }

    /// The advance of glyph `gid` in thousandths of an em (0 for an unknown glyph).
    pub fn advance(&self, gid: u16) -> u16 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .unwrap_or(0);
        u16::try_from(self.milli(f32::from(units)).max(0)).unwrap_or(u16::MAX)
    }

    /// Ascender, descender (negative) and capital height in thousandths of an em.
    pub fn vertical(&self) -> (i32, i32, i32) {
        let ascent = self.milli(f32::from(self.face.ascender()));
        let cap = self.face.capital_height().unwrap_or(self.face.ascender());
        (
            ascent,
            self.milli(f32::from(self.face.descender())),
            self.milli(f32::from(cap)),
        )
    }

    /// The font's bounding box `[x_min y_min x_max y_max]` in thousandths of an em.
    pub fn bbox(&self) -> [i32; 4] {
        let r = self.face.global_bounding_box();
        [r.x_min, r.y_min, r.x_max, r.y_max].map(|v| self.milli(f32::from(v)))
    }

    /// The italic angle in degrees (counter-clockwise from vertical; negative leans right).
    pub fn italic_angle(&self) -> f32 {
        self.face.italic_angle()
    }

    /// Underline position (negative: below the baseline) and thickness, in ems.
    pub fn underline(&self) -> (f32, f32) {
        match self.face.underline_metrics() {
            Some(m) if m.thickness > 0 => (
                f32::from(m.position) / self.upem,
                f32::from(m.thickness) / self.upem,
            ),
            _ => (-0.1, 0.05),
        }
    }
}

/// The three faces a document may use.
pub(crate) struct Fonts {
    regular: Font,
    bold: Font,
    italic: Font,
}

impl Fonts {
    /// Parses the embedded fonts (an error only if a font file were corrupt).
    pub fn load() -> Result<Self, PdfError> {
        Ok(Self {
            regular: Font::load(REGULAR, "DejaVuSerif", false)?,
            bold: Font::load(BOLD, "DejaVuSerif-Bold", false)?,
            italic: Font::load(ITALIC, "DejaVuSerif-Italic", true)?,
        })
    }

    /// The font of `face`.
    pub fn get(&self, face: Face) -> &Font {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Italic => &self.italic,
        }
    }
}

/// Width in points of `advance` thousandths of an em at `size` points.
pub(crate) fn points(advance: u32, size: f32) -> f32 {
    advance as f32 * size / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vietnamese_letter_has_a_glyph_in_every_face() {
        let fonts = Fonts::load().unwrap();
        let letters = "ĂÂĐÊÔƠƯăâđêôơưÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ\
                       àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ";
        for face in [Face::Regular, Face::Bold, Face::Italic] {
            for ch in letters.chars() {
                let g = fonts.get(face).glyph(ch);
                assert_ne!(g.gid, 0, "{face:?} lacks {ch}");
                assert!(g.advance > 0);
            }
        }
    }

    #[test]
    fn a_missing_character_is_notdef() {
        let fonts = Fonts::load().unwrap();
        let g = fonts.get(Face::Regular).glyph('\u{10FFFD}');
        assert_eq!(g.gid, 0);
        assert_eq!(g.ch, '\u{10FFFD}');
    }
}
