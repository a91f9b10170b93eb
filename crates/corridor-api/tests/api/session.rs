//! Sessions over HTTP: login, the cookie's attributes, who am I, logout, idle and absolute
//! expiry, the login rate limit, one answer for every failed login, and CSRF.

use corridor_accounts::{
    LOGIN_FAILURES_PER_USER_MAX, LOGIN_WINDOW, SESSION_ABSOLUTE_TIMEOUT, SESSION_IDLE_TIMEOUT,
};
use corridor_domain::terms::Country;
use corridor_domain::{Party, Role, UserId};
use jiff::SignedDuration;
use serde_json::json;

use crate::harness::{Browser, Reply, Setup, TestApp, spawn_app_with};

fn usa() -> Party {
    Party::State(Country::parse("USA").expect("USA"))
}

/// An app with an admin and a sending officer, no proposals.
async fn app_with_users(setup: Setup) -> TestApp {
    let app = spawn_app_with(Setup {
        proposals: 0,
        ..setup
    })
    .await;
    app.add_user("admin.ann", Role::Admin, Party::None).await;
    app.add_user("officer.bo", Role::SendingOfficer, usa())
        .await;
    app
}

async fn whoami(app: &TestApp, browser: &Browser) -> Reply {
    app.request(
        "GET",
        "/api/session",
        &[("cookie", browser.cookie.as_str())],
        Vec::new(),
    )
    .await
}

fn mins(minutes: i64) -> SignedDuration {
    SignedDuration::from_mins(minutes)
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_says_who_is_logged_in() {
    // Proves the login answer: the cookie's attributes (no `Secure` by default), the body with
    // the role, party, CSRF token and expiry, and `GET /api/session` with and without it.
    let app = app_with_users(Setup::default()).await;
    let reply = app
        .login_reply("officer.bo", crate::harness::PASSWORD)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let set_cookie = reply.header("set-cookie").to_owned();
    let (pair, attributes) = set_cookie.split_once("; ").expect("attributes");
    let id = pair
        .strip_prefix("corridor_session=")
        .expect("the session cookie");
    assert_eq!(id.len(), 64, "256 bits in hex: {id}");
    assert_eq!(
        attributes,
        "HttpOnly; SameSite=Strict; Path=/; Max-Age=43200"
    );
    assert_eq!(
        SESSION_ABSOLUTE_TIMEOUT.as_secs(),
        43_200,
        "Max-Age is the absolute lifetime"
    );
    assert_eq!(reply.header("cache-control"), "no-store");
    let body = reply.json();
    assert_eq!(body["user"], "officer.bo");
    assert_eq!(body["role"], "sending_officer");
    assert_eq!(body["state"], "USA");
    assert_eq!(body["credential"], "session");
    assert_eq!(body["expires_at"], "2025-08-10T21:00:00Z");
    assert_eq!(body["idle_timeout_seconds"], SESSION_IDLE_TIMEOUT.as_secs());
    let csrf = body["csrf_token"].as_str().expect("a CSRF token");
    assert_eq!(csrf.len(), 64);
    assert_ne!(csrf, id, "the CSRF token is not the session id");

    let browser = Browser {
        cookie: pair.to_owned(),
        csrf: csrf.to_owned(),
    };
    let me = whoami(&app, &browser).await;
    assert_eq!(me.status, 200, "{}", me.text());
    assert_eq!(me.json()["user"], "officer.bo");
    assert_eq!(me.json()["csrf_token"], csrf);
    assert!(me.json().get("expires_at").is_none());

    app.get("/api/session")
        .await
        .problem(401, "unauthenticated");
    let forged = format!("corridor_session={}", "0".repeat(64));
    app.request(
        "GET",
        "/api/session",
        &[("cookie", forged.as_str())],
        Vec::new(),
    )
    .await
    .problem(401, "unauthenticated");
    app.request(
        "GET",
        "/api/session",
        &[("cookie", "corridor_session=nonsense")],
        Vec::new(),
    )
    .await
    .problem(401, "unauthenticated");
}

#[tokio::test]
async fn cookies_are_secure_only_when_configured() {
    // Proves `Secure` on the login cookie and on the logout's clearing cookie when the server
    // says it is reached over TLS.
    let app = app_with_users(Setup {
        secure_cookies: true,
        ..Setup::default()
    })
    .await;
    let reply = app
        .login_reply("officer.bo", crate::harness::PASSWORD)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        reply
            .header("set-cookie")
            .ends_with("; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200; Secure"),
        "{}",
        reply.header("set-cookie")
    );
    let browser = app.login("officer.bo").await;
    let out = app
        .request("DELETE", "/api/session", &browser.headers(true), Vec::new())
        .await;
    assert_eq!(out.status, 204, "{}", out.text());
    assert_eq!(
        out.header("set-cookie"),
        "corridor_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure"
    );
}

