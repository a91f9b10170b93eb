//! Authorization in one place: every request's action is decided by the Cedar policies
//! (`corridor-authz`), and every decision about an authenticated caller, allowed or denied,
//! reads included, becomes an access record in the log before the answer leaves.
//!
//! A caller who may not know that a case, hold or user exists learns nothing from a refusal:
//! a denied action on it is answered as if it did not exist ([`AppError::NotFound`], what a
//! missing one gets), its record names no agreement (the public log's leaf would otherwise tell
//! which agreement the id belongs to), and a missing one costs the same record and commit
//! ([`absent`]). "May know it exists" is itself a decision of the policies: `read_case` for a
//! case, `read_hold` for a hold, `list_users` (or being that user) for an account.
//!
//! The anonymous caller is not recorded: it can only reach what the policies make public (the
//! agreements, the statistics, the log), and a record per anonymous request would let anyone grow
//! the permanent log at will. Its denials still count ([`crate::state::Counters`]).

use corridor_authz::{Action, ResourceFacts};
use corridor_domain::terms::AgreementId;
use corridor_domain::{Event, EventBody};

use crate::caller::Caller;
use crate::committer::Job;
use crate::error::AppError;
use crate::state::App;

/// How the resource is named in an access record: by identifier only.
pub fn resource_name(resource: &ResourceFacts) -> String {
    match resource {
        ResourceFacts::Service => "service".to_owned(),
        ResourceFacts::Log => "log".to_owned(),
        ResourceFacts::Agreement(agreement) => format!("agreement:{}", agreement.id),
        ResourceFacts::Case(case) => case.id.to_string(),
        ResourceFacts::Hold(hold) => hold.id.to_string(),
        ResourceFacts::User(user) => format!("user:{user}"),
    }
}

/// What the `policies` of a denied attempt's record start with: the request was refused before
/// the policies were asked (a bad body, a missing or malformed `If-Match`), and the rest names the
/// problem's code, such as `refused-before-policy:precondition_required`.
pub const REFUSED_BEFORE_POLICY: &str = "refused-before-policy:";

/// Records that `caller` asked for `action` on `resource` and was refused before any policy was
/// asked, with an error of stable code `code`: a denied attempt, so that a caller probing a case
/// it may not touch leaves a trace like any other. The anonymous caller is not recorded (see the
/// module).
///
/// `resource` is named as in every record (`case-…`), with its agreement when it exists; a case
/// that does not exist is recorded by the id asked for, with no agreement.
pub async fn record_refused_before_policy(
    state: &App,
    caller: &Caller,
    action: Action,
    resource: (String, Option<AgreementId>),
    code: &str,
) -> Result<(), AppError> {
    if caller.is_anonymous() {
        return Ok(());
    }
    state
        .counters()
        .authorization_denied(caller.actor.role.as_str());
    let event = access_record(
        state,
        caller,
        action,
        resource,
        false,
        vec![format!("{REFUSED_BEFORE_POLICY}{code}")],
    );
    record(state, Some(event)).await
}

/// How an access record names `resource`: by identifier, with its agreement where it belongs
/// to one.
pub fn record_name(resource: &ResourceFacts) -> (String, Option<AgreementId>) {
    let agreement = match resource {
        ResourceFacts::Agreement(agreement) => Some(agreement.id.clone()),
        ResourceFacts::Case(case) => Some(case.agreement.id.clone()),
        _ => None,
    };
    (resource_name(resource), agreement)
}

/// The access record of one decision about `caller`.
fn access_record(
    state: &App,
    caller: &Caller,
    action: Action,
    (resource, agreement): (String, Option<AgreementId>),
    allowed: bool,
    policies: Vec<String>,
) -> Event {
    Event {
        at: state.now(),
        by: Some(caller.actor.user.clone()),
        body: EventBody::AccessRecorded {
            role: caller.actor.role,
            action: action.as_str().to_owned(),
            resource,
            agreement,
            allowed,
            policies,
        },
    }
}

/// The outcome of a decision, with the record to write.
#[derive(Debug)]
pub struct Decided {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// Denied to a caller who may not know the resource exists: answered as not found.
    pub concealed: bool,
    /// The access record, for an authenticated caller.
    pub record: Option<Event>,
}

impl Decided {
    /// The error a denial is answered with.
    pub(crate) fn denial(&self, action: Action, resource: &ResourceFacts) -> AppError {
        if self.concealed {
            not_found(resource)
        } else {
            AppError::NotPermitted {
                action: action.as_str(),
            }
        }
    }
}

/// What a caller who may not know `resource` exists is told, whether or not it does: the
/// answer a missing one gets, word for word.
pub fn not_found(resource: &ResourceFacts) -> AppError {
    AppError::NotFound {
        what: match resource {
            ResourceFacts::Case(case) => format!("case {}", case.id),
            ResourceFacts::Hold(hold) => format!("hold {}", hold.id),
            ResourceFacts::User(user) => format!("user `{user}`"),
            other => resource_name(other),
        },
    }
}

