//! Access records in the compact layout (schema version 8) on every backend: they read back as
//! the identical events, beside records written as JSON rows before it; the public log is byte
//! for byte the log the old layout gives; `check` and `check_log` pass over both; a changed
//! record is refused; and a transaction that rolls back leaves no name behind in the cache.

use corridor_domain::terms::AgreementId;
use corridor_domain::{CaseId, Event, EventBody, Role, StreamId, UserId};
use corridor_log::hash::leaf_hash;
use corridor_log::tree::CompactTree;
use corridor_store::log::{commitment, leaf_entry, leaf_salt};
use corridor_store::testing::backends;
use corridor_store::{Backend, Store, StoreError, StoredEvent, Write, has_acted};
use jiff::{SignedDuration, Timestamp};
use sqlx::Executor as _;

use crate::contract::assert_checks_clean;
use crate::harness::{Fixture, SALT_KEY, START};

/// The `n`th access record of a varied set: users and `by: None`, every role (monitors' records
/// get the neutral leaf), case and non-case resources, with and without an agreement, none to
/// three policies, times to the nanosecond over about three months.
pub(crate) fn access_event(n: u64) -> Event {
    let users = [
        "officer.us",
        "receiver.rw",
        "monitor",
        "auditor.one",
        "admin",
    ];
    let resources = [
        CaseId::from_u64(n.wrapping_mul(0x9e37_79b9_7f4a_7c15)).to_string(),
        "hold-00000000000000aa".to_owned(),
        "agreement:us-rwa-2025".to_owned(),
        "user:officer.us".to_owned(),
        "service".to_owned(),
        "log".to_owned(),
        "case-00000000000000AB".to_owned(),
    ];
    let agreements = [None, Some("us-rwa-2025"), Some("gbr-rwa-2024")];
    let index =
        |len: usize, salt: u64| ((n.wrapping_mul(31).wrapping_add(salt)) % len as u64) as usize;
    let start: Timestamp = START.parse().unwrap();
    let at = start
        + SignedDuration::from_secs((n * 12_007) as i64)
        + SignedDuration::from_nanos((n * 7_919 % 1_000_000_000) as i64);
    Event {
        at,
        by: (!n.is_multiple_of(11)).then(|| UserId::parse(users[index(users.len(), 1)]).unwrap()),
        body: EventBody::AccessRecorded {
            role: Role::ALL[index(Role::ALL.len(), 2)],
            action: ["read_case", "list_cases", "read_log", "propose"][index(4, 3)].to_owned(),
            resource: resources[index(resources.len(), 5)].clone(),
            agreement: agreements[index(agreements.len(), 7)]
                .map(|id| AgreementId::parse(id).unwrap()),
            allowed: !n.is_multiple_of(3),
            policies: (0..n % 4)
                .map(|p| format!("policy-{}", (n + p) % 5))
                .collect(),
        },
    }
}

/// Writes access records `from..to` in group commits of `per_commit`, with a case proposal at
/// the start of every commit so the two kinds of rows interleave.
async fn write_records(store: &Store, from: u64, to: u64, per_commit: u64) -> Vec<Event> {
    let mut written = Vec::new();
    let mut n = from;
    while n < to {
        let events: Vec<Event> = (n..to.min(n + per_commit)).map(access_event).collect();
        let (proposal, keys) = crate::concurrent::proposal(10_000 + n);
        let ctx = crate::harness::context("officer.us", START.parse().unwrap());
        let request = corridor_store::Request {
            command: &proposal,
            context: &ctx,
            expected_version: None,
            new_case_keys: &keys,
        };
        let mut writes = vec![Write::Command(request)];
        writes.extend(events.iter().map(Write::Access));
        let results = store.write_many(&writes).await.unwrap();
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        written.extend(events);
        n += per_commit;
    }
    written
}

