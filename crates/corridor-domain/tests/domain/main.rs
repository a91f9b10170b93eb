//! The domain's integration tests: one binary, one module per concern.
//!
//! Scenario tests are scripts in the fixture DSL of [`fixture`], checked as rendered text through
//! [`fixture::check`]; property tests drive [`corridor_domain::World`] with random commands.

mod fixture;

mod clocks;
mod guards;
mod holds;
mod recording;
mod roles;
