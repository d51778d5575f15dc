//! The catalogue's answers as domain types (parsed once, at the edge): an agency's kind is an
//! [`AgencyKind`], a time limit a [`TimeLimit`], a clock policy a [`SupplementClockPolicy`],
//! dates are dates. A service that receives these never matches `"one_stop"` or `"restart"`.

use motcua_calendar::{SupplementClockPolicy, TimeLimit, WorkingDuration, parse_time_of_day};
use motcua_catalogue_model::{AgencyKind, Level, Method, PublishedComponent};
use motcua_proto::catalogue::v1 as pb;
use time::Date;

/// Why an answer of the catalogue could not be read (a fault between our services).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

fn unreadable(what: &str, value: &str) -> Unreadable {
    Unreadable(format!("{what}: {value:?}"))
}

fn enum_of<T: serde::de::DeserializeOwned>(what: &str, value: &str) -> Result<T, Unreadable> {
    serde_json::from_value(serde_json::Value::String(value.to_string()))
        .map_err(|_| unreadable(what, value))
}

fn date_of(what: &str, value: &str) -> Result<Date, Unreadable> {
    motcua_calendar::parse_date(value, what).map_err(|_| unreadable(what, value))
}

fn optional(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// An agency or one-stop unit (cơ quan / bộ phận một cửa) as valid on the date asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Agency {
    /// Agency code (Circular 01/2018 scheme).
    pub code: String,
    /// Official name.
    pub name: String,
    /// One-stop unit, agency or sector system.
    pub kind: AgencyKind,
    /// Province or commune level.
    pub level: Level,
    /// Sector, when it has one.
    pub sector: Option<String>,
    /// Its Circular 04/2025 code, when published.
    pub code_04_2025: Option<String>,
    /// The retired code that was asked for, when this agency is its successor.
    pub resolved_from: Option<String>,
    /// With `resolved_from`: the first day the successor took over.
    pub succeeded_on: Option<Date>,
}

impl Agency {
    /// Whether it is a one-stop unit (Bộ phận Một cửa / TTPVHCC), the only receiver of dossiers.
    pub fn is_one_stop(&self) -> bool {
        self.kind == AgencyKind::OneStop
    }
}

impl TryFrom<pb::Agency> for Agency {
    type Error = Unreadable;
    fn try_from(a: pb::Agency) -> Result<Self, Unreadable> {
        Ok(Self {
            kind: enum_of("agency kind", &a.kind)?,
            level: enum_of("agency level", &a.level)?,
            sector: optional(&a.sector),
            code_04_2025: optional(&a.code_04_2025),
            resolved_from: optional(&a.resolved_from),
            succeeded_on: optional(&a.succeeded_on)
                .map(|d| date_of("succeeded_on", &d))
                .transpose()?,
            code: a.code,
            name: a.name,
        })
    }
}

/// A step of the procedure's internal process (bước trong quy trình nội bộ).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Step name.
    pub name: String,
    /// Owner agency code.
    pub agency: String,
    /// Sector, when the step belongs to a sector system's domain.
    pub sector: Option<String>,
    /// Time budget.
    pub budget: WorkingDuration,
    /// Consecutive steps of one group run in parallel and join.
    pub parallel_group: Option<String>,
    /// Runs while the dossier's main clock is stopped (the tax authority's step in land flows).
    pub pauses_main_clock: bool,
}

/// A submission method with its time limit (cut-off applied).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MethodLimit {
    /// Counter, online or postal.
    pub method: Method,
    /// Its time limit.
    pub limit: TimeLimit,
}

/// A case of a procedure (trường hợp), with its own components and limits.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcedureCase {
    /// Case code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its components (the procedure's when it lists none; resolved by the catalogue).
    pub components: Vec<PublishedComponent>,
    /// Its time limit per method offered (resolved by the catalogue).
    pub methods: Vec<MethodLimit>,
}

/// A procedure version in force on a date (thủ tục hành chính).
#[derive(Debug, Clone, PartialEq)]
pub struct Procedure {
    /// Procedure code, e.g. `1.001193`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Field (lĩnh vực).
    pub field: String,
    /// Level.
    pub level: Level,
    /// Version number.
    pub version: u32,
    /// First day in force.
    pub effective_from: Date,
    /// The procedure's own time limit.
    pub time_limit: TimeLimit,
    /// Components of the dossier.
    pub components: Vec<PublishedComponent>,
    /// The process template.
    pub steps: Vec<Step>,
    /// What the clock does after a supplement.
    pub clock_policy: SupplementClockPolicy,
    /// Methods offered, each with its limit (cut-off applied).
    pub methods: Vec<MethodLimit>,
    /// Cases.
    pub cases: Vec<ProcedureCase>,
}

impl Procedure {
    /// The case with this code.
    pub fn case(&self, code: &str) -> Option<&ProcedureCase> {
        self.cases.iter().find(|c| c.code == code)
    }

