//! Cases and holds in any state, put straight into a test app's store: the authorization matrix
//! and the field tests need many cases at a given point of their lifecycle, under agreements
//! whose in-force window may lie in the past (UK–Rwanda was in force from 25 Apr to 6 Jul 2024),
//! so each step is executed through `Store::execute_many` as the right actor at a moment inside
//! that window. Every step must be accepted by the domain; the fixture panics otherwise.

use std::collections::{BTreeMap, BTreeSet};

use corridor_domain::terms::{Sex, Vulnerability, parse_agreement};
use corridor_domain::{
    CaseId, ClassCriteria, Command, Context, HoldId, HoldScope, Label, Language, NoticeFacts,
    Outcome, Party, PersonFacts, PersonalData, Role, UserId,
};
use corridor_store::Request;
use corridor_store::vault::{self, MasterKey};
use corridor_testkit::{actor, at, country};
use jiff::{SignedDuration, Timestamp};

use crate::harness::{MASTER_KEY, TestApp};

pub use corridor_testkit::agreement_text;

/// The shipped agreement files, by file name.
pub const AGREEMENT_FILES: &[&str] = &[
    "dublin-iii-profile.toml",
    "gbr-rwa-2024.toml",
    "ita-alb-2023.toml",
    "us-rwa-2025.toml",
];

/// The monitoring body `gbr-rwa-2024.toml` names.
pub const MEDP_MONITORS: &str = "medp-monitoring-committee";

/// A shipped agreement, parsed.
pub fn agreement(file: &str) -> corridor_domain::terms::Agreement {
    parse_agreement(file, &agreement_text(file)).unwrap_or_else(|errors| panic!("{errors}"))
}

/// Loads shipped agreement files (other than us-rwa-2025, which every app has) as the admin.
pub async fn load_agreements(app: &TestApp, files: &[&str]) {
    for file in files {
        load_text(app, file, &agreement_text(file)).await;
    }
}

/// Loads an agreement file's text as the admin.
pub async fn load_text(app: &TestApp, file_name: &str, text: &str) {
    let admin = Context {
        now: at(crate::harness::AGREEMENTS_LOADED),
        actor: actor("admin", Role::Admin, Party::None),
    };
    let command = Command::LoadAgreement {
        file_name: file_name.to_owned(),
        text: text.to_owned(),
    };
    let executed = app
        .store
        .execute(&command, &admin, None, &[])
        .await
        .expect("the store answers");
    assert!(
        matches!(executed.outcome, Outcome::Accepted(_)),
        "{file_name}: {executed:?}"
    );
}

/// How far along its lifecycle a case is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Proposed only.
    Proposed,
    /// Proposed, then a protection claim filed by the sending officer.
    ProtectionClaimed,
    /// Notice served.
    Noticed,
    /// Transfer requested of the receiving state.
    Requested,
    /// Accepted by the receiving state (explicitly, or by the terms).
    Accepted,
    /// Accepted and approved by a sending supervisor.
    Approved,
    /// Scheduled for departure.
    Scheduled,
    /// Departed.
    InTransit,
    /// Arrived in the receiving state.
    Arrived,
    /// Arrived, with a protection claim lodged in the receiving state.
    ClaimPending,
    /// Arrived, that claim refused.
    ClaimRefused,
    /// Arrived, then reported missing.
    WhereaboutsUnknown,
}

/// One step of building a case, in the order steps run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    ClaimProtection,
    Notice,
    Request,
    Accept,
    SupervisorApprove,
    Schedule,
    Depart,
    Arrive,
    LodgeClaim,
    RefuseClaim,
    WhereaboutsUnknown,
}

