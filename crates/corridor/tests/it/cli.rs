//! The command line: init, agreement files, the case lifecycle, safeguards and exit statuses,
//! optimistic concurrency, flag validation, what each role may see, and erasure.

use std::os::unix::fs::PermissionsExt as _;

use serde_json::Value;

use crate::harness::{AUG_10, HAPPY_PATH, Sandbox, US_RWA, propose_args};

/// The codes of the `safeguard_triggered` events in a case's history.
fn recorded_safeguards(sandbox: &Sandbox, case: &str) -> Vec<String> {
    let history = sandbox.json_as("officer.ada", 0, &["case", "history", case]);
    history
        .as_array()
        .expect("a list of events")
        .iter()
        .filter(|event| event["type"] == "safeguard_triggered")
        .map(|event| event["code"].as_str().expect("a code").to_owned())
        .collect()
}

/// Asserts a refusal's JSON: its code, whether it is a safeguard, and whether it was recorded.
#[track_caller]
fn assert_refused(json: &Value, code: &str, safeguard: bool, recorded: bool) {
    assert_eq!(json["outcome"], "refused", "{json}");
    assert_eq!(json["code"], code, "{json}");
    assert_eq!(json["safeguard"], safeguard, "{json}");
    assert_eq!(json["recorded_seq"].is_u64(), recorded, "{json}");
}

#[test]
fn init_creates_a_private_key_and_a_second_init_keeps_every_file() {
    // Proves init writes the master key owner-only (0600) and a second init succeeds without replacing anything.
    let sandbox = Sandbox::new();
    let first = sandbox.init(&["--example-users"]).code(0);
    assert!(
        first.stdout().contains("created corridor.key"),
        "{}",
        first.stdout()
    );
    let mode = std::fs::metadata(sandbox.file("corridor.key"))
        .expect("the key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "key file mode {:o}", mode & 0o777);
    let key = std::fs::read_to_string(sandbox.file("corridor.key")).expect("the key file");
    assert_eq!(key.trim().len(), 64, "64 hex digits: {key}");
    let users =
        std::fs::read_to_string(sandbox.file("corridor-users.toml")).expect("the users file");
    assert!(
        users.contains("officer.ada") && users.contains("receiver.dee"),
        "{users}"
    );
    sandbox.load_us_rwa();

    let second = sandbox.init(&[]).code(0);
    assert!(
        second
            .stdout()
            .contains("keeping the existing corridor.key"),
        "{}",
        second.stdout()
    );
    assert!(
        second
            .stdout()
            .contains("keeping the existing corridor-users.toml"),
        "{}",
        second.stdout()
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.file("corridor.key")).expect("the key file"),
        key
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.file("corridor-users.toml")).expect("the users file"),
        users
    );
    let mode = std::fs::metadata(sandbox.file("corridor.key"))
        .expect("the key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        sandbox.event_count(),
        1,
        "the second init kept the loaded agreement"
    );
}

#[test]
fn a_bad_agreement_file_is_refused_with_every_error_located() {
    // Proves loading a file with an unknown field, an unknown country and a bad date exits 4, lists each error as file:line:column with its field, and records nothing.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let good = std::fs::read_to_string(US_RWA).expect("the shipped agreement");
    let bad = good
        .replace(
            "id = \"us-rwa-2025\"",
            "id = \"us-rwa-broken\"\ncolour = \"red\"",
        )
        .replace("receiving = \"RWA\"", "receiving = \"XXX\"")
        .replace("on = \"2025-06-06\"", "on = \"2025-13-45\"");
    assert_ne!(bad, good);
    std::fs::write(sandbox.file("broken.toml"), &bad).expect("write the bad file");
    // Where each error must be reported: 1-based line, and the column where the key or value starts.
    let locate = |needle: &str| {
        let (index, line) = bad
            .lines()
            .enumerate()
            .find(|(_, line)| line.contains(needle))
            .expect("the needle is in the file");
        (index + 1, line.find(needle).expect("the needle") + 1)
    };
    let expected = [
        ("colour", locate("colour")),
        ("parties.receiving", locate("\"XXX\"")),
        ("status[1].on", locate("\"2025-13-45\"")),
    ];

    let run = sandbox
        .corridor(&["--as", "admin", "agreement", "load", "broken.toml"])
        .code(4);
    let stderr = run.stderr();
    for (field, (line, column)) in expected {
        let wanted = format!("broken.toml:{line}:{column}: `{field}`");
        assert!(
            stderr.contains(&wanted),
            "stderr lacks `{wanted}`:\n{stderr}"
        );
    }
    assert!(
        stderr.contains("3 error(s)"),
        "exactly the three planted errors:\n{stderr}"
    );
    assert!(stderr.contains("unknown field `colour`"), "{stderr}");

    let json = sandbox.json_as("admin", 4, &["agreement", "load", "broken.toml"]);
    assert_eq!(json["outcome"], "invalid", "{json}");
    let errors = json["errors"].as_array().expect("a list of errors");
    for (field, (line, column)) in expected {
        assert!(
            errors.iter().any(|e| e["field"] == field
                && e["line"] == line
                && e["column"] == column
                && e["file"] == "broken.toml"),
            "no JSON error for `{field}` at {line}:{column}: {json}"
        );
    }
    assert_eq!(
        sandbox.event_count(),
        1,
        "nothing was recorded for the bad file"
    );
}

