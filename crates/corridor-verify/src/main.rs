//! `corridor-verify`: checks a published corridor log with nothing but its files and keys.
//!
//! Exit statuses: 0 verified; 1 refused (bad signature, missing cosignature, tampered tile,
//! unreadable file, state file unusable); 2 bad usage; 3 the log forked or rolled back against
//! the trusted checkpoint in the state file (evidence of misbehaviour: alert someone).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use corridor_log::note::{KeyError, VerifierSet};
use corridor_verify::check::{Refusal, Trust, verify_event};
use corridor_verify::source::Source;
use corridor_verify::state::StateFile;
use corridor_verify::stats::{StatsRefusal, report_lines, verify_release};
use corridor_verify::{MonitorError, keys, monitor};

/// The exit status of a refusal.
const EXIT_REFUSED: u8 = 1;
/// The exit status of bad usage (clap uses it too).
const EXIT_USAGE: u8 = 2;
/// The exit status of a fork or rollback against the trusted checkpoint.
const EXIT_SPLIT_VIEW: u8 = 3;

/// Verify a published corridor transparency log (C2SP checkpoint, cosignatures and tiles).
#[derive(Debug, Parser)]
#[command(name = "corridor-verify", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify the checkpoint, its cosignatures and every tile and entry of a published log; with
    /// --state, also that it extends the checkpoint trusted last, which then moves forward.
    Log {
        /// The directory or http(s):// URL the log is published at.
        source: String,
        #[command(flatten)]
        trust: TrustArgs,
        /// A file keeping the trusted checkpoint between runs (created on the first run).
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
    },
    /// Verify that an event (its stored bytes) with its salt is in the log, from an inclusion
    /// proof made by `corridor log prove --event SEQ`.
    Event {
        /// The inclusion proof (C2SP tlog-proof with the leaf in its `extra` line).
        #[arg(long, value_name = "FILE")]
        proof: PathBuf,
        /// The stored event, byte for byte.
        #[arg(long, value_name = "FILE")]
        event: PathBuf,
        /// The event's salt, 64 hex digits.
        #[arg(long)]
        salt: String,
        #[command(flatten)]
        trust: TrustArgs,
    },
    /// Verify a release of public statistics against the log: its signature, every file's
    /// SHA-256, the CSV against the JSON, its checkpoint against the log's tiles, every exact
    /// total against the log's leaves and every breakdown against its total.
    Stats {
        /// The directory or http(s):// URL the release is published at (`release.note` and its
        /// files).
        release: String,
        /// The directory or http(s):// URL the log is published at.
        #[arg(long, value_name = "DIR_OR_URL")]
        log: String,
        /// The statistics verifier key (`<log origin>/statistics+hexid+base64`).
        #[arg(long = "key", value_name = "VKEY")]
        statistics_key: String,
        /// The log's verifier key (`corridor log key`).
        #[arg(long = "log-key", value_name = "VKEY")]
        log_key: String,
        /// A witness's cosigning verifier key; repeat for more.
        #[arg(long = "witness", value_name = "KEY")]
        witnesses: Vec<String>,
        /// How many of the witnesses must have cosigned; by default all of them.
        #[arg(long)]
        threshold: Option<usize>,
    },
}

#[derive(Debug, Args)]
struct TrustArgs {
    /// The log's verifier key (`name+hexid+base64`, as `corridor log key` prints it).
    #[arg(long = "key")]
    log_key: String,
    /// The log's origin; by default the key's name.
    #[arg(long)]
    origin: Option<String>,
    /// A witness's cosigning verifier key; repeat for more.
    #[arg(long = "witness", value_name = "KEY")]
    witnesses: Vec<String>,
    /// How many of the witnesses must have cosigned; by default all of them.
    #[arg(long)]
    threshold: Option<usize>,
}

