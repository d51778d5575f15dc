//! The other services' questions to the catalogue, over gRPC with a deadline; answers become problems
//! the REST caller understands.

use motcua_problem::{Problem, codes};
use motcua_proto::catalogue::v1 as pb;
use motcua_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use motcua_server::PeerChannel;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// How long answers about agencies and procedure versions are reused. Published versions are
/// immutable; what may change within this window is which version is in force today (a version
/// published to take effect today) or an agency's record, and a minute of delay is acceptable.
const CACHE_TTL: Duration = Duration::from_secs(60);
const CACHE_MAX: usize = 10_000;

/// A small time-bounded cache of positive answers.
#[derive(Debug)]
struct TtlCache<V> {
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V: Clone> TtlCache<V> {
    fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key: &str) -> Option<V> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(at, _)| at.elapsed() < CACHE_TTL)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, key: String, value: V) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CACHE_MAX {
            map.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            if map.len() >= CACHE_MAX {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), value));
    }
}

/// A catalogue client.
#[derive(Clone, Debug)]
pub struct Catalogue {
    client: CatalogueServiceClient<PeerChannel>,
    agencies: Arc<TtlCache<pb::Agency>>,
    procedures: Arc<TtlCache<pb::Procedure>>,
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

impl Catalogue {
    /// Wraps a channel to the catalogue.
    pub fn new(channel: PeerChannel) -> Self {
        Self {
            client: CatalogueServiceClient::new(channel),
            agencies: Arc::new(TtlCache::new()),
            procedures: Arc::new(TtlCache::new()),
        }
    }

    /// The agency, or `None` when unknown.
    pub async fn agency(&self, code: &str) -> Result<Option<pb::Agency>, Problem> {
        if let Some(hit) = self.agencies.get(code) {
            return Ok(Some(hit));
        }
        let req = pb::GetAgencyRequest {
            code: code.to_string(),
        };
        match self.client.clone().get_agency(req).await {
            Ok(r) => {
                let a = r.into_inner();
                self.agencies.put(code.to_string(), a.clone());
                Ok(Some(a))
            }
            Err(s) if s.code() == tonic::Code::NotFound => Ok(None),
            Err(s) => Err(peer_problem(s)),
        }
    }

    /// The procedure version in force on `at` (YYYY-MM-DD), or `None`.
    pub async fn procedure(&self, code: &str, at: &str) -> Result<Option<pb::Procedure>, Problem> {
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
                let p = r.into_inner();
                self.procedures.put(key, p.clone());
                Ok(Some(p))
            }
            Err(s) if s.code() == tonic::Code::NotFound => Ok(None),
            Err(s) => Err(peer_problem(s)),
        }
    }

    /// The deadline of `limit` counted from `start` on `agency`'s working calendar.
    pub async fn deadline(
        &self,
        start: OffsetDateTime,
        limit: pb::TimeLimit,
        agency: &str,
    ) -> Result<(OffsetDateTime, bool), Problem> {
        let req = pb::ComputeDeadlineRequest {
            start: Some(motcua_proto::timestamp::to_proto(start)),
            limit: Some(limit),
            agency: agency.to_string(),
        };
        let r = self
            .client
            .clone()
            .compute_deadline(req)
            .await
            .map_err(peer_problem)?
            .into_inner();
        let at = r
            .deadline
            .as_ref()
            .and_then(motcua_proto::timestamp::from_proto)
            .ok_or_else(|| {
                tracing::error!("catalogue answered a deadline without a time");
                Problem::internal()
            })?;
        Ok((at, r.provisional))
    }

    /// `start` plus working minutes on `agency`'s calendar (no cut-off rules).
    pub async fn add_working_time(
        &self,
        start: OffsetDateTime,
        working_minutes: i64,
        agency: &str,
    ) -> Result<(OffsetDateTime, bool), Problem> {
        let req = pb::AddWorkingTimeRequest {
            start: Some(motcua_proto::timestamp::to_proto(start)),
            working_minutes,
            agency: agency.to_string(),
        };
        let r = self
            .client
            .clone()
            .add_working_time(req)
            .await
            .map_err(peer_problem)?
            .into_inner();
        let at = r
            .deadline
            .as_ref()
            .and_then(motcua_proto::timestamp::from_proto)
            .ok_or_else(|| {
                tracing::error!("catalogue answered without a time");
                Problem::internal()
            })?;
        Ok((at, r.provisional))
    }

    /// Working minutes between two instants on `agency`'s calendar.
    pub async fn working_elapsed(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        agency: &str,
    ) -> Result<i64, Problem> {
        let req = pb::WorkingElapsedRequest {
            from: Some(motcua_proto::timestamp::to_proto(from)),
            to: Some(motcua_proto::timestamp::to_proto(to)),
            agency: agency.to_string(),
        };
        Ok(self
            .client
            .clone()
            .working_elapsed(req)
            .await
            .map_err(peer_problem)?
            .into_inner()
            .working_minutes)
    }
}

impl Catalogue {
    /// The kind of an agency (`one_stop`, `agency`, `sector_system`), or `None` when unknown.
    pub async fn agency_kind(&self, code: &str) -> Result<Option<String>, Problem> {
        Ok(self.agency(code).await?.map(|a| a.kind))
    }
}
