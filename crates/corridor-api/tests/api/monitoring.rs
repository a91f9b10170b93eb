//! The monitoring body's work over HTTP (docs/monitoring.md): findings and the monitor's hold,
//! who sees which visit, and the queue and `tick` listing overdue responses.

use corridor_domain::terms::Country;
use corridor_domain::{CaseId, Party, Role};
use serde_json::{Value, json};

use corridor_accounts::{Accounts, Scope};
use corridor_domain::UserId;

use crate::cases::call;
use crate::fixture::{self, CaseSpec, MEDP_MONITORS, Seeder, Stage};
use crate::harness::{TestApp, spawn_app};

const GBR_RWA: &str = "gbr-rwa-2024";

/// A token of a new account, valid for 90 days from the test server's first day (the tests
/// move the clock by weeks).
async fn token(app: &TestApp, name: &str, role: Role, party: Party) -> String {
    let accounts = Accounts::from_pool(app.store.pool().clone())
        .await
        .expect("the accounts open");
    let user = UserId::parse(name).expect("a user id");
    let now: jiff::Timestamp = crate::harness::AUG_10.parse().expect("a moment");
    accounts
        .add_user(&user, role, &party, "correct horse battery staple", now)
        .await
        .expect("the user is added");
    let (secret, _) = accounts
        .create_token(
            &user,
            [Scope::parse("*").expect("a scope")],
            now + jiff::SignedDuration::from_hours(24 * 90),
            now,
        )
        .await
        .expect("a token");
    secret.expose().to_owned()
}

fn state(code: &str) -> Party {
    Party::State(Country::parse(code).expect("a country"))
}

/// The UK–Rwanda agreement with cases built to `stages`, and tokens for its monitor, a
/// receiving officer, a sending officer and the operator.
async fn setup(app: &TestApp, stages: &[Stage]) -> (Vec<CaseId>, [String; 4]) {
    fixture::load_agreements(app, &["gbr-rwa-2024.toml"]).await;
    let specs: Vec<CaseSpec> = stages
        .iter()
        .map(|stage| CaseSpec::new(GBR_RWA, *stage))
        .collect();
    let cases = Seeder::default().build(app, &specs).await;
    let monitor = token(
        app,
        "monitor.medp",
        Role::Monitor,
        Party::MonitoringBody(MEDP_MONITORS.to_owned()),
    )
    .await;
    let receiver = token(app, "receiver.rwa", Role::ReceivingOfficer, state("RWA")).await;
    let officer = token(app, "officer.gbr", Role::SendingOfficer, state("GBR")).await;
    let admin = token(app, "admin.ops", Role::Admin, Party::None).await;
    (cases, [monitor, receiver, officer, admin])
}

async fn onward(app: &TestApp, who: &str, case: CaseId) -> crate::harness::Reply {
    let path = format!("/api/cases/{case}");
    // The receiving state's version is a fingerprint of what it sees.
    let version = call(app, "GET", &path, who, None, None)
        .await
        .header("etag")
        .to_owned();
    let path = format!("/api/cases/{case}/onward");
    let body = json!({"destination": "GBR"});
    call(app, "POST", &path, who, Some(&version), Some(body)).await
}