#[test]
fn happy_path_from_proposal_to_arrival() {
    // Proves a case under us-rwa-2025 goes from proposal to arrival with exit 0 at each step and the expected statuses.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Happy Path");
    let shown = sandbox.json_as("officer.ada", 0, &["case", "show", &case]);
    assert_eq!(
        (&shown["status"], &shown["version"]),
        (&serde_json::json!("proposed"), &serde_json::json!(1))
    );
    for step in &HAPPY_PATH {
        let version = sandbox.json_as("officer.ada", 0, &["case", "show", &case])["version"]
            .as_u64()
            .expect("a version");
        // Each party sends the version it is told (the receiving state's is a fingerprint of
        // what it sees, not the count of events).
        let told = sandbox.json_as(step.user, 0, &["case", "show", &case])["version"]
            .as_u64()
            .expect("a version");
        let mut args = vec!["--json", "--as", step.user];
        args.extend(step.args.iter().copied());
        let expect = told.to_string();
        args.extend([case.as_str(), "--expect-version", &expect]);
        let json = sandbox.corridor_at(step.at, &args).code(0).json();
        assert_eq!(json["outcome"], "accepted", "{}: {json}", step.name);
        let shown = sandbox.json_as("officer.ada", 0, &["case", "show", &case]);
        let status = if step.name == "supervisor_approved" {
            "accepted"
        } else {
            step.name
        };
        assert_eq!(shown["status"], status, "after {}", step.name);
        assert_eq!(shown["version"], version + 1, "after {}", step.name);
    }
    let shown = sandbox.json_as("officer.ada", 0, &["case", "show", &case]);
    assert_eq!(shown["status"], "arrived");
    assert_eq!(shown["safeguard_refusals"], 0);
    let text = sandbox
        .corridor(&["--as", "officer.ada", "case", "show", &case])
        .code(0)
        .stdout();
    assert!(text.contains("arrived: 2025-08-11T18:00:00Z"), "{text}");
    sandbox.corridor(&["check"]).code(0);
}

#[test]
fn safeguards_refuse_with_exit_3_and_are_recorded() {
    // Proves safeguard refusals exit 3 with their code in --json, are recorded as safeguard_triggered events when a case exists, and not otherwise.
    let mut sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Safeguarded");

    // Before any notice: the transfer cannot even be requested.
    let json = sandbox.json_as("officer.ada", 3, &["case", "request", &case]);
    assert_refused(&json, "notice_missing", true, true);
    // A notice in a language the person is not recorded as understanding, without counsel.
    let json = sandbox.json_as(
        "officer.ada",
        3,
        &[
            "case",
            "notice",
            &case,
            "--language",
            "fr",
            "--destination",
            "RWA",
            "--on-person",
            "--explains-contest",
        ],
    );
    assert_refused(&json, "notice_deficient", true, true);
    sandbox.walk(&case, "accepted");
    // The supervisor who proposed a case may not approve it.
    let own = sandbox.propose_with("supervisor.ben", "Synthetic Own Proposal", &[]);
    let json = sandbox.json_as("supervisor.ben", 3, &["case", "approve", &own]);
    assert_refused(&json, "self_approval", true, true);
    // Receiving-state approval alone is not enough: a supervisor must approve scheduling.
    sandbox.set_now("2025-08-10T11:00:00Z");
    let json = sandbox.json_as(
        "officer.ada",
        3,
        &[
            "case",
            "schedule",
            &case,
            "--departure",
            "2025-08-12T09:00:00Z",
        ],
    );
    assert_refused(&json, "not_approved_by_supervisor", true, true);
    sandbox.json_as("supervisor.ben", 0, &["case", "approve", &case]);
    // 23 hours after the notice: the 24-hour lead time has not run.
    let json = sandbox.json_as(
        "officer.ada",
        3,
        &[
            "case",
            "schedule",
            &case,
            "--departure",
            "2025-08-11T08:00:00Z",
        ],
    );
    assert_refused(&json, "notice_period_running", true, true);
    assert_eq!(
        json["facts"]["earliest_departure"], "2025-08-11T09:00:00Z",
        "{json}"
    );
    // Counsel files a protection claim: nothing may move while it is pending.
    sandbox.json_as("counsel.fay", 0, &["case", "claim-protection", &case]);
    let json = sandbox.json_as(
        "officer.ada",
        3,
        &[
            "case",
            "schedule",
            &case,
            "--departure",
            "2025-08-12T09:00:00Z",
        ],
    );
    assert_refused(&json, "protection_claim_pending", true, true);

    let recorded = recorded_safeguards(&sandbox, &case);
    assert_eq!(
        recorded,
        [
            "notice_missing",
            "notice_deficient",
            "not_approved_by_supervisor",
            "notice_period_running",
            "protection_claim_pending"
        ],
        "the case's history records each refusal in order"
    );
    assert_eq!(recorded_safeguards(&sandbox, &own), ["self_approval"]);
    let text = sandbox
        .corridor(&["--as", "officer.ada", "case", "history", &case])
        .code(0)
        .stdout();
    assert!(
        text.contains("safeguard `notice_period_running` refused `schedule` by officer.ada"),
        "{text}"
    );
    let shown = sandbox.json_as("officer.ada", 0, &["case", "show", &case]);
    assert_eq!(shown["safeguard_refusals"], 5, "{shown}");

    // Before the agreement is in force no case exists, so the refusal is reported but not recorded.
    // (A database of its own, loaded before that day: a step dated before the agreement's last
    // event would be refused as time_before_recorded.)
    let mut sandbox = Sandbox::new();
    sandbox.set_now("2025-07-31T22:00:00Z");
    sandbox.init_with_us_rwa();
    let events = sandbox.event_count();
    sandbox.set_now("2025-07-31T23:00:00Z");
    let json = sandbox.json_as("officer.ada", 3, &propose_args("Synthetic Too Early"));
    assert_refused(&json, "agreement_not_in_force", true, false);
    assert_eq!(json["facts"]["status"], "signed", "{json}");
    let text = sandbox
        .corridor(&[
            "--as",
            "officer.ada",
            "case",
            "propose",
            "--agreement",
            "us-rwa-2025",
            "--name",
            "X",
            "--birth-date",
            "1990-01-01",
            "--nationality",
            "VEN",
            "--sex",
            "male",
            "--language",
            "es",
            "--legal-basis",
            "ina_241",
            "--removal-ordered-on",
            "2025-03-03",
        ])
        .code(3)
        .stdout();
    assert!(text.contains("refused (agreement_not_in_force)"), "{text}");
    assert_eq!(
        sandbox.event_count(),
        events,
        "a refused proposal records nothing"
    );
}

