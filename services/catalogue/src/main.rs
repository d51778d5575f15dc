//! Runs the catalogue service alone (docker-compose, production); `motcua up` runs all four.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    motcua_server::run_standalone(motcua_catalogue::DEFINITION).await
}
