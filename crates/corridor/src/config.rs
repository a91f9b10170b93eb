//! The configuration file, `corridor.toml`: the settings a deployment would otherwise repeat on
//! every command line — the database, the key files, the users file, the log's origin and the
//! server's options (docs/configuration.md lists every key).
//!
//! Precedence, setting by setting: a flag, then its `CORRIDOR_*` environment variable, then the
//! file, then the built-in default. The file is the one `--config FILE` (or `CORRIDOR_CONFIG`)
//! names, which must exist, or else `corridor.toml` in the current directory when there is one.
//! It is applied in one step after clap has parsed the command line ([`apply`]): a value clap
//! took from a flag or the environment is never replaced, so every flag and variable works as it
//! does without a file. Relative paths in the file are relative to the file's directory.
//!
//! What the file cannot hold is as deliberate as what it can: no clock (only a simulation's
//! clock may be fixed, with `CORRIDOR_NOW`, and the database's kind decides that, never a file),
//! no deployment kind, no token and no master key itself. Unknown keys are refused with their
//! line, so a misspelt or invented key (`now = …`) cannot pass silently.
//!
//! `corridor init` and `corridor demo` write a file for what they created ([`write_new`]); an
//! existing file is never overwritten, and they say so.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;
use toml::Spanned;

use crate::cli::{Cli, LogCommand, StatsCommand, Top, WitnessCommand};

/// The file looked for in the current directory when neither `--config` nor `CORRIDOR_CONFIG`
/// names one.
pub const FILE_DEFAULT: &str = "corridor.toml";

/// `corridor serve`'s listening address when neither a flag nor the file names one.
pub const LISTEN_DEFAULT: &str = "127.0.0.1:8080";

/// The largest configuration file read: far above any real one, so a wrong path (a database,
/// a log) is refused instead of read whole.
const FILE_BYTES_MAX: u64 = 64 * 1024;

/// The largest clock skew the flag accepts, and so the file.
const CLOCK_SKEW_SECONDS_MAX: u16 = 3600;

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read (a named file that does not exist included).
    #[error("cannot read the configuration file `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is larger than any configuration file.
    #[error("the configuration file `{path}` is over {FILE_BYTES_MAX} bytes: is it one?")]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The file is not valid TOML, holds an unknown key, or a value that cannot be used.
    #[error("configuration file `{path}`, line {line}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The line of the offending key or value (1 when the parser names none).
        line: usize,
        /// What is wrong, naming the key.
        message: String,
    },
    /// The file could not be written.
    #[error("cannot write the configuration file `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A path cannot be written into a TOML file as text.
    #[error("cannot write `{path}` into the configuration file: it is not UTF-8")]
    NotUtf8 {
        /// The path.
        path: PathBuf,
    },
}

/// The largest rounding base a deployment may set: a coarser one would leave little to publish.
const ROUNDING_BASE_MAX: u64 = 100;

/// The file as written: every key optional, nothing else allowed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileText {
    database: Option<Spanned<String>>,
    key_file: Option<PathBuf>,
    log_key_file: Option<PathBuf>,
    users: Option<PathBuf>,
    origin: Option<String>,
    clock_skew_seconds: Option<Spanned<u16>>,
    serve: Option<ServeText>,
    witness: Option<WitnessText>,
    statistics: Option<StatisticsText>,
}

/// The `[statistics]` table as written: the disclosure control and signing key of the releases
/// (`corridor stats publish`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatisticsText {
    threshold: Option<Spanned<u64>>,
    rounding_base: Option<Spanned<u64>>,
    key_file: Option<PathBuf>,
}

/// The `[witness]` table as written: the standalone witness (`corridor witness init|serve`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WitnessText {
    listen: Option<String>,
    database: Option<Spanned<String>>,
    key_file: Option<PathBuf>,
    logs: Option<Spanned<Vec<String>>>,
}

/// The `[serve]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeText {
    listen: Option<String>,
    log_format: Option<Spanned<String>>,
    secure_cookies: Option<bool>,
    rate_limit_per_second: Option<u32>,
    rate_limit_burst: Option<u32>,
    witness_key: Option<PathBuf>,
    witness_logs: Option<Spanned<Vec<String>>>,
    witness_database: Option<String>,
}

