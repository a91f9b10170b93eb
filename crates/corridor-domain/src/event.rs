//! Events: the only source of truth, and corridor's persisted schema.
//!
//! This module is the one place where the stored form of events is defined: every variant is
//! written as JSON with a `type` tag, and [`SCHEMA_VERSION`] names the format. A snapshot test
//! freezes the JSON of every variant, so a change to the stored schema is always a reviewed one.

use std::collections::BTreeMap;

use corridor_terms::{AgreementId, AgreementStatus, Country, Vulnerability};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::complaint::{Complainant, ComplaintStatus};
use crate::hold::HoldScope;
use crate::ids::{CaseId, ComplaintId, FindingId, HoldId, UserId, VisitId};
use crate::monitoring::{AddressedParty, FindingFacts, FindingOutcome, Seen, VisitPlan};
use crate::person::{Language, RuleAttributes, Sealed};

/// The version of the stored event format. Bump it, and add a migration, when a variant changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The stream an event belongs to; each stream has its own version counter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StreamId {
    /// An agreement's stream.
    Agreement(AgreementId),
    /// A case's stream.
    Case(CaseId),
    /// A hold's stream.
    Hold(HoldId),
    /// A monitoring visit's stream.
    Visit(VisitId),
    /// A monitoring finding's stream.
    Finding(FindingId),
    /// The access records: every authorization decision about an authenticated caller.
    Access,
    /// A confidential complaint to the monitoring body: never a case's stream.
    Complaint(ComplaintId),
}

/// The one kind every public leaf of a monitoring-body record says (see
/// [`EventBody::is_monitoring_record`]).
pub const MONITORING_RECORD_KIND: &str = "monitoring_record";

/// The stored name of the access-record stream.
pub const ACCESS_STREAM: &str = "access";

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Agreement(id) => write!(f, "agreement:{id}"),
            Self::Case(id) => write!(f, "{id}"),
            Self::Hold(id) => write!(f, "{id}"),
            Self::Visit(id) => write!(f, "{id}"),
            Self::Finding(id) => write!(f, "{id}"),
            Self::Access => f.write_str(ACCESS_STREAM),
            Self::Complaint(id) => write!(f, "{id}"),
        }
    }
}

/// Something that happened, when, and who did it (`None` for what the clock caused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When it happened.
    pub at: Timestamp,
    /// Who did it; `None` when a clock or a cascade caused it.
    pub by: Option<UserId>,
    /// What happened.
    #[serde(flatten)]
    pub body: EventBody,
}

/// How a receiving state's acceptance came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    /// A receiving officer approved the person.
    Explicit,
    /// The reply deadline passed in silence and the terms say silence accepts.
    Silence,
    /// The terms need no per-person approval: the request itself is accepted.
    Terms,
}

/// Why a scheduled transfer was taken off the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "cause")]
pub enum UnscheduleCause {
    /// A court hold now applies to the case.
    Hold {
        /// The order.
        hold: HoldId,
    },
    /// A protection claim was filed.
    ProtectionClaim,
}

/// The outcome of a welfare check.
///
/// The stored names of the first three (`well`, `concerns`, `not_seen`) are frozen; the CLI and
/// the API also accept the clearer names of [`WelfareOutcome::name`] (`seen_well`,
/// `seen_with_concerns`, `not_found`, `refused_contact`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WelfareOutcome {
    /// Seen, no concerns.
    Well,
    /// Seen, with concerns recorded for follow-up.
    Concerns,
    /// The monitor could not find the person.
    NotSeen,
    /// The monitor found the person, who refused contact.
    RefusedContact,
}

impl WelfareOutcome {
    /// Every outcome.
    pub const ALL: [Self; 4] = [
        Self::Well,
        Self::Concerns,
        Self::NotSeen,
        Self::RefusedContact,
    ];

