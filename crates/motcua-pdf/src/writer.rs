//! PDF file syntax: numbered objects appended to one buffer with their offsets recorded,
//! streams (FlateDecode-compressed), the cross-reference table and the trailer whose `/ID`
//! is a SHA-256 of the file's body, so the same document always gives the same bytes. Also
//! how numbers and text strings are spelled.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::Write as _;

/// A PDF file being written, object by object.
pub(crate) struct Writer {
    buf: Vec<u8>,
    /// Byte offset of each object, by number minus one (`None`: allocated, not written).
    offsets: Vec<Option<usize>>,
}

impl Writer {
    /// A file holding only the PDF 1.7 header (with the binary-comment line).
    pub fn new() -> Self {
        let mut buf = b"%PDF-1.7\n%".to_vec();
        buf.extend_from_slice(&[0xE2, 0xE3, 0xCF, 0xD3, b'\n']);
        Self {
            buf,
            offsets: Vec::new(),
        }
    }

    /// A new object number.
    pub fn alloc(&mut self) -> u32 {
        self.offsets.push(None);
        u32::try_from(self.offsets.len()).unwrap_or(u32::MAX)
    }

    /// The bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Appends raw bytes (inside an object begun with [`Self::begin`]).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Starts object `id` here.
    pub fn begin(&mut self, id: u32) {
        let at = self.buf.len();
        if let Some(slot) = (id as usize)
            .checked_sub(1)
            .and_then(|i| self.offsets.get_mut(i))
        {
            *slot = Some(at);
        }
        self.raw(format!("{id} 0 obj\n").as_bytes());
    }

    /// Ends the object begun last.
    pub fn end(&mut self) {
        self.raw(b"\nendobj\n");
    }

    /// Object `id` whose whole body is `body` (a dictionary, an array…).
    pub fn object(&mut self, id: u32, body: &str) {
        self.begin(id);
        self.raw(body.as_bytes());
        self.end();
    }

    /// Stream object `id` holding `data`, compressed; `extra` are more dictionary entries.
    pub fn stream(&mut self, id: u32, extra: &str, data: &[u8]) {
        self.begin(id);
        let (bytes, filter) = match deflate(data) {
            Some(z) => (z, " /Filter /FlateDecode"),
            None => (data.to_vec(), ""),
        };
        let sep = if extra.is_empty() { "" } else { " " };
        self.raw(
            format!(
                "<< /Length {}{filter}{sep}{extra} >>\nstream\n",
                bytes.len()
            )
            .as_bytes(),
        );
        self.raw(&bytes);
        self.raw(b"\nendstream");
        self.end();
    }

    /// The finished file: the body, the cross-reference table and the trailer naming the
    /// catalogue `root` and the document information `info`.
    pub fn finish(mut self, root: u32, info: u32) -> Vec<u8> {
        let hash = Sha256::digest(&self.buf);
        let id: String = hash.iter().take(16).fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02X}");
            s
        });
        let xref = self.buf.len();
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len() + 1);
        for offset in &self.offsets {
            match offset {
                Some(at) => {
                    let _ = writeln!(table, "{at:010} 00000 n ");
                }
                None => table.push_str("0000000000 65535 f \n"),
            }
        }
        let _ = write!(
            table,
            "trailer\n<< /Size {} /Root {root} 0 R /Info {info} 0 R /ID [<{id}> <{id}>] >>\n\
             startxref\n{xref}\n%%EOF\n",
            self.offsets.len() + 1
        );
        self.raw(table.as_bytes());
        self.buf
    }
}

/// `data` zlib-compressed (FlateDecode), or `None` if the compressor failed.
fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data).ok()?;
    z.finish().ok()
}

/// A number as PDF spells it: at most two decimals, no trailing zeros, no `-0`.
pub(crate) fn num(v: f32) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match s {
        "-0" | "" => "0".to_string(),
        s => s.to_string(),
    }
}

/// A text string: a literal `( … )` when `s` is printable ASCII, else UTF-16BE with a byte
/// order mark in hex (`<FEFF…>`), as PDF wants Unicode in `/Title`, `/Reason`, `/Name`.
pub(crate) fn text_string(s: &str) -> String {
    if s.chars().all(|c| (' '..='~').contains(&c)) {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('(');
        for c in s.chars() {
            if matches!(c, '(' | ')' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push(')');
        return out;
    }
    let mut out = String::from("<FEFF");
    for unit in s.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(85.03937), "85.04");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f32::NAN), "0");
    }

    #[test]
    fn ascii_is_literal_and_unicode_is_utf16() {
        assert_eq!(text_string("a (b) \\"), "(a \\(b\\) \\\\)");
        assert_eq!(text_string("Hà"), "<FEFF004800E0>");
    }

    #[test]
    fn the_xref_points_at_each_object() {
        let mut w = Writer::new();
        let a = w.alloc();
        let b = w.alloc();
        w.object(a, "<< /Type /Catalog >>");
        w.stream(b, "", b"hello");
        let pdf = w.finish(a, b);
        let text = String::from_utf8_lossy(&pdf);
        let at = pdf.windows(7).position(|w| w == b"1 0 obj").unwrap();
        assert!(text.contains(&format!("{at:010} 00000 n \n")));
        assert!(text.contains("/ID [<"));
        assert!(text.ends_with("%%EOF\n"));
    }
}
