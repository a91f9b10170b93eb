//! The monitoring body's work (docs/monitoring.md): visits, findings and the responses to them,
//! and the monitor's queue; with their typed answers.
//!
//! Every record belongs to one agreement, which is the resource the policies decide on
//! (`schedule_visit`, `record_visit`, `read_visits`, `record_finding`, `respond_to_finding`,
//! `close_finding`, `read_findings`); the queue is `read_monitoring_queue` on the service. What
//! a party sees is filtered here, in one place ([`visit_view`], [`finding_view`]):
//!
//! - a visit: the monitoring body sees every one; the agreement's states see an announced visit
//!   once it is scheduled and an unannounced one once it is recorded;
//! - a finding: the monitoring body sees every one; a state sees those addressed to it, with its
//!   own response and not the other state's;
//! - the receiving state never sees a case id of a case not yet requested of it
//!   (docs/domain.md §6): such ids are dropped from what it sees, and nothing says that any was.

use std::collections::{BTreeMap, BTreeSet};

use corridor_authz::{Action, ResourceFacts};
use corridor_domain::clock::{ResponseState, WelfareState, finding_responses, welfare_schedule};
use corridor_domain::monitoring::{
    AddressedParty, Finding, FindingCategory, FindingFacts, FindingOutcome, Seen, Severity, Visit,
    VisitPlan,
};
use corridor_domain::terms::AgreementId;
use corridor_domain::{
    AgreementState, CaseId, CaseStatus, Command, ComplaintStatus, EventBody, FindingId,
    MonitorAlert, Party, Refusal, Role, StreamId, VisitId, WelfareOutcome,
};
use corridor_store::CaseSet;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::answers::CommandOutcome;
use crate::authorize::{self, authorize, authorize_each};
use crate::caller::Caller;
use crate::error::AppError;
use crate::execute::{
    agreement_facts, case_facts_with, every_hold, execute, load_agreement, random_u64,
};
use crate::limits::QUEUE_CASES_MAX;
use crate::state::App;

// ----- answers ------------------------------------------------------------------------------

/// Who was seen on a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SeenView {
    /// People seen, by their case.
    pub cases: Vec<String>,
    /// Others seen, each as a short label.
    pub others: Vec<String>,
}

/// A visit as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VisitView {
    /// The visit id.
    pub visit: String,
    /// The agreement.
    pub agreement: String,
    /// Whether the parties were told of it in advance.
    pub announced: bool,
    /// The day.
    pub on: String,
    /// The place.
    pub place: String,
    /// The cases it concerns (none: the place as a whole).
    pub cases: Vec<String>,
    /// `planned` until it is recorded, then `recorded`.
    pub status: String,
    /// When it was scheduled, if it was scheduled before it was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_at: Option<String>,
    /// When it was recorded as made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
    /// Who was seen, once recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen: Option<SeenView>,
}

/// The visits of an agreement the caller may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VisitsView {
    /// The visits, by day, then id.
    pub visits: Vec<VisitView>,
}

/// A recorded visit or finding: its id, what was appended, and whether an earlier request with
/// the same idempotency key had made it (`replayed`, nothing appended now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonitoringRecorded {
    /// The visit or finding id.
    pub id: String,
    /// What was appended.
    pub outcome: CommandOutcome,
    /// Whether this repeats an earlier request with the same `Idempotency-Key`.
    pub replayed: bool,
}

/// One party's response, as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResponseView {
    /// `sending_state` or `receiving_state`.
    pub party: String,
    /// When it is due (absent where the terms set no period).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
    /// `awaited`, `overdue`, `responded` or `closed` (closed without it).
    pub state: String,
    /// When it was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responded_at: Option<String>,
    /// Who gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// What the party said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A finding as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FindingView {
    /// The finding id.
    pub finding: String,
    /// The agreement.
    pub agreement: String,
    /// The cases it concerns (none: the agreement as a whole).
    pub cases: Vec<String>,
    /// What it is about (`onward_removal_risk`, `living_conditions`, …).
    pub category: String,
    /// `information`, `concern`, `serious` or `critical`.
    pub severity: String,
    /// The monitor's text.
    pub text: String,
    /// The states it is addressed to.
    pub addressed: Vec<String>,
    /// When it was recorded.
    pub recorded_at: String,
    /// `open` or `closed`.
    pub status: String,
    /// How it was closed (`accepted`, `not_accepted`, `escalated_to_joint_committee`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// When it was closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    /// Whether it holds the cases it names now (the monitor's hold; shown to the monitoring body).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub holds_cases: bool,
    /// The responses the caller may see: every one for the monitoring body, its own for a state.
    pub responses: Vec<ResponseView>,
}

