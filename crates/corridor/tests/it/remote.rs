//! `--server URL`: the same commands carried out by a running `corridor serve`, with the same
//! output and exit statuses as on the local database.
//!
//! One sandbox serves its own database; each flow is run twice, once locally (`--as`) and once
//! over HTTP (`--server` and a token of the same account), on two cases, and the answers are
//! compared once the case ids and sequence numbers (which differ by construction) are
//! normalised.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};

use serde_json::Value;

use crate::harness::{Run, Sandbox, propose_args};

/// A running `corridor serve`, stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        // The test started this child; it ends it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `corridor serve` on a free port over the sandbox's database and returns once it
/// listens.
fn serve(sandbox: &Sandbox) -> Server {
    let mut child = sandbox
        .command_at(
            crate::harness::AUG_10,
            &["serve", "--listen", "127.0.0.1:0"],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("corridor serve starts");
    let stdout = child.stdout.take().expect("the server's stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the server says where it listens");
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    Server { child, url }
}

/// Makes `name` an account with `role` and `party` flags, and returns a token of it that may
/// do whatever the account may.
fn account_token(sandbox: &Sandbox, name: &str, role_and_party: &[&str]) -> String {
    let mut args = vec!["user", "add", name];
    args.extend_from_slice(role_and_party);
    sandbox.corridor(&args).code(0);
    let issued = sandbox
        .corridor(&["--json", "user", "token", name, "--scope", "*"])
        .code(0)
        .json();
    issued["token"].as_str().expect("a token").to_owned()
}

/// One side of the comparison: how to run a command as a user, locally or on the server.
struct Side<'a> {
    sandbox: &'a Sandbox,
    /// The flags that name the side and the user: `--as USER`, or `--server URL --token T`.
    flags: Vec<String>,
}

impl Side<'_> {
    fn run(&self, args: &[&str]) -> Run {
        let mut full: Vec<&str> = self.flags.iter().map(String::as_str).collect();
        full.extend_from_slice(args);
        self.sandbox.corridor(&full)
    }

    fn json(&self, code: i32, args: &[&str]) -> Value {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        self.run(&full).code(code).json()
    }
}

/// A sandbox with the US–Rwanda agreement and `officer.ada`, a sending officer of the United
/// States, with a token; and `corridor serve` over its database.
fn officer_and_server() -> (Sandbox, String, Server) {
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let token = account_token(
        &sandbox,
        "officer.ada",
        &["--role", "sending_officer", "--state", "USA"],
    );
    let server = serve(&sandbox);
    (sandbox, token, server)
}

/// The two ways to act as `user`: locally (`--as`) and on `server` with its `token`.
fn sides<'a>(sandbox: &'a Sandbox, user: &str, server: &Server, token: &str) -> [Side<'a>; 2] {
    [
        Side {
            sandbox,
            flags: vec!["--as".to_owned(), user.to_owned()],
        },
        Side {
            sandbox,
            flags: vec![
                "--server".to_owned(),
                server.url.clone(),
                "--token".to_owned(),
                token.to_owned(),
            ],
        },
    ]
}

/// `text` with `case` replaced by `CASE`, every run of digits after `#` or in a `"seq"` /
/// `"recorded_seq"` member replaced by `N`, and runs of spaces by one: what differs between two
/// runs of one flow.
fn normalised(text: &str, case: &str) -> String {
    let text = text.replace(case, "CASE");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    let markers = ["#", "\"seq\":", "\"recorded_seq\":"];
    while let Some((at, marker)) = markers
        .iter()
        .filter_map(|marker| rest.find(marker).map(|at| (at, *marker)))
        .min()
    {
        let (before, after) = rest.split_at(at + marker.len());
        out.push_str(before);
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            out.push('N');
        }
        rest = after.get(digits..).unwrap_or_default();
    }
    out.push_str(rest);
    // Numbers of different widths pad differently (`#9     ` and `#10    `).
    let mut collapsed = String::with_capacity(out.len());
    for c in out.chars() {
        if !(c == ' ' && collapsed.ends_with(' ')) {
            collapsed.push(c);
        }
    }
    collapsed
}

