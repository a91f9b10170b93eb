//! Who is asking: the identity an application function acts for (the user with their role and
//! party) and how it was proved (a browser session, an API token, the database host, or
//! nothing: the public).
//!
//! Proving it is the door's work: the HTTP API reads session cookies (with their CSRF token)
//! and bearer tokens (`corridor_api::auth`), the command line its `--as` account and token. The
//! application takes the [`Caller`] it is handed and lets the policies decide what it may do.

use std::collections::BTreeSet;

use corridor_accounts::{Scope, SessionId};
use corridor_authz::{Action, Principal};
use corridor_domain::{Actor, Party, Role, UserId};
use jiff::Timestamp;

use crate::error::AppError;

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Credential {
    /// No credential: the public.
    Anonymous,
    /// A browser session.
    Session {
        /// The session.
        session: SessionId,
    },
    /// An API token, limited to its scopes and its lifetime.
    Token {
        /// What the token may do (Cedar action names, or `*` for everything the user may do).
        scopes: BTreeSet<Scope>,
        /// When it stops working: no token it issues may outlive it.
        expires_at: Timestamp,
    },
    /// Acting on the database host as this account: the command line without `--server`.
    /// Whoever can open the database could change it anyway, so nothing more is proved; the
    /// policies still decide every action, and every decision is recorded. No scopes: the
    /// account's role alone decides.
    Local,
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who acts: the user with their role and party; the anonymous caller is the `public` role.
    pub actor: Actor,
    /// How they proved it.
    pub credential: Credential,
}

/// The login name the anonymous caller is recorded under nowhere: it never reaches the log.
const ANONYMOUS_USER: &str = "anonymous";

impl Caller {
    /// The anonymous public caller.
    pub fn anonymous() -> Result<Self, AppError> {
        let user = UserId::parse(ANONYMOUS_USER)
            .map_err(|error| AppError::Internal(format!("the anonymous user id: {error}")))?;
        Ok(Self {
            actor: Actor {
                user,
                role: Role::Public,
                party: Party::None,
            },
            credential: Credential::Anonymous,
        })
    }

    /// `actor` acting on the database host (the command line without `--server`).
    pub fn local(actor: Actor) -> Self {
        Self {
            actor,
            credential: Credential::Local,
        }
    }

    /// Whether nobody is logged in.
    pub fn is_anonymous(&self) -> bool {
        matches!(self.credential, Credential::Anonymous)
    }

    /// The principal the policies see.
    pub fn principal(&self) -> Principal {
        if self.is_anonymous() {
            Principal::anonymous()
        } else {
            Principal::from_actor(&self.actor)
        }
    }

    /// Whether the credential's scopes cover `action` (sessions and the public have no scopes;
    /// for them the policies alone decide).
    pub fn scope_allows(&self, action: Action) -> bool {
        match &self.credential {
            Credential::Token { scopes, .. } => scopes
                .iter()
                .any(|scope| scope.is_every_action() || scope.as_str() == action.as_str()),
            Credential::Anonymous | Credential::Session { .. } | Credential::Local => true,
        }
    }

    /// The expiry of a token this caller issues, when it lies within the caller's own token: a
    /// token may issue only tokens whose scopes are among its own (`*` only from `*`) and that
    /// expire no later than it does, so that no token widens or outlives itself. `asked` is
    /// the expiry the request gave, or `None` for the default (`default`), which is then cut
    /// to the caller's own expiry. Sessions and local callers are limited by the policies
    /// alone.
    ///
    /// # Errors
    /// [`AppError::InvalidInput`] naming `body.scopes[i]` or `body.expires_in_days`.
    pub fn token_within(
        &self,
        scopes: &[Scope],
        asked: Option<Timestamp>,
        default: Timestamp,
    ) -> Result<Timestamp, AppError> {
        let Credential::Token {
            scopes: own,
            expires_at,
        } = &self.credential
        else {
            return Ok(asked.unwrap_or(default));
        };
        let every = own.iter().any(Scope::is_every_action);
        if let Some((index, scope)) = scopes
            .iter()
            .enumerate()
            .find(|(_, scope)| !every && !own.contains(*scope))
        {
            let names: Vec<&str> = own.iter().map(Scope::as_str).collect();
            return Err(AppError::InvalidInput {
                field: format!("body.scopes[{index}]"),
                message: format!(
                    "a token may issue only tokens within its own scopes ({}), and `{}` is not among them",
                    names.join(", "),
                    scope.as_str()
                ),
            });
        }
        match asked {
            Some(asked) if asked > *expires_at => Err(AppError::InvalidInput {
                field: "body.expires_in_days".to_owned(),
                message: format!(
                    "a token may not issue a token that outlives it; this one expires at {expires_at}"
                ),
            }),
            Some(asked) => Ok(asked),
            None => Ok(default.min(*expires_at)),
        }
    }

    /// The caller, or 401 when nobody is logged in.
    pub fn authenticated(&self) -> Result<&Actor, AppError> {
        if self.is_anonymous() {
            Err(AppError::Unauthenticated)
        } else {
            Ok(&self.actor)
        }
    }
}
