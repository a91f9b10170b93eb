//! `corridor log …`: the public transparency log as files and proofs anyone can check.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_log::checkpoint::{Checkpoint, parse_signed_checkpoint};
use corridor_log::cosignature::CosignatureVerifier;
use corridor_log::note::{Ed25519Signer, Ed25519Verifier, KeyName, Note, VerifierSet};
use corridor_log::proof_text::{ConsistencyProofText, InclusionProofText};
use corridor_log::tiles::{
    EntryBundles, TileId, TileReader, TileSource, changed_tiles, decode_entry_bundle,
    encode_entry_bundle, tiles_for_consistency_proof, verify_tiles,
};
use corridor_log::tree::{consistency_proof, verify_consistency};
use corridor_store::Store;
use corridor_store::log::rebuild_entry;

use crate::cli::LogCommand;

/// Largest tile or checkpoint fetched over HTTP.
const FETCH_BYTES_MAX: u64 = 1 << 20;
/// Bytes in a full hash tile.
const TILE_WIDTH: u64 = 256;

/// Reads the log signing key.
pub fn read_signer(path: &Path) -> anyhow::Result<Ed25519Signer> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the log signing key `{}` (created by `corridor init`)",
            path.display()
        )
    })?;
    Ed25519Signer::parse(text.trim())
        .map_err(|error| anyhow::anyhow!("log key `{}`: {error}", path.display()))
}

/// Creates a log signing key file (mode 0600) from 32 seed bytes.
pub fn create_signer(path: &Path, origin: &str, seed: &[u8; 32]) -> anyhow::Result<Ed25519Signer> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let name =
        KeyName::new(origin).map_err(|error| anyhow::anyhow!("origin `{origin}`: {error}"))?;
    let signer = Ed25519Signer::from_seed(name, seed);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create log key `{}`", path.display()))?;
    writeln!(file, "{}", signer.to_private_key_string())?;
    file.sync_all()?;
    Ok(signer)
}

/// The origin sigsum's witnesses require of a log whose key has `seed`:
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

