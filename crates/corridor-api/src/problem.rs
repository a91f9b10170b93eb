//! RFC 9457 problem details: every error the server answers with, mapped in one place.
//!
//! Handlers return [`ApiError`]; [`ApiError::problem`] is the only place an error becomes a
//! status code and a body. A refusal keeps its stable code and its caseworker sentence; a stale
//! version is 412; a database that cannot be reached is 503; anything else that went wrong inside
//! is 500 with a fixed sentence, and the cause goes to the server's log, never to the client.
//!
//! A body looks like this:
//!
//! ```json
//! {
//!   "type": "https://corridor.invalid/problems/hold_active",
//!   "title": "A court hold is in effect",
//!   "status": 409,
//!   "detail": "A court order stops this transfer: …",
//!   "code": "hold_active",
//!   "facts": { "hold": "hold-…", "court": "…", "reference": "…" }
//! }
//! ```
//!
//! The facts travel as one extension member, `facts`, rather than one member each: a refusal's
//! facts include names such as `status` (an agreement's status) that would collide with the
//! members RFC 9457 defines, and a nested object can never collide with members added later.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use corridor_accounts::{AccountsError, LoginError};
use corridor_domain::Refusal;
use corridor_store::StoreError;

/// The media type of a problem body.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Where problem type URIs live; a type is this followed by the problem's code.
pub const PROBLEM_TYPE_BASE: &str = "https://corridor.invalid/problems/";

/// The detail of every 500: fixed, so that nothing about the inside leaks.
pub const INTERNAL_DETAIL: &str =
    "the server could not complete the request; the cause is in its log";

/// One problem, ready to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable snake_case code; the type URI ends with it.
    pub code: String,
    /// A short summary, the same for every problem of this code.
    pub title: String,
    /// What happened this time, as a sentence.
    pub detail: String,
    /// The facts behind it, by name, as text.
    pub facts: BTreeMap<String, String>,
    /// Seconds after which the client may try again (`Retry-After`), when that is known.
    pub retry_after_seconds: Option<u64>,
    /// For a refusal by the core: whether a safeguard refused (the `safeguard` member).
    pub safeguard: Option<bool>,
    /// For a safeguard refusal on a case: the sequence number of the `safeguard_triggered`
    /// event that records it (the `recorded_seq` member).
    pub recorded_seq: Option<u64>,
}