/// A configuration file, checked, its relative paths resolved against its directory.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The database URL (`--database`).
    pub database: Option<String>,
    /// The master key file (`--key-file`).
    pub key_file: Option<PathBuf>,
    /// The log's signing key file (`--log-key-file`).
    pub log_key_file: Option<PathBuf>,
    /// A simulation's users file (`--users`).
    pub users: Option<PathBuf>,
    /// The log's origin, as `corridor init --origin` takes it.
    pub origin: Option<String>,
    /// `--clock-skew-seconds`.
    pub clock_skew_seconds: Option<u16>,
    /// The `[serve]` table.
    pub serve: ServeConfig,
    /// The `[witness]` table.
    pub witness: WitnessConfig,
    /// The `[statistics]` table.
    pub statistics: StatisticsConfig,
}

/// The `[statistics]` table, checked: `corridor stats publish`'s settings.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct StatisticsConfig {
    /// `--threshold`: counts from 1 to one less are suppressed (5 by default, never below 3).
    pub threshold: Option<u64>,
    /// `--rounding-base`: published counts are rounded to a multiple of it (5 by default).
    pub rounding_base: Option<u64>,
    /// `--statistics-key`: the statistics signing key file.
    pub key_file: Option<PathBuf>,
}

/// The `[witness]` table, checked: the standalone witness's options (`corridor witness serve`,
/// and the key file of `corridor witness init`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WitnessConfig {
    /// `witness serve --listen`.
    pub listen: Option<String>,
    /// `witness serve --witness-database`.
    pub database: Option<String>,
    /// `witness init|serve --key-file`.
    pub key_file: Option<PathBuf>,
    /// `witness serve --log`, every one.
    pub logs: Option<Vec<String>>,
}

/// The `[serve]` table, checked: `corridor serve`'s options.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ServeConfig {
    /// `--listen`.
    pub listen: Option<String>,
    /// `--log-format`: `text` or `json`.
    pub log_format: Option<String>,
    /// `--secure-cookies`.
    pub secure_cookies: Option<bool>,
    /// `--rate-limit-per-second`.
    pub rate_limit_per_second: Option<u32>,
    /// `--rate-limit-burst`.
    pub rate_limit_burst: Option<u32>,
    /// `--witness-key`.
    pub witness_key: Option<PathBuf>,
    /// `--witness-log`, every one.
    pub witness_logs: Option<Vec<String>>,
    /// `--witness-database`.
    pub witness_database: Option<String>,
}

