//! Witnessing through the CLI: a witness — `corridor witness serve` on its own, or `corridor
//! serve --witness-key` beside the log — cosigns what `corridor log checkpoint --witness`
//! sends, the cosignature is verified on publication, and a fork is refused loudly.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};

use crate::harness::Sandbox;

/// A running witness, stopped when dropped.
struct Witness {
    child: Child,
    url: String,
    key: String,
}

impl Drop for Witness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Which command serves the witness.
#[derive(Debug, Clone, Copy)]
enum Via {
    /// `corridor witness serve`: the witness on its own.
    WitnessServe,
    /// `corridor serve --witness-key … --witness-log …`: the witness beside the sandbox's log,
    /// its API and its public log.
    Serve,
}

/// Creates a witness key in `sandbox` and serves it on a free port for the log `log_key`.
fn start_witness(sandbox: &Sandbox, log_key: &str) -> Witness {
    start_witness_via(sandbox, log_key, Via::WitnessServe)
}

/// [`start_witness`], served by the command `via` names.
fn start_witness_via(sandbox: &Sandbox, log_key: &str, via: Via) -> Witness {
    start_witness_signing(sandbox, log_key, via, "ed25519")
}

/// [`start_witness_via`], its key of the cosignature algorithm `signature`
/// (`witness init --signature`).
fn start_witness_signing(sandbox: &Sandbox, log_key: &str, via: Via, signature: &str) -> Witness {
    sandbox
        .corridor(&[
            "witness",
            "init",
            "--name",
            "witness.test",
            "--signature",
            signature,
        ])
        .code(0);
    let args: &[&str] = match via {
        Via::WitnessServe => &[
            "witness",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log",
            log_key,
        ],
        Via::Serve => &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--witness-key",
            "corridor-witness.key",
            "--witness-log",
            log_key,
        ],
    };
    let mut child = sandbox
        .command_at("2025-08-10T09:00:00Z", args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the witness starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the witness says where it listens");
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("a URL")
        .to_owned();
    let key = line.split_whitespace().last().expect("a key").to_owned();
    Witness { child, url, key }
}

fn log_key(sandbox: &Sandbox) -> String {
    sandbox
        .corridor(&["log", "key"])
        .code(0)
        .stdout()
        .trim()
        .to_owned()
}

#[test]
fn a_witness_cosigns_and_verify_requires_its_cosignature() {
    // Proves a checkpoint sent to a witness comes back cosigned, the cosignature survives export, and `log verify --cosigner` demands it.
    cosigns_and_verify_requires_its_cosignature(Via::WitnessServe);
}

#[test]
fn corridor_serve_with_a_witness_key_cosigns_and_verify_requires_its_cosignature() {
    // Proves `corridor serve --witness-key --witness-log` serves /add-checkpoint beside the log, and `log checkpoint --witness` gathers its cosignature exactly as from `corridor witness serve`.
    cosigns_and_verify_requires_its_cosignature(Via::Serve);
}

fn cosigns_and_verify_requires_its_cosignature(via: Via) {
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    sandbox.propose("officer.ada", "Witnessed Person");
    let witness = start_witness_via(&sandbox, &log_key(&sandbox), via);
    let spec = format!("{}={}", witness.url, witness.key);
    let signed = sandbox
        .corridor(&["log", "checkpoint", "--witness", &spec])
        .code(0)
        .stdout();
    assert!(
        signed
            .lines()
            .any(|line| line.starts_with("— witness.test ")),
        "no cosignature line:\n{signed}"
    );
    sandbox.corridor(&["log", "export", "public"]).code(0);
    let key = log_key(&sandbox);
    sandbox
        .corridor(&[
            "log",
            "verify",
            "public",
            "--key",
            &key,
            "--cosigner",
            &witness.key,
        ])
        .code(0);
    // Another witness's key finds no cosignature: publication as witnessed is refused.
    let other = sandbox
        .corridor(&[
            "witness",
            "init",
            "--name",
            "other.witness",
            "--key-file",
            "other.key",
        ])
        .code(0)
        .stdout();
    let other_key = other.split_whitespace().last().expect("a key").to_owned();
    let run = sandbox
        .corridor(&[
            "log",
            "verify",
            "public",
            "--key",
            &key,
            "--cosigner",
            &other_key,
        ])
        .code(1);
    assert!(
        run.stderr()
            .contains("0 witness cosignature(s) verified, 1 required; missing: other.witness"),
        "{}",
        run.stderr()
    );
    // The log grows; the witness is shown a consistency proof and cosigns again.
    sandbox.propose("officer.ada", "Second Witnessed Person");
    let again = sandbox
        .corridor(&["log", "checkpoint", "--witness", &spec])
        .code(0)
        .stdout();
    assert!(
        again
            .lines()
            .any(|line| line.starts_with("— witness.test ")),
        "{again}"
    );
}