impl Problem {
    fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            title: title.to_owned(),
            detail: detail.into(),
            facts: BTreeMap::new(),
            retry_after_seconds: None,
            safeguard: None,
            recorded_seq: None,
        }
    }

    /// The problem type URI.
    pub fn type_uri(&self) -> String {
        format!("{PROBLEM_TYPE_BASE}{}", self.code)
    }

    /// The body, as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let mut body = serde_json::json!({
            "type": self.type_uri(),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
        });
        if let Some(object) = body.as_object_mut() {
            if !self.facts.is_empty() {
                object.insert("facts".to_owned(), serde_json::json!(self.facts));
            }
            if let Some(safeguard) = self.safeguard {
                object.insert("safeguard".to_owned(), serde_json::json!(safeguard));
            }
            if let Some(seq) = self.recorded_seq {
                object.insert("recorded_seq".to_owned(), serde_json::json!(seq));
            }
        }
        body
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = self.to_json().to_string();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        );
        // An error about one request says nothing about the next: never cache it.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"corridor\""),
            );
        }
        if let Some(seconds) = self.retry_after_seconds {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Everything a request can fail with.
#[derive(Debug)]
pub enum ApiError {
    /// The domain refused a command.
    Refused(Refusal),
    /// The domain refused a command on a case, and the refusal was recorded as the
    /// `safeguard_triggered` event `seq` (answered like [`ApiError::Refused`], naming the event).
    RefusedRecorded {
        /// The refusal.
        refusal: Refusal,
        /// The sequence number of the event that records it.
        seq: u64,
    },
    /// The store failed.
    Store(StoreError),
    /// The accounts failed or refused.
    Accounts(AccountsError),
    /// A group commit failed as a whole: none of its writes is acknowledged (they were rolled
    /// back, unless the connection was lost during the commit itself, when the outcome is
    /// unknown until read).
    CommitFailed {
        /// Whether the database could not be reached (503) rather than a fault (500).
        unavailable: bool,
        /// The cause, for the server's log only.
        cause: String,
    },
    /// A command came without `If-Match`.
    PreconditionRequired,
    /// `If-Match` is not a version this server issued (`"<n>"`).
    InvalidPrecondition,
    /// The route needs an authenticated caller and the request carries no valid session or
    /// token.
    Unauthenticated,
    /// The policies do not allow this caller this action on this resource. The decision is on
    /// the record.
    Forbidden {
        /// The action asked for (its Cedar name).
        action: &'static str,
    },
    /// A cookie-session request that changes something came without the session's CSRF token.
    CsrfRejected,
    /// A login's user name and password do not identify an enabled user. One answer for an
    /// unknown user, a wrong password and a disabled user, so that it reveals none of them.
    InvalidCredentials,
    /// Too many login attempts for this user name or from this client address.
    LoginRateLimited {
        /// Seconds until the window that refused the attempt ends.
        retry_after_seconds: u64,
    },
    /// A request field is missing or wrong.
    InvalidInput {
        /// The field, as named in the request (`body.nationality`, `query.limit`, `path.case`).
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
    /// The thing the path names does not exist.
    NotFound {
        /// What was looked for, as a sentence fragment (`case case-…`).
        what: String,
    },
    /// The server was started without the master key, so personal data can be neither sealed
    /// nor opened.
    NoMasterKey,
    /// The log has no signed checkpoint yet.
    NoCheckpoint,
    /// A tile path that does not follow the tlog-tiles grammar.
    InvalidTilePath {
        /// Why, as the parser said it (naming the path).
        reason: String,
    },
    /// A tile or entry bundle the latest checkpoint does not have.
    TileNotFound {
        /// The path asked for.
        path: String,
    },
    /// The server is up but cannot serve yet.
    NotReady {
        /// Why, as a sentence safe to publish.
        reason: String,
    },
    /// The client sent more requests than its share.
    RateLimited {
        /// Seconds until a request will be accepted again.
        retry_after_seconds: u64,
    },
    /// The request took longer than the server allows.
    Timeout,
    /// An error with no more to say than its status, such as a path with no route or a body
    /// over the limit, raised by the HTTP layers rather than a handler.
    Status(StatusCode),
    /// A bug or broken invariant inside the server; the text goes to the log only.
    Internal(String),
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

impl From<LoginError> for ApiError {
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::InvalidCredentials => Self::InvalidCredentials,
            LoginError::RateLimited { retry_after } => Self::LoginRateLimited {
                // Rounded up, and at least 1: a client told 0 would retry at once.
                retry_after_seconds: u64::try_from(
                    retry_after
                        .as_secs()
                        .saturating_add(i64::from(retry_after.subsec_nanos() > 0)),
                )
                .unwrap_or(0)
                .max(1),
            },
            LoginError::Unavailable(error) => Self::Accounts(error),
        }
    }
}

impl From<AccountsError> for ApiError {
    fn from(error: AccountsError) -> Self {
        Self::Accounts(error)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl ApiError {
    /// The problem this error is answered with: the one mapping from errors to HTTP.
    pub fn problem(&self) -> Problem {
        match self {
            Self::Refused(refusal) => refusal_problem(refusal),
            Self::RefusedRecorded { refusal, seq } => Problem {
                recorded_seq: Some(*seq),
                ..refusal_problem(refusal)
            },
            Self::Store(error) => store_problem(error),
            Self::Accounts(error) => accounts_problem(error),
            Self::CommitFailed {
                unavailable: true, ..
            } => unavailable_problem(),
            Self::CommitFailed {
                unavailable: false, ..
            } => internal_problem(),
            Self::PreconditionRequired => Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                "If-Match is required",
                "send the case's `ETag` in `If-Match`, so that a command is never decided against a version you have not seen",
            ),
            Self::InvalidPrecondition => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "invalid_precondition",
                "If-Match is not a version",
                "`If-Match` must be the `ETag` the server sent, such as `\"3\"`",
            ),
            Self::Unauthenticated => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Authentication required",
                "log in (POST /api/session) or send an API token as `Authorization: Bearer …`",
            ),
            Self::Forbidden { action } => Problem {
                facts: [("action".to_owned(), (*action).to_owned())]
                    .into_iter()
                    .collect(),
                ..Problem::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "Not permitted",
                    format!("your role may not `{action}` here; the refusal is on the record"),
                )
            },
            Self::InvalidCredentials => Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Invalid user name or password",
                "the user name or the password is wrong, or the account is disabled",
            ),
            Self::LoginRateLimited {
                retry_after_seconds,
            } => Problem {
                retry_after_seconds: Some(*retry_after_seconds),
                ..Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "login_rate_limited",
                    "Too many login attempts",
                    format!(
                        "too many login attempts for this user name or from this address; try again in {retry_after_seconds} s"
                    ),
                )
            },
            Self::CsrfRejected => Problem::new(
                StatusCode::FORBIDDEN,
                "csrf_rejected",
                "CSRF token missing or wrong",
                "a request that changes something must carry the session's CSRF token in `X-CSRF-Token`",
            ),
            Self::InvalidInput { field, message } => Problem {
                facts: [("field".to_owned(), field.clone())].into_iter().collect(),
                ..Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_input",
                    "Invalid input",
                    format!("{field}: {message}"),
                )
            },
            Self::InvalidFile {
                count,
                first,
                errors,
            } => Problem {
                facts: errors
                    .iter()
                    .enumerate()
                    .map(|(index, error)| (format!("error_{}", index + 1), error.clone()))
                    .collect(),
                ..Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_agreement_file",
                    "The agreement file has errors",
                    format!("{count} error(s), nothing was loaded; the first: {first}"),
                )
            },
            Self::NotFound { what } => Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "Not found",
                format!("there is no {what}"),
            ),
            Self::NoMasterKey => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "no_master_key",
                "Personal data is unavailable",
                "the server was started without the master key, so personal data can be neither sealed nor opened",
            ),
            Self::NoCheckpoint => Problem::new(
                StatusCode::NOT_FOUND,
                "no_checkpoint",
                "The log has no checkpoint yet",
                "the log has not signed a checkpoint yet",
            ),
            Self::InvalidTilePath { reason } => Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid_tile_path",
                "Invalid tile path",
                reason.clone(),
            ),
            Self::TileNotFound { path } => Problem::new(
                StatusCode::NOT_FOUND,
                "tile_not_found",
                "No such tile",
                format!("the latest checkpoint has no tile `{path}`"),
            ),
            Self::NotReady { reason } => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "Not ready",
                reason.clone(),
            ),
            Self::RateLimited {
                retry_after_seconds,
            } => Problem {
                retry_after_seconds: Some(*retry_after_seconds),
                ..Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "Too many requests",
                    format!(
                        "this client sent more requests than it may; try again in {retry_after_seconds} s"
                    ),
                )
            },
            Self::Timeout => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "The request took too long",
                format!(
                    "the request did not finish within {} s",
                    crate::limits::REQUEST_TIMEOUT.as_secs()
                ),
            ),
            Self::Status(status) => status_problem(*status),
            Self::Internal(_) => internal_problem(),
        }
    }

    /// Whether the cause belongs in the server's error log.
    fn is_internal(&self) -> bool {
        self.problem().status.is_server_error()
            && !matches!(self, Self::NotReady { .. } | Self::Timeout)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(refusal) | Self::RefusedRecorded { refusal, .. } => {
                write!(f, "{refusal}")
            }
            Self::Store(error) => write!(f, "{error}"),
            Self::Accounts(error) => write!(f, "{error}"),
            Self::CommitFailed { cause, .. } => write!(f, "group commit failed: {cause}"),
            Self::Internal(text) => write!(f, "internal error: {text}"),
            other => write!(f, "{}", other.problem().detail),
        }
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.is_internal() {
            // The cause goes to the operator's log; the client sees only the fixed sentence.
            tracing::error!(error = %self, "request failed");
        }
        self.problem().into_response()
    }
}

