//! The signature over a whole document and the determinism it relies on: `/ByteRange`
//! covers the file but exactly the `/Contents` hex string, the signer is given exactly those
//! bytes, its answer lands in the room reserved, and the same document gives the same bytes.

mod common;

use common::{poppler, receipt, words};
use motcua_pdf::{DetachedSigner, Document, PdfError, SignError, Signing, Style};
use std::cell::RefCell;

/// DER-looking bytes (a `SEQUENCE` holding the `signedData` OID, then filler).
fn fake_der(len: usize) -> Vec<u8> {
    let mut der = vec![0x30, 0x82, 0x01, 0x2C, 0x06, 0x09];
    der.extend([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]);
    der.extend((0..len.saturating_sub(der.len())).map(|i| (i * 7 + 1) as u8));
    der.truncate(len);
    der
}

/// A signer answering fixed bytes and remembering what it was asked to sign.
struct TestSigner {
    answer: Vec<u8>,
    room: usize,
    seen: RefCell<Vec<u8>>,
}

impl TestSigner {
    fn new(answer_len: usize, room: usize) -> Self {
        Self {
            answer: fake_der(answer_len),
            room,
            seen: RefCell::new(Vec::new()),
        }
    }
}

impl DetachedSigner for TestSigner {
    fn sign_detached(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        *self.seen.borrow_mut() = data.to_vec();
        Ok(self.answer.clone())
    }
    fn max_signature_len(&self) -> usize {
        self.room
    }
    fn signer_name(&self) -> String {
        "Ủy ban nhân dân Quận 1".to_string()
    }
}

fn signing(signer: &TestSigner) -> Signing<'_> {
    Signing {
        signer,
        pdf_date: "D:20261127140500+07'00'".to_string(),
        reason: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả".to_string(),
        location: "Quận 1, Thành phố Hồ Chí Minh".to_string(),
    }
}

/// Offset of the only occurrence of `needle` in `hay`.
fn only(hay: &[u8], needle: &[u8]) -> usize {
    let hits: Vec<usize> = hay
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "{:?} occurs {} times",
        String::from_utf8_lossy(needle),
        hits.len()
    );
    hits[0]
}

fn byte_range(pdf: &[u8]) -> [usize; 4] {
    let start = only(pdf, b"/ByteRange [") + b"/ByteRange [".len();
    let end = start + pdf[start..].iter().position(|b| *b == b']').unwrap();
    let nums: Vec<usize> = std::str::from_utf8(&pdf[start..end])
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    nums.try_into().unwrap()
}

#[test]
fn the_byte_range_covers_all_but_the_contents_and_the_signer_gets_exactly_it() {
    let signer = TestSigner::new(300, 2048);
    let pdf = receipt().to_pdf(Some(&signing(&signer))).unwrap();
    let [zero, a, b, c] = byte_range(&pdf);
    assert_eq!(zero, 0);
    assert_eq!(
        b + c,
        pdf.len(),
        "the second range runs to the end of the file"
    );
    assert_eq!(a, only(&pdf, b"/Contents <") + b"/Contents ".len());
    assert_eq!(pdf[a], b'<');
    assert_eq!(pdf[b - 1], b'>');
    assert_eq!(
        b - a,
        2 * 2048 + 2,
        "the gap is the hex string and its brackets"
    );
    assert!(pdf[a + 1..b - 1].iter().all(u8::is_ascii_hexdigit));

    let mut covered = pdf[..a].to_vec();
    covered.extend_from_slice(&pdf[b..]);
    assert_eq!(*signer.seen.borrow(), covered);

    let hex = std::str::from_utf8(&pdf[a + 1..b - 1]).unwrap();
    let written: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(&written[..300], &signer.answer[..]);
    assert!(
        written[300..].iter().all(|b| *b == 0),
        "the rest is zero padding"
    );
}

#[test]
fn the_signature_field_is_an_invisible_widget_on_page_one() {
    let signer = TestSigner::new(64, 512);
    let pdf = receipt().to_pdf(Some(&signing(&signer))).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    for needle in [
        "/AcroForm << /Fields [",
        "/SigFlags 3",
        "/Subtype /Widget /FT /Sig",
        "/F 132 /Rect [0 0 0 0]",
        "/Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached",
        "/M (D:20261127140500+07'00')",
        "/Name <FEFF",
        "/Annots [",
    ] {
        assert!(text.contains(needle), "{needle} missing");
    }
    let ran = poppler("pdfinfo", &[], &pdf, &[]);
    assert!(ran.ok, "pdfinfo failed: {}", ran.stderr);
    assert_eq!(ran.stderr, "");
    assert!(
        words(&ran.stdout).contains("Form: AcroForm"),
        "{}",
        ran.stdout
    );
}

#[test]
fn a_signature_longer_than_its_room_is_a_sign_error() {
    let signer = TestSigner::new(600, 512);
    let err = receipt().to_pdf(Some(&signing(&signer))).unwrap_err();
    assert!(matches!(err, PdfError::Sign(_)), "{err}");
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    assert_eq!(
        receipt().to_pdf(None).unwrap(),
        receipt().to_pdf(None).unwrap()
    );
    let s1 = TestSigner::new(300, 1024);
    let s2 = TestSigner::new(300, 1024);
    assert_eq!(
        receipt().to_pdf(Some(&signing(&s1))).unwrap(),
        receipt().to_pdf(Some(&signing(&s2))).unwrap()
    );
    let mut other = receipt();
    other.paragraph("thêm một dòng", Style::new(13.0));
    let id = |pdf: &[u8]| pdf[only(pdf, b"/ID [")..].to_vec();
    assert_ne!(
        id(&other.to_pdf(None).unwrap()),
        id(&receipt().to_pdf(None).unwrap()),
        "the /ID follows the content"
    );
    let empty = Document::a4("x").to_pdf(None).unwrap();
    assert_eq!(empty, Document::a4("x").to_pdf(None).unwrap());
}

#[test]
fn pdfsig_finds_a_signature_over_the_total_document() {
    let signer = TestSigner::new(120, 256);
    let pdf = receipt().to_pdf(Some(&signing(&signer))).unwrap();
    let ran = poppler("pdfsig", &[], &pdf, &[]);
    let out = words(&ran.stdout);
    // The test signer's bytes are no real CMS, so validation fails (and poppler then does not
    // say "Total document signed"); the structure is what is checked here: poppler reads the
    // ranges, and the second ends at the end of the file.
    assert!(
        out.contains("Signature #1:"),
        "{}{}",
        ran.stdout,
        ran.stderr
    );
    assert!(
        out.contains("Signature Type: adbe.pkcs7.detached"),
        "{}",
        ran.stdout
    );
    let [_, a, b, _] = byte_range(&pdf);
    let ranges = format!("Signed Ranges: [0 - {a}], [{b} - {}]", pdf.len());
    assert!(out.contains(&ranges), "{}", ran.stdout);
}
