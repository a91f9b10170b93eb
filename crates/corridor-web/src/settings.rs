//! The account page, `GET/POST /account`: who is signed in, the language of the interface, and
//! the way to change the password.
//!
//! The language is chosen among the shipped catalogues, each listed by its own name (a person
//! who reads only French finds `Français` whatever the page's language), or "follow my
//! browser" (the account stores none, and `Accept-Language` decides). The change goes through
//! the application layer's one function, `corridor_app::users::set_language`, as
//! `PUT /api/users/{user}/language` does: the policies decide (`set_language`, an account sets
//! its own) and the decision is an access record. A post without the session's CSRF token is
//! refused before anything happens; a language the interface does not ship is a field error.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use corridor_api::AppState;
use corridor_app::AppError;
use serde::Deserialize;

use crate::account::{csrf_refused, posted, signed_in_visitor};
use crate::i18n::{language_name, languages};
use crate::render::{Chrome, error_page, page, see_other};
use crate::visitor::Visitor;

/// Where the page sends the visitor once the language is saved.
const ACCOUNT_SAVED: &str = "/account?m=saved";

/// The `id` of the first choice, where the error summary links to.
const FIRST_CHOICE_ID: &str = "language-browser";

/// The account page.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    notice: Option<String>,
    error: Option<String>,
    user: String,
    choices: Vec<LanguageChoice>,
    first_choice_id: &'static str,
}

/// One choice of the language field.
#[derive(Debug)]
struct LanguageChoice {
    id: String,
    /// The value posted: a tag, or empty for "follow my browser".
    value: String,
    label: String,
    /// The language of the label (`lang` on it), for a language's own name.
    lang: Option<String>,
    checked: bool,
}

/// Why the page was opened (`?m=`): only this word, never data.
#[derive(Debug, Deserialize)]
pub struct AccountQuery {
    m: Option<String>,
}

/// The language form as posted.
#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    csrf: String,
    /// A shipped tag, or empty to follow the browser.
    #[serde(default)]
    language: String,
}

fn account_page(
    visitor: &Visitor,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let i = &visitor.messages;
    let chosen = visitor
        .language_setting
        .as_ref()
        .map(|tag| tag.as_str().to_owned())
        .filter(|tag| languages().contains(&tag.as_str()))
        .unwrap_or_default();
    let mut choices = vec![LanguageChoice {
        id: FIRST_CHOICE_ID.to_owned(),
        value: String::new(),
        label: i.t("account.language_browser").to_owned(),
        lang: None,
        checked: chosen.is_empty(),
    }];
    choices.extend(languages().into_iter().map(|tag| LanguageChoice {
        id: format!("language-{tag}"),
        value: tag.to_owned(),
        label: language_name(tag),
        lang: Some(tag.to_owned()),
        checked: chosen == tag,
    }));
    page(
        status,
        visitor,
        AccountPage {
            chrome: Chrome::of(visitor, "/account"),
            notice,
            error,
            user: visitor.caller.actor.user.to_string(),
            choices,
            first_choice_id: FIRST_CHOICE_ID,
        },
    )
}

/// `GET /account`: the account page.
pub async fn account_form(
    State(state): State<AppState>,
    Query(query): Query<AccountQuery>,
    parts: Parts,
) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    let notice = (query.m.as_deref() == Some("saved"))
        .then(|| visitor.messages.t("account.notice_saved").to_owned());
    account_page(&visitor, StatusCode::OK, notice, None)
}

/// `POST /account`: sets the account's language (or clears it), then shows the page again in
/// the language now in force.
pub async fn set_language(
    State(state): State<AppState>,
    parts: Parts,
    form: Result<Form<LanguageForm>, FormRejection>,
) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    let form = match posted(&visitor, "/account", form) {
        Ok(form) => form,
        Err(response) => return *response,
    };
    if !visitor.csrf_matches(&form.csrf) {
        return csrf_refused(&visitor, "/account");
    }
    let shipped: Vec<String> = languages().into_iter().map(str::to_owned).collect();
    let asked = (!form.language.is_empty()).then_some(form.language.as_str());
    let user = visitor.caller.actor.user.clone();
    match corridor_app::users::set_language(
        state.app(),
        &visitor.caller,
        &user,
        asked,
        &shipped,
        "language",
    )
    .await
    {
        Ok(_) => see_other(ACCOUNT_SAVED, vec![]),
        Err(AppError::InvalidInput { .. }) => {
            let message = visitor.messages.t("account.error_language").to_owned();
            account_page(
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(message),
            )
        }
        Err(error) => error_page(&visitor, "/account", error),
    }
}
