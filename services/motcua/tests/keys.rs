//! `motcua keys generate`, run as an operator runs it: the `.env` it writes is valid for
//! docker-compose, its secrets are fresh, its key pair signs and verifies tokens through the
//! same code the services use, every file is private, and nothing is replaced without
//! `--force`.

use motcua::keys::{
    CONTAINER_KEYS_DIR, EXAMPLE_ENV, KEYS_FOLDER, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE,
};
use motcua_config::{Env, Settings};
use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use tokio_util::sync::CancellationToken;

fn generate(out: &Path, force: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.args(["keys", "generate", "--out"]).arg(out);
    if force {
        cmd.arg("--force");
    }
    cmd.output().expect("running motcua")
}

/// Reads an env file as docker-compose does, strictly: `KEY=value` lines, comments, blanks;
/// values without blanks, quotes or `$` (which compose would interpolate).
fn parse_env(text: &str) -> HashMap<String, String> {
    let mut vars = HashMap::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("not KEY=value: {line}"));
        assert!(
            !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
            "bad name in {line}"
        );
        assert!(
            !v.contains(|c: char| c.is_whitespace() || "\"'$`\\".contains(c)),
            "value compose would change in {line}"
        );
        assert!(
            vars.insert(k.to_string(), v.to_string()).is_none(),
            "{k} twice"
        );
    }
    vars
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The settings a service container would read, with the key files at their host paths.
fn settings_of(vars: &HashMap<String, String>, out: &Path) -> Settings {
    let host_keys = out.join(KEYS_FOLDER);
    let env = Env::from_fn(|k| {
        let v = vars.get(k).filter(|v| !v.is_empty())?;
        Some(match v.strip_prefix(&format!("{CONTAINER_KEYS_DIR}/")) {
            Some(file) => host_keys.join(file).display().to_string(),
            None => v.clone(),
        })
    });
    Settings::from_env(&env).expect("settings from the generated .env")
}

#[test]
fn generated_env_and_keys_are_fresh_private_and_work_together() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("deploy");
    let run = generate(&out, false);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let example = parse_env(EXAMPLE_ENV);
    let first = parse_env(&std::fs::read_to_string(out.join(".env")).unwrap());
    for k in example.keys() {
        assert!(first.contains_key(k), "{k} from example.env is missing");
    }
    for secret in ["POSTGRES_PASSWORD", "MOTCUA_JWT_SECRET"] {
        assert_ne!(
            first[secret], example[secret],
            "{secret} kept the example's value"
        );
        assert!(first[secret].len() >= 32, "{secret} is short");
    }
    assert_eq!(first["MOTCUA_JWT_ALGORITHM"], "EdDSA");
    assert_eq!(first["MOTCUA_SEED_DEMO"], "false");

    let keys = out.join(KEYS_FOLDER);
    for file in [
        out.join(".env"),
        keys.join(PRIVATE_KEY_FILE),
        keys.join(PUBLIC_KEY_FILE),
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }

    // The pair loads as a service loads it, and a token it signs verifies.
    let settings = settings_of(&first, &out);
    assert!(settings.auth.public_key_file.is_some());
    let platform = motcua_server::platform(settings, CancellationToken::new()).unwrap();
    let token = platform
        .issuer
        .issue(
            "officer1",
            &["one_stop_officer"],
            Some("000.25.80.H80"),
            None,
            60,
        )
        .unwrap();
    let caller = platform.verifier.verify(&token).unwrap();
    assert_eq!(caller.sub, "officer1");

    // Without --force an existing .env stays as it is.
    let before = std::fs::read(out.join(".env")).unwrap();
    let refused = generate(&out, false);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    let first_line = stderr.lines().next().unwrap_or_default();
    assert!(
        first_line.starts_with("motcua: ")
            && first_line.contains("already exists")
            && first_line.ends_with("pass --force to write new secrets and keys"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(out.join(".env")).unwrap(), before);

    // With --force: new secrets, and a new pair the old public key does not accept.
    let forced = generate(&out, true);
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    let second = parse_env(&std::fs::read_to_string(out.join(".env")).unwrap());
    for secret in ["POSTGRES_PASSWORD", "MOTCUA_JWT_SECRET"] {
        assert_ne!(first[secret], second[secret], "{secret} did not change");
    }
    let renewed =
        motcua_server::platform(settings_of(&second, &out), CancellationToken::new()).unwrap();
    assert!(
        renewed.verifier.verify(&token).is_err(),
        "the old key still verifies"
    );
}

#[test]
fn an_example_env_in_the_out_folder_is_the_template() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("example.env"),
        "# a province's own example\nPOSTGRES_PASSWORD=change-me\nMOTCUA_PROVINCE_CODE=000.00.00.H80\n",
    )
    .unwrap();
    let run = generate(tmp.path(), false);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(tmp.path().join(".env")).unwrap();
    assert!(text.contains("# a province's own example\n"), "{text}");
    let vars = parse_env(&text);
    assert_eq!(vars["MOTCUA_PROVINCE_CODE"], "000.00.00.H80");
    assert_ne!(vars["POSTGRES_PASSWORD"], "change-me");
    assert!(vars.contains_key("MOTCUA_JWT_PRIVATE_KEY_FILE"));
}