/// The case id of a proposal's JSON.
fn proposed_case(json: &Value) -> String {
    crate::harness::accepted_case(json).unwrap_or_else(|| panic!("no case in {json}"))
}

#[test]
fn the_same_flow_gives_the_same_output_and_exit_statuses_on_the_server() {
    // Proves propose → a refused request → notice → request → show → history, a denied
    // approval and a stale version print the same text and JSON and exit the same over
    // `--server` as on the local database.
    let (sandbox, token, server) = officer_and_server();
    let [local, remote] = sides(&sandbox, "officer.ada", &server, &token);

    let proposals: Vec<(Value, String)> = [&local, &remote]
        .iter()
        .map(|side| {
            let json = side.json(0, &propose_args("Synthetic Remote"));
            let case = proposed_case(&json);
            (json, case)
        })
        .collect();
    let [(local_proposal, local_case), (remote_proposal, remote_case)] = proposals.as_slice()
    else {
        panic!("two proposals");
    };
    assert_eq!(
        normalised(&local_proposal.to_string(), local_case),
        normalised(&remote_proposal.to_string(), remote_case),
    );

    let notice = [
        "--language",
        "es",
        "--destination",
        "RWA",
        "--on-person",
        "--on-counsel",
        "--explains-contest",
    ];
    // Each step: its arguments after the case id, and its exit status on both sides.
    let steps: Vec<(Vec<&str>, Vec<&str>, i32)> = vec![
        (vec!["case", "request"], vec![], 3),
        (vec!["case", "notice"], notice.to_vec(), 0),
        (vec!["case", "show"], vec![], 0),
        (vec!["case", "request"], vec![], 0),
        (vec!["case", "approve"], vec![], 4),
        (
            vec!["case", "withdraw"],
            vec!["--reason", "x", "--expect-version", "1"],
            5,
        ),
        (vec!["case", "show"], vec![], 0),
        (vec!["case", "history"], vec![], 0),
    ];
    for (command, extra, code) in &steps {
        for json in [true, false] {
            let outputs: Vec<String> = [(&local, local_case), (&remote, remote_case)]
                .iter()
                .map(|(side, case)| {
                    let mut args = Vec::new();
                    if json {
                        args.push("--json");
                    }
                    args.extend(command.iter().copied());
                    args.push(case.as_str());
                    args.extend(extra.iter().copied());
                    // Show the text form only once the JSON form ran: text commands would act twice.
                    if !json && !matches!(command.get(1), Some(&"show" | &"history")) {
                        return String::new();
                    }
                    let run = side.run(&args).code(*code);
                    normalised(&format!("{}{}", run.stdout(), run.stderr()), case)
                })
                .collect();
            assert_eq!(
                outputs.first(),
                outputs.get(1),
                "`{}` (json: {json}) differs between local and --server",
                command.join(" ")
            );
        }
    }
    let shown = remote.json(0, &["case", "show", remote_case]);
    assert_eq!(shown["status"], "requested", "{shown}");
}

