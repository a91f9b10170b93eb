//! The application functions: what corridor does for a caller, once, for every front end.
//!
//! The HTTP handlers (`corridor_api`'s `cases`, `holds`, `agreements`) parse a request into
//! typed values and call these; the command line without `--server` calls the same functions
//! over an [`App`] built on its own store, as [`Credential::Local`](crate::caller::Credential::Local).
//! So both take one path: the Cedar policies decide every command and every read, every decision
//! about an authenticated caller becomes an access record (a read's before its answer, a
//! command's in the same commit as the command), and what leaves about a case is filtered in one
//! place ([`crate::views`]).
//!
//! Each function takes the application, the caller and typed inputs, and returns a typed answer
//! ([`crate::answers`], [`crate::views`]), or an [`AppError`]: nothing here knows HTTP.

use std::collections::BTreeSet;
use std::sync::Arc;

use corridor_authz::{Action, HoldFacts, ResourceFacts};
use corridor_domain::terms::{AgreementId, AgreementStatus, parse_agreement};
use corridor_domain::{
    Actor, AgreementState, Case, CaseId, CaseStatus, Command, Context, EventBody, Hold, HoldId,
    HoldScope, PersonFacts, PersonalData, Refusal, Role, StreamId, UserId, rule_attributes,
};
use corridor_store::{CaseFilter, StoreError, vault};
use jiff::civil::Date;

use crate::answers::{
    AgreementDetail, AgreementView, AgreementsView, CasePage, CaseSummary, CommandOutcome,
    HistoryEvent, HoldView, PartiesView, Proposed, RegisteredHold, StatusView, event_details,
};
use crate::authorize::{self, authorize, authorize_each, record_name};
use crate::caller::Caller;
use crate::disclosure::{Disclosure, ShownStatus, disclose};
use crate::error::AppError;
use crate::execute::{
    agreement_facts, case_facts, case_facts_with, every_hold, execute, hold_facts,
    load_agreement as find_agreement, load_case, load_hold, missing_case, random_array, random_u64,
};
use crate::limits::PAGE_SIZE_MAX;
use crate::state::App;
use crate::views::{CaseView, case_view, open_personal, told_version};

/// The server's today (UTC), the day agreement statuses are read on.
pub fn today(state: &App) -> Date {
    state
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
}

fn agreement_view(agreement: &AgreementState, today: Date) -> Option<AgreementView> {
    let latest = agreement.latest()?;
    Some(AgreementView {
        id: agreement.id.to_string(),
        title: latest.title.clone(),
        parties: PartiesView {
            sending: latest.sending.to_string(),
            receiving: latest.receiving.to_string(),
        },
        status: agreement.status_on(today).as_str().to_owned(),
        terms_version: agreement.latest_version(),
    })
}

/// Every agreement with its parties and its status today (public).
pub async fn list_agreements(state: &App, caller: &Caller) -> Result<AgreementsView, AppError> {
    authorize(
        state,
        caller,
        Action::ListAgreements,
        &ResourceFacts::Service,
    )
    .await?;
    let today = today(state);
    let agreements = state
        .store()
        .agreements()
        .await?
        .iter()
        .filter_map(|agreement| agreement_view(agreement, today))
        .collect();
    Ok(AgreementsView { agreements })
}

/// One agreement with its status history and the file its latest terms were loaded from
/// (public).
pub async fn read_agreement(
    state: &App,
    caller: &Caller,
    id: &AgreementId,
) -> Result<AgreementDetail, AppError> {
    let agreement = find_agreement(state, id).await?;
    authorize(
        state,
        caller,
        Action::ReadAgreement,
        &agreement_facts(&agreement)?,
    )
    .await?;
    let summary = agreement_view(&agreement, today(state))
        .ok_or_else(|| AppError::Internal(format!("agreement {id} has no terms")))?;
    let (file_name, text) = state
        .store()
        .history(&StreamId::Agreement(id.clone()))
        .await?
        .into_iter()
        .rev()
        .find_map(|stored| match stored.event.body {
            EventBody::AgreementLoaded {
                file_name, text, ..
            } => Some((file_name, text)),
            _ => None,
        })
        .ok_or_else(|| AppError::Internal(format!("agreement {id} was never loaded")))?;
    Ok(AgreementDetail {
        agreement: summary,
        monitoring_body: agreement
            .latest()
            .and_then(|latest| latest.terms.monitoring.as_ref())
            .map(|body| body.id.clone()),
        status_history: agreement
            .status_history
            .iter()
            .map(|change| StatusView {
                status: change.status.as_str().to_owned(),
                on: change.on.to_string(),
            })
            .collect(),
        file_name,
        text,
    })
}

