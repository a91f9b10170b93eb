//! The public pages, for anyone with or without an account: what corridor is and the agreements
//! in force (`/`), every agreement and one in full with the source of each fact
//! (`/agreements`, `/agreements/{id}`), the public log (`/transparency`) and the latest
//! statistics release (`/statistics`).
//!
//! Every figure comes through the application layer as the API's handlers get it
//! (`service::list_agreements`, `service::read_agreement`, `public_log`, `statistics::release`),
//! decided by the same policies and, for a signed-in visitor, recorded the same way. Nothing
//! here names a case or a person: agreements are public texts, the log's leaves name none, and
//! the statistics are protected before they are published.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use corridor_api::{ApiError, AppState};
use corridor_app::answers::AgreementView;
use corridor_app::public_log::{CheckpointView, latest_checkpoint, public_log};
use corridor_app::service;
use corridor_app::statistics::release;
use corridor_stats::files::{CSV_FILE, DATAPACKAGE_FILE, JSON_FILE, NOTE_FILE, chart_name};

use crate::facts::{Fact, StatusSource, facts};
use crate::render::{Chrome, error_page, fallback_error, page};
use crate::visitor::Visitor;

/// The facts the home page shows of each agreement in force, when its file has them.
const KEY_FACTS: [&str; 7] = [
    "caps.transferred_total_max",
    "caps.present_max",
    "eligibility.per_person_approval",
    "clocks.notice_lead_time",
    "clocks.reply_deadline",
    "clocks.silence_accepts",
    "clocks.transfer_deadline",
];

/// An agreement with the facts a page shows of it.
#[derive(Debug)]
struct AgreementCard {
    summary: AgreementView,
    facts: Vec<Fact>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    in_force: Vec<AgreementCard>,
    checkpoint_size: Option<u64>,
}

/// The visitor of a public page, or the page's error answer.
async fn visitor(state: &AppState, parts: &Parts) -> Result<Visitor, Response> {
    Visitor::of(state, parts)
        .await
        .map_err(|error| fallback_error(parts, error))
}

/// `GET /`: what corridor is, the agreements in force with their key terms, and the size of
/// the latest checkpoint.
pub async fn home(State(state): State<AppState>, parts: Parts) -> Response {
    let visitor = match visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return response,
    };
    match home_page(&state, &visitor).await {
        Ok(template) => page(StatusCode::OK, &visitor, template),
        Err(error) => error_page(&visitor, "/", error),
    }
}

async fn home_page(state: &AppState, visitor: &Visitor) -> Result<HomePage, ApiError> {
    let app = state.app();
    let agreements = service::list_agreements(app, &visitor.caller).await?;
    let mut in_force = Vec::new();
    for summary in agreements.agreements {
        if summary.status != "in_force" {
            continue;
        }
        let id = corridor_api::input::agreement_id("agreement", &summary.id)?;
        let detail = service::read_agreement(app, &visitor.caller, &id).await?;
        let (all, _) = facts(&detail.text);
        let facts = KEY_FACTS
            .iter()
            .filter_map(|path| all.iter().find(|fact| fact.path == *path).cloned())
            .collect();
        in_force.push(AgreementCard { summary, facts });
    }
    let checkpoint = latest_checkpoint(app, &visitor.caller).await?;
    Ok(HomePage {
        chrome: Chrome::of(visitor, "/"),
        in_force,
        checkpoint_size: checkpoint.map(|checkpoint| checkpoint.size),
    })
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "agreements.html")]
struct AgreementsPage {
    chrome: Chrome,
    agreements: Vec<AgreementView>,
}

/// `GET /agreements`: every agreement with its parties and its status today.
pub async fn agreements(State(state): State<AppState>, parts: Parts) -> Response {
    let visitor = match visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return response,
    };
    match service::list_agreements(state.app(), &visitor.caller).await {
        Ok(list) => page(
            StatusCode::OK,
            &visitor,
            AgreementsPage {
                chrome: Chrome::of(&visitor, "/agreements"),
                agreements: list.agreements,
            },
        ),
        Err(error) => error_page(&visitor, "/agreements", error),
    }
}

/// A dated status with the source the file gives for it.
#[derive(Debug)]
struct DatedStatus {
    status: String,
    on: String,
    source: Option<String>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "agreement.html")]
