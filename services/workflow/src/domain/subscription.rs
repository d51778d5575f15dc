//! Webhook subscriptions (đăng ký nhận sự kiện) of sector systems, agency heads and admins:
//! who owns one (the caller, with its agency and, for a sector system, its sector; an admin's
//! is province-wide), what a valid one names (an absolute `http`/`https` URL, known event
//! types), its secret (`whsec_` and the base64 of 32 random bytes, shown once), who may see,
//! delete or rotate it (its owner; an admin any), and what the audit trail records of it
//! (never the secret). Pure: the randomness comes in as bytes.

use super::webhook::EventType;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use motcua_audit::{Actor, AuditEntry};
use motcua_auth::{Caller, Role};
use motcua_calendar::local_rfc3339 as rfc3339;
use motcua_problem::{FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The longest URL accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// The prefix of a secret as shown (Standard Webhooks).
pub const SECRET_PREFIX: &str = "whsec_";

/// Subscribing: where to deliver and which events.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"url": "https://land.example.vn/motcua/hooks", "event_types": ["task.created", "task.cancelled"]}))]
pub struct SubscriptionRequest {
    /// An absolute `http` or `https` URL the deliveries are POSTed to.
    #[schema(max_length = 2000)]
    pub url: String,
    /// At least one of `task.created`, `task.completed`, `task.near_due`, `task.overdue`,
    /// `task.deadline_moved`, `task.cancelled`, `task.reassigned`.
    pub event_types: Vec<String>,
}

/// A webhook signing secret: the key bytes, shown as `whsec_<base64>`, stored as the base64.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// The secret of these (random) key bytes.
    pub fn of(key: &[u8; 32]) -> Self {
        Self(B64.encode(key))
    }

    /// As stored: the base64 of the key bytes.
    pub fn stored(&self) -> &str {
        &self.0
    }

    /// As shown to its owner, once: `whsec_<base64>`.
    pub fn shown(&self) -> String {
        format!("{SECRET_PREFIX}{}", self.0)
    }
}

/// A subscription to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSubscription {
    /// Its id.
    pub id: Uuid,
    /// Who owns it (the caller's `sub`).
    pub owner_sub: String,
    /// Its agency; `None` for an admin's (every agency).
    pub agency: Option<String>,
    /// Its sector; `None`: every sector of the agency.
    pub sector: Option<String>,
    /// Where deliveries go.
    pub url: String,
    /// The event types, each once, in the order asked.
    pub event_types: Vec<EventType>,
    /// Its signing secret.
    pub secret: Secret,
    /// When (the service clock).
    pub created_at: OffsetDateTime,
}

/// A subscription as its owner (or an admin) sees it: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SubscriptionView {
    /// Its id.
    pub id: Uuid,
    /// Where deliveries go.
    pub url: String,
    /// The event types.
    pub event_types: Vec<String>,
    /// The agency whose steps it follows; null: every agency (an admin's).
    pub agency: Option<String>,
    /// The sector it follows; null: every sector of the agency.
    pub sector: Option<String>,
    /// Its owner's account.
    pub owner: String,
    /// When it was made.
    #[serde(with = "motcua_calendar::province_time")]
    pub created_at: OffsetDateTime,
}

fn check_url(url: &str, errors: &mut Vec<FieldError>) {
    if url.chars().count() > MAX_URL_CHARS {
        errors.push(FieldError::new(
            "url",
            &codes::TOO_LONG,
            format!("at most {MAX_URL_CHARS} characters"),
        ));
        return;
    }
    let ok = reqwest::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    });
    if !ok {
        errors.push(FieldError::new(
            "url",
            &codes::INVALID_URL,
            "an absolute http or https URL with a host",
        ));
    }
}

fn check_types(names: &[String], errors: &mut Vec<FieldError>) -> Vec<EventType> {
    if names.is_empty() {
        errors.push(FieldError::new(
            "event_types",
            &codes::REQUIRED,
            "name at least one event type",
        ));
    }
    let mut types = Vec::new();
    for (i, n) in names.iter().enumerate() {
        match EventType::parse(n) {
            Some(t) if !types.contains(&t) => types.push(t),
            Some(_) => {}
            None => errors.push(
                FieldError::new(
                    format!("event_types[{i}]"),
                    &codes::EVENT_TYPE_UNKNOWN,
                    "not an event type offered to subscribers",
                )
                .with("event_type", n.as_str()),
            ),
        }
    }
    types
}

