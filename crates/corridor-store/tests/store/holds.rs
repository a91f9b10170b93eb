//! Class holds over many cases: a hold taking effect pulls exactly the covered cases that are
//! scheduled or in transit, and no other, on the reference and on every backend, with the same
//! events and log root, whether the cases it pulls were written in earlier transactions or in
//! the hold's own group commit.

use std::collections::BTreeSet;

use corridor_domain::terms::{AgreementId, Country, Sex};
use corridor_domain::{
    CaseId, ClassCriteria, Command, EventBody, HoldId, HoldScope, Label, Language, NoticeFacts,
    Outcome, PersonFacts, PersonalData, STATUSES_A_HOLD_PULLS, World,
};
use corridor_store::testing::backends;
use corridor_store::vault::{self, MasterKey};
use jiff::{SignedDuration, Timestamp};

use crate::contract::{assert_checks_clean, assert_same, picture_of, picture_of_reference, replay};
use crate::harness::{Fixture, MASTER_KEY, START, context};
use crate::sequence::{Sequence, Step};

/// Two synthetic agreements with the same parties (USA to RWA), so that a class of one
/// agreement leaves the other's cases out.
const AGREEMENT: &str = r#"
id = "{id}"
title = "Hold test profile (synthetic)"
[parties]
sending = "USA"
receiving = "RWA"
[[status]]
status = "signed"
on = "2025-01-01"
[[status]]
status = "in_force"
on = "2025-01-01"
[eligibility]
per_person_approval = true
[clocks]
notice_lead_time = "24 hours"
[onward]
rule = "any_except_feared_and_protected"
"#;

const AGREEMENTS: [&str; 2] = ["hold-a", "hold-b"];
const NATIONALITIES: [&str; 3] = ["VEN", "HND", "SLV"];

/// Cases in the script: every combination of agreement, nationality, legal basis and how far
/// the case got (proposed … arrived) several times over.
const CASES: u64 = 252;

/// Builds a script of commands on the reference, keeping each outcome as the expected one.
struct Script {
    world: World,
    steps: Vec<Step>,
    master: MasterKey,
}

impl Script {
    fn new() -> Self {
        Self {
            world: World::new(),
            steps: Vec::new(),
            master: MasterKey::from_bytes(MASTER_KEY),
        }
    }

    fn push(
        &mut self,
        user: &'static str,
        now: Timestamp,
        command: Command,
        keys: Vec<(CaseId, Vec<u8>)>,
    ) -> Outcome {
        let expected = self.world.execute(&command, &context(user, now)).unwrap();
        self.steps.push(Step {
            user,
            now,
            command,
            new_case_keys: keys,
            expected: expected.clone(),
        });
        expected
    }

    /// The cases a scope would pull now: covered, and scheduled or in transit.
    fn pullable(&self, scope: &HoldScope) -> BTreeSet<CaseId> {
        self.world
            .state()
            .cases
            .values()
            .filter(|case| STATUSES_A_HOLD_PULLS.contains(&case.status) && scope.covers(case))
            .map(|case| case.id)
            .collect()
    }

    /// Registers (or amends) a hold and checks the reference pulled exactly `pullable`, with a
    /// `hold_matched` and one effect per case.
    fn hold(&mut self, user: &'static str, now: Timestamp, command: Command, scope: &HoldScope) {
        let expected = self.pullable(scope);
        let outcome = self.push(user, now, command, Vec::new());
        let Outcome::Accepted(events) = outcome else {
            panic!("the hold was refused: {outcome:?}");
        };
        let matched: BTreeSet<CaseId> = events
            .iter()
            .filter_map(|event| match event.body {
                EventBody::HoldMatched { case, .. } => Some(case),
                _ => None,
            })
            .collect();
        let effects: BTreeSet<CaseId> = events
            .iter()
            .filter_map(|event| match event.body {
                EventBody::TransferUnscheduled { case, .. } | EventBody::Recalled { case, .. } => {
                    Some(case)
                }
                _ => None,
            })
            .collect();
        assert_eq!(matched, expected, "the hold matched other cases");
        assert_eq!(effects, expected, "the hold moved other cases");
        assert_eq!(events.len(), 1 + 2 * expected.len());
    }
}

