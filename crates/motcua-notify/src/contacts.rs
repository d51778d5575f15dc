//! Agency heads' contacts (đầu mối liên hệ của thủ trưởng cơ quan), read from the file named by
//! `MOTCUA_AGENCY_CONTACTS_FILE`: the catalogue publishes agencies, not people.

use std::collections::HashMap;

/// Where an agency head is reached.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Mobile number.
    #[serde(default)]
    pub phone: Option<String>,
}

/// Contacts by agency code.
#[derive(Debug, Clone, Default)]
pub struct Contacts(HashMap<String, Contact>);

impl Contacts {
    /// Reads the file; `None` gives no contacts. A file that cannot be read or parsed is an
    /// error naming it.
    pub fn load(path: Option<&str>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("agency contacts file {path}: {e}"))?;
        Self::parse(&text).map_err(|e| anyhow::anyhow!("agency contacts file {path}: {e}"))
    }

    /// Parses `{"<agency code>": {"email": …, "phone": …}}`.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        Ok(Self(serde_json::from_str(text)?))
    }

    /// The head of `agency`, if known.
    pub fn of(&self, agency: &str) -> Option<&Contact> {
        self.0.get(agency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_parse_and_unknown_keys_are_refused() {
        let c = Contacts::parse(r#"{"000.25.80.H80": {"email": "tt@example.vn"}}"#).unwrap();
        assert_eq!(
            c.of("000.25.80.H80").unwrap().email.as_deref(),
            Some("tt@example.vn")
        );
        assert!(c.of("other").is_none());
        assert!(Contacts::parse(r#"{"x": {"mail": "a"}}"#).is_err());
    }
}
