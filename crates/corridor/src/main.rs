//! The `corridor` binary: thin glue between the command line, the store and the domain.
//!
//! Exit statuses: 0 done; 1 error (database, file, key); 2 bad usage or input; 3 refused by a
//! safeguard (recorded as an event where a case exists); 4 refused otherwise (not permitted,
//! wrong state, unknown id, invalid value); 5 conflict (the case changed since `--expect-version`).

/// mimalloc rather than the system allocator: see the note in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod app;
mod backend;
mod cli;
mod commands;
mod config;
mod db_cmd;
mod demo;
mod demo_accounts;
mod entropy;
mod identity;
mod log_cmd;
mod printable;
mod remote;
mod stats_cmd;
mod user_cmd;
mod users;
mod witness_cmd;

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::process::ExitCode;

use anyhow::Context as _;
use corridor_log::keys::Algorithm;
use corridor_store::{Deployment, Store, StoreError, normalise_url};
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::{App, ClockSetting, parse_timestamp, read_master_key};
use crate::backend::Executor;
use crate::cli::{Cli, Top};
use crate::entropy::Entropy;

fn main() -> ExitCode {
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    let mut cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    // The configuration file fills what no flag or environment variable gave, before anything runs.
    if let Err(error) = config::apply(&matches, &mut cli) {
        eprintln!("error: {}", crate::printable::escape(&error.to_string()));
        return ExitCode::from(2);
    }
    let json_logs = matches!(&cli.command, Top::Serve(args) if args.log_format == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("CORRIDOR_LOG"))
        .with_writer(std::io::stderr);
    if json_logs {
        builder.json().init();
    } else {
        builder.init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            // An error may quote what the server or the database holds: shown, never obeyed.
            eprintln!("error: {}", crate::printable::escape(&format!("{error:#}")));
            if error
                .chain()
                .any(|cause| cause.downcast_ref::<app::InputError>().is_some())
            {
                ExitCode::from(2)
            } else if error
                .chain()
                .any(|cause| cause.downcast_ref::<app::Refused>().is_some())
            {
                ExitCode::from(app::exit::REFUSED)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let token = identity::token(cli.token.as_deref(), cli.token_file.as_deref())?;
    if let Some(server) = cli.server.as_deref() {
        return on_server(server, token.as_deref(), cli.json, cli.command).await;
    }
    let url = normalise_url(&cli.database);
    match cli.command {
        Top::Init(args) => {
            init(
                &cli.database,
                &url,
                cli.users.as_deref(),
                &cli.key_file,
                &args,
                cli.config.is_some(),
            )
            .await
        }
        Top::Demo(args) => demo::run(&args).await,
        Top::Witness(command) => witness_cmd::run(command).await,
        Top::Db(command) => db_cmd::run(&url, command, cli.json).await,
        // A published log is checked with its files and key alone: no database, no key file.
        Top::Log(
            command @ cli::LogCommand::Verify {
                against_db: false, ..
            },
        ) => log_cmd::verify_published(command, cli.json).await,
        // A release is checked with its files, the log's and the two keys alone, like the log.
        Top::Stats(cli::StatsCommand::Verify(args)) => stats_cmd::verify(&args, cli.json),
        command => {
            if let Some(path) = url
                .strip_prefix("sqlite://")
                .map(|rest| rest.split('?').next().unwrap_or(rest))
                && !std::path::Path::new(path).exists()
            {
                anyhow::bail!(
                    "there is no database at `{path}`: run `corridor init` first, or pass --database"
                );
            }
            let skew = jiff::SignedDuration::from_secs(i64::from(cli.clock_skew_seconds));
            let store = Store::open(&url, false).await?.with_clock_skew(skew);
            let deployment = store.deployment();
            let mut app = App {
                store: std::sync::Arc::new(store),
                master: read_master_key(&cli.key_file)?,
                users: identity::users(deployment, cli.users.as_deref())?,
                entropy: Entropy::System,
                json: cli.json,
                clock: identity::clock(deployment)?,
                quiet: false,
            };
            if let Top::Serve(args) = &command {
                return serve(app, &url, args).await;
            }
            let who = Who {
                name: cli.as_user.as_deref(),
                token: token.as_deref(),
            };
            let code = match command {
                Top::Agreement(command) => {
                    let backend = local_backend(&mut app, who).await?;
                    commands::agreement(&backend, app.json, command).await?
                }
                Top::Case(command) => {
                    let backend = local_backend(&mut app, who).await?;
                    commands::case(&backend, app.json, command).await?
                }
                Top::Hold(command) => {
                    let backend = local_backend(&mut app, who).await?;
                    commands::hold(&backend, app.json, command).await?
                }
                Top::Access(command) => {
                    let backend = local_backend(&mut app, who).await?;
                    commands::access(&backend, app.json, command).await?
                }
                Top::Monitor(command) => {
                    let backend = local_backend(&mut app, who).await?;
                    commands::monitor(&backend, app.json, command).await?
                }
                Top::Report(args) => {
                    let backend = local_backend(&mut app, who).await?;
                    commands::report(&backend, args).await?
                }
                Top::Complaint(command) => {
                    let backend = local_backend(&mut app, who).await?;
                    commands::complaint(&backend, app.json, command).await?
                }
                Top::Tick(args) => {
                    if let Some(at) = args.at {
                        identity::simulated_time_only(deployment, "--at")?;
                        app.clock = ClockSetting::Fixed(parse_timestamp("at", &at)?);
                    }
                    let backend = local_backend(&mut app, who).await?;
                    commands::tick(&backend, app.json).await?
                }
                Top::Check { rebuild } => {
                    if rebuild {
                        let events = app.store.rebuild_projections().await?;
                        if !app.json {
                            println!("rebuilt every projection from {events} events");
                        }
                    }
                    check(&app).await?
                }
                Top::Stats(cli::StatsCommand::Key { statistics_key }) => {
                    stats_cmd::key(&app.store, &statistics_key, app.json).await?
                }
                Top::Stats(cli::StatsCommand::Publish(args)) => {
                    let now = app.clock.now();
                    let store = std::sync::Arc::clone(&app.store);
                    let json = app.json;
                    let backend = local_backend(&mut app, who).await?;
                    stats_cmd::publish(&backend, &store, &args, now, json).await?
                }
                Top::Stats(cli::StatsCommand::Show { release, file }) => {
                    let backend = local_backend(&mut app, who).await?;
                    stats_cmd::show(&backend, &release, &file).await?
                }
                Top::Stats(cli::StatsCommand::List) => {
                    let json = app.json;
                    let backend = local_backend(&mut app, who).await?;
                    stats_cmd::list(&backend, json).await?
                }
                Top::Log(command) => {
                    let now = app.clock.now();
                    log_cmd::run(&app.store, command, now, app.json).await?
                }
                Top::User(command) => {
                    let now = app.clock.now();
                    user_cmd::run(&app.store, command, app.json, now).await?
                }
                Top::Init(_)
                | Top::Demo(_)
                | Top::Witness(_)
                | Top::Serve(_)
                | Top::Db(_)
                | Top::Stats(cli::StatsCommand::Verify(_)) => ExitCode::SUCCESS,
            };
            app.store.close().await;
            Ok(code)
        }
    }
}

/// Who says they act on the database host: `--as` and the token that proves it.
#[derive(Debug, Clone, Copy)]
struct Who<'a> {
    name: Option<&'a str>,
    token: Option<&'a str>,
}

/// The local side acting as the caller `who` proves (nobody when neither a name nor a token is
/// given: public reads only), decided by [`identity::caller`].
async fn local_backend(app: &mut App, who: Who<'_>) -> anyhow::Result<Executor> {
    let accounts = user_cmd::open(&app.store).await?;
    let caller = identity::caller(
        app.store.deployment(),
        who.name,
        who.token,
        &accounts,
        &app.users,
        app.clock.now(),
    )
    .await?;
    Executor::local(app, caller, accounts)
}

/// `--server URL`: the commands the API serves are carried out by the server; the others
/// work on a database and refuse.
async fn on_server(
    server: &str,
    token: Option<&str>,
    json: bool,
    command: Top,
) -> anyhow::Result<ExitCode> {
    let local_only = |name: &str| {
        Err(anyhow::Error::new(app::InputError(format!(
            "`corridor {name}` has no API route: run it on the database host, without --server"
        ))))
    };
    let connect = || remote::Remote::new(server, token).map(Executor::Remote);
    match command {
        Top::Agreement(command) => commands::agreement(&connect()?, json, command).await,
        Top::Case(command) => commands::case(&connect()?, json, command).await,
        Top::Hold(command) => commands::hold(&connect()?, json, command).await,
        Top::Access(command) => commands::access(&connect()?, json, command).await,
        Top::Monitor(command) => commands::monitor(&connect()?, json, command).await,
        Top::Report(args) => commands::report(&connect()?, args).await,
        Top::Complaint(command) => commands::complaint(&connect()?, json, command).await,
        Top::Tick(args) => {
            if args.at.is_some() {
                return Err(anyhow::Error::new(app::InputError(
                    "--at: with --server the server's clock decides; run `corridor tick --at` on the database host"
                        .to_owned(),
                )));
            }
            commands::tick(&connect()?, json).await
        }
        Top::Init(_) => local_only("init"),
        Top::Check { .. } => local_only("check"),
        Top::Log(_) => local_only("log"),
        Top::Stats(cli::StatsCommand::Show { release, file }) => {
            stats_cmd::show(&connect()?, &release, &file).await
        }
        Top::Stats(cli::StatsCommand::List) => stats_cmd::list(&connect()?, json).await,
        Top::Stats(cli::StatsCommand::Verify(args)) => stats_cmd::verify(&args, json),
        Top::Stats(cli::StatsCommand::Publish(_) | cli::StatsCommand::Key { .. }) => {
            local_only("stats publish|key")
        }
        Top::Serve(_) => local_only("serve"),
        Top::Witness(_) => local_only("witness"),
        Top::Demo(_) => local_only("demo"),
        Top::Db(_) => local_only("db"),
        Top::User(_) => local_only("user"),
    }
}

async fn init(
    database: &str,
    url: &str,
    users: Option<&std::path::Path>,
    key_file: &std::path::Path,
    args: &cli::InitArgs,
    config_named: bool,
) -> anyhow::Result<ExitCode> {
    let admin = args.admin.as_str();
    let deployment = if args.simulation {
        Deployment::Simulation
    } else {
        Deployment::Real
    };
    // Both refused before anything is created: a real deployment takes neither.
    let now = identity::clock(deployment)?.now();
    identity::users(deployment, users)?;
    // A sigsum origin names the log by its Ed25519 key, so the key's seed is drawn first,
    // and a key already there, or no Ed25519 key at all, is refused before anything is created.
    let sigsum_seed = match args.sigsum_origin {
        true if !args
            .log_signature
            .algorithms()
            .contains(&Algorithm::Ed25519) =>
        {
            return Err(anyhow::Error::new(app::InputError(
                "--sigsum-origin names the log by its Ed25519 key, and --log-signature ml-dsa-44 makes none: use --log-signature both, or a free --origin".to_owned(),
            )));
        }
        true if args.log_key_file.exists() => {
            return Err(anyhow::Error::new(app::InputError(format!(
                "--sigsum-origin: the origin is derived from a new log key, and `{}` exists: move it away or name another --log-key-file",
                args.log_key_file.display()
            ))));
        }
        true => Some(fresh_seed()?),
        false => None,
    };
    let store = Store::open(url, true).await?;
    store
        .record_deployment(deployment)
        .await
        .map_err(|error| match error {
            StoreError::Deployment(message) => {
                anyhow::Error::new(app::InputError(format!("--simulation: {message}")))
            }
            other => other.into(),
        })?;
    let asked = match &sigsum_seed {
        Some(seed) => log_cmd::sigsum_origin(seed)?,
        None => args.origin.clone(),
    };
    store.configure_log(Some(&asked), None).await?;
    let origin = store.origin().await?;
    println!("database ready: {database}, a {deployment} (log origin `{origin}`)");
    if args.log_key_file.exists() {
        println!(
            "log signing key: keeping the existing {}",
            args.log_key_file.display()
        );
    } else {
        let mut keys = Vec::new();
        for &algorithm in args.log_signature.algorithms() {
            let seed = match (algorithm, sigsum_seed) {
                (Algorithm::Ed25519, Some(seed)) => seed,
                _ => fresh_seed()?,
            };
            keys.push((algorithm, seed));
        }
        let signers = log_cmd::create_signers(&args.log_key_file, &origin, &keys)?;
        match signers.as_slice() {
            [signer] => println!(
                "log signing key: created {} (mode 0600); verifier key: {}",
                args.log_key_file.display(),
                signer.verifier_key_string()
            ),
            _ => {
                println!(
                    "log signing keys: created {} (mode 0600), one per line; verifier keys, one per line:",
                    args.log_key_file.display()
                );
                for signer in &signers {
                    println!("{}", signer.verifier_key_string());
                }
            }
        }
    }
    if std::env::var("CORRIDOR_MASTER_KEY").is_ok() {
        println!("master key: taken from CORRIDOR_MASTER_KEY");
    } else if key_file.exists() {
        println!("master key: keeping the existing {}", key_file.display());
    } else {
        let mut key = [0u8; 32];
        Entropy::System.fill(&mut key)?;
        // Created with owner-only permissions from the start: never world-readable, not even briefly.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(key_file)
            .with_context(|| format!("cannot create key file `{}`", key_file.display()))?;
        writeln!(file, "{}", hex::encode(key))?;
        file.sync_all()?;
        println!(
            "master key: created {} (mode 0600) — back it up: without it no personal data can be read",
            key_file.display()
        );
    }
    if deployment.is_simulation() {
        write_users_file(&identity::users_path(users), admin, args.example_users)?;
    }
    user_cmd::create_first_admin(&store, admin, now).await?;
    store.close().await;
    let users_file = identity::users_path(users);
    config::report_written(
        config_named,
        &config::Written {
            database,
            key_file,
            log_key_file: &args.log_key_file,
            users: deployment.is_simulation().then_some(users_file.as_path()),
            origin: &asked,
            listen: config::LISTEN_DEFAULT,
        },
        "corridor init",
    )?;
    if deployment.is_simulation() {
        println!("next: corridor --as {admin} agreement load agreements/us-rwa-2025.toml");
    } else {
        println!(
            "a real deployment: the system clock only, and `--as` acts as an account that proves it with a token"
        );
        println!("next: corridor user token {admin} --scope '*' --to-file {admin}.token");
        println!(
            "      corridor --token-file {admin}.token agreement load agreements/us-rwa-2025.toml"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A simulation's users file with the first admin and, with `examples`, synthetic accounts;
/// an existing file is kept.
fn write_users_file(path: &std::path::Path, admin: &str, examples: bool) -> anyhow::Result<()> {
    if path.exists() {
        println!("users: keeping the existing {}", path.display());
        return Ok(());
    }
    std::fs::write(path, users::initial_file(admin, examples))
        .with_context(|| format!("cannot write users file `{}`", path.display()))?;
    println!(
        "users: created {} with admin `{admin}`{}",
        path.display(),
        if examples {
            " and synthetic example accounts"
        } else {
            ""
        }
    );
    Ok(())
}

async fn serve(app: App, url: &str, args: &cli::ServeArgs) -> anyhow::Result<ExitCode> {
    if !matches!(args.log_format.as_str(), "text" | "json") {
        return Err(anyhow::Error::new(app::InputError(format!(
            "--log-format: `{}` is not `text` or `json`",
            args.log_format
        ))));
    }
    let witness = match &args.witness_key {
        Some(key_file) => {
            if normalise_url(&args.witness_database) == url {
                return Err(anyhow::Error::new(app::InputError(
                    "--witness-database is the log's --database: the witness keeps a database of its own"
                        .to_owned(),
                )));
            }
            Some(
                witness_cmd::open_witness(
                    key_file,
                    &args.witness_logs,
                    "--witness-log",
                    &args.witness_database,
                )
                .await?,
            )
        }
        None => None,
    };
    let store = app.store;
    let accounts = corridor_accounts::Accounts::from_pool(store.pool().clone())
        .await
        .context("cannot open the accounts")?;
    let authz = corridor_authz::Authz::load()
        .context("the authorization policies do not load; the server will not start")?;
    let mut config =
        corridor_api::ServerConfig::new(store.clone(), accounts, std::sync::Arc::new(authz));
    config.master = app.master;
    config.secure_cookies = args.secure_cookies;
    config.witness = witness.clone();
    // An account may choose only a language the pages have a catalogue for.
    config.languages = corridor_web::i18n::languages()
        .into_iter()
        .map(str::to_owned)
        .collect();
    config.rate_limit = corridor_api::limits::RateLimit {
        burst_requests: args.rate_limit_burst,
        refill_per_second: args.rate_limit_per_second,
    };
    if let app::ClockSetting::Fixed(at) = app.clock {
        config.clock = std::sync::Arc::new(move || at);
    }
    let state = corridor_api::AppState::new(config);
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    match &witness {
        None => println!(
            "corridor serving on http://{} (web pages at /, /checkpoint, /tile/…, /healthz, /readyz, /metrics, /api/agreements)",
            listener.local_addr()?
        ),
        Some(witness) => println!(
            "corridor serving on http://{} (web pages at /, /checkpoint, /tile/…, /add-checkpoint, /healthz, /readyz, /metrics, /api/agreements); witness cosigner key {}",
            listener.local_addr()?,
            witness.cosigner_verifier().to_key_string()
        ),
    }
    // The web pages (corridor-web) under every layer of the API.
    corridor_api::serve_with(listener, state, corridor_web::pages(), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    store.close().await;
    if let Some(witness) = witness {
        witness.store().close().await;
    }
    Ok(ExitCode::SUCCESS)
}

async fn check(app: &App) -> anyhow::Result<ExitCode> {
    let total = app.store.event_count().await?;
    let bar = if app.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total)
    };
    bar.set_style(
        ProgressStyle::with_template("replaying {bar:40} {pos}/{len} events ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut report = app.store.check(&|done, _| bar.set_position(done)).await?;
    bar.set_position(0);
    report.problems.extend(
        app.store
            .check_log(&|done, _| bar.set_position(done))
            .await?,
    );
    bar.finish_and_clear();
    if app.json {
        println!(
            "{}",
            serde_json::json!({"ok": report.problems.is_empty(), "events": report.events, "cases": report.cases,
                "holds": report.holds, "agreements": report.agreements, "problems": report.problems})
        );
    } else if report.problems.is_empty() {
        println!(
            "ok: {} events replay to the stored projections and match the log ({} cases, {} holds, {} agreements)",
            report.events, report.cases, report.holds, report.agreements
        );
    } else {
        println!(
            "{} problem(s) found after replaying {} events:",
            report.problems.len(),
            report.events
        );
        for problem in &report.problems {
            println!("  {problem}");
        }
    }
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// 32 bytes from the system's randomness, for a new key.
fn fresh_seed() -> anyhow::Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    Entropy::System.fill(&mut seed)?;
    Ok(seed)
}
