//! The tally of a statistics release, over a store built with real commands on every backend:
//! its exact measures equal the public leaves, its details and persons are those of a
//! hand-checked history, monitoring records and events beyond the size are not counted, and
//! the welfare checks due and missed follow the agreement's schedule; releases published at one
//! instant are listed in the order they were published.

use std::collections::{BTreeMap, BTreeSet};

use corridor_app::statistics::release::{PublishRequest, publish_on};
use corridor_app::statistics::tally::{
    breakdowns_allowed, entered_into_force, tally, tally_in_parts,
};
use corridor_domain::terms::{AgreementId, Sex};
use corridor_domain::{
    CaseId, Command, Context, Event, EventBody, HoldId, HoldScope, NoticeFacts, Outcome,
    PersonFacts, PersonalData, Role, WelfareOutcome,
};
use corridor_log::leaf::Leaf;
use corridor_log::note::{Ed25519Signer, KeyName};
use corridor_stats::measure::{AgeBand, Breakdown, MEASURES, PersonAttributes};
use corridor_stats::period::{Month, Period};
use corridor_stats::release::ReleasePeriod;
use corridor_stats::tally::{Tally, TallyKey};
use corridor_store::testing::{TestDatabase, backends};
use corridor_store::vault::{self, MasterKey};
use corridor_store::{Backend, Store, Write};
use corridor_testkit::{actor, at, country, day, label, language, party};

const GBR: &str = "gbr-rwa-2024";
const US: &str = "us-rwa-2025";

/// A store over a fresh database, with the UK–Rwanda and US–Rwanda agreements loaded.
struct History {
    store: Store,
    database: TestDatabase,
    master: MasterKey,
}

fn person(nationality: &str, sex: Sex, birth: &str) -> PersonFacts {
    PersonFacts {
        birth_date: day(birth),
        nationality: country(nationality),
        sex,
        vulnerabilities: BTreeSet::new(),
        feared_countries: BTreeSet::new(),
        protected_countries: BTreeSet::new(),
        languages: [language("en")].into_iter().collect(),
        legal_basis: label("removal_order"),
        designation: None,
        detention_place: None,
        removal_ordered_on: day("2024-01-03"),
        health_data_consent: false,
    }
}

/// Who acts for `agreement` in `role`.
fn who(agreement: &str, role: Role) -> corridor_domain::Actor {
    let (sending, receiving) = if agreement == GBR {
        ("state:GBR", "state:RWA")
    } else {
        ("state:USA", "state:RWA")
    };
    match role {
        Role::SendingOfficer => actor("officer", role, party(sending)),
        Role::SendingSupervisor => actor("supervisor", role, party(sending)),
        Role::Adjudicator => actor("adjudicator", role, party(sending)),
        Role::ReceivingOfficer => actor("receiver", role, party(receiving)),
        Role::CourtClerk => actor("clerk", role, party("court:dc")),
        Role::Monitor => actor(
            "monitor",
            role,
            party("monitoring_body:medp-monitoring-committee"),
        ),
        _ => actor("admin", Role::Admin, party("none")),
    }
}

impl History {
    async fn new(backend: Backend, label: &str) -> Self {
        let database = TestDatabase::create(backend, label).await.unwrap();
        let store = Store::open(database.url(), true).await.unwrap();
        store
            .configure_log(Some("statistics.corridor.invalid/log"), Some([0x5a; 32]))
            .await
            .unwrap();
        let history = Self {
            store,
            database,
            master: MasterKey::from_bytes([0x4d; 32]),
        };
        for file in ["gbr-rwa-2024.toml", "us-rwa-2025.toml"] {
            let load = Command::LoadAgreement {
                file_name: file.to_owned(),
                text: corridor_testkit::agreement_text(file),
            };
            history
                .ok(GBR, Role::Admin, "2024-04-01T09:00:00Z", load)
                .await;
        }
        history
    }

