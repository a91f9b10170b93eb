//! The command line as clap parses it: raw flags, turned into validated values in `app.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// corridor runs a third-country transfer arrangement with its legal safeguards enforced,
/// every step recorded as an event, and personal data sealed per case.
#[derive(Debug, Parser)]
#[command(name = "corridor", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The configuration file (default `corridor.toml` in the current directory, if there is
    /// one): database, key files, users file, origin and server settings. A flag or its
    /// environment variable overrides each of its settings (docs/configuration.md).
    #[arg(long, global = true, env = "CORRIDOR_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Database URL: `sqlite://FILE` (default `sqlite://corridor.db`) or `postgres://…`; a bare
    /// path means an SQLite file.
    #[arg(
        long,
        global = true,
        env = "CORRIDOR_DATABASE",
        default_value = "sqlite://corridor.db"
    )]
    pub database: String,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Act as this account. Every command is checked against its role. In a real deployment
    /// the account proves who it is with `--token` or `--token-file` (the token alone is
    /// enough); in a simulation a name is enough, an account's or one from the users file.
    #[arg(long = "as", global = true, env = "CORRIDOR_USER", value_name = "USER")]
    pub as_user: Option<String>,

    /// A simulation's users file: who may act, in which role, for whom (default
    /// `corridor-users.toml`). A real deployment refuses it: it acts only as accounts.
    #[arg(long, global = true, env = "CORRIDOR_USERS", value_name = "FILE")]
    pub users: Option<PathBuf>,

    /// Talk to a running `corridor serve` at this URL (`http://host:port`) instead of a local
    /// database: `agreement`, `case`, `hold` and `tick` are carried out by the server, as the
    /// account of `--token`, with the same output and exit statuses. Commands that work on a
    /// database (`init`, `check`, `log`, `db`, `user`, `demo`, `witness`, `serve`) refuse it.
    #[arg(long, global = true, env = "CORRIDOR_SERVER", value_name = "URL")]
    pub server: Option<String>,

    /// The API token that proves who acts, to `--server` or on the database host
    /// (`corridor user token` issues one).
    #[arg(
        long,
        global = true,
        env = "CORRIDOR_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,

    /// A file holding the API token on its first line, readable by its owner alone (mode 0600):
    /// kept out of the command line and the environment.
    #[arg(long, global = true, env = "CORRIDOR_TOKEN_FILE", value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// The master key file (64 hex digits). The environment variable CORRIDOR_MASTER_KEY, if
    /// set, holds the key itself and takes precedence.
    #[arg(
        long,
        global = true,
        env = "CORRIDOR_KEY_FILE",
        default_value = "corridor.key"
    )]
    pub key_file: PathBuf,

    /// How far, in seconds, servers sharing one database may disagree on the time: a step
    /// dated more than this before the last event of what it reads is refused
    /// (`time_before_recorded`), and `check` reports stored histories that go back by more.
    #[arg(
        long,
        global = true,
        env = "CORRIDOR_CLOCK_SKEW_SECONDS",
        value_name = "SECONDS",
        default_value_t = 2,
        value_parser = clap::value_parser!(u16).range(0..=3600)
    )]
    pub clock_skew_seconds: u16,

    /// What to do.
    #[command(subcommand)]
    pub command: Top,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Top {
    /// Create the database, the master key file and the first admin account (a simulation also
    /// gets a users file).
    Init(InitArgs),
    /// Load, amend and inspect agreements.
    #[command(subcommand)]
    Agreement(AgreementCommand),
    /// Propose cases and move them through the lifecycle.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Register and manage court holds.
    #[command(subcommand)]
    Hold(HoldCommand),
    /// Read the access records: who read or acted on which case, when, allowed or denied, by
    /// which policy (the monitoring body and auditors; each read is itself recorded).
    #[command(subcommand)]
    Access(AccessCommand),
    /// The monitoring body's work: visits, findings and the responses to them, and the
    /// monitor's queue (docs/monitoring.md).
    #[command(subcommand)]
    Monitor(MonitorCommand),
    /// The joint committee's report on an agreement for a period: the committee's version (the
    /// monitoring body, the sending state's supervisors) or the public one (anyone), as Markdown,
    /// a printable HTML page or CSV. Each read is recorded.
    Report(ReportArgs),
    /// Confidential complaints to an agreement's monitoring body: anyone lodges one without an
    /// account and reads its status with the receipt code; only the monitoring body sees them.
    #[command(subcommand)]
    Complaint(ComplaintCommand),
    /// Let the clocks run: emit what expired deadlines cause, up to now (or `--at`).
    Tick(TickArgs),
    /// Replay every event and compare with the stored projections and the transparency log.
    Check {
        /// First rebuild every projection from the events (they are a cache of the events).
        #[arg(long)]
        rebuild: bool,
    },
    /// The public transparency log: keys, checkpoints, tiles, proofs and verification.
    #[command(subcommand)]
    Log(LogCommand),
    /// Public statistics (docs/statistics.md): verify a published release against the log.
    #[command(subcommand)]
    Stats(StatsCommand),
    /// Serve the JSON API, the public log (C2SP paths), health, readiness and metrics over HTTP,
    /// and with `--witness-key` a witness at `/add-checkpoint`.
    Serve(ServeArgs),
    /// Run an independent witness that cosigns checkpoints (C2SP tlog-witness).
    #[command(subcommand)]
    Witness(WitnessCommand),
    /// Build a fresh database and play a synthetic scenario that shows each safeguard at work.
    Demo(DemoArgs),
    /// The database itself: migrate it, back up and restore SQLite, copy between backends.
    #[command(subcommand)]
    Db(DbCommand),
    /// Manage the accounts in `--database`: add, disable, re-role, reset passwords, API tokens.
    /// These act on the database directly, as its operator: no `--as` is needed.
    #[command(subcommand)]
    User(UserCommand),
}

