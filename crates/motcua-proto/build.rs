//! Compiles every `.proto` under `proto/` with a vendored `protoc`, so no system install is needed.
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Read when the script runs, not when it was compiled: a build script compiled in one
    // checkout may be reused by another of the same source (a shared target folder).
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../proto");
    let files = [
        "motcua/common/v1/events.proto",
        "motcua/catalogue/v1/catalogue.proto",
        "motcua/intake/v1/intake.proto",
        "motcua/workflow/v1/workflow.proto",
        "motcua/reporting/v1/reporting.proto",
        "motcua/audit/v1/audit.proto",
        "motcua/connector/v1/connector.proto",
    ];
    // tonic-prost-build does not watch protos outside the crate: say so ourselves.
    for f in &files {
        println!("cargo:rerun-if-changed={}", root.join(f).display());
    }
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // SAFETY: build scripts are single-threaded; prost-build reads PROTOC from the environment.
    unsafe { std::env::set_var("PROTOC", protoc) };
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out.join("motcua_descriptor.bin"))
        .compile_protos(&files.map(|f| root.join(f)), &[root])?;
    Ok(())
}
