//! The PDF signature: an invisible signature field on the first page whose value is a
//! signature dictionary with room reserved for the CMS signature (`/Contents`, hex zeros) and
//! for `/ByteRange` (numbers padded with spaces); once the whole file is written, the byte
//! range is filled in to cover everything but the `/Contents` hex string, the signer signs
//! exactly those bytes, and its answer is written into the reserved room.

use crate::PdfError;
use crate::layout::Signing;
use crate::signer::{DetachedSigner, SignError};
use crate::writer::{Writer, text_string};
use std::fmt::Write as _;

/// Room for `0 a b c` inside `/ByteRange [ … ]` (four numbers of up to ten digits).
const BYTE_RANGE_WIDTH: usize = 44;

/// Where the reserved room is in the file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reserved {
    /// Offset of the text inside `/ByteRange [ … ]`.
    byte_range: usize,
    /// Offset of the `<` that opens `/Contents`.
    contents: usize,
    /// Hex digits between `<` and `>`.
    hex_len: usize,
}

/// Writes the signature field `field` (a widget on page `page`) and its value `value`, the
/// signature dictionary with reserved room; answers where the room is.
pub(crate) fn write_field(
    w: &mut Writer,
    signing: &Signing<'_>,
    page: u32,
    (field, value): (u32, u32),
) -> Result<Reserved, PdfError> {
    let hex_len = signing
        .signer
        .max_signature_len()
        .checked_mul(2)
        .ok_or_else(|| SignError("max_signature_len is too large".to_string()))?;
    w.object(
        field,
        &format!(
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /V {value} 0 R \
             /F 132 /Rect [0 0 0 0] /P {page} 0 R >>"
        ),
    );
    w.begin(value);
    w.raw(b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [");
    let byte_range = w.len();
    w.raw(format!("{:<BYTE_RANGE_WIDTH$}", "0 0 0 0").as_bytes());
    w.raw(b"] /Contents ");
    let contents = w.len();
    w.raw(b"<");
    w.raw(&vec![b'0'; hex_len]);
    w.raw(b">");
    w.raw(
        format!(
            " /M {} /Name {} /Reason {} /Location {} >>",
            text_string(&signing.pdf_date),
            text_string(&signing.signer.signer_name()),
            text_string(&signing.reason),
            text_string(&signing.location)
        )
        .as_bytes(),
    );
    w.end();
    Ok(Reserved {
        byte_range,
        contents,
        hex_len,
    })
}

/// The `/ByteRange` of a file of `len` bytes with the room `r`: `[0, a)` and `[b, len)`.
fn byte_range(r: &Reserved, len: usize) -> Result<[usize; 4], SignError> {
    let a = r.contents;
    let b = a + r.hex_len + 2;
    let c = len
        .checked_sub(b)
        .ok_or_else(|| SignError("the signature's room lies past the end".to_string()))?;
    Ok([0, a, b, c])
}

/// Fills in `/ByteRange` of the finished `pdf`, has `signer` sign the bytes it covers, and
/// writes the signature into `/Contents`; `PdfError::Sign` if it does not fit.
pub(crate) fn sign(
    pdf: &mut [u8],
    r: &Reserved,
    signer: &dyn DetachedSigner,
) -> Result<(), PdfError> {
    let [_, a, b, c] = byte_range(r, pdf.len())?;
    let text = format!("{:<BYTE_RANGE_WIDTH$}", format!("0 {a} {b} {c}"));
    let slot = pdf
        .get_mut(r.byte_range..r.byte_range + BYTE_RANGE_WIDTH)
        .filter(|_| text.len() == BYTE_RANGE_WIDTH)
        .ok_or_else(|| SignError("the byte range does not fit its room".to_string()))?;
    slot.copy_from_slice(text.as_bytes());

    let mut covered = Vec::with_capacity(a + c);
    covered.extend_from_slice(&pdf[..a]);
    covered.extend_from_slice(&pdf[b..]);
    let signature = signer.sign_detached(&covered)?;
    if signature.len() * 2 > r.hex_len {
        return Err(SignError(format!(
            "the signature is {} bytes but max_signature_len() reserved {}",
            signature.len(),
            r.hex_len / 2
        ))
        .into());
    }
    let mut hex = String::with_capacity(signature.len() * 2);
    for byte in &signature {
        let _ = write!(hex, "{byte:02X}");
    }
    pdf[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_skips_exactly_the_hex_string() {
        let r = Reserved {
            byte_range: 0,
            contents: 100,
            hex_len: 20,
        };
        assert_eq!(byte_range(&r, 500).unwrap(), [0, 100, 122, 378]);
        assert!(byte_range(&r, 110).is_err());
    }
}
