//! A service's REST and gRPC listeners, and the one-line answer when one cannot be bound: a
//! port already taken names the port, the variable that moves it, and the fix.

use motcua_config::{ServiceName, StartupError};
use std::io::ErrorKind;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Which of a service's two listeners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// The REST API (`MOTCUA_<SERVICE>_REST_ADDR`).
    Rest,
    /// The gRPC API (`MOTCUA_<SERVICE>_GRPC_ADDR`).
    Grpc,
}

impl Listener {
    fn label(self) -> &'static str {
        match self {
            Listener::Rest => "REST",
            Listener::Grpc => "gRPC",
        }
    }

    fn var(self, service: ServiceName) -> String {
        match self {
            Listener::Rest => service.rest_addr_var(),
            Listener::Grpc => service.grpc_addr_var(),
        }
    }
}

/// Binds the configured REST and gRPC addresses of `service`; a failure is a
/// [`StartupError`] naming the port and its variable.
pub async fn bind(
    service: ServiceName,
    rest: SocketAddr,
    grpc: SocketAddr,
) -> anyhow::Result<(TcpListener, TcpListener)> {
    let r = bind_one(service, Listener::Rest, rest).await?;
    let g = bind_one(service, Listener::Grpc, grpc).await?;
    Ok((r, g))
}

async fn bind_one(
    service: ServiceName,
    which: Listener,
    addr: SocketAddr,
) -> Result<TcpListener, StartupError> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| bind_failure(service, which, addr, &e))
}

/// The one-line answer to a failed bind of `addr`, the `which` listener of `service`.
pub fn bind_failure(
    service: ServiceName,
    which: Listener,
    addr: SocketAddr,
    err: &std::io::Error,
) -> StartupError {
    let var = which.var(service);
    let port = addr.port();
    let what = format!("{service} {}, {var}={addr}", which.label());
    StartupError::new(match err.kind() {
        ErrorKind::AddrInUse => {
            let example = port
                .checked_add(10000)
                .map(|p| format!(", e.g. {}", SocketAddr::new(addr.ip(), p)))
                .unwrap_or_default();
            format!(
                "port {port} ({what}) is already in use: stop the program listening there \
                 (often an earlier motcua; `ss -ltnp 'sport = :{port}'` names it) or set {var} \
                 to a free address{example}"
            )
        }
        ErrorKind::PermissionDenied => format!(
            "cannot listen on port {port} ({what}): permission denied (ports below 1024 need \
             privileges); set {var} to a port above 1023, e.g. {}",
            SocketAddr::new(addr.ip(), which_default_port(service, which))
        ),
        ErrorKind::AddrNotAvailable => format!(
            "cannot listen on {addr} ({what}): {} is not an address of this machine; set {var} \
             to one of its addresses, or 0.0.0.0:{port} for all of them",
            addr.ip()
        ),
        _ => format!("cannot listen on {addr} ({what}): {err}; set {var} to another address"),
    })
}

fn which_default_port(service: ServiceName, which: Listener) -> u16 {
    match which {
        Listener::Rest => service.default_rest_port(),
        Listener::Grpc => service.default_grpc_port(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_names_the_port_its_variable_and_the_fix() {
        let addr: SocketAddr = "0.0.0.0:8081".parse().unwrap();
        let err = std::io::Error::from(ErrorKind::AddrInUse);
        let e = bind_failure(ServiceName::Catalogue, Listener::Rest, addr, &err);
        assert_eq!(
            e.line(),
            "port 8081 (catalogue REST, MOTCUA_CATALOGUE_REST_ADDR=0.0.0.0:8081) is already in \
             use: stop the program listening there (often an earlier motcua; `ss -ltnp 'sport \
             = :8081'` names it) or set MOTCUA_CATALOGUE_REST_ADDR to a free address, e.g. \
             0.0.0.0:18081"
        );
    }

    #[test]
    fn a_privileged_port_and_a_foreign_address_say_what_to_set() {
        let denied = std::io::Error::from(ErrorKind::PermissionDenied);
        let e = bind_failure(
            ServiceName::Intake,
            Listener::Grpc,
            "0.0.0.0:90".parse().unwrap(),
            &denied,
        );
        assert!(e.line().contains("MOTCUA_INTAKE_GRPC_ADDR"), "{e}");
        assert!(e.line().ends_with("e.g. 0.0.0.0:9082"), "{e}");
        let foreign = std::io::Error::from(ErrorKind::AddrNotAvailable);
        let e = bind_failure(
            ServiceName::Workflow,
            Listener::Rest,
            "10.9.9.9:8083".parse().unwrap(),
            &foreign,
        );
        assert!(
            e.line()
                .contains("10.9.9.9 is not an address of this machine"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn binding_a_taken_port_fails_with_that_line() {
        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = taken.local_addr().unwrap();
        let free: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let err = bind(ServiceName::Reporting, free, addr).await.unwrap_err();
        let line = err
            .downcast_ref::<StartupError>()
            .unwrap()
            .line()
            .to_string();
        assert!(
            line.starts_with(&format!(
                "port {} (reporting gRPC, MOTCUA_REPORTING_GRPC_ADDR={addr}) is already in use",
                addr.port()
            )),
            "{line}"
        );
    }
}
