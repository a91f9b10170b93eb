//! `corridor log …`: the public transparency log as files and proofs anyone can check.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_log::checkpoint::{Checkpoint, parse_signed_checkpoint};
use corridor_log::keys::{Algorithm, LogSigner};
use corridor_log::note::{Ed25519Signer, KeyName, Note, Verifier as _, VerifierSet};
use corridor_log::proof_text::{ConsistencyProofText, InclusionProofText};
use corridor_log::tiles::{
    TileId, TileSource, changed_tiles, decode_entry_bundle, encode_entry_bundle,
};
use corridor_store::Store;
use corridor_store::log::rebuild_entry;
use corridor_verify::check::{Trust, verify_log};
use corridor_verify::keys;
use corridor_verify::source::Source;

use crate::cli::LogCommand;

/// Bytes in a full hash tile.
const TILE_WIDTH: u64 = 256;

/// The most signing keys one log key file may hold: one per algorithm.
const LOG_KEYS_MAX: usize = 2;

/// Reads the log's signing keys: one private key per line (blank lines ignored), Ed25519 or
/// ML-DSA-44, as `corridor init --log-signature` wrote them. A file of one Ed25519 key, as every
/// earlier `corridor init` wrote, reads as it always did.
pub fn read_signers(path: &Path) -> anyhow::Result<Vec<LogSigner>> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the log signing key `{}` (created by `corridor init`)",
            path.display()
        )
    })?;
    let mut signers = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let signer = LogSigner::parse(line).map_err(|error| {
            anyhow::anyhow!("log key `{}`, line {}: {error}", path.display(), number + 1)
        })?;
        if signers
            .iter()
            .any(|known: &LogSigner| known.algorithm() == signer.algorithm())
        {
            bail!(
                "log key `{}`, line {}: a second {} key; the file holds at most one key per algorithm",
                path.display(),
                number + 1,
                signer.algorithm()
            );
        }
        signers.push(signer);
    }
    if signers.is_empty() {
        bail!("log key `{}` holds no key", path.display());
    }
    if signers.len() > LOG_KEYS_MAX {
        bail!(
            "log key `{}` holds {} keys, more than {LOG_KEYS_MAX}",
            path.display(),
            signers.len()
        );
    }
    Ok(signers)
}

/// Creates a log signing key file (mode 0600, never over an existing file) holding one key per
/// line, each of its algorithm from its 32 seed bytes, named after `origin`.
pub fn create_signers(
    path: &Path,
    origin: &str,
    keys: &[(Algorithm, [u8; 32])],
) -> anyhow::Result<Vec<LogSigner>> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let name =
        KeyName::new(origin).map_err(|error| anyhow::anyhow!("origin `{origin}`: {error}"))?;
    let signers: Vec<LogSigner> = keys
        .iter()
        .map(|(algorithm, seed)| LogSigner::from_seed(*algorithm, name.clone(), seed))
        .collect();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create log key `{}`", path.display()))?;
    for signer in &signers {
        writeln!(file, "{}", signer.to_private_key_string())?;
    }
    file.sync_all()?;
    Ok(signers)
}

/// The origin sigsum's witnesses require of a log whose Ed25519 key has `seed`:
/// `sigsum.org/v1/tree/<hex SHA-256 of the Ed25519 public key>`.
pub fn sigsum_origin(seed: &[u8; 32]) -> anyhow::Result<String> {
    const PREFIX: &str = "sigsum.org/v1/tree";
    let name = KeyName::new(PREFIX).map_err(|error| anyhow::anyhow!("{PREFIX}: {error}"))?;
    let public = Ed25519Signer::from_seed(name, seed).verifier().public_key();
    Ok(format!(
        "{PREFIX}/{}",
        corridor_log::hash::sha256(&public).to_hex()
    ))
}