/// The status of a refusal. Safeguards and state conflicts are 409: the request was understood
/// and well-formed, but the case or the agreement does not allow it now. The match names every
/// variant, so a new refusal cannot ship without a decision here.
pub fn refusal_status(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::HoldActive { .. }
        | Refusal::NoticePeriodRunning { .. }
        | Refusal::NoticeMissing
        | Refusal::NoticeDeficient { .. }
        | Refusal::ProtectionClaimPending { .. }
        | Refusal::ProtectionFound
        | Refusal::NotApprovedByReceivingState
        | Refusal::NotApprovedBySupervisor
        | Refusal::AgreementNotInForce { .. }
        | Refusal::CapReached { .. }
        | Refusal::Ineligible { .. }
        | Refusal::SelfApproval { .. }
        | Refusal::TransferDeadlinePassed { .. }
        | Refusal::OnwardDestinationProhibited { .. }
        | Refusal::DepartureOutsideSchedule { .. }
        | Refusal::FearNotScreened { .. }
        | Refusal::InvalidState { .. }
        | Refusal::TransferPaused { .. }
        | Refusal::TimeBeforeRecorded { .. }
        | Refusal::AlreadyExists { .. } => StatusCode::CONFLICT,
        Refusal::NotPermitted { .. } => StatusCode::FORBIDDEN,
        Refusal::UnknownCase { .. }
        | Refusal::UnknownAgreement { .. }
        | Refusal::UnknownHold { .. } => StatusCode::NOT_FOUND,
        Refusal::InvalidInput { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The title of a refusal: fixed per code, as RFC 9457 asks.
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
        Refusal::TimeBeforeRecorded { .. } => "A step cannot be dated before what it follows",
        Refusal::NotPermitted { .. } => "Not permitted",
        Refusal::InvalidState { .. } => "Not possible in the case's status",
        Refusal::TransferPaused { .. } => "The transfer is paused",
        Refusal::UnknownCase { .. } => "No such case",
        Refusal::UnknownAgreement { .. } => "No such agreement",
        Refusal::UnknownHold { .. } => "No such hold",
        Refusal::AlreadyExists { .. } => "Already exists",
        Refusal::InvalidInput { .. } => "Invalid input",
    }
}

