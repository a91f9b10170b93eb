//! The persisted event schema: every `EventBody` variant's stored JSON, frozen in a snapshot so
//! that it only changes on purpose, and each JSON read back to an equal event.

use std::collections::BTreeMap;

use corridor_domain::monitoring::{
    AddressedParty, FindingCategory, FindingFacts, FindingOutcome, Seen, Severity, VisitPlan,
};
use corridor_domain::terms::{AgreementId, AgreementStatus, Vulnerability};
use corridor_domain::{
    Acceptance, CaseId, ClassCriteria, Complainant, ComplaintId, ComplaintStatus, Event, EventBody,
    FindingId, HoldId, HoldScope, Language, MonitorAlert, RuleAttributes, SCHEMA_VERSION, Sealed,
    UnscheduleCause, UserId, VisitId, WelfareOutcome,
};

use crate::fixture::{at, country, day, label};

/// How many variants `EventBody` has; [`ordinal`] fails to compile when one is added.
const VARIANTS: usize = 54;

/// The position of the variant, by an exhaustive match: a new variant must be added here, and so
/// to the samples below.
fn ordinal(body: &EventBody) -> usize {
    use EventBody::*;
    match body {
        AgreementLoaded { .. } => 0,
        AgreementStatusChanged { .. } => 1,
        CaseProposed { .. } => 2,
        HoldMatched { .. } => 3,
        NoticeServed { .. } => 4,
        ProtectionClaimed { .. } => 5,
        ProtectionDecided { .. } => 6,
        TransferRequested { .. } => 7,
        AcceptedByReceivingState { .. } => 8,
        RequestLapsed { .. } => 9,
        RefusedByReceivingState { .. } => 10,
        SupervisorApproved { .. } => 11,
        TransferDeadlineExtended { .. } => 12,
        TransferScheduled { .. } => 13,
        TransferUnscheduled { .. } => 14,
        Departed { .. } => 15,
        Recalled { .. } => 16,
        Arrived { .. } => 17,
        VulnerabilityRecorded { .. } => 18,
        ReceivingClaimLodged { .. } => 19,
        ReceivingClaimDecided { .. } => 20,
        AppealLodged { .. } => 21,
        OnwardMoved { .. } => 22,
        Returned { .. } => 23,
        Settled { .. } => 24,
        WhereaboutsUnknown { .. } => 25,
        WhereaboutsKnown { .. } => 26,
        WelfareCheckRecorded { .. } => 27,
        DetentionValidated { .. } => 28,
        DetentionValidationLapsed { .. } => 29,
        TransferDeadlineExpired { .. } => 30,
        SupportPeriodEnded { .. } => 31,
        Withdrawn { .. } => 32,
        PersonalDataErased { .. } => 33,
        SafeguardTriggered { .. } => 34,
        HoldRegistered { .. } => 35,
        HoldStayed { .. } => 36,
        HoldReactivated { .. } => 37,
        HoldAmended { .. } => 38,
        ComplaintLodged { .. } => 50,
        ComplaintReviewed { .. } => 51,
        ComplaintLinked { .. } => 52,
        ComplaintErased { .. } => 53,
        HoldVacated { .. } => 39,
        AccessRecorded { .. } => 40,
        FearRecorded { .. } => 41,
        AgeDisputed { .. } => 42,
        AgeDecided { .. } => 43,
        VisitScheduled { .. } => 44,
        VisitRecorded { .. } => 45,
        FindingRecorded { .. } => 46,
        FindingResponded { .. } => 47,
        FindingClosed { .. } => 48,
        MonitorAlertRaised { .. } => 49,
    }
}

