//! Stored answers are forgotten after the retention period, and a retry of a forgotten key is
//! refused (`409 idempotency_key_expired`) instead of being done a second time.

use axum::http::{HeaderMap, StatusCode};
use motcua_idempotency::{Answer, IdempotencyKey};

fn key(name: &str) -> IdempotencyKey {
    let mut headers = HeaderMap::new();
    headers.insert("idempotency-key", name.parse().unwrap());
    IdempotencyKey::from_request("officer-1", &headers, "/api/v1/dossiers", b"{}", true)
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn old_answers_are_forgotten_and_their_keys_refuse_a_second_run() {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let pool = motcua_db::connect(&db.url, "intake", 2).await.unwrap();
    sqlx::raw_sql(motcua_idempotency::TABLE_DDL)
        .execute(&pool)
        .await
        .unwrap();
    let answer = Answer::new(StatusCode::CREATED, serde_json::json!({"code": "X-0001"}));
    for name in ["old", "recent"] {
        let mut tx = pool.begin().await.unwrap();
        assert!(key(name).claim(&mut tx).await.unwrap().is_none());
        key(name).complete(&mut tx, &answer).await.unwrap();
        tx.commit().await.unwrap();
    }
    sqlx::query(
        "UPDATE idempotency_key SET created_at = now() - interval '4 days' WHERE key = 'old'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let before = time::OffsetDateTime::now_utc() - time::Duration::hours(72);
    let mut conn = pool.acquire().await.unwrap();
    assert_eq!(
        motcua_idempotency::purge(&mut conn, before, 1000)
            .await
            .unwrap(),
        Some(1)
    );
    // Run again: nothing left to forget.
    assert_eq!(
        motcua_idempotency::purge(&mut conn, before, 1000)
            .await
            .unwrap(),
        Some(0)
    );
    drop(conn);
    let refused = key("old").precheck(&pool).await.unwrap_err();
    assert_eq!(refused.code, "idempotency_key_expired");
    assert_eq!(refused.status.as_u16(), 409);
    let mut tx = pool.begin().await.unwrap();
    let refused = key("old").claim(&mut tx).await.unwrap_err();
    assert_eq!(refused.code, "idempotency_key_expired");
    drop(tx);
    let replayed = key("recent").precheck(&pool).await.unwrap().unwrap();
    assert_eq!(replayed.body["code"], "X-0001");
    // A schema without the table purges nothing and says so.
    let other = motcua_db::connect(&db.url, "catalogue", 1).await.unwrap();
    let mut conn = other.acquire().await.unwrap();
    assert_eq!(
        motcua_idempotency::purge(&mut conn, before, 1000)
            .await
            .unwrap(),
        None
    );
    drop(conn);
    other.close().await;
    pool.close().await;
    db.drop_database().await.unwrap();
}
