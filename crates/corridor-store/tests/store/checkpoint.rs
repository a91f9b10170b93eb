//! SQLite's WAL checkpoint beside the writer (`store/checkpoint.rs`, SQLite files only): once
//! commits bring 256 events, a background checkpoint copies the WAL into the database file,
//! without waiting for SQLite's own threshold of 1,000 pages, and the store reads and checks
//! clean.

use std::time::{Duration, Instant};

use corridor_domain::Event;
use corridor_store::{Backend, Write};

use crate::access::access_event;
use crate::contract::assert_checks_clean;
use crate::harness::Fixture;

/// How long the background checkpoint may take before the test gives up on it.
const CHECKPOINT_WAIT: Duration = Duration::from_secs(20);

fn file_bytes(path: &str) -> u64 {
    std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0)
}

#[tokio::test]
async fn the_wal_is_checkpointed_beside_the_writer() {
    // Proves that a commit bringing 256 events starts a checkpoint that grows the database file
    // by itself (300 compact access records dirty far fewer than the 1,000 WAL pages at which
    // SQLite would checkpoint inside a commit, so before this nothing reached the file), and
    // that the store then reads every record back and checks clean.
    let fixture = Fixture::with_agreements(Backend::Sqlite, "wal_checkpoint").await;
    let store = &fixture.store;
    let url = fixture.database.url();
    let path = url.strip_prefix("sqlite://").unwrap_or(url).to_owned();
    let wal = format!("{path}-wal");
    assert!(file_bytes(&wal) > 0, "the database is in WAL mode");
    let before = file_bytes(&path);

    let events: Vec<Event> = (0..300).map(access_event).collect();
    let writes: Vec<Write<'_>> = events.iter().map(Write::Access).collect();
    let results = store.write_many(&writes).await.unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    let started = Instant::now();
    while file_bytes(&path) <= before && started.elapsed() < CHECKPOINT_WAIT {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after = file_bytes(&path);
    assert!(
        after > before,
        "no checkpoint copied the WAL into the file within {CHECKPOINT_WAIT:?}: {before} bytes before, {after} after"
    );
    assert_eq!(store.compact_access_records().await.unwrap(), 300);
    assert_checks_clean("wal_checkpoint", store).await;
}