/// Signs a checkpoint of the log as it stands with every one of `signers`, unless the latest
/// already covers it; returns the latest signed checkpoint text. An ML-DSA-44 signature states
/// `now`.
pub async fn checkpoint(
    store: &Store,
    signers: &[LogSigner],
    now: jiff::Timestamp,
) -> anyhow::Result<String> {
    let (size, root) = store.tree_head().await?;
    if let Some((latest_size, _, note, _)) = store.latest_checkpoint().await?
        && latest_size == size
    {
        return Ok(note);
    }
    let origin = store.origin().await?;
    let body = Checkpoint::new(origin, size, root)
        .map_err(|error| anyhow::anyhow!("checkpoint: {error}"))?;
    let mut note =
        Note::new(body.to_text()).map_err(|error| anyhow::anyhow!("checkpoint: {error}"))?;
    let seconds = u64::try_from(now.as_second())
        .map_err(|_| anyhow::anyhow!("the clock reads {now}, before 1970"))?;
    for signer in signers {
        let signature = signer.sign(note.text(), seconds).map_err(|error| {
            anyhow::anyhow!(
                "signing the checkpoint with the {} key: {error}",
                signer.algorithm()
            )
        })?;
        note.add_signature(signature)
            .map_err(|error| anyhow::anyhow!("signing the checkpoint: {error}"))?;
    }
    let text = note.to_text();
    store.record_checkpoint(size, &root, &text, now).await?;
    Ok(text)
}