/// The findings of an agreement the caller may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FindingsView {
    /// The findings, oldest first.
    pub findings: Vec<FindingView>,
}

/// One thing on the monitor's queue. One enum with a `kind`, so that other kinds (alerts) can
/// join it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QueueItem {
    /// A welfare check due now, or whose window closed with no check.
    WelfareCheck {
        /// The case.
        case: String,
        /// Its agreement.
        agreement: String,
        /// When it fell due.
        due_at: String,
        /// When its window closes (closed).
        window_ends_at: String,
        /// Whether its window closed with no check.
        overdue: bool,
    },
    /// A person whose whereabouts are unknown.
    WhereaboutsUnknown {
        /// The case.
        case: String,
        /// Its agreement.
        agreement: String,
    },
    /// An alert raised by the clocks (`monitor_alert_raised`) that still stands: missed checks
    /// until a check that saw the person is recorded after it, whereabouts unknown until they
    /// are known again.
    Alert {
        /// The case.
        case: String,
        /// Its agreement.
        agreement: String,
        /// `missed_checks` or `whereabouts_unknown`.
        reason: String,
        /// Since when the condition has held.
        since: String,
        /// When the alert was raised.
        raised_at: String,
    },
    /// A visit scheduled or planned and not yet recorded.
    VisitPlanned {
        /// The visit.
        visit: String,
        /// Its agreement.
        agreement: String,
        /// The day.
        on: String,
        /// The place.
        place: String,
        /// Whether it is announced.
        announced: bool,
    },
    /// A complaint the monitoring body has not finished with (received or under review), oldest
    /// first among what is due: its id, agreement and status, never its text or who lodged it.
    Complaint {
        /// The complaint.
        complaint: String,
        /// Its agreement.
        agreement: String,
        /// `received` or `under_review`.
        status: String,
        /// When it was lodged.
        lodged_at: String,
    },
    /// A response to a finding, awaited or overdue.
    FindingResponse {
        /// The finding.
        finding: String,
        /// Its agreement.
        agreement: String,
        /// Its severity.
        severity: String,
        /// The party whose response is awaited.
        party: String,
        /// When it is due (absent where the terms set no period).
        #[serde(skip_serializing_if = "Option::is_none")]
        due_at: Option<String>,
        /// Whether the period has run.
        overdue: bool,
    },
}

/// The monitor's queue, most urgent first: what is overdue (by how long ago it fell due), then
/// people whose whereabouts are unknown, then what is due (by when), then visits planned (by
/// day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonitoringQueue {
    /// The moment the queue was computed at.
    pub at: String,
    /// The items.
    pub items: Vec<QueueItem>,
}

/// A finding's response whose period has run, as `tick` lists it: the finding and the party,
/// never its text or cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OverdueResponse {
    /// The finding.
    pub finding: String,
    /// Its agreement.
    pub agreement: String,
    /// The party whose response is overdue.
    pub party: String,
    /// When it was due.
    pub due_at: String,
}

/// What `tick` did, and the responses to findings that are overdue now (computed, not
/// recorded: an overdue response is a fact of the clock, not an event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TickOutcome {
    /// What the clocks caused.
    #[serde(flatten)]
    pub outcome: CommandOutcome,
    /// The responses to findings overdue now.
    #[serde(default)]
    pub overdue_responses: Vec<OverdueResponse>,
}

// ----- inputs -------------------------------------------------------------------------------

/// A visit to schedule (announced) or plan (unannounced), or to record as made.
#[derive(Debug, Clone)]
pub struct NewVisit {
    /// Whether the parties are told of it in advance.
    pub announced: bool,
    /// The day.
    pub on: Date,
    /// The place.
    pub place: String,
    /// The cases it concerns.
    pub cases: BTreeSet<CaseId>,
    /// The client's name for this request (`Idempotency-Key`), for a new visit.
    pub idempotency_key: Option<String>,
}

/// A finding to record.
#[derive(Debug, Clone)]
pub struct NewFinding {
    /// The cases it concerns (none: the agreement as a whole).
    pub cases: BTreeSet<CaseId>,
    /// What it is about.
    pub category: FindingCategory,
    /// How grave it is.
    pub severity: Severity,
    /// The text.
    pub text: String,
    /// The states it is addressed to.
    pub addressed: BTreeSet<AddressedParty>,
    /// The client's name for this request (`Idempotency-Key`).
    pub idempotency_key: Option<String>,
}

