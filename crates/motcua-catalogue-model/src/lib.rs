//! The rules of the procedure catalogue (mô hình danh mục thủ tục hành chính)
//! for motcua, with no I/O, so that the catalogue service can check a whole
//! import before writing anything and tests stay cheap.
//!
//! * [`CatalogueFile`]: the file format (agencies, procedure versions,
//!   one-stop listings), [`CatalogueFile::parse`] and
//!   [`CatalogueFile::to_json_pretty`].
//! * [`validate`]: every rule at once, as [`EntryError`]s naming entry and
//!   JSON path.
//! * [`template_duration`]: the time budget of a process template
//!   (quy trình nội bộ) against the procedure's time limit.
//! * [`version_in_force`]: which version of a procedure applies on a date.
//! * [`resolve_agency`]: the agency acting for a code after the 2025
//!   reorganisation (kế thừa).
//! * [`stale_listings`]: what a one-stop unit's listing lacks or shows wrongly.
//! * [`fold`]: diacritic-free search keys ("dang ky khai sinh").
//!
//! The entry types derive `utoipa::ToSchema` under the names the catalogue's REST API
//! publishes them by (`PublishedAgency`, `PublishedProcedure`, …), so that its OpenAPI
//! document describes the file format itself; [`sessions_schema`] describes working sessions.

#![warn(missing_docs)]

mod code;
mod error;
mod file;
mod listing;
mod schema;
mod search;
mod serde_util;
mod shape;
mod submission;
mod succession;
mod template;
mod validate;
mod version;

pub use code::{
    MAX_PROCEDURE_CODE_LEN, ProcedureCodeKind, is_valid_agency_code, is_valid_agency_code_04,
    is_valid_procedure_code, is_valid_unit_code, procedure_code_kind,
};
pub use error::{EntryError, codes};
pub use file::{
    AgencyEntry, AgencyKind, ApplicantType, CaseEntry, CatalogueFile, ComponentEntry,
    DECREE_118_START, Decision, Fee, Level, ListedProcedure, ListingEntry, Method, MethodEntry,
    OnlineLevel, ProcedureEntry, ResolvedMethod, StepEntry,
};
pub use listing::{StaleEntry, StaleReason, stale_listings};
pub use schema::{entry_with, sessions_schema};
pub use search::fold;
pub use submission::{
    ComponentIssue, HandedIn, PublishedComponent, check_components, check_counts,
};
pub use succession::{Resolved, SuccessionError, resolve_agency};
pub use template::{
    TemplateBlock, TemplateDuration, TemplateError, describe_duration, step_duration,
    template_blocks, template_duration, time_limit_budget,
};
pub use validate::validate;
pub use version::version_in_force;
