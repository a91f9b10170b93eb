//! corridor's sans-I/O core: the case lifecycle, holds and clocks as a decider.
//!
//! Commands and events in, decisions out. [`decide`] takes a [`Snapshot`] of what a command reads,
//! the [`Command`] and a [`Context`] (who acts, and when) and returns the [`Event`]s it causes or a
//! typed [`Refusal`]; who may ask which command is the one role table of [`roles`].
//! [`apply_to_snapshot`] folds events into state; [`World`] keeps every stream in memory as the
//! reference every storage backend must agree with.
//!
//! This crate does no I/O, reads no clock and draws no randomness: time, ids and keys arrive as
//! values. It knows nothing of SQL, HTTP or files; `tests/domain/boundary.rs` keeps it that way.

#![deny(missing_docs)]
// No function over about 70 lines (`too-many-lines-threshold` in clippy.toml): a decider is read
// one command at a time.
#![warn(clippy::too_many_lines)]

mod actor;
mod agreement;
mod apply;
mod case;
pub mod clock;
mod command;
mod complaint;
mod decide;
mod event;
mod hold;
mod ids;
pub mod monitoring;
mod order;
mod person;
mod refusal;
pub mod roles;
mod snapshot;
mod world;

pub use actor::{Actor, PARTY_IDENTIFIER_LENGTH_MAX, Party, PartyFieldError, Role};
pub use agreement::{AgreementState, ReplayError};
pub use apply::{ApplyError, applied, apply_to_snapshot};
pub use case::{Case, CaseStatus, Detention, ReceivingProcedure, SafeguardCause, WelfareCheck};
pub use command::{Command, Context, NoticeFacts, PersonFacts};
pub use complaint::{Complainant, Complaint, ComplaintStatus};
pub use decide::{
    EVENTS_PER_COMMAND_MAX, FINDING_TEXT_LENGTH_MAX, MONITORING_CASES_MAX, REASON_LENGTH_MAX,
    counts_of, decide, refusal_event, rule_attributes,
};
pub use event::{
    ACCESS_STREAM, Acceptance, Event, EventBody, MONITORING_RECORD_KIND, MonitorAlert,
    SCHEMA_VERSION, StreamId, UnscheduleCause, WelfareOutcome,
};
pub use hold::{
    ClassCriteria, Hold, HoldIndex, HoldScope, HoldStatus, ScopeChoice, effective, holds_covering,
};
pub use ids::{CaseId, ComplaintId, FindingId, HoldId, UserId, VisitId};
pub use order::{CLOCK_SKEW_DEFAULT, TimeOrder, last_recorded};
pub use person::{Label, Language, PersonalData, RuleAttributes, Sealed, age_years};
pub use refusal::{CapKind, Refusal};
pub use snapshot::{
    Counts, Needs, STATUSES_A_HOLD_PULLS, Snapshot, case_terms, depends_on_chain, needs,
    needs_with_findings,
};
pub use world::{Outcome, World};

pub use corridor_terms as terms;
