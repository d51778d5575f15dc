//! A private PostgreSQL server started from the system's server binaries (`initdb` +
//! `postgres`), for `motcua up` and the test harness when `DATABASE_URL` is unset.
//!
//! PostgreSQL refuses to run as root. When we are root, `initdb` and the server run as the
//! unprivileged `postgres` user (created by Debian's package), and the data folder must be
//! reachable by that user: a folder under `/root` is not, so we fall back to a private folder
//! under the system temp directory and say so. The server runs in its own process group (a
//! terminal's Ctrl-C reaches only us; we stop it after our services have drained) and gets
//! `SIGINT` (fast shutdown) if our process dies without stopping it.

mod server_binaries;

pub use server_binaries::{BinarySearch, find_bindir};

use anyhow::{Context, bail};
use motcua_config::StartupError;
use std::ffi::CString;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How the private server should behave.
#[derive(Debug, Clone)]
pub struct LocalPgOptions {
    /// Preferred folder for the cluster (the data folder is `<dir>/pgdata`).
    pub dir: PathBuf,
    /// Throwaway cluster for tests: no fsync, removed on [`LocalPostgres::stop`].
    pub ephemeral: bool,
}

/// A running private server. Stop it with [`LocalPostgres::stop`] (also done on drop).
#[derive(Debug)]
pub struct LocalPostgres {
    pid: u32,
    exited: mpsc::Receiver<()>,
    /// Folder holding `pgdata/` and `postgres.log`.
    pub dir: PathBuf,
    /// TCP port on 127.0.0.1.
    pub port: u16,
    ephemeral: bool,
    stopped: bool,
}

/// An unprivileged account to run the server as, when we are root.
#[derive(Debug, Clone, Copy)]
struct RunAs {
    uid: u32,
    gid: u32,
}

fn run_as() -> anyhow::Result<Option<RunAs>> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let name = std::env::var("MOTCUA_PG_USER").unwrap_or_else(|_| "postgres".into());
    let cname = CString::new(name.clone())?;
    // SAFETY: getpwnam returns a pointer to static storage or null; we copy the ids at once.
    let pw = unsafe { libc::getpwnam(cname.as_ptr()) };
    if pw.is_null() {
        return Err(StartupError::new(format!(
            "running as root, and PostgreSQL refuses to run as root; no user {name:?} to run it \
             as (MOTCUA_PG_USER): install the postgresql package (it creates the postgres user), \
             set MOTCUA_PG_USER to an existing unprivileged user, or set DATABASE_URL to a \
             running server"
        ))
        .into());
    }
    // SAFETY: pw is non-null and points to a valid passwd record.
    let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    Ok(Some(RunAs { uid, gid }))
}

/// True when every ancestor of `dir` lets "others" traverse it (needed when the server runs
/// as another user).
fn traversable_by_others(dir: &Path) -> bool {
    let mut cur = Some(dir);
    while let Some(p) = cur {
        if let Ok(meta) = std::fs::metadata(p)
            && meta.permissions().mode() & 0o001 == 0
        {
            return false;
        }
        cur = p.parent();
    }
    true
}

fn chown(path: &Path, who: RunAs) -> anyhow::Result<()> {
    let c = CString::new(path.as_os_str().as_encoded_bytes())?;
    // SAFETY: c is a valid NUL-terminated path.
    if unsafe { libc::chown(c.as_ptr(), who.uid, who.gid) } != 0 {
        bail!(
            "chown {}: {}",
            path.display(),
            std::io::Error::last_os_error()
        );
    }
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn command(bin: PathBuf, who: Option<RunAs>) -> Command {
    let mut cmd = Command::new(bin);
    if let Some(w) = who {
        cmd.uid(w.uid).gid(w.gid);
        // Supplementary groups of root must not leak into the server.
        // SAFETY: setgroups(0, NULL) is async-signal-safe and runs before exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::setgroups(0, std::ptr::null());
                Ok(())
            });
        }
    }
    cmd.env_remove("PGDATA").env("LC_ALL", "C");
    cmd
}

impl LocalPostgres {
    /// Initialises the cluster if needed and starts the server; returns once it accepts
    /// connections.
    pub fn start(opts: &LocalPgOptions) -> anyhow::Result<Self> {
        Self::start_on(opts, None)
    }

