//! The service-quality index of Decision 766/QĐ-TTg (Bộ chỉ số phục vụ người dân, doanh
//! nghiệp), out of 100: the groups motcua's own data supports, each computed by a written
//! formula (`docs/reporting.md`); the group it cannot support (publicity, read off the portals)
//! is shown as unsupported rather than guessed.

use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The counts the index is computed from, for one period and scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexInputs {
    /// Dossiers received in the period.
    pub received: i64,
    /// Of which online.
    pub received_online: i64,
    /// Of which with every component digitised at receipt (none handed in on paper).
    pub received_digitised: i64,
    /// Dossiers resolved in the period.
    pub resolved: i64,
    /// Of which early or on time.
    pub resolved_in_time: i64,
    /// Dossiers whose result was handed back in the period.
    pub returned: i64,
    /// Of which rated unsatisfied or complained about.
    pub returned_unsatisfied: i64,
    /// Feedback received in the period.
    pub feedback: i64,
    /// Of which answered by its deadline.
    pub feedback_on_time: i64,
    /// Of which the filer judged the answer unsatisfying.
    pub feedback_unsatisfied: i64,
}

/// One group of the index.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IndexGroup {
    /// Stable name: `publicity`, `progress`, `digitisation`, `online`, `satisfaction`.
    pub group: &'static str,
    /// Its weight in the 100 points.
    pub max_points: f64,
    /// Points earned (`null` when motcua's data cannot support the group, or nothing counted).
    pub points: Option<f64>,
    /// The formula, in words.
    pub formula: &'static str,
    /// The rates behind the points (0–1), by name; null where nothing counted.
    pub rates: BTreeMap<&'static str, Option<f64>>,
}

/// The index: its groups, and the points over the groups computed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ServiceIndex {
    /// The five groups.
    pub groups: Vec<IndexGroup>,
    /// Points earned in the computed groups.
    pub points: f64,
    /// The maximum of the computed groups.
    pub max_points: f64,
    /// `points / max_points` × 100, comparable whatever groups were computed.
    pub percent: Option<f64>,
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn points(max: f64, r: Option<f64>) -> Option<f64> {
    r.map(|r| (max * r * 100.0).round() / 100.0)
}

/// Computes the index from `i`.
pub fn compute(i: &IndexInputs) -> ServiceIndex {
    let in_time = rate(i.resolved_in_time, i.resolved);
    let digitised = rate(i.received_digitised, i.received);
    let online = rate(i.received_online, i.received);
    let answered = rate(i.feedback_on_time, i.feedback);
    let feedback_ok = rate(i.feedback - i.feedback_unsatisfied, i.feedback);
    let dossiers_ok = rate(i.returned - i.returned_unsatisfied, i.returned);
    let available: Vec<f64> = [answered, feedback_ok, dossiers_ok]
        .into_iter()
        .flatten()
        .collect();
    let satisfaction =
        (!available.is_empty()).then(|| available.iter().sum::<f64>() / available.len() as f64);
    let groups = vec![
        IndexGroup {
            group: "publicity",
            max_points: 18.0,
            points: None,
            formula: "not computed: publicity is assessed on the portals, outside motcua's data",
            rates: BTreeMap::new(),
        },
        IndexGroup {
            group: "progress",
            max_points: 20.0,
            points: points(20.0, in_time),
            formula: "20 × (resolved early or on time) / resolved, in the period",
            rates: BTreeMap::from([("resolved_in_time", in_time)]),
        },
        IndexGroup {
            group: "digitisation",
            max_points: 22.0,
            points: points(22.0, digitised),
            formula: "22 × (received with every component digitised at receipt) / received",
            rates: BTreeMap::from([("digitised_at_receipt", digitised)]),
        },
        IndexGroup {
            group: "online",
            max_points: 22.0,
            points: points(22.0, online),
            formula: "22 × (received online) / received",
            rates: BTreeMap::from([("online", online)]),
        },
        IndexGroup {
            group: "satisfaction",
            max_points: 18.0,
            points: points(18.0, satisfaction),
            formula: "18 × mean of the available rates: feedback answered on time / feedback; \
                      (feedback − answers judged unsatisfying) / feedback; (dossiers returned − \
                      rated unsatisfied or complained about) / dossiers returned",
            rates: BTreeMap::from([
                ("feedback_answered_on_time", answered),
                ("feedback_satisfied", feedback_ok),
                ("dossiers_satisfied", dossiers_ok),
            ]),
        },
    ];
    let computed = groups.iter().filter(|g| g.points.is_some());
    let (points, max_points) = computed.fold((0.0, 0.0), |(p, m), g| {
        (p + g.points.unwrap_or(0.0), m + g.max_points)
    });
    ServiceIndex {
        groups,
        points: (points * 100.0_f64).round() / 100.0,
        max_points,
        percent: (max_points > 0.0).then(|| (points / max_points * 10_000.0).round() / 100.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_group_is_its_weight_times_its_rate_and_missing_data_is_not_guessed() {
        let i = IndexInputs {
            received: 10,
            received_online: 4,
            received_digitised: 5,
            resolved: 8,
            resolved_in_time: 6,
            returned: 4,
            returned_unsatisfied: 1,
            feedback: 2,
            feedback_on_time: 1,
            feedback_unsatisfied: 0,
        };
        let x = compute(&i);
        let p = |g: &str| x.groups.iter().find(|x| x.group == g).unwrap().points;
        assert_eq!(p("publicity"), None);
        assert_eq!(p("progress"), Some(15.0));
        assert_eq!(p("digitisation"), Some(11.0));
        assert_eq!(p("online"), Some(8.8));
        // (0.5 + 1.0 + 0.75) / 3 × 18 = 13.5
        assert_eq!(p("satisfaction"), Some(13.5));
        assert_eq!(x.max_points, 82.0);
        assert_eq!(x.points, 48.3);
        let none = compute(&IndexInputs::default());
        assert_eq!((none.points, none.percent), (0.0, None));
    }
}