/// An agreement's figures against its caps now (`Store::counts`), as far as the caller may know
/// them: what the agreement page shows as gauges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementCaps {
    /// The agreement.
    pub agreement: String,
    /// People counted as transferred (left and not recalled): public, since the public log's
    /// departure and recall leaves per agreement and day add up to it.
    pub transferred: u64,
    /// People present in the receiving state or in transit to it: public, since the leaves of
    /// departures, recalls, returns and onward movements add up to it.
    pub present: u64,
    /// Cases scheduled to depart: only for a caller the policies let list the agreement's cases
    /// (its parties' officials, the courts' clerks, its monitoring body). A schedule's pull,
    /// lapse or protection claim leaves no leaf saying it left the schedule, so this figure is
    /// not derivable from the public log and is not told to anyone else.
    pub scheduled: Option<u64>,
    /// The cap on people transferred in total, from the latest terms.
    pub transferred_total_max: Option<u64>,
    /// The cap on people present at once, from the latest terms.
    pub present_max: Option<u64>,
}

/// The figures of `id` against its caps, for a caller who may read the agreement (decided and
/// recorded as [`read_agreement`] is: `read_agreement`, refused with its error otherwise). The
/// totals transferred and present follow from the public log (what anyone can count); the
/// number scheduled only for a caller who may list the agreement's cases (`list_cases`, asked
/// without a record: the figure is an aggregate, not a read of a case).
pub async fn agreement_caps(
    state: &App,
    caller: &Caller,
    id: &AgreementId,
) -> Result<AgreementCaps, AppError> {
    let agreement = find_agreement(state, id).await?;
    let facts = agreement_facts(&agreement)?;
    authorize(state, caller, Action::ReadAgreement, &facts).await?;
    let caps = agreement
        .latest()
        .map(|latest| latest.terms.caps.clone())
        .ok_or_else(|| AppError::Internal(format!("agreement {id} has no terms")))?;
    let counts = state.store().counts(id).await?;
    let parties_only = authorize::may(state, caller, Action::ListCases, &facts);
    Ok(AgreementCaps {
        agreement: id.to_string(),
        transferred: counts.transferred,
        present: counts.present,
        scheduled: parties_only.then_some(counts.scheduled),
        transferred_total_max: caps.transferred_total_max,
        present_max: caps.present_max,
    })
}

/// Loads an agreement file, or a new version of a known one. Every error in the file is
/// reported ([`AppError::InvalidFile`]) and nothing is decided.
pub async fn load_agreement(
    state: &App,
    caller: &Caller,
    file_name: String,
    text: String,
) -> Result<CommandOutcome, AppError> {
    caller.authenticated()?;
    if let Err(errors) = parse_agreement(&file_name, &text) {
        let first = errors
            .0
            .first()
            .map(|error| error.to_string())
            .unwrap_or_default();
        return Err(AppError::InvalidFile {
            count: errors.0.len(),
            first,
            errors: errors.0.iter().map(ToString::to_string).collect(),
        });
    }
    let command = Command::LoadAgreement { file_name, text };
    let accepted = execute(
        state,
        caller,
        &ResourceFacts::Service,
        command,
        None,
        Vec::new(),
    )
    .await?;
    Ok(accepted.outcome(None))
}

/// Records that an agreement entered `status` on `on` (today when `None`).
pub async fn change_agreement_status(
    state: &App,
    caller: &Caller,
    id: AgreementId,
    status: AgreementStatus,
    on: Option<Date>,
) -> Result<CommandOutcome, AppError> {
    caller.authenticated()?;
    let on = on.unwrap_or_else(|| today(state));
    let found = find_agreement(state, &id).await?;
    let command = Command::ChangeAgreementStatus {
        agreement: id,
        status,
        on,
    };
    let accepted = execute(
        state,
        caller,
        &agreement_facts(&found)?,
        command,
        None,
        Vec::new(),
    )
    .await?;
    Ok(accepted.outcome(None))
}

/// A new case: the facts the rules read, the personal data to seal, and the person's counsel.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// What the rules read.
    pub facts: PersonFacts,
    /// What is sealed under the new case key.
    pub personal: PersonalData,
    /// The person's counsel, by login name.
    pub counsel: Option<UserId>,
    /// The client's name for this proposal (HTTP `Idempotency-Key`): proposing again with the
    /// same key finds the case the first proposal made instead of making a second one.
    pub idempotency_key: Option<String>,
}

