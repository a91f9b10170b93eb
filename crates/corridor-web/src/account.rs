//! Sign in, sign out and change password, as forms.
//!
//! - `GET/POST /login`: the same accounts function as `POST /api/session` (so the same uniform
//!   failure for an unknown name, a wrong password and a disabled account, and the same rate
//!   limits), the same session cookie. The API's login refuses cross-site forms by taking only
//!   JSON; a form cannot, so login CSRF (another site signing a browser in under an account of
//!   its choosing) is blocked by a double-submit value: a random value in a `SameSite=Strict`,
//!   `HttpOnly` cookie ([`LOGIN_CSRF_COOKIE`]) that must equal the form's hidden `csrf` field.
//! - `POST /logout`: ends the session on the server and clears the cookie.
//! - `GET/POST /account/password`: the current password is checked by the same login function
//!   (so the same rate limits; accounts have no check-only function), then
//!   `Accounts::set_password` replaces it and ends every session of the account, this one too:
//!   the person signs in again with the new password.
//!
//! A page that needs a session and has none redirects (303) to `/login`, which says why: the
//! session has ended, or the page needs one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use corridor_accounts::{
    LoginError, PASSWORD_LENGTH_MAX_BYTES, PASSWORD_LENGTH_MIN_CHARS, SESSION_ABSOLUTE_TIMEOUT,
    SessionId,
};
use corridor_api::auth::{SESSION_COOKIE, cookie};
use corridor_api::session::{client_address, seconds, session_cookie};
use corridor_api::{ApiError, AppState};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::render::{Chrome, ErrorPage, clear_cookie, error_page, page, see_other};
use crate::visitor::Visitor;

/// The cookie that holds the login form's double-submit value.
pub const LOGIN_CSRF_COOKIE: &str = "corridor_login_csrf";

/// Where a visitor without a live session is sent, by why.
pub const LOGIN_SESSION_ENDED: &str = "/login?m=ended";
const LOGIN_NEEDED: &str = "/login?m=sign_in";
const LOGIN_SIGNED_OUT: &str = "/login?m=signed_out";
const LOGIN_PASSWORD_CHANGED: &str = "/login?m=password_changed";

/// Bytes of the login form's double-submit value.
const LOGIN_CSRF_BYTES: usize = 32;

/// The sign-in page.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    notice: Option<String>,
    error: Option<String>,
    user: String,
    csrf: String,
}

/// Why the sign-in page was opened (`?m=`): only these words, never data.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    m: Option<String>,
}

/// A sign-in form as posted.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
}

/// A form that carries only the session's CSRF token (sign out).
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Where to send a visitor who needs a session and has none.
pub fn to_login(visitor: &Visitor) -> Response {
    see_other(
        if visitor.ended {
            LOGIN_SESSION_ENDED
        } else {
            LOGIN_NEEDED
        },
        vec![],
    )
}

/// The visitor of a page that needs a session, or the answer to give instead: the error page
/// when the accounts cannot be read, the way to sign in when there is no live session.
///
/// # Errors
/// The response to send in place of the page (boxed: a response is large).
pub async fn signed_in_visitor(state: &AppState, parts: &Parts) -> Result<Visitor, Box<Response>> {
    let visitor = Visitor::of(state, parts)
        .await
        .map_err(|error| Box::new(crate::render::fallback_error(parts, error)))?;
    if visitor.session.is_none() {
        return Err(Box::new(to_login(&visitor)));
    }
    Ok(visitor)
}

/// The fields of a posted form, or the answer to a post that cannot be one: a body too large is
/// the API's 413 page; anything else the extractor refuses (a missing or malformed field, which
/// the page's own form never sends, such as a missing CSRF value) is the CSRF refusal.
/// The CSRF value itself is compared by the caller, which knows which field holds it.
///
/// # Errors
/// The response to send in place of the page (boxed: a response is large).
pub fn posted<T>(
    visitor: &Visitor,
    current: &str,
    form: Result<Form<T>, FormRejection>,
) -> Result<T, Box<Response>> {
    match form {
        Ok(Form(form)) => Ok(form),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(Box::new(
            error_page(visitor, current, ApiError::Status(rejection.status())),
        )),
        Err(_) => Err(Box::new(csrf_refused(visitor, current))),
    }
}

/// The 403 page of a form posted without its CSRF value, or with another.
pub fn csrf_refused(visitor: &Visitor, current: &str) -> Response {
    let i = &visitor.messages;
    page(
        StatusCode::FORBIDDEN,
        visitor,
        ErrorPage {
            chrome: Chrome::of(visitor, current),
            status: StatusCode::FORBIDDEN.as_u16(),
            title: i.t("csrf.title").to_owned(),
            detail: i.t("csrf.detail").to_owned(),
            code: "csrf_rejected".to_owned(),
        },
    )
}