impl TrustArgs {
    fn trust(&self) -> Result<Trust, String> {
        let key_error = |flag: &str, error: KeyError| format!("--{flag}: {error}");
        let log_key = keys::log_key(&self.log_key).map_err(|error| key_error("key", error))?;
        let origin = self
            .origin
            .clone()
            .unwrap_or_else(|| log_key.name().to_string());
        let log = VerifierSet::new()
            .with(log_key)
            .map_err(|error| key_error("key", error))?;
        let witnesses = self
            .witnesses
            .iter()
            .map(|text| keys::witness_key(text).map_err(|error| key_error("witness", error)))
            .collect::<Result<Vec<_>, _>>()?;
        let threshold = self.threshold.unwrap_or(witnesses.len());
        Trust::new(origin, log)
            .with_witnesses(witnesses, threshold)
            .map_err(|error| format!("--threshold: {error}"))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let trust = match &cli.command {
        Command::Log { trust, .. } | Command::Event { trust, .. } => trust.trust(),
        Command::Stats {
            log_key,
            witnesses,
            threshold,
            ..
        } => TrustArgs {
            log_key: log_key.clone(),
            origin: None,
            witnesses: witnesses.clone(),
            threshold: *threshold,
        }
        .trust()
        .map_err(|message| message.replacen("--key", "--log-key", 1)),
    };
    let trust = match trust {
        Ok(trust) => trust,
        Err(message) => return usage(&message),
    };
    match cli.command {
        Command::Log { source, state, .. } => log(&source, &trust, state.map(StateFile::new)),
        Command::Event {
            proof, event, salt, ..
        } => event_command(&proof, &event, &salt, &trust),
        Command::Stats {
            release,
            log,
            statistics_key,
            ..
        } => stats_command(&release, &log, &statistics_key, &trust),
    }
}

/// `corridor-verify stats`.
fn stats_command(release: &str, log: &str, statistics_key: &str, trust: &Trust) -> ExitCode {
    let statistics =
        match keys::statistics_key(statistics_key).and_then(|key| VerifierSet::new().with(key)) {
            Ok(statistics) => statistics,
            Err(error) => return usage(&format!("--key: {error}")),
        };
    match verify_release(
        &Source::parse(release),
        &statistics,
        &Source::parse(log),
        trust,
    ) {
        Ok(report) => {
            for line in report_lines(&report) {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(StatsRefusal::Log(refusal)) => refused(&refusal),
        Err(refusal) => {
            report(&refusal);
            ExitCode::from(EXIT_REFUSED)
        }
    }
}

/// `corridor-verify log`.
fn log(source: &str, trust: &Trust, state: Option<StateFile>) -> ExitCode {
    match monitor(&Source::parse(source), trust, state.as_ref()) {
        Ok(report) => {
            let checkpoint = &report.opened.checkpoint;
            println!(
                "ok: {} at size {}, root {}",
                checkpoint.origin(),
                checkpoint.size(),
                checkpoint.root().to_base64()
            );
            println!(
                "  signed by the log; cosigned by {} witness(es){}",
                report.opened.cosigned_by.len(),
                names(&report.opened.cosigned_by)
            );
            println!(
                "  {} tiles and {} entries authenticated against the signed root",
                report.tiles, report.entries
            );
            if let Some(trusted_size) = report.consistent_with {
                println!("  consistent with the trusted checkpoint of size {trusted_size}");
            }
            if let Some(state) = &state {
                println!(
                    "  state `{}` now trusts this checkpoint",
                    state.path().display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(MonitorError::Refused(refusal)) => refused(&refusal),
        Err(error) => {
            report(&error);
            ExitCode::from(EXIT_REFUSED)
        }
    }
}

/// `corridor-verify event`.
fn event_command(proof: &Path, event: &Path, salt: &str, trust: &Trust) -> ExitCode {
    let salt = match hex::decode(salt.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
    {
        Some(salt) => salt,
        None => return usage("--salt: expected 64 hex digits (32 bytes)"),
    };
    let read =
        |path: &Path| std::fs::read(path).map_err(|error| format!("`{}`: {error}", path.display()));
    let (proof, event) = match (read(proof), read(event)) {
        (Ok(proof), Ok(event)) => (proof, event),
        (Err(message), _) | (_, Err(message)) => return failed(&message),
    };
    let proof = String::from_utf8_lossy(&proof);
    match verify_event(&proof, &event, &salt, trust) {
        Ok(report) => {
            println!(
                "ok: the event ({} on {}) is leaf {} of {} at size {}{}",
                report.leaf.kind(),
                report.leaf.day(),
                report.index,
                report.opened.checkpoint.origin(),
                report.opened.checkpoint.size(),
                names(&report.opened.cosigned_by)
            );
            ExitCode::SUCCESS
        }
        Err(refusal) => refused(&refusal),
    }
}

fn names(witnesses: &[corridor_log::note::KeyName]) -> String {
    if witnesses.is_empty() {
        return String::new();
    }
    let names: Vec<String> = witnesses.iter().map(ToString::to_string).collect();
    format!(" ({})", names.join(", "))
}

/// Prints an error with its causes, one per line.
fn report(error: &dyn std::error::Error) {
    eprintln!("error: {error}");
    let mut cause = error.source();
    while let Some(error) = cause {
        eprintln!("  because: {error}");
        cause = error.source();
    }
}

fn refused(refusal: &Refusal) -> ExitCode {
    report(refusal);
    if refusal.is_split_view() {
        eprintln!("the trusted state was NOT moved forward: keep this output as evidence");
        ExitCode::from(EXIT_SPLIT_VIEW)
    } else {
        ExitCode::from(EXIT_REFUSED)
    }
}

fn failed(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(EXIT_REFUSED)
}

fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}
