//! What an application function can fail with, as outcomes: refused by the core (a safeguard
//! or another rule), not authenticated, not permitted, not found, in conflict, stale, bad input,
//! unavailable, or a fault inside.
//!
//! [`AppError`] says what happened; [`AppError::kind`] says which outcome it is, and
//! [`AppError::describe`] gives the stable code, the title, the sentence and the facts every
//! door reports it with. Each door maps the kind to its own vocabulary in one place: the HTTP
//! API to a status (`corridor_api::problem`), the command line to an exit status. Nothing here
//! knows HTTP.

use std::collections::BTreeMap;

use corridor_accounts::AccountsError;
use corridor_domain::Refusal;
use corridor_store::StoreError;

/// The sentence of every fault: fixed, so that nothing about the inside leaks to a client.
pub const FAULT_DETAIL: &str = "the server could not complete the request; the cause is in its log";

/// Everything an application function can fail with.
#[derive(Debug)]
pub enum AppError {
    /// The domain refused a command.
    Refused(Refusal),
    /// The domain refused a command on a case, and the refusal was recorded as the
    /// `safeguard_triggered` event `seq` (reported like [`AppError::Refused`], naming the event).
    RefusedRecorded {
        /// The refusal.
        refusal: Refusal,
        /// The sequence number of the event that records it.
        seq: u64,
    },
    /// The store failed (or found the case changed: a version conflict).
    Store(StoreError),
    /// The accounts failed or refused.
    Accounts(AccountsError),
    /// A group commit failed as a whole: none of its writes is acknowledged (they were rolled
    /// back, unless the connection was lost during the commit itself, when the outcome is
    /// unknown until read).
    CommitFailed {
        /// Whether the database could not be reached rather than a fault.
        unavailable: bool,
        /// The cause, for the operator's log only.
        cause: String,
    },
    /// The function needs an authenticated caller and the caller is the anonymous public.
    Unauthenticated,
    /// The policies do not allow this caller this action on this resource. The decision is on
    /// the record.
    NotPermitted {
        /// The action asked for (its Cedar name).
        action: &'static str,
    },
    /// A field of the request is missing or wrong.
    InvalidInput {
        /// The field, as the request names it (`body.nationality`, `query.limit`, `path.case`).
        field: String,
        /// What is wrong with it, as a sentence.
        message: String,
    },
    /// An agreement file with errors; nothing was loaded.
    InvalidFile {
        /// How many errors.
        count: usize,
        /// The first, as `file:line:column: field: message`.
        first: String,
        /// Every error, in the same form.
        errors: Vec<String>,
    },
    /// The thing asked for does not exist (or the caller may not know that it does).
    NotFound {
        /// What was looked for, as a sentence fragment (`case case-…`).
        what: String,
    },
    /// The application was started without the master key, so personal data can be neither
    /// sealed nor opened.
    NoMasterKey,
    /// A statistics release cannot be published now (the period is open, the checkpoint too
    /// early, the id taken, ...).
    Statistics(crate::statistics::refusal::StatisticsRefusal),
    /// A bug or broken invariant inside; the text goes to the operator's log only.
    Internal(String),
}

/// Which outcome an [`AppError`] is: what each door maps to its own vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The core refused the command (a safeguard, the case's state, an unknown id, …); the
    /// refusal says which.
    Refused,
    /// Nobody is logged in.
    Unauthenticated,
    /// The policies (or an account's rules) do not allow it.
    NotPermitted,
    /// No such thing, or one the caller may not know of.
    NotFound,
    /// The request conflicts with what exists (an account that exists, has acted, is
    /// disabled).
    Conflict,
    /// The request names a version of a case that is no longer current.
    Stale,
    /// A field or a file is wrong.
    BadInput,
    /// Something it needs cannot be reached or is missing now (the database, the master key).
    Unavailable,
    /// A fault inside.
    Fault,
}

/// How an error is reported, whatever the door: a stable code, a title fixed per code, a
/// sentence, and the facts behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// The stable snake_case code (for refusals, the core's code).
    pub code: String,
    /// A short summary, the same for every error of this code.
    pub title: String,
    /// What happened this time, as a sentence.
    pub detail: String,
    /// The facts behind it, by name, as text.
    pub facts: BTreeMap<String, String>,
    /// For a refusal by the core: whether a safeguard refused.
    pub safeguard: Option<bool>,
    /// For a safeguard refusal on a case: the sequence number of the `safeguard_triggered`
    /// event that records it.
    pub recorded_seq: Option<u64>,
    /// Whether the same request may well succeed shortly (a database that cannot be reached).
    pub transient: bool,
}