#[test]
fn a_witness_shown_a_fork_refuses_and_the_log_says_so_loudly() {
    // Proves a second history signed with the same log key is refused by a witness that cosigned the first, and `log checkpoint` fails naming the refusal.
    let honest = Sandbox::new();
    honest.init_with_us_rwa();
    honest.propose("officer.ada", "Honest History");
    let witness = start_witness(&honest, &log_key(&honest));
    let spec = format!("{}={}", witness.url, witness.key);
    honest
        .corridor(&["log", "checkpoint", "--witness", &spec])
        .code(0);

    let fork = Sandbox::new();
    std::fs::copy(
        honest.file("corridor-log.key"),
        fork.file("corridor-log.key"),
    )
    .expect("the same log key");
    fork.init_with_us_rwa();
    fork.propose("officer.ada", "Forked History");
    fork.propose("officer.ada", "Forked History Two");
    assert_eq!(
        log_key(&fork),
        log_key(&honest),
        "both histories are signed by one key"
    );
    let run = fork
        .corridor(&["log", "checkpoint", "--witness", &spec])
        .code(1);
    assert!(
        run.stderr().contains("WITNESS REFUSAL"),
        "the refusal must be loud:\n{}",
        run.stderr()
    );
    assert!(run.stderr().contains("did not cosign"), "{}", run.stderr());
}

#[test]
fn serve_refuses_witness_flags_without_a_witness_key_and_a_key_without_a_log() {
    // Proves `corridor serve` refuses `--witness-log` or `--witness-database` without `--witness-key`, a key without any `--witness-log`, and a witness database that is the log's own, each as a usage error (exit 2) naming the flag, before serving.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    let key = log_key(&sandbox);
    sandbox
        .corridor(&["witness", "init", "--name", "witness.test"])
        .code(0);
    let serve = ["serve", "--listen", "127.0.0.1:0"];
    let cases: [(&[&str], &str); 4] = [
        (&["--witness-log", &key], "--witness-key"),
        (
            &["--witness-database", "sqlite://witness.db"],
            "--witness-key",
        ),
        (&["--witness-key", "corridor-witness.key"], "--witness-log"),
        (
            &[
                "--witness-key",
                "corridor-witness.key",
                "--witness-log",
                &key,
                "--witness-database",
                "corridor.db",
            ],
            "--witness-database",
        ),
    ];
    for (flags, named) in cases {
        let args: Vec<&str> = serve.iter().chain(flags).copied().collect();
        let run = sandbox.corridor(&args).code(2);
        assert!(run.stderr().contains(named), "{args:?}: {}", run.stderr());
    }
}

