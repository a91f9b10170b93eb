//! The cases this process has read, kept for the next read of the same case.
//!
//! A read of a case folds its events and finds its agreement and wrapped key: a database round
//! trip on every `GET /api/cases/{case}`. The cache keeps the result, sealed as stored (the
//! personal data stays encrypted, the case key stays wrapped), for [`CASE_CACHE_ENTRIES_MAX`]
//! cases.
//!
//! It is kept true in two ways:
//!
//! - **Writes of this process.** Every commit of [`crate::Store::write_many`] forgets the cases
//!   it loaded or changed, after the commit and before it returns, and advances the fill epoch
//!   so that a fold read from the database before the commit is never put back.
//! - **Writes of other processes** (a second server on the same PostgreSQL database, the CLI on
//!   the same SQLite file). Every commit reads the log's size inside its transaction; when it is
//!   not the size this process left, someone else appended, and the whole cache is forgotten and
//!   its generation advanced. A reader notes the generation with its lookup ([`CaseStamp`]),
//!   and after its access record commits (which is after the lookup) asks
//!   [`crate::Store::unchanged_since`]: a foreign write committed before that access commit was
//!   seen by it or by an earlier commit, so an unchanged generation proves the cached fold was
//!   current when the access record was. Otherwise the reader reads the case again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use corridor_domain::{AgreementState, Case, CaseId};

/// Most cases kept. At the limit an arbitrary entry makes room: the cache is a shortcut, never
/// the only copy.
pub const CASE_CACHE_ENTRIES_MAX: usize = 16_384;

/// A case as a read needs it: folded, with its agreement and its wrapped key (`None` once
/// erased).
#[derive(Debug)]
pub struct CaseRead {
    /// The case folded from its events.
    pub case: Case,
    /// The agreement it is under.
    pub agreement: Arc<AgreementState>,
    /// The case key wrapped by the master key; `None` once the case is erased.
    pub wrapped_key: Option<Vec<u8>>,
}

/// The cache's generation when a read looked a case up; see [`crate::Store::unchanged_since`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseStamp(u64);

/// Where a fill may go back: the epochs when its database read began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FillTicket {
    generation: u64,
    writes: u64,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<CaseId, Arc<CaseRead>>,
    /// Advanced when another process may have written: everything was forgotten.
    generation: u64,
    /// Advanced when this process committed a change to cases.
    writes: u64,
}

#[derive(Debug, Default)]
pub(crate) struct CaseCache(Mutex<Inner>);

impl CaseCache {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves only a map of shortcuts behind: forget it.
        self.0.lock().unwrap_or_else(|poisoned| {
            let mut inner = poisoned.into_inner();
            inner.entries.clear();
            inner.generation += 1;
            inner
        })
    }

    /// The cached read of `id`, or a ticket to fill it with, and the stamp either way.
    pub(crate) fn lookup(&self, id: CaseId) -> (Result<Arc<CaseRead>, FillTicket>, CaseStamp) {
        let inner = self.inner();
        let stamp = CaseStamp(inner.generation);
        let found = inner.entries.get(&id).cloned().ok_or(FillTicket {
            generation: inner.generation,
            writes: inner.writes,
        });
        (found, stamp)
    }

    /// Keeps `read` unless a commit happened since `ticket` was taken: then the fold may
    /// predate it, and the next read goes to the database again.
    pub(crate) fn fill(&self, id: CaseId, read: &Arc<CaseRead>, ticket: FillTicket) {
        let mut inner = self.inner();
        if inner.generation != ticket.generation || inner.writes != ticket.writes {
            return;
        }
        if inner.entries.len() >= CASE_CACHE_ENTRIES_MAX
            && !inner.entries.contains_key(&id)
            && let Some(victim) = inner.entries.keys().next().copied()
        {
            inner.entries.remove(&victim);
        }
        inner.entries.insert(id, Arc::clone(read));
    }

    /// Forgets `cases` after this process committed changes to them.
    pub(crate) fn committed(&self, cases: impl IntoIterator<Item = CaseId>) {
        let mut inner = self.inner();
        inner.writes += 1;
        for id in cases {
            inner.entries.remove(&id);
        }
    }

    /// Forgets everything: another process may have written, or an agreement changed.
    pub(crate) fn forget_all(&self) {
        let mut inner = self.inner();
        inner.entries.clear();
        inner.generation += 1;
    }

    /// Whether nothing was forgotten wholesale since `stamp`.
    pub(crate) fn unchanged_since(&self, stamp: CaseStamp) -> bool {
        self.inner().generation == stamp.0
    }
}
