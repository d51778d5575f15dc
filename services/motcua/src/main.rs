//! `motcua`: run the whole system (`up`), one service (`serve`), migrations, tokens, the
//! audit chains' check (`audit verify`), and a deployment's secrets (`keys generate`). An
//! error it stops on is printed by [`motcua::error_report`]: a failure the operator can fix
//! comes first, on one line.

use anyhow::Context;
use clap::{Parser, Subcommand};
use motcua_config::{Env, ServiceName, Settings};
use motcua_localpg::{LocalPgOptions, LocalPostgres};
use tokio_util::sync::CancellationToken;

/// mimalloc instead of glibc's malloc: under submission load glibc's allocator took about a
/// fifth of intake's CPU (`perf`, docs/performance.md); every service runs in this binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "motcua — provincial administrative-procedure handling system"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum ReportingAction {
    /// Recomputes every flow of the handling report from the dossier facts, in one
    /// transaction, and prints the checksum of the flows before and after.
    Rebuild,
}

#[derive(Subcommand)]
enum OutboxAction {
    /// Lists the deliveries that spent their attempts (dead letters).
    DeadLetters {
        /// The producing service (its schema): intake or workflow.
        #[arg(long, default_value = "intake")]
        service: ServiceName,
        /// The destination, e.g. national_portal.
        #[arg(long, default_value = "national_portal")]
        destination: String,
    },
    /// Queues the dead letters again with fresh attempts, in their original order.
    Replay {
        /// The producing service (its schema): intake or workflow.
        #[arg(long, default_value = "intake")]
        service: ServiceName,
        /// The destination, e.g. national_portal.
        #[arg(long, default_value = "national_portal")]
        destination: String,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Checks every chain of every service's audit trail: prints one line per schema (and one
    /// per broken chain, naming its first edited, deleted, reordered or moved record); exits
    /// non-zero if any chain is broken.
    Verify {
        /// Also prints every chain's head (seq and hash), one line each: the values to keep,
        /// e.g. daily, to later show a chain still runs through them.
        #[arg(long)]
        heads: bool,
    },
}

#[derive(Subcommand)]
enum CatalogueAction {
    /// Validates the whole file (errors name the entry and field), then writes it in one
    /// transaction. Importing the same file again changes nothing.
    Import {
        /// A catalogue file (the format of data/catalogue-demo.json).
        file: std::path::PathBuf,
        /// Who is importing (recorded in the audit log).
        #[arg(long, default_value = "cli")]
        actor: String,
    },
    /// Writes the stored catalogue in the same format.
    Export {
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// Writes a fresh .env for deploy/docker-compose.yml (from deploy/example.env, every
    /// secret replaced by a random one) and an Ed25519 key pair in keys/ next to it that the
    /// services verify and sign tokens with. Files are readable by their owner only.
    Generate {
        /// Folder receiving .env and keys/.
        #[arg(long, default_value = "deploy")]
        out: std::path::PathBuf,
        /// Replace an existing .env and key pair.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Runs all four services in one process. Without DATABASE_URL, starts a private
    /// PostgreSQL from the system's server binaries in ./.motcua and stops it on exit.
    Up,
    /// Runs one service (needs DATABASE_URL).
    Serve {
        /// catalogue, intake, workflow or reporting.
        service: ServiceName,
    },
    /// Applies every service's migrations to DATABASE_URL.
    Migrate,
    /// Imports or exports the procedure catalogue (needs DATABASE_URL).
    Catalogue {
        #[command(subcommand)]
        action: CatalogueAction,
    },
    /// Reporting's maintenance (needs DATABASE_URL).
    Reporting {
        #[command(subcommand)]
        action: ReportingAction,
    },
    /// A producer's outbox: dead letters listed and replayed (needs DATABASE_URL).
    Outbox {
        #[command(subcommand)]
        action: OutboxAction,
    },
    /// The audit trail: every chain checked (needs DATABASE_URL).
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// A docker-compose deployment's secrets and token keys.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Prints a token signed with the configured key (local use and tests).
    Token {
        /// Role(s), comma-separated or repeated: citizen, one_stop_officer, specialist,
        /// agency_head, sector_system, portal, catalogue_admin, inspector, admin.
        #[arg(long = "role", required = true, value_delimiter = ',')]
        roles: Vec<String>,
        /// Agency code the caller acts for.
        #[arg(long)]
        agency: Option<String>,
        /// Subject (user or account id).
        #[arg(long)]
        sub: String,
        /// Sector of a sector system.
        #[arg(long)]
        sector: Option<String>,
        /// A citizen's verified personal identification number (claim `id_number`): who
        /// they are when they submit online and which dossiers are theirs.
        #[arg(long)]
        id_number: Option<String>,
        /// Lifetime, e.g. 30m, 1h, 1d (at most a day: the services refuse longer-lived tokens).
        #[arg(long, default_value = "1h")]
        ttl: String,
    },
}

/// A `--ttl` in seconds, refused over `max` (the services would refuse the token).
fn parse_ttl(s: &str, max: i64) -> anyhow::Result<i64> {
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num.parse().with_context(|| format!("bad ttl {s:?}"))?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => anyhow::bail!("bad ttl unit in {s:?}: use s, m, h or d"),
    };
    let secs = n.checked_mul(mult).unwrap_or(i64::MAX);
    if secs > max {
        anyhow::bail!(
            "--ttl {s} is longer than a token may live ({max} s, MOTCUA_JWT_MAX_LIFETIME_SECS): \
             the services would refuse it"
        );
    }
    Ok(secs)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", motcua::error_report::render(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { service } => {
            let def = motcua::SERVICES
                .into_iter()
                .find(|d| d.name == service)
                .context("unknown service")?;
            motcua_server::run_standalone(def).await
        }
        Command::Token {
            roles,
            agency,
            sub,
            sector,
            id_number,
            ttl,
        } => {
            let env = Env::process();
            let mut settings = Settings::from_env(&env)?;
            // Local tokens are signed with the secret `motcua up` made for this installation.
            if motcua::local_secret::applies(&env) {
                settings.auth.hs256_secret =
                    motcua::local_secret::load(&motcua::local_secret::folder()?)?;
                settings.auth.public_key_algorithm = "HS256".into();
            }
            let platform = motcua_server::platform(settings, CancellationToken::new())?;
            for r in &roles {
                if motcua_auth::Role::parse(r).is_none() {
                    anyhow::bail!("unknown role {r:?}");
                }
            }
            let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
            let token = platform
                .issuer
                .issue_identified(
                    &sub,
                    &roles,
                    agency.as_deref(),
                    sector.as_deref(),
                    id_number.as_deref(),
                    parse_ttl(&ttl, platform.settings.auth.max_lifetime_secs)?,
                )
                .map_err(anyhow::Error::msg)?;
            println!("{token}");
            Ok(())
        }
        Command::Migrate => {
            let url = database_url()?;
            for def in &motcua::SERVICES {
                motcua_server::connect_and_migrate(def, &url, 2).await?;
                println!("migrated schema {}", def.name);
            }
            Ok(())
        }
        Command::Catalogue { action } => catalogue(action).await,
        Command::Reporting {
            action: ReportingAction::Rebuild,
        } => rebuild().await,
        Command::Outbox { action } => outbox(action).await,
        Command::Audit {
            action: AuditAction::Verify { heads },
        } => motcua::audit::verify_command(&database_url()?, heads).await,
        Command::Up => up().await,
        Command::Keys {
            action: KeysAction::Generate { out, force },
        } => generate_keys(out, force),
    }
}

