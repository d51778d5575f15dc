//! Where in an entry a format error is (vị trí lỗi định dạng).
//!
//! Serde reports *what* is wrong with an entry but not *where*. When an entry
//! fails to deserialise, these tables, which mirror the entry types of
//! [`crate::file`], are walked field by field to find the first value at fault
//! and name it with its JSON path and a stable error code. A test checks that
//! the tables know every field the types write.

use motcua_calendar::{Session, SupplementClockPolicy, TimeLimit};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::codes;
use crate::file::{AgencyKind, ApplicantType, Level, Method, OnlineLevel};
use crate::serde_util::{date, opt_date, opt_hhmm, opt_number};

/// Checks that a JSON value deserialises as one field's type.
type Check = fn(&Value) -> Result<(), String>;

/// Whether a field may be absent.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// Must be present (and, for nested entries, not null).
    Required,
    /// May be absent; `null` means absent.
    Optional,
    /// May be absent (a default applies), but `null` is refused.
    Defaulted,
}

/// The type of one field.
pub(crate) enum Shape {
    /// A value checked as a whole.
    Leaf(Check),
    /// A nested entry.
    Object(&'static [FieldSpec]),
    /// An array of nested entries.
    List(&'static [FieldSpec]),
}

/// One field of an entry type: name, presence, shape, and the error code of a
/// bad value.
pub(crate) struct FieldSpec {
    name: &'static str,
    presence: Presence,
    shape: Shape,
    code: &'static str,
}

const fn leaf(
    name: &'static str,
    presence: Presence,
    check: Check,
    code: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        presence,
        shape: Shape::Leaf(check),
        code,
    }
}

const fn nested(name: &'static str, presence: Presence, shape: Shape) -> FieldSpec {
    FieldSpec {
        name,
        presence,
        shape,
        code: codes::INVALID_SHAPE,
    }
}

fn check<T: DeserializeOwned>(v: &Value) -> Result<(), String> {
    T::deserialize(v).map(drop).map_err(|e| e.to_string())
}

fn check_date(v: &Value) -> Result<(), String> {
    date::deserialize(v).map(drop).map_err(|e| e.to_string())
}

fn check_opt_date(v: &Value) -> Result<(), String> {
    opt_date::deserialize(v)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn check_opt_time(v: &Value) -> Result<(), String> {
    opt_hhmm::deserialize(v)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn check_opt_number(v: &Value) -> Result<(), String> {
    opt_number::deserialize(v)
        .map(drop)
        .map_err(|e| e.to_string())
}

use Presence::{Defaulted, Optional, Required};

const STRING: Check = check::<String>;
const OPT_STRING: Check = check::<Option<String>>;
const U32: Check = check::<u32>;
const BOOL: Check = check::<bool>;
const STRINGS: Check = check::<Vec<String>>;
const TIME_LIMIT: Check = check::<TimeLimit>;
const OPT_TIME_LIMIT: Check = check::<Option<TimeLimit>>;

/// Fields of an agency entry.
pub(crate) const AGENCY: &[FieldSpec] = &[
    leaf("code", Required, STRING, codes::INVALID_SHAPE),
    leaf("name", Required, STRING, codes::INVALID_SHAPE),
    leaf(
        "kind",
        Required,
        check::<AgencyKind>,
        codes::INVALID_AGENCY_KIND,
    ),
    leaf("level", Required, check::<Level>, codes::INVALID_LEVEL),
    leaf("sector", Optional, OPT_STRING, codes::INVALID_SHAPE),
    leaf("unit_code", Optional, OPT_STRING, codes::INVALID_SHAPE),
    leaf("parent_code", Optional, OPT_STRING, codes::INVALID_SHAPE),
    leaf("valid_from", Optional, check_opt_date, codes::INVALID_DATE),
    leaf("valid_until", Optional, check_opt_date, codes::INVALID_DATE),
    leaf("successor_code", Optional, OPT_STRING, codes::INVALID_SHAPE),
    leaf(
        "working_sessions",
        Optional,
        check::<Option<Vec<Session>>>,
        codes::INVALID_WORKING_SESSIONS,
    ),
    leaf("code_04_2025", Optional, OPT_STRING, codes::INVALID_SHAPE),
];

const DECISION: &[FieldSpec] = &[
    leaf("number", Required, STRING, codes::INVALID_SHAPE),
    leaf("date", Required, check_date, codes::INVALID_DATE),
    leaf("effective_from", Required, check_date, codes::INVALID_DATE),
    leaf(
        "effective_until",
        Optional,
        check_opt_date,
        codes::INVALID_DATE,
    ),
];

const METHOD: &[FieldSpec] = &[
    leaf("method", Required, check::<Method>, codes::INVALID_METHOD),
    leaf(
        "time_limit",
        Optional,
        OPT_TIME_LIMIT,
        codes::INVALID_TIME_LIMIT,
    ),
    leaf("cutoff", Optional, check_opt_time, codes::INVALID_TIME),
];

const FEE: &[FieldSpec] = &[
    leaf("name", Required, STRING, codes::INVALID_SHAPE),
    leaf("amount_vnd", Required, check::<u64>, codes::INVALID_VALUE),
];

const COMPONENT: &[FieldSpec] = &[
    leaf("code", Required, STRING, codes::INVALID_SHAPE),
    leaf("name", Required, STRING, codes::INVALID_SHAPE),
    leaf("originals", Defaulted, U32, codes::INVALID_VALUE),
    leaf("copies", Defaulted, U32, codes::INVALID_VALUE),
    leaf("required", Required, BOOL, codes::INVALID_SHAPE),
    leaf("condition", Optional, OPT_STRING, codes::INVALID_SHAPE),
    leaf("form_template", Optional, OPT_STRING, codes::INVALID_SHAPE),
    leaf(
        "from_national_database",
        Defaulted,
        BOOL,
        codes::INVALID_SHAPE,
    ),
];

const CASE: &[FieldSpec] = &[
    leaf("code", Required, STRING, codes::INVALID_SHAPE),
    leaf("name", Required, STRING, codes::INVALID_SHAPE),
    nested("components", Defaulted, Shape::List(COMPONENT)),
    leaf(
        "time_limit",
        Optional,
        OPT_TIME_LIMIT,
        codes::INVALID_TIME_LIMIT,
    ),
];

const STEP: &[FieldSpec] = &[
    leaf("name", Required, STRING, codes::INVALID_SHAPE),
    leaf("agency", Required, STRING, codes::INVALID_SHAPE),
    leaf("sector", Optional, OPT_STRING, codes::INVALID_SHAPE),
    leaf("role", Optional, OPT_STRING, codes::INVALID_SHAPE),
    leaf(
        "working_hours",
        Optional,
        check_opt_number,
        codes::INVALID_STEP_BUDGET,
    ),
    leaf(
        "working_days",
        Optional,
        check_opt_number,
        codes::INVALID_STEP_BUDGET,
    ),
    leaf("parallel_group", Optional, OPT_STRING, codes::INVALID_SHAPE),
    leaf("pauses_main_clock", Defaulted, BOOL, codes::INVALID_SHAPE),
];

/// Fields of a procedure version.
pub(crate) const PROCEDURE: &[FieldSpec] = &[
    leaf("code", Required, STRING, codes::INVALID_SHAPE),
    leaf("version", Defaulted, U32, codes::INVALID_VERSION),
    leaf("name", Required, STRING, codes::INVALID_SHAPE),
    leaf("field", Required, STRING, codes::INVALID_SHAPE),
    leaf("level", Required, check::<Level>, codes::INVALID_LEVEL),
    leaf(
        "online_level",
        Required,
        check::<OnlineLevel>,
        codes::INVALID_ONLINE_LEVEL,
    ),
    leaf(
        "time_limit",
        Required,
        TIME_LIMIT,
        codes::INVALID_TIME_LIMIT,
    ),
    nested("decision", Optional, Shape::Object(DECISION)),
    leaf(
        "implementing_agency",
        Optional,
        OPT_STRING,
        codes::INVALID_SHAPE,
    ),
    leaf(
        "deciding_agency",
        Optional,
        OPT_STRING,
        codes::INVALID_SHAPE,
    ),
    leaf(
        "coordinating_agencies",
        Defaulted,
        STRINGS,
        codes::INVALID_SHAPE,
    ),
    leaf(
        "applicant_types",
        Defaulted,
        check::<Vec<ApplicantType>>,
        codes::INVALID_APPLICANT_TYPE,
    ),
    nested("methods", Optional, Shape::List(METHOD)),
    nested("fees", Defaulted, Shape::List(FEE)),
    nested("components", Defaulted, Shape::List(COMPONENT)),
    nested("cases", Defaulted, Shape::List(CASE)),
    leaf("result", Optional, OPT_STRING, codes::INVALID_SHAPE),
    leaf("legal_basis", Defaulted, STRINGS, codes::INVALID_SHAPE),
    leaf(
        "supplement_clock_policy",
        Defaulted,
        check::<SupplementClockPolicy>,
        codes::INVALID_CLOCK_POLICY,
    ),
    leaf(
        "appointments",
        Optional,
        check::<Option<Value>>,
        codes::INVALID_SHAPE,
    ),
    nested("steps", Defaulted, Shape::List(STEP)),
];

const LISTED: &[FieldSpec] = &[
    leaf("code", Required, STRING, codes::INVALID_SHAPE),
    leaf("version", Required, U32, codes::INVALID_VERSION),
];

/// Fields of a listing.
pub(crate) const LISTING: &[FieldSpec] = &[
    leaf("one_stop", Required, STRING, codes::INVALID_SHAPE),
    nested("procedures", Required, Shape::List(LISTED)),
];

/// The first problem in `value` checked against `fields`, as (JSON path,
/// error code, message); `None` when the tables find nothing wrong.
pub(crate) fn locate(
    value: &Value,
    fields: &[FieldSpec],
    path: &str,
) -> Option<(String, &'static str, String)> {
    let Value::Object(map) = value else {
        return Some((
            path.to_owned(),
            codes::INVALID_SHAPE,
            format!("expected an object, found {}", kind_of(value)),
        ));
    };
    for spec in fields {
        let here = format!("{path}.{}", spec.name);
        let v = match map.get(spec.name) {
            None => {
                if spec.presence == Required {
                    return Some((
                        here,
                        codes::MISSING_FIELD,
                        format!("missing field `{}`", spec.name),
                    ));
                }
                continue;
            }
            Some(v) => v,
        };
        let found = match &spec.shape {
            Shape::Leaf(check) => check(v).err().map(|m| (here, spec.code, m)),
            Shape::Object(_) | Shape::List(_) if v.is_null() => (spec.presence != Optional)
                .then(|| (here, codes::INVALID_SHAPE, "must not be null".to_owned())),
            Shape::Object(sub) => locate(v, sub, &here),
            Shape::List(sub) => match v {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .find_map(|(i, item)| locate(item, sub, &format!("{here}[{i}]"))),
                _ => Some((
                    here,
                    codes::INVALID_SHAPE,
                    format!("expected an array, found {}", kind_of(v)),
                )),
            },
        };
        if found.is_some() {
            return found;
        }
    }
    map.keys()
        .find(|k| !fields.iter().any(|f| f.name == k.as_str()))
        .map(|k| {
            (
                format!("{path}.{k}"),
                codes::UNKNOWN_FIELD,
                format!(
                    "unknown field `{k}`; known fields: {}",
                    fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
                ),
            )
        })
}

/// Every key in `value` (recursively) that the tables do not know, for the
/// test that keeps the tables in step with the types.
#[cfg(test)]
pub(crate) fn unknown_keys(value: &Value, fields: &[FieldSpec], path: &str, out: &mut Vec<String>) {
    let Value::Object(map) = value else { return };
    for (k, v) in map {
        let here = format!("{path}.{k}");
        match fields.iter().find(|f| f.name == k.as_str()) {
            None => out.push(here),
            Some(spec) => match (&spec.shape, v) {
                (Shape::Object(sub), _) => unknown_keys(v, sub, &here, out),
                (Shape::List(sub), Value::Array(items)) => {
                    for item in items {
                        unknown_keys(item, sub, &here, out);
                    }
                }
                _ => {}
            },
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
