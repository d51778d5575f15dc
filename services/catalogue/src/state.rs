//! The catalogue's shared state (trạng thái dùng chung): the pool, the platform and the
//! working-day calendar held in memory, and the steps every resource and the gRPC face share —
//! today's date, the date a question is asked for, the procedure version and the agency in
//! force on it.
//!
//! A deadline is computed once and stored by its owner (intake, workflow). Loading a corrected
//! calendar changes future computations only: stored deadlines are not recomputed (see
//! `docs/operations.md`, "a mid-year calendar change").

use crate::domain::agency::{self, ResolvedAgency};
use crate::domain::dates::parse_date;
use crate::domain::procedure::ProcedureVersion;
use crate::domain::sessions::{SessionsError, sessions_of};
use crate::store;
use motcua_calendar::{PROVINCE_OFFSET, Session, WorkingCalendar};
use motcua_problem::{Problem, codes};
use motcua_server::Platform;
use sqlx::PgPool;
use std::sync::{Arc, RwLock};
use time::Date;

/// Shared state of the catalogue's handlers, gRPC face and workers.
/// One `Arc` over its [`Parts`] (a clone is a reference count).
pub(crate) type AppState = motcua_server::Shared<Parts>;

/// What the state holds.
pub(crate) struct Parts {
    /// The catalogue's schema.
    pub(crate) pool: PgPool,
    /// The working-day calendar in force, in memory.
    pub(crate) calendar: CalendarStore,
    /// Settings, the token verifier, the clock and shutdown.
    pub(crate) platform: Platform,
}

impl Parts {
    /// Today's date in the province.
    pub(crate) fn today(&self) -> Date {
        self.platform.clock.now().to_offset(PROVINCE_OFFSET).date()
    }

    /// The date a question is asked for: `at` (YYYY-MM-DD) when given, else today.
    pub(crate) fn date_asked(&self, at: Option<&str>) -> Result<Date, Problem> {
        match at {
            Some(raw) => parse_date("at", raw),
            None => Ok(self.today()),
        }
    }

    /// The version of `code` in force on `at`; `404` when there is none.
    pub(crate) async fn version_at(
        &self,
        code: &str,
        at: Date,
    ) -> Result<ProcedureVersion, Problem> {
        store::procedures::version_at(&self.pool, code, at)
            .await?
            .ok_or_else(|| {
                Problem::new(
                    &codes::PROCEDURE_NOT_FOUND,
                    format!("no version of procedure {code} is in force on {at}"),
                )
            })
    }

    /// The agency valid on `at` for `code`, following successors of retired ones.
    pub(crate) async fn agency_on(&self, code: &str, at: Date) -> Result<ResolvedAgency, Problem> {
        let agencies = store::agencies::all(&self.pool).await?;
        agency::resolve(&agencies, code, at)
    }
}

/// The calendar in memory, shared by all handlers; replaced whole on change.
#[derive(Clone)]
pub struct CalendarStore {
    current: Arc<RwLock<Arc<WorkingCalendar>>>,
    /// The province's sessions, when configured (`MOTCUA_WORKING_SESSIONS`).
    province_sessions: Option<Vec<Session>>,
}

impl CalendarStore {
    fn base(&self) -> anyhow::Result<WorkingCalendar> {
        let cal = WorkingCalendar::vietnam_default();
        Ok(match &self.province_sessions {
            Some(s) => cal.with_sessions(s.clone())?,
            None => cal,
        })
    }

    /// Loads stored years over the built-in 2025–2026 calendar; stores the built-in years
    /// when the table is empty, so they are visible and auditable.
    pub async fn load(
        pool: &PgPool,
        province_sessions: Option<Vec<Session>>,
    ) -> anyhow::Result<Self> {
        let builtin = WorkingCalendar::vietnam_default();
        if store::calendar::count(pool).await? == 0 {
            for year in builtin.loaded_years() {
                if let Some(data) = builtin.year_to_json(year) {
                    store::calendar::insert_builtin(pool, year, &data).await?;
                }
            }
        }
        let store = Self {
            current: Arc::new(RwLock::new(Arc::new(builtin))),
            province_sessions,
        };
        store.reload(pool).await?;
        Ok(store)
    }

    /// Re-reads every stored year (other replicas may have changed one).
    pub async fn reload(&self, pool: &PgPool) -> anyhow::Result<()> {
        let rows = store::calendar::years(pool).await?;
        let mut cal = self.base()?;
        for (year, data) in rows {
            match WorkingCalendar::year_from_json(year, &data.to_string()) {
                Ok(y) => cal.set_year(year, y)?,
                Err(e) => {
                    tracing::error!(year, error = %e, "stored calendar year unreadable; skipped")
                }
            }
        }
        self.replace(cal);
        Ok(())
    }

    /// The calendar now in force.
    pub fn get(&self) -> Arc<WorkingCalendar> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Puts `cal` in force (after it was stored).
    pub(crate) fn replace(&self, cal: WorkingCalendar) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(cal);
    }

    /// The calendar with `agency`'s own working sessions when it has them.
    pub(crate) async fn for_agency(
        &self,
        pool: &PgPool,
        agency: Option<&str>,
    ) -> Result<Arc<WorkingCalendar>, Problem> {
        let cal = self.get();
        let Some(code) = agency.filter(|a| !a.is_empty()) else {
            return Ok(cal);
        };
        let Some(sessions) = store::agencies::working_sessions(pool, code).await? else {
            return Err(Problem::new(
                &codes::AGENCY_NOT_FOUND,
                format!("no agency {code}"),
            ));
        };
        let Some(sessions) = sessions else {
            return Ok(cal);
        };
        let parsed = sessions_of(sessions).map_err(|e| {
            match &e {
                SessionsError::Unreadable(_) => {
                    tracing::error!(agency = code, error = %e, "stored working sessions unreadable")
                }
                SessionsError::Invalid(_) => {
                    tracing::error!(agency = code, error = %e, "stored working sessions invalid")
                }
            }
            Problem::internal()
        })?;
        let custom = (*cal).clone().with_sessions(parsed).map_err(|e| {
            tracing::error!(agency = code, error = %e, "stored working sessions invalid");
            Problem::internal()
        })?;
        Ok(Arc::new(custom))
    }
}
