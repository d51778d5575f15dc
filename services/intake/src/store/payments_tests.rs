//! Store tests of payment orders against a real database: paid once by one transaction, and
//! expired once even when two replicas look at the same time.
use super::*;
use crate::domain::actions::Fee;
use time::macros::datetime;

const CODE: &str = "000.25.80.H80-261127-0001";
const OBLIGED: OffsetDateTime = datetime!(2026-11-27 09:30 +07:00);

async fn database() -> (motcua_testkit::TestDb, PgPool) {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let pool = motcua_db::connect(&db.url, "intake", 4).await.unwrap();
    motcua_db::migrate(&pool, &crate::MIGRATOR).await.unwrap();
    sqlx::query(
        "INSERT INTO dossier (code, procedure_code, procedure_version, receiving_agency, channel,
             status, status_code, applicant, applicant_id_last4, received_at, due_at, submitted_by,
             submitted_roles, time_limit, clock_policy, clock_paused_at, receipt)
         VALUES ($1, '1.001193', 1, '000.25.80.H80', 'counter', 'financial_obligation', 6, '{}',
             '1234', $2, $2, 'officer-1', '{one_stop_officer}', '{}', 'pause', $2, '{}')",
    )
    .bind(CODE)
    .bind(OBLIGED)
    .execute(&pool)
    .await
    .unwrap();
    (db, pool)
}

fn order(n: u128, expires_at: OffsetDateTime) -> PaymentOrder {
    PaymentOrder {
        id: Uuid::from_u128(n),
        dossier_code: CODE.into(),
        amount_vnd: 50_000,
        items: vec![Fee {
            name: "Lệ phí".into(),
            amount_vnd: 50_000,
        }],
        status: OrderStatus::Pending,
        obligation_at: OBLIGED,
        created_at: datetime!(2026-11-30 09:30 +07:00),
        expires_at,
        created_by: "officer-1".into(),
        gateway_transaction_id: None,
        paid_at: None,
    }
}

async fn stored(pool: &PgPool, orders: &[PaymentOrder]) {
    let mut tx = pool.begin().await.unwrap();
    for o in orders {
        insert(&mut tx, o).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn an_order_is_paid_once_and_a_transaction_pays_one_order_only() {
    let (db, pool) = database().await;
    let expires = datetime!(2026-11-30 09:45 +07:00);
    stored(&pool, &[order(1, expires), order(2, expires)]).await;
    let paid_at = datetime!(2026-11-30 09:32 +07:00);
    let mut tx = pool.begin().await.unwrap();
    assert!(
        mark_paid(&mut tx, Uuid::from_u128(1), "GW-1", paid_at)
            .await
            .unwrap()
    );
    assert!(
        !mark_paid(&mut tx, Uuid::from_u128(1), "GW-1", paid_at)
            .await
            .unwrap(),
        "a paid order is not paid again"
    );
    assert!(!mark_failed(&mut tx, Uuid::from_u128(1)).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    assert!(
        mark_paid(&mut tx, Uuid::from_u128(2), "GW-1", paid_at)
            .await
            .is_err(),
        "the transaction id is unique"
    );
    drop(tx);
    let mut conn = pool.acquire().await.unwrap();
    assert_eq!(
        paid_by(&mut conn, "GW-1").await.unwrap(),
        Some(Uuid::from_u128(1))
    );
    let orders = list(&pool, CODE).await.unwrap();
    let statuses: Vec<_> = orders.iter().map(|o| o.status).collect();
    assert_eq!(statuses, [OrderStatus::Paid, OrderStatus::Pending]);
    assert_eq!(orders[0].gateway_transaction_id.as_deref(), Some("GW-1"));
    drop(conn);
    pool.close().await;
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn each_due_order_expires_once_even_when_two_replicas_look_together() {
    let (db, pool) = database().await;
    let now = datetime!(2026-11-30 10:00 +07:00);
    stored(
        &pool,
        &[
            order(1, datetime!(2026-11-30 09:45 +07:00)),
            order(2, datetime!(2026-11-30 09:59 +07:00)),
            order(3, datetime!(2026-11-30 10:15 +07:00)),
        ],
    )
    .await;
    let mut first = pool.begin().await.unwrap();
    let mut second = pool.begin().await.unwrap();
    let taken = expire_due(&mut first, now, 100).await.unwrap();
    assert_eq!(taken.len(), 2, "the two orders past their time");
    assert!(taken.iter().all(|o| o.status == OrderStatus::Expired));
    assert!(
        expire_due(&mut second, now, 100).await.unwrap().is_empty(),
        "the other replica skips what the first holds"
    );
    first.commit().await.unwrap();
    second.commit().await.unwrap();
    let mut again = pool.begin().await.unwrap();
    assert!(expire_due(&mut again, now, 100).await.unwrap().is_empty());
    assert!(
        latest_pending(&mut again, CODE).await.unwrap().unwrap().id == Uuid::from_u128(3),
        "the order still in time stays payable"
    );
    drop(again);
    pool.close().await;
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn the_obligation_is_read_from_the_latest_notice() {
    let (db, pool) = database().await;
    for amount in [10_000, 50_000] {
        sqlx::query(
            "INSERT INTO dossier_document (dossier_code, kind, issued_at, issued_by, body)
             VALUES ($1, 'financial_obligation_notice', now(), 'officer-1', $2)",
        )
        .bind(CODE)
        .bind(serde_json::json!({"items": [{"name": "Lệ phí", "amount_vnd": amount}]}))
        .execute(&pool)
        .await
        .unwrap();
    }
    let mut conn = pool.acquire().await.unwrap();
    let items = obligation_items(&mut conn, CODE).await.unwrap().unwrap();
    assert_eq!(items[0].amount_vnd, 50_000);
    assert!(
        obligation_items(&mut conn, "000.25.80.H80-261127-0002")
            .await
            .unwrap()
            .is_none()
    );
    drop(conn);
    pool.close().await;
    db.drop_database().await.unwrap();
}
