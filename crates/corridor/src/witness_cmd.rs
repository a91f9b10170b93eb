//! Witnesses: asking them to cosign checkpoints (log side) and serving one (`corridor witness
//! serve` on its own, or `corridor serve --witness-key` beside the log; both through
//! [`open_witness`]).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_log::checkpoint::parse_signed_checkpoint;
use corridor_log::keys::CosignerVerifier;
use corridor_store::Store;
use corridor_witness::client::{AddOutcome, add_checkpoint};
use corridor_witness::{
    CosignClock, KnownLog, WitnessState, WitnessStore, build_witness, cosigner_verifier_key,
    generate_cosigner_key,
};

use crate::cli::WitnessCommand;
use crate::entropy::Entropy;

/// Asks each witness (`URL=COSIGNER_KEY`) to cosign `checkpoint`, verifies what comes back, and
/// returns the checkpoint with the cosignatures attached (also recorded in the store). A refusal
/// is reported loudly and fails the command: it may mean the log showed someone a fork.
pub async fn gather_cosignatures(
    store: &Store,
    checkpoint: &str,
    witnesses: &[String],
) -> anyhow::Result<String> {
    if witnesses.is_empty() {
        return Ok(checkpoint.to_owned());
    }
    let (mut note, body) = parse_signed_checkpoint(checkpoint.as_bytes())
        .map_err(|error| anyhow::anyhow!("checkpoint: {error}"))?;
    let size = body.size();
    let mut refusals = Vec::new();
    for spec in witnesses {
        let (url, key) = spec
            .split_once('=')
            .with_context(|| format!("--witness `{spec}`: write URL=COSIGNER_VERIFIER_KEY"))?;
        let verifier = CosignerVerifier::parse(key.trim())
            .map_err(|error| anyhow::anyhow!("--witness key: {error}"))?;
        let mut old = store.witness_size(url).await?.unwrap_or(0).min(size);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let proof = if old == 0 || old == size {
                Vec::new()
            } else {
                store.consistency_proof(old, size).await?
            };
            match add_checkpoint(url, old, &proof, checkpoint).await {
                Ok(AddOutcome::Cosigned(signatures)) => {
                    let mut verified = 0;
                    for signature in signatures {
                        if verifier.verify_cosignature(note.text(), &signature).is_ok() {
                            note.add_signature(signature)
                                .map_err(|error| anyhow::anyhow!("cosignature: {error}"))?;
                            verified += 1;
                        }
                    }
                    if verified == 0 {
                        refusals.push(format!(
                            "{url} answered without a cosignature that verifies with its key"
                        ));
                    } else {
                        store.set_witness_size(url, size).await?;
                    }
                    break;
                }
                Ok(AddOutcome::Conflict { witness_size })
                    if witness_size <= size && witness_size != old && attempts < 3 =>
                {
                    old = witness_size;
                }
                Ok(AddOutcome::Conflict { witness_size }) => {
                    refusals.push(format!(
                        "{url} holds a checkpoint of size {witness_size} that this log (size {size}) cannot extend: a fork or a rollback"
                    ));
                    break;
                }
                Ok(AddOutcome::Refused { status, body }) => {
                    refusals.push(format!(
                        "{url} refused the checkpoint with {status}: {}",
                        body.trim()
                    ));
                    break;
                }
                Err(error) => {
                    refusals.push(format!("{url} could not be asked: {error}"));
                    break;
                }
            }
        }
    }
    let text = note.to_text();
    // Recorded only when a cosignature was added: a log signing both ways has two signatures of
    // its own already.
    if text != checkpoint {
        store
            .record_checkpoint(size, body.root(), &text, jiff::Timestamp::now())
            .await?;
    }
    if !refusals.is_empty() {
        for refusal in &refusals {
            eprintln!("WITNESS REFUSAL: {refusal}");
        }
        bail!(
            "{} witness(es) did not cosign the checkpoint of size {size}; do not publish it as witnessed",
            refusals.len()
        );
    }
    Ok(text)
}

/// The witness the command line configures: the cosigning key in `key_file` (made by `corridor
/// witness init`), the logs it follows by their verifier keys (`logs`, given with `log_flag`,
/// named in messages), and its own database at `database`, created and migrated if need be. It
/// stamps cosignatures with the system clock. Used by `corridor witness serve` and
/// `corridor serve --witness-key` alike.
pub async fn open_witness(
    key_file: &Path,
    logs: &[String],
    log_flag: &str,
    database: &str,
) -> anyhow::Result<WitnessState> {
    if logs.is_empty() {
        bail!("give at least one {log_flag} VERIFIER_KEY: a witness follows named logs only");
    }
    let key = std::fs::read_to_string(key_file).with_context(|| {
        format!(
            "cannot read the witness key `{}` (create one with `corridor witness init`)",
            key_file.display()
        )
    })?;
    let known: Vec<KnownLog> = logs
        .iter()
        .map(|log| {
            KnownLog::from_verifier_key(log.trim())
                .map_err(|error| anyhow::anyhow!("{log_flag}: {error}"))
        })
        .collect::<anyhow::Result<_>>()?;
    let witness = build_witness(key.trim(), &known).map_err(|error| anyhow::anyhow!("{error}"))?;
    let store = WitnessStore::open(&corridor_store::normalise_url(database), true)
        .await
        .map_err(|error| anyhow::anyhow!("witness database: {error}"))?;
    Ok(WitnessState::new(witness, store, CosignClock::system()))
}

/// `corridor witness …`.
pub async fn run(command: WitnessCommand) -> anyhow::Result<ExitCode> {
    match command {
        WitnessCommand::Init {
            name,
            key_file,
            signature,
        } => {
            if key_file.exists() {
                bail!(
                    "`{}` exists; refusing to replace a witness key",
                    key_file.display()
                );
            }
            let mut seed = [0u8; 32];
            Entropy::System.fill(&mut seed)?;
            let key = generate_cosigner_key(signature.algorithm(), &name, &seed)
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            write_private(&key_file, &key)?;
            println!(
                "created {} (mode 0600); cosigner verifier key: {}",
                key_file.display(),
                cosigner_verifier_key(&key).map_err(|error| anyhow::anyhow!("{error}"))?
            );
            Ok(ExitCode::SUCCESS)
        }
        WitnessCommand::Serve {
            listen,
            witness_database,
            key_file,
            logs,
        } => {
            let state = open_witness(&key_file, &logs, "--log", &witness_database).await?;
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            println!(
                "witness listening on http://{} (POST /add-checkpoint); cosigner key {}",
                listener.local_addr()?,
                state.cosigner_verifier().to_key_string()
            );
            corridor_witness::server::serve(listener, state, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes `text` and a newline to a new file only its owner may read or write.
pub(crate) fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create `{}`", path.display()))?;
    writeln!(file, "{text}")?;
    file.sync_all()?;
    Ok(())
}
