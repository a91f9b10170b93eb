//! RFC 9457 problem details: every error the server answers with, mapped in one place.
//!
//! Handlers return [`ApiError`]; [`ApiError::problem`] is the only place an error becomes a
//! status code and a body. The application's errors ([`AppError`]) come with their code, title,
//! sentence and facts ([`AppError::describe`]); here they get their status ([`app_status`]). A refusal keeps its stable code and its caseworker sentence; a stale
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
use corridor_app::authorize::record_refused_before_policy;
use corridor_app::{App, AppError, Caller, ErrorKind};
use corridor_authz::Action;
use corridor_domain::Refusal;
use corridor_domain::terms::AgreementId;
use corridor_store::StoreError;

/// The media type of a problem body.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Where problem type URIs live; a type is this followed by the problem's code.
pub const PROBLEM_TYPE_BASE: &str = "https://corridor.invalid/problems/";

/// The detail of every 500: fixed, so that nothing about the inside leaks.
pub const INTERNAL_DETAIL: &str = corridor_app::error::FAULT_DETAIL;

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

/// Everything a request can fail with: what the application answered ([`AppError`]), or what
/// the HTTP layer itself refuses (a precondition, a CSRF token, a login, a tile path, a rate
/// limit, a timeout, a bare status).
#[derive(Debug)]
pub enum ApiError {
    /// The application's error: a refusal, a denial, a missing thing, a conflict, bad input, an
    /// unavailable database, a fault.
    App(AppError),
    /// A command came without `If-Match`.
    PreconditionRequired,
    /// `If-Match` is not a version this server issued (`"<n>"`).
    InvalidPrecondition,
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
    /// A bug or broken invariant in the HTTP layer; the text goes to the log only.
    Internal(String),
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self::App(error)
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        Self::App(AppError::Refused(refusal))
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
            LoginError::Unavailable(error) => Self::App(AppError::Accounts(error)),
        }
    }
}

impl From<AccountsError> for ApiError {
    fn from(error: AccountsError) -> Self {
        Self::App(AppError::Accounts(error))
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        Self::App(AppError::Store(error))
    }
}

/// The status an application error is answered with: its kind, and for a refusal by the core
/// the refusal ([`refusal_status`]).
pub fn app_status(error: &AppError) -> StatusCode {
    match (error.kind(), error.refusal()) {
        (_, Some(refusal)) => refusal_status(refusal),
        (ErrorKind::Refused, None) => StatusCode::CONFLICT,
        (ErrorKind::Unauthenticated, _) => StatusCode::UNAUTHORIZED,
        (ErrorKind::NotPermitted, _) => StatusCode::FORBIDDEN,
        (ErrorKind::NotFound, _) => StatusCode::NOT_FOUND,
        (ErrorKind::Conflict, _) => StatusCode::CONFLICT,
        (ErrorKind::Stale, _) => StatusCode::PRECONDITION_FAILED,
        (ErrorKind::BadInput, _) => StatusCode::UNPROCESSABLE_ENTITY,
        (ErrorKind::Unavailable, _) => StatusCode::SERVICE_UNAVAILABLE,
        (ErrorKind::Fault, _) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The problem an application error is answered with: its description, at its status.
fn app_problem(error: &AppError) -> Problem {
    let description = error.describe();
    Problem {
        status: app_status(error),
        code: description.code,
        title: description.title,
        detail: description.detail,
        facts: description.facts,
        retry_after_seconds: description
            .transient
            .then_some(crate::limits::UNAVAILABLE_RETRY_AFTER_SECONDS),
        safeguard: description.safeguard,
        recorded_seq: description.recorded_seq,
    }
}

/// Records a request refused before the policies were asked (its body or headers are bad) as a
/// denied attempt at `action` on `resource`, and gives the refusal back
/// ([`corridor_app::authorize::record_refused_before_policy`], named by the problem's code).
pub async fn refused_before_policy(
    app: &App,
    caller: &Caller,
    action: Action,
    resource: (String, Option<AgreementId>),
    error: ApiError,
) -> ApiError {
    let code = error.problem().code;
    match record_refused_before_policy(app, caller, action, resource, &code).await {
        Ok(()) => error,
        Err(unrecorded) => unrecorded.into(),
    }
}

impl ApiError {
    /// The problem this error is answered with: the one mapping from errors to HTTP.
    pub fn problem(&self) -> Problem {
        match self {
            Self::App(error) => app_problem(error),
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
            Self::App(error) => write!(f, "{error}"),
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
        | Refusal::MonitorHold { .. }
        | Refusal::FindingAlreadyResponded { .. }
        | Refusal::FindingClosed { .. }
        | Refusal::InvalidState { .. }
        | Refusal::TransferPaused { .. }
        | Refusal::TimeBeforeRecorded { .. }
        | Refusal::AlreadyExists { .. }
        | Refusal::ComplaintStatusNotAllowed { .. }
        | Refusal::ComplaintErased { .. } => StatusCode::CONFLICT,
        Refusal::NotPermitted { .. } | Refusal::FindingNotAddressed { .. } => StatusCode::FORBIDDEN,
        Refusal::UnknownCase { .. }
        | Refusal::UnknownAgreement { .. }
        | Refusal::UnknownHold { .. }
        | Refusal::UnknownVisit { .. }
        | Refusal::UnknownFinding { .. }
        | Refusal::UnknownComplaint { .. } => StatusCode::NOT_FOUND,
        Refusal::InvalidInput { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

pub use corridor_app::error::is_unavailable;

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