/// Proposes a case under `agreement`: draws its id and key, seals the personal data, and
/// executes the proposal.
///
/// With an idempotency key the case id is not drawn but derived from the caller, the agreement
/// and the key ([`vault::MasterKey::idempotent_id`]), so a retry after an answer that never
/// arrived lands on the same case: when that case exists, the answer names it again
/// (`replayed`) and no case event is appended, provided the earlier proposal was this one; a key
/// used for different details is refused.
pub async fn propose(
    state: &App,
    caller: &Caller,
    agreement: AgreementId,
    new: NewCase,
) -> Result<Proposed, AppError> {
    let actor = caller.authenticated()?;
    let found = find_agreement(state, &agreement).await?;
    let master = state.master().ok_or(AppError::NoMasterKey)?;
    let resource = agreement_facts(&found)?;
    // Only a caller the policies let propose learns whether a name is a counsel account.
    if let Some(counsel) = &new.counsel
        && authorize::may(state, caller, Action::Propose, &resource)
    {
        counsel_account(state, counsel).await?;
    }
    let case = match &new.idempotency_key {
        Some(key) => CaseId::from_u64(master.idempotent_id(
            "case",
            actor.user.as_str(),
            agreement.as_str(),
            key,
        )),
        None => CaseId::from_u64(random_u64()?),
    };
    let key: [u8; 32] = random_array()?;
    let wrapped = master.wrap(case, &key, random_array()?);
    let sealed = vault::seal(case, &key, random_array()?, &new.personal);
    let command = Command::Propose {
        case,
        agreement: agreement.clone(),
        facts: new.facts.clone(),
        counsel: new.counsel.clone(),
        personal: sealed,
    };
    let accepted = match execute(
        state,
        caller,
        &resource,
        command,
        None,
        vec![(case, wrapped)],
    )
    .await
    {
        // The key made the case before (a retry, or a request racing this one).
        Err(AppError::Refused(Refusal::AlreadyExists { .. })) if new.idempotency_key.is_some() => {
            return earlier_proposal(state, caller, case, &agreement, &new).await;
        }
        result => result?,
    };
    let outcome = accepted.outcome(Some((case, 0)));
    Ok(Proposed {
        case: case.to_string(),
        version: outcome.case_version.unwrap_or(0),
        outcome,
        replayed: false,
    })
}

/// Refuses a counsel who is not an enabled counsel account (or, in a simulation without
/// accounts, counsel of its users file). The case names the account by its login name, and
/// names are never reused (an account is disabled, never deleted or renamed), so a name that
/// is a counsel account when the case is proposed stays that account: nobody given the name
/// later can be the case's counsel by the name alone.
async fn counsel_account(state: &App, counsel: &UserId) -> Result<(), AppError> {
    let known = match state.accounts().user(counsel).await? {
        Some(info) => info.role == Role::Counsel && !info.disabled,
        None => state.simulated_counsel(counsel),
    };
    if known {
        return Ok(());
    }
    Err(AppError::InvalidInput {
        field: "body.counsel".to_owned(),
        message: format!(
            "`{counsel}` is not an enabled counsel account; an administrator adds counsel as users with the role `counsel`"
        ),
    })
}

/// The answer to a proposal whose idempotency key made `case` before (the proposal was refused
/// as existing, after the policies allowed it and its decision was recorded). The earlier
/// proposal must be this one — the same proposer, agreement, facts, counsel and personal data
/// (unless erased since) — or the key is refused as reused.
async fn earlier_proposal(
    state: &App,
    caller: &Caller,
    case: CaseId,
    agreement: &AgreementId,
    new: &NewCase,
) -> Result<Proposed, AppError> {
    let actor = caller.authenticated()?;
    let history = state.store().history(&StreamId::Case(case)).await?;
    let (Some(first), Some(last)) = (history.first(), history.last()) else {
        return Err(AppError::Internal(format!(
            "{case} was refused as existing and has no events"
        )));
    };
    let EventBody::CaseProposed {
        agreement: proposed_under,
        rule,
        counsel,
        personal,
        ..
    } = &first.event.body
    else {
        return Err(AppError::Internal(format!(
            "{case} does not begin with its proposal"
        )));
    };
    // The rules' reading of the facts as of the first proposal's moment (ages change).
    let then = Context {
        now: first.event.at,
        actor: actor.clone(),
    };
    let same_rule = rule_attributes(&new.facts, &then).ok().as_ref() == Some(rule);
    let same_personal = match state.store().case_key(case).await? {
        Some(wrapped) => {
            let master = state.master().ok_or(AppError::NoMasterKey)?;
            let key = master.unwrap_key(case, &wrapped).map_err(|error| {
                AppError::Internal(format!("unwrapping the key of {case}: {error}"))
            })?;
            let earlier = vault::open(case, &key, personal)
                .map_err(|error| AppError::Internal(format!("opening {case}: {error}")))?;
            earlier == new.personal
        }
        // Erased since: what is left is compared.
        None => true,
    };
    let same = first.event.by.as_ref() == Some(&actor.user)
        && proposed_under == agreement
        && *counsel == new.counsel
        && same_rule
        && same_personal;
    if !same {
        return Err(reused_key(&case.to_string(), "proposed"));
    }
    Ok(Proposed {
        case: case.to_string(),
        version: last.version,
        outcome: CommandOutcome {
            outcome: "accepted".to_owned(),
            events: Vec::new(),
            case_version: Some(last.version),
        },
        replayed: true,
    })
}

