//! Who may send which events (nguồn sự kiện): a receiver accepts an event only from the
//! service that owns its type ([`motcua_events::producer`]), authenticated by a service token
//! signed with that service's own key. A token of one service therefore cannot inject
//! another's events: reporting cannot announce `case.completed`, workflow cannot forge
//! `dossier.received`.

use motcua_auth::{Caller, Role, require_grpc};
use motcua_problem::{Problem, codes};
use motcua_proto::common::v1::Event;

/// The calling service of a `DeliverEvent(s)` request, when it may send every one of
/// `events`; else `PERMISSION_DENIED` with `event_not_allowed` naming the first event refused.
pub fn accept_from<'a, T>(
    req: &tonic::Request<T>,
    events: impl IntoIterator<Item = &'a Event>,
) -> Result<(), tonic::Status> {
    let caller = require_grpc(req, &[Role::Service])?;
    check(caller, events).map_err(tonic::Status::from)
}

/// The rule without the request: every event's type is owned by the calling service, and its
/// `source` names that service (a type this version does not know only needs the latter).
pub fn check<'a>(
    caller: &Caller,
    events: impl IntoIterator<Item = &'a Event>,
) -> Result<(), Problem> {
    let service = caller.service().unwrap_or_default();
    for e in events {
        let owner = motcua_events::producer(&e.r#type);
        if owner.is_some_and(|o| o != service) || e.source != service {
            return Err(Problem::new(
                &codes::EVENT_NOT_ALLOWED,
                format!(
                    "event {} of type {} (source {:?}, owned by {}) cannot come from service {service:?}",
                    e.id,
                    e.r#type,
                    e.source,
                    owner.unwrap_or("its source")
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(name: &str) -> Caller {
        Caller {
            sub: format!("svc:{name}"),
            roles: vec![Role::Service],
            agency: None,
            sector: None,
            id_number: None,
        }
    }

    fn event(t: &str, source: &str) -> Event {
        Event {
            id: "0190a0b0-0000-7000-8000-000000000001".into(),
            r#type: t.into(),
            source: source.into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_owner_of_a_type_may_send_it() {
        let e = event("dossier.received", "intake");
        assert!(check(&service("intake"), [&e]).is_ok());
        let c = event("case.opened", "workflow");
        assert!(check(&service("workflow"), [&c]).is_ok());
    }

    #[test]
    fn another_service_cannot_send_it_even_naming_the_owner_as_source() {
        let forged = event("dossier.received", "intake");
        let err = check(&service("reporting"), [&forged]).unwrap_err();
        assert_eq!(err.code, codes::EVENT_NOT_ALLOWED.code);
        let own_source = event("case.completed", "intake");
        assert!(check(&service("intake"), [&own_source]).is_err());
    }

    #[test]
    fn an_unknown_type_is_accepted_only_with_the_callers_own_source() {
        assert!(check(&service("intake"), [&event("payment.confirmed", "intake")]).is_ok());
        assert!(
            check(
                &service("intake"),
                [&event("payment.confirmed", "workflow")]
            )
            .is_err()
        );
    }

    #[test]
    fn a_user_with_every_role_is_no_service() {
        let mut user = service("intake");
        user.roles = vec![Role::Admin];
        assert!(check(&user, [&event("dossier.received", "intake")]).is_err());
    }
}