/// The access stream read back whole: its events, and its versions from 1 with no gap.
async fn access_history(store: &Store) -> Vec<Event> {
    let history = store.history(&StreamId::Access).await.unwrap();
    let versions: Vec<u64> = history.iter().map(|stored| stored.version).collect();
    assert_eq!(versions, (1..=history.len() as u64).collect::<Vec<_>>());
    for stored in &history {
        assert_eq!(stored.stream, "access");
        assert_eq!(stored.body, stored.event.to_json());
        assert_eq!(stored.recorded_at, stored.event.at);
    }
    history.into_iter().map(|stored| stored.event).collect()
}

/// Every event, page by page of `page` through [`Store::events`]: sequence numbers 1 to the
/// count with no gap.
async fn all_events(store: &Store, page: u32) -> Vec<StoredEvent> {
    let mut events: Vec<StoredEvent> = Vec::new();
    loop {
        let after = events.last().map_or(0, |stored| stored.seq);
        let next = store.events(after, page).await.unwrap();
        if next.is_empty() {
            break;
        }
        assert!(next.len() <= page as usize);
        events.extend(next);
    }
    let seqs: Vec<u64> = events.iter().map(|stored| stored.seq).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>());
    assert_eq!(store.event_count().await.unwrap(), events.len() as u64);
    events
}

/// The leaf entry of access record `event` numbered `seq`, computed from its JSON with the
/// log's leaf writer alone (what an outsider holding the event and its salt computes).
fn expected_entry(seq: u64, event: &Event) -> Vec<u8> {
    let EventBody::AccessRecorded {
        role, agreement, ..
    } = &event.body
    else {
        panic!("not an access record");
    };
    let day = event.at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let salt = leaf_salt(&SALT_KEY, seq);
    let commitment = commitment(&salt, event.to_json());
    if *role == Role::Monitor {
        leaf_entry(
            "monitoring_record",
            None,
            &day.first_of_month().to_string(),
            &commitment,
        )
    } else {
        leaf_entry(
            "access_recorded",
            agreement.as_ref().map(AgreementId::as_str),
            &day.to_string(),
            &commitment,
        )
    }
}

/// Everything the log answers that must not depend on the layout.
#[derive(Debug, PartialEq, Eq)]
struct LogBytes {
    size: u64,
    root: corridor_log::Hash,
    leaves: Vec<(u64, u64, Vec<u8>)>,
    nodes: Vec<Vec<corridor_log::Hash>>,
    counts: Vec<corridor_store::log::LeafCount>,
}

async fn log_bytes(store: &Store) -> LogBytes {
    let (size, root) = store.tree_head().await.unwrap();
    let mut leaves = Vec::new();
    let mut from = 0;
    while from < size {
        let page = store.leaves(from, 256).await.unwrap();
        from += page.len() as u64;
        assert!(!page.is_empty());
        leaves.extend(page);
    }
    let mut nodes = Vec::new();
    for level in 0..=10u8 {
        nodes.push(store.nodes(level, 0, size).await.unwrap());
    }
    let counts = store.leaf_counts_by_month(size).await.unwrap();
    LogBytes {
        size,
        root,
        leaves,
        nodes,
        counts,
    }
}