    /// Executes `command` as `role` of `agreement` at `when`, and returns what it did.
    async fn run(&self, agreement: &str, role: Role, when: &str, command: Command) -> Outcome {
        let keys = match &command {
            Command::Propose { case, .. } => {
                vec![(
                    *case,
                    self.master.wrap(*case, &[7; 32], [2; vault::NONCE_BYTES]),
                )]
            }
            _ => Vec::new(),
        };
        let context = Context {
            now: at(when),
            actor: who(agreement, role),
        };
        self.store
            .execute(&command, &context, None, &keys)
            .await
            .unwrap()
            .outcome
    }

    /// Executes a command that must be accepted.
    async fn ok(&self, agreement: &str, role: Role, when: &str, command: Command) {
        let outcome = self.run(agreement, role, when, command.clone()).await;
        assert!(
            matches!(outcome, Outcome::Accepted(_)),
            "{command:?} at {when}: {outcome:?}"
        );
    }

    async fn propose(&self, agreement: &str, id: u64, facts: PersonFacts, when: &str) -> CaseId {
        let case = CaseId::from_u64(id);
        let personal = vault::seal(
            case,
            &[7; 32],
            [1; vault::NONCE_BYTES],
            &PersonalData {
                name: format!("Synthetic Person {id}"),
                ..PersonalData::default()
            },
        );
        let command = Command::Propose {
            case,
            agreement: AgreementId::parse(agreement).unwrap(),
            facts,
            counsel: None,
            personal,
        };
        self.ok(agreement, Role::SendingOfficer, when, command)
            .await;
        case
    }

    /// Notice, request, the receiving state's and the supervisor's approvals, from `day`'s 10:00.
    async fn to_approved(&self, agreement: &str, case: CaseId, day: &str) {
        let notice = Command::ServeNotice {
            case,
            notice: NoticeFacts {
                language: language("en"),
                on_person: true,
                on_counsel: false,
                destination: country("RWA"),
                explains_how_to_contest: true,
            },
        };
        let steps = [
            (Role::SendingOfficer, "10:00", notice),
            (
                Role::SendingOfficer,
                "11:00",
                Command::RequestTransfer { case },
            ),
            (Role::ReceivingOfficer, "12:00", Command::Approve { case }),
            (Role::SendingSupervisor, "13:00", Command::Approve { case }),
        ];
        for (role, time, command) in steps {
            self.ok(agreement, role, &format!("{day}T{time}:00Z"), command)
                .await;
        }
    }

    async fn size(&self) -> u64 {
        self.store.tree_head().await.unwrap().0
    }

    async fn finish(self) {
        self.store.close().await;
        self.database.remove().await.unwrap();
    }
}

fn month(text: &str) -> Month {
    text.parse().unwrap()
}

fn someone(nationality: &str, sex: &'static str, band: AgeBand) -> Option<PersonAttributes> {
    Some(PersonAttributes {
        nationality: nationality.to_owned(),
        sex,
        age_band: band,
    })
}

fn key(
    agreement: &str,
    month_text: &str,
    measure: &'static str,
    detail: Option<&str>,
    person: Option<PersonAttributes>,
) -> TallyKey {
    TallyKey {
        agreement: agreement.to_owned(),
        month: month(month_text),
        measure,
        detail: detail.map(str::to_owned),
        person,
    }
}

/// The tally's counts of the agreements named, as a sorted map.
fn counts_of(tally: &Tally, agreements: &[&str]) -> BTreeMap<TallyKey, u64> {
    tally
        .iter()
        .filter(|(key, _)| agreements.contains(&key.agreement.as_str()))
        .map(|(key, n)| (key.clone(), n))
        .collect()
}

