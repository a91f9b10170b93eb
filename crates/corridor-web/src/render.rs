//! What every page shares: the layout's data ([`Chrome`]: language, sign-in state, navigation
//! by role), the headers every page is sent with ([`CONTENT_SECURITY_POLICY`], `no-store` for a
//! session), and the error page, whose status is the API's for the same error and whose words
//! are the visitor's language's.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use corridor_api::auth::SESSION_COOKIE;
use corridor_api::{ApiError, AppState};
use corridor_domain::Role;

use crate::i18n::Messages;
use crate::refusals;
use crate::visitor::Visitor;

/// `Content-Security-Policy` of every page: scripts, styles and images from this origin only,
/// none inline (no `<script>` body, no `<style>`, no `style=`), forms posted only here, never
/// framed, no `<base>`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// One link of the navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    /// Where it goes.
    pub href: &'static str,
    /// What it says, in the page's language.
    pub label: String,
    /// Whether it is the page shown (`aria-current="page"`).
    pub current: bool,
}

/// The layout's data.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The page's messages.
    pub i: Messages,
    /// The signed-in account's name, if any. Shown in the header, never in a title or URL.
    pub user: Option<String>,
    /// The signed-in account's role, in words.
    pub role_label: String,
    /// The session's CSRF token for the header's sign-out form; empty without a session.
    pub csrf: String,
    /// The navigation: only pages that exist, and only those the visitor's role has.
    pub nav: Vec<NavLink>,
}

/// The pages every visitor has, then those of a signed-in account: (path, message key).
const PUBLIC_NAV: [(&str, &str); 4] = [
    ("/", "nav.home"),
    ("/agreements", "nav.agreements"),
    ("/transparency", "nav.transparency"),
    ("/statistics", "nav.statistics"),
];

/// The pages of a signed-in account of `role`: the work queue for every role that reads cases,
/// proposing for the roles the policies let propose (`sending-propose`), the holds for the roles
/// the policies let list them (`list_holds`: court clerks and the sending state's officials).
fn account_nav(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::SendingOfficer | Role::SendingSupervisor => &[
            ("/queue", "nav.queue"),
            ("/cases/new", "nav.propose"),
            ("/holds", "nav.holds"),
            ("/account", "nav.account"),
            ("/account/password", "nav.password"),
        ],
        Role::CourtClerk | Role::Adjudicator => &[
            ("/queue", "nav.queue"),
            ("/holds", "nav.holds"),
            ("/account", "nav.account"),
            ("/account/password", "nav.password"),
        ],
        // The operator and the auditor read no case, so they have no queue.
        Role::Admin | Role::Auditor | Role::Public => &[
            ("/account", "nav.account"),
            ("/account/password", "nav.password"),
        ],
        _ => &[
            ("/queue", "nav.queue"),
            ("/account", "nav.account"),
            ("/account/password", "nav.password"),
        ],
    }
}

impl Chrome {
    /// The layout's data for `visitor`, on the page at `current`.
    pub fn of(visitor: &Visitor, current: &str) -> Self {
        let i = visitor.messages.clone();
        let account: &[(&str, &str)] = visitor.role().map_or(&[], account_nav);
        let nav = PUBLIC_NAV
            .iter()
            .chain(account)
            .map(|(href, key)| NavLink {
                href,
                label: i.t(key).to_owned(),
                current: *href == current,
            })
            .collect();
        let role_label = visitor
            .role()
            .map(|role| i.name_of("role", role.as_str()).to_owned())
            .unwrap_or_default();
        Self {
            user: visitor
                .session
                .as_ref()
                .map(|_| visitor.caller.actor.user.to_string()),
            role_label,
            csrf: visitor.csrf().unwrap_or_default(),
            nav,
            i,
        }
    }
}

/// The response of a page: `template` with `status`, the pages' CSP, and `no-store` when the
/// visitor has a session (the server's `no_store` layer adds it to every request with a
/// credential too). A cookie naming a session that has ended is cleared.
pub fn page(status: StatusCode, visitor: &Visitor, template: impl IntoResponse) -> Response {
    let mut response = (status, template).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    if visitor.session.is_some() {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if visitor.ended {
        headers.append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE, "/"));
    }
    response
}

/// A `Set-Cookie` value that deletes cookie `name` on `path`.
pub fn clear_cookie(name: &str, path: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; HttpOnly; SameSite=Strict; Path={path}; Max-Age=0"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("corridor_cleared=; Max-Age=0"))
}

/// A `303 See Other` to `location`, with extra headers.
pub fn see_other(location: &'static str, headers: Vec<(HeaderName, HeaderValue)>) -> Response {
    let mut response = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, HeaderValue::from_static(location))],
    )
        .into_response();
    for (name, value) in headers {
        response.headers_mut().append(name, value);
    }
    response
}

/// The error page.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// The layout.
    pub chrome: Chrome,
    /// The status, as a number.
    pub status: u16,
    /// The problem's short summary.
    pub title: String,
    /// The sentence: what happened this time (a refusal's own sentence).
    pub detail: String,
    /// The stable code, shown beside the sentence.
    pub code: String,
}

/// The HTML page of an error: the API's problem for it (the same status and code as
/// `application/problem+json` would carry; its title and sentence in the visitor's language,
/// [`crate::refusals`]), in the layout. A server fault's cause goes to the log, never to the
/// page.
pub fn error_page(visitor: &Visitor, current: &str, error: impl Into<ApiError>) -> Response {
    let error = error.into();
    let problem = error.problem();
    if problem.status.is_server_error() {
        tracing::error!(%error, "page failed");
    }
    let mut response = page(
        problem.status,
        visitor,
        ErrorPage {
            chrome: Chrome::of(visitor, current),
            status: problem.status.as_u16(),
            title: refusals::title(&visitor.messages, &problem),
            detail: refusals::sentence(&visitor.messages, &problem),
            code: problem.code,
        },
    );
    if let Some(seconds) = problem.retry_after_seconds {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The error page of a request whose visitor could not be read (the accounts are unavailable):
/// in the browser's language, as the anonymous public.
pub fn fallback_error(
    parts: &axum::http::request::Parts,
    error: corridor_app::AppError,
) -> Response {
    match Visitor::nobody(parts) {
        Some(visitor) => error_page(&visitor, "", error),
        None => ApiError::from(error).problem().status.into_response(),
    }
}

/// The answer of a page's address to a method it does not take (a `POST` to a page that is only
/// read, say): the 405 error page in the visitor's language, rather than an empty body. The
/// router adds the `Allow` header of the methods the address takes.
pub async fn method_not_allowed(
    axum::extract::State(state): axum::extract::State<AppState>,
    parts: axum::http::request::Parts,
) -> Response {
    match Visitor::of(&state, &parts).await {
        Ok(visitor) => error_page(
            &visitor,
            "",
            ApiError::Status(axum::http::StatusCode::METHOD_NOT_ALLOWED),
        ),
        Err(error) => fallback_error(&parts, error),
    }
}