impl Config {
    /// Parses and checks the text of the file at `path` (named in errors; its directory anchors
    /// relative paths).
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let invalid =
            |span: Option<std::ops::Range<usize>>, message: String| ConfigError::Invalid {
                path: path.to_path_buf(),
                line: line_of(text, span),
                message,
            };
        let file: FileText = toml::from_str(text)
            .map_err(|error| invalid(error.span(), error.message().to_owned()))?;
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        let database = match file.database {
            Some(database) if database.get_ref().trim().is_empty() => {
                return Err(invalid(
                    Some(database.span()),
                    "`database`: give a URL (`sqlite://FILE` or `postgres://…`) or an SQLite file"
                        .to_owned(),
                ));
            }
            Some(database) => Some(resolve_database(base, database.get_ref())),
            None => None,
        };
        if let Some(skew) = &file.clock_skew_seconds
            && *skew.get_ref() > CLOCK_SKEW_SECONDS_MAX
        {
            return Err(invalid(
                Some(skew.span()),
                format!(
                    "`clock_skew_seconds`: {} is over the most, {CLOCK_SKEW_SECONDS_MAX}",
                    skew.get_ref()
                ),
            ));
        }
        let serve = file.serve.unwrap_or_default();
        if let Some(format) = &serve.log_format
            && !matches!(format.get_ref().as_str(), "text" | "json")
        {
            return Err(invalid(
                Some(format.span()),
                format!(
                    "`serve.log_format`: `{}` is not `text` or `json`",
                    format.get_ref()
                ),
            ));
        }
        // As on the command line, a witness needs its key and the logs it follows together.
        match (&serve.witness_key, &serve.witness_logs) {
            (Some(_), None) => {
                return Err(invalid(
                    None,
                    "`serve.witness_key` needs `serve.witness_logs`, the verifier keys of the logs the witness follows"
                        .to_owned(),
                ));
            }
            (_, Some(logs)) if logs.get_ref().is_empty() => {
                return Err(invalid(
                    Some(logs.span()),
                    "`serve.witness_logs`: name at least one log's verifier key".to_owned(),
                ));
            }
            (None, Some(logs)) => {
                return Err(invalid(
                    Some(logs.span()),
                    "`serve.witness_logs` needs `serve.witness_key`, the witness's cosigning key"
                        .to_owned(),
                ));
            }
            _ => {}
        }
        let witness = file.witness.unwrap_or_default();
        if let Some(database) = &witness.database
            && database.get_ref().trim().is_empty()
        {
            return Err(invalid(
                Some(database.span()),
                "`witness.database`: give a URL (`sqlite://FILE` or `postgres://…`) or an SQLite file"
                    .to_owned(),
            ));
        }
        if let Some(logs) = &witness.logs
            && logs.get_ref().is_empty()
        {
            return Err(invalid(
                Some(logs.span()),
                "`witness.logs`: name at least one log's verifier key".to_owned(),
            ));
        }
        let statistics = file.statistics.unwrap_or_default();
        if let Some(threshold) = &statistics.threshold
            && *threshold.get_ref() < corridor_stats::MINIMUM_THRESHOLD
        {
            return Err(invalid(
                Some(threshold.span()),
                format!(
                    "`statistics.threshold`: {} is below the least a deployment may set, {}",
                    threshold.get_ref(),
                    corridor_stats::MINIMUM_THRESHOLD
                ),
            ));
        }
        if let Some(base) = &statistics.rounding_base
            && !(1..=ROUNDING_BASE_MAX).contains(base.get_ref())
        {
            return Err(invalid(
                Some(base.span()),
                format!(
                    "`statistics.rounding_base`: give 1 (no rounding) to {}",
                    ROUNDING_BASE_MAX
                ),
            ));
        }
        let resolve = |path: Option<PathBuf>| path.map(|path| base.join(path));
        Ok(Self {
            database,
            key_file: resolve(file.key_file),
            log_key_file: resolve(file.log_key_file),
            users: resolve(file.users),
            origin: file.origin,
            clock_skew_seconds: file.clock_skew_seconds.map(Spanned::into_inner),
            serve: ServeConfig {
                listen: serve.listen,
                log_format: serve.log_format.map(Spanned::into_inner),
                secure_cookies: serve.secure_cookies,
                rate_limit_per_second: serve.rate_limit_per_second,
                rate_limit_burst: serve.rate_limit_burst,
                witness_key: resolve(serve.witness_key),
                witness_logs: serve.witness_logs.map(Spanned::into_inner),
                witness_database: serve
                    .witness_database
                    .map(|url| resolve_database(base, &url)),
            },
            witness: WitnessConfig {
                listen: witness.listen,
                database: witness
                    .database
                    .map(|url| resolve_database(base, url.get_ref())),
                key_file: resolve(witness.key_file),
                logs: witness.logs.map(Spanned::into_inner),
            },
            statistics: StatisticsConfig {
                threshold: statistics.threshold.map(Spanned::into_inner),
                rounding_base: statistics.rounding_base.map(Spanned::into_inner),
                key_file: resolve(statistics.key_file),
            },
        })
    }

    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let read = |source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        };
        let size = std::fs::metadata(path).map_err(read)?.len();
        if size > FILE_BYTES_MAX {
            return Err(ConfigError::TooLarge {
                path: path.to_path_buf(),
            });
        }
        let text = std::fs::read_to_string(path).map_err(read)?;
        Self::parse(path, &text)
    }
}

/// The 1-based line where `span` starts in `text`; 1 without a span.
fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> usize {
    span.and_then(|span| text.get(..span.start))
        .map_or(1, |before| before.matches('\n').count() + 1)
}

/// A database URL from a file in `base`: an SQLite file's relative path is the file's
/// directory's; other URLs are kept as written.
fn resolve_database(base: &Path, url: &str) -> String {
    if base.as_os_str().is_empty() {
        return url.to_owned();
    }
    let url = corridor_store::normalise_url(url);
    let (scheme, rest) = match url.strip_prefix("sqlite://") {
        Some(rest) => ("sqlite://", rest),
        None => match url.strip_prefix("sqlite:") {
            Some(rest) => ("sqlite:", rest),
            None => return url,
        },
    };
    if rest.starts_with('/') || rest.starts_with(":memory:") {
        return url;
    }
    format!("{scheme}{}", base.join(rest).display())
}

