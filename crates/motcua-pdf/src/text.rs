//! Line breaking: a paragraph of runs in different faces is cut into lines no wider than the
//! room it has, at spaces, by the fonts' real advance widths; a word longer than a line is
//! cut between characters. No word is ever dropped: the spaces a break replaces are the only
//! text a line loses.

use crate::font::{Fonts, Glyph, points};
use crate::layout::Face;

/// Glyphs in one face, drawn one after the other.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    /// The face.
    pub face: Face,
    /// The glyphs, in order.
    pub glyphs: Vec<Glyph>,
}

/// A line of text, ready to be placed.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TextLine {
    /// The runs, left to right.
    pub runs: Vec<Run>,
    /// Advance of the whole line, in thousandths of an em.
    pub advance: u32,
}

impl TextLine {
    /// Width in points at `size`.
    pub fn width(&self, size: f32) -> f32 {
        points(self.advance, size)
    }

    /// The characters of the line (for tests and diagnostics).
    #[cfg(test)]
    pub fn text(&self) -> String {
        self.runs
            .iter()
            .flat_map(|r| r.glyphs.iter().map(|g| g.ch))
            .collect()
    }
}

/// A glyph with its face, before lines are grouped into runs.
type Placed = (Face, Glyph);

/// Sum of the advances of `glyphs`.
fn advance_of(glyphs: &[Placed]) -> u32 {
    glyphs.iter().map(|(_, g)| u32::from(g.advance)).sum()
}

/// Builds the lines of a paragraph of `(face, text)` runs at `size` points, each at most
/// `width` points wide (a line holds at least one character however narrow the room is). A
/// `\n` starts a new line; spaces and tabs are where lines may break. Always at least one line.
pub(crate) fn wrap(fonts: &Fonts, spans: &[(Face, &str)], size: f32, width: f32) -> Vec<TextLine> {
    let max = if size > 0.0 {
        (width.max(0.0) * 1000.0 / size) as u32
    } else {
        u32::MAX
    };
    let mut b = Breaker {
        max,
        lines: Vec::new(),
        line: Vec::new(),
        spaces: Vec::new(),
        word: Vec::new(),
    };
    for &(face, text) in spans {
        let font = fonts.get(face);
        for ch in text.chars() {
            match ch {
                '\n' => {
                    b.end_word();
                    b.end_line();
                }
                ' ' | '\t' => {
                    b.end_word();
                    b.spaces.push((face, font.glyph(' ')));
                }
                c if c.is_control() => {}
                c => b.word.push((face, font.glyph(c))),
            }
        }
    }
    b.end_word();
    b.end_line();
    b.lines
}

/// The state of greedy line breaking.
struct Breaker {
    /// Room in thousandths of an em.
    max: u32,
    /// Lines done.
    lines: Vec<TextLine>,
    /// The line being filled.
    line: Vec<Placed>,
    /// Spaces after the line's last word, placed only if another word follows on this line.
    spaces: Vec<Placed>,
    /// The word being read.
    word: Vec<Placed>,
}

impl Breaker {
    /// Places the word read so far: after the pending spaces if it fits, else on a new line,
    /// cut between characters if it is wider than a line.
    fn end_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let word = std::mem::take(&mut self.word);
        let spaces = std::mem::take(&mut self.spaces);
        let used = advance_of(&self.line);
        let needed = advance_of(&spaces) + advance_of(&word);
        if !self.line.is_empty() && used + needed > self.max {
            self.end_line();
        } else {
            self.line.extend(spaces);
        }
        if advance_of(&self.line) + advance_of(&word) <= self.max {
            self.line.extend(word);
            return;
        }
        for placed in word {
            let used = advance_of(&self.line);
            if !self.line.is_empty() && used + u32::from(placed.1.advance) > self.max {
                self.end_line();
            }
            self.line.push(placed);
        }
    }

    /// Closes the current line (dropping spaces that trail it).
    fn end_line(&mut self) {
        self.spaces.clear();
        let placed = std::mem::take(&mut self.line);
        let advance = advance_of(&placed);
        let mut runs: Vec<Run> = Vec::new();
        for (face, glyph) in placed {
            match runs.last_mut() {
                Some(run) if run.face == face => run.glyphs.push(glyph),
                _ => runs.push(Run {
                    face,
                    glyphs: vec![glyph],
                }),
            }
        }
        self.lines.push(TextLine { runs, advance });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, width: f32) -> Vec<String> {
        let fonts = Fonts::load().unwrap();
        wrap(&fonts, &[(Face::Regular, text)], 13.0, width)
            .iter()
            .map(TextLine::text)
            .collect()
    }

    #[test]
    fn short_text_is_one_line() {
        assert_eq!(
            lines("Nguyễn Thị Hồng Nhung", 400.0),
            ["Nguyễn Thị Hồng Nhung"]
        );
    }

    #[test]
    fn lines_break_at_spaces_and_keep_every_word() {
        let text = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả ngày 27 tháng 11 năm 2026";
        let got = lines(text, 120.0);
        assert!(got.len() > 2, "{got:?}");
        assert_eq!(got.join(" "), text);
        let fonts = Fonts::load().unwrap();
        for l in wrap(&fonts, &[(Face::Regular, text)], 13.0, 120.0) {
            assert!(l.width(13.0) <= 120.0);
        }
    }

    #[test]
    fn a_long_word_is_cut_between_characters() {
        let word = "Quyếtđịnhsố123456789012345678901234567890";
        let got = lines(word, 60.0);
        assert!(got.len() > 2, "{got:?}");
        assert_eq!(got.concat(), word);
    }

    #[test]
    fn a_newline_starts_a_line_and_runs_keep_their_faces() {
        let fonts = Fonts::load().unwrap();
        let got = wrap(
            &fonts,
            &[(Face::Bold, "Họ tên: "), (Face::Regular, "Lê Văn A\nhết")],
            13.0,
            400.0,
        );
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].runs.len(), 2);
        assert_eq!(got[0].runs[0].face, Face::Bold);
        assert_eq!(got[0].text(), "Họ tên: Lê Văn A");
        assert_eq!(got[1].text(), "hết");
    }

    #[test]
    fn empty_text_is_one_empty_line() {
        assert_eq!(lines("", 100.0), [""]);
    }

    #[test]
    fn no_room_still_places_one_character_a_line() {
        assert_eq!(lines("ab", 0.0), ["a", "b"]);
    }
}
