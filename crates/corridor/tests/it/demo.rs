//! `corridor demo`: reproducible from its seed, shows every safeguard, reruns over its own
//! database, and never touches a database that is not a demo's.

use corridor_store::{CaseFilter, Store};

use crate::harness::{Sandbox, dump_events_and_keys};

/// Every safeguard code the demo's story demonstrates.
const SAFEGUARDS_SHOWN: [&str; 9] = [
    "hold_active",
    "notice_period_running",
    "protection_claim_pending",
    "cap_reached",
    "onward_destination_prohibited",
    "agreement_not_in_force",
    "ineligible",
    "self_approval",
    "notice_deficient",
];

/// Runs `corridor demo --seed SEED --quiet --demo-database sqlite://a.db` in `sandbox` and
/// returns its standard output.
fn run_demo(sandbox: &Sandbox, seed: u64) -> String {
    let seed = seed.to_string();
    sandbox
        .corridor(&[
            "demo",
            "--seed",
            &seed,
            "--quiet",
            "--demo-database",
            "sqlite://a.db",
        ])
        .code(0)
        .stdout()
}

/// The case ids in a demo database.
async fn case_ids(url: &str) -> Vec<String> {
    let store = Store::open(url, false)
        .await
        .expect("the demo database opens");
    let rows = store
        .list_cases(&CaseFilter {
            limit: 1_000,
            ..CaseFilter::default()
        })
        .await
        .expect("cases list");
    store.close().await;
    rows.into_iter().map(|row| row.case_id).collect()
}

#[tokio::test]
async fn same_seed_writes_byte_identical_events_and_keys() {
    // Proves two demo runs with one seed, in different directories and files, store identical rows.
    let (first, second) = (Sandbox::new(), Sandbox::new());
    run_demo(&first, 42);
    run_demo(&second, 42);
    let (events_a, keys_a) = dump_events_and_keys(&first.url_of("a.db")).await;
    let (events_b, keys_b) = dump_events_and_keys(&second.url_of("a.db")).await;
    assert!(
        events_a.len() > 50,
        "the demo records its story: {} events",
        events_a.len()
    );
    assert!(!keys_a.is_empty(), "the demo stores wrapped case keys");
    assert_eq!(
        events_a, events_b,
        "events differ between two runs with seed 42"
    );
    assert_eq!(
        keys_a, keys_b,
        "case keys differ between two runs with seed 42"
    );
}

#[tokio::test]
async fn another_seed_draws_other_case_ids() {
    // Proves the seed, not a constant, decides the demo's case ids.
    let (first, second) = (Sandbox::new(), Sandbox::new());
    run_demo(&first, 42);
    run_demo(&second, 43);
    let ids_42 = case_ids(&first.url_of("a.db")).await;
    let ids_43 = case_ids(&second.url_of("a.db")).await;
    assert!(!ids_42.is_empty());
    assert_eq!(
        ids_42.len(),
        ids_43.len(),
        "the story is the same whatever the seed"
    );
    assert!(
        ids_42.iter().all(|id| !ids_43.contains(id)),
        "seeds 42 and 43 share case ids: {ids_42:?} {ids_43:?}"
    );
}

#[test]
fn output_names_each_safeguard_it_demonstrates() {
    // Proves the demo's summary (even with --quiet) names every safeguard code it shows at work.
    let sandbox = Sandbox::new();
    let quiet = run_demo(&sandbox, 42);
    for code in SAFEGUARDS_SHOWN {
        assert!(
            quiet.contains(code),
            "the quiet demo output does not mention `{code}`:\n{quiet}"
        );
    }
    assert!(quiet.contains("projections match"), "{quiet}");
    // The full story explains each refusal where it happens.
    let story = sandbox
        .corridor(&["demo", "--seed", "42", "--demo-database", "sqlite://a.db"])
        .code(0)
        .stdout();
    for code in SAFEGUARDS_SHOWN {
        assert!(
            story.contains(&format!("REFUSED `{code}`")),
            "the story does not show `{code}` refusing:\n{story}"
        );
    }
}

#[tokio::test]
async fn rerun_over_its_own_database_starts_afresh() {
    // Proves the demo may run again over its own database and rebuilds the same events.
    let sandbox = Sandbox::new();
    run_demo(&sandbox, 42);
    let before = dump_events_and_keys(&sandbox.url_of("a.db")).await;
    run_demo(&sandbox, 42);
    let after = dump_events_and_keys(&sandbox.url_of("a.db")).await;
    assert_eq!(
        before, after,
        "a rerun with the same seed wrote different rows"
    );
    sandbox
        .corridor(&["--database", "sqlite://a.db", "check"])
        .code(0);
    assert!(
        sandbox.file("corridor-demo-users.toml").exists()
            && sandbox.file("corridor-demo.key").exists()
    );
}

#[tokio::test]
async fn refuses_a_database_that_is_not_a_demo() {
    // Proves the demo refuses (exit 1) to replace a real database and leaves it as it was.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Person One");
    let before = dump_events_and_keys(&sandbox.database_url()).await;
    let run = sandbox
        .corridor(&[
            "demo",
            "--seed",
            "42",
            "--quiet",
            "--demo-database",
            "sqlite://corridor.db",
        ])
        .code(1);
    assert!(
        run.stderr().contains("not a corridor demo"),
        "{}",
        run.stderr()
    );
    assert!(
        !sandbox.file("corridor-demo-users.toml").exists(),
        "the demo wrote files after refusing"
    );
    assert!(sandbox.file("corridor.db").exists());
    let after = dump_events_and_keys(&sandbox.database_url()).await;
    assert_eq!(before, after, "the refused demo changed the database");
    sandbox.corridor(&["check"]).code(0);
    let shown = sandbox.json_as("officer.ada", 0, &["case", "show", &case]);
    assert_eq!(shown["personal_data"]["name"], "Synthetic Person One");
}

#[tokio::test]
async fn refuses_a_foreign_sqlite_database_and_keeps_its_tables() {
    // Proves the demo neither migrates nor deletes an SQLite database that belongs to another program.
    use sqlx::{Connection as _, Executor as _, Row as _};
    let sandbox = Sandbox::new();
    let url = sandbox.url_of("other.db");
    sqlx::any::install_default_drivers();
    let mut raw = sqlx::AnyConnection::connect(&format!("{url}?mode=rwc"))
        .await
        .expect("a raw connection");
    raw.execute(
        "CREATE TABLE precious (value INTEGER NOT NULL); INSERT INTO precious VALUES (42);",
    )
    .await
    .expect("another program's data");
    raw.close().await.expect("the raw connection closes");

    let run = sandbox
        .corridor(&["demo", "--quiet", "--demo-database", "sqlite://other.db"])
        .code(1);
    assert!(
        run.stderr().contains("not corridor's (precious)"),
        "{}",
        run.stderr()
    );
    sandbox
        .corridor(&["--database", "sqlite://other.db", "check"])
        .code(1);

    let mut raw = sqlx::AnyConnection::connect(&url)
        .await
        .expect("a raw connection");
    let tables: Vec<String> =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut raw)
            .await
            .expect("the tables")
            .iter()
            .map(|row| row.try_get("name").expect("a name"))
            .collect();
    assert_eq!(
        tables,
        ["precious"],
        "corridor added tables to another program's database"
    );
    let value: i64 = sqlx::query("SELECT value FROM precious")
        .fetch_one(&mut raw)
        .await
        .expect("the row")
        .try_get(0)
        .expect("a value");
    assert_eq!(value, 42);
    raw.close().await.expect("the raw connection closes");
}
