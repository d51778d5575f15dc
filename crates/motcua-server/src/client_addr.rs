//! The client's address (địa chỉ máy khách) as far as a service can believe it: the peer of the
//! connection, unless that peer is a configured trusted proxy (`MOTCUA_TRUSTED_PROXIES`); then
//! the right-most address of `X-Forwarded-For` that is not itself a trusted proxy. Entries left
//! of it were written by the client and prove nothing, so they are never used: a client cannot
//! pick the address its quota is counted against.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use motcua_config::TrustedProxies;
use motcua_problem::Problem;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The client's address, for quotas and records (an extractor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The trusted proxies, handed to [`ClientAddr`] by the platform's router.
#[derive(Clone, Debug, Default)]
pub(crate) struct Proxies(pub(crate) Arc<TrustedProxies>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let Some(ip) = of_request(&parts.extensions, &parts.headers) else {
            tracing::error!("no peer address: the server was not started with connect info");
            return Err(Problem::internal());
        };
        Ok(Self(ip))
    }
}

/// The client of a request from its extensions (peer, trusted proxies) and headers; `None`
/// when the server was not started with connect info. The request layer records it for the
/// audit trail (`motcua_telemetry::client_addr`).
pub(crate) fn of_request(
    extensions: &http::Extensions,
    headers: &http::HeaderMap,
) -> Option<IpAddr> {
    let ConnectInfo(peer) = extensions.get::<ConnectInfo<SocketAddr>>()?;
    let proxies = extensions.get::<Proxies>().cloned().unwrap_or_default();
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    Some(client_address(peer.ip(), forwarded, &proxies.0))
}

/// The client behind `peer`: `peer` itself unless it is trusted; else, reading the
/// `X-Forwarded-For` values (in header order) from the right, the first address that is not a
/// trusted proxy. An entry that is not an address ends the walk at the last trusted hop, as
/// does the start of the list.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded: impl Iterator<Item = &'a str>,
    trusted: &TrustedProxies,
) -> IpAddr {
    let mut client = peer.to_canonical();
    if !trusted.contains(client) {
        return client;
    }
    let hops: Vec<&str> = forwarded.flat_map(|h| h.split(',')).collect();
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop.trim()) else {
            return client;
        };
        client = ip;
        if !trusted.contains(ip) {
            return ip;
        }
    }
    client
}

/// An address as proxies write it: `203.0.113.7`, `2001:db8::1`, or with a port
/// (`203.0.113.7:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn client(peer: &str, headers: &[&str], trusted: &str) -> IpAddr {
        let t = TrustedProxies::parse(trusted).unwrap();
        client_address(ip(peer), headers.iter().copied(), &t)
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
        assert_eq!(
            client("198.51.100.1", &["203.0.113.9"], ""),
            ip("198.51.100.1")
        );
        assert_eq!(
            client("198.51.100.1", &["203.0.113.9"], "10.0.0.0/8"),
            ip("198.51.100.1"),
            "an untrusted peer's header is ignored"
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_address_is_the_client() {
        let trusted = "10.0.0.0/8";
        // The client wrote a fake first entry; the proxy appended the real one.
        assert_eq!(
            client("10.0.0.2", &["1.2.3.4, 203.0.113.9"], trusted),
            ip("203.0.113.9")
        );
        // Two proxies, the header split over two lines.
        assert_eq!(
            client("10.0.0.2", &["1.2.3.4, 203.0.113.9", "10.0.0.3"], trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client("10.0.0.2", &["[2001:db8::7]:4711"], trusted),
            ip("2001:db8::7")
        );
        assert_eq!(
            client("::ffff:10.0.0.2", &["203.0.113.9:80"], trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_missing_or_garbled_header_leaves_the_last_trusted_hop() {
        let trusted = "10.0.0.0/8";
        assert_eq!(client("10.0.0.2", &[], trusted), ip("10.0.0.2"));
        assert_eq!(client("10.0.0.2", &["10.0.0.5"], trusted), ip("10.0.0.5"));
        assert_eq!(
            client("10.0.0.2", &["203.0.113.9, garbage, 10.0.0.5"], trusted),
            ip("10.0.0.5")
        );
    }
}
