//! `corridor stats …`: `publish` (through the application layer, as the `--as` operator),
//! `show` and `list` (anyone, locally or with `--server`), `key` (the operator's signing key),
//! and `verify`.
//!
//! `corridor stats verify`: a published release of statistics checked against the published
//! log with the `corridor-verify` library (the same checks and refusals as `corridor-verify
//! stats`). It opens no database, reads no key file and writes nothing: an outsider runs it with
//! the published files and two verifier keys.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_app::statistics::release::PublishRequest;
use corridor_log::note::{Ed25519Signer, KeyName, VerifierSet};
use corridor_stats::manifest::signer_name;
use corridor_stats::period::{Month, Period};
use corridor_stats::release::ReleasePeriod;
use corridor_store::Store;
use corridor_verify::check::Trust;
use corridor_verify::keys;
use corridor_verify::source::Source;
use corridor_verify::stats::{report_lines, verify_release};

use crate::app::InputError;

use crate::backend::{Executor, Failure, RequestResult};
use crate::cli::{StatsPublishArgs, StatsVerifyArgs};
use crate::commands::answer_error_saying;
use crate::entropy::Entropy;

/// The log's trust from `--log-key` and `--cosigner`; bad keys are usage errors.
fn trust(log_key: &str, cosigners: &[String]) -> Result<Trust, InputError> {
    let input =
        |flag: &str, error: &dyn std::fmt::Display| InputError(format!("--{flag}: {error}"));
    let log = keys::log_key(log_key).map_err(|error| input("log-key", &error))?;
    let origin = log.name().to_string();
    let log = VerifierSet::new()
        .with(log)
        .map_err(|error| input("log-key", &error))?;
    let witnesses = cosigners
        .iter()
        .map(|text| keys::witness_key(text).map_err(|error| input("cosigner", &error)))
        .collect::<Result<Vec<_>, _>>()?;
    let threshold = witnesses.len();
    Trust::new(origin, log)
        .with_witnesses(witnesses, threshold)
        .map_err(|error| input("cosigner", &error))
}

/// A reply of `stats publish|show|list` or the error it becomes, the problem's code first: a
/// refusal (not permitted, not now, no such release, invalid input) exits 4 like every refused
/// command (`commands::answer_error_saying`); anything else is an error (1).
fn answered<T>(reply: RequestResult<T>) -> anyhow::Result<T> {
    reply.map_err(|failure| match failure {
        Failure::Error(error) => error,
        Failure::Answer(answer) => {
            let message = format!("{}: {}", answer.code, answer.detail);
            answer_error_saying(&answer, message)
        }
    })
}

/// `corridor stats verify`: exit 0 when the release is verified, 1 when it is refused (the
/// error says which file, key, tile or cell), 2 for a malformed key.
pub fn verify(args: &StatsVerifyArgs, json: bool) -> anyhow::Result<ExitCode> {
    let trust = trust(&args.log_key, &args.cosigners)?;
    let statistics = keys::statistics_key(&args.key)
        .and_then(|key| VerifierSet::new().with(key))
        .map_err(|error| InputError(format!("--key: {error}")))?;
    // Kept as the error's source, not flattened into text: the cause (which cell, which tile)
    // is what tells the reader what is wrong.
    let report = verify_release(
        &Source::parse(&args.release),
        &statistics,
        &Source::parse(&args.log),
        &trust,
    )
    .map_err(anyhow::Error::new)?;
    if json {
        let release = &report.release;
        println!(
            "{}",
            serde_json::json!({
                "ok": true,
                "release": release.id,
                "period": release.period,
                "origin": release.checkpoint.origin,
                "size": release.checkpoint.size,
                "root": release.checkpoint.root,
                "files": report.manifest.files.len(),
                "cells": release.cells.len(),
                "totals_against_log": report.cells.totals_against_log,
                "breakdown_equations": report.cells.equations,
            })
        );
    } else {
        for line in report_lines(&report) {
            println!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the statistics signing key, which must be named for this log (`<origin>/statistics`).
pub fn read_signer(path: &Path, origin: &str) -> anyhow::Result<Ed25519Signer> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the statistics signing key `{}` (create it with `corridor stats key`)",
            path.display()
        )
    })?;
    let line = text.lines().map(str::trim).find(|line| !line.is_empty());
    let signer = line
        .map(Ed25519Signer::parse)
        .ok_or_else(|| anyhow::anyhow!("statistics key `{}` holds no key", path.display()))?
        .map_err(|error| anyhow::anyhow!("statistics key `{}`: {error}", path.display()))?;
    let expected = signer_name(origin);
    if signer.name().as_str() != expected {
        bail!(
            "statistics key `{}` is named `{}`, not `{expected}`: it belongs to another log",
            path.display(),
            signer.name().as_str()
        );
    }
    Ok(signer)
}

