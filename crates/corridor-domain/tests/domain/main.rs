//! The domain's integration tests: one binary, one module per concern.
//!
//! Scenario tests are scripts in the fixture DSL of [`fixture`], checked as rendered text through
//! [`fixture::check`]; property tests drive [`corridor_domain::World`] with random commands.
//!
//! Each module is marked `#[cfg(test)]` so that clippy holds the helpers to the rules for tests
//! (which may unwrap, panic and index) rather than those for production code.

#[cfg(test)]
mod fixture;

#[cfg(test)]
mod boundary;
#[cfg(test)]
mod clocks;
#[cfg(test)]
mod complaints;
#[cfg(test)]
mod guards;
#[cfg(test)]
mod holds;
#[cfg(test)]
mod monitoring;
#[cfg(test)]
mod parties;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod recording;
#[cfg(test)]
mod roles;
#[cfg(test)]
mod schema;
