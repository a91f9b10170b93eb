//! The crash harness for the server: `corridor serve` under concurrent writes through the API,
//! killed at random moments, restarted, and checked after every round.
//!
//! A round starts the server on the deployment's database, lets several clients write through
//! the API (proposals, then notice and request with `If-Match`) while a checkpointer signs
//! checkpoints with `corridor log checkpoint`, and kills everything with SIGKILL after a random
//! 50–300 ms of load. Then: every event the server acknowledged (a 2xx answer) is stored at the
//! sequence number, in the stream, of the kind and at the case version the answer named;
//! `corridor check` passes (projections equal a replay, one leaf per event, stored nodes give the
//! leaves' root); and the log is consistent with every checkpoint published before the kill
//! (its root at that size is the checkpoint's root; `corridor log verify --trusted` over HTTP
//! every few rounds).
//!
//! Variants: SQLite and PostgreSQL killed with SIGKILL; SQLite with a simulated power cut (the
//! `powercut.c` shim: every write after a file's last fsync is lost); PostgreSQL with its
//! connections terminated mid-request (503 `database_unavailable` or success, never a 500, and
//! the server recovers by itself); two servers on one PostgreSQL database (one global order, one
//! tree, consistent checkpoints).
//!
//! Rounds per variant: `CORRIDOR_CRASH_ROUNDS` (default 50); the seed: `CORRIDOR_CRASH_SEED`
//! (default: drawn and printed). A failing round is replayed by its seed, though where a kill
//! lands still depends on the machine's speed. The long run (docs/reliability.md):
//! `CORRIDOR_CRASH_ROUNDS=1000 cargo test --release -p corridor --test it crash_server -- --nocapture`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use corridor_log::Hash;
use corridor_log::checkpoint::parse_signed_checkpoint;
use corridor_log::tree::verify_consistency;
use corridor_store::testing::{TestDatabase, postgres_admin_url, postgres_skipped};
use corridor_store::{Backend, Store};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};
use sqlx::Connection as _;

use crate::harness::{AUG_10, Sandbox, US_RWA};

/// Rounds per variant unless `CORRIDOR_CRASH_ROUNDS` says otherwise.
const ROUNDS_DEFAULT: u64 = 50;
/// Rounds run on one database before a fresh one: the checks replay every stored event, so an
/// ever-growing database would make a long run quadratic.
const ROUNDS_PER_DATABASE: u64 = 50;
/// Clients writing at once.
const CLIENTS: u64 = 4;
/// The load before the kill: from this many milliseconds…
const LOAD_MS_MIN: u64 = 50;
/// …to this many more.
const LOAD_MS_SPREAD: u64 = 250;
/// `corridor log verify --trusted` over HTTP every this many rounds (and in the last round).
const HTTP_VERIFY_EVERY_ROUNDS: u64 = 10;
/// A request that takes longer than this is a hang, not a slow answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the checkpointer and its watcher look at a running checkpoint process.
const POLL: Duration = Duration::from_millis(2);
/// The sending officer the clients act as.
const OFFICER: &str = "officer.crash";
/// The first admin's password (`corridor init` reads it from the environment).
const ADMIN_PASSWORD: &str = "correct horse battery staple";

// ---------------------------------------------------------------------------------------------
// The variants.

#[test]
fn sqlite_server_killed_at_random_keeps_every_acknowledged_event() {
    // Proves a SIGKILLed server on SQLite loses and tears no acknowledged event, nor forks the log.
    crash_rounds(Backend::Sqlite, Fault::Kill);
}

#[test]
fn sqlite_power_cut_keeps_every_acknowledged_event() {
    // Proves a power cut (every write after its file's last fsync lost) loses no acknowledged event.
    crash_rounds(Backend::Sqlite, Fault::PowerCut);
}

#[test]
fn postgres_server_killed_at_random_keeps_every_acknowledged_event() {
    // Proves a SIGKILLed server on PostgreSQL loses and tears no acknowledged event, nor forks the log.
    if skip_postgres() {
        return;
    }
    crash_rounds(Backend::Postgres, Fault::Kill);
}

/// What ends a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// SIGKILL: the operating system keeps what the processes wrote.
    Kill,
    /// SIGKILL, then every file of the database goes back to what it held at its last sync.
    PowerCut,
    /// A power cut on a disk that ignores syncs: everything written in the round is lost. Only
    /// the harness's own test uses it, to show that the harness notices lost writes.
    PowerCutLyingDisk,
}

fn skip_postgres() -> bool {
    if postgres_skipped() {
        eprintln!("PostgreSQL left out (CORRIDOR_TEST_SKIP_POSTGRES=1)");
        return true;
    }
    false
}

fn rounds() -> u64 {
    match std::env::var("CORRIDOR_CRASH_ROUNDS") {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CORRIDOR_CRASH_ROUNDS=`{text}` is not a number")),
        Err(_) => ROUNDS_DEFAULT,
    }
}

fn seed() -> u64 {
    match std::env::var("CORRIDOR_CRASH_SEED") {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CORRIDOR_CRASH_SEED=`{text}` is not a number")),
        Err(_) => {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).expect("randomness for the seed");
            u64::from_le_bytes(bytes)
        }
    }
}

/// A random duration of `min_ms` up to `min_ms + spread_ms` milliseconds.
fn delay(rng: &mut ChaCha8Rng, min_ms: u64, spread_ms: u64) -> Duration {
    Duration::from_millis(min_ms + rng.next_u64() % spread_ms.max(1))
}

/// One runtime for the store checks of the whole test binary.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

/// What a variant did, for the summary it prints and the assertions that it did something.
#[derive(Debug, Default)]
struct Totals {
    rounds: u64,
    kills: u64,
    acknowledged_commands: u64,
    acknowledged_events: u64,
    unanswered: u64,
    checkpoints_published: u64,
    http_verifications: u64,
    stored_events: u64,
}

