//! The case page and every command on a case as a form.
//!
//! - `GET /cases/{case}`: the case as the viewer may see it (`service::read_case`, already
//!   filtered by the disclosure rules: the page shows only what the view holds), its timeline
//!   (`service::read_history`, for a viewer the policies let read it: the events they may see, refused attempts recorded as
//!   `safeguard_triggered` included, each with its sentence and its log index), and the
//!   commands the viewer may take now as forms (`actions::available_actions`, asked without
//!   writing). Both reads are decided and recorded as the API's are, with the same 403/404.
//!   The three come from one app call, `actions::case_page`: both access records in one
//!   durable commit, the case and its history each read once, and every command decided on
//!   one snapshot, so the page costs a fixed number of store reads.
//! - `POST /cases/{case}/actions/{action}`: one handler for every form. The form becomes the
//!   same JSON body the API's route takes and the same typed command
//!   (`corridor_api::cases::case_command_of`), executed by `service::case_command` with the
//!   version the page showed (a hidden field) as the expected version, so acting on a stale
//!   page is refused. A refusal shows the case page again with the refusal's sentence and facts
//!   beside the form, with the API's status; success is a 303 back to the case page.
//! - `GET /cases/{case}/erase`: the confirmation step of erasure (the operator's: only they may
//!   erase, and they never read a case), saying what erasure destroys; the erase form posts to
//!   the one handler with `confirm=yes`, and a post without it shows this page again.
//! - `GET /cases/{case}/events/{seq}/proof`: an event's inclusion proof against the latest
//!   checkpoint (`proofs::event_proof`, decided as the history is).
//!
//! Every form carries the session's CSRF token; a post without it is refused 403 before
//! anything is read or done. No title names the case or the person.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use corridor_api::cases::case_command_of;
use corridor_api::{ApiError, AppState};
use corridor_app::actions::{self, CasePageRead};
use corridor_app::answers::HistoryEvent;
use corridor_app::proofs::{EventProof, event_proof};
use corridor_app::service;
use corridor_app::views::{CaseView, PersonalDataState};
use corridor_app::{AppError, ErrorKind};
use corridor_authz::Action;
use corridor_domain::terms::Vulnerability;
use corridor_domain::{CaseId, WelfareOutcome};

use crate::account::{csrf_refused, posted, signed_in_visitor};
use crate::render::{Chrome, error_page, page};
use crate::visitor::Visitor;

/// A label and a value, for a list of facts.
#[derive(Debug, Clone)]
pub struct Row {
    /// What it is, in the page's language.
    pub label: String,
    /// Its value.
    pub value: String,
}

/// One event of the timeline.
#[derive(Debug, Clone)]
pub struct TimelineItem {
    /// Its global sequence number: its index in the case's events and the proof link's.
    pub seq: u64,
    /// Its version within the case, as the viewer is told it.
    pub version: u64,
    /// When it happened.
    pub at: String,
    /// Its kind, as stored (`notice_served`).
    pub kind: String,
    /// What it says, in the page's language.
    pub sentence: String,
    /// Who did it, if a person did.
    pub by: Option<String>,
    /// A refused attempt (a safeguard refused a command, recorded on the case).
    pub refused: bool,
    /// The event's facts as `name: value`, for a viewer who sees the whole case.
    pub details: Vec<String>,
}

/// How a form field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Several lines of text.
    TextArea,
    /// A checkbox: `true` when ticked, `false` when not.
    Check,
    /// Yes or no, one to choose.
    YesNo,
    /// A day, `YYYY-MM-DD`.
    Date,
    /// A moment in UTC (`datetime-local`, or RFC 3339).
    DateTime,
    /// One of a list.
    Select(Choices),
}

/// The lists a field chooses from: the domain's own names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choices {
    /// The vulnerability categories.
    Vulnerabilities,
    /// The welfare check's outcomes, by their clear names.
    WelfareOutcomes,
}

impl Choices {
    fn names(self) -> Vec<&'static str> {
        match self {
            Self::Vulnerabilities => Vulnerability::ALL.iter().map(|v| v.as_str()).collect(),
            Self::WelfareOutcomes => WelfareOutcome::ALL.iter().map(|o| o.name()).collect(),
        }
    }
}

