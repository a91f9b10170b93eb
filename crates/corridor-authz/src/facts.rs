//! The plain facts a decision reads: who asks, and what the resource belongs to.
//!
//! Nothing here is personal data. A case is described by its agreement's parties, its counsel's
//! login name and whether the transfer was requested; the caller copies these from the store.

use corridor_domain::terms::{Agreement, AgreementId, Country};
use std::collections::BTreeSet;

use corridor_domain::{Actor, Case, CaseId, Hold, HoldId, Party, Role, UserId};

use crate::action::ResourceKind;

/// Who asks: a user's login name, their role and what the role acts for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    // INVARIANT: `user` is a valid login name, or empty for the anonymous public caller.
    pub(crate) user: String,
    pub(crate) role: Role,
    pub(crate) state: Option<Country>,
    pub(crate) court: Option<String>,
    pub(crate) monitoring_body: Option<String>,
}

impl Principal {
    /// The principal an authenticated actor is.
    pub fn from_actor(actor: &Actor) -> Self {
        let (mut state, mut court, mut monitoring_body) = (None, None, None);
        match &actor.party {
            Party::State(country) => state = Some(*country),
            Party::Court(id) => court = Some(id.clone()),
            Party::MonitoringBody(id) => monitoring_body = Some(id.clone()),
            Party::Clients | Party::None => {}
        }
        Self {
            user: actor.user.as_str().to_owned(),
            role: actor.role,
            state,
            court,
            monitoring_body,
        }
    }

    /// The anonymous caller of a public route. Its id is empty, which no login name can be.
    pub fn anonymous() -> Self {
        Self {
            user: String::new(),
            role: Role::Public,
            state: None,
            court: None,
            monitoring_body: None,
        }
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The login name; empty for the anonymous caller.
    pub fn user(&self) -> &str {
        &self.user
    }
}

/// The facts about an agreement that decisions read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgreementFacts {
    /// The agreement.
    pub id: AgreementId,
    /// The sending state.
    pub sending: Country,
    /// The receiving state.
    pub receiving: Country,
    /// The monitoring body's identifier, if the agreement names one.
    pub monitoring_body: Option<String>,
}

impl AgreementFacts {
    /// The facts of a loaded agreement.
    pub fn of(agreement: &Agreement) -> Self {
        Self {
            id: agreement.id.clone(),
            sending: agreement.sending,
            receiving: agreement.receiving,
            monitoring_body: agreement
                .terms
                .monitoring
                .as_ref()
                .map(|body| body.id.clone()),
        }
    }
}

/// The facts about a case that decisions read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseFacts {
    /// The case.
    pub id: CaseId,
    /// Its agreement.
    pub agreement: AgreementFacts,
    /// The person's counsel, if on record.
    pub counsel: Option<UserId>,
    /// Whether the transfer was requested of the receiving state.
    pub requested: bool,
    /// The courts whose orders cover the case, or matched it before.
    pub courts: BTreeSet<String>,
}

impl CaseFacts {
    /// The facts of a case under its agreement, given every hold: the courts are those of the
    /// holds whose scope covers the case now or that matched it before (`holds_matched`).
    pub fn of(case: &Case, agreement: &Agreement, holds: &[Hold]) -> Self {
        Self {
            id: case.id,
            agreement: AgreementFacts::of(agreement),
            counsel: case.counsel.clone(),
            requested: case.requested_at.is_some(),
            courts: holds
                .iter()
                .filter(|hold| case.holds_matched.contains(&hold.id) || hold.scope.covers(case))
                .map(|hold| hold.court.clone())
                .collect(),
        }
    }
}

/// The facts about a hold that decisions read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HoldFacts {
    /// The hold.
    pub id: HoldId,
    /// The court that made the order.
    pub court: String,
    /// The sending states of the agreements the order bears on: for a class order, of every
    /// agreement its criteria reach; for an order naming cases, the states that send every one
    /// of them (an official who may not see one of the cases does not see the order). Empty
    /// for an order being registered, which nobody but its court may know of yet.
    pub sending_states: BTreeSet<Country>,
}

/// What an action is done to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResourceFacts {
    /// The deployment itself.
    Service,
    /// The transparency log.
    Log,
    /// An agreement.
    Agreement(AgreementFacts),
    /// A case.
    Case(CaseFacts),
    /// A hold.
    Hold(HoldFacts),
    /// A user account.
    User(UserId),
}

impl ResourceFacts {
    /// The resource's kind, which must be the action's.
    pub fn kind(&self) -> ResourceKind {
        match self {
            Self::Service => ResourceKind::Service,
            Self::Log => ResourceKind::Log,
            Self::Agreement(_) => ResourceKind::Agreement,
            Self::Case(_) => ResourceKind::Case,
            Self::Hold(_) => ResourceKind::Hold,
            Self::User(_) => ResourceKind::User,
        }
    }
}
