//! `motcua up` run as a newcomer runs it accepts no token signed with a secret published in
//! this repository, on any of its four services, while a token `motcua token` makes in the
//! same folder (signed with the installation's own secret) is accepted.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One authenticated route per service.
const ROUTES: [(&str, &str); 4] = [
    ("catalogue", "/api/v1/listings/stale"),
    ("intake", "/api/v1/dossiers"),
    ("workflow", "/api/v1/overdue"),
    (
        "reporting",
        "/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31",
    ),
];

fn motcua(args: &[&str], cwd: &std::path::Path, db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.args(args).current_dir(cwd);
    for var in [
        "MOTCUA_JWT_SECRET",
        "MOTCUA_JWT_PUBLIC_KEY_FILE",
        "MOTCUA_JWT_PRIVATE_KEY_FILE",
        "MOTCUA_SERVICE_KEYS_DIR",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("DATABASE_URL", db).env("RUST_LOG", "warn");
    for name in ["CATALOGUE", "INTAKE", "WORKFLOW", "REPORTING"] {
        cmd.env(format!("MOTCUA_{name}_REST_ADDR"), "127.0.0.1:0");
        cmd.env(format!("MOTCUA_{name}_GRPC_ADDR"), "127.0.0.1:0");
    }
    cmd
}

/// Starts `motcua up` and reads each service's REST address from what it prints.
fn up(cwd: &std::path::Path, db: &str) -> (Child, Vec<(String, String)>) {
    let mut child = motcua(&["up"], cwd, db)
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting motcua up");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut rest = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(180) {
        let Some(Ok(line)) = lines.next() else { break };
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [name, "REST", url, ..] = words.as_slice() {
            rest.push((name.to_string(), url.to_string()));
        }
        if line.starts_with("motcua is up") {
            std::thread::spawn(move || for _ in lines {});
            return (child, rest);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("motcua up did not start; addresses seen: {rest:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_signed_with_published_secrets_are_refused_by_every_service() {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, rest) = up(tmp.path(), &db.url);
    assert_eq!(rest.len(), 4, "{rest:?}");
    let own = motcua(
        &["token", "--role", "inspector", "--sub", "i1"],
        tmp.path(),
        &db.url,
    )
    .output()
    .unwrap();
    assert!(own.status.success(), "{own:?}");
    let own = String::from_utf8(own.stdout).unwrap().trim().to_string();
    let http = reqwest::Client::new();
    let status = |base: String, path: &str, token: String| {
        let req = http.get(format!("{base}{path}")).bearer_auth(token);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    for secret in motcua_config::PUBLISHED_SECRETS {
        let forged = motcua_auth::TokenIssuer::hs256(secret.as_bytes(), "motcua")
            .issue("intruder", &["inspector", "admin"], None, None, 600)
            .unwrap();
        for (name, path) in ROUTES {
            let base = &rest.iter().find(|(n, _)| n == name).unwrap().1;
            assert_eq!(
                status(base.clone(), path, forged.clone()).await,
                401,
                "{name} accepted a token signed with a published secret"
            );
        }
    }
    for (name, path) in ROUTES {
        let base = &rest.iter().find(|(n, _)| n == name).unwrap().1;
        let got = status(base.clone(), path, own.clone()).await;
        assert!(
            got != 401 && got != 403,
            "{name}: the installation's own token got {got}"
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    db.drop_database().await.unwrap();
}