struct AgreementPage {
    chrome: Chrome,
    summary: AgreementView,
    monitoring_body: Option<String>,
    history: Vec<DatedStatus>,
    facts: Vec<Fact>,
    file_name: String,
    /// The figures against the caps, for a signed-in viewer (`service::agreement_caps`).
    gauges: Vec<Gauge>,
}

/// One figure against its cap, as a `<meter>` with its text equivalent.
#[derive(Debug)]
struct Gauge {
    /// What is counted.
    label: String,
    /// The figure.
    value: u64,
    /// The cap, when the terms set one.
    max: Option<u64>,
    /// The figure in words ("41 of 50").
    text: String,
}

/// The gauges of an agreement's figures, in the page's language: transferred against the total
/// cap; transferred or scheduled against it too (a schedule reserves a place under the cap),
/// when the viewer may know the number scheduled; present at once against its cap.
fn gauges(i: &crate::i18n::Messages, caps: &service::AgreementCaps) -> Vec<Gauge> {
    let gauge = |label: &str, value: u64, max: Option<u64>| Gauge {
        label: i.t(label).to_owned(),
        value,
        max,
        text: match max {
            Some(max) => i.f2("gauge.of", "value", value, "max", max),
            None => i.f1("gauge.no_cap", "value", value),
        },
    };
    let mut shown = vec![gauge(
        "gauge.transferred",
        caps.transferred,
        caps.transferred_total_max,
    )];
    if let Some(scheduled) = caps.scheduled {
        let mut reserved = gauge(
            "gauge.reserved",
            caps.transferred.saturating_add(scheduled),
            caps.transferred_total_max,
        );
        reserved.text = format!(
            "{} {}",
            reserved.text,
            i.f1("gauge.scheduled", "value", scheduled)
        );
        shown.push(reserved);
    }
    shown.push(gauge("gauge.present", caps.present, caps.present_max));
    shown
}

/// `GET /agreements/{id}`: one agreement's terms, its dated status history and the source of
/// each fact. An unknown id is the API's 404.
pub async fn agreement(
    State(state): State<AppState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Response {
    let visitor = match visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return response,
    };
    match agreement_page(&state, &visitor, &id).await {
        Ok(template) => page(StatusCode::OK, &visitor, template),
        Err(error) => error_page(&visitor, "/agreements", error),
    }
}

async fn agreement_page(
    state: &AppState,
    visitor: &Visitor,
    id: &str,
) -> Result<AgreementPage, ApiError> {
    let id = corridor_api::input::agreement_id("path.agreement", id)?;
    let detail = service::read_agreement(state.app(), &visitor.caller, &id).await?;
    // The figures against the caps are shown to signed-in viewers, each figure as the
    // application decides who may know it.
    let gauges = if visitor.session.is_some() {
        let caps = service::agreement_caps(state.app(), &visitor.caller, &id).await?;
        gauges(&visitor.messages, &caps)
    } else {
        Vec::new()
    };
    let (facts, sources) = facts(&detail.text);
    let history = detail
        .status_history
        .into_iter()
        .map(|change| {
            let source = sources
                .iter()
                .find(|entry: &&StatusSource| {
                    entry.status == change.status && entry.on == change.on
                })
                .and_then(|entry| entry.source.clone());
            DatedStatus {
                status: change.status,
                on: change.on,
                source,
            }
        })
        .collect();
    Ok(AgreementPage {
        chrome: Chrome::of(visitor, "/agreements"),
        summary: detail.agreement,
        monitoring_body: detail.monitoring_body,
        history,
        facts,
        file_name: detail.file_name,
        gauges,
    })
}

/// One agreement's leaves in one month.
#[derive(Debug)]
struct MonthRow {
    month: String,
    total: u64,
    kinds: Vec<(String, u64)>,
}

/// One agreement's (or no agreement's) leaves by month.
#[derive(Debug)]
struct LogAgreement {
    agreement: Option<String>,
    months: Vec<MonthRow>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "transparency.html")]
struct TransparencyPage {
    chrome: Chrome,
    checkpoint: Option<CheckpointView>,
    cosignatures: Vec<String>,
    by_agreement: Vec<LogAgreement>,
}

