//! Cases over HTTP: the same domain path as the CLI, the policies on every request, the field
//! filter on the way out, `ETag`/`If-Match`, and every decision on the record.

use corridor_accounts::{Accounts, Scope};
use corridor_domain::terms::Country;
use corridor_domain::{ACCESS_STREAM, EventBody, Party, Role, UserId};
use serde_json::json;

use crate::harness::{AUG_10, Reply, TestApp, spawn_app};

/// Adds a user with `role` and `party` and returns a bearer token for every action they may do.
pub async fn token(app: &TestApp, name: &str, role: Role, party: Party) -> String {
    let accounts = Accounts::from_pool(app.store.pool().clone())
        .await
        .expect("the accounts open");
    let user = UserId::parse(name).expect("a user id");
    let now: jiff::Timestamp = AUG_10.parse().expect("a moment");
    accounts
        .add_user(&user, role, &party, "correct horse battery staple", now)
        .await
        .expect("the user is added");
    let (secret, _) = accounts
        .create_token(
            &user,
            [Scope::parse("*").expect("a scope")],
            now + jiff::SignedDuration::from_hours(24),
            now,
        )
        .await
        .expect("a token");
    secret.expose().to_owned()
}

fn state(code: &str) -> Party {
    Party::State(Country::parse(code).expect("a country"))
}

/// A request with a bearer token and a JSON body.
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: Option<serde_json::Value>,
) -> Reply {
    let authorization = format!("Bearer {token}");
    let mut headers = vec![("authorization", authorization.as_str())];
    if let Some(version) = if_match {
        headers.push(("if-match", version));
    }
    let bytes = match body {
        Some(value) => {
            headers.push(("content-type", "application/json"));
            value.to_string().into_bytes()
        }
        None => Vec::new(),
    };
    app.request(method, path, &headers, bytes).await
}

/// A proposal of a synthetic person with every optional field filled.
pub fn proposal() -> serde_json::Value {
    json!({
        "name": "Synthetic Person Alpha",
        "birth_date": "1991-02-03",
        "nationality": "HND",
        "sex": "female",
        "languages": ["es"],
        "legal_basis": "ina_241",
        "removal_ordered_on": "2025-06-01",
        "documents": ["passport X0000001 (synthetic)"],
        "contact": "+000 555 0100",
        "health": "asthma (synthetic)",
        "health_data_consent": false,
    })
}

#[tokio::test]
async fn a_case_goes_through_the_api_with_etags_and_every_read_on_the_record() {
    // Proves propose → show → request with If-Match works over HTTP, that a stale or missing
    // If-Match is 412/428 with nothing written, and that each decision is an access record.
    let app = spawn_app().await;
    let officer = token(&app, "officer.bo", Role::SendingOfficer, state("USA")).await;
    let proposed = call(
        &app,
        "POST",
        "/api/agreements/us-rwa-2025/cases",
        &officer,
        None,
        Some(proposal()),
    )
    .await;
    assert_eq!(proposed.status, 201, "{}", proposed.text());
    let case = proposed.json()["case"]
        .as_str()
        .expect("a case id")
        .to_owned();
    assert_eq!(proposed.header("location"), format!("/api/cases/{case}"));
    assert_eq!(proposed.header("etag"), "\"1\"");

    let shown = call(
        &app,
        "GET",
        &format!("/api/cases/{case}"),
        &officer,
        None,
        None,
    )
    .await;
    assert_eq!(shown.status, 200, "{}", shown.text());
    assert_eq!(shown.header("etag"), "\"1\"");
    let view = shown.json();
    assert_eq!(view["status"], "proposed");
    assert_eq!(view["personal_data_state"], "shown");
    assert_eq!(view["personal_data"]["name"], "Synthetic Person Alpha");
    assert_eq!(view["rule_attributes"]["nationality"], "HND");

    let request = format!("/api/cases/{case}/request");
    call(&app, "POST", &request, &officer, None, None)
        .await
        .problem(428, "precondition_required");
    call(&app, "POST", &request, &officer, Some("\"7\""), None)
        .await
        .problem(412, "version_conflict");
    call(&app, "POST", &request, &officer, Some("seven"), None)
        .await
        .problem(412, "invalid_precondition");
    // Requesting before notice is refused by the domain, with its code.
    let refused = call(&app, "POST", &request, &officer, Some("\"1\""), None).await;
    assert_eq!(refused.status, 409, "{}", refused.text());

    // Every decision about this authenticated caller is an access record in the log.
    let records: Vec<_> = app
        .store
        .history(&corridor_domain::StreamId::Access)
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
                stored.event.by.map(|u| u.to_string()),
                action,
                resource,
                allowed,
            )),
            _ => None,
        })
        .collect();
    let by = Some("officer.bo".to_owned());
    assert!(
        records.contains(&(
            by.clone(),
            "propose".to_owned(),
            "agreement:us-rwa-2025".to_owned(),
            true
        )),
        "{records:?}"
    );
    assert!(
        records.contains(&(by.clone(), "read_case".to_owned(), case.clone(), true)),
        "{records:?}"
    );
    assert!(
        records.contains(&(
            by.clone(),
            "request_transfer".to_owned(),
            case.clone(),
            true
        )),
        "{records:?}"
    );
    let (size, _) = app.store.tree_head().await.expect("the tree head");
    assert_eq!(
        size,
        app.store.event_count().await.expect("the count"),
        "one leaf per event, access records included"
    );
    let check = app.store.check(&|_, _| {}).await.expect("check runs");
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    assert_eq!(ACCESS_STREAM, "access");
}