impl Stage {
    fn steps(self) -> BTreeSet<Step> {
        use Step::*;
        let chain: &[Step] = match self {
            Self::Proposed => &[],
            Self::ProtectionClaimed => &[ClaimProtection],
            Self::Noticed => &[Notice],
            Self::Requested => &[Notice, Request],
            Self::Accepted => &[Notice, Request, Accept],
            Self::Approved => &[Notice, Request, Accept, SupervisorApprove],
            Self::Scheduled => &[Notice, Request, Accept, SupervisorApprove, Schedule],
            Self::InTransit => &[Notice, Request, Accept, SupervisorApprove, Schedule, Depart],
            Self::Arrived => &[
                Notice,
                Request,
                Accept,
                SupervisorApprove,
                Schedule,
                Depart,
                Arrive,
            ],
            Self::ClaimPending => &[
                Notice,
                Request,
                Accept,
                SupervisorApprove,
                Schedule,
                Depart,
                Arrive,
                LodgeClaim,
            ],
            Self::ClaimRefused => &[
                Notice,
                Request,
                Accept,
                SupervisorApprove,
                Schedule,
                Depart,
                Arrive,
                LodgeClaim,
                RefuseClaim,
            ],
            Self::WhereaboutsUnknown => &[
                Notice,
                Request,
                Accept,
                SupervisorApprove,
                Schedule,
                Depart,
                Arrive,
                WhereaboutsUnknown,
            ],
        };
        chain.iter().copied().collect()
    }
}

/// Who a case is about: the facts the rules read and the sealed personal data.
#[derive(Debug, Clone)]
pub struct Person {
    /// The facts the rules read.
    pub facts: PersonFacts,
    /// The personal data to seal.
    pub personal: PersonalData,
}

impl Person {
    /// An adult man from Venezuela who speaks Spanish: eligible under every shipped agreement.
    pub fn synthetic() -> Self {
        Self {
            facts: PersonFacts {
                birth_date: "1990-04-12".parse().expect("a date"),
                nationality: country("VEN"),
                sex: Sex::Male,
                vulnerabilities: BTreeSet::new(),
                feared_countries: BTreeSet::new(),
                protected_countries: BTreeSet::new(),
                languages: [Language::parse("es").expect("es")].into_iter().collect(),
                legal_basis: Label::parse("ina_241").expect("a label"),
                designation: None,
                detention_place: None,
                removal_ordered_on: "2024-03-03".parse().expect("a date"),
                health_data_consent: false,
            },
            personal: PersonalData {
                name: "Synthetic Person".to_owned(),
                birth_date: Some("1990-04-12".parse().expect("a date")),
                documents: vec!["passport X0000000 (synthetic)".to_owned()],
                contact: None,
                health: None,
            },
        }
    }
}

/// A case to build.
#[derive(Debug, Clone)]
pub struct CaseSpec {
    /// Its agreement's id (the agreement must be loaded).
    pub agreement: String,
    /// How far to build it.
    pub stage: Stage,
    /// Its counsel's login name.
    pub counsel: Option<&'static str>,
    /// The person.
    pub person: Person,
}

impl CaseSpec {
    /// A synthetic person's case under `agreement`, built to `stage`.
    pub fn new(agreement: &str, stage: Stage) -> Self {
        Self {
            agreement: agreement.to_owned(),
            stage,
            counsel: None,
            person: Person::synthetic(),
        }
    }

    /// The same, with counsel on record.
    pub fn with_counsel(mut self, counsel: &'static str) -> Self {
        self.counsel = Some(counsel);
        self
    }
}

/// Where an agreement's fixture timeline starts: a day inside its in-force window, early
/// enough that every step lies before the test server's clock ([`crate::harness::AUG_10`]).
fn timeline_start(agreement: &str) -> Timestamp {
    match agreement {
        "gbr-rwa-2024" => at("2024-05-01T09:00:00Z"),
        _ => at("2025-08-02T09:00:00Z"),
    }
}

/// When `step` happens after the timeline's start. Departure is two days after notice, past
/// every notice lead time shipped (24 hours at most).
fn offset(step: Step) -> SignedDuration {
    let hours = match step {
        Step::ClaimProtection => 2,
        Step::Notice => 1,
        Step::Request => 24,
        Step::Accept => 48,
        Step::SupervisorApprove => 49,
        Step::Schedule => 50,
        Step::Depart => 72,
        Step::Arrive => 96,
        Step::LodgeClaim => 120,
        Step::RefuseClaim => 121,
        Step::WhereaboutsUnknown => 122,
    };
    SignedDuration::from_hours(hours)
}

/// Builds cases in bulk: every case is proposed in one commit, then each step is one commit
/// over every case that needs it.
#[derive(Debug)]
pub struct Seeder {
    next_id: u64,
}

