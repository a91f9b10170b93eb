//! Who is asking: a browser session (cookie), an API token (`Authorization: Bearer`), or nobody,
//! read from the request into the application's [`Caller`].
//!
//! Authentication comes before authorization: a request whose credential is present but not
//! valid (unknown, expired, revoked, disabled user) is answered 401 before any policy is asked.
//! A request with no credential at all is the anonymous public caller, which the policies allow
//! only public routes.
//!
//! A cookie is sent by the browser whoever made the page that sends the request, so a cookie
//! session's unsafe requests (anything but `GET`, `HEAD` and `OPTIONS`) must also carry the
//! session's CSRF token in [`CSRF_HEADER`], which only a page of corridor can read (from the
//! login answer or `GET /api/session`). The token is derived from the session id
//! ([`csrf_token`]), so nothing more is stored, and it is compared in constant time. A bearer
//! token needs none: no browser attaches one by itself.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use corridor_accounts::SessionId;
pub use corridor_app::{Caller, Credential};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use corridor_app::AppError;

use crate::problem::ApiError;
use crate::state::AppState;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "corridor_session";

/// The header a cookie session's unsafe requests carry their CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// What the CSRF token's hash starts with, so that it can never equal any other SHA-256 of the
/// session id (the accounts store one of the id's text).
const CSRF_DOMAIN: &[u8] = b"corridor csrf token v1\0";

/// The CSRF token of a session: the hex SHA-256 of [`CSRF_DOMAIN`] and the session id. Whoever
/// can read it was handed it by corridor; it reveals nothing about the session id.
pub fn csrf_token(session: &SessionId) -> String {
    let mut hasher = Sha256::new();
    hasher.update(CSRF_DOMAIN);
    hasher.update(session.expose().as_bytes());
    hex::encode(hasher.finalize())
}

/// Whether `method` changes nothing, so needs no CSRF token.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks the CSRF token of a cookie session's unsafe request.
fn check_csrf(parts: &Parts, session: &SessionId) -> Result<(), ApiError> {
    if is_safe(&parts.method) {
        return Ok(());
    }
    let sent = parts
        .headers
        .get(CSRF_HEADER)
        .map(|value| value.as_bytes())
        .ok_or(ApiError::CsrfRejected)?;
    let expected = csrf_token(session);
    if bool::from(sent.ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::CsrfRejected)
    }
}

/// The value of cookie `name` in the request, if any.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

/// Whether a request with these headers carries a credential (a bearer token or a session
/// cookie), valid or not: its answer is then about someone, and no cache may keep it.
pub fn carries_credential(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION) || cookie_in(headers, SESSION_COOKIE).is_some()
}

fn cookie_in<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let now = state.now();
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let text = value
                .to_str()
                .map_err(|_| ApiError::App(AppError::Unauthenticated))?;
            let token = text
                .strip_prefix("Bearer ")
                .ok_or(ApiError::App(AppError::Unauthenticated))?;
            let live = state
                .accounts()
                .live_token(token.trim(), now)
                .await
                .map_err(ApiError::from)?
                .ok_or(ApiError::App(AppError::Unauthenticated))?;
            return Ok(Self {
                actor: live.actor,
                credential: Credential::Token {
                    scopes: live.scopes,
                    expires_at: live.expires_at,
                },
            });
        }
        if let Some(text) = cookie(parts, SESSION_COOKIE) {
            let session = SessionId::parse(text).ok_or(ApiError::App(AppError::Unauthenticated))?;
            let actor = state
                .accounts()
                .session(&session, now)
                .await
                .map_err(ApiError::from)?
                .ok_or(ApiError::App(AppError::Unauthenticated))?;
            // After the session is known to be live: a dead session is 401 whatever it sends.
            check_csrf(parts, &session)?;
            return Ok(Self {
                actor,
                credential: Credential::Session { session },
            });
        }
        Ok(Self::anonymous()?)
    }
}
