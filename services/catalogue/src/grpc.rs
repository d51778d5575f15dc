//! The catalogue's gRPC face for the other services (intake, workflow): procedure versions,
//! agencies, calendars and deadline arithmetic, with the conversions to and from the proto
//! messages. Reads are public, like the REST ones.

use crate::domain::listing;
use crate::domain::procedure::ProcedureVersion;
use crate::state::AppState;
use crate::store;
use motcua_calendar::{TimeLimit, WorkingDuration, format_time_of_day, parse_time_of_day};
use motcua_problem::{FieldError, Problem, codes};
use motcua_proto::catalogue::v1 as pb;
use motcua_proto::catalogue::v1::catalogue_service_server::{
    CatalogueService, CatalogueServiceServer,
};
use motcua_proto::timestamp;
use tonic::{Request, Response, Status};

/// The catalogue's gRPC service, behind the token check.
pub(crate) fn routes(state: AppState) -> tonic::service::Routes {
    let interceptor = state.platform.verifier.grpc_interceptor();
    tonic::service::Routes::new(CatalogueServiceServer::with_interceptor(
        Catalogue(state),
        interceptor,
    ))
}

struct Catalogue(AppState);

fn limit_to_proto(l: &TimeLimit) -> pb::TimeLimit {
    pb::TimeLimit {
        working_minutes: l.working.as_minutes(),
        same_day: l.same_day,
        cutoff: l.cutoff.map(format_time_of_day).unwrap_or_default(),
    }
}

/// 422 `invalid_argument` naming the member at fault.
fn invalid(field: &str, detail: String) -> Problem {
    Problem::new(&codes::INVALID_ARGUMENT, detail).with_errors(vec![FieldError::new(
        field,
        &codes::INVALID_VALUE,
        "invalid value",
    )])
}

/// A working time in minutes below zero.
fn negative_minutes(field: &str) -> Problem {
    invalid(field, format!("{field} must not be negative"))
}

fn limit_from_proto(l: &pb::TimeLimit) -> Result<TimeLimit, Status> {
    if l.working_minutes < 0 {
        return Err(negative_minutes("limit.working_minutes").into());
    }
    let cutoff = if l.cutoff.is_empty() {
        None
    } else {
        Some(
            parse_time_of_day(&l.cutoff)
                .map_err(|e| invalid("limit.cutoff", format!("cutoff: {e}")))?,
        )
    };
    Ok(TimeLimit {
        working: WorkingDuration::minutes(l.working_minutes),
        same_day: l.same_day,
        cutoff,
    })
}

fn to_proto(v: &ProcedureVersion) -> Result<pb::Procedure, Problem> {
    let limit = v.limit()?;
    let entry: motcua_catalogue_model::ProcedureEntry = serde_json::from_value(v.body.clone()).map_err(|e| {
        tracing::error!(code = %v.code, version = v.version, error = %e, "stored procedure version unreadable");
        Problem::internal()
    })?;
    let steps = v
        .body
        .get("steps")
        .and_then(|c| c.as_array())
        .map(|a| a.iter().map(step_to_proto).collect::<Result<Vec<_>, _>>())
        .transpose()?
        .unwrap_or_default();
    let methods = entry
        .resolved_methods()
        .into_iter()
        .map(|m| pb::MethodTimeLimit {
            method: m.method.as_str().to_string(),
            time_limit: Some(limit_to_proto(&m.time_limit)),
        })
        .collect();
    let cases = entry
        .cases
        .iter()
        .map(|c| pb::ProcedureCase {
            code: c.code.clone(),
            name: c.name.clone(),
            components: entry
                .components_for(Some(&c.code))
                .unwrap_or(&entry.components)
                .iter()
                .map(component_to_proto)
                .collect(),
            time_limit: c.time_limit.as_ref().map(limit_to_proto),
            methods: motcua_catalogue_model::Method::ALL
                .iter()
                .filter_map(|m| {
                    entry
                        .time_limit_for(*m, Some(&c.code))
                        .map(|l| pb::MethodTimeLimit {
                            method: m.as_str().to_string(),
                            time_limit: Some(limit_to_proto(&l)),
                        })
                })
                .collect(),
        })
        .collect();
    let policy = entry.supplement_clock_policy.as_str().to_string();
    Ok(pb::Procedure {
        code: v.code.clone(),
        name: v.name.clone(),
        field: v.field.clone(),
        level: v.level.clone(),
        online_level: v.online_level.clone(),
        version: v.version as u32,
        effective_from: v.effective_from.to_string(),
        time_limit: Some(limit_to_proto(&limit)),
        components: entry.components.iter().map(component_to_proto).collect(),
        steps,
        supplement_clock_policy: policy,
        methods,
        cases,
    })
}

