//! corridor's own web pages in Chromium, over the demo database: axe-core finds no serious or
//! critical violation on any public page, a demo user signs in and out through the real form, the
//! sign-in form is reached by Tab in order, and no public page names a demo case or person.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use corridor_store::{CaseFilter, Store};
use fantoccini::Locator;
use fantoccini::elements::Element;

use super::keyboard::Focused;
use super::{Session, axe, open, sign_in, signed_out, tab_order, with_browser};

/// The public pages with a fixed path; the demo's agreement page is found by following the first
/// link of `/agreements`.
/// `/login?m=ended` is the page a visitor whose session expired or ended is sent to.
const PUBLIC_PATHS: [&str; 6] = [
    "/",
    "/agreements",
    "/transparency",
    "/statistics",
    "/login",
    "/login?m=ended",
];

/// How long a form's submission may take to load the next page. A bound, not a measurement.
const NAVIGATION_WAIT: Duration = Duration::from_secs(30);

/// The demo's database, in the directory the demo ran in.
const DEMO_DATABASE: &str = "corridor-demo.db";

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

/// Every public page's path: the fixed ones and the demo's first agreement, read from the
/// links of `/agreements`.
async fn public_pages(session: &Session) -> Vec<String> {
    open(session, "/agreements").await;
    let link = session
        .client
        .find(Locator::Css("main a[href^='/agreements/']"))
        .await
        .expect("/agreements links to an agreement of the demo");
    let agreement = link
        .attr("href")
        .await
        .expect("the link's href")
        .expect("the link has an href");
    let mut pages: Vec<String> = PUBLIC_PATHS.iter().map(|&path| path.to_owned()).collect();
    pages.insert(2, agreement);
    pages
}