    /// The same on `port` when given (a restart where clients already hold the URL), else on
    /// a free port.
    pub fn start_on(opts: &LocalPgOptions, port: Option<u16>) -> anyhow::Result<Self> {
        let bindir = find_bindir()?;
        let who = run_as()?;
        let mut dir = opts.dir.clone();
        if who.is_some() {
            let probe = dir.parent().unwrap_or(&dir);
            if !traversable_by_others(probe) {
                let fallback = std::env::temp_dir().join(format!(
                    "motcua-pg-{}",
                    dir.to_string_lossy()
                        .bytes()
                        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
                ));
                eprintln!(
                    "motcua: {} is not reachable by the unprivileged PostgreSQL user; \
                     using {} for the private database instead",
                    dir.display(),
                    fallback.display()
                );
                dir = fallback;
            }
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))?;
        let data = dir.join("pgdata");
        if let Some(w) = who {
            chown(&dir, w)?;
        }
        if !data.join("PG_VERSION").exists() {
            std::fs::create_dir_all(&data)?;
            std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700))?;
            if let Some(w) = who {
                chown(&data, w)?;
            }
            let mut init = command(bindir.join("initdb"), who);
            init.arg("-D").arg(&data).args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
            ]);
            if opts.ephemeral {
                init.arg("--no-sync");
            }
            let out = init
                .stdin(Stdio::null())
                .output()
                .with_context(|| format!("running {}", bindir.join("initdb").display()))?;
            if !out.status.success() {
                bail!(
                    "initdb failed in {}: {}",
                    data.display(),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        let port = match port {
            Some(p) => p,
            None => free_port()?,
        };
        let log_path = dir.join("postgres.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)?;
        if let Some(w) = who {
            chown(&log_path, w)?;
        }
        let mut server = command(bindir.join("postgres"), who);
        server
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "unix_socket_directories="])
            .args(["-c", "max_connections=300"]);
        if opts.ephemeral {
            server.args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]);
        }
        server
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0);
        // SAFETY: prctl is async-signal-safe. It runs after the uid switch, so the setting
        // survives exec; the server gets SIGINT (fast shutdown) when its parent thread dies.
        unsafe {
            server.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT);
                Ok(())
            });
        }
        // The parent-death signal follows the *thread* that forked: spawn from a keeper
        // thread that lives exactly as long as the server.
        let (spawned_tx, spawned_rx) = mpsc::channel();
        let (exited_tx, exited_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("motcua-localpg".into())
            .spawn(move || {
                let child: std::io::Result<Child> = server.spawn();
                match child {
                    Ok(mut c) => {
                        let _ = spawned_tx.send(Ok(c.id()));
                        let _ = c.wait();
                        let _ = exited_tx.send(());
                    }
                    Err(e) => {
                        let _ = spawned_tx.send(Err(e));
                    }
                }
            })?;
        let pid = spawned_rx
            .recv()?
            .with_context(|| format!("starting {}", bindir.join("postgres").display()))?;
        let pg = LocalPostgres {
            pid,
            exited: exited_rx,
            dir,
            port,
            ephemeral: opts.ephemeral,
            stopped: false,
        };
        pg.wait_ready(&log_path)?;
        Ok(pg)
    }

    fn wait_ready(&self, log_path: &Path) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if self.exited.try_recv().is_ok() {
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(15).collect();
                bail!(
                    "postgres exited during start-up; last log lines:\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            // The server accepts TCP before it accepts logins; a startup packet answered
            // with anything but "starting up" means ready. A plain connect is good enough
            // here because callers retry their first query (see `motcua_db::connect`).
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && self.accepts_queries()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "postgres did not start within 60 s; see {}",
                    log_path.display()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn accepts_queries(&self) -> bool {
        let Ok(bindir) = find_bindir() else {
            return true;
        };
        let isready = bindir.join("pg_isready");
        if !isready.is_file() {
            return true;
        }
        Command::new(isready)
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q"])
            .stdin(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(true)
    }

    /// Connection URL of the `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Immediate shutdown (SIGQUIT: no checkpoint, recovery from the WAL at the next start),
    /// as after a crash; the folder is kept. Returns once the server is gone.
    pub fn crash(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        // SAFETY: sending a signal to our own child's pid.
        unsafe { libc::kill(self.pid as i32, libc::SIGQUIT) };
        let _ = self.exited.recv_timeout(Duration::from_secs(30));
    }

    /// Fast shutdown: waits up to 30 s, then kills. An ephemeral cluster's folder is removed.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        // SAFETY: sending a signal to our own child's pid.
        unsafe { libc::kill(self.pid as i32, libc::SIGINT) };
        if self.exited.recv_timeout(Duration::from_secs(30)).is_err() {
            // SAFETY: as above.
            unsafe { libc::kill(self.pid as i32, libc::SIGKILL) };
            let _ = self.exited.recv_timeout(Duration::from_secs(5));
        }
        if self.ephemeral {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Drop for LocalPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Removes throwaway clusters left by test processes that died (their server is gone with
/// them: it got the parent-death signal).
pub fn remove_stale_ephemeral(prefix: &str) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name.strip_prefix(prefix) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        // SAFETY: kill with signal 0 only checks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        if !alive {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}
