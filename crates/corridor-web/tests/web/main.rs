//! corridor-web's integration tests: one binary. [`harness::spawn`] builds a fresh SQLite store
//! in a temporary directory, loads the shipped agreements and proposes a few synthetic cases
//! through the application layer, signs a checkpoint, and drives the whole server
//! (`corridor_api::router_with` with the pages) through tower's `oneshot`.

#[cfg(test)]
mod case;
#[cfg(test)]
mod harness;
#[cfg(test)]
mod i18n;
#[cfg(test)]
mod language;
#[cfg(test)]
mod pages;
#[cfg(test)]
mod queues;
#[cfg(test)]
mod refusals;
#[cfg(test)]
mod session;
