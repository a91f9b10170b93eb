//! Court holds as pages: the list (`GET /holds`), and registering an order in three steps, as
//! the GOV.UK pattern has a "check your answers" step before an irreversible act:
//!
//! 1. `GET /holds/new`: the form, for a caller the policies let register an order of their
//!    court (`queues::hold_court`, decided and recorded as registering is: anyone else gets the
//!    API's 403);
//! 2. `POST /holds/new`: the order is checked field by field (each error beside its field and
//!    in the summary), then a dry run (`queues::hold_dry_run`, the decider on what registering
//!    reads, nothing written but its access record) shows how many cases it would match, take
//!    off the schedule and recall; the confirm form carries the order in hidden fields with a
//!    fresh idempotency key;
//! 3. `POST /holds/confirm`: registers it (`service::register_hold` with that key), so a
//!    double click, a resubmitted form or a retry registers one order: the second answer is
//!    the first order, `replayed`.
//!
//! Every form carries the session's CSRF token; a refusal is shown with its sentence and code.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use corridor_api::limits::TEXT_CHARS_MAX;
use corridor_api::{ApiError, AppState, input};
use corridor_app::answers::HoldView;
use corridor_app::queues::{HoldDryRun, hold_court, hold_dry_run};
use corridor_app::service::{self, NewHold};
use corridor_domain::{ClassCriteria, HoldScope};
use serde::Deserialize;

use crate::account::{csrf_refused, signed_in_visitor};
use crate::i18n::Messages;
use crate::render::{Chrome, error_page, page};
use crate::visitor::Visitor;

/// The list's path.
pub const HOLDS_PATH: &str = "/holds";
/// The new order's path.
pub const NEW_HOLD_PATH: &str = "/holds/new";

/// Bytes of the idempotency key a dry run gives its confirm form.
const KEY_BYTES: usize = 16;

/// A hold as the list shows it.
#[derive(Debug)]
struct HoldRow {
    hold: String,
    court: String,
    reference: String,
    status: String,
    scope: Vec<(String, String)>,
    depends_on: Option<String>,
    amendments: u32,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "holds.html")]
struct HoldsPage {
    chrome: Chrome,
    notice: Option<String>,
    holds: Vec<HoldRow>,
}

/// The order's form as posted, every field as text (the form shows them back as typed).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HoldForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    court: String,
    #[serde(default)]
    reference: String,
    /// `cases` (an individual order) or `class`.
    #[serde(default)]
    scope: String,
    #[serde(default)]
    cases: String,
    #[serde(default)]
    agreements: String,
    #[serde(default)]
    nationalities: String,
    #[serde(default)]
    legal_bases: String,
    #[serde(default)]
    designations: String,
    #[serde(default)]
    detention_places: String,
    #[serde(default)]
    removal_ordered_from: String,
    #[serde(default)]
    removal_ordered_until: String,
    #[serde(default)]
    depends_on: String,
    /// The idempotency key the dry run gave the confirm form.
    #[serde(default)]
    key: String,
    /// Set by the confirm page's "change" button: show the form again, filled.
    #[serde(default)]
    edit: String,
}

/// One field's error.
#[derive(Debug)]
struct FieldError {
    field: &'static str,
    message: String,
}

/// A refusal, with its sentence and code.
#[derive(Debug)]
struct Refused {
    title: String,
    detail: String,
    code: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "hold_new.html")]
struct HoldFormPage {
    chrome: Chrome,
    form: HoldForm,
    errors: Vec<FieldError>,
    refused: Option<Refused>,
    /// The class criteria's fields, in the form's order.
    criteria: [&'static str; 7],
}

/// The class criteria's fields, as `POST /api/holds` names them.
const CRITERIA: [&str; 7] = [
    "agreements",
    "nationalities",
    "legal_bases",
    "designations",
    "detention_places",
    "removal_ordered_from",
    "removal_ordered_until",
];

impl HoldFormPage {
    /// The value typed in the criterion field `name`.
    fn value_of(&self, name: &str) -> &str {
        let form = &self.form;
        match name {
            "agreements" => &form.agreements,
            "nationalities" => &form.nationalities,
            "legal_bases" => &form.legal_bases,
            "designations" => &form.designations,
            "detention_places" => &form.detention_places,
            "removal_ordered_from" => &form.removal_ordered_from,
            "removal_ordered_until" => &form.removal_ordered_until,
            _ => "",
        }
    }