/// Reading the access records.
#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// One page of an agreement's access records, oldest first.
    List {
        /// The agreement.
        #[arg(long)]
        agreement: String,
        /// Only the records about this case.
        #[arg(long)]
        case: Option<String>,
        /// Only records after this sequence number (the `next` a page names).
        #[arg(long, default_value_t = 0)]
        after: u64,
        /// At most this many records (1 to 100).
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// Confidential complaints (docs/monitoring.md, "Confidential complaints").
#[derive(Debug, Subcommand)]
pub enum ComplaintCommand {
    /// Lodge a complaint with an agreement's monitoring body, without an account (no `--as`):
    /// prints the one-time receipt code, the only way to read its status and reply later.
    Lodge {
        /// The agreement whose monitoring body receives it.
        #[arg(long)]
        agreement: String,
        /// Who lodges it: person, counsel or organisation.
        #[arg(long)]
        complainant: String,
        /// The case it concerns, as you know it (kept sealed).
        #[arg(long)]
        case_reference: Option<String>,
        /// The complaint (at most 20,000 bytes); or give --text-file.
        #[arg(long, conflicts_with = "text_file")]
        text: Option<String>,
        /// A file holding the complaint.
        #[arg(long)]
        text_file: Option<std::path::PathBuf>,
        /// How the monitoring body may reach you, if you wish (kept sealed).
        #[arg(long)]
        contact: Option<String>,
    },
    /// Read a complaint's status and the monitoring body's reply with its receipt code (read
    /// from CORRIDOR_RECEIPT, or the first line of standard input, when --receipt is absent).
    Status {
        /// The receipt code lodging printed.
        #[arg(long, env = "CORRIDOR_RECEIPT", hide_env_values = true)]
        receipt: Option<String>,
    },
    /// The complaints of an agreement (its monitoring body only).
    List {
        /// The agreement.
        #[arg(long)]
        agreement: String,
    },
    /// One complaint, opened (its monitoring body only).
    Show {
        /// The complaint (`complaint-…`).
        complaint: String,
    },
    /// Move a complaint on: under_review, replied (with --reply) or closed.
    Review {
        /// The complaint.
        complaint: String,
        /// The new status.
        #[arg(long)]
        status: String,
        /// The reply the holder of the receipt reads.
        #[arg(long)]
        reply: Option<String>,
    },
    /// Link a complaint to a case of its agreement (the case itself does not change).
    Link {
        /// The complaint.
        complaint: String,
        /// The case.
        #[arg(long)]
        case: String,
    },
    /// Destroy a complaint's key: its text, contact, reference and reply become unreadable.
    Erase {
        /// The complaint.
        complaint: String,
    },
}

/// The party flags of a role: at most one.
#[derive(Debug, Args, Clone, Default)]
pub struct PartyArgs {
    /// The state the role acts for (ISO 3166-1 alpha-3): sending and receiving officers,
    /// supervisors, adjudicators.
    #[arg(long)]
    pub state: Option<String>,
    /// The court the role acts for: court clerks, or adjudicators of a court.
    #[arg(long)]
    pub court: Option<String>,
    /// The monitoring body the role acts for: monitors.
    #[arg(long)]
    pub monitoring_body: Option<String>,
}

/// `corridor user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account. Without `--password-stdin` a strong password is generated and printed once.
    Add {
        /// The login name.
        name: String,
        /// The role: sending_officer, sending_supervisor, adjudicator, receiving_officer,
        /// court_clerk, counsel, monitor or admin.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        party: PartyArgs,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account: its logins are refused, its sessions end, its tokens stop working.
    Disable {
        /// The login name.
        name: String,
    },
    /// Give an account a new role and party; its sessions end and its tokens are revoked.
    Role {
        /// The login name.
        name: String,
        /// The new role.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        party: PartyArgs,
    },
    /// Set a new password (generated and printed once unless `--password-stdin`); the
    /// account's sessions end.
    Password {
        /// The login name.
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Issue an API token acting as the account; the token is printed once, with its id.
    Token {
        /// The login name.
        name: String,
        /// An action the token may perform (its Cedar name, e.g. `read_case`), or `*` for every
        /// action the account may do; repeat for more.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Days until the token stops working (at most 366).
        #[arg(long, default_value_t = corridor_app::limits::TOKEN_LIFETIME_DAYS_DEFAULT)]
        expires_in_days: u32,
        /// Write the token to this new file, readable by its owner alone (mode 0600), for
        /// `--token-file`, instead of printing it.
        #[arg(long, value_name = "FILE")]
        to_file: Option<PathBuf>,
    },
    /// Revoke an API token by its id (`token-…`).
    RevokeToken {
        /// The token's id.
        id: String,
    },
    /// List the accounts.
    List,
}

/// `corridor db …`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply the schema migrations (the store's and the accounts') to `--database`, creating an
    /// SQLite file if there is none, and report the schema versions.
    Migrate,
    /// Write a consistent, checked copy of the SQLite `--database` to FILE while it stays in use
    /// (`VACUUM INTO`). PostgreSQL is backed up with `pg_dump` (docs/reliability.md).
    Backup {
        /// The backup file to create; it must not exist.
        file: PathBuf,
    },
    /// Restore an SQLite backup FILE as the SQLite `--database`, which must not exist yet; the
    /// restored database is checked (events, projections, log) before it takes that name.
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Copy a whole deployment to a new, empty database, on the same backend or the other one:
    /// events with their sequence numbers and exact bodies, the log (leaves, nodes, checkpoints,
    /// salt key, witness sizes), case keys, projections and accounts. The copy is then verified:
    /// the same log size and root, the same root at the latest checkpoint, and a clean check.
    Copy {
        /// The database to copy (`sqlite://FILE` or `postgres://…`).
        #[arg(long)]
        from: String,
        /// The new, empty database to copy into; an SQLite file is created.
        #[arg(long)]
        to: String,
    },
}

/// `corridor init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Name of the first admin account.
    #[arg(long, default_value = "admin")]
    pub admin: String,
    /// Create a simulation rather than a real deployment: its clock may be fixed with
    /// `CORRIDOR_NOW`, `--as` takes bare names (accounts, then a users file), and every
    /// checkpoint's origin ends in `/simulation`. Recorded in the database for good.
    #[arg(long)]
    pub simulation: bool,
    /// Also write a users file of synthetic example accounts for every role (a simulation only).
    #[arg(long, requires = "simulation")]
    pub example_users: bool,
    /// The transparency log's origin (its name in checkpoints), e.g. `corridor.example.org/log`.
    #[arg(long, default_value = "corridor.invalid/log")]
    pub origin: String,
    /// Name the log as sigsum's witnesses require, `sigsum.org/v1/tree/<hex SHA-256 of the log's
    /// public key>`, derived from the new log key (instead of `--origin`; a real deployment only,
    /// since a simulation's origin must say it is one). See docs/log.md.
    #[arg(long, conflicts_with_all = ["origin", "simulation"])]
    pub sigsum_origin: bool,
    /// Which signatures the log puts on every checkpoint: `ed25519` (understood by every
    /// signed-note verifier), `ml-dsa-44` (FIPS 204, post-quantum, C2SP key type 0x06; verifiers
    /// that know only Ed25519 cannot check it), or `both` (one of each, in one key file, so old
    /// verifiers keep working while new ones check the post-quantum signature). Only used when
    /// the log key file is created. See docs/log.md.
    #[arg(long, value_enum, default_value_t = LogSignature::Ed25519)]
    pub log_signature: LogSignature,
    /// Where to create the log's signing key.
    #[arg(
        long,
        env = "CORRIDOR_LOG_KEY_FILE",
        default_value = "corridor-log.key"
    )]
    pub log_key_file: PathBuf,
}