    /// Parses an outcome by its clear name ([`Self::name`]) or its stored one ([`Self::as_str`]).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.name() == text || outcome.as_str() == text)
    }

    /// The stored snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Well => "well",
            Self::Concerns => "concerns",
            Self::NotSeen => "not_seen",
            Self::RefusedContact => "refused_contact",
        }
    }

    /// The clear name the CLI and the API use: `seen_well`, `seen_with_concerns`, `not_found`,
    /// `refused_contact`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Well => "seen_well",
            Self::Concerns => "seen_with_concerns",
            Self::NotSeen => "not_found",
            Self::RefusedContact => "refused_contact",
        }
    }

    /// Whether the monitor found the person (whereabouts known), whatever they said.
    pub fn found(self) -> bool {
        !matches!(self, Self::NotSeen)
    }

    /// The clear names, for messages: `seen_well, seen_with_concerns, not_found, refused_contact`.
    pub fn names() -> String {
        Self::ALL.map(Self::name).join(", ")
    }
}

/// Why the monitoring body is alerted about a person after arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum MonitorAlert {
    /// Welfare checks were missed in a row (their windows closed with no check, or the person
    /// was not found).
    MissedChecks {
        /// How many in a row.
        count: u32,
        /// When the first of them was due: the episode the alert is about.
        since: Timestamp,
    },
    /// The person's whereabouts have been unknown for longer than the terms allow.
    WhereaboutsUnknown {
        /// Since when.
        since: Timestamp,
    },
}

impl MonitorAlert {
    /// The snake_case reason.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::MissedChecks { .. } => "missed_checks",
            Self::WhereaboutsUnknown { .. } => "whereabouts_unknown",
        }
    }
}