/// Per (kind, agreement, month) the leaves below `size`, read back from the store's log.
async fn leaf_counts(store: &Store, size: u64) -> BTreeMap<(String, String, Month), u64> {
    let mut counts = BTreeMap::new();
    for (_, _, entry) in store.leaves(0, size).await.unwrap() {
        let leaf = Leaf::parse(&entry).unwrap();
        let month = month(leaf.day().get(..7).unwrap());
        *counts
            .entry((
                leaf.kind().to_owned(),
                leaf.agreement().unwrap_or("-").to_owned(),
                month,
            ))
            .or_insert(0) += 1;
    }
    counts
}

/// The tally's totals of every measure with a leaf kind, per (kind, agreement, month).
fn exact_totals(tally: &Tally) -> BTreeMap<(String, String, Month), u64> {
    let mut totals = BTreeMap::new();
    for (key, n) in tally.iter() {
        let measure = MEASURES.iter().find(|m| m.name == key.measure).unwrap();
        if let Some(kind) = measure.leaf_kind {
            *totals
                .entry((kind.to_owned(), key.agreement.clone(), key.month))
                .or_insert(0) += n;
        }
    }
    totals
}

/// Asserts the tally's exact totals equal the leaves of their kinds below `size`.
async fn assert_totals_are_the_leaves(label: &str, store: &Store, tally: &Tally, size: u64) {
    let leaves = leaf_counts(store, size).await;
    let kinds: BTreeSet<&str> = MEASURES.iter().filter_map(|m| m.leaf_kind).collect();
    let expected: BTreeMap<_, _> = leaves
        .into_iter()
        .filter(|((kind, _, _), _)| kinds.contains(kind.as_str()))
        .collect();
    assert_eq!(exact_totals(tally), expected, "{label}");
}

