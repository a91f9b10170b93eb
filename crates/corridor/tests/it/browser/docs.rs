//! The harness proven on pages that exist before the web interface: the vendored Swagger UI at
//! `/docs` (not ours, so its axe violations are reported, not asserted away) and the public
//! `/checkpoint`.

use std::collections::BTreeSet;

use fantoccini::Locator;

use super::axe::AXE_VERSION;
use super::pages::PNG_SIGNATURE;
use super::{Session, axe, screenshot, tab_order, with_browser};

/// Opens `/docs` and waits until Swagger UI has rendered the API's operations.
async fn open_docs(session: &Session) {
    let client = &session.client;
    client
        .goto(&session.url("/docs/"))
        .await
        .expect("the browser opens /docs/");
    client
        .wait()
        .for_element(Locator::Css(".swagger-ui .opblock"))
        .await
        .expect("Swagger UI renders the API's operations");
}

/// The text the page shows.
async fn body_text(session: &Session) -> String {
    session
        .client
        .find(Locator::Css("body"))
        .await
        .expect("the page has a body")
        .text()
        .await
        .expect("the body's text")
}

/// `text` as a `data:` URL of an HTML page.
fn data_url(html: &str) -> String {
    let mut url = "data:text/html;charset=utf-8,".to_owned();
    for byte in html.bytes() {
        if byte.is_ascii_alphanumeric() {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

#[test]
fn chromium_shows_the_api_docs_rendered_from_the_servers_document() {
    // Proves the harness drives a real Chromium against the served page: Swagger UI ran its
    // script, fetched the OpenAPI document and rendered corridor's operations.
    with_browser(|session| async move {
        open_docs(&session).await;
        let title = session.client.title().await.expect("the page's title");
        assert_eq!(title, "Swagger UI");
        let text = body_text(&session).await;
        assert!(
            text.contains("/readyz"),
            "the rendered operations list /readyz:\n{text}"
        );
    });
}

#[test]
fn the_public_checkpoint_is_the_demo_logs() {
    // Proves the server the browser sees serves the demo database the harness built.
    with_browser(|session| async move {
        session
            .client
            .goto(&session.url("/checkpoint"))
            .await
            .expect("the browser opens /checkpoint");
        let text = body_text(&session).await;
        assert!(
            text.starts_with("demo.corridor.invalid/log/simulation\n"),
            "the demo's checkpoint: {text}"
        );
    });
}

#[test]
fn axe_runs_in_the_api_docs_and_its_report_parses() {
    // Proves the vendored axe-core runs in the page and its report comes back whole; Swagger UI is
    // not ours, so its violations are only required to be well formed.
    with_browser(|session| async move {
        open_docs(&session).await;
        let report = axe(&session.client).await;
        assert_eq!(report.engine, AXE_VERSION);
        assert!(
            report.passes.iter().any(|rule| rule == "document-title"),
            "the page has a title, so axe passes `document-title`: {:?}",
            report.passes
        );
        for violation in &report.violations {
            assert!(!violation.id.is_empty(), "{violation:?}");
            assert!(!violation.help.is_empty(), "{violation:?}");
            assert!(!violation.nodes.is_empty(), "{violation:?}");
        }
        eprintln!(
            "axe on Swagger UI: {} passes, {} violations ({:?}), {} incomplete",
            report.passes.len(),
            report.violations.len(),
            report
                .violations
                .iter()
                .map(|violation| violation.id.as_str())
                .collect::<Vec<_>>(),
            report.incomplete.len()
        );
    });
}

#[test]
fn axe_fails_a_page_with_critical_violations_naming_each_element() {
    // Proves the accessibility assertion can fail: an image without a text alternative and a
    // button without a name are critical, and the failure names the rules and the elements;
    // fixed, the same page passes.
    with_browser(|session| async move {
        let page = "<!doctype html><html lang=\"en\"><head><title>Fixture</title></head>\
                    <body><main><h1>Fixture</h1><img src=\"missing.png\">\
                    <button id=\"nameless\"></button></main></body></html>";
        session
            .client
            .goto(&data_url(page))
            .await
            .expect("the browser opens the fixture");
        let report = axe(&session.client).await;
        let serious: BTreeSet<&str> = report
            .serious()
            .iter()
            .map(|violation| violation.id.as_str())
            .collect();
        assert!(
            serious.contains("image-alt") && serious.contains("button-name"),
            "{:#?}",
            report.violations
        );
        let message = report
            .serious_failure("the fixture")
            .expect("the assertion fails on critical violations");
        for expected in [
            "image-alt",
            "button-name",
            "<img",
            "#nameless",
            "the fixture",
        ] {
            assert!(message.contains(expected), "{expected} in:\n{message}");
        }
        // The same page with the image described and the button named passes.
        let fixed = page
            .replace(
                "<img src=\"missing.png\">",
                "<img src=\"missing.png\" alt=\"A map\">",
            )
            .replace(
                "<button id=\"nameless\"></button>",
                "<button id=\"named\">Save</button>",
            );
        session
            .client
            .goto(&data_url(&fixed))
            .await
            .expect("the browser opens the fixed fixture");
        let report = axe(&session.client).await;
        report.assert_no_serious("the fixed fixture");
        assert!(
            report.passes.iter().any(|rule| rule == "image-alt"),
            "{:?}",
            report.passes
        );
    });
}

#[test]
fn tab_moves_focus_through_the_api_docs() {
    // Proves keyboard-only tests see real focus moves: Tab reaches several distinct controls, each
    // described with its tag and the accessible name Chromium computes.
    with_browser(|session| async move {
        open_docs(&session).await;
        let order = tab_order(&session.client, 6).await;
        assert_eq!(order.len(), 6);
        let distinct: BTreeSet<_> = order
            .iter()
            .filter(|focused| !focused.is_body())
            .map(|focused| {
                (
                    focused.tag.clone(),
                    focused.id.clone(),
                    focused.name.clone(),
                    focused.label.clone(),
                )
            })
            .collect();
        assert!(distinct.len() >= 2, "focus moved through {order:#?}");
        assert!(
            order.iter().any(|focused| !focused.is_body()
                && !focused.label.is_empty()
                && !focused.role.is_empty()),
            "some focused control has an accessible name and role: {order:#?}"
        );
    });
}

#[test]
fn a_screenshot_is_a_png_file() {
    // Proves the screenshot helper writes the browser's picture of the page as a PNG file.
    with_browser(|session| async move {
        open_docs(&session).await;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("nested/docs.png");
        screenshot(&session.client, &path).await;
        let bytes = std::fs::read(&path).expect("the screenshot was written");
        assert!(bytes.starts_with(&PNG_SIGNATURE), "{:?}", &bytes[..8]);
        assert!(
            bytes.len() > 1_000,
            "a page, not an empty image: {} bytes",
            bytes.len()
        );
    });
}
