//! What a database is for, on every backend: recorded once when it is created, read back when
//! the store opens, never turned into the other kind (not by asking, not by SQL, not by a
//! copy), and named in the log's origin.

use corridor_store::testing::{TestDatabase, backends};
use corridor_store::{
    Deployment, SIMULATION_ORIGIN_SUFFIX, Store, StoreError, copy_database, verify_copy,
};
use sqlx::Executor as _;

use crate::harness::Fixture;

/// A store over a fresh database created as `deployment`, its log origin configured.
async fn created_as(backend: corridor_store::Backend, deployment: Deployment) -> Fixture {
    let database = TestDatabase::create(backend, "deployment").await.unwrap();
    let store = Store::open(database.url(), true).await.unwrap();
    store.record_deployment(deployment).await.unwrap();
    store
        .configure_log(Some("corridor.test/log"), None)
        .await
        .unwrap();
    Fixture { store, database }
}

#[tokio::test]
async fn a_simulation_is_read_back_as_one_and_stays_one() {
    // Proves a database created as a simulation is one when opened again, refuses to become a
    // real deployment (by asking, or by SQL on its record), and signs under an origin that
    // ends in `/simulation`.
    for backend in backends() {
        let fixture = created_as(backend, Deployment::Simulation).await;
        fixture.store.close().await;
        let store = Store::open(fixture.database.url(), false).await.unwrap();
        assert_eq!(store.deployment(), Deployment::Simulation, "{backend:?}");
        assert_eq!(
            store.origin().await.unwrap(),
            format!("corridor.test/log{SIMULATION_ORIGIN_SUFFIX}"),
            "{backend:?}"
        );
        let refused = store.record_deployment(Deployment::Real).await.unwrap_err();
        assert!(
            matches!(&refused, StoreError::Deployment(message) if message.contains("is a simulation, not a real deployment")),
            "{backend:?}: {refused}"
        );
        for sql in [
            "UPDATE deployment SET simulation = 0",
            "DELETE FROM deployment",
        ] {
            assert!(
                store.pool().execute(sql).await.is_err(),
                "{backend:?}: `{sql}` must be refused"
            );
        }
        assert_eq!(store.deployment(), Deployment::Simulation, "{backend:?}");
        assert!(store.check_log(&|_, _| {}).await.unwrap().is_empty());
        store.close().await;
        fixture.database.remove().await.unwrap();
    }
}

#[tokio::test]
async fn a_database_is_real_unless_created_as_a_simulation() {
    // Proves a database with no record, or one that holds events, is a real deployment: it
    // cannot be made a simulation after the fact, and its origin may not claim to be one.
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "real").await;
        assert_eq!(fixture.store.deployment(), Deployment::Real, "{backend:?}");
        let refused = fixture
            .store
            .record_deployment(Deployment::Simulation)
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, StoreError::Deployment(message) if message.contains("is a real deployment, not a simulation")),
            "{backend:?}: {refused}"
        );
        assert_eq!(fixture.store.deployment(), Deployment::Real, "{backend:?}");
        fixture.finish().await;

        let fixture = Fixture::empty(backend, "real-origin").await;
        let refused = fixture
            .store
            .configure_log(Some("corridor.test/simulation"), None)
            .await
            .unwrap_err();
        assert!(
            refused.to_string().contains("marks simulations"),
            "{backend:?}: {refused}"
        );
        fixture.finish().await;
    }
}

#[tokio::test]
async fn a_copy_keeps_what_the_database_is_for() {
    // Proves `copy_database` carries a simulation's record into the copy, and `verify_copy`
    // reports a copy whose kind differs from its source's.
    for backend in backends() {
        let source = created_as(backend, Deployment::Simulation).await;
        let target = Fixture::empty(backend, "deployment-copy").await;
        let report = copy_database(&source.store, &target.store, &|_, _, _| {})
            .await
            .unwrap();
        assert_eq!(report.deployment, Deployment::Simulation);
        assert!(
            verify_copy(&target.store, &report, &|_, _| {})
                .await
                .unwrap()
                .is_empty()
        );
        target.store.close().await;
        let copied = Store::open(target.database.url(), false).await.unwrap();
        assert_eq!(copied.deployment(), Deployment::Simulation, "{backend:?}");
        copied.close().await;
        target.database.remove().await.unwrap();

        // A target created as a real deployment is not empty: the copy is refused.
        let real = created_as(backend, Deployment::Real).await;
        let refused = copy_database(&source.store, &real.store, &|_, _, _| {})
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, StoreError::TargetNotEmpty { .. }),
            "{backend:?}: {refused}"
        );
        let mismatched = corridor_store::CopyReport {
            deployment: Deployment::Real,
            ..report
        };
        let problems = verify_copy(&source.store, &mismatched, &|_, _| {})
            .await
            .unwrap();
        assert!(
            problems.iter().any(|problem| problem
                .contains("the copy is a simulation but the source is a real deployment")),
            "{backend:?}: {problems:?}"
        );
        real.finish().await;
        source.finish().await;
    }
}

#[tokio::test]
async fn has_acted_finds_exactly_the_accounts_named_by_an_event() {
    // Proves `has_acted` finds an account that an event names as its actor and no other name:
    // not a prefix, not a longer name, and not a name that matches only if `_` were a wildcard.
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "acted").await;
        let acted = |name: &str| {
            let user = corridor_domain::UserId::parse(name).unwrap();
            let pool = fixture.store.pool().clone();
            async move { corridor_store::has_acted(&pool, &user).await.unwrap() }
        };
        assert!(acted("admin").await, "{backend:?}");
        for other in ["admi", "admin2", "a_min", "monitor"] {
            assert!(!acted(other).await, "{backend:?}: {other}");
        }
        fixture.finish().await;
    }
}
