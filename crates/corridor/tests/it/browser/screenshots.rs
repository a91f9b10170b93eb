//! The screenshots of docs/ui.md: every page in [`PAGES`], as the demo user it names (or signed
//! out), saved as docs/screenshots/NAME.png. Ignored in test runs: `scripts/screenshots` runs it.
//! A new page adds one line to [`PAGES`]. A path may name `{case}`, the demo's case that arrived
//! (its id read through the CLI as officer.ada), and `{proof}`, the proof page of that case's
//! first event (the first proof link of its page). After the list, the court clerk's dry run of a
//! class order (a page a POST answers) is photographed as `hold-dry-run`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use fantoccini::Locator;

use super::{Session, screenshot, sign_in, signed_out, with_browser};

/// One page to photograph.
#[derive(Debug)]
pub struct Page {
    /// The file's name, without `.png`.
    pub name: &'static str,
    /// The path on the server (`{case}` and `{proof}` are filled in: see the module's doc).
    pub path: &'static str,
    /// The demo user to sign in as first, or `None` for a page anyone may see.
    pub as_user: Option<&'static str>,
    /// A CSS selector present once the page has rendered (Swagger UI renders after loading).
    pub ready: &'static str,
}

/// Every page docs/ui.md shows.
pub const PAGES: &[Page] = &[
    Page {
        name: "api-docs",
        path: "/docs/",
        as_user: None,
        ready: ".swagger-ui .opblock",
    },
    Page {
        name: "checkpoint",
        path: "/checkpoint",
        as_user: None,
        ready: "body",
    },
    Page {
        name: "home",
        path: "/",
        as_user: None,
        ready: "main h1",
    },
    Page {
        name: "agreements",
        path: "/agreements",
        as_user: None,
        ready: "main h1",
    },
    Page {
        name: "agreement",
        path: "/agreements/demo-training",
        as_user: None,
        ready: "main h1",
    },
    Page {
        name: "transparency",
        path: "/transparency",
        as_user: None,
        ready: "main h1",
    },
    Page {
        name: "statistics",
        path: "/statistics",
        as_user: None,
        ready: "main h1",
    },
    Page {
        name: "login",
        path: "/login",
        as_user: None,
        ready: "main h1",
    },
    Page {
        name: "login-session-ended",
        path: "/login?m=ended",
        as_user: None,
        ready: "main h1",
    },
    Page {
        name: "home-signed-in",
        path: "/",
        as_user: Some("officer.ada"),
        ready: "main h1",
    },
    Page {
        name: "account-password",
        path: "/account/password",
        as_user: Some("officer.ada"),
        ready: "main h1",
    },
    Page {
        name: "account-language",
        path: "/account",
        as_user: Some("officer.ada"),
        ready: "main h1",
    },
    Page {
        name: "queue-officer",
        path: "/queue",
        as_user: Some("officer.ada"),
        ready: "main h1",
    },
    Page {
        name: "queue-supervisor",
        path: "/queue",
        as_user: Some("supervisor.ben"),
        ready: "main h1",
    },
    Page {
        name: "queue-receiving",
        path: "/queue",
        as_user: Some("receiver.dee"),
        ready: "main h1",
    },
    Page {
        name: "queue-clerk",
        path: "/queue",
        as_user: Some("clerk.eve"),
        ready: "main h1",
    },
    Page {
        name: "queue-monitor",
        path: "/queue",
        as_user: Some("monitor.gus"),
        ready: "main h1",
    },
    Page {
        name: "queue-adjudicator",
        path: "/queue",
        as_user: Some("adjudicator.cy"),
        ready: "main h1",
    },
    Page {
        name: "queue-counsel",
        path: "/queue",
        as_user: Some("counsel.fay"),
        ready: "main h1",
    },
    Page {
        name: "case",
        path: "/cases/{case}",
        as_user: Some("officer.ada"),
        ready: "main h1",
    },
    Page {
        name: "case-receiving",
        path: "/cases/{case}",
        as_user: Some("receiver.dee"),
        ready: "main h1",
    },
    Page {
        name: "proof",
        path: "{proof}",
        as_user: Some("officer.ada"),
        ready: "main h1",
    },
    Page {
        name: "erase",
        path: "/cases/{case}/erase",
        as_user: Some("demo.admin"),
        ready: "main h1",
    },
    Page {
        name: "propose-choose",
        path: "/cases/new",
        as_user: Some("officer.ada"),
        ready: "main h1",
    },
    Page {
        name: "propose",
        path: "/cases/new?agreement=demo-training",
        as_user: Some("officer.ada"),
        ready: "main h1",
    },
    Page {
        name: "agreement-gauges",
        path: "/agreements/demo-training",
        as_user: Some("officer.ada"),
        ready: "main meter",
    },
    Page {
        name: "holds",
        path: "/holds",
        as_user: Some("clerk.eve"),
        ready: "main h1",
    },
    Page {
        name: "hold-new",
        path: "/holds/new",
        as_user: Some("clerk.eve"),
        ready: "main h1",
    },
];

