//! The address of the client whose request is being served (địa chỉ nguồn), available to any
//! code that runs inside it, so the audit trail can record where a change came from without
//! threading the address through every function. Set by `motcua-server` next to the request id.

use std::future::Future;
use std::net::IpAddr;

tokio::task_local! {
    static CLIENT_ADDR: IpAddr;
}

/// Runs `fut` with `addr` as the current client address.
pub async fn scope<F: Future>(addr: IpAddr, fut: F) -> F::Output {
    CLIENT_ADDR.scope(addr, fut).await
}

/// The current client address, if the code runs inside [`scope`].
pub fn current() -> Option<IpAddr> {
    CLIENT_ADDR.try_with(|a| *a).ok()
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_client_address_is_visible_inside_its_scope_only() {
        assert_eq!(super::current(), None);
        let addr: std::net::IpAddr = "203.0.113.7".parse().unwrap();
        let seen = super::scope(addr, async { super::current() }).await;
        assert_eq!(seen, Some(addr));
    }
}
