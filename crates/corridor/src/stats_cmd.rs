//! `corridor stats verify`: a published release of statistics checked against the published
//! log with the `corridor-verify` library (the same checks and refusals as `corridor-verify
//! stats`). It opens no database, reads no key file and writes nothing: an outsider runs it with
//! the published files and two verifier keys.

use std::process::ExitCode;

use corridor_log::note::VerifierSet;
use corridor_verify::check::Trust;
use corridor_verify::keys;
use corridor_verify::source::Source;
use corridor_verify::stats::{report_lines, verify_release};

use crate::app::InputError;
use crate::cli::StatsVerifyArgs;

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
