//! The `corridor-verify` binary: exit statuses a cron job can act on, messages that say what
//! failed, and a log read over HTTP.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{entries, log_signer, publish, witness};

pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corridor-verify"))
        .args(args)
        .output()
        .expect("corridor-verify runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Serves `dir` over HTTP/1.1 (one request per connection) on a free port; returns the base URL.
pub fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut request_line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            reader.read_line(&mut request_line).unwrap();
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header == "\r\n" || header.is_empty() {
                    break;
                }
            }
            let path = request_line.split(' ').nth(1).unwrap_or("/");
            let file = dir.join(path.trim_start_matches("/log/"));
            let response = match std::fs::read(&file) {
                Ok(body) => {
                    let mut response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    response.extend(body);
                    response
                }
                Err(_) => {
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        .to_vec()
                }
            };
            let _ = stream.write_all(&response);
        }
    });
    format!("http://{address}/log")
}

fn key() -> String {
    log_signer().verifier().to_key_string()
}

fn published(dir: &Path, size: u64) {
    publish(dir, &entries(size, size), &[&witness(1)]);
}

#[test]
fn a_good_log_over_http_passes_and_the_state_moves_forward() {
    // Proves the binary verifies a log served over HTTP with a witness, exits 0, and keeps the
    // trusted checkpoint in its state file across runs.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("published");
    let state = dir.path().join("state");
    published(&log, 300);
    let url = serve(log.clone());
    let witness_key = witness(1).verifier().to_key_string();
    let args = [
        "log",
        &url,
        "--key",
        &key(),
        "--witness",
        &witness_key,
        "--state",
        state.to_str().unwrap(),
    ];
    let first = run(&args);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).starts_with("ok: corridor.test/log at size 300, root "),
        "{}",
        text(&first.stdout)
    );
    assert!(text(&first.stdout).contains("cosigned by 1 witness(es) (witness.test/w1)"));
    published(&log, 700);
    let second = run(&args);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert!(
        text(&second.stdout).contains("consistent with the trusted checkpoint of size 300"),
        "{}",
        text(&second.stdout)
    );
    assert!(std::fs::read_to_string(&state).unwrap().contains("\n700\n"));
}

#[test]
fn a_fork_exits_3_and_a_refusal_exits_1() {
    // Proves a fork against the state file exits 3 and says FORK loudly, while a wrong key
    // exits 1, a bad key string 2, and neither moves the state.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("published");
    let state = dir.path().join("state");
    let state_arg = state.to_str().unwrap();
    let log_arg = log.to_str().unwrap();
    published(&log, 300);
    let key = key();
    assert_eq!(
        run(&["log", log_arg, "--key", &key, "--state", state_arg])
            .status
            .code(),
        Some(0)
    );
    let saved = std::fs::read_to_string(&state).unwrap();
    std::fs::remove_dir_all(&log).unwrap();
    publish(&log, &entries(700, 100), &[]);
    let fork = run(&["log", log_arg, "--key", &key, "--state", state_arg]);
    assert_eq!(fork.status.code(), Some(3));
    let stderr = text(&fork.stderr);
    assert!(
        stderr.starts_with("error: FORK: the log at size 700"),
        "{stderr}"
    );
    assert!(stderr.contains("NOT moved forward"), "{stderr}");
    let other = corridor_log::note::Ed25519Signer::from_seed(
        corridor_log::note::KeyName::new(crate::ORIGIN).unwrap(),
        &[9; 32],
    );
    let wrong = run(&["log", log_arg, "--key", &other.verifier().to_key_string()]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        text(&wrong.stderr).contains("because: no signature from a known key"),
        "{}",
        text(&wrong.stderr)
    );
    let malformed = run(&["log", log_arg, "--key", "not-a-key"]);
    assert_eq!(malformed.status.code(), Some(2));
    assert!(text(&malformed.stderr).starts_with("error: --key: malformed key string"));
    assert_eq!(std::fs::read_to_string(&state).unwrap(), saved);
}