fn facts(index: u64) -> PersonFacts {
    PersonFacts {
        birth_date: "1990-04-12".parse().unwrap(),
        nationality: Country::parse(NATIONALITIES[(index / 2 % 3) as usize]).unwrap(),
        sex: Sex::Female,
        vulnerabilities: BTreeSet::new(),
        feared_countries: BTreeSet::new(),
        protected_countries: BTreeSet::new(),
        languages: [Language::parse("es").unwrap()].into_iter().collect(),
        legal_basis: Label::parse(if index % 7 == 3 {
            "aea_1798"
        } else {
            "ina_241"
        })
        .unwrap(),
        designation: None,
        detention_place: None,
        removal_ordered_on: "2025-03-03".parse().unwrap(),
        health_data_consent: false,
    }
}

fn class(agreements: &[&str], nationalities: &[&str], legal_bases: &[&str]) -> HoldScope {
    HoldScope::Class {
        criteria: ClassCriteria {
            agreements: agreements
                .iter()
                .map(|id| AgreementId::parse(id).unwrap())
                .collect(),
            nationalities: nationalities
                .iter()
                .map(|code| Country::parse(code).unwrap())
                .collect(),
            legal_bases: legal_bases
                .iter()
                .map(|basis| Label::parse(basis).unwrap())
                .collect(),
            ..ClassCriteria::default()
        },
    }
}

/// The script: agreements, [`CASES`] cases taken to every stage from proposed to arrived, then
/// holds of several scopes, each checked on the reference to pull exactly its pullable cases.
fn script() -> Sequence {
    let mut script = Script::new();
    let start: Timestamp = START.parse().unwrap();
    let hours = |n: i64| start + SignedDuration::from_hours(n);
    for id in AGREEMENTS {
        let load = Command::LoadAgreement {
            file_name: format!("{id}.toml"),
            text: AGREEMENT.replace("{id}", id),
        };
        script.push("admin", start, load, Vec::new());
    }
    let ids: Vec<CaseId> = (0..CASES)
        .map(|index| CaseId::from_u64(0x51ab_0000_0000_0000 ^ index.wrapping_mul(0x9e37_79b9)))
        .collect();
    // Stage by stage, as cases move through a deployment: the commands of one stage together.
    for stage in 0..8u64 {
        for (index, &case) in (0..).zip(&ids) {
            let reached = index / 6 % 7;
            if stage > reached + u64::from(reached >= 3) {
                continue;
            }
            script.stage(stage, index, case, hours);
        }
    }
    let at = |n: i64| hours(120 + n);
    let narrow = class(&["hold-a"], &["VEN"], &[]);
    let register = |hold: u64, scope: &HoldScope| Command::RegisterHold {
        hold: HoldId::from_u64(hold),
        court: "dc".to_owned(),
        reference: format!("25-cv-{hold} (synthetic)"),
        scope: scope.clone(),
        depends_on: None,
    };
    script.hold("clerk", at(0), register(1, &narrow), &narrow);
    let basis = class(&[], &[], &["aea_1798"]);
    script.hold("clerk", at(1), register(2, &basis), &basis);
    let named = HoldScope::Cases {
        cases: ids.iter().step_by(5).copied().collect(),
    };
    script.hold("clerk", at(2), register(3, &named), &named);
    let wide = class(&["hold-b"], &[], &[]);
    let amend = Command::AmendHold {
        hold: HoldId::from_u64(1),
        scope: wide.clone(),
    };
    script.hold("clerk", at(3), amend, &wide);
    let left: usize = STATUSES_A_HOLD_PULLS
        .iter()
        .map(|status| {
            script
                .world
                .count_by_status()
                .get(status)
                .copied()
                .unwrap_or(0) as usize
        })
        .sum();
    assert!(
        left >= 8,
        "cases no hold covers must be left scheduled or in transit ({left} are)"
    );
    Sequence {
        steps: script.steps,
        world: script.world,
    }
}

