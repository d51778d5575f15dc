//! `docs/security.md`'s matrix, rendered from the table: one REST and one gRPC table per
//! service, a column per role. A test fails when the file's part between the markers differs
//! (`MOTCUA_BLESS=1 cargo test -p motcua-auth` rewrites it).

use super::{Access, GRPC, REST, Service};
use crate::Role;

/// The roles, in the columns' order.
const ROLES: [Role; 10] = [
    Role::Citizen,
    Role::Portal,
    Role::OneStopOfficer,
    Role::Specialist,
    Role::AgencyHead,
    Role::SectorSystem,
    Role::CatalogueAdmin,
    Role::Inspector,
    Role::Admin,
    Role::Service,
];

/// Where the table and `shared/api.md` (or the code before the gate) differed, and what was
/// decided.
const NOTES: &str = "\
Where `shared/api.md` and the code before this table differed:

- `POST /api/v1/dossiers` is open to every person's role: the one-stop rule decides by role and
  channel, and an attempt from anyone else is refused `403 intake_outside_one_stop` *and recorded*
  for inspectors (a refusal at the gate would record nothing).
- `GET /api/v1/dossiers/{code}`: admins read any dossier as inspectors do (api.md names
  inspectors); kept.
- `GET /api/v1/dossiers/{code}/receipt`: api.md names no roles; who reads the dossier (the
  handler asked workflow for no path before: staff on the path got `404`; now they read it).
- Refusal, withdrawal, financial obligation and payment, result return, the applicant's
  supplement: api.md names no roles; the table follows `docs/architecture.md` (Who may do what).
- `POST /api/v1/dossiers/{code}/rating` (api.md: the applicant): every role reached the handler
  and anyone but the applicant got `403 dossier_not_allowed`; now another role gets
  `403 role_not_allowed` and a citizen who is not its applicant `404 dossier_not_found`.
- Workflow's case, control slip and extension and reporting's dossier view answered
  `403 agency_not_allowed` for a dossier of another agency; intake's actions
  `403 dossier_action_not_allowed` to any caller not allowed: now a caller who may not see the
  dossier gets the answer of an unknown code (`404`); one who sees it but may not take the action
  still gets `403 dossier_action_not_allowed` (or `extension_not_allowed`).
- The overdue list and the reports: admins as inspectors (api.md names inspectors).
- api.md's sector connectors (`/api/v1/subscriptions`, `/api/v1/dead-letters`,
  `motcua.connector.v1.SectorConnector`) are not built: not in the table, so refused if served.
- `service` is internal: only motcua services carry it, on gRPC, with tokens minted per call.
";

fn roles_cells(access: Access) -> String {
    ROLES
        .iter()
        .map(|r| match access {
            Access::Public => "·",
            Access::Roles(allowed) if allowed.contains(r) => "✓",
            Access::Roles(_) => "",
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn header(first: &str, last: &str) -> String {
    let roles: Vec<String> = ROLES.iter().map(|r| format!("`{}`", r.as_str())).collect();
    let cols = 2 + ROLES.len() + usize::from(!last.is_empty());
    let mut out = format!("| {first} | public | {} | scope", roles.join(" | "));
    if !last.is_empty() {
        out.push_str(&format!(" | {last}"));
    }
    out.push_str(" |\n|");
    out.push_str(&"---|".repeat(cols + 1));
    out.push('\n');
    out
}

fn public_cell(access: Access) -> &'static str {
    match access {
        Access::Public => "✓",
        Access::Roles(_) => "",
    }
}

fn section(out: &mut String, service: Service) {
    out.push_str(&format!("\n### {}\n\n", service.as_str()));
    let routes: Vec<_> = REST.iter().filter(|r| r.service == service).collect();
    if !routes.is_empty() {
        out.push_str(&header("REST", "another agency"));
        for r in routes {
            out.push_str(&format!(
                "| `{} {}` | {} | {} | {} | {} |\n",
                r.method,
                r.path,
                public_cell(r.access),
                roles_cells(r.access),
                r.scope,
                r.foreign.as_str()
            ));
        }
        out.push('\n');
    }
    let methods: Vec<_> = GRPC.iter().filter(|m| m.service == service).collect();
    if !methods.is_empty() {
        out.push_str(&header("gRPC", ""));
        for m in methods {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                m.path,
                public_cell(m.access),
                roles_cells(m.access),
                m.scope
            ));
        }
    }
}

/// The part of `docs/security.md` between `<!-- matrix:begin -->` and `<!-- matrix:end -->`.
pub fn render_markdown() -> String {
    let mut out = String::from(
        "\n## Who may call what (generated)\n\n\
         Generated from `crates/motcua-auth/src/matrix/table.rs` (a test fails when this part\n\
         differs; `MOTCUA_BLESS=1 cargo test -p motcua-auth` rewrites it). The gate of\n\
         `motcua-server` (`crates/motcua-server/src/gate.rs`) applies it before any handler runs:\n\
         no token or one that does not verify → `401 unauthorized` (gRPC `UNAUTHENTICATED`); a\n\
         role not marked → `403 role_not_allowed` (gRPC `PERMISSION_DENIED`); a route missing\n\
         from the table → refused the same way. A `HEAD` is its `GET`. *scope* is what the\n\
         handler then checks on the object; *another agency* is what a caller with an allowed\n\
         role but acting for another agency gets (`404 as unknown`: the very answer of a code\n\
         that does not exist, so a dossier code's existence is never revealed).\n\n\
         ✓ allowed · `·` anyone (public).\n",
    );
    for service in Service::ALL {
        section(&mut out, service);
    }
    out.push('\n');
    out.push_str(NOTES);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEGIN: &str = "<!-- matrix:begin -->";
    const END: &str = "<!-- matrix:end -->";

    /// `have` with its part between the markers replaced by `part` (markers added at the end
    /// when missing).
    fn with_part(have: &str, part: &str) -> String {
        match (have.find(BEGIN), have.find(END)) {
            (Some(b), Some(e)) if b < e => {
                format!("{}{BEGIN}{part}{END}{}", &have[..b], &have[e + END.len()..])
            }
            _ => {
                let head = if have.is_empty() {
                    "# Security\n\n"
                } else {
                    have
                };
                format!("{}\n{BEGIN}{part}{END}\n", head.trim_end())
            }
        }
    }

    #[test]
    fn docs_security_md_has_the_matrix() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/security.md");
        let have = std::fs::read_to_string(path).unwrap_or_default();
        let want = with_part(&have, &render_markdown());
        if std::env::var_os("MOTCUA_BLESS").is_some() {
            std::fs::write(path, &want).expect("write docs/security.md");
            return;
        }
        assert!(
            have == want,
            "docs/security.md's matrix differs from the table: run MOTCUA_BLESS=1 cargo test -p motcua-auth"
        );
    }

    #[test]
    fn every_route_has_a_row() {
        let md = render_markdown();
        for r in REST {
            assert!(md.contains(&format!("`{} {}`", r.method, r.path)));
        }
        for m in GRPC {
            assert!(md.contains(&format!("`{}`", m.path)));
        }
    }
}
