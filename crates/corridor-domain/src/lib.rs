//! corridor's sans-I/O core: the case lifecycle, holds and clocks as a decider.
//!
//! Commands and events in, decisions out. [`decide`] takes a [`Snapshot`] of what a command reads,
//! the [`Command`] and a [`Context`] (who acts, and when) and returns the [`Event`]s it causes or a
//! typed [`Refusal`]. [`apply_to_snapshot`] folds events into state; [`World`] keeps every stream
//! in memory as the reference every storage backend must agree with.
//!
//! This crate does no I/O, reads no clock and draws no randomness: time, ids and keys arrive as
//! values. It knows nothing of SQL, HTTP or files; `tests/domain/boundary.rs` keeps it that way.

#![deny(missing_docs)]

mod actor;
mod agreement;
mod case;
pub mod clock;
mod command;
mod decide;
mod event;
mod hold;
mod ids;
mod person;
mod refusal;
mod snapshot;
mod world;

pub use actor::{Actor, Party, Role};
pub use agreement::{AgreementState, ReplayError};
pub use case::{Case, CaseStatus, Detention, ReceivingProcedure, WelfareCheck};
pub use command::{Command, Context, NoticeFacts, PersonFacts};
pub use decide::{applied, case_terms, counts_of, decide, refusal_event, EVENTS_PER_COMMAND_MAX, REASON_LENGTH_MAX};
pub use event::{Acceptance, Event, EventBody, StreamId, UnscheduleCause, WelfareOutcome, SCHEMA_VERSION};
pub use hold::{effective, holds_covering, ClassCriteria, Hold, HoldIndex, HoldScope, HoldStatus};
pub use ids::{CaseId, HoldId, UserId};
pub use person::{age_years, Label, Language, PersonalData, RuleAttributes, Sealed};
pub use refusal::{CapKind, Refusal};
pub use snapshot::{depends_on_chain, needs, Counts, Needs, Snapshot, STATUSES_A_HOLD_PULLS};
pub use world::{apply_to_snapshot, ApplyError, Outcome, World};

pub use corridor_terms as terms;
