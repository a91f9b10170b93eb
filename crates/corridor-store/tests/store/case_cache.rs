//! The cache of cases read before ([`Store::read_case`]): it answers what the database would,
//! forgets a case this process writes, and, when another process writes, the next commit of
//! this one says so ([`Store::unchanged_since`]) and the reader reads again. On every backend.

use std::sync::Arc;

use corridor_domain::{CaseId, Event, EventBody, Role};
use corridor_store::testing::backends;
use corridor_store::{Store, Write};
use jiff::Timestamp;

use crate::concurrent::{notice, propose};
use crate::harness::{Fixture, START, context};

fn start() -> Timestamp {
    START.parse().unwrap()
}

/// An access record of a read of `case`, as the server writes one after each decision.
fn access_record(case: CaseId) -> Event {
    Event {
        at: start(),
        by: Some(context("officer.us", start()).actor.user),
        body: EventBody::AccessRecorded {
            role: Role::SendingOfficer,
            action: "read_case".to_owned(),
            resource: case.to_string(),
            agreement: None,
            allowed: true,
            policies: Vec::new(),
        },
    }
}

async fn record_access(store: &Store, case: CaseId) {
    let event = access_record(case);
    let results = store.write_many(&[Write::Access(&event)]).await.unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
}

async fn version_read(store: &Store, case: CaseId) -> u64 {
    let (read, _) = store.read_case(case).await.unwrap();
    read.unwrap().case.version
}

#[tokio::test]
async fn the_cache_answers_what_the_database_does_and_forgets_what_this_process_writes() {
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "cache_own").await;
        let store = &fixture.store;
        let case = propose(store, 7_001).await;

        let (first, _) = store.read_case(case).await.unwrap();
        let first = first.unwrap();
        let (second, _) = store.read_case(case).await.unwrap();
        let second = second.unwrap();
        assert!(
            Arc::ptr_eq(&first, &second),
            "{backend:?}: a second read is served from the cache"
        );
        let uncached = store.read_case_uncached(case).await.unwrap().unwrap();
        assert_eq!(first.case, uncached.case, "{backend:?}");
        assert_eq!(first.wrapped_key, uncached.wrapped_key, "{backend:?}");
        assert_eq!(
            first.agreement.version, uncached.agreement.version,
            "{backend:?}"
        );
        assert_eq!(first.case.version, 1);

        // A command of this process: the next read sees it, without any other commit between.
        let executed = store
            .execute(&notice(case), &context("officer.us", start()), Some(1), &[])
            .await
            .unwrap();
        assert!(executed.seqs.is_some(), "{executed:?}");
        assert_eq!(version_read(store, case).await, 2, "{backend:?}");

        // An unknown case is not found, and not remembered as found.
        let unknown = CaseId::from_u64(0xdead);
        assert!(store.read_case(unknown).await.unwrap().0.is_none());
        fixture.finish().await;
    }
}

#[tokio::test]
async fn a_write_by_another_process_is_noticed_by_the_next_commit() {
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "cache_foreign").await;
        let ours = &fixture.store;
        let theirs = Store::open(fixture.database.url(), false).await.unwrap();
        let case = propose(ours, 7_002).await;
        // This process has committed since its cache could be trusted, and reads the case.
        record_access(ours, case).await;
        let (read, stamp) = ours.read_case(case).await.unwrap();
        assert_eq!(read.unwrap().case.version, 1);
        record_access(ours, case).await;
        assert!(
            ours.unchanged_since(stamp),
            "{backend:?}: nobody else wrote, so the cached read stands"
        );

        // Another process (its own pool) serves the notice.
        let executed = theirs
            .execute(&notice(case), &context("officer.us", start()), Some(1), &[])
            .await
            .unwrap();
        assert!(executed.seqs.is_some(), "{executed:?}");

        // Until this process commits, it cannot know; the read's access record is that commit.
        let (stale, stamp) = ours.read_case(case).await.unwrap();
        assert_eq!(
            stale.unwrap().case.version,
            1,
            "{backend:?}: not yet noticed"
        );
        record_access(ours, case).await;
        assert!(
            !ours.unchanged_since(stamp),
            "{backend:?}: the access record's commit saw the other process's event"
        );
        let fresh = ours.read_case_uncached(case).await.unwrap().unwrap();
        assert_eq!(fresh.case.version, 2, "{backend:?}");
        // And the cache was emptied: the next read comes from the database.
        let (next, stamp) = ours.read_case(case).await.unwrap();
        assert_eq!(next.unwrap().case.version, 2, "{backend:?}");
        record_access(ours, case).await;
        assert!(ours.unchanged_since(stamp), "{backend:?}");

        theirs.close().await;
        fixture.finish().await;
    }
}
