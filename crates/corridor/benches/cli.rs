//! How long a one-off command of the `corridor` binary takes, from the shell's point of view
//! (issue 18, point 4). Run with `cargo bench -p corridor --bench cli`.
//!
//! It builds the release binary (cargo builds it for the bench), plays `corridor demo --quiet`
//! once in a fresh directory, then runs, in rounds, each of: the process floor (`/bin/true`),
//! `corridor --version` (the binary's own floor: clap, no database), `corridor --as officer.ada
//! case list` (a read: the policies decide it and its access record is committed durably before
//! the answer) and `corridor --as officer.ada case propose …` (a write: a sealed proposal, its
//! event and log leaf committed durably). Each round runs every command once, so a change in the
//! machine's load touches every command alike. It prints p50, p90, min and max wall time per
//! command (spawn to exit, output discarded) and the CPU time the commands used, read from
//! `/proc/self/stat` (children's user + system time, which other processes change much less
//! than the wall time), and the load average before and after.
//!
//! Knobs: `CORRIDOR_BENCH_CLI_RUNS` (runs per command after 3 warm-up runs; default 30) and
//! `CORRIDOR_BENCH_CLI_BIN` (another `corridor` binary to time, e.g. a copy of an earlier build,
//! instead of the one cargo built). Nothing here is a test: no time is asserted.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

/// Warm-up runs per command before the measured ones (page cache, the binary mapped).
const WARM_UP_RUNS: usize = 3;

/// The moment the commands run at: after the demo's last step, as in the README's tour.
const NOW: &str = "2026-10-05T09:00:00Z";

/// Every environment variable the binary reads (the integration tests' list): none leaks in.
const CORRIDOR_ENV: [&str; 14] = [
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

/// The read: the officer's page of cases.
const CASE_LIST: &[&str] = &["--as", "officer.ada", "case", "list"];

/// The write: the README tour's proposal (synthetic person).
const CASE_PROPOSE: &[&str] = &[
    "--as",
    "officer.ada",
    "case",
    "propose",
    "--agreement",
    "us-rwa-2025",
    "--name",
    "Sample Person",
    "--birth-date",
    "1990-04-12",
    "--nationality",
    "IRQ",
    "--sex",
    "female",
    "--language",
    "ar",
    "--language",
    "en",
    "--legal-basis",
    "ina_241",
    "--removal-ordered-on",
    "2025-03-03",
    "--feared",
    "IRQ",
    "--counsel",
    "counsel.fay",
];

/// One command to time.
struct Timed {
    label: &'static str,
    program: PathBuf,
    args: &'static [&'static str],
    walls: Vec<Duration>,
    cpu_ticks: u64,
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The `corridor` command in `directory`, with a clean environment and the fixed clock.
fn corridor(program: &Path, directory: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).current_dir(directory);
    for name in CORRIDOR_ENV {
        command.env_remove(name);
    }
    command.env("CORRIDOR_NOW", NOW);
    command
}

/// The CPU time (user + system, in clock ticks) of this process's waited-for children.
fn children_cpu_ticks() -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").context("read /proc/self/stat")?;
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis
    // start at field 3. cutime and cstime are fields 16 and 17.
    let (_, rest) = stat
        .rsplit_once(')')
        .context("/proc/self/stat has no command name")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |number: usize| -> anyhow::Result<u64> {
        fields
            .get(number - 3)
            .context("/proc/self/stat is short")?
            .parse::<u64>()
            .context("/proc/self/stat field")
    };
    Ok(field(16)? + field(17)?)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Runs `timed` once in `directory`; its wall time, or why it failed.
fn run_once(timed: &Timed, directory: &Path) -> anyhow::Result<Duration> {
    let mut command = if timed.program.ends_with("corridor") {
        corridor(&timed.program, directory, timed.args)
    } else {
        let mut command = Command::new(&timed.program);
        command.args(timed.args).current_dir(directory);
        command
    };
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    let started = Instant::now();
    let output = command
        .output()
        .with_context(|| format!("cannot run {}", timed.label))?;
    let wall = started.elapsed();
    anyhow::ensure!(
        output.status.success(),
        "{} failed ({}): {}",
        timed.label,
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(wall)
}

/// The value at `fraction` of the sorted `values` (nearest rank).
fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (fraction * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len()) - 1)
        .copied()
        .unwrap_or_default()
}

fn milliseconds(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1_000.0)
}

fn main() -> anyhow::Result<()> {
    let runs = env_usize("CORRIDOR_BENCH_CLI_RUNS", 30).max(1);
    let binary = std::env::var_os("CORRIDOR_BENCH_CLI_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_corridor")),
        PathBuf::from,
    );
    let directory = tempfile::tempdir()?;
    println!(
        "corridor CLI start-up benchmark: {} ({runs} runs per command after {WARM_UP_RUNS} warm-up runs)",
        binary.display()
    );
    println!("load average before: {}", load_average());

    let started = Instant::now();
    let demo = corridor(&binary, directory.path(), &["demo", "--quiet"])
        .stdout(Stdio::null())
        .output()
        .context("cannot run `corridor demo`")?;
    anyhow::ensure!(
        demo.status.success(),
        "`corridor demo` failed: {}",
        String::from_utf8_lossy(&demo.stderr)
    );
    println!(
        "demo database written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let timed = |label: &'static str, program: &Path, args: &'static [&'static str]| Timed {
        label,
        program: program.to_owned(),
        args,
        walls: Vec::with_capacity(runs),
        cpu_ticks: 0,
    };
    let mut commands = [
        timed("floor: /bin/true", Path::new("/bin/true"), &[]),
        timed("corridor --version", &binary, &["--version"]),
        timed("read: case list", &binary, CASE_LIST),
        timed("write: case propose", &binary, CASE_PROPOSE),
    ];
    for _ in 0..WARM_UP_RUNS {
        for command in &commands {
            run_once(command, directory.path())?;
        }
    }
    for _ in 0..runs {
        for command in &mut commands {
            let before = children_cpu_ticks()?;
            let wall = run_once(command, directory.path())?;
            command.cpu_ticks += children_cpu_ticks()? - before;
            command.walls.push(wall);
        }
    }
    println!("load average after: {}", load_average());

    // Clock ticks per second: 100 on every Linux this runs on (USER_HZ).
    let tick_milliseconds = 10.0;
    println!();
    println!(
        "| command | p50 ms | p90 ms | min ms | max ms | CPU ms per run (mean, user + system) |"
    );
    println!("|---|---|---|---|---|---|");
    for command in &mut commands {
        command.walls.sort();
        println!(
            "| {} | {} | {} | {} | {} | {:.1} |",
            command.label,
            milliseconds(percentile(&command.walls, 0.5)),
            milliseconds(percentile(&command.walls, 0.9)),
            milliseconds(percentile(&command.walls, 0.0)),
            milliseconds(percentile(&command.walls, 1.0)),
            command.cpu_ticks as f64 * tick_milliseconds / runs as f64
        );
    }
    Ok(())
}
