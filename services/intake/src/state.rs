//! Intake's shared state (trạng thái dùng chung) and the steps every use case shares: the
//! clock, the questions to workflow and the catalogue about a dossier, opening the transaction
//! that locks it, and writing a decision or recording a refusal.

use crate::domain::access::CaseAgencies;
use crate::domain::change::{DossierUpdate, Refusal};
use crate::domain::dossier::Dossier;
use crate::domain::dossier_code::CodeFormat;
use crate::domain::supplement::SupplementRules;
use crate::limiter::RateLimiter;
use crate::store;
use motcua_auth::Caller;
use motcua_catalogue_client::Catalogue;
use motcua_catalogue_model::PublishedComponent;
use motcua_idempotency::{Answer, IdempotencyKey};
use motcua_problem::{ApiResult, Problem, codes};
use motcua_proto::audit::v1::audit_trail_client::AuditTrailClient;
use motcua_proto::workflow::v1::workflow_service_client::WorkflowServiceClient;
use motcua_server::{PeerChannel, Platform};
use sqlx::{PgPool, Postgres, Transaction};
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::sync::Notify;

/// Shared state of intake's handlers, gRPC face and workers.
/// One `Arc` over its [`Parts`] (a clone is a reference count).
pub(crate) type AppState = motcua_server::Shared<Parts>;

/// What the state holds.
pub(crate) struct Parts {
    pub(crate) pool: PgPool,
    pub(crate) platform: Platform,
    pub(crate) catalogue: Catalogue,
    pub(crate) workflow: WorkflowServiceClient<PeerChannel>,
    /// The other services' audit trails (catalogue, workflow, reporting), for the history export.
    pub(crate) audit_peers: Vec<(&'static str, AuditTrailClient<PeerChannel>)>,
    pub(crate) relay_wake: Arc<Notify>,
    pub(crate) code_format: CodeFormat,
    pub(crate) lookup_limiter: RateLimiter,
    pub(crate) supplement_rules: SupplementRules,
    pub(crate) outreach: store::outreach::Outreach,
    /// The agencies' dossier writers (group commit).
    pub(crate) receiving: crate::receiving::Receiving,
    /// Prints the forms, signed with the issuing agency's key when keys are configured.
    pub(crate) printer: motcua_server::printed::Printer,
    /// Online payment: the gateway (when configured) and the orders' lifetime.
    pub(crate) payments: crate::domain::payment::Payments,
}

/// A change in progress: the transaction holding the dossier's lock, or the answer of an
/// earlier use of the idempotency key.
pub(crate) enum Begun {
    /// The same request was answered before: its stored answer.
    Replayed(Answer),
    /// The transaction and the locked dossier.
    Locked(Transaction<'static, Postgres>, Box<Dossier>),
}

/// `404 dossier_not_found`.
pub(crate) fn not_found(code: &str) -> Problem {
    Problem::new(&codes::DOSSIER_NOT_FOUND, format!("no dossier {code}"))
}

impl Parts {
    /// The dossier `code` when the caller may read it; else the answer of an unknown code,
    /// the same for both (no oracle on dossier codes).
    pub(crate) async fn readable(&self, caller: &Caller, code: &str) -> Result<Dossier, Problem> {
        let d = crate::store::dossiers::get(&self.pool, code)
            .await?
            .ok_or_else(|| not_found(code))?;
        if !crate::domain::access::may_read(caller, &d, &self.case_agencies(code).await) {
            return Err(not_found(code));
        }
        Ok(d)
    }

    /// `problem`, unless it refuses the caller an action on a dossier the caller may not even
    /// read: then the answer of an unknown code (no oracle on dossier codes). `case`: the
    /// agencies already asked for, if they were.
    pub(crate) async fn unseen_or(
        &self,
        caller: &Caller,
        d: &Dossier,
        case: Option<&CaseAgencies>,
        problem: Problem,
    ) -> Problem {
        if problem.code != codes::DOSSIER_ACTION_NOT_ALLOWED.code {
            return problem;
        }
        let asked;
        let case = match case {
            Some(c) => c,
            None => {
                asked = self.case_agencies(&d.code).await;
                &asked
            }
        };
        match crate::domain::access::may_read(caller, d, case) {
            true => problem,
            false => not_found(&d.code),
        }
    }

    /// The service clock, truncated to what PostgreSQL stores (microseconds), so that every
    /// answer shows exactly what was stored.
    pub(crate) fn now(&self) -> OffsetDateTime {
        let t = self.platform.clock.now();
        t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
            .unwrap_or(t)
    }

