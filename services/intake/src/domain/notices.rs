//! Which notices a change of a dossier sends the applicant (thông báo cho người nộp hồ sơ):
//! the receipt, the supplement request with every item, the apology with the new appointment,
//! the stop, and the result ready at the one-stop — by e-mail and SMS as the applicant chose,
//! with the public lookup link and the dossier code, never the ID number. Pure.

use super::change::{DossierUpdate, NewSupplementRequest};
use super::dossier::{Applicant, Dossier, NotifyBy};
use super::status::DossierStatus;
use super::transition::Action;
use motcua_notify::{Channel, NoticeDraft, Template};

use motcua_calendar::{short_time, spoken_time};

/// Whether the applicant can be told anything (a contact on a channel they accept).
pub fn reaches(a: &Applicant) -> bool {
    !recipients(a).is_empty()
}

/// The applicant's channels with an address: their choice, else every contact they gave.
fn recipients(a: &Applicant) -> Vec<(Channel, String)> {
    let wants = |c: NotifyBy| a.notify_by.as_ref().is_none_or(|n| n.contains(&c));
    let mut out = Vec::new();
    if let Some(email) = a.email.as_ref().filter(|e| !e.trim().is_empty())
        && wants(NotifyBy::Email)
    {
        out.push((Channel::Email, email.trim().to_string()));
    }
    if let Some(phone) = a.phone.as_ref().filter(|p| !p.trim().is_empty())
        && wants(NotifyBy::Sms)
    {
        out.push((Channel::Sms, phone.trim().to_string()));
    }
    out
}

fn drafts(
    d: &Dossier,
    cause: String,
    template: Template,
    mut values: Vec<(&'static str, String)>,
    lookup_url: &str,
) -> Vec<NoticeDraft> {
    values.push(("code", d.code.clone()));
    values.push(("name", d.applicant.full_name.clone()));
    values.push(("lookup_url", lookup_url.replace("{code}", &d.code)));
    let agency = d.receipt["receiving_agency_name"]
        .as_str()
        .unwrap_or(&d.receiving_agency)
        .to_string();
    values.push(("agency", agency));
    recipients(&d.applicant)
        .into_iter()
        .map(|(channel, recipient)| NoticeDraft {
            cause: cause.clone(),
            dossier_code: Some(d.code.clone()),
            template,
            channel,
            recipient,
            values: values.clone(),
        })
        .collect()
}

/// The notices of a receipt.
pub fn on_receipt(d: &Dossier, lookup_url: &str) -> Vec<NoticeDraft> {
    let values = vec![
        (
            "procedure",
            d.receipt["procedure_name"]
                .as_str()
                .unwrap_or(&d.procedure_code)
                .to_string(),
        ),
        ("appointment", spoken_time(d.due.at)),
        ("appointment_short", short_time(d.due.at)),
    ];
    drafts(
        d,
        format!("{}:receive", d.code),
        Template::Receipt,
        values,
        lookup_url,
    )
}

fn items(r: &NewSupplementRequest) -> String {
    r.items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let defect = item
                .defect
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            format!(
                "{}. {}: {}{defect}",
                i + 1,
                item.component_code,
                item.reason
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The notice a written update causes, decided from the update alone (the dossier is read
/// back only when there is one): its cause, template and values.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingNotice {
    cause: String,
    template: Template,
    values: Vec<(&'static str, String)>,
}

impl PendingNotice {
    /// The drafts to each of the applicant's channels; `after` is the dossier as the update
    /// leaves it.
    pub fn to(self, after: &Dossier, lookup_url: &str) -> Vec<NoticeDraft> {
        drafts(after, self.cause, self.template, self.values, lookup_url)
    }
}

/// The notice a written update causes, if any.
pub fn of_update(u: &DossierUpdate) -> Option<PendingNotice> {
    let c = &u.change;
    let reason = || c.detail["reason"].as_str().unwrap_or_default().to_string();
    let (template, values) = match (c.action, c.to) {
        (Action::RequestSupplement, _) => {
            let r = u.new_supplement_request.as_ref()?;
            (
                Template::SupplementRequested,
                vec![
                    ("items", items(r)),
                    ("item_count", r.items.len().to_string()),
                    ("deadline", spoken_time(r.deadline.at)),
                    ("deadline_short", short_time(r.deadline.at)),
                ],
            )
        }
        (Action::Extend, _) => (
            Template::Apology,
            vec![
                ("reason", reason()),
                ("appointment", spoken_time(c.due.at)),
                ("appointment_short", short_time(c.due.at)),
            ],
        ),
        (_, DossierStatus::Stopped) if c.from != DossierStatus::Stopped => {
            let why = match reason().as_str() {
                "supplement_deadline_passed" => "quá hạn bổ sung hồ sơ".to_string(),
                other => other.to_string(),
            };
            (Template::Stopped, vec![("reason", why)])
        }
        (_, DossierStatus::Processed) if c.from != DossierStatus::Processed => {
            (Template::ResultReady, Vec::new())
        }
        _ => return None,
    };
    let cause = format!(
        "{}:{}:{}",
        c.code,
        c.action.as_str(),
        c.at.unix_timestamp_nanos()
    );
    Some(PendingNotice {
        cause,
        template,
        values,
    })
}

/// The notices a written update causes; `after` is the dossier as the update leaves it.
pub fn on_update(u: &DossierUpdate, after: &Dossier, lookup_url: &str) -> Vec<NoticeDraft> {
    of_update(u)
        .map(|n| n.to(after, lookup_url))
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "notices_tests.rs"]
mod tests;
