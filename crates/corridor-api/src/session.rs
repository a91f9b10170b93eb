//! Browser sessions over HTTP: log in, who am I, log out.
//!
//! A login answers with the session cookie ([`SESSION_COOKIE`]: `HttpOnly`, `SameSite=Strict`,
//! `Path=/`, `Max-Age` the absolute lifetime, `Secure` when the server is reached over TLS) and
//! the session's CSRF token, which the page sends back in `X-CSRF-Token` on every request that
//! changes something ([`crate::auth`]). Every login opens a new session under a new random id:
//! an id the client brings is never adopted, and the session the request's cookie names, if any,
//! is ended.
//!
//! A failed login says only that the name and password do not fit: an unknown user, a wrong
//! password and a disabled user get the same 401 `invalid_credentials`, byte for byte. Too many
//! attempts for one name or from one address get 429 with `Retry-After`.
//!
//! The login body must be sent as `application/json`, which a cross-site form cannot do without
//! a CORS preflight that corridor never grants: so no other site can log a browser in under an
//! account of its choosing.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use corridor_accounts::{SESSION_ABSOLUTE_TIMEOUT, SESSION_IDLE_TIMEOUT, SessionId};
use corridor_domain::Actor;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use corridor_app::AppError;

use crate::auth::{Caller, Credential, SESSION_COOKIE, cookie, csrf_token};
use crate::json::JsonBody;
use crate::problem::{ApiError, ProblemBody};
use crate::state::AppState;
use crate::users::PartyView;

/// The session routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login, current, logout))
}

/// A login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// The login name.
    pub user: String,
    /// The password.
    #[schema(format = Password)]
    pub password: String,
}

/// Who is logged in, and how.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// The login name.
    pub user: String,
    /// The user's one role.
    pub role: String,
    /// What the role acts for.
    #[serde(flatten)]
    pub party: PartyView,
    /// `session` (a browser session's cookie) or `token` (an API token).
    pub credential: String,
    /// For a session: the token to send in `X-CSRF-Token` on every request that is not `GET`,
    /// `HEAD` or `OPTIONS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    /// For a new session: when it ends however busy it is (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// For a session: after how many seconds unused it ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout_seconds: Option<u64>,
}

impl SessionView {
    fn of_session(actor: &Actor, session: &SessionId) -> Self {
        Self {
            user: actor.user.to_string(),
            role: actor.role.as_str().to_owned(),
            party: PartyView::of(&actor.party),
            credential: "session".to_owned(),
            csrf_token: Some(csrf_token(session)),
            expires_at: None,
            idle_timeout_seconds: Some(seconds(SESSION_IDLE_TIMEOUT)),
        }
    }

    fn of_token(actor: &Actor) -> Self {
        Self {
            user: actor.user.to_string(),
            role: actor.role.as_str().to_owned(),
            party: PartyView::of(&actor.party),
            credential: "token".to_owned(),
            csrf_token: None,
            expires_at: None,
            idle_timeout_seconds: None,
        }
    }
}

/// A span in whole seconds (0 for a negative one).
pub fn seconds(span: jiff::SignedDuration) -> u64 {
    u64::try_from(span.as_secs()).unwrap_or(0)
}

/// The client's address, as the rate limits see it. Without connection info (a router driven
/// directly, not served) every request shares one address, which errs on the side of limiting.
pub fn client_address(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// The `Set-Cookie` value of the session cookie that stores `value` for `max_age_seconds` (0
/// deletes the cookie).
///
/// # Errors
/// When the value cannot be a header (never for a session id).
pub fn session_cookie(
    state: &AppState,
    value: &str,
    max_age_seconds: u64,
) -> Result<HeaderValue, ApiError> {
    let secure = if state.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_seconds}{secure}"
    ))
    .map_err(|error| ApiError::Internal(format!("the session cookie: {error}")))
}

/// `POST /api/session`: log in.
#[utoipa::path(
    post,
    path = "/api/session",
    tag = "session",
    request_body(content = LoginBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Logged in: a new session; `Set-Cookie` holds its id", body = SessionView,
            headers(("Set-Cookie" = String, description = "`corridor_session=…; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200` (and `Secure` over TLS)"))),
        (status = 401, description = "The user name or password is wrong, or the account is disabled (`invalid_credentials`); the same answer for each", body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json` (`unsupported_media_type`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid (`invalid_input`, naming the field)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many login attempts for this name or address (`login_rate_limited`), or too many requests (`rate_limited`); `Retry-After` says when to retry", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable (`database_unavailable`)", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(())
)]
pub async fn login(
    State(state): State<AppState>,
    parts: Parts,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Response, ApiError> {
    let now = state.now();
    let (session, actor) = state
        .accounts()
        .login(&body.user, &body.password, client_address(&parts), now)
        .await?;
    // The session this browser held before, if any, ends: one browser, one session.
    if let Some(previous) = cookie(&parts, SESSION_COOKIE).and_then(SessionId::parse) {
        state.accounts().logout(&previous).await?;
    }
    let mut view = SessionView::of_session(&actor, &session);
    view.expires_at = now
        .checked_add(SESSION_ABSOLUTE_TIMEOUT)
        .ok()
        .map(|at| at.to_string());
    let set_cookie = session_cookie(&state, &session.expose(), seconds(SESSION_ABSOLUTE_TIMEOUT))?;
    Ok((
        StatusCode::OK,
        [
            (header::SET_COOKIE, set_cookie),
            // The body holds the CSRF token: no cache may keep it.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Json(view),
    )
        .into_response())
}

/// `GET /api/session`: who is logged in, with the session's CSRF token.
#[utoipa::path(
    get,
    path = "/api/session",
    tag = "session",
    responses(
        (status = 200, description = "The caller; for a session, its CSRF token", body = SessionView),
        (status = 401, description = "Not logged in (`unauthenticated`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable (`database_unavailable`)", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn current(caller: Caller) -> Result<Response, ApiError> {
    let view = match &caller.credential {
        // A local caller never arrives over HTTP; answer as if nobody had logged in.
        Credential::Anonymous | Credential::Local => {
            return Err(ApiError::App(AppError::Unauthenticated));
        }
        Credential::Session { session } => SessionView::of_session(&caller.actor, session),
        Credential::Token { .. } => SessionView::of_token(&caller.actor),
    };
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(view),
    )
        .into_response())
}

/// `DELETE /api/session`: log out. The session ends on the server and the cookie is cleared.
#[utoipa::path(
    delete,
    path = "/api/session",
    tag = "session",
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Logged out; `Set-Cookie` clears the cookie",
            headers(("Set-Cookie" = String, description = "`corridor_session=; …; Max-Age=0`"))),
        (status = 401, description = "No live session (`unauthenticated`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The CSRF token is missing or wrong (`csrf_rejected`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable (`database_unavailable`)", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("session" = []))
)]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let Credential::Session { session } = &caller.credential else {
        return Err(ApiError::App(AppError::Unauthenticated));
    };
    state.accounts().logout(session).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session_cookie(&state, "", 0)?)],
    )
        .into_response())
}
