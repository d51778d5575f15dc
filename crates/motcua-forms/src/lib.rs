//! The one-stop's forms (biểu mẫu) 01–06 as documents: the receipt and appointment (01), the
//! supplement request (02), the refusal (03), the apology and re-appointment (04), the stop
//! notice (05) and the processing control slip (06), each laid out as the circular's form with
//! the national heading, from plain data. No I/O: the services load the data and serve the bytes.
//!
//! Each form is a plain struct with `document()` (a [`motcua_pdf::Document`], the caller calls
//! `to_pdf`), `html()` (a printable page with the same content) and `title()`; the [`Form`]
//! trait lets a service handle the six alike. Both renditions come from one layout, so the PDF
//! and the page never disagree.

#![warn(missing_docs)]

/// Gives a form type its public methods and its [`Form`] implementation from its `sheet()`.
macro_rules! form {
    ($ty:ident, $number:literal, $title:expr) => {
        impl $ty {
            /// The form's name in sentence case (tên biểu mẫu): the PDF signature's reason.
            pub fn title(&self) -> &'static str {
                $title
            }
            /// Laid out as a PDF document (văn bản PDF); the caller calls `to_pdf`.
            pub fn document(&self) -> motcua_pdf::Document {
                self.sheet().document()
            }
            /// A self-contained printable HTML page (trang in) with the same content, every
            /// value escaped.
            pub fn html(&self) -> String {
                self.sheet().html()
            }
        }

        impl $crate::Form for $ty {
            fn number(&self) -> &'static str {
                $number
            }
            fn title(&self) -> &'static str {
                $title
            }
            fn issuer(&self) -> &$crate::Issuer {
                &self.issuer
            }
            fn dossier_code(&self) -> &str {
                &self.dossier_code
            }
            fn document(&self) -> motcua_pdf::Document {
                self.sheet().document()
            }
            fn html(&self) -> String {
                self.sheet().html()
            }
        }
    };
}

mod apology;
mod control_slip;
mod heading;
mod html;
mod parties;
mod receipt;
mod refusal;
mod sheet;
mod stop_notice;
mod supplement;
pub mod vn;

pub use apology::ApologyForm04;
pub use control_slip::{ControlSlipForm06, SlipRow};
pub use heading::{AGENCY_SHARE, NATIONAL_MOTTO, NATIONAL_TITLE};
pub use parties::{Applicant, Issuer};
pub use receipt::{ReceiptForm01, ReceivedComponent};
pub use refusal::RefusalForm03;
pub use stop_notice::{StopCause, StopNoticeForm05};
pub use supplement::{SupplementLine, SupplementRequestForm02};

/// What the six forms have in common (biểu mẫu), so that a service can print any of them.
pub trait Form {
    /// The form's number as the one-stop numbers them: `01` … `06`.
    fn number(&self) -> &'static str;
    /// The form's name in sentence case (tên biểu mẫu): the PDF signature's reason.
    fn title(&self) -> &'static str;
    /// The agency that issues it (cơ quan ban hành), whose key signs the PDF.
    fn issuer(&self) -> &Issuer;
    /// The dossier it is about (mã hồ sơ).
    fn dossier_code(&self) -> &str;
    /// Laid out as a PDF document; the caller calls `to_pdf`.
    fn document(&self) -> motcua_pdf::Document;
    /// A self-contained printable HTML page with the same content, every value escaped.
    fn html(&self) -> String;
}
