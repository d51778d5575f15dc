//! OpenAPI descriptions (lược đồ OpenAPI) of the file format's members whose JSON is written
//! by hand-written code in `motcua-calendar` rather than derived here: a time limit, the
//! supplement clock policy and working sessions. The entry types derive `utoipa::ToSchema`
//! and point at these for those members; tests check each description against what the
//! calendar writes. Also how an answer that adds members to an entry is described.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

/// A time limit (thời hạn giải quyết) in the catalogue's JSON: one of `working_days` (halves
/// allowed), `working_hours` or `working_minutes` — or none, for a same-day procedure — written
/// in the largest exact unit, with the same-day rule and an optional cut-off.
#[derive(ToSchema)]
#[schema(example = json!({"working_days": 3, "same_day": false, "cutoff": "15:00"}))]
#[allow(dead_code)] // describes `motcua_calendar::TimeLimit`'s JSON, which the calendar writes
pub(crate) struct TimeLimitShape {
    /// Working days (ngày làm việc), whole or half.
    #[schema(minimum = 0, multiple_of = 0.5)]
    working_days: Option<f64>,
    /// Working hours (giờ làm việc), when not a whole number of half days.
    #[schema(minimum = 0)]
    working_hours: Option<f64>,
    /// Working minutes, when not a whole number of hours.
    #[schema(minimum = 0)]
    working_minutes: Option<i64>,
    /// Due at the end of the working day on which counting starts (giải quyết trong ngày).
    same_day: bool,
    /// Local time of day (`HH:MM`) after which a receipt counts from the next working day.
    #[schema(pattern = r"^\d{2}:\d{2}(:\d{2})?$")]
    cutoff: Option<String>,
}

/// What the clock does when a dossier comes back after waiting for the applicant.
#[derive(ToSchema)]
#[schema(as = SupplementClockPolicy, rename_all = "snake_case")]
#[allow(dead_code)] // describes `motcua_calendar::SupplementClockPolicy`'s JSON
pub(crate) enum SupplementClockPolicyShape {
    /// The whole budget again from the resume (Decree 297/2025).
    Restart,
    /// The wait does not count: the deadline moves later by the wait.
    Pause,
    /// The wait counts as processing time: the deadline does not move.
    Continue,
}

/// A local time of day as sessions write it: `HH:MM`, or `HH:MM:SS`.
const TIME_OF_DAY: &str = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$";

/// The OpenAPI schema of working sessions (buổi làm việc) as sent and answered, or `null`: a
/// list of `[start, end]` pairs of local times of day (each session checked on its own; the
/// list in order and disjoint), as `motcua_calendar::Session` writes them.
pub fn sessions_schema() -> Schema {
    let time = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(TIME_OF_DAY));
    let pair = ArrayBuilder::new()
        .items(time)
        .min_items(Some(2))
        .max_items(Some(2));
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(pair)
        .description(Some(
            "`[start, end]` pairs of local `HH:MM`, in order and not overlapping",
        ))
        .examples([serde_json::json!([["07:30", "11:30"], ["13:00", "16:30"]])])
        .build()
        .into()
}

