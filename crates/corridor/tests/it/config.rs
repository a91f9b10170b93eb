//! `corridor.toml`: what `init` writes (and never overwrites), the precedence flag >
//! environment > file > default, paths relative to the file, and the refusals.

use crate::harness::{Run, Sandbox};

/// `corridor --json check` in `sandbox` with `env` set: the number of events it replayed.
fn events_checked(sandbox: &Sandbox, env: &[(&str, &str)], flags: &[&str]) -> u64 {
    let mut args = vec!["--json"];
    args.extend_from_slice(flags);
    args.push("check");
    let mut command = sandbox.command_at(crate::harness::AUG_10, &args);
    for (name, value) in env {
        command.env(name, value);
    }
    let report = Run::of(&args, command).code(0).json();
    report["events"].as_u64().expect("a count of events")
}

#[test]
fn init_writes_the_file_and_keeps_an_existing_one() {
    // Proves `init` records what it created in corridor.toml, and that an existing file is kept byte for byte, and still read.
    let sandbox = Sandbox::new();
    let run = sandbox.init(&[]).code(0);
    assert!(
        run.stdout()
            .contains("configuration: created corridor.toml"),
        "{}",
        run.stdout()
    );
    let written = std::fs::read_to_string(sandbox.file("corridor.toml")).expect("corridor.toml");
    for line in [
        "database = \"sqlite://corridor.db\"",
        "key_file = \"corridor.key\"",
        "log_key_file = \"corridor-log.key\"",
        "users = \"corridor-users.toml\"",
        "origin = \"corridor.invalid/log\"",
        "listen = \"127.0.0.1:8080\"",
    ] {
        assert!(
            written.lines().any(|l| l == line),
            "no `{line}` in\n{written}"
        );
    }
    let again = sandbox.init(&[]).code(0);
    assert!(
        again
            .stdout()
            .contains("configuration: corridor.toml already names this database"),
        "{}",
        again.stdout()
    );

    let other = Sandbox::new();
    let mine = "# mine\ndatabase = \"mine.db\"\nkey_file = \"mine.key\"\n";
    std::fs::write(other.file("corridor.toml"), mine).expect("a file of one's own");
    let run = other.init(&[]).code(0);
    assert!(
        run.stdout()
            .contains("keeping the existing corridor.toml as it is"),
        "{}",
        run.stdout()
    );
    assert_eq!(
        std::fs::read_to_string(other.file("corridor.toml")).expect("corridor.toml"),
        mine,
        "an existing file is never overwritten"
    );
    assert!(other.file("mine.db").exists() && other.file("mine.key").exists());
    assert!(!other.file("corridor.db").exists() && !other.file("corridor.key").exists());
}

#[test]
fn a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default() {
    // Proves the precedence of each source with --database, whose default is corridor.db.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    sandbox.init(&["--database", "sqlite://empty.db"]).code(0);
    let full = events_checked(&sandbox, &[], &["--database", "sqlite://corridor.db"]);
    let empty = events_checked(&sandbox, &[], &["--database", "sqlite://empty.db"]);
    assert!(full > empty, "{full} events against {empty}");

    std::fs::write(
        sandbox.file("corridor.toml"),
        "database = \"sqlite://empty.db\"\n",
    )
    .expect("a file naming empty.db");
    assert_eq!(
        events_checked(&sandbox, &[], &[]),
        empty,
        "the file beats the default"
    );
    let environment = [("CORRIDOR_DATABASE", "sqlite://corridor.db")];
    assert_eq!(
        events_checked(&sandbox, &environment, &[]),
        full,
        "the environment beats the file"
    );
    assert_eq!(
        events_checked(&sandbox, &environment, &["--database", "sqlite://empty.db"]),
        empty,
        "the flag beats the environment"
    );
    // A global flag after the subcommand counts as given too.
    let run = sandbox
        .corridor(&["--json", "check", "--database", "sqlite://corridor.db"])
        .code(0)
        .json();
    assert_eq!(run["events"].as_u64(), Some(full));
    std::fs::remove_file(sandbox.file("corridor.toml")).expect("the file goes");
    assert_eq!(
        events_checked(&sandbox, &[], &[]),
        full,
        "the default without a file"
    );
}

#[test]
fn a_named_file_anchors_its_paths_and_bad_files_are_refused() {
    // Proves --config and CORRIDOR_CONFIG name a file whose relative paths are its directory's, that init writes none then, and that a missing or invalid file stops every command with exit 2.
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.file("site")).expect("a directory");
    std::fs::write(
        sandbox.file("site/corridor.toml"),
        "database = \"site.db\"\nkey_file = \"site.key\"\nlog_key_file = \"site-log.key\"\nusers = \"site-users.toml\"\n",
    )
    .expect("a configuration file");
    let run = sandbox
        .init(&["--config", "site/corridor.toml", "--example-users"])
        .code(0);
    assert!(run.stdout().contains("not written"), "{}", run.stdout());
    for file in ["site.db", "site.key", "site-log.key", "site-users.toml"] {
        assert!(
            sandbox.file(&format!("site/{file}")).exists(),
            "no site/{file}"
        );
    }
    assert!(!sandbox.file("corridor.toml").exists());
    let mut command = sandbox.command_at(crate::harness::AUG_10, &["log", "key"]);
    command.env("CORRIDOR_CONFIG", "site/corridor.toml");
    let key = Run::of(&["log", "key"], command).code(0).stdout();
    assert!(key.starts_with("corridor.invalid/log/simulation+"), "{key}");

    let run = sandbox
        .corridor(&["--config", "missing.toml", "check"])
        .code(2);
    assert!(
        run.stderr()
            .contains("cannot read the configuration file `missing.toml`"),
        "{}",
        run.stderr()
    );
    // Only a simulation's clock may be fixed, and never by a file: there is no such key.
    std::fs::write(
        sandbox.file("site/corridor.toml"),
        "database = \"site.db\"\nnow = \"2025-08-10T09:00:00Z\"\n",
    )
    .expect("a file");
    let run = sandbox
        .corridor(&["--config", "site/corridor.toml", "check"])
        .code(2);
    assert!(
        run.stderr()
            .contains("configuration file `site/corridor.toml`, line 2: unknown field `now`"),
        "{}",
        run.stderr()
    );
}
