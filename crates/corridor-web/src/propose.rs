//! Proposing a case as a form: `GET/POST /cases/new`.
//!
//! The form is the API's proposal body (`corridor_api::cases::ProposeBody`), parsed by the same
//! function (`corridor_api::cases::new_case_of`) and handed to `service::propose`. Every field
//! wrong is named at once (GOV.UK's error summary, each message beside its field): the body is
//! parsed, the field the parser names gets its message, and it is parsed again with that field
//! set to a value that passes, until nothing is wrong — so each message is the API's own. The
//! first is recorded as a refused attempt at `propose`, as the API records a bad body.
//!
//! The form carries an idempotency key drawn when it is rendered (a hidden field), so a double
//! click, or a post sent again, makes one case: the second answer is the first case
//! (`service::propose` replays it) and redirects to it.
//!
//! Beside the form: the agreement's eligibility terms as its file states them, with their
//! sources (the terms are public). Only agreements the caller may propose under are offered
//! (`actions::proposable_agreements`, asked without recording).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use corridor_api::cases::{ProposeBody, new_case_of};
use corridor_api::{ApiError, AppState};
use corridor_app::AppError;
use corridor_app::actions::proposable_agreements;
use corridor_app::service;
use corridor_authz::Action;
use corridor_domain::terms::{AgreementId, Vulnerability};
use serde::Deserialize;

use crate::account::{csrf_refused, posted, signed_in_visitor};
use crate::facts::{Fact, facts};
use crate::render::{Chrome, error_page, page};
use crate::visitor::Visitor;

/// Where the page is, for the navigation.
const HERE: &str = "/cases/new";

/// Bytes of a form's idempotency key.
const KEY_BYTES: usize = 16;

/// `?agreement=` of the form.
#[derive(Debug, Deserialize)]
pub struct ProposeQuery {
    agreement: Option<String>,
}

/// The proposal form as posted: every field as text.
#[derive(Debug, Default, Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    agreement: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    nationality: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    vulnerabilities: Vec<String>,
    #[serde(default)]
    feared_countries: String,
    #[serde(default)]
    protected_countries: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    designation: String,
    #[serde(default)]
    detention_place: String,
    #[serde(default)]
    removal_ordered_on: String,
    #[serde(default)]
    health_data_consent: Option<String>,
    #[serde(default)]
    documents: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    health: String,
    #[serde(default)]
    counsel: String,
}

/// One field's error, for the summary and beside the field.
#[derive(Debug, Clone)]
pub struct FieldError {
    /// The field's name (its element's id is `p-<name>`).
    pub field: String,
    /// The API's message.
    pub message: String,
}

/// One vulnerability checkbox.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The value posted.
    pub value: &'static str,
    /// What it says.
    pub label: String,
    /// Ticked.
    pub checked: bool,
}

/// An agreement the caller may propose under.
#[derive(Debug, Clone)]
pub struct Offered {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its status today, in words.
    pub status: String,
}

/// The proposal page.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "propose.html")]
pub struct ProposePage {
    chrome: Chrome,
    csrf: String,
    key: String,
    agreements: Vec<Offered>,
    agreement: Option<Offered>,
    eligibility: Vec<Fact>,
    errors: Vec<FieldError>,
    problem: Option<crate::case::Refused>,
    fields: Vec<TextField>,
    sex: Vec<Choice>,
    sex_error: Option<String>,
    agreement_error: Option<String>,
    consent: bool,
    vulnerabilities: Vec<Choice>,
    vulnerabilities_error: Option<String>,
}

/// A text field of the form.
#[derive(Debug, Clone)]
pub struct TextField {
    /// Its name, and its element's id after `p-`.
    pub name: &'static str,
    /// Its label.
    pub label: String,
    /// `text`, `date` or `textarea`.
    pub kind: &'static str,
    /// What was entered.
    pub value: String,
    /// A hint, if the catalogue has one.
    pub hint: Option<String>,
    /// Its error.
    pub error: Option<String>,
    /// Its `autocomplete` token.
    pub autocomplete: &'static str,
}

/// A fresh idempotency key.
fn fresh_key() -> Result<String, ApiError> {
    let mut bytes = [0_u8; KEY_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|error| ApiError::Internal(format!("the random source: {error}")))?;
    Ok(hex::encode(bytes))
}

