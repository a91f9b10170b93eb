//! One refusal of every kind the core can give, for tests that must cover them all (the web
//! interface's catalogues: every code has a sentence in every language, with exactly the
//! placeholders its facts provide).
//!
//! [`variant`] numbers the variants with a `match` that names each one and has no catch-all, so
//! a new `Refusal` variant does not compile until it is numbered there (and [`VARIANTS`] raised);
//! [`every_refusal`] is then held to give one of each by `every_refusal_variant_has_an_example`
//! (the test beside this module's callers, `corridor-web`'s `tests/web/refusals.rs`). A fact
//! given only sometimes (`latest`, `recorded`) is given both ways.

use corridor_domain::monitoring::{AddressedParty, FindingCategory, FindingOutcome, Severity};
use corridor_domain::terms::{AgreementId, AgreementStatus};
use corridor_domain::{
    CapKind, CaseId, CaseStatus, ComplaintId, ComplaintStatus, FindingId, HoldId, Refusal, Role,
    VisitId,
};

use crate::{at, country, user};

/// How many variants `Refusal` has: [`variant`] answers below it.
pub const VARIANTS: usize = 34;

/// The variant of `refusal`, numbered from 0. Names every variant, with no catch-all.
pub fn variant(refusal: &Refusal) -> usize {
    match refusal {
        Refusal::HoldActive { .. } => 0,
        Refusal::NoticePeriodRunning { .. } => 1,
        Refusal::NoticeMissing => 2,
        Refusal::NoticeDeficient { .. } => 3,
        Refusal::ProtectionClaimPending { .. } => 4,
        Refusal::ProtectionFound => 5,
        Refusal::NotApprovedByReceivingState => 6,
        Refusal::NotApprovedBySupervisor => 7,
        Refusal::AgreementNotInForce { .. } => 8,
        Refusal::CapReached { .. } => 9,
        Refusal::Ineligible { .. } => 10,
        Refusal::SelfApproval { .. } => 11,
        Refusal::TransferDeadlinePassed { .. } => 12,
        Refusal::OnwardDestinationProhibited { .. } => 13,
        Refusal::DepartureOutsideSchedule { .. } => 14,
        Refusal::FearNotScreened { .. } => 15,
        Refusal::MonitorHold { .. } => 16,
        Refusal::NotPermitted { .. } => 17,
        Refusal::InvalidState { .. } => 18,
        Refusal::TransferPaused { .. } => 19,
        Refusal::UnknownCase { .. } => 20,
        Refusal::UnknownAgreement { .. } => 21,
        Refusal::UnknownHold { .. } => 22,
        Refusal::UnknownVisit { .. } => 23,
        Refusal::UnknownFinding { .. } => 24,
        Refusal::FindingNotAddressed { .. } => 25,
        Refusal::FindingAlreadyResponded { .. } => 26,
        Refusal::FindingClosed { .. } => 27,
        Refusal::AlreadyExists { .. } => 28,
        Refusal::TimeBeforeRecorded { .. } => 29,
        Refusal::UnknownComplaint { .. } => 30,
        Refusal::ComplaintStatusNotAllowed { .. } => 31,
        Refusal::ComplaintErased { .. } => 32,
        Refusal::InvalidInput { .. } => 33,
    }
}

/// One refusal of every variant, and of each optional fact both given and absent.
pub fn every_refusal() -> Vec<Refusal> {
    let agreement = AgreementId::parse("us-rwa-2025")
        .unwrap_or_else(|error| panic!("an agreement id: {error}"));
    let moment = at("2025-08-10T09:00:00Z");
    let later = at("2025-08-12T09:00:00Z");
    let finding = FindingId::from_u64(7);
    vec![
        Refusal::HoldActive {
            hold: HoldId::from_u64(3),
            court: "US District Court (D. Mass.)".to_owned(),
            reference: "1:25-cv-10676".to_owned(),
        },
        Refusal::NoticePeriodRunning {
            earliest_departure: later,
        },
        Refusal::NoticeMissing,
        Refusal::NoticeDeficient {
            defects: vec!["names no destination".to_owned()],
        },
        Refusal::ProtectionClaimPending { filed_at: moment },
        Refusal::ProtectionFound,
        Refusal::NotApprovedByReceivingState,
        Refusal::NotApprovedBySupervisor,
        Refusal::AgreementNotInForce {
            agreement: agreement.clone(),
            status: AgreementStatus::Suspended,
        },
        Refusal::CapReached {
            cap: CapKind::TransferredTotal,
            limit: 250,
            current: 250,
        },
        Refusal::CapReached {
            cap: CapKind::Present,
            limit: 3000,
            current: 3000,
        },
        Refusal::Ineligible {
            reasons: vec!["younger than the minimum age".to_owned()],
        },
        Refusal::SelfApproval {
            user: user("supervisor.bo"),
        },
        Refusal::TransferDeadlinePassed { deadline: moment },
        Refusal::OnwardDestinationProhibited {
            destination: country("IRQ"),
            reason: "a country the person fears".to_owned(),
        },
        Refusal::DepartureOutsideSchedule {
            scheduled: moment,
            earliest: moment,
            latest: Some(later),
        },
        Refusal::DepartureOutsideSchedule {
            scheduled: moment,
            earliest: later,
            latest: None,
        },
        Refusal::FearNotScreened {
            country: country("RWA"),
        },
        Refusal::MonitorHold {
            finding,
            category: FindingCategory::OnwardRemovalRisk,
            severity: Severity::Critical,
        },
        Refusal::NotPermitted {
            role: Role::ReceivingOfficer,
            command: "schedule",
            reason: "only the sending state schedules".to_owned(),
        },
        Refusal::InvalidState {
            command: "depart",
            status: CaseStatus::Proposed,
        },
        Refusal::TransferPaused {
            command: "schedule",
        },
        Refusal::UnknownCase {
            case: CaseId::from_u64(1),
        },
        Refusal::UnknownAgreement {
            agreement: agreement.clone(),
        },
        Refusal::UnknownHold {
            hold: HoldId::from_u64(4),
        },
        Refusal::UnknownVisit {
            visit: VisitId::from_u64(5),
        },
        Refusal::UnknownFinding { finding },
        Refusal::FindingNotAddressed {
            finding,
            party: AddressedParty::ReceivingState,
        },
        Refusal::FindingAlreadyResponded {
            finding,
            party: AddressedParty::SendingState,
            responded_at: moment,
        },
        Refusal::FindingClosed {
            finding,
            outcome: FindingOutcome::EscalatedToJointCommittee,
        },
        Refusal::AlreadyExists {
            what: "case-0000000000000001".to_owned(),
        },
        Refusal::TimeBeforeRecorded {
            stream: "case-0000000000000001".to_owned(),
            recorded: Some(later),
            at: moment,
        },
        Refusal::TimeBeforeRecorded {
            stream: "agreement:us-rwa-2025".to_owned(),
            recorded: None,
            at: moment,
        },
        Refusal::UnknownComplaint {
            complaint: ComplaintId::from_u64(9),
        },
        Refusal::ComplaintStatusNotAllowed {
            from: ComplaintStatus::Closed,
            to: ComplaintStatus::UnderReview,
        },
        Refusal::ComplaintErased {
            complaint: ComplaintId::from_u64(9),
        },
        Refusal::InvalidInput {
            field: "reason",
            reason: "empty".to_owned(),
        },
    ]
}
