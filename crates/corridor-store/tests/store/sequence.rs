//! A seeded generator of command sequences, built against the in-memory reference.
//!
//! Each step is chosen from the reference's state at that point (the next step of an open case,
//! a hold to stay, a wrong actor now and then), executed on the [`World`], and kept with the
//! outcome the reference gave. A backend must reproduce every outcome. Everything — ids, keys,
//! nonces, times — comes from the seed, so a seed names one sequence on every backend.

use std::collections::BTreeSet;

use corridor_domain::terms::{AgreementId, Country, Sex};
use corridor_domain::{
    CaseId, CaseStatus, ClassCriteria, Command, HoldId, HoldScope, HoldStatus, Label, Language,
    NoticeFacts, Outcome, PersonFacts, PersonalData, WelfareOutcome, World,
};
use corridor_store::vault::{self, MasterKey};
use jiff::{SignedDuration, Timestamp};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::harness::{AGREEMENTS, MASTER_KEY, START, context};

/// One command of a sequence, with what the reference made of it.
#[derive(Debug, Clone)]
pub struct Step {
    pub user: &'static str,
    pub now: Timestamp,
    pub command: Command,
    /// The wrapped key of the case the command proposes, if it proposes one.
    pub new_case_keys: Vec<(CaseId, Vec<u8>)>,
    /// The reference's outcome.
    pub expected: Outcome,
}

/// A generated sequence and the reference world after it.
#[derive(Debug)]
pub struct Sequence {
    pub steps: Vec<Step>,
    pub world: World,
}

/// The agreements a case may be proposed under, with the users acting on each side.
struct Side {
    agreement: &'static str,
    officer: &'static str,
    supervisors: &'static [&'static str],
    receiver: &'static str,
}

const SIDES: [Side; 3] = [
    Side {
        agreement: "us-rwa-2025",
        officer: "officer.us",
        supervisors: &["supervisor.us", "supervisor2.us"],
        receiver: "receiver.rw",
    },
    Side {
        agreement: "ita-alb-2023",
        officer: "officer.it",
        supervisors: &["supervisor.it"],
        receiver: "receiver.al",
    },
    Side {
        agreement: "gbr-rwa-2024",
        officer: "officer.gb",
        supervisors: &[],
        receiver: "receiver.rw",
    },
];

/// Waits between steps, in minutes; most short, so that cases get somewhere before clocks run.
const WAITS_MINUTES: [i64; 10] = [0, 0, 10, 30, 60, 360, 1_500, 1_500, 4_320, 28_800];

struct Generator {
    rng: ChaCha8Rng,
    world: World,
    now: Timestamp,
    master: MasterKey,
    /// Cases proposed (accepted or not), with the side they were proposed on.
    cases: Vec<(CaseId, usize)>,
    holds: Vec<HoldId>,
    steps: Vec<Step>,
}

/// Generates `length` steps (after loading the agreements) from `seed`.
pub fn generate(seed: u64, length: usize) -> Sequence {
    let mut generator = Generator {
        rng: ChaCha8Rng::seed_from_u64(seed),
        world: World::new(),
        now: START.parse().unwrap(),
        master: MasterKey::from_bytes(MASTER_KEY),
        cases: Vec::new(),
        holds: Vec::new(),
        steps: Vec::new(),
    };
    for (file_name, text) in AGREEMENTS {
        generator.push(
            "admin",
            Command::LoadAgreement {
                file_name: file_name.to_owned(),
                text: text.to_owned(),
            },
            Vec::new(),
        );
    }
    while generator.steps.len() < length + AGREEMENTS.len() {
        let wait = WAITS_MINUTES[generator.pick(WAITS_MINUTES.len())];
        generator.now = generator
            .now
            .checked_add(SignedDuration::from_mins(wait))
            .unwrap();
        generator.step();
    }
    Sequence {
        steps: generator.steps,
        world: generator.world,
    }
}