/// One field of a command's form: its name in the API's body.
#[derive(Debug, Clone, Copy)]
struct FieldSpec {
    name: &'static str,
    kind: FieldKind,
}

const fn field(name: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec { name, kind }
}

/// The fields of `action`'s form: exactly its API body's fields.
fn fields_of(action: Action) -> &'static [FieldSpec] {
    const NOTICE: &[FieldSpec] = &[
        field("language", FieldKind::Text),
        field("destination", FieldKind::Text),
        field("on_person", FieldKind::Check),
        field("on_counsel", FieldKind::Check),
        field("explains_how_to_contest", FieldKind::Check),
    ];
    const REASON: &[FieldSpec] = &[field("reason", FieldKind::TextArea)];
    const GRANTED: &[FieldSpec] = &[field("granted", FieldKind::YesNo)];
    const DEPARTURE: &[FieldSpec] = &[field("departure", FieldKind::DateTime)];
    const CATEGORY: &[FieldSpec] = &[field(
        "category",
        FieldKind::Select(Choices::Vulnerabilities),
    )];
    const COUNTRY: &[FieldSpec] = &[field("country", FieldKind::Text)];
    const CLAIMED: &[FieldSpec] = &[field("claimed_birth_date", FieldKind::Date)];
    const BIRTH: &[FieldSpec] = &[field("birth_date", FieldKind::Date)];
    const DESTINATION: &[FieldSpec] = &[field("destination", FieldKind::Text)];
    const OUTCOME: &[FieldSpec] = &[field(
        "outcome",
        FieldKind::Select(Choices::WelfareOutcomes),
    )];
    match action {
        Action::ServeNotice => NOTICE,
        Action::Refuse | Action::ExtendDeadline | Action::Withdraw => REASON,
        Action::DecideProtection | Action::DecideReceivingClaim => GRANTED,
        Action::Schedule => DEPARTURE,
        Action::RecordVulnerability => CATEGORY,
        Action::RecordFear => COUNTRY,
        Action::DisputeAge => CLAIMED,
        Action::DecideAge => BIRTH,
        Action::Onward => DESTINATION,
        Action::RecordWelfareCheck => OUTCOME,
        _ => &[],
    }
}

/// One option of a field.
#[derive(Debug, Clone)]
pub struct FieldOption {
    /// The value posted.
    pub value: &'static str,
    /// What it says.
    pub label: String,
    /// Whether it is chosen.
    pub selected: bool,
}

/// One field of a form, ready to show.
#[derive(Debug, Clone)]
pub struct FormField {
    /// The element's id (unique on the page).
    pub id: String,
    /// The posted name.
    pub name: &'static str,
    /// Its label.
    pub label: String,
    /// How it is entered: `text`, `textarea`, `checkbox`, `radio`, `date`, `datetime-local`,
    /// `select`.
    pub kind: &'static str,
    /// Its value as posted before (a refused form keeps what was entered).
    pub value: String,
    /// For a checkbox: ticked.
    pub checked: bool,
    /// For radios and selects.
    pub options: Vec<FieldOption>,
    /// A hint under the label, if any.
    pub hint: Option<String>,
    /// This field's error, if any.
    pub error: Option<String>,
}

/// A refusal or error shown beside a form.
#[derive(Debug, Clone)]
pub struct Refused {
    /// The problem's short summary.
    pub title: String,
    /// Its sentence: what happened this time.
    pub detail: String,
    /// Its stable code.
    pub code: String,
    /// Its facts, by name.
    pub facts: Vec<Row>,
}

/// One command's form.
#[derive(Debug, Clone)]
pub struct ActionForm {
    /// The action's name (`serve_notice`): the form posts to `/cases/{case}/actions/{slug}`.
    pub slug: &'static str,
    /// Its title.
    pub title: String,
    /// What it does, in one sentence.
    pub help: String,
    /// Its fields.
    pub fields: Vec<FormField>,
    /// The refusal of this form's last post, if it was refused.
    pub refused: Option<Refused>,
}