/// The signatures a log puts on its checkpoints (`corridor init --log-signature`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogSignature {
    /// An Ed25519 signature (signed-note type 0x01).
    Ed25519,
    /// An ML-DSA-44 signature (FIPS 204, C2SP type 0x06).
    #[value(name = "ml-dsa-44")]
    MlDsa44,
    /// An Ed25519 and an ML-DSA-44 signature on every checkpoint.
    Both,
}

impl LogSignature {
    /// The algorithms of the keys to create, one key each, in the key file's order.
    #[must_use]
    pub const fn algorithms(self) -> &'static [corridor_log::keys::Algorithm] {
        use corridor_log::keys::Algorithm;
        match self {
            Self::Ed25519 => &[Algorithm::Ed25519],
            Self::MlDsa44 => &[Algorithm::MlDsa44],
            Self::Both => &[Algorithm::Ed25519, Algorithm::MlDsa44],
        }
    }
}

/// A witness's cosignature algorithm (`corridor witness init --signature`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CosignatureAlgorithm {
    /// Ed25519 cosignature/v1 (C2SP type 0x04), understood by every tlog-witness client.
    Ed25519,
    /// ML-DSA-44 (FIPS 204, C2SP type 0x06), post-quantum.
    #[value(name = "ml-dsa-44")]
    MlDsa44,
}

