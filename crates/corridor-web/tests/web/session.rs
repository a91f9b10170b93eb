//! Sign in, sign out, change password: the login's double-submit CSRF, one uniform failure,
//! the session cookie, the CSRF field of every other form, and the page a dead session gets.

use crate::harness::{OFFICER, PASSWORD, spawn};

/// The login form needs its cookie and its field to match; the right password opens a session
/// that the pages know; signing out ends it.
#[tokio::test]
async fn the_login_flow_needs_the_double_submit_and_ends_with_logout() {
    let app = spawn().await;
    let form = app.get("/login", &[]).await;
    assert_eq!(form.status, 200);
    let login_cookie = form
        .cookie("corridor_login_csrf")
        .expect("the login cookie");
    assert!(
        form.set_cookies()
            .iter()
            .any(|cookie| cookie.contains("SameSite=Strict") && cookie.contains("HttpOnly"))
    );
    let field = form.csrf_field();
    assert_eq!(login_cookie, format!("corridor_login_csrf={field}"));
    let good = format!(
        "csrf={field}&user={OFFICER}&password={}",
        PASSWORD.replace(' ', "+")
    );

    // Without the cookie, or with a field that does not match it: refused, no session.
    let no_cookie = app.post("/login", "", &good).await;
    assert_eq!(no_cookie.status, 403, "{}", no_cookie.body);
    assert!(no_cookie.cookie("corridor_session").is_none());
    let other_field = format!(
        "csrf=00{}&user={OFFICER}&password={}",
        &field[2..],
        PASSWORD.replace(' ', "+")
    );
    assert_eq!(
        app.post("/login", &login_cookie, &other_field).await.status,
        403
    );
    let no_field = format!("user={OFFICER}&password={}", PASSWORD.replace(' ', "+"));
    assert_eq!(
        app.post("/login", &login_cookie, &no_field).await.status,
        403
    );

    let signed_in = app.post("/login", &login_cookie, &good).await;
    assert_eq!(signed_in.status, 303);
    assert_eq!(signed_in.header("location"), "/");
    let session = signed_in
        .cookie("corridor_session")
        .expect("the session cookie");
    assert!(
        signed_in
            .set_cookies()
            .iter()
            .any(|cookie| cookie.starts_with("corridor_session=")
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict"))
    );
    let home = app.get("/", &[("cookie", &session)]).await;
    assert!(home.body.contains(OFFICER), "{}", home.body);
    // The same session works for the API.
    assert_eq!(
        app.get("/api/session", &[("cookie", &session)])
            .await
            .status,
        200
    );

    let csrf = home.csrf_field();
    let out = app.post("/logout", &session, &format!("csrf={csrf}")).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), "/login?m=signed_out");
    let after = app.get("/account/password", &[("cookie", &session)]).await;
    assert_eq!(after.status, 303);
    assert_eq!(after.header("location"), "/login?m=ended");
    let ended = app.get("/login?m=ended", &[]).await;
    assert!(
        ended.body.contains("Your session has ended"),
        "{}",
        ended.body
    );
}

/// A wrong password and an unknown user get the same answer, byte for byte but the name typed.
#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_page() {
    let app = spawn().await;
    let form = app.get("/login", &[]).await;
    let cookie = form
        .cookie("corridor_login_csrf")
        .expect("the login cookie");
    let field = form.csrf_field();
    let wrong = app
        .post(
            "/login",
            &cookie,
            &format!("csrf={field}&user={OFFICER}&password=not+the+password"),
        )
        .await;
    let unknown = app
        .post(
            "/login",
            &cookie,
            &format!("csrf={field}&user=officer.nobody&password=not+the+password"),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.status, unknown.status);
    assert!(wrong.cookie("corridor_session").is_none());
    assert_eq!(
        wrong.body.replace(OFFICER, "NAME"),
        unknown.body.replace("officer.nobody", "NAME")
    );
    assert!(
        wrong
            .body
            .contains("The user name or the password is wrong")
    );
}

/// A post from a session without the session's CSRF field is refused 403 and changes nothing.
#[tokio::test]
async fn a_post_without_the_csrf_field_is_refused() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    assert_eq!(app.post("/logout", &session, "").await.status, 403);
    assert_eq!(app.post("/logout", &session, "csrf=0123").await.status, 403);
    let change = format!(
        "current={}&new=a+brand+new+password&confirm=a+brand+new+password",
        PASSWORD.replace(' ', "+")
    );
    assert_eq!(
        app.post("/account/password", &session, &change)
            .await
            .status,
        403
    );
    // Nothing happened: the session is live and the password unchanged.
    assert_eq!(
        app.get("/account/password", &[("cookie", &session)])
            .await
            .status,
        200
    );
    app.sign_in(OFFICER, PASSWORD).await;
}

/// Changing the password ends every session and the new password signs in.
#[tokio::test]
async fn changing_the_password_ends_the_sessions() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    let page = app.get("/account/password", &[("cookie", &session)]).await;
    let csrf = page.csrf_field();
    let mismatch = app
        .post(
            "/account/password",
            &session,
            &format!(
                "csrf={csrf}&current={}&new=a+brand+new+password&confirm=another+new+password",
                PASSWORD.replace(' ', "+")
            ),
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(
        mismatch.body.contains("href=\"#confirm-password\""),
        "{}",
        mismatch.body
    );
    let changed = app
        .post(
            "/account/password",
            &session,
            &format!(
                "csrf={csrf}&current={}&new=a+brand+new+password&confirm=a+brand+new+password",
                PASSWORD.replace(' ', "+")
            ),
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(changed.header("location"), "/login?m=password_changed");
    assert_eq!(
        app.get("/account/password", &[("cookie", &session)])
            .await
            .status,
        303
    );
    app.sign_in(OFFICER, "a brand new password").await;
}

/// A session left idle past its timeout sends the page to sign in, saying the session ended.
#[tokio::test]
async fn an_expired_session_is_sent_to_sign_in() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    app.advance(corridor_accounts::SESSION_IDLE_TIMEOUT + jiff::SignedDuration::from_mins(1));
    let page = app.get("/account/password", &[("cookie", &session)]).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), "/login?m=ended");
}
