//! What `motcua` prints when it stops on an error. A failure the operator can fix (a
//! [`StartupError`] or a [`ConfigError`] anywhere in the chain) is printed alone, on one line,
//! first: it already says what is wrong, the setting and the fix, and a chain of contexts
//! around it would only push it out of sight. Anything else is printed with its causes.

use motcua_config::{ConfigError, StartupError};

/// The text to print on standard error for `err`.
pub fn render(err: &anyhow::Error) -> String {
    if let Some(line) = operator_line(err) {
        return format!("motcua: {line}");
    }
    let mut out = format!("motcua: {err}");
    for cause in err.chain().skip(1) {
        out.push_str(&format!("\n  caused by: {cause}"));
    }
    out
}

/// The outermost failure in the chain that the operator can fix, as one line.
fn operator_line(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|e| {
        if let Some(s) = e.downcast_ref::<StartupError>() {
            Some(s.line().to_string())
        } else {
            e.downcast_ref::<ConfigError>().map(ConfigError::to_string)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn an_operator_failure_is_the_one_line_printed_even_under_contexts() {
        let err = Err::<(), _>(StartupError::new("port 8081 (catalogue REST) is taken"))
            .context("service catalogue")
            .context("starting")
            .unwrap_err();
        assert_eq!(render(&err), "motcua: port 8081 (catalogue REST) is taken");
    }

    #[test]
    fn a_configuration_error_is_printed_naming_its_variable() {
        let err = anyhow::Error::new(ConfigError {
            var: "MOTCUA_GRPC_TIMEOUT_MS".into(),
            reason: "cannot parse \"x\"".into(),
        });
        assert_eq!(
            render(&err),
            "motcua: configuration variable MOTCUA_GRPC_TIMEOUT_MS: cannot parse \"x\""
        );
    }

    #[test]
    fn other_failures_keep_their_causes() {
        let err = Err::<(), _>(std::io::Error::other("disk full"))
            .context("writing catalogue.json")
            .unwrap_err();
        assert_eq!(
            render(&err),
            "motcua: writing catalogue.json\n  caused by: disk full"
        );
    }
}
