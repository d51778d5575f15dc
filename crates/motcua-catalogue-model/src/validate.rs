//! Validation of a whole catalogue file (kiểm tra danh mục) before anything
//! is written: every rule is checked and every error reported at once, each
//! naming its entry and JSON path.

use std::collections::{BTreeMap, HashMap, HashSet};

use motcua_calendar::{TimeLimit, WorkingCalendar};

use crate::code::{is_valid_agency_code, is_valid_procedure_code, is_valid_unit_code};
use crate::error::{EntryError, codes};
use crate::file::{AgencyEntry, AgencyKind, CatalogueFile, ComponentEntry, ProcedureEntry};
use crate::template::{TemplateError, describe_duration, template_duration, time_limit_budget};

/// Every rule violation in `file`, in file order (agencies, procedures,
/// listings); empty when the file may be imported.
pub fn validate(file: &CatalogueFile) -> Vec<EntryError> {
    let mut v = Validator {
        file,
        agencies: HashMap::new(),
        errors: Vec::new(),
    };
    for (i, a) in file.agencies.iter().enumerate() {
        v.agencies.entry(a.code.as_str()).or_insert(i);
    }
    v.agencies_rules();
    v.procedure_rules();
    v.listing_rules();
    v.errors
}

struct Validator<'a> {
    file: &'a CatalogueFile,
    /// Agency code → index of its first entry.
    agencies: HashMap<&'a str, usize>,
    errors: Vec<EntryError>,
}

fn agency_entry(i: usize, a: &AgencyEntry) -> String {
    label("agencies", i, &a.code)
}

fn procedure_entry(i: usize, p: &ProcedureEntry) -> String {
    label("procedures", i, &p.code)
}

fn label(section: &str, i: usize, code: &str) -> String {
    if code.is_empty() {
        format!("{section}[{i}]")
    } else {
        format!("{section}[{i}] ({code})")
    }
}

impl<'a> Validator<'a> {
    fn push(&mut self, entry: &str, field: String, code: &str, message: String) {
        self.errors
            .push(EntryError::new(entry, field, code, message));
    }

