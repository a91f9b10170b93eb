//! Who is looking at a page: the session cookie the API's sessions set ([`SESSION_COOKIE`]),
//! read through the same accounts function, or nobody; and in which language: the account's
//! own setting if it has one the interface ships, else the browser's `Accept-Language`
//! ([`negotiate`]), else English ([`language_of`]).
//!
//! A form that changes something carries the session's CSRF token ([`csrf_token`], the one the
//! API sends in `X-CSRF-Token`) in a hidden `csrf` field, compared in constant time; a post
//! without it, or with another, is refused 403 before anything is done.

use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use corridor_accounts::{LanguageTag, SessionId};
use corridor_api::AppState;
use corridor_api::auth::{SESSION_COOKIE, cookie, csrf_token};
use corridor_app::{AppError, Caller, Credential};
use corridor_domain::Role;
use subtle::ConstantTimeEq;

use crate::i18n::{Messages, languages, negotiate};

/// The visitor of a page.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// Who asks the application: the session's account, or the anonymous public.
    pub caller: Caller,
    /// The live session, if any.
    pub session: Option<SessionId>,
    /// The request carried a session cookie that is no longer live (expired, ended, unknown).
    pub ended: bool,
    /// The page's messages.
    pub messages: Messages,
    /// The language the signed-in account chose (`None`: it follows the browser, or nobody is
    /// signed in), whether or not the interface still ships it.
    pub language_setting: Option<LanguageTag>,
}

/// The language of a page: the account's setting when the interface ships it, else the best
/// shipped match of the browser's `Accept-Language`, else English.
pub fn language_of(setting: Option<&LanguageTag>, accept_language: Option<&str>) -> &'static str {
    setting
        .and_then(|tag| {
            languages()
                .into_iter()
                .find(|language| *language == tag.as_str())
        })
        .unwrap_or_else(|| negotiate(accept_language))
}

impl Visitor {
    /// The visitor of a request: its live session, or the anonymous public (with `ended` set
    /// when the cookie names a session that is not live).
    ///
    /// # Errors
    /// When the accounts cannot be read.
    pub async fn of(state: &AppState, parts: &Parts) -> Result<Self, AppError> {
        let browser = accept_language(&parts.headers);
        let Some(text) = cookie(parts, SESSION_COOKIE) else {
            return Self::anonymous(Messages::of(negotiate(browser)), false);
        };
        let live = match SessionId::parse(text) {
            Some(session) => state
                .accounts()
                .session_with_language(&session, state.now())
                .await
                .map_err(AppError::Accounts)?
                .map(|(actor, language)| (session, actor, language)),
            None => None,
        };
        match live {
            Some((session, actor, language_setting)) => Ok(Self {
                caller: Caller {
                    actor,
                    credential: Credential::Session {
                        session: session.clone(),
                    },
                },
                session: Some(session),
                ended: false,
                messages: Messages::of(language_of(language_setting.as_ref(), browser)),
                language_setting,
            }),
            None => Self::anonymous(Messages::of(negotiate(browser)), true),
        }
    }

    /// The anonymous public in the request's language, whatever cookie it carries: for the
    /// error page of a request whose session could not be read. `None` only if the anonymous
    /// caller cannot be made (a fault).
    pub fn nobody(parts: &Parts) -> Option<Self> {
        let messages = Messages::of(negotiate(accept_language(&parts.headers)));
        Self::anonymous(messages, false).ok()
    }

    fn anonymous(messages: Messages, ended: bool) -> Result<Self, AppError> {
        Ok(Self {
            caller: Caller::anonymous()?,
            session: None,
            ended,
            messages,
            language_setting: None,
        })
    }

    /// The session's CSRF token, for the forms of a signed-in page.
    pub fn csrf(&self) -> Option<String> {
        self.session.as_ref().map(csrf_token)
    }

    /// Whether `sent` (a form's `csrf` field) is this session's CSRF token.
    pub fn csrf_matches(&self, sent: &str) -> bool {
        self.csrf()
            .is_some_and(|expected| bool::from(sent.as_bytes().ct_eq(expected.as_bytes())))
    }

    /// The signed-in account's role, if any.
    pub fn role(&self) -> Option<Role> {
        self.session.as_ref().map(|_| self.caller.actor.role)
    }
}

/// The request's `Accept-Language`, if it is text.
fn accept_language(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
}
