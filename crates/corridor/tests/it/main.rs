//! The `corridor` binary's integration tests: one binary, one module per concern.
//!
//! Every test gets its own temporary directory ([`harness::Sandbox`]) and runs the real `corridor` binary
//! there, with a fixed clock (`CORRIDOR_NOW`) and none of the caller's `CORRIDOR_*` settings. Its
//! databases are simulations (`corridor init --simulation`), the only kind whose clock may be
//! fixed; a test of a real deployment runs the binary without `CORRIDOR_NOW`
//! ([`harness::Sandbox::corridor_real`]).
//! Storage-level tests open the same SQLite files through `corridor_store::Store` and sqlx.
//!
//! The harness and every module are `#[cfg(test)]` so that clippy holds them to the rules for
//! tests (`allow-expect-in-tests` and friends in `clippy.toml`), as in the domain's test binary.

#[cfg(test)]
mod browser;
#[cfg(test)]
mod cli;
#[cfg(test)]
mod config;
#[cfg(test)]
mod crash;
#[cfg(test)]
mod crash_server;
#[cfg(test)]
mod db;
#[cfg(test)]
mod demo;
#[cfg(test)]
mod deployment;
#[cfg(test)]
mod log;
#[cfg(test)]
mod remote;
#[cfg(test)]
mod statistics;
#[cfg(test)]
mod store;
#[cfg(test)]
mod tidy;
#[cfg(test)]
mod tour;
#[cfg(test)]
mod user;
#[cfg(test)]
mod witness;

