//! Typed configuration read from environment variables (12-factor), one documented default
//! each, so `motcua up` works on a laptop with nothing set and production sets what it needs.
//!
//! Every variable is listed in `docs/configuration.md`; a bad value is an error that names
//! the variable, never a silent fallback.

mod payments;
mod protection;
mod service_name;
mod startup;
mod trusted_proxies;
mod webhooks;

pub use payments::{PaymentConfig, PaymentGateway};
pub use protection::Protection;
pub use service_name::ServiceName;
pub use startup::StartupError;
pub use trusted_proxies::{IpBlock, TrustedProxies};
pub use webhooks::WebhookConfig;

use std::net::SocketAddr;
use std::time::Duration;

/// A configuration value that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration variable {var}: {reason}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub var: String,
    /// Why its value was rejected.
    pub reason: String,
}

/// Looks a variable up.
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// Reads typed values from an environment (the process environment, or a map in tests).
pub struct Env<'a> {
    lookup: Lookup<'a>,
}

impl Env<'static> {
    /// The process environment.
    pub fn process() -> Self {
        Self {
            lookup: Box::new(|k| std::env::var(k).ok().filter(|v| !v.is_empty())),
        }
    }
}

impl<'a> Env<'a> {
    /// An environment backed by a lookup function (tests).
    pub fn from_fn(f: impl Fn(&str) -> Option<String> + 'a) -> Self {
        Self {
            lookup: Box::new(f),
        }
    }

    /// The raw value, if set and non-empty.
    pub fn get(&self, var: &str) -> Option<String> {
        (self.lookup)(var)
    }

    /// A string with a default.
    pub fn string(&self, var: &str, default: &str) -> String {
        self.get(var).unwrap_or_else(|| default.to_string())
    }

    /// A parsed value with a default; a present but unparsable value is an error.
    pub fn parse<T: std::str::FromStr>(&self, var: &str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(var) {
            None => Ok(default),
            Some(raw) => raw.trim().parse().map_err(|e: T::Err| ConfigError {
                var: var.to_string(),
                reason: format!("cannot parse {raw:?}: {e}"),
            }),
        }
    }

    /// A boolean: `1`, `true`, `yes`, `on` are true; `0`, `false`, `no`, `off` are false.
    pub fn flag(&self, var: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(var).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
            Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
            Some(v) => Err(ConfigError {
                var: var.to_string(),
                reason: format!("expected true/false, got {v:?}"),
            }),
        }
    }

    /// A duration in milliseconds.
    pub fn millis(&self, var: &str, default: Duration) -> Result<Duration, ConfigError> {
        let ms: u64 = self.parse(var, default.as_millis() as u64)?;
        Ok(Duration::from_millis(ms))
    }

    /// The deadline of a call an outbox relay makes, in milliseconds: at least 1 and under
    /// [`MAX_CALL_DEADLINE`], so that a call started within a round's first 15 s ends while
    /// the round's 30 s lease on its deliveries holds (no other replica delivers them too).
    pub fn call_deadline(&self, var: &str, default: Duration) -> Result<Duration, ConfigError> {
        let d = self.millis(var, default)?;
        if d.is_zero() || d >= MAX_CALL_DEADLINE {
            return Err(ConfigError {
                var: var.into(),
                reason: format!(
                    "{} ms: use 1 to {} ms (an outbox round starts calls for 15 s of its 30 s lease)",
                    d.as_millis(),
                    MAX_CALL_DEADLINE.as_millis() - 1
                ),
            });
        }
        Ok(d)
    }
}

/// The longest deadline of a call an outbox relay makes (see [`Env::call_deadline`]).
pub const MAX_CALL_DEADLINE: Duration = Duration::from_secs(15);

/// Where one service listens and where it finds the others.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Which service.
    pub name: ServiceName,
    /// REST listen address (`MOTCUA_<SERVICE>_REST_ADDR`, default `0.0.0.0:<port>`).
    pub rest_addr: SocketAddr,
    /// gRPC listen address (`MOTCUA_<SERVICE>_GRPC_ADDR`, default `0.0.0.0:<port>`).
    pub grpc_addr: SocketAddr,
}