    /// The error of `field`, if any.
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.as_str())
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "hold_confirm.html")]
struct HoldConfirmPage {
    chrome: Chrome,
    form: HoldForm,
    dry_run: HoldDryRun,
    at: crate::queue::When,
    individual: bool,
}

fn rows(holds: Vec<HoldView>, visitor: &Visitor) -> Vec<HoldRow> {
    let i = &visitor.messages;
    holds
        .into_iter()
        .map(|hold| HoldRow {
            status: i.name_of("holds.status", &hold.status).to_owned(),
            scope: scope_lines(&hold.scope),
            hold: hold.hold,
            court: hold.court,
            reference: hold.reference,
            depends_on: hold.depends_on,
            amendments: hold.amendments,
        })
        .collect()
}

/// A scope as (criterion, values) lines: the named cases, or each class criterion.
fn scope_lines(scope: &serde_json::Value) -> Vec<(String, String)> {
    fn text(value: &serde_json::Value) -> String {
        match value {
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Array(items) => {
                items.iter().map(text).collect::<Vec<_>>().join(", ")
            }
            serde_json::Value::Object(fields) => fields
                .iter()
                .map(|(name, value)| format!("{name}: {}", text(value)))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        }
    }
    let mut lines = Vec::new();
    let mut visit = |fields: &serde_json::Map<String, serde_json::Value>| {
        for (name, value) in fields {
            match value {
                serde_json::Value::Object(inner) => {
                    for (name, value) in inner {
                        lines.push((name.clone(), text(value)));
                    }
                }
                _ => lines.push((name.clone(), text(value))),
            }
        }
    };
    if let serde_json::Value::Object(fields) = scope {
        visit(fields);
    }
    lines
}

/// `GET /holds`: the orders the caller may know of (`service::list_holds`: a clerk their
/// court's, a sending official those bearing on their state's agreements); anyone else gets
/// the API's refusal.
pub async fn list(State(state): State<AppState>, parts: Parts) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    holds_page(&state, &visitor, StatusCode::OK, None).await
}

async fn holds_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    notice: Option<String>,
) -> Response {
    match service::list_holds(state.app(), &visitor.caller).await {
        Ok(holds) => page(
            status,
            visitor,
            HoldsPage {
                chrome: Chrome::of(visitor, HOLDS_PATH),
                notice,
                holds: rows(holds, visitor),
            },
        ),
        Err(error) => error_page(visitor, HOLDS_PATH, error),
    }
}

/// `GET /holds/new`: the form, for a caller who may register an order of their court.
pub async fn new_form(State(state): State<AppState>, parts: Parts) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    let court = match hold_court(state.app(), &visitor.caller).await {
        Ok(court) => court,
        Err(error) => return error_page(&visitor, HOLDS_PATH, error),
    };
    let form = HoldForm {
        court,
        ..HoldForm::default()
    };
    form_page(&visitor, StatusCode::OK, form, Vec::new(), None)
}

fn form_page(
    visitor: &Visitor,
    status: StatusCode,
    form: HoldForm,
    errors: Vec<FieldError>,
    refused: Option<Refused>,
) -> Response {
    page(
        status,
        visitor,
        HoldFormPage {
            chrome: Chrome::of(visitor, HOLDS_PATH),
            form,
            errors,
            refused,
            criteria: CRITERIA,
        },
    )
}

/// The form of a post, or the answer to a post that cannot be one (too large: the API's 413;
/// anything else, like a missing CSRF field: refused 403).
fn posted(
    visitor: &Visitor,
    form: Result<Form<HoldForm>, FormRejection>,
) -> Result<HoldForm, Box<Response>> {
    let form = crate::account::posted(visitor, HOLDS_PATH, form)?;
    if !visitor.csrf_matches(&form.csrf) {
        return Err(Box::new(csrf_refused(visitor, HOLDS_PATH)));
    }
    Ok(form)
}