fn component_to_proto(c: &motcua_catalogue_model::ComponentEntry) -> pb::Component {
    pb::Component {
        code: c.code.clone(),
        name: c.name.clone(),
        originals: c.originals,
        copies: c.copies,
        required: c.required,
        condition: c.condition.clone().unwrap_or_default(),
        from_national_database: c.from_national_database,
    }
}

/// A template step as stored (`working_hours` or `working_days`, halves allowed).
fn step_to_proto(st: &serde_json::Value) -> Result<pb::Step, Problem> {
    let s = |k: &str| {
        st.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let budget = match (
        st.get("working_hours").and_then(|x| x.as_f64()),
        st.get("working_days").and_then(|x| x.as_f64()),
    ) {
        (Some(h), _) => WorkingDuration::from_hours_f64(h),
        (None, Some(d)) => WorkingDuration::days(d),
        (None, None) => Ok(WorkingDuration::ZERO),
    }
    .map_err(|e| {
        tracing::error!(error = %e, "stored step budget unreadable");
        Problem::internal()
    })?;
    Ok(pb::Step {
        name: s("name"),
        agency: s("agency"),
        sector: s("sector"),
        working_minutes: budget.as_minutes(),
        parallel_group: s("parallel_group"),
        pauses_main_clock: st
            .get("pauses_main_clock")
            .and_then(|x| x.as_bool())
            .unwrap_or(false),
    })
}

fn instant(
    t: &Option<prost_types::Timestamp>,
    field: &str,
) -> Result<time::OffsetDateTime, Status> {
    t.as_ref()
        .and_then(timestamp::from_proto)
        .ok_or_else(|| Problem::required(field).into())
}

#[tonic::async_trait]
impl CatalogueService for Catalogue {
    async fn get_procedure(
        &self,
        req: Request<pb::GetProcedureRequest>,
    ) -> Result<Response<pb::Procedure>, Status> {
        let r = req.into_inner();
        let at = self
            .0
            .date_asked((!r.at.is_empty()).then_some(r.at.as_str()))?;
        let v = self.0.version_at(&r.code, at).await?;
        Ok(Response::new(to_proto(&v)?))
    }

    async fn get_agency(
        &self,
        req: Request<pb::GetAgencyRequest>,
    ) -> Result<Response<pb::Agency>, Status> {
        let req = req.into_inner();
        let at = self
            .0
            .date_asked((!req.at.is_empty()).then_some(req.at.as_str()))?;
        let r = self.0.agency_on(&req.code, at).await?;
        let a = r.agency;
        Ok(Response::new(pb::Agency {
            code: a.code,
            name: a.name,
            kind: a.kind.as_str().to_string(),
            level: a.level.as_str().to_string(),
            sector: a.sector.unwrap_or_default(),
            resolved_from: r.resolved_from.unwrap_or_default(),
            code_04_2025: a.code_04_2025.unwrap_or_default(),
            succeeded_on: r.succeeded_on.unwrap_or_default(),
        }))
    }

    async fn get_calendar(
        &self,
        req: Request<pb::GetCalendarRequest>,
    ) -> Result<Response<pb::CalendarResponse>, Status> {
        let r = req.into_inner();
        let agency = (!r.agency.is_empty()).then_some(r.agency.as_str());
        let cal = self.0.calendar.for_agency(&self.0.pool, agency).await?;
        Ok(Response::new(pb::CalendarResponse {
            calendar_json: cal.to_json().to_string(),
        }))
    }

    async fn list_stale_listings(
        &self,
        _req: Request<pb::ListStaleListingsRequest>,
    ) -> Result<Response<pb::ListStaleListingsResponse>, Status> {
        // Services, inspectors and admins only: the gate's (`motcua_auth::matrix`).
        let s = &self.0;
        let versions = store::procedures::entries(&s.pool)
            .await
            .map_err(Problem::from)?;
        let agencies = store::agencies::all(&s.pool).await.map_err(Problem::from)?;
        let listings = store::listings::all(&s.pool).await.map_err(Problem::from)?;
        let units = listing::stale_units(&agencies, &listings, &versions, s.today());
        let items = units
            .iter()
            .flat_map(|u| {
                u.stale.iter().map(move |x| pb::StaleListing {
                    one_stop: u.one_stop.clone(),
                    name: u.name.clone(),
                    procedure_code: x.procedure_code.clone(),
                    kind: x.reason.kind().to_string(),
                })
            })
            .collect();
        Ok(Response::new(pb::ListStaleListingsResponse { items }))
    }

    async fn compute_deadline(
        &self,
        req: Request<pb::ComputeDeadlineRequest>,
    ) -> Result<Response<pb::ComputeDeadlineResponse>, Status> {
        let r = req.into_inner();
        let start = r
            .start
            .as_ref()
            .and_then(timestamp::from_proto)
            .ok_or_else(|| Problem::required("start"))?;
        let limit = limit_from_proto(&r.limit.unwrap_or_default())?;
        let agency = (!r.agency.is_empty()).then_some(r.agency.as_str());
        let cal = self.0.calendar.for_agency(&self.0.pool, agency).await?;
        let d = cal.deadline(start, &limit);
        Ok(Response::new(pb::ComputeDeadlineResponse {
            deadline: Some(timestamp::to_proto(d.at)),
            provisional: d.provisional,
        }))
    }

    async fn validate_components(
        &self,
        req: Request<pb::ValidateComponentsRequest>,
    ) -> Result<Response<pb::ValidateComponentsResponse>, Status> {
        let r = req.into_inner();
        let at = self
            .0
            .date_asked((!r.at.is_empty()).then_some(r.at.as_str()))?;
        let v = self.0.version_at(&r.code, at).await?;
        let published: Vec<motcua_catalogue_model::PublishedComponent> = to_proto(&v)?
            .components
            .into_iter()
            .map(|c| motcua_catalogue_model::PublishedComponent {
                code: c.code,
                name: c.name,
                required: c.required,
                originals: c.originals,
                copies: c.copies,
                from_national_database: c.from_national_database,
            })
            .collect();
        let codes: Vec<&str> = r.components.iter().map(|c| c.code.as_str()).collect();
        let handed_in: Vec<motcua_catalogue_model::HandedIn<'_>> = r
            .components
            .iter()
            .map(|c| motcua_catalogue_model::HandedIn {
                code: &c.code,
                originals: c.originals,
                copies: c.copies,
            })
            .collect();
        let mut issues = motcua_catalogue_model::check_components(&codes, &published);
        issues.extend(motcua_catalogue_model::check_counts(&handed_in, &published));
        Ok(Response::new(pb::ValidateComponentsResponse {
            version: v.version as u32,
            errors: issues
                .into_iter()
                .map(|i| pb::ComponentError {
                    field: i.field,
                    code: i.code,
                    message: i.message,
                    component_code: i.component_code,
                })
                .collect(),
        }))
    }

    async fn working_elapsed(
        &self,
        req: Request<pb::WorkingElapsedRequest>,
    ) -> Result<Response<pb::WorkingElapsedResponse>, Status> {
        let r = req.into_inner();
        let (from, to) = (instant(&r.from, "from")?, instant(&r.to, "to")?);
        let agency = (!r.agency.is_empty()).then_some(r.agency.as_str());
        let cal = self.0.calendar.for_agency(&self.0.pool, agency).await?;
        let e = cal.elapsed(from, to);
        Ok(Response::new(pb::WorkingElapsedResponse {
            working_minutes: e.duration.as_minutes(),
            provisional: e.provisional,
        }))
    }

    async fn add_working_time(
        &self,
        req: Request<pb::AddWorkingTimeRequest>,
    ) -> Result<Response<pb::ComputeDeadlineResponse>, Status> {
        let r = req.into_inner();
        let start = instant(&r.start, "start")?;
        if r.working_minutes < 0 {
            return Err(negative_minutes("working_minutes").into());
        }
        let agency = (!r.agency.is_empty()).then_some(r.agency.as_str());
        let cal = self.0.calendar.for_agency(&self.0.pool, agency).await?;
        let d = cal.add(start, WorkingDuration::minutes(r.working_minutes));
        Ok(Response::new(pb::ComputeDeadlineResponse {
            deadline: Some(timestamp::to_proto(d.at)),
            provisional: d.provisional,
        }))
    }

    async fn list_procedures(
        &self,
        req: Request<pb::ListProceduresRequest>,
    ) -> Result<Response<pb::ListProceduresResponse>, Status> {
        let r = req.into_inner();
        let limit = if r.limit == 0 { 50 } else { r.limit.min(500) } as i64;
        let hits = store::procedures::search_in_force(
            &self.0.pool,
            self.0.today(),
            &r.query,
            None,
            None,
            None,
            limit,
        )
        .await
        .map_err(Problem::from)?;
        let mut out = Vec::with_capacity(hits.len());
        for h in hits {
            let v = self.0.version_at(&h.code, self.0.today()).await?;
            out.push(to_proto(&v)?);
        }
        Ok(Response::new(pb::ListProceduresResponse {
            procedures: out,
        }))
    }
}