#[test]
fn a_proposal_run_again_with_its_idempotency_key_makes_no_second_case() {
    // Proves `case propose --idempotency-key` run twice names one case, locally and over
    // `--server` (the second run says it was proposed already), that another key makes another
    // case, and that a proposal whose answer is lost names the key to run it again with.
    let (sandbox, token, server) = officer_and_server();
    let mut cases = Vec::new();
    for (index, side) in sides(&sandbox, "officer.ada", &server, &token)
        .iter()
        .enumerate()
    {
        let key = format!("retry-key-{index}");
        let mut args = propose_args("Synthetic Retried");
        args.extend_from_slice(&["--idempotency-key", &key]);
        let first = side.json(0, &args);
        let case = proposed_case(&first);
        let again = side.json(0, &args);
        assert_eq!(again["replayed"], true, "{again}");
        assert_eq!(again["case"], case.as_str(), "{again}");
        assert_eq!(again["events"], serde_json::json!([]), "{again}");
        assert_eq!(again["version"], 1, "{again}");
        let text = side.run(&args).code(0).stdout();
        assert!(
            text.contains("already proposed with this idempotency key") && text.contains(&case),
            "{text}"
        );
        let mut other = propose_args("Synthetic Retried");
        let another = format!("another-key-{index}");
        other.extend_from_slice(&["--idempotency-key", &another]);
        assert_ne!(proposed_case(&side.json(0, &other)), case);
        cases.push(case);
    }
    assert_ne!(cases[0], cases[1], "keys are per side's own run");

    // A key that is not one is refused before anything is sent, alike on both sides.
    for side in sides(&sandbox, "officer.ada", &server, &token) {
        let mut args = propose_args("Synthetic Spaced");
        args.extend_from_slice(&["--idempotency-key", "two words"]);
        let refused = side.run(&args).code(2);
        assert!(
            refused
                .stderr()
                .contains("--idempotency-key: ` ` is not allowed"),
            "{}",
            refused.stderr()
        );
    }

    // No server listens on port 9: the answer is lost, and the error says how to finish.
    let mut args = vec!["--server", "http://127.0.0.1:9", "--token", &token];
    args.extend(propose_args("Synthetic Lost"));
    args.extend_from_slice(&["--idempotency-key", "lost-0001"]);
    let lost = sandbox.corridor(&args).code(1);
    assert!(
        lost.stderr()
            .contains("run the same command again with --idempotency-key lost-0001"),
        "{}",
        lost.stderr()
    );
}

#[test]
fn a_hold_registered_again_with_its_idempotency_key_is_registered_once() {
    // Proves `hold register --idempotency-key` run twice names one hold, locally and over
    // `--server`, and the second run says it was registered already.
    let (sandbox, _, server) = officer_and_server();
    let token = account_token(
        &sandbox,
        "clerk.eve",
        &["--role", "court_clerk", "--court", "us-court"],
    );
    for (index, side) in sides(&sandbox, "clerk.eve", &server, &token)
        .iter()
        .enumerate()
    {
        let key = format!("order-key-{index}");
        let args = [
            "hold",
            "register",
            "--court",
            "us-court",
            "--reference",
            "Order 12 (synthetic)",
            "--nationality",
            "ATA",
            "--idempotency-key",
            &key,
        ];
        let first = side.json(0, &args);
        let hold = first["events"][0]["hold"]
            .as_str()
            .unwrap_or_else(|| panic!("no hold in {first}"))
            .to_owned();
        let again = side.json(0, &args);
        assert_eq!(again["replayed"], true, "{again}");
        assert_eq!(again["hold"], hold.as_str(), "{again}");
        let text = side.run(&args).code(0).stdout();
        assert!(
            text.contains("already registered with this idempotency key") && text.contains(&hold),
            "{text}"
        );
    }
    let listed = sandbox
        .corridor(&["--json", "--as", "clerk.eve", "hold", "list"])
        .code(0)
        .json();
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
}

#[test]
fn without_expect_version_the_server_is_asked_for_the_current_one() {
    // Proves a command over `--server` without `--expect-version` is decided against the
    // version the case is at, and with a stale `--expect-version` exits 5 writing nothing.
    let (sandbox, token, server) = officer_and_server();
    let remote = |args: &[&str]| {
        let mut full = vec!["--json", "--server", &server.url, "--token", &token];
        full.extend_from_slice(args);
        sandbox.corridor(&full)
    };
    let case = proposed_case(&remote(&propose_args("Synthetic Versioned")).code(0).json());
    let events = sandbox.event_count();
    let conflict = remote(&[
        "case",
        "notice",
        &case,
        "--language",
        "es",
        "--destination",
        "RWA",
        "--on-person",
        "--on-counsel",
        "--explains-contest",
        "--expect-version",
        "0",
    ])
    .code(5)
    .json();
    assert_eq!(conflict["outcome"], "conflict", "{conflict}");
    assert_eq!(conflict["expected_version"], 0, "{conflict}");
    assert_eq!(conflict["current_version"], 1, "{conflict}");
    assert_eq!(sandbox.event_count(), events, "the conflict wrote nothing");
    let accepted = remote(&[
        "case",
        "notice",
        &case,
        "--language",
        "es",
        "--destination",
        "RWA",
        "--on-person",
        "--on-counsel",
        "--explains-contest",
    ])
    .code(0)
    .json();
    assert_eq!(accepted["events"][0]["type"], "notice_served", "{accepted}");
    assert_eq!(sandbox.event_count(), events + 1);
}