// ----- who sees what ------------------------------------------------------------------------

/// What the caller is, for the filter: the monitoring body, or one of the agreement's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Viewer {
    Monitor,
    State(AddressedParty),
}

fn viewer(caller: &Caller) -> Result<Viewer, AppError> {
    let actor = caller.authenticated()?;
    match (actor.role, AddressedParty::of_role(actor.role)) {
        (Role::Monitor, _) => Ok(Viewer::Monitor),
        (_, Some(party)) => Ok(Viewer::State(party)),
        _ => Err(AppError::Internal(format!(
            "the policies let a {} read monitoring records",
            actor.role
        ))),
    }
}

/// The cases of the agreement requested of its receiving state (the only ones it may know of).
async fn requested_cases(
    state: &App,
    cases: impl IntoIterator<Item = CaseId>,
) -> Result<BTreeSet<CaseId>, AppError> {
    let mut requested = BTreeSet::new();
    for id in cases {
        if let Some((case, _)) = state.store().case(id).await?
            && case.requested_at.is_some()
        {
            requested.insert(id);
        }
    }
    Ok(requested)
}

/// The case ids the viewer may see, of those named.
fn shown_cases(
    viewer: Viewer,
    cases: &BTreeSet<CaseId>,
    requested: &BTreeSet<CaseId>,
) -> Vec<String> {
    cases
        .iter()
        .filter(|id| {
            viewer != Viewer::State(AddressedParty::ReceivingState) || requested.contains(id)
        })
        .map(ToString::to_string)
        .collect()
}

/// A visit as the viewer sees it, or `None` where it may not see it yet.
fn visit_view(visit: &Visit, viewer: Viewer, requested: &BTreeSet<CaseId>) -> Option<VisitView> {
    if viewer != Viewer::Monitor && !visit.visible_to_parties() {
        return None;
    }
    Some(VisitView {
        visit: visit.id.to_string(),
        agreement: visit.plan.agreement.to_string(),
        announced: visit.plan.announced,
        on: visit.plan.on.to_string(),
        place: visit.plan.place.clone(),
        cases: shown_cases(viewer, &visit.plan.cases, requested),
        status: if visit.recorded.is_some() {
            "recorded"
        } else {
            "planned"
        }
        .to_owned(),
        scheduled_at: visit.scheduled_at.map(|at| at.to_string()),
        recorded_at: visit.recorded.as_ref().map(|(at, _)| at.to_string()),
        seen: visit.recorded.as_ref().map(|(_, seen)| SeenView {
            cases: shown_cases(viewer, &seen.cases, requested),
            others: seen.others.clone(),
        }),
    })
}

/// A finding as the viewer sees it at `now`, or `None` where it is not addressed to it.
fn finding_view(
    finding: &Finding,
    agreement: &AgreementState,
    viewer: Viewer,
    requested: &BTreeSet<CaseId>,
    now: Timestamp,
) -> Option<FindingView> {
    if let Viewer::State(party) = viewer
        && !finding.facts.addressed.contains(&party)
    {
        return None;
    }
    let clocks = agreement
        .latest()
        .map(|latest| finding_responses(finding, &latest.terms, now))
        .unwrap_or_default();
    let responses = clocks
        .iter()
        .filter(|clock| viewer == Viewer::Monitor || viewer == Viewer::State(clock.party))
        .map(|clock| {
            let given = finding.responses.get(&clock.party);
            ResponseView {
                party: clock.party.to_string(),
                due_at: clock.due_at.map(|at| at.to_string()),
                state: clock.state.as_str().to_owned(),
                responded_at: given.map(|response| response.at.to_string()),
                by: given.and_then(|response| response.by.as_ref().map(ToString::to_string)),
                text: given.map(|response| response.text.clone()),
            }
        })
        .collect();
    Some(FindingView {
        finding: finding.id.to_string(),
        agreement: finding.facts.agreement.to_string(),
        cases: shown_cases(viewer, &finding.facts.cases, requested),
        category: finding.facts.category.to_string(),
        severity: finding.facts.severity.to_string(),
        text: finding.facts.text.clone(),
        addressed: finding
            .facts
            .addressed
            .iter()
            .map(ToString::to_string)
            .collect(),
        recorded_at: finding.recorded_at.to_string(),
        status: if finding.closed.is_some() {
            "closed"
        } else {
            "open"
        }
        .to_owned(),
        outcome: finding.closed.map(|(_, outcome)| outcome.to_string()),
        closed_at: finding.closed.map(|(at, _)| at.to_string()),
        holds_cases: viewer == Viewer::Monitor && finding.closed.is_none() && finding.places_hold(),
        responses,
    })
}

