//! Work queues: what waits for a caller now, for the caller's one role, computed when asked and
//! never stored; and the dry run of a court order before a clerk registers it.
//!
//! - a sending-state officer (or adjudicator): their state's open cases with their clocks
//!   (notice period, reply, transfer deadline, welfare checks), most urgent first;
//! - a sending-state supervisor: the cases the domain would let them approve for scheduling now
//!   (the decider is asked, so separation of duties and every other rule of `approve` hold);
//! - a receiving-state official: the transfer requests awaiting their state's answer, each with
//!   its reply deadline and what silence means under the agreement's terms;
//! - a court clerk: their court's orders, each with the cases it matched and those it pulled;
//! - a monitor: the monitoring body's queue ([`monitoring_queue`]).
//!
//! Which cases a queue shows is decided as a list of cases is ([`crate::service::list_cases`]):
//! `list_cases` on every agreement, each decision recorded (a caller who may list none is
//! refused, as the list is); then `read_case` on each case, filtered without a trace
//! ([`authorize::may`]) and recorded, for the cases shown only, in one commit. So a case passed
//! over leaves no record, count or sign in the answer, and a receiving official never learns of
//! a case not yet requested of their state. What is shown of a case passes through the field
//! filter ([`disclose`]): the status and version the caller is told, and only the fields their
//! disclosure allows. A clerk's queue is decided as the holds list is (`list_holds`, then
//! `read_hold` per order), and its cases as above.
//!
//! Clocks come from the domain ([`corridor_domain::clock`]), at the moment asked. A queue reads
//! the store a fixed number of times, however many cases there are: the agreements, the holds,
//! and the cases in one batch ([`corridor_store::Store::cases_in`]) of at most
//! [`QUEUE_CASES_MAX`] (`truncated` says when as many were shown).

use std::collections::BTreeMap;

use corridor_authz::{Action, HoldFacts, ResourceFacts};
use corridor_domain::clock::{
    WelfareState, earliest_departure, next_party_deadline, transfer_deadline, welfare_schedule,
};
use corridor_domain::terms::Terms;
use corridor_domain::{
    Actor, AgreementState, Case, CaseStatus, Command, Context, EventBody, Hold, HoldId, Outcome,
    Role, Snapshot,
};
use corridor_store::CaseSet;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::answers::HoldView;
use crate::authorize::{self, authorize, authorize_each};
use crate::caller::Caller;
use crate::disclosure::{Disclosure, disclose};
use crate::error::AppError;
use crate::execute::{case_facts_with, hold_facts, random_u64};
use crate::limits::QUEUE_CASES_MAX;
use crate::monitoring::{MonitoringQueue, monitoring_queue};
use crate::service::{NewHold, listable_agreement_states};
use crate::state::App;
use crate::views::told_version;

/// A caller's work queue: one kind per role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkQueue {
    /// A sending-state officer's (or adjudicator's) open cases, most urgent first.
    Cases {
        /// The moment the queue was computed at.
        at: String,
        /// The cases: overdue first (longest overdue first), then by their soonest deadline,
        /// then those with none, by id.
        cases: Vec<QueueCase>,
        /// How many of them are in each status the caller is told, by status.
        by_status: BTreeMap<String, u64>,
        /// As many cases were shown as a queue holds ([`QUEUE_CASES_MAX`]): there may be more.
        truncated: bool,
    },
    /// The transfers a sending-state supervisor may approve for scheduling now.
    SupervisorApprovals {
        /// The moment the queue was computed at.
        at: String,
        /// The cases, ordered as in `cases`.
        cases: Vec<QueueCase>,
        /// As many cases were shown as a queue holds: there may be more.
        truncated: bool,
    },
    /// The transfer requests awaiting a receiving state's answer, soonest reply deadline first.
    TransferRequests {
        /// The moment the queue was computed at.
        at: String,
        /// The requests.
        requests: Vec<TransferRequestItem>,
        /// As many requests were shown as a queue holds: there may be more.
        truncated: bool,
    },
    /// A court clerk's orders (their court's), each with the cases it matched.
    Holds {
        /// The moment the queue was computed at.
        at: String,
        /// The orders, by id.
        holds: Vec<QueueHold>,
        /// As many cases were shown as a queue holds: there may be more.
        truncated: bool,
    },
    /// A monitor's queue: the monitoring body's work (`GET /api/monitoring/queue`).
    Monitoring {
        /// The queue.
        queue: MonitoringQueue,
    },
}