    fn agency(&self, code: &str) -> Option<&'a AgencyEntry> {
        self.agencies
            .get(code)
            .and_then(|&i| self.file.agencies.get(i))
    }

    /// `unknown_agency` when `code` names no agency.
    fn require_agency(&mut self, entry: &str, field: String, code: &str) {
        if self.agency(code).is_none() {
            self.push(
                entry,
                field,
                codes::UNKNOWN_AGENCY,
                format!("agency `{code}` is not in the catalogue"),
            );
        }
    }

    fn non_empty(&mut self, entry: &str, field: String, value: &str) {
        if value.trim().is_empty() {
            self.push(
                entry,
                field,
                codes::EMPTY_VALUE,
                "must not be empty".to_owned(),
            );
        }
    }

    fn agencies_rules(&mut self) {
        let file = self.file;
        for (i, a) in file.agencies.iter().enumerate() {
            let entry = agency_entry(i, a);
            let path = format!("agencies[{i}]");
            if !is_valid_agency_code(&a.code) {
                self.push(
                    &entry,
                    format!("{path}.code"),
                    codes::INVALID_AGENCY_CODE,
                    format!("agency code `{}` must be non-empty without spaces", a.code),
                );
            } else if let Some(&first) = self.agencies.get(a.code.as_str())
                && first != i
            {
                self.push(
                    &entry,
                    format!("{path}.code"),
                    codes::DUPLICATE_AGENCY,
                    format!(
                        "agency code `{}` is already used by agencies[{first}]",
                        a.code
                    ),
                );
            }
            self.non_empty(&entry, format!("{path}.name"), &a.name);
            if let (Some(from), Some(until)) = (a.valid_from, a.valid_until)
                && until < from
            {
                self.push(
                    &entry,
                    format!("{path}.valid_until"),
                    codes::INVALID_VALIDITY_PERIOD,
                    format!("valid_until {until} is before valid_from {from}"),
                );
            }
            if let Some(unit) = &a.unit_code
                && !is_valid_unit_code(unit)
            {
                self.push(
                    &entry,
                    format!("{path}.unit_code"),
                    codes::INVALID_UNIT_CODE,
                    format!(
                        "administrative-unit code `{unit}` must be 2 digits (province) or 5 digits (commune)"
                    ),
                );
            }
            if let Some(c) = &a.code_04_2025
                && !crate::code::is_valid_agency_code_04(c)
            {
                self.push(
                    &entry,
                    format!("{path}.code_04_2025"),
                    codes::INVALID_AGENCY_CODE_04,
                    format!("Circular 04/2025 agency code `{c}` must be MX1X2.Y1Y2Y3.Z1Z2, e.g. H80.025.01"),
                );
            }
            if let Some(s) = &a.successor_code {
                self.require_agency(&entry, format!("{path}.successor_code"), s);
            }
            if let Some(p) = &a.parent_code {
                self.require_agency(&entry, format!("{path}.parent_code"), p);
            }
            if let Some(sessions) = &a.working_sessions
                && let Err(e) = WorkingCalendar::new().with_sessions(sessions.clone())
            {
                self.push(
                    &entry,
                    format!("{path}.working_sessions"),
                    codes::INVALID_WORKING_SESSIONS,
                    e.to_string(),
                );
            }
        }
        self.cycles(
            |a| a.successor_code.as_deref(),
            "successor_code",
            codes::SUCCESSION_CYCLE,
            "successors",
        );
        self.cycles(
            |a| a.parent_code.as_deref(),
            "parent_code",
            codes::PARENT_CYCLE,
            "parents",
        );
    }

    /// Reports each cycle of the agency graph given by `next` once, at its
    /// member that comes first in the file.
    fn cycles(
        &mut self,
        next: impl Fn(&AgencyEntry) -> Option<&str>,
        field: &str,
        code: &str,
        what: &str,
    ) {
        let file = self.file;
        let n = file.agencies.len();
        // 0 = not visited, 1 = on the current walk, 2 = done.
        let mut state = vec![0u8; n];
        for start in 0..n {
            let mut walk = Vec::new();
            let mut at = Some(start);
            while let Some(i) = at {
                match state.get(i) {
                    Some(0) => {}
                    Some(1) => {
                        // `i` starts a cycle within this walk.
                        let pos = walk.iter().position(|&w| w == i).unwrap_or(0);
                        let members = &walk[pos..];
                        let first = members.iter().copied().min().unwrap_or(i);
                        let rot = members.iter().position(|&m| m == first).unwrap_or(0);
                        let mut chain: Vec<&str> = members[rot..]
                            .iter()
                            .chain(&members[..rot])
                            .map(|&m| file.agencies[m].code.as_str())
                            .collect();
                        chain.push(file.agencies[first].code.as_str());
                        let a = &file.agencies[first];
                        self.push(
                            &agency_entry(first, a),
                            format!("agencies[{first}].{field}"),
                            code,
                            format!("following {what} loops: {}", chain.join(" → ")),
                        );
                        break;
                    }
                    _ => break,
                }
                state[i] = 1;
                walk.push(i);
                at = next(&file.agencies[i]).and_then(|c| self.agencies.get(c).copied());
            }
            for w in walk {
                state[w] = 2;
            }
        }
    }

    fn procedure_rules(&mut self) {
        let file = self.file;
        let mut versions: HashMap<(&str, u32), usize> = HashMap::new();
        let mut effective: HashMap<&str, BTreeMap<time::Date, usize>> = HashMap::new();
        for (i, p) in file.procedures.iter().enumerate() {
            let entry = procedure_entry(i, p);
            let path = format!("procedures[{i}]");
            if !is_valid_procedure_code(&p.code) {
                self.push(
                    &entry,
                    format!("{path}.code"),
                    codes::INVALID_PROCEDURE_CODE,
                    format!(
                        "procedure code `{}` is neither national (1.001193, 1.001193.H38) nor local (uppercase letters, digits, single dots or dashes, starting with a letter)",
                        p.code
                    ),
                );
            }
            if p.version == 0 {
                self.push(
                    &entry,
                    format!("{path}.version"),
                    codes::INVALID_VERSION,
                    "versions are numbered from 1".to_owned(),
                );
            }
            let mut duplicate = false;
            if let Some(&first) = versions.get(&(p.code.as_str(), p.version)) {
                duplicate = true;
                self.push(
                    &entry,
                    format!("{path}.version"),
                    codes::DUPLICATE_VERSION,
                    format!(
                        "version {} of `{}` is already defined by procedures[{first}]",
                        p.version, p.code
                    ),
                );
            } else {
                versions.insert((p.code.as_str(), p.version), i);
            }
            let from = p.effective_from();
            let dates = effective.entry(p.code.as_str()).or_default();
            if let Some(&other) = dates.get(&from) {
                if !duplicate {
                    let defaulted = if p.decision.is_none() {
                        " (the default when no decision is given)"
                    } else {
                        ""
                    };
                    self.push(
                        &entry,
                        format!("{path}.decision.effective_from"),
                        codes::DUPLICATE_EFFECTIVE_FROM,
                        format!(
                            "version {} takes effect on {from}{defaulted}, the same day as procedures[{other}] (version {})",
                            p.version, file.procedures[other].version
                        ),
                    );
                }
            } else {
                dates.insert(from, i);
            }
            if let Some(until) = p.effective_until()
                && until < from
            {
                self.push(
                    &entry,
                    format!("{path}.decision.effective_until"),
                    codes::INVALID_EFFECTIVE_PERIOD,
                    format!("effective_until {until} is before effective_from {from}"),
                );
            }
            self.procedure_body(&entry, &path, p);
        }
    }

    fn procedure_body(&mut self, entry: &str, path: &str, p: &ProcedureEntry) {
        self.non_empty(entry, format!("{path}.name"), &p.name);
        self.non_empty(entry, format!("{path}.field"), &p.field);
        self.time_limit(entry, format!("{path}.time_limit"), &p.time_limit);
        if let Some(d) = &p.decision {
            self.non_empty(entry, format!("{path}.decision.number"), &d.number);
        }
        if let Some(a) = &p.implementing_agency {
            self.require_agency(entry, format!("{path}.implementing_agency"), a);
        }
        if let Some(a) = &p.deciding_agency {
            self.require_agency(entry, format!("{path}.deciding_agency"), a);
        }
        for (j, a) in p.coordinating_agencies.iter().enumerate() {
            self.require_agency(entry, format!("{path}.coordinating_agencies[{j}]"), a);
        }
        if let Some(methods) = &p.methods {
            if methods.is_empty() {
                self.push(
                    entry,
                    format!("{path}.methods"),
                    codes::NO_METHOD,
                    "an explicit list of methods must name at least one (omit it for all three)"
                        .to_owned(),
                );
            }
            let mut seen = HashSet::new();
            for (j, m) in methods.iter().enumerate() {
                if !seen.insert(m.method) {
                    self.push(
                        entry,
                        format!("{path}.methods[{j}].method"),
                        codes::DUPLICATE_METHOD,
                        format!("method `{}` is listed twice", m.method.as_str()),
                    );
                }
                if let Some(limit) = &m.time_limit {
                    self.time_limit(entry, format!("{path}.methods[{j}].time_limit"), limit);
                }
            }
        }
        for (j, f) in p.fees.iter().enumerate() {
            self.non_empty(entry, format!("{path}.fees[{j}].name"), &f.name);
        }
        self.components(entry, &format!("{path}.components"), &p.components);
        let mut cases: HashMap<&str, usize> = HashMap::new();
        for (j, c) in p.cases.iter().enumerate() {
            let case_path = format!("{path}.cases[{j}]");
            if c.code.trim().is_empty() {
                self.push(
                    entry,
                    format!("{case_path}.code"),
                    codes::INVALID_CASE_CODE,
                    "a case needs a code".to_owned(),
                );
            } else if let Some(&first) = cases.get(c.code.as_str()) {
                self.push(
                    entry,
                    format!("{case_path}.code"),
                    codes::DUPLICATE_CASE,
                    format!("case `{}` is already defined by cases[{first}]", c.code),
                );
            } else {
                cases.insert(c.code.as_str(), j);
            }
            self.non_empty(entry, format!("{case_path}.name"), &c.name);
            self.components(entry, &format!("{case_path}.components"), &c.components);
            if let Some(limit) = &c.time_limit {
                self.time_limit(entry, format!("{case_path}.time_limit"), limit);
            }
        }
        self.steps(entry, path, p);
    }

    fn time_limit(&mut self, entry: &str, field: String, limit: &TimeLimit) {
        if !limit.same_day && limit.working.is_zero_or_negative() {
            self.push(
                entry,
                field,
                codes::INVALID_TIME_LIMIT,
                "a time limit must be positive unless it is same-day (`same_day: true`)".to_owned(),
            );
        }
    }

    fn components(&mut self, entry: &str, path: &str, list: &[ComponentEntry]) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (k, c) in list.iter().enumerate() {
            let here = format!("{path}[{k}]");
            if c.code.trim().is_empty() {
                self.push(
                    entry,
                    format!("{here}.code"),
                    codes::INVALID_COMPONENT_CODE,
                    "a component needs a code".to_owned(),
                );
            } else if let Some(&first) = seen.get(c.code.as_str()) {
                self.push(
                    entry,
                    format!("{here}.code"),
                    codes::DUPLICATE_COMPONENT,
                    format!(
                        "component code `{}` is already used by {path}[{first}]",
                        c.code
                    ),
                );
            } else {
                seen.insert(c.code.as_str(), k);
            }
            self.non_empty(entry, format!("{here}.name"), &c.name);
            if !c.from_national_database && c.originals.saturating_add(c.copies) == 0 {
                self.push(
                    entry,
                    format!("{here}.originals"),
                    codes::INVALID_COMPONENT_COUNT,
                    "a component asks for at least one original or copy, unless it comes from a national database (`from_national_database: true`)".to_owned(),
                );
            }
        }
    }

    fn steps(&mut self, entry: &str, path: &str, p: &ProcedureEntry) {
        for (k, s) in p.steps.iter().enumerate() {
            let here = format!("{path}.steps[{k}]");
            self.non_empty(entry, format!("{here}.name"), &s.name);
            match self.agency(&s.agency) {
                None => self.require_agency(entry, format!("{here}.agency"), &s.agency),
                Some(a) => {
                    if let (Some(step_sector), Some(agency_sector)) = (&s.sector, &a.sector)
                        && step_sector != agency_sector
                    {
                        self.push(
                            entry,
                            format!("{here}.sector"),
                            codes::SECTOR_MISMATCH,
                            format!(
                                "step sector `{step_sector}` differs from agency `{}`'s sector `{agency_sector}`",
                                a.code
                            ),
                        );
                    }
                }
            }
        }
        let duration = match template_duration(&p.steps) {
            Ok(d) => d,
            Err(errors) => {
                for e in errors {
                    let (field, code) = match &e {
                        TemplateError::InvalidBudget { step, field, .. } => (
                            match field {
                                Some(f) => format!("{path}.steps[{step}].{f}"),
                                None => format!("{path}.steps[{step}]"),
                            },
                            codes::INVALID_STEP_BUDGET,
                        ),
                        TemplateError::ParallelGroupSplit { step, .. } => (
                            format!("{path}.steps[{step}].parallel_group"),
                            codes::PARALLEL_GROUP_SPLIT,
                        ),
                    };
                    let message = match &e {
                        TemplateError::InvalidBudget { reason, .. } => reason.clone(),
                        other => other.to_string(),
                    };
                    self.push(entry, field, code, message);
                }
                return;
            }
        };
        if p.steps.is_empty() {
            return;
        }
        let mut limits = vec![(format!("{path}.steps"), "the time limit", p.time_limit)];
        for (j, m) in p.methods.iter().flatten().enumerate() {
            if let Some(limit) = m.time_limit {
                limits.push((
                    format!("{path}.methods[{j}].time_limit"),
                    "this method's time limit",
                    limit,
                ));
            }
        }
        for (j, c) in p.cases.iter().enumerate() {
            if let Some(limit) = c.time_limit {
                limits.push((
                    format!("{path}.cases[{j}].time_limit"),
                    "this case's time limit",
                    limit,
                ));
            }
        }
        for (field, what, limit) in limits {
            let budget = time_limit_budget(&limit);
            if duration.main > budget {
                let same_day = if limit.same_day {
                    " (a same-day limit grants the receipt day, 1 working day, plus its working time)"
                } else {
                    ""
                };
                self.push(
                    entry,
                    field,
                    codes::TEMPLATE_OVER_BUDGET,
                    format!(
                        "the steps take {} on the main clock but {what} allows {}{same_day}",
                        describe_duration(duration.main),
                        describe_duration(budget)
                    ),
                );
            }
        }
    }

    fn listing_rules(&mut self) {
        let file = self.file;
        let known: HashSet<(&str, u32)> = file
            .procedures
            .iter()
            .map(|p| (p.code.as_str(), p.version))
            .collect();
        let known_codes: HashSet<&str> = file.procedures.iter().map(|p| p.code.as_str()).collect();
        let mut units: HashMap<&str, usize> = HashMap::new();
        for (i, l) in file.listings.iter().enumerate() {
            let entry = label("listings", i, &l.one_stop);
            let path = format!("listings[{i}]");
            match self.agency(&l.one_stop) {
                None => self.require_agency(&entry, format!("{path}.one_stop"), &l.one_stop),
                Some(a) if a.kind != AgencyKind::OneStop => self.push(
                    &entry,
                    format!("{path}.one_stop"),
                    codes::NOT_A_ONE_STOP,
                    format!(
                        "agency `{}` is not a one-stop unit (kind `{}`)",
                        a.code,
                        a.kind.as_str()
                    ),
                ),
                Some(_) => {}
            }
            if let Some(&first) = units.get(l.one_stop.as_str()) {
                self.push(
                    &entry,
                    format!("{path}.one_stop"),
                    codes::DUPLICATE_LISTING,
                    format!("unit `{}` already has listings[{first}]", l.one_stop),
                );
            } else {
                units.insert(l.one_stop.as_str(), i);
            }
            let mut listed: HashMap<&str, usize> = HashMap::new();
            for (j, lp) in l.procedures.iter().enumerate() {
                let here = format!("{path}.procedures[{j}]");
                if !known_codes.contains(lp.code.as_str()) {
                    self.push(
                        &entry,
                        format!("{here}.code"),
                        codes::UNKNOWN_PROCEDURE,
                        format!("procedure `{}` is not in the catalogue", lp.code),
                    );
                } else if !known.contains(&(lp.code.as_str(), lp.version)) {
                    self.push(
                        &entry,
                        format!("{here}.version"),
                        codes::UNKNOWN_PROCEDURE,
                        format!("procedure `{}` has no version {}", lp.code, lp.version),
                    );
                }
                if let Some(&first) = listed.get(lp.code.as_str()) {
                    self.push(
                        &entry,
                        format!("{here}.code"),
                        codes::DUPLICATE_LISTED_PROCEDURE,
                        format!(
                            "procedure `{}` is already listed at procedures[{first}]",
                            lp.code
                        ),
                    );
                } else {
                    listed.insert(lp.code.as_str(), j);
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