/// A case as far as the caller may see it. The read is decided by the policies and recorded
/// before anything is answered.
///
/// The case usually comes from the store's cache of cases read before. Its access record
/// commits after the lookup, and that commit notices any write by another process; when one
/// happened, the case is read again from the database and, if what the policies look at
/// changed, decided (and recorded) again.
pub async fn read_case(state: &App, caller: &Caller, id: CaseId) -> Result<CaseView, AppError> {
    let actor = caller.authenticated()?.clone();
    let (read, stamp) = state.store().read_case(id).await?;
    let Some(mut read) = read else {
        return Err(missing_case(state, caller, Action::ReadCase, id).await);
    };
    let facts = case_facts(state, &read.case, &read.agreement).await?;
    authorize(state, caller, Action::ReadCase, &facts).await?;
    if !state.store().unchanged_since(stamp) {
        let Some(again) = state.store().read_case_uncached(id).await? else {
            return Err(authorize::not_found(&facts));
        };
        read = Arc::new(again);
        let current = case_facts(state, &read.case, &read.agreement).await?;
        if current != facts {
            authorize(state, caller, Action::ReadCase, &current).await?;
        }
    }
    let terms = read.agreement.latest().ok_or_else(|| {
        AppError::Internal(format!("agreement {} has no terms", read.agreement.id))
    })?;
    let disclosure = disclose(&actor, &read.case, terms);
    let personal = open_personal(
        read.wrapped_key.as_deref(),
        state.master(),
        &read.case,
        &disclosure,
    )?;
    Ok(case_view(
        &read.case,
        &read.agreement,
        &disclosure,
        personal,
        state.now(),
    ))
}

/// A case's events, oldest first. Callers who see only part of the case see each event's kind
/// and time, not its facts.
pub async fn read_history(
    state: &App,
    caller: &Caller,
    id: CaseId,
) -> Result<Vec<HistoryEvent>, AppError> {
    let actor = caller.authenticated()?.clone();
    let (case, agreement) = load_case(state, caller, Action::ReadHistory, id).await?;
    authorize(
        state,
        caller,
        Action::ReadHistory,
        &case_facts(state, &case, &agreement).await?,
    )
    .await?;
    let terms = agreement
        .latest()
        .ok_or_else(|| AppError::Internal(format!("agreement {} has no terms", agreement.id)))?;
    let disclosure = disclose(&actor, &case, terms);
    let events = state.store().history(&StreamId::Case(id)).await?;
    Ok(history_shown(&disclosure, events))
}

/// A case's stored events as [`read_history`] tells them to a caller with `disclosure`.
pub(crate) fn history_shown(
    disclosure: &Disclosure,
    events: Vec<corridor_store::StoredEvent>,
) -> Vec<HistoryEvent> {
    let whole = disclosure.whole_case();
    // The monitoring body's records are left out for everyone but its monitors, and the
    // versions told count the events shown, as `told_version` does.
    let mut hidden = 0;
    events
        .into_iter()
        .filter_map(|stored| {
            let shown = disclosure.monitoring || !stored.event.body.is_monitoring_record();
            hidden += u64::from(!shown);
            shown.then_some((stored, hidden))
        })
        .map(|(stored, hidden)| HistoryEvent {
            seq: stored.seq,
            version: stored.version.saturating_sub(hidden),
            kind: stored.event.body.kind().to_owned(),
            at: stored.event.at.to_string(),
            by: stored.event.by.as_ref().map(ToString::to_string),
            details: whole.then(|| event_details(&stored.event)),
        })
        .collect()
}