#[tokio::test]
async fn every_login_opens_a_new_session_and_ends_the_one_it_replaces() {
    // Proves a fresh id at every login: two logins give two live sessions; a login that sends
    // a session cookie ends that session.
    let app = app_with_users(Setup::default()).await;
    let first = app.login("officer.bo").await;
    let second = app.login("officer.bo").await;
    assert_ne!(first.cookie, second.cookie);
    assert_ne!(first.csrf, second.csrf);
    assert_eq!(whoami(&app, &first).await.status, 200);
    assert_eq!(whoami(&app, &second).await.status, 200);

    // The same browser logs in again: it sends its cookie, which is ended, and gets a new one.
    let body = json!({"user": "officer.bo", "password": crate::harness::PASSWORD});
    let again = app
        .request(
            "POST",
            "/api/session",
            &[
                ("cookie", first.cookie.as_str()),
                ("content-type", "application/json"),
            ],
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert!(!again.header("set-cookie").starts_with(&first.cookie));
    whoami(&app, &first).await.problem(401, "unauthenticated");
    assert_eq!(whoami(&app, &second).await.status, 200);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server_and_clears_the_cookie() {
    // Proves logout needs the CSRF token, invalidates the session server-side (the old cookie
    // is 401 afterwards) and clears the cookie; without a session it is 401.
    let app = app_with_users(Setup::default()).await;
    let browser = app.login("officer.bo").await;
    app.request(
        "DELETE",
        "/api/session",
        &browser.headers(false),
        Vec::new(),
    )
    .await
    .problem(403, "csrf_rejected");
    assert_eq!(whoami(&app, &browser).await.status, 200, "still logged in");

    let out = app
        .request("DELETE", "/api/session", &browser.headers(true), Vec::new())
        .await;
    assert_eq!(out.status, 204, "{}", out.text());
    assert_eq!(
        out.header("set-cookie"),
        "corridor_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
    );
    whoami(&app, &browser).await.problem(401, "unauthenticated");
    app.request("DELETE", "/api/session", &browser.headers(true), Vec::new())
        .await
        .problem(401, "unauthenticated");
    app.request("DELETE", "/api/session", &[], Vec::new())
        .await
        .problem(401, "unauthenticated");
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes() {
    // Proves the idle timeout on both sides: used within 30 minutes a session lives on; left
    // for 30 minutes it is over.
    let app = app_with_users(Setup::default()).await;
    let browser = app.login("officer.bo").await;
    app.advance(SESSION_IDLE_TIMEOUT - SignedDuration::from_millis(1));
    assert_eq!(whoami(&app, &browser).await.status, 200);
    app.advance(mins(29));
    assert_eq!(whoami(&app, &browser).await.status, 200, "use renews it");
    app.advance(SESSION_IDLE_TIMEOUT);
    whoami(&app, &browser).await.problem(401, "unauthenticated");
}

#[tokio::test]
async fn a_busy_session_ends_twelve_hours_after_login() {
    // Proves the absolute timeout: a session used every 25 minutes still ends 12 hours after
    // login, and is live just before.
    let app = app_with_users(Setup::default()).await;
    let browser = app.login("officer.bo").await;
    let step = mins(25);
    let mut elapsed = SignedDuration::ZERO;
    while elapsed + step < SESSION_ABSOLUTE_TIMEOUT {
        app.advance(step);
        elapsed += step;
        assert_eq!(
            whoami(&app, &browser).await.status,
            200,
            "after {elapsed:?}"
        );
    }
    app.advance(SESSION_ABSOLUTE_TIMEOUT - elapsed - SignedDuration::from_millis(1));
    assert_eq!(whoami(&app, &browser).await.status, 200, "just before 12 h");
    app.advance(SignedDuration::from_millis(1));
    whoami(&app, &browser).await.problem(401, "unauthenticated");
}

#[tokio::test]
async fn an_unknown_user_a_wrong_password_and_a_disabled_user_get_the_same_answer() {
    // Proves a failed login reveals nothing: the same status, headers and bytes for an unknown
    // name, a wrong password, a disabled user and a name that is not even a user name.
    let app = app_with_users(Setup::default()).await;
    app.add_user("officer.cy", Role::SendingOfficer, usa())
        .await;
    app.state
        .accounts()
        .disable_user(&UserId::parse("officer.cy").expect("a user id"))
        .await
        .expect("disabled");
    let wrong = app
        .login_reply("officer.bo", "not the password at all")
        .await;
    let unknown = app
        .login_reply("officer.nobody", "not the password at all")
        .await;
    let disabled = app
        .login_reply("officer.cy", crate::harness::PASSWORD)
        .await;
    let malformed = app
        .login_reply("Not A Name!", "not the password at all")
        .await;
    let body = wrong.problem(401, "invalid_credentials");
    assert!(!body.to_string().contains("officer"), "{body}");
    for other in [&unknown, &disabled, &malformed] {
        assert_eq!(other.status, wrong.status);
        assert_eq!(other.body, wrong.body, "{}", other.text());
        for name in ["content-type", "www-authenticate", "cache-control"] {
            assert_eq!(other.header(name), wrong.header(name), "{name}");
        }
        assert!(other.headers.get("set-cookie").is_none());
    }
}

#[tokio::test]
async fn logins_are_rate_limited_per_user_name() {
    // Proves the login rate limit: after the allowed attempts in a window even the right
    // password gets 429 with `Retry-After`; for a name that exists or not alike; the window's
    // end lets the user in again.
    let app = app_with_users(Setup::default()).await;
    for name in ["officer.bo", "officer.nobody"] {
        for _ in 0..LOGIN_FAILURES_PER_USER_MAX {
            app.login_reply(name, "not the password at all")
                .await
                .problem(401, "invalid_credentials");
        }
        let limited = app.login_reply(name, crate::harness::PASSWORD).await;
        limited.problem(429, "login_rate_limited");
        assert_eq!(
            limited.header("retry-after"),
            LOGIN_WINDOW.as_secs().to_string()
        );
    }
    app.advance(mins(5));
    let limited = app
        .login_reply("officer.bo", crate::harness::PASSWORD)
        .await;
    limited.problem(429, "login_rate_limited");
    assert_eq!(limited.header("retry-after"), "600");
    app.advance(mins(10));
    app.login("officer.bo").await;
}

#[tokio::test]
async fn login_takes_only_a_json_body() {
    // Proves cross-site form logins are impossible (415 unless `application/json`) and a bad
    // body is a 422 problem naming the field.
    let app = app_with_users(Setup::default()).await;
    let form = b"user=officer.bo&password=correct+horse+battery+staple".to_vec();
    for content_type in [
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data",
    ] {
        app.request(
            "POST",
            "/api/session",
            &[("content-type", content_type)],
            form.clone(),
        )
        .await
        .problem(415, "unsupported_media_type");
    }
    app.request("POST", "/api/session", &[], form)
        .await
        .problem(415, "unsupported_media_type");
    let json_type = [("content-type", "application/json")];
    let extra = json!({"user": "officer.bo", "password": "x", "remember": true});
    let problem = app
        .request(
            "POST",
            "/api/session",
            &json_type,
            extra.to_string().into_bytes(),
        )
        .await
        .problem(422, "invalid_input");
    assert!(
        problem["detail"]
            .as_str()
            .expect("a detail")
            .contains("remember"),
        "{problem}"
    );
    let missing = json!({"user": "officer.bo"});
    let problem = app
        .request(
            "POST",
            "/api/session",
            &json_type,
            missing.to_string().into_bytes(),
        )
        .await
        .problem(422, "invalid_input");
    assert!(
        problem["detail"]
            .as_str()
            .expect("a detail")
            .contains("password"),
        "{problem}"
    );
    app.request("POST", "/api/session", &json_type, b"{\"user\":".to_vec())
        .await
        .problem(422, "invalid_input");
}

#[tokio::test]
async fn a_cookie_session_sends_its_csrf_token_on_every_unsafe_request() {
    // Proves CSRF protection: a cookie POST without the header, or with another session's
    // token, is 403 `csrf_rejected` before any policy is asked; with it, the request reaches the
    // policies (allowed for an admin, forbidden for an officer); GETs need no token.
    let app = app_with_users(Setup::default()).await;
    let admin = app.login("admin.ann").await;
    let officer = app.login("officer.bo").await;
    let new_user = json!({"user": "clerk.di", "role": "court_clerk", "court": "example-court", "password": crate::harness::PASSWORD});
    let bytes = new_user.to_string().into_bytes();

    app.request("POST", "/api/users", &admin.headers(false), bytes.clone())
        .await
        .problem(403, "csrf_rejected");
    let mut wrong = admin.headers(false);
    wrong.push(("x-csrf-token", officer.csrf.as_str()));
    app.request("POST", "/api/users", &wrong, bytes.clone())
        .await
        .problem(403, "csrf_rejected");
    let mut empty = admin.headers(false);
    empty.push(("x-csrf-token", ""));
    app.request("POST", "/api/users", &empty, bytes.clone())
        .await
        .problem(403, "csrf_rejected");
    let created = app
        .request("POST", "/api/users", &admin.headers(true), bytes.clone())
        .await;
    assert_eq!(created.status, 201, "{}", created.text());

    app.request("POST", "/api/users", &officer.headers(false), bytes.clone())
        .await
        .problem(403, "csrf_rejected");
    app.request("POST", "/api/users", &officer.headers(true), bytes)
        .await
        .problem(403, "forbidden");
    let listed = app
        .request("GET", "/api/users", &admin.headers(false), Vec::new())
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
}