impl CosignatureAlgorithm {
    /// The key algorithm.
    #[must_use]
    pub const fn algorithm(self) -> corridor_log::keys::Algorithm {
        match self {
            Self::Ed25519 => corridor_log::keys::Algorithm::Ed25519,
            Self::MlDsa44 => corridor_log::keys::Algorithm::MlDsa44,
        }
    }
}

/// `corridor log …`.
#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Print the log's verifier keys (`name+hexid+base64`), one per line, for anyone who
    /// verifies checkpoints.
    Key {
        /// The log's signing key file.
        #[arg(
            long,
            env = "CORRIDOR_LOG_KEY_FILE",
            default_value = "corridor-log.key"
        )]
        log_key_file: PathBuf,
    },
    /// Sign a checkpoint of the log as it stands (if it grew) and print the latest one.
    Checkpoint {
        /// The log's signing key file.
        #[arg(
            long,
            env = "CORRIDOR_LOG_KEY_FILE",
            default_value = "corridor-log.key"
        )]
        log_key_file: PathBuf,
        /// Ask this witness to cosign: `URL=VERIFIER_KEY`; repeat for more.
        #[arg(long = "witness")]
        witnesses: Vec<String>,
        /// Keep making checkpoints: one every this many seconds while the log grows.
        #[arg(long)]
        every_seconds: Option<u64>,
    },
    /// Write the checkpoint and C2SP tiles to DIR, adding only what is new.
    Export {
        /// The directory to serve statically.
        dir: PathBuf,
    },
    /// Verify a published log (a directory or an http:// URL): every tile against the signed
    /// checkpoint, signatures, cosignatures and consistency with a trusted checkpoint.
    Verify {
        /// The directory or URL the log is served from.
        source: String,
        /// The log's verifier key: Ed25519 or ML-DSA-44 (one of the lines `corridor log key`
        /// prints).
        #[arg(long = "key")]
        log_key: String,
        /// A witness's cosigner verifier key (Ed25519 or ML-DSA-44) whose cosignature must be
        /// present; repeat for more.
        #[arg(long = "cosigner")]
        cosigners: Vec<String>,
        /// A previously trusted checkpoint file: the log must be consistent with it.
        #[arg(long)]
        trusted: Option<PathBuf>,
        /// Also check every stored event against its leaf (needs the database).
        #[arg(long)]
        against_db: bool,
    },
    /// Print an inclusion or consistency proof.
    Prove {
        /// Prove leaf N is in the log.
        #[arg(long, conflicts_with_all = ["from", "event"])]
        index: Option<u64>,
        /// Prove the log at this size is a prefix of the log now.
        #[arg(long, conflicts_with = "event")]
        from: Option<u64>,
        /// Prove the stored event with this sequence number is in the log, for its holder.
        #[arg(long)]
        event: Option<u64>,
    },
}

/// `corridor stats …`.
#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Verify a published release of statistics (a directory or an http(s):// URL holding
    /// `release.note` and its files) against the published log: the release's signature, every
    /// file's SHA-256, the CSV against the JSON, the release's checkpoint against the log's
    /// authenticated tiles, every exact total against the log's leaves, and every breakdown
    /// against its total. Opens no database and reads no key file.
    Verify(StatsVerifyArgs),
    /// Compute, sign and publish a release of statistics for a period that has ended, counted at
    /// the log's latest signed checkpoint (made after the period ended), protected against every
    /// release published before it, and write its files to DIR/<release id>/. Acts as the `--as`
    /// operator (`publish_statistics`); runs on the database host, which holds the signing key.
    /// Releases are never rewritten: a correction is a new release (`--corrects`).
    Publish(StatsPublishArgs),
    /// Print one file of a published release, byte for byte as published (what
    /// `GET /public/statistics/{release}/{file}` serves).
    Show {
        /// The release's id, or `latest`.
        #[arg(long, default_value = "latest")]
        release: String,
        /// The file: `statistics.json`, `statistics.csv`, `datapackage.json`, `release.note` or
        /// a chart (`chart-<agreement>.svg`).
        #[arg(long, default_value = "statistics.json")]
        file: String,
    },
    /// List the published releases, newest first.
    List,
    /// Create the statistics signing key if there is none (an existing key is never
    /// overwritten) and print its verifier key, which `corridor stats verify --key` takes.
    Key {
        /// The key file (mode 0600). Not `--key-file`, which names the master key.
        #[arg(long, default_value = "corridor-statistics.key")]
        statistics_key: PathBuf,
    },
}