/// Whether `caller` may not know that `resource` exists, so that a denial on it must look like
/// its absence. Creating a hold or an account names a resource that need not exist yet: its
/// denial says what it is.
fn conceals(state: &App, caller: &Caller, action: Action, resource: &ResourceFacts) -> bool {
    let knows = |action, resource: &ResourceFacts| knows(state, caller, action, resource);
    match resource {
        ResourceFacts::Case(_) => !knows(Action::ReadCase, resource),
        ResourceFacts::Hold(_) => {
            action != Action::RegisterHold && !knows(Action::ReadHold, resource)
        }
        ResourceFacts::User(user) => {
            action != Action::AddUser
                && caller.actor.user != *user
                && !knows(Action::ListUsers, &ResourceFacts::Service)
        }
        ResourceFacts::Service | ResourceFacts::Log | ResourceFacts::Agreement(_) => false,
    }
}

/// Whether `caller` may do `action` on `resource`: the policies and the credential's scopes,
/// with nothing recorded or counted. For filtering what a list shows: the list records the
/// decisions of what it shows ([`decide`]), and neither the log nor the counters may count the
/// rows it passed over, which would tell how many hidden cases there are.
pub fn may(state: &App, caller: &Caller, action: Action, resource: &ResourceFacts) -> bool {
    knows(state, caller, action, resource) && caller.scope_allows(action)
}

/// Whether the policies allow the caller's account `action` on `resource`, whatever the
/// credential's scopes (a token scoped to one action still acts for a user who knows the
/// case), with nothing recorded or counted.
pub fn knows(state: &App, caller: &Caller, action: Action, resource: &ResourceFacts) -> bool {
    state
        .authz()
        .decide(&caller.principal(), action, resource)
        .allowed
}

/// Decides `action` on `resource` for `caller`, without writing anything. A token whose scopes
/// do not cover the action is denied whatever the policies say.
pub fn decide(state: &App, caller: &Caller, action: Action, resource: &ResourceFacts) -> Decided {
    let decision = state.authz().decide(&caller.principal(), action, resource);
    for error in &decision.errors {
        tracing::warn!(action = action.as_str(), %error, "authorization error; denied");
    }
    let allowed = decision.allowed && caller.scope_allows(action);
    let concealed = !allowed && conceals(state, caller, action, resource);
    if !allowed {
        state
            .counters()
            .authorization_denied(caller.actor.role.as_str());
    }
    let record = (!caller.is_anonymous()).then(|| {
        // A concealed resource's record names no agreement: the public log leaf would.
        let (name, agreement) = record_name(resource);
        access_record(
            state,
            caller,
            action,
            (name, agreement.filter(|_| !concealed)),
            allowed,
            decision.reasons,
        )
    });
    Decided {
        allowed,
        concealed,
        record,
    }
}

/// The answer to an action on a case or hold that does not exist: the record of a denied
/// attempt, committed and counted like a concealed one (so that neither the answer, the public
/// log, the counters nor the time taken tells the two apart), then not found.
///
/// `kind` and `id` name what was asked for (`case`, `case-…`), as [`not_found`] does.
pub async fn absent(
    state: &App,
    caller: &Caller,
    action: Action,
    kind: &str,
    id: &(dyn std::fmt::Display + Sync),
) -> AppError {
    state
        .counters()
        .authorization_denied(caller.actor.role.as_str());
    let event = (!caller.is_anonymous()).then(|| {
        access_record(
            state,
            caller,
            action,
            (id.to_string(), None),
            false,
            Vec::new(),
        )
    });
    match record(state, event).await {
        Ok(()) => AppError::NotFound {
            what: format!("{kind} {id}"),
        },
        Err(error) => error,
    }
}

/// Decides a read (or any action with nothing else to commit): the record is durable before
/// this returns. Denied → [`AppError::NotPermitted`].
pub async fn authorize(
    state: &App,
    caller: &Caller,
    action: Action,
    resource: &ResourceFacts,
) -> Result<(), AppError> {
    let decided = decide(state, caller, action, resource);
    let denial = (!decided.allowed).then(|| decided.denial(action, resource));
    record(state, decided.record).await?;
    denial.map_or(Ok(()), Err)
}

/// Decides many reads of one action at once (a list), writing their records in one commit;
/// returns which were allowed, in order.
pub async fn authorize_each(
    state: &App,
    caller: &Caller,
    action: Action,
    resources: &[ResourceFacts],
) -> Result<Vec<bool>, AppError> {
    let mut allowed = Vec::with_capacity(resources.len());
    let mut records = Vec::new();
    for resource in resources {
        let decided = decide(state, caller, action, resource);
        allowed.push(decided.allowed);
        records.extend(decided.record.map(Job::Access));
    }
    if !records.is_empty() {
        state.committer().write(records).await?;
    }
    Ok(allowed)
}

/// Decides a command: when allowed, returns the record to commit together with the command;
/// when denied, writes the record and answers [`AppError::NotPermitted`].
pub async fn authorize_command(
    state: &App,
    caller: &Caller,
    action: Action,
    resource: &ResourceFacts,
) -> Result<Option<Job>, AppError> {
    let decided = decide(state, caller, action, resource);
    if decided.allowed {
        Ok(decided.record.map(Job::Access))
    } else {
        let denial = decided.denial(action, resource);
        record(state, decided.record).await?;
        Err(denial)
    }
}

async fn record(state: &App, record: Option<Event>) -> Result<(), AppError> {
    if let Some(event) = record {
        state.committer().write(vec![Job::Access(event)]).await?;
    }
    Ok(())
}