impl Generator {
    fn pick(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.rng.next_u64() % 100 < percent
    }

    fn push(&mut self, user: &'static str, command: Command, keys: Vec<(CaseId, Vec<u8>)>) {
        let expected = self
            .world
            .execute(&command, &context(user, self.now))
            .unwrap();
        if let (Command::Propose { case, .. }, Outcome::Accepted(_)) = (&command, &expected) {
            let side = SIDES
                .iter()
                .position(|side| Some(side.agreement) == command_agreement(&command))
                .unwrap();
            self.cases.push((*case, side));
        }
        if let (Command::RegisterHold { hold, .. }, Outcome::Accepted(_)) = (&command, &expected) {
            self.holds.push(*hold);
        }
        self.steps.push(Step {
            user,
            now: self.now,
            command,
            new_case_keys: keys,
            expected,
        });
    }

    fn step(&mut self) {
        match self.pick(100) {
            0..=14 => self.propose(),
            15..=64 => self.advance(),
            65..=69 => self.claim(),
            70..=74 => self.register_hold(),
            75..=82 => self.change_hold(),
            83..=86 => self.push("admin", Command::Tick, Vec::new()),
            87..=89 => self.withdraw_or_erase(),
            _ => self.wrong_actor(),
        }
    }

    fn propose(&mut self) {
        let side = match self.pick(20) {
            0..=13 => 0,
            14..=18 => 1,
            _ => 2,
        };
        let case = CaseId::from_u64(self.rng.next_u64());
        let nationality = ["VEN", "VEN", "SLV", "HND", "SYR", "AFG"][self.pick(6)];
        let alien_enemy = nationality == "VEN" && self.chance(50);
        let facts = PersonFacts {
            birth_date: if self.chance(8) {
                "2010-05-01"
            } else {
                "1990-04-12"
            }
            .parse()
            .unwrap(),
            nationality: Country::parse(nationality).unwrap(),
            sex: if self.chance(70) {
                Sex::Male
            } else {
                Sex::Female
            },
            vulnerabilities: BTreeSet::new(),
            feared_countries: if self.chance(50) {
                [Country::parse(nationality).unwrap()].into_iter().collect()
            } else {
                BTreeSet::new()
            },
            protected_countries: BTreeSet::new(),
            languages: [Language::parse(if self.chance(70) { "es" } else { "ar" }).unwrap()]
                .into_iter()
                .collect(),
            legal_basis: Label::parse(if alien_enemy { "aea_1798" } else { "ina_241" }).unwrap(),
            designation: alien_enemy.then(|| Label::parse("alien_enemies_act").unwrap()),
            detention_place: None,
            removal_ordered_on: "2025-03-03".parse().unwrap(),
            health_data_consent: false,
        };
        let mut key = [0u8; vault::KEY_BYTES];
        self.rng.fill_bytes(&mut key);
        let mut nonce = [0u8; vault::NONCE_BYTES];
        self.rng.fill_bytes(&mut nonce);
        let personal = vault::seal(
            case,
            &key,
            nonce,
            &PersonalData {
                name: format!("Synthetic Person {}", self.steps.len()),
                ..PersonalData::default()
            },
        );
        self.rng.fill_bytes(&mut nonce);
        let wrapped = self.master.wrap(case, &key, nonce);
        let by = match SIDES[side].supervisors.first() {
            Some(supervisor) if self.chance(20) => *supervisor,
            _ => SIDES[side].officer,
        };
        let counsel = self
            .chance(60)
            .then(|| corridor_domain::UserId::parse("counsel").unwrap());
        self.push(
            by,
            Command::Propose {
                case,
                agreement: AgreementId::parse(SIDES[side].agreement).unwrap(),
                facts,
                counsel,
                personal,
            },
            vec![(case, wrapped)],
        );
    }