/// The case page.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "case.html")]
pub struct CasePage {
    chrome: Chrome,
    csrf: String,
    case: String,
    version: u64,
    summary: Vec<Row>,
    personal_note: Option<String>,
    personal: Vec<Row>,
    attributes: Vec<Row>,
    withheld: Vec<String>,
    clocks: Vec<Row>,
    welfare: Vec<Row>,
    forms: Vec<ActionForm>,
    refused_slug: Option<&'static str>,
    /// `None` for a viewer who may read the case but not its history.
    timeline: Option<Vec<TimelineItem>>,
}

/// What was posted and refused: the form to show again, with the refusal.
struct Posted {
    action: Action,
    values: BTreeMap<String, String>,
    refused: Refused,
    field: Option<String>,
}

/// The case id of a path, or the API's answer to a malformed one.
fn case_id(text: &str) -> Result<CaseId, ApiError> {
    corridor_api::input::case_id(text)
}

/// `GET /cases/{case}`.
pub async fn show(
    State(state): State<AppState>,
    Path(case): Path<String>,
    parts: Parts,
) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    let id = match case_id(&case) {
        Ok(id) => id,
        Err(error) => return error_page(&visitor, "", error),
    };
    match case_page(&state, &visitor, id, None).await {
        Ok(template) => page(StatusCode::OK, &visitor, template),
        Err(error) => error_page(&visitor, "", error),
    }
}

/// The case page for `visitor`, with the refused form `posted` shown again.
async fn case_page(
    state: &AppState,
    visitor: &Visitor,
    id: CaseId,
    posted: Option<Posted>,
) -> Result<CasePage, ApiError> {
    let app = state.app();
    let caller = &visitor.caller;
    let CasePageRead {
        view,
        history,
        mut actions,
    } = actions::case_page(app, caller, id).await?;
    // Erasure is confirmed on its own page, never a form among the others.
    actions.retain(|action| *action != Action::Erase);
    let i = &visitor.messages;
    let case = view.case.clone();
    let mut forms: Vec<ActionForm> = actions
        .iter()
        .map(|action| action_form(visitor, *action, &BTreeMap::new(), None, None))
        .collect();
    let refused_slug = posted.as_ref().map(|posted| posted.action.as_str());
    if let Some(posted) = posted {
        let form = action_form(
            visitor,
            posted.action,
            &posted.values,
            Some(posted.refused),
            posted.field.as_deref(),
        );
        match forms.iter_mut().find(|shown| shown.slug == form.slug) {
            Some(shown) => *shown = form,
            None => forms.insert(0, form),
        }
    }
    Ok(CasePage {
        chrome: Chrome::of(visitor, ""),
        csrf: visitor.csrf().unwrap_or_default(),
        version: view.version,
        summary: summary_rows(visitor, &view),
        personal_note: match view.personal_data_state {
            PersonalDataState::Shown => None,
            PersonalDataState::Withheld => Some(i.t("case.personal_withheld").to_owned()),
            PersonalDataState::Erased => Some(i.t("case.personal_erased").to_owned()),
        },
        personal: personal_rows(visitor, &view),
        attributes: attribute_rows(visitor, &view),
        withheld: view
            .rule_attributes
            .withheld
            .iter()
            .map(|name| i.name_of("field", name).to_owned())
            .collect(),
        clocks: clock_rows(visitor, &view),
        welfare: view
            .welfare_checks
            .iter()
            .map(|check| Row {
                label: check.due_at.clone(),
                value: i.name_of("welfare_state", &check.state).to_owned(),
            })
            .collect(),
        forms,
        refused_slug,
        timeline: history.map(|events| {
            events
                .into_iter()
                .map(|event| timeline_item(visitor, event))
                .collect()
        }),
        case,
    })
}

fn row(label: String, value: impl Into<String>) -> Row {
    Row {
        label,
        value: value.into(),
    }
}

