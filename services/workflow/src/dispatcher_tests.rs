//! The webhook deliveries against a real database and a real receiver on 127.0.0.1: recorded
//! in the change's transaction for the matching subscriptions only, delivered once each, in
//! order per dossier, through a receiver that refuses the first attempts, signed as Standard
//! Webhooks says (two signatures after a rotation); a delivery that spends its attempts is a
//! dead letter that stops holding back its dossier, shows in the health numbers, and is
//! replayed; a deleted subscription gets nothing more.

use super::Dispatcher;
use crate::domain::case::{Case, Task, TaskState};
use crate::domain::delivery;
use crate::domain::fixtures::{JUSTICE, POLICE, RECEIVED, case, specialist, task};
use crate::domain::progress;
use crate::domain::subscription::{NewSubscription, Secret};
use crate::domain::update::{CaseUpdate, TaskUpdate};
use crate::domain::webhook::EventType;
use crate::store;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use motcua_config::WebhookConfig;
use sqlx::PgPool;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

/// What the receiver was sent: id, timestamp, signature header, body.
type Received = (String, String, String, String);

/// A receiver that refuses the first `refuse_first` deliveries, and every one whose body
/// contains `refuse_body` while `refusing` holds.
#[derive(Clone, Default)]
struct Receiver {
    taken: Arc<Mutex<Vec<Received>>>,
    calls: Arc<AtomicUsize>,
    refuse_first: usize,
    refuse_body: Option<&'static str>,
    refusing: Arc<AtomicBool>,
}

