//! corridor's HTTP server over axum: the door of the application layer (`corridor-app`) to
//! browsers and API clients.
//!
//! - [`problem`]: RFC 9457 problem details, the one place where errors (the application's
//!   [`corridor_app::AppError`] and the HTTP layer's own) become HTTP answers;
//! - [`auth`]: reading the [`corridor_app::Caller`] from a request (session cookie with its CSRF
//!   token, bearer token, or nobody);
//! - [`input`]: request values into typed ones, the `Idempotency-Key` header, `If-Match` and
//!   `ETag`;
//! - [`limits`]: every limit as a named constant, and the per-client rate limiter;
//! - [`telemetry`]: Prometheus metrics, one recorder per server;
//! - [`routes`]: `/healthz`, `/readyz`, `/metrics`, the public log at its C2SP paths
//!   (`/checkpoint`, `/tile/<L>/<N>[.p/<W>]`, `/tile/entries/<N>[.p/<W>]`) and `/api/agreements`;
//! - [`tile_encoding`]: how a tile or an entry bundle is sent (gzip when accepted, a strong
//!   ETag per representation, `304 Not Modified`);
//! - [`agreements`], [`cases`], [`holds`], [`access`], [`reports`]: the handlers that parse a
//!   request and call `corridor_app::service` (and `corridor_app::access`,
//!   `corridor_app::report`);
//! - [`monitoring`]: the monitoring body's visits, findings and queue (through
//!   `corridor_app::monitoring`);
//! - [`queues`]: the caller's work queue (through `corridor_app::queues`);
//! - [`session`]: log in, who am I, log out (cookie sessions with a CSRF token);
//! - [`users`]: user administration and API tokens;
//! - [`state`]: [`AppState`], the application with the metrics, the rate limiter and the witness;
//! - [`server`]: [`router`] with its layers (security headers, limits, metrics, request spans)
//!   and [`serve`]; [`router_with`] and [`serve_with`] add the web pages (`corridor-web`) under
//!   the same layers.
//!
//! This crate knows HTTP; it decides nothing. The application functions decide through the
//! policies and the store, and refusals come back as problems carrying their stable code.
//! Request logs name the method, the route template, the status and the latency: never a body,
//! a query string or a header, so never personal data.

#![deny(missing_docs)]

pub mod access;
pub mod agreements;
pub mod auth;
pub mod cases;
pub mod complaints;
pub mod holds;
pub mod input;
pub mod json;
pub mod limits;
pub mod monitoring;
pub mod problem;
pub mod queues;
pub mod reports;
pub mod routes;
pub mod server;
pub mod session;
pub mod state;
pub mod statistics;
pub mod telemetry;
pub mod tile_encoding;
pub mod users;

pub use corridor_app::Clock;
pub use problem::{ApiError, Problem};
pub use server::{router, router_with, serve, serve_with};
pub use state::{AppState, ServerConfig};