/// A fresh double-submit value.
fn login_csrf_value() -> Result<String, ApiError> {
    let mut bytes = [0_u8; LOGIN_CSRF_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|error| ApiError::Internal(format!("the random source: {error}")))?;
    Ok(hex::encode(bytes))
}

fn login_csrf_cookie(state: &AppState, value: &str) -> Result<HeaderValue, ApiError> {
    let secure = if state.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{LOGIN_CSRF_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/login{secure}"
    ))
    .map_err(|error| ApiError::Internal(format!("the login cookie: {error}")))
}

/// `GET /login`: the sign-in form, with a new double-submit value.
pub async fn login_form(
    State(state): State<AppState>,
    Query(query): Query<LoginQuery>,
    parts: Parts,
) -> Response {
    let visitor = match Visitor::of(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(error) => return crate::render::fallback_error(&parts, error),
    };
    if visitor.session.is_some() {
        return see_other("/", vec![]);
    }
    let i = &visitor.messages;
    let notice_key = match query.m.as_deref() {
        Some("ended") => Some("login.notice_ended"),
        Some("signed_out") => Some("login.notice_signed_out"),
        Some("password_changed") => Some("login.notice_password_changed"),
        Some("sign_in") => Some("login.notice_sign_in"),
        _ if visitor.ended => Some("login.notice_ended"),
        _ => None,
    };
    let value = match login_csrf_value() {
        Ok(value) => value,
        Err(error) => return error_page(&visitor, "/login", error),
    };
    let set_cookie = match login_csrf_cookie(&state, &value) {
        Ok(set_cookie) => set_cookie,
        Err(error) => return error_page(&visitor, "/login", error),
    };
    let mut response = page(
        StatusCode::OK,
        &visitor,
        LoginPage {
            chrome: Chrome::of(&visitor, "/login"),
            notice: notice_key.map(|key| i.t(key).to_owned()),
            error: None,
            user: String::new(),
            csrf: value,
        },
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie);
    response
}

/// `POST /login`: signs in, or shows the form again with the one uniform failure.
pub async fn login(
    State(state): State<AppState>,
    parts: Parts,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let visitor = match Visitor::of(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(error) => return crate::render::fallback_error(&parts, error),
    };
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => {
            return error_page(&visitor, "/login", ApiError::Status(rejection.status()));
        }
    };
    let cookie_value = cookie(&parts, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let double_submitted =
        !cookie_value.is_empty() && bool::from(cookie_value.as_bytes().ct_eq(form.csrf.as_bytes()));
    if !double_submitted {
        return csrf_refused(&visitor, "/login");
    }
    let now = state.now();
    match state
        .accounts()
        .login(&form.user, &form.password, client_address(&parts), now)
        .await
    {
        Ok((session, _actor)) => signed_in(&state, &parts, &visitor, &session).await,
        Err(LoginError::Unavailable(error)) => {
            error_page(&visitor, "/login", ApiError::from(error))
        }
        Err(error) => {
            let problem = ApiError::from(error).problem();
            let i = &visitor.messages;
            let message = match problem.retry_after_seconds {
                Some(seconds) => i.f1("login.error_rate_limited", "seconds", seconds),
                None => i.t("login.error_invalid").to_owned(),
            };
            let mut response = page(
                problem.status,
                &visitor,
                LoginPage {
                    chrome: Chrome::of(&visitor, "/login"),
                    notice: None,
                    error: Some(message),
                    user: form.user,
                    csrf: cookie_value.to_owned(),
                },
            );
            if let Some(seconds) = problem.retry_after_seconds {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
    }
}

/// After a successful login: the session this browser held before, if any, ends (one browser,
/// one session, as `POST /api/session`); the new session's cookie is set, the double-submit
/// cookie cleared, and the visitor sent home.
async fn signed_in(
    state: &AppState,
    parts: &Parts,
    visitor: &Visitor,
    session: &SessionId,
) -> Response {
    if let Some(previous) = cookie(parts, SESSION_COOKIE).and_then(SessionId::parse)
        && let Err(error) = state.accounts().logout(&previous).await
    {
        return error_page(visitor, "/login", ApiError::from(error));
    }
    let set_cookie =
        match session_cookie(state, &session.expose(), seconds(SESSION_ABSOLUTE_TIMEOUT)) {
            Ok(set_cookie) => set_cookie,
            Err(error) => return error_page(visitor, "/login", error),
        };
    see_other(
        "/",
        vec![
            (header::SET_COOKIE, set_cookie),
            (
                header::SET_COOKIE,
                clear_cookie(LOGIN_CSRF_COOKIE, "/login"),
            ),
        ],
    )
}

/// `POST /logout`: ends the session and clears its cookie.
pub async fn logout(
    State(state): State<AppState>,
    parts: Parts,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let visitor = match Visitor::of(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(error) => return crate::render::fallback_error(&parts, error),
    };
    let Some(session) = visitor.session.clone() else {
        return to_login(&visitor);
    };
    let sent = form.map(|Form(form)| form.csrf).unwrap_or_default();
    if !visitor.csrf_matches(&sent) {
        return csrf_refused(&visitor, "/");
    }
    if let Err(error) = state.accounts().logout(&session).await {
        return error_page(&visitor, "/", ApiError::from(error));
    }
    match session_cookie(&state, "", 0) {
        Ok(cleared) => see_other(LOGIN_SIGNED_OUT, vec![(header::SET_COOKIE, cleared)]),
        Err(error) => error_page(&visitor, "/", error),
    }
}

/// The change-password page.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    min_chars: usize,
    errors: Vec<FieldError>,
    fields: Vec<PasswordField>,
}

/// One field's error, for the summary.
#[derive(Debug)]
struct FieldError {
    field: &'static str,
    message: String,
}

/// One password field of the form.
#[derive(Debug)]
struct PasswordField {
    id: &'static str,
    name: &'static str,
    label: String,
    autocomplete: &'static str,
    error: Option<String>,
}

/// A change-password form as posted.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

fn password_page(visitor: &Visitor, status: StatusCode, errors: Vec<FieldError>) -> Response {
    let i = &visitor.messages;
    let field = |id: &'static str, name: &'static str, label: &str, autocomplete: &'static str| {
        PasswordField {
            id,
            name,
            label: i.t(label).to_owned(),
            autocomplete,
            error: errors
                .iter()
                .find(|error| error.field == id)
                .map(|error| error.message.clone()),
        }
    };
    let fields = vec![
        field(
            "current-password",
            "current",
            "password.current",
            "current-password",
        ),
        field("new-password", "new", "password.new", "new-password"),
        field(
            "confirm-password",
            "confirm",
            "password.confirm",
            "new-password",
        ),
    ];
    page(
        status,
        visitor,
        PasswordPage {
            chrome: Chrome::of(visitor, "/account/password"),
            min_chars: PASSWORD_LENGTH_MIN_CHARS,
            errors,
            fields,
        },
    )
}