/// Which cases to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseQuery {
    /// Only this agreement's cases; every agreement whose cases the caller may list when
    /// `None`.
    pub agreement: Option<AgreementId>,
    /// Only cases the caller is told are in this status ([`Disclosure::status`]).
    pub status: Option<ShownStatus>,
    /// At most this many cases (1 to [`PAGE_SIZE_MAX`]; more is read as the maximum).
    pub limit: u32,
    /// Only cases whose id sorts after this one.
    pub after: Option<CaseId>,
}

/// A page of cases the caller may see. Listing an agreement's cases is decided by the policies
/// (`list_cases`, recorded), and so is each case shown (`read_case`, recorded in one commit).
/// Without an agreement, the agreements whose cases the caller may not list are left out; if
/// there is none they may list, the answer is [`AppError::NotPermitted`].
///
/// The page, its status filter and its cursor are made after the field filter, from the cases
/// shown and nothing else: the status compared is the one the caller is told, `next` is the
/// last case shown (when the page is full), and the cases passed over are neither recorded nor
/// counted. So a list tells a caller nothing about a case they may not see, not even that it
/// exists.
pub async fn list_cases(
    state: &App,
    caller: &Caller,
    query: &CaseQuery,
) -> Result<CasePage, AppError> {
    let actor = caller.authenticated()?.clone();
    let listable = listable_agreements(state, caller, query.agreement.as_ref()).await?;
    let limit = query.limit.clamp(1, PAGE_SIZE_MAX) as usize;
    let mut filter = CaseFilter {
        agreement: query.agreement.as_ref().map(ToString::to_string),
        status: query.status.and_then(stored_status),
        limit: PAGE_SIZE_MAX,
        after: query.after.map(|id| id.to_string()),
    };
    let holds = every_hold(state).await?;
    let mut shown: Vec<(CaseSummary, ResourceFacts)> = Vec::with_capacity(limit);
    'pages: loop {
        let rows = state.store().list_cases(&filter).await?;
        let exhausted = rows.len() < PAGE_SIZE_MAX as usize;
        filter.after = rows.last().map(|row| row.case_id.clone());
        for row in rows
            .iter()
            .filter(|row| listable.iter().any(|id| id.as_str() == row.agreement))
        {
            if let Some(found) =
                summary(state, caller, &actor, &row.case_id, query.status, &holds).await?
            {
                shown.push(found);
                if shown.len() == limit {
                    break 'pages;
                }
            }
        }
        if exhausted {
            break;
        }
    }
    let facts: Vec<ResourceFacts> = shown.iter().map(|(_, facts)| facts.clone()).collect();
    authorize_each(state, caller, Action::ReadCase, &facts).await?;
    let next = (shown.len() == limit)
        .then(|| shown.last().map(|(summary, _)| summary.case.clone()))
        .flatten();
    Ok(CasePage {
        cases: shown.into_iter().map(|(summary, _)| summary).collect(),
        next,
    })
}

/// The agreements whose cases the caller may list: the one asked for (decided and recorded),
/// or every one the policies allow.
async fn listable_agreements(
    state: &App,
    caller: &Caller,
    agreement: Option<&AgreementId>,
) -> Result<Vec<AgreementId>, AppError> {
    if let Some(id) = agreement {
        let agreement = find_agreement(state, id).await?;
        let facts = agreement_facts(&agreement)?;
        authorize(state, caller, Action::ListCases, &facts).await?;
        return Ok(vec![id.clone()]);
    }
    Ok(listable_agreement_states(state, caller)
        .await?
        .into_iter()
        .map(|agreement| agreement.id)
        .collect())
}

/// Every agreement whose cases the caller may list (each decision recorded, as a list's), or
/// the list's refusal when there is none: what a list or a work queue of cases starts from.
pub(crate) async fn listable_agreement_states(
    state: &App,
    caller: &Caller,
) -> Result<Vec<AgreementState>, AppError> {
    let agreements = state.store().agreements().await?;
    let facts = agreements
        .iter()
        .map(agreement_facts)
        .collect::<Result<Vec<_>, _>>()?;
    let allowed = authorize_each(state, caller, Action::ListCases, &facts).await?;
    let listable: Vec<AgreementState> = agreements
        .into_iter()
        .zip(allowed)
        .filter_map(|(agreement, allowed)| allowed.then_some(agreement))
        .collect();
    if listable.is_empty() {
        return Err(AppError::NotPermitted {
            action: Action::ListCases.as_str(),
        });
    }
    Ok(listable)
}