/// `GET /transparency`: the latest checkpoint with its cosignatures, how to verify the log, and
/// the leaves per agreement and month below it.
pub async fn transparency(State(state): State<AppState>, parts: Parts) -> Response {
    let visitor = match visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return response,
    };
    let log = match public_log(state.app(), &visitor.caller).await {
        Ok(log) => log,
        Err(error) => return error_page(&visitor, "/transparency", error),
    };
    let mut by_agreement: Vec<LogAgreement> = Vec::new();
    // The counts come sorted by agreement, month and kind: fold them into nested rows.
    for count in log.counts {
        if by_agreement
            .last()
            .is_none_or(|last| last.agreement != count.agreement)
        {
            by_agreement.push(LogAgreement {
                agreement: count.agreement.clone(),
                months: Vec::new(),
            });
        }
        let Some(agreement) = by_agreement.last_mut() else {
            continue;
        };
        if agreement
            .months
            .last()
            .is_none_or(|last| last.month != count.month)
        {
            agreement.months.push(MonthRow {
                month: count.month.clone(),
                total: 0,
                kinds: Vec::new(),
            });
        }
        if let Some(month) = agreement.months.last_mut() {
            month.total = month.total.saturating_add(count.leaves);
            month.kinds.push((count.kind, count.leaves));
        }
    }
    // The signature lines of the note: the log's own and the witnesses' cosignatures.
    let cosignatures = log
        .checkpoint
        .as_ref()
        .and_then(|checkpoint| checkpoint.note.split_once("\n\n"))
        .map(|(_, signatures)| {
            signatures
                .lines()
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    page(
        StatusCode::OK,
        &visitor,
        TransparencyPage {
            chrome: Chrome::of(&visitor, "/transparency"),
            checkpoint: log.checkpoint,
            cosignatures,
            by_agreement,
        },
    )
}

/// The latest release as the statistics page shows it.
#[derive(Debug)]
struct LatestRelease {
    id: String,
    period: String,
    corrects: Option<String>,
    published_at: String,
    checkpoint_origin: String,
    checkpoint_size: u64,
    checkpoint_root: String,
    /// (agreement id or `None` for the court holds, chart file name).
    charts: Vec<(Option<String>, String)>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    chrome: Chrome,
    latest: Option<LatestRelease>,
    earlier: Vec<(String, String)>,
    files: [&'static str; 4],
}

/// `GET /statistics`: the latest release (its period, checkpoint, charts, downloads and how to
/// verify it), or a page that says none is published yet.
pub async fn statistics(State(state): State<AppState>, parts: Parts) -> Response {
    let visitor = match visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return response,
    };
    match statistics_page(&state, &visitor).await {
        Ok(template) => page(StatusCode::OK, &visitor, template),
        Err(error) => error_page(&visitor, "/statistics", error),
    }
}

async fn statistics_page(state: &AppState, visitor: &Visitor) -> Result<StatisticsPage, ApiError> {
    let app = state.app();
    let releases = release::list(app, &visitor.caller).await?.releases;
    let latest = match releases.first() {
        None => None,
        Some(listing) => {
            let bytes = release::file(app, &visitor.caller, &listing.id, JSON_FILE).await?;
            let published: corridor_stats::release::Release = serde_json::from_slice(&bytes)
                .map_err(|error| {
                    ApiError::Internal(format!("release `{}`'s {JSON_FILE}: {error}", listing.id))
                })?;
            let mut charts: Vec<(Option<String>, String)> = published
                .agreements
                .iter()
                .map(|agreement| (Some(agreement.id.clone()), chart_name(&agreement.id)))
                .collect();
            let court_holds = chart_name(corridor_stats::measure::NO_AGREEMENT);
            if published
                .cells
                .iter()
                .any(|cell| cell.agreement == corridor_stats::measure::NO_AGREEMENT)
            {
                charts.push((None, court_holds));
            }
            Some(LatestRelease {
                id: listing.id.clone(),
                period: listing.period.clone(),
                corrects: listing.corrects.clone(),
                published_at: listing.published_at.clone(),
                checkpoint_origin: published.checkpoint.origin,
                checkpoint_size: published.checkpoint.size,
                checkpoint_root: published.checkpoint.root,
                charts,
            })
        }
    };
    Ok(StatisticsPage {
        chrome: Chrome::of(visitor, "/statistics"),
        latest,
        earlier: releases
            .iter()
            .skip(1)
            .map(|listing| (listing.id.clone(), listing.period.clone()))
            .collect(),
        files: [CSV_FILE, JSON_FILE, DATAPACKAGE_FILE, NOTE_FILE],
    })
}