/// The UK–Rwanda history of three people whose every count is checked by hand below.
async fn hand_checked_history(history: &History) -> (u64, String) {
    let a = history
        .propose(
            GBR,
            1,
            person("VEN", Sex::Male, "1990-04-12"),
            "2024-05-01T09:00:00Z",
        )
        .await;
    let b = history
        .propose(
            GBR,
            2,
            person("ERI", Sex::Female, "2000-01-01"),
            "2024-05-01T09:30:00Z",
        )
        .await;
    let c = history
        .propose(
            GBR,
            3,
            person("VEN", Sex::Male, "1990-04-12"),
            "2024-05-01T09:45:00Z",
        )
        .await;
    // B says she is 17; the adjudicator decides so, before she is served notice.
    history
        .ok(
            GBR,
            Role::SendingOfficer,
            "2024-05-01T09:50:00Z",
            Command::DisputeAge {
                case: b,
                claimed_birth_date: day("2007-01-01"),
            },
        )
        .await;
    history
        .ok(
            GBR,
            Role::Adjudicator,
            "2024-05-01T09:55:00Z",
            Command::DecideAge {
                case: b,
                birth_date: day("2007-01-01"),
            },
        )
        .await;
    history.to_approved(GBR, a, "2024-05-02").await;
    history
        .ok(
            GBR,
            Role::SendingOfficer,
            "2024-05-02T14:00:00Z",
            Command::ServeNotice {
                case: b,
                notice: NoticeFacts {
                    language: language("en"),
                    on_person: true,
                    on_counsel: false,
                    destination: country("RWA"),
                    explains_how_to_contest: true,
                },
            },
        )
        .await;
    history
        .ok(
            GBR,
            Role::SendingOfficer,
            "2024-05-02T15:00:00Z",
            Command::ClaimProtection { case: b },
        )
        .await;
    history
        .ok(
            GBR,
            Role::Adjudicator,
            "2024-05-03T09:00:00Z",
            Command::DecideProtection {
                case: b,
                granted: false,
            },
        )
        .await;
    history
        .ok(
            GBR,
            Role::SendingOfficer,
            "2024-05-04T09:00:00Z",
            Command::Withdraw {
                case: b,
                reason: "test".to_owned(),
            },
        )
        .await;
    history.to_approved(GBR, c, "2024-05-03").await;
    for (case, when, departure) in [
        (a, "2024-05-02T14:00:00Z", "2024-05-05T09:00:00Z"),
        (c, "2024-05-03T14:00:00Z", "2024-05-10T09:00:00Z"),
    ] {
        history
            .ok(
                GBR,
                Role::SendingOfficer,
                when,
                Command::Schedule {
                    case,
                    departure: at(departure),
                },
            )
            .await;
    }
    // A court names C: C's departure is pulled, and scheduling it again is refused and recorded.
    history
        .ok(
            GBR,
            Role::CourtClerk,
            "2024-05-04T09:00:00Z",
            Command::RegisterHold {
                hold: HoldId::from_u64(1),
                court: "dc".to_owned(),
                reference: "1:24-cv-1".to_owned(),
                scope: HoldScope::Cases {
                    cases: [c].into_iter().collect(),
                },
                depends_on: None,
            },
        )
        .await;
    let refused = history
        .run(
            GBR,
            Role::SendingOfficer,
            "2024-05-04T10:00:00Z",
            Command::Schedule {
                case: c,
                departure: at("2024-05-11T09:00:00Z"),
            },
        )
        .await;
    let Outcome::Refused {
        recorded: Some(recorded),
        ..
    } = refused
    else {
        panic!("scheduling a held case is a recorded safeguard refusal: {refused:?}");
    };
    let EventBody::SafeguardTriggered { code, .. } = recorded.body else {
        panic!("{recorded:?}");
    };
    history
        .ok(
            GBR,
            Role::SendingOfficer,
            "2024-05-05T09:00:00Z",
            Command::Depart { case: a },
        )
        .await;
    history
        .ok(
            GBR,
            Role::ReceivingOfficer,
            "2024-05-06T09:00:00Z",
            Command::Arrive { case: a },
        )
        .await;
    // Due 6 June (window to 13 June): seen. Due 6 July (window to 13 July): not recorded.
    history
        .ok(
            GBR,
            Role::Monitor,
            "2024-06-07T09:00:00Z",
            Command::RecordWelfareCheck {
                case: a,
                outcome: WelfareOutcome::Well,
            },
        )
        .await;
    // Monitoring records and access records: in the log, never counted.
    let monitor_read = Event {
        at: at("2024-06-08T09:00:00Z"),
        by: None,
        body: EventBody::AccessRecorded {
            role: Role::Monitor,
            action: "read_case".to_owned(),
            resource: a.to_string(),
            agreement: Some(AgreementId::parse(GBR).unwrap()),
            allowed: true,
            policies: Vec::new(),
        },
    };
    let officer_read = Event {
        body: EventBody::AccessRecorded {
            role: Role::SendingOfficer,
            action: "read_case".to_owned(),
            resource: a.to_string(),
            agreement: Some(AgreementId::parse(GBR).unwrap()),
            allowed: true,
            policies: Vec::new(),
        },
        ..monitor_read.clone()
    };
    for result in history
        .store
        .write_many(&[Write::Access(&monitor_read), Write::Access(&officer_read)])
        .await
        .unwrap()
    {
        result.unwrap();
    }
    let before_leaving = history.size().await;
    // A moves back to the United Kingdom on 20 July (a return, under the treaty's rule): no
    // check falls due after.
    history
        .ok(
            GBR,
            Role::ReceivingOfficer,
            "2024-07-20T09:00:00Z",
            Command::Onward {
                case: a,
                destination: country("GBR"),
            },
        )
        .await;
    (before_leaving, code)
}

