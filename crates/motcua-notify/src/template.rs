//! Notice templates (mẫu thông báo), kept as files under `templates/` so that wording is
//! changed without touching code; `{{name}}` placeholders, every one of which must be given.

use crate::Channel;

/// A notice's template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// Dossier received: code and appointment (form 01 in short).
    Receipt,
    /// Supplement requested: every item and the deadline (form 02 in short).
    SupplementRequested,
    /// Apology and new appointment (form 04 in short).
    Apology,
    /// Handling stopped (form 05 in short).
    Stopped,
    /// The result is ready at the one-stop.
    ResultReady,
    /// To an agency head: a step or dossier is near its deadline.
    NearDue,
    /// To an agency head: a step or dossier is past its deadline.
    Overdue,
}

impl Template {
    /// Every template.
    pub const ALL: [Template; 7] = [
        Self::Receipt,
        Self::SupplementRequested,
        Self::Apology,
        Self::Stopped,
        Self::ResultReady,
        Self::NearDue,
        Self::Overdue,
    ];

    /// The stored name (and the file's stem).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Receipt => "receipt",
            Self::SupplementRequested => "supplement_requested",
            Self::Apology => "apology",
            Self::Stopped => "stopped",
            Self::ResultReady => "result_ready",
            Self::NearDue => "near_due",
            Self::Overdue => "overdue",
        }
    }

    fn source(self, channel: Channel) -> &'static str {
        macro_rules! files {
            ($($t:ident => $name:literal),* $(,)?) => {
                match (self, channel) {
                    $(
                        (Self::$t, Channel::Email) => include_str!(concat!("../templates/", $name, ".email.txt")),
                        (Self::$t, Channel::Sms) => include_str!(concat!("../templates/", $name, ".sms.txt")),
                    )*
                }
            };
        }
        files!(
            Receipt => "receipt",
            SupplementRequested => "supplement_requested",
            Apology => "apology",
            Stopped => "stopped",
            ResultReady => "result_ready",
            NearDue => "near_due",
            Overdue => "overdue",
        )
    }
}

/// A template that could not be filled.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RenderError {
    /// A placeholder had no value.
    #[error("template {template}: no value for {{{{{name}}}}}")]
    Missing {
        /// Template name.
        template: &'static str,
        /// Placeholder.
        name: String,
    },
    /// A `{{` without its `}}`.
    #[error("template {0}: unclosed placeholder")]
    Unclosed(&'static str),
}

/// Fills a template: `(subject, body)`. An e-mail template's first line is `Subject: …`
/// followed by a blank line; an SMS has no subject.
pub fn render(
    template: Template,
    channel: Channel,
    values: &[(&'static str, String)],
) -> Result<(String, String), RenderError> {
    let filled = fill(template, template.source(channel), values)?;
    Ok(match filled.strip_prefix("Subject: ") {
        Some(rest) => {
            let (subject, body) = rest.split_once('\n').unwrap_or((rest, ""));
            (subject.trim().to_string(), body.trim().to_string())
        }
        None => (String::new(), filled.trim().to_string()),
    })
}

fn fill(
    template: Template,
    source: &str,
    values: &[(&'static str, String)],
) -> Result<String, RenderError> {
    let mut out = String::with_capacity(source.len() + 64);
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or(RenderError::Unclosed(template.as_str()))?;
        let name = after[..end].trim();
        let value =
            values
                .iter()
                .find(|(k, _)| *k == name)
                .ok_or_else(|| RenderError::Missing {
                    template: template.as_str(),
                    name: name.to_string(),
                })?;
        out.push_str(&value.1);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Vec<(&'static str, String)> {
        [
            "code",
            "name",
            "agency",
            "procedure",
            "appointment",
            "lookup_url",
            "items",
            "item_count",
            "deadline",
            "reason",
            "step",
            "appointment_short",
            "deadline_short",
        ]
        .into_iter()
        .map(|k| (k, format!("<{k}>")))
        .collect()
    }

    #[test]
    fn every_template_renders_with_a_subject_for_email_and_none_for_sms() {
        for t in Template::ALL {
            let (subject, body) = render(t, Channel::Email, &values()).unwrap();
            assert!(subject.contains("<code>"), "{t:?} subject {subject:?}");
            assert!(!body.contains("{{") && body.contains("<code>"), "{t:?}");
            let (none, sms) = render(t, Channel::Sms, &values()).unwrap();
            assert!(none.is_empty() && sms.contains("<code>"), "{t:?}");
            assert!(sms.chars().count() <= 160, "{t:?} SMS is over one message");
            assert!(
                t.source(Channel::Sms).is_ascii(),
                "{t:?}: an SMS is plain ASCII (Vietnamese without diacritics), 160 characters a message"
            );
        }
    }

    #[test]
    fn a_missing_value_is_an_error_naming_it() {
        let err = render(Template::Receipt, Channel::Sms, &[("code", "X".into())]).unwrap_err();
        assert_eq!(
            err,
            RenderError::Missing {
                template: "receipt",
                name: "appointment_short".into()
            }
        );
    }

    #[test]
    fn vietnamese_diacritics_survive() {
        let (subject, body) = render(Template::Apology, Channel::Email, &values()).unwrap();
        assert!(subject.starts_with("Thư xin lỗi"));
        assert!(body.contains("thành thật xin lỗi"));
    }
}
