//! The account's language: set on `/account` or by `PUT /api/users/{user}/language`, it comes
//! before the browser's `Accept-Language`; "follow my browser" gives negotiation back; a
//! language the interface does not ship is refused naming the field; the form needs its CSRF
//! token; an account sets its own language and nobody else's.

use crate::harness::{OFFICER, OTHER_OFFICER, PASSWORD, TestApp, spawn};

const ENGLISH_BROWSER: (&str, &str) = ("accept-language", "en-GB, en;q=0.9");
const FRENCH_BROWSER: (&str, &str) = ("accept-language", "fr-RW, fr;q=0.9");

/// The language a page is served in, from `<html lang>`.
fn page_language(html: &str) -> &str {
    let marker = "<html lang=\"";
    let start = html.find(marker).expect("an html element") + marker.len();
    let end = html[start..].find('"').expect("the attribute's end") + start;
    &html[start..end]
}

/// Posts the language form of `/account` with the page's own CSRF token.
async fn choose(app: &TestApp, session: &str, language: &str) -> crate::harness::Reply {
    let form = app.get("/account", &[("cookie", session)]).await;
    assert_eq!(form.status, 200, "{}", form.body);
    app.post(
        "/account",
        session,
        &format!("csrf={}&language={language}", form.csrf_field()),
    )
    .await
}