#[tokio::test]
async fn the_tally_of_a_hand_checked_history_counts_each_event_once_as_known_then() {
    // Proves, on every backend, every count of a small history checked by hand: the measures'
    // details (acceptance, decision, refusal code, welfare outcome, hold scope, destination),
    // the person as known at each event (an age decision changes later counts only), the
    // unscheduling by a hold, the welfare checks due and missed up to the person's leaving,
    // the hold under `-`; that access records and monitoring records count nothing; and that
    // the exact totals equal the public leaves.
    for backend in backends() {
        let history = History::new(backend, "tally_hand").await;
        let (_, code) = hand_checked_history(&history).await;
        let size = history.size().await;
        let tally = tally(&history.store, size, at("2024-09-01T00:00:00Z"))
            .await
            .unwrap();
        let man = || someone("VEN", "m", AgeBand::From25To34);
        let woman = || someone("ERI", "f", AgeBand::From18To24);
        let girl = || someone("ERI", "f", AgeBand::Under18);
        let may = "2024-05";
        let expected: BTreeMap<TallyKey, u64> = [
            (key(GBR, may, "proposed", None, man()), 2),
            (key(GBR, may, "proposed", None, woman()), 1),
            (key(GBR, may, "notice_served", None, man()), 2),
            (key(GBR, may, "notice_served", None, girl()), 1),
            (key(GBR, may, "transfer_requested", None, man()), 2),
            (key(GBR, may, "accepted", Some("explicit"), man()), 2),
            (key(GBR, may, "scheduled", None, man()), 2),
            (key(GBR, may, "cases_pulled", None, man()), 1),
            (key(GBR, may, "safeguard_refusal", Some(&code), man()), 1),
            (key(GBR, may, "departed", None, man()), 1),
            (key(GBR, may, "arrived", None, man()), 1),
            (key(GBR, may, "protection_claimed", None, girl()), 1),
            (
                key(GBR, may, "protection_decided", Some("not_found"), girl()),
                1,
            ),
            (key(GBR, may, "withdrawn", None, girl()), 1),
            (
                key(
                    GBR,
                    "2024-06",
                    "welfare_check_done",
                    Some("seen_well"),
                    man(),
                ),
                1,
            ),
            (key(GBR, "2024-06", "welfare_check_due", None, man()), 1),
            (key(GBR, "2024-07", "welfare_check_due", None, man()), 1),
            (key(GBR, "2024-07", "welfare_check_missed", None, man()), 1),
            // Onward to the sending state is, under this agreement's rule, a return.
            (key(GBR, "2024-07", "returned", None, man()), 1),
            (key("-", may, "hold_registered", Some("named"), None), 1),
        ]
        .into_iter()
        .collect();
        assert_eq!(counts_of(&tally, &[GBR, "-"]), expected, "{backend:?}");
        assert_eq!(counts_of(&tally, &[US]), BTreeMap::new(), "{backend:?}");
        assert_totals_are_the_leaves(&format!("{backend:?}"), &history.store, &tally, size).await;
        history.finish().await;
    }
}