#[test]
fn a_role_that_may_not_act_is_refused_with_exit_4() {
    // Proves a command from the wrong role exits 4 with not_permitted, is no safeguard, and records nothing.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Wrong Role");
    sandbox.walk(&case, "requested");
    let events = sandbox.event_count();
    let json = sandbox.json_as("officer.ada", 4, &["case", "approve", &case]);
    assert_refused(&json, "not_permitted", false, false);
    let json = sandbox.json_as(
        "receiver.dee",
        4,
        &propose_args("Synthetic Receiver Proposal"),
    );
    assert_refused(&json, "not_permitted", false, false);
    let json = sandbox.json_as("officer.ada", 4, &["agreement", "load", US_RWA]);
    assert_refused(&json, "not_permitted", false, false);
    assert_eq!(sandbox.event_count(), events);
    assert!(recorded_safeguards(&sandbox, &case).is_empty());
}

#[test]
fn a_stale_expected_version_is_a_conflict_that_writes_nothing() {
    // Proves --expect-version with an old version exits 5, reports both versions, and leaves the event count unchanged.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Conflict");
    sandbox.walk(&case, "noticed");
    let events = sandbox.event_count();
    let json = sandbox.json_as(
        "officer.ada",
        5,
        &["case", "request", &case, "--expect-version", "1"],
    );
    assert_eq!(json["outcome"], "conflict", "{json}");
    assert_eq!(json["expected_version"], 1);
    assert_eq!(json["current_version"], 2);
    let text = sandbox
        .corridor(&[
            "--as",
            "officer.ada",
            "case",
            "request",
            &case,
            "--expect-version",
            "1",
        ])
        .code(5)
        .stdout();
    assert!(text.contains("nothing was written"), "{text}");
    assert_eq!(sandbox.event_count(), events);
    assert_eq!(
        sandbox.json_as("officer.ada", 0, &["case", "show", &case])["status"],
        "noticed"
    );
    sandbox.json_as(
        "officer.ada",
        0,
        &["case", "request", &case, "--expect-version", "2"],
    );
    assert_eq!(sandbox.event_count(), events + 1);
}

#[test]
fn bad_flag_values_exit_2_naming_the_flag() {
    // Proves malformed flag values (dates, moments, countries, decisions, outcomes, statuses, steps, scopes) exit 2 with the flag named, before anything is written.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Bad Flags");
    let events = sandbox.event_count();
    let with = |flag: &str, value: &str| {
        let mut args = vec!["--as", "officer.ada"];
        args.extend(propose_args("Synthetic Bad Flag"));
        let position = args
            .iter()
            .position(|arg| *arg == flag)
            .expect("the flag is in the proposal");
        args[position + 1] = value;
        args.iter()
            .map(|arg| (*arg).to_owned())
            .collect::<Vec<String>>()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (with("--birth-date", "1990-02-30"), "--birth-date"),
        (
            with("--removal-ordered-on", "yesterday"),
            "--removal-ordered-on",
        ),
        (with("--nationality", "ZZZ"), "--nationality"),
        (with("--feared", "Atlantis"), "--feared"),
        (
            [
                "--as",
                "officer.ada",
                "case",
                "notice",
                case.as_str(),
                "--language",
                "es",
                "--destination",
                "QQQ",
            ]
            .map(str::to_owned)
            .to_vec(),
            "--destination",
        ),
        (
            [
                "--as",
                "officer.ada",
                "case",
                "schedule",
                case.as_str(),
                "--departure",
                "2025-08-32T08:00:00Z",
            ]
            .map(str::to_owned)
            .to_vec(),
            "--departure",
        ),
        (
            [
                "--as",
                "adjudicator.cy",
                "case",
                "decide-protection",
                case.as_str(),
                "--decision",
                "maybe",
            ]
            .map(str::to_owned)
            .to_vec(),
            "--decision",
        ),
        (
            [
                "--as",
                "monitor.gus",
                "case",
                "welfare",
                case.as_str(),
                "--outcome",
                "fine",
            ]
            .map(str::to_owned)
            .to_vec(),
            "--outcome",
        ),
        (
            ["--as", "officer.ada", "case", "list", "--status", "lost"]
                .map(str::to_owned)
                .to_vec(),
            "--status",
        ),
        (
            [
                "--as",
                "receiver.dee",
                "case",
                "after",
                case.as_str(),
                "vanished",
            ]
            .map(str::to_owned)
            .to_vec(),
            "is not a step",
        ),
        (
            [
                "--as",
                "clerk.eve",
                "hold",
                "register",
                "--court",
                "c",
                "--reference",
                "r",
            ]
            .map(str::to_owned)
            .to_vec(),
            "class criteria",
        ),
        (
            [
                "--as",
                "admin",
                "agreement",
                "status",
                "us-rwa-2025",
                "paused",
            ]
            .map(str::to_owned)
            .to_vec(),
            "is not a status",
        ),
    ];
    for (args, flag) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = sandbox.corridor(&args).code(2);
        assert!(
            run.stderr().contains(flag),
            "stderr does not name {flag}:\n{}",
            run.stderr()
        );
    }
    // A flag clap itself rejects: also exit 2.
    let run = sandbox
        .corridor(&[
            "--as",
            "officer.ada",
            "case",
            "request",
            &case,
            "--expect-version",
            "two",
        ])
        .code(2);
    assert!(
        run.stderr().contains("--expect-version"),
        "{}",
        run.stderr()
    );
    assert_eq!(sandbox.event_count(), events);
}

