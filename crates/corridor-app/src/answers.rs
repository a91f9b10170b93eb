//! The typed answers of the application functions: what a command did, a proposed case, a
//! case's history and a page of cases, the holds, the agreements. Each door sends them as they
//! are (the HTTP API as JSON, the command line as text or `--json`); they serialise to the API's
//! JSON and read back from it, so a client of the API gets the same values as a local caller.
//!
//! The case itself ([`crate::views::CaseView`]) and the access records
//! ([`crate::access::AccessRecordPage`]) are answered by their own modules.

use corridor_domain::{Event, Hold};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One appended event, as a command's answer names it: its place, its kind and its facts.
///
/// The caller caused these events, so they learn nothing new from the facts: what they sent,
/// and the ids of what it touched (cases a hold covers, cases the clocks moved). Sealed personal
/// data is never included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventSummary {
    /// Its global sequence number (and log leaf).
    pub seq: u64,
    /// Its kind, such as `transfer_requested`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The stream it belongs to (`case-…`, `hold-…`, `agreement:…`).
    pub stream: String,
    /// When it happened.
    pub at: String,
    /// Who did it (absent when a clock or a cascade did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The event's facts, as stored, without its kind and without sealed personal data.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl EventSummary {
    /// The summary of event `seq`.
    pub fn of(seq: u64, event: &Event) -> Self {
        Self {
            seq,
            kind: event.body.kind().to_owned(),
            stream: event.body.stream().to_string(),
            at: event.at.to_string(),
            by: event.by.as_ref().map(ToString::to_string),
            details: event_details(event),
        }
    }
}

/// An event's facts as stored, without its kind (`type`) and without sealed personal data
/// (`personal`, ciphertext that serves nobody).
pub fn event_details(event: &Event) -> serde_json::Value {
    // Serialising these plain data types cannot fail (see `Event::to_json`).
    let mut value = serde_json::to_value(&event.body).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.remove("personal");
        object.remove("type");
    }
    value
}

/// What an accepted command did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommandOutcome {
    /// Always `accepted`; refusals are problems.
    pub outcome: String,
    /// The events appended, in order (empty when there was nothing to record).
    pub events: Vec<EventSummary>,
    /// The case's version after the command, for a command on one case (also in `ETag`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_version: Option<u64>,
}

/// A proposed case.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Proposed {
    /// The new case's id.
    pub case: String,
    /// Its version (also in `ETag`).
    pub version: u64,
    /// What was appended.
    #[serde(flatten)]
    pub outcome: CommandOutcome,
    /// Whether this answers again a proposal made earlier with the same `Idempotency-Key`:
    /// then nothing was appended now, and `version` is the case's version today.
    pub replayed: bool,
}

/// One event of a case's history.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HistoryEvent {
    /// Its global sequence number.
    pub seq: u64,
    /// Its version within the case.
    pub version: u64,
    /// Its kind.
    #[serde(rename = "type")]
    pub kind: String,
    /// When it happened.
    pub at: String,
    /// Who did it (absent when a clock or a cascade did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The event's facts, for callers who see the whole case (sealed personal data is never
    /// included).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

/// One case in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CaseSummary {
    /// The case id.
    pub case: String,
    /// Its agreement.
    pub agreement: String,
    /// Its status.
    pub status: String,
    /// Its version.
    pub version: u64,
    /// The person's nationality (ISO 3166-1 alpha-3), absent when withheld from the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Its next deadline.
    pub next_deadline: Option<String>,
}

/// A page of cases.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CasePage {
    /// The cases the caller may see, by id.
    pub cases: Vec<CaseSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// A registered hold.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RegisteredHold {
    /// The hold's id.
    pub hold: String,
    /// What was appended.
    #[serde(flatten)]
    pub outcome: CommandOutcome,
    /// Whether this answers again a registration made earlier with the same `Idempotency-Key`:
    /// then nothing was appended now.
    pub replayed: bool,
}

/// A hold as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HoldView {
    /// The hold id.
    pub hold: String,
    /// The court.
    pub court: String,
    /// The court's reference.
    pub reference: String,
    /// `active`, `stayed` or `vacated`.
    pub status: String,
    /// Whom it covers.
    #[schema(value_type = Object)]
    pub scope: serde_json::Value,
    /// The order it depends on.
    pub depends_on: Option<String>,
    /// How many times its scope was amended.
    pub amendments: u32,
    /// Its version.
    pub version: u64,
}

impl HoldView {
    /// The view of `hold`.
    pub fn of(hold: &Hold) -> Self {
        Self {
            hold: hold.id.to_string(),
            court: hold.court.clone(),
            reference: hold.reference.clone(),
            status: hold.status.as_str().to_owned(),
            scope: serde_json::to_value(&hold.scope).unwrap_or_default(),
            depends_on: hold.depends_on.map(|id| id.to_string()),
            amendments: hold.amendments,
            version: hold.version,
        }
    }
}

/// The two states party to an agreement.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartiesView {
    /// The sending state (ISO 3166-1 alpha-3).
    pub sending: String,
    /// The receiving state (ISO 3166-1 alpha-3).
    pub receiving: String,
}

/// One agreement as the public sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AgreementView {
    /// The agreement's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The parties.
    pub parties: PartiesView,
    /// Its status on the server's today (UTC).
    pub status: String,
    /// The latest terms version.
    pub terms_version: u32,
}

/// The agreement list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AgreementsView {
    /// Every agreement, by id.
    pub agreements: Vec<AgreementView>,
}

/// A dated status.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StatusView {
    /// The status entered.
    pub status: String,
    /// The day it was entered.
    pub on: String,
}

/// One agreement in detail.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AgreementDetail {
    /// The summary.
    #[serde(flatten)]
    pub agreement: AgreementView,
    /// The monitoring body, if the agreement names one.
    pub monitoring_body: Option<String>,
    /// Every status it entered, in order.
    pub status_history: Vec<StatusView>,
    /// The name of the file its latest terms were loaded from.
    pub file_name: String,
    /// That file's text, as reviewed and loaded (docs/agreements.md describes the format):
    /// the terms in full, with the source of each.
    pub text: String,
}