fn ids(list: &Value, key: &str, id: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key}: {list}"))
        .iter()
        .filter_map(|item| item[id].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_critical_onward_removal_finding_holds_its_case_until_closed() {
    // Proves the monitor's hold over HTTP: a critical finding of onward-removal risk on one case
    // refuses `onward` on it (409 `monitor_hold`, recorded) and not on another case; the
    // addressed state responds once (a second response is 409, a state not addressed 403); only
    // the monitoring body closes it, and closing lifts the hold.
    let app = spawn_app().await;
    let (cases, [monitor, receiver, officer, _]) =
        setup(&app, &[Stage::Arrived, Stage::Arrived]).await;
    let body = json!({
        "cases": [cases[0].to_string()],
        "category": "onward_removal_risk",
        "severity": "critical",
        "text": "Synthetic: the person was told to leave for a third country.",
        "addressed": ["receiving_state"],
    });
    let path = format!("/api/agreements/{GBR_RWA}/findings");
    let recorded = call(&app, "POST", &path, &monitor, None, Some(body.clone())).await;
    assert_eq!(recorded.status, 201, "{}", recorded.text());
    let finding = recorded.json()["id"].as_str().expect("an id").to_owned();
    assert_eq!(
        recorded.header("location"),
        format!("/api/findings/{finding}")
    );
    let by_officer = call(&app, "POST", &path, &officer, None, Some(body)).await;
    by_officer.problem(403, "forbidden");

    let held = onward(&app, &receiver, cases[0]).await;
    let problem = held.problem(409, "monitor_hold");
    assert_eq!(problem["facts"]["finding"], finding.as_str());
    assert_eq!(problem["facts"]["severity"], "critical");
    assert_eq!(problem["safeguard"], true);
    assert!(problem["recorded_seq"].is_u64(), "{problem}");
    let other = onward(&app, &receiver, cases[1]).await;
    assert_eq!(other.status, 200, "{}", other.text());

    let responses = format!("/api/findings/{finding}/responses");
    let answer = json!({"text": "Synthetic: the person will not be moved."});
    let first = call(
        &app,
        "POST",
        &responses,
        &receiver,
        None,
        Some(answer.clone()),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text());
    let again = call(
        &app,
        "POST",
        &responses,
        &receiver,
        None,
        Some(answer.clone()),
    )
    .await;
    again.problem(409, "finding_already_responded");
    // The finding is addressed to the receiving state only: the sending state is not told it
    // exists, its response answered exactly as one to a finding that never was.
    let sending = call(
        &app,
        "POST",
        &responses,
        &officer,
        None,
        Some(answer.clone()),
    )
    .await;
    sending.problem(404, "not_found");
    let never = "finding-00000000000000aa";
    let to_nothing = call(
        &app,
        "POST",
        &format!("/api/findings/{never}/responses"),
        &officer,
        None,
        Some(answer),
    )
    .await;
    assert_eq!(
        sending.text().replace(&finding, "ID"),
        to_nothing.text().replace(never, "ID")
    );
    let hidden = call(
        &app,
        "GET",
        &format!("/api/findings/{finding}"),
        &officer,
        None,
        None,
    )
    .await;
    hidden.problem(404, "not_found");

    let close = format!("/api/findings/{finding}/close");
    let outcome = json!({"outcome": "accepted"});
    let refused = call(&app, "POST", &close, &receiver, None, Some(outcome.clone())).await;
    refused.problem(403, "forbidden");
    let closed = call(&app, "POST", &close, &monitor, None, Some(outcome.clone())).await;
    assert_eq!(closed.status, 200, "{}", closed.text());
    call(&app, "POST", &close, &monitor, None, Some(outcome))
        .await
        .problem(409, "finding_closed");
    let shown = call(
        &app,
        "GET",
        &format!("/api/findings/{finding}"),
        &receiver,
        None,
        None,
    )
    .await;
    assert_eq!(shown.status, 200, "{}", shown.text());
    assert_eq!(shown.json()["status"], "closed");
    assert_eq!(shown.json()["responses"][0]["state"], "responded");
    let lifted = onward(&app, &receiver, cases[0]).await;
    assert_eq!(lifted.status, 200, "{}", lifted.text());
}

#[tokio::test]
async fn visits_are_seen_as_the_parties_may_see_them() {
    // Proves an unannounced visit is hidden from the agreement's states until it is recorded,
    // an announced one is seen once scheduled, and the receiving state never sees the id of a
    // case not yet requested of it (without being told that one was left out).
    let app = spawn_app().await;
    let (cases, [monitor, receiver, officer, _]) =
        setup(&app, &[Stage::Arrived, Stage::Noticed]).await;
    let (arrived, unrequested) = (cases[0].to_string(), cases[1].to_string());
    let visits = format!("/api/agreements/{GBR_RWA}/visits");
    let plan = json!({"announced": false, "on": "2025-08-20", "place": "Hostel (synthetic)"});
    let planned = call(&app, "POST", &visits, &monitor, None, Some(plan)).await;
    assert_eq!(planned.status, 201, "{}", planned.text());
    let unannounced = planned.json()["id"].as_str().expect("an id").to_owned();
    let announced = json!({
        "announced": true,
        "on": "2025-08-21",
        "place": "Reception centre (synthetic)",
        "cases": [arrived, unrequested],
    });
    let scheduled = call(&app, "POST", &visits, &monitor, None, Some(announced)).await;
    assert_eq!(scheduled.status, 201, "{}", scheduled.text());
    let announced = scheduled.json()["id"].as_str().expect("an id").to_owned();

    let monitor_list = call(&app, "GET", &visits, &monitor, None, None)
        .await
        .json();
    assert_eq!(
        ids(&monitor_list, "visits", "visit"),
        vec![unannounced.clone(), announced.clone()]
    );
    let receiver_list = call(&app, "GET", &visits, &receiver, None, None)
        .await
        .json();
    assert_eq!(
        ids(&receiver_list, "visits", "visit"),
        vec![announced.clone()]
    );
    assert_eq!(receiver_list["visits"][0]["cases"], json!([arrived]));
    let officer_list = call(&app, "GET", &visits, &officer, None, None)
        .await
        .json();
    assert_eq!(
        officer_list["visits"][0]["cases"],
        json!([arrived, unrequested])
    );
    assert!(!receiver_list.to_string().contains(&unrequested));

    app.advance(jiff::SignedDuration::from_hours(24 * 10));
    let record = json!({
        "visit": unannounced,
        "announced": false,
        "on": "2025-08-20",
        "place": "Hostel (synthetic)",
        "seen_cases": [arrived, unrequested],
        "seen_others": ["hostel manager"],
    });
    let recorded = call(
        &app,
        "POST",
        &format!("{visits}/recorded"),
        &monitor,
        None,
        Some(record),
    )
    .await;
    assert_eq!(recorded.status, 201, "{}", recorded.text());
    let receiver_list = call(&app, "GET", &visits, &receiver, None, None)
        .await
        .json();
    assert_eq!(
        ids(&receiver_list, "visits", "visit"),
        vec![unannounced, announced]
    );
    assert_eq!(
        receiver_list["visits"][0]["seen"]["cases"],
        json!([arrived])
    );
    assert!(!receiver_list.to_string().contains(&unrequested));
    let refused = call(
        &app,
        "GET",
        &visits,
        &token(&app, "receiver.alb", Role::ReceivingOfficer, state("ALB")).await,
        None,
        None,
    )
    .await;
    refused.problem(403, "forbidden");
}

#[tokio::test]
async fn the_queue_and_tick_list_overdue_responses() {
    // Proves a response whose period (30 days in every shipped file) has run shows as overdue on
    // the monitor's queue and in `tick`'s answer, with the whereabouts unknown and the visit
    // planned; and that the queue is the monitors' alone.
    let app = spawn_app().await;
    let (cases, [monitor, receiver, officer, admin]) =
        setup(&app, &[Stage::WhereaboutsUnknown]).await;
    let body = json!({
        "category": "living_conditions",
        "severity": "serious",
        "text": "Synthetic: overcrowding at the reception centre.",
        "addressed": ["sending_state", "receiving_state"],
    });
    let path = format!("/api/agreements/{GBR_RWA}/findings");
    let recorded = call(&app, "POST", &path, &monitor, None, Some(body)).await;
    assert_eq!(recorded.status, 201, "{}", recorded.text());
    let finding = recorded.json()["id"].as_str().expect("an id").to_owned();
    let responses = format!("/api/findings/{finding}/responses");
    let answer = json!({"text": "Synthetic: more places from next month."});
    let responded = call(&app, "POST", &responses, &officer, None, Some(answer)).await;
    assert_eq!(responded.status, 200, "{}", responded.text());
    let plan = json!({"announced": true, "on": "2025-12-01", "place": "Centre (synthetic)"});
    let visits = format!("/api/agreements/{GBR_RWA}/visits");
    assert_eq!(
        call(&app, "POST", &visits, &monitor, None, Some(plan))
            .await
            .status,
        201
    );

    let queue = call(&app, "GET", "/api/monitoring/queue", &monitor, None, None).await;
    assert_eq!(queue.status, 200, "{}", queue.text());
    // The agreement's welfare schedule (monthly checks) puts the person's checks on the queue
    // too, each for the same case; the other kinds come in their order of urgency.
    let queue = queue.json();
    let items = without_welfare_checks(&queue, &cases[0].to_string());
    let kinds: Vec<&str> = items
        .iter()
        .map(|item| item["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["whereabouts_unknown", "finding_response", "visit_planned"]
    );
    assert_eq!(items[1]["overdue"], false);
    assert_eq!(items[0]["case"], cases[0].to_string());

    app.advance(jiff::SignedDuration::from_hours(24 * 30));
    let at_due = call(&app, "POST", "/api/tick", &admin, None, None).await;
    assert_eq!(at_due.status, 200, "{}", at_due.text());
    assert_eq!(at_due.json()["overdue_responses"], json!([]));
    app.advance(jiff::SignedDuration::from_secs(1));
    let queue = call(&app, "GET", "/api/monitoring/queue", &monitor, None, None)
        .await
        .json();
    let items = without_welfare_checks(&queue, &cases[0].to_string());
    // Thirty days on, the tick raised the monitoring body's alerts (docs/monitoring.md,
    // "Alerts"): whereabouts unknown for longer than the terms allow, and the monthly checks
    // missed three in a row; both stand on the queue, before the overdue response.
    let kinds: Vec<&str> = items
        .iter()
        .map(|item| item["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "alert",
            "alert",
            "finding_response",
            "whereabouts_unknown",
            "visit_planned"
        ],
        "{queue}"
    );
    let mut reasons: Vec<&str> = items[..2]
        .iter()
        .map(|item| item["reason"].as_str().unwrap())
        .collect();
    reasons.sort_unstable();
    assert_eq!(
        reasons,
        vec!["missed_checks", "whereabouts_unknown"],
        "{queue}"
    );
    assert_eq!(items[0]["case"], cases[0].to_string());
    assert_eq!(items[2]["overdue"], true);
    assert_eq!(items[2]["party"], "receiving_state");
    let tick = call(&app, "POST", "/api/tick", &admin, None, None)
        .await
        .json();
    let overdue = tick["overdue_responses"].as_array().expect("a list");
    assert_eq!(overdue.len(), 1, "{tick}");
    assert_eq!(overdue[0]["finding"], finding.as_str());
    assert_eq!(overdue[0]["party"], "receiving_state");

    for who in [&receiver, &officer, &admin] {
        call(&app, "GET", "/api/monitoring/queue", who, None, None)
            .await
            .problem(403, "forbidden");
    }
}

/// The queue's items other than welfare checks, after asserting that every welfare check on it
/// is of `case` (the only person after arrival in these tests).
fn without_welfare_checks(queue: &Value, case: &str) -> Vec<Value> {
    let items = queue["items"].as_array().expect("a list of items");
    for item in items.iter().filter(|item| item["kind"] == "welfare_check") {
        assert_eq!(item["case"], case, "{item}");
    }
    items
        .iter()
        .filter(|item| item["kind"] != "welfare_check")
        .cloned()
        .collect()
}