#[test]
fn case_show_discloses_by_role() {
    // Proves what each role sees: the sending officer everything, the receiving officer only shared fields and only after the request, counsel only their own clients, an admin nothing.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Disclosed");
    let other = sandbox.propose_with("officer.ada", "Synthetic Other Client", &[]);

    let officer = sandbox.json_as("officer.ada", 0, &["case", "show", &case]);
    assert_eq!(
        officer["personal_data"]["name"], "Synthetic Disclosed",
        "{officer}"
    );
    assert_eq!(
        officer["personal_data"]["health"], "synthetic health note",
        "{officer}"
    );
    assert_eq!(
        officer["rule_attributes"]["feared_countries"],
        serde_json::json!(["VEN"]),
        "{officer}"
    );
    let text = sandbox
        .corridor(&["--as", "officer.ada", "case", "show", &case])
        .code(0)
        .stdout();
    assert!(text.contains("name: Synthetic Disclosed"), "{text}");

    // Before the request the receiving state does not know the case exists: it is told what
    // an unknown id is told.
    let run = sandbox
        .corridor(&["--json", "--as", "receiver.dee", "case", "show", &case])
        .code(4);
    assert!(run.stdout().is_empty(), "{}", run.stdout());
    assert!(
        run.stderr().contains(&format!("there is no case {case}")),
        "{}",
        run.stderr()
    );
    let listed = sandbox.json_as("receiver.dee", 0, &["case", "list"]);
    assert_eq!(listed, serde_json::json!([]), "{listed}");

    sandbox.walk(&case, "requested");
    let receiver = sandbox.json_as("receiver.dee", 0, &["case", "show", &case]);
    let personal = &receiver["personal_data"];
    assert_eq!(
        personal["name"], "Synthetic Disclosed",
        "name is shared: {receiver}"
    );
    assert_eq!(
        personal["birth_date"], "1990-04-12",
        "birth_date is shared: {receiver}"
    );
    assert_eq!(
        personal["documents"],
        serde_json::json!(["synthetic passport X0000000"]),
        "{receiver}"
    );
    assert!(
        personal["health"].is_null(),
        "no health data without consent: {receiver}"
    );
    let rule = &receiver["rule_attributes"];
    assert_eq!(rule["nationality"], "VEN");
    // A field withheld is absent and named in `withheld` (the API's case view).
    let named = rule["withheld"].as_array().expect("the withheld fields");
    for withheld in [
        "feared_countries",
        "protected_countries",
        "legal_basis",
        "removal_ordered_on",
        "languages",
        "vulnerabilities",
    ] {
        assert!(rule.get(withheld).is_none(), "{withheld}: {receiver}");
        assert!(
            named.iter().any(|name| name == withheld),
            "{withheld} is not named withheld: {receiver}"
        );
    }
    let text = sandbox
        .corridor(&["--as", "receiver.dee", "case", "show", &case])
        .code(0)
        .stdout();
    assert!(
        !text.contains("feared") && !text.contains("health") && !text.contains("ina_241"),
        "{text}"
    );
    let listed = sandbox.json_as("receiver.dee", 0, &["case", "list"]);
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(1),
        "only the requested case: {listed}"
    );

    let run = sandbox
        .corridor(&["--as", "admin", "case", "show", &case])
        .code(4);
    assert!(
        run.stderr().contains(&format!("there is no case {case}")),
        "{}",
        run.stderr()
    );
    assert!(!run.stdout().contains("Synthetic"), "{}", run.stdout());

    let counsel = sandbox.json_as("counsel.fay", 0, &["case", "show", &case]);
    assert_eq!(
        counsel["personal_data"]["name"], "Synthetic Disclosed",
        "{counsel}"
    );
    let run = sandbox
        .corridor(&["--as", "counsel.fay", "case", "show", &other])
        .code(4);
    assert!(
        run.stderr().contains(&format!("there is no case {other}")),
        "{}",
        run.stderr()
    );
    assert!(!run.stdout().contains("Synthetic Other Client"));
    sandbox
        .corridor(&["--as", "counsel.fay", "case", "history", &other])
        .code(4);
}