/// Writes a deployment's `.env` and key pair and says what to do next.
fn generate_keys(out: std::path::PathBuf, force: bool) -> anyhow::Result<()> {
    let done = motcua::keys::generate(&motcua::keys::GenerateOptions { out, force })?;
    println!(
        "wrote {} (fresh POSTGRES_PASSWORD and MOTCUA_JWT_SECRET) and the Ed25519 token keys \
         {} and {}, each readable by its owner only",
        done.env_file.display(),
        done.private_key.display(),
        done.public_key.display()
    );
    if done.replaced {
        println!(
            "an earlier .env was replaced: a database volume created with the old \
             POSTGRES_PASSWORD keeps it (change it with ALTER USER motcua PASSWORD, or start \
             afresh with docker-compose down -v, which erases the data)"
        );
    }
    println!(
        "next: docker-compose -f deploy/docker-compose.yml --env-file {} up --build",
        done.env_file.display()
    );
    Ok(())
}

/// `DATABASE_URL` of the maintenance commands (they do not start a private server).
fn database_url() -> anyhow::Result<String> {
    Settings::from_env(&Env::process())?
        .database_url
        .context("DATABASE_URL must be set (motcua up prints it)")
}

/// Lists or replays a producer's dead letters.
async fn outbox(action: OutboxAction) -> anyhow::Result<()> {
    let url = database_url()?;
    let (OutboxAction::DeadLetters {
        service,
        destination,
    }
    | OutboxAction::Replay {
        service,
        destination,
    }) = &action;
    let pool = motcua_db::connect(&url, service.as_str(), 2).await?;
    match action {
        OutboxAction::DeadLetters { .. } => {
            let dead = motcua_outbox::list_dead_letters(&pool, destination).await?;
            println!("{}", serde_json_pretty(&dead));
        }
        OutboxAction::Replay { .. } => {
            let n = motcua_outbox::replay_dead_letters(&pool, destination).await?;
            println!("{n} dead letters queued again for {destination}");
        }
    }
    Ok(())
}

