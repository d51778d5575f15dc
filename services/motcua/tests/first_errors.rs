//! A newcomer's first error is a good one: start-up failures an operator causes are printed
//! by the `motcua` binary as one line, first, naming what was looked at, the setting and the
//! fix (not a chain of contexts that hides it).

use std::net::TcpListener;
use std::process::{Command, Output};

/// A secret of the right length that is not one of the published ones.
const OWN_SECRET: &str = "a-secret-made-for-this-test-only-0123456789";

fn motcua(args: &[&str], env: &[(&str, &str)], cwd: &std::path::Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.args(args).current_dir(cwd);
    for var in [
        "DATABASE_URL",
        "MOTCUA_PG_BINDIR",
        "MOTCUA_JWT_SECRET",
        "MOTCUA_JWT_PUBLIC_KEY_FILE",
        "MOTCUA_JWT_PRIVATE_KEY_FILE",
        "MOTCUA_JWT_ALGORITHM",
        "MOTCUA_SERVICE_KEYS_DIR",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("running motcua")
}

/// The error output, which must be exactly one line.
fn only_line(out: &Output) -> String {
    assert!(!out.status.success(), "motcua did not fail");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "not one line:\n{stderr}");
    lines[0].to_string()
}

#[test]
fn up_without_postgresql_binaries_says_where_it_looked_and_the_ways_out() {
    let tmp = tempfile::tempdir().unwrap();
    let bindir = tmp.path().join("no-binaries-here");
    std::fs::create_dir(&bindir).unwrap();
    let bindir = bindir.display().to_string();
    let out = motcua(
        &["up"],
        &[("MOTCUA_PG_BINDIR", &bindir), ("PATH", "")],
        tmp.path(),
    );
    assert_eq!(
        only_line(&out),
        format!(
            "motcua: PostgreSQL server binaries (initdb, postgres) not found: looked in \
             MOTCUA_PG_BINDIR={bindir} only (PATH and /usr/lib/postgresql/*/bin are searched \
             when it is unset); install the postgresql package (Debian: apt-get install \
             postgresql) and point MOTCUA_PG_BINDIR at its bin folder or unset it, or set \
             DATABASE_URL to a running server"
        )
    );
}

#[test]
fn a_taken_port_is_named_with_its_variable() {
    let tmp = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = motcua(
        &["serve", "catalogue"],
        &[
            ("DATABASE_URL", "postgres://motcua@127.0.0.1:1/motcua"),
            ("MOTCUA_JWT_SECRET", OWN_SECRET),
            ("MOTCUA_JWT_ALGORITHM", "HS256"),
            ("MOTCUA_CATALOGUE_REST_ADDR", &addr),
        ],
        tmp.path(),
    );
    let line = only_line(&out);
    let port = addr.rsplit(':').next().unwrap();
    assert!(
        line.starts_with(&format!(
            "motcua: port {port} (catalogue REST, MOTCUA_CATALOGUE_REST_ADDR={addr}) is already \
             in use: stop the program listening there"
        )),
        "{line}"
    );
    assert!(
        line.contains("or set MOTCUA_CATALOGUE_REST_ADDR to a free address"),
        "{line}"
    );
}

#[test]
fn a_short_jwt_secret_names_the_variable_the_minimum_and_how_to_make_one() {
    let tmp = tempfile::tempdir().unwrap();
    let out = motcua(
        &["serve", "intake"],
        &[
            ("DATABASE_URL", "postgres://motcua@127.0.0.1:1/motcua"),
            ("MOTCUA_JWT_SECRET", "too-short"),
            ("MOTCUA_JWT_ALGORITHM", "HS256"),
        ],
        tmp.path(),
    );
    assert_eq!(
        only_line(&out),
        "motcua: configuration variable MOTCUA_JWT_SECRET: 9 bytes is too short, at least 32 \
         are needed: run `motcua keys generate` (a fresh deploy/.env with secrets and a key \
         pair) or make one with `openssl rand -base64 48`"
    );
}
