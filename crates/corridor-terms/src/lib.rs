//! Agreement files: the terms of a transfer arrangement as data.
//!
//! No jurisdiction's law is written in code. An agreement file (TOML, reviewed like a contract)
//! names the parties, the lifecycle, who is eligible, the caps, the clocks, the onward rule, the
//! fields shared with the receiving state, the monitoring body and the breakdowns its public
//! statistics may show. [`parse_agreement`] turns the
//! text into a validated [`Agreement`] or into *every* error in it, each with file, line and field.
//!
//! This crate does no I/O: callers read the file and pass its text and name.

#![deny(missing_docs)]

mod country;
mod model;
mod parse;
mod serde_impls;
mod span;
mod text;

pub use country::Country;
pub use model::{
    Agreement, AgreementId, AgreementStatus, Caps, Clocks, DeadlineExtension, Eligibility,
    MonitoringBody, OnwardRule, ScheduledCheck, Sex, SharedField, StatisticsBreakdown,
    StatusChange, Terms, Vulnerability, WelfareCheckRule, WelfareScheduleRule,
};
pub use parse::{AGREEMENT_FILE_SIZE_MAX_BYTES, AgreementError, AgreementErrors, parse_agreement};
pub use span::ClockSpan;
pub use text::{check_text, forbidden_in_text};
