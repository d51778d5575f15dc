//! Why a connection to PostgreSQL failed, told to the operator in one line: the server as
//! `host:port` (never the password in `DATABASE_URL`), the cause, and the fix.

use motcua_config::StartupError;
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;

/// Where `url` points, without its password: enough to name the server in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress {
    /// Host name, address, or socket folder.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The login.
    pub user: String,
    /// The database, if the URL names one.
    pub database: Option<String>,
}

impl ServerAddress {
    /// Reads the address out of a PostgreSQL URL; `None` when it does not parse.
    pub fn of(url: &str) -> Option<Self> {
        let o = PgConnectOptions::from_str(url).ok()?;
        Some(Self {
            host: o.get_host().to_string(),
            port: o.get_port(),
            user: o.get_username().to_string(),
            database: o.get_database().map(str::to_string),
        })
    }
}

impl std::fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// The one-line answer to a failed connection to `url`, when the operator can fix it (the
/// server out of reach, a refused login, a missing database, a URL that does not parse);
/// `None` for anything else.
pub fn connect_failure(url: &str, err: &sqlx::Error) -> Option<StartupError> {
    let Some(at) = ServerAddress::of(url) else {
        return Some(StartupError::new(format!(
            "DATABASE_URL is not a PostgreSQL URL (postgres://user:password@host:port/database): \
             {err}"
        )));
    };
    let line = match err {
        sqlx::Error::Io(e) => format!(
            "cannot reach PostgreSQL at {at} (DATABASE_URL): {e}; start PostgreSQL there or \
             correct the host and port in DATABASE_URL (without DATABASE_URL, `motcua up` starts \
             a private server)"
        ),
        sqlx::Error::Tls(e) => format!(
            "TLS with PostgreSQL at {at} (DATABASE_URL) failed: {e}; fix the server's \
             certificate or set sslmode in DATABASE_URL"
        ),
        sqlx::Error::Database(d) => match d.code().as_deref() {
            Some("28P01" | "28000") => format!(
                "PostgreSQL at {at} refused user {:?}: {}; correct the user or password in \
                 DATABASE_URL (with docker-compose, POSTGRES_PASSWORD applies only when the \
                 pgdata volume is first created)",
                at.user,
                d.message()
            ),
            Some("3D000") => format!(
                "database {:?} does not exist on PostgreSQL at {at}: create it (createdb -h {} \
                 -p {} -U {} {}) or correct the database name in DATABASE_URL",
                at.database.as_deref().unwrap_or_default(),
                at.host,
                at.port,
                at.user,
                at.database.as_deref().unwrap_or_default()
            ),
            Some("53300") => format!(
                "PostgreSQL at {at} has no free connections: raise its max_connections or lower \
                 MOTCUA_DB_MAX_CONNECTIONS"
            ),
            _ => return None,
        },
        _ => return None,
    };
    Some(StartupError::new(line))
}

/// `err` as the operator's one line when there is one, else as it is.
pub(crate) fn explain(url: &str, err: sqlx::Error) -> anyhow::Error {
    match connect_failure(url, &err) {
        Some(line) => line.into(),
        None => err.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "postgres://motcua:s3cret-pass@db.example:6543/motcua";

    #[test]
    fn an_unreachable_server_is_named_by_host_and_port_without_the_password() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let line = connect_failure(URL, &sqlx::Error::Io(refused)).unwrap();
        assert_eq!(
            line.line(),
            "cannot reach PostgreSQL at db.example:6543 (DATABASE_URL): connection refused; \
             start PostgreSQL there or correct the host and port in DATABASE_URL (without \
             DATABASE_URL, `motcua up` starts a private server)"
        );
        assert!(!line.line().contains("s3cret"));
    }

    #[test]
    fn a_url_that_does_not_parse_says_what_a_url_looks_like() {
        let err = sqlx::Error::Configuration("bad".into());
        let line = connect_failure("not a url", &err).unwrap();
        assert!(
            line.line()
                .starts_with("DATABASE_URL is not a PostgreSQL URL"),
            "{line}"
        );
    }

    #[test]
    fn other_failures_are_left_as_they_are() {
        assert!(connect_failure(URL, &sqlx::Error::RowNotFound).is_none());
    }

    #[tokio::test]
    async fn connecting_to_a_closed_port_gives_that_line() {
        // A port nobody listens on: bind one, note it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("postgres://motcua:pw@127.0.0.1:{port}/motcua");
        let opts = PgConnectOptions::from_str(&url).unwrap();
        let err = sqlx::ConnectOptions::connect(&opts).await.unwrap_err();
        let line = connect_failure(&url, &err).unwrap();
        assert!(
            line.line().starts_with(&format!(
                "cannot reach PostgreSQL at 127.0.0.1:{port} (DATABASE_URL)"
            )),
            "{line}"
        );
    }
}
