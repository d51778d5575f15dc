//! The `x-request-id` of the request being served, available to any code that runs inside it
//! (so outgoing gRPC calls can forward it without threading it through every function).

use std::future::Future;

/// Header (and gRPC metadata key) that carries the request id.
pub const X_REQUEST_ID: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `fut` with `id` as the current request id.
pub async fn scope<F: Future>(id: String, fut: F) -> F::Output {
    REQUEST_ID.scope(id, fut).await
}

/// The current request id, if the code runs inside [`scope`].
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(|id| id.clone()).ok()
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_request_id_is_visible_inside_its_scope_only() {
        assert_eq!(super::current(), None);
        let seen = super::scope("abc".into(), async { super::current() }).await;
        assert_eq!(seen.as_deref(), Some("abc"));
    }
}
