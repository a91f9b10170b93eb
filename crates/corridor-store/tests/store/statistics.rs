//! What statistics need of the store, on every backend: the streaming read of exactly the events
//! below a log size (filtered by kind in SQL), the published releases (stored once, listed newest
//! first, append-only) and the deployment's rounding key (drawn once, kept, set only in a
//! simulation).

use corridor_store::testing::backends;
use corridor_store::{Deployment, NewRelease, StoreError, StreamRange};
use jiff::Timestamp;
use sqlx::Executor;

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
        for release in [&first, &second, &third] {
            store.insert_release(release).await.unwrap();
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