/// The items of a list field: separated by commas or new lines, trimmed, blanks dropped.
fn items(text: &str, also_spaces: bool) -> Vec<String> {
    text.split(|c: char| c == ',' || c == '\n' || (also_spaces && c.is_whitespace()))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The sentence for a value of `field` that does not parse, in the page's language
/// (`holds.error_field.<field>` in the catalogue, naming the value as typed). The API's problem
/// detail says the same in English; the catalogue says it in the visitor's language.
fn sentence(messages: &Messages, field: &str, value: &str) -> String {
    messages.f1(&format!("holds.error_field.{field}"), "value", value)
}

/// Parses every item of a list field, the first error for the field.
fn each<T: Ord>(
    messages: &Messages,
    errors: &mut Vec<FieldError>,
    field: &'static str,
    values: Vec<String>,
    parse: impl Fn(&str, &str) -> Result<T, ApiError>,
) -> BTreeSet<T> {
    let mut parsed = BTreeSet::new();
    for value in values {
        match parse(field, &value) {
            Ok(item) => {
                parsed.insert(item);
            }
            Err(_) => {
                errors.push(FieldError {
                    field,
                    message: sentence(messages, field, &value),
                });
                break;
            }
        }
    }
    parsed
}

/// The order of a form, or every field's error in the page's language.
fn order(visitor: &Visitor, form: &HoldForm) -> Result<NewHold, Vec<FieldError>> {
    let i = &visitor.messages;
    let mut errors = Vec::new();
    let reference = match input::text("reference", &form.reference, TEXT_CHARS_MAX) {
        Ok(reference) => reference,
        Err(_) => {
            errors.push(FieldError {
                field: "reference",
                message: i.t("holds.error_reference").to_owned(),
            });
            String::new()
        }
    };
    let court = form.court.trim().to_owned();
    let scope = match form.scope.as_str() {
        "cases" => {
            let cases = each(
                i,
                &mut errors,
                "cases",
                items(&form.cases, true),
                input::case_in_body,
            );
            if cases.is_empty() && !errors.iter().any(|error| error.field == "cases") {
                errors.push(FieldError {
                    field: "cases",
                    message: i.t("holds.error_cases").to_owned(),
                });
            }
            HoldScope::of(cases, ClassCriteria::default()).ok()
        }
        "class" => {
            let criteria = ClassCriteria {
                agreements: each(
                    i,
                    &mut errors,
                    "agreements",
                    items(&form.agreements, true),
                    input::agreement_id,
                ),
                nationalities: each(
                    i,
                    &mut errors,
                    "nationalities",
                    items(&form.nationalities, true),
                    input::country,
                ),
                legal_bases: each(
                    i,
                    &mut errors,
                    "legal_bases",
                    items(&form.legal_bases, false),
                    input::label,
                ),
                designations: each(
                    i,
                    &mut errors,
                    "designations",
                    items(&form.designations, false),
                    input::label,
                ),
                detention_places: each(
                    i,
                    &mut errors,
                    "detention_places",
                    items(&form.detention_places, false),
                    input::label,
                ),
                removal_ordered_from: date(
                    i,
                    &mut errors,
                    "removal_ordered_from",
                    &form.removal_ordered_from,
                ),
                removal_ordered_until: date(
                    i,
                    &mut errors,
                    "removal_ordered_until",
                    &form.removal_ordered_until,
                ),
            };
            let scope = HoldScope::of(BTreeSet::new(), criteria).ok();
            if scope.is_none() && errors.is_empty() {
                errors.push(FieldError {
                    field: "nationalities",
                    message: i.t("holds.error_criteria").to_owned(),
                });
            }
            scope
        }
        _ => {
            errors.push(FieldError {
                field: "scope-cases",
                message: i.t("holds.error_scope").to_owned(),
            });
            None
        }
    };
    let depends_on = match form.depends_on.trim() {
        "" => None,
        id => match input::hold_in_body("depends_on", id) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError {
                    field: "depends_on",
                    message: sentence(i, "depends_on", id),
                });
                None
            }
        },
    };
    match scope {
        Some(scope) if errors.is_empty() => Ok(NewHold {
            court,
            reference,
            scope,
            depends_on,
            idempotency_key: (!form.key.is_empty()).then(|| form.key.clone()),
        }),
        _ => Err(errors),
    }
}

