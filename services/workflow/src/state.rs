//! Workflow's shared state (trạng thái dùng chung) and the steps every use case shares: the
//! clock, the calendars of the agencies concerned, loading a case with its steps, and writing
//! a decision in one transaction.

use crate::domain::case::{Case, Task};
use crate::domain::clock::Calendars;
use crate::domain::update::CaseUpdate;
use crate::store;
use motcua_calendar::WorkingDuration;
use motcua_catalogue_client::Catalogue;
use motcua_problem::{Problem, codes};
use motcua_proto::intake::v1::intake_service_client::IntakeServiceClient;
use motcua_server::{PeerChannel, Platform};
use sqlx::{PgPool, Postgres, Transaction};
use std::collections::HashMap;
use std::sync::Arc;
use time::{OffsetDateTime, Time};
use tokio::sync::Notify;
use uuid::Uuid;

/// The rules workflow is configured with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// Received after this local time: forwarded the next working day.
    pub(crate) forward_cutoff: Time,
    /// Near-due within this much working time of a deadline.
    pub(crate) near_due: WorkingDuration,
}

/// Shared state of workflow's handlers, gRPC face and workers.
/// One `Arc` over its [`Parts`] (a clone is a reference count).
pub(crate) type AppState = motcua_server::Shared<Parts>;

/// What the state holds.
pub(crate) struct Parts {
    pub(crate) pool: PgPool,
    pub(crate) platform: Platform,
    pub(crate) catalogue: Catalogue,
    pub(crate) intake: IntakeServiceClient<PeerChannel>,
    pub(crate) relay_wake: Arc<Notify>,
    /// Pokes the webhook dispatcher after a commit that may have recorded deliveries.
    pub(crate) webhook_wake: Arc<Notify>,
    /// Wakes the sector connector's streams after a commit that may have opened steps.
    pub(crate) tasks_wake: Arc<Notify>,
    pub(crate) rules: Rules,
    /// Agency heads' contacts for near-due and overdue notices.
    pub(crate) contacts: Arc<motcua_notify::Contacts>,
    /// Prints form 06, signed with the receiving one-stop's key when keys are configured.
    pub(crate) printer: motcua_server::printed::Printer,
}

/// `404 case_not_found`.
pub(crate) fn case_not_found(code: &str) -> Problem {
    Problem::new(
        &codes::CASE_NOT_FOUND,
        format!("no case for dossier {code}"),
    )
}

/// `404 task_not_found`.
pub(crate) fn task_not_found(id: Uuid) -> Problem {
    Problem::new(&codes::TASK_NOT_FOUND, format!("no task {id}"))
}

impl Parts {
    /// The service clock, truncated to what PostgreSQL stores (microseconds).
    pub(crate) fn now(&self) -> OffsetDateTime {
        let t = self.platform.clock.now();
        t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
            .unwrap_or(t)
    }

    /// The calendars of `agencies` (each with its own sessions) and the province's.
    pub(crate) async fn calendars(&self, agencies: &[&str]) -> Result<Calendars, Problem> {
        let province = self.catalogue.calendar("").await?;
        let mut by_agency = HashMap::new();
        for a in agencies {
            if !by_agency.contains_key(*a) {
                by_agency.insert(a.to_string(), self.catalogue.calendar(a).await?);
            }
        }
        Ok(Calendars::new(province, by_agency))
    }

    /// The calendars of a case's receiving agency and of every agency of its steps.
    pub(crate) async fn calendars_of(
        &self,
        case: &Case,
        tasks: &[Task],
    ) -> Result<Calendars, Problem> {
        let agencies: Vec<&str> = std::iter::once(case.receiving_agency.as_str())
            .chain(tasks.iter().map(|t| t.agency.as_str()))
            .collect();
        self.calendars(&agencies).await
    }

    /// A dossier's case and its steps, as they are now (unlocked).
    pub(crate) async fn load(&self, code: &str) -> Result<(Case, Vec<Task>), Problem> {
        let mut conn = self.pool.acquire().await?;
        let case = store::cases::by_dossier(&mut conn, code)
            .await?
            .ok_or_else(|| case_not_found(code))?;
        let tasks = store::tasks::of_case(&mut conn, case.id).await?;
        Ok((case, tasks))
    }

    /// The case of a step and its steps, as they are now (unlocked).
    pub(crate) async fn load_by_task(&self, id: Uuid) -> Result<(Case, Vec<Task>), Problem> {
        let mut conn = self.pool.acquire().await?;
        let case_id = store::tasks::case_of(&mut conn, id)
            .await?
            .ok_or_else(|| task_not_found(id))?;
        let case = store::cases::get(&mut conn, case_id)
            .await?
            .ok_or_else(|| task_not_found(id))?;
        let tasks = store::tasks::of_case(&mut conn, case.id).await?;
        Ok((case, tasks))
    }

    /// Opens a transaction holding the case's lock, with its steps as they are under it.
    pub(crate) async fn lock(
        &self,
        case_id: Uuid,
    ) -> Result<(Transaction<'static, Postgres>, Case, Vec<Task>), Problem> {
        let mut tx = self.pool.begin().await?;
        let case = store::cases::lock(&mut tx, case_id)
            .await?
            .ok_or_else(Problem::internal)?;
        let tasks = store::tasks::of_case(&mut tx, case.id).await?;
        Ok((tx, case, tasks))
    }

    /// Writes `u`, commits and wakes the relay and the webhook dispatcher.
    pub(crate) async fn write(
        &self,
        tx: Transaction<'static, Postgres>,
        u: &CaseUpdate,
    ) -> Result<(), Problem> {
        self.write_with(tx, u, &[]).await
    }

    /// [`write`](Self::write), with `also` recorded in the same audit append (what the caller's
    /// request did besides the change, e.g. a sector system's acknowledgement).
    pub(crate) async fn write_with(
        &self,
        mut tx: Transaction<'static, Postgres>,
        u: &CaseUpdate,
        also: &[motcua_audit::AuditEntry],
    ) -> Result<(), Problem> {
        let now = self.now();
        store::cases::write(&mut tx, u, now).await?;
        let mut entries = vec![crate::domain::audit::entry(u, now)];
        entries.extend_from_slice(also);
        // Last: the audit chain's head is held from here until the commit.
        motcua_audit::append(&mut tx, &entries).await?;
        tx.commit().await?;
        self.committed();
        Ok(())
    }

    /// After a commit that recorded events (and perhaps webhook deliveries): the outbox relay
    /// and the webhook dispatcher start at once instead of at their next poll.
    pub(crate) fn committed(&self) {
        self.relay_wake.notify_one();
        self.webhook_wake.notify_one();
        self.tasks_wake.notify_waiters();
    }
}
