//! Reporting end to end: the handling report (II.06a) equals a brute-force reading of random
//! dossier histories delivered through the real event path, cell by cell, for periods across
//! month boundaries and every grouping; a rebuild from the facts gives byte-identical reports;
//! carried-over dossiers, the applicant's paused time, an inter-agency group counted once;
//! the event lag shows a relay that stopped.

use crate::reporting_oracle::{self as oracle, History, Rng};
use crate::workflow_support::{LAND, OS};
use motcua_calendar::WorkingCalendar;
use motcua_config::ServiceName::{Catalogue, Reporting};
use motcua_e2e::{TestSystem, authed, get};
use motcua_proto::catalogue::v1::GetCalendarRequest;
use motcua_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use motcua_proto::common::v1::event_receiver_client::EventReceiverClient;
use motcua_proto::common::v1::{DeliverEventRequest, Event};
use serde_json::{Value, json};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

fn service_token(sys: &TestSystem) -> String {
    sys.service_token(motcua_config::ServiceName::Intake)
}

async fn calendar(sys: &TestSystem, agency: &str) -> WorkingCalendar {
    let mut c = CatalogueServiceClient::connect(sys.grpc(Catalogue))
        .await
        .unwrap();
    let req = GetCalendarRequest {
        agency: agency.to_string(),
    };
    let json = c
        .get_calendar(authed(req, &service_token(sys)))
        .await
        .unwrap()
        .into_inner()
        .calendar_json;
    WorkingCalendar::from_json(&json).unwrap()
}

fn rfc3339(t: OffsetDateTime) -> String {
    motcua_calendar::local_rfc3339(t)
}

/// The events intake would announce for `h`, in order.
fn events_of(h: &History) -> Vec<Event> {
    let received = json!({
        "dossier_code": h.code, "procedure_code": h.procedure.0, "procedure_version": 1,
        "receiving_agency": h.agency, "channel": h.channel, "received_at": rfc3339(h.received_at),
        "due_at": rfc3339(h.due_at), "due_provisional": false, "field": h.procedure.1,
        "level": h.procedure.2, "submitted_by": "officer-1",
    });
    let mut out = vec![event(h, "dossier.received", received, h.received_at)];
    let mut from = "received";
    for c in &h.changes {
        let payload = json!({
            "dossier_code": h.code, "action": c.event_type, "from_status": from,
            "to_status": c.to_status, "status_code": 4, "at": rfc3339(c.at), "due_at": rfc3339(c.due_at),
        });
        out.push(event(h, c.event_type, payload, c.at));
        from = c.to_status;
    }
    out
}

fn event(h: &History, ty: &str, payload: Value, at: OffsetDateTime) -> Event {
    Event {
        id: uuid_v7(),
        r#type: ty.to_string(),
        source: "intake".into(),
        subject: h.code.clone(),
        occurred_at: Some(motcua_proto::timestamp::to_proto(at)),
        payload_json: payload.to_string(),
        ..Default::default()
    }
}

fn uuid_v7() -> String {
    sqlx::types::Uuid::now_v7().to_string()
}

