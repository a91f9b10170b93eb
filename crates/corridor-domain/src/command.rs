//! Commands: what a user asks corridor to do. Each is decided against a [`crate::Snapshot`].

use std::collections::BTreeSet;

use corridor_terms::{AgreementId, AgreementStatus, Country, Sex, Vulnerability};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::actor::Actor;
use crate::complaint::{Complainant, ComplaintStatus};
use crate::event::WelfareOutcome;
use crate::hold::HoldScope;
use crate::ids::{CaseId, ComplaintId, FindingId, HoldId, UserId, VisitId};
use crate::monitoring::{FindingFacts, FindingOutcome, Seen, VisitPlan};
use crate::person::{Label, Language, Sealed};

/// What the caller passes in besides the command: who acts, and when. The domain reads no clock.
#[derive(Debug, Clone)]
pub struct Context {
    /// The moment the command is decided at.
    pub now: Timestamp,
    /// Who acts.
    pub actor: Actor,
}

/// The facts about a person given at proposal. The birth date is used to compute the age the
/// rules read and is otherwise kept only inside the sealed personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    /// Date of birth.
    pub birth_date: Date,
    /// Nationality.
    pub nationality: Country,
    /// Sex.
    pub sex: Sex,
    /// Vulnerabilities known at proposal.
    pub vulnerabilities: BTreeSet<Vulnerability>,
    /// Countries the person fears.
    pub feared_countries: BTreeSet<Country>,
    /// Countries a decision protects the person from.
    pub protected_countries: BTreeSet<Country>,
    /// Languages the person understands.
    pub languages: BTreeSet<Language>,
    /// The removal order's legal basis.
    pub legal_basis: Label,
    /// A designation class orders may name.
    pub designation: Option<Label>,
    /// Detention place.
    pub detention_place: Option<Label>,
    /// The day the removal order was made.
    pub removal_ordered_on: Date,
    /// Consent to share health data with the receiving state.
    pub health_data_consent: bool,
}

/// A notice as served, to be checked before it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeFacts {
    /// The language it was written and explained in.
    pub language: Language,
    /// Served on the person.
    pub on_person: bool,
    /// Served on the person's counsel.
    pub on_counsel: bool,
    /// The destination it names.
    pub destination: Country,
    /// Whether it explains how to contest the transfer.
    pub explains_how_to_contest: bool,
}