#[tokio::test]
async fn access_records_in_the_compact_layout_read_back_identical() {
    // Proves access records written in the compact layout, interleaved with case events in
    // group commits, come back as the identical events through the history, pages of the
    // stream, pages of every event and the leaves, each leaf byte for byte the one computed from
    // the event's JSON with the log's leaf writer; that no leaf row or JSON row is written for
    // them; that `check` and `check_log` pass; and that a user who acted only through them has
    // acted, on every backend.
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "access_compact").await;
        let store = &fixture.store;
        let written = write_records(store, 0, 700, 150).await;
        assert_eq!(
            store.compact_access_records().await.unwrap(),
            700,
            "{backend:?}"
        );
        let json_rows: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE stream = 'access'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(json_rows, 0, "{backend:?}: no access record is a JSON row");
        assert_eq!(access_history(store).await, written, "{backend:?}");

        // Pages of the stream, as the auditors' listing reads them.
        let mut paged = Vec::new();
        let mut after = 0;
        loop {
            let page = store
                .stream_page(&StreamId::Access, after, 64)
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            after = last.seq;
            paged.extend(page.into_iter().map(|stored| stored.event));
        }
        assert_eq!(paged, written, "{backend:?}");

        let events = all_events(store, 97).await;
        let LogBytes {
            size,
            root,
            leaves,
            counts,
            ..
        } = log_bytes(store).await;
        assert_eq!(size, events.len() as u64);
        let mut tree = CompactTree::new();
        for ((index, seq, entry), stored) in leaves.iter().zip(&events) {
            assert_eq!((*index + 1, *seq), (stored.seq, stored.seq));
            assert_eq!(store.leaf_index_of(*seq).await.unwrap(), Some(*index));
            if stored.stream == "access" {
                assert_eq!(
                    *entry,
                    expected_entry(*seq, &stored.event),
                    "{backend:?}: leaf {index}"
                );
            }
            tree.append(leaf_hash(entry)).unwrap();
        }
        assert_eq!(tree.root(), root, "{backend:?}");
        let counted: u64 = counts.iter().map(|count| count.leaves).sum();
        assert_eq!(counted, size);
        let months: std::collections::BTreeSet<&str> =
            counts.iter().map(|count| count.month.as_str()).collect();
        assert!(months.len() >= 2, "{backend:?}: {months:?}");

        // The statistics read gives them too, in order among the other events, when asked for
        // every kind or for theirs.
        for kinds in [None, Some(&["access_recorded", "case_proposed"][..])] {
            let mut read = Vec::new();
            store
                .for_each_event_up_to::<StoreError, _>(size, kinds, |row| {
                    read.push((row.seq, row.stream.to_owned(), row.body.to_owned()));
                    Ok(())
                })
                .await
                .unwrap();
            let expected: Vec<_> = events
                .iter()
                .filter(|stored| {
                    kinds.is_none_or(|kinds| kinds.contains(&stored.event.body.kind()))
                })
                .map(|stored| (stored.seq, stored.stream.clone(), stored.body.clone()))
                .collect();
            assert_eq!(read, expected, "{backend:?}: {kinds:?}");
        }
        assert_checks_clean(&format!("{backend:?}"), store).await;
        let user = |name: &str| UserId::parse(name).unwrap();
        assert!(has_acted(store.pool(), &user("auditor.one")).await.unwrap());
        assert!(!has_acted(store.pool(), &user("nobody")).await.unwrap());
        // `service` is a stored name (a resource), but no record was made by a user of that name.
        assert!(!has_acted(store.pool(), &user("service")).await.unwrap());
        fixture.finish().await;
    }
}

#[tokio::test]
async fn the_log_is_byte_identical_in_both_layouts() {
    // Proves the same writes give the same log whether access records are stored as JSON rows
    // with their leaves (before schema version 8) or compactly: the same size and root, the same
    // leaf entries, the same stored nodes of every level, the same counts by month, and the same
    // events read back, on every backend.
    for backend in backends() {
        let old = Fixture::with_agreements(backend, "access_old").await;
        old.store.write_access_records_as_events();
        let new = Fixture::with_agreements(backend, "access_new").await;
        let written_old = write_records(&old.store, 0, 300, 70).await;
        let written_new = write_records(&new.store, 0, 300, 70).await;
        assert_eq!(written_old, written_new);
        assert_eq!(old.store.compact_access_records().await.unwrap(), 0);
        assert_eq!(new.store.compact_access_records().await.unwrap(), 300);
        assert_eq!(
            log_bytes(&old.store).await,
            log_bytes(&new.store).await,
            "{backend:?}"
        );
        assert_eq!(
            all_events(&old.store, 1_000).await,
            all_events(&new.store, 1_000).await
        );
        assert_checks_clean(&format!("{backend:?} old"), &old.store).await;
        assert_checks_clean(&format!("{backend:?} new"), &new.store).await;
        old.finish().await;
        new.finish().await;
    }
}

