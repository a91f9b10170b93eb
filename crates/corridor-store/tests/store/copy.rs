//! Copying a deployment between backends: every row moves with its key, the log keeps its size,
//! root and checkpoints, other crates' tables come along in reference order, and a target that
//! holds anything is refused.

use corridor_store::testing::backends;
use corridor_store::{Backend, StoreError, copy_database, verify_copy};
use sqlx::{Executor as _, Row as _};

use crate::contract::{assert_same, picture_of, replay};
use crate::harness::Fixture;
use crate::sequence::generate;

/// Tables another crate might keep in the same database: a parent, and a child referencing it,
/// whose names sort the child first.
const SIDE_TABLES: [(&str, &str); 2] = [
    (
        "CREATE TABLE side_b_parent (name TEXT PRIMARY KEY, flag INTEGER NOT NULL, blob BLOB)",
        "CREATE TABLE side_b_parent (name TEXT PRIMARY KEY, flag BIGINT NOT NULL, blob BYTEA)",
    ),
    (
        "CREATE TABLE side_a_child (id INTEGER PRIMARY KEY, parent TEXT NOT NULL REFERENCES side_b_parent (name), note TEXT)",
        "CREATE TABLE side_a_child (id BIGINT PRIMARY KEY, parent TEXT NOT NULL REFERENCES side_b_parent (name), note TEXT)",
    ),
];

async fn create_side_tables(fixture: &Fixture) {
    for (sqlite, postgres) in SIDE_TABLES {
        let sql = match fixture.backend() {
            Backend::Sqlite => sqlite,
            Backend::Postgres => postgres,
        };
        fixture.store.pool().execute(sql).await.unwrap();
    }
}

async fn side_rows(fixture: &Fixture) -> Vec<(i64, String, Option<String>, i64, Option<Vec<u8>>)> {
    sqlx::query(
        "SELECT c.id, c.parent, c.note, p.flag, p.blob FROM side_a_child c \
         JOIN side_b_parent p ON p.name = c.parent ORDER BY c.id",
    )
    .fetch_all(fixture.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|row| {
        (
            row.try_get("id").unwrap(),
            row.try_get("parent").unwrap(),
            row.try_get("note").unwrap(),
            row.try_get("flag").unwrap(),
            row.try_get("blob").unwrap(),
        )
    })
    .collect()
}

#[tokio::test]
async fn a_copy_round_trips_through_every_backend() {
    // Proves a store copied SQLite → PostgreSQL → SQLite (or SQLite → SQLite without PostgreSQL)
    // keeps every event, projection, key, leaf, node, checkpoint, salt key, witness size and other
    // crates' rows, verifies clean at each hop, and ends identical to where it started.
    let sequence = generate(21, 300);
    let source = Fixture::new(Backend::Sqlite, "copy_source").await;
    replay(&source.store, &sequence.steps, 21).await;
    let (size, root) = source.store.tree_head().await.unwrap();
    let made_at = "2026-01-01T00:00:00Z".parse().unwrap();
    source
        .store
        .record_checkpoint(
            size - 10,
            &source.store.root_at(size - 10).await.unwrap(),
            "a\n",
            made_at,
        )
        .await
        .unwrap();
    source
        .store
        .record_checkpoint(size, &root, "b\n", made_at)
        .await
        .unwrap();
    source
        .store
        .set_witness_size("https://witness.example", size)
        .await
        .unwrap();
    create_side_tables(&source).await;
    source
        .store
        .pool()
        .execute(
            "INSERT INTO side_b_parent VALUES ('p1', 1, X'00ff'), ('p2', 0, NULL); \
             INSERT INTO side_a_child VALUES (1, 'p2', 'n'), (2, 'p1', NULL), (3, 'p1', 'm')",
        )
        .await
        .unwrap();
    let original = picture_of(&source.store).await;
    let original_side = side_rows(&source).await;

    let middle_backend = *backends().last().unwrap();
    let mut hops = vec![source];
    for backend in [middle_backend, Backend::Sqlite] {
        let target = Fixture::empty(backend, "copy_target").await;
        create_side_tables(&target).await;
        let from = hops.last().unwrap();
        let report = copy_database(&from.store, &target.store, &|_, _, _| {})
            .await
            .unwrap();
        assert_eq!(report.head, (size, root));
        assert_eq!(report.checkpoint, Some((size, root)));
        let rows: u64 = report.tables.iter().map(|(_, rows)| rows).sum();
        assert!(rows > size * 2, "{report:?}");
        let parent = report
            .tables
            .iter()
            .position(|(name, _)| name == "side_b_parent");
        let child = report
            .tables
            .iter()
            .position(|(name, _)| name == "side_a_child");
        assert!(
            parent < child,
            "a referenced table is copied first: {report:?}"
        );
        let problems = verify_copy(&target.store, &report, &|_, _| {})
            .await
            .unwrap();
        assert!(problems.is_empty(), "{backend:?}: {problems:?}");
        assert_same(
            &format!("copy to {backend:?}"),
            &original,
            &picture_of(&target.store).await,
        );
        assert_eq!(side_rows(&target).await, original_side, "{backend:?}");
        assert_eq!(
            target.store.checkpoints().await.unwrap(),
            from.store.checkpoints().await.unwrap()
        );
        assert_eq!(
            target.store.salt_key().await.unwrap(),
            from.store.salt_key().await.unwrap()
        );
        assert_eq!(
            target.store.origin().await.unwrap(),
            from.store.origin().await.unwrap()
        );
        assert_eq!(
            target
                .store
                .witness_size("https://witness.example")
                .await
                .unwrap(),
            Some(size)
        );
        hops.push(target);
    }
    for hop in hops {
        hop.finish().await;
    }
}

#[tokio::test]
async fn a_copy_refuses_a_target_that_holds_anything() {
    // Proves the copy refuses, with `StoreError::TargetNotEmpty` and nothing written, a target
    // holding events, or only log metadata.
    let sequence = generate(22, 10);
    for backend in backends() {
        let source = Fixture::new(Backend::Sqlite, "refuse_source").await;
        replay(&source.store, &sequence.steps, 22).await;
        let target = Fixture::new(backend, "refuse_target").await;
        // The fixture configured the target's log: its metadata alone makes it non-empty.
        let error = copy_database(&source.store, &target.store, &|_, _, _| {})
            .await
            .unwrap_err();
        assert!(
            matches!(&error, StoreError::TargetNotEmpty { table, .. } if table == "log_meta"),
            "{backend:?}: {error:?}"
        );
        replay(&target.store, &sequence.steps[..3], 22).await;
        let before = target.store.event_count().await.unwrap();
        let error = copy_database(&source.store, &target.store, &|_, _, _| {})
            .await
            .unwrap_err();
        assert!(
            matches!(error, StoreError::TargetNotEmpty { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("not empty"), "{error}");
        assert_eq!(target.store.event_count().await.unwrap(), before);
        source.finish().await;
        target.finish().await;
    }
}
