//! The other services' questions to the catalogue, over gRPC with a deadline. Answers arrive as
//! domain types ([`view`]): agencies, procedure versions and the working-day calendar, which
//! the caller then uses locally (deadlines, pauses, lateness) without a call per computation.
//! Failures become problems the REST caller understands.

mod cache;
pub mod view;

use cache::TtlCache;
use motcua_calendar::WorkingCalendar;
use motcua_problem::{Problem, codes};
use motcua_proto::catalogue::v1 as pb;
use motcua_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use motcua_server::PeerChannel;
use std::sync::Arc;
use time::Date;

pub use view::{Agency, MethodLimit, Procedure, ProcedureCase, Step};

/// A catalogue client; cheap to clone (the caches are shared).
#[derive(Clone, Debug)]
pub struct Catalogue {
    client: CatalogueServiceClient<PeerChannel>,
    agencies: Arc<TtlCache<Agency>>,
    procedures: Arc<TtlCache<Procedure>>,
    calendars: Arc<TtlCache<Arc<WorkingCalendar>>>,
}

fn peer_problem(s: tonic::Status) -> Problem {
    let p = Problem::from_status(&s);
    if p.status.is_server_error() {
        tracing::warn!(code = ?s.code(), message = s.message(), "catalogue call failed");
        return Problem::new(
            &codes::CATALOGUE_UNAVAILABLE,
            "the procedure catalogue is not reachable; retry later",
        );
    }
    p
}

fn unreadable(e: view::Unreadable) -> Problem {
    tracing::error!(error = %e.0, "catalogue answer unreadable");
    Problem::internal()
}

impl Catalogue {
    /// Wraps a channel to the catalogue.
    pub fn new(channel: PeerChannel) -> Self {
        Self {
            client: CatalogueServiceClient::new(channel),
            agencies: Arc::new(TtlCache::new()),
            procedures: Arc::new(TtlCache::new()),
            calendars: Arc::new(TtlCache::new()),
        }
    }

    /// The agency valid today for `code` (a retired one resolves to its successor), or
    /// `None` when unknown. Cached for a minute.
    pub async fn agency(&self, code: &str) -> Result<Option<Agency>, Problem> {
        if let Some(hit) = self.agencies.get(code) {
            return Ok(Some(hit));
        }
        let found = self.ask_agency(code, "").await?;
        if let Some(a) = &found {
            self.agencies.put(code.to_string(), a.clone());
        }
        Ok(found)
    }

    /// The agency valid on `on` for `code`, following successors; not cached (succession
    /// checks need the answer of that date).
    pub async fn agency_on(&self, code: &str, on: Date) -> Result<Option<Agency>, Problem> {
        self.ask_agency(code, &on.to_string()).await
    }

    async fn ask_agency(&self, code: &str, at: &str) -> Result<Option<Agency>, Problem> {
        let req = pb::GetAgencyRequest {
            code: code.to_string(),
            at: at.to_string(),
        };
        match self.client.clone().get_agency(req).await {
            Ok(r) => Agency::try_from(r.into_inner())
                .map(Some)
                .map_err(unreadable),
            Err(s) if s.code() == tonic::Code::NotFound => Ok(None),
            Err(s) => Err(peer_problem(s)),
        }
    }

    /// The procedure version in force on `at`, or `None`. Cached for a minute.
    pub async fn procedure(&self, code: &str, at: Date) -> Result<Option<Procedure>, Problem> {
        let key = format!("{code}@{at}");
        if let Some(hit) = self.procedures.get(&key) {
            return Ok(Some(hit));
        }
        let req = pb::GetProcedureRequest {
            code: code.to_string(),
            at: at.to_string(),
        };
        match self.client.clone().get_procedure(req).await {
            Ok(r) => {
                let p = Procedure::try_from(r.into_inner()).map_err(unreadable)?;
                self.procedures.put(key, p.clone());
                Ok(Some(p))
            }
            Err(s) if s.code() == tonic::Code::NotFound => Ok(None),
            Err(s) => Err(peer_problem(s)),
        }
    }

    /// The working-day calendar in force, with `agency`'s own working sessions when it has
    /// them. Cached for a minute: a calendar corrected in the catalogue reaches every
    /// computation within two minutes (catalogue replicas reload within one).
    pub async fn calendar(&self, agency: &str) -> Result<Arc<WorkingCalendar>, Problem> {
        if let Some(hit) = self.calendars.get(agency) {
            return Ok(hit);
        }
        let req = pb::GetCalendarRequest {
            agency: agency.to_string(),
        };
        let json = self
            .client
            .clone()
            .get_calendar(req)
            .await
            .map_err(peer_problem)?
            .into_inner()
            .calendar_json;
        let cal = WorkingCalendar::from_json(&json)
            .map_err(|e| unreadable(view::Unreadable(format!("calendar: {e}"))))?;
        let cal = Arc::new(cal);
        self.calendars.put(agency.to_string(), cal.clone());
        Ok(cal)
    }

    /// Every listing of a one-stop unit that is stale today (not cached: a compliance report
    /// reads it as it is now).
    pub async fn stale_listings(&self) -> Result<Vec<pb::StaleListing>, Problem> {
        Ok(self
            .client
            .clone()
            .list_stale_listings(pb::ListStaleListingsRequest {})
            .await
            .map_err(peer_problem)?
            .into_inner()
            .items)
    }
}
