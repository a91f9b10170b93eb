//! The store under the binary: durable settings, schema versions, tamper detection by
//! `corridor check`, optimistic concurrency and group commit.

use corridor_domain::terms::Country;
use corridor_domain::{
    Actor, CaseId, Command, Context, Language, NoticeFacts, Outcome, Party, Role,
};
use corridor_store::vault::MasterKey;
use corridor_store::{Executed, Request, Store, StoreError};
use corridor_testkit::actor;
use jiff::Timestamp;
use sqlx::{AnyConnection, Connection as _, Executor as _, Row as _};

use crate::harness::{Sandbox, US_RWA};

/// A raw sqlx connection to an SQLite file, outside corridor's store.
async fn raw_connection(url: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(url).await.expect("a raw connection")
}

fn usa_officer() -> Actor {
    actor(
        "officer.ada",
        Role::SendingOfficer,
        Party::State(Country::parse("USA").expect("USA")),
    )
}

fn context(actor: Actor) -> Context {
    Context {
        now: crate::harness::AUG_10
            .parse::<Timestamp>()
            .expect("a moment"),
        actor,
    }
}

/// A store over a fresh SQLite file with the US–Rwanda agreement loaded.
async fn store_with_us_rwa(sandbox: &Sandbox) -> Store {
    let store = Store::open(&sandbox.database_url(), true)
        .await
        .expect("the store creates its database");
    let text = std::fs::read_to_string(US_RWA).expect("the shipped agreement");
    let load = Command::LoadAgreement {
        file_name: "us-rwa-2025.toml".to_owned(),
        text,
    };
    let executed = store
        .execute(
            &load,
            &context(actor("admin", Role::Admin, Party::None)),
            None,
            &[],
        )
        .await
        .expect("the agreement loads");
    assert!(
        matches!(executed.outcome, Outcome::Accepted(_)),
        "{executed:?}"
    );
    store
}

/// A proposal of a synthetic person as case `id`, with its personal data sealed and its key wrapped.
fn proposal(id: u64, name: &str) -> (Command, Vec<(CaseId, Vec<u8>)>) {
    corridor_testkit::sealed::proposal(id, name, &MasterKey::from_bytes([7; 32]))
}

fn notice(id: u64) -> Command {
    Command::ServeNotice {
        case: CaseId::from_u64(id),
        notice: NoticeFacts {
            language: Language::parse("es").expect("es"),
            on_person: true,
            on_counsel: true,
            destination: Country::parse("RWA").expect("RWA"),
            explains_how_to_contest: true,
        },
    }
}

/// The sequence numbers an accepted command appended.
#[track_caller]
fn accepted_seqs(result: &Result<Executed, StoreError>) -> (u64, u64) {
    match result {
        Ok(Executed {
            outcome: Outcome::Accepted(events),
            seqs: Some(seqs),
        }) if !events.is_empty() => *seqs,
        other => panic!("not accepted with events: {other:?}"),
    }
}

#[tokio::test]
async fn every_connection_runs_in_wal_mode_with_full_sync() {
    // Proves each of the store's pooled connections uses journal_mode=WAL and synchronous=FULL (2).
    let sandbox = Sandbox::new();
    let store = Store::open(&sandbox.database_url(), true)
        .await
        .expect("the store opens");
    let mut held = Vec::new();
    for _ in 0..3 {
        // Holding the connections makes the pool open distinct ones.
        held.push(store.pool().acquire().await.expect("a pooled connection"));
    }
    for connection in &mut held {
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut **connection)
            .await
            .expect("journal_mode")
            .try_get(0)
            .expect("a text value");
        assert_eq!(mode.to_lowercase(), "wal");
        let synchronous: i64 = sqlx::query("PRAGMA synchronous")
            .fetch_one(&mut **connection)
            .await
            .expect("synchronous")
            .try_get(0)
            .expect("an integer value");
        assert_eq!(synchronous, 2, "synchronous=FULL");
    }
    drop(held);
    store.close().await;
}

