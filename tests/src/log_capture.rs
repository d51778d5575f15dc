//! Every log line the end-to-end tests produce, scanned as it is written: the services log
//! through the real subscriber (`motcua_telemetry::init_with_writer`, every span's fields in
//! each line) at `debug` for motcua's crates and the database driver, and each line is checked
//! for the strings a test watches (personal ID numbers, phone numbers). Lines are counted,
//! hits kept; nothing else is stored, so the whole run can be captured.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What no log line may contain.
static WATCHED: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// Strings that show the capture works (a dossier code is logged when received).
static MARKERS: Mutex<Vec<(String, usize)>> = Mutex::new(Vec::new());
/// Lines that contained a watched string.
static HITS: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// Lines written.
static LINES: AtomicUsize = AtomicUsize::new(0);

/// The log filter when `RUST_LOG` is not set: detailed enough that a careless field shows.
pub const FILTER: &str = "info,motcua=debug,sqlx=debug,tower_http=debug";

/// Watches `needle`: a log line containing it is a hit.
pub fn watch(needle: &str) {
    lock(&WATCHED).push(needle.to_string());
}

/// Counts the lines containing `marker` from now on.
pub fn mark(marker: &str) {
    lock(&MARKERS).push((marker.to_string(), 0));
}

/// How many lines contained `marker` since [`mark`].
pub fn marked(marker: &str) -> usize {
    lock(&MARKERS)
        .iter()
        .filter(|(m, _)| m == marker)
        .map(|(_, n)| *n)
        .sum()
}

/// The lines that contained a watched string, so far.
pub fn hits() -> Vec<String> {
    lock(&HITS).clone()
}

/// Lines written so far.
pub fn lines() -> usize {
    LINES.load(Ordering::Relaxed)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The writer given to the subscriber: scans each line, and echoes it to standard output
/// when `RUST_LOG` asks for logs.
#[derive(Clone, Copy, Default)]
pub struct Scanner {
    /// Also print the line.
    pub echo: bool,
}

impl<'w> tracing_subscriber::fmt::MakeWriter<'w> for Scanner {
    type Writer = Scanner;

    fn make_writer(&'w self) -> Self::Writer {
        *self
    }
}

impl Write for Scanner {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let line = String::from_utf8_lossy(buf);
        LINES.fetch_add(1, Ordering::Relaxed);
        if lock(&WATCHED).iter().any(|w| line.contains(w.as_str())) {
            lock(&HITS).push(line.to_string());
        }
        for (m, n) in lock(&MARKERS).iter_mut() {
            if line.contains(m.as_str()) {
                *n += 1;
            }
        }
        if self.echo {
            std::io::stdout().write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
