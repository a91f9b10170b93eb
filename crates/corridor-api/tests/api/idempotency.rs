//! `Idempotency-Key` on the two creations, proposals and hold registrations: sent again with
//! its key (after an answer that never arrived) a creation names what the first one made and
//! appends nothing; the same key with other details, or a key that is not one, is refused;
//! other callers and other keys create their own.

use corridor_domain::terms::Country;
use corridor_domain::{CaseId, Party, Role, StreamId};
use serde_json::json;

use crate::cases::token;
use crate::harness::{Reply, TestApp, spawn_app};

const PROPOSE: &str = "/api/agreements/us-rwa-2025/cases";

fn usa() -> Party {
    Party::State(Country::parse("USA").expect("a country"))
}

fn proposal(name: &str) -> serde_json::Value {
    json!({
        "name": name,
        "birth_date": "1988-07-14",
        "nationality": "HND",
        "sex": "male",
        "languages": ["es"],
        "legal_basis": "ina_241",
        "removal_ordered_on": "2025-06-01",
        "documents": ["passport X0000009 (synthetic)"],
    })
}

/// `POST` `body` to `path` with a bearer token and, when given, an `Idempotency-Key`.
async fn create(
    app: &TestApp,
    path: &str,
    token: &str,
    key: Option<&str>,
    body: &serde_json::Value,
) -> Reply {
    let authorization = format!("Bearer {token}");
    let mut headers = vec![
        ("authorization", authorization.as_str()),
        ("content-type", "application/json"),
    ];
    if let Some(key) = key {
        headers.push(("idempotency-key", key));
    }
    app.request("POST", path, &headers, body.to_string().into_bytes())
        .await
}

/// A proposal, as [`create`] sends it.
async fn propose(app: &TestApp, token: &str, key: Option<&str>, body: &serde_json::Value) -> Reply {
    create(app, PROPOSE, token, key, body).await
}

/// The id an answer names in `member` (`case`, `hold`).
fn id_of(reply: &Reply, member: &str) -> String {
    reply.json()[member]
        .as_str()
        .unwrap_or_else(|| panic!("the answer names no {member}: {}", reply.text()))
        .to_owned()
}

fn case_of(reply: &Reply) -> String {
    id_of(reply, "case")
}

/// The kinds of the events of `case`, in order.
async fn case_events(app: &TestApp, case: &str) -> Vec<&'static str> {
    let id = CaseId::parse(case).expect("a case id");
    app.store
        .history(&StreamId::Case(id))
        .await
        .expect("the history")
        .iter()
        .map(|stored| stored.event.body.kind())
        .collect()
}

/// The events in the store of `kind` (`case_proposed`, `hold_registered`).
async fn appended(app: &TestApp, kind: &str) -> usize {
    app.store
        .events(0, 100_000)
        .await
        .expect("the events")
        .iter()
        .filter(|stored| stored.event.body.kind() == kind)
        .count()
}

/// Every case proposal in the store.
async fn proposals(app: &TestApp) -> usize {
    appended(app, "case_proposed").await
}

