//! Confidential complaints to the monitoring body (docs/monitoring.md, "Confidential
//! complaints"; docs/domain.md §6: a government never learns that a complaint exists).
//!
//! A complaint lives in its own stream (`complaint-…`), never in a case's: a case's version,
//! history and `ETag` do not move when a complaint names it. Its text, contact and case
//! reference are sealed under the complaint's own key (erasable like a case's personal data),
//! and the holder is known only by the keyed hash of their receipt code.

use corridor_terms::AgreementId;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::event::EventBody;
use crate::ids::{CaseId, ComplaintId};
use crate::person::Sealed;

/// Who lodged a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Complainant {
    /// The person concerned.
    Person,
    /// The person's counsel.
    Counsel,
    /// An organisation acting for the person.
    Organisation,
}

impl Complainant {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::Person, Self::Counsel, Self::Organisation];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Counsel => "counsel",
            Self::Organisation => "organisation",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// Where a complaint stands with the monitoring body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    /// Lodged; nobody has taken it up yet.
    Received,
    /// A monitor is looking into it.
    UnderReview,
    /// The monitoring body replied (the holder of the receipt reads the reply).
    Replied,
    /// Closed: nothing more will be done.
    Closed,
}

impl ComplaintStatus {
    /// Every status, in order.
    pub const ALL: [Self; 4] = [
        Self::Received,
        Self::UnderReview,
        Self::Replied,
        Self::Closed,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::UnderReview => "under_review",
            Self::Replied => "replied",
            Self::Closed => "closed",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Whether a complaint in this status may be moved to `next`: forward from received to
    /// under review, replied or closed; a reply may be reopened for review or followed by
    /// another reply; a closed complaint stays closed.
    pub fn may_become(self, next: Self) -> bool {
        match self {
            Self::Received => next != Self::Received,
            Self::UnderReview => matches!(next, Self::Replied | Self::Closed),
            Self::Replied => matches!(next, Self::UnderReview | Self::Replied | Self::Closed),
            Self::Closed => false,
        }
    }
}

impl std::fmt::Display for ComplaintStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A complaint as its events leave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    /// The complaint.
    pub id: ComplaintId,
    /// The agreement whose monitoring body receives it.
    pub agreement: AgreementId,
    /// Who lodged it.
    pub complainant: Complainant,
    /// The keyed hash of the receipt code (hex): the only trace of the holder.
    pub receipt: String,
    /// The text, contact and case reference, sealed under the complaint's key.
    pub sealed: Sealed,
    /// Where it stands.
    pub status: ComplaintStatus,
    /// The monitoring body's latest reply, sealed under the complaint's key.
    pub reply: Option<Sealed>,
    /// The case a monitor linked it to.
    pub case: Option<CaseId>,
    /// When it was lodged.
    pub lodged_at: Timestamp,
    /// When its last event happened.
    pub last_event_at: Timestamp,
    /// Whether its key was destroyed.
    pub erased: bool,
    /// Events in its stream.
    pub version: u64,
}

impl Complaint {
    /// The complaint a `complaint_lodged` event starts; `None` for any other event.
    pub fn lodged(at: Timestamp, body: &EventBody) -> Option<Self> {
        let EventBody::ComplaintLodged {
            complaint,
            agreement,
            complainant,
            receipt,
            sealed,
        } = body
        else {
            return None;
        };
        Some(Self {
            id: *complaint,
            agreement: agreement.clone(),
            complainant: *complainant,
            receipt: receipt.clone(),
            sealed: sealed.clone(),
            status: ComplaintStatus::Received,
            reply: None,
            case: None,
            lodged_at: at,
            last_event_at: at,
            erased: false,
            version: 1,
        })
    }

    /// Applies a later event of its stream.
    pub fn apply(&mut self, at: Timestamp, body: &EventBody) {
        self.version += 1;
        self.last_event_at = self.last_event_at.max(at);
        match body {
            EventBody::ComplaintReviewed { status, reply, .. } => {
                self.status = *status;
                if reply.is_some() {
                    self.reply.clone_from(reply);
                }
            }
            EventBody::ComplaintLinked { case, .. } => self.case = Some(*case),
            EventBody::ComplaintErased { .. } => self.erased = true,
            _ => {}
        }
    }
}
