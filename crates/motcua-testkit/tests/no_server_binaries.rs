//! Without `DATABASE_URL` and without PostgreSQL's server binaries, the first test database a
//! test asks for fails with the one line that says where the harness looked and the two ways
//! out, not with "running initdb: No such file or directory".
//!
//! A test binary of its own: it changes the process environment before anything else runs.

#[test]
fn a_test_database_without_server_binaries_says_where_it_looked_and_the_ways_out() {
    let bindir = std::env::temp_dir().join(format!("motcua-no-pg-{}", std::process::id()));
    std::fs::create_dir_all(&bindir).unwrap();
    // SAFETY: the only test of this binary, run before any other thread reads the environment.
    unsafe {
        std::env::remove_var("DATABASE_URL");
        std::env::set_var("MOTCUA_PG_BINDIR", &bindir);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime
        .block_on(motcua_testkit::TestDb::create())
        .unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.starts_with(&format!(
            "PostgreSQL server binaries (initdb, postgres) not found: looked in \
             MOTCUA_PG_BINDIR={} only",
            bindir.display()
        )),
        "{text}"
    );
    assert!(
        text.ends_with("or set DATABASE_URL to a running server"),
        "{text}"
    );
    std::fs::remove_dir_all(bindir).unwrap();
}
