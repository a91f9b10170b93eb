//! Time and identity come from the deployment: a real database takes the system clock and acts
//! only as accounts that prove who they are; a fixed clock, bare names and a users file belong
//! to simulations, whose checkpoints say so.

use std::os::unix::fs::PermissionsExt as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{AUG_10, Run, Sandbox, US_RWA, propose_args};

/// The first admin's password in these tests.
const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// A users file an officer with access to the host writes, naming herself a supervisor.
const FORGED_USERS: &str = r#"
[[user]]
name = "ada.boss"
role = "sending_supervisor"
state = "USA"
"#;

/// `corridor init` of a real deployment (no `--simulation`, no `CORRIDOR_NOW`), with a token
/// file for the admin that may do whatever the admin may.
fn real_deployment() -> Sandbox {
    let sandbox = Sandbox::new();
    let init = Run::of(&["init"], {
        let mut command = sandbox.real_command(&["init"]);
        command.env("CORRIDOR_ADMIN_PASSWORD", ADMIN_PASSWORD);
        command
    })
    .code(0);
    assert!(
        init.stdout().contains("a real deployment"),
        "{}",
        init.stdout()
    );
    assert!(
        !sandbox.file("corridor-users.toml").exists(),
        "a real deployment has no users file"
    );
    token_file(&sandbox, "admin");
    sandbox
}