impl Description {
    fn new(code: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            title: title.to_owned(),
            detail: detail.into(),
            facts: BTreeMap::new(),
            safeguard: None,
            recorded_seq: None,
            transient: false,
        }
    }

    fn with_fact(mut self, name: &str, value: String) -> Self {
        self.facts.insert(name.to_owned(), value);
        self
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

impl From<AccountsError> for AppError {
    fn from(error: AccountsError) -> Self {
        Self::Accounts(error)
    }
}

impl From<crate::statistics::refusal::StatisticsRefusal> for AppError {
    fn from(refusal: crate::statistics::refusal::StatisticsRefusal) -> Self {
        Self::Statistics(refusal)
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl AppError {
    /// The refusal by the core this error reports, if it is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Self::Refused(refusal) | Self::RefusedRecorded { refusal, .. } => Some(refusal),
            _ => None,
        }
    }

    /// Which outcome this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Refused(_) | Self::RefusedRecorded { .. } => ErrorKind::Refused,
            Self::Store(error) => store_kind(error),
            Self::Accounts(error) => accounts_kind(error),
            Self::CommitFailed {
                unavailable: true, ..
            }
            | Self::NoMasterKey => ErrorKind::Unavailable,
            Self::CommitFailed {
                unavailable: false, ..
            }
            | Self::Internal(_) => ErrorKind::Fault,
            Self::Unauthenticated => ErrorKind::Unauthenticated,
            Self::NotPermitted { .. } => ErrorKind::NotPermitted,
            Self::InvalidInput { .. } | Self::InvalidFile { .. } => ErrorKind::BadInput,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::Statistics(refusal) => statistics_kind(refusal),
        }
    }

    /// How it is reported: the one mapping from errors to codes and sentences.
    pub fn describe(&self) -> Description {
        match self {
            Self::Refused(refusal) => refusal_description(refusal),
            Self::RefusedRecorded { refusal, seq } => Description {
                recorded_seq: Some(*seq),
                ..refusal_description(refusal)
            },
            Self::Store(error) => store_description(error),
            Self::Accounts(error) => accounts_description(error),
            Self::CommitFailed {
                unavailable: true, ..
            } => unavailable_description(),
            Self::CommitFailed {
                unavailable: false, ..
            }
            | Self::Internal(_) => fault_description(),
            Self::Unauthenticated => Description::new(
                "unauthenticated",
                "Authentication required",
                "log in (POST /api/session) or send an API token as `Authorization: Bearer …`",
            ),
            Self::NotPermitted { action } => Description::new(
                "forbidden",
                "Not permitted",
                format!("your role may not `{action}` here; the refusal is on the record"),
            )
            .with_fact("action", (*action).to_owned()),
            Self::InvalidInput { field, message } => Description::new(
                "invalid_input",
                "Invalid input",
                format!("{field}: {message}"),
            )
            .with_fact("field", field.clone()),
            Self::InvalidFile {
                count,
                first,
                errors,
            } => Description {
                facts: errors
                    .iter()
                    .enumerate()
                    .map(|(index, error)| (format!("error_{}", index + 1), error.clone()))
                    .collect(),
                ..Description::new(
                    "invalid_agreement_file",
                    "The agreement file has errors",
                    format!("{count} error(s), nothing was loaded; the first: {first}"),
                )
            },
            Self::NotFound { what } => {
                Description::new("not_found", "Not found", format!("there is no {what}"))
            }
            Self::Statistics(refusal) => Description {
                facts: refusal
                    .facts()
                    .into_iter()
                    .map(|(name, value)| (name.to_owned(), value))
                    .collect(),
                ..Description::new(
                    refusal.code(),
                    "The statistics release cannot be published",
                    refusal.message(),
                )
            },
            Self::NoMasterKey => Description::new(
                "no_master_key",
                "Personal data is unavailable",
                "the server was started without the master key, so personal data can be neither sealed nor opened",
            ),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(refusal) | Self::RefusedRecorded { refusal, .. } => {
                write!(f, "{refusal}")
            }
            Self::Store(error) => write!(f, "{error}"),
            Self::Accounts(error) => write!(f, "{error}"),
            Self::CommitFailed { cause, .. } => write!(f, "group commit failed: {cause}"),
            Self::Internal(text) => write!(f, "internal error: {text}"),
            other => write!(f, "{}", other.describe().detail),
        }
    }
}