fn refusal_problem(refusal: &Refusal) -> Problem {
    Problem {
        facts: refusal.facts(),
        safeguard: Some(refusal.is_safeguard()),
        ..Problem::new(
            refusal_status(refusal),
            refusal.code(),
            refusal_title(refusal),
            refusal.message(),
        )
    }
}

fn accounts_problem(error: &AccountsError) -> Problem {
    let invalid = |message: String| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            "Invalid input",
            message,
        )
    };
    match error {
        AccountsError::Database(source) if is_unavailable(source) => unavailable_problem(),
        AccountsError::UserExists(user) => Problem::new(
            StatusCode::CONFLICT,
            "user_exists",
            "The user exists",
            format!("there is already a user `{user}`"),
        ),
        AccountsError::UnknownUser(user) => Problem::new(
            StatusCode::NOT_FOUND,
            "unknown_user",
            "No such user",
            format!("there is no user `{user}`"),
        ),
        AccountsError::RoleFixed(_) => Problem::new(
            StatusCode::CONFLICT,
            "role_fixed",
            "The account has acted",
            error.to_string(),
        ),
        AccountsError::UserDisabled(user) => Problem::new(
            StatusCode::CONFLICT,
            "user_disabled",
            "The user is disabled",
            format!("user `{user}` is disabled and cannot be given a new token"),
        ),
        AccountsError::RoleParty { .. }
        | AccountsError::PartyIdentifier(_)
        | AccountsError::PasswordLength { .. }
        | AccountsError::Scopes(_)
        | AccountsError::TokenExpiry { .. }
        | AccountsError::TooManyTokens(_) => invalid(error.to_string()),
        AccountsError::Url { .. }
        | AccountsError::Database(_)
        | AccountsError::Migrate(_)
        | AccountsError::Corrupt(_)
        | AccountsError::Hash(_)
        | AccountsError::Random(_)
        | AccountsError::Task(_) => internal_problem(),
        // The accounts' error type may grow; a new kind is a fault until mapped here.
        _ => internal_problem(),
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

fn store_problem(error: &StoreError) -> Problem {
    match error {
        StoreError::Conflict {
            case,
            expected,
            current,
        } => Problem {
            facts: [
                ("case".to_owned(), case.to_string()),
                ("expected_version".to_owned(), expected.to_string()),
                ("current_version".to_owned(), current.to_string()),
            ]
            .into_iter()
            .collect(),
            ..Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "version_conflict",
                "The case changed",
                format!("{case} is at version {current}, not {expected}: reload it and try again"),
            )
        },
        StoreError::Connect { .. } => unavailable_problem(),
        StoreError::Database(source) if is_unavailable(source) => unavailable_problem(),
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
        | StoreError::Vault(_) => internal_problem(),
    }
}

