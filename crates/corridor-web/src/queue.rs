//! The work queue page (`GET /queue`): what waits for the signed-in account now, for its role,
//! from `corridor_app::queues::work_queue` exactly as `GET /api/queue` answers it (the same
//! policies, the same access records, the same field filter; cases passed over leave no trace
//! and no count on the page).
//!
//! The page shows the queue's own order (most urgent first), every date as a date and time in
//! UTC beside its machine-readable `<time datetime>`, and what is overdue in words, not in
//! colour alone. Each case links to its page (`/cases/{id}`); a case id is not personal data,
//! and no person's name is ever on this page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use corridor_api::AppState;
use corridor_app::monitoring::QueueItem;
use corridor_app::queues::{QueueCase, WorkQueue, work_queue};

use crate::account::signed_in_visitor;
use crate::i18n::Messages;
use crate::render::{Chrome, error_page, page};
use crate::visitor::Visitor;

/// The page's path.
pub const QUEUE_PATH: &str = "/queue";

/// A moment as the page shows it: words for people, the RFC 3339 text for `<time datetime>`.
#[derive(Debug, Clone)]
pub struct When {
    /// `2025-08-10 09:00 UTC`.
    pub human: String,
    /// The moment as the application gave it.
    pub machine: String,
}

/// `at` (RFC 3339) as a page shows it; text that is not a moment is shown as it is.
pub fn when(at: &str) -> When {
    let human = at
        .parse::<jiff::Timestamp>()
        .map(|moment| moment.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| at.to_owned());
    When {
        human,
        machine: at.to_owned(),
    }
}

/// One clock of a case.
#[derive(Debug)]
struct Clock {
    label: String,
    at: When,
    overdue: bool,
}

/// A case on a state's queue.
#[derive(Debug)]
struct CaseRow {
    case: String,
    agreement: String,
    status: String,
    nationality: Option<String>,
    clocks: Vec<Clock>,
    overdue: bool,
}

/// A transfer request awaiting the receiving state.
#[derive(Debug)]
struct RequestRow {
    case: String,
    agreement: String,
    status: String,
    nationality: Option<String>,
    reply_due: Option<When>,
    overdue: bool,
    silence: String,
}

/// A case an order matched.
#[derive(Debug)]
struct MatchedRow {
    case: String,
    agreement: String,
    status: String,
    pulled: bool,
}

/// A court order on its clerk's queue.
#[derive(Debug)]
struct HoldRow {
    hold: String,
    reference: String,
    court: String,
    status: String,
    cases: Vec<MatchedRow>,
}

/// One thing on a monitor's queue.
#[derive(Debug)]
struct MonitorRow {
    what: String,
    /// The case it concerns, linked to its page.
    case: Option<String>,
    /// A visit's or finding's id, when it concerns no case.
    subject: Option<String>,
    agreement: String,
    detail: String,
    at: Option<When>,
    overdue: bool,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "queue.html")]
struct QueuePage {
    chrome: Chrome,
    /// `cases`, `supervisor_approvals`, `transfer_requests`, `holds` or `monitoring`.
    kind: &'static str,
    /// What the queue is, in words.
    intro: String,
    /// The caption of its table.
    caption: String,
    at: When,
    truncated: bool,
    by_status: Vec<(String, u64)>,
    cases: Vec<CaseRow>,
    requests: Vec<RequestRow>,
    holds: Vec<HoldRow>,
    monitoring: Vec<MonitorRow>,
}

impl QueuePage {
    fn empty(chrome: Chrome, kind: &'static str, at: &str) -> Self {
        let intro = chrome.i.t(&format!("queue.intro_{kind}")).to_owned();
        let caption = chrome.i.t(&format!("queue.caption_{kind}")).to_owned();
        Self {
            chrome,
            kind,
            intro,
            caption,
            at: when(at),
            truncated: false,
            by_status: Vec::new(),
            cases: Vec::new(),
            requests: Vec::new(),
            holds: Vec::new(),
            monitoring: Vec::new(),
        }
    }
}