fn summary_rows(visitor: &Visitor, view: &CaseView) -> Vec<Row> {
    let i = &visitor.messages;
    vec![
        row(i.t("case.id").to_owned(), view.case.clone()),
        row(i.t("case.agreement").to_owned(), view.agreement.clone()),
        row(
            i.t("case.status").to_owned(),
            i.name_of("case_status", &view.status),
        ),
        row(
            i.t("case.terms_version").to_owned(),
            view.terms_version.to_string(),
        ),
        row(i.t("case.version").to_owned(), view.version.to_string()),
    ]
}

fn personal_rows(visitor: &Visitor, view: &CaseView) -> Vec<Row> {
    let i = &visitor.messages;
    let Some(personal) = &view.personal_data else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    let mut push = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            rows.push(row(i.name_of("field", key).to_owned(), value));
        }
    };
    push("name", personal.name.clone());
    push("birth_date", personal.birth_date.clone());
    push(
        "documents",
        personal.documents.as_ref().map(|list| list.join("; ")),
    );
    push("contact", personal.contact.clone());
    push("health", personal.health.clone());
    rows
}

fn attribute_rows(visitor: &Visitor, view: &CaseView) -> Vec<Row> {
    let i = &visitor.messages;
    let rule = &view.rule_attributes;
    let list = |values: &Option<Vec<String>>| values.as_ref().map(|list| list.join(", "));
    let mut rows = Vec::new();
    for (key, value) in [
        ("nationality", rule.nationality.clone()),
        (
            "sex",
            rule.sex
                .as_deref()
                .map(|sex| i.name_of("option", sex).to_owned()),
        ),
        (
            "age_years_at_proposal",
            rule.age_years_at_proposal.map(|age| age.to_string()),
        ),
        ("languages", list(&rule.languages)),
        ("vulnerabilities", list(&rule.vulnerabilities)),
        ("feared_countries", list(&rule.feared_countries)),
        ("protected_countries", list(&rule.protected_countries)),
        ("legal_basis", rule.legal_basis.clone()),
        ("designation", rule.designation.clone()),
        ("detention_place", rule.detention_place.clone()),
        ("removal_ordered_on", rule.removal_ordered_on.clone()),
    ] {
        if let Some(value) = value {
            rows.push(row(i.name_of("field", key).to_owned(), value));
        }
    }
    rows
}

fn clock_rows(visitor: &Visitor, view: &CaseView) -> Vec<Row> {
    let i = &visitor.messages;
    let mut rows = Vec::new();
    let moment = |at: &Option<String>| at.as_deref().map(|at| crate::queue::when(at).human);
    for (key, value) in [
        ("case.next_deadline", moment(&view.next_deadline)),
        ("case.departure", moment(&view.departure)),
        ("case.departed_at", moment(&view.departed_at)),
        ("case.arrived_at", moment(&view.arrived_at)),
        (
            "case.holds_matched",
            (!view.holds_matched.is_empty()).then(|| view.holds_matched.join(", ")),
        ),
        (
            "case.safeguard_refusals",
            view.safeguard_refusals.map(|count| count.to_string()),
        ),
    ] {
        if let Some(value) = value {
            rows.push(row(i.t(key).to_owned(), value));
        }
    }
    if let Some(aftercare) = &view.aftercare {
        rows.push(row(
            i.t("case.whereabouts").to_owned(),
            i.name_of("whereabouts", &aftercare.whereabouts).to_owned(),
        ));
        rows.push(row(
            i.t("case.checks_missed").to_owned(),
            aftercare.checks_missed.to_string(),
        ));
        if let Some(ends) = &aftercare.support_ends_at {
            rows.push(row(i.t("case.support_ends_at").to_owned(), ends.clone()));
        }
    }
    rows
}

/// The kind of event that records a refused attempt on the case.
const REFUSAL_KIND: &str = "safeguard_triggered";