/// Every kind of event, tagged by `type` in storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    /// An agreement file was loaded, or a new version of it (an amendment).
    AgreementLoaded {
        /// The agreement.
        agreement: AgreementId,
        /// 1 for the first load, then one more for each amendment.
        terms_version: u32,
        /// The file name it was loaded from, for the record.
        file_name: String,
        /// The whole file as reviewed: replaying parses it again.
        text: String,
    },
    /// The agreement entered a new lifecycle status on a given day.
    AgreementStatusChanged {
        /// The agreement.
        agreement: AgreementId,
        /// The new status.
        status: AgreementStatus,
        /// The day it takes effect.
        on: Date,
    },

    /// A case was proposed.
    CaseProposed {
        /// The case.
        case: CaseId,
        /// The agreement it is proposed under.
        agreement: AgreementId,
        /// The terms version it keeps for its whole life.
        terms_version: u32,
        /// What the safeguards read.
        rule: RuleAttributes,
        /// The person's lawyer, if any.
        counsel: Option<UserId>,
        /// The personal data, sealed with the case key.
        personal: Sealed,
    },
    /// An active court hold was found to cover the case.
    HoldMatched {
        /// The case.
        case: CaseId,
        /// The order.
        hold: HoldId,
    },
    /// A complete notice was served.
    NoticeServed {
        /// The case.
        case: CaseId,
        /// The language used, one the person understands.
        language: Language,
        /// The destination named in the notice.
        destination: Country,
    },
    /// A protection (fear) claim was filed.
    ProtectionClaimed {
        /// The case.
        case: CaseId,
    },
    /// A protection screening was decided.
    ProtectionDecided {
        /// The case.
        case: CaseId,
        /// Whether protection was found (which ends the transfer).
        granted: bool,
    },
    /// The sending state asked the receiving state to take the person.
    TransferRequested {
        /// The case.
        case: CaseId,
    },
    /// The receiving state accepted the person.
    AcceptedByReceivingState {
        /// The case.
        case: CaseId,
        /// How.
        acceptance: Acceptance,
    },
    /// The reply deadline passed in silence and silence does not accept: the request lapsed.
    RequestLapsed {
        /// The case.
        case: CaseId,
    },
    /// The receiving state refused the person.
    RefusedByReceivingState {
        /// The case.
        case: CaseId,
        /// The stated reason.
        reason: String,
    },
    /// A sending supervisor approved the transfer for scheduling.
    SupervisorApproved {
        /// The case.
        case: CaseId,
    },
    /// The transfer deadline was extended for a reason the terms allow.
    TransferDeadlineExtended {
        /// The case.
        case: CaseId,
        /// The reason code from the terms.
        reason: String,
    },
    /// A departure was scheduled.
    TransferScheduled {
        /// The case.
        case: CaseId,
        /// The planned departure.
        departure: Timestamp,
    },
    /// A scheduled departure was taken off the schedule.
    TransferUnscheduled {
        /// The case.
        case: CaseId,
        /// Why.
        #[serde(flatten)]
        cause: UnscheduleCause,
    },
    /// The person left the sending state.
    Departed {
        /// The case.
        case: CaseId,
    },
    /// A hold arrived while the person was in transit: the sending state keeps custody.
    Recalled {
        /// The case.
        case: CaseId,
        /// The order, if a hold caused it.
        hold: Option<HoldId>,
    },
    /// The person arrived in the receiving state.
    Arrived {
        /// The case.
        case: CaseId,
    },
    /// A country the person fears was recorded after proposal.
    FearRecorded {
        /// The case.
        case: CaseId,
        /// The country.
        country: Country,
    },
    /// The person's age was disputed. Only the age the claimed birth date gives on the day of the
    /// proposal is kept, never the date.
    AgeDisputed {
        /// The case.
        case: CaseId,
        /// The age, in whole years on the day of the proposal, the claimed birth date gives.
        claimed_age_at_proposal: u8,
    },
    /// An age dispute was decided.
    AgeDecided {
        /// The case.
        case: CaseId,
        /// The age, in whole years on the day of the proposal, the assessed birth date gives.
        age_at_proposal: u8,
    },
    /// A vulnerability was recorded after proposal.
    VulnerabilityRecorded {
        /// The case.
        case: CaseId,
        /// The category.
        category: Vulnerability,
        /// Whether the case's terms exclude it (which sends the case back).
        excluded: bool,
    },
    /// A protection claim was lodged in the receiving state.
    ReceivingClaimLodged {
        /// The case.
        case: CaseId,
    },
    /// The receiving state decided the claim (or its appeal).
    ReceivingClaimDecided {
        /// The case.
        case: CaseId,
        /// Whether protection was granted.
        granted: bool,
        /// Whether this decided an appeal.
        appeal: bool,
    },
    /// An appeal against a refused claim was lodged.
    AppealLodged {
        /// The case.
        case: CaseId,
    },
    /// The person moved on from the receiving state to a permitted destination.
    OnwardMoved {
        /// The case.
        case: CaseId,
        /// Where to.
        destination: Country,
    },
    /// The person went back to the sending state after arrival.
    Returned {
        /// The case.
        case: CaseId,
    },
    /// The person settled in the receiving state.
    Settled {
        /// The case.
        case: CaseId,
    },
    /// The person is no longer where they were last known to be.
    WhereaboutsUnknown {
        /// The case.
        case: CaseId,
    },
    /// The person was found again.
    WhereaboutsKnown {
        /// The case.
        case: CaseId,
    },
    /// A monitor recorded a welfare check.
    WelfareCheckRecorded {
        /// The case.
        case: CaseId,
        /// What the monitor found.
        outcome: WelfareOutcome,
    },
    /// The clock raised an alert to the agreement's monitoring body about the person (a
    /// monitoring record: neither government is shown it).
    MonitorAlertRaised {
        /// The case.
        case: CaseId,
        /// Why.
        #[serde(flatten)]
        alert: MonitorAlert,
    },
    /// A court validated the person's detention in time.
    DetentionValidated {
        /// The case.
        case: CaseId,
    },
    /// No court validated detention within the terms' period: the person must be released.
    DetentionValidationLapsed {
        /// The case.
        case: CaseId,
    },
    /// The transfer deadline passed before departure: responsibility stays with the sending state.
    TransferDeadlineExpired {
        /// The case.
        case: CaseId,
    },
    /// The support period after arrival ended.
    SupportPeriodEnded {
        /// The case.
        case: CaseId,
    },
    /// The sending state withdrew the case.
    Withdrawn {
        /// The case.
        case: CaseId,
        /// Why, as a short code (`withdrawn_by_officer`, `ineligible_vulnerability`, ...).
        reason: String,
    },
    /// The case key was destroyed: personal data is unreadable from now on.
    PersonalDataErased {
        /// The case.
        case: CaseId,
    },
    /// A safeguard refused a command. Kept so that blocked attempts stay visible.
    SafeguardTriggered {
        /// The case.
        case: CaseId,
        /// The command that was refused, by name.
        command: String,
        /// The refusal code.
        code: String,
        /// The facts behind the refusal.
        facts: BTreeMap<String, String>,
    },

    /// An authorization decision about an authenticated caller, allowed or denied, reads
    /// included (docs/domain.md §6: every read of a case is logged). `by` is the caller. It names
    /// the resource by its identifier only: never personal data.
    AccessRecorded {
        /// The caller's role when the decision was made.
        role: crate::actor::Role,
        /// The action asked for (its Cedar name, such as `read_case`).
        action: String,
        /// The resource: `case-…`, `hold-…`, `agreement:…`, `user:…`, `service` or `log`.
        resource: String,
        /// The agreement the resource belongs to, where it belongs to one.
        agreement: Option<AgreementId>,
        /// Whether it was allowed.
        allowed: bool,
        /// The policies that decided (their `@id`s); empty when nothing permitted it.
        policies: Vec<String>,
    },

    /// A complaint was lodged with the monitoring body, by someone without an account. `by` is
    /// `None`: the holder is known only by the keyed hash of their receipt code.
    ComplaintLodged {
        /// The complaint.
        complaint: ComplaintId,
        /// The agreement whose monitoring body receives it.
        agreement: AgreementId,
        /// Who lodged it.
        complainant: Complainant,
        /// The keyed hash (hex) of the one-time receipt code.
        receipt: String,
        /// The text, contact and case reference, sealed under the complaint's key.
        sealed: Sealed,
    },
    /// A monitor moved a complaint on, with a reply for the holder of the receipt or not.
    ComplaintReviewed {
        /// The complaint.
        complaint: ComplaintId,
        /// Its new status.
        status: ComplaintStatus,
        /// The reply, sealed under the complaint's key.
        reply: Option<Sealed>,
    },
    /// A monitor linked a complaint to a case of its agreement (recorded in the complaint's
    /// stream only: the case's stream and version do not move).
    ComplaintLinked {
        /// The complaint.
        complaint: ComplaintId,
        /// The case.
        case: CaseId,
    },
    /// The complaint's key was destroyed: its text, contact, reference and reply are unreadable.
    ComplaintErased {
        /// The complaint.
        complaint: ComplaintId,
    },

    /// A court registered a hold.
    HoldRegistered {
        /// The hold.
        hold: HoldId,
        /// The court.
        court: String,
        /// The court's reference for the order.
        reference: String,
        /// Whom it covers.
        scope: HoldScope,
        /// The order it depends on: it falls when that one is vacated.
        depends_on: Option<HoldId>,
    },
    /// The hold was stayed: it has no effect until reactivated.
    HoldStayed {
        /// The hold.
        hold: HoldId,
    },
    /// A stayed hold took effect again.
    HoldReactivated {
        /// The hold.
        hold: HoldId,
    },
    /// The hold's scope was amended.
    HoldAmended {
        /// The hold.
        hold: HoldId,
        /// The new scope.
        scope: HoldScope,
    },
    /// The hold was vacated, directly or because the order it depends on was.
    HoldVacated {
        /// The hold.
        hold: HoldId,
        /// The order whose vacatur brought this one down, if any.
        because_of: Option<HoldId>,
    },

    /// A monitor scheduled an announced visit, or planned an unannounced one.
    VisitScheduled {
        /// The visit.
        visit: VisitId,
        /// Where, when, which cases, and whether it is announced.
        #[serde(flatten)]
        plan: VisitPlan,
    },
    /// A monitor recorded a visit made (scheduled before, or not).
    VisitRecorded {
        /// The visit.
        visit: VisitId,
        /// Where, when, which cases, and whether it was announced.
        #[serde(flatten)]
        plan: VisitPlan,
        /// Who was seen.
        seen: Seen,
    },
    /// A monitor recorded a finding.
    FindingRecorded {
        /// The finding.
        finding: FindingId,
        /// What it says and to whom.
        #[serde(flatten)]
        facts: FindingFacts,
    },
    /// A party the finding is addressed to responded.
    FindingResponded {
        /// The finding.
        finding: FindingId,
        /// The party.
        party: AddressedParty,
        /// The response.
        text: String,
    },
    /// The monitoring body closed the finding.
    FindingClosed {
        /// The finding.
        finding: FindingId,
        /// How.
        outcome: FindingOutcome,
    },
}

