//! Working sessions (buổi làm việc): the province's, from the `MOTCUA_WORKING_SESSIONS`
//! setting, and an agency's own, stored and sent as `[["07:30","11:30"],["13:00","16:30"]]`
//! (described for OpenAPI by `motcua_catalogue_model::sessions_schema`).

use motcua_calendar::{Session, WorkingCalendar};

/// Parses `07:30-11:30,13:00-17:00` (the `MOTCUA_WORKING_SESSIONS` format).
pub fn parse_sessions_setting(raw: &str) -> anyhow::Result<Vec<Session>> {
    raw.split(',')
        .map(|part| {
            let (a, b) = part.trim().split_once('-').ok_or_else(|| {
                anyhow::anyhow!("MOTCUA_WORKING_SESSIONS: {part:?} is not HH:MM-HH:MM")
            })?;
            Session::parse(a.trim(), b.trim())
                .map_err(|e| anyhow::anyhow!("MOTCUA_WORKING_SESSIONS: {e}"))
        })
        .collect()
}

/// Why stored or sent sessions cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionsError {
    /// Not a list of `[start, end]` pairs.
    #[error("{0}")]
    Unreadable(String),
    /// A pair that is not a valid session.
    #[error("{0}")]
    Invalid(String),
}

/// Reads `[["07:30","11:30"],["13:00","16:30"]]` into sessions, each checked on its own.
pub fn sessions_of(v: serde_json::Value) -> Result<Vec<Session>, SessionsError> {
    let pairs: Vec<(String, String)> =
        serde_json::from_value(v).map_err(|e| SessionsError::Unreadable(e.to_string()))?;
    pairs
        .iter()
        .map(|(a, b)| Session::parse(a, b))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SessionsError::Invalid(e.to_string()))
}

/// Parses `[["07:30","11:30"],["13:00","16:30"]]` and checks the sessions are ordered and
/// disjoint, as an agency's own sessions must be before they are stored.
pub fn sessions_from_json(v: &serde_json::Value) -> Result<Vec<Session>, String> {
    let sessions = sessions_of(v.clone()).map_err(|e| e.to_string())?;
    // The calendar checks order and overlap.
    WorkingCalendar::new()
        .with_sessions(sessions.clone())
        .map_err(|e| e.to_string())?;
    Ok(sessions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_sessions_setting_is_parsed_and_checked() {
        let s = parse_sessions_setting("07:30-11:30, 13:00-17:00").unwrap();
        assert_eq!(s.len(), 2);
        assert!(parse_sessions_setting("07:30/11:30").is_err());
        assert!(parse_sessions_setting("11:30-07:30").is_err());
    }

    #[test]
    fn agency_sessions_must_be_ordered_and_disjoint() {
        assert!(
            sessions_from_json(&serde_json::json!([["08:00", "10:30"], ["14:00", "17:00"]]))
                .is_ok()
        );
        assert!(
            sessions_from_json(&serde_json::json!([["08:00", "12:00"], ["11:00", "17:00"]]))
                .is_err()
        );
        assert!(sessions_from_json(&serde_json::json!("08:00-12:00")).is_err());
    }
}
