//! The public transparency log end to end through the CLI: signed checkpoints, C2SP tiles and
//! their incremental export, offline verification and what it refuses, proofs that verify with
//! corridor-log's own verifiers, and erasure that leaves the log verifiable.
//!
//! The template's events are written through the store in this process ([`propose_many`],
//! [`load_us_rwa_directly`]), one event each: the tests below are about the log's shape (sizes,
//! tiles, proofs), and a proposal made with the binary also appends the access record of its
//! policy decision. The CLI's own path is tested in `cli.rs`; here it adds commands on top.
//!
//! The template log of a few hundred events is built once ([`template`]) and held in memory as
//! files; each test writes its own copy into a fresh sandbox, so no test sees another's changes
//! and nothing is left on disk.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use corridor_log::Hash;
use corridor_log::checkpoint::parse_signed_checkpoint;
use corridor_log::hash::{leaf_hash, sha256};
use corridor_log::note::{Ed25519Verifier, VerifierSet};
use corridor_log::proof_text::{ConsistencyProofText, InclusionProofText};
use corridor_log::tiles::{decode_entry_bundle, encode_entry_bundle};
use sqlx::{AnyConnection, Connection as _, Executor as _, Row as _};

use corridor_domain::terms::{AgreementId, Country, Sex};
use corridor_domain::{
    Actor, CaseId, Command, Context, Label, Language, Outcome, Party, PersonFacts, PersonalData,
    Role, UserId,
};
use corridor_store::Store;
use corridor_store::vault::{self, MasterKey};

use crate::harness::{AUG_10, Run, Sandbox, US_RWA};

/// The origin `corridor init --simulation` gives a log by default: a simulation's origin ends in
/// `/simulation`, so every checkpoint it signs says what it is.
const ORIGIN: &str = "corridor.invalid/log/simulation";

/// The size of the copy of the log kept as the base of a fork (events 1–15).
const FORK_BASE_SIZE: u64 = 15;

/// The size of the template's first checkpoint and export: one partial level-0 tile.
const EARLY_SIZE: u64 = 20;

/// The size of the template's log: one full level-0 tile (256 leaves), a partial one of 44 and a
/// partial level-1 tile of 1.
const FULL_SIZE: u64 = 300;

/// The file (in every sandbox made from the template) holding the signed checkpoint of size 20.
const CHECKPOINT_EARLY: &str = "checkpoint-20";

/// The file holding the signed checkpoint of size 300.
const CHECKPOINT_FULL: &str = "checkpoint-300";

/// The directory the template exported at size 20.
const PUBLISHED_EARLY: &str = "published-20";

/// Files of a directory, by path relative to it.
type Files = Vec<(PathBuf, Vec<u8>)>;

/// The template log, as files: the whole sandbox at size 300, and at size 15 (the fork base).
#[derive(Debug)]
struct Template {
    full: Files,
    fork_base: Files,
}

/// The template, built on first use.
fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(build_template)
}

/// `corridor init`, the US–Rwanda agreement (event 1) and proposals up to 300 events, with a
/// signed checkpoint and an export at size 20 and a signed checkpoint at size 300.
fn build_template() -> Template {
    let sandbox = Sandbox::new();
    sandbox.init(&["--example-users"]).code(0);
    load_us_rwa_directly(&sandbox);
    propose_many(&sandbox, "Base", FORK_BASE_SIZE - 1, 1);
    let fork_base = snapshot(sandbox.path());
    propose_many(&sandbox, "Early", EARLY_SIZE - FORK_BASE_SIZE, 1);
    let early = checkpoint(&sandbox);
    assert_eq!(
        checkpoint_size(&early),
        EARLY_SIZE,
        "one event per proposal and one for the agreement:\n{early}"
    );
    std::fs::write(sandbox.file(CHECKPOINT_EARLY), &early).expect("write the early checkpoint");
    sandbox
        .corridor(&["log", "export", PUBLISHED_EARLY])
        .code(0);
    // Two writers at a time: the store serialises them, and two cores halve the wall time.
    propose_many(&sandbox, "Bulk", FULL_SIZE - EARLY_SIZE, 2);
    let full = checkpoint(&sandbox);
    assert_eq!(checkpoint_size(&full), FULL_SIZE, "{full}");
    std::fs::write(sandbox.file(CHECKPOINT_FULL), &full).expect("write the full checkpoint");
    Template {
        full: snapshot(sandbox.path()),
        fork_base,
    }
}

/// Runs `future` on a runtime of its own thread, so that synchronous and asynchronous tests
/// alike may build logs.
fn block_on<T: Send + 'static>(future: impl Future<Output = T> + Send + 'static) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(future)
    })
    .join()
    .expect("the writing thread")
}

/// Loads the shipped US–Rwanda agreement through the store, as `admin`: one event.
fn load_us_rwa_directly(sandbox: &Sandbox) {
    let url = sandbox.database_url();
    block_on(async move {
        let store = Store::open(&url, false).await.expect("the store opens");
        let text = std::fs::read_to_string(US_RWA).expect("the shipped agreement");
        let command = Command::LoadAgreement {
            file_name: US_RWA.to_owned(),
            text,
        };
        let context = Context {
            now: AUG_10.parse().expect("a moment"),
            actor: Actor {
                user: UserId::parse("admin").expect("a user id"),
                role: Role::Admin,
                party: Party::None,
            },
        };
        let executed = store
            .execute(&command, &context, None, &[])
            .await
            .expect("the load is written");
        assert!(
            matches!(executed.outcome, Outcome::Accepted(_)),
            "{executed:?}"
        );
        store.close().await;
    });
}

/// Proposes `count` synthetic people through the store, one event each, spread over `writers`
/// concurrent writers: the same people `corridor case propose` makes in `harness::propose_args`
/// (a Venezuelan adult who speaks Spanish, fears Venezuela, with counsel.fay as counsel).
fn propose_many(sandbox: &Sandbox, prefix: &str, count: u64, writers: u64) {
    let url = sandbox.database_url();
    let key = std::fs::read_to_string(sandbox.file("corridor.key")).expect("the master key file");
    let prefix = prefix.to_owned();
    block_on(async move {
        let store = Arc::new(Store::open(&url, false).await.expect("the store opens"));
        let master = Arc::new(MasterKey::parse(&key).expect("a master key"));
        let mut handles = Vec::new();
        for writer in 0..writers {
            let (store, master, prefix) = (Arc::clone(&store), Arc::clone(&master), prefix.clone());
            handles.push(tokio::spawn(async move {
                for number in (0..count).filter(|number| number % writers == writer) {
                    propose_directly(&store, &master, &format!("Synthetic {prefix} {number}"))
                        .await;
                }
            }));
        }
        for handle in handles {
            handle.await.expect("a writer");
        }
        store.close().await;
    });
}

/// Random bytes for ids, keys and nonces.
fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("randomness");
    bytes
}