/// The requested cases among those the viewer's records name, for a receiving officer (empty,
/// and not read, for anyone else).
async fn requested_for(
    state: &App,
    viewer: Viewer,
    named: impl IntoIterator<Item = CaseId>,
) -> Result<BTreeSet<CaseId>, AppError> {
    if viewer == Viewer::State(AddressedParty::ReceivingState) {
        requested_cases(state, named).await
    } else {
        Ok(BTreeSet::new())
    }
}

// ----- visits -------------------------------------------------------------------------------

/// Schedules an announced visit, or plans an unannounced one (`announced` false).
pub async fn schedule_visit(
    state: &App,
    caller: &Caller,
    agreement: AgreementId,
    new: NewVisit,
) -> Result<MonitoringRecorded, AppError> {
    let actor = caller.authenticated()?;
    let found = load_agreement(state, &agreement).await?;
    let visit = new_id(
        state,
        "visit",
        actor.user.as_str(),
        &agreement,
        new.idempotency_key.as_deref(),
    )?;
    let plan = VisitPlan {
        agreement,
        announced: new.announced,
        on: new.on,
        place: new.place,
        cases: new.cases,
    };
    let command = Command::ScheduleVisit {
        visit: VisitId::from_u64(visit),
        plan: plan.clone(),
    };
    let keyed = new.idempotency_key.is_some();
    record_new(
        state,
        caller,
        &found,
        command,
        keyed,
        |body| matches!(body, EventBody::VisitScheduled { plan: earlier, .. } if *earlier == plan),
    )
    .await
}

/// Records a visit made: the scheduled visit `visit`, or a new one when `visit` is `None`.
pub async fn record_visit(
    state: &App,
    caller: &Caller,
    agreement: AgreementId,
    visit: Option<VisitId>,
    new: NewVisit,
    seen: Seen,
) -> Result<MonitoringRecorded, AppError> {
    let actor = caller.authenticated()?;
    let found = load_agreement(state, &agreement).await?;
    let (id, keyed) = match visit {
        Some(id) => (id, false),
        None => (
            VisitId::from_u64(new_id(
                state,
                "recorded-visit",
                actor.user.as_str(),
                &agreement,
                new.idempotency_key.as_deref(),
            )?),
            new.idempotency_key.is_some(),
        ),
    };
    let plan = VisitPlan {
        agreement,
        announced: new.announced,
        on: new.on,
        place: new.place,
        cases: new.cases,
    };
    let command = Command::RecordVisit {
        visit: id,
        plan: plan.clone(),
        seen: seen.clone(),
    };
    record_new(state, caller, &found, command, keyed, |body| {
        matches!(body, EventBody::VisitRecorded { plan: p, seen: s, .. } if *p == plan && *s == seen)
    })
    .await
}

/// The visits of an agreement the caller may see, by day.
pub async fn list_visits(
    state: &App,
    caller: &Caller,
    agreement: &AgreementId,
) -> Result<VisitsView, AppError> {
    caller.authenticated()?;
    let found = load_agreement(state, agreement).await?;
    authorize(state, caller, Action::ReadVisits, &agreement_facts(&found)?).await?;
    let viewer = viewer(caller)?;
    let visits: Vec<Visit> = state
        .store()
        .visits()
        .await?
        .into_values()
        .filter(|visit| visit.plan.agreement == *agreement)
        .collect();
    let named = visits
        .iter()
        .flat_map(|v| {
            v.plan
                .cases
                .iter()
                .chain(v.recorded.iter().flat_map(|(_, s)| &s.cases))
        })
        .copied();
    let requested = requested_for(state, viewer, named.collect::<Vec<_>>()).await?;
    let mut shown: Vec<VisitView> = visits
        .iter()
        .filter_map(|visit| visit_view(visit, viewer, &requested))
        .collect();
    shown.sort_by(|a, b| (&a.on, &a.visit).cmp(&(&b.on, &b.visit)));
    Ok(VisitsView { visits: shown })
}

// ----- findings -----------------------------------------------------------------------------