/// `corridor stats key`: creates the key (mode 0600, never over an existing file) if there is
/// none, then prints its verifier key.
pub async fn key(store: &Store, path: &Path, json: bool) -> anyhow::Result<ExitCode> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let origin = store.origin().await?;
    let created = !path.exists();
    let signer = if created {
        let name = KeyName::new(signer_name(&origin))
            .map_err(|error| anyhow::anyhow!("origin `{origin}`: {error}"))?;
        let seed: [u8; 32] = Entropy::System.array()?;
        let signer = Ed25519Signer::from_seed(name, &seed);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("cannot create statistics key `{}`", path.display()))?;
        writeln!(file, "{}", signer.to_private_key_string())?;
        file.sync_all()?;
        signer
    } else {
        read_signer(path, &origin)?
    };
    let verifier = signer.verifier().to_key_string();
    if json {
        println!(
            "{}",
            serde_json::json!({ "key_file": path.display().to_string(), "created": created, "verifier_key": verifier })
        );
    } else {
        if created {
            eprintln!(
                "created the statistics signing key `{}` (mode 0600)",
                path.display()
            );
        }
        println!("{verifier}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The release period of `--period`: a month, quarter or year, or `since-entry[..YYYY-MM]`; by
/// default the last month that has ended at `now`.
pub fn release_period(text: Option<&str>, now: jiff::Timestamp) -> anyhow::Result<ReleasePeriod> {
    // A timestamp prints as RFC 3339 in UTC: its first seven characters are its month.
    let text_now = now.to_string();
    let this_month: Month = text_now
        .get(..7)
        .and_then(|month| month.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("the clock's time {now} is outside 1970–9999"))?;
    let last_ended = previous(this_month);
    let bad = |error: &dyn std::fmt::Display| InputError(format!("--period: {error}"));
    Ok(match text {
        None => ReleasePeriod::Period(Period::Month(last_ended)),
        Some("since-entry") => ReleasePeriod::SinceEntry { to: last_ended },
        Some(text) => match text.strip_prefix("since-entry..") {
            Some(month) => ReleasePeriod::SinceEntry {
                to: month.parse().map_err(|error| bad(&error))?,
            },
            None => match Period::parse(text).map_err(|error| bad(&error))? {
                Period::Since { .. } => {
                    return Err(InputError(
                        "--period: for everything since an agreement entered into force, say `since-entry` or `since-entry..YYYY-MM`".to_owned(),
                    )
                    .into());
                }
                period => ReleasePeriod::Period(period),
            },
        },
    })
}

/// The month before.
fn previous(month: Month) -> Month {
    if month.month() == 1 {
        Month::new(month.year() - 1, 12).unwrap_or(month)
    } else {
        Month::new(month.year(), month.month() - 1).unwrap_or(month)
    }
}

/// `corridor stats publish DIR`: publishes a release through the application layer, then
/// writes its files to DIR/<release id>/ (the signed note last, so a directory with a note is
/// complete). A file already there with other bytes is refused, never overwritten.
pub async fn publish(
    backend: &Executor,
    store: &Store,
    args: &StatsPublishArgs,
    now: jiff::Timestamp,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let period = release_period(args.period.as_deref(), now)?;
    let origin = store.origin().await?;
    let signer = read_signer(&args.statistics_key, &origin)?;
    let request = PublishRequest {
        period,
        id: args.release.clone(),
        corrects: args.corrects.clone(),
        threshold: args.threshold,
        base: args.rounding_base,
    };
    let published = answered(backend.publish_statistics(&request, &signer).await)?;
    let dir = args.dir.join(&published.id);
    write_release(&dir, &published.files)?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "release": published.id,
                "period": published.period,
                "checkpoint_size": published.checkpoint_size,
                "dir": dir.display().to_string(),
                "files": published.files.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            })
        );
    } else {
        println!(
            "published release {} ({}), counted at log size {}: {} files in {}",
            published.id,
            published.period,
            published.checkpoint_size,
            published.files.len(),
            dir.display()
        );
        println!(
            "check it: corridor stats verify {} --log LOG_DIR_OR_URL --key {} --log-key LOG_VKEY",
            dir.display(),
            signer.verifier().to_key_string()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a release's files into `dir`, the signed note last; an identical file already there
/// is left as it is, a different one refused.
pub(crate) fn write_release(dir: &Path, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the release directory `{}`", dir.display()))?;
    let (notes, data): (Vec<_>, Vec<_>) = files
        .iter()
        .partition(|(name, _)| name.as_str() == corridor_stats::files::NOTE_FILE);
    for (name, bytes) in data.into_iter().chain(notes) {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(existing) if existing == *bytes => continue,
            Ok(_) => bail!(
                "`{}` exists with other bytes: releases are never rewritten; publish to another directory",
                path.display()
            ),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read `{}`", path.display()));
            }
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot create `{}`", path.display()))?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    Ok(())
}

/// `corridor stats show`: one file of a release, byte for byte.
pub async fn show(backend: &Executor, release: &str, file: &str) -> anyhow::Result<ExitCode> {
    let text = answered(backend.statistics_file(release, file).await)?;
    // The bytes as published; a reader that stops early (`| head`) is not an error.
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(error).context("cannot write to standard output")
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// `corridor stats list`: the releases, newest first.
pub async fn list(backend: &Executor, json: bool) -> anyhow::Result<ExitCode> {
    let listed = answered(backend.statistics_releases().await)?;
    if json {
        println!("{}", serde_json::to_string(&listed)?);
    } else if listed.releases.is_empty() {
        println!("no release is published yet");
    } else {
        for release in listed.releases {
            let correction = release
                .corrects
                .map(|of| format!(", corrects {of}"))
                .unwrap_or_default();
            println!(
                "{}  {}  published {}{correction}",
                release.id, release.period, release.published_at
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