fn date(
    messages: &Messages,
    errors: &mut Vec<FieldError>,
    field: &'static str,
    text: &str,
) -> Option<jiff::civil::Date> {
    match text.trim() {
        "" => None,
        day => match input::date(field, day) {
            Ok(day) => Some(day),
            Err(_) => {
                errors.push(FieldError {
                    field,
                    message: sentence(messages, field, day),
                });
                None
            }
        },
    }
}

/// A refusal of the application as the form shows it, or the error page for anything that is
/// not about the order (no session any more, the policies' 403, a fault).
fn refusal(visitor: &Visitor, form: HoldForm, error: corridor_app::AppError) -> Response {
    let error = ApiError::from(error);
    let problem = error.problem();
    if problem.status == StatusCode::CONFLICT || problem.status == StatusCode::UNPROCESSABLE_ENTITY
    {
        let refused = Refused {
            title: crate::refusals::title(&visitor.messages, &problem),
            detail: crate::refusals::sentence(&visitor.messages, &problem),
            code: problem.code,
        };
        return form_page(visitor, problem.status, form, Vec::new(), Some(refused));
    }
    error_page(visitor, HOLDS_PATH, error)
}

/// A fresh idempotency key for one confirm form.
fn fresh_key() -> Result<String, ApiError> {
    let mut bytes = [0_u8; KEY_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|error| ApiError::Internal(format!("the random source: {error}")))?;
    Ok(format!("web-hold-{}", hex::encode(bytes)))
}

/// `POST /holds/new`: checks the order and shows what registering it would do now (a dry run),
/// with the form to confirm it; or the form again, with each field's error or the refusal.
pub async fn dry_run(
    State(state): State<AppState>,
    parts: Parts,
    form: Result<Form<HoldForm>, FormRejection>,
) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    let mut form = match posted(&visitor, form) {
        Ok(form) => form,
        Err(response) => return *response,
    };
    if !form.edit.is_empty() {
        form.edit.clear();
        return form_page(&visitor, StatusCode::OK, form, Vec::new(), None);
    }
    form.key.clear();
    let new = match order(&visitor, &form) {
        Ok(new) => new,
        Err(errors) => {
            return form_page(
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
            );
        }
    };
    let individual = matches!(new.scope, HoldScope::Cases { .. });
    match hold_dry_run(state.app(), &visitor.caller, new).await {
        Ok(dry_run) => {
            form.key = match fresh_key() {
                Ok(key) => key,
                Err(error) => return error_page(&visitor, HOLDS_PATH, error),
            };
            page(
                StatusCode::OK,
                &visitor,
                HoldConfirmPage {
                    chrome: Chrome::of(&visitor, HOLDS_PATH),
                    at: crate::queue::when(&dry_run.at),
                    dry_run,
                    form,
                    individual,
                },
            )
        }
        Err(error) => refusal(&visitor, form, error),
    }
}

/// `POST /holds/confirm`: registers the order the confirm form carries, under its idempotency
/// key, and shows the list with what happened (201 registered; 200 when the key had registered
/// it already, as a second click does).
pub async fn confirm(
    State(state): State<AppState>,
    parts: Parts,
    form: Result<Form<HoldForm>, FormRejection>,
) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    let form = match posted(&visitor, form) {
        Ok(form) => form,
        Err(response) => return *response,
    };
    let new = match order(&visitor, &form) {
        // Without its key the confirm form did not come from a dry run: show the order again,
        // to be checked first.
        Ok(new) if new.idempotency_key.is_some() => new,
        Ok(_) => {
            return form_page(
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                Vec::new(),
                None,
            );
        }
        Err(errors) => {
            return form_page(
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
            );
        }
    };
    match service::register_hold(state.app(), &visitor.caller, new).await {
        Ok(registered) => {
            let i = &visitor.messages;
            let (status, key) = if registered.replayed {
                (StatusCode::OK, "holds.notice_replayed")
            } else {
                (StatusCode::CREATED, "holds.notice_registered")
            };
            let notice = i.f1(key, "hold", &registered.hold);
            holds_page(&state, &visitor, status, Some(notice)).await
        }
        Err(error) => refusal(&visitor, form, error),
    }
}