/// `corridor log …`.
pub async fn run(
    store: &Store,
    command: LogCommand,
    now: jiff::Timestamp,
    json: bool,
) -> anyhow::Result<ExitCode> {
    match command {
        LogCommand::Key { log_key_file } => {
            for signer in read_signers(&log_key_file)? {
                println!("{}", signer.verifier_key_string());
            }
            Ok(ExitCode::SUCCESS)
        }
        LogCommand::Checkpoint {
            log_key_file,
            witnesses,
            every_seconds,
        } => {
            let signers = read_signers(&log_key_file)?;
            let text = checkpoint(store, &signers, now).await?;
            let text = crate::witness_cmd::gather_cosignatures(store, &text, &witnesses).await?;
            print!("{text}");
            if let Some(seconds) = every_seconds {
                let period = std::time::Duration::from_secs(seconds.max(1));
                loop {
                    tokio::time::sleep(period).await;
                    let before = store.latest_checkpoint().await?.map(|(size, ..)| size);
                    let text = checkpoint(store, &signers, jiff::Timestamp::now()).await?;
                    let text =
                        crate::witness_cmd::gather_cosignatures(store, &text, &witnesses).await?;
                    if store.latest_checkpoint().await?.map(|(size, ..)| size) != before {
                        print!("\n{text}");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        LogCommand::Export { dir } => export(store, &dir, json).await,
        command @ LogCommand::Verify { .. } => verify_command(Some(store), command, json).await,
        LogCommand::Prove { index, from, event } => prove(store, index, from, event).await,
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    let temporary = path.with_extension("tmp-corridor");
    let mut file = std::fs::File::create(&temporary)
        .with_context(|| format!("cannot write `{}`", temporary.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write `{}`", temporary.display()))?;
    // Durable before it is visible: a checkpoint must never point at tiles a crash lost.
    file.sync_all()
        .with_context(|| format!("cannot sync `{}`", temporary.display()))?;
    std::fs::rename(&temporary, path)
        .with_context(|| format!("cannot move `{}` into place", path.display()))?;
    if let Some(parent) = path.parent() {
        std::fs::File::open(parent)
            .and_then(|dir| dir.sync_all())
            .with_context(|| format!("cannot sync `{}`", parent.display()))?;
    }
    Ok(())
}

async fn tile_bytes(store: &Store, tile: TileId) -> anyhow::Result<Vec<u8>> {
    let level = tile.level().checked_mul(8).context("tile level")?;
    let from = tile.index().checked_mul(TILE_WIDTH).context("tile index")?;
    let hashes = store.nodes(level, from, u64::from(tile.width())).await?;
    if hashes.len() != usize::from(tile.width()) {
        bail!(
            "the store holds {} of the {} hashes of tile {}",
            hashes.len(),
            tile.width(),
            tile.path()
        );
    }
    Ok(hashes
        .iter()
        .flat_map(|hash| hash.as_bytes().to_vec())
        .collect())
}

async fn export(store: &Store, dir: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let exported = export_to(store, dir, !json).await?;
    if json {
        println!(
            "{}",
            serde_json::json!({"size": exported.size, "root": exported.root, "from_size": exported.from_size, "files_written": exported.written + 1,
                "gzip_files_written": exported.compressed_written})
        );
    } else {
        println!(
            "exported size {} (from {}): {} tile files and the checkpoint to {} (and {} entry bundles gzip-compressed beside them)",
            exported.size,
            exported.from_size,
            exported.written,
            dir.display(),
            exported.compressed_written
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What [`export_to`] wrote.
pub(crate) struct Exported {
    /// The checkpoint's size.
    pub size: u64,
    /// Its root, base64.
    pub root: String,
    /// The size the directory held before.
    pub from_size: u64,
    /// Tile files written.
    pub written: u64,
    /// Entry bundles written gzip-compressed beside them.
    pub compressed_written: u64,
}

/// Writes the tiles the latest checkpoint adds to `dir`, then the checkpoint (with a progress
/// bar when `progress`).
pub(crate) async fn export_to(store: &Store, dir: &Path, progress: bool) -> anyhow::Result<Exported> {
    let Some((size, root, note, _)) = store.latest_checkpoint().await? else {
        bail!("no checkpoint yet: run `corridor log checkpoint` first");
    };
    let old = match std::fs::read(dir.join("checkpoint")) {
        Ok(bytes) => {
            let (_, published) = parse_signed_checkpoint(&bytes)
                .map_err(|error| anyhow::anyhow!("{}/checkpoint: {error}", dir.display()))?;
            if published.size() > size {
                bail!(
                    "{}/checkpoint is at size {}, ahead of this log ({size}): refusing to go back",
                    dir.display(),
                    published.size()
                );
            }
            if store.root_at(published.size()).await? != *published.root() {
                bail!(
                    "{}/checkpoint does not match this log at size {}: refusing to overwrite another history",
                    dir.display(),
                    published.size()
                );
            }
            published.size()
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => 0,
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}/checkpoint", dir.display()));
        }
    };
    let tiles: Vec<TileId> = changed_tiles(old, size).collect();
    let bar = if !progress {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(tiles.len() as u64)
    };
    let mut written = 0u64;
    let mut compressed_written = 0u64;
    for tile in &tiles {
        write_atomically(&dir.join(tile.path()), &tile_bytes(store, *tile).await?)?;
        written += 1;
        if let Some(path) = tile.entries_path() {
            let leaves = store
                .leaves(tile.index() * TILE_WIDTH, u64::from(tile.width()))
                .await?;
            let bundle = encode_entry_bundle(leaves.iter().map(|(_, _, entry)| entry.as_slice()))
                .map_err(|error| anyhow::anyhow!("entry bundle {path}: {error}"))?;
            write_atomically(&dir.join(&path), &bundle)?;
            written += 1;
            // The bundle gzip-compressed beside it, as `corridor serve` sends it to a client that
            // accepts gzip, for static servers that serve precompressed files (docs/log.md).
            let compressed = corridor_app::publish::gzip(&bundle)
                .with_context(|| format!("gzip of the entry bundle {path}"))?;
            write_atomically(&dir.join(format!("{path}.gz")), &compressed)?;
            compressed_written += 1;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    // The checkpoint goes last: a reader never sees a checkpoint whose tiles are not there yet.
    write_atomically(&dir.join("checkpoint"), note.as_bytes())?;
    Ok(Exported {
        size,
        root: root.to_base64(),
        from_size: old,
        written,
        compressed_written,
    })
}

/// Whom `log verify` trusts: the log's key (Ed25519 or ML-DSA-44) for the origin its name
/// says, and every witness given by `--cosigner` (Ed25519 or ML-DSA-44); with no witnesses for a
/// `--trusted` checkpoint, which needs the log's signature alone. Read by `corridor-verify`'s
/// key parsers, so both verifiers accept and refuse the same keys.
fn trust(log_key: &str, cosigners: &[String]) -> anyhow::Result<Trust> {
    let log = keys::log_key(log_key).map_err(|error| anyhow::anyhow!("--key: {error}"))?;
    let origin = log.name().to_string();
    let log = VerifierSet::new()
        .with(log)
        .map_err(|error| anyhow::anyhow!("--key: {error}"))?;
    let witnesses = cosigners
        .iter()
        .map(|text| keys::witness_key(text).map_err(|error| anyhow::anyhow!("--cosigner: {error}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let threshold = witnesses.len();
    Trust::new(origin, log)
        .with_witnesses(witnesses, threshold)
        .map_err(anyhow::Error::new)
}

/// `corridor log verify` of a published log alone (no `--against-db`): it opens no database,
/// reads no key file and writes nothing, so anyone can run it in an empty directory.
pub async fn verify_published(command: LogCommand, json: bool) -> anyhow::Result<ExitCode> {
    verify_command(None, command, json).await
}

/// `corridor log verify`, given the log's store when it is open (`--against-db` needs it).
async fn verify_command(
    store: Option<&Store>,
    command: LogCommand,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let LogCommand::Verify {
        source,
        log_key,
        cosigners,
        trusted,
        against_db,
    } = command
    else {
        bail!("not a `log verify` command");
    };
    let store = match (against_db, store) {
        (false, _) => None,
        (true, Some(store)) => Some(store),
        (true, None) => bail!("--against-db needs the log's database"),
    };
    verify(
        store,
        &source,
        &log_key,
        &cosigners,
        trusted.as_deref(),
        json,
    )
    .await
}

/// Verifies a published log with the `corridor-verify` library (the log's signature, the
/// witnesses' cosignatures, every tile and entry, consistency with a `--trusted` checkpoint);
/// with the log's `store`, also every leaf against its stored event (`--against-db`).
async fn verify(
    store: Option<&Store>,
    source: &str,
    log_key: &str,
    cosigners: &[String],
    trusted: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let trust = trust(log_key, cosigners)?;
    let trusted = match trusted {
        Some(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("cannot read --trusted `{}`", path.display()))?;
            let opened = self::trust(log_key, &[])?
                .open(&bytes)
                .map_err(|refusal| anyhow::Error::new(refusal).context("the trusted checkpoint"))?;
            Some(opened.checkpoint)
        }
        None => None,
    };
    let source = Source::parse(source);
    let bytes = source.checkpoint().map_err(|error| {
        anyhow::Error::new(error).context("cannot read the published checkpoint")
    })?;
    // Kept as the error's source, not flattened into text: the cause (which file could not be
    // read, what is malformed in a bundle) is what tells the reader what is wrong.
    let report =
        verify_log(&source, &bytes, &trust, trusted.as_ref()).map_err(anyhow::Error::new)?;
    let body = &report.opened.checkpoint;
    let (size, root) = (body.size(), *body.root());
    if let Some(store) = store {
        against_database(store, &source, size).await?;
    }
    // The origin is signed, so the mark cannot be stripped without breaking the signature.
    let simulation = corridor_store::is_simulation_origin(body.origin());
    if json {
        println!(
            "{}",
            serde_json::json!({"ok": true, "origin": body.origin(), "size": size, "root": root.to_base64(),
                "simulation": simulation})
        );
    } else {
        println!(
            "ok: {} at size {size}, root {} — every tile authenticated against the signed checkpoint",
            body.origin(),
            root.to_base64()
        );
        if simulation {
            println!(
                "this log is a simulation (its origin ends in `{}`): its times and actors were set by whoever ran it, not by a real deployment",
                corridor_store::SIMULATION_ORIGIN_SUFFIX
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every stored event must still produce the leaf the published log holds for it.
async fn against_database(store: &Store, source: &Source, size: u64) -> anyhow::Result<()> {
    let salt_key = store.salt_key().await.map_err(|error| {
        anyhow::anyhow!("the database cannot rebuild leaves ({error}): is it this log's database?")
    })?;
    let rule = store.leaf_rule().await?;
    let mut agreements_of_cases = corridor_store::log::LeafAgreements::default();
    let mut leaf = 0u64;
    for tile in corridor_log::tiles::tiles_for_size(size).filter(|tile| tile.level() == 0) {
        let bundle = source
            .entry_bundle(tile)
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        let entries = decode_entry_bundle(&bundle)
            .map_err(|error| anyhow::anyhow!("bundle {}: {error}", tile.index()))?;
        let stored = store
            .leaves(tile.index() * TILE_WIDTH, u64::from(tile.width()))
            .await?;
        let first_seq = stored.first().map_or(1, |(_, seq, _)| *seq);
        let events: BTreeMap<u64, corridor_store::StoredEvent> = match store
            .events(first_seq.saturating_sub(1), u32::from(tile.width()))
            .await
        {
            Ok(events) => events.into_iter().map(|event| (event.seq, event)).collect(),
            Err(corridor_store::StoreError::Corrupt(problem)) => bail!("the database: {problem}"),
            Err(error) => return Err(error.into()),
        };
        for (entry, (index, seq, _)) in entries.iter().zip(&stored) {
            let Some(event) = events.get(seq) else {
                bail!("leaf {index} records event {seq}, which is not in the database");
            };
            // The stored bytes, not a re-encoding: the leaf commits to exactly what is stored.
            let body = &event.body;
            let agreement = agreements_of_cases.of(&event.stream, Some(&event.event));
            let rebuilt = rebuild_entry(rule, &salt_key, *seq, body, agreement.as_deref())?;
            if rebuilt != *entry {
                bail!(
                    "event {seq} in the database no longer matches leaf {index} of the published log: the row was edited"
                );
            }
            leaf += 1;
        }
        if stored.len() != entries.len() {
            bail!(
                "the database holds {} leaves of tile {} but the published bundle has {}",
                stored.len(),
                tile.index(),
                entries.len()
            );
        }
    }
    if leaf != size {
        bail!("checked {leaf} leaves against the database, expected {size}");
    }
    Ok(())
}

async fn prove(
    store: &Store,
    index: Option<u64>,
    from: Option<u64>,
    event: Option<u64>,
) -> anyhow::Result<ExitCode> {
    let Some((size, _, note, _)) = store.latest_checkpoint().await? else {
        bail!("no checkpoint yet: run `corridor log checkpoint` first");
    };
    if let Some(old) = from {
        if old > size {
            bail!("--from {old} is beyond the latest checkpoint ({size})");
        }
        let proof = store.consistency_proof(old, size).await?;
        print!(
            "{}",
            ConsistencyProofText {
                old_size: old,
                proof,
                checkpoint: note
            }
            .to_text()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (index, extra) = match (index, event) {
        (Some(index), None) => (index, None),
        (None, Some(seq)) => {
            let index = store
                .leaf_index_of(seq)
                .await?
                .with_context(|| format!("event {seq} has no leaf"))?;
            let events = store.events(seq.saturating_sub(1), 1).await?;
            let stored = events
                .first()
                .filter(|stored| stored.seq == seq)
                .with_context(|| format!("no event {seq}"))?;
            let salt = store.salt(seq).await?;
            eprintln!(
                "event {seq} ({}) is leaf {index}; its salt is {}",
                stored.event.body.kind(),
                hex_of(&salt)
            );
            eprintln!(
                "its commitment is SHA-256(salt ‖ the stored JSON), which the leaf carries; the proof below includes the leaf"
            );
            (
                index,
                Some(
                    store
                        .leaves(index, 1)
                        .await?
                        .into_iter()
                        .next()
                        .map(|(_, _, entry)| entry)
                        .unwrap_or_default(),
                ),
            )
        }
        _ => bail!("say what to prove: --index N, --from SIZE or --event SEQ"),
    };
    if index >= size {
        bail!(
            "leaf {index} is not in the latest checkpoint (size {size}); run `corridor log checkpoint`"
        );
    }
    let proof = store.inclusion_proof(index, size).await?;
    print!(
        "{}",
        InclusionProofText {
            extra,
            index,
            proof,
            checkpoint: note
        }
        .to_text()
    );
    Ok(ExitCode::SUCCESS)
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
