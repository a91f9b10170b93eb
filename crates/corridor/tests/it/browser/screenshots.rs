//! The screenshots of docs/ui.md: every page in [`PAGES`], as the demo user it names (or signed
//! out), saved as docs/screenshots/NAME.png. Ignored in test runs: `scripts/screenshots` runs it.
//! A new page adds one line to [`PAGES`].

use std::collections::BTreeSet;
use std::path::PathBuf;

use fantoccini::Locator;

use super::{screenshot, sign_in, signed_out, with_browser};

/// One page to photograph.
#[derive(Debug)]
pub struct Page {
    /// The file's name, without `.png`.
    pub name: &'static str,
    /// The path on the server.
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
        assert!(
            page.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{} is not a plain file name",
            page.name
        );
        assert!(page.path.starts_with('/'), "{}: {}", page.name, page.path);
    }
}

#[test]
#[ignore = "writes docs/screenshots/: run by scripts/screenshots"]
fn every_page() {
    with_browser(|session| async move {
        let dir = screenshots_dir();
        for page in PAGES {
            signed_out(&session.client).await;
            if let Some(user) = page.as_user {
                sign_in(&session, user, session.password(user)).await;
            }
            session
                .client
                .goto(&session.url(page.path))
                .await
                .unwrap_or_else(|error| panic!("{}: {error}", page.path));
            session
                .client
                .wait()
                .for_element(Locator::Css(page.ready))
                .await
                .unwrap_or_else(|error| {
                    panic!("{} never showed {}: {error}", page.path, page.ready)
                });
            let path = dir.join(format!("{}.png", page.name));
            screenshot(&session.client, &path).await;
            eprintln!("{} → {}", page.path, path.display());
        }
    });
}