/// One proposal of `name` as officer.ada, sealed and keyed as the CLI does it.
async fn propose_directly(store: &Store, master: &MasterKey, name: &str) {
    let case = CaseId::from_u64(u64::from_le_bytes(random()));
    let key: [u8; 32] = random();
    let wrapped = master.wrap(case, &key, random());
    let birth_date = "1990-04-12".parse().expect("a date");
    let personal = PersonalData {
        name: name.to_owned(),
        birth_date: Some(birth_date),
        documents: vec!["synthetic passport X0000000".to_owned()],
        contact: None,
        health: Some("synthetic health note".to_owned()),
    };
    let venezuela = Country::parse("VEN").expect("VEN");
    let command = Command::Propose {
        case,
        agreement: AgreementId::parse("us-rwa-2025").expect("an agreement id"),
        facts: PersonFacts {
            birth_date,
            nationality: venezuela,
            sex: Sex::parse("male").expect("a sex"),
            vulnerabilities: Default::default(),
            feared_countries: [venezuela].into_iter().collect(),
            protected_countries: Default::default(),
            languages: [Language::parse("es").expect("a language")]
                .into_iter()
                .collect(),
            legal_basis: Label::parse("ina_241").expect("a label"),
            designation: None,
            detention_place: None,
            removal_ordered_on: "2025-03-03".parse().expect("a date"),
            health_data_consent: false,
        },
        counsel: Some(UserId::parse("counsel.fay").expect("a user id")),
        personal: vault::seal(case, &key, random::<{ vault::NONCE_BYTES }>(), &personal),
    };
    let context = Context {
        now: AUG_10.parse().expect("a moment"),
        actor: Actor {
            user: UserId::parse("officer.ada").expect("a user id"),
            role: Role::SendingOfficer,
            party: Party::State(Country::parse("USA").expect("USA")),
        },
    };
    let executed = store
        .execute(&command, &context, None, &[(case, wrapped)])
        .await
        .expect("the proposal is written");
    assert!(
        matches!(&executed.outcome, Outcome::Accepted(events) if events.len() == 1),
        "one event per proposal: {executed:?}"
    );
}

/// Every file under `dir`, read into memory.
fn snapshot(dir: &Path) -> Files {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("a readable directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .expect("a path under the directory")
                    .to_path_buf();
                files.push((relative, std::fs::read(&path).expect("a readable file")));
            }
        }
    }
    files
}

/// Writes `files` under `dir`.
fn restore(files: &Files, dir: &Path) {
    for (relative, bytes) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create a directory");
        }
        std::fs::write(&path, bytes).expect("write a file");
    }
}

/// A fresh sandbox holding the template log at size 300.
fn sandbox_with_log() -> Sandbox {
    let sandbox = Sandbox::new();
    restore(&template().full, sandbox.path());
    sandbox
}

/// Copies the directory `from` to `to` (both in the sandbox).
fn copy_dir(sandbox: &Sandbox, from: &str, to: &str) {
    let files = snapshot(&sandbox.file(from));
    restore(&files, &sandbox.file(to));
}

/// The paths of every file under `dir`, relative and sorted, with `/` separators.
fn file_list(dir: &Path) -> Vec<String> {
    let mut paths: Vec<String> = snapshot(dir)
        .into_iter()
        .map(|(path, _)| path.to_string_lossy().into_owned())
        .collect();
    paths.sort();
    paths
}

/// `corridor log checkpoint`: the latest signed checkpoint, made now if the log grew.
fn checkpoint(sandbox: &Sandbox) -> String {
    sandbox.corridor(&["log", "checkpoint"]).code(0).stdout()
}

/// The size line of a checkpoint note.
fn checkpoint_size(note: &str) -> u64 {
    note.lines()
        .nth(1)
        .and_then(|line| line.parse().ok())
        .unwrap_or_else(|| panic!("no size line in\n{note}"))
}

/// `corridor --json log export DIR`: what it reports.
fn export_json(sandbox: &Sandbox, dir: &str) -> serde_json::Value {
    sandbox
        .corridor(&["--json", "log", "export", dir])
        .code(0)
        .json()
}

/// `corridor log key`: the log's verifier key.
fn log_key(sandbox: &Sandbox) -> String {
    sandbox
        .corridor(&["log", "key"])
        .code(0)
        .stdout()
        .trim()
        .to_owned()
}

/// The log's key as a verifier set, for corridor-log's verifiers.
fn verifiers(key: &str) -> VerifierSet {
    VerifierSet::new()
        .with(Ed25519Verifier::parse(key).expect("a verifier key"))
        .expect("one verifier")
}

/// How `log verify` (the `corridor-verify` library's refusal) says the checkpoint's log
/// signature did not verify with the key given.
const NOT_SIGNED_BY_THE_LOG: &str = "the checkpoint is not a checkpoint signed by the log's key";

/// `corridor log verify DIR --key KEY EXTRA…`.
fn verify(sandbox: &Sandbox, dir: &str, key: &str, extra: &[&str]) -> Run {
    let mut args = vec!["log", "verify", dir, "--key", key];
    args.extend_from_slice(extra);
    sandbox.corridor(&args)
}

/// Asserts `corridor log verify DIR --key KEY EXTRA…` exits 1 with every one of `wanted` in
/// its error message.
#[track_caller]
fn refused(sandbox: &Sandbox, dir: &str, key: &str, extra: &[&str], wanted: &[&str]) {
    let run = verify(sandbox, dir, key, extra).code(1);
    let stderr = run.stderr();
    for text in wanted {
        assert!(
            stderr.contains(text),
            "verifying {dir} {extra:?}: `{text}` is not in the error:\n{stderr}"
        );
    }
    assert!(!run.stdout().contains("ok:"), "{}", run.stdout());
}

/// Flips every bit of the byte at `offset` of a file in the sandbox.
fn flip_byte(sandbox: &Sandbox, path: &str, offset: usize) {
    let path = sandbox.file(path);
    let mut bytes = std::fs::read(&path).expect("the file");
    bytes[offset] ^= 0xff;
    std::fs::write(&path, bytes).expect("write the file");
}

/// The entries of an entry bundle in the sandbox.
fn bundle_entries(sandbox: &Sandbox, path: &str) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(sandbox.file(path)).expect("the entry bundle");
    decode_entry_bundle(&bytes)
        .expect("a well-formed bundle")
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect()
}

/// Writes `entries` as an entry bundle.
fn write_bundle(sandbox: &Sandbox, path: &str, entries: &[Vec<u8>]) {
    std::fs::write(
        sandbox.file(path),
        encode_entry_bundle(entries).expect("an encodable bundle"),
    )
    .expect("write the bundle");
}

/// A raw sqlx connection to the sandbox's database, outside corridor's store.
async fn raw_connection(sandbox: &Sandbox) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(&sandbox.database_url())
        .await
        .expect("a raw connection")
}

/// The `commitment` line of a leaf, decoded.
fn leaf_commitment(leaf: &[u8]) -> Hash {
    let text = std::str::from_utf8(leaf).expect("a UTF-8 leaf");
    let line = text
        .lines()
        .find_map(|line| line.strip_prefix("commitment "))
        .unwrap_or_else(|| panic!("no commitment in\n{text}"));
    Hash::from_base64(line).expect("a base64 hash")
}

