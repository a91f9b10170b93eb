//! The work queues over the application layer, on every backend: a queue reads the store as
//! many times with 300 cases as with 10; an officer's queue shows every case proposed, a
//! supervisor's every case they may approve but never one they proposed, and a receiving
//! official's none before a transfer is requested; and a hold's dry run appends nothing but
//! its access record.

use std::sync::Arc;

use corridor_accounts::Accounts;
use corridor_app::queues::{WorkQueue, hold_dry_run, work_queue};
use corridor_app::service::NewHold;
use corridor_app::{App, AppConfig, Caller};
use corridor_authz::Authz;
use corridor_domain::{ClassCriteria, Command, Context, HoldScope, Outcome, Party, Role};
use corridor_store::testing::{TestDatabase, backends};
use corridor_store::vault::MasterKey;
use corridor_store::{Request, Store};
use corridor_testkit::{AUG_10, actor, at, country, party, sealed};

const MASTER: [u8; 32] = [0x51; 32];

/// An application over a fresh database with the US–Rwanda agreement loaded, its clock at
/// 10 August 2025.
async fn app(database: &TestDatabase) -> App {
    let store = Store::open(database.url(), true).await.unwrap();
    store
        .configure_log(Some("queues.corridor.invalid/log"), Some([0x5b; 32]))
        .await
        .unwrap();
    let load = Command::LoadAgreement {
        file_name: "us-rwa-2025.toml".to_owned(),
        text: corridor_testkit::agreement_text("us-rwa-2025.toml"),
    };
    let admin = Context {
        now: at("2025-08-01T09:00:00Z"),
        actor: actor("admin", Role::Admin, Party::None),
    };
    let executed = store.execute(&load, &admin, None, &[]).await.unwrap();
    assert!(matches!(executed.outcome, Outcome::Accepted(_)));
    let store = Arc::new(store);
    let accounts = Accounts::from_pool(store.pool().clone()).await.unwrap();
    let mut config = AppConfig::new(store, accounts, Arc::new(Authz::load().unwrap()));
    config.master = Some(MasterKey::from_bytes(MASTER));
    config.clock = Arc::new(|| at(AUG_10));
    App::new(config)
}

/// Proposes `count` cases in one commit, ids from `first`, each by `proposer`.
async fn propose(app: &App, first: u64, count: u64, proposer: &str) {
    let master = MasterKey::from_bytes(MASTER);
    let context = Context {
        now: at("2025-08-02T09:00:00Z"),
        actor: actor(proposer, Role::SendingOfficer, party("state:USA")),
    };
    let proposals: Vec<_> = (first..first + count)
        .map(|id| sealed::proposal(id, "Synthetic Person", &master))
        .collect();
    let requests: Vec<Request<'_>> = proposals
        .iter()
        .map(|(command, keys)| Request {
            command,
            context: &context,
            expected_version: None,
            new_case_keys: keys,
        })
        .collect();
    for result in app.store().execute_many(&requests).await.unwrap() {
        assert!(matches!(result.unwrap().outcome, Outcome::Accepted(_)));
    }
}

fn caller(name: &str, role: Role, of: &str) -> Caller {
    Caller::local(actor(name, role, party(of)))
}

/// How many cases a queue shows, and how many store reads it took.
async fn shown_and_reads(app: &App, who: &Caller) -> (usize, u64) {
    let before = app.store().reads();
    let queue = work_queue(app, who).await.unwrap();
    let reads = app.store().reads() - before;
    let shown = match queue {
        WorkQueue::Cases { cases, .. } | WorkQueue::SupervisorApprovals { cases, .. } => {
            cases.len()
        }
        WorkQueue::TransferRequests { requests, .. } => requests.len(),
        other => panic!("not a state's queue: {other:?}"),
    };
    (shown, reads)
}