impl Default for Seeder {
    fn default() -> Self {
        Self {
            next_id: 0x5eed_0000_0000_0000,
        }
    }
}

impl Seeder {
    /// Builds `specs` and returns their case ids, in order.
    pub async fn build(&mut self, app: &TestApp, specs: &[CaseSpec]) -> Vec<CaseId> {
        let master = MasterKey::from_bytes(MASTER_KEY);
        // Each agreement's latest terms, as loaded.
        let agreements: BTreeMap<String, corridor_domain::terms::Agreement> = app
            .store
            .agreements()
            .await
            .expect("the agreements")
            .iter()
            .filter_map(|state| Some((state.id.to_string(), state.latest()?.clone())))
            .collect();
        let ids: Vec<CaseId> = specs
            .iter()
            .map(|_| {
                self.next_id += 1;
                CaseId::from_u64(self.next_id)
            })
            .collect();

        // The actors of each agreement's sending and receiving states.
        let sending_officer = |terms: &corridor_domain::terms::Agreement| {
            actor(
                "fixture.officer",
                Role::SendingOfficer,
                Party::State(terms.sending),
            )
        };
        let supervisor = |terms: &corridor_domain::terms::Agreement| {
            actor(
                "fixture.supervisor",
                Role::SendingSupervisor,
                Party::State(terms.sending),
            )
        };
        let receiver = |terms: &corridor_domain::terms::Agreement| {
            actor(
                "fixture.receiver",
                Role::ReceivingOfficer,
                Party::State(terms.receiving),
            )
        };

        // Proposals.
        let mut proposals = Vec::new();
        for (spec, id) in specs.iter().zip(&ids) {
            let terms = &agreements[&spec.agreement];
            let key = {
                let mut key = [0u8; 32];
                for (index, byte) in key.iter_mut().enumerate() {
                    *byte = id.as_u64().to_le_bytes()[index % 8] ^ (index as u8);
                }
                key
            };
            let command = Command::Propose {
                case: *id,
                agreement: terms.id.clone(),
                facts: spec.person.facts.clone(),
                counsel: spec
                    .counsel
                    .map(|name| UserId::parse(name).expect("a counsel name")),
                personal: vault::seal(*id, &key, [1; vault::NONCE_BYTES], &spec.person.personal),
            };
            let keys = vec![(*id, master.wrap(*id, &key, [2; vault::NONCE_BYTES]))];
            let context = Context {
                now: timeline_start(&spec.agreement),
                actor: sending_officer(terms),
            };
            proposals.push((command, context, keys));
        }
        run(app, "propose", &proposals).await;

        // Each step, over every case that needs it.
        let all_steps = [
            Step::ClaimProtection,
            Step::Notice,
            Step::Request,
            Step::Accept,
            Step::SupervisorApprove,
            Step::Schedule,
            Step::Depart,
            Step::Arrive,
            Step::LodgeClaim,
            Step::RefuseClaim,
            Step::WhereaboutsUnknown,
        ];
        for step in all_steps {
            let mut commands = Vec::new();
            for (spec, id) in specs.iter().zip(&ids) {
                if !spec.stage.steps().contains(&step) {
                    continue;
                }
                let terms = &agreements[&spec.agreement];
                let start = timeline_start(&spec.agreement);
                let case = *id;
                let (command, by) = match step {
                    Step::ClaimProtection => {
                        (Command::ClaimProtection { case }, sending_officer(terms))
                    }
                    Step::Notice => (
                        Command::ServeNotice {
                            case,
                            notice: NoticeFacts {
                                language: spec
                                    .person
                                    .facts
                                    .languages
                                    .iter()
                                    .next()
                                    .expect("a language")
                                    .clone(),
                                on_person: true,
                                on_counsel: spec.counsel.is_some(),
                                destination: terms.receiving,
                                explains_how_to_contest: true,
                            },
                        },
                        sending_officer(terms),
                    ),
                    Step::Request => (Command::RequestTransfer { case }, sending_officer(terms)),
                    // Without per-person approval, the request itself is the acceptance.
                    Step::Accept if !terms.terms.eligibility.per_person_approval => continue,
                    Step::Accept => (Command::Approve { case }, receiver(terms)),
                    Step::SupervisorApprove => (Command::Approve { case }, supervisor(terms)),
                    Step::Schedule => (
                        Command::Schedule {
                            case,
                            departure: start + offset(Step::Depart),
                        },
                        sending_officer(terms),
                    ),
                    Step::Depart => (Command::Depart { case }, sending_officer(terms)),
                    Step::Arrive => (Command::Arrive { case }, receiver(terms)),
                    Step::LodgeClaim => (Command::LodgeReceivingClaim { case }, receiver(terms)),
                    Step::RefuseClaim => (
                        Command::DecideReceivingClaim {
                            case,
                            granted: false,
                        },
                        receiver(terms),
                    ),
                    Step::WhereaboutsUnknown => {
                        (Command::ReportWhereaboutsUnknown { case }, receiver(terms))
                    }
                };
                let context = Context {
                    now: start + offset(step),
                    actor: by,
                };
                commands.push((command, context, Vec::new()));
            }
            run(app, &format!("{step:?}"), &commands).await;
        }
        ids
    }
}

