//! The commands a caller could take on a case now: for the case page's forms.
//!
//! [`available_actions`] asks without writing anything. The policies are asked with
//! [`authorize::may`] (nothing recorded or counted: a page that merely tests a dozen actions is
//! not a dozen denied attempts), then the domain's decider, on what the command would read,
//! through [`corridor_store::Store::decide_without_writing`] — as the supervisor's queue does
//! ([`crate::queues`]). A command is offered when the decider accepts it with representative
//! values, or refuses it only for a value the form asks for (a departure outside the window, a
//! destination the onward rule forbids, a notice that is deficient), or because a court order
//! stops it: posting the form then tells why, with the refusal's sentence. A held case keeps its
//! schedule and departure forms so that the person who would have acted reads the court's order
//! in the refusal, rather than finding the form gone without a word; the roles that may schedule
//! or depart (the sending state's) are those that may know of the holds on their agreements.
//!
//! Nothing is offered on a case the caller may not read, and what is offered tells a restricted
//! caller no more than posting the form would: whether the command would be accepted now, never
//! a refusal's cause (the forms a caller may post are those of their role; a refusal they see
//! is concealed as [`crate::service::case_command`] conceals it).

use corridor_authz::{Action, ResourceFacts};
use corridor_domain::terms::{AgreementId, Country};
use corridor_domain::{
    AgreementState, Case, CaseId, Command, Context, Language, NoticeFacts, Outcome, Refusal,
    WelfareOutcome,
};
use jiff::Timestamp;

use std::sync::Arc;

use crate::answers::HistoryEvent;
use crate::authorize::{self, authorize};
use crate::caller::Caller;
use crate::committer::Job;
use crate::disclosure::disclose;
use crate::error::AppError;
use crate::execute::{agreement_facts, case_facts, missing_case};
use crate::service::{history_shown, read_history};
use crate::state::App;
use crate::views::{CaseView, case_view, open_personal};

/// Every command on a case a form can post, in the order the case page shows them.
pub const CASE_ACTIONS: [Action; 26] = [
    Action::ServeNotice,
    Action::RequestTransfer,
    Action::Approve,
    Action::Refuse,
    Action::ExtendDeadline,
    Action::Schedule,
    Action::Depart,
    Action::Arrive,
    Action::RecordWelfareCheck,
    Action::ClaimProtection,
    Action::DecideProtection,
    Action::RecordVulnerability,
    Action::RecordFear,
    Action::DisputeAge,
    Action::DecideAge,
    Action::LodgeReceivingClaim,
    Action::DecideReceivingClaim,
    Action::LodgeAppeal,
    Action::Onward,
    Action::Return,
    Action::Settle,
    Action::ReportWhereaboutsUnknown,
    Action::ReportWhereaboutsKnown,
    Action::ValidateDetention,
    Action::Withdraw,
    Action::Erase,
];

/// The commands `caller` could take on case `id` now, in [`CASE_ACTIONS`] order;
/// empty for a case that does not exist or that the caller may not read. Nothing is written
/// and nothing recorded: the page that shows them has recorded its own read of the case. One
/// store read for the case, one for the holds, and one for the decider, which decides every
/// command the policies allow the caller on one snapshot of what they read
/// ([`corridor_store::Store::decide_each_without_writing`]): a fixed number, whatever the
/// case's history.
///
/// # Errors
/// When the store cannot be read.
pub async fn available_actions(
    state: &App,
    caller: &Caller,
    id: CaseId,
) -> Result<Vec<Action>, AppError> {
    caller.authenticated()?;
    let Some((case, agreement)) = state.store().case(id).await? else {
        return Ok(Vec::new());
    };
    let resource = case_facts(state, &case, &agreement).await?;
    if !authorize::may(state, caller, Action::ReadCase, &resource) {
        return Ok(Vec::new());
    }
    actions_on(state, caller, &case, &agreement, &resource).await
}

/// [`available_actions`] on a case already read, whose policy facts are `resource`, for a
/// caller the policies let read it: one store read (the decider's snapshot).
pub(crate) async fn actions_on(
    state: &App,
    caller: &Caller,
    case: &Case,
    agreement: &AgreementState,
    resource: &ResourceFacts,
) -> Result<Vec<Action>, AppError> {
    let actor = caller.authenticated()?.clone();
    let Some(terms) = agreement.terms(case.terms_version) else {
        return Ok(Vec::new());
    };
    let now = state.now();
    let context = Context { now, actor };
    let receiving = agreement
        .latest()
        .map_or_else(|| case.rule.nationality, |latest| latest.receiving);
    let departure = corridor_domain::clock::earliest_departure(case, terms)
        .map_or(now, |earliest| earliest.max(now));
    let (actions, commands): (Vec<Action>, Vec<Command>) = CASE_ACTIONS
        .into_iter()
        .filter(|action| authorize::may(state, caller, *action, resource))
        .filter_map(|action| Some((action, representative(action, case, receiving, departure)?)))
        .unzip();
    let outcomes = state
        .store()
        .decide_each_without_writing(&commands, &context)
        .await?;
    Ok(actions
        .into_iter()
        .zip(outcomes)
        .filter(|(_, outcome)| match outcome {
            Outcome::Accepted(_) => true,
            Outcome::Refused { refusal, .. } => for_a_value(refusal),
        })
        .map(|(action, _)| action)
        .collect())
}

