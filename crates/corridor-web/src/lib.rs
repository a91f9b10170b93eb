//! corridor's web interface: server-rendered HTML pages over the application layer, served by
//! `corridor serve` beside the JSON API ([`pages`], merged by `corridor_api::router_with` under
//! every layer the API has: rate limit, timeout, body limit, `no_store`, metrics, security
//! headers, request spans).
//!
//! - [`public`]: the pages without an account (`/`, `/agreements`, `/agreements/{id}`,
//!   `/transparency`, `/statistics`);
//! - [`queue`]: the signed-in account's work queue (`/queue`);
//! - [`holds`]: court holds, and registering one after a dry run (`/holds`, `/holds/new`,
//!   `/holds/confirm`);
//! - [`account`]: sign in, sign out, change password (`/login`, `/logout`,
//!   `/account/password`);
//! - [`case`]: the case page, its timeline and every command on a case as a form
//!   (`/cases/{case}`, `/cases/{case}/actions/{action}`, `/cases/{case}/erase`,
//!   `/cases/{case}/events/{seq}/proof`);
//! - [`propose`]: proposing a case (`/cases/new`);
//! - [`settings`]: the account page, `/account`: the language of the interface;
//! - [`visitor`]: who is looking (the API's session cookie, read through the same accounts
//!   function) and in which language;
//! - [`render`]: the layout's data, the headers every page is sent with, the error page;
//! - [`refusals`]: a refusal's or any problem's sentence and title in the visitor's language;
//! - [`i18n`]: the message catalogues (`i18n/<lang>/*.toml`) and `Accept-Language`;
//! - [`facts`]: an agreement file's facts with their sources;
//! - [`assets`]: the stylesheet and the vendored htmx, compiled in.
//!
//! Absences: no page reaches the store, the accounts' tables or the policies except through
//! `corridor_app` (and `corridor_accounts` for sign-in, as the API's session routes do); no
//! inline script or style, so the CSP forbids them ([`render::CONTENT_SECURITY_POLICY`]); no
//! `|safe` filter on data, so askama escapes everything; no personal data or case id in a title
//! or a URL; every page works without JavaScript.

#![deny(missing_docs)]

pub mod account;
pub mod assets;
pub mod case;
pub mod facts;
pub mod holds;
pub mod i18n;
pub mod propose;
pub mod public;
pub mod queue;
pub mod refusals;
pub mod render;
pub mod settings;
pub mod visitor;

use axum::Router;
use axum::routing::{MethodRouter, get, post};
use corridor_api::AppState;

/// A page's methods, answering any other method with the 405 error page
/// ([`render::method_not_allowed`]).
fn page(methods: MethodRouter<AppState>) -> MethodRouter<AppState> {
    methods.fallback(render::method_not_allowed)
}

/// Every page, to merge into the server with `corridor_api::router_with`.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/", page(get(public::home)))
        .route("/agreements", page(get(public::agreements)))
        .route("/agreements/{agreement}", page(get(public::agreement)))
        .route("/transparency", page(get(public::transparency)))
        .route("/statistics", page(get(public::statistics)))
        .route(
            "/login",
            page(get(account::login_form).post(account::login)),
        )
        .route("/logout", page(post(account::logout)))
        .route(
            "/account",
            page(get(settings::account_form).post(settings::set_language)),
        )
        .route(
            "/account/password",
            page(get(account::password_form).post(account::change_password)),
        )
        .route(
            "/cases/new",
            page(get(propose::form).post(propose::propose)),
        )
        .route("/cases/{case}", page(get(case::show)))
        .route("/cases/{case}/actions/{action}", page(post(case::act)))
        .route("/cases/{case}/erase", page(get(case::erase_form)))
        .route("/cases/{case}/events/{seq}/proof", page(get(case::proof)))
        .route(queue::QUEUE_PATH, page(get(queue::queue)))
        .route(holds::HOLDS_PATH, page(get(holds::list)))
        .route(
            holds::NEW_HOLD_PATH,
            page(get(holds::new_form).post(holds::dry_run)),
        )
        .route("/holds/confirm", page(post(holds::confirm)))
        .route("/assets/{file}", page(get(assets::asset)))
}