/// Logs in over the API; returns the session cookie and its CSRF token.
async fn api_login(app: &TestApp, user: &str) -> (String, String) {
    let reply = app
        .send(
            "POST",
            "/api/session",
            &[("content-type", "application/json")],
            &format!(r#"{{"user":"{user}","password":"{PASSWORD}"}}"#),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body: serde_json::Value = serde_json::from_str(&reply.body).expect("JSON");
    (
        reply.cookie("corridor_session").expect("a session cookie"),
        body["csrf_token"]
            .as_str()
            .expect("a CSRF token")
            .to_owned(),
    )
}

/// `PUT /api/users/{user}/language` with `body`, as the session `(cookie, csrf)`.
async fn put_language(
    app: &TestApp,
    (cookie, csrf): &(String, String),
    user: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let reply = app
        .send(
            "PUT",
            &format!("/api/users/{user}/language"),
            &[
                ("cookie", cookie),
                ("x-csrf-token", csrf),
                ("content-type", "application/json"),
            ],
            body,
        )
        .await;
    let json = serde_json::from_str(&reply.body).unwrap_or(serde_json::Value::Null);
    (reply.status, json)
}

/// Proves the page lists every shipped language by its own name and the browser choice, and
/// that French chosen there is served whatever the browser asks for, on every page.
#[tokio::test]
async fn a_language_chosen_on_the_account_page_comes_before_the_browsers() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    let page = app
        .get("/account", &[("cookie", &session), ENGLISH_BROWSER])
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page_language(&page.body), "en");
    assert!(page.body.contains("Language of this interface"));
    assert!(page.body.contains("Follow my browser’s language"));
    assert!(
        page.body
            .contains(r#"<label for="language-fr" lang="fr">Français</label>"#)
    );
    assert!(
        page.body
            .contains(r#"<label for="language-en" lang="en">English</label>"#)
    );
    assert!(page.body.contains(r#"href="/account/password""#));
    assert!(
        page.body
            .contains(r#"id="language-browser" name="language" value="" checked"#)
    );

    let saved = choose(&app, &session, "fr").await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.header("location"), "/account?m=saved");

    let page = app
        .get("/account?m=saved", &[("cookie", &session), ENGLISH_BROWSER])
        .await;
    assert_eq!(page_language(&page.body), "fr", "{}", page.body);
    assert!(page.body.contains("Votre choix de langue est enregistré."));
    assert!(
        page.body
            .contains(r#"id="language-fr" name="language" value="fr" checked"#)
    );
    let home = app.get("/", &[("cookie", &session), ENGLISH_BROWSER]).await;
    assert_eq!(page_language(&home.body), "fr");
    assert!(home.body.contains("Accords en vigueur"), "{}", home.body);
    // Another account is untouched: it still follows its browser.
    let other = app.sign_in(OTHER_OFFICER, PASSWORD).await;
    let home = app.get("/", &[("cookie", &other), ENGLISH_BROWSER]).await;
    assert_eq!(page_language(&home.body), "en");
}

/// Proves "follow my browser" clears the setting: the browser's language decides again.
#[tokio::test]
async fn following_the_browser_gives_negotiation_back() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    assert_eq!(choose(&app, &session, "fr").await.status, 303);
    assert_eq!(choose(&app, &session, "").await.status, 303);
    let english = app.get("/", &[("cookie", &session), ENGLISH_BROWSER]).await;
    assert_eq!(page_language(&english.body), "en");
    let french = app.get("/", &[("cookie", &session), FRENCH_BROWSER]).await;
    assert_eq!(page_language(&french.body), "fr");
    let page = app.get("/account", &[("cookie", &session)]).await;
    assert!(
        page.body
            .contains(r#"id="language-browser" name="language" value="" checked"#)
    );
}

/// Proves a language the interface does not ship is a field error linked from the summary, in
/// the page's language, and changes nothing.
#[tokio::test]
async fn a_language_not_shipped_is_a_field_error() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    for tag in ["xx", "not+a+tag", "fr-"] {
        let refused = choose(&app, &session, tag).await;
        assert_eq!(refused.status, 422, "{tag}: {}", refused.body);
        assert!(
            refused.body.contains("There is a problem"),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains(
                r##"<a href="#language-browser">Choose one of the languages listed.</a>"##
            )
        );
        assert!(refused.body.contains(r#"id="language-error""#));
    }
    let home = app.get("/", &[("cookie", &session), ENGLISH_BROWSER]).await;
    assert_eq!(page_language(&home.body), "en");
}

/// Proves the form is refused without the session's CSRF token, or with another, and that
/// nothing changes.
#[tokio::test]
async fn the_language_form_needs_its_csrf_token() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    for body in ["language=fr", "csrf=&language=fr", "csrf=00ff&language=fr"] {
        let refused = app.post("/account", &session, body).await;
        assert_eq!(refused.status, 403, "{body}: {}", refused.body);
        assert!(refused.body.contains("csrf_rejected"));
    }
    let home = app.get("/", &[("cookie", &session), ENGLISH_BROWSER]).await;
    assert_eq!(page_language(&home.body), "en");
    // Without a session, the page sends to sign-in.
    let anonymous = app.get("/account", &[]).await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(anonymous.header("location"), "/login?m=sign_in");
}

/// Proves the API route: 200 and persisted (the pages follow it), `null` follows the browser
/// again, 422 naming `body.language` for a tag not shipped or not a tag, 404 for another
/// account's language (which stays as it was), as for an account that does not exist, and the
/// CSRF header required of a session.
#[tokio::test]
async fn the_api_sets_the_callers_own_language_only() {
    let app = spawn().await;
    let ada = api_login(&app, OFFICER).await;
    let (status, body) = put_language(&app, &ada, OFFICER, r#"{"language":"fr"}"#).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, serde_json::json!({"user": OFFICER, "language": "fr"}));
    let home = app.get("/", &[("cookie", &ada.0), ENGLISH_BROWSER]).await;
    assert_eq!(page_language(&home.body), "fr");

    for (asked, why) in [
        (r#"{"language":"xx"}"#, "not a language of this interface"),
        (r#"{"language":"français"}"#, "not a language tag"),
    ] {
        let (status, body) = put_language(&app, &ada, OFFICER, asked).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["code"], "invalid_input");
        assert_eq!(body["facts"]["field"], "body.language");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|detail| detail.contains(why)),
            "{body}"
        );
    }
    let home = app.get("/", &[("cookie", &ada.0), ENGLISH_BROWSER]).await;
    assert_eq!(
        page_language(&home.body),
        "fr",
        "a refused tag changes nothing"
    );

    let bea = api_login(&app, OTHER_OFFICER).await;
    // Denied as a missing account is: nobody learns which accounts exist by trying.
    let (status, body) = put_language(&app, &bea, OFFICER, r#"{"language":"en"}"#).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "not_found");
    let (status, missing) = put_language(&app, &bea, "nobody.here", r#"{"language":"en"}"#).await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["code"], body["code"]);
    assert_eq!(missing["title"], body["title"]);
    let home = app.get("/", &[("cookie", &ada.0), ENGLISH_BROWSER]).await;
    assert_eq!(
        page_language(&home.body),
        "fr",
        "another account changed nothing"
    );

    let without_csrf = app
        .send(
            "PUT",
            &format!("/api/users/{OFFICER}/language"),
            &[("cookie", &ada.0), ("content-type", "application/json")],
            r#"{"language":"en"}"#,
        )
        .await;
    assert_eq!(without_csrf.status, 403, "{}", without_csrf.body);

    let (status, body) = put_language(&app, &ada, OFFICER, r#"{"language":null}"#).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["language"], serde_json::Value::Null);
    let home = app.get("/", &[("cookie", &ada.0), ENGLISH_BROWSER]).await;
    assert_eq!(page_language(&home.body), "en");
}
