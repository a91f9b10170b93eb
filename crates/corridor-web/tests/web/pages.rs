//! The pages: each answers 200 with the pages' CSP and no inline script or style, the public
//! ones name no case and no person, errors have the API's status, and French is served to a
//! browser that asks for it.

use corridor_web::render::CONTENT_SECURITY_POLICY;

use crate::harness::{OFFICER, PASSWORD, PEOPLE, assert_no_inline_code, spawn};

const PUBLIC_PAGES: [&str; 5] = [
    "/",
    "/agreements",
    "/agreements/us-rwa-2025",
    "/transparency",
    "/statistics",
];

/// Every page, signed out and signed in, is a 200 HTML page with the CSP and no inline code.
#[tokio::test]
async fn every_page_answers_with_the_csp_and_no_inline_script_or_style() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    let mut visits: Vec<(&str, Option<&str>)> =
        PUBLIC_PAGES.iter().map(|path| (*path, None)).collect();
    visits.push(("/login", None));
    visits.extend(
        PUBLIC_PAGES
            .iter()
            .map(|path| (*path, Some(session.as_str()))),
    );
    visits.push(("/account/password", Some(session.as_str())));
    for (path, cookie) in visits {
        let headers: Vec<(&str, &str)> = cookie
            .map(|cookie| ("cookie", cookie))
            .into_iter()
            .collect();
        let reply = app.get(path, &headers).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(
            reply.header("content-security-policy"),
            CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert!(
            reply.header("content-type").starts_with("text/html"),
            "{path}"
        );
        assert!(reply.body.contains("<html lang=\"en\">"), "{path}");
        assert_no_inline_code(path, &reply.body);
        if cookie.is_some() {
            assert_eq!(reply.header("cache-control"), "no-store", "{path}");
            assert!(
                reply.body.contains(OFFICER),
                "{path}: the header names who is signed in"
            );
        }
    }
}

/// The scanner finds what it must refuse.
#[test]
fn the_inline_code_scanner_sees_inline_code() {
    for html in [
        "<p style=\"color:red\">x</p>",
        "<style>p{}</style>",
        "<script>alert(1)</script>",
        "<button onclick=\"x()\">",
        "<script src=\"/assets/htmx.min.js\">x()</script>",
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_inline_code("test", html));
        assert!(caught.is_err(), "not caught: {html}");
    }
    assert_no_inline_code(
        "test",
        "<script src=\"/assets/htmx.min.js\" defer></script><p>on time = fine</p>",
    );
}

/// No public page names a case or a person, signed out or signed in as the officer who
/// proposed them; the cases exist and are counted in the log.
#[tokio::test]
async fn public_pages_name_no_case_and_no_person() {
    let app = spawn().await;
    assert_eq!(app.case_ids.len(), PEOPLE.len());
    let session = app.sign_in(OFFICER, PASSWORD).await;
    for cookie in [None, Some(session.as_str())] {
        let headers: Vec<(&str, &str)> = cookie
            .map(|cookie| ("cookie", cookie))
            .into_iter()
            .collect();
        for path in PUBLIC_PAGES {
            let reply = app.get(path, &headers).await;
            assert_eq!(reply.status, 200, "{path}");
            for case in &app.case_ids {
                assert!(
                    !reply.body.contains(case.as_str()),
                    "{path} names case {case}"
                );
                let bare = case.trim_start_matches("case-");
                assert!(!reply.body.contains(bare), "{path} names case {case}");
            }
            for person in PEOPLE {
                assert!(!reply.body.contains(person), "{path} names {person}");
            }
        }
    }
    let transparency = app.get("/transparency", &[]).await;
    assert!(
        transparency.body.contains("case_proposed: 3"),
        "{}",
        transparency.body
    );
    assert!(
        transparency.body.contains("BEGIN") || transparency.body.contains(crate::harness::ORIGIN)
    );
}

/// An unknown agreement is the API's 404 as an HTML page, with the CSP.
#[tokio::test]
async fn an_error_has_the_apis_status_as_an_html_page() {
    let app = spawn().await;
    let page = app.get("/agreements/no-such-agreement", &[]).await;
    let api = app.get("/api/agreements/no-such-agreement", &[]).await;
    assert_eq!(page.status, 404);
    assert_eq!(page.status, api.status);
    assert!(page.header("content-type").starts_with("text/html"));
    assert_eq!(
        page.header("content-security-policy"),
        CONTENT_SECURITY_POLICY
    );
    assert!(page.body.contains("not_found"), "{}", page.body);
}

/// The statistics page says plainly that no release exists yet.
#[tokio::test]
async fn the_statistics_page_says_when_no_release_exists() {
    let app = spawn().await;
    let page = app.get("/statistics", &[]).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("No statistics published yet"),
        "{}",
        page.body
    );
}

/// A browser asking for French gets French; one preferring English gets English.
#[tokio::test]
async fn french_is_served_to_a_browser_that_asks_for_it() {
    let app = spawn().await;
    let french = app
        .get("/", &[("accept-language", "fr-CH, fr;q=0.9, en;q=0.8")])
        .await;
    assert_eq!(french.status, 200);
    assert!(french.body.contains("<html lang=\"fr\">"));
    assert!(
        french.body.contains("Accords en vigueur"),
        "{}",
        french.body
    );
    let english = app
        .get("/", &[("accept-language", "en;q=0.9, fr;q=0.1")])
        .await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("Agreements in force"));
}

/// The assets are served with their types; another name is 404.
#[tokio::test]
async fn the_assets_are_served() {
    let app = spawn().await;
    let css = app.get("/assets/style.css", &[]).await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(css.body.contains(":focus-visible"));
    let htmx = app.get("/assets/htmx.min.js", &[]).await;
    assert_eq!(htmx.status, 200);
    assert!(htmx.header("content-type").starts_with("text/javascript"));
    assert_eq!(app.get("/assets/other.js", &[]).await.status, 404);
}

#[tokio::test]
async fn a_method_a_page_does_not_take_gets_the_405_page_with_allow() {
    // Proves a page's address answers a method it does not take with the 405 error page (HTML,
    // in the visitor's language, the methods it takes in `Allow`), not an empty body.
    let app = spawn().await;
    for (method, path, allow) in [
        ("POST", "/", "GET,HEAD"),
        ("DELETE", "/login", "GET,HEAD,POST"),
        ("GET", "/logout", "POST"),
        ("PUT", "/queue", "GET,HEAD"),
    ] {
        let reply = app.send(method, path, &[], "").await;
        assert_eq!(reply.status, 405, "{method} {path}: {}", reply.body);
        assert!(
            reply.header("content-type").starts_with("text/html"),
            "{method} {path}: {}",
            reply.header("content-type")
        );
        assert!(
            reply
                .body
                .contains("This address does not answer this kind of request."),
            "{method} {path}: {}",
            reply.body
        );
        let mut allowed: Vec<String> = reply
            .header("allow")
            .split(',')
            .map(|method| method.trim().to_owned())
            .collect();
        allowed.sort();
        assert_eq!(allowed.join(","), allow, "{method} {path}");
    }
    let french = app
        .send("POST", "/", &[("accept-language", "fr")], "")
        .await;
    assert_eq!(french.status, 405);
    assert!(french.body.contains("lang=\"fr\""), "{}", french.body);
}
