//! Forwarding at once, whatever the hour the benchmark runs. Workflow forwards a dossier to its
//! first agencies at once only when it was received on a working day up to
//! `MOTCUA_FORWARD_CUTOFF` (default 15:00 local); otherwise it keeps the case for the first
//! session of the next working day (Decree 118), and a completed flow would then take until
//! tomorrow. The bench runs on the real clock, so for its own services it sets the cut-off to
//! the last second of the day ([`CUTOFF`]) and, when a day the run may reach is a day off on
//! the province's calendar (a weekend, a holiday), makes it a make-up working day on the
//! calendar of the bench's own database ([`make_working`], `PUT /api/v1/calendar/{year}` as a
//! catalogue admin) before the first submission. Working sessions do not matter: forwarding
//! and the steps' own hand-overs do not wait for a session, only deadlines count them.

use motcua_calendar::PROVINCE_OFFSET;
use serde_json::{Value, json};
use std::time::Duration;
use time::{Date, OffsetDateTime, Weekday};

/// The cut-off the bench's services run with: everything received up to 23:59:59 local time is
/// forwarded at once (a dossier received in the day's last second would wait for the next
/// working day).
pub const CUTOFF: (&str, &str) = ("MOTCUA_FORWARD_CUTOFF", "23:59:59");

/// The local dates (+07:00) from `now` to `now + horizon`.
fn dates(now: OffsetDateTime, horizon: Duration) -> Vec<Date> {
    let first = now.to_offset(PROVINCE_OFFSET).date();
    let last = (now + horizon).to_offset(PROVINCE_OFFSET).date();
    let mut out = vec![first];
    while let Some(next) = out.last().and_then(|d| d.next_day()) {
        if next > last {
            break;
        }
        out.push(next);
    }
    out
}

/// Whether `date` is a day off by a year's calendar as `GET /api/v1/calendar/{year}` answers
/// it: Monday to Friday work except the days off; a weekend day works when it is a make-up
/// working day.
fn is_day_off(year: &Value, date: Date) -> bool {
    let listed = |key: &str| {
        let day = date.to_string();
        year[key]
            .as_array()
            .is_some_and(|l| l.iter().any(|d| d["date"] == day.as_str() || *d == day))
    };
    let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
    listed("days_off") || (weekend && !listed("working_days"))
}

/// `year` with `date` a working day: out of the days off and, on a weekend, a make-up working
/// day named after the bench.
fn with_working(mut year: Value, date: Date) -> Value {
    let day = date.to_string();
    if let Some(off) = year["days_off"].as_array_mut() {
        off.retain(|d| d["date"] != day.as_str() && *d != day);
    }
    if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
        let entry = json!({"date": day, "name": "bench/run: forwarding at once"});
        match year["working_days"].as_array_mut() {
            Some(list) => list.push(entry),
            None => year["working_days"] = json!([entry]),
        }
    }
    year
}

/// Makes every day off among the local dates from now to `now + horizon` a working day on the
/// calendar of the catalogue at `catalogue` (REST base URL), as `admin` (a catalogue admin's
/// token); answers the days it changed. Call it before the first submission: the other
/// services keep a calendar they read for a minute.
pub async fn make_working(
    catalogue: &str,
    admin: &str,
    horizon: Duration,
) -> anyhow::Result<Vec<Date>> {
    let http = reqwest::Client::new();
    let mut changed = Vec::new();
    for date in dates(OffsetDateTime::now_utc(), horizon) {
        let url = format!("{catalogue}/api/v1/calendar/{}", date.year());
        let res = http.get(&url).send().await?;
        let year: Value = match res.status().as_u16() {
            // A year not loaded: an empty one (Monday to Friday), with this day added.
            404 => json!({"days_off": [], "working_days": []}),
            _ => res.error_for_status()?.json().await?,
        };
        if !is_day_off(&year, date) {
            continue;
        }
        let res = http
            .put(&url)
            .bearer_auth(admin)
            .json(&with_working(year, date))
            .send()
            .await?;
        let status = res.status();
        anyhow::ensure!(
            status.is_success(),
            "PUT {url}: {status} {}",
            res.text().await.unwrap_or_default()
        );
        changed.push(date);
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn weekends_and_holidays_are_days_off_unless_made_up() {
        let year = json!({"days_off": [{"date": "2026-09-02", "name": "Quốc khánh"}],
                          "working_days": [{"date": "2026-08-22"}]});
        assert!(is_day_off(&year, date!(2026 - 09 - 02)));
        assert!(is_day_off(&year, date!(2026 - 12 - 05)));
        assert!(!is_day_off(&year, date!(2026 - 08 - 22)));
        assert!(!is_day_off(&year, date!(2026 - 12 - 04)));
        let made = with_working(
            with_working(year, date!(2026 - 09 - 02)),
            date!(2026 - 12 - 05),
        );
        assert!(!is_day_off(&made, date!(2026 - 09 - 02)));
        assert!(!is_day_off(&made, date!(2026 - 12 - 05)));
    }

    #[test]
    fn the_horizon_covers_the_next_local_day_when_it_crosses_midnight() {
        let late = datetime!(2026-12-04 16:30 UTC); // 23:30 in the province
        assert_eq!(
            dates(late, Duration::from_secs(3600)),
            [date!(2026 - 12 - 04), date!(2026 - 12 - 05)]
        );
        assert_eq!(
            dates(late, Duration::from_secs(60)),
            [date!(2026 - 12 - 04)]
        );
    }
}
