//! Authorization in one place: every request's action is decided by the Cedar policies
//! (`corridor-authz`), and every decision about an authenticated caller, allowed or denied,
//! reads included, becomes an access record in the log before the answer leaves.
//!
//! The anonymous caller is not recorded: it can only reach what the policies make public (the
//! agreements, the statistics, the log), and a record per anonymous request would let anyone grow
//! the permanent log at will. Its denials still count in `/metrics`.

use corridor_authz::{Action, ResourceFacts};
use corridor_domain::terms::AgreementId;
use corridor_domain::{Event, EventBody};

use crate::auth::Caller;
use crate::committer::Job;
use crate::problem::ApiError;
use crate::state::AppState;

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
/// asked, with `error`: a denied attempt, so that a caller probing a case it may not touch
/// leaves a trace like any other. The anonymous caller is not recorded (see the module).
///
/// `resource` is named as in every record (`case-…`), with its agreement when it exists; a case
/// that does not exist is recorded by the id asked for, with no agreement.
pub async fn record_refused_before_policy(
    state: &AppState,
    caller: &Caller,
    action: Action,
    resource: (String, Option<AgreementId>),
    error: &ApiError,
) -> Result<(), ApiError> {
    if caller.is_anonymous() {
        return Ok(());
    }
    state
        .metrics()
        .authorization_denied(caller.actor.role.as_str());
    let event = access_record(
        state,
        caller,
        action,
        resource,
        false,
        vec![format!("{REFUSED_BEFORE_POLICY}{}", error.problem().code)],
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
    state: &AppState,
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
    /// The access record, for an authenticated caller.
    pub record: Option<Event>,
}

/// Decides `action` on `resource` for `caller`, without writing anything. A token whose scopes
/// do not cover the action is denied whatever the policies say.
pub fn decide(
    state: &AppState,
    caller: &Caller,
    action: Action,
    resource: &ResourceFacts,
) -> Decided {
    let decision = state.authz().decide(&caller.principal(), action, resource);
    for error in &decision.errors {
        tracing::warn!(action = action.as_str(), %error, "authorization error; denied");
    }
    let allowed = decision.allowed && caller.scope_allows(action);
    if !allowed {
        state
            .metrics()
            .authorization_denied(caller.actor.role.as_str());
    }
    let record = (!caller.is_anonymous()).then(|| {
        access_record(
            state,
            caller,
            action,
            record_name(resource),
            allowed,
            decision.reasons,
        )
    });
    Decided { allowed, record }
}

/// Decides a read (or any action with nothing else to commit): the record is durable before
/// this returns. Denied → [`ApiError::Forbidden`].
pub async fn authorize(
    state: &AppState,
    caller: &Caller,
    action: Action,
    resource: &ResourceFacts,
) -> Result<(), ApiError> {
    let decided = decide(state, caller, action, resource);
    record(state, decided.record).await?;
    if decided.allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            action: action.as_str(),
        })
    }
}

/// Decides many reads of one action at once (a list), writing their records in one commit;
/// returns which were allowed, in order.
pub async fn authorize_each(
    state: &AppState,
    caller: &Caller,
    action: Action,
    resources: &[ResourceFacts],
) -> Result<Vec<bool>, ApiError> {
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
/// when denied, writes the record and answers [`ApiError::Forbidden`].
pub async fn authorize_command(
    state: &AppState,
    caller: &Caller,
    action: Action,
    resource: &ResourceFacts,
) -> Result<Option<Job>, ApiError> {
    let decided = decide(state, caller, action, resource);
    if decided.allowed {
        Ok(decided.record.map(Job::Access))
    } else {
        record(state, decided.record).await?;
        Err(ApiError::Forbidden {
            action: action.as_str(),
        })
    }
}

async fn record(state: &AppState, record: Option<Event>) -> Result<(), ApiError> {
    if let Some(event) = record {
        state.committer().write(vec![Job::Access(event)]).await?;
    }
    Ok(())
}