/// `GET /account/password`: the form.
pub async fn password_form(State(state): State<AppState>, parts: Parts) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    password_page(&visitor, StatusCode::OK, Vec::new())
}

/// The new password's problems, before anything is checked against the account.
fn new_password_errors(visitor: &Visitor, form: &PasswordForm) -> Vec<FieldError> {
    let i = &visitor.messages;
    let mut errors = Vec::new();
    if form.current.is_empty() {
        errors.push(FieldError {
            field: "current-password",
            message: i.t("password.error_current_missing").to_owned(),
        });
    }
    let length = form.new.chars().count();
    if length < PASSWORD_LENGTH_MIN_CHARS || form.new.len() > PASSWORD_LENGTH_MAX_BYTES {
        errors.push(FieldError {
            field: "new-password",
            message: i.f2(
                "password.error_length",
                "min",
                PASSWORD_LENGTH_MIN_CHARS,
                "max",
                PASSWORD_LENGTH_MAX_BYTES,
            ),
        });
    } else if form.new != form.confirm {
        errors.push(FieldError {
            field: "confirm-password",
            message: i.t("password.error_mismatch").to_owned(),
        });
    }
    errors
}

/// `POST /account/password`: checks the current password, replaces it, ends every session of
/// the account and sends the person to sign in again.
pub async fn change_password(
    State(state): State<AppState>,
    parts: Parts,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    let form = match posted(&visitor, "/account/password", form) {
        Ok(form) => form,
        Err(response) => return *response,
    };
    if !visitor.csrf_matches(&form.csrf) {
        return csrf_refused(&visitor, "/account/password");
    }
    let errors = new_password_errors(&visitor, &form);
    if !errors.is_empty() {
        return password_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, errors);
    }
    let user = visitor.caller.actor.user.clone();
    let i = &visitor.messages;
    match state
        .accounts()
        .login(
            user.as_str(),
            &form.current,
            client_address(&parts),
            state.now(),
        )
        .await
    {
        Ok(_) => {}
        Err(LoginError::Unavailable(error)) => {
            return error_page(&visitor, "/account/password", ApiError::from(error));
        }
        Err(error) => {
            let problem = ApiError::from(error).problem();
            let message = match problem.retry_after_seconds {
                Some(seconds) => i.f1("login.error_rate_limited", "seconds", seconds),
                None => i.t("password.error_current_wrong").to_owned(),
            };
            return password_page(
                &visitor,
                problem.status,
                vec![FieldError {
                    field: "current-password",
                    message,
                }],
            );
        }
    }
    if let Err(error) = state.accounts().set_password(&user, &form.new).await {
        return error_page(&visitor, "/account/password", ApiError::from(error));
    }
    match session_cookie(&state, "", 0) {
        Ok(cleared) => see_other(LOGIN_PASSWORD_CHANGED, vec![(header::SET_COOKIE, cleared)]),
        Err(error) => error_page(&visitor, "/account/password", error),
    }
}