/// Clicks `button` and waits until the page it was on has gone (a new page has loaded).
async fn click_and_wait(button: Element) {
    button.clone().click().await.expect("the browser clicks");
    let started = Instant::now();
    while button.tag_name().await.is_ok() {
        assert!(
            started.elapsed() < NAVIGATION_WAIT,
            "no new page within {NAVIGATION_WAIT:?} of the click"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks the header's sign-out button and waits for the page it leads to.
async fn sign_out(session: &Session) {
    let button = session
        .client
        .find(Locator::Css("form[action='/logout'] button[type=submit]"))
        .await
        .expect("a signed-in page has a sign-out button");
    click_and_wait(button).await;
}

/// Every demo case's id, from the demo's database (all of them, whoever may see them).
async fn demo_case_ids(session: &Session) -> Vec<String> {
    let store = Store::open(&session.demo().url_of(DEMO_DATABASE), false)
        .await
        .expect("the demo database opens");
    let rows = store
        .list_cases(&CaseFilter {
            limit: 10_000,
            ..CaseFilter::default()
        })
        .await
        .expect("the demo's cases list");
    store.close().await;
    rows.into_iter().map(|row| row.case_id).collect()
}

/// The names of the people in the demo's cases that `user` may read, through the CLI.
fn demo_names_seen_by(session: &Session, user: &str) -> BTreeSet<String> {
    let listed = session.demo().json_as(user, 0, &["case", "list"]);
    let cases = listed.as_array().expect("`case list --json` is an array");
    cases
        .iter()
        .map(|case| {
            let id = case["case"].as_str().expect("each case has an id");
            let shown = session.demo().json_as(user, 0, &["case", "show", id]);
            shown["personal_data"]["name"]
                .as_str()
                .unwrap_or_else(|| panic!("{user} sees no name in {id}: {shown}"))
                .to_owned()
        })
        .collect()
}

#[test]
fn every_public_page_has_no_serious_accessibility_violation() {
    // Proves axe-core, run in Chromium on each public page as it renders over the demo database,
    // finds no serious or critical violation; every failing page is listed before the test fails.
    with_browser(|session| async move {
        let pages = public_pages(&session).await;
        assert_eq!(pages.len(), PUBLIC_PATHS.len() + 1, "{pages:?}");
        let mut failures = Vec::new();
        for path in &pages {
            open(&session, path).await;
            let report = axe(&session.client).await;
            assert!(
                report.passes.iter().any(|rule| rule == "html-has-lang"),
                "axe ran on {path}: {:?}",
                report.passes
            );
            eprintln!(
                "axe on {path}: {} passes, violations {:?}, {} incomplete",
                report.passes.len(),
                report
                    .violations
                    .iter()
                    .map(|violation| (violation.id.as_str(), violation.impact.as_deref()))
                    .collect::<Vec<_>>(),
                report.incomplete.len()
            );
            failures.extend(report.serious_failure(path));
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    });
}

#[test]
fn the_sign_in_error_has_no_serious_accessibility_violation() {
    // Proves the sign-in page with its error summary (the state a person who mistyped sees)
    // passes axe too.
    with_browser(|session| async move {
        submit_login(&session, "officer.ada", "demo-not-the-password").await;
        let text = body_text(&session).await;
        assert!(
            text.contains("The user name or the password is wrong"),
            "{text}"
        );
        axe(&session.client)
            .await
            .assert_no_serious("/login with a wrong password");
    });
}

/// Fills and submits the `/login` form, and waits for the answer's page.
async fn submit_login(session: &Session, user: &str, password: &str) {
    open(session, "/login").await;
    let form = session
        .client
        .form(Locator::Css("main form"))
        .await
        .expect("/login has a form");
    form.set_by_name("user", user)
        .await
        .expect("the form has a `user` field");
    form.set_by_name("password", password)
        .await
        .expect("the form has a `password` field");
    let button = session
        .client
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("the form has a submit button");
    click_and_wait(button).await;
}

#[test]
fn a_demo_officer_and_a_clerk_sign_in_and_out_through_the_form() {
    // Proves the real form signs a demo user in with the password the demo printed: the page
    // it lands on names the user and their role, and signing out ends the session, so a page
    // that needs one sends the browser to /login.
    with_browser(|session| async move {
        for (user, role) in [
            ("officer.ada", "sending state officer"),
            ("clerk.eve", "court clerk"),
        ] {
            sign_in(&session, user, session.password(user)).await;
            let url = session.client.current_url().await.expect("the URL");
            assert_eq!(url.path(), "/", "signing in as {user} leads home");
            let text = body_text(&session).await;
            assert!(
                text.contains(&format!("Signed in as {user} ({role})")),
                "the page names {user}:\n{text}"
            );
            assert!(!text.contains("Not signed in."), "{text}");

            sign_out(&session).await;
            let url = session.client.current_url().await.expect("the URL");
            assert_eq!(url.path(), "/login");
            assert_eq!(url.query(), Some("m=signed_out"));
            let text = body_text(&session).await;
            assert!(text.contains("You have signed out."), "{text}");
            assert!(text.contains("Not signed in."), "{text}");
            assert!(!text.contains(user), "{user} still named:\n{text}");

            // The session is gone: a page that needs one sends the browser to sign in.
            session
                .client
                .goto(&session.url("/account/password"))
                .await
                .expect("the browser opens /account/password");
            let url = session.client.current_url().await.expect("the URL");
            assert_eq!(url.path(), "/login", "after signing out {user}");
        }
    });
}

#[test]
fn a_wrong_password_shows_the_error_and_signs_nobody_in() {
    // Proves a wrong password keeps the browser on /login with the error summary linking to the
    // field, the name typed kept, and no session.
    with_browser(|session| async move {
        submit_login(&session, "clerk.eve", "demo-0000000000000000").await;
        let url = session.client.current_url().await.expect("the URL");
        assert_eq!(url.path(), "/login");
        let summary = session
            .client
            .find(Locator::Css(".error-summary[role=alert]"))
            .await
            .expect("the page shows an error summary");
        let summary_text = summary.text().await.expect("the summary's text");
        assert!(
            summary_text
                .contains("The user name or the password is wrong, or the account is disabled."),
            "{summary_text}"
        );
        let link = summary
            .find(Locator::Css("a"))
            .await
            .expect("the summary links to the field");
        assert_eq!(
            link.attr("href").await.expect("the link's href").as_deref(),
            Some("#user")
        );
        let field = session
            .client
            .find(Locator::Id("user"))
            .await
            .expect("the user field");
        assert_eq!(
            field.prop("value").await.expect("its value").as_deref(),
            Some("clerk.eve")
        );
        assert_eq!(
            field
                .attr("aria-invalid")
                .await
                .expect("aria-invalid")
                .as_deref(),
            Some("true")
        );
        let text = body_text(&session).await;
        assert!(text.contains("Not signed in."), "{text}");
        assert!(!text.contains("Signed in as"), "{text}");
    });
}

/// Where in `order` Tab first reached what `wanted` accepts.
fn position(order: &[Focused], what: &str, wanted: impl Fn(&Focused) -> bool) -> usize {
    order
        .iter()
        .position(wanted)
        .unwrap_or_else(|| panic!("Tab never reaches {what}: {order:#?}"))
}

#[test]
fn tab_reaches_the_skip_link_then_the_sign_in_fields_in_order() {
    // Proves the keyboard alone reaches, on /login, the skip link first, then the user name, the
    // password and the submit button, in that order, each named as a screen reader names it.
    with_browser(|session| async move {
        open(&session, "/login").await;
        let order = tab_order(&session.client, 16).await;
        let first = order.first().expect("one press");
        assert_eq!(
            (first.tag.as_str(), first.label.as_str()),
            ("a", "Skip to main content"),
            "{order:#?}"
        );
        let user = position(&order, "the user field", |focused| {
            focused.id == "user" && focused.name == "user"
        });
        let password = position(&order, "the password field", |focused| {
            focused.id == "password" && focused.name == "password"
        });
        let submit = position(&order, "the submit button", |focused| {
            focused.tag == "button" && focused.label == "Sign in"
        });
        assert!(
            0 < user && user < password && password < submit,
            "skip link, user {user}, password {password}, submit {submit}: {order:#?}"
        );
        assert_eq!(order[user].label, "User name", "{order:#?}");
        assert_eq!(order[user].role, "textbox", "{order:#?}");
        assert_eq!(order[password].label, "Password", "{order:#?}");
        // Nothing focusable hides between the fields: the password follows the user name, the
        // button the password.
        assert_eq!((password - user, submit - password), (1, 1), "{order:#?}");
    });
}

#[test]
fn public_pages_name_no_demo_case_and_no_demo_person() {
    // Proves that no public page, as Chromium receives it signed out or signed in, contains a
    // demo case's id (with or without its `case-` prefix) or the name of a demo person, read
    // from the demo's database.
    with_browser(|session| async move {
        let cases = demo_case_ids(&session).await;
        assert!(cases.len() >= 5, "the demo has cases: {cases:?}");
        let mut names = demo_names_seen_by(&session, "officer.ada");
        names.extend(demo_names_seen_by(&session, "officer.uk"));
        assert!(names.len() >= 5, "the demo's people: {names:?}");
        let pages = public_pages(&session).await;
        for signed_in in [false, true] {
            if signed_in {
                sign_in(&session, "officer.ada", session.password("officer.ada")).await;
            }
            for path in &pages {
                open(&session, path).await;
                let source = session.client.source().await.expect("the page's source");
                for case in &cases {
                    let bare = case.trim_start_matches("case-");
                    assert!(
                        !source.contains(bare),
                        "{path} (signed in: {signed_in}) names case {case}"
                    );
                }
                for name in &names {
                    assert!(
                        !source.contains(name.as_str()),
                        "{path} (signed in: {signed_in}) names {name}"
                    );
                }
            }
        }
    });
}

#[test]
fn the_harness_signs_the_browser_out_between_tests() {
    // Proves `signed_out`, run before every browser test, ends what a previous test signed in
    // as: a signed-in browser that goes through it is shown /login signed out, not sent home.
    with_browser(|session| async move {
        sign_in(
            &session,
            "supervisor.ben",
            session.password("supervisor.ben"),
        )
        .await;
        open(&session, "/").await;
        assert!(
            body_text(&session)
                .await
                .contains("Signed in as supervisor.ben")
        );
        signed_out(&session.client).await;
        open(&session, "/login").await;
        let url = session.client.current_url().await.expect("the URL");
        assert_eq!(url.path(), "/login", "a signed-in visitor is sent home");
        let text = body_text(&session).await;
        assert!(text.contains("Not signed in."), "{text}");
    });
}