/// The harness: a sandbox per test, the binary as a command, and typed helpers.
#[cfg(test)]
pub mod harness {
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output, Stdio};

    use corridor_store::Store;
    use serde_json::Value;
    use sqlx::{AssertSqlSafe, Row as _};

    /// The binary under test.
    pub const BIN: &str = env!("CARGO_BIN_EXE_corridor");

    pub use corridor_testkit::{AUG_10, US_RWA};

    /// Every environment variable the binary reads; tests set what they need and nothing leaks in.
    pub const CORRIDOR_ENV: [&str; 14] = [
        "CORRIDOR_ADMIN_PASSWORD",
        "CORRIDOR_CONFIG",
        "CORRIDOR_SERVER",
        "CORRIDOR_TOKEN",
        "CORRIDOR_TOKEN_FILE",
        "CORRIDOR_DATABASE",
        "CORRIDOR_USER",
        "CORRIDOR_USERS",
        "CORRIDOR_KEY_FILE",
        "CORRIDOR_MASTER_KEY",
        "CORRIDOR_NOW",
        "CORRIDOR_CLOCK_SKEW_SECONDS",
        "CORRIDOR_LOG",
        "RUST_LOG",
    ];

    /// A temporary working directory for one test, and the clock its commands run at.
    #[derive(Debug)]
    pub struct Sandbox {
        dir: tempfile::TempDir,
        now: String,
    }

    impl Sandbox {
        /// A fresh, empty directory; commands run at [`AUG_10`] until told otherwise.
        pub fn new() -> Self {
            let dir = tempfile::Builder::new()
                .prefix("corridor-it-")
                .tempdir()
                .expect("a temporary directory");
            Self {
                dir,
                now: AUG_10.to_owned(),
            }
        }

        /// The directory.
        pub fn path(&self) -> &Path {
            self.dir.path()
        }

        /// A file in the directory.
        pub fn file(&self, name: &str) -> PathBuf {
            self.dir.path().join(name)
        }

        /// The default database's URL, absolute, for opening it from the test process.
        pub fn database_url(&self) -> String {
            self.url_of("corridor.db")
        }

        /// The URL of an SQLite file in the directory.
        pub fn url_of(&self, name: &str) -> String {
            format!("sqlite://{}", self.file(name).display())
        }

        /// Sets the clock for the commands that follow.
        pub fn set_now(&mut self, now: &str) {
            self.now = now.to_owned();
        }

        /// The `corridor` command with this directory as its working directory and a clean
        /// environment, the clock fixed at `now`.
        pub fn command_at(&self, now: &str, args: &[&str]) -> Command {
            let mut command = Command::new(BIN);
            command
                .current_dir(self.path())
                .args(args)
                .stdin(Stdio::null());
            for name in CORRIDOR_ENV {
                command.env_remove(name);
            }
            command.env("CORRIDOR_NOW", now);
            command
        }

        /// The `corridor` command as a real deployment runs it: the same clean environment,
        /// without `CORRIDOR_NOW` (the system clock).
        pub fn real_command(&self, args: &[&str]) -> Command {
            let mut command = self.command_at("", args);
            command.env_remove("CORRIDOR_NOW");
            command
        }

        /// Runs `corridor ARGS` as a real deployment would ([`Sandbox::real_command`]).
        pub fn corridor_real(&self, args: &[&str]) -> Run {
            Run::of(args, self.real_command(args))
        }

        /// Runs `corridor ARGS` at the sandbox's clock.
        pub fn corridor(&self, args: &[&str]) -> Run {
            self.corridor_at(&self.now, args)
        }

        /// Runs `corridor ARGS` at `now`.
        pub fn corridor_at(&self, now: &str, args: &[&str]) -> Run {
            Run::of(args, self.command_at(now, args))
        }

        /// `corridor --json --as USER ARGS`, expecting exit status `code`; returns the JSON printed.
        pub fn json_as(&self, user: &str, code: i32, args: &[&str]) -> Value {
            let mut full = vec!["--json", "--as", user];
            full.extend_from_slice(args);
            self.corridor(&full).code(code).json()
        }

        /// `corridor init --simulation ARGS`: every test database is a simulation, where the
        /// clock may be fixed and `--as` takes bare names, unless a test asks for a real one
        /// ([`Sandbox::real_command`]).
        pub fn init(&self, extra: &[&str]) -> Run {
            let mut args = vec!["init", "--simulation"];
            args.extend_from_slice(extra);
            self.corridor(&args)
        }

        /// `corridor init --simulation --example-users`, then loads the US–Rwanda agreement as
        /// `admin`.
        pub fn init_with_us_rwa(&self) {
            self.init(&["--example-users"]).code(0);
            self.load_us_rwa();
        }

        /// Loads the shipped US–Rwanda agreement as `admin`.
        pub fn load_us_rwa(&self) {
            let loaded = self.json_as("admin", 0, &["agreement", "load", US_RWA]);
            assert_eq!(loaded["outcome"], "accepted", "{loaded}");
        }

        /// Proposes a synthetic Venezuelan adult under us-rwa-2025 as `user`, with counsel.fay as
        /// counsel, and returns the new case id.
        pub fn propose(&self, user: &str, name: &str) -> String {
            self.propose_with(user, name, &["--counsel", "counsel.fay"])
        }

        /// Proposes a synthetic person with extra flags and returns the case id.
        pub fn propose_with(&self, user: &str, name: &str, extra: &[&str]) -> String {
            let mut args = propose_args(name);
            args.extend_from_slice(extra);
            let proposed = self.json_as(user, 0, &args);
            accepted_case(&proposed).unwrap_or_else(|| panic!("no case id in {proposed}"))
        }

        /// Walks a proposed `case` through the happy path up to and including the step named `step_name`
        /// (the status it leaves, or `supervisor_approved`), each step at its own moment under the
        /// US–Rwanda terms (24 hours' notice lead time). Returns the last step's JSON.
        pub fn walk(&self, case: &str, step_name: &str) -> Value {
            for step in HAPPY_PATH {
                let mut args = vec!["--json", "--as", step.user];
                args.extend(step.args.iter().copied());
                args.push(case);
                let run = self.corridor_at(step.at, &args);
                let last = run.code(0).json();
                assert_eq!(last["outcome"], "accepted", "{}: {last}", step.name);
                if step.name == step_name {
                    return last;
                }
            }
            panic!("`{step_name}` is not a step of the happy path");
        }

        /// The number of stored events, through `corridor check --json` (which must pass).
        ///
        /// Access records are left out: every decision of the policies is one (reads and
        /// refusals included), so "nothing was recorded" means no agreement, case or hold event.
        /// [`Sandbox::access_record_count`] counts them.
        pub fn event_count(&self) -> u64 {
            let report = self.corridor(&["--json", "check"]).code(0).json();
            assert_eq!(report["ok"], true, "{report}");
            let events = report["events"].as_u64().expect("a count of events");
            events - self.access_record_count()
        }

        /// The number of stored access records, read from the default database. Usable from
        /// synchronous and asynchronous tests alike: it runs on a thread of its own.
        pub fn access_record_count(&self) -> u64 {
            let url = self.database_url();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                runtime.block_on(async {
                    let store = Store::open(&url, false).await.expect("the store opens");
                    // Both layouts: JSON rows (before schema version 8) and compact records.
                    let row = sqlx::query(
                        "SELECT (SELECT COUNT(*) FROM events WHERE kind = 'access_recorded') \
                         + (SELECT COUNT(*) FROM access_records) AS n",
                    )
                    .fetch_one(store.pool())
                    .await
                    .expect("a count of access records");
                    let count: i64 = row.try_get("n").expect("a count");
                    store.close().await;
                    u64::try_from(count).expect("a non-negative count")
                })
            })
            .join()
            .expect("the counting thread")
        }

        /// Opens the default database with the store, as the binary does.
        pub async fn store(&self) -> Store {
            Store::open(&self.database_url(), false)
                .await
                .expect("the store opens")
        }
    }

    impl Default for Sandbox {
        fn default() -> Self {
            Self::new()
        }
    }

    /// One step of the happy path: who, what, when, and its name (the status it leaves the case in,
    /// except the supervisor's approval, which changes no status).
    #[derive(Debug)]
    pub struct Step {
        /// Who acts.
        pub user: &'static str,
        /// The command, without the case id (appended last).
        pub args: &'static [&'static str],
        /// When (`CORRIDOR_NOW`).
        pub at: &'static str,
        /// The step's name.
        pub name: &'static str,
    }

    /// The US–Rwanda happy path after proposal, at 2025-08-10T09:00Z and later. Departure is
    /// scheduled 25 hours after notice (lead time 24 hours) and recorded after it.
    pub const HAPPY_PATH: [Step; 7] = [
        Step {
            user: "officer.ada",
            args: &[
                "case",
                "notice",
                "--language",
                "es",
                "--destination",
                "RWA",
                "--on-person",
                "--on-counsel",
                "--explains-contest",
            ],
            at: "2025-08-10T09:00:00Z",
            name: "noticed",
        },
        Step {
            user: "officer.ada",
            args: &["case", "request"],
            at: "2025-08-10T09:30:00Z",
            name: "requested",
        },
        Step {
            user: "receiver.dee",
            args: &["case", "approve"],
            at: "2025-08-10T10:00:00Z",
            name: "accepted",
        },
        Step {
            user: "supervisor.ben",
            args: &["case", "approve"],
            at: "2025-08-10T10:30:00Z",
            name: "supervisor_approved",
        },
        Step {
            user: "officer.ada",
            args: &["case", "schedule", "--departure", "2025-08-11T10:00:00Z"],
            at: "2025-08-10T11:00:00Z",
            name: "scheduled",
        },
        Step {
            user: "officer.ada",
            args: &["case", "depart"],
            at: "2025-08-11T10:05:00Z",
            name: "in_transit",
        },
        Step {
            user: "receiver.dee",
            args: &["case", "arrive"],
            at: "2025-08-11T18:00:00Z",
            name: "arrived",
        },
    ];

    /// The arguments of `case propose` for a synthetic Venezuelan adult under us-rwa-2025 who speaks
    /// Spanish, fears Venezuela and has health notes (which the receiving state may not see).
    pub fn propose_args(name: &str) -> Vec<&str> {
        vec![
            "case",
            "propose",
            "--agreement",
            "us-rwa-2025",
            "--name",
            name,
            "--birth-date",
            "1990-04-12",
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
            "--feared",
            "VEN",
            "--health",
            "synthetic health note",
            "--document",
            "synthetic passport X0000000",
        ]
    }

    /// The case id of an accepted proposal's JSON, if it is one.
    pub fn accepted_case(json: &Value) -> Option<String> {
        if json["outcome"] != "accepted" {
            return None;
        }
        json["events"]
            .as_array()?
            .iter()
            .find(|event| event["type"] == "case_proposed")
            .and_then(|event| event["case"].as_str())
            .map(str::to_owned)
    }

    /// A finished `corridor` run.
    #[derive(Debug)]
    pub struct Run {
        args: Vec<String>,
        output: Output,
    }

    impl Run {
        /// Runs `command` (the binary with `args`) to completion.
        pub fn of(args: &[&str], mut command: Command) -> Self {
            let output = command.output().expect("the corridor binary runs");
            Self {
                args: args.iter().map(|arg| (*arg).to_owned()).collect(),
                output,
            }
        }

        /// Asserts the exit status.
        #[track_caller]
        pub fn code(self, expected: i32) -> Self {
            assert_eq!(
                self.output.status.code(),
                Some(expected),
                "corridor {:?} exited with {:?}\nstdout:\n{}\nstderr:\n{}",
                self.args,
                self.output.status,
                self.stdout(),
                self.stderr()
            );
            self
        }

        /// Standard output.
        pub fn stdout(&self) -> String {
            String::from_utf8_lossy(&self.output.stdout).into_owned()
        }

        /// Standard error.
        pub fn stderr(&self) -> String {
            String::from_utf8_lossy(&self.output.stderr).into_owned()
        }

        /// Standard output as one JSON value.
        #[track_caller]
        pub fn json(self) -> Value {
            serde_json::from_slice(&self.output.stdout).unwrap_or_else(|error| {
                panic!(
                    "corridor {:?} printed no JSON ({error}):\n{}",
                    self.args,
                    self.stdout()
                )
            })
        }
    }

    /// Every row of `table` with every column, each rendered by SQLite's `quote()` (so blobs,
    /// integers, text and NULL all compare exactly), in `order_by` order.
    pub async fn dump_table(store: &Store, table: &str, order_by: &str) -> Vec<Vec<String>> {
        let columns: Vec<String> = sqlx::query(AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        )))
        .fetch_all(store.pool())
        .await
        .expect("the table's columns")
        .iter()
        .map(|row| row.try_get::<String, _>("name").expect("a column name"))
        .collect();
        assert!(!columns.is_empty(), "table {table} has no columns");
        let select: Vec<String> = columns
            .iter()
            .map(|column| format!("quote(\"{column}\")"))
            .collect();
        let sql = format!(
            "SELECT {} FROM {table} ORDER BY {order_by}",
            select.join(", ")
        );
        sqlx::query(AssertSqlSafe(sql))
            .fetch_all(store.pool())
            .await
            .expect("the table's rows")
            .iter()
            .map(|row| {
                (0..columns.len())
                    .map(|index| row.try_get::<String, _>(index).expect("a quoted value"))
                    .collect()
            })
            .collect()
    }

    /// The `events` and `case_keys` tables of the SQLite database at `url`, every column of every row.
    pub async fn dump_events_and_keys(url: &str) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
        let store = Store::open(url, false).await.expect("the database opens");
        let events = dump_table(&store, "events", "seq").await;
        let keys = dump_table(&store, "case_keys", "case_id").await;
        store.close().await;
        (events, keys)
    }
}