/// Every command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Load an agreement file, or a new version of one.
    LoadAgreement {
        /// The file name, for errors and the record.
        file_name: String,
        /// The file's text.
        text: String,
    },
    /// Record that an agreement entered a lifecycle status on a day.
    ChangeAgreementStatus {
        /// The agreement.
        agreement: AgreementId,
        /// The status.
        status: AgreementStatus,
        /// The day.
        on: Date,
    },
    /// Propose a case.
    Propose {
        /// The new case's id, drawn by the caller.
        case: CaseId,
        /// The agreement.
        agreement: AgreementId,
        /// The facts the rules read.
        facts: PersonFacts,
        /// The person's counsel.
        counsel: Option<UserId>,
        /// The personal data, sealed by the caller with the case's new key.
        personal: Sealed,
    },
    /// Serve notice.
    ServeNotice {
        /// The case.
        case: CaseId,
        /// The notice.
        notice: NoticeFacts,
    },
    /// File a protection claim.
    ClaimProtection {
        /// The case.
        case: CaseId,
    },
    /// Decide a protection screening.
    DecideProtection {
        /// The case.
        case: CaseId,
        /// Whether protection was found.
        granted: bool,
    },
    /// Ask the receiving state to take the person.
    RequestTransfer {
        /// The case.
        case: CaseId,
    },
    /// Approve: a receiving officer accepts the person; a sending supervisor approves scheduling.
    Approve {
        /// The case.
        case: CaseId,
    },
    /// The receiving state refuses the person.
    Refuse {
        /// The case.
        case: CaseId,
        /// The stated reason.
        reason: String,
    },
    /// Extend the transfer deadline for a reason the terms allow.
    ExtendDeadline {
        /// The case.
        case: CaseId,
        /// The reason code.
        reason: String,
    },
    /// Schedule the departure.
    Schedule {
        /// The case.
        case: CaseId,
        /// The planned departure.
        departure: Timestamp,
    },
    /// Record the departure.
    Depart {
        /// The case.
        case: CaseId,
    },
    /// Confirm arrival.
    Arrive {
        /// The case.
        case: CaseId,
    },
    /// Record a vulnerability found after proposal.
    RecordVulnerability {
        /// The case.
        case: CaseId,
        /// The category.
        category: Vulnerability,
    },
    /// Record a country the person fears being sent to, learnt after proposal: it binds every
    /// later transfer and onward decision.
    RecordFear {
        /// The case.
        case: CaseId,
        /// The country.
        country: Country,
    },
    /// Dispute the person's age: they say they were born on a later day than recorded. Until an
    /// adjudicator decides, the younger age binds every decision.
    DisputeAge {
        /// The case.
        case: CaseId,
        /// The birth date the person gives.
        claimed_birth_date: Date,
    },
    /// Decide an age dispute on an assessed birth date.
    DecideAge {
        /// The case.
        case: CaseId,
        /// The birth date the assessment found.
        birth_date: Date,
    },
    /// Record a protection claim lodged in the receiving state.
    LodgeReceivingClaim {
        /// The case.
        case: CaseId,
    },
    /// Record the receiving state's decision on the claim or its appeal.
    DecideReceivingClaim {
        /// The case.
        case: CaseId,
        /// Whether protection was granted.
        granted: bool,
    },
    /// Record an appeal against a refused claim.
    LodgeAppeal {
        /// The case.
        case: CaseId,
    },
    /// Record an onward movement, checked against the onward rule and non-refoulement.
    Onward {
        /// The case.
        case: CaseId,
        /// The destination.
        destination: Country,
    },
    /// Record the person's return to the sending state.
    Return {
        /// The case.
        case: CaseId,
    },
    /// Record that the person settled.
    Settle {
        /// The case.
        case: CaseId,
    },
    /// Record that the person's whereabouts are unknown.
    ReportWhereaboutsUnknown {
        /// The case.
        case: CaseId,
    },
    /// Record that the person was found again.
    ReportWhereaboutsKnown {
        /// The case.
        case: CaseId,
    },
    /// Record a welfare check.
    RecordWelfareCheck {
        /// The case.
        case: CaseId,
        /// What was found.
        outcome: WelfareOutcome,
    },
    /// Record that a court validated detention.
    ValidateDetention {
        /// The case.
        case: CaseId,
    },
    /// Withdraw the case.
    Withdraw {
        /// The case.
        case: CaseId,
        /// Why.
        reason: String,
    },
    /// Destroy the case key.
    Erase {
        /// The case.
        case: CaseId,
    },
    /// Register a hold.
    RegisterHold {
        /// The new hold's id, drawn by the caller.
        hold: HoldId,
        /// The court.
        court: String,
        /// The court's reference.
        reference: String,
        /// Whom it covers.
        scope: HoldScope,
        /// The order it depends on.
        depends_on: Option<HoldId>,
    },
    /// Stay a hold.
    StayHold {
        /// The hold.
        hold: HoldId,
    },
    /// Reactivate a stayed hold.
    ReactivateHold {
        /// The hold.
        hold: HoldId,
    },
    /// Amend a hold's scope.
    AmendHold {
        /// The hold.
        hold: HoldId,
        /// The new scope.
        scope: HoldScope,
    },
    /// Vacate (lift) a hold.
    VacateHold {
        /// The hold.
        hold: HoldId,
    },
    /// Schedule an announced visit, or plan an unannounced one.
    ScheduleVisit {
        /// The new visit's id, drawn by the caller.
        visit: VisitId,
        /// Where, when, which cases, and whether it is announced.
        plan: VisitPlan,
    },
    /// Record a visit made: one scheduled before (same id), or a new one.
    RecordVisit {
        /// The visit.
        visit: VisitId,
        /// Where, when, which cases, and whether it was announced.
        plan: VisitPlan,
        /// Who was seen.
        seen: Seen,
    },
    /// Record a finding.
    RecordFinding {
        /// The new finding's id, drawn by the caller.
        finding: FindingId,
        /// What it says and to whom.
        facts: FindingFacts,
    },
    /// Respond to a finding, for the party the actor's role acts for.
    RespondToFinding {
        /// The finding.
        finding: FindingId,
        /// The response.
        text: String,
    },
    /// Close a finding.
    CloseFinding {
        /// The finding.
        finding: FindingId,
        /// How.
        outcome: FindingOutcome,
    },
    /// Let the clocks run up to `now`.
    Tick,

    /// Lodge a confidential complaint with the agreement's monitoring body (anyone, without an
    /// account: the public role).
    LodgeComplaint {
        /// The new complaint's id (drawn by the caller).
        complaint: ComplaintId,
        /// The agreement whose monitoring body receives it.
        agreement: AgreementId,
        /// Who lodges it.
        complainant: Complainant,
        /// The keyed hash (hex) of the receipt code handed to whoever lodges it.
        receipt: String,
        /// The text, contact and case reference, sealed under the complaint's new key.
        sealed: Sealed,
    },
    /// Move a complaint on (a monitor of the agreement's body), with a reply or not.
    ReviewComplaint {
        /// The complaint.
        complaint: ComplaintId,
        /// The new status.
        status: ComplaintStatus,
        /// The reply, sealed under the complaint's key; required to reply.
        reply: Option<Sealed>,
    },
    /// Link a complaint to a case of its agreement (a monitor of the agreement's body).
    LinkComplaint {
        /// The complaint.
        complaint: ComplaintId,
        /// The case.
        case: CaseId,
    },
    /// Destroy a complaint's key (a monitor of the agreement's body).
    EraseComplaint {
        /// The complaint.
        complaint: ComplaintId,
    },
}

