//! Confidential complaints (docs/domain.md §6): lodged by the public into their own stream, moved
//! on, linked and erased by the agreement's monitoring body only, never touching a case; and the
//! events are the monitoring body's records, whose public leaves are neutral.

use corridor_domain::terms::AgreementId;
use corridor_domain::{
    Command, Complainant, ComplaintId, ComplaintStatus, Context, Event, EventBody, Outcome, Party,
    Role, Sealed, StreamId, World,
};
use corridor_testkit::{actor, agreement_text, at, party};

const GBR_RWA: &str = "gbr-rwa-2024";
const BODY: &str = "monitoring_body:medp-monitoring-committee";

fn run(world: &mut World, command: &Command, who: corridor_domain::Actor) -> Outcome {
    let context = Context {
        now: at("2025-08-10T09:00:00Z"),
        actor: who,
    };
    world.execute(command, &context).expect("the events apply")
}

fn refused_code(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Refused { refusal, recorded } => {
            assert!(recorded.is_none(), "a complaint refusal is never recorded");
            refusal.code()
        }
        Outcome::Accepted(events) => panic!("accepted: {events:?}"),
    }
}

fn loaded() -> World {
    let mut world = World::new();
    let load = Command::LoadAgreement {
        file_name: "gbr-rwa-2024.toml".to_owned(),
        text: agreement_text("gbr-rwa-2024.toml"),
    };
    let admin = actor("admin", Role::Admin, Party::None);
    assert!(matches!(
        run(&mut world, &load, admin),
        Outcome::Accepted(_)
    ));
    world
}

fn lodge(id: u64) -> Command {
    Command::LodgeComplaint {
        complaint: ComplaintId::from_u64(id),
        agreement: AgreementId::parse(GBR_RWA).unwrap(),
        complainant: Complainant::Person,
        receipt: "ab".repeat(32),
        sealed: Sealed("c2VhbGVk".to_owned()),
    }
}

/// Proves the public lodges a complaint into its own stream, by nobody; only a monitor of the
/// agreement's body moves it on, along the allowed statuses; linking reads a case of the same
/// agreement only and writes nothing to it; erasing twice is refused.
#[test]
fn complaints_live_in_their_own_stream_and_only_the_monitoring_body_works_on_them() {
    let mut world = loaded();
    let public = || actor("anonymous", Role::Public, Party::None);
    let monitor = || actor("monitor.medp", Role::Monitor, party(BODY));
    let other = || actor("monitor.x", Role::Monitor, party("monitoring_body:another"));
    let officer = || actor("officer.gbr", Role::SendingOfficer, party("state:GBR"));
    let id = ComplaintId::from_u64(1);

    assert_eq!(
        refused_code(&run(&mut world, &lodge(1), officer())),
        "not_permitted"
    );
    let Outcome::Accepted(events) = run(&mut world, &lodge(1), public()) else {
        panic!("lodging refused");
    };
    let lodged: &Event = &events[0];
    assert_eq!(lodged.by, None, "lodged by nobody on record");
    assert_eq!(lodged.body.stream(), StreamId::Complaint(id));
    assert!(lodged.body.is_monitoring_record());
    assert_eq!(
        refused_code(&run(&mut world, &lodge(1), public())),
        "already_exists"
    );

    let review = |status, reply: Option<&str>| Command::ReviewComplaint {
        complaint: id,
        status,
        reply: reply.map(|text| Sealed(text.to_owned())),
    };
    assert_eq!(
        refused_code(&run(
            &mut world,
            &review(ComplaintStatus::UnderReview, None),
            other()
        )),
        "not_permitted"
    );
    assert_eq!(
        refused_code(&run(
            &mut world,
            &review(ComplaintStatus::UnderReview, None),
            officer()
        )),
        "not_permitted"
    );
    assert_eq!(
        refused_code(&run(
            &mut world,
            &review(ComplaintStatus::Replied, None),
            monitor()
        )),
        "invalid_input"
    );
    for status in [ComplaintStatus::UnderReview, ComplaintStatus::Closed] {
        let outcome = run(&mut world, &review(status, None), monitor());
        assert!(matches!(outcome, Outcome::Accepted(_)), "{outcome:?}");
    }
    assert_eq!(
        refused_code(&run(
            &mut world,
            &review(ComplaintStatus::UnderReview, None),
            monitor()
        )),
        "complaint_status_not_allowed"
    );
    let unknown = Command::ReviewComplaint {
        complaint: ComplaintId::from_u64(9),
        status: ComplaintStatus::Closed,
        reply: None,
    };
    assert_eq!(
        refused_code(&run(&mut world, &unknown, monitor())),
        "unknown_complaint"
    );

    let link = Command::LinkComplaint {
        complaint: id,
        case: corridor_domain::CaseId::from_u64(5),
    };
    assert_eq!(
        refused_code(&run(&mut world, &link, monitor())),
        "unknown_case"
    );

    let erase = Command::EraseComplaint { complaint: id };
    assert!(matches!(
        run(&mut world, &erase, monitor()),
        Outcome::Accepted(_)
    ));
    assert_eq!(
        refused_code(&run(&mut world, &erase, monitor())),
        "complaint_erased"
    );
    let complaint = &world.state().complaints[&id];
    assert!(complaint.erased);
    assert_eq!(complaint.status, ComplaintStatus::Closed);
    assert_eq!(complaint.version, 4);
    assert!(world.state().cases.is_empty(), "no case was touched");
    assert!(
        world
            .events()
            .iter()
            .filter(|event| matches!(event.body.stream(), StreamId::Complaint(_)))
            .all(|event| event.body.is_monitoring_record())
    );
}

/// Proves which events are the monitoring body's records: a complaint's, and the access
/// records of monitors; not an officer's access record nor a case event.
#[test]
fn monitoring_records_are_complaints_and_monitors_access() {
    let access = |role| EventBody::AccessRecorded {
        role,
        action: "read_case".to_owned(),
        resource: "case-0000000000000001".to_owned(),
        agreement: Some(AgreementId::parse(GBR_RWA).unwrap()),
        allowed: true,
        policies: Vec::new(),
    };
    assert!(access(Role::Monitor).is_monitoring_record());
    for role in Role::ALL.into_iter().filter(|role| *role != Role::Monitor) {
        assert!(!access(role).is_monitoring_record(), "{role}");
    }
    assert!(
        !EventBody::Arrived {
            case: corridor_domain::CaseId::from_u64(1)
        }
        .is_monitoring_record()
    );
    assert!(
        EventBody::ComplaintErased {
            complaint: ComplaintId::from_u64(1)
        }
        .is_monitoring_record()
    );
}