/// Signs a checkpoint of the log as it stands, unless the latest already covers it; returns the
/// latest signed checkpoint text.
pub async fn checkpoint(
    store: &Store,
    signer: &Ed25519Signer,
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
    let note = body
        .sign(signer)
        .map_err(|error| anyhow::anyhow!("signing the checkpoint: {error}"))?;
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
            println!("{}", read_signer(&log_key_file)?.verifier().to_key_string());
            Ok(ExitCode::SUCCESS)
        }
        LogCommand::Checkpoint {
            log_key_file,
            witnesses,
            every_seconds,
        } => {
            let signer = read_signer(&log_key_file)?;
            let text = checkpoint(store, &signer, now).await?;
            let text = crate::witness_cmd::gather_cosignatures(store, &text, &witnesses).await?;
            print!("{text}");
            if let Some(seconds) = every_seconds {
                let period = std::time::Duration::from_secs(seconds.max(1));
                loop {
                    tokio::time::sleep(period).await;
                    let before = store.latest_checkpoint().await?.map(|(size, ..)| size);
                    let text = checkpoint(store, &signer, jiff::Timestamp::now()).await?;
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
    let bar = if json {
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
    if json {
        println!(
            "{}",
            serde_json::json!({"size": size, "root": root.to_base64(), "from_size": old, "files_written": written + 1,
                "gzip_files_written": compressed_written})
        );
    } else {
        println!(
            "exported size {size} (from {old}): {written} tile files and the checkpoint to {} (and {compressed_written} entry bundles gzip-compressed beside them)",
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Tiles from a directory or an http(s) URL.
#[derive(Debug)]
enum Source {
    Dir(PathBuf),
    Url(String),
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct FetchError(String);

impl Source {
    fn of(text: &str) -> Self {
        if text.starts_with("http://") || text.starts_with("https://") {
            Self::Url(text.trim_end_matches('/').to_owned())
        } else {
            Self::Dir(PathBuf::from(text))
        }
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, FetchError> {
        match self {
            Self::Dir(dir) => std::fs::read(dir.join(path))
                .map_err(|error| FetchError(format!("{}: {error}", dir.join(path).display()))),
            Self::Url(base) => {
                let url = format!("{base}/{path}");
                let mut response = ureq::get(&url)
                    .call()
                    .map_err(|error| FetchError(format!("{url}: {error}")))?;
                response
                    .body_mut()
                    .with_config()
                    .limit(FETCH_BYTES_MAX)
                    .read_to_vec()
                    .map_err(|error| FetchError(format!("{url}: {error}")))
            }
        }
    }
}

impl TileSource for Source {
    type Error = FetchError;
    fn tile(&self, tile: TileId) -> Result<Cow<'_, [u8]>, FetchError> {
        self.read(&tile.path()).map(Cow::Owned)
    }
    fn entry_bundle(&self, tile: TileId) -> Result<Cow<'_, [u8]>, FetchError> {
        let path = tile
            .entries_path()
            .ok_or_else(|| FetchError(format!("tile {} has no entry bundle", tile.path())))?;
        self.read(&path).map(Cow::Owned)
    }
}

fn verifiers(log_key: &str) -> anyhow::Result<VerifierSet> {
    let verifier = Ed25519Verifier::parse(log_key.trim())
        .map_err(|error| anyhow::anyhow!("--key: {error}"))?;
    VerifierSet::new()
        .with(verifier)
        .map_err(|error| anyhow::anyhow!("--key: {error}"))
}

/// Verifies a signed checkpoint's log signature and returns its body.
fn open_signed(bytes: &[u8], log_key: &str, what: &str) -> anyhow::Result<(Note, Checkpoint)> {
    let (note, body) =
        parse_signed_checkpoint(bytes).map_err(|error| anyhow::anyhow!("{what}: {error}"))?;
    note.verify(&verifiers(log_key)?)
        .map_err(|error| anyhow::anyhow!("{what}: the log's signature does not verify: {error}"))?;
    Ok((note, body))
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

/// Verifies a published log; with the log's `store`, also every leaf against its stored event
/// (`--against-db`).
async fn verify(
    store: Option<&Store>,
    source: &str,
    log_key: &str,
    cosigners: &[String],
    trusted: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let source = Source::of(source);
    let bytes = source
        .read("checkpoint")
        .map_err(|error| anyhow::anyhow!("cannot read the checkpoint: {error}"))?;
    let (note, body) = open_signed(&bytes, log_key, "checkpoint")?;
    for cosigner in cosigners {
        let verifier = CosignatureVerifier::parse(cosigner.trim())
            .map_err(|error| anyhow::anyhow!("--cosigner: {error}"))?;
        let found = note
            .signatures()
            .iter()
            .any(|signature| verifier.verify_cosignature(note.text(), signature).is_ok());
        if !found {
            bail!(
                "checkpoint: no valid cosignature from witness `{}`",
                cosigner.split('+').next().unwrap_or(cosigner)
            );
        }
    }
    let (size, root) = (body.size(), *body.root());
    // Kept as the error's source, not flattened into text: the cause (which file could not be
    // read, what is malformed in a bundle) is what tells the reader what is wrong.
    let report = verify_tiles(&source, size, &root, EntryBundles::Verify).map_err(|error| {
        anyhow::Error::new(error).context("the published log does not match its checkpoint")
    })?;
    let _ = report;
    if let Some(path) = trusted {
        let trusted_bytes = std::fs::read(path)
            .with_context(|| format!("cannot read --trusted `{}`", path.display()))?;
        let (_, old) = open_signed(&trusted_bytes, log_key, "trusted checkpoint")?;
        if old.origin() != body.origin() {
            bail!(
                "the trusted checkpoint is for `{}`, not `{}`",
                old.origin(),
                body.origin()
            );
        }
        if old.size() > size {
            bail!(
                "the log went back from the trusted size {} to {size}: a rollback or a fork",
                old.size()
            );
        }
        let mut reader = TileReader::new(size);
        for tile in tiles_for_consistency_proof(old.size(), size) {
            let tile_bytes = source
                .read(&tile.path())
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            reader
                .insert(tile, &tile_bytes)
                .map_err(|error| anyhow::anyhow!("tile {}: {error}", tile.path()))?;
        }
        let proof = consistency_proof(&reader, old.size(), size)
            .map_err(|error| anyhow::anyhow!("consistency proof: {error}"))?;
        verify_consistency(old.size(), size, old.root(), &root, &proof).map_err(|error| {
            anyhow::anyhow!("the log at size {size} is not consistent with the trusted checkpoint of size {}: {error} — a forked history", old.size())
        })?;
    }
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
