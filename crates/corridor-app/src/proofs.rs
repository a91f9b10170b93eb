//! An event of a case and its inclusion proof in the public log, against the latest signed
//! checkpoint: what the case page's timeline links to.
//!
//! Decided as the case's history is ([`crate::service::read_history`]: `read_history`, recorded),
//! and only for an event that history shows the caller (the monitoring body's records are left
//! out for everyone but its monitors). What it answers is public anyway — the leaf (kind,
//! agreement, day, a salted commitment), the tree's hashes and the signed checkpoint — except
//! which leaf is this case's event, which the caller reading the history may know. The proof is
//! built as `corridor log prove --index N` builds it ([`corridor_store::Store::inclusion_proof`]
//! over the stored hash tiles) and given as a C2SP tlog-proof text, with the leaf in its `extra`
//! line as `corridor log prove --event SEQ` gives it.

use corridor_domain::CaseId;
use corridor_log::hash::leaf_hash;
use corridor_log::proof_text::InclusionProofText;
use serde::Serialize;

use crate::caller::Caller;
use crate::error::AppError;
use crate::service::read_history;
use crate::state::App;

/// An event of a case and where it stands in the public log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventProof {
    /// The event's global sequence number.
    pub seq: u64,
    /// Its kind.
    pub kind: String,
    /// When it happened.
    pub at: String,
    /// Its leaf's index in the log.
    pub leaf_index: u64,
    /// The leaf's entry, as the public log's entry bundles hold it (it names no person).
    pub leaf_entry: String,
    /// The leaf's hash (RFC 9162 `SHA-256(0x00 ‖ entry)`), base64.
    pub leaf_hash: String,
    /// The proof against the latest checkpoint; `None` while no checkpoint covers the leaf yet.
    pub inclusion: Option<Inclusion>,
}

/// An inclusion proof against a signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inclusion {
    /// The checkpoint's tree size.
    pub tree_size: u64,
    /// The proof's hashes, leaf sibling first, base64.
    pub hashes: Vec<String>,
    /// The signed checkpoint, verbatim (its note with the log's signatures and the witnesses'
    /// cosignatures).
    pub checkpoint: String,
    /// The whole proof as a C2SP tlog-proof text (the leaf in its `extra` line), for
    /// `corridor-verify event` or any tlog-proof verifier.
    pub proof_text: String,
}

/// Event `seq` of case `id` with its inclusion proof against the latest checkpoint.
///
/// # Errors
/// As [`read_history`] (not found, not permitted: recorded); not found when the history shows
/// the caller no event `seq`; when the store cannot be read, or has no leaf for a stored event
/// (a fault).
pub async fn event_proof(
    state: &App,
    caller: &Caller,
    id: CaseId,
    seq: u64,
) -> Result<EventProof, AppError> {
    let history = read_history(state, caller, id).await?;
    let Some(event) = history.into_iter().find(|event| event.seq == seq) else {
        return Err(AppError::NotFound {
            what: format!("event {seq} of case {id}"),
        });
    };
    let store = state.store();
    let index = store
        .leaf_index_of(seq)
        .await?
        .ok_or_else(|| AppError::Internal(format!("event {seq} has no leaf")))?;
    let entry = store
        .leaves(index, 1)
        .await?
        .into_iter()
        .next()
        .map(|(_, _, entry)| entry)
        .ok_or_else(|| AppError::Internal(format!("leaf {index} is not stored")))?;
    let inclusion = match store.latest_checkpoint().await? {
        Some((size, _root, note, _made_at)) if index < size => {
            let proof = store.inclusion_proof(index, size).await?;
            let hashes = proof.iter().map(|hash| hash.to_base64()).collect();
            let proof_text = InclusionProofText {
                extra: Some(entry.clone()),
                index,
                proof,
                checkpoint: note.clone(),
            }
            .to_text();
            Some(Inclusion {
                tree_size: size,
                hashes,
                checkpoint: note,
                proof_text,
            })
        }
        _ => None,
    };
    Ok(EventProof {
        seq,
        kind: event.kind,
        at: event.at,
        leaf_index: index,
        leaf_hash: leaf_hash(&entry).to_base64(),
        leaf_entry: String::from_utf8_lossy(&entry).into_owned(),
        inclusion,
    })
}