/// One sample of every variant (some twice, where an inner choice changes the stored form), with
/// every optional field filled somewhere.
fn samples() -> Vec<Event> {
    let case = CaseId::from_u64(0x0123_4567_89ab_cdef);
    let hold = HoldId::from_u64(0x00fe_dcba_9876_5432);
    let complaint = ComplaintId::from_u64(0x0c0c_0c0c_1234_5678);
    let parent = HoldId::from_u64(0x0000_0000_0000_0001);
    let visit = VisitId::from_u64(0x0000_0000_0000_0a11);
    let finding = FindingId::from_u64(0x0000_0000_0000_0f1d);
    let agreement = AgreementId::parse("test-usa-rwa").unwrap();
    let rule = RuleAttributes {
        nationality: country("SLV"),
        age_years_at_proposal: 31,
        sex: corridor_domain::terms::Sex::Male,
        vulnerabilities: [Vulnerability::Disability].into(),
        feared_countries: [country("VEN")].into(),
        protected_countries: [country("CUB")].into(),
        languages: [
            Language::parse("es").unwrap(),
            Language::parse("en").unwrap(),
        ]
        .into(),
        legal_basis: label("ina_241"),
        designation: Some(label("tda")),
        detention_place: Some(label("dilley")),
        removal_ordered_on: day("2025-05-01"),
        health_data_consent: false,
    };
    let class = HoldScope::Class {
        criteria: ClassCriteria {
            agreements: [agreement.clone()].into(),
            nationalities: [country("VEN")].into(),
            legal_bases: [label("alien_enemies_act")].into(),
            designations: [label("tda")].into(),
            detention_places: [label("bluebonnet")].into(),
            removal_ordered_from: Some(day("2025-03-14")),
            removal_ordered_until: Some(day("2025-04-30")),
        },
    };
    let minimal_class = HoldScope::Class {
        criteria: ClassCriteria {
            nationalities: [country("VEN")].into(),
            ..ClassCriteria::default()
        },
    };
    let facts: BTreeMap<String, String> = [
        ("hold".to_owned(), hold.to_string()),
        ("court".to_owned(), "dc-dc".to_owned()),
    ]
    .into();
    use EventBody::*;
    let bodies = vec![
        AgreementLoaded {
            agreement: agreement.clone(),
            terms_version: 2,
            file_name: "test-usa-rwa.toml".to_owned(),
            text: "id = \"test-usa-rwa\"\n".to_owned(),
        },
        AgreementStatusChanged {
            agreement: agreement.clone(),
            status: AgreementStatus::InForce,
            on: day("2025-03-03"),
        },
        CaseProposed {
            case,
            agreement,
            terms_version: 1,
            rule,
            counsel: Some(UserId::parse("counsel.c").unwrap()),
            personal: Sealed("c2VhbGVk".to_owned()),
        },
        HoldMatched { case, hold },
        NoticeServed {
            case,
            language: Language::parse("es").unwrap(),
            destination: country("RWA"),
        },
        ProtectionClaimed { case },
        ProtectionDecided {
            case,
            granted: false,
        },
        TransferRequested { case },
        AcceptedByReceivingState {
            case,
            acceptance: Acceptance::Explicit,
        },
        AcceptedByReceivingState {
            case,
            acceptance: Acceptance::Silence,
        },
        AcceptedByReceivingState {
            case,
            acceptance: Acceptance::Terms,
        },
        RequestLapsed { case },
        RefusedByReceivingState {
            case,
            reason: "no_capacity".to_owned(),
        },
        SupervisorApproved { case },
        TransferDeadlineExtended {
            case,
            reason: "imprisonment".to_owned(),
        },
        TransferScheduled {
            case,
            departure: at("2025-06-07T09:00:00Z"),
        },
        TransferUnscheduled {
            case,
            cause: UnscheduleCause::Hold { hold },
        },
        TransferUnscheduled {
            case,
            cause: UnscheduleCause::ProtectionClaim,
        },
        Departed { case },
        Recalled {
            case,
            hold: Some(hold),
        },
        Recalled { case, hold: None },
        Arrived { case },
        VulnerabilityRecorded {
            case,
            category: Vulnerability::Pregnant,
            excluded: true,
        },
        ReceivingClaimLodged { case },
        ReceivingClaimDecided {
            case,
            granted: false,
            appeal: true,
        },
        AppealLodged { case },
        OnwardMoved {
            case,
            destination: country("CAN"),
        },
        Returned { case },
        Settled { case },
        WhereaboutsUnknown { case },
        WhereaboutsKnown { case },
        WelfareCheckRecorded {
            case,
            outcome: WelfareOutcome::NotSeen,
        },
        DetentionValidated { case },
        DetentionValidationLapsed { case },
        TransferDeadlineExpired { case },
        SupportPeriodEnded { case },
        Withdrawn {
            case,
            reason: "ineligible_vulnerability".to_owned(),
        },
        PersonalDataErased { case },
        SafeguardTriggered {
            case,
            command: "schedule".to_owned(),
            code: "hold_active".to_owned(),
            facts,
        },
        AccessRecorded {
            role: corridor_domain::Role::ReceivingOfficer,
            action: "read_case".to_owned(),
            resource: case.to_string(),
            agreement: Some(AgreementId::parse("test-usa-rwa").unwrap()),
            allowed: true,
            policies: vec!["receiving-read-requested".to_owned()],
        },
        AccessRecorded {
            role: corridor_domain::Role::Counsel,
            action: "read_case".to_owned(),
            resource: case.to_string(),
            agreement: None,
            allowed: false,
            policies: Vec::new(),
        },
        HoldRegistered {
            hold,
            court: "dc-dc".to_owned(),
            reference: "25-cv-0042".to_owned(),
            scope: class,
            depends_on: Some(parent),
        },
        HoldRegistered {
            hold,
            court: "dc-dc".to_owned(),
            reference: "25-cv-0043".to_owned(),
            scope: HoldScope::Cases {
                cases: [case].into(),
            },
            depends_on: None,
        },
        HoldStayed { hold },
        HoldReactivated { hold },
        HoldAmended {
            hold,
            scope: minimal_class,
        },
        HoldVacated {
            hold,
            because_of: Some(parent),
        },
        HoldVacated {
            hold: parent,
            because_of: None,
        },
        FearRecorded {
            case,
            country: country("RWA"),
        },
        AgeDisputed {
            case,
            claimed_age_at_proposal: 16,
        },
        AgeDecided {
            case,
            age_at_proposal: 17,
        },
        VisitScheduled {
            visit,
            plan: VisitPlan {
                agreement: AgreementId::parse("test-usa-rwa").unwrap(),
                announced: true,
                on: day("2025-06-10"),
                place: "Reception centre (synthetic)".to_owned(),
                cases: [case].into(),
            },
        },
        VisitScheduled {
            visit,
            plan: VisitPlan {
                agreement: AgreementId::parse("test-usa-rwa").unwrap(),
                announced: false,
                on: day("2025-06-10"),
                place: "Detention centre (synthetic)".to_owned(),
                cases: Default::default(),
            },
        },
        VisitRecorded {
            visit,
            plan: VisitPlan {
                agreement: AgreementId::parse("test-usa-rwa").unwrap(),
                announced: false,
                on: day("2025-06-10"),
                place: "Reception centre (synthetic)".to_owned(),
                cases: [case].into(),
            },
            seen: Seen {
                cases: [case].into(),
                others: vec!["centre manager".to_owned()],
            },
        },
        FindingRecorded {
            finding,
            facts: FindingFacts {
                agreement: AgreementId::parse("test-usa-rwa").unwrap(),
                cases: [case].into(),
                category: FindingCategory::OnwardRemovalRisk,
                severity: Severity::Critical,
                text: "Synthetic finding.".to_owned(),
                addressed: [AddressedParty::SendingState, AddressedParty::ReceivingState].into(),
            },
        },
        FindingRecorded {
            finding,
            facts: FindingFacts {
                agreement: AgreementId::parse("test-usa-rwa").unwrap(),
                cases: Default::default(),
                category: FindingCategory::LivingConditions,
                severity: Severity::Concern,
                text: "Synthetic finding on the agreement as a whole.".to_owned(),
                addressed: [AddressedParty::ReceivingState].into(),
            },
        },
        FindingResponded {
            finding,
            party: AddressedParty::ReceivingState,
            text: "Synthetic response.".to_owned(),
        },
        FindingClosed {
            finding,
            outcome: FindingOutcome::EscalatedToJointCommittee,
        },
        WelfareCheckRecorded {
            case,
            outcome: WelfareOutcome::RefusedContact,
        },
        MonitorAlertRaised {
            case,
            alert: MonitorAlert::MissedChecks {
                count: 3,
                since: at("2025-03-01T09:00:00Z"),
            },
        },
        MonitorAlertRaised {
            case,
            alert: MonitorAlert::WhereaboutsUnknown {
                since: at("2025-05-01T09:00:00Z"),
            },
        },
        ComplaintLodged {
            complaint,
            agreement: AgreementId::parse("test-usa-rwa").unwrap(),
            complainant: Complainant::Organisation,
            receipt: "9f".repeat(32),
            sealed: Sealed("c2VhbGVkIGNvbXBsYWludA==".to_owned()),
        },
        ComplaintReviewed {
            complaint,
            status: ComplaintStatus::Replied,
            reply: Some(Sealed("c2VhbGVkIHJlcGx5".to_owned())),
        },
        ComplaintReviewed {
            complaint,
            status: ComplaintStatus::UnderReview,
            reply: None,
        },
        ComplaintLinked { complaint, case },
        ComplaintErased { complaint },
    ];
    bodies
        .into_iter()
        .enumerate()
        .map(|(index, body)| Event {
            at: at("2025-06-02T09:00:00Z"),
            // Clock and cascade events have no author: show both forms.
            by: (index % 2 == 0).then(|| UserId::parse("officer.a").unwrap()),
            body,
        })
        .collect()
}

