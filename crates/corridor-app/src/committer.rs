//! The committer: the application's one writer. Application functions hand it writes (commands and access
//! records); it groups whatever is waiting into one durable transaction (a group commit) and
//! answers each handler once that transaction is durable.
//!
//! One writer means one lock holder: SQLite takes one writer at a time anyway, and with
//! PostgreSQL the store's advisory lock does the same across servers. Grouping turns many
//! concurrent requests into one fsync. Nothing is acknowledged before its commit: a handler's
//! answer waits for its reply.

use std::sync::Arc;

use corridor_domain::{CaseId, Command, Context, Event};
use corridor_store::{Executed, Request, Store, StoreError, Write};
use tokio::sync::{mpsc, oneshot};

use crate::error::{AppError, is_unavailable};

/// Most writes in one group commit.
pub const GROUP_WRITES_MAX: usize = 512;

/// Jobs waiting for the committer before handlers are made to wait to hand theirs over.
pub const QUEUE_JOBS_MAX: usize = 4_096;

/// One write, owned.
#[derive(Debug, Clone)]
pub enum Job {
    /// A command to decide.
    Command {
        /// The command.
        command: Command,
        /// Who and when.
        context: Context,
        /// The version the caller saw.
        expected_version: Option<u64>,
        /// Wrapped keys of proposed cases.
        new_case_keys: Vec<(CaseId, Vec<u8>)>,
    },
    /// An access record.
    Access(Event),
    /// A complaint command, with the wrapped key of the complaint it lodges.
    Complaint {
        /// The command.
        command: Command,
        /// Who and when.
        context: Context,
        /// The wrapped key of a complaint being lodged.
        new_key: Option<Vec<u8>>,
    },
}

type ResultSender = oneshot::Sender<Result<Vec<Result<Executed, StoreError>>, AppError>>;

/// The handle handlers write through; cheap to clone.
#[derive(Debug, Clone)]
pub struct Committer {
    sender: mpsc::Sender<(Vec<Job>, ResultSender)>,
}

impl Committer {
    /// Starts the committer task over `store`.
    pub fn start(store: Arc<Store>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE_JOBS_MAX);
        tokio::spawn(run(store, receiver));
        Self { sender }
    }

    /// Writes `jobs` in one transaction, together with whatever else is waiting, and returns
    /// each job's result once the transaction is durable. The jobs of one call are never split
    /// across transactions (an access record and the command it allowed commit together).
    pub async fn write(
        &self,
        jobs: Vec<Job>,
    ) -> Result<Vec<Result<Executed, StoreError>>, AppError> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send((jobs, reply))
            .await
            .map_err(|_| AppError::Internal("the committer has stopped".to_owned()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("the committer dropped a write".to_owned()))?
    }
}

async fn run(store: Arc<Store>, mut receiver: mpsc::Receiver<(Vec<Job>, ResultSender)>) {
    while let Some(first) = receiver.recv().await {
        let mut group = vec![first];
        let mut writes = group.first().map_or(0, |(jobs, _)| jobs.len());
        while writes < GROUP_WRITES_MAX {
            match receiver.try_recv() {
                Ok(next) => {
                    writes += next.0.len();
                    group.push(next);
                }
                Err(_) => break,
            }
        }
        commit(&store, group).await;
    }
}

async fn commit(store: &Store, group: Vec<(Vec<Job>, ResultSender)>) {
    let requests: Vec<Write<'_>> = group
        .iter()
        .flat_map(|(jobs, _)| jobs.iter())
        .map(|job| match job {
            Job::Command {
                command,
                context,
                expected_version,
                new_case_keys,
            } => Write::Command(Request {
                command,
                context,
                expected_version: *expected_version,
                new_case_keys,
            }),
            Job::Access(event) => Write::Access(event),
            Job::Complaint {
                command,
                context,
                new_key,
            } => Write::Complaint(
                Request {
                    command,
                    context,
                    expected_version: None,
                    new_case_keys: &[],
                },
                new_key.as_deref(),
            ),
        })
        .collect();
    match store.write_many(&requests).await {
        Ok(results) => {
            let mut results = results.into_iter();
            for (jobs, reply) in group {
                let own: Vec<_> = results.by_ref().take(jobs.len()).collect();
                // A handler that gave up (its client went away) no longer listens; its writes
                // are durable all the same.
                let _ = reply.send(Ok(own));
            }
        }
        Err(error) => {
            let unavailable = matches!(&error, StoreError::Database(source) if is_unavailable(source))
                || matches!(error, StoreError::Connect { .. });
            // Rolled back, unless the connection was lost during the commit itself: then the
            // outcome is unknown to this server, and a client learns it by reading again.
            tracing::error!(%error, writes = requests.len(), "group commit failed; none of its writes is acknowledged");
            let cause = error.to_string();
            for (_, reply) in group {
                let _ = reply.send(Err(AppError::CommitFailed {
                    unavailable,
                    cause: cause.clone(),
                }));
            }
        }
    }
}