/// Decides a subscription of `caller` (every problem at once): owned by the caller, for its
/// agency and sector (an admin's for every agency); a staff account without an agency is
/// refused.
pub fn decide_create(
    caller: &Caller,
    req: &SubscriptionRequest,
    id: Uuid,
    key: &[u8; 32],
    now: OffsetDateTime,
) -> Result<NewSubscription, Problem> {
    let admin = caller.has(Role::Admin);
    if !admin && caller.agency.as_deref().is_none_or(str::is_empty) {
        return Err(Problem::new(
            &codes::AGENCY_NOT_ALLOWED,
            "the token names no agency whose steps to follow",
        ));
    }
    let mut errors = Vec::new();
    check_url(&req.url, &mut errors);
    let event_types = check_types(&req.event_types, &mut errors);
    if !errors.is_empty() {
        return Err(Problem::new(
            &codes::SUBSCRIPTION_INVALID,
            "the subscription is not valid",
        )
        .with_errors(errors));
    }
    Ok(NewSubscription {
        id,
        owner_sub: caller.sub.clone(),
        agency: (!admin).then(|| caller.agency.clone()).flatten(),
        sector: match admin {
            true => None,
            false if caller.has(Role::SectorSystem) => caller.sector.clone(),
            false => None,
        },
        url: req.url.clone(),
        event_types,
        secret: Secret::of(key),
        created_at: now,
    })
}

/// Whether `caller` may see, delete or rotate a subscription owned by `owner_sub`: its owner,
/// or an admin. Anyone else gets the answer of one that does not exist.
pub fn may_manage(caller: &Caller, owner_sub: &str) -> bool {
    caller.has(Role::Admin) || caller.sub == owner_sub
}

/// `404 subscription_not_found`, for an unknown subscription and another account's alike.
pub fn not_found(id: Uuid) -> Problem {
    Problem::new(
        &codes::SUBSCRIPTION_NOT_FOUND,
        format!("no subscription {id}"),
    )
}

/// The view of a new subscription.
pub fn view_of(s: &NewSubscription) -> SubscriptionView {
    SubscriptionView {
        id: s.id,
        url: s.url.clone(),
        event_types: s.event_types.iter().map(|t| t.as_str().into()).collect(),
        agency: s.agency.clone(),
        sector: s.sector.clone(),
        owner: s.owner_sub.clone(),
        created_at: s.created_at,
    }
}

/// The audit entry of `action` (`subscription.created`, `subscription.deleted`,
/// `subscription.secret_rotated`) on `s` by `caller` at `at`: what it follows, never the secret.
pub fn audited(
    caller: &Caller,
    action: &str,
    s: &SubscriptionView,
    at: OffsetDateTime,
) -> AuditEntry {
    let summary = json!({
        "url": s.url, "event_types": s.event_types, "agency": s.agency, "sector": s.sector,
        "owner": s.owner, "created_at": rfc3339(s.created_at),
    });
    let (before, after) = match action {
        "subscription.created" => (None, Some(summary)),
        "subscription.deleted" => (Some(summary), None),
        _ => (Some(summary.clone()), Some(summary)),
    };
    AuditEntry {
        actor: Actor::of(caller),
        action: action.into(),
        target: format!("subscription:{}", s.id),
        at,
        before,
        after,
    }
}

/// The audit entry of a dead delivery replayed by `caller` at `at` (`before`: its attempts and
/// last error).
pub fn replayed(
    caller: &Caller,
    id: Uuid,
    before: serde_json::Value,
    at: OffsetDateTime,
) -> AuditEntry {
    AuditEntry {
        actor: Actor::of(caller),
        action: "webhook.replayed".into(),
        target: format!("webhook_delivery:{id}"),
        at,
        before: Some(before),
        after: Some(json!({"state": "pending", "attempts": 0})),
    }
}

/// Rows per page of the subscriptions and dead letters.
pub const PAGE: i64 = 100;

/// A page of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next_cursor` of the previous page (opaque).
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The position after which the page starts; a cursor not from this API is `422`.
    pub fn after(&self) -> Result<Option<Uuid>, Problem> {
        self.cursor
            .as_deref()
            .map(|c| {
                Uuid::parse_str(c).map_err(|_| {
                    Problem::new(&codes::INVALID_QUERY, "cursor: not from this API").with_errors(
                        vec![FieldError::new(
                            "cursor",
                            &codes::INVALID_VALUE,
                            "not from this API",
                        )],
                    )
                })
            })
            .transpose()
    }
}

