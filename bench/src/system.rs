//! The four services as separate `motcua serve` processes on one database, on loopback ports
//! `base + 1..4` (REST) and `base + 1001..1004` (gRPC): started, waited for, killed and
//! restarted by the benchmarks and the crash test.

use anyhow::Context;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A valid counter submission of a birth registration (1.001193, two paper components) at
/// `agency`: what the load generators send.
pub fn birth_registration(agency: &str) -> serde_json::Value {
    serde_json::json!({
        "procedure_code": "1.001193", "receiving_agency": agency, "channel": "counter",
        "applicant": {"type": "citizen", "full_name": "Nguyễn Văn An", "id_number": "080203001234"},
        "components": [{"code": "TK", "form": "paper"}, {"code": "GCS", "form": "paper"}]
    })
}

/// The services, in start order.
pub const NAMES: [&str; 4] = ["catalogue", "intake", "workflow", "reporting"];

/// The running processes.
pub struct Services {
    motcua: String,
    env: Vec<(String, String)>,
    base: u16,
    /// Each service's process, in [`NAMES`] order.
    pub procs: Vec<Child>,
}

impl Services {
    /// REST port of service `i`.
    pub fn port(&self, i: usize) -> u16 {
        self.base + 1 + i as u16
    }

    /// REST base URL of service `i` (`http://127.0.0.1:port`).
    pub fn url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.port(i))
    }

    /// gRPC URL of service `i`.
    pub fn grpc_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.base + 1001 + i as u16)
    }

    /// Starts all four with `extra` environment; returns them and each one's time to ready.
    pub async fn start(
        motcua: &str,
        db_url: &str,
        secret: &str,
        base: u16,
        extra: &[(&str, String)],
    ) -> anyhow::Result<(Self, Vec<Duration>)> {
        let mut env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), db_url.into()),
            ("MOTCUA_JWT_SECRET".into(), secret.into()),
            ("MOTCUA_JWT_ALGORITHM".into(), "HS256".into()),
            ("RUST_LOG".into(), "warn".into()),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
        // The services' own key pairs, shared by the processes (one per service).
        let keys = std::env::temp_dir().join(format!("motcua-bench-keys-{base}"));
        motcua_auth::write_missing(&keys, &NAMES).map_err(anyhow::Error::msg)?;
        env.push(("MOTCUA_SERVICE_KEYS_DIR".into(), keys.display().to_string()));
        for (i, name) in NAMES.iter().enumerate() {
            let (rest, grpc) = (base + 1 + i as u16, base + 1001 + i as u16);
            let up = name.to_uppercase();
            env.push((
                format!("MOTCUA_{up}_REST_ADDR"),
                format!("127.0.0.1:{rest}"),
            ));
            env.push((
                format!("MOTCUA_{up}_GRPC_ADDR"),
                format!("127.0.0.1:{grpc}"),
            ));
            env.push((
                format!("MOTCUA_{up}_GRPC_URL"),
                format!("http://127.0.0.1:{grpc}"),
            ));
        }
        let mut s = Self {
            motcua: motcua.into(),
            env,
            base,
            procs: Vec::new(),
        };
        let mut ready = Vec::new();
        for i in 0..NAMES.len() {
            let t = Instant::now();
            let child = s.spawn(i)?;
            s.procs.push(child);
            s.wait_ready(i, Duration::from_secs(60)).await?;
            ready.push(t.elapsed());
        }
        Ok((s, ready))
    }

    fn spawn(&self, i: usize) -> anyhow::Result<Child> {
        Command::new(&self.motcua)
            .args(["serve", NAMES[i]])
            .envs(self.env.iter().cloned())
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {} serve {}", self.motcua, NAMES[i]))
    }

    /// Waits until service `i` answers `/readyz` with 200, at most `limit`.
    pub async fn wait_ready(&self, i: usize, limit: Duration) -> anyhow::Result<()> {
        let url = format!("http://127.0.0.1:{}/readyz", self.port(i));
        let t = Instant::now();
        loop {
            if let Ok(r) = reqwest::get(&url).await
                && r.status().is_success()
            {
                return Ok(());
            }
            anyhow::ensure!(
                t.elapsed() < limit,
                "{} not ready within {limit:?}",
                NAMES[i]
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILLs service `i` (no shutdown of any kind) and starts it again at once.
    pub fn kill_and_restart(&mut self, i: usize) -> anyhow::Result<()> {
        let _ = self.procs[i].kill();
        let _ = self.procs[i].wait();
        self.procs[i] = self.spawn(i)?;
        Ok(())
    }

    /// Stops every service (SIGTERM, then waits).
    pub fn stop(mut self) {
        for p in &mut self.procs {
            let _ = Command::new("kill").arg(p.id().to_string()).status();
        }
        for p in &mut self.procs {
            let _ = p.wait();
        }
    }
}
