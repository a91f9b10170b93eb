//! SQLite's WAL checkpoint, run beside the writer instead of inside its commits.
//!
//! By default SQLite checkpoints from the connection that commits, once the WAL passes 1,000
//! pages: the commit that crosses the line copies the WAL into the database file and syncs it
//! before it returns, so a group commit of random-keyed inserts (which dirties more than 1,000
//! pages) paid a checkpoint nearly every time (docs/benchmarks.md, issue 18). Here the writer's
//! connection checkpoints on its own only past [`WRITER_AUTOCHECKPOINT_PAGES`], a backstop, and
//! after each commit that brings the events written since the last checkpoint to
//! [`CHECKPOINT_AFTER_EVENTS`], a `PRAGMA wal_checkpoint(PASSIVE)` runs on another pooled
//! connection, on SQLite's thread for that connection, while the writer goes on.
//!
//! Durability does not change: a commit is durable once its WAL frames are synced
//! (`synchronous=FULL`), before the checkpoint copies them; a checkpoint cut short by a crash is
//! redone from the WAL when the database is opened next. A passive checkpoint takes no lock
//! that the writer or the readers wait for.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sqlx::AnyPool;

/// The WAL pages past which the writer's own connection checkpoints in its commit: a backstop
/// for a process that writes fewer than [`CHECKPOINT_AFTER_EVENTS`] events (a command-line
/// write) or whose background checkpoints fail. 10,000 pages of 4 KiB: 40 MiB.
pub(crate) const WRITER_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// Events committed after which the next commit starts a background checkpoint. One event
/// dirties a few pages (its row, its index entries, its log leaf and nodes, its projection), so
/// this keeps the WAL around SQLite's default of 1,000 pages.
pub(crate) const CHECKPOINT_AFTER_EVENTS: u64 = 256;

/// The state of the background checkpoints of one store (SQLite files only).
#[derive(Debug, Default)]
pub(crate) struct Checkpoints {
    /// Events committed since the last background checkpoint started.
    events: AtomicU64,
    /// Whether a background checkpoint is running (at most one at a time).
    running: Arc<AtomicBool>,
}

impl Checkpoints {
    /// Counts `events` just committed and, at [`CHECKPOINT_AFTER_EVENTS`], starts a passive
    /// checkpoint on a pooled connection unless one is running. Outside a Tokio runtime nothing
    /// starts, and the writer's backstop checkpoints instead.
    pub(crate) fn committed(&self, pool: &AnyPool, events: u64) {
        let so_far = self
            .events
            .fetch_add(events, Ordering::AcqRel)
            .saturating_add(events);
        if so_far < CHECKPOINT_AFTER_EVENTS {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.events.store(0, Ordering::Release);
        let pool = pool.clone();
        let running = Arc::clone(&self.running);
        runtime.spawn(async move {
            let result = async {
                let mut connection = pool.acquire().await?;
                sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&mut *connection)
                    .await
            }
            .await;
            match result {
                // The store closed meanwhile: closing the last connection checkpoints anyway.
                Ok(_) | Err(sqlx::Error::PoolClosed) => {}
                // The next commit past the threshold tries again; the writer's backstop bounds
                // the WAL meanwhile.
                Err(error) => tracing::warn!(%error, "a background WAL checkpoint failed"),
            }
            running.store(false, Ordering::Release);
        });
    }
}