/// `corridor stats publish`.
#[derive(Debug, clap::Args)]
pub struct StatsPublishArgs {
    /// Where to write the release: its files go to DIR/<release id>/.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The period: a month (`2026-11`), a quarter (`2026-Q4`), a year (`2026`), or
    /// `since-entry[..YYYY-MM]` (from each agreement's entry into force); by default the last
    /// month that has ended.
    #[arg(long)]
    pub period: Option<String>,
    /// The release's id (lower-case letters, digits and `-`); by default the period's label.
    #[arg(long)]
    pub release: Option<String>,
    /// The earlier release this one corrects.
    #[arg(long)]
    pub corrects: Option<String>,
    /// The statistics signing key file (`corridor stats key` creates it). Not `--key-file`,
    /// which names the master key.
    #[arg(long, default_value = "corridor-statistics.key")]
    pub statistics_key: PathBuf,
    /// Counts from 1 to one less than this are suppressed (never below 3).
    #[arg(long, default_value_t = 5)]
    pub threshold: u64,
    /// Published counts are rounded to a multiple of this (1: no rounding).
    #[arg(long, default_value_t = 5)]
    pub rounding_base: u64,
}

/// `corridor stats verify`.
#[derive(Debug, clap::Args)]
pub struct StatsVerifyArgs {
    /// The directory or URL the release is published at.
    #[arg(value_name = "DIR_OR_URL")]
    pub release: String,
    /// The directory or URL the log is published at.
    #[arg(long, value_name = "DIR_OR_URL")]
    pub log: String,
    /// The statistics verifier key (`<log origin>/statistics+hexid+base64`), which signs
    /// releases.
    #[arg(long, value_name = "VKEY")]
    pub key: String,
    /// The log's verifier key (one of the lines `corridor log key` prints).
    #[arg(long, value_name = "VKEY")]
    pub log_key: String,
    /// A witness's cosigner verifier key whose cosignature the log's checkpoint must carry;
    /// repeat for more.
    #[arg(long = "cosigner", value_name = "VKEY")]
    pub cosigners: Vec<String>,
}

/// `corridor agreement …`.
#[derive(Debug, Subcommand)]
pub enum AgreementCommand {
    /// Load an agreement file; loading a file with an id already known records an amendment.
    Load {
        /// The TOML file.
        file: PathBuf,
    },
    /// Show an agreement's terms, status history and sources.
    Show {
        /// The agreement id.
        id: String,
    },
    /// List agreements.
    List,
    /// Record a lifecycle status change.
    Status {
        /// The agreement id.
        id: String,
        /// The new status: negotiating, signed, in_force, suspended or terminated.
        status: String,
        /// The day it takes effect (YYYY-MM-DD), today or earlier; default today.
        #[arg(long)]
        on: Option<String>,
    },
}

/// Options every case command that changes a case takes.
#[derive(Debug, Args)]
pub struct Target {
    /// The case id (`case-…`).
    pub case: String,
    /// Refuse unless the case is still at this version (optimistic concurrency). With
    /// `--server` it is sent as `If-Match: "N"`; without it the case is first read for its
    /// current version (its `ETag`), and the command is decided against that.
    #[arg(long)]
    pub expect_version: Option<u64>,
}

/// `corridor case propose`.
#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// The agreement id.
    #[arg(long)]
    pub agreement: String,
    /// Full name (sealed; never stored in the clear).
    #[arg(long)]
    pub name: String,
    /// Date of birth, YYYY-MM-DD (sealed; the rules read only the age it gives).
    #[arg(long)]
    pub birth_date: String,
    /// Nationality (ISO 3166-1 alpha-3).
    #[arg(long)]
    pub nationality: String,
    /// Sex: female, male or other.
    #[arg(long)]
    pub sex: String,
    /// A language the person understands (ISO 639); repeat for more.
    #[arg(long = "language", required = true)]
    pub languages: Vec<String>,
    /// The removal order's legal basis, as a label (e.g. `ina_241`).
    #[arg(long)]
    pub legal_basis: String,
    /// The day the removal order was made (YYYY-MM-DD).
    #[arg(long)]
    pub removal_ordered_on: String,
    /// A designation class orders may name (e.g. `alien_enemies_act`).
    #[arg(long)]
    pub designation: Option<String>,
    /// Where the person is detained, as a label.
    #[arg(long)]
    pub detention_place: Option<String>,
    /// A vulnerability category; repeat for more.
    #[arg(long = "vulnerability")]
    pub vulnerabilities: Vec<String>,
    /// A country the person fears (alpha-3); repeat for more.
    #[arg(long = "feared")]
    pub feared: Vec<String>,
    /// A country a decision protects the person from (alpha-3); repeat for more.
    #[arg(long = "protected-from")]
    pub protected_from: Vec<String>,
    /// The person's counsel (a user name).
    #[arg(long)]
    pub counsel: Option<String>,
    /// An identity or travel document (sealed); repeat for more.
    #[arg(long = "document")]
    pub documents: Vec<String>,
    /// Contact details (sealed).
    #[arg(long)]
    pub contact: Option<String>,
    /// Health notes (sealed; shared only with consent).
    #[arg(long)]
    pub health: Option<String>,
    /// The person consents to sharing health data with the receiving state.
    #[arg(long)]
    pub health_consent: bool,
    /// Your name for this proposal, such as a UUID (1 to 255 printable ASCII characters).
    /// Running the same command again with the same key answers with the case the first run
    /// proposed instead of proposing a second one. With --server a key is drawn when none is
    /// given, and named in the error if the answer is lost.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
}