/// Whether the decider refused only for a value the form asks for, or because a court order
/// stops the command: the form is still offered, and posting it tells why.
fn for_a_value(refusal: &Refusal) -> bool {
    matches!(
        refusal,
        Refusal::InvalidInput { .. }
            | Refusal::HoldActive { .. }
            | Refusal::NoticeDeficient { .. }
            | Refusal::NoticePeriodRunning { .. }
            | Refusal::DepartureOutsideSchedule { .. }
            | Refusal::OnwardDestinationProhibited { .. }
    )
}

/// `action` on `case` with representative values for what its form asks: what the decider is
/// asked to tell whether the form is worth offering. `None` for an action that is not a
/// command on a case.
fn representative(
    action: Action,
    case: &Case,
    receiving: Country,
    departure: Timestamp,
) -> Option<Command> {
    let id = case.id;
    let reason = || "-".to_owned();
    Some(match action {
        Action::ServeNotice => Command::ServeNotice {
            case: id,
            notice: NoticeFacts {
                language: case
                    .rule
                    .languages
                    .iter()
                    .next()
                    .cloned()
                    .or_else(|| Language::parse("en").ok())?,
                on_person: true,
                on_counsel: case.counsel.is_some(),
                destination: receiving,
                explains_how_to_contest: true,
            },
        },
        Action::ClaimProtection => Command::ClaimProtection { case: id },
        Action::DecideProtection => Command::DecideProtection {
            case: id,
            granted: false,
        },
        Action::RequestTransfer => Command::RequestTransfer { case: id },
        Action::Approve => Command::Approve { case: id },
        Action::Refuse => Command::Refuse {
            case: id,
            reason: reason(),
        },
        Action::ExtendDeadline => Command::ExtendDeadline {
            case: id,
            reason: reason(),
        },
        Action::Schedule => Command::Schedule {
            case: id,
            departure,
        },
        Action::Depart => Command::Depart { case: id },
        Action::Arrive => Command::Arrive { case: id },
        Action::RecordVulnerability => Command::RecordVulnerability {
            case: id,
            category: corridor_domain::terms::Vulnerability::Disability,
        },
        Action::RecordFear => Command::RecordFear {
            case: id,
            country: receiving,
        },
        Action::DisputeAge => Command::DisputeAge {
            case: id,
            claimed_birth_date: case.rule.removal_ordered_on,
        },
        Action::DecideAge => Command::DecideAge {
            case: id,
            birth_date: case.rule.removal_ordered_on,
        },
        Action::LodgeReceivingClaim => Command::LodgeReceivingClaim { case: id },
        Action::DecideReceivingClaim => Command::DecideReceivingClaim {
            case: id,
            granted: false,
        },
        Action::LodgeAppeal => Command::LodgeAppeal { case: id },
        Action::Onward => Command::Onward {
            case: id,
            destination: case.rule.nationality,
        },
        Action::Return => Command::Return { case: id },
        Action::Settle => Command::Settle { case: id },
        Action::ReportWhereaboutsUnknown => Command::ReportWhereaboutsUnknown { case: id },
        Action::ReportWhereaboutsKnown => Command::ReportWhereaboutsKnown { case: id },
        Action::RecordWelfareCheck => Command::RecordWelfareCheck {
            case: id,
            outcome: WelfareOutcome::parse("seen_well")?,
        },
        Action::ValidateDetention => Command::ValidateDetention { case: id },
        Action::Withdraw => Command::Withdraw {
            case: id,
            reason: reason(),
        },
        Action::Erase => Command::Erase { case: id },
        _ => return None,
    })
}

/// The agreements `caller` may propose cases under, by the policies (`propose` on each
/// agreement, asked with [`authorize::may`]: nothing recorded; proposing records its own
/// decision). One store read.
///
/// # Errors
/// When the caller is anonymous or the store cannot be read.
pub async fn proposable_agreements(
    state: &App,
    caller: &Caller,
) -> Result<Vec<AgreementId>, AppError> {
    caller.authenticated()?;
    let agreements = state.store().agreements().await?;
    Ok(agreements
        .iter()
        .filter_map(|agreement| {
            let facts = agreement_facts(agreement).ok()?;
            authorize::may(state, caller, Action::Propose, &facts).then(|| agreement.id.clone())
        })
        .collect())
}