#[tokio::test]
async fn erase_destroys_the_case_key_and_the_log_still_checks() {
    // Proves an admin's erase leaves the case shown as erased, `check` passing, and no key row for the case.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Erased");
    let kept = sandbox.propose("officer.ada", "Synthetic Kept");
    sandbox.walk(&case, "noticed");
    let json = sandbox.json_as("officer.ada", 4, &["case", "erase", &case]);
    assert_refused(&json, "not_permitted", false, false);

    let json = sandbox.json_as("admin", 0, &["case", "erase", &case]);
    assert_eq!(json["events"][0]["type"], "personal_data_erased", "{json}");
    let shown = sandbox.json_as("officer.ada", 0, &["case", "show", &case]);
    assert_eq!(shown["personal_data_state"], "erased", "{shown}");
    assert!(shown.get("personal_data").is_none(), "{shown}");
    assert_eq!(
        shown["status"], "noticed",
        "the rule attributes and status remain: {shown}"
    );
    let text = sandbox
        .corridor(&["--as", "officer.ada", "case", "show", &case])
        .code(0)
        .stdout();
    assert!(
        text.contains("personal data: erased") && !text.contains("Synthetic Erased"),
        "{text}"
    );
    sandbox.corridor(&["check"]).code(0);
    let json = sandbox.json_as("admin", 4, &["case", "erase", &case]);
    assert_refused(&json, "invalid_input", false, false);

    let store = sandbox.store().await;
    let erased_id = corridor_domain::CaseId::parse(&case).expect("a case id");
    let kept_id = corridor_domain::CaseId::parse(&kept).expect("a case id");
    assert!(
        store
            .case_key(erased_id)
            .await
            .expect("the key lookup")
            .is_none(),
        "the erased case's key row remains"
    );
    assert!(
        store
            .case_key(kept_id)
            .await
            .expect("the key lookup")
            .is_some(),
        "another case's key went too"
    );
    store.close().await;
    assert_eq!(
        sandbox.json_as("officer.ada", 0, &["case", "show", &kept])["personal_data"]["name"],
        "Synthetic Kept"
    );
}

#[test]
fn a_fear_learnt_after_proposal_is_recorded_and_shown() {
    // Proves `case fear` records a country the person fears after proposal, shows it with the
    // fears given at proposal, and refuses one already recorded as bad input (exit 4).
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Later Fear");
    let json = sandbox.json_as(
        "officer.ada",
        0,
        &["case", "fear", &case, "--country", "CUB"],
    );
    assert_eq!(json["outcome"], "accepted", "{json}");
    let shown = sandbox.json_as("officer.ada", 0, &["case", "show", &case]);
    let feared = shown["rule_attributes"]["feared_countries"]
        .as_array()
        .expect("feared countries shown");
    assert!(feared.iter().any(|c| c == "CUB"), "{shown}");
    assert!(feared.iter().any(|c| c == "VEN"), "{shown}");
    let again = sandbox.json_as(
        "officer.ada",
        4,
        &["case", "fear", &case, "--country", "CUB"],
    );
    assert_eq!(again["code"], "invalid_input", "{again}");
}

#[test]
fn an_age_dispute_is_recorded_and_decided_by_an_adjudicator() {
    // Proves `case age-dispute` (counsel) and `case age-decision` (adjudicator) record the
    // dispute and its decision, a second pending dispute is bad input (exit 4), a decision
    // without one too, and an officer may not decide (exit 4, not permitted).
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Disputed Age");
    let dispute = [
        "case",
        "age-dispute",
        &case,
        "--claimed-birth-date",
        "2008-05-01",
    ];
    let json = sandbox.json_as("counsel.fay", 0, &dispute);
    assert_eq!(json["events"][0]["type"], "age_disputed", "{json}");
    let again = sandbox.json_as("counsel.fay", 4, &dispute);
    assert_eq!(again["code"], "invalid_input", "{again}");
    let decide = ["case", "age-decision", &case, "--birth-date", "1990-04-12"];
    let officer = sandbox.json_as("officer.ada", 4, &decide);
    assert_eq!(officer["code"], "not_permitted", "{officer}");
    let json = sandbox.json_as("adjudicator.cy", 0, &decide);
    assert_eq!(json["events"][0]["type"], "age_decided", "{json}");
    assert_eq!(json["events"][0]["age_at_proposal"], 35, "{json}");
    let none = sandbox.json_as("adjudicator.cy", 4, &decide);
    assert_eq!(none["code"], "invalid_input", "{none}");
}

#[test]
fn a_step_dated_before_its_case_is_refused_beyond_the_configured_skew() {
    // Proves the time rule on the command line: a step dated a minute before its case's last
    // event is refused (exit 4, time_before_recorded, nothing recorded) under the default skew,
    // accepted where the deployment allows two minutes, and then reported by `check` under
    // the default skew but not under the wider one.
    let mut sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Early Clock");
    let events = sandbox.event_count();
    sandbox.set_now("2025-08-10T08:59:00Z");
    let withdraw = [
        "case",
        "withdraw",
        case.as_str(),
        "--reason",
        "change of plan",
    ];
    let refused = sandbox.json_as("officer.ada", 4, &withdraw);
    assert_eq!(refused["code"], "time_before_recorded", "{refused}");
    assert_eq!(refused["facts"]["stream"], case.as_str(), "{refused}");
    assert_eq!(sandbox.event_count(), events, "nothing recorded");
    let mut wide = vec!["--clock-skew-seconds", "120"];
    wide.extend(["--json", "--as", "officer.ada"]);
    wide.extend(withdraw);
    let accepted = sandbox.corridor(&wide).code(0).json();
    assert_eq!(accepted["outcome"], "accepted", "{accepted}");
    let report = sandbox.corridor(&["check"]).code(1).stdout();
    assert!(report.contains("time went backwards"), "{report}");
    sandbox
        .corridor(&["--clock-skew-seconds", "120", "check"])
        .code(0);
}