/// Whether clap took the value of `id` from the command line or the environment (which the file
/// never overrides), rather than from its default or nowhere.
fn given(matches: &ArgMatches, id: &str) -> bool {
    matches!(
        matches.value_source(id),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}

/// Sets `value` from the file unless clap took it from a flag or the environment.
fn fill<T>(matches: &ArgMatches, id: &str, value: &mut T, from_file: Option<T>) {
    if let Some(from_file) = from_file
        && !given(matches, id)
    {
        *value = from_file;
    }
}

/// The configuration file in use: `--config` (or `CORRIDOR_CONFIG`), which must exist, or
/// `corridor.toml` in the current directory if there is one.
pub fn locate(named: Option<&Path>) -> Option<PathBuf> {
    match named {
        Some(path) => Some(path.to_path_buf()),
        None => Some(PathBuf::from(FILE_DEFAULT)).filter(|path| path.exists()),
    }
}

/// Fills every setting of `cli` that clap did not take from a flag or the environment from the
/// configuration file in use, if there is one; returns the file's path.
pub fn apply(matches: &ArgMatches, cli: &mut Cli) -> Result<Option<PathBuf>, ConfigError> {
    let Some(path) = locate(cli.config.as_deref()) else {
        return Ok(None);
    };
    let config = Config::load(&path)?;
    fill(matches, "database", &mut cli.database, config.database);
    fill(matches, "key_file", &mut cli.key_file, config.key_file);
    fill(
        matches,
        "clock_skew_seconds",
        &mut cli.clock_skew_seconds,
        config.clock_skew_seconds,
    );
    if cli.users.is_none() {
        cli.users = config.users;
    }
    let Some((_, sub)) = matches.subcommand() else {
        return Ok(Some(path));
    };
    match &mut cli.command {
        Top::Init(args) => {
            fill(
                sub,
                "log_key_file",
                &mut args.log_key_file,
                config.log_key_file,
            );
            // `--sigsum-origin` derives the origin from the new key: the file's does not apply.
            if !args.sigsum_origin {
                fill(sub, "origin", &mut args.origin, config.origin);
            }
        }
        Top::Log(
            LogCommand::Key { log_key_file } | LogCommand::Checkpoint { log_key_file, .. },
        ) => {
            if let Some((_, leaf)) = sub.subcommand() {
                fill(leaf, "log_key_file", log_key_file, config.log_key_file);
            }
        }
        Top::Stats(command) => {
            let statistics = config.statistics;
            if let Some((_, leaf)) = sub.subcommand() {
                match command {
                    StatsCommand::Publish(args) => {
                        fill(
                            leaf,
                            "statistics_key",
                            &mut args.statistics_key,
                            statistics.key_file,
                        );
                        fill(leaf, "threshold", &mut args.threshold, statistics.threshold);
                        fill(
                            leaf,
                            "rounding_base",
                            &mut args.rounding_base,
                            statistics.rounding_base,
                        );
                    }
                    StatsCommand::Key { statistics_key } => {
                        fill(leaf, "statistics_key", statistics_key, statistics.key_file);
                    }
                    StatsCommand::Verify(_) | StatsCommand::Show { .. } | StatsCommand::List => {}
                }
            }
        }
        Top::Serve(args) => {
            let serve = config.serve;
            fill(sub, "listen", &mut args.listen, serve.listen);
            fill(sub, "log_format", &mut args.log_format, serve.log_format);
            fill(
                sub,
                "secure_cookies",
                &mut args.secure_cookies,
                serve.secure_cookies,
            );
            fill(
                sub,
                "rate_limit_per_second",
                &mut args.rate_limit_per_second,
                serve.rate_limit_per_second,
            );
            fill(
                sub,
                "rate_limit_burst",
                &mut args.rate_limit_burst,
                serve.rate_limit_burst,
            );
            // The witness's key and logs come from one place: the command line (where clap
            // requires both) or the file (where `Config::parse` does).
            if args.witness_key.is_none() {
                args.witness_key = serve.witness_key;
                if let Some(logs) = serve.witness_logs {
                    args.witness_logs = logs;
                }
            }
            fill(
                sub,
                "witness_database",
                &mut args.witness_database,
                serve.witness_database,
            );
        }
        Top::Witness(command) => {
            let witness = config.witness;
            let Some((_, leaf)) = sub.subcommand() else {
                return Ok(Some(path));
            };
            match command {
                WitnessCommand::Init { key_file, .. } => {
                    fill(leaf, "key_file", key_file, witness.key_file);
                }
                WitnessCommand::Serve {
                    listen,
                    witness_database,
                    key_file,
                    logs,
                } => {
                    fill(leaf, "listen", listen, witness.listen);
                    fill(leaf, "witness_database", witness_database, witness.database);
                    fill(leaf, "key_file", key_file, witness.key_file);
                    // `--log` given on the command line replaces the file's list entirely.
                    if logs.is_empty()
                        && let Some(from_file) = witness.logs
                    {
                        *logs = from_file;
                    }
                }
            }
        }
        _ => {}
    }
    Ok(Some(path))
}

/// What `corridor init` or `corridor demo` records in the file it writes.
#[derive(Debug)]
pub struct Written<'a> {
    /// The database URL.
    pub database: &'a str,
    /// The master key file.
    pub key_file: &'a Path,
    /// The log's signing key file.
    pub log_key_file: &'a Path,
    /// A simulation's users file (a real deployment takes none).
    pub users: Option<&'a Path>,
    /// The log's origin as asked for.
    pub origin: &'a str,
    /// `corridor serve`'s listening address.
    pub listen: &'a str,
}

