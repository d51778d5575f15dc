//! The error of one catalogue entry (lỗi của một mục danh mục), shared by the
//! parser and the validator so that an import reports every problem in one
//! shape.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One problem with one entry of a catalogue file, precise enough for the
/// catalogue administrator (cán bộ quản trị danh mục) to find and fix it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Error)]
#[error("{entry}: `{field}`: {message} ({code})")]
pub struct EntryError {
    /// The entry at fault, with its code when it has one, e.g.
    /// `procedures[2] (1.001193)`; `file` for the file as a whole.
    pub entry: String,
    /// JSON path of the value at fault, e.g. `procedures[2].components[1].code`;
    /// empty when the whole file is at fault.
    pub field: String,
    /// Stable snake_case code (see [`codes`]) so that clients can react to the
    /// kind of error without parsing the message.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl EntryError {
    /// An error from its four parts.
    pub fn new(
        entry: impl Into<String>,
        field: impl Into<String>,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            entry: entry.into(),
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// The stable error codes of [`EntryError::code`], as constants so that
/// services and tests do not retype them.
pub mod codes {
    // --- format (raised by `CatalogueFile::parse`) ---
    /// The text is not JSON (syntax error); the message has line and column.
    pub const INVALID_JSON: &str = "invalid_json";
    /// A value has the wrong JSON type (object, array, …) for its place.
    pub const INVALID_SHAPE: &str = "invalid_shape";
    /// A mandatory field is absent.
    pub const MISSING_FIELD: &str = "missing_field";
    /// A field this format does not know, inside an entry (refused so that
    /// nothing is silently dropped on import).
    pub const UNKNOWN_FIELD: &str = "unknown_field";
    /// A value of the right JSON type that is not acceptable (e.g. a negative count).
    pub const INVALID_VALUE: &str = "invalid_value";
    /// An agency kind other than `one_stop`, `agency`, `sector_system`.
    pub const INVALID_AGENCY_KIND: &str = "invalid_agency_kind";
    /// A level other than `province`, `commune`.
    pub const INVALID_LEVEL: &str = "invalid_level";
    /// An online level other than `full`, `partial`.
    pub const INVALID_ONLINE_LEVEL: &str = "invalid_online_level";
    /// A method other than `counter`, `online`, `postal`.
    pub const INVALID_METHOD: &str = "invalid_method";
    /// An applicant type other than `citizen`, `organisation`.
    pub const INVALID_APPLICANT_TYPE: &str = "invalid_applicant_type";
    /// A supplement clock policy other than `restart`, `pause`, `continue`.
    pub const INVALID_CLOCK_POLICY: &str = "invalid_clock_policy";
    /// A date that is not a real `YYYY-MM-DD` date.
    pub const INVALID_DATE: &str = "invalid_date";
    /// A time of day that is not `HH:MM`.
    pub const INVALID_TIME: &str = "invalid_time";

    // --- agencies ---
    /// An agency code that is empty or contains white space.
    pub const INVALID_AGENCY_CODE: &str = "invalid_agency_code";
    /// Two agencies with the same code.
    pub const DUPLICATE_AGENCY: &str = "duplicate_agency";
    /// A reference to an agency code that is not in the file.
    pub const UNKNOWN_AGENCY: &str = "unknown_agency";
    /// `valid_until` before `valid_from`.
    pub const INVALID_VALIDITY_PERIOD: &str = "invalid_validity_period";
    /// Following `successor_code` comes back to where it started.
    pub const SUCCESSION_CYCLE: &str = "succession_cycle";
    /// Following `parent_code` comes back to where it started.
    pub const PARENT_CYCLE: &str = "parent_cycle";
    /// An administrative-unit code that is not 2 (province) or 5 (commune) digits.
    pub const INVALID_UNIT_CODE: &str = "invalid_unit_code";
    /// An agency code in the Circular 04/2025 scheme is not `MX1X2.Y1Y2Y3.Z1Z2`.
    pub const INVALID_AGENCY_CODE_04: &str = "invalid_agency_code_04";
    /// Working sessions that overlap or are out of order.
    pub const INVALID_WORKING_SESSIONS: &str = "invalid_working_sessions";

    // --- procedures ---
    /// A procedure code that is neither national (`1.001193`, `1.001193.H38`) nor local (`DEMO.LT.63-1`).
    pub const INVALID_PROCEDURE_CODE: &str = "invalid_procedure_code";
    /// Version 0 (versions count from 1).
    pub const INVALID_VERSION: &str = "invalid_version";
    /// The same (code, version) twice.
    pub const DUPLICATE_VERSION: &str = "duplicate_version";
    /// Two versions of one code that take effect on the same day.
    pub const DUPLICATE_EFFECTIVE_FROM: &str = "duplicate_effective_from";
    /// `effective_until` before `effective_from`.
    pub const INVALID_EFFECTIVE_PERIOD: &str = "invalid_effective_period";
    /// A text field that must say something but is empty.
    pub const EMPTY_VALUE: &str = "empty_value";
    /// A time limit of zero that is not a same-day limit.
    pub const INVALID_TIME_LIMIT: &str = "invalid_time_limit";
    /// An explicit, empty list of methods (the procedure could not be received at all).
    pub const NO_METHOD: &str = "no_method";
    /// The same method listed twice.
    pub const DUPLICATE_METHOD: &str = "duplicate_method";
    /// Two components with the same code in one list.
    pub const DUPLICATE_COMPONENT: &str = "duplicate_component";
    /// A component with an empty code.
    pub const INVALID_COMPONENT_CODE: &str = "invalid_component_code";
    /// A component asking for no original and no copy, not from a national database.
    pub const INVALID_COMPONENT_COUNT: &str = "invalid_component_count";
    /// A case with an empty code.
    pub const INVALID_CASE_CODE: &str = "invalid_case_code";
    /// Two cases with the same code.
    pub const DUPLICATE_CASE: &str = "duplicate_case";
    /// A step without exactly one positive `working_hours` / `working_days`.
    pub const INVALID_STEP_BUDGET: &str = "invalid_step_budget";
    /// One parallel group used by steps that are not consecutive.
    pub const PARALLEL_GROUP_SPLIT: &str = "parallel_group_split";
    /// A step's sector differs from its agency's sector.
    pub const SECTOR_MISMATCH: &str = "sector_mismatch";
    /// The process template takes longer than the time limit.
    pub const TEMPLATE_OVER_BUDGET: &str = "template_over_budget";

    // --- listings ---
    /// A listing whose unit is not a one-stop unit.
    pub const NOT_A_ONE_STOP: &str = "not_a_one_stop";
    /// Two listings for the same one-stop unit.
    pub const DUPLICATE_LISTING: &str = "duplicate_listing";
    /// A listed (code, version) that is not in the file.
    pub const UNKNOWN_PROCEDURE: &str = "unknown_procedure";
    /// The same procedure code listed twice in one listing.
    pub const DUPLICATE_LISTED_PROCEDURE: &str = "duplicate_listed_procedure";

    // --- submitted components (`check_components`, `check_counts`) ---
    /// A submitted component that is not in the procedure.
    pub const COMPONENT_UNEXPECTED: &str = "component_unexpected";
    /// A component submitted twice.
    pub const COMPONENT_DUPLICATE: &str = "component_duplicate";
    /// A required component that was not submitted.
    pub const COMPONENT_MISSING: &str = "component_missing";
    /// Fewer originals or copies recorded than the procedure asks for.
    pub const COMPONENT_COUNT: &str = "component_count";

    /// Every code above: the services' error registry (`motcua_problem::codes`) declares each.
    pub const ALL: &[&str] = &[
        INVALID_JSON,
        INVALID_SHAPE,
        MISSING_FIELD,
        UNKNOWN_FIELD,
        INVALID_VALUE,
        INVALID_AGENCY_KIND,
        INVALID_LEVEL,
        INVALID_ONLINE_LEVEL,
        INVALID_METHOD,
        INVALID_APPLICANT_TYPE,
        INVALID_CLOCK_POLICY,
        INVALID_DATE,
        INVALID_TIME,
        INVALID_AGENCY_CODE,
        DUPLICATE_AGENCY,
        UNKNOWN_AGENCY,
        INVALID_VALIDITY_PERIOD,
        SUCCESSION_CYCLE,
        PARENT_CYCLE,
        INVALID_UNIT_CODE,
        INVALID_AGENCY_CODE_04,
        INVALID_WORKING_SESSIONS,
        INVALID_PROCEDURE_CODE,
        INVALID_VERSION,
        DUPLICATE_VERSION,
        DUPLICATE_EFFECTIVE_FROM,
        INVALID_EFFECTIVE_PERIOD,
        EMPTY_VALUE,
        INVALID_TIME_LIMIT,
        NO_METHOD,
        DUPLICATE_METHOD,
        DUPLICATE_COMPONENT,
        INVALID_COMPONENT_CODE,
        INVALID_COMPONENT_COUNT,
        INVALID_CASE_CODE,
        DUPLICATE_CASE,
        INVALID_STEP_BUDGET,
        PARALLEL_GROUP_SPLIT,
        SECTOR_MISMATCH,
        TEMPLATE_OVER_BUDGET,
        NOT_A_ONE_STOP,
        DUPLICATE_LISTING,
        UNKNOWN_PROCEDURE,
        DUPLICATE_LISTED_PROCEDURE,
        COMPONENT_UNEXPECTED,
        COMPONENT_DUPLICATE,
        COMPONENT_MISSING,
        COMPONENT_COUNT,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_entry_field_and_code() {
        let e = EntryError::new(
            "procedures[1] (X)",
            "procedures[1].code",
            codes::INVALID_PROCEDURE_CODE,
            "bad",
        );
        assert_eq!(
            e.to_string(),
            "procedures[1] (X): `procedures[1].code`: bad (invalid_procedure_code)"
        );
    }
}