#[tokio::test]
async fn a_store_with_records_in_both_layouts_reads_checks_and_verifies() {
    // Proves a database holding access records written before schema version 8 (JSON rows with
    // leaves) and after it (compact) reads them as one stream with versions from 1 and no gap,
    // pages every event in order, checks clean, and gives the log a store writing only the old
    // layout gives, on every backend.
    for backend in backends() {
        let mixed = Fixture::with_agreements(backend, "access_mixed").await;
        let reference = Fixture::with_agreements(backend, "access_reference").await;
        reference.store.write_access_records_as_events();
        let before = Store::open(mixed.database.url(), false).await.unwrap();
        before.write_access_records_as_events();
        let mut written = write_records(&before, 0, 120, 50).await;
        before.close().await;
        written.extend(write_records(&mixed.store, 120, 260, 50).await);
        write_records(&reference.store, 0, 120, 50).await;
        write_records(&reference.store, 120, 260, 50).await;
        assert_eq!(mixed.store.compact_access_records().await.unwrap(), 140);
        assert_eq!(access_history(&mixed.store).await, written, "{backend:?}");
        let page = mixed
            .store
            .stream_page(&StreamId::Access, 0, 1_000)
            .await
            .unwrap();
        assert_eq!(page.len(), 260);
        all_events(&mixed.store, 33).await;
        assert_eq!(
            log_bytes(&mixed.store).await,
            log_bytes(&reference.store).await,
            "{backend:?}"
        );
        assert_checks_clean(&format!("{backend:?}"), &mixed.store).await;
        // The projections rebuild from both layouts and check clean again.
        let replayed = mixed.store.rebuild_projections().await.unwrap();
        assert_eq!(replayed, mixed.store.event_count().await.unwrap());
        assert_checks_clean(&format!("{backend:?} rebuilt"), &mixed.store).await;
        mixed.finish().await;
        reference.finish().await;
    }
}

/// The statements that change one compact record behind the triggers' back: its last byte (its
/// last policy's name id) becomes name 1, another name the database holds, so the record still
/// decodes, to a different event.
fn tamper(backend: Backend, seq: u64) -> Vec<String> {
    let update = format!(
        "UPDATE access_records SET record = {} WHERE seq = {seq}",
        match backend {
            Backend::Sqlite => "CAST(substr(record, 1, length(record) - 1) || X'01' AS BLOB)",
            Backend::Postgres => "substr(record, 1, length(record) - 1) || '\\x01'::bytea",
        }
    );
    match backend {
        Backend::Sqlite => vec!["DROP TRIGGER access_records_no_update".to_owned(), update],
        Backend::Postgres => vec![
            "ALTER TABLE access_records DISABLE TRIGGER access_records_no_change".to_owned(),
            update,
        ],
    }
}