fn unavailable_problem() -> Problem {
    Problem {
        retry_after_seconds: Some(crate::limits::UNAVAILABLE_RETRY_AFTER_SECONDS),
        ..Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "The database is unavailable",
            "the database cannot be reached just now; try again shortly",
        )
    }
}

fn internal_problem() -> Problem {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        INTERNAL_DETAIL,
    )
}

/// The problem for a bare status raised below the handlers.
fn status_problem(status: StatusCode) -> Problem {
    match status {
        StatusCode::NOT_FOUND => Problem::new(
            status,
            "not_found",
            "Not found",
            "there is nothing at this path",
        ),
        StatusCode::METHOD_NOT_ALLOWED => Problem::new(
            status,
            "method_not_allowed",
            "Method not allowed",
            "this path does not answer this method; the `Allow` header lists those it does",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => Problem {
            facts: [(
                "limit_bytes".to_owned(),
                crate::limits::REQUEST_BODY_BYTES_MAX.to_string(),
            )]
            .into_iter()
            .collect(),
            ..Problem::new(
                status,
                "body_too_large",
                "Request body too large",
                format!(
                    "the request body is larger than the {} bytes allowed",
                    crate::limits::REQUEST_BODY_BYTES_MAX
                ),
            )
        },
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Problem {
            facts: [
                (
                    "limit_headers".to_owned(),
                    crate::limits::REQUEST_HEADERS_MAX.to_string(),
                ),
                (
                    "limit_bytes".to_owned(),
                    crate::limits::REQUEST_HEADER_BYTES_MAX.to_string(),
                ),
            ]
            .into_iter()
            .collect(),
            ..Problem::new(
                status,
                "headers_too_large",
                "Request headers too large",
                format!(
                    "the request has more than {} header fields or more than {} bytes of them",
                    crate::limits::REQUEST_HEADERS_MAX,
                    crate::limits::REQUEST_HEADER_BYTES_MAX
                ),
            )
        },
        StatusCode::URI_TOO_LONG => Problem {
            facts: [(
                "limit_bytes".to_owned(),
                crate::limits::REQUEST_URI_BYTES_MAX.to_string(),
            )]
            .into_iter()
            .collect(),
            ..Problem::new(
                status,
                "uri_too_long",
                "Request target too long",
                format!(
                    "the path and query are longer than the {} bytes allowed",
                    crate::limits::REQUEST_URI_BYTES_MAX
                ),
            )
        },
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Problem::new(
            status,
            "unsupported_media_type",
            "Unsupported media type",
            "the request body is not in a media type this path accepts",
        ),
        status if status.is_server_error() => internal_problem(),
        status => Problem::new(
            status,
            "bad_request",
            "Bad request",
            format!(
                "the request cannot be served ({})",
                status.canonical_reason().unwrap_or("client error")
            ),
        ),
    }
}

/// The shape of every problem body (RFC 9457), for the OpenAPI document.
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    /// A URI naming the problem type: `https://corridor.invalid/problems/<code>`.
    #[schema(rename = "type")]
    pub type_uri: String,
    /// A short summary, the same for every problem of this code.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened this time, as a sentence.
    pub detail: String,
    /// The stable snake_case code (for refusals, the core's refusal code).
    pub code: String,
    /// The facts behind it, by name, as text.
    #[schema(nullable = false)]
    pub facts: Option<BTreeMap<String, String>>,
    /// For a refusal by the core: whether a safeguard refused.
    #[schema(nullable = false)]
    pub safeguard: Option<bool>,
    /// For a safeguard refusal on a case: the sequence number of the `safeguard_triggered`
    /// event that records it.
    #[schema(nullable = false)]
    pub recorded_seq: Option<u64>,
}