impl std::error::Error for AppError {}

/// Which outcome a statistics refusal is: a release that exists conflicts; the rest are asked
/// too early or of nothing.
fn statistics_kind(refusal: &crate::statistics::refusal::StatisticsRefusal) -> ErrorKind {
    use crate::statistics::refusal::StatisticsRefusal;
    match refusal {
        StatisticsRefusal::ReleaseExists { .. }
        | StatisticsRefusal::ReleaseRaced { .. }
        | StatisticsRefusal::PeriodNotEnded { .. }
        | StatisticsRefusal::NoCheckpoint
        | StatisticsRefusal::CheckpointBeforePeriodEnd { .. }
        | StatisticsRefusal::NothingInForce { .. } => ErrorKind::Conflict,
        StatisticsRefusal::UnknownRelease { .. } => ErrorKind::BadInput,
    }
}

/// The title of a refusal: fixed per code.
fn refusal_title(refusal: &Refusal) -> &'static str {
    match refusal {
        Refusal::HoldActive { .. } => "A court hold is in effect",
        Refusal::NoticePeriodRunning { .. } => "The notice period is still running",
        Refusal::NoticeMissing => "No notice has been served",
        Refusal::NoticeDeficient { .. } => "The notice is deficient",
        Refusal::ProtectionClaimPending { .. } => "A protection claim is pending",
        Refusal::ProtectionFound => "Protection was found",
        Refusal::NotApprovedByReceivingState => "Not approved by the receiving state",
        Refusal::NotApprovedBySupervisor => "Not approved by a supervisor",
        Refusal::AgreementNotInForce { .. } => "The agreement is not in force",
        Refusal::CapReached { .. } => "A cap of the agreement is reached",
        Refusal::Ineligible { .. } => "The person is not eligible",
        Refusal::SelfApproval { .. } => "A proposer cannot approve their own case",
        Refusal::TransferDeadlinePassed { .. } => "The transfer deadline has passed",
        Refusal::OnwardDestinationProhibited { .. } => "The onward destination is prohibited",
        Refusal::DepartureOutsideSchedule { .. } => {
            "The departure is outside the schedule the person was told of"
        }
        Refusal::FearNotScreened { .. } => "A fear of the receiving state is not yet screened",
        Refusal::MonitorHold { .. } => "The monitoring body holds this case",
        Refusal::UnknownVisit { .. } => "No such visit",
        Refusal::UnknownFinding { .. } => "No such finding",
        Refusal::FindingNotAddressed { .. } => "The finding is not addressed to this party",
        Refusal::FindingAlreadyResponded { .. } => "This party has already responded",
        Refusal::FindingClosed { .. } => "The finding is closed",
        Refusal::TimeBeforeRecorded { .. } => "A step cannot be dated before what it follows",
        Refusal::NotPermitted { .. } => "Not permitted",
        Refusal::InvalidState { .. } => "Not possible in the case's status",
        Refusal::TransferPaused { .. } => "The transfer is paused",
        Refusal::UnknownCase { .. } => "No such case",
        Refusal::UnknownAgreement { .. } => "No such agreement",
        Refusal::UnknownComplaint { .. } => "No such complaint",
        Refusal::ComplaintStatusNotAllowed { .. } => "The complaint cannot move to that status",
        Refusal::ComplaintErased { .. } => "The complaint was erased",
        Refusal::UnknownHold { .. } => "No such hold",
        Refusal::AlreadyExists { .. } => "Already exists",
        Refusal::InvalidInput { .. } => "Invalid input",
    }
}

fn refusal_description(refusal: &Refusal) -> Description {
    Description {
        facts: refusal.facts(),
        safeguard: Some(refusal.is_safeguard()),
        ..Description::new(refusal.code(), refusal_title(refusal), refusal.message())
    }
}

fn accounts_kind(error: &AccountsError) -> ErrorKind {
    match error {
        AccountsError::Database(source) if is_unavailable(source) => ErrorKind::Unavailable,
        AccountsError::UserExists(_)
        | AccountsError::RoleFixed(_)
        | AccountsError::UserDisabled(_) => ErrorKind::Conflict,
        AccountsError::UnknownUser(_) => ErrorKind::NotFound,
        AccountsError::RoleParty { .. }
        | AccountsError::PartyIdentifier(_)
        | AccountsError::PasswordLength { .. }
        | AccountsError::Scopes(_)
        | AccountsError::TokenExpiry { .. }
        | AccountsError::TooManyTokens(_) => ErrorKind::BadInput,
        AccountsError::Url { .. }
        | AccountsError::Database(_)
        | AccountsError::Migrate(_)
        | AccountsError::Corrupt(_)
        | AccountsError::Hash(_)
        | AccountsError::Random(_)
        | AccountsError::Task(_) => ErrorKind::Fault,
        // The accounts' error type may grow; a new kind is a fault until mapped here.
        _ => ErrorKind::Fault,
    }
}