/// A case on a sending-state queue, as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QueueCase {
    /// The case.
    pub case: String,
    /// Its agreement.
    pub agreement: String,
    /// Its status, as the caller is told it.
    pub status: String,
    /// Its version, as the caller is told it.
    pub version: u64,
    /// The person's nationality, where the caller may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Its clocks now.
    pub clocks: CaseClocks,
    /// Whether a deadline has passed (the clock's consequence waits for the next tick) or a
    /// welfare check's window closed with no check.
    pub overdue: bool,
}

/// A case's clocks at the moment asked (absent: not running).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct CaseClocks {
    /// When the notice period (lead time and fear-claim window) has run: the earliest departure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_period_ends: Option<String>,
    /// When the receiving state's reply is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_due: Option<String>,
    /// When the transfer deadline runs out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_deadline: Option<String>,
    /// When the next welfare check not yet done falls due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub welfare_check_due: Option<String>,
    /// When the earliest welfare check whose window closed with no check fell due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub welfare_check_overdue_since: Option<String>,
}

/// A transfer request awaiting the receiving state's answer, as its official may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransferRequestItem {
    /// The case.
    pub case: String,
    /// Its agreement.
    pub agreement: String,
    /// Its status, as the official is told it.
    pub status: String,
    /// Its version, as the official is told it.
    pub version: u64,
    /// The person's nationality, where the agreement shares it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// When the reply is due (absent where the terms set no reply deadline).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_due: Option<String>,
    /// Whether the reply deadline has passed (its consequence waits for the next tick).
    pub overdue: bool,
    /// What silence means under the case's terms: `accepted` (silence accepts at the reply
    /// deadline), `lapses` (the request lapses), or `nothing` (the terms set no reply deadline).
    pub on_silence: String,
}

/// A court order on its clerk's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QueueHold {
    /// The order.
    pub hold: HoldView,
    /// The cases it matched, as the clerk may see them, by id.
    pub cases: Vec<MatchedCase>,
}

/// A case an order matched, as the order's clerk may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatchedCase {
    /// The case.
    pub case: String,
    /// Its agreement.
    pub agreement: String,
    /// Its status, as the clerk is told it.
    pub status: String,
    /// Whether the order pulled it: took it off the schedule, or recalled it in transit.
    pub pulled: bool,
}

/// What registering an order would do now, decided by the domain and written nowhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HoldDryRun {
    /// The moment it was decided at.
    pub at: String,
    /// How many cases the order would be found to cover now (scheduled or in transit: the
    /// cases registering reads; later cases are matched as they are proposed).
    pub matched: u64,
    /// Of those, how many scheduled cases it would take off the schedule.
    pub would_pull: u64,
    /// Of those, how many cases in transit it would recall.
    pub would_recall: u64,
}

/// The caller's work queue, for their role. A role with no queue of its own is answered as a
/// list of cases answers it: refused (`list_cases`, recorded) where the policies let it list no
/// agreement's cases.
pub async fn work_queue(state: &App, caller: &Caller) -> Result<WorkQueue, AppError> {
    let actor = caller.authenticated()?.clone();
    match actor.role {
        Role::Monitor => Ok(WorkQueue::Monitoring {
            queue: monitoring_queue(state, caller).await?,
        }),
        Role::CourtClerk => clerk_queue(state, caller, &actor).await,
        Role::SendingSupervisor => supervisor_queue(state, caller, &actor).await,
        Role::ReceivingOfficer => receiving_queue(state, caller, &actor).await,
        _ => sending_queue(state, caller, &actor).await,
    }
}

