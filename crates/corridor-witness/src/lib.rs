//! A C2SP tlog-witness for corridor's transparency log, and the log side's client for it.
//!
//! corridor publishes signed checkpoints of its log. A witness remembers the latest checkpoint
//! it cosigned for each log it follows and cosigns a new one only when it is consistent with
//! that one, so a log that shows two different histories to two parties is caught. This crate
//! is the I/O around the witness *decision*, which lives sans I/O in [`corridor_log::witness`]:
//!
//! - [`config`]: known logs and the witness's cosigning key, from key strings, in one step
//!   ([`config::KnownLog`], [`config::build_witness`]), and a helper that turns caller-supplied
//!   seed bytes into a new cosigning key string.
//! - [`store`]: the witness's state in its own SQLite or PostgreSQL database
//!   ([`store::WitnessStore`]): the latest cosigned checkpoint per origin, advanced only by a
//!   compare-and-swap inside a write transaction.
//! - [`server`]: [`server::WitnessState`] (witness, store, clock) and [`server::router`], the
//!   axum router serving `POST /add-checkpoint` exactly as C2SP tlog-witness prescribes, and
//!   its optional monitoring endpoint `GET /<origin hash>/checkpoint`.
//! - [`clock`]: where the cosignature timestamp comes from ([`clock::CosignClock`]): the system clock
//!   in production, a fixed value in tests.
//! - [`client`]: the log side: [`client::add_checkpoint`] sends a checkpoint to a witness and
//!   reads the answer as an [`client::AddOutcome`]; [`client::verify_cosignature`] checks the
//!   cosignature with the witness's public key.
//!
//! # The invariant this crate keeps
//! A witness never cosigns two checkpoints of one log that are not consistent with each other,
//! even under concurrent requests and across restarts. The decision is made against the
//! stored checkpoint; the new checkpoint is persisted, durably, by a compare-and-swap on that
//! same stored checkpoint *before* the cosignature is sent. A request that loses the race is
//! decided again against what is stored now, and so gets the 409 the spec prescribes.
//!
//! What this crate does not do: it holds no log (it never sees entries, only checkpoints and
//! proofs), it speaks no HTTPS (a reverse proxy terminates TLS; the client speaks plain HTTP
//! and refuses `https://` URLs), and it draws no randomness (key seeds come from the caller).
#![deny(missing_docs)]

pub mod client;
pub mod clock;
pub mod config;
pub mod server;
pub mod store;

pub use client::{AddOutcome, ClientError, add_checkpoint, verify_cosignature};
pub use clock::CosignClock;
pub use config::{
    ConfigError, KnownLog, build_witness, cosigner_verifier_key, generate_cosigner_key,
};
pub use server::{AddCheckpointError, WitnessState, router, serve};
pub use store::{StoreError, StoredCheckpoint, WitnessStore};