/// Delivers each history's events in order (several histories at once), every fifth event
/// twice, as an at-least-once relay may.
async fn deliver(sys: &TestSystem, hs: &[History]) {
    let mut running = tokio::task::JoinSet::new();
    for chunk in hs.chunks(hs.len().div_ceil(6).max(1)) {
        let events: Vec<Event> = chunk.iter().flat_map(events_of).collect();
        let (url, token) = (sys.grpc(Reporting), service_token(sys));
        running.spawn(async move {
            let mut c = EventReceiverClient::connect(url).await.unwrap();
            for (i, e) in events.into_iter().enumerate() {
                let times = if i % 5 == 0 { 2 } else { 1 };
                for n in 0..times {
                    let req = DeliverEventRequest {
                        event: Some(e.clone()),
                    };
                    let applied = c.deliver_event(authed(req, &token)).await.unwrap();
                    assert_eq!(applied.into_inner().applied, n == 0, "{}", e.r#type);
                }
            }
        });
    }
    while let Some(done) = running.join_next().await {
        done.unwrap();
    }
}

/// An inspector's token (reads every report).
pub(crate) fn inspector(sys: &TestSystem) -> String {
    sys.token(&["inspector"], None, "inspector-1")
}

async fn report(
    sys: &TestSystem,
    (from, to): (Date, Date),
    group: &str,
    agency: Option<&str>,
) -> Value {
    let mut path = format!("/api/v1/reports/handling?from={from}&to={to}&group_by={group}");
    if let Some(a) = agency {
        path.push_str(&format!("&agency={a}"));
    }
    let (status, body) = get(sys, Reporting, &path, &inspector(sys)).await;
    assert_eq!(status, 200, "{body}");
    body
}

const PERIODS: [(Date, Date); 5] = [
    (date!(2026 - 10 - 01), date!(2026 - 10 - 31)),
    (date!(2026 - 09 - 15), date!(2026 - 11 - 20)),
    (date!(2026 - 11 - 05), date!(2026 - 11 - 05)),
    (date!(2026 - 09 - 01), date!(2026 - 12 - 31)),
    (date!(2026 - 12 - 01), date!(2026 - 12 - 10)),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handling_report_equals_a_brute_force_reading_of_random_histories_and_survives_a_rebuild()
 {
    // The clock after every history's last event, so "now" reports see them all.
    let now = datetime!(2027-01-15 09:00 +07:00);
    let sys = TestSystem::start(now).await.unwrap();
    let cal = calendar(&sys, OS).await;
    let mut rng = Rng(0x5eed_2026_1203);
    let start = datetime!(2026-09-01 00:00 +07:00);
    let hs: Vec<History> = (0..160)
        .map(|i| oracle::history(&mut rng, i, &[OS, LAND], start, &cal))
        .collect();
    deliver(&sys, &hs).await;
    let mut seen = Vec::new();
    for period in PERIODS {
        for group in ["field", "procedure", "agency", "level"] {
            let got = report(&sys, period, group, None).await;
            let (items, total) = oracle::expected(&hs, &cal, period, group, None);
            assert_eq!(got["items"], Value::Array(items), "{period:?} by {group}");
            assert_eq!(got["total"], total, "{period:?} by {group}");
            seen.push(got);
        }
        let got = report(&sys, period, "field", Some(LAND)).await;
        let (items, total) = oracle::expected(&hs, &cal, period, "field", Some(LAND));
        assert_eq!(
            (got["items"].clone(), got["total"].clone()),
            (Value::Array(items), total)
        );
    }
    // The other reports, against the same histories.
    for period in PERIODS {
        let [received, online, resolved, in_time, unresolved] =
            oracle::period_counts(&hs, &cal, period);
        let q = format!("from={}&to={}", period.0, period.1);
        let (_, x) = get(
            &sys,
            Reporting,
            &format!("/api/v1/reports/service-index?{q}"),
            &inspector(&sys),
        )
        .await;
        let rate = |g: &str, r: &str| {
            x["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|y| y["group"] == g)
                .unwrap()["rates"][r]
                .as_f64()
        };
        let share = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
        assert_eq!(
            rate("progress", "resolved_in_time"),
            share(in_time, resolved),
            "{period:?}"
        );
        assert_eq!(
            rate("online", "online"),
            share(online, received),
            "{period:?}"
        );
        assert_eq!(
            rate("digitisation", "digitised_at_receipt"),
            share(received, received)
        );
        let (_, c) = get(
            &sys,
            Reporting,
            &format!("/api/v1/reports/compliance?{q}"),
            &inspector(&sys),
        )
        .await;
        assert_eq!(
            c["totals"]["returned_unresolved"].as_i64().unwrap_or(0),
            unresolved,
            "{period:?}"
        );
    }
    let (_, o) = get(&sys, Reporting, "/api/v1/reports/overdue", &inspector(&sys)).await;
    let mut late: Vec<String> = o["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["urgency"] == "overdue")
        .map(|d| d["dossier_code"].as_str().unwrap().to_string())
        .collect();
    late.sort();
    assert_eq!(late, oracle::overdue_at(&hs, now));
    assert!(!late.is_empty());
    // Something of everything was exercised.
    let all = &seen[12]["total"];
    for cell in [
        "/received/carried_over",
        "/resolved/late",
        "/resolved/early",
        "/in_progress/overdue",
        "/refused",
        "/withdrawn",
    ] {
        assert!(
            seen.iter()
                .any(|r| r["total"].pointer(cell).and_then(Value::as_i64) > Some(0)),
            "{cell} never counted: {all}"
        );
    }
    // A rebuild from the facts: the same checksum, byte-identical reports.
    let csv_before = csv(&sys).await;
    let pool = motcua_db::connect(&sys.db.url, "reporting", 2)
        .await
        .unwrap();
    let rebuilt = motcua_reporting::rebuild(&pool).await.unwrap();
    assert_eq!(rebuilt.dossiers, 160);
    assert_eq!(rebuilt.before, rebuilt.after);
    let mut i = 0;
    for period in PERIODS {
        for group in ["field", "procedure", "agency", "level"] {
            let got = report(&sys, period, group, None).await;
            assert_eq!(got.to_string(), seen[i].to_string());
            i += 1;
        }
    }
    assert_eq!(csv(&sys).await, csv_before);
    // A drifted flow is found by the rebuild and put right.
    sqlx::query("UPDATE handling_flow_day SET resolved_late = resolved_late + 1 WHERE day = (SELECT min(day) FROM handling_flow_day)")
        .execute(&pool).await.unwrap();
    let repaired = motcua_reporting::rebuild(&pool).await.unwrap();
    assert_ne!(repaired.before, repaired.after);
    assert_eq!(repaired.after, rebuilt.after);
    pool.close().await;
    sys.stop().await.unwrap();
}

async fn csv(sys: &TestSystem) -> String {
    let r = sys
        .http
        .get(sys.url(
            Reporting,
            "/api/v1/reports/handling?from=2026-09-01&to=2026-12-31&group_by=procedure",
        ))
        .bearer_auth(inspector(sys))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    r.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_dossier_is_not_overdue_its_pause_is_counted_and_it_is_carried_over() {
    let sys = TestSystem::start(datetime!(2026-12-20 09:00 +07:00))
        .await
        .unwrap();
    let due = datetime!(2026-11-25 17:00 +07:00);
    let moved = datetime!(2026-11-30 17:00 +07:00);
    let change = |at: OffsetDateTime, ty: &'static str, to: &'static str, due| oracle::Change {
        at,
        event_type: ty,
        to_status: to,
        due_at: due,
    };
    let mut h = History {
        code: "W1".into(),
        agency: OS,
        procedure: ("1.001193", "G13-HT", "commune"),
        channel: "counter",
        received_at: datetime!(2026-11-23 09:00 +07:00),
        due_at: due,
        changes: vec![
            change(
                datetime!(2026-11-23 10:00 +07:00),
                "dossier.forwarded",
                "processing",
                due,
            ),
            change(
                datetime!(2026-11-24 10:00 +07:00),
                "dossier.supplement_requested",
                "supplement_requested",
                due,
            ),
        ],
    };
    deliver(&sys, std::slice::from_ref(&h)).await;
    // Past its appointment but waiting for the applicant: in progress, within time.
    let nov = (date!(2026 - 11 - 01), date!(2026 - 11 - 26));
    let r = report(&sys, nov, "field", None).await;
    assert_eq!(
        r["total"]["in_progress"],
        json!({"total": 1, "within_time": 1, "overdue": 0})
    );
    assert_eq!(r["total"]["waiting_supplement"], 1);
    // Back on Friday 10:00, three working days later; resolved late in December.
    let rest = vec![
        change(
            datetime!(2026-11-27 10:00 +07:00),
            "dossier.supplemented",
            "processing",
            moved,
        ),
        change(
            datetime!(2026-12-02 10:00 +07:00),
            "dossier.processed",
            "processed",
            moved,
        ),
    ];
    h.changes = rest;
    let later = h;
    let events: Vec<Event> = events_of(&later).into_iter().skip(1).collect();
    let mut c = EventReceiverClient::connect(sys.grpc(Reporting))
        .await
        .unwrap();
    for e in events {
        let req = DeliverEventRequest { event: Some(e) };
        c.deliver_event(authed(req, &service_token(&sys)))
            .await
            .unwrap();
    }
    let (_, facts) = get(
        &sys,
        Reporting,
        "/api/v1/reports/dossiers/W1",
        &inspector(&sys),
    )
    .await;
    assert_eq!(facts["paused_minutes"], 3 * 8 * 60, "{facts}");
    assert_eq!(
        (facts["due_initial"].as_str(), facts["due_at"].as_str()),
        (
            Some("2026-11-25T17:00:00+07:00"),
            Some("2026-11-30T17:00:00+07:00")
        )
    );
    assert_eq!(facts["history"].as_array().map(Vec::len), Some(4));
    // December: carried over from November, resolved late.
    let dec = (date!(2026 - 12 - 01), date!(2026 - 12 - 31));
    let r = report(&sys, dec, "field", None).await;
    assert_eq!(
        r["total"]["received"],
        json!({"total": 1, "carried_over": 1, "online": 0, "direct_postal": 0})
    );
    assert_eq!(
        r["total"]["resolved"],
        json!({"total": 1, "early": 0, "on_time": 0, "late": 1})
    );
    // At the end of 30 November it was back and past its moved appointment (17:00): overdue.
    let r = report(
        &sys,
        (date!(2026 - 11 - 01), date!(2026 - 11 - 30)),
        "field",
        None,
    )
    .await;
    assert_eq!(
        r["total"]["in_progress"],
        json!({"total": 1, "within_time": 0, "overdue": 1})
    );
    sys.stop().await.unwrap();
}
