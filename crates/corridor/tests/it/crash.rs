//! Durability under SIGKILL: whatever a killed process left behind replays cleanly, and every
//! command that reported success survived.
//!
//! The kill moments come from a seeded RNG, so a failing round can be reproduced by its seed
//! (the moment a kill lands still depends on the machine's speed).

use std::os::unix::process::ExitStatusExt as _;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng as _, SeedableRng as _};

use crate::harness::{Sandbox, accepted_case, dump_events_and_keys, propose_args};

/// Rounds of "propose until killed".
const PROPOSE_ROUNDS: usize = 24;
/// Rounds of "demo until killed".
const DEMO_ROUNDS: usize = 4;
/// How often the threads look at a running child.
const POLL: Duration = Duration::from_millis(1);

/// A random delay of `min_ms` up to `min_ms + spread_ms` milliseconds.
fn delay(rng: &mut ChaCha8Rng, min_ms: u64, spread_ms: u64) -> Duration {
    Duration::from_millis(min_ms + rng.next_u64() % spread_ms)
}

/// The child the proposing thread is running now, if any.
type Slot = Arc<Mutex<Option<Child>>>;

/// Proposes cases one process after another until `killed` is set; returns the case ids of the
/// runs that exited 0 with an accepted proposal, and how many runs died of SIGKILL.
fn propose_until_killed(
    sandbox: &Sandbox,
    round: usize,
    slot: &Slot,
    killed: &AtomicBool,
) -> (Vec<String>, usize) {
    let mut acknowledged = Vec::new();
    let mut sigkilled = 0;
    for attempt in 0.. {
        if killed.load(Ordering::SeqCst) {
            break;
        }
        let name = format!("Crash Person {round}-{attempt}");
        let mut args = vec!["--json", "--as", "officer.ada"];
        args.extend(propose_args(&name));
        let child = sandbox
            .command_at(crate::harness::AUG_10, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("corridor starts");
        *slot.lock().expect("the slot lock") = Some(child);
        let finished = loop {
            {
                let mut guard = slot.lock().expect("the slot lock");
                let running = guard.as_mut().expect("the child is in its slot");
                if running
                    .try_wait()
                    .expect("the child can be waited for")
                    .is_some()
                {
                    break guard.take().expect("the child is in its slot");
                }
            }
            thread::sleep(POLL);
        };
        let output = finished.wait_with_output().expect("the child's output");
        if output.status.signal() == Some(9) {
            sigkilled += 1;
            continue;
        }
        assert_eq!(
            output.status.code(),
            Some(0),
            "an unkilled proposal failed: {output:?}"
        );
        let json: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("accepted JSON");
        acknowledged.push(
            accepted_case(&json)
                .unwrap_or_else(|| panic!("exit 0 without an accepted proposal: {json}")),
        );
    }
    (acknowledged, sigkilled)
}

/// Waits for a child to be running in `slot` and kills it with SIGKILL (`Child::kill`). Returns
/// early if the proposing thread has stopped (it failed an assertion), so the test fails, not hangs.
fn kill_running(slot: &Slot, killed: &AtomicBool, worker_finished: impl Fn() -> bool) {
    while !worker_finished() {
        {
            let mut guard = slot.lock().expect("the slot lock");
            if let Some(child) = guard.as_mut()
                && child
                    .try_wait()
                    .expect("the child can be waited for")
                    .is_none()
            {
                child.kill().expect("SIGKILL is sent");
                killed.store(true, Ordering::SeqCst);
                return;
            }
        }
        thread::sleep(POLL);
    }
}

#[test]
fn acknowledged_proposals_survive_sigkill() {
    // Proves a SIGKILL at any moment leaves a database that checks clean and keeps every proposal that reported success.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let mut rng = ChaCha8Rng::seed_from_u64(0xC0_44_1D_02);
    let mut acknowledged: Vec<String> = Vec::new();
    let mut sigkilled = 0;
    for round in 0..PROPOSE_ROUNDS {
        let slot: Slot = Arc::new(Mutex::new(None));
        let killed = AtomicBool::new(false);
        let wait = delay(&mut rng, 5, 200);
        let (new, dead) = thread::scope(|scope| {
            let worker = scope.spawn(|| propose_until_killed(&sandbox, round, &slot, &killed));
            thread::sleep(wait);
            kill_running(&slot, &killed, || worker.is_finished());
            worker.join().expect("the proposing thread")
        });
        sigkilled += dead;

        let check = sandbox.corridor(&["check"]).code(0);
        assert!(
            check.stdout().starts_with("ok:"),
            "round {round}: {}",
            check.stdout()
        );
        for case in &new {
            let shown = sandbox.json_as("officer.ada", 0, &["case", "show", case]);
            assert_eq!(shown["case"], case.as_str(), "round {round}");
            assert_eq!(shown["status"], "proposed", "round {round}");
        }
        acknowledged.extend(new);
    }
    assert!(
        sigkilled > 0,
        "no run died of SIGKILL in {PROPOSE_ROUNDS} rounds"
    );
    assert!(
        !acknowledged.is_empty(),
        "no proposal was acknowledged in {PROPOSE_ROUNDS} rounds"
    );
    // Every case acknowledged in an early round is still there after all the later kills.
    let report = sandbox.corridor(&["--json", "check"]).code(0).json();
    let cases = report["cases"].as_u64().expect("a count of cases");
    assert!(
        cases >= acknowledged.len() as u64,
        "{cases} cases stored, {} acknowledged",
        acknowledged.len()
    );
    for case in &acknowledged {
        sandbox.json_as("officer.ada", 0, &["case", "show", case]);
    }
}

#[tokio::test]
async fn a_killed_demo_leaves_a_database_that_checks() {
    // Proves `corridor demo` killed mid-run leaves a database that `check` passes and a rerun rebuilds exactly.
    let reference = Sandbox::new();
    reference
        .corridor(&[
            "demo",
            "--seed",
            "42",
            "--quiet",
            "--demo-database",
            "sqlite://a.db",
        ])
        .code(0);
    let expected = dump_events_and_keys(&reference.url_of("a.db")).await;

    let mut rng = ChaCha8Rng::seed_from_u64(0xDE_30);
    let mut sigkilled = 0;
    for round in 0..DEMO_ROUNDS {
        let sandbox = Sandbox::new();
        let mut demo = sandbox
            .command_at(
                crate::harness::AUG_10,
                &[
                    "demo",
                    "--seed",
                    "42",
                    "--quiet",
                    "--demo-database",
                    "sqlite://a.db",
                ],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the demo starts");
        // The kill is timed from the moment the database file exists, so it lands in the story.
        while !sandbox.file("a.db").exists()
            && demo
                .try_wait()
                .expect("the demo can be waited for")
                .is_none()
        {
            thread::sleep(POLL);
        }
        thread::sleep(delay(&mut rng, 0, 400));
        demo.kill().expect("SIGKILL is sent");
        let status = demo.wait().expect("the demo is reaped");
        assert!(
            status.signal() == Some(9) || status.code() == Some(0),
            "round {round}: {status:?}"
        );
        sigkilled += usize::from(status.signal() == Some(9));

        let check = sandbox
            .corridor(&["--database", "sqlite://a.db", "check"])
            .code(0);
        assert!(
            check.stdout().starts_with("ok:"),
            "round {round}: {}",
            check.stdout()
        );

        // Running the demo again over what the killed one left gives the reference database.
        sandbox
            .corridor(&[
                "demo",
                "--seed",
                "42",
                "--quiet",
                "--demo-database",
                "sqlite://a.db",
            ])
            .code(0);
        let rebuilt = dump_events_and_keys(&sandbox.url_of("a.db")).await;
        assert!(
            rebuilt == expected,
            "round {round}: the rerun after a kill differs from a clean run"
        );
    }
    assert!(
        sigkilled > 0,
        "the demo finished before every kill in {DEMO_ROUNDS} rounds"
    );
}