impl Script {
    /// Stage `stage` of case `index`: 0 proposed, 1 notice, 2 request, 3 and 4 approvals,
    /// 5 scheduled, 6 departed, 7 arrived.
    fn stage(&mut self, stage: u64, index: u64, case: CaseId, hours: impl Fn(i64) -> Timestamp) {
        let (user, at, command, keys) = match stage {
            0 => {
                let key = [(index % 251) as u8; vault::KEY_BYTES];
                let personal = PersonalData {
                    name: format!("Synthetic Person {index}"),
                    ..PersonalData::default()
                };
                let command = Command::Propose {
                    case,
                    agreement: AgreementId::parse(AGREEMENTS[(index % 2) as usize]).unwrap(),
                    facts: facts(index),
                    counsel: None,
                    personal: vault::seal(case, &key, [1; vault::NONCE_BYTES], &personal),
                };
                let wrapped = self.master.wrap(case, &key, [2; vault::NONCE_BYTES]);
                ("officer.us", 0, command, vec![(case, wrapped)])
            }
            1 => {
                let notice = NoticeFacts {
                    language: Language::parse("es").unwrap(),
                    on_person: true,
                    on_counsel: false,
                    destination: Country::parse("RWA").unwrap(),
                    explains_how_to_contest: true,
                };
                (
                    "officer.us",
                    1,
                    Command::ServeNotice { case, notice },
                    vec![],
                )
            }
            2 => ("officer.us", 24, Command::RequestTransfer { case }, vec![]),
            3 => ("receiver.rw", 48, Command::Approve { case }, vec![]),
            4 => ("supervisor.us", 49, Command::Approve { case }, vec![]),
            5 => {
                let departure = hours(72);
                (
                    "officer.us",
                    50,
                    Command::Schedule { case, departure },
                    vec![],
                )
            }
            6 => ("officer.us", 72, Command::Depart { case }, vec![]),
            _ => ("receiver.rw", 96, Command::Arrive { case }, vec![]),
        };
        let outcome = self.push(user, hours(at), command, keys);
        assert!(
            matches!(outcome, Outcome::Accepted(_)),
            "stage {stage} of case {index}: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn a_class_hold_pulls_exactly_the_covered_scheduled_and_in_transit_cases() {
    // Proves holds over many cases (a class of an agreement and a nationality, a class of a legal
    // basis, named cases, an amendment to a whole agreement) pull exactly the covered cases that
    // are scheduled or in transit on the reference, and that SQLite and PostgreSQL give the same
    // outcomes, events, projections and log root, in small group commits and with every command
    // in one group commit (the pulled cases then written by the hold's own transaction).
    let sequence = script();
    let reference = picture_of_reference(&sequence);
    let expected: Vec<Outcome> = sequence
        .steps
        .iter()
        .map(|step| step.expected.clone())
        .collect();
    let mut pictures = Vec::new();
    for backend in backends() {
        for grouping in [Grouping::Seeded, Grouping::Whole] {
            let label = format!("{backend:?}, {grouping:?}");
            let fixture = Fixture::new(backend, "holds").await;
            let outcomes = match grouping {
                Grouping::Seeded => replay(&fixture.store, &sequence.steps, 18).await,
                Grouping::Whole => replay_whole(&fixture.store, &sequence.steps).await,
            };
            for (index, (want, got)) in expected.iter().zip(&outcomes).enumerate() {
                assert_eq!(want, got, "{label}: step {index} differs");
            }
            let picture = picture_of(&fixture.store).await;
            assert_same(&label, &reference, &picture);
            assert_checks_clean(&label, &fixture.store).await;
            pictures.push(picture);
            fixture.finish().await;
        }
    }
    for pair in pictures.windows(2) {
        if let [first, second] = pair {
            assert_same("backends and groupings", first, second);
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Grouping {
    Seeded,
    Whole,
}

/// Every step in one group commit.
async fn replay_whole(store: &corridor_store::Store, steps: &[Step]) -> Vec<Outcome> {
    let contexts: Vec<_> = steps
        .iter()
        .map(|step| context(step.user, step.now))
        .collect();
    let requests: Vec<corridor_store::Request<'_>> = steps
        .iter()
        .zip(&contexts)
        .map(|(step, context)| corridor_store::Request {
            command: &step.command,
            context,
            expected_version: None,
            new_case_keys: &step.new_case_keys,
        })
        .collect();
    store
        .execute_many(&requests)
        .await
        .unwrap()
        .into_iter()
        .map(|result| result.unwrap().outcome)
        .collect()
}