/// The exact files C2SP tlog-tiles puts in a log of 300 leaves, and its checkpoint.
const FILES_AT_300: [&str; 6] = [
    "checkpoint",
    "tile/0/000",
    "tile/0/001.p/44",
    "tile/1/000.p/1",
    "tile/entries/000",
    "tile/entries/001.p/44",
];

/// The gzip copies `log export` writes beside the entry bundles of [`FILES_AT_300`].
const GZIP_AT_300: [&str; 2] = ["tile/entries/000.gz", "tile/entries/001.p/44.gz"];

/// `files` and `gzip` together, sorted as [`file_list`] lists them.
fn with_gzip<'a>(files: &[&'a str], gzip: &[&'a str]) -> Vec<&'a str> {
    let mut all: Vec<&str> = files.iter().chain(gzip).copied().collect();
    all.sort_unstable();
    all
}

#[test]
fn a_log_of_300_events_checkpoints_exports_c2sp_tiles_and_verifies() {
    // Proves `log checkpoint` prints a C2SP checkpoint, `log key` a C2SP verifier key, `log export` exactly the tlog-tiles files for 300 leaves, and `log verify --against-db` accepts them.
    let sandbox = sandbox_with_log();
    let note = checkpoint(&sandbox);
    let lines: Vec<&str> = note.lines().collect();
    assert_eq!(lines[0], ORIGIN, "{note}");
    assert_eq!(lines[1], FULL_SIZE.to_string(), "{note}");
    let root = Hash::from_base64(lines[2]).expect("the third line is a base64 root hash");
    assert_eq!(lines[3], "", "the body ends after the root: {note}");
    assert!(
        lines[4].starts_with(&format!("\u{2014} {ORIGIN} ")),
        "{note}"
    );
    assert_eq!(lines.len(), 5, "one signature: {note}");
    assert!(note.ends_with('\n'));
    assert_eq!(
        note,
        std::fs::read_to_string(sandbox.file(CHECKPOINT_FULL)).expect("the template's checkpoint"),
        "an unchanged log is not signed again"
    );

    let key = log_key(&sandbox);
    let parts: Vec<&str> = key.splitn(3, '+').collect();
    assert_eq!(parts.len(), 3, "{key}");
    assert_eq!(parts[0], ORIGIN);
    assert!(
        parts[1].len() == 8
            && parts[1]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{key}"
    );
    let public = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, parts[2])
        .expect("base64 key bytes");
    assert_eq!(
        (public.len(), public[0]),
        (33, 0x01),
        "an Ed25519 key: type byte then 32 bytes"
    );
    parse_signed_checkpoint(note.as_bytes())
        .expect("a signed checkpoint")
        .0
        .verify(&verifiers(&key))
        .expect("signed by the log key");

    let exported = export_json(&sandbox, "public");
    assert_eq!(exported["size"], FULL_SIZE, "{exported}");
    assert_eq!(exported["from_size"], 0, "{exported}");
    assert_eq!(exported["root"], root.to_base64(), "{exported}");
    assert_eq!(exported["files_written"], FILES_AT_300.len(), "{exported}");
    assert_eq!(
        exported["gzip_files_written"],
        GZIP_AT_300.len(),
        "{exported}"
    );
    assert_eq!(
        file_list(&sandbox.file("public")),
        with_gzip(&FILES_AT_300, &GZIP_AT_300)
    );
    for gzip in GZIP_AT_300 {
        let compressed = std::fs::read(sandbox.file(&format!("public/{gzip}"))).expect("a .gz");
        let mut plain = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(compressed.as_slice()),
            &mut plain,
        )
        .expect("the .gz decompresses");
        let beside = gzip.strip_suffix(".gz").expect("a .gz name");
        assert_eq!(
            plain,
            std::fs::read(sandbox.file(&format!("public/{beside}"))).expect("the bundle"),
            "{gzip} is the bundle beside it, compressed"
        );
        assert!(
            compressed.len() < plain.len(),
            "{gzip} is smaller than its bundle"
        );
    }
    assert_eq!(
        std::fs::read_to_string(sandbox.file("public/checkpoint")).expect("the checkpoint"),
        note
    );
    for (path, bytes) in [
        ("tile/0/000", 256 * 32),
        ("tile/0/001.p/44", 44 * 32),
        ("tile/1/000.p/1", 32),
    ] {
        let length = std::fs::metadata(sandbox.file(&format!("public/{path}")))
            .expect("a tile")
            .len();
        assert_eq!(length, bytes, "{path}");
    }
    assert_eq!(
        bundle_entries(&sandbox, "public/tile/entries/000").len(),
        256
    );
    let entries = bundle_entries(&sandbox, "public/tile/entries/001.p/44");
    assert_eq!(entries.len(), 44);
    assert!(entries.iter().all(|entry| {
        entry.starts_with(b"corridor/leaf/v1\nkind case_proposed\nagreement us-rwa-2025\n")
    }));

    let run = verify(&sandbox, "public", &key, &["--against-db"]).code(0);
    assert!(
        run.stdout().contains(&format!(
            "ok: {ORIGIN} at size {FULL_SIZE}, root {}",
            root.to_base64()
        )),
        "{}",
        run.stdout()
    );
    assert!(
        run.stdout()
            .contains("this log is a simulation (its origin ends in `/simulation`)"),
        "{}",
        run.stdout()
    );
    sandbox.corridor(&["check"]).code(0);
}

#[test]
fn verify_runs_in_an_empty_directory_and_writes_nothing() {
    // Proves `log verify DIR --key K` (no --against-db) needs no database and no key file: run from an empty directory it verifies the published log, refuses a tampered one, and leaves the directory empty; `--against-db` there still says it needs a database.
    let sandbox = sandbox_with_log();
    checkpoint(&sandbox);
    sandbox.corridor(&["log", "export", "public"]).code(0);
    let key = log_key(&sandbox);
    let public = sandbox.file("public");
    let public = public.to_str().expect("a UTF-8 path");
    let outsider = Sandbox::new();
    let before = file_list(outsider.path());
    let run = verify(&outsider, public, &key, &[]).code(0);
    assert!(run.stdout().starts_with("ok: "), "{}", run.stdout());
    flip_byte(&sandbox, "public/tile/0/000", 7);
    refused(
        &outsider,
        public,
        &key,
        &[],
        &["entry 0 of bundle `tile/0/000`"],
    );
    assert_eq!(file_list(outsider.path()), before, "nothing was written");
    let with_db = verify(&outsider, public, &key, &["--against-db"]).code(1);
    assert!(
        with_db.stderr().contains("there is no database"),
        "{}",
        with_db.stderr()
    );
    assert_eq!(file_list(outsider.path()), before, "nothing was written");
}