/// The problems any route may answer with.
#[derive(Debug, utoipa::IntoResponses)]
pub enum CommonProblems {
    /// The request is malformed or a field is invalid.
    #[response(
        status = 422,
        description = "A field is missing or invalid (`invalid_input`, naming the field)",
        content_type = "application/problem+json"
    )]
    InvalidInput(#[to_schema] ProblemBody),
    /// Too many requests.
    #[response(
        status = 429,
        description = "Rate limited (`Retry-After` says when to retry)",
        content_type = "application/problem+json"
    )]
    RateLimited(#[to_schema] ProblemBody),
    /// The database cannot be reached, or the request took too long.
    #[response(
        status = 503,
        description = "Unavailable (`database_unavailable`, `timeout`, `no_master_key`)",
        content_type = "application/problem+json"
    )]
    Unavailable(#[to_schema] ProblemBody),
}

/// The problems of a route that needs a caller the policies allow.
#[derive(Debug, utoipa::IntoResponses)]
pub enum AccessProblems {
    /// No valid session or token.
    #[response(
        status = 401,
        description = "Not logged in (`unauthenticated`)",
        content_type = "application/problem+json"
    )]
    Unauthenticated(#[to_schema] ProblemBody),
    /// The policies do not allow it (on the record), or a CSRF token is missing.
    #[response(
        status = 403,
        description = "Not permitted (`forbidden`, `csrf_rejected`, `not_permitted`)",
        content_type = "application/problem+json"
    )]
    Forbidden(#[to_schema] ProblemBody),
    /// The resource does not exist, or the caller may not know that it does (answered alike).
    #[response(
        status = 404,
        description = "No such resource, or one the caller may not know of (`not_found`: the same answer)",
        content_type = "application/problem+json"
    )]
    NotFound(#[to_schema] ProblemBody),
}

/// The problems of a command on a case.
#[derive(Debug, utoipa::IntoResponses)]
pub enum CommandProblems {
    /// A safeguard or the case's state refused it (the code says which; safeguard refusals are recorded).
    #[response(
        status = 409,
        description = "Refused by a safeguard or the case's state (the core's refusal code)",
        content_type = "application/problem+json"
    )]
    Refused(#[to_schema] ProblemBody),
    /// The case changed since the version in `If-Match`.
    #[response(
        status = 412,
        description = "Stale `If-Match` (`version_conflict`) or not a version (`invalid_precondition`)",
        content_type = "application/problem+json"
    )]
    Stale(#[to_schema] ProblemBody),
    /// `If-Match` is missing.
    #[response(
        status = 428,
        description = "`If-Match` is required (`precondition_required`)",
        content_type = "application/problem+json"
    )]
    PreconditionRequired(#[to_schema] ProblemBody),
}