/// Issues a token for `name` into `NAME.token` (mode 0600) and returns the file's name.
fn token_file(sandbox: &Sandbox, name: &str) -> String {
    let file = format!("{name}.token");
    sandbox
        .corridor_real(&["user", "token", name, "--scope", "*", "--to-file", &file])
        .code(0);
    let mode = std::fs::metadata(sandbox.file(&file))
        .expect("the token file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "token file mode {:o}", mode & 0o777);
    file
}

/// Adds an account of the United States with `role`.
fn add_us_account(sandbox: &Sandbox, name: &str, role: &str) {
    sandbox
        .corridor_real(&["user", "add", name, "--role", role, "--state", "USA"])
        .code(0);
}

/// A real deployment with the US–Rwanda agreement, `officer.ada` (a sending officer) and
/// `supervisor.ben` (a sending supervisor), and the names of their token files.
fn real_with_us_rwa() -> (Sandbox, String, String) {
    let sandbox = real_deployment();
    sandbox
        .corridor_real(&["--token-file", "admin.token", "agreement", "load", US_RWA])
        .code(0);
    add_us_account(&sandbox, "officer.ada", "sending_officer");
    add_us_account(&sandbox, "supervisor.ben", "sending_supervisor");
    let ada = token_file(&sandbox, "officer.ada");
    let ben = token_file(&sandbox, "supervisor.ben");
    (sandbox, ada, ben)
}

/// Proposes a synthetic person with the token in `token_file`; returns the case id.
fn propose_as(sandbox: &Sandbox, token_file: &str) -> String {
    let mut args = vec!["--json", "--token-file", token_file];
    args.extend(propose_args("Synthetic Real Deployment"));
    let proposed = sandbox.corridor_real(&args).code(0).json();
    crate::harness::accepted_case(&proposed).expect("a case id")
}

#[test]
fn a_real_database_refuses_a_set_clock_for_every_command() {
    // Proves CORRIDOR_NOW is refused (exit 2, naming it) on a real database: by init before
    // anything is created, by a command that writes, by one that only reads, and `tick --at`
    // likewise; nothing is recorded.
    let refused_init = Sandbox::new();
    let run = refused_init.corridor(&["init"]).code(2);
    assert!(
        run.stderr()
            .contains("CORRIDOR_NOW is set, but the database is a real deployment"),
        "{}",
        run.stderr()
    );
    assert!(!refused_init.file("corridor.db").exists());

    let sandbox = real_deployment();
    for args in [
        vec!["--token-file", "admin.token", "agreement", "load", US_RWA],
        vec!["check"],
        vec!["log", "checkpoint"],
    ] {
        let run = sandbox.corridor(&args).code(2);
        assert!(
            run.stderr()
                .contains("a fixed clock exists only in a simulation (`corridor init --simulation`, `corridor demo`). Unset CORRIDOR_NOW"),
            "{args:?}: {}",
            run.stderr()
        );
    }
    let run = sandbox
        .corridor_real(&["--token-file", "admin.token", "tick", "--at", AUG_10])
        .code(2);
    assert!(
        run.stderr()
            .contains("--at: the database is a real deployment"),
        "{}",
        run.stderr()
    );
    let report = sandbox.corridor_real(&["--json", "check"]).code(0).json();
    assert_eq!(report["events"], 0, "{report}");
}

#[test]
fn serve_refuses_a_set_clock_on_a_real_database() {
    // Proves `corridor serve` on a real database with CORRIDOR_NOW set exits 2 with the reason
    // instead of serving at that moment.
    let sandbox = real_deployment();
    let mut child = sandbox
        .command_at(AUG_10, &["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("corridor serve starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("the server's status") {
            break status;
        }
        if Instant::now() > deadline {
            // The test started this child; it ends it.
            let _ = child.kill();
            let _ = child.wait();
            panic!("corridor serve kept running with CORRIDOR_NOW on a real database");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = child.wait_with_output().expect("the server's output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("CORRIDOR_NOW is set, but the database is a real deployment"),
        "{stderr}"
    );
}

#[test]
fn a_real_database_acts_only_as_accounts_that_prove_who_they_are() {
    // Proves, on a real database: `--as` without a token is refused (exit 2); an officer who
    // writes herself into a users file as a supervisor cannot act as that name (no proof, the
    // file refused, her token is hers) nor approve her own case; a token file others may read
    // is refused; and the supervisor's own token approves.
    let (sandbox, ada, ben) = real_with_us_rwa();
    let mut propose = vec!["--json", "--as", "officer.ada"];
    propose.extend(propose_args("Synthetic Real Deployment"));
    let run = sandbox.corridor_real(&propose).code(2);
    assert!(
        run.stderr().contains("--as officer.ada: the database is a real deployment, where a name alone proves nothing: give the account's API token with --token"),
        "{}",
        run.stderr()
    );
    let case = propose_as(&sandbox, &ada);

    std::fs::write(sandbox.file("corridor-users.toml"), FORGED_USERS).expect("the forged file");
    let approve = ["case", "approve", case.as_str()];
    let attempts: [(&[&str], i32, &str); 4] = [
        (
            &["--as", "ada.boss"],
            2,
            "--as ada.boss: the database is a real deployment",
        ),
        (
            &["--users", "corridor-users.toml", "--as", "ada.boss"],
            2,
            "--users `corridor-users.toml`: a users file is for simulations only",
        ),
        (
            &["--as", "ada.boss", "--token-file", ada.as_str()],
            4,
            "--as ada.boss: the token is `officer.ada`'s, and a token acts only as its own account",
        ),
        (
            &["--token-file", ada.as_str()],
            4,
            "refused (not_permitted): your role may not `approve` here",
        ),
    ];
    for (flags, code, message) in attempts {
        let mut args = flags.to_vec();
        args.extend(approve);
        let run = sandbox.corridor_real(&args).code(code);
        let said = format!("{}{}", run.stdout(), run.stderr());
        assert!(said.contains(message), "{flags:?}: {said}");
    }

    let readable = "readable.token";
    std::fs::copy(sandbox.file(&ben), sandbox.file(readable)).expect("a copy of the token");
    std::fs::set_permissions(
        sandbox.file(readable),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("the mode");
    let mut args = vec!["--token-file", readable];
    args.extend(approve);
    let run = sandbox.corridor_real(&args).code(2);
    assert!(
        run.stderr()
            .contains("may be read or written by others (mode 644)")
            && run.stderr().contains("chmod 600"),
        "{}",
        run.stderr()
    );

    let mut args = vec!["--json", "--token-file", ben.as_str()];
    args.extend(approve);
    let approved = sandbox.corridor_real(&args).code(0).json();
    assert_eq!(approved["outcome"], "accepted", "{approved}");
    let history = sandbox
        .corridor_real(&[
            "--json",
            "--token-file",
            ada.as_str(),
            "case",
            "history",
            &case,
        ])
        .code(0)
        .stdout();
    assert!(!history.contains("ada.boss"), "{history}");
}

#[test]
fn example_users_and_a_simulation_origin_belong_to_simulations() {
    // Proves `init --example-users` and an origin ending in `/simulation` are refused for a real
    // database, and a real database cannot be initialised again as a simulation.
    let sandbox = Sandbox::new();
    let run = sandbox.corridor_real(&["init", "--example-users"]).code(2);
    assert!(run.stderr().contains("--simulation"), "{}", run.stderr());
    let run = sandbox
        .corridor_real(&["init", "--origin", "corridor.example.org/simulation"])
        .code(1);
    assert!(
        run.stderr().contains("marks simulations"),
        "{}",
        run.stderr()
    );

    let real = real_deployment();
    let run = real.init(&[]).code(2);
    assert!(
        run.stderr()
            .contains("--simulation: the database is a real deployment, not a simulation"),
        "{}",
        run.stderr()
    );
}

#[test]
fn every_checkpoint_says_whether_its_log_is_a_simulation() {
    // Proves a simulation's checkpoints carry an origin ending in `/simulation` and `log verify`
    // reports it (text and JSON), while a real deployment's origin is the one asked for and
    // verifies without the mark.
    let simulation = Sandbox::new();
    simulation.init_with_us_rwa();
    let real = real_deployment();
    real.corridor_real(&["--token-file", "admin.token", "agreement", "load", US_RWA])
        .code(0);
    for (sandbox, origin, marked) in [
        (&simulation, "corridor.invalid/log/simulation", true),
        (&real, "corridor.invalid/log", false),
    ] {
        let note = sandbox
            .corridor_real(&["log", "checkpoint"])
            .code(0)
            .stdout();
        assert_eq!(note.lines().next(), Some(origin), "{note}");
        sandbox.corridor_real(&["log", "export", "public"]).code(0);
        let key = sandbox.corridor_real(&["log", "key"]).code(0).stdout();
        let verify = ["log", "verify", "public", "--key", key.trim()];
        let text = sandbox.corridor_real(&verify).code(0).stdout();
        assert_eq!(
            text.contains("this log is a simulation"),
            marked,
            "{origin}: {text}"
        );
        let mut json = vec!["--json"];
        json.extend(verify);
        let report = sandbox.corridor_real(&json).code(0).json();
        assert_eq!(report["simulation"], marked, "{report}");
        assert_eq!(report["origin"], origin, "{report}");
    }
}

#[test]
fn an_account_that_has_acted_cannot_be_given_a_second_role() {
    // Proves the rule that keeps one person in one role on a case: an officer who proposed a
    // case cannot be re-roled a supervisor (exit 4, naming the rule), nor can her name be
    // disabled and added again in another role; an account that never acted can be re-roled.
    let (sandbox, ada, _) = real_with_us_rwa();
    propose_as(&sandbox, &ada);
    let supervisor = ["--role", "sending_supervisor", "--state", "USA"];
    let mut re_role = vec!["user", "role", "officer.ada"];
    re_role.extend(supervisor);
    let run = sandbox.corridor_real(&re_role).code(4);
    assert!(
        run.stderr()
            .contains("`officer.ada` has acted on the record, so their role cannot change"),
        "{}",
        run.stderr()
    );
    sandbox
        .corridor_real(&["user", "disable", "officer.ada"])
        .code(0);
    let mut again = vec!["user", "add", "officer.ada"];
    again.extend(supervisor);
    let run = sandbox.corridor_real(&again).code(4);
    assert!(
        run.stderr().contains("user `officer.ada` exists already"),
        "{}",
        run.stderr()
    );
    let listed = sandbox
        .corridor_real(&["--json", "user", "list"])
        .code(0)
        .json();
    let ada = listed
        .as_array()
        .and_then(|users| users.iter().find(|user| user["user"] == "officer.ada"))
        .expect("officer.ada is listed");
    assert_eq!(ada["role"], "sending_officer", "{ada}");

    add_us_account(&sandbox, "officer.cy", "sending_officer");
    let mut fresh = vec!["user", "role", "officer.cy"];
    fresh.extend(supervisor);
    sandbox.corridor_real(&fresh).code(0);
}

#[test]
fn a_token_acts_locally_within_its_scopes() {
    // Proves a token used on the database host is held to its scopes as over HTTP: a token
    // scoped to `read_case` cannot propose, and the refusal is a denial (exit 4).
    let (sandbox, _, _) = real_with_us_rwa();
    sandbox
        .corridor_real(&[
            "user",
            "token",
            "officer.ada",
            "--scope",
            "read_case",
            "--to-file",
            "read-only.token",
        ])
        .code(0);
    let mut args = vec!["--json", "--token-file", "read-only.token"];
    args.extend(propose_args("Synthetic Scoped Token"));
    let run = sandbox.corridor_real(&args).code(4);
    assert!(!run.stdout().contains("case_proposed"), "{}", run.stdout());
}

#[test]
fn a_sigsum_origin_needs_the_logs_ed25519_key() {
    // Proves `init --sigsum-origin --log-signature ml-dsa-44` is refused before anything is created (sigsum names a log by its Ed25519 key), and with `both` the origin is derived from the Ed25519 key and the ML-DSA-44 key beside it is named after that origin.
    use base64::Engine as _;
    let sandbox = Sandbox::new();
    let real_init = |extra: &[&str]| {
        let mut args = vec!["init", "--sigsum-origin", "--log-signature"];
        args.extend_from_slice(extra);
        let mut command = sandbox.real_command(&args);
        command.env("CORRIDOR_ADMIN_PASSWORD", ADMIN_PASSWORD);
        Run::of(&args, command)
    };
    let refused = real_init(&["ml-dsa-44"]).code(2).stderr();
    assert!(
        refused.contains("--sigsum-origin names the log by its Ed25519 key"),
        "{refused}"
    );
    assert!(!sandbox.file("corridor.db").exists(), "nothing was created");
    assert!(
        !sandbox.file("corridor-log.key").exists(),
        "nothing was created"
    );

    real_init(&["both"]).code(0);
    let keys = sandbox.corridor_real(&["log", "key"]).code(0).stdout();
    let keys: Vec<&str> = keys.lines().collect();
    let [ed25519, ml_dsa] = keys.as_slice() else {
        panic!("two verifier keys: {keys:?}");
    };
    let encoded = ed25519.splitn(3, '+').nth(2).expect("a key");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("base64");
    let origin = format!(
        "sigsum.org/v1/tree/{}",
        corridor_log::hash::sha256(&bytes[1..]).to_hex()
    );
    assert!(ed25519.starts_with(&format!("{origin}+")), "{ed25519}");
    assert!(ml_dsa.starts_with(&format!("{origin}+")), "{ml_dsa}");
    let note = sandbox
        .corridor_real(&["log", "checkpoint"])
        .code(0)
        .stdout();
    assert_eq!(note.lines().next(), Some(origin.as_str()), "{note}");
}

#[test]
fn init_names_the_log_as_sigsum_witnesses_require() {
    // Proves `init --sigsum-origin` names the log `sigsum.org/v1/tree/<hex SHA-256 of its
    // public key>` (the origin sigsum's witnesses follow), that its checkpoints carry that
    // origin and verify, and that it is refused for a simulation and beside an existing key.
    use base64::Engine as _;
    let sandbox = Sandbox::new();
    let init = Run::of(&["init", "--sigsum-origin"], {
        let mut command = sandbox.real_command(&["init", "--sigsum-origin"]);
        command.env("CORRIDOR_ADMIN_PASSWORD", ADMIN_PASSWORD);
        command
    })
    .code(0)
    .stdout();
    let key = sandbox.corridor_real(&["log", "key"]).code(0).stdout();
    // The base64 key may itself hold a `+`: only the first two separate fields.
    let parts: Vec<&str> = key.trim().splitn(3, '+').collect();
    let [name, _, encoded] = parts.as_slice() else {
        panic!("a verifier key `{key}`");
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("base64");
    let public = bytes.get(1..).expect("a type byte and a key");
    let origin = format!(
        "sigsum.org/v1/tree/{}",
        corridor_log::hash::sha256(public).to_hex()
    );
    assert_eq!(*name, origin, "{key}");
    assert!(init.contains(&format!("log origin `{origin}`")), "{init}");
    let note = sandbox
        .corridor_real(&["log", "checkpoint"])
        .code(0)
        .stdout();
    assert_eq!(note.lines().next(), Some(origin.as_str()), "{note}");
    sandbox.corridor_real(&["log", "export", "public"]).code(0);
    sandbox
        .corridor_real(&["log", "verify", "public", "--key", key.trim()])
        .code(0);
    // Not for a simulation (its origin must say it is one), not beside an existing key.
    let other = Sandbox::new();
    other
        .corridor(&["init", "--simulation", "--sigsum-origin"])
        .code(2);
    let again = sandbox
        .corridor_real(&[
            "--database",
            "sqlite://second.db",
            "init",
            "--sigsum-origin",
        ])
        .code(2)
        .stderr();
    assert!(again.contains("--sigsum-origin"), "{again}");
    assert!(
        !sandbox.file("second.db").exists(),
        "a refused init creates nothing"
    );
}