    /// The agencies workflow knows on the dossier's path; empty when there is no case (yet)
    /// or workflow cannot be asked (then only the one-stop and inspectors act).
    pub(crate) async fn case_agencies(&self, code: &str) -> CaseAgencies {
        let req = motcua_proto::workflow::v1::GetCaseRequest {
            dossier_code: code.to_string(),
        };
        match self.workflow.clone().get_case(req).await {
            Ok(c) => {
                let c = c.into_inner();
                CaseAgencies {
                    current: c.current_agencies,
                    path: c.path_agencies,
                }
            }
            Err(e) => {
                if e.code() != tonic::Code::NotFound {
                    tracing::warn!(dossier = code, error = %e, "workflow not reachable for the case's agencies");
                }
                CaseAgencies::default()
            }
        }
    }

    /// The components the dossier's procedure version (and its case) publishes.
    pub(crate) async fn published_components(
        &self,
        d: &Dossier,
    ) -> Result<Vec<PublishedComponent>, Problem> {
        let p = self
            .catalogue
            .procedure(&d.procedure_code, d.received_on())
            .await?
            .ok_or_else(|| {
                Problem::new(
                    &codes::PROCEDURE_UNAVAILABLE,
                    "the dossier's procedure version is no longer served",
                )
            })?;
        let case = d.case_code.as_deref().and_then(|c| p.case(c));
        Ok(p.components_for(case).to_vec())
    }

    /// Opens the transaction, claims the idempotency key and locks the dossier.
    pub(crate) async fn begin(
        &self,
        idem: Option<&IdempotencyKey>,
        code: &str,
    ) -> Result<Begun, Problem> {
        let mut tx = self.pool.begin().await?;
        if let Some(k) = idem
            && let Some(r) = k.claim(&mut tx).await?
        {
            return Ok(Begun::Replayed(r));
        }
        let d = store::dossiers::lock(&mut tx, code)
            .await?
            .ok_or_else(|| not_found(code))?;
        Ok(Begun::Locked(tx, Box::new(d)))
    }

    /// Records the refusal's compliance event, if any (in its own transaction: the refused
    /// action wrote nothing), and returns the problem to answer.
    pub(crate) async fn refused(
        &self,
        caller: &Caller,
        dossier: Option<&str>,
        r: Refusal,
    ) -> Problem {
        if let Some(c) = &r.compliance {
            tracing::warn!(actor = %caller.sub, agency = ?caller.agency, kind = c.kind.as_str(), "rule violation refused");
            let recorded = async {
                let mut tx = self.pool.begin().await?;
                let at = self.now();
                let agency = caller.agency.as_deref();
                let by = motcua_audit::Actor::of(caller);
                store::compliance::record(&mut tx, at, &by, agency, dossier, c).await?;
                tx.commit().await
            };
            if let Err(e) = recorded.await {
                tracing::error!(error = %e, "could not record compliance event");
            }
        }
        r.problem
    }

    /// Writes a decision intake or a service takes on its own (a worker's expiry, the payment
    /// gateway's confirmation: no caller, no idempotency key) in `tx`, after what the use case
    /// wrote there itself, commits and wakes the relay. `false`: the store refused it (a
    /// supplement request that exists), nothing committed.
    pub(crate) async fn commit_by_service(
        &self,
        mut tx: Transaction<'static, Postgres>,
        update: &DossierUpdate,
    ) -> Result<bool, Problem> {
        if !store::dossiers::apply(&mut tx, update, None, &self.outreach).await? {
            return Ok(false);
        }
        tx.commit().await?;
        self.relay_wake.notify_one();
        Ok(true)
    }

    /// Writes the decision in `tx`, stores the idempotent answer, commits, wakes the relay
    /// and answers `200` with the change.
    pub(crate) async fn commit(
        &self,
        mut tx: Transaction<'static, Postgres>,
        idem: Option<&IdempotencyKey>,
        caller: &Caller,
        update: &DossierUpdate,
        on_conflict: impl FnOnce() -> Refusal,
    ) -> ApiResult<Answer> {
        if !store::dossiers::apply(&mut tx, update, caller.agency.as_deref(), &self.outreach)
            .await?
        {
            drop(tx);
            return Err(self
                .refused(caller, Some(&update.change.code), on_conflict())
                .await);
        }
        let answer = Answer::new(axum::http::StatusCode::OK, update.change.answer());
        if let Some(k) = idem {
            k.complete(&mut tx, &answer).await?;
        }
        tx.commit().await?;
        self.relay_wake.notify_one();
        Ok(answer)
    }
}
