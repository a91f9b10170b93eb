//! corridor-app's integration tests, in one binary (STYLE.md 12), a module per concern.
//!
//! Every module is `#[cfg(test)]` so that clippy holds the helpers to the rules for tests.

#[cfg(test)]
mod queues;
#[cfg(test)]
mod statistics;