#[test]
fn the_event_command_checks_one_event() {
    // Proves `corridor-verify event` accepts the event with its salt and refuses another salt.
    let dir = tempfile::tempdir().unwrap();
    let entries = entries(300, 300);
    let proof = corridor_log::proof_text::InclusionProofText {
        extra: Some(entries[9].clone()),
        index: 9,
        proof: corridor_log::tree::inclusion_proof(&crate::tree(&entries), 9, 300).unwrap(),
        checkpoint: crate::signed_checkpoint(&entries, &[]),
    };
    std::fs::write(dir.path().join("proof"), proof.to_text()).unwrap();
    std::fs::write(dir.path().join("event"), crate::event_bytes(10)).unwrap();
    let proof_arg = dir.path().join("proof");
    let event_arg = dir.path().join("event");
    let args = |salt: &str| {
        run(&[
            "event",
            "--proof",
            proof_arg.to_str().unwrap(),
            "--event",
            event_arg.to_str().unwrap(),
            "--salt",
            salt,
            "--key",
            &key(),
        ])
    };
    let good = args(&hex::encode(crate::salt(10)));
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stderr));
    assert!(
        text(&good.stdout).starts_with("ok: the event (case_proposed on 2025-08-04) is leaf 9"),
        "{}",
        text(&good.stdout)
    );
    let bad = args(&hex::encode(crate::salt(11)));
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("do not open the leaf's commitment"));
    assert_eq!(args("abc").status.code(), Some(2));
}

#[test]
fn a_checkpoint_signed_with_ml_dsa_44_beside_ed25519_verifies_with_either_key() {
    // Proves the binary accepts a checkpoint the log signed with Ed25519 and ML-DSA-44 (the
    // post-quantum key named after the origin, type 0x06) given either key alone, and, given the
    // ML-DSA-44 key, refuses it naming that signature when one of its bytes is flipped.
    use corridor_log::keys::{Algorithm, LogSigner};
    use corridor_log::note::{KeyName, Note, NoteSignature, Verifier as _};
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("published");
    let log_arg = log.to_str().unwrap();
    published(&log, 300);
    let ml_dsa = LogSigner::from_seed(
        Algorithm::MlDsa44,
        KeyName::new(crate::ORIGIN).unwrap(),
        &[3; 32],
    );
    let checkpoint = std::fs::read(log.join("checkpoint")).unwrap();
    let mut note = Note::parse(&checkpoint).unwrap();
    note.add_signature(ml_dsa.sign(note.text(), crate::COSIGNED_AT).unwrap())
        .unwrap();
    std::fs::write(log.join("checkpoint"), note.to_text()).unwrap();
    for key in [key(), ml_dsa.verifier_key_string()] {
        let both = run(&["log", log_arg, "--key", &key]);
        assert_eq!(both.status.code(), Some(0), "{}", text(&both.stderr));
    }

    let mut flipped = Note::new(note.text()).unwrap();
    for signature in note.signatures() {
        let mut bytes = signature.signature().to_vec();
        if signature.key_id() == ml_dsa.verifier().key_id() {
            bytes[100] ^= 0x01;
        }
        let signature =
            NoteSignature::new(signature.name().clone(), signature.key_id(), bytes).unwrap();
        flipped.add_signature(signature).unwrap();
    }
    std::fs::write(log.join("checkpoint"), flipped.to_text()).unwrap();
    let refused = run(&["log", log_arg, "--key", &ml_dsa.verifier_key_string()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains(&format!(
            "because: the signature of known key `{}+{}` does not verify",
            crate::ORIGIN,
            ml_dsa.verifier().key_id()
        )),
        "{}",
        text(&refused.stderr)
    );
    let old = run(&["log", log_arg, "--key", &key()]);
    assert_eq!(old.status.code(), Some(0), "{}", text(&old.stderr));
}