impl EventBody {
    /// The stream the event belongs to.
    pub fn stream(&self) -> StreamId {
        use EventBody::*;
        match self {
            AgreementLoaded { agreement, .. } | AgreementStatusChanged { agreement, .. } => {
                StreamId::Agreement(agreement.clone())
            }
            HoldRegistered { hold, .. }
            | HoldStayed { hold }
            | HoldReactivated { hold }
            | HoldAmended { hold, .. }
            | HoldVacated { hold, .. } => StreamId::Hold(*hold),
            VisitScheduled { visit, .. } | VisitRecorded { visit, .. } => StreamId::Visit(*visit),
            FindingRecorded { finding, .. }
            | FindingResponded { finding, .. }
            | FindingClosed { finding, .. } => StreamId::Finding(*finding),
            CaseProposed { case, .. }
            | HoldMatched { case, .. }
            | NoticeServed { case, .. }
            | ProtectionClaimed { case }
            | ProtectionDecided { case, .. }
            | TransferRequested { case }
            | AcceptedByReceivingState { case, .. }
            | RequestLapsed { case }
            | RefusedByReceivingState { case, .. }
            | SupervisorApproved { case }
            | TransferDeadlineExtended { case, .. }
            | TransferScheduled { case, .. }
            | TransferUnscheduled { case, .. }
            | Departed { case }
            | Recalled { case, .. }
            | Arrived { case }
            | VulnerabilityRecorded { case, .. }
            | FearRecorded { case, .. }
            | AgeDisputed { case, .. }
            | AgeDecided { case, .. }
            | ReceivingClaimLodged { case }
            | ReceivingClaimDecided { case, .. }
            | AppealLodged { case }
            | OnwardMoved { case, .. }
            | Settled { case }
            | Returned { case }
            | WhereaboutsUnknown { case }
            | WhereaboutsKnown { case }
            | WelfareCheckRecorded { case, .. }
            | MonitorAlertRaised { case, .. }
            | DetentionValidated { case }
            | DetentionValidationLapsed { case }
            | TransferDeadlineExpired { case }
            | SupportPeriodEnded { case }
            | Withdrawn { case, .. }
            | PersonalDataErased { case }
            | SafeguardTriggered { case, .. } => StreamId::Case(*case),
            AccessRecorded { .. } => StreamId::Access,
            ComplaintLodged { complaint, .. }
            | ComplaintReviewed { complaint, .. }
            | ComplaintLinked { complaint, .. }
            | ComplaintErased { complaint } => StreamId::Complaint(*complaint),
        }
    }