#[tokio::test]
async fn events_beyond_the_size_and_checks_due_after_the_end_are_not_counted() {
    // Proves the tally at a log size counts exactly the events whose leaves are below it (the
    // onward movement after it is not counted, and without it a check falls due in August),
    // that checks due at or after the release's end are not due yet, and that a missed check
    // is counted only once its window has closed before the end.
    for backend in backends() {
        let history = History::new(backend, "tally_size").await;
        let (before_leaving, _) = hand_checked_history(&history).await;
        let earlier = tally(&history.store, before_leaving, at("2024-09-01T00:00:00Z"))
            .await
            .unwrap();
        let man = || someone("VEN", "m", AgeBand::From25To34);
        let gbr = counts_of(&earlier, &[GBR]);
        assert_eq!(
            gbr.get(&key(GBR, "2024-07", "returned", None, man())),
            None,
            "{backend:?}"
        );
        assert_eq!(
            gbr.get(&key(GBR, "2024-08", "welfare_check_due", None, man())),
            Some(&1),
            "{backend:?}: still in Rwanda as far as this size knows"
        );
        assert_totals_are_the_leaves(
            &format!("{backend:?}"),
            &history.store,
            &earlier,
            before_leaving,
        )
        .await;
        // At the end of 10 July the July check is due, its window still open: not missed.
        let size = history.size().await;
        let july = tally(&history.store, size, at("2024-07-10T00:00:00Z"))
            .await
            .unwrap();
        let july = counts_of(&july, &[GBR]);
        assert_eq!(
            july.get(&key(GBR, "2024-07", "welfare_check_due", None, man())),
            Some(&1)
        );
        assert_eq!(
            july.get(&key(GBR, "2024-07", "welfare_check_missed", None, man())),
            None
        );
        // At 6 June 09:00 exactly the first check is not due yet.
        let june = tally(&history.store, size, at("2024-06-06T09:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            counts_of(&june, &[GBR]).get(&key(GBR, "2024-06", "welfare_check_due", None, man())),
            None
        );
        let beyond = tally(&history.store, size + 1, at("2024-09-01T00:00:00Z")).await;
        assert!(beyond.is_err(), "{backend:?}: a size beyond the log");
        history.finish().await;
    }
}

#[tokio::test]
async fn exact_totals_equal_the_leaves_over_months_and_agreements() {
    // Proves, on SQLite, that over cases of two agreements spread across months (US–Rwanda
    // cases at several stages), every exact measure's total per agreement and month equals the
    // number of public leaves of its kind, agreement and month, at every log size; and that the
    // tally is the same whether the case streams are walked in one part or several at once.
    let history = History::new(Backend::Sqlite, "tally_leaves").await;
    hand_checked_history(&history).await;
    for n in 0..24u64 {
        let month = 8 + n % 5;
        let when = format!("2025-{month:02}-{:02}", 3 + n);
        let sex = if n % 3 == 0 { Sex::Female } else { Sex::Male };
        let case = history
            .propose(
                US,
                100 + n,
                person("HND", sex, "1985-06-01"),
                &format!("{when}T09:00:00Z"),
            )
            .await;
        if n % 2 == 0 {
            history.to_approved(US, case, &when).await;
        }
        if n % 4 == 0 {
            history
                .ok(
                    US,
                    Role::SendingOfficer,
                    &format!("{when}T15:00:00Z"),
                    Command::Withdraw {
                        case,
                        reason: "test".to_owned(),
                    },
                )
                .await;
        }
    }
    // One person moves on from Rwanda to Canada: counted by destination.
    let onward = history
        .propose(
            US,
            99,
            person("HND", Sex::Male, "1985-06-01"),
            "2025-08-02T09:00:00Z",
        )
        .await;
    history.to_approved(US, onward, "2025-08-02").await;
    let steps = [
        (
            Role::SendingOfficer,
            "2025-08-02T14:00:00Z",
            Command::Schedule {
                case: onward,
                departure: at("2025-08-04T09:00:00Z"),
            },
        ),
        (
            Role::SendingOfficer,
            "2025-08-04T09:00:00Z",
            Command::Depart { case: onward },
        ),
        (
            Role::ReceivingOfficer,
            "2025-08-05T09:00:00Z",
            Command::Arrive { case: onward },
        ),
        (
            Role::ReceivingOfficer,
            "2025-10-01T09:00:00Z",
            Command::Onward {
                case: onward,
                destination: country("CAN"),
            },
        ),
    ];
    for (role, when, command) in steps {
        history.ok(US, role, when, command).await;
    }
    let size = history.size().await;
    let counted = tally(&history.store, size, at("2026-01-01T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        counts_of(&counted, &[US]).get(&key(
            US,
            "2025-10",
            "onward_moved",
            Some("CAN"),
            someone("HND", "m", AgeBand::From35To49)
        )),
        Some(&1)
    );
    for cut in [size / 4, size / 2, size - 3, size] {
        let counted = tally(&history.store, cut, at("2026-01-01T00:00:00Z"))
            .await
            .unwrap();
        assert_totals_are_the_leaves(&format!("up to {cut}"), &history.store, &counted, cut).await;
        for parts in [1, 3, 16] {
            let in_parts = tally_in_parts(&history.store, cut, at("2026-01-01T00:00:00Z"), parts)
                .await
                .unwrap();
            assert_eq!(
                in_parts, counted,
                "up to {cut}, case streams in {parts} parts"
            );
        }
    }
    history.finish().await;
}