    /// A proposed case, preferring one whose path is not over.
    fn some_case(&mut self) -> Option<(CaseId, usize)> {
        let state = self.world.state();
        let open: Vec<(CaseId, usize)> = self
            .cases
            .iter()
            .copied()
            .filter(|(id, _)| {
                state
                    .cases
                    .get(id)
                    .is_some_and(|case| !case.status.is_final())
            })
            .collect();
        let from = if open.is_empty() || self.chance(5) {
            self.cases.clone()
        } else {
            open
        };
        (!from.is_empty()).then(|| from[self.pick(from.len())])
    }

    fn advance(&mut self) {
        let Some((case, side)) = self.some_case() else {
            return self.propose();
        };
        let side = &SIDES[side];
        let Some(found) = self.world.state().cases.get(&case).cloned() else {
            return;
        };
        let in_hours = |now: Timestamp, hours: i64| {
            now.checked_add(SignedDuration::from_hours(hours)).unwrap()
        };
        let (user, command) = match found.status {
            CaseStatus::Proposed => {
                let language = found
                    .rule
                    .languages
                    .first()
                    .cloned()
                    .unwrap_or_else(|| Language::parse("es").unwrap());
                let receiving = match side.agreement {
                    "ita-alb-2023" => "ALB",
                    _ => "RWA",
                };
                let complete = self.chance(85);
                (
                    side.officer,
                    Command::ServeNotice {
                        case,
                        notice: NoticeFacts {
                            language,
                            on_person: true,
                            on_counsel: true,
                            destination: Country::parse(receiving).unwrap(),
                            explains_how_to_contest: complete,
                        },
                    },
                )
            }
            CaseStatus::Noticed => (side.officer, Command::RequestTransfer { case }),
            CaseStatus::ProtectionClaimed => {
                let granted = self.chance(30);
                (
                    "adjudicator.us",
                    Command::DecideProtection { case, granted },
                )
            }
            CaseStatus::Requested if self.chance(10) => (
                side.receiver,
                Command::Refuse {
                    case,
                    reason: "synthetic refusal".to_owned(),
                },
            ),
            CaseStatus::Requested => (side.receiver, Command::Approve { case }),
            CaseStatus::Accepted if found.supervisor_approval.is_none() && self.chance(80) => {
                let supervisors = side.supervisors;
                match supervisors.len() {
                    0 => (side.officer, Command::Approve { case }),
                    n => (supervisors[self.pick(n)], Command::Approve { case }),
                }
            }
            CaseStatus::Accepted => {
                let hours = [25, 25, 25, 2, 200][self.pick(5)];
                (
                    side.officer,
                    Command::Schedule {
                        case,
                        departure: in_hours(self.now, hours),
                    },
                )
            }
            // Mostly on the schedule the person was told of (waiting for it), now and then too
            // early; once its window (24 hours in the shipped files) has passed, scheduled again.
            CaseStatus::Scheduled => {
                let departure = match found.departure {
                    Some(told) if self.now > in_hours(told, 20) => {
                        let again = in_hours(self.now, 25);
                        let schedule = Command::Schedule {
                            case,
                            departure: again,
                        };
                        self.push(side.officer, schedule, Vec::new());
                        again
                    }
                    Some(told) => told,
                    None => self.now,
                };
                if self.chance(80) {
                    self.now = self.now.max(departure);
                }
                (side.officer, Command::Depart { case })
            }
            CaseStatus::InTransit => (side.receiver, Command::Arrive { case }),
            CaseStatus::Arrived => match self.pick(5) {
                0 => (
                    "monitor",
                    Command::RecordWelfareCheck {
                        case,
                        outcome: WelfareOutcome::Well,
                    },
                ),
                1 => (side.receiver, Command::Settle { case }),
                2 => (side.receiver, Command::LodgeReceivingClaim { case }),
                _ => {
                    let destination = ["VEN", "CAN", "USA", "SLV"][self.pick(4)];
                    (
                        side.receiver,
                        Command::Onward {
                            case,
                            destination: Country::parse(destination).unwrap(),
                        },
                    )
                }
            },
            _ => (side.officer, Command::Depart { case }),
        };
        self.push(user, command, Vec::new());
    }

