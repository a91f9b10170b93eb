//! corridor's application layer: what corridor does for a caller, once, under every door. The
//! HTTP API (`corridor-api`) and the command line's local mode call the same functions, over the
//! same [`App`], as a [`Caller`] they have authenticated their own way.
//!
//! - [`service`]: the application functions (agreements, propose, read a case, its history,
//!   list, every command on a case or a hold, tick): the policies decide, the decisions are
//!   recorded, the field filter applies;
//! - [`monitoring`]: the monitoring body's visits, findings and the responses to them, and the
//!   monitor's queue, with their typed answers and who sees what of them;
//! - [`queues`]: each role's work queue, computed when asked, and the dry run of a court order
//!   before it is registered;
//! - [`actions`]: the commands a caller could take on a case now (the case page's forms),
//!   asked without writing;
//! - [`proofs`]: an event of a case with its inclusion proof against the latest checkpoint;
//! - [`access`]: the access records, read back by the monitoring body and auditors;
//! - [`authorize`]: every decision through the Cedar policies, and its access record;
//! - [`execute`]: the one path of a command (authorize, then decide and append in a group
//!   commit), and what commands and reads load (cases, holds, agreements, their policy facts);
//! - [`committer`]: the one writer, grouping concurrent writes into durable commits;
//! - [`disclosure`] and [`views`]: the one field filter, and the case as a caller sees it;
//! - [`answers`]: the other typed answers (a command's outcome, a proposal, a history, a page
//!   of cases, holds, agreements);
//! - [`caller`]: who is asking ([`Caller`], [`Credential`]);
//! - [`state`]: [`App`] and its [`AppConfig`], the [`Clock`], the [`Counters`];
//! - [`error`]: [`AppError`], the outcomes a function can fail with, and how they are described;
//! - [`users`]: the rules of user administration's inputs (roles, token scopes);
//! - [`public_log`]: the latest checkpoint and the leaves per agreement, month and kind, for the
//!   public pages;
//! - [`publish`]: the one gzip encoding of the public log's entry bundles (served and exported);
//! - [`report`]: the joint committee's report on an agreement for a period, in its committee
//!   and public versions, as Markdown, printable HTML and CSV;
//! - [`statistics`]: public statistics, the true counts of a release from the events;
//! - [`limits`]: the application's own limits (page sizes, text lengths, idempotency keys,
//!   token lifetimes).
//!
//! This crate knows no HTTP: no status codes, headers, cookies or extractors. Each door maps
//! [`AppError::kind`] to its own vocabulary in one place (the API to RFC 9457 problems, the
//! command line to exit statuses). Its answers derive `serde` and `utoipa::ToSchema`: they are
//! the API's JSON, and the schema is a description of that data (utoipa without its web
//! framework features), kept beside the types so the OpenAPI document cannot drift from them.

#![deny(missing_docs)]

pub mod access;
pub mod actions;
pub mod answers;
pub mod authorize;
pub mod caller;
pub mod committer;
pub mod complaints;
pub mod disclosure;
pub mod error;
pub mod execute;
pub mod limits;
pub mod monitoring;
pub mod proofs;
pub mod public_log;
pub mod publish;
pub mod queues;
pub mod report;
pub mod service;
pub mod state;
pub mod statistics;
pub mod users;
pub mod views;

pub use caller::{Caller, Credential};
pub use error::{AppError, Description, ErrorKind};
pub use state::{App, AppConfig, Clock, Counters, NoCounters};
