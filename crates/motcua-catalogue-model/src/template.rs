//! The time budget of a process template (quy trình nội bộ): how much of the
//! procedure's time limit its steps use, so that a template that cannot meet
//! the published limit is refused before any dossier follows it.
//!
//! Steps run in order. Consecutive steps sharing a `parallel_group` form one
//! parallel block that ends when its slowest step ends (the join); blocks run
//! one after another. Steps that pause the main clock (`pauses_main_clock`,
//! e.g. the tax authority's financial-obligation step in the land flow) run
//! while the dossier's clock is stopped, so they count separately.

use std::ops::Range;

use motcua_calendar::{MINUTES_PER_WORKING_DAY, TimeLimit, WorkingDuration};
use thiserror::Error;

use crate::file::StepEntry;

/// The working time a template needs (thời gian theo quy trình).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TemplateDuration {
    /// Time on the dossier's main clock: what must fit the time limit.
    pub main: WorkingDuration,
    /// Time spent in steps that pause the main clock (not counted against the limit).
    pub paused: WorkingDuration,
}

/// One block of a template: a single step, or consecutive steps of one
/// parallel group; the workflow allots deadlines block by block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateBlock {
    /// Indices of its steps.
    pub steps: Range<usize>,
    /// The parallel group, if the block is one.
    pub group: Option<String>,
    /// Longest main-clock step of the block.
    pub main: WorkingDuration,
    /// Longest clock-pausing step of the block.
    pub paused: WorkingDuration,
}

/// What is wrong with a template, per step.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TemplateError {
    /// The step does not give exactly one positive `working_hours` or
    /// `working_days` (days in whole or half days, hours in whole minutes).
    #[error("step {step}: {reason}")]
    InvalidBudget {
        /// Index of the step.
        step: usize,
        /// The field at fault (`working_hours` or `working_days`), or `None`
        /// when neither or both are given.
        field: Option<&'static str>,
        /// Why it is refused.
        reason: String,
    },
    /// A parallel group reappears after other steps, so it would not be one
    /// block (e.g. steps `a[g]`, `b`, `c[g]`).
    #[error(
        "step {step}: parallel group `{group}` was already used by step {first_step} and closed by the steps between; the steps of one parallel group must be consecutive"
    )]
    ParallelGroupSplit {
        /// Index of the step that reuses the group.
        step: usize,
        /// The group name.
        group: String,
        /// Index of the group's first step.
        first_step: usize,
    },
}

/// The working time budget of one step (hours or days, halves of days allowed).
pub fn step_duration(step: &StepEntry, index: usize) -> Result<WorkingDuration, TemplateError> {
    let bad = |field, reason: String| TemplateError::InvalidBudget {
        step: index,
        field,
        reason,
    };
    let (field, parsed) = match (step.working_hours, step.working_days) {
        (Some(h), None) => (
            "working_hours",
            WorkingDuration::from_hours_f64(h).map_err(|e| e.to_string()),
        ),
        (None, Some(d)) => (
            "working_days",
            WorkingDuration::days(d).map_err(|e| e.to_string()),
        ),
        (None, None) => {
            return Err(bad(
                None,
                "give its budget as `working_hours` or `working_days`".to_owned(),
            ));
        }
        (Some(_), Some(_)) => {
            return Err(bad(
                None,
                "give only one of `working_hours` and `working_days`".to_owned(),
            ));
        }
    };
    match parsed {
        Err(reason) => Err(bad(Some(field), reason)),
        Ok(d) if d.is_zero_or_negative() => {
            Err(bad(Some(field), format!("`{field}` must be positive")))
        }
        Ok(d) => Ok(d),
    }
}

/// Splits a template into its sequential blocks, reporting every bad step.
pub fn template_blocks(steps: &[StepEntry]) -> Result<Vec<TemplateBlock>, Vec<TemplateError>> {
    let mut errors = Vec::new();
    let mut blocks: Vec<TemplateBlock> = Vec::new();
    // Groups whose block has ended, with the index of their first step.
    let mut closed: Vec<(&str, usize)> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let duration = match step_duration(step, i) {
            Ok(d) => d,
            Err(e) => {
                errors.push(e);
                WorkingDuration::ZERO
            }
        };
        let group = step.parallel_group.as_deref();
        let joins_last = match (group, blocks.last()) {
            (Some(g), Some(last)) => last.group.as_deref() == Some(g),
            _ => false,
        };
        if !joins_last {
            if let Some(last) = blocks.last()
                && let Some(g) = steps
                    .get(last.steps.start)
                    .and_then(|s| s.parallel_group.as_deref())
            {
                closed.push((g, last.steps.start));
            }
            if let Some(g) = group
                && let Some(&(_, first_step)) = closed.iter().find(|(c, _)| *c == g)
            {
                errors.push(TemplateError::ParallelGroupSplit {
                    step: i,
                    group: g.to_owned(),
                    first_step,
                });
            }
            blocks.push(TemplateBlock {
                steps: i..i,
                group: group.map(str::to_owned),
                main: WorkingDuration::ZERO,
                paused: WorkingDuration::ZERO,
            });
        }
        if let Some(block) = blocks.last_mut() {
            block.steps.end = i + 1;
            let slot = if step.pauses_main_clock {
                &mut block.paused
            } else {
                &mut block.main
            };
            *slot = (*slot).max(duration);
        }
    }
    if errors.is_empty() {
        Ok(blocks)
    } else {
        Err(errors)
    }
}