fn timeline_item(visitor: &Visitor, event: HistoryEvent) -> TimelineItem {
    let i = &visitor.messages;
    let sentence = match i.name_of("event", &event.kind) {
        same if same == event.kind => i.f1("event.other", "kind", &event.kind),
        sentence => sentence.to_owned(),
    };
    let details = match &event.details {
        Some(serde_json::Value::Object(map)) => map
            .iter()
            .filter(|(name, _)| name.as_str() != "type")
            .filter_map(|(name, value)| {
                let text = match value {
                    serde_json::Value::String(text) => text.clone(),
                    serde_json::Value::Number(number) => number.to_string(),
                    serde_json::Value::Bool(flag) => flag.to_string(),
                    serde_json::Value::Array(items) if !items.is_empty() => items
                        .iter()
                        .map(|item| match item {
                            serde_json::Value::String(text) => text.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => return None,
                };
                Some(format!("{name}: {text}"))
            })
            .collect(),
        _ => Vec::new(),
    };
    TimelineItem {
        refused: event.kind == REFUSAL_KIND,
        seq: event.seq,
        version: event.version,
        at: event.at,
        sentence,
        by: event.by,
        details,
        kind: event.kind,
    }
}

/// The form of `action`, with `values` entered and `refused` beside it; `error_field` names the
/// field a refusal is about (`body.reason` → `reason`).
fn action_form(
    visitor: &Visitor,
    action: Action,
    values: &BTreeMap<String, String>,
    refused: Option<Refused>,
    error_field: Option<&str>,
) -> ActionForm {
    let i = &visitor.messages;
    let slug = action.as_str();
    let fields = fields_of(action)
        .iter()
        .map(|spec| {
            let id = format!("{slug}-{}", spec.name);
            let value = values.get(spec.name).cloned().unwrap_or_default();
            let option = |value_name: &'static str, chosen: &str| FieldOption {
                value: value_name,
                label: i.name_of("option", value_name).to_owned(),
                selected: value_name == chosen,
            };
            let (kind, options) = match spec.kind {
                FieldKind::Text => ("text", Vec::new()),
                FieldKind::TextArea => ("textarea", Vec::new()),
                FieldKind::Check => ("checkbox", Vec::new()),
                FieldKind::Date => ("date", Vec::new()),
                FieldKind::DateTime => ("datetime-local", Vec::new()),
                FieldKind::YesNo => (
                    "radio",
                    vec![option("true", &value), option("false", &value)],
                ),
                FieldKind::Select(choices) => (
                    "select",
                    choices
                        .names()
                        .into_iter()
                        .map(|name| option(name, &value))
                        .collect(),
                ),
            };
            let hint_key = format!("hint.{}", spec.name);
            let hint = i.name_of("hint", spec.name);
            FormField {
                checked: spec.kind == FieldKind::Check && value == "true",
                hint: (hint != spec.name && hint != hint_key).then(|| hint.to_owned()),
                label: i.name_of("field", spec.name).to_owned(),
                error: error_field
                    .filter(|field| *field == spec.name)
                    .and_then(|_| refused.as_ref().map(|refused| refused.detail.clone())),
                id,
                name: spec.name,
                kind,
                value,
                options,
            }
        })
        .collect();
    ActionForm {
        slug,
        title: i.name_of("action", slug).to_owned(),
        help: i.name_of("action_help", slug).to_owned(),
        fields,
        refused,
    }
}

/// The action named in a form's path, if it is a command on a case a form may post.
fn action_named(name: &str) -> Option<Action> {
    corridor_app::actions::CASE_ACTIONS
        .into_iter()
        .find(|action| action.as_str() == name)
}

/// The form's values as the API's JSON body of `action`: text as text, a checkbox ticked as
/// `true` and left as `false`, yes/no as a boolean, a `datetime-local` moment as RFC 3339 in
/// UTC. Fields the form does not have are left out (the body then names them missing).
fn json_body(action: Action, values: &BTreeMap<String, String>) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    for spec in fields_of(action) {
        let value = values.get(spec.name).map(String::as_str);
        let json = match (spec.kind, value) {
            (FieldKind::Check, value) => serde_json::Value::Bool(value == Some("true")),
            (FieldKind::YesNo, Some("true")) => serde_json::Value::Bool(true),
            (FieldKind::YesNo, Some("false")) => serde_json::Value::Bool(false),
            (FieldKind::YesNo, _) | (_, None) => continue,
            (FieldKind::DateTime, Some(text)) => serde_json::Value::String(rfc3339(text)),
            (_, Some(text)) => serde_json::Value::String(text.to_owned()),
        };
        body.insert(spec.name.to_owned(), json);
    }
    serde_json::Value::Object(body)
}