/// A case read for a queue, with what the caller is shown of it and the facts its read is
/// recorded under.
struct Shown<'a> {
    case: &'a Case,
    agreement: &'a AgreementState,
    terms: &'a Terms,
    disclosure: Disclosure,
    facts: ResourceFacts,
}

/// The cases of `agreements` in `statuses` that the caller may read, with what they are shown
/// of each, keeping those `keep` accepts; nothing is recorded here ([`record_shown`]).
async fn readable_cases<'a>(
    state: &App,
    caller: &Caller,
    actor: &Actor,
    cases: &'a [(Case, std::sync::Arc<AgreementState>)],
    holds: &[Hold],
    keep: impl Fn(&Case, &AgreementState, &Terms) -> bool,
) -> Result<Vec<Shown<'a>>, AppError> {
    let mut shown = Vec::new();
    for (case, agreement) in cases {
        let agreement: &AgreementState = agreement;
        let Some(terms) = agreement.terms(case.terms_version) else {
            continue;
        };
        let Some(latest) = agreement.latest() else {
            continue;
        };
        let facts = case_facts_with(case, agreement, holds)?;
        if !authorize::may(state, caller, Action::ReadCase, &facts) {
            continue;
        }
        if !keep(case, agreement, terms) {
            continue;
        }
        shown.push(Shown {
            case,
            agreement,
            terms,
            disclosure: disclose(actor, case, latest),
            facts,
        });
    }
    Ok(shown)
}