/// How to verify (and, locally, sign) bearer tokens.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// HS256 shared secret (`MOTCUA_JWT_SECRET`); the default is for local use only.
    pub hs256_secret: String,
    /// PEM public key file for RS256/EdDSA verification (`MOTCUA_JWT_PUBLIC_KEY_FILE`); when
    /// set, HS256 tokens are no longer accepted.
    pub public_key_file: Option<String>,
    /// PEM private key file that signs the tokens `motcua token` prints
    /// (`MOTCUA_JWT_PRIVATE_KEY_FILE`); absent where a single sign-on signs them.
    pub private_key_file: Option<String>,
    /// Algorithm of the public key: `RS256` or `EdDSA`; `HS256` enables the shared secret
    /// (`MOTCUA_JWT_ALGORITHM`, default `RS256`).
    pub public_key_algorithm: String,
    /// Expected audience (`MOTCUA_JWT_AUDIENCE`, default `motcua`).
    pub audience: String,
    /// Accepted issuers (`MOTCUA_JWT_ISSUER`, comma-separated, default `motcua`): the first is
    /// the one motcua writes in the tokens it signs; add the province's single sign-on.
    pub issuers: Vec<String>,
    /// Longest lifetime of a token in seconds (`MOTCUA_JWT_MAX_LIFETIME_SECS`, default 86400).
    pub max_lifetime_secs: i64,
    /// Folder of the services' own key pairs (`MOTCUA_SERVICE_KEYS_DIR`): `<name>.pub.pem` of
    /// every service and `<name>.key.pem` of those this process runs. Unset: fresh keys in
    /// memory, which only works when one process runs every service (`motcua up`, tests).
    pub service_keys_dir: Option<String>,
    /// A JWK set (`MOTCUA_JWT_JWKS_URL`: an `https://` or `http://` URL, or a file) whose keys
    /// are chosen by the token's `kid`: the province's single sign-on and its key rotation.
    pub jwks_url: Option<String>,
    /// How often the JWK set is fetched again (`MOTCUA_JWT_JWKS_REFRESH_SECS`, default 300).
    pub jwks_refresh_secs: u64,
}

/// Where each service's gRPC endpoint is, for the others to call.
#[derive(Debug, Clone)]
pub struct PeerEndpoints {
    /// `MOTCUA_CATALOGUE_GRPC_URL`, default `http://127.0.0.1:9081`.
    pub catalogue: String,
    /// `MOTCUA_INTAKE_GRPC_URL`, default `http://127.0.0.1:9082`.
    pub intake: String,
    /// `MOTCUA_WORKFLOW_GRPC_URL`, default `http://127.0.0.1:9083`.
    pub workflow: String,
    /// `MOTCUA_REPORTING_GRPC_URL`, default `http://127.0.0.1:9084`.
    pub reporting: String,
}

impl PeerEndpoints {
    /// The endpoint of one service.
    pub fn of(&self, name: ServiceName) -> &str {
        match name {
            ServiceName::Catalogue => &self.catalogue,
            ServiceName::Intake => &self.intake,
            ServiceName::Workflow => &self.workflow,
            ServiceName::Reporting => &self.reporting,
        }
    }
}