#[test]
fn an_incremental_export_writes_only_new_tiles_and_stays_consistent() {
    // Proves exporting over an older export writes only the tiles that are new or grew, keeps every older file (partial tiles included) untouched, and verifies against each older checkpoint.
    use std::os::unix::fs::MetadataExt as _;
    let mut sandbox = sandbox_with_log();
    let key = log_key(&sandbox);
    assert_eq!(
        file_list(&sandbox.file(PUBLISHED_EARLY)),
        [
            "checkpoint",
            "tile/0/000.p/20",
            "tile/entries/000.p/20",
            "tile/entries/000.p/20.gz"
        ]
    );

    // From 20 to 300: the full tile, the new partial tiles at levels 0 and 1, two bundles.
    let exported = export_json(&sandbox, PUBLISHED_EARLY);
    assert_eq!(
        (exported["from_size"].as_u64(), exported["size"].as_u64()),
        (Some(EARLY_SIZE), Some(FULL_SIZE)),
        "{exported}"
    );
    assert_eq!(
        exported["files_written"], 6,
        "five tile files and the checkpoint: {exported}"
    );
    let mut expected: Vec<&str> = with_gzip(&FILES_AT_300, &GZIP_AT_300);
    expected.extend([
        "tile/0/000.p/20",
        "tile/entries/000.p/20",
        "tile/entries/000.p/20.gz",
    ]);
    expected.sort_unstable();
    assert_eq!(file_list(&sandbox.file(PUBLISHED_EARLY)), expected);
    verify(
        &sandbox,
        PUBLISHED_EARLY,
        &key,
        &["--trusted", CHECKPOINT_EARLY],
    )
    .code(0);

    let before: Vec<(String, u64, i64, i64, Vec<u8>)> = file_list(&sandbox.file(PUBLISHED_EARLY))
        .into_iter()
        .map(|path| {
            let full = sandbox.file(PUBLISHED_EARLY).join(&path);
            let metadata = std::fs::metadata(&full).expect("metadata");
            let bytes = std::fs::read(&full).expect("a file");
            (
                path,
                metadata.ino(),
                metadata.mtime(),
                metadata.mtime_nsec(),
                bytes,
            )
        })
        .collect();

    // Ten more events, a day later: only the level-0 partial tile and its bundle grow.
    sandbox.set_now("2025-08-11T09:00:00Z");
    propose_many(&sandbox, "Later", 10, 1);
    let note = checkpoint(&sandbox);
    assert_eq!(checkpoint_size(&note), FULL_SIZE + 10);
    std::fs::write(sandbox.file("checkpoint-310"), &note).expect("write the checkpoint");
    let run = sandbox
        .corridor(&["log", "export", PUBLISHED_EARLY])
        .code(0);
    assert!(
        run.stdout()
            .contains("exported size 310 (from 300): 2 tile files and the checkpoint"),
        "{}",
        run.stdout()
    );
    expected.extend([
        "tile/0/001.p/54",
        "tile/entries/001.p/54",
        "tile/entries/001.p/54.gz",
    ]);
    expected.sort_unstable();
    assert_eq!(file_list(&sandbox.file(PUBLISHED_EARLY)), expected);
    for (path, inode, mtime, mtime_nsec, bytes) in &before {
        let full = sandbox.file(PUBLISHED_EARLY).join(path);
        let metadata = std::fs::metadata(&full).expect("metadata");
        if path == "checkpoint" {
            assert_ne!(
                &std::fs::read(&full).expect("the checkpoint"),
                bytes,
                "the checkpoint moves on"
            );
            continue;
        }
        assert_eq!(
            (metadata.ino(), metadata.mtime(), metadata.mtime_nsec()),
            (*inode, *mtime, *mtime_nsec),
            "{path} was rewritten"
        );
        assert_eq!(
            &std::fs::read(&full).expect("a tile"),
            bytes,
            "{path} changed"
        );
    }
    assert_eq!(
        bundle_entries(
            &sandbox,
            &format!("{PUBLISHED_EARLY}/tile/entries/001.p/54")
        )
        .len(),
        54
    );
    assert_eq!(
        bundle_entries(
            &sandbox,
            &format!("{PUBLISHED_EARLY}/tile/entries/001.p/54")
        )[..44],
        bundle_entries(
            &sandbox,
            &format!("{PUBLISHED_EARLY}/tile/entries/001.p/44")
        )[..],
        "the grown bundle extends the older one"
    );
    for trusted in [CHECKPOINT_EARLY, CHECKPOINT_FULL, "checkpoint-310"] {
        let run = verify(
            &sandbox,
            PUBLISHED_EARLY,
            &key,
            &["--trusted", trusted, "--against-db"],
        )
        .code(0);
        assert!(run.stdout().contains("at size 310"), "{}", run.stdout());
    }

    // Nothing new: only the checkpoint is written again.
    let again = export_json(&sandbox, PUBLISHED_EARLY);
    assert_eq!(
        (again["from_size"].as_u64(), again["files_written"].as_u64()),
        (Some(310), Some(1)),
        "{again}"
    );
}

