//! The storage contract: one seeded sequence, three backends (the in-memory reference, SQLite,
//! PostgreSQL), the same outcomes, projections and log roots.

use std::collections::BTreeMap;

use corridor_domain::{Case, CaseId, Counts, Hold, HoldId, Outcome, StreamId, World};
use corridor_log::Hash;
use corridor_log::hash::leaf_hash;
use corridor_log::tree::CompactTree;
use corridor_store::log::{LeafAgreements, LeafRule, rebuild_entry};
use corridor_store::testing::backends;
use corridor_store::{CaseFilter, CaseRow, Request, Store};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::harness::{Fixture, SALT_KEY, context};
use crate::sequence::{Sequence, Step, generate};

/// Seeds of the contract sequences, and how many steps each has.
const SEEDS: [(u64, usize); 3] = [(1, 400), (2, 400), (2_025, 600)];

/// Most commands in one group commit while a sequence is replayed.
const GROUP_COMMANDS_MAX: usize = 12;

/// Everything a backend shows of its state, in a form two backends can be compared in.
#[derive(Debug, PartialEq, Eq)]
pub struct Picture {
    /// `(seq, stream, version, recorded_at, body)` of every event.
    pub events: Vec<(u64, String, u64, String, String)>,
    pub cases: Vec<CaseRow>,
    /// Every case as folded by the backend's `case()`.
    pub folded: Vec<Case>,
    pub holds: BTreeMap<HoldId, Hold>,
    pub counts: BTreeMap<String, Counts>,
    /// Whether each case's key is still stored.
    pub keyed: BTreeMap<String, bool>,
    /// The log's size and root.
    pub head: (u64, Hash),
}

/// Replays `steps` on `store` in group commits of seeded sizes (1 to [`GROUP_COMMANDS_MAX`]);
/// returns each command's outcome.
pub async fn replay(store: &Store, steps: &[Step], grouping_seed: u64) -> Vec<Outcome> {
    let mut rng = ChaCha8Rng::seed_from_u64(grouping_seed);
    let mut outcomes = Vec::with_capacity(steps.len());
    let mut rest = steps;
    while !rest.is_empty() {
        let size = (1 + (rng.next_u64() % GROUP_COMMANDS_MAX as u64) as usize).min(rest.len());
        let (group, after) = rest.split_at(size);
        rest = after;
        let contexts: Vec<_> = group
            .iter()
            .map(|step| context(step.user, step.now))
            .collect();
        let requests: Vec<Request<'_>> = group
            .iter()
            .zip(&contexts)
            .map(|(step, context)| Request {
                command: &step.command,
                context,
                expected_version: None,
                new_case_keys: &step.new_case_keys,
            })
            .collect();
        for result in store.execute_many(&requests).await.unwrap() {
            outcomes.push(result.unwrap().outcome);
        }
    }
    outcomes
}

/// What a store shows.
pub async fn picture_of(store: &Store) -> Picture {
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page = store.events(after, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        events.extend(page.into_iter().map(|stored| {
            (
                stored.seq,
                stored.stream,
                stored.version,
                stored.recorded_at.to_string(),
                stored.body,
            )
        }));
    }
    let mut cases = Vec::new();
    let mut from = None;
    loop {
        let page = store
            .list_cases(&CaseFilter {
                limit: 7,
                after: from.clone(),
                ..CaseFilter::default()
            })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        from = Some(last.case_id.clone());
        cases.extend(page);
    }
    let mut folded = Vec::new();
    let mut keyed = BTreeMap::new();
    for row in &cases {
        let id = CaseId::parse(&row.case_id).unwrap();
        let (case, agreement) = store.case(id).await.unwrap().unwrap();
        assert_eq!(case.agreement, agreement.id);
        folded.push(case);
        keyed.insert(
            row.case_id.clone(),
            store.case_key(id).await.unwrap().is_some(),
        );
    }
    let mut counts = BTreeMap::new();
    for agreement in store.agreements().await.unwrap() {
        counts.insert(
            agreement.id.to_string(),
            store.counts(&agreement.id).await.unwrap(),
        );
    }
    Picture {
        events,
        cases,
        folded,
        holds: store.holds().await.unwrap(),
        counts,
        keyed,
        head: store.tree_head().await.unwrap(),
    }
}

