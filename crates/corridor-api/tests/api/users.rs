//! User administration over HTTP: adding, listing, disabling and re-roling users; API tokens
//! (shown once, used as bearer, limited to their scopes, revoked, expired); bad input named by
//! field; and every other role denied, on the record.

use corridor_accounts::{Scope, TOKEN_LIFETIME_MAX};
use corridor_domain::terms::Country;
use corridor_domain::{EventBody, Party, Role, StreamId, UserId};
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::harness::{Browser, PASSWORD, Reply, Setup, TestApp, spawn_app_with};

fn state(code: &str) -> Party {
    Party::State(Country::parse(code).expect("a country"))
}

/// An app with the admin `admin.ann`, logged in.
async fn app_with_admin() -> (TestApp, Browser) {
    let app = spawn_app_with(Setup {
        proposals: 0,
        ..Setup::default()
    })
    .await;
    app.add_user("admin.ann", Role::Admin, Party::None).await;
    let admin = app.login("admin.ann").await;
    (app, admin)
}

/// A cookie-session request with the CSRF token and an optional JSON body.
async fn send(
    app: &TestApp,
    browser: &Browser,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let bytes = body.map_or_else(Vec::new, |value| value.to_string().into_bytes());
    app.request(method, path, &browser.headers(true), bytes)
        .await
}

/// A bearer-token request with an optional JSON body.
async fn bearer(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let authorization = format!("Bearer {token}");
    let headers = [
        ("authorization", authorization.as_str()),
        ("content-type", "application/json"),
    ];
    let bytes = body.map_or_else(Vec::new, |value| value.to_string().into_bytes());
    app.request(method, path, &headers, bytes).await
}

/// Issues a token for `user` through the API, as that user (tokens are self-issued), and
/// returns the answer's JSON.
async fn issue(app: &TestApp, session: &Browser, user: &str, body: Value) -> Value {
    let reply = send(
        app,
        session,
        "POST",
        &format!("/api/users/{user}/tokens"),
        Some(body),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), "no-store");
    reply.json()
}