/// `corridor case …`.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Propose a case under an agreement.
    Propose(Box<ProposeArgs>),
    /// Record a notice as served; it is refused unless it is complete.
    Notice {
        #[command(flatten)]
        target: Target,
        /// The language the notice used (ISO 639).
        #[arg(long)]
        language: String,
        /// The destination it names (alpha-3).
        #[arg(long)]
        destination: String,
        /// It was served on the person.
        #[arg(long)]
        on_person: bool,
        /// It was served on the person's counsel.
        #[arg(long)]
        on_counsel: bool,
        /// It explains how to contest the transfer.
        #[arg(long)]
        explains_contest: bool,
    },
    /// File a protection (fear) claim.
    ClaimProtection {
        #[command(flatten)]
        target: Target,
    },
    /// Decide a protection screening.
    DecideProtection {
        #[command(flatten)]
        target: Target,
        /// The decision: `granted` or `denied`.
        #[arg(long)]
        decision: String,
    },
    /// Ask the receiving state to take the person.
    Request {
        #[command(flatten)]
        target: Target,
    },
    /// Approve: as a receiving officer, accept the person; as a sending supervisor, approve scheduling.
    Approve {
        #[command(flatten)]
        target: Target,
    },
    /// Refuse the person (receiving officer).
    Refuse {
        #[command(flatten)]
        target: Target,
        /// The reason.
        #[arg(long)]
        reason: String,
    },
    /// Extend the transfer deadline for a reason the terms allow.
    Extend {
        #[command(flatten)]
        target: Target,
        /// The reason code (e.g. `imprisonment`, `absconding`).
        #[arg(long)]
        reason: String,
    },
    /// Schedule the departure.
    Schedule {
        #[command(flatten)]
        target: Target,
        /// The planned departure (RFC 3339, e.g. 2025-09-01T08:00:00Z).
        #[arg(long)]
        departure: String,
    },
    /// Record the departure.
    Depart {
        #[command(flatten)]
        target: Target,
    },
    /// Confirm arrival (receiving officer).
    Arrive {
        #[command(flatten)]
        target: Target,
    },
    /// Record an onward movement; checked against the onward rule and non-refoulement.
    Onward {
        #[command(flatten)]
        target: Target,
        /// The destination (alpha-3).
        #[arg(long)]
        destination: String,
    },
    /// Record a step after arrival.
    After {
        #[command(flatten)]
        target: Target,
        /// One of: claim-lodged, claim-granted, claim-refused, appeal-lodged, settled, returned,
        /// whereabouts-unknown, whereabouts-known, detention-validated.
        step: String,
    },
    /// Record a vulnerability found after proposal.
    Vulnerability {
        #[command(flatten)]
        target: Target,
        /// The category.
        #[arg(long)]
        category: String,
    },
    /// Record a country the person fears being sent to, learnt after proposal (binds every later
    /// transfer and onward decision).
    Fear {
        #[command(flatten)]
        target: Target,
        /// The country (alpha-3).
        #[arg(long)]
        country: String,
    },
    /// Dispute the person's age: until an adjudicator decides, the younger age binds every
    /// decision.
    AgeDispute {
        #[command(flatten)]
        target: Target,
        /// The birth date the person gives (YYYY-MM-DD).
        #[arg(long)]
        claimed_birth_date: String,
    },
    /// Decide an age dispute (adjudicator) on the birth date an assessment found.
    AgeDecision {
        #[command(flatten)]
        target: Target,
        /// The assessed birth date (YYYY-MM-DD).
        #[arg(long)]
        birth_date: String,
    },
    /// Record a welfare check (monitor).
    Welfare {
        #[command(flatten)]
        target: Target,
        /// The outcome: seen_well, seen_with_concerns, not_found or refused_contact (the
        /// stored names well, concerns and not_seen are accepted too).
        #[arg(long)]
        outcome: String,
    },
    /// Withdraw the case.
    Withdraw {
        #[command(flatten)]
        target: Target,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Destroy the case key: personal data becomes unreadable, events and rule attributes remain.
    Erase {
        #[command(flatten)]
        target: Target,
    },
    /// Show a case as the acting user may see it.
    Show {
        /// The case id.
        case: String,
    },
    /// List cases.
    List {
        /// Only this agreement.
        #[arg(long)]
        agreement: Option<String>,
        /// Only this status, as you are told it (a role that may not know of protection
        /// claims is told `paused` and `withdrawn` instead).
        #[arg(long)]
        status: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Only cases after this id (paging).
        #[arg(long)]
        after: Option<String>,
    },
    /// Show a case's events.
    History {
        /// The case id.
        case: String,
    },
}

