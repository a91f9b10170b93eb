//! Accounts on the command line: the first admin of `corridor init`, `corridor user …`, clear
//! messages and exit statuses for bad input, and `--as` resolving accounts before the users file.

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Output, Stdio};

use corridor_accounts::{Accounts, LoginError};
use corridor_domain::{Party, Role};
use jiff::Timestamp;
use serde_json::Value;

use crate::harness::{AUG_10, Sandbox, propose_args};

const PASSWORD: &str = "correct horse battery staple";

/// The accounts of the sandbox's database, opened in the test process.
async fn accounts(sandbox: &Sandbox) -> Accounts {
    Accounts::open(&sandbox.database_url())
        .await
        .expect("the accounts open")
}

fn aug_10() -> Timestamp {
    AUG_10.parse().expect("a moment")
}

/// Whether `password` logs `user` in.
async fn logs_in(sandbox: &Sandbox, user: &str, password: &str) -> bool {
    let client = IpAddr::V4(Ipv4Addr::LOCALHOST);
    match accounts(sandbox)
        .await
        .login(user, password, client, aug_10())
        .await
    {
        Ok(_) => true,
        Err(LoginError::InvalidCredentials) => false,
        Err(other) => panic!("login failed: {other}"),
    }
}

/// Runs `corridor ARGS` with `stdin` on standard input.
fn with_stdin(sandbox: &Sandbox, args: &[&str], stdin: &str) -> Output {
    let mut child = sandbox
        .command_at(AUG_10, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the corridor binary starts");
    child
        .stdin
        .take()
        .expect("a stdin")
        .write_all(stdin.as_bytes())
        .expect("the password is written");
    child.wait_with_output().expect("the corridor binary runs")
}

/// The text after `prefix` on the line of `text` that starts with it.
fn after<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting `{prefix}` in:\n{text}"))
}