/// The RNG of one round.
fn round_rng(seed: u64, round: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ round.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn crash_rounds(backend: Backend, fault: Fault) {
    let rounds = rounds();
    let seed = seed();
    let label = format!("{backend:?}/{fault:?}");
    eprintln!("crash_server {label}: {rounds} rounds, seed {seed} (CORRIDOR_CRASH_SEED={seed})");
    let started = Instant::now();
    let mut totals = Totals::default();
    let mut first = 0;
    while first < rounds {
        let last = rounds.min(first + ROUNDS_PER_DATABASE);
        let deployment = Deployment::new(backend, fault);
        let mut record = Record::default();
        for round in first..last {
            let mut rng = round_rng(seed, round);
            let http_verify = round % HTTP_VERIFY_EVERY_ROUNDS == 0 || round + 1 == last;
            if let Err(problem) = deployment.round(&mut rng, http_verify, &mut record, &mut totals)
            {
                panic!(
                    "{label} round {round} (CORRIDOR_CRASH_SEED={seed}): {problem}\nserver log:\n{}",
                    deployment.server_log()
                );
            }
        }
        totals.stored_events += record.stored_events;
        deployment.remove();
        first = last;
    }
    eprintln!(
        "crash_server {label}: {} rounds in {:.1} s, {} kills; {} commands and {} events acknowledged, \
         all present after every later round; {} requests unanswered at the kill; {} checkpoints \
         published, all consistent; {} `log verify --trusted` over HTTP; {} events stored",
        totals.rounds,
        started.elapsed().as_secs_f64(),
        totals.kills,
        totals.acknowledged_commands,
        totals.acknowledged_events,
        totals.unanswered,
        totals.checkpoints_published,
        totals.http_verifications,
        totals.stored_events,
    );
    assert_eq!(totals.rounds, rounds);
    assert_eq!(totals.kills, rounds, "every round ends in a kill");
    if rounds > 0 {
        assert!(
            totals.acknowledged_events > 0,
            "no write was acknowledged in {rounds} rounds"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A deployment: a database, its keys, a token, and the `corridor` commands run on it.

/// A fresh deployment: `corridor init` on a new database, the US–Rwanda agreement loaded, a
/// sending officer with an API token.
struct Deployment {
    sandbox: Sandbox,
    url: String,
    database: Option<TestDatabase>,
    /// The power-cut shim and what it watches (SQLite only).
    powercut: Option<PowerCut>,
    token: String,
    log_key: String,
}

impl Deployment {
    fn new(backend: Backend, fault: Fault) -> Self {
        let sandbox = Sandbox::new();
        let (url, database) = match backend {
            Backend::Sqlite => {
                let dir = sandbox.file("db");
                std::fs::create_dir(&dir).expect("the database directory");
                (format!("sqlite://{}/corridor.db", dir.display()), None)
            }
            Backend::Postgres => {
                let database = runtime()
                    .block_on(TestDatabase::create(Backend::Postgres, "crash"))
                    .expect("a PostgreSQL test database (set CORRIDOR_TEST_SKIP_POSTGRES=1 to leave PostgreSQL out)");
                (database.url().to_owned(), Some(database))
            }
        };
        let powercut = (fault != Fault::Kill).then(|| {
            assert_eq!(
                backend,
                Backend::Sqlite,
                "the power cut is simulated for SQLite files"
            );
            PowerCut {
                dir: sandbox.file("db"),
                shim: shim(sandbox.path()),
                lying_disk: fault == Fault::PowerCutLyingDisk,
            }
        });
        let mut deployment = Self {
            sandbox,
            url,
            database,
            powercut,
            token: String::new(),
            log_key: String::new(),
        };
        let init = deployment
            .command(&["init", "--simulation"])
            .env("CORRIDOR_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .output()
            .expect("corridor init runs");
        succeeded(&init, "init");
        deployment.run(&["--as", "admin", "agreement", "load", US_RWA]);
        deployment.run(&[
            "user",
            "add",
            OFFICER,
            "--role",
            "sending_officer",
            "--state",
            "USA",
        ]);
        let token: Value = serde_json::from_str(
            &deployment.run(&["--json", "user", "token", OFFICER, "--scope", "*"]),
        )
        .expect("the token as JSON");
        deployment.token = token["token"].as_str().expect("a token").to_owned();
        deployment.log_key = deployment.run(&["log", "key"]).trim().to_owned();
        deployment
    }

    /// `corridor --database URL ARGS` in the sandbox, under the power-cut shim when there is one
    /// (every process that writes the database must be: a sync it makes is a sync).
    fn command(&self, args: &[&str]) -> Command {
        let mut full = vec!["--database", self.url.as_str()];
        full.extend_from_slice(args);
        let mut command = self.sandbox.command_at(AUG_10, &full);
        if let Some(powercut) = &self.powercut {
            command
                .env("LD_PRELOAD", &powercut.shim)
                .env("CORRIDOR_POWERCUT_DIR", &powercut.dir);
            if powercut.lying_disk {
                command.env("CORRIDOR_POWERCUT_IGNORE_SYNCS", "1");
            }
        }
        command
    }

    /// Runs `corridor ARGS`, which must succeed; returns what it printed.
    fn run(&self, args: &[&str]) -> String {
        let output = self.command(args).output().expect("corridor runs");
        succeeded(&output, &args.join(" "));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Starts `corridor serve` on a free port and waits until it listens.
    fn start_server(&self) -> Server {
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.sandbox.file("server.log"))
            .expect("the server log");
        let mut child = self
            .command(&[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--rate-limit-burst",
                "1000000",
                "--rate-limit-per-second",
                "1000000",
            ])
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("corridor serve starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("the server's stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the server's first line");
        let Some(base) = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .map(str::to_owned)
        else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the server did not start: {line:?}\n{}",
                std::fs::read_to_string(self.sandbox.file("server.log")).unwrap_or_default()
            );
        };
        Server {
            child,
            base,
            _stdout: stdout,
        }
    }

    /// One round: start the server, verify the log it serves against the last checkpoint
    /// published before the previous kill, load it with writes and checkpoints, kill it, and
    /// check what survived.
    fn round(
        &self,
        rng: &mut ChaCha8Rng,
        http_verify: bool,
        record: &mut Record,
        totals: &mut Totals,
    ) -> Result<(), String> {
        if let Some(powercut) = &self.powercut {
            // Between rounds the database was closed cleanly: all of it is on the disk.
            baseline(&powercut.dir);
        }
        let mut server = self.start_server();
        if http_verify && let Some(latest) = record.published.last() {
            self.verify_over_http(&server.base, &latest.text);
            totals.http_verifications += 1;
        }
        let control = Control::default();
        let checkpointer = Mutex::new(Checkpointer::default());
        let load = delay(rng, LOAD_MS_MIN, LOAD_MS_SPREAD);
        let client_seeds: Vec<u64> = (0..CLIENTS).map(|_| rng.next_u64()).collect();
        let checkpointer_seed = rng.next_u64();
        let base = server.base.clone();
        let (tallies, published) = thread::scope(|scope| {
            let clients: Vec<_> = client_seeds
                .iter()
                .map(|seed| {
                    let (base, token, control) = (&base, &self.token, &control);
                    scope.spawn(move || drive(base, token, *seed, control, Faults::Kill))
                })
                .collect();
            let signing =
                scope.spawn(|| self.checkpoint_until_cut(checkpointer_seed, &checkpointer));
            thread::sleep(load);
            // The cut: no checkpoint process survives it, none starts after it, and the
            // clients know a failed request from here on is the kill's doing.
            control.stop.store(true, Ordering::SeqCst);
            {
                let mut state = checkpointer.lock().expect("the checkpointer's state");
                state.cut = true;
                if let Some(child) = state.child.as_mut() {
                    let _ = child.kill();
                }
            }
            server.kill();
            let tallies: Vec<Tally> = clients
                .into_iter()
                .map(|client| client.join().expect("a client"))
                .collect();
            (tallies, signing.join().expect("the checkpointer"))
        });
        if let Some(powercut) = &self.powercut {
            power_cut(&powercut.dir);
        }
        totals.rounds += 1;
        totals.kills += 1;
        for tally in tallies {
            totals.acknowledged_commands += tally.heads.len() as u64;
            totals.acknowledged_events += tally.acks.len() as u64;
            totals.unanswered += tally.unanswered;
            record.absorb(tally);
        }
        for text in published {
            totals.checkpoints_published += 1;
            record.publish(text);
        }
        self.check(record)
    }

    /// What the servers wrote on standard error (errors only).
    fn server_log(&self) -> String {
        std::fs::read_to_string(self.sandbox.file("server.log")).unwrap_or_default()
    }

    /// `corridor log checkpoint` at random moments until the cut; returns the texts of the
    /// checkpoints published (the runs that exited 0 before the cut).
    fn checkpoint_until_cut(&self, seed: u64, state: &Mutex<Checkpointer>) -> Vec<String> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut published = Vec::new();
        loop {
            thread::sleep(delay(&mut rng, 0, 80));
            {
                let mut state = state.lock().expect("the checkpointer's state");
                if state.cut {
                    return published;
                }
                let child = self
                    .command(&["log", "checkpoint"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("corridor log checkpoint starts");
                state.child = Some(child);
            }
            let finished = loop {
                {
                    let mut state = state.lock().expect("the checkpointer's state");
                    let child = state.child.as_mut().expect("the running checkpoint");
                    if child
                        .try_wait()
                        .expect("the checkpoint can be waited for")
                        .is_some()
                    {
                        break state.child.take().expect("the running checkpoint");
                    }
                }
                thread::sleep(POLL);
            };
            let output = finished
                .wait_with_output()
                .expect("the checkpoint's output");
            if output.status.success() {
                published.push(String::from_utf8_lossy(&output.stdout).into_owned());
            } else {
                use std::os::unix::process::ExitStatusExt as _;
                assert_eq!(
                    output.status.signal(),
                    Some(9),
                    "`corridor log checkpoint` failed without being killed: {output:?}"
                );
            }
        }
    }

    /// `corridor log verify SERVER --key K --trusted CHECKPOINT`: the tiles the server serves
    /// authenticate against its checkpoint, which is consistent with the trusted one.
    fn verify_over_http(&self, base: &str, trusted: &str) {
        let path = self.sandbox.file("trusted.checkpoint");
        std::fs::write(&path, trusted).expect("the trusted checkpoint is written");
        let path = path.display().to_string();
        self.run(&[
            "log",
            "verify",
            base,
            "--key",
            &self.log_key,
            "--trusted",
            &path,
        ]);
    }

    /// After a kill: `corridor check`, every acknowledged event, every published checkpoint.
    fn check(&self, record: &mut Record) -> Result<(), String> {
        let output = self
            .command(&["--json", "check"])
            .output()
            .expect("corridor check runs");
        let report: Value = serde_json::from_slice(&output.stdout)
            .map_err(|error| format!("`corridor check` printed no JSON ({error}): {output:?}"))?;
        if !output.status.success() || report["ok"] != true {
            return Err(format!("`corridor check` found problems: {report}"));
        }
        runtime().block_on(async {
            let store = Store::open(&self.url, false)
                .await
                .map_err(|error| format!("the store does not open: {error}"))?;
            let checked = record.check(&store).await;
            store.close().await;
            checked
        })
    }

    /// Drops a PostgreSQL test database (an SQLite one goes with the sandbox).
    fn remove(self) {
        if let Some(database) = self.database {
            runtime()
                .block_on(database.remove())
                .expect("the test database is dropped");
        }
    }
}

fn succeeded(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "corridor {what} failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The power-cut shim and the directory it watches.
struct PowerCut {
    dir: PathBuf,
    shim: PathBuf,
    /// Syncs are ignored: nothing written during a round survives the cut.
    lying_disk: bool,
}

/// A running `corridor serve`; killed when dropped, so a failing test leaves no server behind.
struct Server {
    child: Child,
    base: String,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    /// SIGKILL, then reap: once this returns the server writes nothing more.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether it still runs.
    fn running(&mut self) -> bool {
        self.child
            .try_wait()
            .expect("the server can be waited for")
            .is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The checkpoint process running now, and whether the cut has come.
#[derive(Debug, Default)]
struct Checkpointer {
    child: Option<Child>,
    cut: bool,
}

// ---------------------------------------------------------------------------------------------
// What was acknowledged and published, and the checks against it.

/// One event an answer acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ack {
    seq: u64,
    stream: String,
    kind: String,
}

/// A case's version after an acknowledged command, and the sequence number of the last event
/// that command appended to it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Head {
    case: String,
    version: u64,
    seq: u64,
}

/// A published checkpoint.
#[derive(Debug, Clone)]
struct Published {
    size: u64,
    root: Hash,
    text: String,
}

/// Everything acknowledged and published on one database so far.
#[derive(Debug, Default)]
struct Record {
    acks: BTreeMap<u64, Ack>,
    heads: Vec<Head>,
    published: Vec<Published>,
    stored_events: u64,
}

impl Record {
    fn absorb(&mut self, tally: Tally) {
        for ack in tally.acks {
            if let Some(earlier) = self.acks.insert(ack.seq, ack.clone()) {
                panic!(
                    "sequence number {} acknowledged twice: {earlier:?} and {ack:?}",
                    ack.seq
                );
            }
        }
        self.heads.extend(tally.heads);
    }

    fn publish(&mut self, text: String) {
        let (_, body) = parse_signed_checkpoint(text.as_bytes()).unwrap_or_else(|error| {
            panic!("a published checkpoint does not parse ({error}): {text}")
        });
        self.published.push(Published {
            size: body.size(),
            root: *body.root(),
            text,
        });
        self.published.sort_by_key(|published| published.size);
    }

    /// Every acknowledged event is stored as acknowledged, the sequence numbers run 1..N with
    /// one leaf each, and the log extends every published checkpoint.
    async fn check(&mut self, store: &Store) -> Result<(), String> {
        let mut stored: BTreeMap<u64, (String, u64, String)> = BTreeMap::new();
        loop {
            let after = stored.last_key_value().map_or(0, |(seq, _)| *seq);
            let page = store
                .events(after, 10_000)
                .await
                .map_err(|error| format!("reading the events: {error}"))?;
            if page.is_empty() {
                break;
            }
            for event in page {
                let kind = event.event.body.kind().to_owned();
                stored.insert(event.seq, (event.stream, event.version, kind));
            }
        }
        let count = stored.len() as u64;
        if stored.keys().copied().ne(1..=count) {
            return Err(format!(
                "the sequence numbers are not 1..{count} without gaps"
            ));
        }
        for ack in self.acks.values() {
            match stored.get(&ack.seq) {
                Some((stream, _, kind)) if *stream == ack.stream && *kind == ack.kind => {}
                found => {
                    return Err(format!(
                        "LOST: acknowledged event {ack:?} is not stored as acknowledged (found {found:?})"
                    ));
                }
            }
        }
        for head in &self.heads {
            match stored.get(&head.seq) {
                Some((stream, version, _)) if *stream == head.case && *version == head.version => {}
                found => {
                    return Err(format!(
                        "LOST: acknowledged version {head:?} is not stored (found {found:?})"
                    ));
                }
            }
        }
        let (size, root) = store
            .tree_head()
            .await
            .map_err(|error| format!("the tree head: {error}"))?;
        if size != count {
            return Err(format!("the log holds {size} leaves for {count} events"));
        }
        for published in &self.published {
            if published.size > size {
                return Err(format!(
                    "the log went back to {size} leaves after a checkpoint of {} was published",
                    published.size
                ));
            }
            let at = store
                .root_at(published.size)
                .await
                .map_err(|error| format!("the root at {}: {error}", published.size))?;
            if at != published.root {
                return Err(format!(
                    "FORK: the log's root at {} is not the published checkpoint's",
                    published.size
                ));
            }
        }
        if let Some(latest) = self.published.last() {
            let proof = store
                .consistency_proof(latest.size, size)
                .await
                .map_err(|error| format!("a consistency proof: {error}"))?;
            verify_consistency(latest.size, size, &latest.root, &root, &proof).map_err(|error| {
                format!("FORK: the log is not consistent with the latest published checkpoint: {error}")
            })?;
        }
        self.stored_events = count;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The clients.

/// What one client saw.
#[derive(Debug, Default)]
struct Tally {
    acks: Vec<Ack>,
    heads: Vec<Head>,
    /// Requests the kill left without an answer.
    unanswered: u64,
    /// 503 `database_unavailable` answers.
    unavailable: u64,
    /// Case commands answered 503 that the next read showed had been applied after all.
    ambiguous: u64,
}

/// Which failures a client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Faults {
    /// Only the kill: once [`Control::stop`] is set, a request without an answer ends the client.
    Kill,
    /// The database's connections are being terminated: 503 `database_unavailable` is an
    /// answer; the server itself never goes away.
    DatabaseConnections,
}

/// When clients stop, shared by the clients of a round.
#[derive(Debug, Default)]
struct Control {
    /// Set at the kill, or when the load is over.
    stop: AtomicBool,
    /// Stop after this many acknowledged commands.
    commands_max: Option<u64>,
    /// Stop at this moment.
    deadline: Option<Instant>,
    /// 503 answers so far, across the clients.
    unavailable: AtomicU64,
}

impl Control {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.deadline.is_some_and(|at| Instant::now() >= at)
    }
}

/// The next step of a client's case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Notice,
    Request,
}

/// An answer: status, body.
struct Answer {
    status: u16,
    body: Value,
}

/// One client of the API, as the sending officer.
struct Client<'a> {
    agent: ureq::Agent,
    base: &'a str,
    authorization: String,
    control: &'a Control,
    faults: Faults,
    tally: Tally,
}

impl Client<'_> {
    /// Sends a request; `Err` when no answer came.
    fn send(
        &self,
        method: &str,
        path: &str,
        if_match: Option<u64>,
        body: Option<Value>,
    ) -> Result<Answer, String> {
        let url = format!("{}{path}", self.base);
        let mut response = if method == "GET" {
            self.agent
                .get(&url)
                .header("authorization", &self.authorization)
                .call()
        } else {
            let mut request = self
                .agent
                .post(&url)
                .header("authorization", &self.authorization);
            if let Some(version) = if_match {
                request = request.header("if-match", &format!("\"{version}\""));
            }
            match body {
                Some(body) => request
                    .header("content-type", "application/json")
                    .send(body.to_string()),
                None => request.send_empty(),
            }
        }
        .map_err(|error| format!("{method} {path}: {error}"))?;
        let status = response.status().as_u16();
        let bytes = response
            .body_mut()
            .read_to_vec()
            .map_err(|error| format!("{method} {path}: {error}"))?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer { status, body })
    }

    /// A request without an answer is the kill's doing, or a failure of the test.
    fn unanswered(&mut self, error: &str) {
        assert!(
            self.faults == Faults::Kill && self.control.stop.load(Ordering::SeqCst),
            "{error}: no answer, and the server was not killed"
        );
        self.tally.unanswered += 1;
    }

    /// A non-2xx answer is a failure of the test unless it is an unavailable database while
    /// faults are injected.
    fn failed(&mut self, what: &str, answer: &Answer) {
        let unavailable = answer.status == 503 && answer.body["code"] == "database_unavailable";
        assert!(
            self.faults == Faults::DatabaseConnections && unavailable,
            "{what}: answered {} {}",
            answer.status,
            answer.body
        );
        self.tally.unavailable += 1;
        self.control.unavailable.fetch_add(1, Ordering::SeqCst);
    }

    /// After a failed command on `case`: reads the case until the server answers and returns
    /// where it stands (`None`: done with it, or stopped before learning).
    fn refresh(&mut self, case: &str, version: u64) -> Option<(String, u64, Step)> {
        while !self.control.stopped() {
            let path = format!("/api/cases/{case}");
            let read = match self.send("GET", &path, None, None) {
                Ok(read) => read,
                Err(error) => {
                    self.unanswered(&error);
                    return None;
                }
            };
            if read.status != 200 {
                self.failed(&path, &read);
                thread::sleep(Duration::from_millis(5));
                continue;
            }
            let now = read.body["version"].as_u64().unwrap_or(0);
            if now != version {
                self.tally.ambiguous += 1;
            }
            return match read.body["status"].as_str() {
                Some("proposed") => Some((case.to_owned(), now, Step::Notice)),
                Some("noticed") => Some((case.to_owned(), now, Step::Request)),
                Some("requested") => None,
                other => panic!("{case} is {other:?}: {}", read.body),
            };
        }
        None
    }
}

/// Proposes cases and walks each through notice and request with `If-Match`, until `control`
/// says stop (or the server is killed).
fn drive(base: &str, token: &str, seed: u64, control: &Control, faults: Faults) -> Tally {
    let mut client = Client {
        agent: ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(REQUEST_TIMEOUT))
            .build()
            .new_agent(),
        base,
        authorization: format!("Bearer {token}"),
        control,
        faults,
        tally: Tally::default(),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut current: Option<(String, u64, Step)> = None;
    let mut person = 0u64;
    while !control.stopped()
        && control
            .commands_max
            .is_none_or(|max| (client.tally.heads.len() as u64) < max)
    {
        let (path, if_match, body) = match &current {
            None => {
                person += 1;
                (
                    "/api/agreements/us-rwa-2025/cases".to_owned(),
                    None,
                    Some(proposal(seed, person)),
                )
            }
            Some((case, version, Step::Notice)) => (
                format!("/api/cases/{case}/notice"),
                Some(*version),
                Some(
                    json!({"language": "es", "destination": "RWA", "on_person": true,
                    "on_counsel": false, "explains_how_to_contest": true}),
                ),
            ),
            Some((case, version, Step::Request)) => {
                (format!("/api/cases/{case}/request"), Some(*version), None)
            }
        };
        let answer = match client.send("POST", &path, if_match, body) {
            Ok(answer) => answer,
            Err(error) => {
                client.unanswered(&error);
                break;
            }
        };
        if !matches!(answer.status, 200 | 201) {
            client.failed(&path, &answer);
            // The command may have been applied all the same: learn where the case stands.
            current = match current.take() {
                None => None,
                Some((case, version, _)) => client.refresh(&case, version),
            };
            continue;
        }
        let (case, version) = acknowledge(&answer.body, &mut client.tally).unwrap_or_else(|| {
            panic!(
                "POST {path}: an answer without its events and case version: {}",
                answer.body
            )
        });
        current = match current.take().map(|(_, _, step)| step) {
            None => Some((case, version, Step::Notice)),
            Some(Step::Notice) => Some((case, version, Step::Request)),
            Some(Step::Request) => None,
        };
        // Now and then, read your write: the server shows at least what it acknowledged.
        if let Some((case, version, _)) = &current
            && rng.next_u64() % 4 == 0
        {
            let path = format!("/api/cases/{case}");
            match client.send("GET", &path, None, None) {
                Ok(read) if read.status == 200 => {
                    let seen = read.body["version"].as_u64().unwrap_or(0);
                    assert!(
                        seen >= *version,
                        "{case} read at version {seen} after version {version} was acknowledged"
                    );
                }
                Ok(read) => client.failed(&path, &read),
                Err(error) => {
                    client.unanswered(&error);
                    break;
                }
            }
        }
    }
    client.tally
}

/// Records an accepted command's events; returns the case and its version after the command.
fn acknowledge(body: &Value, tally: &mut Tally) -> Option<(String, u64)> {
    let case = body["case"]
        .as_str()
        .or_else(|| body["events"][0]["stream"].as_str())?
        .to_owned();
    let version = body["case_version"]
        .as_u64()
        .or_else(|| body["version"].as_u64())?;
    let mut last_of_case = None;
    for event in body["events"].as_array()? {
        let ack = Ack {
            seq: event["seq"].as_u64()?,
            stream: event["stream"].as_str()?.to_owned(),
            kind: event["type"].as_str()?.to_owned(),
        };
        if ack.stream == case {
            last_of_case = Some(ack.seq);
        }
        tally.acks.push(ack);
    }
    tally.heads.push(Head {
        case: case.clone(),
        version,
        seq: last_of_case?,
    });
    Some((case, version))
}

/// A synthetic adult from Venezuela, eligible under us-rwa-2025.
fn proposal(seed: u64, person: u64) -> Value {
    json!({
        "name": format!("Synthetic Person {seed:x}-{person}"),
        "birth_date": "1990-04-12",
        "nationality": "VEN",
        "sex": "male",
        "languages": ["es"],
        "legal_basis": "ina_241",
        "removal_ordered_on": "2025-03-03",
        "feared_countries": ["VEN"],
        "documents": ["synthetic passport X0000000"],
        "health": "synthetic health note",
    })
}

// ---------------------------------------------------------------------------------------------
// The power cut.

/// The shim, compiled from `powercut.c` into `dir` with the system's C compiler (`CC`, or
/// `cc`).
fn shim(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/powercut.c");
    let library = dir.join("powercut.so");
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let output = Command::new(&compiler)
        .args(["-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o"])
        .arg(&library)
        .arg(&source)
        .arg("-ldl")
        .output()
        .unwrap_or_else(|error| panic!("the C compiler `{compiler}` does not run: {error}"));
    assert!(
        output.status.success(),
        "powercut.c does not compile: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    library
}

fn is_shadow(name: &str) -> bool {
    name.contains(".synced")
}

/// Every file of the directory counts as synced: its content now is what a power cut keeps.
fn baseline(dir: &Path) {
    let names = file_names(dir);
    for name in names.iter().filter(|name| is_shadow(name)) {
        std::fs::remove_file(dir.join(name)).expect("an old shadow is removed");
    }
    for name in names.iter().filter(|name| !is_shadow(name)) {
        let path = dir.join(name);
        if name != "powercut.lock" && !name.ends_with("-shm") && path.is_file() {
            std::fs::copy(&path, dir.join(format!("{name}.synced"))).expect("the baseline copy");
        }
    }
}

/// The names of the files in a directory, read before any is added or removed.
fn file_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("the database directory")
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// The power cut, after every process that wrote the directory is dead: each file goes back to
/// what it held at its last sync, a file never synced goes, and SQLite's `-shm` index goes.
fn power_cut(dir: &Path) {
    let names = file_names(dir);
    for name in &names {
        let path = dir.join(name);
        if name == "powercut.lock" || is_shadow(name) {
            continue;
        }
        if !names.contains(&format!("{name}.synced")) {
            std::fs::remove_file(&path).expect("a file never synced is lost");
        }
    }
    for name in &names {
        let path = dir.join(name);
        if let Some(file) = name.strip_suffix(".synced") {
            std::fs::rename(&path, dir.join(file)).expect("a file goes back to its last sync");
        } else if is_shadow(name) {
            // A copy the cut interrupted: never renamed, never a sync that returned.
            std::fs::remove_file(&path).expect("an unfinished copy is removed");
        }
    }
}

#[test]
fn the_power_cut_keeps_exactly_what_was_synced() {
    // Proves the shim's model: what a file held at its last sync survives the cut, nothing else.
    let sandbox = Sandbox::new();
    let dir = sandbox.file("db");
    std::fs::create_dir(&dir).expect("the watched directory");
    let shim = shim(sandbox.path());
    let write = |name: &str, text: &str, flags: &[&str]| {
        let mut child = Command::new("dd")
            .arg(format!("of={}", dir.join(name).display()))
            .arg("status=none")
            .args(flags)
            .env("LD_PRELOAD", &shim)
            .env("CORRIDOR_POWERCUT_DIR", &dir)
            .stdin(Stdio::piped())
            .spawn()
            .expect("dd runs");
        std::io::Write::write_all(
            &mut child.stdin.take().expect("dd's stdin"),
            text.as_bytes(),
        )
        .expect("dd reads");
        assert!(
            child.wait().expect("dd ends").success(),
            "dd {name} {flags:?}"
        );
    };
    write("synced", "kept\n", &["conv=fsync"]);
    write("synced", "lost\n", &["oflag=append", "conv=notrunc"]);
    write("data-synced", "kept too\n", &["conv=fdatasync"]);
    write("never-synced", "lost\n", &[]);
    write("index-shm", "rebuilt\n", &["conv=fsync"]);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    assert_eq!(
        read("synced").as_deref(),
        Some("kept\nlost\n"),
        "before the cut"
    );
    power_cut(&dir);
    assert_eq!(read("synced").as_deref(), Some("kept\n"));
    assert_eq!(read("data-synced").as_deref(), Some("kept too\n"));
    assert_eq!(read("never-synced"), None);
    assert_eq!(read("index-shm"), None);
    let mut left = file_names(&dir);
    left.sort();
    assert_eq!(left, ["data-synced", "powercut.lock", "synced"]);
}

#[test]
fn the_harness_reports_acknowledged_writes_a_lying_disk_lost() {
    // Proves the harness can fail: a power cut on a disk that ignores syncs is reported as LOST.
    let seed = seed();
    let deployment = Deployment::new(Backend::Sqlite, Fault::PowerCutLyingDisk);
    let mut record = Record::default();
    let mut totals = Totals::default();
    for round in 0..5 {
        match deployment.round(&mut round_rng(seed, round), false, &mut record, &mut totals) {
            Ok(()) => assert_eq!(
                totals.acknowledged_events, 0,
                "acknowledged events survived a disk that ignores syncs"
            ),
            Err(problem) => {
                assert!(problem.starts_with("LOST"), "{problem}");
                return;
            }
        }
    }
    panic!("nothing was acknowledged in 5 rounds (CORRIDOR_CRASH_SEED={seed})");
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: connections terminated under load, and two servers on one database.

/// The name of a PostgreSQL test database, from its URL.
fn database_name(url: &str) -> String {
    url.rsplit('/').next().unwrap_or_default().to_owned()
}

/// Terminates every connection to `database` but its own, at random moments, until `stop`;
/// returns how many it terminated.
fn terminate_connections(database: &str, seed: u64, stop: &AtomicBool) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    runtime().block_on(async {
        let mut admin = sqlx::PgConnection::connect(&postgres_admin_url())
            .await
            .expect("an admin connection to PostgreSQL");
        let mut terminated = 0u64;
        while !stop.load(Ordering::SeqCst) {
            tokio::time::sleep(delay(&mut rng, 5, 60)).await;
            let rows = sqlx::query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
            )
            .bind(database)
            .fetch_all(&mut admin)
            .await
            .expect("pg_terminate_backend runs");
            terminated += rows.len() as u64;
        }
        let _ = admin.close().await;
        terminated
    })
}

#[test]
fn postgres_connections_terminated_mid_request_give_503_and_the_server_recovers() {
    // Proves killed PostgreSQL connections give 503 or success, never 500 or a torn event; the server recovers.
    if skip_postgres() {
        return;
    }
    /// Terminate connections at least this long…
    const FAULTS_MIN: Duration = Duration::from_secs(4);
    /// …and longer, up to [`FAULTS_MAX`], until this many requests met a terminated connection.
    const UNAVAILABLE_ENOUGH: u64 = 20;
    const FAULTS_MAX: Duration = Duration::from_secs(20);
    /// After the faults, this many commands in a row must succeed…
    const RECOVERY_COMMANDS: u64 = 20;
    /// …within this long.
    const RECOVERY_MAX: Duration = Duration::from_secs(10);
    let seed = seed();
    eprintln!("crash_server Postgres/terminate: seed {seed} (CORRIDOR_CRASH_SEED={seed})");
    let deployment = Deployment::new(Backend::Postgres, Fault::Kill);
    let database = database_name(&deployment.url);
    let mut server = deployment.start_server();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let control = Control::default();
    let stop_faults = AtomicBool::new(false);
    let client_seeds: Vec<u64> = (0..CLIENTS).map(|_| rng.next_u64()).collect();
    let fault_seed = rng.next_u64();
    let started = Instant::now();
    let (mut tallies, terminated) = thread::scope(|scope| {
        let clients: Vec<_> = client_seeds
            .iter()
            .map(|seed| {
                let (base, token, control) = (&server.base, &deployment.token, &control);
                scope.spawn(move || drive(base, token, *seed, control, Faults::DatabaseConnections))
            })
            .collect();
        let faults = scope.spawn(|| terminate_connections(&database, fault_seed, &stop_faults));
        while started.elapsed() < FAULTS_MIN
            || (control.unavailable.load(Ordering::SeqCst) < UNAVAILABLE_ENOUGH
                && started.elapsed() < FAULTS_MAX)
        {
            thread::sleep(Duration::from_millis(50));
        }
        stop_faults.store(true, Ordering::SeqCst);
        let terminated = faults.join().expect("the terminator");
        control.stop.store(true, Ordering::SeqCst);
        let tallies: Vec<Tally> = clients
            .into_iter()
            .map(|client| client.join().expect("a client"))
            .collect();
        (tallies, terminated)
    });
    let faulted_for = started.elapsed();
    assert!(
        server.running(),
        "the server died while its connections were terminated"
    );
    // Recovery, on the same server: commands succeed again.
    let recovery = Control {
        commands_max: Some(RECOVERY_COMMANDS),
        deadline: Some(Instant::now() + RECOVERY_MAX),
        ..Control::default()
    };
    let recovering = Instant::now();
    let after = drive(
        &server.base,
        &deployment.token,
        seed,
        &recovery,
        Faults::DatabaseConnections,
    );
    let recovered_in = recovering.elapsed();
    assert_eq!(
        after.heads.len() as u64,
        RECOVERY_COMMANDS,
        "the server did not recover: {} commands acknowledged in {RECOVERY_MAX:?} after the faults ({} answers 503)",
        after.heads.len(),
        after.unavailable
    );
    tallies.push(after);
    server.kill();
    let mut record = Record::default();
    let (mut unavailable, mut ambiguous) = (0, 0);
    for tally in tallies {
        unavailable += tally.unavailable;
        ambiguous += tally.ambiguous;
        record.absorb(tally);
    }
    if let Err(problem) = deployment.check(&mut record) {
        panic!(
            "after the faults: {problem}\nserver log:\n{}",
            deployment.server_log()
        );
    }
    eprintln!(
        "crash_server Postgres/terminate: {terminated} connections terminated over {:.1} s; {} events \
         acknowledged, all present; {unavailable} answers 503 database_unavailable ({ambiguous} \
         commands applied all the same), none 500; {RECOVERY_COMMANDS} commands in {:.0} ms after \
         the last fault; {} events stored, `corridor check` clean",
        faulted_for.as_secs_f64(),
        record.acks.len(),
        recovered_in.as_secs_f64() * 1000.0,
        record.stored_events
    );
    assert!(terminated > 0, "no connection was terminated");
    assert!(unavailable > 0, "no request met a terminated connection");
    deployment.remove();
}

#[test]
fn two_servers_on_one_postgres_database_keep_one_order_and_one_tree() {
    // Proves two servers on one PostgreSQL database keep one order, one tree, and consistent checkpoints.
    if skip_postgres() {
        return;
    }
    const LOAD: Duration = Duration::from_secs(3);
    const CLIENTS_PER_SERVER: u64 = 3;
    let seed = seed();
    eprintln!("crash_server Postgres/two servers: seed {seed} (CORRIDOR_CRASH_SEED={seed})");
    let deployment = Deployment::new(Backend::Postgres, Fault::Kill);
    let servers = [deployment.start_server(), deployment.start_server()];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let control = Control::default();
    let checkpointers = [
        Mutex::new(Checkpointer::default()),
        Mutex::new(Checkpointer::default()),
    ];
    let client_seeds: Vec<(usize, u64)> = (0..2)
        .flat_map(|server| (0..CLIENTS_PER_SERVER).map(move |_| server))
        .map(|server| (server, rng.next_u64()))
        .collect();
    let checkpointer_seeds = [rng.next_u64(), rng.next_u64()];
    let (tallies, published) = thread::scope(|scope| {
        let clients: Vec<_> = client_seeds
            .iter()
            .map(|(server, seed)| {
                let base = &servers.get(*server).expect("a server").base;
                let (token, control) = (&deployment.token, &control);
                scope.spawn(move || (*server, drive(base, token, *seed, control, Faults::Kill)))
            })
            .collect();
        let signing: Vec<_> = checkpointers
            .iter()
            .zip(checkpointer_seeds)
            .map(|(state, seed)| {
                let deployment = &deployment;
                scope.spawn(move || deployment.checkpoint_until_cut(seed, state))
            })
            .collect();
        thread::sleep(LOAD);
        // The end of the load, not a kill: running checkpoints finish and count.
        for state in &checkpointers {
            state.lock().expect("the checkpointer's state").cut = true;
        }
        control.stop.store(true, Ordering::SeqCst);
        let tallies: Vec<(usize, Tally)> = clients
            .into_iter()
            .map(|client| client.join().expect("a client"))
            .collect();
        let published: Vec<Vec<String>> = signing
            .into_iter()
            .map(|signer| signer.join().expect("a checkpointer"))
            .collect();
        (tallies, published)
    });
    let mut record = Record::default();
    let mut by_server = [0u64; 2];
    for (server, tally) in tallies {
        if let Some(count) = by_server.get_mut(server) {
            *count += tally.heads.len() as u64;
        }
        record.absorb(tally);
    }
    assert!(
        by_server.iter().all(|count| *count > 0),
        "each server must have acknowledged writes: {by_server:?}"
    );
    let mut texts: Vec<Vec<String>> = published;
    for texts in &texts {
        assert!(
            !texts.is_empty(),
            "each checkpointer must have published a checkpoint"
        );
    }
    // The last checkpoint covers everything; both servers serve it, and the tiles each serves
    // authenticate against it and prove it consistent with a checkpoint the other side made.
    let last = deployment.run(&["log", "checkpoint"]);
    for (server, others) in servers.iter().zip(texts.iter().rev()) {
        let served = ureq::get(&format!("{}/checkpoint", server.base))
            .call()
            .expect("the checkpoint is served")
            .body_mut()
            .read_to_string()
            .expect("the checkpoint's text");
        assert_eq!(served, last, "{} serves another checkpoint", server.base);
        for trusted in [others.first(), others.last()].into_iter().flatten() {
            deployment.verify_over_http(&server.base, trusted);
        }
    }
    texts.push(vec![last]);
    for text in texts.into_iter().flatten() {
        record.publish(text);
    }
    // Every published checkpoint, from either checkpointer, extends the one before it: the
    // consistency proofs between neighbours, by size, verify (so every pair is consistent).
    let (count, pairs) = runtime().block_on(async {
        let store = Store::open(&deployment.url, false)
            .await
            .expect("the store opens");
        let mut pairs = 0;
        for pair in record.published.windows(2) {
            let [old, new] = pair else { continue };
            let proof = store
                .consistency_proof(old.size, new.size)
                .await
                .expect("a consistency proof");
            verify_consistency(old.size, new.size, &old.root, &new.root, &proof).unwrap_or_else(
                |error| {
                    panic!(
                        "checkpoints of sizes {} and {} are not consistent: {error}",
                        old.size, new.size
                    )
                },
            );
            pairs += 1;
        }
        let count = store.event_count().await.expect("the event count");
        store.close().await;
        (count, pairs)
    });
    if let Err(problem) = deployment.check(&mut record) {
        panic!(
            "two servers: {problem}\nserver log:\n{}",
            deployment.server_log()
        );
    }
    eprintln!(
        "crash_server Postgres/two servers: {} commands acknowledged (by server: {by_server:?}), {} events \
         acknowledged, all present; {count} events stored with sequence numbers 1..{count}, one leaf \
         each; {} checkpoints, {pairs} neighbouring pairs proved consistent",
        by_server.iter().sum::<u64>(),
        record.acks.len(),
        record.published.len()
    );
    drop(servers);
    deployment.remove();
}