/// The one stored status a filter on `shown` can find whoever asks, if there is exactly one:
/// the store may then filter on it. Otherwise (`withdrawn` is also what protection found is
/// told as), every case is read and the status each caller is told compared.
fn stored_status(shown: ShownStatus) -> Option<CaseStatus> {
    let mut statuses = Disclosure::EVERYTHING.statuses_shown_as(shown);
    statuses.extend(Disclosure::NOTHING.statuses_shown_as(shown));
    statuses.sort();
    statuses.dedup();
    match statuses.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// A stored case as a list shows it to the caller, with the facts its read is recorded
/// under; `None` when the caller may not read it or is told another status than `status`.
async fn summary(
    state: &App,
    caller: &Caller,
    actor: &Actor,
    case_id: &str,
    status: Option<ShownStatus>,
    holds: &[Hold],
) -> Result<Option<(CaseSummary, ResourceFacts)>, AppError> {
    let id = CaseId::parse(case_id)
        .map_err(|error| AppError::Internal(format!("a stored case id `{case_id}`: {error}")))?;
    let Some((case, agreement)) = state.store().case(id).await? else {
        return Ok(None);
    };
    let facts = case_facts_with(&case, &agreement, holds)?;
    let Some(terms) = agreement.latest() else {
        return Ok(None);
    };
    let disclosure = disclose(actor, &case, terms);
    let told = disclosure.status(case.status);
    if !authorize::may(state, caller, Action::ReadCase, &facts)
        || status.is_some_and(|wanted| wanted != told)
    {
        return Ok(None);
    }
    let summary = CaseSummary {
        case: case.id.to_string(),
        agreement: case.agreement.to_string(),
        status: told.as_str().to_owned(),
        version: told_version(&case, &agreement, &disclosure),
        nationality: disclosure
            .nationality
            .then(|| case.rule.nationality.to_string()),
        next_deadline: agreement
            .terms(case.terms_version)
            .and_then(|terms| corridor_domain::clock::next_party_deadline(&case, terms))
            .map(|at| at.to_string()),
    };
    Ok(Some((summary, facts)))
}

/// Records that `caller` asked for `action` on case `id` and was refused before the policies
/// were asked (a bad body, a missing or malformed `If-Match`), with the error of stable code
/// `code`: a denied attempt on the record, named by the case, and by its agreement only where
/// the caller may know the case exists (the public log leaf names the agreement).
pub async fn record_refused_on_case(
    state: &App,
    caller: &Caller,
    action: Action,
    id: CaseId,
    code: &str,
) -> Result<(), AppError> {
    let facts = match state.store().case(id).await {
        Ok(Some((case, agreement))) => case_facts(state, &case, &agreement).await.ok(),
        _ => None,
    };
    let resource = match facts {
        Some(facts) if authorize::knows(state, caller, Action::ReadCase, &facts) => {
            record_name(&facts)
        }
        _ => (id.to_string(), None),
    };
    authorize::record_refused_before_policy(state, caller, action, resource, code).await
}

/// Executes a command on one case (`command.case()` names it), decided against the case as
/// the policies see it. `expected_version`, when given, must be the case's version.
pub async fn case_command(
    state: &App,
    caller: &Caller,
    command: Command,
    expected_version: Option<u64>,
) -> Result<CommandOutcome, AppError> {
    caller.authenticated()?;
    let id = command.case().ok_or_else(|| {
        AppError::Internal(format!(
            "`{}` is not a command on a case",
            Action::of_command(&command)
        ))
    })?;
    let action = Action::of_command(&command);
    let (found, agreement) = load_case(state, caller, action, id).await?;
    let resource = case_facts(state, &found, &agreement).await?;
    let told = told_disclosure(state, caller, &found, &agreement, &resource)?;
    // Checked once the policies allow the action: a caller refused it is told so first.
    let expected = match (&told, expected_version) {
        // A count of the events the caller may know of: the stream's version less the
        // monitoring body's records, which the store then checks (and records) as ever.
        (Some(disclosure), Some(version)) if disclosure.whole_case() => {
            Some(version.saturating_add(found.monitoring_records))
        }
        (Some(disclosure), Some(version)) if authorize::may(state, caller, action, &resource) => {
            let current = told_version(&found, &agreement, disclosure);
            if version != current {
                return Err(told_conflict(id, version, current));
            }
            Some(found.version)
        }
        (_, expected) => expected,
    };
    let name = command.name();
    let result = execute(state, caller, &resource, command, expected, Vec::new()).await;
    let Some(disclosure) = told else {
        return Ok(result?.outcome(Some((id, expected.unwrap_or(found.version)))));
    };
    let now = state.store().case(id).await?;
    let current = now.map(|(case, agreement)| told_version(&case, &agreement, &disclosure));
    let result = result.map_err(|error| conceal_protection(error, &disclosure, name));
    match result {
        Err(AppError::Store(StoreError::Conflict { .. })) => Err(told_conflict(
            id,
            expected_version.unwrap_or_default(),
            current.unwrap_or_default(),
        )),
        result => Ok(CommandOutcome {
            case_version: current,
            ..result?.outcome(None)
        }),
    }
}

/// A refusal as a caller who may not know of a protection claim is told it: that the transfer
/// is paused (a claim or a fear pending) or withdrawn (protection found), never why, in the
/// vocabulary of [`Disclosure::status`].
fn conceal_protection(error: AppError, disclosure: &Disclosure, command: &'static str) -> AppError {
    if disclosure.protection_facts {
        return error;
    }
    let refusal = match &error {
        AppError::Refused(refusal) | AppError::RefusedRecorded { refusal, .. } => refusal,
        _ => return error,
    };
    let withdrawn = Refusal::InvalidState {
        command,
        status: CaseStatus::Withdrawn,
    };
    match refusal {
        Refusal::ProtectionFound => AppError::Refused(withdrawn),
        Refusal::InvalidState { status, .. } => match disclosure.status(*status) {
            ShownStatus::Paused => AppError::Refused(Refusal::TransferPaused { command }),
            ShownStatus::Case(shown) if shown != *status => {
                AppError::Refused(Refusal::InvalidState {
                    command,
                    status: shown,
                })
            }
            ShownStatus::Case(_) => error,
        },
        Refusal::ProtectionClaimPending { .. } | Refusal::FearNotScreened { .. } => {
            AppError::Refused(Refusal::TransferPaused { command })
        }
        // The case's last moment could be that of an event hidden from the caller.
        Refusal::TimeBeforeRecorded { stream, at, .. } => {
            AppError::Refused(Refusal::TimeBeforeRecorded {
                stream: stream.clone(),
                recorded: None,
                at: *at,
            })
        }
        _ => error,
    }
}

/// What a caller who may read the case but not all of it is shown of it, for the version they
/// are told ([`told_version`]); `None` for a caller who sees it whole or may not read it.
fn told_disclosure(
    state: &App,
    caller: &Caller,
    case: &Case,
    agreement: &AgreementState,
    resource: &ResourceFacts,
) -> Result<Option<Disclosure>, AppError> {
    let actor = caller.authenticated()?;
    let disclosure = agreement
        .latest()
        .map_or(Disclosure::NOTHING, |terms| disclose(actor, case, terms));
    Ok((disclosure != Disclosure::EVERYTHING
        && authorize::knows(state, caller, Action::ReadCase, resource))
    .then_some(disclosure))
}

/// A stale `If-Match` of a caller told a fingerprint: the conflict names what they were told,
/// never the count of the case's events.
fn told_conflict(case: CaseId, expected: u64, current: u64) -> AppError {
    AppError::Store(StoreError::Conflict {
        case,
        expected,
        current,
    })
}

/// The holds the caller may know of (`read_hold`): a clerk their court's, a sending official
/// those bearing on their state's agreements (an order naming cases only if they see every
/// case it names). Only the listing is recorded, not each hold passed over.
pub async fn list_holds(state: &App, caller: &Caller) -> Result<Vec<HoldView>, AppError> {
    caller.authenticated()?;
    authorize(state, caller, Action::ListHolds, &ResourceFacts::Service).await?;
    let holds = state.store().holds().await?;
    let holds: Vec<&Hold> = holds.values().collect();
    let facts = hold_facts(state, &holds).await?;
    Ok(holds
        .into_iter()
        .zip(&facts)
        .filter(|(_, facts)| authorize::knows(state, caller, Action::ReadHold, facts))
        .map(|(hold, _)| HoldView::of(hold))
        .collect())
}

/// A court order to register.
#[derive(Debug, Clone)]
pub struct NewHold {
    /// The court, by the identifier its clerks act for.
    pub court: String,
    /// The court's reference.
    pub reference: String,
    /// Whom it covers.
    pub scope: HoldScope,
    /// The order it depends on, if any (it falls with it).
    pub depends_on: Option<HoldId>,
    /// The client's name for this registration (HTTP `Idempotency-Key`): registering again with
    /// the same key finds the hold the first registration made instead of making a second one.
    pub idempotency_key: Option<String>,
}

/// Registers a court hold under a new id; scheduled cases it covers are pulled and cases in
/// transit recalled, in the same commit.
///
/// With an idempotency key the id is derived from the caller, the court and the key, as for a
/// proposal ([`propose`]): registering again with the key answers with the hold the first
/// registration made (`replayed`, nothing appended) if it was this one, and refuses the key
/// otherwise.
pub async fn register_hold(
    state: &App,
    caller: &Caller,
    new: NewHold,
) -> Result<RegisteredHold, AppError> {
    let actor = caller.authenticated()?;
    let hold = match &new.idempotency_key {
        Some(key) => {
            let master = state.master().ok_or(AppError::NoMasterKey)?;
            HoldId::from_u64(master.idempotent_id("hold", actor.user.as_str(), &new.court, key))
        }
        None => HoldId::from_u64(random_u64()?),
    };
    let resource = ResourceFacts::Hold(HoldFacts {
        id: hold,
        court: new.court.clone(),
        sending_states: BTreeSet::new(),
    });
    let command = Command::RegisterHold {
        hold,
        court: new.court.clone(),
        reference: new.reference.clone(),
        scope: new.scope.clone(),
        depends_on: new.depends_on,
    };
    let accepted = match execute(state, caller, &resource, command, None, Vec::new()).await {
        // The key registered the hold before (a retry, or a request racing this one).
        Err(AppError::Refused(Refusal::AlreadyExists { .. })) if new.idempotency_key.is_some() => {
            return earlier_hold(state, caller, hold, &new).await;
        }
        result => result?,
    };
    Ok(RegisteredHold {
        hold: hold.to_string(),
        outcome: accepted.outcome(None),
        replayed: false,
    })
}

/// The answer to a registration whose idempotency key made `hold` before (the registration was
/// refused as existing, after the policies allowed it and its decision was recorded); the key is
/// refused as reused unless the earlier registration was this one (the same clerk, court,
/// reference, scope and parent order).
async fn earlier_hold(
    state: &App,
    caller: &Caller,
    hold: HoldId,
    new: &NewHold,
) -> Result<RegisteredHold, AppError> {
    let actor = caller.authenticated()?;
    let history = state.store().history(&StreamId::Hold(hold)).await?;
    let Some(first) = history.first() else {
        return Err(AppError::Internal(format!(
            "{hold} was refused as existing and has no events"
        )));
    };
    let EventBody::HoldRegistered {
        court,
        reference,
        scope,
        depends_on,
        ..
    } = &first.event.body
    else {
        return Err(AppError::Internal(format!(
            "{hold} does not begin with its registration"
        )));
    };
    let same = first.event.by.as_ref() == Some(&actor.user)
        && *court == new.court
        && *reference == new.reference
        && *scope == new.scope
        && *depends_on == new.depends_on;
    if !same {
        return Err(reused_key(&hold.to_string(), "registered"));
    }
    Ok(RegisteredHold {
        hold: hold.to_string(),
        outcome: CommandOutcome {
            outcome: "accepted".to_owned(),
            events: Vec::new(),
            case_version: None,
        },
        replayed: true,
    })
}

/// The refusal of an idempotency key that made `what` with other details.
fn reused_key(what: &str, done: &str) -> AppError {
    AppError::InvalidInput {
        field: "header.Idempotency-Key".to_owned(),
        message: format!(
            "this key already {done} {what} with other details; use a new key for a new request"
        ),
    }
}

/// Executes a command on one registered hold (stay, reactivate, amend, vacate).
pub async fn hold_command(
    state: &App,
    caller: &Caller,
    hold: HoldId,
    command: Command,
) -> Result<CommandOutcome, AppError> {
    caller.authenticated()?;
    let found = load_hold(state, caller, Action::of_command(&command), hold).await?;
    let facts = hold_facts(state, &[&found]).await?;
    let resource = facts
        .first()
        .ok_or_else(|| AppError::Internal(format!("no facts for {hold}")))?;
    let accepted = execute(state, caller, resource, command, None, Vec::new()).await?;
    Ok(accepted.outcome(None))
}

/// Lets the clocks run to now: silence accepts, requests lapse, deadlines expire; and lists the
/// responses to the monitoring body's findings overdue now (computed, never recorded).
pub async fn tick(
    state: &App,
    caller: &Caller,
) -> Result<crate::monitoring::TickOutcome, AppError> {
    caller.authenticated()?;
    let accepted = execute(
        state,
        caller,
        &ResourceFacts::Service,
        Command::Tick,
        None,
        Vec::new(),
    )
    .await?;
    Ok(crate::monitoring::TickOutcome {
        outcome: accepted.outcome(None),
        overdue_responses: crate::monitoring::overdue_responses(state).await?,
    })
}
