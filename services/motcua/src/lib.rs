//! The whole system in one process: the four services on their own ports, talking over real
//! gRPC on loopback. Used by `motcua up` and by the end-to-end tests; also the operator's
//! commands that need no running system (`motcua keys generate`) and how `motcua` reports the
//! error it stops on.

pub mod audit;
pub mod error_report;
pub mod keys;
pub mod local_secret;

use motcua_config::{ServiceName, Settings};
use motcua_server::{Platform, RunningService, ServiceDef};
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The four services, in start order (catalogue first: the others call it).
pub const SERVICES: [ServiceDef; 4] = [
    motcua_catalogue::DEFINITION,
    motcua_intake::DEFINITION,
    motcua_workflow::DEFINITION,
    motcua_reporting::DEFINITION,
];

/// Bound listeners of one service.
pub struct Listeners {
    /// Which service.
    pub name: ServiceName,
    /// REST listener.
    pub rest: TcpListener,
    /// gRPC listener.
    pub grpc: TcpListener,
}

/// Where `motcua up` listens for `name`: on loopback (127.0.0.1, the default port) unless the
/// operator set `MOTCUA_<SERVICE>_REST_ADDR` / `_GRPC_ADDR`. A one-command local run must not
/// be reachable from the network by accident; containers (`motcua serve`) keep `0.0.0.0`.
pub fn local_addrs(
    env: &motcua_config::Env<'_>,
    name: ServiceName,
    rest: SocketAddr,
    grpc: SocketAddr,
) -> (SocketAddr, SocketAddr) {
    let local = |var: String, addr: SocketAddr| match env.get(&var) {
        Some(_) => addr,
        None => SocketAddr::from(([127, 0, 0, 1], addr.port())),
    };
    (
        local(name.rest_addr_var(), rest),
        local(name.grpc_addr_var(), grpc),
    )
}

/// Binds every service's listeners at the given addresses.
pub async fn bind_all(
    addrs: &[(ServiceName, SocketAddr, SocketAddr)],
) -> anyhow::Result<Vec<Listeners>> {
    let mut out = Vec::new();
    for (name, rest, grpc) in addrs {
        let (r, g) = motcua_server::bind(*name, *rest, *grpc).await?;
        out.push(Listeners {
            name: *name,
            rest: r,
            grpc: g,
        });
    }
    Ok(out)
}

/// A running system.
pub struct System {
    /// The platform the services share (clock, verifier, issuer, shutdown token).
    pub platform: Platform,
    /// Each service's bound REST and gRPC addresses.
    pub addrs: Vec<(ServiceName, SocketAddr, SocketAddr)>,
    /// The running services.
    pub services: Vec<RunningService>,
}

impl System {
    /// REST base URL of a service (`http://127.0.0.1:PORT`).
    pub fn rest_url(&self, name: ServiceName) -> String {
        let (_, rest, _) = self
            .addrs
            .iter()
            .find(|(n, _, _)| *n == name)
            .copied()
            .unwrap_or_else(|| unreachable_addr(name));
        format!("http://127.0.0.1:{}", rest.port())
    }

    /// gRPC URL of a service.
    pub fn grpc_url(&self, name: ServiceName) -> String {
        let (_, _, grpc) = self
            .addrs
            .iter()
            .find(|(n, _, _)| *n == name)
            .copied()
            .unwrap_or_else(|| unreachable_addr(name));
        format!("http://127.0.0.1:{}", grpc.port())
    }
}

fn unreachable_addr(name: ServiceName) -> (ServiceName, SocketAddr, SocketAddr) {
    let zero = SocketAddr::from(([127, 0, 0, 1], 0));
    (name, zero, zero)
}

/// Starts the four services on `listeners` against `database_url`. Each service reaches the
/// others at the ports actually bound (so port 0 works).
pub async fn start_system(
    mut settings: Settings,
    listeners: Vec<Listeners>,
    database_url: &str,
    shutdown: CancellationToken,
) -> anyhow::Result<System> {
    let mut addrs = Vec::new();
    for l in &listeners {
        let grpc = l.grpc.local_addr()?;
        let url = format!("http://127.0.0.1:{}", grpc.port());
        match l.name {
            ServiceName::Catalogue => settings.peers.catalogue = url,
            ServiceName::Intake => settings.peers.intake = url,
            ServiceName::Workflow => settings.peers.workflow = url,
            ServiceName::Reporting => settings.peers.reporting = url,
        }
        addrs.push((l.name, l.rest.local_addr()?, grpc));
    }
    let platform = motcua_server::platform(settings, shutdown)?;
    let mut services = Vec::new();
    let mut listeners = listeners;
    for def in &SERVICES {
        let Some(pos) = listeners.iter().position(|l| l.name == def.name) else {
            continue;
        };
        let l = listeners.swap_remove(pos);
        services.push(motcua_server::launch(def, &platform, database_url, l.rest, l.grpc).await?);
    }
    Ok(System {
        platform,
        addrs,
        services,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_listens_on_loopback_unless_an_address_is_set() {
        let env = motcua_config::Env::from_fn(|k| {
            (k == "MOTCUA_INTAKE_REST_ADDR").then(|| "0.0.0.0:8082".to_string())
        });
        let any = |port| SocketAddr::from(([0, 0, 0, 0], port));
        let (rest, grpc) = local_addrs(&env, ServiceName::Intake, any(8082), any(9082));
        assert_eq!(rest, any(8082), "set by the operator: kept");
        assert_eq!(grpc, SocketAddr::from(([127, 0, 0, 1], 9082)));
        let (rest, _) = local_addrs(&env, ServiceName::Catalogue, any(8081), any(9081));
        assert!(rest.ip().is_loopback());
    }
}