/// Total working time of a template: the sum over blocks of each block's
/// longest step, main clock and paused time apart.
pub fn template_duration(steps: &[StepEntry]) -> Result<TemplateDuration, Vec<TemplateError>> {
    let blocks = template_blocks(steps)?;
    Ok(blocks
        .iter()
        .fold(TemplateDuration::default(), |acc, b| TemplateDuration {
            main: acc.main + b.main,
            paused: acc.paused + b.paused,
        }))
}

/// The working time a time limit grants a template: its working time, plus
/// one working day (480 minutes) for a same-day procedure (giải quyết trong
/// ngày), whose whole receipt day is available.
pub fn time_limit_budget(limit: &TimeLimit) -> WorkingDuration {
    if limit.same_day {
        WorkingDuration::minutes(MINUTES_PER_WORKING_DAY) + limit.working
    } else {
        limit.working
    }
}

/// A duration in the unit administrators use: working days when it is a whole
/// or half number of days, working hours otherwise.
pub fn describe_duration(d: WorkingDuration) -> String {
    let m = d.as_minutes();
    if m == MINUTES_PER_WORKING_DAY {
        "1 working day".to_owned()
    } else if m % (MINUTES_PER_WORKING_DAY / 2) == 0 {
        format!("{} working days", d.as_days_f64())
    } else if m == 60 {
        "1 working hour".to_owned()
    } else if m % 60 == 0 {
        format!("{} working hours", m / 60)
    } else {
        format!("{d} of working time")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::CatalogueFile;
    use proptest::prelude::*;

    fn step(hours: Option<f64>, days: Option<f64>, group: Option<&str>, paused: bool) -> StepEntry {
        StepEntry {
            name: "s".into(),
            agency: "A".into(),
            sector: None,
            role: None,
            working_hours: hours,
            working_days: days,
            parallel_group: group.map(str::to_owned),
            pauses_main_clock: paused,
        }
    }

    fn days(d: f64) -> StepEntry {
        step(None, Some(d), None, false)
    }

    fn grouped(d: f64, g: &str) -> StepEntry {
        step(None, Some(d), Some(g), false)
    }

    #[test]
    fn sample_templates_fit_their_limits() {
        let f = CatalogueFile::parse(crate::file::tests::SAMPLE).unwrap();
        let expect = [
            (
                "1.001193",
                WorkingDuration::hours(8),
                WorkingDuration::ZERO,
                WorkingDuration::hours(8),
            ),
            (
                "DEMO.LT.63-1",
                WorkingDuration::whole_days(3),
                WorkingDuration::ZERO,
                WorkingDuration::whole_days(3),
            ),
            (
                "1.011537",
                WorkingDuration::whole_days(4),
                WorkingDuration::ZERO,
                WorkingDuration::whole_days(5),
            ),
            (
                "DEMO.DD.001",
                WorkingDuration::whole_days(20),
                WorkingDuration::whole_days(3),
                WorkingDuration::whole_days(20),
            ),
        ];
        for (p, (code, main, paused, budget)) in f.procedures.iter().zip(expect) {
            assert_eq!(p.code, code);
            let d = template_duration(&p.steps).unwrap();
            assert_eq!(d, TemplateDuration { main, paused }, "{code}");
            assert_eq!(time_limit_budget(&p.time_limit), budget, "{code}");
            assert!(d.main <= budget, "{code}");
        }
    }

    #[test]
    fn parallel_block_takes_its_longest_step() {
        let steps = [days(1.0), grouped(2.0, "g"), grouped(3.0, "g"), days(0.5)];
        let blocks = template_blocks(&steps).unwrap();
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[1].steps, 1..3);
        assert_eq!(blocks[1].group.as_deref(), Some("g"));
        assert_eq!(blocks[1].main, WorkingDuration::whole_days(3));
        assert_eq!(
            template_duration(&steps).unwrap().main,
            WorkingDuration::days(4.5).unwrap()
        );
        // Two different groups back to back are two blocks.
        let steps = [grouped(1.0, "a"), grouped(2.0, "b")];
        assert_eq!(
            template_duration(&steps).unwrap().main,
            WorkingDuration::whole_days(3)
        );
    }

    #[test]
    fn paused_steps_do_not_count_on_the_main_clock() {
        let steps = [days(2.0), step(None, Some(3.0), None, true), days(1.0)];
        assert_eq!(
            template_duration(&steps).unwrap(),
            TemplateDuration {
                main: WorkingDuration::whole_days(3),
                paused: WorkingDuration::whole_days(3),
            }
        );
        // Within one parallel group, paused and main steps are maxed apart.
        let steps = [
            grouped(2.0, "g"),
            step(None, Some(5.0), Some("g"), true),
            grouped(1.0, "g"),
        ];
        assert_eq!(
            template_duration(&steps).unwrap(),
            TemplateDuration {
                main: WorkingDuration::whole_days(2),
                paused: WorkingDuration::whole_days(5),
            }
        );
    }

    #[test]
    fn split_parallel_group_is_refused() {
        let steps = [grouped(1.0, "g"), days(1.0), grouped(1.0, "g")];
        assert_eq!(
            template_duration(&steps),
            Err(vec![TemplateError::ParallelGroupSplit {
                step: 2,
                group: "g".into(),
                first_step: 0,
            }])
        );
        // A group interrupted by another group is split too.
        let steps = [grouped(1.0, "g"), grouped(1.0, "h"), grouped(1.0, "g")];
        assert!(matches!(
            template_duration(&steps).unwrap_err()[..],
            [TemplateError::ParallelGroupSplit {
                step: 2,
                first_step: 0,
                ..
            }]
        ));
    }

    #[test]
    fn step_budget_must_be_one_positive_value() {
        let cases = [
            (step(None, None, None, false), None),
            (step(Some(1.0), Some(1.0), None, false), None),
            (step(Some(0.0), None, None, false), Some("working_hours")),
            (step(None, Some(0.0), None, false), Some("working_days")),
            (step(None, Some(-1.0), None, false), Some("working_days")),
            (step(None, Some(0.3), None, false), Some("working_days")),
            (step(Some(0.001), None, None, false), Some("working_hours")),
            (
                step(Some(f64::NAN), None, None, false),
                Some("working_hours"),
            ),
        ];
        for (i, (s, field)) in cases.iter().enumerate() {
            match step_duration(s, i) {
                Err(TemplateError::InvalidBudget { step, field: f, .. }) => {
                    assert_eq!((step, f), (i, *field), "case {i}");
                }
                other => panic!("case {i}: {other:?}"),
            }
        }
        assert_eq!(
            step_duration(&step(Some(1.5), None, None, false), 0),
            Ok(WorkingDuration::minutes(90))
        );
        // All bad steps are reported, not just the first.
        let steps = [
            step(None, None, None, false),
            days(1.0),
            step(Some(0.0), None, None, false),
        ];
        assert_eq!(template_duration(&steps).unwrap_err().len(), 2);
    }

    #[test]
    fn budgets_and_descriptions() {
        assert_eq!(
            time_limit_budget(&TimeLimit::same_day()),
            WorkingDuration::minutes(480)
        );
        assert_eq!(
            time_limit_budget(&TimeLimit {
                working: WorkingDuration::hours(4),
                same_day: true,
                cutoff: None
            }),
            WorkingDuration::hours(12)
        );
        assert_eq!(
            describe_duration(WorkingDuration::whole_days(20)),
            "20 working days"
        );
        assert_eq!(
            describe_duration(WorkingDuration::days(12.5).unwrap()),
            "12.5 working days"
        );
        assert_eq!(
            describe_duration(WorkingDuration::hours(7)),
            "7 working hours"
        );
        assert_eq!(
            describe_duration(WorkingDuration::hours(1)),
            "1 working hour"
        );
        assert_eq!(
            describe_duration(WorkingDuration::hours(8)),
            "1 working day"
        );
        assert_eq!(
            describe_duration(WorkingDuration::minutes(90)),
            "1h30m of working time"
        );
    }

    proptest! {
        #[test]
        fn never_panics_and_main_is_at_most_the_sum(
            raw in proptest::collection::vec(
                (proptest::option::of(-2.0f64..50.0), proptest::option::of(-2.0f64..50.0), proptest::option::of(0u8..3), any::<bool>()),
                0..12,
            )
        ) {
            let steps: Vec<StepEntry> = raw
                .iter()
                .map(|&(h, d, g, p)| {
                    let g = g.map(|g| format!("g{g}"));
                    step(h.map(f64::round), d.map(|d| (d * 2.0).round() / 2.0), g.as_deref(), p)
                })
                .collect();
            if let Ok(total) = template_duration(&steps) {
                let sum = steps
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| !s.pauses_main_clock)
                    .filter_map(|(i, s)| step_duration(s, i).ok())
                    .fold(WorkingDuration::ZERO, |a, b| a + b);
                prop_assert!(total.main <= sum);
            }
        }
    }
}