/// Records a finding.
pub async fn record_finding(
    state: &App,
    caller: &Caller,
    agreement: AgreementId,
    new: NewFinding,
) -> Result<MonitoringRecorded, AppError> {
    let actor = caller.authenticated()?;
    let found = load_agreement(state, &agreement).await?;
    let id = new_id(
        state,
        "finding",
        actor.user.as_str(),
        &agreement,
        new.idempotency_key.as_deref(),
    )?;
    let facts = FindingFacts {
        agreement,
        cases: new.cases,
        category: new.category,
        severity: new.severity,
        text: new.text,
        addressed: new.addressed,
    };
    let command = Command::RecordFinding {
        finding: FindingId::from_u64(id),
        facts: facts.clone(),
    };
    let keyed = new.idempotency_key.is_some();
    record_new(state, caller, &found, command, keyed, |body| {
        matches!(body, EventBody::FindingRecorded { facts: earlier, .. } if *earlier == facts)
    })
    .await
}

/// A finding with its agreement, or not found (recorded as a denied `action`, as a missing
/// hold is). A finding the caller may not know of — `read_findings` on its agreement denied, or,
/// for a state, a finding not addressed to it — is answered exactly as one that does not exist:
/// a state is never told that a finding addressed only to the other exists (not even by a
/// `finding_not_addressed_to_party` refusal to its response).
async fn load_finding(
    state: &App,
    caller: &Caller,
    action: Action,
    id: FindingId,
) -> Result<(Finding, AgreementState), AppError> {
    let finding = state.store().findings().await?.remove(&id);
    let found = match finding {
        Some(finding) => {
            let agreement = load_agreement(state, &finding.facts.agreement).await?;
            let facts = agreement_facts(&agreement)?;
            let addressed = match viewer(caller) {
                Ok(Viewer::Monitor) => true,
                Ok(Viewer::State(party)) => finding.facts.addressed.contains(&party),
                Err(_) => false,
            };
            (addressed && authorize::knows(state, caller, Action::ReadFindings, &facts))
                .then_some((finding, agreement))
        }
        None => {
            state.store().agreements().await?;
            None
        }
    };
    match found {
        Some(found) => Ok(found),
        None => Err(authorize::absent(state, caller, action, "finding", &id).await),
    }
}

/// Responds to a finding for the party the caller's role acts for.
pub async fn respond_to_finding(
    state: &App,
    caller: &Caller,
    finding: FindingId,
    text: String,
) -> Result<CommandOutcome, AppError> {
    let command = Command::RespondToFinding { finding, text };
    finding_command(state, caller, Action::RespondToFinding, finding, command).await
}

/// Closes a finding.
pub async fn close_finding(
    state: &App,
    caller: &Caller,
    finding: FindingId,
    outcome: FindingOutcome,
) -> Result<CommandOutcome, AppError> {
    let command = Command::CloseFinding { finding, outcome };
    finding_command(state, caller, Action::CloseFinding, finding, command).await
}

/// A command on an existing finding, decided by `action` on the finding's agreement (a finding
/// the caller may not know of answered as missing, by [`load_finding`]).
async fn finding_command(
    state: &App,
    caller: &Caller,
    action: Action,
    finding: FindingId,
    command: Command,
) -> Result<CommandOutcome, AppError> {
    caller.authenticated()?;
    let (_, agreement) = load_finding(state, caller, action, finding).await?;
    let accepted = execute(
        state,
        caller,
        &agreement_facts(&agreement)?,
        command,
        None,
        Vec::new(),
    )
    .await?;
    Ok(accepted.outcome(None))
}

/// The findings of an agreement the caller may see, oldest first.
pub async fn list_findings(
    state: &App,
    caller: &Caller,
    agreement: &AgreementId,
) -> Result<FindingsView, AppError> {
    caller.authenticated()?;
    let found = load_agreement(state, agreement).await?;
    authorize(
        state,
        caller,
        Action::ReadFindings,
        &agreement_facts(&found)?,
    )
    .await?;
    let viewer = viewer(caller)?;
    let mut findings: Vec<Finding> = state
        .store()
        .findings()
        .await?
        .into_values()
        .filter(|finding| finding.facts.agreement == *agreement)
        .collect();
    findings.sort_by_key(|finding| (finding.recorded_at, finding.id));
    let named: Vec<CaseId> = findings
        .iter()
        .flat_map(|f| f.facts.cases.iter().copied())
        .collect();
    let requested = requested_for(state, viewer, named).await?;
    let now = state.now();
    Ok(FindingsView {
        findings: findings
            .iter()
            .filter_map(|finding| finding_view(finding, &found, viewer, &requested, now))
            .collect(),
    })
}