/// A `datetime-local` value (`2025-09-01T10:00`, or with seconds) as RFC 3339 in UTC; anything
/// else as it is, for the API's parser to judge.
fn rfc3339(text: &str) -> String {
    let bytes = text.as_bytes();
    let local = (bytes.len() == 16 || bytes.len() == 19) && bytes.get(10) == Some(&b'T');
    if local && !text.ends_with('Z') {
        if bytes.len() == 16 {
            format!("{text}:00Z")
        } else {
            format!("{text}Z")
        }
    } else {
        text.to_owned()
    }
}

/// The problem of `error` as shown beside a form.
fn refused_of(visitor: &Visitor, error: &ApiError) -> (StatusCode, Refused, Option<String>) {
    let problem = error.problem();
    let field = match error {
        ApiError::App(AppError::InvalidInput { field, .. }) => field
            .strip_prefix("body.")
            .map(|name| name.split('[').next().unwrap_or(name).to_owned()),
        _ => None,
    };
    let facts = problem
        .facts
        .iter()
        .map(|(name, value)| Row {
            label: visitor.messages.name_of("fact_name", name).to_owned(),
            value: value.clone(),
        })
        .collect();
    (
        problem.status,
        Refused {
            title: crate::refusals::title(&visitor.messages, &problem),
            detail: crate::refusals::sentence(&visitor.messages, &problem),
            code: problem.code,
            facts,
        },
        field,
    )
}

/// `POST /cases/{case}/actions/{action}`: one handler for every command's form.
pub async fn act(
    State(state): State<AppState>,
    Path((case, action)): Path<(String, String)>,
    parts: Parts,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    let pairs = match posted(&visitor, "", form) {
        Ok(pairs) => pairs,
        Err(response) => return *response,
    };
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in pairs {
        // A checkbox's hidden companion never overrides it: the first value of a name holds.
        values.entry(name).or_insert(value);
    }
    let sent = values.remove("csrf").unwrap_or_default();
    if !visitor.csrf_matches(&sent) {
        return csrf_refused(&visitor, "");
    }
    let id = match case_id(&case) {
        Ok(id) => id,
        Err(error) => return error_page(&visitor, "", error),
    };
    let Some(action) = action_named(&action) else {
        return error_page(
            &visitor,
            "",
            ApiError::App(AppError::NotFound {
                what: format!("form `{action}`"),
            }),
        );
    };
    if action == Action::Erase {
        return erase(&state, &visitor, id, &values).await;
    }
    let version = values.remove("version");
    let prepared = version
        .as_deref()
        .and_then(|text| text.parse::<u64>().ok())
        .ok_or(ApiError::PreconditionRequired)
        .and_then(|version| {
            case_command_of(action, id, json_body(action, &values))
                .map(|command| (command, version))
        });
    let outcome = match prepared {
        Ok((command, version)) => {
            service::case_command(state.app(), &visitor.caller, command, Some(version))
                .await
                .map_err(ApiError::from)
        }
        Err(error) => {
            // Refused before the policies were asked: a denied attempt on the record, as the
            // API records it.
            let code = error.problem().code;
            match service::record_refused_on_case(state.app(), &visitor.caller, action, id, &code)
                .await
            {
                Ok(()) => Err(error),
                Err(unrecorded) => Err(unrecorded.into()),
            }
        }
    };
    match outcome {
        Ok(_) => to_case(id),
        Err(error) => refused_page(&state, &visitor, id, action, values, error).await,
    }
}

/// The case page again, with `error` beside `action`'s form and the API's status; an error
/// that is not a refusal of the form (the case is not there for this viewer, a fault) is the
/// error page.
async fn refused_page(
    state: &AppState,
    visitor: &Visitor,
    id: CaseId,
    action: Action,
    values: BTreeMap<String, String>,
    error: ApiError,
) -> Response {
    let beside_form = match &error {
        ApiError::App(error) => matches!(
            error.kind(),
            ErrorKind::Refused
                | ErrorKind::Stale
                | ErrorKind::Conflict
                | ErrorKind::BadInput
                | ErrorKind::NotPermitted
        ),
        ApiError::PreconditionRequired | ApiError::InvalidPrecondition => true,
        _ => false,
    };
    if !beside_form {
        return error_page(visitor, "", error);
    }
    let (status, refused, field) = refused_of(visitor, &error);
    let posted = Posted {
        action,
        values,
        refused,
        field,
    };
    match case_page(state, visitor, id, Some(posted)).await {
        Ok(template) => page(status, visitor, template),
        Err(error) => error_page(visitor, "", error),
    }
}