/// Where the screenshots go: docs/screenshots/ in the repository.
fn screenshots_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
}

#[test]
fn the_page_list_names_each_file_once() {
    // Proves no two pages would write the same file and every name is a plain file name.
    let mut names = BTreeSet::new();
    for page in PAGES {
        assert!(names.insert(page.name), "{} is listed twice", page.name);
        assert_ne!(
            page.name, "hold-dry-run",
            "the dry run's file is written after the list"
        );
        assert!(
            page.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{} is not a plain file name",
            page.name
        );
        assert!(
            page.path.starts_with('/') || page.path == "{proof}",
            "{}: {}",
            page.name,
            page.path
        );
    }
}

#[test]
#[ignore = "writes docs/screenshots/: run by scripts/screenshots"]
fn every_page() {
    with_browser(|session| async move {
        let dir = screenshots_dir();
        let case = arrived_case(&session);
        let proof = first_proof(&session, &case).await;
        for page in PAGES {
            let path = page
                .path
                .replace("{case}", &case)
                .replace("{proof}", &proof);
            signed_out(&session.client).await;
            if let Some(user) = page.as_user {
                sign_in(&session, user, session.password(user)).await;
            }
            session
                .client
                .goto(&session.url(&path))
                .await
                .unwrap_or_else(|error| panic!("{path}: {error}"));
            session
                .client
                .wait()
                .for_element(Locator::Css(page.ready))
                .await
                .unwrap_or_else(|error| panic!("{path} never showed {}: {error}", page.ready));
            let file = dir.join(format!("{}.png", page.name));
            screenshot(&session.client, &file).await;
            eprintln!("{path} → {}", file.display());
        }
        hold_dry_run(&session, &dir.join("hold-dry-run.png")).await;
    });
}

/// The demo's case that arrived, as officer.ada lists it.
fn arrived_case(session: &Session) -> String {
    let listed = session.demo().json_as("officer.ada", 0, &["case", "list"]);
    listed
        .as_array()
        .expect("`case list --json` is an array")
        .iter()
        .find(|case| case["status"] == "arrived")
        .and_then(|case| case["case"].as_str())
        .unwrap_or_else(|| panic!("the demo has an arrived case: {listed}"))
        .to_owned()
}

/// The path of the proof page of `case`'s first event, from its case page as officer.ada.
async fn first_proof(session: &Session, case: &str) -> String {
    signed_out(&session.client).await;
    sign_in(session, "officer.ada", session.password("officer.ada")).await;
    session
        .client
        .goto(&session.url(&format!("/cases/{case}")))
        .await
        .expect("the browser opens the case page");
    session
        .client
        .wait()
        .for_element(Locator::Css("main .timeline a[href$='/proof']"))
        .await
        .expect("the case page links to a proof")
        .attr("href")
        .await
        .expect("the link's href")
        .expect("an href")
}

/// The court clerk's dry run of a class order (Venezuelans under demo-training), photographed
/// at `file`; nothing is registered.
async fn hold_dry_run(session: &Session, file: &std::path::Path) {
    let client = &session.client;
    signed_out(client).await;
    sign_in(session, "clerk.eve", session.password("clerk.eve")).await;
    client
        .goto(&session.url("/holds/new"))
        .await
        .expect("the browser opens /holds/new");
    let form = client
        .form(Locator::Css("main form"))
        .await
        .expect("/holds/new has a form");
    for (name, value) in [
        ("reference", "26-cv-0100 (synthetic)"),
        ("agreements", "demo-training"),
        ("nationalities", "VEN"),
    ] {
        form.set_by_name(name, value)
            .await
            .unwrap_or_else(|error| panic!("the form's {name}: {error}"));
    }
    client
        .find(Locator::Id("scope-class"))
        .await
        .expect("the class choice")
        .click()
        .await
        .expect("the browser chooses it");
    client
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("the form's button")
        .click()
        .await
        .expect("the browser submits");
    client
        .wait()
        .for_element(Locator::Id("dry-run"))
        .await
        .expect("the dry run's figures");
    screenshot(client, file).await;
    eprintln!("/holds/new (dry run) → {}", file.display());
}
