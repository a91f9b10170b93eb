//! Page-level helpers: opening a page, a screenshot, and signing in through the `/login` form.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use super::Session;

/// The first bytes of every PNG file.
pub const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// How long a form's submission may take to leave the page. A bound, not a measurement.
const NAVIGATION_WAIT: Duration = Duration::from_secs(30);

/// Opens `path` and waits until its `main` heading is there.
pub async fn open(session: &Session, path: &str) {
    session
        .client
        .goto(&session.url(path))
        .await
        .unwrap_or_else(|error| panic!("the browser opens {path}: {error}"));
    session
        .client
        .wait()
        .for_element(Locator::Css("main h1"))
        .await
        .unwrap_or_else(|error| panic!("{path} shows no `main h1`: {error}"));
}

/// Saves what the browser shows as a PNG file at `path`.
pub async fn screenshot(client: &Client, path: &Path) {
    let png = client
        .screenshot()
        .await
        .expect("the browser takes a screenshot");
    assert!(
        png.starts_with(&PNG_SIGNATURE),
        "the browser's screenshot is not a PNG"
    );
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("the screenshot's directory");
    }
    std::fs::write(path, png)
        .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
}

/// Signs in as the demo user `user` through the `/login` form (fields `user` and `password`, a
/// submit button), and waits until the browser has left `/login`. Fails, with what the page says,
/// if the answer is `/login` again.
pub async fn sign_in(session: &Session, user: &str, password: &str) {
    let client = &session.client;
    client
        .goto(&session.url("/login"))
        .await
        .expect("the browser opens /login");
    let form = client
        .form(Locator::Css("form"))
        .await
        .expect("/login has a form");
    form.set_by_name("user", user)
        .await
        .expect("the form has a `user` field");
    form.set_by_name("password", password)
        .await
        .expect("the form has a `password` field");
    let button = client
        .find(Locator::Css("form [type=submit]"))
        .await
        .expect("the form has a submit button");
    button.click().await.expect("the browser submits the form");
    let started = Instant::now();
    loop {
        let url = client.current_url().await.expect("the browser's URL");
        if url.path() != "/login" {
            return;
        }
        // The old button is gone once a new page has loaded: /login again means refused. The
        // URL is read again after the check: the new page may have loaded between the two.
        let reloaded = button.tag_name().await.is_err();
        if reloaded
            && client
                .current_url()
                .await
                .expect("the browser's URL")
                .path()
                != "/login"
        {
            return;
        }
        if reloaded || started.elapsed() > NAVIGATION_WAIT {
            let text = client
                .find(Locator::Css("body"))
                .await
                .expect("the page has a body")
                .text()
                .await
                .unwrap_or_default();
            panic!("signing in as `{user}` stayed on /login, which says:\n{text}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