#[test]
fn verify_refuses_tampered_tiles_bundles_and_checkpoints() {
    // Proves `log verify` exits 1 naming the problem for a flipped hash-tile byte, swapped or dropped entries, a missing tile or bundle, a truncated bundle, another log's key, a checkpoint re-signed by another key, and an edited checkpoint.
    let sandbox = sandbox_with_log();
    let key = log_key(&sandbox);
    sandbox.corridor(&["log", "export", "public"]).code(0);
    verify(&sandbox, "public", &key, &[]).code(0);
    let tampered = |name: &str| {
        copy_dir(&sandbox, "public", name);
        name.to_owned()
    };

    // A hash tile above level 0 is checked against the full tile below it.
    let dir = tampered("level-1-byte");
    flip_byte(&sandbox, &format!("{dir}/tile/1/000.p/1"), 7);
    refused(
        &sandbox,
        &dir,
        &key,
        &[],
        &[
            "the published tiles do not match the signed checkpoint",
            "hash 0 of tile `tile/1/000.p/1` does not match the tiles below it",
        ],
    );
    // A level-0 hash tile no longer matches the leaves its bundle holds.
    let dir = tampered("level-0-byte");
    flip_byte(&sandbox, &format!("{dir}/tile/0/000"), 32 * 100 + 5);
    refused(
        &sandbox,
        &dir,
        &key,
        &[],
        &["entry 100 of bundle `tile/0/000` does not match its leaf hash"],
    );
    // The partial tile on the right edge feeds the root.
    let dir = tampered("partial-byte");
    flip_byte(&sandbox, &format!("{dir}/tile/0/001.p/44"), 32 * 43);
    refused(
        &sandbox,
        &dir,
        &key,
        &[],
        &["entry 43 of bundle `tile/0/001.p/44` does not match its leaf hash"],
    );

    // Two entries of a bundle swapped.
    let dir = tampered("swapped");
    let mut entries = bundle_entries(&sandbox, &format!("{dir}/tile/entries/000"));
    assert_ne!(entries[3], entries[4]);
    entries.swap(3, 4);
    write_bundle(&sandbox, &format!("{dir}/tile/entries/000"), &entries);
    refused(
        &sandbox,
        &dir,
        &key,
        &[],
        &["entry 3 of bundle `tile/0/000` does not match its leaf hash"],
    );

    // The tail: the last partial tile gone, its bundle gone, truncated, or one entry short.
    let dir = tampered("no-partial-tile");
    std::fs::remove_file(sandbox.file(&format!("{dir}/tile/0/001.p/44"))).expect("remove the tile");
    refused(
        &sandbox,
        &dir,
        &key,
        &[],
        &["cannot read `tile/0/001.p/44`"],
    );
    let dir = tampered("no-partial-bundle");
    std::fs::remove_file(sandbox.file(&format!("{dir}/tile/entries/001.p/44")))
        .expect("remove the bundle");
    refused(&sandbox, &dir, &key, &[], &["tile/entries/001.p/44"]);
    let dir = tampered("truncated-bundle");
    let path = sandbox.file(&format!("{dir}/tile/entries/001.p/44"));
    let bytes = std::fs::read(&path).expect("the bundle");
    std::fs::write(&path, &bytes[..bytes.len() - 10]).expect("truncate the bundle");
    refused(
        &sandbox,
        &dir,
        &key,
        &[],
        &["entry bundle of `tile/0/001.p/44` is malformed"],
    );
    let dir = tampered("short-bundle");
    let mut entries = bundle_entries(&sandbox, &format!("{dir}/tile/entries/001.p/44"));
    entries.pop();
    write_bundle(&sandbox, &format!("{dir}/tile/entries/001.p/44"), &entries);
    refused(
        &sandbox,
        &dir,
        &key,
        &[],
        &["entry bundle of `tile/0/001.p/44` has 43 entries, not 44"],
    );

    // Another log's key (same origin, another signing key, made by `corridor init`).
    sandbox
        .corridor(&[
            "--database",
            "sqlite://other.db",
            "init",
            "--simulation",
            "--log-key-file",
            "other-log.key",
        ])
        .code(0);
    let other_key = sandbox
        .corridor(&["log", "key", "--log-key-file", "other-log.key"])
        .code(0)
        .stdout()
        .trim()
        .to_owned();
    assert!(
        other_key.starts_with(&format!("{ORIGIN}+")) && other_key != key,
        "{other_key}"
    );
    refused(
        &sandbox,
        "public",
        &other_key,
        &[],
        &[NOT_SIGNED_BY_THE_LOG, "no signature from a known key"],
    );
    // The same checkpoint body signed by that other key, checked with the log's key.
    let dir = tampered("resigned");
    let other_signer = corridor_log::note::Ed25519Signer::parse(
        std::fs::read_to_string(sandbox.file("other-log.key"))
            .expect("the other key")
            .trim(),
    )
    .expect("a signing key");
    let (_, body) = parse_signed_checkpoint(
        &std::fs::read(sandbox.file("public/checkpoint")).expect("the checkpoint"),
    )
    .expect("a checkpoint");
    let resigned = body.sign(&other_signer).expect("a signature").to_text();
    std::fs::write(sandbox.file(&format!("{dir}/checkpoint")), &resigned)
        .expect("write the checkpoint");
    verify(&sandbox, &dir, &other_key, &[]).code(0);
    refused(
        &sandbox,
        &dir,
        &key,
        &[],
        &[NOT_SIGNED_BY_THE_LOG, "no signature from a known key"],
    );

    // An edited checkpoint, its signature kept: a smaller size, or another root.
    let note = std::fs::read_to_string(sandbox.file("public/checkpoint")).expect("the checkpoint");
    let dir = tampered("edited-size");
    let edited = note.replacen(&format!("\n{FULL_SIZE}\n"), "\n299\n", 1);
    assert_ne!(edited, note);
    std::fs::write(sandbox.file(&format!("{dir}/checkpoint")), edited)
        .expect("write the checkpoint");
    refused(
        &sandbox,
        &dir,
        &key,
        &[],
        &[
            NOT_SIGNED_BY_THE_LOG,
            &format!("the signature of known key `{ORIGIN}+"),
        ],
    );
    let dir = tampered("edited-root");
    let root = note.lines().nth(2).expect("a root line");
    let edited = note.replacen(root, &sha256(b"another root").to_base64(), 1);
    std::fs::write(sandbox.file(&format!("{dir}/checkpoint")), edited)
        .expect("write the checkpoint");
    refused(
        &sandbox,
        &dir,
        &key,
        &[],
        &[
            NOT_SIGNED_BY_THE_LOG,
            &format!("the signature of known key `{ORIGIN}+"),
        ],
    );

    // The untouched export still verifies: every refusal above came from its own edit.
    verify(&sandbox, "public", &key, &["--against-db"]).code(0);
}

#[test]
fn verify_refuses_a_forked_history_signed_with_the_same_key() {
    // Proves a validly signed log whose history differs from a trusted checkpoint of the same key is refused as inconsistent, at an equal and at a larger size, whether it shares a prefix or not, and that going back in size is refused too.
    let main = sandbox_with_log();
    let key = log_key(&main);
    let trusted_early = main.file(CHECKPOINT_EARLY);
    let trusted_full = main.file(CHECKPOINT_FULL);
    let trusted_root = std::fs::read_to_string(&trusted_early)
        .expect("the checkpoint")
        .lines()
        .nth(2)
        .expect("a root")
        .to_owned();

    // A fork sharing the first 15 events, then 5 others: the same size as the trusted checkpoint.
    let fork = Sandbox::new();
    restore(&template().fork_base, fork.path());
    assert_eq!(log_key(&fork), key, "the fork signs with the same key");
    propose_many(&fork, "Fork", EARLY_SIZE - FORK_BASE_SIZE, 1);
    let note = checkpoint(&fork);
    assert_eq!(checkpoint_size(&note), EARLY_SIZE);
    assert_ne!(
        note.lines().nth(2),
        Some(trusted_root.as_str()),
        "the fork has another root"
    );
    fork.corridor(&["log", "export", "fork"]).code(0);
    let trusted_early = trusted_early.to_str().expect("a UTF-8 path");
    verify(&fork, "fork", &key, &["--against-db"]).code(0);
    refused(
        &fork,
        "fork",
        &key,
        &["--trusted", trusted_early],
        &[
            "the log at size 20 is not consistent with the trusted checkpoint of size 20",
            "the log rewrote its history",
        ],
    );
    // The fork grows: still inconsistent, now through a real consistency proof.
    propose_many(&fork, "Fork more", 4, 1);
    assert_eq!(checkpoint_size(&checkpoint(&fork)), EARLY_SIZE + 4);
    fork.corridor(&["log", "export", "fork"]).code(0);
    verify(&fork, "fork", &key, &[]).code(0);
    refused(
        &fork,
        "fork",
        &key,
        &["--trusted", trusted_early],
        &[
            "the log at size 24 is not consistent with the trusted checkpoint of size 20",
            "the log rewrote its history",
        ],
    );

    // A fresh database given the same signing key before `corridor init`: a whole other history.
    let fresh = Sandbox::new();
    std::fs::copy(
        main.file("corridor-log.key"),
        fresh.file("corridor-log.key"),
    )
    .expect("copy the log key");
    let init = fresh.init(&["--example-users"]).code(0);
    assert!(
        init.stdout()
            .contains("log signing key: keeping the existing"),
        "{}",
        init.stdout()
    );
    load_us_rwa_directly(&fresh);
    propose_many(&fresh, "Fresh", EARLY_SIZE, 2);
    assert_eq!(checkpoint_size(&checkpoint(&fresh)), EARLY_SIZE + 1);
    fresh.corridor(&["log", "export", "fresh"]).code(0);
    verify(&fresh, "fresh", &key, &[]).code(0);
    refused(
        &fresh,
        "fresh",
        &key,
        &["--trusted", trusted_early],
        &[
            "the log at size 21 is not consistent with the trusted checkpoint of size 20",
            "the log rewrote its history",
        ],
    );
    let trusted_full = trusted_full.to_str().expect("a UTF-8 path");
    refused(
        &fresh,
        "fresh",
        &key,
        &["--trusted", trusted_full],
        &["ROLLBACK: the log is at size 21, behind the trusted checkpoint of size 300"],
    );
    // An older copy of the true log is refused against a newer trusted checkpoint too.
    refused(
        &main,
        PUBLISHED_EARLY,
        &key,
        &["--trusted", CHECKPOINT_FULL],
        &["ROLLBACK: the log is at size 20, behind the trusted checkpoint of size 300"],
    );
}

