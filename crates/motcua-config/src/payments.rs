//! Online payment of the financial obligation (thanh toán trực tuyến nghĩa vụ tài chính,
//! `docs/payments.md`): the payment gateway motcua holds a merchant account with — its payment
//! page, the merchant id, the shared secret both sides sign with — and how long a payment order
//! (lệnh thanh toán) may stay unpaid.

use crate::{ConfigError, Env};
use std::time::Duration;

/// The payment settings: the gateway when one is configured, and the orders' lifetime.
#[derive(Debug, Clone)]
pub struct PaymentConfig {
    /// The gateway; `None` when `MOTCUA_PAYMENT_GATEWAY_URL`, `MOTCUA_PAYMENT_MERCHANT_ID` and
    /// `MOTCUA_PAYMENT_SECRET` are all unset (the payment endpoints then answer
    /// `503 payment_gateway_not_configured`).
    pub gateway: Option<PaymentGateway>,
    /// How long a payment order may be paid (`MOTCUA_PAYMENT_ORDER_TTL_MINUTES`, default 15, at
    /// most a week).
    pub order_ttl: Duration,
}

/// A payment gateway in the style of the national payment platform (cổng thanh toán).
#[derive(Clone)]
pub struct PaymentGateway {
    /// The gateway's payment page (`MOTCUA_PAYMENT_GATEWAY_URL`): the applicant's browser is
    /// sent there with the order's signed parameters.
    pub url: String,
    /// motcua's merchant id at the gateway (`MOTCUA_PAYMENT_MERCHANT_ID`).
    pub merchant_id: String,
    /// The secret shared with the gateway (`MOTCUA_PAYMENT_SECRET`): it keys the HMAC-SHA256 of
    /// the orders motcua sends and of the notifications the gateway sends back. Never logged.
    pub secret: String,
    /// Where the gateway sends the applicant's browser after paying
    /// (`MOTCUA_PAYMENT_RETURN_URL`, optional; `{code}` is replaced by the dossier code).
    pub return_url: Option<String>,
}

impl std::fmt::Debug for PaymentGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentGateway")
            .field("url", &self.url)
            .field("merchant_id", &self.merchant_id)
            .field("secret", &"<redacted>")
            .field("return_url", &self.return_url)
            .finish()
    }
}

/// The longest lifetime of a payment order: a week.
const MAX_TTL_MINUTES: u64 = 7 * 24 * 60;

const VARS: [&str; 3] = [
    "MOTCUA_PAYMENT_GATEWAY_URL",
    "MOTCUA_PAYMENT_MERCHANT_ID",
    "MOTCUA_PAYMENT_SECRET",
];

impl PaymentConfig {
    /// Reads the payment settings: the gateway's three variables all set or all unset (a
    /// partial set is refused naming the first missing one), a lifetime of a minute to a week.
    pub fn from_env(env: &Env<'_>) -> Result<Self, ConfigError> {
        let minutes: u64 = env.parse("MOTCUA_PAYMENT_ORDER_TTL_MINUTES", 15)?;
        if !(1..=MAX_TTL_MINUTES).contains(&minutes) {
            return Err(ConfigError {
                var: "MOTCUA_PAYMENT_ORDER_TTL_MINUTES".into(),
                reason: format!("use 1 to {MAX_TTL_MINUTES} minutes (a week)"),
            });
        }
        let values: Vec<Option<String>> = VARS.iter().map(|v| env.get(v)).collect();
        let gateway = match values.as_slice() {
            [Some(url), Some(merchant_id), Some(secret)] => Some(PaymentGateway {
                url: url.trim().to_string(),
                merchant_id: merchant_id.trim().to_string(),
                secret: secret.clone(),
                return_url: env.get("MOTCUA_PAYMENT_RETURN_URL"),
            }),
            [None, None, None] => None,
            _ => {
                let missing = VARS.iter().zip(&values).find(|(_, v)| v.is_none());
                return Err(ConfigError {
                    var: missing
                        .map(|(var, _)| (*var).to_string())
                        .unwrap_or_default(),
                    reason: "set the payment gateway's URL, merchant id and secret together".into(),
                });
            }
        };
        if let Some(g) = &gateway
            && !(g.url.starts_with("http://") || g.url.starts_with("https://"))
        {
            return Err(ConfigError {
                var: VARS[0].into(),
                reason: format!("{:?} is not an http(s) URL", g.url),
            });
        }
        Ok(Self {
            gateway,
            order_ttl: Duration::from_secs(minutes * 60),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<PaymentConfig, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        PaymentConfig::from_env(&Env::from_fn(|k| map.get(k).cloned()))
    }

    #[test]
    fn a_gateway_is_configured_whole_or_not_at_all() {
        let none = read(&[]).unwrap();
        assert!(none.gateway.is_none());
        assert_eq!(none.order_ttl, Duration::from_secs(900));
        let partial = read(&[("MOTCUA_PAYMENT_GATEWAY_URL", "http://pay.example/pay")]);
        assert_eq!(partial.unwrap_err().var, "MOTCUA_PAYMENT_MERCHANT_ID");
        let whole = read(&[
            ("MOTCUA_PAYMENT_GATEWAY_URL", "http://pay.example/pay"),
            ("MOTCUA_PAYMENT_MERCHANT_ID", "MOTCUA01"),
            ("MOTCUA_PAYMENT_SECRET", "shared-secret-value"),
            ("MOTCUA_PAYMENT_ORDER_TTL_MINUTES", "1"),
        ])
        .unwrap();
        let g = whole.gateway.unwrap();
        assert_eq!(g.merchant_id, "MOTCUA01");
        assert_eq!(whole.order_ttl, Duration::from_secs(60));
        assert!(
            !format!("{g:?}").contains("shared-secret-value"),
            "the secret is never printed"
        );
    }

    #[test]
    fn a_lifetime_out_of_range_or_a_bad_url_is_refused_by_name() {
        for minutes in ["0", "10081", "18446744073709551615"] {
            let refused = read(&[("MOTCUA_PAYMENT_ORDER_TTL_MINUTES", minutes)]).unwrap_err();
            assert_eq!(refused.var, "MOTCUA_PAYMENT_ORDER_TTL_MINUTES", "{minutes}");
        }
        let bad = read(&[
            ("MOTCUA_PAYMENT_GATEWAY_URL", "pay.example"),
            ("MOTCUA_PAYMENT_MERCHANT_ID", "M"),
            ("MOTCUA_PAYMENT_SECRET", "s"),
        ])
        .unwrap_err();
        assert_eq!(bad.var, "MOTCUA_PAYMENT_GATEWAY_URL");
    }
}