#[tokio::test]
async fn init_creates_the_first_admin_and_says_how_to_log_in() {
    // Proves init makes an admin account with a generated password printed once, prints the
    // serve command and the login request, keeps the account on a second init, and takes the
    // password from CORRIDOR_ADMIN_PASSWORD when set.
    let sandbox = Sandbox::new();
    let out = sandbox.init(&[]).code(0).stdout();
    let password = after(&out, "admin account: created `admin` with password ");
    assert_eq!(password.len(), 32, "128 bits in hex: {password}");
    assert!(out.contains("`corridor serve`"), "{out}");
    assert!(
        out.contains(
            "curl -i -X POST http://127.0.0.1:8080/api/session -H 'Content-Type: application/json'"
        ),
        "{out}"
    );
    assert!(out.contains(r#""user": "admin""#), "{out}");
    assert!(logs_in(&sandbox, "admin", password).await);
    let listed = sandbox.corridor(&["--json", "user", "list"]).code(0).json();
    assert_eq!(listed[0]["user"], "admin");
    assert_eq!(listed[0]["role"], "admin");

    let again = sandbox.init(&[]).code(0).stdout();
    assert!(
        again.contains("admin account: keeping the existing `admin`"),
        "{again}"
    );
    assert!(!again.contains("password"), "{again}");
    assert!(
        logs_in(&sandbox, "admin", password).await,
        "the password is unchanged"
    );

    let scripted = Sandbox::new();
    let out = scripted
        .command_at(AUG_10, &["init", "--simulation", "--admin", "root.op"])
        .env("CORRIDOR_ADMIN_PASSWORD", PASSWORD)
        .output()
        .expect("the corridor binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(
            "admin account: created `root.op` with the password in CORRIDOR_ADMIN_PASSWORD"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains(PASSWORD), "{stdout}");
    assert!(logs_in(&scripted, "root.op", PASSWORD).await);

    let short = Sandbox::new();
    let out = short
        .command_at(AUG_10, &["init", "--simulation"])
        .env("CORRIDOR_ADMIN_PASSWORD", "short")
        .output()
        .expect("the corridor binary runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("CORRIDOR_ADMIN_PASSWORD: a password must have at least 12 characters"),
        "{stderr}"
    );
}

#[tokio::test]
async fn users_are_added_re_roled_given_tokens_and_disabled() {
    // Proves `corridor user` end to end against the database: add (generated or stdin
    // password), role, password, token (printed once, working, scoped), revoke-token, disable.
    let sandbox = Sandbox::new();
    sandbox.init(&[]).code(0);
    let out = sandbox
        .corridor(&[
            "user",
            "add",
            "clerk.eve",
            "--role",
            "court_clerk",
            "--court",
            "us-court",
        ])
        .code(0)
        .stdout();
    assert!(
        out.contains("added `clerk.eve`: court_clerk for court `us-court`"),
        "{out}"
    );
    let generated = after(&out, "password (shown once; store it now): ").to_owned();
    assert!(logs_in(&sandbox, "clerk.eve", &generated).await);

    let piped = with_stdin(
        &sandbox,
        &[
            "--json",
            "user",
            "add",
            "officer.ada",
            "--role",
            "sending_officer",
            "--state",
            "usa",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(
        piped.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
    let added: Value = serde_json::from_slice(&piped.stdout).expect("JSON");
    assert_eq!(added["user"], "officer.ada");
    assert_eq!(added["state"], "USA");
    assert!(
        added.get("password").is_none(),
        "a password given is never printed: {added}"
    );
    assert!(logs_in(&sandbox, "officer.ada", PASSWORD).await);

    let changed = sandbox
        .corridor(&[
            "--json",
            "user",
            "role",
            "clerk.eve",
            "--role",
            "adjudicator",
            "--state",
            "USA",
        ])
        .code(0)
        .json();
    assert_eq!(changed["role"], "adjudicator");
    assert_eq!(changed["state"], "USA");
    let reset = with_stdin(
        &sandbox,
        &["user", "password", "clerk.eve", "--password-stdin"],
        PASSWORD,
    );
    assert_eq!(
        reset.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    assert!(!logs_in(&sandbox, "clerk.eve", &generated).await);
    assert!(logs_in(&sandbox, "clerk.eve", PASSWORD).await);

    let out = sandbox
        .corridor(&[
            "user",
            "token",
            "officer.ada",
            "--scope",
            "read_case",
            "--scope",
            "propose",
            "--expires-in-days",
            "7",
        ])
        .code(0)
        .stdout();
    let heading = after(&out, "token token-");
    let id = format!("token-{}", heading.split(' ').next().expect("an id"));
    assert!(
        heading.contains(
            "for `officer.ada` (scopes: read_case propose), expires 2025-08-17T09:00:00Z"
        ),
        "{out}"
    );
    let text = after(&out, "token (shown once; store it now): ").to_owned();
    let (actor, scopes) = accounts(&sandbox)
        .await
        .token(&text, aug_10())
        .await
        .expect("the lookup")
        .expect("a live token");
    assert_eq!(actor.role, Role::SendingOfficer);
    assert_eq!(
        scopes
            .iter()
            .map(|scope| scope.as_str())
            .collect::<Vec<_>>(),
        ["propose", "read_case"]
    );
    let listed = sandbox.corridor(&["user", "list"]).code(0).stdout();
    assert!(!listed.contains(&text), "{listed}");

    let revoked = sandbox
        .corridor(&["user", "revoke-token", &id])
        .code(0)
        .stdout();
    assert_eq!(revoked.trim(), format!("revoked {id}"));
    assert!(
        accounts(&sandbox)
            .await
            .token(&text, aug_10())
            .await
            .expect("the lookup")
            .is_none()
    );
    let again = sandbox.corridor(&["user", "revoke-token", &id]).code(4);
    assert!(
        again.stderr().contains("no live token"),
        "{}",
        again.stderr()
    );

    let disabled = sandbox
        .corridor(&["--json", "user", "disable", "officer.ada"])
        .code(0)
        .json();
    assert_eq!(disabled["disabled"], true);
    assert!(!logs_in(&sandbox, "officer.ada", PASSWORD).await);
    let users = sandbox.corridor(&["user", "list"]).code(0).stdout();
    assert!(
        users
            .lines()
            .any(|line| line.starts_with("officer.ada") && line.ends_with("disabled")),
        "{users}"
    );
    let refused = sandbox
        .corridor(&["user", "token", "officer.ada", "--scope", "*"])
        .code(4);
    assert!(
        refused
            .stderr()
            .contains("user `officer.ada` is disabled and gets no new token"),
        "{}",
        refused.stderr()
    );
}

#[test]
fn bad_input_exits_2_and_says_what_is_wrong() {
    // Proves every bad value names its flag and says what would do: the roles for a bad role,
    // the party a role needs, the scopes, the token lifetime; unknown and duplicate users are
    // refusals (exit 4).
    let sandbox = Sandbox::new();
    sandbox.init(&[]).code(0);
    let cases: [(&[&str], &str); 12] = [
        (
            &["user", "add", "x.y", "--role", "king"],
            "--role: `king` is not a role (one of: sending_officer, sending_supervisor, adjudicator, receiving_officer, court_clerk, counsel, monitor, admin, auditor)",
        ),
        (
            &["user", "add", "x.y", "--role", "public"],
            "--role: `public` is not a role",
        ),
        (
            &["user", "add", "x.y", "--role", "sending_officer"],
            "--state: `sending_officer` acts for a state",
        ),
        (
            &[
                "user",
                "add",
                "x.y",
                "--role",
                "court_clerk",
                "--state",
                "USA",
            ],
            "--state: `court_clerk` acts for a court, not for a state",
        ),
        (
            &["user", "add", "x.y", "--role", "monitor"],
            "--monitoring-body: `monitor` acts for a monitoring body",
        ),
        (
            &[
                "user",
                "add",
                "x.y",
                "--role",
                "admin",
                "--monitoring-body",
                "m",
            ],
            "--monitoring-body: `admin` acts for no party, not for a monitoring body",
        ),
        (
            &[
                "user",
                "add",
                "x.y",
                "--role",
                "adjudicator",
                "--state",
                "USA",
                "--court",
                "c",
            ],
            "--court: give only one party",
        ),
        (
            &[
                "user",
                "add",
                "x.y",
                "--role",
                "receiving_officer",
                "--state",
                "XX",
            ],
            "--state:",
        ),
        (
            &["user", "add", "Bad Name", "--role", "admin"],
            "NAME `Bad Name`:",
        ),
        (
            &["user", "token", "admin", "--scope", "read_cases"],
            "--scope: `read_cases` is not an action (`*` or one of: list_agreements,",
        ),
        (
            &[
                "user",
                "token",
                "admin",
                "--scope",
                "*",
                "--expires-in-days",
                "0",
            ],
            "--expires-in-days: give 1 to 366 days",
        ),
        (
            &["user", "revoke-token", "token-12"],
            "ID `token-12` is not a token id",
        ),
    ];
    for (args, says) in cases {
        let run = sandbox.corridor(args).code(2);
        assert!(run.stderr().contains(says), "{args:?}: {}", run.stderr());
    }
    let short = with_stdin(
        &sandbox,
        &["user", "add", "x.y", "--role", "admin", "--password-stdin"],
        "short\n",
    );
    assert_eq!(short.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&short.stderr)
            .contains("--password-stdin: a password must have at least 12 characters")
    );
    let empty = with_stdin(
        &sandbox,
        &["user", "add", "x.y", "--role", "admin", "--password-stdin"],
        "",
    );
    assert_eq!(empty.status.code(), Some(2));

    let run = sandbox
        .corridor(&["user", "add", "admin", "--role", "admin"])
        .code(4);
    assert!(
        run.stderr().contains("user `admin` exists already"),
        "{}",
        run.stderr()
    );
    let run = sandbox
        .corridor(&["user", "disable", "nobody.here"])
        .code(4);
    assert!(
        run.stderr().contains("no user `nobody.here`"),
        "{}",
        run.stderr()
    );
    let run = sandbox
        .corridor(&["user", "role", "nobody.here", "--role", "admin"])
        .code(4);
    assert!(
        run.stderr().contains("no user `nobody.here`"),
        "{}",
        run.stderr()
    );
    let listed = sandbox.corridor(&["--json", "user", "list"]).code(0).json();
    assert_eq!(
        listed.as_array().expect("a list").len(),
        1,
        "nothing was added: {listed}"
    );
}

#[tokio::test]
async fn as_names_an_account_before_the_users_file() {
    // Proves `--as` resolution: an account wins over the users file entry of the same name (its
    // role decides), a disabled account is refused without falling back to the file, and names
    // that are no account still come from the file.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let accounts = accounts(&sandbox).await;
    let rwanda = Party::State(corridor_domain::terms::Country::parse("RWA").expect("RWA"));
    accounts
        .add_user(
            &corridor_domain::UserId::parse("officer.ada").expect("a user id"),
            Role::ReceivingOfficer,
            &rwanda,
            PASSWORD,
            aug_10(),
        )
        .await
        .expect("the account is added");
    let mut args = vec!["--json", "--as", "officer.ada"];
    args.extend(propose_args("Synthetic Person One"));
    let refused = sandbox.corridor(&args).code(4).json();
    assert_eq!(refused["code"], "not_permitted", "{refused}");

    // supervisor.ben is only in the file, and still acts from it.
    sandbox
        .corridor(&["--json", "--as", "supervisor.ben", "case", "list"])
        .code(0);
    sandbox
        .corridor(&["user", "disable", "officer.ada"])
        .code(0);
    let run = sandbox.corridor(&args).code(4);
    assert!(
        run.stderr()
            .contains("the account `officer.ada` is disabled"),
        "{}",
        run.stderr()
    );
}
