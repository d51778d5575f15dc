//! Fetching a document from outside over HTTPS (an identity provider's keys): rustls with the
//! `ring` provider already built for the database connections and the Mozilla root
//! certificates, so no system library or certificate store is needed. Plain `http://` works
//! too, for a provider inside the same network.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// The largest document accepted (a JWK set is a few kilobytes).
const MAX_BYTES: usize = 1 << 20;

/// GETs `url` and returns its body as text; a status other than 2xx, a body over 1 MiB or no
/// answer within `timeout` is an error.
pub async fn get_text(url: &str, timeout: Duration) -> Result<String, String> {
    let uri: http::Uri = url.parse().map_err(|e| format!("not a URL: {e}"))?;
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .map_err(|e| format!("TLS: {e}"))?
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(https);
    let fetch = async {
        let res = client.get(uri).await.map_err(|e| e.to_string())?;
        if !res.status().is_success() {
            return Err(format!("answered {}", res.status()));
        }
        let body = Limited::new(res.into_body(), MAX_BYTES)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        String::from_utf8(body.to_vec()).map_err(|_| "the answer is not UTF-8".to_string())
    };
    tokio::time::timeout(timeout, fetch)
        .await
        .map_err(|_| format!("no answer within {timeout:?}"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unreachable_or_malformed_addresses_are_errors_not_panics() {
        let short = Duration::from_secs(2);
        let https = get_text("https://127.0.0.1:1/jwks", short).await;
        assert!(https.is_err(), "{https:?}");
        assert!(get_text("not a url", short).await.is_err());
    }
}