#[test]
fn the_server_refuses_what_the_token_may_not_do_and_commands_with_no_route() {
    // Proves a bad token exits 4 saying to check it, an unreachable server exits 1, and
    // commands that work on a database refuse `--server` with exit 2.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let server = serve(&sandbox);
    let run = sandbox
        .corridor(&[
            "--server",
            &server.url,
            "--token",
            "not-a-token",
            "case",
            "list",
        ])
        .code(4);
    assert!(run.stderr().contains("--token"), "{}", run.stderr());
    let listed = sandbox
        .corridor(&["--json", "--server", &server.url, "agreement", "list"])
        .code(0)
        .json();
    assert_eq!(listed[0]["id"], "us-rwa-2025", "{listed}");
    for args in [
        vec!["check"],
        vec!["log", "export", "public"],
        vec!["user", "list"],
        vec!["db", "migrate"],
    ] {
        let mut full = vec!["--server", server.url.as_str()];
        full.extend(args.iter().copied());
        let run = sandbox.corridor(&full).code(2);
        assert!(
            run.stderr().contains("without --server"),
            "{args:?}: {}",
            run.stderr()
        );
    }
    drop(server);
    let run = sandbox
        .corridor(&["--server", "http://127.0.0.1:9", "agreement", "list"])
        .code(1);
    assert!(run.stderr().contains("cannot reach"), "{}", run.stderr());
}

/// A token of the existing account `name` that may do whatever the account may.
fn token_of(sandbox: &Sandbox, name: &str) -> String {
    let issued = sandbox
        .corridor(&["--json", "user", "token", name, "--scope", "*"])
        .code(0)
        .json();
    issued["token"].as_str().expect("a token").to_owned()
}

/// One database with the US–Rwanda agreement, `officer.ada` (a sending officer of the United
/// States) and `clerk.eve` (a clerk of `us-court`), and tokens of them and of `admin`, in this
/// order: built alike, two of them are the same database.
fn prepared() -> (Sandbox, [String; 3]) {
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let officer = account_token(
        &sandbox,
        "officer.ada",
        &["--role", "sending_officer", "--state", "USA"],
    );
    let clerk = account_token(
        &sandbox,
        "clerk.eve",
        &["--role", "court_clerk", "--court", "us-court"],
    );
    let admin = token_of(&sandbox, "admin");
    (sandbox, [officer, clerk, admin])
}

