//! From a procedure's process template to a case's tasks (kế hoạch xử lý), with no I/O.
//!
//! Steps run in order; consecutive steps sharing a `parallel_group` form one block that runs
//! in parallel and joins. Leading blocks held entirely by one-stop units are the reception
//! (already done by intake when the dossier was received); trailing ones are the hand-back of
//! the result (done when intake reports it returned). Everything between is processing at the
//! agencies; the case's result is ready when the last processing block is done.

use motcua_calendar::WorkingDuration;
use motcua_catalogue_client::Step;

/// A step of the template, with whether its agency is a one-stop unit.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateStep {
    /// The step as published.
    pub step: Step,
    /// Its agency is a one-stop unit.
    pub at_one_stop: bool,
}

/// What a task is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// Reception at the one-stop (done at receipt).
    Receive,
    /// Processing at an agency.
    Process,
    /// Handing the result back at the one-stop.
    Return,
}

impl TaskKind {
    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Receive, Self::Process, Self::Return]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

impl TaskKind {
    /// Name stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskKind::Receive => "receive",
            TaskKind::Process => "process",
            TaskKind::Return => "return",
        }
    }
}

/// A task to create.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTask {
    /// Position in the template.
    pub position: i32,
    /// Block index (tasks of one block run in parallel).
    pub block: i32,
    /// The step.
    pub step: TemplateStep,
    /// Its role in the case.
    pub kind: TaskKind,
}

/// Plans the tasks of a case. A template without steps becomes one processing task at
/// `fallback_agency` with the whole `fallback_budget` (the time limit's budget).
pub fn plan(
    steps: &[TemplateStep],
    fallback_agency: &str,
    fallback_budget: WorkingDuration,
) -> Vec<PlannedTask> {
    if steps.is_empty() {
        let step = TemplateStep {
            step: Step {
                name: "Giải quyết hồ sơ".into(),
                agency: fallback_agency.into(),
                sector: None,
                budget: fallback_budget,
                parallel_group: None,
                pauses_main_clock: false,
            },
            at_one_stop: false,
        };
        return vec![PlannedTask {
            position: 0,
            block: 0,
            step,
            kind: TaskKind::Process,
        }];
    }
    // Blocks.
    let mut blocks: Vec<Vec<usize>> = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let joins = i > 0
            && s.step.parallel_group.is_some()
            && steps[i - 1].step.parallel_group == s.step.parallel_group;
        match blocks.last_mut() {
            Some(b) if joins => b.push(i),
            _ => blocks.push(vec![i]),
        }
    }
    let at_one_stop = |b: &Vec<usize>| b.iter().all(|&i| steps[i].at_one_stop);
    let n = blocks.len();
    let leading = blocks.iter().take_while(|b| at_one_stop(b)).count();
    let trailing = blocks.iter().rev().take_while(|b| at_one_stop(b)).count();
    let mut kinds = vec![TaskKind::Process; n];
    if leading + trailing < n {
        kinds[..leading].fill(TaskKind::Receive);
        kinds[n - trailing..].fill(TaskKind::Return);
    } else if n >= 2 {
        // Everything at the one-stop: first receives, last returns, the middle processes; with
        // two blocks, the first both receives and processes.
        kinds[n - 1] = TaskKind::Return;
        if n >= 3 {
            kinds[0] = TaskKind::Receive;
        }
    }
    let mut out = Vec::with_capacity(steps.len());
    for (b, idxs) in blocks.iter().enumerate() {
        for &i in idxs {
            out.push(PlannedTask {
                position: i32::try_from(i).unwrap_or(i32::MAX),
                block: i32::try_from(b).unwrap_or(i32::MAX),
                step: steps[i].clone(),
                kind: kinds[b],
            });
        }
    }
    out
}

/// The first processing block.
pub fn first_process_block(tasks: &[PlannedTask]) -> Option<i32> {
    tasks
        .iter()
        .filter(|t| t.kind == TaskKind::Process)
        .map(|t| t.block)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str, agency: &str, minutes: i64, group: &str, one_stop: bool) -> TemplateStep {
        TemplateStep {
            step: Step {
                name: name.into(),
                agency: agency.into(),
                sector: None,
                budget: WorkingDuration::minutes(minutes),
                parallel_group: (!group.is_empty()).then(|| group.to_string()),
                pauses_main_clock: false,
            },
            at_one_stop: one_stop,
        }
    }

    #[test]
    fn birth_registration_receives_processes_and_returns() {
        let steps = [
            step("Tiếp nhận", "OS", 60, "", true),
            step("Thẩm định", "JUSTICE", 360, "", false),
            step("Trả kết quả", "OS", 60, "", true),
        ];
        let kinds: Vec<TaskKind> = plan(&steps, "OS", WorkingDuration::minutes(480))
            .iter()
            .map(|t| t.kind)
            .collect();
        assert_eq!(
            kinds,
            [TaskKind::Receive, TaskKind::Process, TaskKind::Return]
        );
    }

    #[test]
    fn consecutive_steps_of_one_group_share_a_block() {
        let steps = [
            step("Khai sinh", "J", 480, "", false),
            step("Thường trú", "P", 960, "after_birth", false),
            step("BHYT", "S", 960, "after_birth", false),
        ];
        let blocks: Vec<i32> = plan(&steps, "OS", WorkingDuration::ZERO)
            .iter()
            .map(|t| t.block)
            .collect();
        assert_eq!(blocks, [0, 1, 1]);
        assert!(
            plan(&steps, "OS", WorkingDuration::ZERO)
                .iter()
                .all(|t| t.kind == TaskKind::Process)
        );
        assert_eq!(
            first_process_block(&plan(&steps, "OS", WorkingDuration::ZERO)),
            Some(0)
        );
    }

    #[test]
    fn an_empty_template_is_one_task_at_the_fallback_agency() {
        let p = plan(&[], "000.30.80.H80", WorkingDuration::minutes(2400));
        assert_eq!(p.len(), 1);
        assert_eq!(
            (
                p[0].step.step.agency.as_str(),
                p[0].step.step.budget.as_minutes(),
                p[0].kind
            ),
            ("000.30.80.H80", 2400, TaskKind::Process)
        );
    }
}