    /// The components a dossier (of `case`, if any) is checked against.
    pub fn components_for<'a>(
        &'a self,
        case: Option<&'a ProcedureCase>,
    ) -> &'a [PublishedComponent] {
        case.map_or(&self.components, |c| &c.components)
    }

    /// The time limit of a dossier submitted by `method` (in `case`): `None` when the method is
    /// not offered. The catalogue has already resolved case, method and cut-off.
    pub fn time_limit_for<'a>(
        &'a self,
        method: Method,
        case: Option<&'a ProcedureCase>,
    ) -> Option<TimeLimit> {
        case.map_or(&self.methods, |c| &c.methods)
            .iter()
            .find(|m| m.method == method)
            .map(|m| m.limit)
    }
}

fn limit_of(l: Option<&pb::TimeLimit>) -> Result<TimeLimit, Unreadable> {
    let l = l.ok_or_else(|| unreadable("time limit", "absent"))?;
    if l.working_minutes < 0 {
        return Err(unreadable(
            "working_minutes",
            &l.working_minutes.to_string(),
        ));
    }
    let cutoff = optional(&l.cutoff)
        .map(|c| parse_time_of_day(&c).map_err(|_| unreadable("cutoff", &c)))
        .transpose()?;
    Ok(TimeLimit {
        working: WorkingDuration::minutes(l.working_minutes),
        same_day: l.same_day,
        cutoff,
    })
}

fn methods_of(list: &[pb::MethodTimeLimit]) -> Result<Vec<MethodLimit>, Unreadable> {
    list.iter()
        .map(|m| {
            Ok(MethodLimit {
                method: enum_of("method", &m.method)?,
                limit: limit_of(m.time_limit.as_ref())?,
            })
        })
        .collect()
}

fn component_of(c: &pb::Component) -> PublishedComponent {
    PublishedComponent {
        code: c.code.clone(),
        name: c.name.clone(),
        required: c.required,
        originals: c.originals,
        copies: c.copies,
        from_national_database: c.from_national_database,
    }
}

impl TryFrom<pb::Procedure> for Procedure {
    type Error = Unreadable;
    fn try_from(p: pb::Procedure) -> Result<Self, Unreadable> {
        let steps = p
            .steps
            .iter()
            .map(|s| Step {
                name: s.name.clone(),
                agency: s.agency.clone(),
                sector: optional(&s.sector),
                budget: WorkingDuration::minutes(s.working_minutes.max(0)),
                parallel_group: optional(&s.parallel_group),
                pauses_main_clock: s.pauses_main_clock,
            })
            .collect();
        let cases = p
            .cases
            .iter()
            .map(|c| {
                Ok(ProcedureCase {
                    code: c.code.clone(),
                    name: c.name.clone(),
                    components: c.components.iter().map(component_of).collect(),
                    methods: methods_of(&c.methods)?,
                })
            })
            .collect::<Result<_, Unreadable>>()?;
        Ok(Self {
            level: enum_of("procedure level", &p.level)?,
            effective_from: date_of("effective_from", &p.effective_from)?,
            time_limit: limit_of(p.time_limit.as_ref())?,
            components: p.components.iter().map(component_of).collect(),
            clock_policy: enum_of("supplement clock policy", &p.supplement_clock_policy)?,
            methods: methods_of(&p.methods)?,
            steps,
            cases,
            code: p.code,
            name: p.name,
            field: p.field,
            version: p.version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proto() -> pb::Procedure {
        let limit = |m: i64, cutoff: &str| pb::TimeLimit {
            working_minutes: m,
            same_day: false,
            cutoff: cutoff.into(),
        };
        pb::Procedure {
            code: "1.001193".into(),
            name: "Đăng ký khai sinh".into(),
            level: "commune".into(),
            version: 2,
            effective_from: "2026-01-01".into(),
            time_limit: Some(limit(480, "")),
            supplement_clock_policy: "pause".into(),
            methods: vec![
                pb::MethodTimeLimit {
                    method: "counter".into(),
                    time_limit: Some(limit(480, "15:00")),
                },
                pb::MethodTimeLimit {
                    method: "online".into(),
                    time_limit: Some(limit(960, "")),
                },
            ],
            cases: vec![pb::ProcedureCase {
                code: "K1".into(),
                methods: vec![pb::MethodTimeLimit {
                    method: "counter".into(),
                    time_limit: Some(limit(240, "")),
                }],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn strings_become_domain_types_once() {
        let p = Procedure::try_from(proto()).unwrap();
        assert_eq!(p.clock_policy, SupplementClockPolicy::Pause);
        assert_eq!(p.level, Level::Commune);
        assert_eq!(p.effective_from, time::macros::date!(2026 - 01 - 01));
        let counter = p.time_limit_for(Method::Counter, None).unwrap();
        assert_eq!(counter.cutoff, Some(time::macros::time!(15:00)));
        assert_eq!(p.time_limit_for(Method::Postal, None), None, "not offered");
        let case = p.case("K1");
        assert_eq!(
            p.time_limit_for(Method::Counter, case).unwrap().working,
            WorkingDuration::minutes(240)
        );
        assert_eq!(p.time_limit_for(Method::Online, case), None);
    }

    #[test]
    fn an_unknown_policy_or_kind_is_refused_not_defaulted() {
        let mut bad = proto();
        bad.supplement_clock_policy = "resume".into();
        assert!(Procedure::try_from(bad).is_err());
        let agency = pb::Agency {
            code: "X".into(),
            kind: "one-stop".into(),
            level: "commune".into(),
            ..Default::default()
        };
        assert!(Agency::try_from(agency).is_err());
    }
}