/// One finding, as the caller may see it; one not addressed to the caller's state is answered
/// as not found.
pub async fn read_finding(
    state: &App,
    caller: &Caller,
    id: FindingId,
) -> Result<FindingView, AppError> {
    caller.authenticated()?;
    let (finding, agreement) = load_finding(state, caller, Action::ReadFindings, id).await?;
    authorize(
        state,
        caller,
        Action::ReadFindings,
        &agreement_facts(&agreement)?,
    )
    .await?;
    let viewer = viewer(caller)?;
    let requested = requested_for(state, viewer, finding.facts.cases.iter().copied()).await?;
    finding_view(&finding, &agreement, viewer, &requested, state.now()).ok_or_else(|| {
        AppError::NotFound {
            what: format!("finding {id}"),
        }
    })
}

// ----- the queue ----------------------------------------------------------------------------

/// The monitor's queue across every agreement its body monitors: welfare checks due or overdue,
/// people whose whereabouts are unknown, visits planned, and responses to findings awaited, most
/// urgent first. Every case it names is recorded as read (`read_case`), as a listing is.
pub async fn monitoring_queue(state: &App, caller: &Caller) -> Result<MonitoringQueue, AppError> {
    let actor = caller.authenticated()?.clone();
    authorize(
        state,
        caller,
        Action::ReadMonitoringQueue,
        &ResourceFacts::Service,
    )
    .await?;
    let Party::MonitoringBody(body) = &actor.party else {
        return Err(AppError::Internal(
            "the policies let someone outside a monitoring body read its queue".to_owned(),
        ));
    };
    let now = state.now();
    let agreements: BTreeMap<AgreementId, AgreementState> = state
        .store()
        .agreements()
        .await?
        .into_iter()
        .filter(|agreement| {
            agreement
                .latest()
                .and_then(|latest| latest.terms.monitoring.as_ref())
                .is_some_and(|monitoring| monitoring.id == *body)
        })
        .map(|agreement| (agreement.id.clone(), agreement))
        .collect();
    let mut ranked: Vec<((u8, Timestamp), QueueItem)> = Vec::new();
    let case_facts = queue_cases(state, &agreements, now, &mut ranked).await?;
    authorize_each(state, caller, Action::ReadCase, &case_facts).await?;
    for visit in state.store().visits().await?.values() {
        if visit.recorded.is_some() || !agreements.contains_key(&visit.plan.agreement) {
            continue;
        }
        let day_start = jiff::tz::TimeZone::UTC
            .to_timestamp(visit.plan.on.to_datetime(jiff::civil::Time::midnight()))
            .unwrap_or(now);
        ranked.push((
            (RANK_PLANNED, day_start),
            QueueItem::VisitPlanned {
                visit: visit.id.to_string(),
                agreement: visit.plan.agreement.to_string(),
                on: visit.plan.on.to_string(),
                place: visit.plan.place.clone(),
                announced: visit.plan.announced,
            },
        ));
    }
    for (finding, agreement, clock) in awaited_responses(state, &agreements, now).await? {
        let overdue = clock.state == ResponseState::Overdue;
        let rank = if overdue { RANK_OVERDUE } else { RANK_DUE };
        ranked.push((
            (rank, clock.due_at.unwrap_or(Timestamp::MAX)),
            QueueItem::FindingResponse {
                finding: finding.id.to_string(),
                agreement: agreement.to_string(),
                severity: finding.facts.severity.to_string(),
                party: clock.party.to_string(),
                due_at: clock.due_at.map(|at| at.to_string()),
                overdue,
            },
        ));
    }
    open_complaints(state, caller, &agreements, &mut ranked).await?;
    ranked.sort_by_key(|(key, _)| *key);
    Ok(MonitoringQueue {
        at: now.to_string(),
        items: ranked.into_iter().map(|(_, item)| item).collect(),
    })
}

