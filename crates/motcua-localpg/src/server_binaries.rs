//! Finding PostgreSQL's server binaries (`initdb`, `postgres`) for the private server, and the
//! one-line answer when they are not there: where we looked (`MOTCUA_PG_BINDIR`, `PATH`, the
//! Debian folders) and the two ways out (install PostgreSQL, or point `DATABASE_URL` at a
//! running server).

use motcua_config::StartupError;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The binaries a folder must hold to be the one.
const BINARIES: [&str; 2] = ["initdb", "postgres"];

/// Where the server binaries are looked for, in order.
#[derive(Debug, Clone)]
pub struct BinarySearch {
    /// `MOTCUA_PG_BINDIR`: when set, the only folder looked in.
    pub setting: Option<PathBuf>,
    /// The value of `PATH`.
    pub path: Option<OsString>,
    /// Where Debian keeps one `<version>/bin` per major version, off `PATH`
    /// (`/usr/lib/postgresql`); the newest wins.
    pub debian_root: PathBuf,
}

impl BinarySearch {
    /// The search this process's environment asks for.
    pub fn from_env() -> Self {
        Self {
            setting: std::env::var_os("MOTCUA_PG_BINDIR")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            path: std::env::var_os("PATH"),
            debian_root: PathBuf::from("/usr/lib/postgresql"),
        }
    }

    /// The folder holding `initdb` and `postgres`, or the one line saying where we looked.
    pub fn find(&self) -> Result<PathBuf, StartupError> {
        if let Some(dir) = &self.setting {
            return holds_binaries(dir)
                .then(|| dir.clone())
                .ok_or_else(|| self.not_found());
        }
        let on_path = self
            .path
            .iter()
            .flat_map(std::env::split_paths)
            .find(|dir| holds_binaries(dir));
        if let Some(dir) = on_path {
            return Ok(dir);
        }
        self.newest_debian().ok_or_else(|| self.not_found())
    }

    fn newest_debian(&self) -> Option<PathBuf> {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(&self.debian_root)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let v: u32 = e.file_name().to_str()?.parse().ok()?;
                let bin = e.path().join("bin");
                holds_binaries(&bin).then_some((v, bin))
            })
            .collect();
        versions.sort();
        versions.pop().map(|(_, p)| p)
    }

    /// The one line: what was looked for, where, and the ways out.
    pub fn not_found(&self) -> StartupError {
        let debian = format!("{}/*/bin", self.debian_root.display());
        StartupError::new(match &self.setting {
            None => format!(
                "PostgreSQL server binaries (initdb, postgres) not found: looked in \
                 MOTCUA_PG_BINDIR (unset), PATH, {debian}; install the postgresql package \
                 (Debian: apt-get install postgresql) or set DATABASE_URL to a running server"
            ),
            Some(dir) => format!(
                "PostgreSQL server binaries (initdb, postgres) not found: looked in \
                 MOTCUA_PG_BINDIR={} only (PATH and {debian} are searched when it is unset); \
                 install the postgresql package (Debian: apt-get install postgresql) and point \
                 MOTCUA_PG_BINDIR at its bin folder or unset it, or set DATABASE_URL to a \
                 running server",
                dir.display()
            ),
        })
    }
}

fn holds_binaries(dir: &Path) -> bool {
    BINARIES.iter().all(|b| dir.join(b).is_file())
}

/// The folder holding `initdb` and `postgres`: `MOTCUA_PG_BINDIR`, else `PATH`, else the
/// newest `/usr/lib/postgresql/<version>/bin` (Debian keeps them off `PATH`).
pub fn find_bindir() -> Result<PathBuf, StartupError> {
    BinarySearch::from_env().find()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty_folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("motcua-bin-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn nothing_anywhere_says_where_we_looked_and_the_two_ways_out() {
        let search = BinarySearch {
            setting: None,
            path: Some(OsString::new()),
            debian_root: PathBuf::from("/usr/lib/postgresql"),
        };
        assert_eq!(
            search.not_found().line(),
            "PostgreSQL server binaries (initdb, postgres) not found: looked in MOTCUA_PG_BINDIR \
             (unset), PATH, /usr/lib/postgresql/*/bin; install the postgresql package (Debian: \
             apt-get install postgresql) or set DATABASE_URL to a running server"
        );
    }

    #[test]
    fn an_empty_path_and_no_debian_folder_find_nothing() {
        let root = empty_folder("root");
        let search = BinarySearch {
            setting: None,
            path: Some(OsString::new()),
            debian_root: root.clone(),
        };
        let err = search.find().unwrap_err();
        assert!(
            err.line().contains("MOTCUA_PG_BINDIR (unset), PATH"),
            "{err}"
        );
        assert!(err.line().contains("set DATABASE_URL"), "{err}");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_bindir_setting_without_the_binaries_is_named() {
        let dir = empty_folder("setting");
        let search = BinarySearch {
            setting: Some(dir.clone()),
            path: None,
            debian_root: PathBuf::from("/usr/lib/postgresql"),
        };
        let err = search.find().unwrap_err();
        assert!(
            err.line()
                .contains(&format!("MOTCUA_PG_BINDIR={} only", dir.display())),
            "{err}"
        );
        // A folder with both binaries is the one.
        for b in BINARIES {
            std::fs::write(dir.join(b), "").unwrap();
        }
        assert_eq!(search.find().unwrap(), dir);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
