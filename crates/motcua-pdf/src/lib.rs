//! PDF documents as the one-stop prints them (văn bản PDF): A4 pages with the DejaVu Serif
//! font embedded (so every Vietnamese diacritic renders and extracts), paragraphs, two-column
//! headings and tables, and, when a [`DetachedSigner`] is given, a PDF signature
//! (`adbe.pkcs7.detached`) over the whole file that standard tools verify.

mod embed;
mod flow;
mod font;
mod layout;
mod render;
mod signature;
mod signer;
mod table;
mod text;
mod writer;

pub use flow::{
    MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, PAGE_HEIGHT, PAGE_WIDTH, TEXT_WIDTH,
};
pub use layout::{Align, Document, Face, Line, Signing, Span, Style, text_width};
pub use signer::{DetachedSigner, SignError};

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The signer failed, or its signature did not fit the room reserved for it.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// An embedded font could not be read or subset (a corrupt font file: a bug, not input).
    #[error("font: {0}")]
    Font(String),
}