/// The case's history ([`read_history`], decided and recorded) when the policies let `caller`
/// read it, else `None` with nothing recorded: for the case page, whose viewers may read a case
/// without its history (a receiving state's official). Two store reads more than the history's
/// own, whatever its length.
///
/// # Errors
/// As [`read_history`].
pub async fn history_if_permitted(
    state: &App,
    caller: &Caller,
    id: CaseId,
) -> Result<Option<Vec<HistoryEvent>>, AppError> {
    caller.authenticated()?;
    let Some((case, agreement)) = state.store().case(id).await? else {
        return Ok(None);
    };
    let resource = case_facts(state, &case, &agreement).await?;
    if !authorize::may(state, caller, Action::ReadHistory, &resource) {
        return Ok(None);
    }
    read_history(state, caller, id).await.map(Some)
}

/// What the case page shows of a case: the case, its history when the policies let the caller
/// read it, and the commands the caller could take now.
#[derive(Debug)]
pub struct CasePageRead {
    /// The case as the caller may see it ([`crate::service::read_case`]'s answer).
    pub view: CaseView,
    /// Its history as [`history_if_permitted`] tells it: `None` for a caller who may read the
    /// case but not its history.
    pub history: Option<Vec<HistoryEvent>>,
    /// The commands the caller could take now, as [`available_actions`] tells them.
    pub actions: Vec<Action>,
}

/// The case page's reads in one: [`crate::service::read_case`], [`history_if_permitted`] and
/// [`available_actions`], answering what the three would, with the same refusals (a case the
/// caller may not read, or that does not exist, is refused as `read_case` refuses it, and
/// nothing else is read).
///
/// Both reads are decided by the policies and recorded, and their access records commit
/// together, in one durable commit, before anything is answered. The case is read once (from
/// the store's cache of cases when it holds it, checked after the commit as `read_case` checks
/// it), the history once, and the commands are decided on one snapshot
/// ([`corridor_store::Store::decide_each_without_writing`]): a fixed number of store reads,
/// whatever the case's history.
///
/// # Errors
/// As [`crate::service::read_case`] and [`read_history`].
pub async fn case_page(state: &App, caller: &Caller, id: CaseId) -> Result<CasePageRead, AppError> {
    let actor = caller.authenticated()?.clone();
    let (read, stamp) = state.store().read_case(id).await?;
    let Some(mut read) = read else {
        return Err(missing_case(state, caller, Action::ReadCase, id).await);
    };
    let mut facts = case_facts(state, &read.case, &read.agreement).await?;
    let read_case = authorize::decide(state, caller, Action::ReadCase, &facts);
    let mut with_history =
        read_case.allowed && authorize::may(state, caller, Action::ReadHistory, &facts);
    let mut records: Vec<Job> = read_case.record.iter().cloned().map(Job::Access).collect();
    if with_history {
        let read_history = authorize::decide(state, caller, Action::ReadHistory, &facts);
        with_history = read_history.allowed;
        records.extend(read_history.record.map(Job::Access));
    }
    if !records.is_empty() {
        state.committer().write(records).await?;
    }
    if !read_case.allowed {
        return Err(read_case.denial(Action::ReadCase, &facts));
    }
    if !state.store().unchanged_since(stamp) {
        // Written meanwhile by another process: read again, and decide again (recorded) if
        // what the policies look at changed.
        let Some(again) = state.store().read_case_uncached(id).await? else {
            return Err(authorize::not_found(&facts));
        };
        read = Arc::new(again);
        let current = case_facts(state, &read.case, &read.agreement).await?;
        if current != facts {
            authorize(state, caller, Action::ReadCase, &current).await?;
            with_history =
                with_history && authorize::may(state, caller, Action::ReadHistory, &current);
            if with_history {
                authorize(state, caller, Action::ReadHistory, &current).await?;
            }
            facts = current;
        }
    }
    let terms = read.agreement.latest().ok_or_else(|| {
        AppError::Internal(format!("agreement {} has no terms", read.agreement.id))
    })?;
    let disclosure = disclose(&actor, &read.case, terms);
    let history = if with_history {
        let events = state
            .store()
            .history(&corridor_domain::StreamId::Case(id))
            .await?;
        Some(history_shown(&disclosure, events))
    } else {
        None
    };
    let personal = open_personal(
        read.wrapped_key.as_deref(),
        state.master(),
        &read.case,
        &disclosure,
    )?;
    let view = case_view(
        &read.case,
        &read.agreement,
        &disclosure,
        personal,
        state.now(),
    );
    let actions = actions_on(state, caller, &read.case, &read.agreement, &facts).await?;
    Ok(CasePageRead {
        view,
        history,
        actions,
    })
}