#[tokio::test]
async fn a_schema_newer_than_known_is_refused() {
    // Proves Store::open refuses a database migrated by a newer corridor, saying so, and the CLI exits 1.
    let sandbox = Sandbox::new();
    let store = Store::open(&sandbox.database_url(), true)
        .await
        .expect("the store creates its database");
    store.close().await;
    let mut raw = raw_connection(&sandbox.database_url()).await;
    raw.execute(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES (9999, 'from a future corridor', CURRENT_TIMESTAMP, 1, X'00', 0)",
    )
    .await
    .expect("a future migration row");
    raw.close().await.expect("the raw connection closes");

    let error = Store::open(&sandbox.database_url(), false)
        .await
        .expect_err("a newer schema must be refused");
    let message = error.to_string();
    assert!(
        matches!(
            error,
            StoreError::SchemaTooNew {
                database: 9999,
                known: corridor_store::SCHEMA_VERSION_LATEST
            }
        ),
        "{error:?}"
    );
    assert!(
        message.contains("9999") && message.contains("newer"),
        "{message}"
    );
    let run = sandbox.corridor(&["check"]).code(1);
    assert!(
        run.stderr().contains("newer than this corridor knows"),
        "{}",
        run.stderr()
    );
}

#[tokio::test]
async fn check_names_an_edited_event() {
    // Proves that after the append-only trigger is dropped and one event body edited, `corridor check` exits 1 naming that event.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Tampered");
    sandbox.walk(&case, "requested");
    sandbox.corridor(&["check"]).code(0);

    let mut raw = raw_connection(&sandbox.database_url()).await;
    let refused = raw
        .execute("UPDATE events SET body = body WHERE kind = 'notice_served'")
        .await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|error| error.to_string().contains("append-only")),
        "the trigger refuses updates: {refused:?}"
    );
    raw.execute("DROP TRIGGER events_no_update")
        .await
        .expect("drop the trigger");
    let seq: i64 = sqlx::query("SELECT seq FROM events WHERE kind = 'notice_served'")
        .fetch_one(&mut raw)
        .await
        .expect("the notice event")
        .try_get("seq")
        .expect("a seq");
    let edited = raw
        .execute("UPDATE events SET body = replace(body, '\"language\":\"es\"', '\"language\":\"pt\"') WHERE kind = 'notice_served'")
        .await
        .expect("edit the body");
    assert_eq!(edited.rows_affected(), 1);
    raw.close().await.expect("the raw connection closes");

    let run = sandbox.corridor(&["check"]).code(1);
    let wanted = format!("event {seq} does not match its stored hash");
    assert!(
        run.stdout().contains(&wanted),
        "check does not name event {seq}:\n{}",
        run.stdout()
    );
    let report = sandbox.corridor(&["--json", "check"]).code(1).json();
    assert_eq!(report["ok"], false);
    assert!(
        report["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .any(|p| p.as_str().is_some_and(|p| p.contains(&wanted))),
        "{report}"
    );
}

#[tokio::test]
async fn check_reports_a_deleted_projection_row() {
    // Proves `corridor check` exits 1 and names the case whose projection row was deleted.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Unprojected");
    let untouched = sandbox.propose("officer.ada", "Synthetic Projected");
    let mut raw = raw_connection(&sandbox.database_url()).await;
    let deleted = sqlx::query("DELETE FROM cases WHERE case_id = $1")
        .bind(case.clone())
        .execute(&mut raw)
        .await
        .expect("delete the row");
    assert_eq!(deleted.rows_affected(), 1);
    raw.close().await.expect("the raw connection closes");

    let run = sandbox.corridor(&["check"]).code(1);
    let stdout = run.stdout();
    assert!(
        stdout.contains(&format!("{case} has events but no projection row")),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 problem(s)"),
        "only the deleted row is reported:\n{stdout}"
    );
    assert!(!stdout.contains(&untouched), "{stdout}");

    // Projections are a cache of the events: rebuilding them from the events repairs the loss.
    let rebuilt = sandbox.corridor(&["check", "--rebuild"]).code(0).stdout();
    assert!(
        rebuilt.contains("rebuilt every projection from"),
        "{rebuilt}"
    );
    let shown = sandbox.json_as("officer.ada", 0, &["case", "show", &case]);
    assert_eq!(shown["status"], "proposed", "{shown}");
}

