//! corridor's HTTP server foundation over axum.
//!
//! - [`problem`]: RFC 9457 problem details, the one place where errors become HTTP answers;
//! - [`limits`]: every limit as a named constant, and the per-client rate limiter;
//! - [`telemetry`]: Prometheus metrics, one recorder per server;
//! - [`routes`]: `/healthz`, `/readyz`, `/metrics`, the public log at its C2SP paths
//!   (`/checkpoint`, `/tile/<L>/<N>[.p/<W>]`, `/tile/entries/<N>[.p/<W>]`) and `/api/agreements`;
//! - [`tile_encoding`]: how a tile or an entry bundle is sent (gzip when accepted, a strong
//!   ETag per representation, `304 Not Modified`);
//! - [`access`]: the access records, read back by the monitoring body and auditors;
//! - [`session`]: log in, who am I, log out (cookie sessions with a CSRF token);
//! - [`users`]: user administration and API tokens;
//! - [`service`]: the application functions (propose, read a case, list, every command) that
//!   the HTTP handlers and the command line's local mode both call: the policies decide, the
//!   decisions are recorded, the field filter applies;
//! - [`server`]: [`router`] with its layers (security headers, limits, metrics, request spans)
//!   and [`serve`].
//!
//! This crate knows HTTP; it decides nothing. Commands go to `corridor_store::Store`, which
//! decides them with the domain, and refusals come back as problems carrying their stable code.
//! Request logs name the method, the route template, the status and the latency: never a body,
//! a query string or a header, so never personal data.

#![deny(missing_docs)]

pub mod access;
pub mod agreements;
pub mod auth;
pub mod authorize;
pub mod cases;
pub mod commands;
pub mod committer;
pub mod disclosure;
pub mod holds;
pub mod input;
pub mod json;
pub mod limits;
pub mod problem;
pub mod routes;
pub mod server;
pub mod service;
pub mod session;
pub mod state;
pub mod telemetry;
pub mod tile_encoding;
pub mod users;
pub mod views;

pub use problem::{ApiError, Problem};
pub use server::{router, serve};
pub use state::{AppConfig, AppState, Clock};