/// `GET /queue`: the signed-in account's work queue; a visitor without a session is sent to
/// sign in, and a role the policies give no queue gets the API's refusal.
pub async fn queue(State(state): State<AppState>, parts: Parts) -> Response {
    let visitor = match signed_in_visitor(&state, &parts).await {
        Ok(visitor) => visitor,
        Err(response) => return *response,
    };
    match work_queue(state.app(), &visitor.caller).await {
        Ok(queue) => page(StatusCode::OK, &visitor, queue_page(&visitor, queue)),
        Err(error) => error_page(&visitor, QUEUE_PATH, error),
    }
}

fn status_label(i: &Messages, status: &str) -> String {
    i.name_of("queue.status", status).to_owned()
}

fn case_row(i: &Messages, case: QueueCase, now: &str) -> CaseRow {
    let now = now.parse::<jiff::Timestamp>().ok();
    let clocks = &case.clocks;
    let mut shown = Vec::new();
    // A deadline at or before the moment the queue was computed has passed (its consequence
    // waits for the clocks' next tick): the page says so beside it.
    let passed = |at: &str| {
        now.zip(at.parse::<jiff::Timestamp>().ok())
            .is_some_and(|(now, at)| at <= now)
    };
    let mut clock = |key: &str, at: &Option<String>, deadline: bool| {
        if let Some(at) = at {
            shown.push(Clock {
                label: i.t(key).to_owned(),
                at: when(at),
                overdue: deadline && passed(at),
            });
        }
    };
    clock(
        "queue.clock_notice_period_ends",
        &clocks.notice_period_ends,
        false,
    );
    clock("queue.clock_reply_due", &clocks.reply_due, true);
    clock(
        "queue.clock_transfer_deadline",
        &clocks.transfer_deadline,
        true,
    );
    clock(
        "queue.clock_welfare_check_due",
        &clocks.welfare_check_due,
        false,
    );
    if let Some(since) = &clocks.welfare_check_overdue_since {
        shown.push(Clock {
            label: i.t("queue.clock_welfare_check_overdue_since").to_owned(),
            at: when(since),
            overdue: true,
        });
    }
    CaseRow {
        status: status_label(i, &case.status),
        case: case.case,
        agreement: case.agreement,
        nationality: case.nationality,
        clocks: shown,
        overdue: case.overdue,
    }
}

fn queue_page(visitor: &Visitor, queue: WorkQueue) -> QueuePage {
    let i = &visitor.messages;
    let chrome = Chrome::of(visitor, QUEUE_PATH);
    match queue {
        WorkQueue::Cases {
            at,
            cases,
            by_status,
            truncated,
        } => QueuePage {
            truncated,
            by_status: by_status
                .into_iter()
                .map(|(status, count)| (status_label(i, &status), count))
                .collect(),
            cases: cases
                .into_iter()
                .map(|case| case_row(i, case, &at))
                .collect(),
            ..QueuePage::empty(chrome, "cases", &at)
        },
        WorkQueue::SupervisorApprovals {
            at,
            cases,
            truncated,
        } => QueuePage {
            truncated,
            cases: cases
                .into_iter()
                .map(|case| case_row(i, case, &at))
                .collect(),
            ..QueuePage::empty(chrome, "supervisor_approvals", &at)
        },
        WorkQueue::TransferRequests {
            at,
            requests,
            truncated,
        } => QueuePage {
            truncated,
            requests: requests
                .into_iter()
                .map(|request| RequestRow {
                    status: status_label(i, &request.status),
                    silence: i.name_of("queue.silence", &request.on_silence).to_owned(),
                    case: request.case,
                    agreement: request.agreement,
                    nationality: request.nationality,
                    reply_due: request.reply_due.as_deref().map(when),
                    overdue: request.overdue,
                })
                .collect(),
            ..QueuePage::empty(chrome, "transfer_requests", &at)
        },
        WorkQueue::Holds {
            at,
            holds,
            truncated,
        } => QueuePage {
            truncated,
            holds: holds
                .into_iter()
                .map(|queued| HoldRow {
                    status: i.name_of("holds.status", &queued.hold.status).to_owned(),
                    hold: queued.hold.hold,
                    reference: queued.hold.reference,
                    court: queued.hold.court,
                    cases: queued
                        .cases
                        .into_iter()
                        .map(|matched| MatchedRow {
                            status: status_label(i, &matched.status),
                            case: matched.case,
                            agreement: matched.agreement,
                            pulled: matched.pulled,
                        })
                        .collect(),
                })
                .collect(),
            ..QueuePage::empty(chrome, "holds", &at)
        },
        WorkQueue::Monitoring { queue } => QueuePage {
            monitoring: queue
                .items
                .into_iter()
                .map(|item| monitor_row(i, item))
                .collect(),
            ..QueuePage::empty(chrome, "monitoring", &queue.at)
        },
    }
}