impl Command {
    /// The command's snake_case name, as recorded in `safeguard_triggered` events.
    pub fn name(&self) -> &'static str {
        match self {
            Self::LoadAgreement { .. } => "load_agreement",
            Self::ChangeAgreementStatus { .. } => "change_agreement_status",
            Self::Propose { .. } => "propose",
            Self::ServeNotice { .. } => "serve_notice",
            Self::ClaimProtection { .. } => "claim_protection",
            Self::DecideProtection { .. } => "decide_protection",
            Self::RequestTransfer { .. } => "request_transfer",
            Self::Approve { .. } => "approve",
            Self::Refuse { .. } => "refuse",
            Self::ExtendDeadline { .. } => "extend_deadline",
            Self::Schedule { .. } => "schedule",
            Self::Depart { .. } => "depart",
            Self::Arrive { .. } => "arrive",
            Self::RecordVulnerability { .. } => "record_vulnerability",
            Self::RecordFear { .. } => "record_fear",
            Self::DisputeAge { .. } => "dispute_age",
            Self::DecideAge { .. } => "decide_age",
            Self::LodgeReceivingClaim { .. } => "lodge_receiving_claim",
            Self::DecideReceivingClaim { .. } => "decide_receiving_claim",
            Self::LodgeAppeal { .. } => "lodge_appeal",
            Self::Onward { .. } => "onward",
            Self::Return { .. } => "return",
            Self::Settle { .. } => "settle",
            Self::ReportWhereaboutsUnknown { .. } => "report_whereabouts_unknown",
            Self::ReportWhereaboutsKnown { .. } => "report_whereabouts_known",
            Self::RecordWelfareCheck { .. } => "record_welfare_check",
            Self::ValidateDetention { .. } => "validate_detention",
            Self::Withdraw { .. } => "withdraw",
            Self::Erase { .. } => "erase",
            Self::RegisterHold { .. } => "register_hold",
            Self::StayHold { .. } => "stay_hold",
            Self::ReactivateHold { .. } => "reactivate_hold",
            Self::AmendHold { .. } => "amend_hold",
            Self::VacateHold { .. } => "vacate_hold",
            Self::ScheduleVisit { .. } => "schedule_visit",
            Self::RecordVisit { .. } => "record_visit",
            Self::RecordFinding { .. } => "record_finding",
            Self::RespondToFinding { .. } => "respond_to_finding",
            Self::CloseFinding { .. } => "close_finding",
            Self::Tick => "tick",
            Self::LodgeComplaint { .. } => "lodge_complaint",
            Self::ReviewComplaint { .. } => "review_complaint",
            Self::LinkComplaint { .. } => "link_complaint",
            Self::EraseComplaint { .. } => "erase_complaint",
        }
    }

    /// The complaint the command acts on, if it is a complaint command. A complaint command is
    /// never a command on a case ([`Command::case`] is `None`), even when it names one.
    pub fn complaint(&self) -> Option<ComplaintId> {
        match self {
            Self::LodgeComplaint { complaint, .. }
            | Self::ReviewComplaint { complaint, .. }
            | Self::LinkComplaint { complaint, .. }
            | Self::EraseComplaint { complaint } => Some(*complaint),
            _ => None,
        }
    }

    /// The case the command acts on, if it acts on an existing case.
    pub fn case(&self) -> Option<CaseId> {
        use Command::*;
        match self {
            ServeNotice { case, .. }
            | ClaimProtection { case }
            | DecideProtection { case, .. }
            | RequestTransfer { case }
            | Approve { case }
            | Refuse { case, .. }
            | ExtendDeadline { case, .. }
            | Schedule { case, .. }
            | Depart { case }
            | Arrive { case }
            | RecordVulnerability { case, .. }
            | RecordFear { case, .. }
            | DisputeAge { case, .. }
            | DecideAge { case, .. }
            | LodgeReceivingClaim { case }
            | DecideReceivingClaim { case, .. }
            | LodgeAppeal { case }
            | Onward { case, .. }
            | Return { case }
            | Settle { case }
            | ReportWhereaboutsUnknown { case }
            | ReportWhereaboutsKnown { case }
            | RecordWelfareCheck { case, .. }
            | ValidateDetention { case }
            | Withdraw { case, .. }
            | Erase { case } => Some(*case),
            _ => None,
        }
    }

    /// The visit the command acts on, if it is a visit command.
    pub fn visit(&self) -> Option<VisitId> {
        match self {
            Self::ScheduleVisit { visit, .. } | Self::RecordVisit { visit, .. } => Some(*visit),
            _ => None,
        }
    }

    /// The finding the command acts on, if it is a finding command.
    pub fn finding(&self) -> Option<FindingId> {
        match self {
            Self::RecordFinding { finding, .. }
            | Self::RespondToFinding { finding, .. }
            | Self::CloseFinding { finding, .. } => Some(*finding),
            _ => None,
        }
    }
}
