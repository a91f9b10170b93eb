//! Who is asking: a browser session (cookie), an API token (`Authorization: Bearer`), or nobody.
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

use std::collections::BTreeSet;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use corridor_accounts::{Scope, SessionId};
use corridor_authz::{Action, Principal};
use corridor_domain::{Actor, Party, Role, UserId};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

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

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Credential {
    /// No credential: the public.
    Anonymous,
    /// A browser session.
    Session {
        /// The session.
        session: SessionId,
    },
    /// An API token, limited to its scopes and its lifetime.
    Token {
        /// What the token may do (Cedar action names, or `*` for everything the user may do).
        scopes: BTreeSet<Scope>,
        /// When it stops working: no token it issues may outlive it.
        expires_at: Timestamp,
    },
    /// Acting on the database host as this account: the command line without `--server`.
    /// Whoever can open the database could change it anyway, so nothing more is proved; the
    /// policies still decide every action, and every decision is recorded. No scopes: the
    /// account's role alone decides.
    Local,
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who acts: the user with their role and party; the anonymous caller is the `public` role.
    pub actor: Actor,
    /// How they proved it.
    pub credential: Credential,
}

/// The login name the anonymous caller is recorded under nowhere: it never reaches the log.
const ANONYMOUS_USER: &str = "anonymous";

impl Caller {
    /// The anonymous public caller.
    pub fn anonymous() -> Result<Self, ApiError> {
        let user = UserId::parse(ANONYMOUS_USER)
            .map_err(|error| ApiError::Internal(format!("the anonymous user id: {error}")))?;
        Ok(Self {
            actor: Actor {
                user,
                role: Role::Public,
                party: Party::None,
            },
            credential: Credential::Anonymous,
        })
    }

    /// `actor` acting on the database host (the command line without `--server`).
    pub fn local(actor: Actor) -> Self {
        Self {
            actor,
            credential: Credential::Local,
        }
    }

    /// Whether nobody is logged in.
    pub fn is_anonymous(&self) -> bool {
        matches!(self.credential, Credential::Anonymous)
    }

    /// The principal the policies see.
    pub fn principal(&self) -> Principal {
        if self.is_anonymous() {
            Principal::anonymous()
        } else {
            Principal::from_actor(&self.actor)
        }
    }

    /// Whether the credential's scopes cover `action` (sessions and the public have no scopes;
    /// for them the policies alone decide).
    pub fn scope_allows(&self, action: Action) -> bool {
        match &self.credential {
            Credential::Token { scopes, .. } => scopes
                .iter()
                .any(|scope| scope.is_every_action() || scope.as_str() == action.as_str()),
            Credential::Anonymous | Credential::Session { .. } | Credential::Local => true,
        }
    }

    /// The expiry of a token this caller issues, when it lies within the caller's own token: a
    /// token may issue only tokens whose scopes are among its own (`*` only from `*`) and that
    /// expire no later than it does, so that no token widens or outlives itself. `asked` is
    /// the expiry the request gave, or `None` for the default (`default`), which is then cut
    /// to the caller's own expiry. Sessions and local callers are limited by the policies
    /// alone.
    ///
    /// # Errors
    /// [`ApiError::InvalidInput`] naming `body.scopes[i]` or `body.expires_in_days`.
    pub fn token_within(
        &self,
        scopes: &[Scope],
        asked: Option<Timestamp>,
        default: Timestamp,
    ) -> Result<Timestamp, ApiError> {
        let Credential::Token {
            scopes: own,
            expires_at,
        } = &self.credential
        else {
            return Ok(asked.unwrap_or(default));
        };
        let every = own.iter().any(Scope::is_every_action);
        if let Some((index, scope)) = scopes
            .iter()
            .enumerate()
            .find(|(_, scope)| !every && !own.contains(*scope))
        {
            let names: Vec<&str> = own.iter().map(Scope::as_str).collect();
            return Err(ApiError::InvalidInput {
                field: format!("body.scopes[{index}]"),
                message: format!(
                    "a token may issue only tokens within its own scopes ({}), and `{}` is not among them",
                    names.join(", "),
                    scope.as_str()
                ),
            });
        }
        match asked {
            Some(asked) if asked > *expires_at => Err(ApiError::InvalidInput {
                field: "body.expires_in_days".to_owned(),
                message: format!(
                    "a token may not issue a token that outlives it; this one expires at {expires_at}"
                ),
            }),
            Some(asked) => Ok(asked),
            None => Ok(default.min(*expires_at)),
        }
    }

    /// The caller, or 401 when nobody is logged in.
    pub fn authenticated(&self) -> Result<&Actor, ApiError> {
        if self.is_anonymous() {
            Err(ApiError::Unauthenticated)
        } else {
            Ok(&self.actor)
        }
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
            let text = value.to_str().map_err(|_| ApiError::Unauthenticated)?;
            let token = text
                .strip_prefix("Bearer ")
                .ok_or(ApiError::Unauthenticated)?;
            let live = state
                .accounts()
                .live_token(token.trim(), now)
                .await
                .map_err(ApiError::from)?
                .ok_or(ApiError::Unauthenticated)?;
            return Ok(Self {
                actor: live.actor,
                credential: Credential::Token {
                    scopes: live.scopes,
                    expires_at: live.expires_at,
                },
            });
        }
        if let Some(text) = cookie(parts, SESSION_COOKIE) {
            let session = SessionId::parse(text).ok_or(ApiError::Unauthenticated)?;
            let actor = state
                .accounts()
                .session(&session, now)
                .await
                .map_err(ApiError::from)?
                .ok_or(ApiError::Unauthenticated)?;
            // After the session is known to be live: a dead session is 401 whatever it sends.
            check_csrf(parts, &session)?;
            return Ok(Self {
                actor,
                credential: Credential::Session { session },
            });
        }
        Self::anonymous()
    }
}
