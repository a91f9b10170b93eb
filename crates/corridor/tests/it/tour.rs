//! The README's tour, run as written: the shell block README.md marks `<!-- tour -->` is
//! executed line by line by `bash -e` in a fresh directory, with `corridor` the binary under
//! test (the README's `alias corridor=target/release/corridor` stands outside the block, and a
//! test builds no release binary). Its first command is `corridor demo`; every later command
//! finds the demo's database and keys through the `corridor.toml` the demo wrote.
//!
//! `corridor serve` cannot end by itself, so it is run beside the block rather than in it: over
//! the same directory with no database flags, on a free port instead of the README's 8080 (a
//! fixed port collides with other tests), and stopped once it has answered.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::harness::{BIN, CORRIDOR_ENV, Sandbox};

/// The README, as committed.
const README: &str = include_str!("../../../../README.md");

/// The text of the shell block between `<!-- tour` and `<!-- /tour -->`.
fn tour_block() -> &'static str {
    let (_, marked) = README
        .split_once("<!-- tour")
        .expect("README.md marks its tour with `<!-- tour`");
    let (marked, _) = marked
        .split_once("<!-- /tour -->")
        .expect("README.md ends its tour with `<!-- /tour -->`");
    let (_, block) = marked
        .split_once("```sh\n")
        .expect("the tour is a ```sh block");
    let (block, _) = block.split_once("```").expect("the tour's block ends");
    block
}

/// A running `corridor serve`, stopped when dropped.
struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        // The test started this child; it ends it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_readme_tour_runs_as_written_after_the_demo() {
    // Proves every command of the README's tour succeeds, in order, from a fresh directory
    // whose only configuration is what `corridor demo` (the tour's first command) writes.
    let block = tour_block();
    assert!(
        block.trim_start().starts_with("corridor demo"),
        "the tour starts with the demo:\n{block}"
    );
    let sandbox = Sandbox::new();
    // The tour runs from a checkout: its agreement files, and `corridor` on the PATH.
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::os::unix::fs::symlink(repository.join("agreements"), sandbox.file("agreements"))
        .expect("the agreements are linked");
    let bin = sandbox.file("bin");
    std::fs::create_dir(&bin).expect("a bin directory");
    std::os::unix::fs::symlink(BIN, bin.join("corridor")).expect("the binary is linked");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut bash = Command::new("bash");
    bash.args(["-e", "-u", "-o", "pipefail", "-x", "-c", block])
        .current_dir(sandbox.path())
        .env("PATH", path)
        .stdin(Stdio::null());
    for name in CORRIDOR_ENV {
        bash.env_remove(name);
    }
    let output = bash.output().expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the tour stopped ({}): the last `+` line of stderr is the command that failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    for file in [
        "corridor.toml",
        "public/checkpoint",
        "backups/corridor-1.db",
        "corridor-copy.db",
    ] {
        assert!(sandbox.file(file).exists(), "the tour made no {file}");
    }

    // `corridor serve`, as the server section starts it, over the tour's directory.
    let mut server = Server {
        child: sandbox
            .real_command(&["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("corridor serve starts"),
    };
    let stdout = server.child.stdout.take().expect("the server's stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the server says where it listens");
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    let checkpoint = ureq::get(&format!("{url}/checkpoint"))
        .call()
        .expect("the server answers")
        .into_body()
        .read_to_string()
        .expect("a checkpoint");
    assert!(
        checkpoint.starts_with("demo.corridor.invalid/log/simulation\n"),
        "the server serves the demo's log: {checkpoint}"
    );
    drop(server);
}