/// Scope options of a hold.
#[derive(Debug, Args, Clone, Default)]
pub struct ScopeArgs {
    /// A case the order names; repeat for more (an individual order).
    #[arg(long = "case")]
    pub cases: Vec<String>,
    /// Class: an agreement; repeat for more.
    #[arg(long = "agreement")]
    pub agreements: Vec<String>,
    /// Class: a nationality (alpha-3); repeat for more.
    #[arg(long = "nationality")]
    pub nationalities: Vec<String>,
    /// Class: a legal basis; repeat for more.
    #[arg(long = "legal-basis")]
    pub legal_bases: Vec<String>,
    /// Class: a designation; repeat for more.
    #[arg(long = "designation")]
    pub designations: Vec<String>,
    /// Class: a detention place; repeat for more.
    #[arg(long = "detention-place")]
    pub detention_places: Vec<String>,
    /// Class: removal orders made on or after this day.
    #[arg(long)]
    pub ordered_from: Option<String>,
    /// Class: removal orders made on or before this day.
    #[arg(long)]
    pub ordered_until: Option<String>,
}

/// `corridor hold …`.
#[derive(Debug, Subcommand)]
pub enum HoldCommand {
    /// Register a court order that stops transfers.
    Register {
        /// The court.
        #[arg(long)]
        court: String,
        /// The court's reference.
        #[arg(long)]
        reference: String,
        /// The hold this order depends on.
        #[arg(long)]
        depends_on: Option<String>,
        #[command(flatten)]
        scope: ScopeArgs,
        /// Your name for this registration, such as a UUID (1 to 255 printable ASCII
        /// characters). Running the same command again with the same key answers with the hold
        /// the first run registered instead of registering a second one. With --server a key is
        /// drawn when none is given, and named in the error if the answer is lost.
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
    },
    /// Stay a hold (it has no effect until reactivated).
    Stay {
        /// The hold id.
        hold: String,
    },
    /// Reactivate a stayed hold.
    Reactivate {
        /// The hold id.
        hold: String,
    },
    /// Amend a hold's scope.
    Amend {
        /// The hold id.
        hold: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Lift (vacate) a hold; orders that depend on it fall with it.
    Lift {
        /// The hold id.
        hold: String,
    },
    /// List holds.
    List,
}

/// `corridor monitor …`.
#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// Schedule, plan, record and list visits.
    #[command(subcommand)]
    Visit(VisitCommand),
    /// Record, respond to, close, list and show findings.
    #[command(subcommand)]
    Finding(FindingCommand),
    /// The monitor's queue: welfare checks due or overdue, whereabouts unknown, visits planned,
    /// responses to findings awaited, most urgent first.
    Queue,
}

/// Where, when and to whom a visit goes.
#[derive(Debug, Args)]
pub struct VisitArgs {
    /// The agreement.
    #[arg(long)]
    pub agreement: String,
    /// The day (YYYY-MM-DD).
    #[arg(long)]
    pub on: String,
    /// The place.
    #[arg(long)]
    pub place: String,
    /// A case the visit concerns (repeat for several; none: the place as a whole).
    #[arg(long = "case")]
    pub cases: Vec<String>,
    /// An unannounced visit: the agreement's states see it only once it is recorded.
    #[arg(long)]
    pub unannounced: bool,
    /// Your name for this request, such as a UUID: running the same command again with the same
    /// key answers with the visit the first run made.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
}

/// `corridor monitor visit …`.
#[derive(Debug, Subcommand)]
pub enum VisitCommand {
    /// Schedule an announced visit, or plan an unannounced one (`--unannounced`).
    Schedule {
        #[command(flatten)]
        visit: VisitArgs,
    },
    /// Record a visit made: one scheduled before (`--visit`), or a new one.
    Record {
        /// The visit scheduled before, if it was.
        #[arg(long)]
        visit: Option<String>,
        #[command(flatten)]
        plan: VisitArgs,
        /// Who was seen: a case id, or a short label (a role, never a name) for anyone else
        /// (repeat for several).
        #[arg(long)]
        seen: Vec<String>,
    },
    /// List the visits of an agreement you may see.
    List {
        /// The agreement.
        #[arg(long)]
        agreement: String,
    },
}

/// `corridor monitor finding …`.
#[derive(Debug, Subcommand)]
pub enum FindingCommand {
    /// Record a finding on cases of one agreement, or on the agreement as a whole.
    Record {
        /// The agreement.
        #[arg(long)]
        agreement: String,
        /// A case it concerns (repeat for several; none: the agreement as a whole).
        #[arg(long = "case")]
        cases: Vec<String>,
        /// onward_removal_risk, asylum_procedure_access, living_conditions, detention,
        /// support_and_services, treatment_by_officials or documentation.
        #[arg(long)]
        category: String,
        /// information, concern, serious or critical.
        #[arg(long)]
        severity: String,
        /// The finding (conditions, not names: it is stored as written).
        #[arg(long)]
        text: String,
        /// A state it is addressed to: sending_state or receiving_state (repeat for both).
        #[arg(long = "to", required = true)]
        addressed: Vec<String>,
        /// Your name for this request, such as a UUID.
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
    },
    /// Respond to a finding for the state you act for.
    Respond {
        /// The finding id.
        finding: String,
        /// The response.
        #[arg(long)]
        text: String,
    },
    /// Close a finding: accepted, not_accepted or escalated_to_joint_committee.
    Close {
        /// The finding id.
        finding: String,
        /// How it is closed.
        #[arg(long)]
        outcome: String,
    },
    /// List the findings of an agreement you may see.
    List {
        /// The agreement.
        #[arg(long)]
        agreement: String,
    },
    /// Show one finding.
    Show {
        /// The finding id.
        finding: String,
    },
}