/// What the reference shows after `sequence`, with the log it would have grown under
/// [`SALT_KEY`]: the leaves rebuilt from the events exactly as a store writes them.
pub fn picture_of_reference(sequence: &Sequence) -> Picture {
    let world: &World = &sequence.world;
    let state = world.state();
    let mut recorded_at = Vec::new();
    for step in &sequence.steps {
        let appended = match &step.expected {
            Outcome::Accepted(events) => events.len(),
            Outcome::Refused { recorded, .. } => usize::from(recorded.is_some()),
        };
        recorded_at.extend(std::iter::repeat_n(step.now.to_string(), appended));
    }
    let mut versions: BTreeMap<StreamId, u64> = BTreeMap::new();
    let mut leaf_agreements = LeafAgreements::default();
    let mut tree = CompactTree::new();
    let mut events = Vec::new();
    for (index, event) in world.events().iter().enumerate() {
        let seq = index as u64 + 1;
        let stream = event.body.stream();
        let version = versions.entry(stream.clone()).or_insert(0);
        *version += 1;
        let body = event.to_json();
        let agreement = leaf_agreements.of(&stream.to_string(), Some(event));
        let entry = rebuild_entry(
            LeafRule::CURRENT,
            &SALT_KEY,
            seq,
            &body,
            agreement.as_deref(),
        )
        .unwrap();
        tree.append(leaf_hash(&entry)).unwrap();
        events.push((
            seq,
            stream.to_string(),
            *version,
            recorded_at[index].clone(),
            body,
        ));
    }
    let cases: Vec<CaseRow> = state
        .cases
        .values()
        .map(|case| {
            let row = CaseRow::of(case, state);
            (row.case_id.clone(), row)
        })
        .collect::<BTreeMap<_, _>>()
        .into_values()
        .collect();
    Picture {
        events,
        folded: cases
            .iter()
            .map(|row| state.cases[&CaseId::parse(&row.case_id).unwrap()].clone())
            .collect(),
        keyed: cases
            .iter()
            .map(|row| {
                let case = &state.cases[&CaseId::parse(&row.case_id).unwrap()];
                (row.case_id.clone(), case.personal.is_some())
            })
            .collect(),
        cases,
        holds: state.holds.clone(),
        counts: state
            .agreements
            .keys()
            .map(|id| {
                (
                    id.to_string(),
                    state.counts.get(id).copied().unwrap_or_default(),
                )
            })
            .collect(),
        head: (tree.size(), tree.root()),
    }
}

/// Asserts two pictures are equal, naming the first part that differs.
#[track_caller]
pub fn assert_same(label: &str, expected: &Picture, actual: &Picture) {
    assert_eq!(
        expected.events.len(),
        actual.events.len(),
        "{label}: event counts differ"
    );
    for (want, got) in expected.events.iter().zip(&actual.events) {
        assert_eq!(want, got, "{label}: event {} differs", want.0);
    }
    assert_eq!(
        expected.cases, actual.cases,
        "{label}: case projections differ"
    );
    assert_eq!(
        expected.folded, actual.folded,
        "{label}: folded cases differ"
    );
    assert_eq!(expected.holds, actual.holds, "{label}: holds differ");
    assert_eq!(expected.counts, actual.counts, "{label}: counts differ");
    assert_eq!(
        expected.keyed, actual.keyed,
        "{label}: stored case keys differ"
    );
    assert_eq!(expected.head, actual.head, "{label}: log heads differ");
}

/// Checks that `store` replays clean: projections and log.
pub async fn assert_checks_clean(label: &str, store: &Store) {
    let report = store.check(&|_, _| {}).await.unwrap();
    assert!(report.problems.is_empty(), "{label}: {:?}", report.problems);
    let problems = store.check_log(&|_, _| {}).await.unwrap();
    assert!(problems.is_empty(), "{label}: {problems:?}");
}