/// `303 See Other` to the case page.
fn to_case(id: CaseId) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/cases/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// The erasure confirmation page.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "case_erase.html")]
pub struct ErasePage {
    chrome: Chrome,
    csrf: String,
    case: String,
    refused: Option<Refused>,
}

/// `GET /cases/{case}/erase`: what erasure destroys, and the form that confirms it. It reads
/// nothing of the case (the operator, who alone may erase, never reads one): the post decides.
pub async fn erase_form(
    State(state): State<AppState>,
    Path(case): Path<String>,
    parts: Parts,
) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    match case_id(&case) {
        Ok(id) => erase_page(&visitor, id, StatusCode::OK, None),
        Err(error) => error_page(&visitor, "", error),
    }
}

fn erase_page(
    visitor: &Visitor,
    id: CaseId,
    status: StatusCode,
    refused: Option<Refused>,
) -> Response {
    page(
        status,
        visitor,
        ErasePage {
            chrome: Chrome::of(visitor, ""),
            csrf: visitor.csrf().unwrap_or_default(),
            case: id.to_string(),
            refused,
        },
    )
}

/// Erasure, posted: without `confirm=yes` the confirmation page is shown and nothing is done.
/// The operator cannot read the case, so no version is expected: erasure destroys the key
/// whatever the case's version.
async fn erase(
    state: &AppState,
    visitor: &Visitor,
    id: CaseId,
    values: &BTreeMap<String, String>,
) -> Response {
    if values.get("confirm").map(String::as_str) != Some("yes") {
        return erase_page(visitor, id, StatusCode::OK, None);
    }
    let command = corridor_domain::Command::Erase { case: id };
    match service::case_command(state.app(), &visitor.caller, command, None).await {
        Ok(_) => erased_page(visitor),
        Err(error) => {
            let error = ApiError::from(error);
            match &error {
                ApiError::App(app) if matches!(app.kind(), ErrorKind::Refused) => {
                    let (status, refused, _) = refused_of(visitor, &error);
                    erase_page(visitor, id, status, Some(refused))
                }
                _ => error_page(visitor, "", error),
            }
        }
    }
}

/// The page after an erasure.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "case_erased.html")]
pub struct ErasedPage {
    chrome: Chrome,
}

fn erased_page(visitor: &Visitor) -> Response {
    page(
        StatusCode::OK,
        visitor,
        ErasedPage {
            chrome: Chrome::of(visitor, ""),
        },
    )
}

/// The proof page.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "proof.html")]
pub struct ProofPage {
    chrome: Chrome,
    case: String,
    kind_label: String,
    proof: EventProof,
}

/// `GET /cases/{case}/events/{seq}/proof`.
pub async fn proof(
    State(state): State<AppState>,
    Path((case, seq)): Path<(String, String)>,
    parts: Parts,
) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    let id = match case_id(&case) {
        Ok(id) => id,
        Err(error) => return error_page(&visitor, "", error),
    };
    let Ok(seq) = seq.parse::<u64>() else {
        return error_page(
            &visitor,
            "",
            ApiError::App(AppError::NotFound {
                what: format!("event {seq}"),
            }),
        );
    };
    match event_proof(state.app(), &visitor.caller, id, seq).await {
        Ok(proof) => page(
            StatusCode::OK,
            &visitor,
            ProofPage {
                chrome: Chrome::of(&visitor, ""),
                case: id.to_string(),
                kind_label: visitor.messages.name_of("event", &proof.kind).to_owned(),
                proof,
            },
        ),
        Err(error) => error_page(&visitor, "", error),
    }
}