#[tokio::test]
async fn a_changed_compact_record_is_refused() {
    // Proves the append-only triggers refuse changing access records and their names, and that
    // a record changed behind them (triggers dropped) is refused on every read as a corrupt
    // event whose stored hash no longer matches — its leaf hash in `log_nodes` — and reported by
    // `check` and `check_log`, on every backend.
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "access_tamper").await;
        let store = &fixture.store;
        write_records(store, 0, 20, 10).await;
        // The second access record: access_event(1), whose last byte is its one policy's id.
        let seq = store.history(&StreamId::Access).await.unwrap()[1].seq;
        for statement in [
            format!("UPDATE access_records SET record = record WHERE seq = {seq}"),
            format!("DELETE FROM access_records WHERE seq = {seq}"),
            "UPDATE access_names SET name = 'x' WHERE id = 1".to_owned(),
            "DELETE FROM access_names WHERE id = 1".to_owned(),
        ] {
            let error = sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
                .execute(store.pool())
                .await
                .unwrap_err();
            assert!(
                error.to_string().contains("append-only"),
                "{backend:?}: {statement}: {error}"
            );
        }
        assert_checks_clean(&format!("{backend:?}"), store).await;
        for statement in tamper(backend, seq) {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(store.pool())
                .await
                .unwrap();
        }
        let refused = |result: Result<Vec<StoredEvent>, StoreError>| match result {
            Err(StoreError::Corrupt(message)) => {
                assert_eq!(
                    message,
                    format!("event {seq} does not match its stored hash")
                );
            }
            other => panic!("{backend:?}: not refused as corrupt: {other:?}"),
        };
        refused(store.stream_page(&StreamId::Access, 0, 100).await);
        refused(store.events(0, 100).await);
        refused(store.history(&StreamId::Access).await);
        assert!(matches!(
            store.leaves(0, 100).await,
            Err(StoreError::Corrupt(_))
        ));
        let report = store.check(&|_, _| {}).await.unwrap();
        assert!(
            report
                .problems
                .contains(&format!("event {seq} does not match its stored hash")),
            "{backend:?}: {:?}",
            report.problems
        );
        let problems = store.check_log(&|_, _| {}).await.unwrap();
        assert!(
            problems.iter().any(|problem| problem
                .starts_with(&format!("event {seq} no longer matches its log leaf"))),
            "{backend:?}: {problems:?}"
        );
        fixture.finish().await;
    }
}

/// The statements that make inserting the name `poison` fail, and undo that.
fn poison(backend: Backend) -> ([&'static str; 2], &'static str) {
    match backend {
        Backend::Sqlite => (
            [
                "CREATE TRIGGER poison BEFORE INSERT ON access_names WHEN NEW.name = 'poison' \
                 BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
                "SELECT 1",
            ],
            "DROP TRIGGER poison",
        ),
        Backend::Postgres => (
            [
                "CREATE FUNCTION poisoned() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN IF NEW.name = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END; $$",
                "CREATE TRIGGER poison BEFORE INSERT ON access_names FOR EACH ROW EXECUTE FUNCTION poisoned()",
            ],
            "DROP TRIGGER poison ON access_names",
        ),
    }
}

#[tokio::test]
async fn names_of_a_rolled_back_transaction_never_reach_the_cache() {
    // Proves a group commit that fails after numbering new names leaves none of them in the
    // store's cache: the next commit numbers them again and stores them, so every record reads
    // back, on every backend.
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "access_rollback").await;
        let store = &fixture.store;
        write_records(store, 0, 5, 5).await;
        let (create, drop) = poison(backend);
        for statement in create {
            store.pool().execute(statement).await.unwrap();
        }
        let mut fresh = access_event(50);
        if let EventBody::AccessRecorded { policies, .. } = &mut fresh.body {
            *policies = vec!["fresh-policy".to_owned(), "poison".to_owned()];
        }
        let failed = store.write_many(&[Write::Access(&fresh)]).await;
        assert!(failed.is_err(), "{backend:?}: {failed:?}");
        store.pool().execute(drop).await.unwrap();
        let mut again = fresh.clone();
        if let EventBody::AccessRecorded { policies, .. } = &mut again.body {
            *policies = vec!["fresh-policy".to_owned()];
        }
        let results = store.write_many(&[Write::Access(&again)]).await.unwrap();
        assert!(results.iter().all(Result::is_ok));
        let history = access_history(store).await;
        assert_eq!(history.len(), 6);
        assert_eq!(history.last(), Some(&again), "{backend:?}");
        assert_checks_clean(&format!("{backend:?}"), store).await;
        fixture.finish().await;
    }
}