/// The stored JSON of every event variant is frozen: changing it is a schema change.
#[test]
fn every_event_variant_is_frozen() {
    let samples = samples();
    let covered: std::collections::BTreeSet<usize> =
        samples.iter().map(|event| ordinal(&event.body)).collect();
    assert_eq!(
        covered,
        (0..VARIANTS).collect(),
        "every variant has a sample"
    );
    let mut text = format!("schema version {SCHEMA_VERSION}\n");
    for event in &samples {
        text.push_str(&format!("{}: {}\n", event.body.kind(), event.to_json()));
    }
    insta::assert_snapshot!(text);
}

/// Every stored form reads back to the event it came from, tagged with the event's kind.
#[test]
fn every_event_round_trips() {
    for event in samples() {
        let json = event.to_json();
        assert_eq!(Event::from_json(&json).unwrap(), event, "{json}");
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["type"], event.body.kind(), "{json}");
    }
}

/// A stored form with an unknown type, or a malformed id, is an error, never a default.
#[test]
fn malformed_events_are_errors() {
    for json in [
        r#"{"at":"2025-06-02T09:00:00Z","by":null,"type":"teleported","case":"case-0123456789abcdef"}"#,
        r#"{"at":"2025-06-02T09:00:00Z","by":null,"type":"departed","case":"case-1"}"#,
        r#"{"at":"2025-06-02T09:00:00Z","by":"Officer A","type":"departed","case":"case-0123456789abcdef"}"#,
        r#"{"by":null,"type":"departed","case":"case-0123456789abcdef"}"#,
    ] {
        assert!(Event::from_json(json).is_err(), "{json}");
    }
}