/// The `(by, action, resource, allowed)` of every access record.
async fn access_records(app: &TestApp) -> Vec<(String, String, String, bool)> {
    app.store
        .history(&StreamId::Access)
        .await
        .expect("the access stream")
        .into_iter()
        .filter_map(|stored| match stored.event.body {
            EventBody::AccessRecorded {
                action,
                resource,
                allowed,
                ..
            } => Some((
                stored
                    .event
                    .by
                    .map(|user| user.to_string())
                    .unwrap_or_default(),
                action,
                resource,
                allowed,
            )),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn an_account_that_has_acted_keeps_its_role() {
    // Proves a role change for a user an event names (here the access record of their own
    // read) is a 409 `role_fixed` that names the rule, and leaves the role as it was.
    let (app, admin) = app_with_admin().await;
    app.add_user(
        "clerk.ed",
        Role::CourtClerk,
        Party::Court("example-court".to_owned()),
    )
    .await;
    let clerk = app.login("clerk.ed").await;
    let read = send(&app, &clerk, "GET", "/api/holds", None).await;
    assert_eq!(read.status, 200, "{}", read.text());
    let refused = send(
        &app,
        &admin,
        "PUT",
        "/api/users/clerk.ed/role",
        Some(json!({"role": "adjudicator", "state": "usa"})),
    )
    .await
    .problem(409, "role_fixed");
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|detail| detail.contains("one person would hold two roles")),
        "{refused}"
    );
    let listed = send(&app, &admin, "GET", "/api/users", None).await.json();
    let clerk = listed
        .as_array()
        .and_then(|users| users.iter().find(|user| user["user"] == "clerk.ed"))
        .cloned()
        .expect("clerk.ed is listed");
    assert_eq!(clerk["role"], "court_clerk", "{clerk}");
}

#[tokio::test]
async fn an_admin_adds_lists_re_roles_and_disables_users() {
    // Proves the admin's round trip: a user added over HTTP can log in; a new role ends their
    // sessions; disabling ends them and refuses logins; an admin cannot lock themselves out;
    // every decision is on the record.
    let (app, admin) = app_with_admin().await;
    let added = send(
        &app,
        &admin,
        "POST",
        "/api/users",
        Some(json!({"user": "clerk.di", "role": "court_clerk", "court": "example-court", "password": PASSWORD})),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.text());
    assert_eq!(added.header("location"), "/api/users/clerk.di");
    let view = added.json();
    assert_eq!(view["user"], "clerk.di");
    assert_eq!(view["role"], "court_clerk");
    assert_eq!(view["court"], "example-court");
    assert_eq!(view["disabled"], false);
    assert!(view.get("password").is_none() && !added.text().contains(PASSWORD));
    send(
        &app,
        &admin,
        "POST",
        "/api/users",
        Some(json!({"user": "clerk.di", "role": "admin", "password": PASSWORD})),
    )
    .await
    .problem(409, "user_exists");

    let listed = send(&app, &admin, "GET", "/api/users", None).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let names: Vec<Value> = listed
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|user| user["user"].clone())
        .collect();
    assert_eq!(names, vec![json!("admin.ann"), json!("clerk.di")]);

    let clerk = app.login("clerk.di").await;
    let changed = send(
        &app,
        &admin,
        "PUT",
        "/api/users/clerk.di/role",
        Some(json!({"role": "adjudicator", "state": "usa"})),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(changed.json()["role"], "adjudicator");
    assert_eq!(changed.json()["state"], "USA");
    assert!(changed.json().get("court").is_none());
    app.request("GET", "/api/session", &clerk.headers(false), Vec::new())
        .await
        .problem(401, "unauthenticated");

    let clerk = app.login("clerk.di").await;
    let disabled = send(&app, &admin, "POST", "/api/users/clerk.di/disable", None).await;
    assert_eq!(disabled.status, 200, "{}", disabled.text());
    assert_eq!(disabled.json()["disabled"], true);
    app.request("GET", "/api/session", &clerk.headers(false), Vec::new())
        .await
        .problem(401, "unauthenticated");
    app.login_reply("clerk.di", PASSWORD)
        .await
        .problem(401, "invalid_credentials");

    send(&app, &admin, "POST", "/api/users/admin.ann/disable", None)
        .await
        .problem(422, "invalid_input");
    send(
        &app,
        &admin,
        "PUT",
        "/api/users/admin.ann/role",
        Some(json!({"role": "monitor", "monitoring_body": "m"})),
    )
    .await
    .problem(422, "invalid_input");
    send(&app, &admin, "POST", "/api/users/nobody.here/disable", None)
        .await
        .problem(404, "unknown_user");

    let records = access_records(&app).await;
    for (action, resource) in [
        ("add_user", "user:clerk.di"),
        ("list_users", "service"),
        ("set_user_role", "user:clerk.di"),
        ("disable_user", "user:clerk.di"),
    ] {
        let record = (
            "admin.ann".to_owned(),
            action.to_owned(),
            resource.to_owned(),
            true,
        );
        assert!(records.contains(&record), "{action}: {records:?}");
    }
}

#[tokio::test]
async fn bad_input_is_a_problem_naming_the_field() {
    // Proves every bad field of an add or a role change is a 422 naming it, with the roles
    // listed for a bad role and the party a role needs for a wrong party.
    let (app, admin) = app_with_admin().await;
    let cases = [
        (
            json!({"user": "a.b", "role": "king", "password": PASSWORD}),
            "body.role",
            "one of: sending_officer",
        ),
        (
            json!({"user": "a.b", "role": "public", "password": PASSWORD}),
            "body.role",
            "is not a role",
        ),
        (
            json!({"user": "a.b", "role": "sending_officer", "password": PASSWORD}),
            "body.state",
            "acts for a state",
        ),
        (
            json!({"user": "a.b", "role": "sending_officer", "court": "c", "password": PASSWORD}),
            "body.court",
            "acts for a state, not for a court",
        ),
        (
            json!({"user": "a.b", "role": "admin", "state": "USA", "password": PASSWORD}),
            "body.state",
            "acts for no party",
        ),
        (
            json!({"user": "a.b", "role": "counsel", "monitoring_body": "m", "password": PASSWORD}),
            "body.monitoring_body",
            "their clients",
        ),
        (
            json!({"user": "a.b", "role": "court_clerk", "state": "USA", "court": "c", "password": PASSWORD}),
            "body.court",
            "only one party",
        ),
        (
            json!({"user": "a.b", "role": "monitor", "password": PASSWORD}),
            "body.monitoring_body",
            "acts for a monitoring body",
        ),
        (
            json!({"user": "a.b", "role": "receiving_officer", "state": "XYZ", "password": PASSWORD}),
            "body.state",
            "XYZ",
        ),
        (
            json!({"user": "a.b", "role": "court_clerk", "court": "no spaces", "password": PASSWORD}),
            "body.court",
            "not a party identifier",
        ),
        (
            json!({"user": "a.b", "role": "admin", "password": "short"}),
            "body.password",
            "at least 12",
        ),
        (
            json!({"user": "Not A Name", "role": "admin", "password": PASSWORD}),
            "body.user",
            "",
        ),
        (
            json!({"user": "a.b", "role": "admin", "password": PASSWORD, "colour": "red"}),
            "body.colour",
            "unknown field",
        ),
        (
            json!({"user": "a.b", "role": 7, "password": PASSWORD}),
            "body.role",
            "",
        ),
        (
            json!({"role": "admin", "password": PASSWORD}),
            "body",
            "user",
        ),
    ];
    for (body, field, says) in cases {
        let problem = send(&app, &admin, "POST", "/api/users", Some(body.clone()))
            .await
            .problem(422, "invalid_input");
        assert_eq!(problem["facts"]["field"], field, "{body}: {problem}");
        let detail = problem["detail"].as_str().expect("a detail");
        assert!(detail.contains(says), "{body}: {detail}");
    }
    let garbled = app
        .request(
            "POST",
            "/api/users",
            &admin.headers(true),
            b"{\"user\": ".to_vec(),
        )
        .await
        .problem(422, "invalid_input");
    assert!(
        garbled["detail"]
            .as_str()
            .expect("a detail")
            .contains("line 1"),
        "{garbled}"
    );
    let problem = send(
        &app,
        &admin,
        "PUT",
        "/api/users/other.one/role",
        Some(json!({"role": "king"})),
    )
    .await
    .problem(422, "invalid_input");
    assert_eq!(problem["facts"]["field"], "body.role");
    let problem = send(
        &app,
        &admin,
        "POST",
        "/api/users/Not%20A%20Name/disable",
        None,
    )
    .await
    .problem(422, "invalid_input");
    assert_eq!(problem["facts"]["field"], "path.user");
    let listed = send(&app, &admin, "GET", "/api/users", None).await.json();
    assert_eq!(
        listed.as_array().expect("a list").len(),
        1,
        "nothing was added: {listed}"
    );
}

#[tokio::test]
async fn a_token_is_shown_once_and_acts_as_its_user_by_bearer() {
    // Proves token issue: the text is in the creating answer only (never in the list), works as
    // `Authorization: Bearer` without any CSRF token, and acts as the token's user.
    let (app, admin) = app_with_admin().await;
    app.add_user("officer.bo", Role::SendingOfficer, state("USA"))
        .await;
    let officer = app.login("officer.bo").await;
    // Tokens act as their user, so nobody may issue one for someone else, not even an admin.
    send(
        &app,
        &admin,
        "POST",
        "/api/users/officer.bo/tokens",
        Some(json!({"scopes": ["*"]})),
    )
    .await
    .problem(403, "forbidden");
    let issued = issue(
        &app,
        &officer,
        "officer.bo",
        json!({"scopes": ["*"], "expires_in_days": 30}),
    )
    .await;
    let token = issued["token"].as_str().expect("the token").to_owned();
    assert!(token.starts_with("corridor_token_"), "{token}");
    assert_eq!(issued["user"], "officer.bo");
    assert_eq!(issued["scopes"], json!(["*"]));
    assert_eq!(issued["expires_at"], "2025-09-09T09:00:00Z");
    let id = issued["id"].as_str().expect("an id").to_owned();

    let listed = send(&app, &officer, "GET", "/api/users/officer.bo/tokens", None).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert!(
        !listed.text().contains(&token),
        "the list never holds the text"
    );
    assert_eq!(listed.json()[0]["id"], id.as_str());
    assert!(listed.json()[0].get("token").is_none());

    let me = bearer(&app, &token, "GET", "/api/session", None).await;
    assert_eq!(me.status, 200, "{}", me.text());
    assert_eq!(me.json()["user"], "officer.bo");
    assert_eq!(me.json()["credential"], "token");
    assert!(me.json().get("csrf_token").is_none());

    // An admin's `*` token needs no CSRF token to change something.
    let admin_token = issue(&app, &admin, "admin.ann", json!({"scopes": ["*"]})).await;
    assert_eq!(
        admin_token["expires_at"], "2025-11-08T09:00:00Z",
        "90 days by default"
    );
    let added = bearer(
        &app,
        admin_token["token"].as_str().expect("the token"),
        "POST",
        "/api/users",
        Some(json!({"user": "monitor.gus", "role": "monitor", "monitoring_body": "example-monitors", "password": PASSWORD})),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.text());

    for (body, field) in [
        (json!({"scopes": ["read_cases"]}), "body.scopes[0]"),
        (
            json!({"scopes": ["read_case", "Case Show"]}),
            "body.scopes[1]",
        ),
        (json!({"scopes": []}), "body.scopes"),
        (
            json!({"scopes": ["*"], "expires_in_days": 0}),
            "body.expires_in_days",
        ),
        (
            json!({"scopes": ["*"], "expires_in_days": 367}),
            "body.expires_in_days",
        ),
    ] {
        let problem = send(
            &app,
            &officer,
            "POST",
            "/api/users/officer.bo/tokens",
            Some(body.clone()),
        )
        .await
        .problem(422, "invalid_input");
        assert_eq!(problem["facts"]["field"], field, "{body}: {problem}");
    }
    assert_eq!(TOKEN_LIFETIME_MAX.as_hours() / 24, 366);
    send(
        &app,
        &admin,
        "POST",
        "/api/users/nobody.here/tokens",
        Some(json!({"scopes": ["*"]})),
    )
    .await
    .problem(403, "forbidden");
}

#[tokio::test]
async fn a_token_may_do_only_what_its_scopes_name() {
    // Proves scopes limit a token below its user's role: an admin's token scoped to `read_case`
    // cannot add users (403, recorded as denied), one scoped to `list_users` can list them.
    let (app, admin) = app_with_admin().await;
    let narrow = issue(&app, &admin, "admin.ann", json!({"scopes": ["read_case"]})).await;
    let narrow = narrow["token"].as_str().expect("the token");
    bearer(&app, narrow, "GET", "/api/users", None)
        .await
        .problem(403, "forbidden");
    bearer(
        &app,
        narrow,
        "POST",
        "/api/users",
        Some(json!({"user": "x.y", "role": "admin", "password": PASSWORD})),
    )
    .await
    .problem(403, "forbidden");
    let lister = issue(
        &app,
        &admin,
        "admin.ann",
        json!({"scopes": ["list_users", "read_case"]}),
    )
    .await;
    let listed = bearer(
        &app,
        lister["token"].as_str().expect("the token"),
        "GET",
        "/api/users",
        None,
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let records = access_records(&app).await;
    let denied = (
        "admin.ann".to_owned(),
        "add_user".to_owned(),
        "user:x.y".to_owned(),
        false,
    );
    assert!(records.contains(&denied), "{records:?}");
}

#[tokio::test]
async fn revoked_and_expired_tokens_are_refused() {
    // Proves a revoked token and an expired one are 401; revocation is idempotent; a token id
    // is revoked only under its own user; a malformed id is a 422.
    let (app, admin) = app_with_admin().await;
    app.add_user("officer.bo", Role::SendingOfficer, state("USA"))
        .await;
    let officer = app.login("officer.bo").await;
    let first = issue(&app, &officer, "officer.bo", json!({"scopes": ["*"]})).await;
    let short = issue(
        &app,
        &officer,
        "officer.bo",
        json!({"scopes": ["*"], "expires_in_days": 1}),
    )
    .await;
    let (first_token, first_id) = (
        first["token"].as_str().expect("a token"),
        first["id"].as_str().expect("an id"),
    );
    let short_token = short["token"].as_str().expect("a token");
    assert_eq!(
        bearer(&app, first_token, "GET", "/api/session", None)
            .await
            .status,
        200
    );

    send(
        &app,
        &admin,
        "DELETE",
        &format!("/api/users/admin.ann/tokens/{first_id}"),
        None,
    )
    .await
    .problem(404, "not_found");
    send(
        &app,
        &admin,
        "DELETE",
        "/api/users/officer.bo/tokens/token-12",
        None,
    )
    .await
    .problem(422, "invalid_input");
    let path = format!("/api/users/officer.bo/tokens/{first_id}");
    assert_eq!(send(&app, &admin, "DELETE", &path, None).await.status, 204);
    assert_eq!(
        send(&app, &admin, "DELETE", &path, None).await.status,
        204,
        "idempotent"
    );
    bearer(&app, first_token, "GET", "/api/session", None)
        .await
        .problem(401, "unauthenticated");
    let listed = send(&app, &officer, "GET", "/api/users/officer.bo/tokens", None)
        .await
        .json();
    let revoked: Vec<&Value> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter(|token| token["id"] == first_id)
        .collect();
    assert_eq!(revoked.len(), 1);
    assert!(revoked[0]["revoked_at"].is_string(), "{listed}");

    app.advance(SignedDuration::from_hours(24) - SignedDuration::from_millis(1));
    assert_eq!(
        bearer(&app, short_token, "GET", "/api/session", None)
            .await
            .status,
        200
    );
    app.advance(SignedDuration::from_millis(1));
    bearer(&app, short_token, "GET", "/api/session", None)
        .await
        .problem(401, "unauthenticated");
    bearer(&app, "corridor_token_forged", "GET", "/api/users", None)
        .await
        .problem(401, "unauthenticated");
}

#[tokio::test]
async fn every_other_role_is_denied_user_administration_on_the_record() {
    // Proves the policies: each non-admin role, with a `*` token, gets 403 on every user route,
    // each denial an access record; the anonymous caller gets 401 and no record.
    let (app, _) = app_with_admin().await;
    let roles = [
        ("officer.s", Role::SendingOfficer, state("USA")),
        ("supervisor.s", Role::SendingSupervisor, state("USA")),
        ("adjudicator.s", Role::Adjudicator, state("USA")),
        ("receiver.r", Role::ReceivingOfficer, state("RWA")),
        (
            "clerk.c",
            Role::CourtClerk,
            Party::Court("example-court".to_owned()),
        ),
        ("counsel.c", Role::Counsel, Party::Clients),
        (
            "monitor.m",
            Role::Monitor,
            Party::MonitoringBody("example-monitors".to_owned()),
        ),
    ];
    let now = app.now();
    let token_id = "token-0123456789abcdef";
    let routes: [(&str, String, Option<Value>, &str, &str); 7] = [
        (
            "GET",
            "/api/users".to_owned(),
            None,
            "list_users",
            "service",
        ),
        (
            "POST",
            "/api/users".to_owned(),
            Some(json!({"user": "new.one", "role": "admin", "password": PASSWORD})),
            "add_user",
            "user:new.one",
        ),
        (
            "POST",
            "/api/users/admin.ann/disable".to_owned(),
            None,
            "disable_user",
            "user:admin.ann",
        ),
        (
            "PUT",
            "/api/users/admin.ann/role".to_owned(),
            Some(json!({"role": "counsel"})),
            "set_user_role",
            "user:admin.ann",
        ),
        (
            "GET",
            "/api/users/admin.ann/tokens".to_owned(),
            None,
            "issue_token",
            "user:admin.ann",
        ),
        (
            "POST",
            "/api/users/admin.ann/tokens".to_owned(),
            Some(json!({"scopes": ["*"]})),
            "issue_token",
            "user:admin.ann",
        ),
        (
            "DELETE",
            format!("/api/users/admin.ann/tokens/{token_id}"),
            None,
            "revoke_token",
            "user:admin.ann",
        ),
    ];
    for (name, role, party) in roles {
        app.add_user(name, role, party).await;
        let (secret, _) = app
            .state
            .accounts()
            .create_token(
                &UserId::parse(name).expect("a user id"),
                [Scope::parse("*").expect("a scope")],
                now + SignedDuration::from_hours(24),
                now,
            )
            .await
            .expect("a token");
        for (method, path, body, _, _) in &routes {
            let reply = bearer(&app, secret.expose(), method, path, body.clone()).await;
            // An account they may not know of is answered as one that does not exist.
            if path.starts_with("/api/users/admin.ann") {
                reply.problem(404, "not_found");
            } else {
                reply.problem(403, "forbidden");
            }
        }
        let records = access_records(&app).await;
        for (_, _, _, action, resource) in &routes {
            let denied = (
                name.to_owned(),
                (*action).to_owned(),
                (*resource).to_owned(),
                false,
            );
            assert!(records.contains(&denied), "{name} {action}: {records:?}");
        }
    }
    let before = access_records(&app).await.len();
    for (method, path, body, _, _) in &routes {
        let bytes = body
            .as_ref()
            .map_or_else(Vec::new, |value| value.to_string().into_bytes());
        app.request(method, path, &[("content-type", "application/json")], bytes)
            .await
            .problem(401, "unauthenticated");
    }
    assert_eq!(
        access_records(&app).await.len(),
        before,
        "the anonymous caller is not recorded"
    );
    let users = app.state.accounts().list_users().await.expect("the users");
    assert_eq!(users.len(), 8, "nothing was added: {users:?}");
    assert!(
        users.iter().all(|user| !user.disabled
            && (user.user.as_str() != "admin.ann" || user.role == Role::Admin))
    );
}

#[test]
fn the_openapi_document_describes_every_session_and_user_route() {
    // Proves each session and user route is in the document with its tag, its problems as
    // `application/problem+json`, and its security (none for login).
    let document =
        serde_json::to_value(corridor_api::server::openapi(false)).expect("the document");
    let routes = [
        (
            "/api/session",
            "post",
            "session",
            &["200", "401", "415", "422", "429"][..],
        ),
        ("/api/session", "get", "session", &["200", "401"][..]),
        (
            "/api/session",
            "delete",
            "session",
            &["204", "401", "403"][..],
        ),
        (
            "/api/users",
            "get",
            "users",
            &["200", "401", "403", "422"][..],
        ),
        (
            "/api/users",
            "post",
            "users",
            &["201", "401", "403", "409", "422"][..],
        ),
        (
            "/api/users/{user}/disable",
            "post",
            "users",
            &["200", "401", "403", "404"][..],
        ),
        (
            "/api/users/{user}/role",
            "put",
            "users",
            &["200", "403", "422"][..],
        ),
        (
            "/api/users/{user}/tokens",
            "get",
            "users",
            &["200", "403"][..],
        ),
        (
            "/api/users/{user}/tokens",
            "post",
            "users",
            &["201", "403", "422"][..],
        ),
        (
            "/api/users/{user}/tokens/{token_id}",
            "delete",
            "users",
            &["204", "403", "404"][..],
        ),
    ];
    for (path, method, tag, statuses) in routes {
        let operation = &document["paths"][path][method];
        assert_eq!(
            operation["tags"],
            json!([tag]),
            "{method} {path}: {operation}"
        );
        for status in statuses {
            let response = &operation["responses"][status];
            assert!(
                response.is_object(),
                "{method} {path} {status}: {operation}"
            );
            if status.starts_with('4') {
                assert!(
                    response["content"]["application/problem+json"].is_object(),
                    "{method} {path} {status}: {response}"
                );
            }
        }
        let security = &operation["security"];
        if (path, method) == ("/api/session", "post") {
            assert_eq!(security, &json!([{}]), "login needs no credential");
        } else {
            assert!(
                security.as_array().is_some_and(|list| !list.is_empty()),
                "{method} {path}"
            );
        }
    }
    assert!(
        document["paths"]["/api/session"]["post"]["requestBody"]["content"]["application/json"]
            .is_object()
    );
}
