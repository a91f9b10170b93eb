//! `corridor db` and PostgreSQL under the binary: the demo gives the same log on both backends,
//! migrations report their versions, SQLite backups restore to a database that checks, and a
//! deployment copied SQLite → PostgreSQL → SQLite keeps every event, key, account and its log.
//!
//! PostgreSQL databases come from `corridor_store::testing`: unique names, dropped at the end; an
//! unreachable server fails these tests unless `CORRIDOR_TEST_SKIP_POSTGRES=1`.

use corridor_accounts::Accounts;
use corridor_domain::terms::Country;
use corridor_domain::{Party, Role, UserId};
use corridor_store::testing::{TestDatabase, backends};
use corridor_store::{Backend, Store};

use crate::harness::{Sandbox, dump_events_and_keys};

/// Runs the demo with `seed` over `url` and returns the signed checkpoint it prints (origin,
/// size and root lines).
fn demo_checkpoint(sandbox: &Sandbox, seed: u64, url: &str) -> Vec<String> {
    let seed = seed.to_string();
    let out = sandbox
        .corridor(&["demo", "--seed", &seed, "--quiet", "--demo-database", url])
        .code(0)
        .stdout();
    assert!(out.contains("projections match"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let start = lines
        .iter()
        .position(|line| *line == "demo.corridor.invalid/log/simulation")
        .unwrap_or_else(|| panic!("no checkpoint in:\n{out}"));
    lines[start..start + 3]
        .iter()
        .map(|line| (*line).to_owned())
        .collect()
}

#[tokio::test]
async fn the_demo_gives_one_checkpoint_on_every_backend() {
    // Proves `corridor demo --seed N` writes a log of the same size and root (and the same
    // signed checkpoint) on SQLite and PostgreSQL, and each database checks clean afterwards.
    let sandbox = Sandbox::new();
    let mut checkpoints = Vec::new();
    for backend in backends() {
        let database = TestDatabase::create(backend, "demo").await.unwrap();
        let checkpoint = demo_checkpoint(&sandbox, 42, database.url());
        sandbox
            .corridor(&["--database", database.url(), "check"])
            .code(0);
        checkpoints.push((backend, checkpoint));
        database.remove().await.unwrap();
    }
    let (_, first) = &checkpoints[0];
    assert!(first[1].parse::<u64>().unwrap() > 50, "{first:?}");
    for (backend, checkpoint) in &checkpoints {
        assert_eq!(checkpoint, first, "{backend:?} gave another checkpoint");
    }
}

#[test]
fn migrate_reports_every_schema_version() {
    // Proves `corridor db migrate` creates and migrates a new SQLite database, reports the store's
    // and the accounts' versions and what it applied, and applies nothing the second time.
    let sandbox = Sandbox::new();
    let first = sandbox
        .corridor(&["--json", "--database", "sqlite://m.db", "db", "migrate"])
        .code(0)
        .json();
    let latest = corridor_store::SCHEMA_VERSION_LATEST;
    let all: Vec<i64> = (1..=latest).collect();
    assert_eq!(first["backend"], "sqlite");
    assert_eq!(first["store"]["versions"], serde_json::json!(all));
    assert_eq!(first["store"]["applied"], serde_json::json!(all));
    assert_eq!(first["accounts"]["applied"], serde_json::json!([1, 2]));
    let again = sandbox
        .corridor(&["--json", "--database", "sqlite://m.db", "db", "migrate"])
        .code(0)
        .json();
    assert_eq!(again["store"]["applied"], serde_json::json!([]));
    assert_eq!(again["accounts"]["applied"], serde_json::json!([]));
    let text = sandbox
        .corridor(&["--database", "sqlite://m.db", "db", "migrate"])
        .code(0)
        .stdout();
    assert!(
        text.contains(&format!(
            "store schema: versions {} (applied now: none)",
            all.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        "{text}"
    );
}

#[tokio::test]
async fn a_backup_restores_to_a_database_that_checks() {
    // Proves `db backup` writes a checked, owner-only copy, and `db restore` brings it back as a
    // new database with the same events, keys and log root, which `corridor check` accepts.
    use std::os::unix::fs::PermissionsExt as _;
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Person One");
    let backup = sandbox
        .corridor(&["--json", "db", "backup", "backup.db"])
        .code(0)
        .json();
    assert_eq!(backup["ok"], true, "{backup}");
    let mode = std::fs::metadata(sandbox.file("backup.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "a backup holds wrapped keys: owner only"
    );
    let restored = sandbox
        .corridor(&[
            "--json",
            "--database",
            "sqlite://restored.db",
            "db",
            "restore",
            "backup.db",
        ])
        .code(0)
        .json();
    assert_eq!(restored["log_root"], backup["log_root"]);
    assert_eq!(restored["events"], backup["events"]);
    assert_eq!(
        dump_events_and_keys(&sandbox.database_url()).await,
        dump_events_and_keys(&sandbox.url_of("restored.db")).await
    );
    sandbox
        .corridor(&["--database", "sqlite://restored.db", "check"])
        .code(0);
    let shown = sandbox.json_as(
        "officer.ada",
        0,
        &["--database", "sqlite://restored.db", "case", "show", &case],
    );
    assert_eq!(shown["personal_data"]["name"], "Synthetic Person One");
    // No leftovers of the work in progress.
    let names: Vec<String> = std::fs::read_dir(sandbox.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|name| !name.contains("corridor-backup") && !name.contains("corridor-restore")),
        "{names:?}"
    );
}

#[test]
fn backup_and_restore_refuse_what_they_must_not_touch() {
    // Proves a backup never overwrites a file, a restore never replaces a database, a damaged
    // backup is not restored, and PostgreSQL is pointed at pg_dump and `db copy`: all exit 2
    // (input errors), except the damaged backup (1).
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    std::fs::write(sandbox.file("taken.db"), "precious").unwrap();
    let run = sandbox.corridor(&["db", "backup", "taken.db"]).code(2);
    assert!(
        run.stderr().contains("never overwrites"),
        "{}",
        run.stderr()
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.file("taken.db")).unwrap(),
        "precious"
    );
    sandbox.corridor(&["db", "backup", "good.db"]).code(0);
    let run = sandbox
        .corridor(&[
            "--database",
            "sqlite://corridor.db",
            "db",
            "restore",
            "good.db",
        ])
        .code(2);
    assert!(
        run.stderr().contains("restore only into a new database"),
        "{}",
        run.stderr()
    );
    let run = sandbox
        .corridor(&["--database", "sqlite://new.db", "db", "restore", "taken.db"])
        .code(1);
    assert!(
        run.stderr().contains("not a corridor database"),
        "{}",
        run.stderr()
    );
    assert!(!sandbox.file("new.db").exists());
    let run = sandbox
        .corridor(&[
            "--database",
            "postgres://nobody@127.0.0.1:1/x",
            "db",
            "backup",
            "pg.db",
        ])
        .code(2);
    assert!(run.stderr().contains("pg_dump"), "{}", run.stderr());
    let run = sandbox
        .corridor(&[
            "--database",
            "postgres://nobody@127.0.0.1:1/x",
            "db",
            "restore",
            "good.db",
        ])
        .code(2);
    assert!(
        run.stderr().contains("corridor db copy"),
        "{}",
        run.stderr()
    );
}

/// The accounts of a database, with their password hashes.
async fn accounts_of(url: &str) -> Vec<(String, String)> {
    let store = Store::open(url, false).await.unwrap();
    let accounts = Accounts::from_pool(store.pool().clone()).await.unwrap();
    let mut users = Vec::new();
    for info in accounts.list_users().await.unwrap() {
        let hash = accounts.password_hash(&info.user).await.unwrap();
        users.push((format!("{info:?}"), hash.as_str().to_owned()));
    }
    store.close().await;
    users
}

#[tokio::test]
async fn a_deployment_copies_between_backends_and_back() {
    // Proves `db copy` moves a demo deployment with accounts SQLite → PostgreSQL → SQLite with
    // identical events, case keys, accounts and log (checked at each hop), and refuses to copy
    // into a database that already holds data (exit 2).
    let sandbox = Sandbox::new();
    let first = sandbox.url_of("first.db");
    demo_checkpoint(&sandbox, 7, &first);
    // The demo makes an account for each of its users; the test adds one more of its own.
    let demo_accounts = accounts_of(&first).await.len();
    assert!(demo_accounts > 0, "the demo makes its users' accounts");
    let store = Store::open(&first, false).await.unwrap();
    let accounts = Accounts::from_pool(store.pool().clone()).await.unwrap();
    accounts
        .add_user(
            &UserId::parse("officer.copy").unwrap(),
            Role::SendingOfficer,
            &Party::State(Country::parse("USA").unwrap()),
            "correct horse battery staple",
            "2026-01-01T00:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    store.close().await;
    let expected_accounts = accounts_of(&first).await;
    assert_eq!(expected_accounts.len(), demo_accounts + 1);
    assert!(
        expected_accounts
            .iter()
            .any(|(info, _)| info.contains("officer.copy"))
    );

    let middle = TestDatabase::create(*backends().last().unwrap(), "copy")
        .await
        .unwrap();
    let to_middle = sandbox
        .corridor(&[
            "--json",
            "db",
            "copy",
            "--from",
            &first,
            "--to",
            middle.url(),
        ])
        .code(0)
        .json();
    assert_eq!(to_middle["ok"], true, "{to_middle}");
    assert_eq!(
        to_middle["simulation"], true,
        "the demo is a simulation, and so is its copy"
    );
    sandbox
        .corridor(&["--database", middle.url(), "check"])
        .code(0);
    assert_eq!(accounts_of(middle.url()).await, expected_accounts);

    let last = sandbox.url_of("last.db");
    let to_last = sandbox
        .corridor(&[
            "--json",
            "db",
            "copy",
            "--from",
            middle.url(),
            "--to",
            &last,
        ])
        .code(0)
        .json();
    assert_eq!(to_last["log_root"], to_middle["log_root"]);
    assert_eq!(to_last["simulation"], true, "{to_last}");
    let copied = Store::open(&last, false).await.unwrap();
    assert_eq!(copied.deployment(), corridor_store::Deployment::Simulation);
    copied.close().await;
    assert_eq!(to_last["checkpoint"], to_middle["checkpoint"]);
    assert!(to_last["checkpoint"]["size"].as_u64().unwrap() > 50);
    sandbox.corridor(&["--database", &last, "check"]).code(0);
    assert_eq!(
        dump_events_and_keys(&first).await,
        dump_events_and_keys(&last).await
    );
    assert_eq!(accounts_of(&last).await, expected_accounts);

    let run = sandbox
        .corridor(&["db", "copy", "--from", &first, "--to", middle.url()])
        .code(2);
    assert!(
        run.stderr().contains("not empty (table `events`"),
        "{}",
        run.stderr()
    );
    let run = sandbox
        .corridor(&["db", "copy", "--from", &first, "--to", &first])
        .code(2);
    assert!(run.stderr().contains("same database"), "{}", run.stderr());
    assert_eq!(middle.backend() == Backend::Postgres, backends().len() == 2);
    middle.remove().await.unwrap();
}