/// A page of `rows` read with one row more than [`PAGE`], and the cursor of the next page.
pub fn paged<T>(mut rows: Vec<T>, id: impl Fn(&T) -> Uuid) -> (Vec<T>, Option<String>) {
    let more = rows.len() > usize::try_from(PAGE).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(PAGE).unwrap_or(usize::MAX));
    let next = more
        .then(|| rows.last().map(|r| id(r).to_string()))
        .flatten();
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{JUSTICE, caller};
    use time::macros::datetime;

    fn req(url: &str, types: &[&str]) -> SubscriptionRequest {
        SubscriptionRequest {
            url: url.into(),
            event_types: types.iter().map(|t| t.to_string()).collect(),
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-11-27 09:00 +7);

    #[test]
    fn a_sector_system_subscribes_for_its_agency_and_sector_with_a_secret_shown_once() {
        let mut c = caller("land-1", &[Role::SectorSystem], JUSTICE);
        c.sector = Some("justice".into());
        let r = req(
            "https://land.example.vn/hooks",
            &["task.created", "task.created"],
        );
        let s = decide_create(&c, &r, Uuid::nil(), &[7; 32], NOW).unwrap();
        assert_eq!(
            (s.agency.as_deref(), s.sector.as_deref()),
            (Some(JUSTICE), Some("justice"))
        );
        assert_eq!(s.event_types, [EventType::TaskCreated]);
        assert!(s.secret.shown().starts_with("whsec_"));
        assert_eq!(B64.decode(s.secret.stored()).unwrap(), [7; 32]);
        assert!(
            !format!("{s:?}").contains(s.secret.stored()),
            "never in logs"
        );
        let e = audited(&c, "subscription.created", &view_of(&s), NOW);
        assert!(
            !serde_json::to_string(&e.after)
                .unwrap()
                .contains(s.secret.stored())
        );
    }

    #[test]
    fn an_admins_subscription_is_province_wide() {
        let c = caller("root", &[Role::Admin], JUSTICE);
        let s = decide_create(
            &c,
            &req("http://10.0.0.5:8080/h", &["task.overdue"]),
            Uuid::nil(),
            &[0; 32],
            NOW,
        )
        .unwrap();
        assert_eq!((s.agency, s.sector), (None, None));
    }

    #[test]
    fn a_bad_url_and_unknown_event_types_are_all_named_at_once() {
        let c = caller("head", &[Role::AgencyHead], JUSTICE);
        for url in ["ftp://x.example/h", "/relative", "https://", "not a url"] {
            let p = decide_create(
                &c,
                &req(url, &["task.created", "task.eaten", "dossier.received"]),
                Uuid::nil(),
                &[0; 32],
                NOW,
            )
            .unwrap_err();
            assert_eq!(p.code, "subscription_invalid");
            let fields: Vec<_> = p
                .errors
                .iter()
                .map(|e| (e.field.as_str(), e.code.as_str()))
                .collect();
            assert_eq!(
                fields,
                [
                    ("url", "invalid_url"),
                    ("event_types[1]", "event_type_unknown"),
                    ("event_types[2]", "event_type_unknown")
                ],
                "{url}"
            );
        }
        let p = decide_create(
            &c,
            &req("https://a.example", &[]),
            Uuid::nil(),
            &[0; 32],
            NOW,
        )
        .unwrap_err();
        assert_eq!(p.errors[0].field, "event_types");
    }

    #[test]
    fn staff_without_an_agency_cannot_subscribe_and_only_owners_and_admins_manage() {
        let mut c = caller("head", &[Role::AgencyHead], JUSTICE);
        c.agency = None;
        let p = decide_create(
            &c,
            &req("https://a.example", &["task.created"]),
            Uuid::nil(),
            &[0; 32],
            NOW,
        )
        .unwrap_err();
        assert_eq!(p.code, "agency_not_allowed");
        assert!(may_manage(&caller("a", &[Role::AgencyHead], JUSTICE), "a"));
        assert!(!may_manage(&caller("b", &[Role::AgencyHead], JUSTICE), "a"));
        assert!(may_manage(&caller("root", &[Role::Admin], JUSTICE), "a"));
    }
}