/// The schema of an answer that writes an entry's members and its own beside them (the entry
/// `#[serde(flatten)]`ed), as one closed object: the entry `E`'s members and `own`'s, with
/// `own`'s description and example. An `allOf` of the two would admit no answer at all, since
/// an entry allows no member it does not name (`additionalProperties: false`, from
/// `deny_unknown_fields`).
///
/// # Panics
/// When `E`'s schema is not an inline object, which no entry type's is.
pub fn entry_with<E: PartialSchema>(own: Object) -> RefOr<Schema> {
    let RefOr::T(Schema::Object(mut answer)) = E::schema() else {
        panic!("an entry's schema is an inline object");
    };
    answer.properties.extend(own.properties);
    answer.required.extend(own.required);
    answer.description = own.description;
    answer.example = own.example;
    answer.examples = own.examples;
    RefOr::T(Schema::Object(answer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_calendar::{Session, SupplementClockPolicy, TimeLimit, WorkingDuration};

    #[test]
    fn the_described_time_limit_names_every_member_the_calendar_writes() {
        let schema = serde_json::to_value(TimeLimitShape::schema()).unwrap();
        let described: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let required = schema["required"].as_array().unwrap();
        let limits = [
            TimeLimit::new(WorkingDuration::whole_days(3)),
            TimeLimit::new(WorkingDuration::hours(12)),
            TimeLimit::new(WorkingDuration::minutes(90)),
            TimeLimit::same_day().with_cutoff(time::macros::time!(15:00)),
        ];
        for limit in limits {
            let written = serde_json::to_value(limit).unwrap();
            let members = written.as_object().unwrap();
            assert!(
                members.keys().all(|k| described.contains(&k.as_str())),
                "{written} vs {described:?}"
            );
            assert!(
                required
                    .iter()
                    .all(|r| members.contains_key(r.as_str().unwrap())),
                "{written} lacks one of {required:?}"
            );
        }
    }

    #[test]
    fn the_described_clock_policies_are_the_ones_the_calendar_writes() {
        let schema = serde_json::to_value(SupplementClockPolicyShape::schema()).unwrap();
        let written: Vec<serde_json::Value> = [
            SupplementClockPolicy::Restart,
            SupplementClockPolicy::Pause,
            SupplementClockPolicy::Continue,
        ]
        .into_iter()
        .map(|p| serde_json::to_value(p).unwrap())
        .collect();
        assert_eq!(schema["enum"], serde_json::Value::from(written));
    }

    #[test]
    fn the_described_sessions_fit_what_the_calendar_writes() {
        let schema = serde_json::to_value(sessions_schema()).unwrap();
        let pattern = schema["items"]["items"]["pattern"].as_str().unwrap();
        assert_eq!(pattern, TIME_OF_DAY);
        let sessions = [
            Session::parse("07:30", "11:30").unwrap(),
            Session::parse("13:00", "16:30").unwrap(),
        ];
        let written = serde_json::to_value(sessions).unwrap();
        assert_eq!(written, schema["examples"][0]);
        for pair in written.as_array().unwrap() {
            let pair = pair.as_array().unwrap();
            assert_eq!(pair.len(), 2);
            assert!(pair.iter().all(|t| is_time_of_day(t.as_str().unwrap())));
        }
    }

    #[test]
    fn an_answer_with_its_own_members_is_one_closed_object() {
        let own = ObjectBuilder::new()
            .description(Some("an agency and its chain"))
            .property(
                "chain",
                ArrayBuilder::new().items(Object::with_type(Type::String)),
            )
            .required("chain")
            .build();
        let answer = serde_json::to_value(entry_with::<crate::AgencyEntry>(own)).unwrap();
        let entry = serde_json::to_value(crate::AgencyEntry::schema()).unwrap();
        assert_eq!(answer["additionalProperties"], false);
        assert_eq!(answer["description"], "an agency and its chain");
        let members = answer["properties"].as_object().unwrap();
        assert!(members.contains_key("chain"));
        for (name, member) in entry["properties"].as_object().unwrap() {
            assert_eq!(&members[name], member, "{name}");
        }
        let mut required = entry["required"].as_array().unwrap().clone();
        required.push("chain".into());
        assert_eq!(answer["required"], serde_json::Value::from(required));
    }

    /// `HH:MM` or `HH:MM:SS` within a day, as [`TIME_OF_DAY`] says (no regex engine here).
    fn is_time_of_day(t: &str) -> bool {
        let parts: Vec<&str> = t.split(':').collect();
        let two_digits =
            |p: &str, max: u32| p.len() == 2 && p.parse::<u32>().is_ok_and(|n| n <= max);
        matches!(parts.len(), 2 | 3)
            && two_digits(parts[0], 23)
            && parts[1..].iter().all(|p| two_digits(p, 59))
    }
}
