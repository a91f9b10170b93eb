//! Tests in a real browser: Debian's Chromium, headless, driven over WebDriver (its
//! `chromedriver`) with fantoccini, against `corridor serve` over a fresh demo database.
//!
//! A test is a few lines: `with_browser(|session| async move { … })` hands it a signed-out browser
//! (`session.client`) and the server's URLs (`session.url("/docs")`); the helpers do the rest:
//! - [`axe`] runs the vendored axe-core (tests/fixtures/axe) in the page and returns its report;
//!   `AxeReport::assert_no_serious` fails listing every serious or critical violation;
//! - [`tab_order`] presses Tab and says what had focus after each press, for keyboard-only tests;
//! - [`screenshot`] saves the page as PNG;
//! - [`sign_in`] fills the `/login` form as a demo user, with the password the demo printed.
//! - [`signed_out`] (run before every test) clears every cookie and shows a blank page.
//!
//! One browser, one chromedriver and one server serve every browser test running at once: the
//! first test starts them, the last one running stops them, and the tests take turns with the
//! browser. Without Chromium or chromedriver the tests print why and return, except in CI (the
//! `CI` variable is set), where they fail: CI must never pass a browser test it did not run.
//! `.ci/run` installs both.
//!
//! `cargo test -p corridor --test it browser::screenshots -- --ignored` (or `scripts/screenshots`)
//! writes docs/screenshots/: docs/ui.md, "Screenshots".

#[cfg(test)]
mod axe;
#[cfg(test)]
mod docs;
#[cfg(test)]
mod flow;
#[cfg(test)]
mod keyboard;
#[cfg(test)]
mod pages;
#[cfg(test)]
mod screenshots;
#[cfg(test)]
mod session;
#[cfg(test)]
mod web;

pub use axe::axe;
pub use keyboard::tab_order;
pub use pages::{open, screenshot, sign_in};
pub use session::{Session, signed_out, with_browser};