#[tokio::test]
async fn an_agreement_says_its_breakdowns_and_when_it_entered_into_force() {
    // Proves the release reads each agreement's allowed breakdowns from its terms (mapped onto
    // the statistics model's) and its entry-into-force month from its dated status history.
    let history = History::new(Backend::Sqlite, "tally_terms").await;
    let agreements = history.store.agreements().await.unwrap();
    let gbr = agreements.iter().find(|a| a.id.as_str() == GBR).unwrap();
    assert_eq!(entered_into_force(gbr), Some(month("2024-04")));
    assert_eq!(
        breakdowns_allowed(gbr),
        [Breakdown::Nationality, Breakdown::Sex, Breakdown::AgeBand]
            .into_iter()
            .collect()
    );
    let us = agreements.iter().find(|a| a.id.as_str() == US).unwrap();
    assert_eq!(entered_into_force(us), Some(month("2025-08")));
    history.finish().await;
}

/// Publishes `periods` in turn at one instant on a fresh history (one US–Rwanda case in 2026-01, a
/// checkpoint after 2026), and returns the ids listed afterwards, newest first.
async fn publish_at_one_instant(backend: Backend, label: &str, periods: &[Period]) -> Vec<String> {
    let history = History::new(backend, label).await;
    history
        .propose(
            US,
            1,
            person("VEN", Sex::Male, "1990-04-12"),
            "2026-01-12T09:00:00Z",
        )
        .await;
    let (size, root) = history.store.tree_head().await.unwrap();
    history
        .store
        .record_checkpoint(
            size,
            &root,
            "statistics.corridor.invalid/log\n",
            at("2027-01-02T00:00:00Z"),
        )
        .await
        .unwrap();
    let name = KeyName::new(corridor_stats::manifest::signer_name(
        "statistics.corridor.invalid/log",
    ))
    .unwrap();
    let signer = Ed25519Signer::from_seed(name, &[0x33; 32]);
    let now = at("2027-01-03T00:00:00Z");
    for period in periods {
        let request = PublishRequest {
            period: ReleasePeriod::Period(*period),
            id: None,
            corrects: None,
            threshold: corridor_stats::DEFAULT_THRESHOLD,
            base: corridor_stats::DEFAULT_BASE,
        };
        let published = publish_on(&history.store, now, &request, &signer)
            .await
            .unwrap();
        assert_eq!(
            published.id,
            period.label().to_ascii_lowercase(),
            "{backend:?}"
        );
    }
    let ids = history
        .store
        .releases()
        .await
        .unwrap()
        .into_iter()
        .map(|release| release.release_id)
        .collect();
    history.finish().await;
    ids
}

#[tokio::test]
async fn releases_published_at_one_instant_are_listed_in_the_order_published() {
    // Proves, on every backend, that releases published at the same instant are listed newest
    // first in the order they were published, whatever their ids (`2026` sorts before
    // `2026-01`): the year then the month, and the month then the year; and that a quarter's
    // default id is its label in lower case (`2026-q1`), a valid release id.
    let year = Period::Year(2026);
    let january = Period::Month(month("2026-01"));
    let first_quarter = Period::Quarter {
        year: 2026,
        quarter: 1,
    };
    for backend in backends() {
        assert_eq!(
            publish_at_one_instant(backend, "publish_year_first", &[year, january]).await,
            ["2026-01", "2026"],
            "{backend:?}"
        );
        assert_eq!(
            publish_at_one_instant(
                backend,
                "publish_month_first",
                &[january, year, first_quarter]
            )
            .await,
            ["2026-q1", "2026", "2026-01"],
            "{backend:?}"
        );
    }
}