#[test]
fn text_flags_refuse_control_characters_and_bidi_overrides_with_exit_2() {
    // Proves every free-text flag (name, document, contact, health, reason, court, reference)
    // refuses an escape sequence or a right-to-left override with exit 2 naming the flag,
    // before anything is written.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let case = sandbox.propose("officer.ada", "Synthetic Text Flags");
    let events = sandbox.event_count();
    let proposal_with = |flag: &str, value: &str| -> Vec<String> {
        let mut args: Vec<String> = ["--as", "officer.ada"].map(str::to_owned).to_vec();
        args.extend(
            propose_args("Synthetic Text")
                .iter()
                .map(|a| (*a).to_owned()),
        );
        match args.iter().position(|arg| arg == flag) {
            Some(position) => args[position + 1] = value.to_owned(),
            None => args.extend([flag.to_owned(), value.to_owned()]),
        }
        args
    };
    let on_case = |user: &str, verb: &str, value: &str| -> Vec<String> {
        ["--as", user, "case", verb, case.as_str(), "--reason", value]
            .map(str::to_owned)
            .to_vec()
    };
    let hold = |court: &str, reference: &str| -> Vec<String> {
        [
            "--as",
            "clerk.eve",
            "hold",
            "register",
            "--court",
            court,
            "--reference",
            reference,
            "--nationality",
            "ATA",
        ]
        .map(str::to_owned)
        .to_vec()
    };
    for bad in ["A\u{1b}[31mB", "Synthetic\u{202e}Person"] {
        let cases: Vec<(Vec<String>, &str)> = vec![
            (proposal_with("--name", bad), "--name"),
            (proposal_with("--document", bad), "--document"),
            (proposal_with("--contact", bad), "--contact"),
            (proposal_with("--health", bad), "--health"),
            (on_case("officer.ada", "withdraw", bad), "--reason"),
            (on_case("officer.ada", "extend", bad), "--reason"),
            (on_case("receiver.dee", "refuse", bad), "--reason"),
            (hold(bad, "Order 1"), "--court"),
            (hold("court-a", bad), "--reference"),
        ];
        for (args, flag) in cases {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let stderr = sandbox.corridor(&args).code(2).stderr();
            assert!(stderr.contains(flag), "{args:?}: {stderr}");
            assert!(
                !stderr.contains('\u{1b}') && !stderr.contains('\u{202e}'),
                "{stderr:?}"
            );
        }
    }
    assert_eq!(sandbox.event_count(), events, "nothing was written");
}