async fn receive(State(r): State<Receiver>, h: HeaderMap, body: String) -> StatusCode {
    let n = r.calls.fetch_add(1, Ordering::SeqCst);
    let refused_body =
        r.refuse_body.is_some_and(|b| body.contains(b)) && r.refusing.load(Ordering::SeqCst);
    if n < r.refuse_first || refused_body {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let header = |k: &str| {
        h.get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    r.taken.lock().unwrap().push((
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
        body,
    ));
    StatusCode::NO_CONTENT
}

async fn serve(r: Receiver) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route("/hooks", axum::routing::post(receive))
        .with_state(r);
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/hooks")
}

async fn database() -> (motcua_testkit::TestDb, PgPool) {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let pool = motcua_db::connect(&db.url, "workflow", 4).await.unwrap();
    motcua_db::migrate(&pool, &crate::MIGRATOR).await.unwrap();
    (db, pool)
}

fn config(max_attempts: u32) -> WebhookConfig {
    WebhookConfig {
        retry_base: Duration::from_millis(10),
        retry_max: Duration::from_millis(40),
        max_attempts,
        timeout: Duration::from_secs(5),
        secret_overlap: Duration::from_secs(3600),
    }
}

/// Subscribes `url` for `agency`'s steps; returns the id and the secret.
async fn subscribe(pool: &PgPool, agency: &str, url: &str, key: u8) -> (Uuid, Secret) {
    let s = NewSubscription {
        id: Uuid::now_v7(),
        owner_sub: format!("sys@{agency}"),
        agency: Some(agency.into()),
        sector: None,
        url: url.into(),
        event_types: vec![EventType::TaskCreated, EventType::TaskCompleted],
        secret: Secret::of(&[key; 32]),
        created_at: RECEIVED,
    };
    let mut tx = pool.begin().await.unwrap();
    store::subscriptions::insert(&mut tx, &s).await.unwrap();
    tx.commit().await.unwrap();
    (s.id, s.secret)
}

/// Dossier `n`'s case with two steps at Justice (the first open, the second pending), stored.
async fn dossier(pool: &PgPool, n: u128) -> (Case, Vec<Task>) {
    let mut c = case(datetime!(2026-12-04 17:00 +7));
    c.id = Uuid::from_u128(n);
    c.dossier_code = format!("000.25.80.H80-261127-000{n}");
    let mut tasks = vec![
        task(1, 1, JUSTICE, 8, TaskState::Pending),
        task(2, 2, JUSTICE, 8, TaskState::Pending),
    ];
    for (i, t) in tasks.iter_mut().enumerate() {
        t.id = Uuid::from_u128(n * 1000 + i as u128);
        t.case_id = c.id;
        t.dossier_code = c.dossier_code.clone();
    }
    let mut tx = pool.begin().await.unwrap();
    let opening = store::cases::Opening {
        case: &c,
        procedure_version: 1,
        due_provisional: false,
        opened_by: Uuid::new_v4(),
        paper: false,
        trace_id: None,
    };
    store::cases::insert_all(&mut tx, &[opening]).await.unwrap();
    store::tasks::insert(&mut tx, &tasks).await.unwrap();
    tx.commit().await.unwrap();
    (c, tasks)
}

async fn write(pool: &PgPool, u: &CaseUpdate, now: OffsetDateTime) {
    let mut tx = pool.begin().await.unwrap();
    store::cases::write(&mut tx, u, now).await.unwrap();
    tx.commit().await.unwrap();
}

/// Opens the first step, then finishes it (the second opens): three events of the dossier.
async fn three_events(pool: &PgPool, c: &Case, tasks: &[Task]) {
    let mut u = CaseUpdate::new(
        c,
        tasks,
        motcua_audit::Actor::service("workflow"),
        "case.forwarded",
    );
    u.tasks.push(TaskUpdate::Open {
        id: tasks[0].id,
        at: RECEIVED,
        due_at: datetime!(2026-11-30 09:00 +7),
    });
    write(pool, &u, RECEIVED).await;
    let now_tasks = store::tasks::of_case(&mut pool.acquire().await.unwrap(), c.id)
        .await
        .unwrap();
    let at = datetime!(2026-11-27 10:00 +7);
    let who = specialist(JUSTICE);
    let cals = crate::domain::fixtures::cals();
    let u = progress::complete(
        c,
        &now_tasks,
        tasks[0].id,
        &who,
        serde_json::json!({}),
        at,
        &cals,
    )
    .unwrap();
    write(pool, &u, at).await;
}

async fn rounds_until(d: &Dispatcher, mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        d.round().await.unwrap();
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    panic!("not done in time");
}

fn types_of(taken: &[Received], code: &str) -> Vec<String> {
    taken
        .iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(&r.3).unwrap())
        .filter(|b| b["data"]["dossier_code"] == code)
        .map(|b| b["type"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_event_is_delivered_once_in_order_per_dossier_through_a_receiver_that_refuses_at_first()
 {
    let (db, pool) = database().await;
    let receiver = Receiver {
        refuse_first: 3,
        ..Receiver::default()
    };
    let url = serve(receiver.clone()).await;
    let (_, secret) = subscribe(&pool, JUSTICE, &url, 1).await;
    let (police_sub, _) = subscribe(&pool, POLICE, &url, 2).await;
    let (a, a_tasks) = dossier(&pool, 1).await;
    let (b, b_tasks) = dossier(&pool, 2).await;
    three_events(&pool, &a, &a_tasks).await;
    three_events(&pool, &b, &b_tasks).await;
    let recorded: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT subscription_id, event_type FROM webhook_delivery ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        recorded.len(),
        6,
        "three per dossier, to Justice's subscription only"
    );
    assert!(recorded.iter().all(|(s, _)| *s != police_sub));

    let d = Dispatcher::new(
        pool.clone(),
        &config(20),
        Arc::default(),
        Duration::from_secs(1),
    )
    .unwrap();
    // A claim leases the heads of both dossiers: another replica gets nothing meanwhile.
    let first = store::deliveries::claim(&pool, 10, d.lease())
        .await
        .unwrap();
    assert_eq!(first.len(), 2, "one head per dossier");
    assert!(
        store::deliveries::claim(&pool, 10, d.lease())
            .await
            .unwrap()
            .is_empty()
    );
    store::deliveries::release(&pool, &first.iter().map(|x| x.id).collect::<Vec<_>>())
        .await
        .unwrap();

    let taken = receiver.taken.clone();
    rounds_until(&d, || taken.lock().unwrap().len() >= 6).await;
    for _ in 0..5 {
        d.round().await.unwrap();
    }
    let taken = receiver.taken.lock().unwrap().clone();
    assert_eq!(taken.len(), 6, "each once");
    let mut ids: Vec<&str> = taken.iter().map(|r| r.0.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    for code in [&a.dossier_code, &b.dossier_code] {
        assert_eq!(
            types_of(&taken, code),
            ["task.created", "task.completed", "task.created"],
            "{code}"
        );
    }
    let wall = OffsetDateTime::now_utc().unix_timestamp();
    for (id, ts, sig, body) in &taken {
        let ts: i64 = ts.parse().unwrap();
        assert!((wall - ts).abs() < 60, "the real clock, not the service's");
        assert_eq!(
            Some(sig.clone()),
            delivery::sign(&secret.shown(), id, ts, body)
        );
    }
    let retried: i64 =
        sqlx::query_scalar("SELECT count(*) FROM webhook_delivery WHERE attempts > 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(retried >= 1, "the refused ones were retried");
    pool.close().await;
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_dead_letter_stops_holding_its_dossier_back_and_is_replayed_signed_with_both_secrets() {
    let (db, pool) = database().await;
    // Only the first step's creation says `"block":1`.
    let receiver = Receiver {
        refuse_body: Some("\"block\":1"),
        ..Receiver::default()
    };
    receiver.refusing.store(true, Ordering::SeqCst);
    let url = serve(receiver.clone()).await;
    let (sub, old) = subscribe(&pool, JUSTICE, &url, 3).await;
    let (a, a_tasks) = dossier(&pool, 3).await;
    three_events(&pool, &a, &a_tasks).await;
    let d = Dispatcher::new(
        pool.clone(),
        &config(2),
        Arc::default(),
        Duration::from_secs(1),
    )
    .unwrap();
    let taken = receiver.taken.clone();
    rounds_until(&d, || taken.lock().unwrap().len() >= 2).await;
    let dead = store::deliveries::dead_letters(&mut pool.acquire().await.unwrap(), None, 10)
        .await
        .unwrap();
    assert_eq!(
        dead.len(),
        1,
        "the first step's creation is dead; the later events went on"
    );
    assert_eq!(
        (dead[0].attempts, dead[0].last_error.as_deref()),
        (2, Some("HTTP 503"))
    );
    assert_eq!(
        types_of(&receiver.taken.lock().unwrap(), &a.dossier_code),
        ["task.completed", "task.created"]
    );
    let (dead_count, _) = store::deliveries::health(&pool).await.unwrap();
    assert!(dead_count >= 1);

    let new = rotate_and_replay(&pool, sub, dead[0].id).await;
    receiver.refusing.store(false, Ordering::SeqCst);
    let taken = receiver.taken.clone();
    rounds_until(&d, || taken.lock().unwrap().len() >= 3).await;
    let all = receiver.taken.lock().unwrap().clone();
    let replayed = all
        .iter()
        .find(|r| r.0 == dead[0].id.to_string())
        .expect("replayed with its id");
    let ts: i64 = replayed.1.parse().unwrap();
    let both =
        delivery::signature_header(&[new.stored(), old.stored()], &replayed.0, ts, &replayed.3);
    assert_eq!(
        Some(replayed.2.clone()),
        both,
        "new then old, space-separated"
    );
    let mut tx = pool.begin().await.unwrap();
    let again = store::deliveries::replay(&mut tx, dead[0].id)
        .await
        .unwrap();
    assert_eq!(
        again,
        Some(store::deliveries::Replay::NotDead(true)),
        "a second replay changes nothing"
    );
    assert_eq!(
        store::deliveries::replay(&mut tx, Uuid::now_v7())
            .await
            .unwrap(),
        None
    );
    tx.commit().await.unwrap();
    assert_eq!(store::deliveries::health(&pool).await.unwrap().0, 0);

    pool.close().await;
    db.drop_database().await.unwrap();
}

/// Rotates `sub`'s secret and replays dead delivery `id` in one transaction; the new secret.
async fn rotate_and_replay(pool: &PgPool, sub: Uuid, id: Uuid) -> Secret {
    let new = Secret::of(&[4; 32]);
    let mut tx = pool.begin().await.unwrap();
    let sub = store::subscriptions::lock(&mut tx, sub)
        .await
        .unwrap()
        .unwrap();
    store::subscriptions::rotate(&mut tx, sub.id, &new, Duration::from_secs(3600))
        .await
        .unwrap();
    let replay = store::deliveries::replay(&mut tx, id).await.unwrap();
    let before = Some(store::deliveries::Replay::Replayed(
        2,
        Some("HTTP 503".into()),
    ));
    assert_eq!(replay, before, "dead after 2 attempts, pending again");
    tx.commit().await.unwrap();
    new
}

#[tokio::test]
async fn a_deleted_subscription_gets_nothing_more_pending_deliveries_included() {
    let (db, pool) = database().await;
    let url = serve(Receiver::default()).await;
    let (sub, _) = subscribe(&pool, JUSTICE, &url, 5).await;
    let (a, a_tasks) = dossier(&pool, 5).await;
    three_events(&pool, &a, &a_tasks).await;
    let mut tx = pool.begin().await.unwrap();
    store::subscriptions::delete(&mut tx, sub, RECEIVED)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (b, b_tasks) = dossier(&pool, 6).await;
    three_events(&pool, &b, &b_tasks).await;
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_delivery")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 3, "the events before the deletion only");
    let lease = Duration::from_secs(30);
    let claimed = store::deliveries::claim(&pool, 10, lease).await.unwrap();
    assert!(claimed.is_empty(), "pending ones stop");
    pool.close().await;
    db.drop_database().await.unwrap();
}