#[tokio::test]
async fn verify_against_db_and_check_name_an_edited_event_row() {
    // Proves that an event body edited in the database, with its body hash and projection edited to match, is caught by `log verify --against-db` and by `check`, naming the event, while the published tiles themselves still verify.
    let sandbox = sandbox_with_log();
    let key = log_key(&sandbox);
    sandbox.corridor(&["log", "export", "public"]).code(0);
    verify(&sandbox, "public", &key, &["--against-db"]).code(0);

    let seq: i64 = 150;
    let mut raw = raw_connection(&sandbox).await;
    let row = sqlx::query("SELECT stream, kind, body FROM events WHERE seq = $1")
        .bind(seq)
        .fetch_one(&mut raw)
        .await
        .expect("event 150");
    let (case, kind, body): (String, String, String) = (
        row.try_get("stream").expect("a stream"),
        row.try_get("kind").expect("a kind"),
        row.try_get("body").expect("a body"),
    );
    assert_eq!(kind, "case_proposed");
    assert_eq!(body.matches("\"nationality\":\"VEN\"").count(), 1, "{body}");
    let edited = body.replace("\"nationality\":\"VEN\"", "\"nationality\":\"HND\"");
    raw.execute("DROP TRIGGER events_no_update")
        .await
        .expect("drop the trigger");
    let updated = sqlx::query("UPDATE events SET body = $1, body_sha256 = $2 WHERE seq = $3")
        .bind(edited.clone())
        .bind(sha256(edited.as_bytes()).to_hex())
        .bind(seq)
        .execute(&mut raw)
        .await
        .expect("edit the event");
    assert_eq!(updated.rows_affected(), 1);
    let updated = sqlx::query("UPDATE cases SET nationality = 'HND' WHERE case_id = $1")
        .bind(case.clone())
        .execute(&mut raw)
        .await
        .expect("edit the projection");
    assert_eq!(updated.rows_affected(), 1);
    raw.close().await.expect("the raw connection closes");
    let shown = sandbox.json_as("officer.ada", 0, &["case", "show", &case]);
    assert!(
        shown.to_string().contains("HND"),
        "the edit is what the database now says: {shown}"
    );

    // The published log is intact; only the database disagrees with it.
    verify(&sandbox, "public", &key, &[]).code(0);
    refused(
        &sandbox,
        "public",
        &key,
        &["--against-db"],
        &["event 150 in the database no longer matches leaf 149 of the published log"],
    );
    let run = sandbox.corridor(&["check"]).code(1);
    assert!(
        run.stdout().contains("1 problem(s)"),
        "only the log catches the edit:\n{}",
        run.stdout()
    );
    assert!(
        run.stdout()
            .contains("event 150 no longer matches its log leaf 149"),
        "{}",
        run.stdout()
    );
}

#[tokio::test]
async fn verify_against_db_checks_the_stored_bytes_not_a_reserialisation() {
    // Proves `log verify --against-db` refuses, naming the event, a body whose bytes changed but whose meaning did not (a trailing space, body hash updated): the leaf commits to the stored bytes.
    let sandbox = sandbox_with_log();
    let key = log_key(&sandbox);
    sandbox.corridor(&["log", "export", "public"]).code(0);
    let mut raw = raw_connection(&sandbox).await;
    let body: String = sqlx::query("SELECT body FROM events WHERE seq = 42")
        .fetch_one(&mut raw)
        .await
        .expect("event 42")
        .try_get("body")
        .expect("a body");
    let edited = format!("{body} ");
    raw.execute("DROP TRIGGER events_no_update")
        .await
        .expect("drop the trigger");
    let updated = sqlx::query("UPDATE events SET body = $1, body_sha256 = $2 WHERE seq = 42")
        .bind(edited.clone())
        .bind(sha256(edited.as_bytes()).to_hex())
        .execute(&mut raw)
        .await
        .expect("edit the event");
    assert_eq!(updated.rows_affected(), 1);
    raw.close().await.expect("the raw connection closes");

    verify(&sandbox, "public", &key, &[]).code(0);
    refused(
        &sandbox,
        "public",
        &key,
        &["--against-db"],
        &["event 42 in the database no longer matches leaf 41 of the published log"],
    );
    let run = sandbox.corridor(&["check"]).code(1);
    assert!(
        run.stdout()
            .contains("event 42 no longer matches its log leaf 41"),
        "{}",
        run.stdout()
    );
}