/// Records the reads of the cases a queue shows, in one commit.
async fn record_shown(state: &App, caller: &Caller, shown: &[Shown<'_>]) -> Result<(), AppError> {
    let facts: Vec<ResourceFacts> = shown.iter().map(|one| one.facts.clone()).collect();
    authorize_each(state, caller, Action::ReadCase, &facts).await?;
    Ok(())
}

/// The cases of `agreements` in `statuses`, read at once.
async fn read_cases(
    state: &App,
    agreements: &[AgreementState],
    statuses: Vec<CaseStatus>,
) -> Result<Vec<(Case, std::sync::Arc<AgreementState>)>, AppError> {
    Ok(state
        .store()
        .cases_in(&CaseSet {
            agreements: agreements.iter().map(|a| a.id.clone()).collect(),
            statuses,
            limit: QUEUE_CASES_MAX,
        })
        .await?)
}

fn open_statuses() -> Vec<CaseStatus> {
    CaseStatus::ALL
        .into_iter()
        .filter(|status| !status.is_final())
        .collect()
}

async fn sending_queue(state: &App, caller: &Caller, actor: &Actor) -> Result<WorkQueue, AppError> {
    let agreements = listable_agreement_states(state, caller).await?;
    let holds: Vec<Hold> = state.store().holds().await?.into_values().collect();
    let cases = read_cases(state, &agreements, open_statuses()).await?;
    let shown = readable_cases(state, caller, actor, &cases, &holds, |_, _, _| true).await?;
    record_shown(state, caller, &shown).await?;
    let now = state.now();
    let cases = by_urgency(shown.iter().map(|one| queue_case(one, now)).collect());
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    for case in &cases {
        *by_status.entry(case.status.clone()).or_default() += 1;
    }
    Ok(WorkQueue::Cases {
        at: now.to_string(),
        truncated: cases.len() >= QUEUE_CASES_MAX as usize,
        cases,
        by_status,
    })
}

async fn supervisor_queue(
    state: &App,
    caller: &Caller,
    actor: &Actor,
) -> Result<WorkQueue, AppError> {
    let agreements = listable_agreement_states(state, caller).await?;
    let holds: Vec<Hold> = state.store().holds().await?.into_values().collect();
    let statuses = CaseStatus::ALL
        .into_iter()
        .filter(|status| {
            !status.is_final() && !status.is_after_arrival() && *status != CaseStatus::InTransit
        })
        .collect();
    let cases = read_cases(state, &agreements, statuses).await?;
    let context = Context {
        now: state.now(),
        actor: actor.clone(),
    };
    let skew = state.store().clock_skew();
    // A case waits for a supervisor until one approved it; the decider says whether this
    // supervisor's approval would be accepted now: every rule of `approve` (separation of
    // duties included) is the domain's, not repeated here.
    let would_approve = |case: &Case, agreement: &AgreementState, _: &Terms| {
        if case.supervisor_approval.is_some() {
            return false;
        }
        let mut snapshot = Snapshot {
            clock_skew: skew,
            ..Snapshot::default()
        };
        snapshot
            .agreements
            .insert(agreement.id.clone(), agreement.clone());
        snapshot.cases.insert(case.id, case.clone());
        corridor_domain::decide(&snapshot, &Command::Approve { case: case.id }, &context).is_ok()
    };
    let shown = readable_cases(state, caller, actor, &cases, &holds, would_approve).await?;
    record_shown(state, caller, &shown).await?;
    let now = state.now();
    let cases = by_urgency(shown.iter().map(|one| queue_case(one, now)).collect());
    Ok(WorkQueue::SupervisorApprovals {
        at: now.to_string(),
        truncated: cases.len() >= QUEUE_CASES_MAX as usize,
        cases,
    })
}

async fn receiving_queue(
    state: &App,
    caller: &Caller,
    actor: &Actor,
) -> Result<WorkQueue, AppError> {
    let agreements = listable_agreement_states(state, caller).await?;
    let holds: Vec<Hold> = state.store().holds().await?.into_values().collect();
    let cases = read_cases(state, &agreements, vec![CaseStatus::Requested]).await?;
    let shown = readable_cases(state, caller, actor, &cases, &holds, |_, _, _| true).await?;
    record_shown(state, caller, &shown).await?;
    let now = state.now();
    let mut requests: Vec<(Option<Timestamp>, TransferRequestItem)> = shown
        .iter()
        .map(|one| {
            let reply_due = next_party_deadline(one.case, one.terms);
            let on_silence = match (
                one.terms.clocks.reply_deadline,
                one.terms.clocks.silence_accepts,
            ) {
                (None, _) => "nothing",
                (Some(_), true) => "accepted",
                (Some(_), false) => "lapses",
            };
            (
                reply_due,
                TransferRequestItem {
                    case: one.case.id.to_string(),
                    agreement: one.agreement.id.to_string(),
                    status: one.disclosure.status(one.case.status).as_str().to_owned(),
                    version: told_version(one.case, one.agreement, &one.disclosure),
                    nationality: one
                        .disclosure
                        .nationality
                        .then(|| one.case.rule.nationality.to_string()),
                    reply_due: reply_due.map(|at| at.to_string()),
                    overdue: reply_due.is_some_and(|at| at <= now),
                    on_silence: on_silence.to_owned(),
                },
            )
        })
        .collect();
    requests.sort_by(|(a, item_a), (b, item_b)| {
        (a.is_none(), a, &item_a.case).cmp(&(b.is_none(), b, &item_b.case))
    });
    Ok(WorkQueue::TransferRequests {
        at: now.to_string(),
        truncated: requests.len() >= QUEUE_CASES_MAX as usize,
        requests: requests.into_iter().map(|(_, item)| item).collect(),
    })
}

async fn clerk_queue(state: &App, caller: &Caller, actor: &Actor) -> Result<WorkQueue, AppError> {
    authorize(state, caller, Action::ListHolds, &ResourceFacts::Service).await?;
    let holds: Vec<Hold> = state.store().holds().await?.into_values().collect();
    let every: Vec<&Hold> = holds.iter().collect();
    let facts = hold_facts(state, &every).await?;
    let own: Vec<&Hold> = holds
        .iter()
        .zip(&facts)
        .filter(|(_, facts)| authorize::knows(state, caller, Action::ReadHold, facts))
        .map(|(hold, _)| hold)
        .collect();
    let effects = state.store().hold_effects().await?;
    let mut ids: Vec<corridor_domain::CaseId> = own
        .iter()
        .filter_map(|hold| effects.get(&hold.id))
        .flat_map(|cases| cases.keys().copied())
        .collect();
    ids.sort();
    ids.dedup();
    ids.truncate(QUEUE_CASES_MAX as usize);
    let cases = state.store().cases_named(&ids).await?;
    let shown = readable_cases(state, caller, actor, &cases, &holds, |_, _, _| true).await?;
    record_shown(state, caller, &shown).await?;
    let shown_by_id: BTreeMap<corridor_domain::CaseId, &Shown<'_>> =
        shown.iter().map(|one| (one.case.id, one)).collect();
    let queue_holds = own
        .iter()
        .map(|hold| QueueHold {
            hold: HoldView::of(hold),
            cases: matched_cases(effects.get(&hold.id), &shown_by_id),
        })
        .collect();
    Ok(WorkQueue::Holds {
        at: state.now().to_string(),
        holds: queue_holds,
        truncated: ids.len() >= QUEUE_CASES_MAX as usize,
    })
}

/// The cases one order matched that the clerk is shown, by id.
fn matched_cases(
    effects: Option<&BTreeMap<corridor_domain::CaseId, bool>>,
    shown: &BTreeMap<corridor_domain::CaseId, &Shown<'_>>,
) -> Vec<MatchedCase> {
    effects
        .into_iter()
        .flatten()
        .filter_map(|(id, pulled)| {
            let one = shown.get(id)?;
            Some(MatchedCase {
                case: id.to_string(),
                agreement: one.agreement.id.to_string(),
                status: one.disclosure.status(one.case.status).as_str().to_owned(),
                pulled: *pulled,
            })
        })
        .collect()
}

/// A case on a sending-state queue, with its clocks at `now`.
fn queue_case(one: &Shown<'_>, now: Timestamp) -> (UrgencyKey, QueueCase) {
    let (case, terms) = (one.case, one.terms);
    let before_departure = matches!(
        case.status,
        CaseStatus::Noticed
            | CaseStatus::ProtectionClaimed
            | CaseStatus::Requested
            | CaseStatus::Accepted
            | CaseStatus::Scheduled
    );
    let notice_period_ends = before_departure
        .then(|| earliest_departure(case, terms))
        .flatten();
    // While a request waits, the one party clock running is the reply's.
    let reply_due = (case.status == CaseStatus::Requested)
        .then(|| next_party_deadline(case, terms))
        .flatten();
    let transfer = matches!(case.status, CaseStatus::Accepted | CaseStatus::Scheduled)
        .then(|| transfer_deadline(case, terms))
        .flatten();
    let schedule = welfare_schedule(case, terms, now);
    let welfare_due = schedule
        .iter()
        .find(|item| matches!(item.state, WelfareState::Upcoming | WelfareState::Due))
        .map(|item| item.due_at);
    let welfare_overdue = schedule
        .iter()
        .find(|item| item.state == WelfareState::Overdue)
        .map(|item| item.due_at);
    let deadlines = [reply_due, transfer, welfare_due];
    // A welfare check due now is not late until its window closes (`Overdue`).
    let passed = [reply_due, transfer]
        .into_iter()
        .flatten()
        .filter(|at| *at <= now)
        .min();
    let overdue_since = match (passed, welfare_overdue) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let key = match overdue_since {
        Some(since) => (0, Some(since)),
        None => match deadlines.iter().flatten().min() {
            Some(soonest) => (1, Some(*soonest)),
            None => (2, None),
        },
    };
    let item = QueueCase {
        case: case.id.to_string(),
        agreement: one.agreement.id.to_string(),
        status: one.disclosure.status(case.status).as_str().to_owned(),
        version: told_version(case, one.agreement, &one.disclosure),
        nationality: one
            .disclosure
            .nationality
            .then(|| case.rule.nationality.to_string()),
        clocks: CaseClocks {
            notice_period_ends: notice_period_ends.map(|at| at.to_string()),
            reply_due: reply_due.map(|at| at.to_string()),
            transfer_deadline: transfer.map(|at| at.to_string()),
            welfare_check_due: welfare_due.map(|at| at.to_string()),
            welfare_check_overdue_since: welfare_overdue.map(|at| at.to_string()),
        },
        overdue: overdue_since.is_some(),
    };
    (key, item)
}

/// How urgent a case is: overdue (0, since when), due (1, when), or without a deadline (2).
type UrgencyKey = (u8, Option<Timestamp>);

fn by_urgency(mut cases: Vec<(UrgencyKey, QueueCase)>) -> Vec<QueueCase> {
    cases.sort_by(|(a, case_a), (b, case_b)| (a, &case_a.case).cmp(&(b, &case_b.case)));
    cases.into_iter().map(|(_, case)| case).collect()
}

/// What registering `order` would do now: how many cases it would match, pull off the schedule
/// and recall, decided by the domain's decider on what registering reads, with nothing
/// written but the decision's access record. Decided by the policies as registering is
/// (`register_hold` on the order's court, recorded), and refused as registering would be:
/// the same typed refusal.
pub async fn hold_dry_run(
    state: &App,
    caller: &Caller,
    order: NewHold,
) -> Result<HoldDryRun, AppError> {
    let actor = caller.authenticated()?.clone();
    let hold = HoldId::from_u64(random_u64()?);
    let resource = ResourceFacts::Hold(HoldFacts {
        id: hold,
        court: order.court.clone(),
        sending_states: std::collections::BTreeSet::new(),
    });
    authorize(state, caller, Action::RegisterHold, &resource).await?;
    let command = Command::RegisterHold {
        hold,
        court: order.court,
        reference: order.reference,
        scope: order.scope,
        depends_on: order.depends_on,
    };
    let now = state.now();
    let context = Context { now, actor };
    match state
        .store()
        .decide_without_writing(&command, &context)
        .await?
    {
        Outcome::Accepted(events) => {
            let count = |wanted: fn(&EventBody) -> bool| {
                events.iter().filter(|event| wanted(&event.body)).count() as u64
            };
            Ok(HoldDryRun {
                at: now.to_string(),
                matched: count(|body| matches!(body, EventBody::HoldMatched { .. })),
                would_pull: count(|body| matches!(body, EventBody::TransferUnscheduled { .. })),
                would_recall: count(|body| matches!(body, EventBody::Recalled { .. })),
            })
        }
        Outcome::Refused { refusal, .. } => Err(AppError::Refused(refusal)),
    }
}

/// The court whose orders `caller` may register, for the form a clerk drafts an order in: the
/// court the caller's account acts for, decided by the policies as registering an order of that
/// court is (`register_hold`, recorded), so a caller who could not register one is refused
/// here with registering's own error before drafting anything.
pub async fn hold_court(state: &App, caller: &Caller) -> Result<String, AppError> {
    let actor = caller.authenticated()?;
    let court = match &actor.party {
        corridor_domain::Party::Court(court) => court.clone(),
        _ => String::new(),
    };
    let resource = ResourceFacts::Hold(HoldFacts {
        id: HoldId::from_u64(random_u64()?),
        court: court.clone(),
        sending_states: std::collections::BTreeSet::new(),
    });
    authorize(state, caller, Action::RegisterHold, &resource).await?;
    Ok(court)
}