/// What became of the file [`write_new`] was asked to write.
#[derive(Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The file was created.
    Created,
    /// A file was there already, saying the same: left as it was.
    Unchanged,
    /// A file was there already, saying something else: kept, never overwritten.
    KeptOther,
}

/// Writes a new configuration file at `path` recording `settings`, written by `by` (a command,
/// named in the file's first line). An existing file is never overwritten.
pub fn write_new(
    path: &Path,
    settings: &Written<'_>,
    by: &str,
) -> Result<WriteOutcome, ConfigError> {
    let text = render(settings, by)?;
    // The text must read back as exactly what it records, or it is not written.
    let expected = Config {
        database: Some(settings.database.to_owned()),
        key_file: Some(settings.key_file.to_path_buf()),
        log_key_file: Some(settings.log_key_file.to_path_buf()),
        users: settings.users.map(Path::to_path_buf),
        origin: Some(settings.origin.to_owned()),
        clock_skew_seconds: None,
        serve: ServeConfig {
            listen: Some(settings.listen.to_owned()),
            ..ServeConfig::default()
        },
        witness: WitnessConfig::default(),
        statistics: StatisticsConfig::default(),
    };
    let relative = Path::new(path.file_name().unwrap_or(path.as_os_str()));
    let read_back = Config::parse(relative, &text)?;
    if read_back != expected {
        return Err(ConfigError::Invalid {
            path: path.to_path_buf(),
            line: 1,
            message: format!(
                "the text written does not read back as what it records: {read_back:?}"
            ),
        });
    }
    let write = |source| ConfigError::Write {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut file) => {
            file.write_all(text.as_bytes()).map_err(write)?;
            file.sync_all().map_err(write)?;
            Ok(WriteOutcome::Created)
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            let existing = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            Ok(if existing == text {
                WriteOutcome::Unchanged
            } else {
                WriteOutcome::KeptOther
            })
        }
        Err(error) => Err(write(error)),
    }
}

/// After `corridor init` or `corridor demo` (`by`): writes `corridor.toml` in the current
/// directory recording `settings`, unless a file was named (`--config`), and says what became of
/// it. An existing file is kept, never overwritten.
pub fn report_written(
    named: bool,
    settings: &Written<'_>,
    by: &str,
) -> Result<Option<WriteOutcome>, ConfigError> {
    if named {
        println!("configuration: the file --config names is in use; {FILE_DEFAULT} not written");
        return Ok(None);
    }
    let outcome = write_new(Path::new(FILE_DEFAULT), settings, by)?;
    match outcome {
        WriteOutcome::Created => println!(
            "configuration: created {FILE_DEFAULT}, naming this database and its key files (flags override it)"
        ),
        WriteOutcome::Unchanged => {
            println!("configuration: {FILE_DEFAULT} already names this database and its key files");
        }
        WriteOutcome::KeptOther => println!(
            "configuration: keeping the existing {FILE_DEFAULT} as it is (never overwritten; docs/configuration.md lists its keys)"
        ),
    }
    Ok(Some(outcome))
}