#[tokio::test]
async fn proofs_printed_by_log_prove_verify_offline() {
    // Proves `log prove --index`, `--from` and `--event` print proofs that corridor-log's parsers and verifiers accept against the log key, and that the revealed salt opens the leaf's commitment to the stored event JSON.
    let sandbox = sandbox_with_log();
    let key = log_key(&sandbox);
    let verifiers = verifiers(&key);
    sandbox.corridor(&["log", "export", "public"]).code(0);
    let last_bundle = bundle_entries(&sandbox, "public/tile/entries/001.p/44");

    // Inclusion of a leaf in the full tile and of the last leaf.
    for (index, entry) in [
        (
            7,
            bundle_entries(&sandbox, "public/tile/entries/000")[7].clone(),
        ),
        (299, last_bundle[43].clone()),
    ] {
        let text = sandbox
            .corridor(&["log", "prove", "--index", &index.to_string()])
            .code(0)
            .stdout();
        let proof = InclusionProofText::parse(&text).expect("a C2SP tlog-proof");
        assert_eq!((proof.index, proof.extra.as_ref()), (index, None));
        let signed = proof
            .verify(&leaf_hash(&entry), ORIGIN, &verifiers)
            .expect("the proof verifies");
        assert_eq!(signed.checkpoint().size(), FULL_SIZE);
        let other = leaf_hash(&last_bundle[0]);
        assert!(
            proof.verify(&other, ORIGIN, &verifiers).is_err(),
            "another leaf is not at index {index}"
        );
    }
    sandbox
        .corridor(&["log", "prove", "--index", "300"])
        .code(1);

    // Consistency from the trusted checkpoint of size 20.
    let trusted_text = std::fs::read(sandbox.file(CHECKPOINT_EARLY)).expect("the early checkpoint");
    let trusted = corridor_log::checkpoint::open_checkpoint(&trusted_text, ORIGIN, &verifiers)
        .expect("a trusted checkpoint");
    let text = sandbox
        .corridor(&["log", "prove", "--from", "20"])
        .code(0)
        .stdout();
    let proof = ConsistencyProofText::parse(&text).expect("a consistency proof text");
    assert_eq!(proof.old_size, EARLY_SIZE);
    let signed = proof
        .verify(trusted.checkpoint(), &verifiers)
        .expect("the proof verifies from size 20");
    assert_eq!(signed.checkpoint().size(), FULL_SIZE);
    let other_text = sandbox
        .corridor(&["log", "prove", "--from", "21"])
        .code(0)
        .stdout();
    let other = ConsistencyProofText::parse(&other_text).expect("a consistency proof text");
    assert!(
        other.verify(trusted.checkpoint(), &verifiers).is_err(),
        "a proof from size 21 does not start at the trusted checkpoint"
    );

    // An event, for its holder: the leaf, its inclusion, and the salt that opens its commitment.
    let seq: u64 = 280;
    let run = sandbox
        .corridor(&["log", "prove", "--event", &seq.to_string()])
        .code(0);
    let proof = InclusionProofText::parse(&run.stdout()).expect("a C2SP tlog-proof");
    let leaf = proof.extra.clone().expect("the leaf as extra data");
    assert_eq!(proof.index, seq - 1);
    assert_eq!(
        leaf,
        last_bundle[usize::try_from(seq - 1 - 256).expect("a position")],
        "the leaf is the published entry"
    );
    proof
        .verify(&leaf_hash(&leaf), ORIGIN, &verifiers)
        .expect("the leaf is in the log");
    let stderr = run.stderr();
    assert!(
        stderr.contains(&format!("event {seq} (case_proposed) is leaf {}", seq - 1)),
        "{stderr}"
    );
    let salt_hex = stderr
        .split("its salt is ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no salt in\n{stderr}"));
    let salt = hex::decode(salt_hex).expect("a hex salt");
    assert_eq!(salt.len(), 32);
    let mut raw = raw_connection(&sandbox).await;
    let body: String = sqlx::query("SELECT body FROM events WHERE seq = $1")
        .bind(i64::try_from(seq).expect("a seq"))
        .fetch_one(&mut raw)
        .await
        .expect("the stored event")
        .try_get("body")
        .expect("its JSON");
    raw.close().await.expect("the raw connection closes");
    let opened = sha256(&[salt.as_slice(), body.as_bytes()].concat());
    assert_eq!(
        opened,
        leaf_commitment(&leaf),
        "SHA-256(salt ‖ stored JSON) is the leaf's commitment"
    );
    let neighbour = sha256(&[salt.as_slice(), body.replace("VEN", "HND").as_bytes()].concat());
    assert_ne!(neighbour, leaf_commitment(&leaf));
}

#[test]
fn an_erased_case_keeps_the_log_verifiable() {
    // Proves erasing a case's personal data appends a leaf and leaves every earlier leaf provable: checkpoint, export, `log verify --against-db --trusted` and `check` all pass.
    let sandbox = sandbox_with_log();
    let key = log_key(&sandbox);
    let listed = sandbox.json_as("officer.ada", 0, &["case", "list"]);
    let case = listed[0]["case"].as_str().expect("a case id").to_owned();
    let erased = sandbox.json_as("admin", 0, &["case", "erase", &case]);
    assert_eq!(
        erased["events"][0]["type"], "personal_data_erased",
        "{erased}"
    );
    // The listing and the erasure also appended their access records: the erasure is last.
    let seq = erased["events"][0]["seq"]
        .as_u64()
        .expect("a sequence number");
    assert!(seq > FULL_SIZE && seq < 512, "{erased}");

    let note = checkpoint(&sandbox);
    assert_eq!(checkpoint_size(&note), seq);
    sandbox.corridor(&["log", "export", "public"]).code(0);
    let entries = bundle_entries(
        &sandbox,
        &format!("public/tile/entries/001.p/{}", seq - 256),
    );
    let last = entries.last().expect("the erasure's leaf");
    assert!(
        last.starts_with(b"corridor/leaf/v1\nkind personal_data_erased\nagreement us-rwa-2025\n"),
        "{}",
        String::from_utf8_lossy(last)
    );
    verify(
        &sandbox,
        "public",
        &key,
        &["--against-db", "--trusted", CHECKPOINT_FULL],
    )
    .code(0);
    sandbox.corridor(&["check"]).code(0);
    let shown = sandbox.json_as("officer.ada", 0, &["case", "show", &case]);
    assert_eq!(shown["personal_data_state"], "erased", "{shown}");
}

/// A log made by `corridor init --log-signature SIGNATURE`, one case proposed through the CLI, a
/// checkpoint signed and exported to `public`; returns the sandbox and the verifier keys
/// `corridor log key` prints, one per line.
fn log_signed_with(signature: &str) -> (Sandbox, Vec<String>) {
    let sandbox = Sandbox::new();
    sandbox
        .init(&["--example-users", "--log-signature", signature])
        .code(0);
    sandbox.load_us_rwa();
    sandbox.propose("officer.ada", "Quantum Person");
    checkpoint(&sandbox);
    sandbox.corridor(&["log", "export", "public"]).code(0);
    let keys = sandbox
        .corridor(&["log", "key"])
        .code(0)
        .stdout()
        .lines()
        .map(str::to_owned)
        .collect();
    (sandbox, keys)
}

/// The `corridor-verify` library's verdict (what its binary runs) on the log published at
/// `dir`, trusting the log's key `key` alone: the size verified, or the refusal with its causes.
fn library_verdict(dir: &Path, key: &str) -> Result<u64, String> {
    use corridor_log::note::Verifier as _;
    let log = corridor_verify::keys::log_key(key).expect("a verifier key");
    let origin = log.name().to_string();
    let trust =
        corridor_verify::check::Trust::new(origin, VerifierSet::new().with(log).expect("a key"));
    corridor_verify::monitor(
        &corridor_verify::source::Source::Dir(dir.to_path_buf()),
        &trust,
        None,
    )
    .map(|report| report.opened.checkpoint.size())
    .map_err(|error| format!("{:#}", anyhow::Error::new(error)))
}