#[tokio::test]
async fn a_proposal_sent_again_with_its_key_names_the_first_case_and_appends_nothing() {
    // Proves a retried proposal with the same Idempotency-Key answers 200 with the case the first made (its version today, `replayed`), appends no proposal, accepts the key bare or quoted, and refuses the key with other details (422, nothing appended).
    let app = spawn_app().await;
    let officer = token(&app, "officer.bo", Role::SendingOfficer, usa()).await;
    let body = proposal("Synthetic Person Retry");

    let first = propose(&app, &officer, Some("c3f1e6d2-0001"), &body).await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(first.json()["replayed"], false);
    let case = case_of(&first);
    let before = proposals(&app).await;

    for key in ["c3f1e6d2-0001", "\"c3f1e6d2-0001\""] {
        let again = propose(&app, &officer, Some(key), &body).await;
        assert_eq!(again.status, 200, "{key}: {}", again.text());
        assert_eq!(case_of(&again), case);
        assert_eq!(again.json()["replayed"], true);
        assert_eq!(again.json()["events"], json!([]));
        assert_eq!(again.header("location"), format!("/api/cases/{case}"));
        assert_eq!(again.header("etag"), "\"1\"");
    }
    assert_eq!(proposals(&app).await, before, "nothing proposed twice");
    assert_eq!(case_events(&app, &case).await, ["case_proposed"]);

    // The case moves on; a late retry names its version today.
    let authorization = format!("Bearer {officer}");
    let notice = app
        .request(
            "POST",
            &format!("/api/cases/{case}/notice"),
            &[
                ("authorization", authorization.as_str()),
                ("content-type", "application/json"),
                ("if-match", "\"1\""),
            ],
            json!({"language": "es", "destination": "RWA", "on_person": true,
                   "on_counsel": false, "explains_how_to_contest": true})
            .to_string()
            .into_bytes(),
        )
        .await;
    assert_eq!(notice.status, 200, "{}", notice.text());
    let late = propose(&app, &officer, Some("c3f1e6d2-0001"), &body).await;
    assert_eq!(late.status, 200, "{}", late.text());
    assert_eq!(late.header("etag"), "\"2\"");
    assert_eq!(late.json()["version"], 2);

    // The same key for another person is a client's mistake, not a new case.
    let other = propose(
        &app,
        &officer,
        Some("c3f1e6d2-0001"),
        &proposal("Synthetic Person Other"),
    )
    .await
    .problem(422, "invalid_input");
    assert_eq!(other["facts"]["field"], "header.Idempotency-Key");
    assert!(
        other["detail"]
            .as_str()
            .is_some_and(|detail| detail.contains(&case) && detail.contains("new key")),
        "{other}"
    );
    let mut changed = body.clone();
    changed["documents"] = json!(["passport X0000010 (synthetic)"]);
    propose(&app, &officer, Some("c3f1e6d2-0001"), &changed)
        .await
        .problem(422, "invalid_input");
    assert_eq!(proposals(&app).await, before);
    assert_eq!(
        case_events(&app, &case).await,
        ["case_proposed", "notice_served"]
    );
}

#[tokio::test]
async fn other_keys_other_callers_and_no_key_each_propose_their_own_case() {
    // Proves the key names a proposal of one caller only: another officer with the same key, another key, or no key at all (twice) each make a new case.
    let app = spawn_app().await;
    let bo = token(&app, "officer.bo", Role::SendingOfficer, usa()).await;
    let cy = token(&app, "officer.cy", Role::SendingOfficer, usa()).await;
    let body = proposal("Synthetic Person Many");
    let mut cases = Vec::new();
    for (caller, key) in [
        (&bo, Some("shared-key")),
        (&cy, Some("shared-key")),
        (&bo, Some("another-key")),
        (&bo, None),
        (&bo, None),
    ] {
        let reply = propose(&app, caller, key, &body).await;
        assert_eq!(reply.status, 201, "{key:?}: {}", reply.text());
        cases.push(case_of(&reply));
    }
    let distinct: std::collections::BTreeSet<&String> = cases.iter().collect();
    assert_eq!(distinct.len(), cases.len(), "{cases:?}");
}

#[tokio::test]
async fn the_same_key_sent_at_once_makes_one_case() {
    // Proves proposals racing with one key (decided in one group commit or in turn) make one case: one 201, the others 200 naming it.
    let app = spawn_app().await;
    let officer = token(&app, "officer.bo", Role::SendingOfficer, usa()).await;
    let body = proposal("Synthetic Person Race");
    let key = Some("race-0001");
    let before = proposals(&app).await;
    let replies = tokio::join!(
        propose(&app, &officer, key, &body),
        propose(&app, &officer, key, &body),
        propose(&app, &officer, key, &body),
        propose(&app, &officer, key, &body),
        propose(&app, &officer, key, &body),
        propose(&app, &officer, key, &body),
    );
    let replies = [
        replies.0, replies.1, replies.2, replies.3, replies.4, replies.5,
    ];
    let statuses: Vec<u16> = replies.iter().map(|reply| reply.status).collect();
    assert_eq!(
        statuses.iter().filter(|status| **status == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|status| **status == 200).count(),
        5,
        "{statuses:?}"
    );
    let case = case_of(&replies[0]);
    assert!(replies.iter().all(|reply| case_of(reply) == case));
    assert_eq!(proposals(&app).await, before + 1);
}

