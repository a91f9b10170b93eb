//! The schema and the connection settings on every backend: the same migration versions, a
//! newer schema refused with both versions named, durable commits on every pooled connection,
//! and byte order for the queries that rely on it whatever the database's collation.

use corridor_store::testing::{Collation, TestDatabase, backends};
use corridor_store::{Backend, SCHEMA_VERSION_LATEST, Store, StoreError};
use sqlx::{Executor as _, Row as _};

use crate::contract::{assert_checks_clean, assert_same, picture_of, picture_of_reference, replay};
use crate::harness::Fixture;
use crate::sequence::generate;

#[tokio::test]
async fn every_backend_records_the_same_migration_versions() {
    // Proves SQLite and PostgreSQL are migrated to the same schema versions, 1 to the latest.
    for backend in backends() {
        let fixture = Fixture::new(backend, "versions").await;
        let versions: Vec<i64> =
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(fixture.store.pool())
                .await
                .unwrap()
                .iter()
                .map(|row| row.try_get("version").unwrap())
                .collect();
        assert_eq!(
            versions,
            (1..=SCHEMA_VERSION_LATEST).collect::<Vec<_>>(),
            "{backend:?}"
        );
        assert_eq!(
            corridor_store::schema_versions(fixture.store.pool())
                .await
                .unwrap(),
            versions,
            "{backend:?}"
        );
        fixture.finish().await;
    }
}

#[tokio::test]
async fn a_schema_newer_than_known_is_refused_naming_both_versions() {
    // Proves Store::open refuses, on every backend, a database a newer corridor migrated, with
    // `StoreError::SchemaTooNew` carrying the database's version and the newest this one knows.
    for backend in backends() {
        let fixture = Fixture::new(backend, "newer").await;
        let future = match backend {
            Backend::Sqlite => {
                "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
                 VALUES (9999, 'from a future corridor', CURRENT_TIMESTAMP, 1, X'00', 0)"
            }
            Backend::Postgres => {
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES (9999, 'from a future corridor', TRUE, '\\x00'::bytea, 0)"
            }
        };
        fixture.store.pool().execute(future).await.unwrap();
        fixture.store.close().await;
        let error = Store::open(fixture.database.url(), false)
            .await
            .unwrap_err();
        match &error {
            StoreError::SchemaTooNew { database, known } => {
                assert_eq!(
                    (*database, *known),
                    (9999, SCHEMA_VERSION_LATEST),
                    "{backend:?}"
                );
            }
            other => panic!("{backend:?}: not SchemaTooNew: {other:?}"),
        }
        let message = error.to_string();
        assert!(
            message.contains("9999")
                && message.contains(&SCHEMA_VERSION_LATEST.to_string())
                && message.contains("newer than this corridor knows"),
            "{message}"
        );
        fixture.database.remove().await.unwrap();
    }
}

#[tokio::test]
async fn every_pooled_connection_commits_durably() {
    // Proves each connection the store opens runs with the durable setting of its backend
    // (SQLite WAL with synchronous=FULL; PostgreSQL synchronous_commit=on), even where the
    // PostgreSQL database's own default says otherwise.
    for backend in backends() {
        let database = TestDatabase::create(backend, "durable").await.unwrap();
        if backend == Backend::Postgres {
            let name = database.url().rsplit('/').next().unwrap().to_owned();
            let store = Store::open(database.url(), true).await.unwrap();
            store
                .pool()
                .execute(sqlx::AssertSqlSafe(format!(
                    "ALTER DATABASE {name} SET synchronous_commit = off"
                )))
                .await
                .unwrap();
            store.close().await;
        }
        let store = Store::open(database.url(), true).await.unwrap();
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(store.pool().acquire().await.unwrap());
        }
        for connection in &mut held {
            match backend {
                Backend::Sqlite => {
                    let mode: String = sqlx::query("PRAGMA journal_mode")
                        .fetch_one(&mut **connection)
                        .await
                        .unwrap()
                        .try_get(0)
                        .unwrap();
                    assert_eq!(mode.to_lowercase(), "wal");
                    let synchronous: i64 = sqlx::query("PRAGMA synchronous")
                        .fetch_one(&mut **connection)
                        .await
                        .unwrap()
                        .try_get(0)
                        .unwrap();
                    assert_eq!(synchronous, 2, "synchronous=FULL");
                }
                Backend::Postgres => {
                    let setting: String =
                        sqlx::query("SELECT current_setting('synchronous_commit') AS s")
                            .fetch_one(&mut **connection)
                            .await
                            .unwrap()
                            .try_get("s")
                            .unwrap();
                    assert_eq!(setting, "on");
                }
            }
        }
        drop(held);
        store.close().await;
        database.remove().await.unwrap();
    }
}

#[tokio::test]
async fn holds_bind_under_a_collation_that_ignores_punctuation() {
    // Proves the store finds holds (a range over stream names) and pages cases in byte order on
    // a PostgreSQL database whose collation ignores punctuation, as glibc's en_US.UTF-8 does:
    // the contract holds there too, so no hold is silently missed.
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let sequence = generate(2_025, 400);
    let reference = picture_of_reference(&sequence);
    let database = TestDatabase::create_with(
        Backend::Postgres,
        "collation",
        Collation::PunctuationIgnored,
    )
    .await
    .unwrap();
    let fixture = Fixture::over(database).await;
    // The database really orders text so: `hold.` sorts before `hold-0` under its collation.
    let ignored: bool = sqlx::query("SELECT ('hold.' < 'hold-0') AS ignored")
        .fetch_one(fixture.store.pool())
        .await
        .unwrap()
        .try_get("ignored")
        .unwrap();
    assert!(ignored, "the test database does not ignore punctuation");
    let outcomes = replay(&fixture.store, &sequence.steps, 2_025).await;
    for (index, (step, got)) in sequence.steps.iter().zip(&outcomes).enumerate() {
        assert_eq!(
            &step.expected,
            got,
            "step {index} ({})",
            step.command.name()
        );
    }
    assert_same(
        "punctuation-ignoring collation",
        &reference,
        &picture_of(&fixture.store).await,
    );
    assert_checks_clean("punctuation-ignoring collation", &fixture.store).await;
    fixture.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_memory_database_is_one_database_for_the_whole_pool() {
    // Proves `sqlite::memory:` opens, migrates and answers on every pooled connection, however
    // many run at once: each connection to `:memory:` must not be a database of its own.
    for _ in 0..30 {
        let store = std::sync::Arc::new(
            corridor_store::Store::open("sqlite::memory:", true)
                .await
                .unwrap(),
        );
        let reads: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.tree_head().await })
            })
            .collect();
        for read in reads {
            read.await.unwrap().unwrap();
        }
        store.close().await;
    }
}