    /// The snake_case kind, as stored in the `type` tag and published in the log.
    pub fn kind(&self) -> &'static str {
        use EventBody::*;
        match self {
            AgreementLoaded { .. } => "agreement_loaded",
            AgreementStatusChanged { .. } => "agreement_status_changed",
            CaseProposed { .. } => "case_proposed",
            HoldMatched { .. } => "hold_matched",
            NoticeServed { .. } => "notice_served",
            ProtectionClaimed { .. } => "protection_claimed",
            ProtectionDecided { .. } => "protection_decided",
            TransferRequested { .. } => "transfer_requested",
            AcceptedByReceivingState { .. } => "accepted_by_receiving_state",
            RequestLapsed { .. } => "request_lapsed",
            RefusedByReceivingState { .. } => "refused_by_receiving_state",
            SupervisorApproved { .. } => "supervisor_approved",
            TransferDeadlineExtended { .. } => "transfer_deadline_extended",
            TransferScheduled { .. } => "transfer_scheduled",
            TransferUnscheduled { .. } => "transfer_unscheduled",
            Departed { .. } => "departed",
            Recalled { .. } => "recalled",
            Arrived { .. } => "arrived",
            VulnerabilityRecorded { .. } => "vulnerability_recorded",
            FearRecorded { .. } => "fear_recorded",
            AgeDisputed { .. } => "age_disputed",
            AgeDecided { .. } => "age_decided",
            ReceivingClaimLodged { .. } => "receiving_claim_lodged",
            ReceivingClaimDecided { .. } => "receiving_claim_decided",
            AppealLodged { .. } => "appeal_lodged",
            OnwardMoved { .. } => "onward_moved",
            Settled { .. } => "settled",
            Returned { .. } => "returned",
            WhereaboutsUnknown { .. } => "whereabouts_unknown",
            WhereaboutsKnown { .. } => "whereabouts_known",
            WelfareCheckRecorded { .. } => "welfare_check_recorded",
            MonitorAlertRaised { .. } => "monitor_alert_raised",
            DetentionValidated { .. } => "detention_validated",
            DetentionValidationLapsed { .. } => "detention_validation_lapsed",
            TransferDeadlineExpired { .. } => "transfer_deadline_expired",
            SupportPeriodEnded { .. } => "support_period_ended",
            Withdrawn { .. } => "withdrawn",
            PersonalDataErased { .. } => "personal_data_erased",
            SafeguardTriggered { .. } => "safeguard_triggered",
            AccessRecorded { .. } => "access_recorded",
            HoldRegistered { .. } => "hold_registered",
            HoldStayed { .. } => "hold_stayed",
            HoldReactivated { .. } => "hold_reactivated",
            HoldAmended { .. } => "hold_amended",
            HoldVacated { .. } => "hold_vacated",
            VisitScheduled { .. } => "visit_scheduled",
            VisitRecorded { .. } => "visit_recorded",
            FindingRecorded { .. } => "finding_recorded",
            FindingResponded { .. } => "finding_responded",
            FindingClosed { .. } => "finding_closed",
            ComplaintLodged { .. } => "complaint_lodged",
            ComplaintReviewed { .. } => "complaint_reviewed",
            ComplaintLinked { .. } => "complaint_linked",
            ComplaintErased { .. } => "complaint_erased",
        }
    }

    /// Whether the event is one of the monitoring body's records, whose public leaf says only
    /// [`MONITORING_RECORD_KIND`], names no agreement and gives only the first day of its month
    /// (docs/log.md, "The monitoring body's records"): its visits, findings (and the responses to
    /// them), alerts and complaints, and the access records of what monitors do, so that a
    /// government counting those leaves cannot tell a complaint from the monitoring body's
    /// ordinary work. Where such a record sits in a case's stream (an alert) it is for the
    /// monitoring body alone: neither government is shown it, counted in a version it is told,
    /// or told of it in a history or a report.
    pub fn is_monitoring_record(&self) -> bool {
        use EventBody::*;
        match self {
            VisitScheduled { .. }
            | VisitRecorded { .. }
            | FindingRecorded { .. }
            | FindingResponded { .. }
            | FindingClosed { .. }
            | MonitorAlertRaised { .. }
            | ComplaintLodged { .. }
            | ComplaintReviewed { .. }
            | ComplaintLinked { .. }
            | ComplaintErased { .. } => true,
            AccessRecorded { role, .. } => *role == crate::actor::Role::Monitor,
            _ => false,
        }
    }

    /// The agreement the event concerns, where the event names it directly.
    pub fn agreement(&self) -> Option<&AgreementId> {
        match self {
            Self::AgreementLoaded { agreement, .. }
            | Self::AgreementStatusChanged { agreement, .. }
            | Self::CaseProposed { agreement, .. }
            | Self::ComplaintLodged { agreement, .. } => Some(agreement),
            Self::VisitScheduled { plan, .. } | Self::VisitRecorded { plan, .. } => {
                Some(&plan.agreement)
            }
            Self::FindingRecorded { facts, .. } => Some(&facts.agreement),
            Self::AccessRecorded { agreement, .. } => agreement.as_ref(),
            _ => None,
        }
    }
}

impl Event {
    /// Encodes the event in its stored JSON form.
    pub fn to_json(&self) -> String {
        // Serialising these plain data types cannot fail: no maps with non-string keys, no
        // custom serialisers that return errors.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Decodes an event from its stored JSON form.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}