#[test]
fn local_and_remote_print_the_same_for_the_same_commands_on_the_same_database() {
    // Proves that one sequence of commands (propose, a refused request, notice, show, list,
    // history, a hold registered and listed, tick), each in text and in `--json`, prints the same
    // standard output and exits the same whether carried out locally on one database or over
    // `--server` on an identical one: both sides print from the same typed answers.
    let (local_db, _) = prepared();
    let (remote_db, [officer, clerk, admin]) = prepared();
    let server = serve(&remote_db);
    let side = |local: bool, user: &str, token: &str| {
        if local {
            Side {
                sandbox: &local_db,
                flags: vec!["--as".to_owned(), user.to_owned()],
            }
        } else {
            Side {
                sandbox: &remote_db,
                flags: vec![
                    "--server".to_owned(),
                    server.url.clone(),
                    "--token".to_owned(),
                    token.to_owned(),
                ],
            }
        }
    };
    let users = [
        ("officer.ada", officer),
        ("clerk.eve", clerk),
        ("admin", admin),
    ];
    let token = |user: &str| {
        users
            .iter()
            .find(|(name, _)| *name == user)
            .map(|(_, token)| token.clone())
            .unwrap_or_else(|| panic!("no token of {user}"))
    };

    // The ids each side made, replaced by placeholders before comparing.
    let mut ids: [Vec<(String, &str)>; 2] = [Vec::new(), Vec::new()];
    let mut compared = 0;
    let notice = [
        "--language",
        "es",
        "--destination",
        "RWA",
        "--on-person",
        "--on-counsel",
        "--explains-contest",
    ];
    // Each step: who acts, the arguments (`CASE` stands for the case), whether it writes (then
    // it runs once per side, in the form its arguments say; a read runs in `--json` and in
    // text), and its exit status on both sides.
    let mut proposal = propose_args("Synthetic Same");
    proposal.insert(0, "--json");
    let register = [
        "--json",
        "hold",
        "register",
        "--court",
        "us-court",
        "--reference",
        "Order 7 (synthetic)",
        "--nationality",
        "ATA",
    ];
    let steps: Vec<(&str, Vec<&str>, bool, i32)> = vec![
        ("officer.ada", proposal.clone(), true, 0),
        ("officer.ada", vec!["case", "request", "CASE"], true, 3),
        (
            "officer.ada",
            [&["case", "notice", "CASE"][..], &notice].concat(),
            true,
            0,
        ),
        ("officer.ada", vec!["case", "show", "CASE"], false, 0),
        ("officer.ada", vec!["case", "list"], false, 0),
        ("officer.ada", vec!["case", "history", "CASE"], false, 0),
        ("officer.ada", vec!["case", "approve", "CASE"], true, 4),
        ("clerk.eve", register.to_vec(), true, 0),
        ("clerk.eve", vec!["hold", "list"], false, 0),
        ("admin", vec!["tick"], true, 0),
        ("officer.ada", vec!["case", "show", "CASE"], false, 0),
        ("officer.ada", vec!["case", "history", "CASE"], false, 0),
    ];
    for (user, args, writes, code) in &steps {
        let forms: Vec<bool> = if *writes {
            vec![false]
        } else {
            vec![true, false]
        };
        for json in forms {
            let outputs: Vec<String> = [true, false]
                .iter()
                .zip(ids.iter_mut())
                .map(|(local, ids)| {
                    let side = side(*local, user, &token(user));
                    let case = ids
                        .iter()
                        .find(|(_, name)| *name == "CASE")
                        .map(|(id, _)| id.clone());
                    let mut full: Vec<&str> = Vec::new();
                    if json {
                        full.push("--json");
                    }
                    full.extend(args.iter().map(|arg| match (*arg, &case) {
                        ("CASE", Some(id)) => id.as_str(),
                        _ => *arg,
                    }));
                    let run = side.run(&full).code(*code);
                    let stdout = run.stdout();
                    if args.first() == Some(&"--json") && *code == 0 {
                        let answer: Value = serde_json::from_str(&stdout)
                            .unwrap_or_else(|_| panic!("JSON from {full:?}: {stdout}"));
                        if let Some(case) = crate::harness::accepted_case(&answer) {
                            ids.push((case, "CASE"));
                        }
                        if let Some(hold) = answer["events"][0]["hold"].as_str() {
                            ids.push((hold.to_owned(), "HOLD"));
                        }
                    }
                    let text = ids
                        .iter()
                        .fold(stdout, |text, (id, name)| text.replace(id.as_str(), name));
                    normalised(&text, "CASE")
                })
                .collect();
            compared += 1;
            assert_eq!(
                outputs.first(),
                outputs.get(1),
                "`{}` as {user} (json: {json}) prints differently locally and over --server",
                args.join(" ")
            );
        }
    }
    assert_eq!(compared, 18, "every step ran on both sides");
    assert!(
        ids.iter()
            .all(|ids| ids.iter().map(|(_, name)| *name).eq(["CASE", "HOLD"])),
        "both sides made one case and one hold: {ids:?}"
    );
}