/// `GET /cases/new`: the agreements the caller may propose under, or with `?agreement=` the form
/// for one of them.
pub async fn form(
    State(state): State<AppState>,
    Query(query): Query<ProposeQuery>,
    parts: Parts,
) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    let key = match fresh_key() {
        Ok(key) => key,
        Err(error) => return error_page(&visitor, HERE, error),
    };
    let form = ProposeForm {
        agreement: query.agreement.unwrap_or_default(),
        key,
        ..ProposeForm::default()
    };
    match propose_page(&state, &visitor, form, Vec::new(), None).await {
        Ok(template) => page(StatusCode::OK, &visitor, template),
        Err(error) => error_page(&visitor, HERE, error),
    }
}

async fn propose_page(
    state: &AppState,
    visitor: &Visitor,
    form: ProposeForm,
    errors: Vec<FieldError>,
    problem: Option<crate::case::Refused>,
) -> Result<ProposePage, ApiError> {
    let app = state.app();
    let i = &visitor.messages;
    let may = proposable_agreements(app, &visitor.caller).await?;
    if may.is_empty() {
        return Err(ApiError::App(AppError::NotPermitted {
            action: Action::Propose.as_str(),
        }));
    }
    let listed = service::list_agreements(app, &visitor.caller).await?;
    let agreements: Vec<Offered> = listed
        .agreements
        .into_iter()
        .filter(|agreement| may.iter().any(|id| id.as_str() == agreement.id))
        .map(|agreement| Offered {
            status: i.name_of("status", &agreement.status).to_owned(),
            id: agreement.id,
            title: agreement.title,
        })
        .collect();
    let agreement = agreements
        .iter()
        .find(|offered| offered.id == form.agreement)
        .cloned();
    let eligibility = match &agreement {
        Some(offered) => {
            let id = corridor_api::input::agreement_id("agreement", &offered.id)?;
            let detail = service::read_agreement(app, &visitor.caller, &id).await?;
            facts(&detail.text)
                .0
                .into_iter()
                .filter(|fact| {
                    fact.path.starts_with("eligibility") || fact.path.starts_with("caps")
                })
                .collect()
        }
        None => Vec::new(),
    };
    let vulnerabilities = Vulnerability::ALL
        .iter()
        .map(|vulnerability| Choice {
            value: vulnerability.as_str(),
            label: i.name_of("option", vulnerability.as_str()).to_owned(),
            checked: form
                .vulnerabilities
                .iter()
                .any(|ticked| ticked == vulnerability.as_str()),
        })
        .collect();
    let error_of = |field: &str| {
        errors
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.clone())
    };
    let text = |name: &'static str, kind: &'static str, value: &str| {
        let hint = i.name_of("hint", name);
        TextField {
            name,
            label: i.name_of("field", name).to_owned(),
            kind,
            value: value.to_owned(),
            hint: (hint != name).then(|| hint.to_owned()),
            error: error_of(name),
            autocomplete: "off",
        }
    };
    let fields = vec![
        text("name", "text", &form.name),
        text("birth_date", "date", &form.birth_date),
        text("nationality", "text", &form.nationality),
        text("languages", "text", &form.languages),
        text("feared_countries", "text", &form.feared_countries),
        text("protected_countries", "text", &form.protected_countries),
        text("legal_basis", "text", &form.legal_basis),
        text("designation", "text", &form.designation),
        text("detention_place", "text", &form.detention_place),
        text("removal_ordered_on", "date", &form.removal_ordered_on),
        text("documents", "textarea", &form.documents),
        text("contact", "textarea", &form.contact),
        text("health", "textarea", &form.health),
        text("counsel", "text", &form.counsel),
    ];
    let sex = ["female", "male", "other"]
        .into_iter()
        .map(|value| Choice {
            value,
            label: i.name_of("option", value).to_owned(),
            checked: form.sex == value,
        })
        .collect();
    Ok(ProposePage {
        chrome: Chrome::of(visitor, HERE),
        csrf: visitor.csrf().unwrap_or_default(),
        key: form.key.clone(),
        agreements,
        agreement,
        eligibility,
        sex_error: error_of("sex"),
        vulnerabilities_error: error_of("vulnerabilities"),
        agreement_error: error_of("agreement"),
        errors,
        problem,
        fields,
        sex,
        consent: form.health_data_consent.as_deref() == Some("true"),
        vulnerabilities,
    })
}

