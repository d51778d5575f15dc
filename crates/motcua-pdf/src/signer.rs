//! What signs a document: the PDF writer reserves room for a detached CMS signature, hands the
//! signer the bytes the signature covers (everything but that room), and writes its answer in.
//! The writer knows nothing of keys; `motcua-signing` implements this with an agency's key.

/// A signing failure (the key could not sign, or the signature outgrew its room).
#[derive(Debug, thiserror::Error)]
#[error("signing failed: {0}")]
pub struct SignError(pub String);

/// Signs bytes as a detached CMS `SignedData` (PKCS #7), the content a PDF signature's
/// `/Contents` holds (`/SubFilter /adbe.pkcs7.detached`).
pub trait DetachedSigner {
    /// The DER of a CMS `SignedData` over `data`, without the data itself, with the signer's
    /// certificate chain.
    fn sign_detached(&self, data: &[u8]) -> Result<Vec<u8>, SignError>;
    /// The most bytes [`Self::sign_detached`] answers, so that the writer reserves enough room.
    fn max_signature_len(&self) -> usize;
    /// Who signs, as the signature dictionary's `/Name` (the issuing agency's name).
    fn signer_name(&self) -> String;
}