#[tokio::test]
async fn a_receiving_officer_sees_only_requested_cases_and_only_shared_fields() {
    // Proves the field filter: Rwanda's officer is denied (403, recorded) before the request,
    // then sees only the fields the agreement shares, never health without consent; another
    // state's officer and anonymous callers see nothing.
    let app = spawn_app().await;
    let officer = token(&app, "officer.bo", Role::SendingOfficer, state("USA")).await;
    let receiver = token(&app, "receiver.kim", Role::ReceivingOfficer, state("RWA")).await;
    let stranger = token(&app, "receiver.lu", Role::ReceivingOfficer, state("ALB")).await;
    let case = call(
        &app,
        "POST",
        "/api/agreements/us-rwa-2025/cases",
        &officer,
        None,
        Some(proposal()),
    )
    .await
    .json()["case"]
        .as_str()
        .expect("a case id")
        .to_owned();
    let path = format!("/api/cases/{case}");
    call(&app, "GET", &path, &receiver, None, None)
        .await
        .problem(404, "not_found");
    call(&app, "GET", &path, &stranger, None, None)
        .await
        .problem(404, "not_found");
    app.get(&path).await.problem(401, "unauthenticated");

    let notice = json!({"language": "es", "destination": "RWA", "on_person": true, "on_counsel": false, "explains_how_to_contest": true});
    let served = call(
        &app,
        "POST",
        &format!("{path}/notice"),
        &officer,
        Some("\"1\""),
        Some(notice),
    )
    .await;
    assert_eq!(served.status, 200, "{}", served.text());
    assert_eq!(served.header("etag"), "\"2\"");
    let requested = call(
        &app,
        "POST",
        &format!("{path}/request"),
        &officer,
        Some("\"2\""),
        None,
    )
    .await;
    assert_eq!(requested.status, 200, "{}", requested.text());
    assert_eq!(requested.header("etag"), "\"3\"");

    // Requested of Rwanda: its officer sees the case, with only the fields us-rwa-2025 shares
    // (name, birth date, nationality, sex, documents) — never contact, languages or health.
    let seen = call(&app, "GET", &path, &receiver, None, None).await;
    assert_eq!(seen.status, 200, "{}", seen.text());
    let view = seen.json();
    let personal = view["personal_data"]
        .as_object()
        .expect("personal data shown");
    let mut keys: Vec<&str> = personal.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["birth_date", "documents", "name"], "{view}");
    let rule = view["rule_attributes"]
        .as_object()
        .expect("rule attributes");
    assert_eq!(rule["nationality"], "HND");
    assert_eq!(rule["sex"], "female");
    for withheld in [
        "languages",
        "vulnerabilities",
        "feared_countries",
        "protected_countries",
        "legal_basis",
        "removal_ordered_on",
    ] {
        assert!(!rule.contains_key(withheld), "{withheld} leaked: {view}");
        assert!(
            rule["withheld"]
                .as_array()
                .expect("a list")
                .contains(&json!(withheld)),
            "{view}"
        );
    }
    assert!(
        !seen.text().contains("asthma"),
        "health without consent: {}",
        seen.text()
    );
    assert!(
        !seen.text().contains("+000 555 0100"),
        "contact is not shared: {}",
        seen.text()
    );
    // The other state's officer still sees nothing, not even that the case exists.
    call(&app, "GET", &path, &stranger, None, None)
        .await
        .problem(404, "not_found");

    let denied: Vec<_> = app
        .store
        .history(&corridor_domain::StreamId::Access)
        .await
        .expect("the access stream")
        .into_iter()
        .filter(|stored| {
            matches!(
                &stored.event.body,
                EventBody::AccessRecorded { allowed: false, .. }
            )
        })
        .filter_map(|stored| stored.event.by.map(|user| user.to_string()))
        .collect();
    assert_eq!(
        denied,
        ["receiver.kim", "receiver.lu", "receiver.lu"],
        "the anonymous caller is not recorded"
    );
}