#[tokio::test]
async fn a_stale_expected_version_conflicts_and_writes_nothing() {
    // Proves Store::execute with a stale expected version returns StoreError::Conflict and appends nothing.
    let sandbox = Sandbox::new();
    let store = store_with_us_rwa(&sandbox).await;
    let officer = context(usa_officer());
    let (propose, keys) = proposal(0xA1, "Synthetic Versioned");
    accepted_seqs(&store.execute(&propose, &officer, None, &keys).await);
    accepted_seqs(&store.execute(&notice(0xA1), &officer, Some(1), &[]).await);
    let events = store.event_count().await.expect("a count");

    let request = Command::RequestTransfer {
        case: CaseId::from_u64(0xA1),
    };
    match store.execute(&request, &officer, Some(1), &[]).await {
        Err(StoreError::Conflict {
            case,
            expected: 1,
            current: 2,
        }) => assert_eq!(case, CaseId::from_u64(0xA1)),
        other => panic!("expected a conflict at version 2, got {other:?}"),
    }
    assert_eq!(
        store.event_count().await.expect("a count"),
        events,
        "the conflict wrote events"
    );
    let (case, _) = store
        .case(CaseId::from_u64(0xA1))
        .await
        .expect("a read")
        .expect("the case");
    assert_eq!((case.status.as_str(), case.version), ("noticed", 2));
    let report = store.check(&|_, _| {}).await.expect("check runs");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    store.close().await;
}

#[tokio::test]
async fn execute_many_acknowledges_a_batch_with_contiguous_events() {
    // Proves execute_many decides each command against its predecessors, acknowledges all together, and appends contiguous events; a conflict in a batch touches only its own command.
    let sandbox = Sandbox::new();
    let store = store_with_us_rwa(&sandbox).await;
    let before = store.event_count().await.expect("a count");
    let officer = context(usa_officer());
    let (propose_b, keys_b) = proposal(0xB2, "Synthetic Batch B");
    let (propose_c, keys_c) = proposal(0xC3, "Synthetic Batch C");
    let notice_b = notice(0xB2);
    let requests = [
        Request {
            command: &propose_b,
            context: &officer,
            expected_version: None,
            new_case_keys: &keys_b,
        },
        // Decided against the state the proposal just above left: case B at version 1.
        Request {
            command: &notice_b,
            context: &officer,
            expected_version: Some(1),
            new_case_keys: &[],
        },
        Request {
            command: &propose_c,
            context: &officer,
            expected_version: None,
            new_case_keys: &keys_c,
        },
    ];
    let results = store
        .execute_many(&requests)
        .await
        .expect("the batch commits");
    assert_eq!(results.len(), 3);
    let seqs: Vec<(u64, u64)> = results.iter().map(accepted_seqs).collect();
    assert_eq!(
        seqs,
        [
            (before + 1, before + 1),
            (before + 2, before + 2),
            (before + 3, before + 3)
        ]
    );
    let stored = store.events(before, 10).await.expect("the new events");
    let kinds: Vec<(u64, &str)> = stored
        .iter()
        .map(|s| (s.seq, s.event.body.kind()))
        .collect();
    assert_eq!(
        kinds,
        [
            (before + 1, "case_proposed"),
            (before + 2, "notice_served"),
            (before + 3, "case_proposed")
        ]
    );
    for id in [0xB2, 0xC3] {
        assert!(
            store
                .case_key(CaseId::from_u64(id))
                .await
                .expect("a read")
                .is_some(),
            "case {id:x} has its key"
        );
    }

    // A stale version in the middle of a batch: the others commit, contiguously, and it writes nothing.
    let request_b = Command::RequestTransfer {
        case: CaseId::from_u64(0xB2),
    };
    let notice_c = notice(0xC3);
    let request_c = Command::RequestTransfer {
        case: CaseId::from_u64(0xC3),
    };
    let requests = [
        Request {
            command: &notice_c,
            context: &officer,
            expected_version: Some(1),
            new_case_keys: &[],
        },
        Request {
            command: &request_b,
            context: &officer,
            expected_version: Some(1),
            new_case_keys: &[],
        },
        Request {
            command: &request_c,
            context: &officer,
            expected_version: Some(2),
            new_case_keys: &[],
        },
    ];
    let results = store
        .execute_many(&requests)
        .await
        .expect("the batch commits");
    let after = before + 3;
    assert_eq!(accepted_seqs(&results[0]), (after + 1, after + 1));
    assert!(
        matches!(
            results[1],
            Err(StoreError::Conflict {
                expected: 1,
                current: 2,
                ..
            })
        ),
        "{:?}",
        results[1]
    );
    assert_eq!(accepted_seqs(&results[2]), (after + 2, after + 2));
    assert_eq!(store.event_count().await.expect("a count"), after + 2);
    let report = store.check(&|_, _| {}).await.expect("check runs");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    store.close().await;
}
