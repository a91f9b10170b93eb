//! What statistics need of the store, on every backend: the streaming read of exactly the events
//! below a log size (filtered by kind in SQL), the published releases (stored once, listed newest
//! first, append-only) and the deployment's rounding key (drawn once, kept, set only in a
//! simulation).

use corridor_store::testing::{TestDatabase, backends};
use corridor_store::{Deployment, NewRelease, Store, StoreError, StreamRange};
use jiff::Timestamp;
use sqlx::{Executor, Row as _};

use crate::contract::replay;
use crate::harness::Fixture;
use crate::sequence::generate;

/// The seqs and bodies `for_each_event_up_to` gives for `size` and `kinds`.
async fn read_up_to(
    store: &corridor_store::Store,
    size: u64,
    kinds: Option<&[&str]>,
) -> Result<Vec<(u64, String, String)>, StoreError> {
    let mut seen = Vec::new();
    store
        .for_each_event_up_to(size, kinds, |row| {
            seen.push((row.seq, row.kind.to_owned(), row.body.to_owned()));
            Ok::<(), StoreError>(())
        })
        .await?;
    Ok(seen)
}

#[tokio::test]
async fn the_statistics_read_gives_exactly_the_events_below_a_log_size() {
    // Proves, on every backend, that the read gives every event with a leaf below the size, in
    // order and exactly as stored, only the kinds asked for when asked, nothing beyond the size,
    // and refuses a size larger than the log; and that the walk of a kind of stream gives
    // exactly its events below the size, stream by stream, each in order.
    let sequence = generate(16, 150);
    for backend in backends() {
        let fixture = Fixture::new(backend, "stats_read").await;
        replay(&fixture.store, &sequence.steps, 16).await;
        let all = fixture.store.events(0, 100_000).await.unwrap();
        let (size, _) = fixture.store.tree_head().await.unwrap();
        assert_eq!(size, all.len() as u64, "{backend:?}");
        for cut in [0, 1, size / 3, size - 1, size] {
            let read = read_up_to(&fixture.store, cut, None).await.unwrap();
            let expected: Vec<(u64, String, String)> = all
                .iter()
                .filter(|stored| stored.seq <= cut)
                .map(|stored| {
                    (
                        stored.seq,
                        stored.event.body.kind().to_owned(),
                        stored.body.clone(),
                    )
                })
                .collect();
            assert_eq!(read, expected, "{backend:?} up to {cut}");
            let kinds: &[&str] = &["case_proposed", "arrived"];
            let filtered = read_up_to(&fixture.store, cut, Some(kinds)).await.unwrap();
            let expected_filtered: Vec<_> = expected
                .into_iter()
                .filter(|(_, kind, _)| kinds.contains(&kind.as_str()))
                .collect();
            assert_eq!(filtered, expected_filtered, "{backend:?} up to {cut}");
        }
        assert!(
            read_up_to(&fixture.store, size, Some(&["case_proposed"]))
                .await
                .unwrap()
                .len()
                > 1,
            "{backend:?}: the sequence proposes cases"
        );
        for cut in [size / 2, size] {
            for prefix in ["case-", "hold-"] {
                let mut walked = Vec::new();
                fixture
                    .store
                    .for_each_stream_event_up_to(cut, prefix, |row| {
                        walked.push((row.stream.to_owned(), row.seq, row.body.to_owned()));
                        Ok::<(), StoreError>(())
                    })
                    .await
                    .unwrap();
                let mut expected: Vec<(String, u64, String)> = all
                    .iter()
                    .filter(|stored| stored.seq <= cut && stored.stream.starts_with(prefix))
                    .map(|stored| (stored.stream.clone(), stored.seq, stored.body.clone()))
                    .collect();
                // Stream by stream (byte order of names), each stream's events in order.
                expected.sort_by(|a, b| (a.0.as_bytes(), a.1).cmp(&(b.0.as_bytes(), b.1)));
                assert_eq!(walked, expected, "{backend:?} {prefix} up to {cut}");
                // Split into parts walked one after the other (each in its own snapshot), the
                // walk gives the same events, in the same order.
                let walker = fixture.store.stream_walker();
                let whole = StreamRange::of_prefix(prefix).unwrap();
                for parts in [1, 2, 3, 1_000] {
                    let ranges = walker.split(&whole, parts).await.unwrap();
                    assert!(
                        (1..=parts).contains(&ranges.len()),
                        "{backend:?} {prefix}: {} ranges for {parts} parts",
                        ranges.len()
                    );
                    let mut in_parts = Vec::new();
                    for range in &ranges {
                        walker
                            .for_each_stream_event_in(cut, range, |row| {
                                in_parts.push((
                                    row.stream.to_owned(),
                                    row.seq,
                                    row.body.to_owned(),
                                ));
                                Ok::<(), StoreError>(())
                            })
                            .await
                            .unwrap();
                    }
                    assert_eq!(
                        in_parts, expected,
                        "{backend:?} {prefix} in {parts} parts up to {cut}"
                    );
                }
            }
        }
        let case_streams = all
            .iter()
            .filter(|stored| stored.stream.starts_with("case-"))
            .map(|stored| stored.stream.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let parts = fixture
            .store
            .stream_walker()
            .split(&StreamRange::of_prefix("case-").unwrap(), 2)
            .await
            .unwrap();
        assert!(
            case_streams > 1,
            "{backend:?}: the sequence has case streams"
        );
        assert_eq!(
            parts.len(),
            2,
            "{backend:?}: {case_streams} case streams split in two"
        );
        let bad_prefix = fixture
            .store
            .for_each_stream_event_up_to(size, "case", |_| Ok::<(), StoreError>(()))
            .await;
        assert!(
            matches!(bad_prefix, Err(StoreError::Invalid(_))),
            "{bad_prefix:?}"
        );
        let beyond = read_up_to(&fixture.store, size + 1, None).await;
        assert!(
            matches!(beyond, Err(StoreError::Invalid(_))),
            "{backend:?}: {beyond:?}"
        );
        fixture.finish().await;
    }
}

fn release(id: &str, period: &str, published_at: &str, corrects: Option<&str>) -> NewRelease {
    NewRelease {
        release_id: id.to_owned(),
        publication: 0,
        period: period.to_owned(),
        corrects: corrects.map(str::to_owned),
        checkpoint_size: 42,
        published_at: published_at.parse().unwrap(),
        note: format!("note of {id}\n"),
        files: vec![
            (
                "statistics.json".to_owned(),
                format!("{{\"release\":\"{id}\"}}").into_bytes(),
            ),
            ("statistics.csv".to_owned(), vec![0, 1, 2, 255]),
        ],
    }
}

#[tokio::test]
async fn releases_are_stored_once_listed_newest_first_and_never_changed() {
    // Proves, on every backend, that a release and its files are stored and read back byte for
    // byte, listed newest first, that an existing id is refused with `ReleaseExists` writing
    // nothing, that earlier releases' statistics.json are given oldest first, and that the
    // triggers refuse UPDATE and DELETE of releases and files.
    for backend in backends() {
        let fixture = Fixture::new(backend, "stats_releases").await;
        let store = &fixture.store;
        assert_eq!(store.latest_release_id().await.unwrap(), None);
        let first = release("2026-10", "2026-10", "2026-11-01T06:00:00Z", None);
        let second = release("2026-11", "2026-11", "2026-12-01T06:00:00.5Z", None);
        let third = release(
            "2026-11-c1",
            "2026-11",
            "2026-12-01T06:00:01Z",
            Some("2026-11"),
        );
        for (publication, mut release) in [first, second, third].into_iter().enumerate() {
            release.publication = publication as u64;
            store.insert_release(&release).await.unwrap();
        }
        let listed = store.releases().await.unwrap();
        let ids: Vec<&str> = listed.iter().map(|r| r.release_id.as_str()).collect();
        assert_eq!(ids, ["2026-11-c1", "2026-11", "2026-10"], "{backend:?}");
        assert_eq!(listed[0].corrects.as_deref(), Some("2026-11"));
        assert_eq!(listed[0].period, "2026-11");
        assert_eq!(
            listed[1].published_at,
            "2026-12-01T06:00:00.5Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            store.latest_release_id().await.unwrap().as_deref(),
            Some("2026-11-c1")
        );
        assert_eq!(
            store
                .release_file("2026-10", "statistics.csv")
                .await
                .unwrap(),
            Some(vec![0, 1, 2, 255])
        );
        assert_eq!(
            store.release_file("2026-10", "other.csv").await.unwrap(),
            None
        );
        assert_eq!(
            store.release_checkpoint("2026-11").await.unwrap(),
            Some((42, "note of 2026-11\n".to_owned()))
        );
        let earlier = store.earlier_statistics_json("2026-11-c1").await.unwrap();
        let earlier_ids: Vec<&str> = earlier.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(earlier_ids, ["2026-10", "2026-11"], "{backend:?}");
        assert_eq!(earlier[0].1, b"{\"release\":\"2026-10\"}".to_vec());
        let everything = store.earlier_statistics_json("not-stored").await.unwrap();
        assert_eq!(everything.len(), 3);

        let mut again = release("2026-10", "2026-Q4", "2027-01-01T00:00:00Z", None);
        again.files = vec![("statistics.json".to_owned(), b"changed".to_vec())];
        let refused = store.insert_release(&again).await;
        assert!(
            matches!(&refused, Err(StoreError::ReleaseExists(id)) if id == "2026-10"),
            "{backend:?}: {refused:?}"
        );
        assert_eq!(
            store
                .release_file("2026-10", "statistics.json")
                .await
                .unwrap(),
            Some(b"{\"release\":\"2026-10\"}".to_vec())
        );
        assert_eq!(store.releases().await.unwrap().len(), 3);
        for statement in [
            "UPDATE statistics_releases SET note = 'x'",
            "DELETE FROM statistics_releases",
            "UPDATE statistics_files SET file_name = 'x'",
            "DELETE FROM statistics_files",
        ] {
            let error = store.pool().execute(statement).await.unwrap_err();
            assert!(
                error.to_string().contains("append-only"),
                "{backend:?}: `{statement}` gave {error}"
            );
        }
        fixture.finish().await;
    }
}

/// The ids of the releases listed, newest first.
async fn listed_ids(store: &Store) -> Vec<String> {
    store
        .releases()
        .await
        .unwrap()
        .into_iter()
        .map(|release| release.release_id)
        .collect()
}

#[tokio::test]
async fn releases_are_listed_in_the_order_of_publication_even_at_one_instant() {
    // Proves, on every backend, that releases published at the same instant are listed (and
    // given to the protection of the next one) in the order they were published, not by id:
    // `2026-01` published before `2026` sorts after it by id, yet is listed as the older.
    for backend in backends() {
        let fixture = Fixture::new(backend, "stats_order").await;
        let store = &fixture.store;
        let instant = "2027-01-01T06:00:00Z";
        let mut month = release("2026-01", "2026-01", instant, None);
        month.publication = 0;
        let mut year = release("2026", "2026", instant, None);
        year.publication = 1;
        let mut earlier = release("2025", "2025", "2026-01-01T06:00:00Z", None);
        earlier.publication = 2;
        for release in [&month, &year, &earlier] {
            store.insert_release(release).await.unwrap();
        }
        assert_eq!(
            listed_ids(store).await,
            ["2025", "2026", "2026-01"],
            "{backend:?}"
        );
        assert_eq!(
            store.latest_release_id().await.unwrap().as_deref(),
            Some("2025")
        );
        let before_year: Vec<String> = store
            .earlier_statistics_json("2026")
            .await
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(before_year, ["2026-01"], "{backend:?}");
        fixture.finish().await;
    }
}

#[tokio::test]
async fn a_release_computed_against_other_than_every_stored_release_is_refused() {
    // Proves, on every backend, that a release whose publication number is not the number of
    // releases stored (one was stored since it was computed, or it claims more than there are)
    // is refused with `ReleaseRaced` naming both numbers, writing neither it nor its files.
    for backend in backends() {
        let fixture = Fixture::new(backend, "stats_raced").await;
        let store = &fixture.store;
        store
            .insert_release(&release("2026-10", "2026-10", "2026-11-01T06:00:00Z", None))
            .await
            .unwrap();
        for publication in [0, 2] {
            let mut stale = release("2026-q4", "2026-Q4", "2027-01-01T06:00:00Z", None);
            stale.publication = publication;
            let refused = store.insert_release(&stale).await;
            assert!(
                matches!(
                    &refused,
                    Err(StoreError::ReleaseRaced { release, expected, stored: 1 })
                        if release == "2026-q4" && *expected == publication
                ),
                "{backend:?}: {refused:?}"
            );
            assert_eq!(listed_ids(store).await, ["2026-10"], "{backend:?}");
            assert_eq!(
                store
                    .release_file("2026-q4", "statistics.json")
                    .await
                    .unwrap(),
                None
            );
        }
        let mut fresh = release("2026-q4", "2026-Q4", "2027-01-01T06:00:00Z", None);
        fresh.publication = 1;
        store.insert_release(&fresh).await.unwrap();
        assert_eq!(listed_ids(store).await, ["2026-q4", "2026-10"]);
        fixture.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_releases_stored_at_once_against_the_same_earlier_ones_one_is_kept() {
    // Proves, on every backend, that two stores at once from two connections of releases
    // computed against the same earlier releases keep exactly one: the other is refused with
    // `ReleaseRaced`, and its files are not written.
    for backend in backends() {
        let fixture = Fixture::new(backend, "stats_race").await;
        let other = Store::open(fixture.database.url(), false).await.unwrap();
        fixture
            .store
            .insert_release(&release("2026-10", "2026-10", "2026-11-01T06:00:00Z", None))
            .await
            .unwrap();
        let mut a = release("2026-11", "2026-11", "2026-12-01T06:00:00Z", None);
        a.publication = 1;
        let mut b = release("2026-q4", "2026-Q4", "2026-12-01T06:00:00Z", None);
        b.publication = 1;
        let (stored_a, stored_b) =
            tokio::join!(fixture.store.insert_release(&a), other.insert_release(&b));
        let (kept, refused, lost) = match (&stored_a, &stored_b) {
            (Ok(()), Err(error)) => ("2026-11", error, "2026-q4"),
            (Err(error), Ok(())) => ("2026-q4", error, "2026-11"),
            _ => panic!("{backend:?}: not exactly one kept: {stored_a:?} {stored_b:?}"),
        };
        assert!(
            matches!(refused, StoreError::ReleaseRaced { release, expected: 1, stored: 2 } if release == lost),
            "{backend:?}: {refused:?}"
        );
        assert_eq!(listed_ids(&fixture.store).await, [kept, "2026-10"]);
        assert_eq!(
            fixture
                .store
                .release_file(lost, "statistics.json")
                .await
                .unwrap(),
            None
        );
        other.close().await;
        fixture.finish().await;
    }
}

#[tokio::test]
async fn the_migration_to_publication_numbers_keeps_the_order_releases_were_listed_in() {
    // Proves, on every backend, that schema version 7 numbers the releases an older corridor
    // stored in the order it listed them (by time, compared as times even where one text has a
    // fraction of a second and another none, then by id), keeps them append-only, and numbers
    // the next release after them.
    for backend in backends() {
        let database = TestDatabase::create(backend, "stats_migrate")
            .await
            .unwrap();
        let pool = database.migrate_up_to(6).await.unwrap();
        let old = [
            ("b", "2026-12-01T06:00:00Z"),
            ("a", "2026-12-01T06:00:00.5Z"),
            ("2026-01", "2026-12-02T00:00:00Z"),
            ("c", "2026-12-01T06:00:00.25Z"),
            ("z", "2026-11-01T00:00:00Z"),
            ("2026", "2026-12-02T00:00:00Z"),
            ("y", "2026-12-01T05:59:59.75Z"),
        ];
        for (id, published_at) in old {
            sqlx::query(
                "INSERT INTO statistics_releases \
                 (release_id, period, corrects, checkpoint_size, published_at, note) \
                 VALUES ($1, $2, NULL, 42, $3, $4)",
            )
            .bind(id.to_owned())
            .bind(id.to_owned())
            .bind(published_at.to_owned())
            .bind(format!("note of {id}\n"))
            .execute(&pool)
            .await
            .unwrap();
        }
        pool.close().await;
        // The order the store listed them in before version 7: newest first by time, then id.
        let mut expected: Vec<(Timestamp, &str)> = old
            .iter()
            .map(|(id, at)| (at.parse().unwrap(), *id))
            .collect();
        expected.sort_by(|x, y| y.cmp(x));
        let expected: Vec<&str> = expected.into_iter().map(|(_, id)| id).collect();
        assert_eq!(expected, ["2026-01", "2026", "a", "c", "b", "y", "z"]);

        let fixture = Fixture::over(database).await;
        let store = &fixture.store;
        assert_eq!(listed_ids(store).await, expected, "{backend:?}");
        let numbers: Vec<(String, i64)> = sqlx::query(
            "SELECT release_id, publication FROM statistics_releases ORDER BY publication",
        )
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (
                row.try_get("release_id").unwrap(),
                row.try_get("publication").unwrap(),
            )
        })
        .collect();
        let oldest_first: Vec<(String, i64)> = expected
            .iter()
            .rev()
            .zip(0..)
            .map(|(id, n)| ((*id).to_owned(), n))
            .collect();
        assert_eq!(numbers, oldest_first, "{backend:?}");
        for statement in [
            "UPDATE statistics_releases SET publication = 99",
            "DELETE FROM statistics_releases",
        ] {
            let error = store.pool().execute(statement).await.unwrap_err();
            assert!(
                error.to_string().contains("append-only"),
                "{backend:?}: `{statement}` gave {error}"
            );
        }
        let refused = store
            .pool()
            .execute(
                "INSERT INTO statistics_releases \
                 (release_id, period, corrects, checkpoint_size, published_at, note) \
                 VALUES ('no-number', 'x', NULL, 1, '2027-01-01T00:00:00Z', 'n')",
            )
            .await;
        assert!(
            refused.is_err(),
            "{backend:?}: a release without a number was stored"
        );
        let mut next = release("2027-01", "2027-01", "2026-01-01T00:00:00Z", None);
        next.publication = 7;
        store.insert_release(&next).await.unwrap();
        assert_eq!(
            listed_ids(store).await.first().map(String::as_str),
            Some("2027-01")
        );
        fixture.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rounding_key_is_drawn_once_and_set_only_in_a_simulation() {
    // Proves, on every backend, that the rounding key is drawn once and kept (two processes
    // asking at once get the same key), that a real deployment refuses a set key, and that a
    // simulation keeps the key it sets and refuses another.
    for backend in backends() {
        let fixture = Fixture::new(backend, "stats_key_real").await;
        let other = corridor_store::Store::open(fixture.database.url(), false)
            .await
            .unwrap();
        let (a, b) = tokio::join!(
            fixture.store.statistics_rounding_key(),
            other.statistics_rounding_key()
        );
        let key = a.unwrap();
        assert_eq!(b.unwrap(), key, "{backend:?}");
        assert_ne!(key, [0; 32]);
        assert_eq!(fixture.store.statistics_rounding_key().await.unwrap(), key);
        let refused = fixture.store.set_simulation_rounding_key([7; 32]).await;
        assert!(
            matches!(refused, Err(StoreError::Deployment(_))),
            "{backend:?}: {refused:?}"
        );
        assert_eq!(fixture.store.statistics_rounding_key().await.unwrap(), key);
        other.close().await;
        fixture.finish().await;

        let fixture = Fixture::empty(backend, "stats_key_simulation").await;
        fixture
            .store
            .record_deployment(Deployment::Simulation)
            .await
            .unwrap();
        fixture
            .store
            .set_simulation_rounding_key([7; 32])
            .await
            .unwrap();
        assert_eq!(
            fixture.store.statistics_rounding_key().await.unwrap(),
            [7; 32]
        );
        fixture
            .store
            .set_simulation_rounding_key([7; 32])
            .await
            .unwrap();
        let refused = fixture.store.set_simulation_rounding_key([8; 32]).await;
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{backend:?}: {refused:?}"
        );
        fixture.finish().await;
    }
}