#[tokio::test]
async fn a_queue_reads_the_store_as_often_with_300_cases_as_with_10() {
    // Proves the officer's, supervisor's and receiving official's queues make the same number
    // of store reads with 10 and with 300 cases, while what they show follows the cases and the
    // rules: every case for the officer, those they did not propose for the supervisor, none
    // for the receiving official (nothing was requested of them).
    for backend in backends() {
        let database = TestDatabase::create(backend, "queue_reads").await.unwrap();
        let app = app(&database).await;
        let officer = caller("officer.one", Role::SendingOfficer, "state:USA");
        let supervisor = caller("supervisor.one", Role::SendingSupervisor, "state:USA");
        let receiver = caller("receiver.one", Role::ReceivingOfficer, "state:RWA");
        // One case the supervisor proposed: never theirs to approve.
        let own = Context {
            now: at("2025-08-02T09:00:00Z"),
            actor: actor(
                "supervisor.one",
                Role::SendingSupervisor,
                party("state:USA"),
            ),
        };
        let (command, keys) = sealed::proposal(1, "Synthetic Own", &MasterKey::from_bytes(MASTER));
        let executed = app
            .store()
            .execute(&command, &own, None, &keys)
            .await
            .unwrap();
        assert!(matches!(executed.outcome, Outcome::Accepted(_)));

        propose(&app, 100, 9, "officer.one").await;
        let small = [
            shown_and_reads(&app, &officer).await,
            shown_and_reads(&app, &supervisor).await,
            shown_and_reads(&app, &receiver).await,
        ];
        propose(&app, 1_000, 290, "officer.one").await;
        let large = [
            shown_and_reads(&app, &officer).await,
            shown_and_reads(&app, &supervisor).await,
            shown_and_reads(&app, &receiver).await,
        ];
        assert_eq!(
            small.map(|(shown, _)| shown),
            [10, 9, 0],
            "{backend:?}: {small:?}"
        );
        assert_eq!(
            large.map(|(shown, _)| shown),
            [300, 299, 0],
            "{backend:?}: {large:?}"
        );
        assert_eq!(
            small.map(|(_, reads)| reads),
            large.map(|(_, reads)| reads),
            "{backend:?}"
        );
        database.remove().await.unwrap();
    }
}

#[tokio::test]
async fn a_dry_run_appends_only_its_access_record_and_is_refused_as_registering_is() {
    // Proves a dry run appends the record of its decision and nothing else, answers what the
    // decider says (no case under way: nothing to match), and is refused with registering's own
    // error for a caller who may not register the order.
    for backend in backends() {
        let database = TestDatabase::create(backend, "dry_run").await.unwrap();
        let app = app(&database).await;
        propose(&app, 100, 3, "officer.one").await;
        let order = NewHold {
            court: "dc".to_owned(),
            reference: "DC-1 (synthetic)".to_owned(),
            scope: HoldScope::Class {
                criteria: ClassCriteria {
                    nationalities: [country("VEN")].into_iter().collect(),
                    ..ClassCriteria::default()
                },
            },
            depends_on: None,
            idempotency_key: None,
        };
        let clerk = caller("clerk.dc", Role::CourtClerk, "court:dc");
        let before = app.store().event_count().await.unwrap();
        let dry = hold_dry_run(&app, &clerk, order.clone()).await.unwrap();
        assert_eq!((dry.matched, dry.would_pull, dry.would_recall), (0, 0, 0));
        let appended = app.store().events(before, 10).await.unwrap();
        let kinds: Vec<&str> = appended
            .iter()
            .map(|stored| stored.event.body.kind())
            .collect();
        assert_eq!(kinds, vec!["access_recorded"], "{backend:?}");

        let officer = caller("officer.one", Role::SendingOfficer, "state:USA");
        let dry = hold_dry_run(&app, &officer, order.clone())
            .await
            .unwrap_err();
        let real = corridor_app::service::register_hold(&app, &officer, order)
            .await
            .unwrap_err();
        assert_eq!(dry.to_string(), real.to_string(), "{backend:?}");
        assert_eq!(dry.kind(), real.kind());
        database.remove().await.unwrap();
    }
}
