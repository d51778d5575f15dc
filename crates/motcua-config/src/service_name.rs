//! The four services by name, with their default ports and the variables that move them.

/// The four services and their default ports (`shared/api.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceName {
    /// Procedures, agencies, calendars (danh mục TTHC).
    Catalogue,
    /// Dossiers at the one-stop (tiếp nhận hồ sơ).
    Intake,
    /// Cases, steps, clocks (giải quyết hồ sơ).
    Workflow,
    /// Rollups and reports (báo cáo).
    Reporting,
}

impl ServiceName {
    /// All services, in start order (catalogue first: the others call it).
    pub const ALL: [ServiceName; 4] = [
        ServiceName::Catalogue,
        ServiceName::Intake,
        ServiceName::Workflow,
        ServiceName::Reporting,
    ];

    /// Lower-case name, also the PostgreSQL schema the service owns.
    pub const fn as_str(self) -> &'static str {
        match self {
            ServiceName::Catalogue => "catalogue",
            ServiceName::Intake => "intake",
            ServiceName::Workflow => "workflow",
            ServiceName::Reporting => "reporting",
        }
    }

    /// Upper-case name, as in the `MOTCUA_<SERVICE>_…` variables.
    pub const fn upper(self) -> &'static str {
        match self {
            ServiceName::Catalogue => "CATALOGUE",
            ServiceName::Intake => "INTAKE",
            ServiceName::Workflow => "WORKFLOW",
            ServiceName::Reporting => "REPORTING",
        }
    }

    /// Default REST port from the API contract.
    pub const fn default_rest_port(self) -> u16 {
        match self {
            ServiceName::Catalogue => 8081,
            ServiceName::Intake => 8082,
            ServiceName::Workflow => 8083,
            ServiceName::Reporting => 8084,
        }
    }

    /// Default gRPC port from the API contract.
    pub const fn default_grpc_port(self) -> u16 {
        self.default_rest_port() + 1000
    }

    /// The variable holding the service's REST listen address (`MOTCUA_<SERVICE>_REST_ADDR`).
    pub fn rest_addr_var(self) -> String {
        format!("MOTCUA_{}_REST_ADDR", self.upper())
    }

    /// The variable holding the service's gRPC listen address (`MOTCUA_<SERVICE>_GRPC_ADDR`).
    pub fn grpc_addr_var(self) -> String {
        format!("MOTCUA_{}_GRPC_ADDR", self.upper())
    }
}

impl std::str::FromStr for ServiceName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServiceName::ALL
            .into_iter()
            .find(|n| n.as_str() == s)
            .ok_or_else(|| {
                format!("unknown service {s:?} (catalogue, intake, workflow, reporting)")
            })
    }
}

impl std::fmt::Display for ServiceName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