/// Tallies outcome kinds, so a test can show the sequence exercised refusals and acceptances.
fn tally(outcomes: &[Outcome]) -> BTreeMap<String, u64> {
    let mut tally = BTreeMap::new();
    for outcome in outcomes {
        let key = match outcome {
            Outcome::Accepted(events) if events.is_empty() => "accepted_empty".to_owned(),
            Outcome::Accepted(_) => "accepted".to_owned(),
            Outcome::Refused { refusal, .. } => refusal.code().to_owned(),
        };
        *tally.entry(key).or_insert(0) += 1;
    }
    tally
}

#[tokio::test]
async fn every_backend_agrees_with_the_reference() {
    // Proves seeded sequences, replayed in group commits, give the reference's outcomes,
    // projections, case keys and log root on SQLite and PostgreSQL.
    for (seed, length) in SEEDS {
        let sequence = generate(seed, length);
        let expected_outcomes: Vec<Outcome> = sequence
            .steps
            .iter()
            .map(|step| step.expected.clone())
            .collect();
        let tally = tally(&expected_outcomes);
        assert!(
            tally.get("accepted").copied().unwrap_or(0) > 100 && tally.len() > 6,
            "seed {seed} exercises too little: {tally:?}"
        );
        let reference = picture_of_reference(&sequence);
        assert!(
            reference.cases.iter().any(|row| {
                ["arrived", "settled", "departed", "returned"].contains(&row.status.as_str())
            }) && !reference.holds.is_empty(),
            "seed {seed}: the sequence should reach arrival and register holds: {tally:?} {:?}",
            reference
                .cases
                .iter()
                .map(|r| r.status.clone())
                .collect::<Vec<_>>()
        );
        let mut pictures = Vec::new();
        for backend in backends() {
            let label = format!("{backend:?}, seed {seed}");
            let fixture = Fixture::new(backend, "contract").await;
            let outcomes = replay(&fixture.store, &sequence.steps, seed).await;
            for (index, (want, got)) in expected_outcomes.iter().zip(&outcomes).enumerate() {
                assert_eq!(
                    want,
                    got,
                    "{label}: step {index} ({:?}) differs",
                    sequence.steps[index].command.name()
                );
            }
            let picture = picture_of(&fixture.store).await;
            assert_same(&label, &reference, &picture);
            assert_checks_clean(&label, &fixture.store).await;
            pictures.push(picture);
            fixture.finish().await;
        }
        if let [first, second] = pictures.as_slice() {
            assert_same(&format!("SQLite vs PostgreSQL, seed {seed}"), first, second);
        }
    }
}

#[tokio::test]
async fn one_command_at_a_time_gives_the_same_store_as_group_commits() {
    // Proves group commit changes nothing observable: a sequence executed command by command
    // and in groups leaves byte-identical events, projections and log on every backend.
    let sequence = generate(7, 250);
    let reference = picture_of_reference(&sequence);
    for backend in backends() {
        let fixture = Fixture::new(backend, "one_by_one").await;
        for step in &sequence.steps {
            let executed = fixture
                .store
                .execute(
                    &step.command,
                    &context(step.user, step.now),
                    None,
                    &step.new_case_keys,
                )
                .await
                .unwrap();
            assert_eq!(executed.outcome, step.expected, "{backend:?}");
        }
        let picture = picture_of(&fixture.store).await;
        assert_same(&format!("{backend:?} one by one"), &reference, &picture);
        fixture.finish().await;
    }
}

#[tokio::test]
async fn rebuilt_projections_equal_the_written_ones() {
    // Proves rebuild_projections on each backend reproduces the projections written by commands,
    // and the log is untouched by it.
    let sequence = generate(11, 200);
    for backend in backends() {
        let fixture = Fixture::new(backend, "rebuild").await;
        replay(&fixture.store, &sequence.steps, 11).await;
        let before = picture_of(&fixture.store).await;
        let replayed = fixture.store.rebuild_projections().await.unwrap();
        assert_eq!(replayed, before.events.len() as u64);
        let after = picture_of(&fixture.store).await;
        assert_same(&format!("{backend:?} rebuilt"), &before, &after);
        assert_checks_clean(&format!("{backend:?} rebuilt"), &fixture.store).await;
        fixture.finish().await;
    }
}