/// Whether a verifier key string is of signature type `type_byte`.
fn key_type(key: &str) -> u8 {
    use base64::Engine as _;
    let encoded = key.splitn(3, '+').nth(2).expect("a key string");
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("base64")[0]
}

/// Copies `public` to `dir` with one byte flipped in the checkpoint's ML-DSA-44 signature (the
/// only signature longer than a hundred bytes).
fn flip_ml_dsa_signature(sandbox: &Sandbox, dir: &str) {
    use corridor_log::note::{Note, NoteSignature};
    copy_dir(sandbox, "public", dir);
    let path = sandbox.file(&format!("{dir}/checkpoint"));
    let note = Note::parse(&std::fs::read(&path).expect("the checkpoint")).expect("a note");
    let mut flipped = Note::new(note.text()).expect("a note text");
    let mut changed = 0;
    for signature in note.signatures() {
        let mut bytes = signature.signature().to_vec();
        if bytes.len() > 100 {
            bytes[1000] ^= 0x01;
            changed += 1;
        }
        let signature = NoteSignature::new(signature.name().clone(), signature.key_id(), bytes)
            .expect("a signature");
        flipped.add_signature(signature).expect("added");
    }
    assert_eq!(changed, 1, "one ML-DSA-44 signature in\n{}", note.to_text());
    std::fs::write(&path, flipped.to_text()).expect("write the checkpoint");
}

#[test]
fn an_ml_dsa_44_log_signs_its_checkpoints_and_both_verifiers_check_them() {
    // Proves `init --log-signature ml-dsa-44` makes one ML-DSA-44 key (mode 0600, type 0x06), every checkpoint carries its signature alone, `log verify` and the corridor-verify library accept the export with that key, and both refuse a checkpoint whose signature has one byte flipped, naming the signature.
    use std::os::unix::fs::PermissionsExt as _;
    let (sandbox, keys) = log_signed_with("ml-dsa-44");
    let [key] = keys.as_slice() else {
        panic!("one verifier key: {keys:?}");
    };
    assert_eq!(key_type(key), 0x06, "{key}");
    let file = sandbox.file("corridor-log.key");
    let mode = std::fs::metadata(&file)
        .expect("the key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let private = std::fs::read_to_string(&file).expect("the key file");
    assert_eq!(private.lines().count(), 1, "one private key");
    let note = std::fs::read_to_string(sandbox.file("public/checkpoint")).expect("a checkpoint");
    assert_eq!(
        note.lines().filter(|line| line.starts_with("— ")).count(),
        1
    );

    let run = verify(&sandbox, "public", key, &[]).code(0);
    assert!(run.stdout().starts_with("ok: "), "{}", run.stdout());
    let size = checkpoint_size(&note);
    assert_eq!(library_verdict(&sandbox.file("public"), key), Ok(size));

    flip_ml_dsa_signature(&sandbox, "flipped");
    let named = format!("the signature of known key `{ORIGIN}+");
    refused(
        &sandbox,
        "flipped",
        key,
        &[],
        &[NOT_SIGNED_BY_THE_LOG, &named],
    );
    let refusal = library_verdict(&sandbox.file("flipped"), key).expect_err("refused");
    assert!(refusal.contains(&named), "{refusal}");
}

#[test]
fn a_log_signing_both_ways_is_checked_by_old_and_new_verifiers() {
    // Proves `init --log-signature both` writes an Ed25519 and an ML-DSA-44 key in one file, `log key` prints both, every checkpoint carries both signatures, each key alone verifies the export in `log verify` and the library, and a flipped ML-DSA-44 signature is refused by both verifiers given that key while the Ed25519 key, which does not know it, still accepts.
    let (sandbox, keys) = log_signed_with("both");
    let [ed25519, ml_dsa] = keys.as_slice() else {
        panic!("two verifier keys: {keys:?}");
    };
    assert_eq!((key_type(ed25519), key_type(ml_dsa)), (0x01, 0x06));
    let private = std::fs::read_to_string(sandbox.file("corridor-log.key")).expect("the key file");
    assert_eq!(private.lines().count(), 2, "two private keys, one per line");
    let note = std::fs::read_to_string(sandbox.file("public/checkpoint")).expect("a checkpoint");
    assert_eq!(
        note.lines().filter(|line| line.starts_with("— ")).count(),
        2
    );
    let size = checkpoint_size(&note);
    for key in [ed25519, ml_dsa] {
        verify(&sandbox, "public", key, &["--against-db"]).code(0);
        assert_eq!(library_verdict(&sandbox.file("public"), key), Ok(size));
    }
    // Old verifiers (the Ed25519 key alone, as corridor-log checks a note) accept it.
    let (signed, _) = parse_signed_checkpoint(note.as_bytes()).expect("a signed checkpoint");
    signed
        .verify(&verifiers(ed25519))
        .expect("the Ed25519 signature verifies");

    flip_ml_dsa_signature(&sandbox, "flipped");
    let named = format!("the signature of known key `{ORIGIN}+");
    refused(
        &sandbox,
        "flipped",
        ml_dsa,
        &[],
        &[NOT_SIGNED_BY_THE_LOG, &named],
    );
    let refusal = library_verdict(&sandbox.file("flipped"), ml_dsa).expect_err("refused");
    assert!(refusal.contains(&named), "{refusal}");
    verify(&sandbox, "flipped", ed25519, &[]).code(0);
}

#[test]
fn a_log_key_file_is_never_overwritten_and_malformed_lines_are_named() {
    // Proves `init --log-signature ml-dsa-44` beside an existing key file keeps it untouched, and a key file with a malformed second line or two keys of one algorithm is refused naming the file and the line.
    let sandbox = Sandbox::new();
    sandbox.init(&[]).code(0);
    let before = std::fs::read_to_string(sandbox.file("corridor-log.key")).expect("a key");
    let again = sandbox
        .corridor(&[
            "--database",
            "sqlite://second.db",
            "init",
            "--simulation",
            "--log-signature",
            "ml-dsa-44",
        ])
        .code(0)
        .stdout();
    assert!(
        again.contains("log signing key: keeping the existing"),
        "{again}"
    );
    let after = std::fs::read_to_string(sandbox.file("corridor-log.key")).expect("a key");
    assert_eq!(before, after);
    assert_eq!(log_key(&sandbox).lines().count(), 1);

    std::fs::write(
        sandbox.file("corridor-log.key"),
        format!("{before}not a key\n"),
    )
    .expect("write");
    let run = sandbox.corridor(&["log", "key"]).code(1);
    assert!(
        run.stderr().contains("corridor-log.key`, line 2:"),
        "{}",
        run.stderr()
    );
    std::fs::write(
        sandbox.file("corridor-log.key"),
        format!("{before}{before}"),
    )
    .expect("write");
    let run = sandbox.corridor(&["log", "checkpoint"]).code(1);
    assert!(
        run.stderr().contains("line 2: a second ed25519 key"),
        "{}",
        run.stderr()
    );
}