#[tokio::test]
async fn case_show_escapes_what_old_data_holds() {
    // Proves a name stored before text fields refused control characters (NUL, an ANSI escape,
    // a right-to-left override, a newline) is printed by `case show` escaped, never raw.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let hostile = "A\u{0}B\u{1b}[31m\u{202e}\nforged: line";
    let master = corridor_store::vault::MasterKey::parse(
        &std::fs::read_to_string(sandbox.file("corridor.key")).expect("the key file"),
    )
    .expect("a master key");
    let case = corridor_domain::CaseId::from_u64(0x01d_da7a);
    let case_key = [3; 32];
    let personal = corridor_domain::PersonalData {
        name: hostile.to_owned(),
        ..corridor_domain::PersonalData::default()
    };
    let facts = corridor_domain::PersonFacts {
        birth_date: "1990-04-12".parse().expect("a date"),
        nationality: corridor_domain::terms::Country::parse("VEN").expect("VEN"),
        sex: corridor_domain::terms::Sex::Male,
        vulnerabilities: Default::default(),
        feared_countries: Default::default(),
        protected_countries: Default::default(),
        languages: [corridor_domain::Language::parse("es").expect("es")]
            .into_iter()
            .collect(),
        legal_basis: corridor_domain::Label::parse("ina_241").expect("a label"),
        designation: None,
        detention_place: None,
        removal_ordered_on: "2025-03-03".parse().expect("a date"),
        health_data_consent: false,
    };
    let command = corridor_domain::Command::Propose {
        case,
        agreement: corridor_domain::terms::AgreementId::parse("us-rwa-2025").expect("an id"),
        facts,
        counsel: None,
        personal: corridor_store::vault::seal(case, &case_key, [1; 24], &personal),
    };
    let context = corridor_domain::Context {
        now: AUG_10.parse().expect("a moment"),
        actor: corridor_domain::Actor {
            user: corridor_domain::UserId::parse("officer.ada").expect("a user"),
            role: corridor_domain::Role::SendingOfficer,
            party: corridor_domain::Party::State(
                corridor_domain::terms::Country::parse("USA").expect("USA"),
            ),
        },
    };
    let store = sandbox.store().await;
    let keys = [(case, master.wrap(case, &case_key, [2; 24]))];
    let executed = store
        .execute(&command, &context, None, &keys)
        .await
        .expect("the old proposal commits");
    assert!(
        matches!(executed.outcome, corridor_domain::Outcome::Accepted(_)),
        "{executed:?}"
    );
    drop(store);
    let text = sandbox
        .corridor(&["--as", "officer.ada", "case", "show", &case.to_string()])
        .code(0)
        .stdout();
    assert!(
        text.contains("name: A\\u{0}B\\u{1b}[31m\\u{202e}\\u{a}forged: line"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{0}'),
        "{text:?}"
    );
    assert!(!text.contains("\nforged: line"), "{text}");
}

#[test]
fn access_list_shows_who_read_which_case_to_auditors_only() {
    // Proves `corridor access list` shows an auditor who read which case, when, allowed or
    // denied and by which policy, filtered by case, with the auditor's own reads on the record;
    // that an officer is refused (exit 4) and a bad --limit is exit 2 naming the flag.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    sandbox
        .corridor(&["user", "add", "auditor.ina", "--role", "auditor"])
        .code(0);
    let case = sandbox.propose("officer.ada", "Synthetic Audited");
    sandbox
        .corridor(&["--as", "officer.ada", "case", "show", &case])
        .code(0);
    sandbox
        .corridor(&["--as", "receiver.dee", "case", "show", &case])
        .code(4);
    let list = |extra: &[&str]| {
        let mut args = vec![
            "--as",
            "auditor.ina",
            "access",
            "list",
            "--agreement",
            "us-rwa-2025",
        ];
        args.extend_from_slice(extra);
        sandbox.corridor(&args).code(0).stdout()
    };
    let text = list(&["--case", &case]);
    assert!(
        text.contains(&format!(
            "officer.ada (sending_officer) read_case {case}: allowed by sending-read-cases"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "receiver.dee (receiving_officer) read_case {case}: denied"
        )),
        "{text}"
    );
    assert!(
        !text.contains("agreement:"),
        "only the case's records: {text}"
    );
    let all = list(&["--limit", "100"]);
    assert!(
        all.contains("auditor.ina (auditor) read_access_records agreement:us-rwa-2025: allowed by auditor-access-records"),
        "{all}"
    );
    sandbox
        .corridor(&[
            "--as",
            "officer.ada",
            "access",
            "list",
            "--agreement",
            "us-rwa-2025",
        ])
        .code(4);
    let stderr = sandbox
        .corridor(&[
            "--as",
            "auditor.ina",
            "access",
            "list",
            "--agreement",
            "us-rwa-2025",
            "--limit",
            "0",
        ])
        .code(2)
        .stderr();
    assert!(stderr.contains("--limit"), "{stderr}");
}

#[test]
fn the_monitor_holds_a_case_at_risk_of_onward_removal_until_the_finding_is_closed() {
    // Proves `corridor monitor`: a monitor of the agreement's body records a critical finding of
    // onward-removal risk, `case onward` is then refused with exit 3 (`monitor_hold`, recorded),
    // the finding shows on the monitor's queue, the receiving state responds, the monitor
    // closes it, and the onward movement goes through.
    let sandbox = Sandbox::new();
    sandbox.init(&["--example-users"]).code(0);
    let shipped = std::fs::read_to_string(US_RWA).expect("the shipped file");
    let monitored = sandbox.file("us-rwa-monitored.toml");
    std::fs::write(
        &monitored,
        format!(
            "{shipped}\n[monitoring]\nid = \"example-monitors\"\nname = \"Example monitors (synthetic)\"\n"
        ),
    )
    .expect("the file is written");
    let monitored = monitored.display().to_string();
    let loaded = sandbox.json_as("admin", 0, &["agreement", "load", &monitored]);
    assert_eq!(loaded["outcome"], "accepted", "{loaded}");
    let case = sandbox.propose("officer.ada", "Synthetic Monitored Person");
    sandbox.walk(&case, "arrived");

    let at = |hour: u8| format!("2025-08-12T{hour:02}:00:00Z");
    let as_user = |user: &str, hour: u8, code: i32, args: &[&str]| {
        let mut full = vec!["--json", "--as", user];
        full.extend_from_slice(args);
        sandbox.corridor_at(&at(hour), &full).code(code).json()
    };
    let recorded = as_user(
        "monitor.gus",
        9,
        0,
        &[
            "monitor",
            "finding",
            "record",
            "--agreement",
            "us-rwa-2025",
            "--case",
            &case,
            "--category",
            "onward_removal_risk",
            "--severity",
            "critical",
            "--text",
            "Synthetic: the person was told to leave for a third country.",
            "--to",
            "receiving_state",
        ],
    );
    let finding = recorded["events"][0]["finding"]
        .as_str()
        .unwrap_or_else(|| panic!("no finding in {recorded}"))
        .to_owned();
    let onward = ["case", "onward", case.as_str(), "--destination", "USA"];
    let refused = as_user("receiver.dee", 10, 3, &onward);
    assert_refused(&refused, "monitor_hold", true, true);
    assert_eq!(refused["facts"]["finding"], finding.as_str());
    assert_eq!(recorded_safeguards(&sandbox, &case), vec!["monitor_hold"]);

    let queue = as_user("monitor.gus", 11, 0, &["monitor", "queue"]);
    assert_eq!(queue["items"][0]["kind"], "finding_response", "{queue}");
    assert_eq!(queue["items"][0]["finding"], finding.as_str());
    sandbox
        .corridor_at(&at(11), &["--as", "receiver.dee", "monitor", "queue"])
        .code(4);

    let respond = [
        "monitor",
        "finding",
        "respond",
        finding.as_str(),
        "--text",
        "Synthetic: no move.",
    ];
    assert_eq!(
        as_user("receiver.dee", 12, 0, &respond)["outcome"],
        "accepted"
    );
    let close = [
        "monitor",
        "finding",
        "close",
        finding.as_str(),
        "--outcome",
        "accepted",
    ];
    assert_eq!(as_user("monitor.gus", 13, 0, &close)["outcome"], "accepted");
    let shown = sandbox
        .corridor_at(
            &at(14),
            &[
                "--as",
                "monitor.gus",
                "monitor",
                "finding",
                "show",
                &finding,
            ],
        )
        .code(0)
        .stdout();
    assert!(shown.contains("closed (accepted)"), "{shown}");
    assert_eq!(
        as_user("receiver.dee", 15, 0, &onward)["outcome"],
        "accepted"
    );
    sandbox.corridor(&["check"]).code(0);
}

#[test]
fn report_gives_the_committee_its_version_and_anyone_the_public_one() {
    // Proves `corridor report` prints the committee's version to a sending supervisor (the
    // report's sections, the case proposed not among those transferred), the public one as CSV
    // to the receiving state, refuses the committee's version to an officer (exit 4) and a bad
    // period with exit 2 naming the flag.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    sandbox.propose("officer.ada", "Synthetic Reported");
    let report = |who: &str, extra: &[&str]| {
        let mut args = vec![
            "--as",
            who,
            "report",
            "--agreement",
            "us-rwa-2025",
            "--period",
            "2025",
        ];
        args.extend_from_slice(extra);
        sandbox.corridor(&args)
    };
    let committee = report("supervisor.ben", &[]).code(0).stdout();
    for line in [
        "# ",
        "## People transferred",
        "| **total** | **0** |",
        "## Welfare checks",
        "## Safeguard refusals",
    ] {
        assert!(committee.contains(line), "no `{line}` in:\n{committee}");
    }
    assert!(
        !committee.contains("Alerts to the monitoring body"),
        "{committee}"
    );
    let csv = report("receiver.dee", &["--public", "--format", "csv"])
        .code(0)
        .stdout();
    assert!(
        csv.starts_with("agreement,period,version,section,label,value\n"),
        "{csv}"
    );
    assert!(
        csv.contains("us-rwa-2025,2025,public,transfers,total,<10"),
        "{csv}"
    );
    report("officer.ada", &[]).code(4);
    let bad = sandbox
        .corridor(&[
            "--as",
            "supervisor.ben",
            "report",
            "--agreement",
            "us-rwa-2025",
            "--period",
            "2025-Q7",
        ])
        .code(2)
        .stderr();
    assert!(bad.contains("--period"), "{bad}");
}

#[tokio::test]
async fn a_complaint_is_lodged_without_an_account_and_read_with_its_receipt_only() {
    // Proves `corridor complaint lodge` needs no `--as` and prints a receipt; `complaint status`
    // reads the status and, once the monitoring body replied, the reply with that receipt only
    // (a wrong code exits 4, not found); an officer cannot list complaints (exit 4); a
    // monitor of the agreement's body lists, reads, replies and erases, after which the text is
    // gone, `check` passes and the receipt still reads the status.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    sandbox.json_as(
        "admin",
        0,
        &[
            "agreement",
            "load",
            &format!(
                "{}/../../agreements/gbr-rwa-2024.toml",
                env!("CARGO_MANIFEST_DIR")
            ),
        ],
    );
    sandbox
        .corridor(&[
            "user",
            "add",
            "monitor.medp",
            "--role",
            "monitor",
            "--monitoring-body",
            "medp-monitoring-committee",
        ])
        .code(0);
    let lodged = sandbox
        .corridor(&[
            "--json",
            "complaint",
            "lodge",
            "--agreement",
            "gbr-rwa-2024",
            "--complainant",
            "person",
            "--text",
            "Synthetic: I was not told where I would be taken.",
            "--contact",
            "synthetic@example.invalid",
        ])
        .code(0)
        .json();
    let receipt = lodged["receipt"].as_str().expect("a receipt").to_owned();
    assert_eq!(receipt.len(), 35, "128 bits in four groups: {receipt}");
    let status = sandbox
        .corridor(&["--json", "complaint", "status", "--receipt", &receipt])
        .code(0)
        .json();
    assert_eq!(status["status"], "received", "{status}");
    assert!(status["reply"].is_null(), "{status}");
    let wrong = sandbox
        .corridor(&[
            "complaint",
            "status",
            "--receipt",
            "00000000-00000000-00000000-00000000",
        ])
        .code(4);
    assert!(
        wrong
            .stderr()
            .contains("there is no complaint with this receipt code"),
        "{}",
        wrong.stderr()
    );

    sandbox
        .corridor(&[
            "--as",
            "officer.ada",
            "complaint",
            "list",
            "--agreement",
            "gbr-rwa-2024",
        ])
        .code(4);
    let list = sandbox.json_as(
        "monitor.medp",
        0,
        &["complaint", "list", "--agreement", "gbr-rwa-2024"],
    );
    let id = list[0]["complaint"]
        .as_str()
        .expect("one complaint")
        .to_owned();
    let shown = sandbox.json_as("monitor.medp", 0, &["complaint", "show", &id]);
    assert_eq!(
        shown["text"], "Synthetic: I was not told where I would be taken.",
        "{shown}"
    );
    assert_eq!(shown["contact"], "synthetic@example.invalid", "{shown}");
    sandbox.json_as(
        "monitor.medp",
        0,
        &[
            "complaint",
            "review",
            &id,
            "--status",
            "replied",
            "--reply",
            "We will visit.",
        ],
    );
    let status = sandbox
        .corridor(&[
            "--json",
            "complaint",
            "status",
            "--receipt",
            &receipt.to_uppercase(),
        ])
        .code(0)
        .json();
    assert_eq!(status["status"], "replied", "{status}");
    assert_eq!(status["reply"], "We will visit.", "{status}");

    sandbox.json_as("monitor.medp", 0, &["complaint", "erase", &id]);
    let shown = sandbox.json_as("monitor.medp", 0, &["complaint", "show", &id]);
    assert!(
        shown["text"].is_null() && shown["reply"].is_null(),
        "{shown}"
    );
    assert_eq!(shown["erased"], true, "{shown}");
    sandbox.corridor(&["check"]).code(0);
    let status = sandbox
        .corridor(&["--json", "complaint", "status", "--receipt", &receipt])
        .code(0)
        .json();
    assert_eq!(status["erased"], true, "{status}");
    assert!(status["reply"].is_null(), "{status}");
}

#[test]
fn a_listing_read_by_a_reader_that_stops_early_ends_quietly() {
    // Proves `corridor case list | head -1` does not panic when `head` closes the pipe: the
    // command ends with success and nothing on standard error.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    for name in ["Synthetic Pipe One", "Synthetic Pipe Two"] {
        sandbox.propose("officer.ada", name);
    }
    let mut child = sandbox
        .command_at(AUG_10, &["--as", "officer.ada", "case", "list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("corridor starts");
    // The reader goes away before the command prints its first line.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("corridor ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.trim().is_empty(), "{stderr}");
}