/// The complaints of `agreements` that are received or under review, as queue items ranked with
/// what is due, by when they were lodged. Listing them is decided as the complaints list is
/// (`list_complaints` for each agreement, every decision recorded — a monitor's records, so
/// neutral leaves); an agreement the policies refuse adds nothing.
async fn open_complaints(
    state: &App,
    caller: &Caller,
    agreements: &BTreeMap<AgreementId, AgreementState>,
    ranked: &mut Vec<((u8, Timestamp), QueueItem)>,
) -> Result<(), AppError> {
    if agreements.is_empty() {
        return Ok(());
    }
    let facts = agreements
        .values()
        .map(agreement_facts)
        .collect::<Result<Vec<_>, _>>()?;
    let allowed = authorize_each(state, caller, Action::ListComplaints, &facts).await?;
    let listable: Vec<AgreementId> = agreements
        .keys()
        .zip(allowed)
        .filter(|(_, allowed)| *allowed)
        .map(|(id, _)| id.clone())
        .collect();
    if listable.is_empty() {
        return Ok(());
    }
    for complaint in state.store().complaints_under(&listable).await? {
        if !matches!(
            complaint.status,
            ComplaintStatus::Received | ComplaintStatus::UnderReview
        ) {
            continue;
        }
        ranked.push((
            (RANK_DUE, complaint.lodged_at),
            QueueItem::Complaint {
                complaint: complaint.id.to_string(),
                agreement: complaint.agreement.to_string(),
                status: complaint.status.as_str().to_owned(),
                lodged_at: complaint.lodged_at.to_string(),
            },
        ));
    }
    Ok(())
}

const RANK_OVERDUE: u8 = 0;
const RANK_UNKNOWN: u8 = 1;
const RANK_DUE: u8 = 2;
const RANK_PLANNED: u8 = 3;

/// The queue's items about people (welfare checks due or overdue, whereabouts unknown), with
/// the facts of every case they name, for the access records. The cases after arrival are read
/// at once (at most [`QUEUE_CASES_MAX`]), however many there are.
async fn queue_cases(
    state: &App,
    agreements: &BTreeMap<AgreementId, AgreementState>,
    now: Timestamp,
    ranked: &mut Vec<((u8, Timestamp), QueueItem)>,
) -> Result<Vec<ResourceFacts>, AppError> {
    let holds = every_hold(state).await?;
    let cases = state
        .store()
        .cases_in(&CaseSet {
            agreements: agreements.keys().cloned().collect(),
            statuses: vec![
                CaseStatus::Arrived,
                CaseStatus::Settled,
                CaseStatus::WhereaboutsUnknown,
            ],
            limit: QUEUE_CASES_MAX,
        })
        .await?;
    let mut facts = Vec::new();
    for (case, agreement) in &cases {
        let before = ranked.len();
        queue_case_items(case, agreement, now, ranked);
        if ranked.len() > before {
            facts.push(case_facts_with(case, agreement, &holds)?);
        }
    }
    Ok(facts)
}

fn queue_case_items(
    case: &corridor_domain::Case,
    agreement: &AgreementState,
    now: Timestamp,
    ranked: &mut Vec<((u8, Timestamp), QueueItem)>,
) {
    for (raised_at, alert) in &case.alerts {
        let (stands, since) = match alert {
            MonitorAlert::MissedChecks { since, .. } => (
                !case.welfare_checks.iter().any(|check| {
                    check.at > *raised_at
                        && matches!(
                            check.outcome,
                            WelfareOutcome::Well | WelfareOutcome::Concerns
                        )
                }),
                since,
            ),
            MonitorAlert::WhereaboutsUnknown { since } => {
                (case.status == CaseStatus::WhereaboutsUnknown, since)
            }
        };
        if stands {
            ranked.push((
                (RANK_OVERDUE, *raised_at),
                QueueItem::Alert {
                    case: case.id.to_string(),
                    agreement: agreement.id.to_string(),
                    reason: alert.reason().to_owned(),
                    since: since.to_string(),
                    raised_at: raised_at.to_string(),
                },
            ));
        }
    }
    if case.status == CaseStatus::WhereaboutsUnknown {
        ranked.push((
            (RANK_UNKNOWN, case.last_event_at),
            QueueItem::WhereaboutsUnknown {
                case: case.id.to_string(),
                agreement: agreement.id.to_string(),
            },
        ));
    }
    let Some(terms) = agreement.terms(case.terms_version) else {
        return;
    };
    for item in welfare_schedule(case, terms, now) {
        let overdue = match item.state {
            WelfareState::Due => false,
            WelfareState::Overdue => true,
            _ => continue,
        };
        ranked.push((
            (if overdue { RANK_OVERDUE } else { RANK_DUE }, item.due_at),
            QueueItem::WelfareCheck {
                case: case.id.to_string(),
                agreement: agreement.id.to_string(),
                due_at: item.due_at.to_string(),
                window_ends_at: item.window_ends_at.to_string(),
                overdue,
            },
        ));
    }
}