#[tokio::test]
async fn a_key_that_is_not_one_is_refused_naming_the_header() {
    // Proves an empty, over-long, spaced, quoted-inside or non-ASCII Idempotency-Key is a 422 naming the header, and proposes nothing.
    let app = spawn_app().await;
    let officer = token(&app, "officer.bo", Role::SendingOfficer, usa()).await;
    let body = proposal("Synthetic Person Key");
    let before = proposals(&app).await;
    let long = "k".repeat(256);
    for key in ["", "\"\"", long.as_str(), "two words", "a\"b", "ключ"] {
        let problem = propose(&app, &officer, Some(key), &body)
            .await
            .problem(422, "invalid_input");
        assert_eq!(problem["facts"]["field"], "header.Idempotency-Key", "{key}");
    }
    let longest = "k".repeat(255);
    let accepted = propose(&app, &officer, Some(&longest), &body).await;
    assert_eq!(accepted.status, 201, "{}", accepted.text());
    assert_eq!(proposals(&app).await, before + 1);
}

/// `POST /api/holds`, an order of `court-a` under `reference` covering nobody, as [`create`]
/// sends it.
async fn register_hold(app: &TestApp, token: &str, key: Option<&str>, reference: &str) -> Reply {
    let body = json!({
        "court": "court-a",
        "reference": reference,
        "scope": { "nationalities": ["ATA"] },
    });
    create(app, "/api/holds", token, key, &body).await
}

fn hold_of(reply: &Reply) -> String {
    id_of(reply, "hold")
}

/// Every hold registration in the store.
async fn registrations(app: &TestApp) -> usize {
    appended(app, "hold_registered").await
}

#[tokio::test]
async fn a_hold_registered_again_with_its_key_is_the_first_hold() {
    // Proves a retried hold registration with the same Idempotency-Key answers 200 naming the first hold and appends nothing, racing retries register one hold, the key with another reference is 422, and another clerk's key or no key registers anew.
    let app = spawn_app().await;
    let court = Party::Court("court-a".to_owned());
    let eve = token(&app, "clerk.eve", Role::CourtClerk, court.clone()).await;
    let fay = token(&app, "clerk.fay", Role::CourtClerk, court).await;
    let before = registrations(&app).await;

    let first = register_hold(&app, &eve, Some("order-77"), "Order 77 (synthetic)").await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(first.json()["replayed"], false);
    let hold = hold_of(&first);
    assert_eq!(first.header("location"), format!("/api/holds/{hold}"));
    let again = register_hold(&app, &eve, Some("order-77"), "Order 77 (synthetic)").await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(hold_of(&again), hold);
    assert_eq!(again.json()["replayed"], true);
    assert_eq!(again.json()["events"], json!([]));
    assert_eq!(again.header("location"), format!("/api/holds/{hold}"));
    assert_eq!(registrations(&app).await, before + 1);

    let reused = register_hold(&app, &eve, Some("order-77"), "Order 78 (synthetic)")
        .await
        .problem(422, "invalid_input");
    assert_eq!(reused["facts"]["field"], "header.Idempotency-Key");

    let racing = tokio::join!(
        register_hold(&app, &eve, Some("order-79"), "Order 79 (synthetic)"),
        register_hold(&app, &eve, Some("order-79"), "Order 79 (synthetic)"),
        register_hold(&app, &eve, Some("order-79"), "Order 79 (synthetic)"),
    );
    let racing = [racing.0, racing.1, racing.2];
    let mut statuses: Vec<u16> = racing.iter().map(|reply| reply.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 201]);
    assert!(
        racing
            .iter()
            .all(|reply| hold_of(reply) == hold_of(&racing[0]))
    );
    assert_eq!(registrations(&app).await, before + 2);

    let mut holds = vec![hold, hold_of(&racing[0])];
    for (clerk, key) in [(&fay, Some("order-77")), (&eve, None), (&eve, None)] {
        let reply = register_hold(&app, clerk, key, "Order 77 (synthetic)").await;
        assert_eq!(reply.status, 201, "{key:?}: {}", reply.text());
        holds.push(hold_of(&reply));
    }
    let distinct: std::collections::BTreeSet<&String> = holds.iter().collect();
    assert_eq!(distinct.len(), holds.len(), "{holds:?}");
}
