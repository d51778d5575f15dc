//! The events reporting consumes (sự kiện từ intake và workflow): a received dossier becomes
//! its fact row, counted once on its local day; intake's later `dossier.*` changes move its
//! status; workflow's `case.completed` records when processing finished. Each is applied with
//! its inbox row in one transaction, so a redelivery (the same event id) changes nothing.

use crate::domain::facts::{self, Fact};
use crate::state::AppState;
use crate::store;
use motcua_problem::{Problem, codes};
use motcua_proto::common::v1::Event;

/// Applies one event; returns whether it was new (not a duplicate delivery). A payload that
/// does not fit its type is refused (`invalid_event`), and nothing is recorded.
pub(crate) async fn apply(s: &AppState, event: &Event) -> Result<bool, Problem> {
    let mut tx = s.pool.begin().await?;
    let first = motcua_outbox::inbox_claim(&mut tx, event).await?;
    if first {
        let fact = facts::read(&event.r#type, &event.payload_json).map_err(|e| {
            Problem::new(
                &codes::INVALID_EVENT,
                format!("payload of {}: {e}", event.r#type),
            )
        })?;
        match fact {
            Some(Fact::Received(ev)) => {
                let day = facts::received_day(ev.received_at);
                store::facts::record(&mut tx, &ev, day).await?;
            }
            Some(Fact::Resolved(ev)) => store::facts::resolved(&mut tx, &ev).await?,
            Some(Fact::Followed(ev)) => store::facts::follow(&mut tx, &ev).await?,
            None => {}
        }
    }
    tx.commit().await?;
    Ok(first)
}