/// Recomputes the handling report's flows from the facts and prints both checksums; exits 3
/// when they differ (the flows had drifted: they are now exact again).
async fn rebuild() -> anyhow::Result<()> {
    let url = database_url()?;
    let pool = motcua_server::connect_and_migrate(&motcua_reporting::DEFINITION, &url, 2).await?;
    let rebuilt = motcua_reporting::rebuild(&pool).await?;
    println!("{}", serde_json_pretty(&rebuilt));
    if rebuilt.before != rebuilt.after {
        eprintln!("the flows had drifted from the facts; they were recomputed");
        std::process::exit(3);
    }
    Ok(())
}

async fn catalogue(action: CatalogueAction) -> anyhow::Result<()> {
    let url = database_url()?;
    let pool = motcua_server::connect_and_migrate(&motcua_catalogue::DEFINITION, &url, 2).await?;
    match action {
        CatalogueAction::Import { file, actor } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let parsed = motcua_catalogue_model::CatalogueFile::parse(&text);
            let result = match parsed {
                Ok(f) => motcua_catalogue::import::import(&pool, &f, &actor).await,
                Err(errors) => Err(motcua_catalogue::import::ImportError::Invalid(errors)),
            };
            match result {
                Ok(summary) => {
                    println!("{}", serde_json_pretty(&summary));
                    Ok(())
                }
                Err(motcua_catalogue::import::ImportError::Invalid(errors)) => {
                    for e in &errors {
                        eprintln!("{}: {} [{}] {}", e.entry, e.field, e.code, e.message);
                    }
                    anyhow::bail!("{} error(s); nothing was imported", errors.len())
                }
                Err(e) => Err(e.into()),
            }
        }
        CatalogueAction::Export { out } => {
            let file = motcua_catalogue::import::load(&pool).await?;
            let text = file.to_json_pretty()?;
            match out {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => println!("{text}"),
            }
            Ok(())
        }
    }
}

fn serde_json_pretty<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

async fn up() -> anyhow::Result<()> {
    let env = Env::process();
    let mut settings = Settings::from_env(&env)?;
    // Without a key of the operator's, this installation's own secret (never a published one).
    if motcua::local_secret::applies(&env) {
        settings.auth.hs256_secret =
            motcua::local_secret::load_or_create(&motcua::local_secret::folder()?)?;
    }
    if settings.auth.service_keys_dir.is_none() {
        settings.auth.service_keys_dir = Some(motcua::local_secret::service_keys()?);
    }
    // Without the operator's agency keys, a test authority of this installation's own signs
    // each agency's documents (its certificates say "not for production").
    if settings.signing_dir.is_none() {
        settings.signing_dir = Some(motcua::local_secret::signing()?);
    }
    // One machine, its own secret: the shared-secret tokens are what local use means.
    if settings.auth.public_key_file.is_none() {
        settings.auth.public_key_algorithm = "HS256".into();
    }
    let telemetry = motcua_telemetry::init(&motcua_telemetry::TelemetryConfig {
        service_name: "motcua".into(),
        filter: settings.log_filter.clone(),
        json: settings.log_json,
        otlp_endpoint: settings.otlp_endpoint.clone(),
    })?;
    let shutdown = CancellationToken::new();
    motcua_server::shutdown::cancel_on_signal(shutdown.clone());

    let mut local_pg: Option<LocalPostgres> = None;
    let url = match settings.database_url.clone() {
        Some(url) => url,
        None => {
            let dir = std::env::current_dir()?.join(".motcua");
            let pg = tokio::task::spawn_blocking(move || {
                LocalPostgres::start(&LocalPgOptions {
                    dir,
                    ephemeral: false,
                })
            })
            .await??;
            tracing::info!(port = pg.port, dir = %pg.dir.display(), "private PostgreSQL started");
            motcua_db::create_database(&pg.url(), "motcua").await?;
            let url = motcua_db::with_database(&pg.url(), "motcua")?;
            println!("  private PostgreSQL: DATABASE_URL={url}");
            local_pg = Some(pg);
            url
        }
    };
    let result = run_system(&env, settings, &url, shutdown.clone()).await;
    if let Some(mut pg) = local_pg {
        tokio::task::spawn_blocking(move || pg.stop()).await?;
        tracing::info!("private PostgreSQL stopped");
    }
    telemetry.shutdown();
    result
}

async fn run_system(
    env: &Env<'_>,
    settings: Settings,
    url: &str,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut addrs = Vec::new();
    for name in ServiceName::ALL {
        let cfg = settings.service(env, name)?;
        let (rest, grpc) = motcua::local_addrs(env, name, cfg.rest_addr, cfg.grpc_addr);
        addrs.push((name, rest, grpc));
    }
    let listeners = motcua::bind_all(&addrs).await?;
    let grace = settings.shutdown_grace;
    let system = motcua::start_system(settings, listeners, url, shutdown.clone()).await?;
    for (name, rest, grpc) in &system.addrs {
        println!("  {name:<10} REST http://{rest}   gRPC {grpc}");
    }
    println!(
        "motcua is up. Ctrl-C stops it. Get a token with: motcua token --role one_stop_officer --agency 000.25.80.H80 --sub officer1"
    );
    motcua_server::wait_all(system.services, &shutdown, grace).await
}