/// The file's text for `settings`.
fn render(settings: &Written<'_>, by: &str) -> Result<String, ConfigError> {
    let path_text = |path: &Path| {
        path.to_str()
            .map(quote)
            .ok_or_else(|| ConfigError::NotUtf8 {
                path: path.to_path_buf(),
            })
    };
    let mut text = format!(
        "# corridor's configuration, written by `{by}` (every key: docs/configuration.md).\n\
         # A flag or its CORRIDOR_* environment variable overrides each setting.\n\
         database = {}\n\
         key_file = {}\n\
         log_key_file = {}\n",
        quote(settings.database),
        path_text(settings.key_file)?,
        path_text(settings.log_key_file)?,
    );
    if let Some(users) = settings.users {
        text.push_str(&format!("users = {}\n", path_text(users)?));
    }
    text.push_str(&format!(
        "origin = {}\n\n[serve]\nlisten = {}\n",
        quote(settings.origin),
        quote(settings.listen)
    ));
    Ok(text)
}

/// `text` as a TOML basic string.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    //! The file's parsing and writing, without the binary.

    use super::*;

    /// Parses `text` as `corridor.toml` and shows the error, or `ok`.
    fn check(text: &str, expected: &str) {
        let shown = match Config::parse(Path::new("corridor.toml"), text) {
            Ok(_) => "ok".to_owned(),
            Err(error) => error.to_string(),
        };
        assert_eq!(shown, expected, "{text}");
    }

    #[test]
    fn bad_input_is_refused_with_its_line_and_key() {
        // Proves every kind of bad input names the file, the line and the key.
        check("database = \"sqlite://x.db\"\n", "ok");
        check(
            "database = \"x.db\"\nnow = \"2025-01-01T00:00:00Z\"\n",
            "configuration file `corridor.toml`, line 2: unknown field `now`, expected one of `database`, `key_file`, `log_key_file`, `users`, `origin`, `clock_skew_seconds`, `serve`, `witness`, `statistics`",
        );
        check(
            "[serve]\nlisten = \"a\"\nsimulation = true\n",
            "configuration file `corridor.toml`, line 3: unknown field `simulation`, expected one of `listen`, `log_format`, `secure_cookies`, `rate_limit_per_second`, `rate_limit_burst`, `witness_key`, `witness_logs`, `witness_database`",
        );
        check(
            "\n\nclock_skew_seconds = \"two\"\n",
            "configuration file `corridor.toml`, line 3: invalid type: string \"two\", expected u16",
        );
        check(
            "clock_skew_seconds = 3601\n",
            "configuration file `corridor.toml`, line 1: `clock_skew_seconds`: 3601 is over the most, 3600",
        );
        check(
            "database = \"\"\n",
            "configuration file `corridor.toml`, line 1: `database`: give a URL (`sqlite://FILE` or `postgres://…`) or an SQLite file",
        );
        check(
            "[serve]\n\nlog_format = \"xml\"\n",
            "configuration file `corridor.toml`, line 3: `serve.log_format`: `xml` is not `text` or `json`",
        );
        check(
            "[serve]\nwitness_key = \"w.key\"\n",
            "configuration file `corridor.toml`, line 1: `serve.witness_key` needs `serve.witness_logs`, the verifier keys of the logs the witness follows",
        );
        check(
            "[serve]\nwitness_logs = [\"k\"]\n",
            "configuration file `corridor.toml`, line 2: `serve.witness_logs` needs `serve.witness_key`, the witness's cosigning key",
        );
        check(
            "[serve]\nwitness_key = \"w.key\"\nwitness_logs = []\n",
            "configuration file `corridor.toml`, line 3: `serve.witness_logs`: name at least one log's verifier key",
        );
        check(
            "[witness]\nlisten = \"a\"\nlog = [\"k\"]\n",
            "configuration file `corridor.toml`, line 3: unknown field `log`, expected one of `listen`, `database`, `key_file`, `logs`",
        );
        check(
            "[witness]\nlogs = []\n",
            "configuration file `corridor.toml`, line 2: `witness.logs`: name at least one log's verifier key",
        );
        check(
            "[witness]\ndatabase = \" \"\n",
            "configuration file `corridor.toml`, line 2: `witness.database`: give a URL (`sqlite://FILE` or `postgres://…`) or an SQLite file",
        );
        check(
            "[statistics]\nthreshold = 10\nrounding_base = 5\nkey_file = \"s.key\"\n",
            "ok",
        );
        check(
            "[statistics]\n\nthreshold = 2\n",
            "configuration file `corridor.toml`, line 3: `statistics.threshold`: 2 is below the least a deployment may set, 3",
        );
        check(
            "[statistics]\nrounding_base = 0\n",
            "configuration file `corridor.toml`, line 2: `statistics.rounding_base`: give 1 (no rounding) to 100",
        );
        check(
            "[statistics]\nbase = 5\n",
            "configuration file `corridor.toml`, line 2: unknown field `base`, expected one of `threshold`, `rounding_base`, `key_file`",
        );
        check(
            "database = \"x.db\"\ndatabase = \"y.db\"\n",
            "configuration file `corridor.toml`, line 2: duplicate key",
        );
    }

    #[test]
    fn relative_paths_are_the_files_directory() {
        // Proves a file elsewhere anchors its relative paths and SQLite files to its directory.
        let text = "database = \"sqlite://d.db\"\nkey_file = \"k.key\"\n[serve]\nwitness_database = \"w.db\"\nwitness_key = \"/abs/w.key\"\nwitness_logs = [\"k\"]\n";
        let config =
            Config::parse(Path::new("/etc/corridor/corridor.toml"), text).expect("the file parses");
        assert_eq!(
            config.database.as_deref(),
            Some("sqlite:///etc/corridor/d.db")
        );
        assert_eq!(
            config.key_file.as_deref(),
            Some(Path::new("/etc/corridor/k.key"))
        );
        assert_eq!(
            config.serve.witness_database.as_deref(),
            Some("sqlite:///etc/corridor/w.db")
        );
        assert_eq!(
            config.serve.witness_key.as_deref(),
            Some(Path::new("/abs/w.key"))
        );
        let witness = Config::parse(
            Path::new("/etc/corridor/corridor.toml"),
            "[witness]\ndatabase = \"w.db\"\nkey_file = \"w.key\"\nlogs = [\"k\"]\n",
        )
        .expect("the file parses")
        .witness;
        assert_eq!(
            (witness.database.as_deref(), witness.key_file.as_deref()),
            (
                Some("sqlite:///etc/corridor/w.db"),
                Some(Path::new("/etc/corridor/w.key"))
            )
        );
        assert_eq!(witness.logs, Some(vec!["k".to_owned()]));
        let postgres = Config::parse(
            Path::new("/etc/corridor/corridor.toml"),
            "database = \"postgres://u@h/db\"\n",
        )
        .expect("the file parses");
        assert_eq!(postgres.database.as_deref(), Some("postgres://u@h/db"));
    }

    #[test]
    fn written_files_read_back_and_are_never_overwritten() {
        // Proves the written text round-trips (quotes included) and an existing file is kept.
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("corridor.toml");
        let settings = Written {
            database: "sqlite://odd \"name\".db",
            key_file: Path::new("back\\slash.key"),
            log_key_file: Path::new("corridor-log.key"),
            users: Some(Path::new("corridor-users.toml")),
            origin: "corridor.invalid/log",
            listen: "127.0.0.1:8080",
        };
        assert_eq!(
            write_new(&path, &settings, "corridor init").expect("written"),
            WriteOutcome::Created
        );
        assert_eq!(
            write_new(&path, &settings, "corridor init").expect("checked"),
            WriteOutcome::Unchanged
        );
        let other = Written {
            database: "sqlite://other.db",
            ..settings
        };
        assert_eq!(
            write_new(&path, &other, "corridor init").expect("checked"),
            WriteOutcome::KeptOther
        );
        let config = Config::load(&path).expect("the file loads");
        // Loaded from its directory, the file's relative paths are that directory's.
        assert_eq!(
            config.database,
            Some(format!(
                "sqlite://{}",
                dir.path().join("odd \"name\".db").display()
            ))
        );
        assert_eq!(
            config.key_file.as_deref(),
            Some(dir.path().join("back\\slash.key").as_path())
        );
    }
}