#[tokio::test]
async fn a_copy_keeps_access_records_in_both_layouts() {
    // Proves copying a database that holds access records in both layouts, SQLite → PostgreSQL
    // → SQLite (or SQLite → SQLite without PostgreSQL), keeps every record, name and leaf: each
    // hop verifies clean and reads back the same events and the same log, byte for byte.
    let source = Fixture::with_agreements(Backend::Sqlite, "access_copy").await;
    let before = Store::open(source.database.url(), false).await.unwrap();
    before.write_access_records_as_events();
    write_records(&before, 0, 40, 20).await;
    before.close().await;
    write_records(&source.store, 40, 140, 50).await;
    let events = all_events(&source.store, 1_000).await;
    let log = log_bytes(&source.store).await;
    let history = access_history(&source.store).await;
    let middle = *backends().last().unwrap();
    let mut hops = vec![source];
    for backend in [middle, Backend::Sqlite] {
        let target = Fixture::empty(backend, "access_copy_target").await;
        let from = hops.last().unwrap();
        let report = corridor_store::copy_database(&from.store, &target.store, &|_, _, _| {})
            .await
            .unwrap();
        let problems = corridor_store::verify_copy(&target.store, &report, &|_, _| {})
            .await
            .unwrap();
        assert!(problems.is_empty(), "{backend:?}: {problems:?}");
        assert_eq!(target.store.compact_access_records().await.unwrap(), 100);
        assert_eq!(
            all_events(&target.store, 1_000).await,
            events,
            "{backend:?}"
        );
        assert_eq!(log_bytes(&target.store).await, log, "{backend:?}");
        assert_eq!(access_history(&target.store).await, history, "{backend:?}");
        hops.push(target);
    }
    for hop in hops {
        hop.finish().await;
    }
}

#[tokio::test]
async fn leaf_counts_kept_between_calls_equal_counts_made_afresh() {
    // Proves the counts `leaf_counts_by_month` keeps between calls (it counts only the leaves
    // added since the size it counted last) equal, at every size asked, the counts a store that
    // never counted before makes from nothing — old-layout and compact records and case events
    // alike; that an earlier, smaller size still gets its own counts; and that a size beyond the
    // leaves written is answered without being kept, on every backend.
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "access_counts").await;
        let store = &fixture.store;
        let old = Store::open(fixture.database.url(), false).await.unwrap();
        old.write_access_records_as_events();
        write_records(&old, 0, 90, 40).await;
        old.close().await;
        let mut sizes = Vec::new();
        for (from, to) in [(90, 200), (200, 230), (230, 400)] {
            write_records(store, from, to, 60).await;
            let (size, _) = store.tree_head().await.unwrap();
            let kept = store.leaf_counts_by_month(size).await.unwrap();
            let fresh = Store::open(fixture.database.url(), false).await.unwrap();
            assert_eq!(
                kept,
                fresh.leaf_counts_by_month(size).await.unwrap(),
                "{backend:?} at {size}"
            );
            fresh.close().await;
            sizes.push((size, kept));
        }
        for (size, counts) in &sizes {
            assert_eq!(
                &store.leaf_counts_by_month(*size).await.unwrap(),
                counts,
                "{backend:?} again at {size}"
            );
        }
        let (size, _) = store.tree_head().await.unwrap();
        let beyond = store.leaf_counts_by_month(size + 50).await.unwrap();
        assert_eq!(beyond, sizes.last().unwrap().1, "{backend:?} beyond");
        // Past the size asked beyond: a kept partial count would now miss leaves.
        write_records(store, 400, 480, 20).await;
        let (grown, _) = store.tree_head().await.unwrap();
        assert!(grown >= size + 50, "{grown} {size}");
        let fresh = Store::open(fixture.database.url(), false).await.unwrap();
        assert_eq!(
            store.leaf_counts_by_month(grown).await.unwrap(),
            fresh.leaf_counts_by_month(grown).await.unwrap(),
            "{backend:?} after a size beyond the leaves was asked"
        );
        fresh.close().await;
        fixture.finish().await;
    }
}