/// Everything a motcua process needs to know, read once at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`; unset means `motcua up` starts a private PostgreSQL.
    pub database_url: Option<String>,
    /// Pool size per service (`MOTCUA_DB_MAX_CONNECTIONS`, default 10).
    pub db_max_connections: u32,
    /// PostgreSQL `statement_timeout` of the services' pools (`MOTCUA_DB_STATEMENT_TIMEOUT_MS`,
    /// default 30 s, `0` none); migrations and the operator's commands run without one.
    pub db_statement_timeout: Option<Duration>,
    /// The REST server's limits: timeouts, body sizes, concurrency, trusted proxies.
    pub protection: Protection,
    /// Token verification.
    pub auth: AuthConfig,
    /// Peer gRPC endpoints.
    pub peers: PeerEndpoints,
    /// Deadline for every inter-service gRPC call (`MOTCUA_GRPC_TIMEOUT_MS`, default 5000).
    pub grpc_timeout: Duration,
    /// `MOTCUA_TEST_CLOCK=1`: a controllable clock plus an admin endpoint to set it.
    pub test_clock: bool,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`: when set, spans are exported over OTLP/gRPC.
    pub otlp_endpoint: Option<String>,
    /// Log filter (`RUST_LOG`, default `info`).
    pub log_filter: String,
    /// `MOTCUA_LOG_FORMAT`: `text` (default) or `json`.
    pub log_json: bool,
    /// How often the outbox relay polls when nothing woke it (`MOTCUA_OUTBOX_POLL_MS`, default 500).
    pub outbox_poll: Duration,
    /// Attempts before a delivery to another motcua service becomes a dead letter
    /// (`MOTCUA_OUTBOX_MAX_ATTEMPTS`, default 25: about an hour and a half of backoff).
    pub outbox_max_attempts: u32,
    /// How long a relay holds its deliveries back, at most, while its service's own requests
    /// queue up in a burst (`MOTCUA_OUTBOX_BURST_YIELD_MS`, default 20000; 0: never).
    pub outbox_burst_yield: Duration,
    /// How long graceful shutdown waits for in-flight work (`MOTCUA_SHUTDOWN_GRACE_MS`, default 10000).
    pub shutdown_grace: Duration,
    /// The province's working sessions when they differ from 07:00–11:30, 13:30–17:00
    /// (`MOTCUA_WORKING_SESSIONS`, e.g. `07:30-11:30,13:00-17:00`).
    pub working_sessions: Option<String>,
    /// The applicant's supplement window in working days (`MOTCUA_SUPPLEMENT_WINDOW_DAYS`,
    /// default 15, Decree 297/2025).
    pub supplement_window_days: u32,
    /// Working hours after receipt within which a supplement request is due
    /// (`MOTCUA_SUPPLEMENT_REQUEST_WITHIN_HOURS`, default 8: 8 working hours online, 1 working
    /// day at the counter); later requests are recorded as compliance events.
    pub supplement_request_within_hours: u32,
    /// How often background workers look for due work (`MOTCUA_WORKER_POLL_MS`, default 5000).
    pub worker_poll: Duration,
    /// Public status lookups allowed per client address per minute
    /// (`MOTCUA_PUBLIC_LOOKUP_PER_MINUTE`, default 30).
    pub public_lookup_per_minute: u32,
    /// Load the demo catalogue (`data/catalogue-demo.json`) at start (`MOTCUA_SEED_DEMO`, default true).
    pub seed_demo: bool,
    /// The dossier code format (`MOTCUA_DOSSIER_CODE_FORMAT`): `01-2018` (default) or
    /// `04-2025:XX` with the system's two-letter prefix (from 25/01/2026 by receipt date).
    pub dossier_code_format: String,
    /// Local time of day after which a received dossier is forwarded to the agencies at the
    /// start of the next working day (`MOTCUA_FORWARD_CUTOFF`, default `15:00`, Decree 118).
    pub forward_cutoff: String,
    /// Working hours before a step's or a dossier's deadline at which it is marked near-due
    /// (`MOTCUA_NEAR_DUE_HOURS`, default 8).
    pub near_due_hours: u32,
    /// Hours an idempotent request's stored answer is kept before it is forgotten
    /// (`MOTCUA_IDEMPOTENCY_RETENTION_HOURS`, default 72); the key itself stays.
    pub idempotency_retention_hours: u32,
    /// The national public-service portal (DVCQG) to keep in sync; `None` when
    /// `MOTCUA_NATIONAL_PORTAL_URL` is unset (nothing is recorded for it then).
    pub national_portal: Option<NationalPortalConfig>,
    /// Notices to applicants and agency heads (e-mail and SMS).
    pub notices: NoticeConfig,
    /// Signed webhooks to sector systems (workflow).
    pub webhooks: WebhookConfig,
    /// Online payment of financial obligations through a payment gateway (intake).
    pub payments: PaymentConfig,
    /// The agencies' signing keys and certificate chains (`MOTCUA_SIGNING_DIR`): receipts,
    /// notices and results are signed with the issuing agency's key; unset, documents are
    /// served unsigned (`motcua up` sets it to a folder with a test authority).
    pub signing_dir: Option<String>,
}

/// Where and as whom dossiers are pushed to the national portal (Cổng Dịch vụ công quốc gia).
#[derive(Debug, Clone)]
pub struct NationalPortalConfig {
    /// Base URL of the portal's dossier-sync interface (`MOTCUA_NATIONAL_PORTAL_URL`).
    pub url: String,
    /// Bearer credential issued to the province (`MOTCUA_NATIONAL_PORTAL_TOKEN`).
    pub token: Option<String>,
    /// The province's unit code the portal knows it by (`MOTCUA_PROVINCE_CODE`).
    pub province_code: String,
    /// Deadline of one push (`MOTCUA_NATIONAL_PORTAL_TIMEOUT_MS`, default 10000).
    pub timeout: Duration,
    /// Attempts before a push becomes a dead letter (`MOTCUA_NATIONAL_PORTAL_MAX_ATTEMPTS`,
    /// default 20: about an hour and a half of backoff).
    pub max_attempts: u32,
}

/// How notices (thông báo) reach people.
#[derive(Debug, Clone)]
pub struct NoticeConfig {
    /// SMTP relay as `host:port` (`MOTCUA_SMTP_ADDR`); unset: e-mail notices are recorded as
    /// not sent ("no SMTP relay configured").
    pub smtp_addr: Option<String>,
    /// Sender address (`MOTCUA_SMTP_FROM`, default `motcua@localhost`).
    pub smtp_from: String,
    /// The SMS provider's send endpoint (`MOTCUA_SMS_URL`); unset: SMS notices are recorded as
    /// not sent.
    pub sms_url: Option<String>,
    /// The provider's API key, sent as a bearer token (`MOTCUA_SMS_API_KEY`).
    pub sms_api_key: Option<String>,
    /// The public lookup page a notice links to, with `{code}` for the dossier code
    /// (`MOTCUA_PUBLIC_LOOKUP_URL`).
    pub lookup_url: String,
    /// JSON file of agency heads' contacts, `{"<agency code>": {"email": …, "phone": …}}`
    /// (`MOTCUA_AGENCY_CONTACTS_FILE`); without it agency heads get no notices.
    pub agency_contacts_file: Option<String>,
    /// Attempts before a notice is given up as failed (`MOTCUA_NOTICE_MAX_ATTEMPTS`, default 8).
    pub max_attempts: u32,
}

/// The value `MOTCUA_JWT_SECRET` reads as when unset: published, so always refused at start-up
/// (a local run sets its installation's own secret instead; see `services/motcua`).
pub const DEV_JWT_SECRET: &str = "motcua-local-development-secret-do-not-use-in-production";

/// Secrets published in this repository (the development default and the example env file):
/// a service refuses to start with one of them, locally too.
pub const PUBLISHED_SECRETS: [&str; 2] = [DEV_JWT_SECRET, "change-me-to-a-long-random-secret"];

/// Shortest HS256 secret accepted (bytes).
pub const MIN_SECRET_LEN: usize = 32;

impl AuthConfig {
    /// Reads token settings.
    fn from_env(env: &Env<'_>) -> Result<Self, ConfigError> {
        let auth = AuthConfig {
            hs256_secret: env.string("MOTCUA_JWT_SECRET", DEV_JWT_SECRET),
            public_key_file: env.get("MOTCUA_JWT_PUBLIC_KEY_FILE"),
            private_key_file: env.get("MOTCUA_JWT_PRIVATE_KEY_FILE"),
            public_key_algorithm: env.string("MOTCUA_JWT_ALGORITHM", "RS256"),
            audience: env.string("MOTCUA_JWT_AUDIENCE", "motcua"),
            issuers: env
                .string("MOTCUA_JWT_ISSUER", "motcua")
                .split(',')
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .map(str::to_string)
                .collect(),
            max_lifetime_secs: env.parse("MOTCUA_JWT_MAX_LIFETIME_SECS", 86_400_i64)?,
            service_keys_dir: env.get("MOTCUA_SERVICE_KEYS_DIR"),
            jwks_url: env.get("MOTCUA_JWT_JWKS_URL"),
            jwks_refresh_secs: env.parse("MOTCUA_JWT_JWKS_REFRESH_SECS", 300)?,
        };
        if auth.issuers.is_empty() {
            return Err(ConfigError {
                var: "MOTCUA_JWT_ISSUER".into(),
                reason: "name at least one issuer (default motcua)".into(),
            });
        }
        if auth.max_lifetime_secs <= 0 {
            return Err(ConfigError {
                var: "MOTCUA_JWT_MAX_LIFETIME_SECS".into(),
                reason: "must be a positive number of seconds (default 86400)".into(),
            });
        }
        Ok(auth)
    }
}

impl Settings {
    /// Reads the settings from an environment.
    pub fn from_env(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            database_url: env.get("DATABASE_URL"),
            db_max_connections: env.parse("MOTCUA_DB_MAX_CONNECTIONS", 10)?,
            db_statement_timeout: protection::statement_timeout(env)?,
            protection: Protection::from_env(env)?,
            auth: AuthConfig::from_env(env)?,
            peers: PeerEndpoints {
                catalogue: env.string("MOTCUA_CATALOGUE_GRPC_URL", "http://127.0.0.1:9081"),
                intake: env.string("MOTCUA_INTAKE_GRPC_URL", "http://127.0.0.1:9082"),
                workflow: env.string("MOTCUA_WORKFLOW_GRPC_URL", "http://127.0.0.1:9083"),
                reporting: env.string("MOTCUA_REPORTING_GRPC_URL", "http://127.0.0.1:9084"),
            },
            grpc_timeout: env.call_deadline("MOTCUA_GRPC_TIMEOUT_MS", Duration::from_secs(5))?,
            test_clock: env.flag("MOTCUA_TEST_CLOCK", false)?,
            otlp_endpoint: env.get("OTEL_EXPORTER_OTLP_ENDPOINT"),
            log_filter: env.string("RUST_LOG", "info"),
            log_json: env.string("MOTCUA_LOG_FORMAT", "text") == "json",
            outbox_poll: env.millis("MOTCUA_OUTBOX_POLL_MS", Duration::from_millis(500))?,
            outbox_max_attempts: env.parse("MOTCUA_OUTBOX_MAX_ATTEMPTS", 25)?,
            outbox_burst_yield: env
                .millis("MOTCUA_OUTBOX_BURST_YIELD_MS", Duration::from_secs(20))?,
            shutdown_grace: env.millis("MOTCUA_SHUTDOWN_GRACE_MS", Duration::from_secs(10))?,
            seed_demo: env.flag("MOTCUA_SEED_DEMO", true)?,
            working_sessions: env.get("MOTCUA_WORKING_SESSIONS"),
            supplement_window_days: env.parse("MOTCUA_SUPPLEMENT_WINDOW_DAYS", 15)?,
            worker_poll: env.millis("MOTCUA_WORKER_POLL_MS", Duration::from_secs(5))?,
            supplement_request_within_hours: env
                .parse("MOTCUA_SUPPLEMENT_REQUEST_WITHIN_HOURS", 8)?,
            public_lookup_per_minute: env.parse("MOTCUA_PUBLIC_LOOKUP_PER_MINUTE", 30)?,
            dossier_code_format: env.string("MOTCUA_DOSSIER_CODE_FORMAT", "01-2018"),
            forward_cutoff: env.string("MOTCUA_FORWARD_CUTOFF", "15:00"),
            near_due_hours: env.parse("MOTCUA_NEAR_DUE_HOURS", 8)?,
            idempotency_retention_hours: env.parse("MOTCUA_IDEMPOTENCY_RETENTION_HOURS", 72)?,
            signing_dir: env.get("MOTCUA_SIGNING_DIR"),
            national_portal: match env.get("MOTCUA_NATIONAL_PORTAL_URL") {
                None => None,
                Some(url) => Some(NationalPortalConfig {
                    url: url.trim_end_matches('/').to_string(),
                    token: env.get("MOTCUA_NATIONAL_PORTAL_TOKEN"),
                    province_code: env.get("MOTCUA_PROVINCE_CODE").ok_or_else(|| ConfigError {
                        var: "MOTCUA_PROVINCE_CODE".into(),
                        reason: "required when MOTCUA_NATIONAL_PORTAL_URL is set".into(),
                    })?,
                    timeout: env.call_deadline(
                        "MOTCUA_NATIONAL_PORTAL_TIMEOUT_MS",
                        Duration::from_secs(10),
                    )?,
                    max_attempts: env.parse("MOTCUA_NATIONAL_PORTAL_MAX_ATTEMPTS", 20)?,
                }),
            },
            notices: NoticeConfig {
                smtp_addr: env.get("MOTCUA_SMTP_ADDR"),
                smtp_from: env.string("MOTCUA_SMTP_FROM", "motcua@localhost"),
                sms_url: env.get("MOTCUA_SMS_URL"),
                sms_api_key: env.get("MOTCUA_SMS_API_KEY"),
                lookup_url: env.string(
                    "MOTCUA_PUBLIC_LOOKUP_URL",
                    "http://127.0.0.1:8082/api/v1/public/dossiers/{code}",
                ),
                agency_contacts_file: env.get("MOTCUA_AGENCY_CONTACTS_FILE"),
                max_attempts: env.parse("MOTCUA_NOTICE_MAX_ATTEMPTS", 8)?,
            },
            webhooks: WebhookConfig::from_env(env)?,
            payments: PaymentConfig::from_env(env)?,
        })
    }

    /// Listen addresses of one service.
    pub fn service(&self, env: &Env<'_>, name: ServiceName) -> Result<ServiceConfig, ConfigError> {
        Ok(ServiceConfig {
            name,
            rest_addr: env.parse(
                &name.rest_addr_var(),
                SocketAddr::from(([0, 0, 0, 0], name.default_rest_port())),
            )?,
            grpc_addr: env.parse(
                &name.grpc_addr_var(),
                SocketAddr::from(([0, 0, 0, 0], name.default_grpc_port())),
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_match_the_api_contract_ports() {
        let map = env(&[]);
        let e = Env::from_fn(|k| map.get(k).cloned());
        let s = Settings::from_env(&e).unwrap();
        assert!(s.database_url.is_none());
        assert_eq!(s.auth.audience, "motcua");
        let intake = s.service(&e, ServiceName::Intake).unwrap();
        assert_eq!(intake.rest_addr.port(), 8082);
        assert_eq!(intake.grpc_addr.port(), 9082);
        assert_eq!(s.peers.of(ServiceName::Reporting), "http://127.0.0.1:9084");
        assert!(s.national_portal.is_none());
        assert!(s.notices.smtp_addr.is_none());
    }

    #[test]
    fn a_national_portal_needs_the_province_code() {
        let map = env(&[("MOTCUA_NATIONAL_PORTAL_URL", "http://portal.example/api/")]);
        let e = Env::from_fn(|k| map.get(k).cloned());
        assert_eq!(
            Settings::from_env(&e).unwrap_err().var,
            "MOTCUA_PROVINCE_CODE"
        );
        let map = env(&[
            ("MOTCUA_NATIONAL_PORTAL_URL", "http://portal.example/api/"),
            ("MOTCUA_PROVINCE_CODE", "000.00.00.H80"),
        ]);
        let e = Env::from_fn(|k| map.get(k).cloned());
        let p = Settings::from_env(&e).unwrap().national_portal.unwrap();
        assert_eq!(p.url, "http://portal.example/api");
        assert_eq!(p.max_attempts, 20);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let map = env(&[
            ("MOTCUA_TEST_CLOCK", "maybe"),
            ("MOTCUA_INTAKE_REST_ADDR", "nope"),
        ]);
        let e = Env::from_fn(|k| map.get(k).cloned());
        let err = Settings::from_env(&e).unwrap_err();
        assert_eq!(err.var, "MOTCUA_TEST_CLOCK");
        let map2 = env(&[("MOTCUA_INTAKE_REST_ADDR", "nope")]);
        let e2 = Env::from_fn(|k| map2.get(k).cloned());
        let s = Settings::from_env(&e2).unwrap();
        assert_eq!(
            s.service(&e2, ServiceName::Intake).unwrap_err().var,
            "MOTCUA_INTAKE_REST_ADDR"
        );
    }

    #[test]
    fn call_deadlines_stay_inside_the_outbox_lease() {
        for (value, ok) in [
            ("14999", true),
            ("15000", false),
            ("0", false),
            ("60000", false),
        ] {
            let map = env(&[("MOTCUA_GRPC_TIMEOUT_MS", value)]);
            let e = Env::from_fn(|k| map.get(k).cloned());
            match Settings::from_env(&e) {
                Ok(s) => assert!(ok, "{value} accepted: {:?}", s.grpc_timeout),
                Err(err) => {
                    assert!(!ok, "{value} refused: {err}");
                    assert_eq!(err.var, "MOTCUA_GRPC_TIMEOUT_MS");
                }
            }
        }
    }

    #[test]
    fn token_issuers_and_lifetime_are_configured_or_refused_by_name() {
        let map = env(&[]);
        let s = Settings::from_env(&Env::from_fn(|k| map.get(k).cloned())).unwrap();
        assert_eq!(s.auth.issuers, vec!["motcua"]);
        assert_eq!(s.auth.max_lifetime_secs, 86_400);
        let map = env(&[
            ("MOTCUA_JWT_ISSUER", "motcua, https://sso.tinh.gov.vn"),
            ("MOTCUA_JWT_MAX_LIFETIME_SECS", "3600"),
        ]);
        let s = Settings::from_env(&Env::from_fn(|k| map.get(k).cloned())).unwrap();
        assert_eq!(s.auth.issuers, vec!["motcua", "https://sso.tinh.gov.vn"]);
        assert_eq!(s.auth.max_lifetime_secs, 3600);
        for (var, value) in [
            ("MOTCUA_JWT_ISSUER", " , "),
            ("MOTCUA_JWT_MAX_LIFETIME_SECS", "0"),
            ("MOTCUA_JWT_MAX_LIFETIME_SECS", "a day"),
        ] {
            let map = env(&[(var, value)]);
            let err = Settings::from_env(&Env::from_fn(|k| map.get(k).cloned())).unwrap_err();
            assert_eq!(err.var, var, "{value}");
        }
    }
}