/// Every response to an open finding of these agreements still awaited at `now` (overdue or
/// not), with the finding and its agreement.
async fn awaited_responses(
    state: &App,
    agreements: &BTreeMap<AgreementId, AgreementState>,
    now: Timestamp,
) -> Result<Vec<(Finding, AgreementId, corridor_domain::clock::ResponseClock)>, AppError> {
    let mut awaited = Vec::new();
    for finding in state.store().findings().await?.into_values() {
        let Some(terms) = agreements
            .get(&finding.facts.agreement)
            .and_then(AgreementState::latest)
            .map(|latest| &latest.terms)
        else {
            continue;
        };
        for clock in finding_responses(&finding, terms, now) {
            if matches!(clock.state, ResponseState::Awaited | ResponseState::Overdue) {
                awaited.push((finding.clone(), finding.facts.agreement.clone(), clock));
            }
        }
    }
    Ok(awaited)
}

/// The responses to findings overdue at `now`, across every agreement (for `tick`'s answer).
pub async fn overdue_responses(state: &App) -> Result<Vec<OverdueResponse>, AppError> {
    let now = state.now();
    let agreements: BTreeMap<AgreementId, AgreementState> = state
        .store()
        .agreements()
        .await?
        .into_iter()
        .map(|agreement| (agreement.id.clone(), agreement))
        .collect();
    let mut overdue: Vec<OverdueResponse> = awaited_responses(state, &agreements, now)
        .await?
        .into_iter()
        .filter(|(_, _, clock)| clock.state == ResponseState::Overdue)
        .filter_map(|(finding, agreement, clock)| {
            Some(OverdueResponse {
                finding: finding.id.to_string(),
                agreement: agreement.to_string(),
                party: clock.party.to_string(),
                due_at: clock.due_at?.to_string(),
            })
        })
        .collect();
    overdue.sort_by(|a, b| (&a.due_at, &a.finding).cmp(&(&b.due_at, &b.finding)));
    Ok(overdue)
}

// ----- shared -------------------------------------------------------------------------------

/// A new record's id: drawn at random, or, with an idempotency key, derived from the caller,
/// the agreement and the key (so a retry lands on the same record).
fn new_id(
    state: &App,
    kind: &str,
    user: &str,
    agreement: &AgreementId,
    key: Option<&str>,
) -> Result<u64, AppError> {
    match key {
        Some(key) => {
            let master = state.master().ok_or(AppError::NoMasterKey)?;
            Ok(master.idempotent_id(kind, user, agreement.as_str(), key))
        }
        None => random_u64(),
    }
}

/// Executes a command that makes a new visit or finding under `agreement`. With an idempotency
/// key, a command refused as existing is answered with the earlier record (`replayed`) when its
/// first event was made by this caller and `same` says it was this request, and refused as a
/// reused key otherwise.
async fn record_new(
    state: &App,
    caller: &Caller,
    agreement: &AgreementState,
    command: Command,
    keyed: bool,
    same: impl Fn(&EventBody) -> bool,
) -> Result<MonitoringRecorded, AppError> {
    let stream = match (command.visit(), command.finding()) {
        (Some(visit), _) => StreamId::Visit(visit),
        (_, Some(finding)) => StreamId::Finding(finding),
        _ => return Err(AppError::Internal("not a monitoring record".to_owned())),
    };
    let id = stream.to_string();
    let resource = agreement_facts(agreement)?;
    match execute(state, caller, &resource, command, None, Vec::new()).await {
        Err(AppError::Refused(Refusal::AlreadyExists { .. })) if keyed => {
            let actor = caller.authenticated()?;
            let history = state.store().history(&stream).await?;
            let earlier = history.iter().rev().find(|stored| {
                stored.event.by.as_ref() == Some(&actor.user) && same(&stored.event.body)
            });
            match earlier {
                Some(_) => Ok(MonitoringRecorded {
                    id,
                    outcome: CommandOutcome {
                        outcome: "accepted".to_owned(),
                        events: Vec::new(),
                        case_version: None,
                    },
                    replayed: true,
                }),
                None => Err(AppError::InvalidInput {
                    field: "header.Idempotency-Key".to_owned(),
                    message: format!(
                        "this key already made {id} with other details; use a new key for a new request"
                    ),
                }),
            }
        }
        result => Ok(MonitoringRecorded {
            id,
            outcome: result?.outcome(None),
            replayed: false,
        }),
    }
}
