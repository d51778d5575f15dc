//! A one-page PDF signed by hand (until `motcua-pdf`'s writer exists) and checked by poppler's
//! `pdfsig` (NSS), as a reader of the province's documents would: valid as signed, not valid
//! with one covered byte changed.

use std::path::Path;
use std::process::Command;

use motcua_pdf::DetachedSigner;

use crate::{AGENCY_NAME, test_signer, write};

/// The `ByteRange` placeholder, overwritten in place with the real offsets (same width).
const BYTE_RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

/// A one-page PDF with an AcroForm signature field whose `/Contents` holds `signer`'s detached
/// CMS signature over everything else (`/ByteRange [0 a b c]`).
pub(crate) fn signed_pdf(signer: &dyn DetachedSigner) -> Vec<u8> {
    let room = signer.max_signature_len();
    let name: String = std::iter::once(0xfeff_u16)
        .chain(signer.signer_name().encode_utf16())
        .map(|unit| format!("{unit:04X}"))
        .collect();
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>".to_owned(),
        "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /Rect [0 0 0 0] /F 132 \
         /P 3 0 R /V 5 0 R >>"
            .to_owned(),
        format!(
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /Name <{name}> \
             /M (D:20250301083000Z) /ByteRange {BYTE_RANGE_PLACEHOLDER} /Contents <{}> >>",
            "0".repeat(2 * room)
        ),
    ];
    let mut pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    // The signature's room: from '<' to '>' of /Contents, both included.
    let start = find(&pdf, b"/Contents <") + "/Contents ".len();
    let end = start + 2 * room + 2;
    let byte_range = format!("[0 {start:010} {end:010} {:010}]", pdf.len() - end);
    let at = find(&pdf, BYTE_RANGE_PLACEHOLDER.as_bytes());
    pdf[at..at + byte_range.len()].copy_from_slice(byte_range.as_bytes());
    let covered = [&pdf[..start], &pdf[end..]].concat();
    let der = signer.sign_detached(&covered).expect("sign the PDF");
    assert!(der.len() <= room, "the signature outgrew its room");
    let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
    pdf[start + 1..start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    pdf
}

/// Where `needle` first occurs in `haystack`.
pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("marker in the PDF")
}

/// `pdfsig`'s report on `pdf`; fails (not skips) when poppler's `pdfsig` is not installed.
pub(crate) fn pdfsig(pdf: &std::path::Path) -> String {
    let output = match Command::new("pdfsig").arg(pdf).output() {
        Ok(output) => output,
        Err(err) => panic!(
            "running pdfsig failed ({err}): install poppler-utils (apt-get install poppler-utils)"
        ),
    };
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    eprintln!(
        "pdfsig {}:\n{report}{}",
        pdf.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    report
}

#[test]
fn pdfsig_accepts_the_signature_and_refuses_a_changed_byte() {
    let (dir, signer) = test_signer();
    assert_pdfsig_checks(dir.path(), "p256", &signer);
}

/// Checks `pdfsig` finds `signer`'s signature of a PDF valid, and a changed byte a digest
/// mismatch.
pub(crate) fn assert_pdfsig_checks(dir: &Path, name: &str, signer: &dyn DetachedSigner) {
    let pdf = signed_pdf(signer);
    let report = pdfsig(&write(dir, &format!("{name}.pdf"), &pdf));
    assert!(
        report.contains("Signature Validation: Signature is Valid."),
        "{report}"
    );
    assert!(
        report.contains(&format!("Signer Certificate Common Name: {AGENCY_NAME}")),
        "{report}"
    );
    assert!(
        report.contains("Signing Hash Algorithm: SHA-256"),
        "{report}"
    );

    // One covered byte changed (the page width 595 → 596).
    let mut tampered = pdf;
    let at = find(&tampered, b"/MediaBox [0 0 595") + "/MediaBox [0 0 59".len();
    tampered[at] = b'6';
    let report = pdfsig(&write(dir, &format!("{name}-tampered.pdf"), &tampered));
    assert!(!report.contains("Signature is Valid."), "{report}");
    assert!(report.contains("Digest Mismatch"), "{report}");
}