/// `corridor report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The agreement.
    #[arg(long)]
    pub agreement: String,
    /// The period: a year (2026), a quarter (2026-Q3) or a month (2026-07), in UTC.
    #[arg(long)]
    pub period: String,
    /// The public version (no case, counts under 10 shown as <10) instead of the committee's.
    #[arg(long)]
    pub public: bool,
    /// `md`, `html` (a printable page) or `csv` (the figures).
    #[arg(long, default_value = "md")]
    pub format: String,
}

/// `corridor tick`.
#[derive(Debug, Args)]
pub struct TickArgs {
    /// Run the clocks up to this moment (RFC 3339) instead of now.
    #[arg(long)]
    pub at: Option<String>,
}

/// `corridor demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The seed: the same seed gives byte-identical events.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Where to build the demo database; it must not exist or must be a demo database.
    #[arg(long, default_value = "sqlite://corridor-demo.db")]
    pub demo_database: String,
    /// Print only the summary.
    #[arg(long)]
    pub quiet: bool,
    /// Instead of the story, N synthetic people live through one year under the demo's
    /// agreements (proposals, notices, answers, claims, schedules, departures, arrivals, welfare
    /// checks, onward movements, returns, erasures, court orders), drawn from the seed, every
    /// step a command to the application; the year's releases (its 12 months, 4 quarters, the
    /// year, since entry into force) are then published and verified. Without it, the story.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub people: Option<u32>,
    /// The year the `--people` live through (2026 by default).
    #[arg(long, requires = "people", value_parser = clap::value_parser!(i16).range(2026..=9998))]
    pub year: Option<i16>,
}

/// `corridor witness …`.
#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// Create a witness cosigning key and print its verifier key.
    Init {
        /// The witness's name (its key name), e.g. `witness.example.org`.
        #[arg(long)]
        name: String,
        /// Where to create the key.
        #[arg(long, default_value = "corridor-witness.key")]
        key_file: PathBuf,
        /// The cosignature algorithm: `ed25519` (cosignature/v1, type 0x04, what every log's
        /// client checks today) or `ml-dsa-44` (FIPS 204, type 0x06, post-quantum). See
        /// docs/log.md.
        #[arg(long, value_enum, default_value_t = CosignatureAlgorithm::Ed25519)]
        signature: CosignatureAlgorithm,
    },
    /// Serve `POST /add-checkpoint` for the logs given.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7380")]
        listen: String,
        /// The witness's own database (it persists the latest checkpoint of each log).
        #[arg(long, default_value = "sqlite://corridor-witness.db")]
        witness_database: String,
        /// The witness's cosigning key.
        #[arg(long, default_value = "corridor-witness.key")]
        key_file: PathBuf,
        /// A log to follow, by its verifier key; repeat for more.
        #[arg(long = "log")]
        logs: Vec<String>,
    },
}

/// `corridor serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = crate::config::LISTEN_DEFAULT)]
    pub listen: String,
    /// Log format on standard error: `text` or `json`.
    #[arg(long, default_value = "text")]
    pub log_format: String,
    /// Mark session cookies `Secure`: set it whenever browsers reach the server over HTTPS
    /// (directly or through a TLS-terminating proxy).
    #[arg(long, env = "CORRIDOR_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Requests each client address may send per second, sustained, once its burst is spent
    /// (0: never refills).
    #[arg(long, default_value_t = corridor_api::limits::RATE_LIMIT_REFILL_PER_SECOND)]
    pub rate_limit_per_second: u32,
    /// Requests each client address may send at once before the rate limit applies.
    #[arg(long, default_value_t = corridor_api::limits::RATE_LIMIT_BURST_REQUESTS)]
    pub rate_limit_burst: u32,
    /// Also serve a witness at `POST /add-checkpoint` (C2SP tlog-witness), cosigning with the
    /// key in FILE (made by `corridor witness init`). Needs at least one --witness-log.
    #[arg(long, value_name = "FILE", requires = "witness_logs")]
    pub witness_key: Option<PathBuf>,
    /// A log the witness follows, by its verifier key (`corridor log key` prints one); repeat
    /// for more. Needs --witness-key.
    #[arg(
        long = "witness-log",
        value_name = "VERIFIER_KEY",
        requires = "witness_key"
    )]
    pub witness_logs: Vec<String>,
    /// The witness's own database, where it keeps the latest checkpoint it cosigned of each log:
    /// never the log's --database. Needs --witness-key.
    #[arg(
        long,
        value_name = "URL",
        default_value = "sqlite://corridor-witness.db",
        requires = "witness_key"
    )]
    pub witness_database: String,
}
