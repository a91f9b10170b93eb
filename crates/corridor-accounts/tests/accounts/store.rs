//! The accounts share the store's database without touching the store's migrations.

use corridor_accounts::{Accounts, MIGRATIONS_TABLE};
use sqlx::Row as _;

use crate::{Backend, TestDatabase, backends};

/// The accounts migrations are recorded in their own table, the store's migrator still accepts
/// the database afterwards, and opening both again is a no-op.
#[tokio::test]
async fn accounts_and_store_share_a_database() {
    for backend in backends() {
        let database = TestDatabase::fresh(backend).await;
        let store = corridor_store::Store::open(&database.url, true)
            .await
            .unwrap();
        let accounts = Accounts::open(&database.url).await.unwrap();
        let recorded: Vec<i64> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT version FROM {MIGRATIONS_TABLE}"
        )))
        .fetch_all(accounts.pool())
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get("version").unwrap())
        .collect();
        assert_eq!(recorded, [1, 2]);
        let store_versions: Vec<i64> =
            sqlx::query("SELECT version FROM _sqlx_migrations ORDER BY version")
                .fetch_all(store.pool())
                .await
                .unwrap()
                .iter()
                .map(|row| row.try_get("version").unwrap())
                .collect();
        assert_eq!(
            store_versions,
            (1..=corridor_store::SCHEMA_VERSION_LATEST).collect::<Vec<_>>(),
            "{backend:?}: the store's record is untouched"
        );
        accounts.pool().close().await;
        store.pool().close().await;

        let store = corridor_store::Store::open(&database.url, false)
            .await
            .unwrap();
        let accounts = Accounts::from_pool(store.pool().clone()).await.unwrap();
        assert_eq!(
            accounts.backend() == corridor_accounts::Backend::Sqlite,
            backend == Backend::Sqlite
        );
        store.pool().close().await;
        database.remove().await;
    }
}