fn accounts_description(error: &AccountsError) -> Description {
    match error {
        AccountsError::UserExists(user) => Description::new(
            "user_exists",
            "The user exists",
            format!("there is already a user `{user}`"),
        ),
        AccountsError::UnknownUser(user) => Description::new(
            "unknown_user",
            "No such user",
            format!("there is no user `{user}`"),
        ),
        AccountsError::RoleFixed(_) => {
            Description::new("role_fixed", "The account has acted", error.to_string())
        }
        AccountsError::UserDisabled(user) => Description::new(
            "user_disabled",
            "The user is disabled",
            format!("user `{user}` is disabled and cannot be given a new token"),
        ),
        _ => match accounts_kind(error) {
            ErrorKind::BadInput => {
                Description::new("invalid_input", "Invalid input", error.to_string())
            }
            ErrorKind::Unavailable => unavailable_description(),
            _ => fault_description(),
        },
    }
}

/// Whether a database error means the database cannot be reached now, rather than a fault.
///
/// A PostgreSQL server that ends a connection says why before it closes it: its backend was
/// terminated (`pg_terminate_backend`, a failover), the server is shutting down or starting,
/// or the connection failed. sqlx reports that as a database error with the SQLSTATE, not as
/// an I/O error; the next request gets a fresh connection from the pool.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(database) => database
            .code()
            .is_some_and(|code| is_unavailable_sqlstate(&code)),
        _ => false,
    }
}

/// SQLSTATEs of a connection that is gone or a server that cannot serve now: class 08
/// (connection exception), 57P01 `admin_shutdown`, 57P02 `crash_shutdown`, 57P03
/// `cannot_connect_now`.
fn is_unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

fn store_kind(error: &StoreError) -> ErrorKind {
    match error {
        StoreError::Conflict { .. } => ErrorKind::Stale,
        StoreError::ReleaseExists(_) | StoreError::ReleaseRaced { .. } => ErrorKind::Conflict,
        StoreError::Connect { .. } => ErrorKind::Unavailable,
        StoreError::Database(source) if is_unavailable(source) => ErrorKind::Unavailable,
        StoreError::Url { .. }
        | StoreError::Migrate(_)
        | StoreError::SchemaTooNew { .. }
        | StoreError::TargetNotEmpty { .. }
        | StoreError::Deployment(_)
        | StoreError::Database(_)
        | StoreError::Corrupt(_)
        | StoreError::Limit { .. }
        | StoreError::Invalid(_)
        | StoreError::Internal(_)
        | StoreError::Random(_)
        | StoreError::AgreementReplay(_)
        | StoreError::Replay(_)
        | StoreError::Vault(_) => ErrorKind::Fault,
    }
}

fn store_description(error: &StoreError) -> Description {
    match error {
        StoreError::Conflict {
            case,
            expected,
            current,
        } => Description::new(
            "version_conflict",
            "The case changed",
            format!("{case} is at version {current}, not {expected}: reload it and try again"),
        )
        .with_fact("case", case.to_string())
        .with_fact("expected_version", expected.to_string())
        .with_fact("current_version", current.to_string()),
        StoreError::ReleaseExists(release) => Description::new(
            "release_exists",
            "The release already exists",
            format!(
                "statistics release `{release}` already exists: publish a correction under a new id"
            ),
        )
        .with_fact("release", release.clone()),
        StoreError::ReleaseRaced { release, .. } => Description::new(
            "release_raced",
            "Another release was published meanwhile",
            format!(
                "another release was published while statistics release `{release}` was computed: publish again"
            ),
        )
        .with_fact("release", release.clone()),
        _ => match store_kind(error) {
            ErrorKind::Unavailable => unavailable_description(),
            _ => fault_description(),
        },
    }
}

fn unavailable_description() -> Description {
    Description {
        transient: true,
        ..Description::new(
            "database_unavailable",
            "The database is unavailable",
            "the database cannot be reached just now; try again shortly",
        )
    }
}

fn fault_description() -> Description {
    Description::new("internal", "Internal error", FAULT_DETAIL)
}