    fn claim(&mut self) {
        let Some((case, side)) = self.some_case() else {
            return self.propose();
        };
        let user = if self.chance(50) {
            "counsel"
        } else {
            SIDES[side].officer
        };
        self.push(user, Command::ClaimProtection { case }, Vec::new());
    }

    fn scope(&mut self) -> HoldScope {
        match self.pick(3) {
            0 => HoldScope::Class {
                criteria: ClassCriteria {
                    nationalities: [Country::parse("VEN").unwrap()].into_iter().collect(),
                    ..ClassCriteria::default()
                },
            },
            1 => HoldScope::Class {
                criteria: ClassCriteria {
                    designations: [Label::parse("alien_enemies_act").unwrap()]
                        .into_iter()
                        .collect(),
                    agreements: [AgreementId::parse("us-rwa-2025").unwrap()]
                        .into_iter()
                        .collect(),
                    ..ClassCriteria::default()
                },
            },
            _ => match self.some_case() {
                Some((case, _)) => HoldScope::Cases {
                    cases: [case].into_iter().collect(),
                },
                None => HoldScope::Class {
                    criteria: ClassCriteria {
                        nationalities: [Country::parse("SLV").unwrap()].into_iter().collect(),
                        ..ClassCriteria::default()
                    },
                },
            },
        }
    }

    fn register_hold(&mut self) {
        let hold = HoldId::from_u64(self.rng.next_u64());
        let scope = self.scope();
        let depends_on = match self.holds.len() {
            0 => None,
            n if self.chance(30) => {
                let index = self.pick(n);
                Some(self.holds[index])
            }
            _ => None,
        };
        self.push(
            "clerk",
            Command::RegisterHold {
                hold,
                court: "dc".to_owned(),
                reference: format!("25-cv-{:04} (synthetic)", self.steps.len()),
                scope,
                depends_on,
            },
            Vec::new(),
        );
    }

    fn change_hold(&mut self) {
        if self.holds.is_empty() {
            return self.register_hold();
        }
        let index = self.pick(self.holds.len());
        let hold = self.holds[index];
        let status = self.world.state().holds.get(&hold).map(|hold| hold.status);
        let command = match (status, self.pick(4)) {
            (Some(HoldStatus::Stayed), 0..=1) => Command::ReactivateHold { hold },
            (_, 0) => Command::StayHold { hold },
            (_, 1) => {
                let scope = self.scope();
                Command::AmendHold { hold, scope }
            }
            _ => Command::VacateHold { hold },
        };
        self.push("clerk", command, Vec::new());
    }

    fn withdraw_or_erase(&mut self) {
        let Some((case, side)) = self.some_case() else {
            return self.propose();
        };
        let command = if self.chance(50) {
            Command::Withdraw {
                case,
                reason: "synthetic withdrawal".to_owned(),
            }
        } else {
            Command::Erase { case }
        };
        self.push(SIDES[side].officer, command, Vec::new());
    }

    /// A case command by someone who may well not be allowed to give it.
    fn wrong_actor(&mut self) {
        let Some((case, _)) = self.some_case() else {
            return self.propose();
        };
        let users = [
            "receiver.rw",
            "counsel",
            "monitor",
            "clerk",
            "admin",
            "officer.it",
        ];
        let user = users[self.pick(users.len())];
        let command = match self.pick(4) {
            0 => Command::Approve { case },
            1 => Command::Depart { case },
            2 => Command::RequestTransfer { case },
            _ => Command::Withdraw {
                case,
                reason: "not theirs to withdraw".to_owned(),
            },
        };
        self.push(user, command, Vec::new());
    }
}

fn command_agreement(command: &Command) -> Option<&str> {
    match command {
        Command::Propose { agreement, .. } => Some(agreement.as_str()),
        _ => None,
    }
}