#[test]
fn an_ml_dsa_44_witness_cosigns_and_verify_checks_its_cosignature() {
    // Proves a witness made by `witness init --signature ml-dsa-44` cosigns with an ML-DSA-44 (type 0x06) cosignature, `log checkpoint --witness URL=KEY` verifies and keeps it, `log verify --cosigner KEY` accepts the export, and refuses it, naming the witness, when one byte of that cosignature is flipped.
    use corridor_log::note::{Note, NoteSignature};
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    sandbox.propose("officer.ada", "Quantum Witnessed Person");
    let witness =
        start_witness_signing(&sandbox, &log_key(&sandbox), Via::WitnessServe, "ml-dsa-44");
    assert!(
        matches!(
            corridor_log::keys::CosignerVerifier::parse(&witness.key),
            Ok(corridor_log::keys::CosignerVerifier::MlDsa44(_))
        ),
        "an ML-DSA-44 witness key: {}",
        witness.key
    );
    let spec = format!("{}={}", witness.url, witness.key);
    let signed = sandbox
        .corridor(&["log", "checkpoint", "--witness", &spec])
        .code(0)
        .stdout();
    assert!(
        signed
            .lines()
            .any(|line| line.starts_with("— witness.test ")),
        "no cosignature line:\n{signed}"
    );
    sandbox.corridor(&["log", "export", "public"]).code(0);
    let key = log_key(&sandbox);
    let verify = |dir: &str| {
        sandbox.corridor(&[
            "log",
            "verify",
            dir,
            "--key",
            &key,
            "--cosigner",
            &witness.key,
        ])
    };
    verify("public").code(0);

    // One byte of the ML-DSA-44 cosignature flipped, in a copy of the export.
    let copy = sandbox.file("mutated");
    copy_tree(&sandbox.file("public"), &copy);
    let note = Note::parse(&std::fs::read(copy.join("checkpoint")).expect("the checkpoint"))
        .expect("a note");
    let mut mutated = Note::new(note.text()).expect("a note text");
    for signature in note.signatures() {
        let mut bytes = signature.signature().to_vec();
        if signature.name().as_str() == "witness.test" {
            bytes[500] ^= 0x01;
        }
        mutated
            .add_signature(
                NoteSignature::new(signature.name().clone(), signature.key_id(), bytes)
                    .expect("a signature"),
            )
            .expect("added");
    }
    std::fs::write(copy.join("checkpoint"), mutated.to_text()).expect("write the checkpoint");
    let run = verify("mutated").code(1);
    assert!(
        run.stderr()
            .contains("the cosignature of witness `witness.test` does not verify"),
        "{}",
        run.stderr()
    );
}

/// Copies the directory `from` and everything under it to `to`.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("a directory") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("a copy");
        }
    }
}

#[test]
fn witness_serve_reads_its_settings_from_the_configuration_file() {
    // Proves `corridor witness init` and `corridor witness serve` with no flags take the key file, listening address, database and followed logs from `corridor.toml`'s `[witness]` table, and the witness so started cosigns.
    let sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    sandbox.propose("officer.ada", "Configured Witness Person");
    let key = log_key(&sandbox);
    let mut config = std::fs::read_to_string(sandbox.file("corridor.toml")).expect("init wrote it");
    config.push_str(&format!(
        "\n[witness]\nlisten = \"127.0.0.1:0\"\ndatabase = \"sqlite://configured-witness.db\"\nkey_file = \"configured-witness.key\"\nlogs = [\"{key}\"]\n"
    ));
    std::fs::write(sandbox.file("corridor.toml"), config).expect("write the configuration");
    sandbox
        .corridor(&["witness", "init", "--name", "witness.test"])
        .code(0);
    assert!(sandbox.file("configured-witness.key").exists());
    assert!(!sandbox.file("corridor-witness.key").exists());
    let mut child = sandbox
        .command_at("2025-08-10T09:00:00Z", &["witness", "serve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the witness starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the witness says where it listens");
    let witness = Witness {
        child,
        url: line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .expect("a URL")
            .to_owned(),
        key: line.split_whitespace().last().expect("a key").to_owned(),
    };
    let spec = format!("{}={}", witness.url, witness.key);
    sandbox
        .corridor(&["log", "checkpoint", "--witness", &spec])
        .code(0);
    assert!(sandbox.file("configured-witness.db").exists());
}