fn monitor_row(i: &Messages, item: QueueItem) -> MonitorRow {
    match item {
        QueueItem::WelfareCheck {
            case,
            agreement,
            due_at,
            window_ends_at,
            overdue,
        } => MonitorRow {
            what: i
                .t(if overdue {
                    "queue.monitor_welfare_overdue"
                } else {
                    "queue.monitor_welfare_due"
                })
                .to_owned(),
            case: Some(case),
            subject: None,
            agreement,
            detail: i.f1(
                "queue.monitor_window_ends",
                "at",
                when(&window_ends_at).human,
            ),
            at: Some(when(&due_at)),
            overdue,
        },
        QueueItem::WhereaboutsUnknown { case, agreement } => MonitorRow {
            what: i.t("queue.monitor_whereabouts").to_owned(),
            case: Some(case),
            subject: None,
            agreement,
            detail: String::new(),
            at: None,
            overdue: false,
        },
        QueueItem::Alert {
            case,
            agreement,
            reason,
            since,
            raised_at,
        } => MonitorRow {
            what: i.name_of("queue.alert", &reason).to_owned(),
            case: Some(case),
            subject: None,
            agreement,
            detail: i.f1("queue.monitor_alert_raised", "at", when(&raised_at).human),
            at: Some(when(&since)),
            overdue: false,
        },
        QueueItem::VisitPlanned {
            visit,
            agreement,
            on,
            place,
            announced,
        } => MonitorRow {
            what: i
                .t(if announced {
                    "queue.monitor_visit_announced"
                } else {
                    "queue.monitor_visit_unannounced"
                })
                .to_owned(),
            case: None,
            subject: Some(visit),
            agreement,
            detail: place,
            at: Some(When {
                human: on.clone(),
                machine: on,
            }),
            overdue: false,
        },
        QueueItem::Complaint {
            complaint,
            agreement,
            status,
            lodged_at,
        } => MonitorRow {
            what: i.t("queue.monitor_complaint").to_owned(),
            case: None,
            subject: Some(complaint),
            agreement,
            detail: i.f1(
                "queue.monitor_complaint_detail",
                "status",
                i.name_of("queue.complaint_status", &status),
            ),
            at: Some(when(&lodged_at)),
            overdue: false,
        },
        QueueItem::FindingResponse {
            finding,
            agreement,
            severity,
            party,
            due_at,
            overdue,
        } => MonitorRow {
            what: i.t("queue.monitor_finding_response").to_owned(),
            case: None,
            subject: Some(finding),
            agreement,
            detail: i.f2(
                "queue.monitor_finding_detail",
                "party",
                party,
                "severity",
                severity,
            ),
            at: due_at.as_deref().map(when),
            overdue,
        },
    }
}