/// A command to run, with its context and the keys of the case it proposes.
type Planned = (Command, Context, Vec<(CaseId, Vec<u8>)>);

/// Executes commands in one commit; each must be accepted.
async fn run(app: &TestApp, what: &str, commands: &[Planned]) {
    if commands.is_empty() {
        return;
    }
    let requests: Vec<Request<'_>> = commands
        .iter()
        .map(|(command, context, keys)| Request {
            command,
            context,
            expected_version: None,
            new_case_keys: keys,
        })
        .collect();
    let results = app
        .store
        .execute_many(&requests)
        .await
        .expect("the fixture commits");
    for ((command, _, _), result) in commands.iter().zip(results) {
        let executed = result.expect("no conflict");
        assert!(
            matches!(executed.outcome, Outcome::Accepted(_)),
            "fixture step {what}: {command:?} was refused: {:?}",
            executed.outcome
        );
    }
}

/// The case's version now, as an `If-Match` value.
pub async fn if_match(app: &TestApp, case: CaseId) -> String {
    let (found, _) = app
        .store
        .case(case)
        .await
        .expect("the store answers")
        .expect("the case exists");
    format!("\"{}\"", found.version)
}

/// Registers holds of `court` covering a class no case belongs to (nationality `ATA`), so that
/// they touch no other test's case; `stayed` ones are then stayed. Returns their ids in order.
pub async fn holds(app: &TestApp, court: &str, stayed: &[bool], first_id: u64) -> Vec<HoldId> {
    let clerk = Context {
        now: at(crate::harness::AUG_10),
        actor: actor(
            "fixture.clerk",
            Role::CourtClerk,
            Party::Court(court.to_owned()),
        ),
    };
    let ids: Vec<HoldId> = (0..stayed.len() as u64)
        .map(|index| HoldId::from_u64(first_id + index))
        .collect();
    let registrations: Vec<_> = ids
        .iter()
        .map(|hold| {
            let command = Command::RegisterHold {
                hold: *hold,
                court: court.to_owned(),
                reference: format!("Order {hold}"),
                scope: HoldScope::Class {
                    criteria: ClassCriteria {
                        nationalities: [country("ATA")].into_iter().collect(),
                        ..ClassCriteria::default()
                    },
                },
                depends_on: None,
            };
            (command, clerk.clone(), Vec::new())
        })
        .collect();
    run(app, "register holds", &registrations).await;
    let stays: Vec<_> = ids
        .iter()
        .zip(stayed)
        .filter(|(_, stayed)| **stayed)
        .map(|(hold, _)| (Command::StayHold { hold: *hold }, clerk.clone(), Vec::new()))
        .collect();
    run(app, "stay holds", &stays).await;
    ids
}

/// A vulnerability category the agreement does not exclude, if there is one.
pub fn unexcluded_vulnerability(
    terms: &corridor_domain::terms::Agreement,
) -> Option<Vulnerability> {
    Vulnerability::ALL.into_iter().find(|category| {
        !terms
            .terms
            .eligibility
            .excluded_vulnerabilities
            .contains(category)
    })
}