/// A comma-separated list as its items, blanks left out.
fn list(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An optional text: `None` when blank.
fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The form as the API's proposal body.
fn body_of(form: &ProposeForm) -> ProposeBody {
    ProposeBody {
        name: form.name.trim().to_owned(),
        birth_date: form.birth_date.trim().to_owned(),
        nationality: form.nationality.trim().to_owned(),
        sex: form.sex.clone(),
        vulnerabilities: form.vulnerabilities.clone(),
        feared_countries: list(&form.feared_countries),
        protected_countries: list(&form.protected_countries),
        languages: list(&form.languages),
        legal_basis: form.legal_basis.trim().to_owned(),
        designation: optional(&form.designation),
        detention_place: optional(&form.detention_place),
        removal_ordered_on: form.removal_ordered_on.trim().to_owned(),
        health_data_consent: form.health_data_consent.as_deref() == Some("true"),
        documents: form
            .documents
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect(),
        contact: optional(&form.contact),
        health: optional(&form.health),
        counsel: optional(&form.counsel),
    }
}

/// Sets `field` of `body` to a value the parser accepts, so that the next parse finds the next
/// field wrong. `false` for a field this form does not know (the loop then stops).
fn set_passing(body: &mut ProposeBody, field: &str) -> bool {
    match field {
        "name" => body.name = "-".to_owned(),
        "birth_date" => body.birth_date = "2000-01-01".to_owned(),
        // A code ISO 3166-1 assigns: the parser checks the table, so a made-up code such as
        // `AAA` failed again and again, naming the nationality once per remaining loop.
        "nationality" => body.nationality = "RWA".to_owned(),
        "sex" => body.sex = "other".to_owned(),
        "vulnerabilities" => body.vulnerabilities.clear(),
        "feared_countries" => body.feared_countries.clear(),
        "protected_countries" => body.protected_countries.clear(),
        "languages" => body.languages.clear(),
        "legal_basis" => body.legal_basis = "basis".to_owned(),
        "designation" => body.designation = None,
        "detention_place" => body.detention_place = None,
        "removal_ordered_on" => body.removal_ordered_on = "2000-01-01".to_owned(),
        "documents" => body.documents.clear(),
        "contact" => body.contact = None,
        "health" => body.health = None,
        "counsel" => body.counsel = None,
        _ => return false,
    }
    true
}

/// The fields of a form's proposal.
const FIELDS: usize = 17;

/// Every field wrong in `body`, each with the API's message, and the first error as the API
/// would answer it.
fn field_errors(mut body: ProposeBody) -> (Vec<FieldError>, Option<ApiError>) {
    let mut errors = Vec::new();
    let mut first = None;
    for _ in 0..FIELDS {
        let error = match new_case_of(body.clone(), None) {
            Ok(_) => break,
            Err(error) => error,
        };
        let field = match &error {
            ApiError::App(AppError::InvalidInput { field, message }) => {
                let name = field.strip_prefix("body.").unwrap_or(field);
                let name = name.split('[').next().unwrap_or(name).to_owned();
                errors.push(FieldError {
                    field: name.clone(),
                    message: message.clone(),
                });
                Some(name)
            }
            _ => None,
        };
        if first.is_none() {
            first = Some(error);
        }
        match field {
            // A field named twice would be named on every later pass: stop instead.
            Some(name) if errors.iter().filter(|error| error.field == name).count() > 1 => {
                errors.pop();
                break;
            }
            Some(name) if set_passing(&mut body, &name) => {}
            _ => break,
        }
    }
    (errors, first)
}

/// `POST /cases/new`: proposes, or shows the form again with every field's error.
pub async fn propose(
    State(state): State<AppState>,
    parts: Parts,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    let form = match posted(&visitor, HERE, form) {
        Ok(pairs) => form_of(pairs),
        Err(response) => return *response,
    };
    if !visitor.csrf_matches(&form.csrf) {
        return csrf_refused(&visitor, HERE);
    }
    let agreement = match AgreementId::parse(&form.agreement) {
        Ok(agreement) => agreement,
        Err(message) => {
            let errors = vec![FieldError {
                field: "agreement".to_owned(),
                message,
            }];
            return again(&state, &visitor, form, errors, None).await;
        }
    };
    let key = form.key.trim().to_owned();
    let body = body_of(&form);
    let (errors, first) = field_errors(body.clone());
    if let Some(error) = first {
        let resource = (format!("agreement:{agreement}"), Some(agreement.clone()));
        let recorded = corridor_api::problem::refused_before_policy(
            state.app(),
            &visitor.caller,
            Action::Propose,
            resource,
            error,
        )
        .await;
        if errors.is_empty() {
            return error_page(&visitor, HERE, recorded);
        }
        return again(&state, &visitor, form, errors, None).await;
    }
    let new = match new_case_of(body, (!key.is_empty()).then_some(key)) {
        Ok(new) => new,
        Err(error) => return error_page(&visitor, HERE, error),
    };
    match service::propose(state.app(), &visitor.caller, agreement, new).await {
        Ok(proposed) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(location) = HeaderValue::from_str(&format!("/cases/{}", proposed.case)) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Err(error) => {
            let error = ApiError::from(error);
            match &error {
                ApiError::App(AppError::InvalidInput { field, message }) => {
                    let errors = vec![FieldError {
                        field: field.strip_prefix("body.").unwrap_or(field).to_owned(),
                        message: message.clone(),
                    }];
                    again(&state, &visitor, form, errors, None).await
                }
                ApiError::App(app) if matches!(app.kind(), corridor_app::ErrorKind::Refused) => {
                    let problem = error.problem();
                    let refused = crate::case::Refused {
                        title: crate::refusals::title(&visitor.messages, &problem),
                        detail: crate::refusals::sentence(&visitor.messages, &problem),
                        code: problem.code,
                        facts: problem
                            .facts
                            .into_iter()
                            .map(|(label, value)| crate::case::Row { label, value })
                            .collect(),
                    };
                    match propose_page(&state, &visitor, form, Vec::new(), Some(refused)).await {
                        Ok(template) => page(problem.status, &visitor, template),
                        Err(error) => error_page(&visitor, HERE, error),
                    }
                }
                _ => error_page(&visitor, HERE, error),
            }
        }
    }
}

/// The posted pairs as the form (a name given twice keeps its first value; the vulnerabilities
/// are every ticked box).
fn form_of(pairs: Vec<(String, String)>) -> ProposeForm {
    let mut form = ProposeForm::default();
    for (name, value) in pairs {
        let slot = match name.as_str() {
            "vulnerabilities" => {
                form.vulnerabilities.push(value);
                continue;
            }
            "health_data_consent" => {
                form.health_data_consent.get_or_insert(value);
                continue;
            }
            "csrf" => &mut form.csrf,
            "key" => &mut form.key,
            "agreement" => &mut form.agreement,
            "name" => &mut form.name,
            "birth_date" => &mut form.birth_date,
            "nationality" => &mut form.nationality,
            "sex" => &mut form.sex,
            "languages" => &mut form.languages,
            "feared_countries" => &mut form.feared_countries,
            "protected_countries" => &mut form.protected_countries,
            "legal_basis" => &mut form.legal_basis,
            "designation" => &mut form.designation,
            "detention_place" => &mut form.detention_place,
            "removal_ordered_on" => &mut form.removal_ordered_on,
            "documents" => &mut form.documents,
            "contact" => &mut form.contact,
            "health" => &mut form.health,
            "counsel" => &mut form.counsel,
            _ => continue,
        };
        if slot.is_empty() {
            *slot = value;
        }
    }
    form
}

/// The form again, with `errors`, status 422.
async fn again(
    state: &AppState,
    visitor: &Visitor,
    form: ProposeForm,
    errors: Vec<FieldError>,
    problem: Option<crate::case::Refused>,
) -> Response {
    match propose_page(state, visitor, form, errors, problem).await {
        Ok(template) => page(StatusCode::UNPROCESSABLE_ENTITY, visitor, template),
        Err(error) => error_page(visitor, HERE, error),
    }
}
