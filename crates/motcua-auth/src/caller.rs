//! The authenticated caller and the roles of `shared/api.md`.

use motcua_problem::{Problem, codes};
use serde::{Deserialize, Serialize};

/// A role a token can carry (vai trò).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A citizen or organisation applying online (công dân).
    Citizen,
    /// An officer at a one-stop unit (cán bộ một cửa).
    OneStopOfficer,
    /// A specialist at an agency handling a step (chuyên viên).
    Specialist,
    /// The head of an agency: signs apologies and extensions (lãnh đạo).
    AgencyHead,
    /// A sector system's service account (hệ thống chuyên ngành).
    SectorSystem,
    /// The provincial portal's service account (cổng dịch vụ công).
    Portal,
    /// Maintains the procedure catalogue (quản trị danh mục).
    CatalogueAdmin,
    /// Reads everything for inspection (thanh tra).
    Inspector,
    /// Operates the system.
    Admin,
    /// Internal: another motcua service calling over gRPC (not issued to people).
    Service,
}

impl Role {
    /// The snake_case name used in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::OneStopOfficer => "one_stop_officer",
            Role::Specialist => "specialist",
            Role::AgencyHead => "agency_head",
            Role::SectorSystem => "sector_system",
            Role::Portal => "portal",
            Role::CatalogueAdmin => "catalogue_admin",
            Role::Inspector => "inspector",
            Role::Admin => "admin",
            Role::Service => "service",
        }
    }

    /// Parses a role name; unknown names are `None` (and ignored by verification).
    pub fn parse(s: &str) -> Option<Role> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verified identity behind a request (người gọi).
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// Subject.
    pub sub: String,
    /// Known roles (unknown role names in the token are dropped).
    pub roles: Vec<Role>,
    /// Agency the caller acts for.
    pub agency: Option<String>,
    /// Sector of a sector system.
    pub sector: Option<String>,
    /// A citizen's verified personal identification number (claim `id_number`): an online
    /// submission names them, and they read every dossier whose applicant they are.
    pub id_number: Option<String>,
}

impl Caller {
    /// The motcua service calling, when the caller is one: only a service token verified with
    /// that service's own key carries the `service` role.
    pub fn service(&self) -> Option<&str> {
        if self.has(Role::Service) {
            self.sub.strip_prefix(crate::SERVICE_KID_PREFIX)
        } else {
            None
        }
    }

    /// The caller's roles by their token names: what records and other services are given.
    pub fn role_names(&self) -> Vec<String> {
        self.roles.iter().map(|r| r.as_str().to_string()).collect()
    }

    /// True when the caller has `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// True when the caller has any of `roles`.
    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// `Ok` when the caller has one of `roles`, else `403 role_not_allowed` listing them.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), Problem> {
        if self.has_any(roles) {
            return Ok(());
        }
        let wanted: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Err(Problem::new(
            &codes::ROLE_NOT_ALLOWED,
            format!("this action needs one of the roles: {}", wanted.join(", ")),
        ))
    }

    /// `Ok` when the caller acts for `agency`, else `403 agency_not_allowed`.
    pub fn require_agency(&self, agency: &str) -> Result<(), Problem> {
        if self.agency.as_deref() == Some(agency) {
            return Ok(());
        }
        Err(Problem::new(
            &codes::AGENCY_NOT_ALLOWED,
            format!("the caller does not act for agency {agency}"),
        ))
    }
}
