//! What a caller can learn about things they may not see, existence included (issue 12): a
//! case, hold or account they may not know of is answered exactly as a missing one; lists,
//! cursors and status filters are made from what the caller is shown; the receiving state is
//! told that a transfer is paused or ended, never that a protection claim was made; a token
//! never mints a wider or longer-lived one; the hold list shows each caller only the orders
//! they may know of; counsel must be a counsel account; court clerks read only the cases their
//! orders matched.

use corridor_domain::terms::{AgreementId, Country};
use corridor_domain::{
    CaseId, CaseStatus, ClassCriteria, Command, Context, EventBody, HoldId, HoldScope, Outcome,
    Party, Role, StreamId, UserId,
};
use serde_json::json;

use crate::cases::{call, token};
use crate::fixture::{CaseSpec, Seeder, Stage};
use crate::harness::{AUG_10, Reply, TestApp, spawn_app};

fn state(code: &str) -> Party {
    Party::State(Country::parse(code).expect("a country"))
}

/// The access records appended since `from` (the access stream's length before), as
/// (action, resource, agreement, allowed).
async fn records_since(app: &TestApp, from: usize) -> Vec<(String, String, Option<String>, bool)> {
    let all = app
        .store
        .history(&StreamId::Access)
        .await
        .expect("the access stream");
    all.into_iter()
        .skip(from)
        .filter_map(|stored| match stored.event.body {
            EventBody::AccessRecorded {
                action,
                resource,
                agreement,
                allowed,
                ..
            } => Some((
                action,
                resource,
                agreement.map(|id| id.to_string()),
                allowed,
            )),
            _ => None,
        })
        .collect()
}

async fn access_count(app: &TestApp) -> usize {
    records_since(app, 0).await.len()
}

/// The body of a 404 with the id asked for replaced, so that two answers can be compared.
fn without(reply: &Reply, id: &str) -> String {
    reply.problem(404, "not_found");
    reply.text().replace(id, "ID")
}

/// Cases of synthetic people under US–Rwanda, built to `stages`.
async fn seeded(app: &TestApp, stages: &[Stage]) -> Vec<CaseId> {
    let specs: Vec<CaseSpec> = stages
        .iter()
        .map(|stage| CaseSpec::new("us-rwa-2025", *stage))
        .collect();
    Seeder::default().build(app, &specs).await
}

/// The page of US–Rwanda cases in `status` (as told) that `token`'s user lists.
async fn page_in_status(app: &TestApp, token: &str, status: &str) -> serde_json::Value {
    let path = format!("/api/agreements/us-rwa-2025/cases?status={status}");
    call(app, "GET", &path, token, None, None).await.json()
}

/// Executes `command` as `actor` at [`AUG_10`], straight through the store; it must be
/// accepted.
async fn accepted(app: &TestApp, command: &Command, actor: corridor_domain::Actor) {
    let context = Context {
        now: AUG_10.parse().expect("a moment"),
        actor,
    };
    let executed = app
        .store
        .execute(command, &context, None, &[])
        .await
        .expect("the store answers");
    assert!(
        matches!(executed.outcome, Outcome::Accepted(_)),
        "{executed:?}"
    );
}

/// The receiving officers' denials counted in the public `/metrics`.
async fn denials(app: &TestApp) -> u64 {
    let text = app.get("/metrics").await.text();
    text.lines()
        .find(|line| {
            line.starts_with("corridor_authorization_denials_total")
                && line.contains("receiving_officer")
        })
        .and_then(|line| line.rsplit(' ').next())
        .map_or(0, |count| count.parse().expect("a count"))
}

/// An id no case has.
const MISSING_CASE: &str = "case-00000000deadbeef";

#[tokio::test]
async fn a_case_hidden_from_the_caller_is_answered_as_a_missing_one() {
    // Proves that a case not requested of the receiving state answers its officer, on a read,
    // its history and a command, exactly as an id that does not exist: 404, the same body, one
    // denied record naming no agreement (so the public log's leaf does not tell either), while
    // a caller who sees the case is still told 403 for what they may not do.
    let app = spawn_app().await;
    let case = seeded(&app, &[Stage::Noticed]).await[0].to_string();
    let receiver = token(&app, "receiver.rwa", Role::ReceivingOfficer, state("RWA")).await;
    for suffix in ["", "/history", "/approve"] {
        let method = if suffix == "/approve" { "POST" } else { "GET" };
        let mut bodies = Vec::new();
        for id in [case.as_str(), MISSING_CASE] {
            let before = access_count(&app).await;
            let denials_before = denials(&app).await;
            let (size_before, _) = app.store.tree_head().await.expect("the tree head");
            let path = format!("/api/cases/{id}{suffix}");
            let reply = call(&app, method, &path, &receiver, Some("\"2\""), None).await;
            bodies.push(without(&reply, id));
            let records = records_since(&app, before).await;
            assert_eq!(records.len(), 1, "{path}: {records:?}");
            let (_, resource, agreement, allowed) = &records[0];
            assert_eq!((resource.as_str(), agreement, allowed), (id, &None, &false));
            let (size_after, _) = app.store.tree_head().await.expect("the tree head");
            assert_eq!(size_after, size_before + 1, "{path}: one leaf each");
            assert_eq!(
                denials(&app).await,
                denials_before + 1,
                "{path}: counted alike"
            );
        }
        assert_eq!(bodies[0], bodies[1], "{suffix}");
    }
    // The sending officer sees the case: what they may not do is refused as such.
    let officer = token(&app, "officer.usa", Role::SendingOfficer, state("USA")).await;
    call(
        &app,
        "POST",
        &format!("/api/cases/{case}/arrive"),
        &officer,
        Some("\"2\""),
        None,
    )
    .await
    .problem(403, "forbidden");
}

#[tokio::test]
async fn a_list_shows_no_trace_of_a_case_the_caller_may_not_see() {
    // Proves that a receiving officer's list, paged one case at a time, gives the ids of the
    // cases requested of them and nothing else: the cursor is never a hidden case's id, a
    // status filter finds no unrequested case, and each page records only what it shows.
    let app = spawn_app().await;
    let ids = seeded(
        &app,
        &[
            Stage::Noticed,
            Stage::Requested,
            Stage::Proposed,
            Stage::Requested,
            Stage::Noticed,
        ],
    )
    .await;
    let requested: Vec<String> = [ids[1], ids[3]].iter().map(ToString::to_string).collect();
    let receiver = token(&app, "receiver.rwa", Role::ReceivingOfficer, state("RWA")).await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..10 {
        let query = after
            .as_ref()
            .map_or_else(String::new, |id| format!("&after={id}"));
        let before = access_count(&app).await;
        let page = call(
            &app,
            "GET",
            &format!("/api/agreements/us-rwa-2025/cases?limit=1{query}"),
            &receiver,
            None,
            None,
        )
        .await
        .json();
        let shown: Vec<String> = page["cases"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|row| row["case"].as_str().expect("an id").to_owned())
            .collect();
        assert_eq!(
            records_since(&app, before).await.len(),
            1 + shown.len(),
            "the listing and each case shown, nothing for what was passed over"
        );
        seen.extend(shown.iter().cloned());
        match page["next"].as_str() {
            Some(next) => {
                assert!(requested.contains(&next.to_owned()), "cursor {next}");
                after = Some(next.to_owned());
            }
            None => break,
        }
    }
    assert_eq!(seen, requested);
    for status in ["proposed", "noticed"] {
        let page = page_in_status(&app, &receiver, status).await;
        assert_eq!(page, json!({ "cases": [], "next": null }), "{status}");
    }
}

/// Files a protection claim on `case` as the sending officer, then (when `granted` is
/// given) decides it as the adjudicator, straight through the store.
async fn claim(app: &TestApp, case: CaseId, granted: Option<bool>) {
    let actor = |user: &str, role| corridor_domain::Actor {
        user: UserId::parse(user).expect("a user"),
        role,
        party: state("USA"),
    };
    let mut commands = vec![(
        Command::ClaimProtection { case },
        actor("fixture.officer", Role::SendingOfficer),
    )];
    if let Some(granted) = granted {
        commands.push((
            Command::DecideProtection { case, granted },
            actor("fixture.adjudicator", Role::Adjudicator),
        ));
    }
    for (command, actor) in commands {
        accepted(app, &command, actor).await;
    }
}

#[tokio::test]
async fn the_receiving_state_is_told_paused_or_withdrawn_never_of_a_protection_claim() {
    // Proves, over HTTP, that the receiving officer sees a requested case with a pending claim
    // as `paused` (and finds it under that status, not under `protection_claimed`), one whose
    // protection was found as `withdrawn`, and no count of safeguard refusals; the sending
    // officer sees the real statuses.
    let app = spawn_app().await;
    let ids = seeded(&app, &[Stage::Requested, Stage::Requested]).await;
    claim(&app, ids[0], None).await;
    claim(&app, ids[1], Some(true)).await;
    let receiver = token(&app, "receiver.rwa", Role::ReceivingOfficer, state("RWA")).await;
    let officer = token(&app, "officer.usa", Role::SendingOfficer, state("USA")).await;
    for (case, told, real) in [
        (ids[0], "paused", "protection_claimed"),
        (ids[1], "withdrawn", "protected"),
    ] {
        let path = format!("/api/cases/{case}");
        let seen = call(&app, "GET", &path, &receiver, None, None).await.json();
        assert_eq!(seen["status"], told, "{seen}");
        assert!(seen.get("safeguard_refusals").is_none(), "{seen}");
        let full = call(&app, "GET", &path, &officer, None, None).await.json();
        assert_eq!(full["status"], real, "{full}");
        assert!(full.get("safeguard_refusals").is_some(), "{full}");
    }
    let list = |status: &'static str| {
        let app = &app;
        let receiver = receiver.clone();
        async move {
            page_in_status(app, &receiver, status).await["cases"]
                .as_array()
                .expect("a list")
                .iter()
                .map(|row| (row["case"].clone(), row["status"].clone()))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list("paused").await,
        [(json!(ids[0].to_string()), json!("paused"))]
    );
    assert_eq!(
        list("withdrawn").await,
        [(json!(ids[1].to_string()), json!("withdrawn"))]
    );
    assert!(list("protection_claimed").await.is_empty());
    assert!(list("protected").await.is_empty());
}

#[tokio::test]
async fn a_refusal_tells_the_receiving_state_paused_or_withdrawn_never_why() {
    // Proves that a receiving officer's step refused because a protection claim is pending is
    // told `transfer_paused`, and one refused because protection was found is told the case is
    // `withdrawn`: no answer names a claim, protection or a recorded safeguard.
    let app = spawn_app().await;
    let ids = seeded(&app, &[Stage::Requested, Stage::Requested]).await;
    claim(&app, ids[0], None).await;
    claim(&app, ids[1], Some(true)).await;
    let receiver = token(&app, "receiver.rwa", Role::ReceivingOfficer, state("RWA")).await;
    for (case, code, status) in [
        (ids[0], "transfer_paused", None),
        (ids[1], "invalid_state", Some("withdrawn")),
    ] {
        let path = format!("/api/cases/{case}");
        let told = call(&app, "GET", &path, &receiver, None, None).await;
        let etag = told.header("etag");
        for step in ["approve", "arrive"] {
            let refused = call(
                &app,
                "POST",
                &format!("{path}/{step}"),
                &receiver,
                Some(etag),
                None,
            )
            .await;
            let text = refused.text();
            let problem = refused.problem(409, code);
            assert_eq!(problem["facts"]["status"].as_str(), status, "{text}");
            assert_eq!(problem["safeguard"], false, "{text}");
            assert!(problem.get("recorded_seq").is_none(), "{text}");
            assert!(!text.contains("protect"), "{step}: {text}");
        }
    }
}

#[tokio::test]
async fn every_status_is_told_to_every_role_through_the_one_filter() {
    // Proves, for every status a case can have and every role that may see a case, what the
    // field filter tells: the real status where the role sees the protection facts, and
    // otherwise never `protection_claimed` or `protected` (nor anything but the status itself,
    // `paused` or `withdrawn`).
    use corridor_app::disclosure::{ShownStatus, disclose};
    let app = spawn_app().await;
    let case = Seeder::default()
        .build(
            &app,
            &[CaseSpec::new("us-rwa-2025", Stage::Requested).with_counsel("counsel.own")],
        )
        .await[0];
    let (found, agreement) = app
        .store
        .case(case)
        .await
        .expect("a read")
        .expect("the case");
    let terms = agreement.latest().expect("terms");
    let roles = [
        (Role::SendingOfficer, state("USA"), "counsel.x", true),
        (Role::SendingSupervisor, state("USA"), "counsel.x", true),
        (Role::Adjudicator, state("USA"), "counsel.x", true),
        (Role::Counsel, Party::Clients, "counsel.own", true),
        (Role::ReceivingOfficer, state("RWA"), "counsel.x", false),
        (
            Role::CourtClerk,
            Party::Court("court-a".to_owned()),
            "counsel.x",
            false,
        ),
    ];
    for (role, party, user, whole) in roles {
        let actor = corridor_domain::Actor {
            user: UserId::parse(user).expect("a user"),
            role,
            party,
        };
        let disclosure = disclose(&actor, &found, terms);
        for status in CaseStatus::ALL {
            let told = disclosure.status(status);
            let expected = match status {
                _ if whole => ShownStatus::Case(status),
                CaseStatus::ProtectionClaimed => ShownStatus::Paused,
                CaseStatus::Protected => ShownStatus::Case(CaseStatus::Withdrawn),
                other => ShownStatus::Case(other),
            };
            assert_eq!(told, expected, "{role:?} told {status:?}");
        }
    }
}

#[tokio::test]
async fn a_token_mints_only_tokens_within_its_own_scopes_and_lifetime() {
    // Proves that a token scoped to `issue_token` cannot issue a `*` token nor one with another
    // scope, nor one that outlives it; that one within both is issued; and that without a
    // lifetime the new token is cut to the issuer's expiry.
    let app = spawn_app().await;
    app.add_user("officer.tok", Role::SendingOfficer, state("USA"))
        .await;
    let now = app.now();
    let user = UserId::parse("officer.tok").expect("a user");
    let (secret, _) = app
        .state
        .accounts()
        .create_token(
            &user,
            ["issue_token", "read_case"]
                .map(|scope| corridor_accounts::Scope::parse(scope).expect("a scope")),
            now + jiff::SignedDuration::from_hours(48),
            now,
        )
        .await
        .expect("a token");
    let path = "/api/users/officer.tok/tokens";
    let issue =
        |body: serde_json::Value| call(&app, "POST", path, secret.expose(), None, Some(body));
    let refused = issue(json!({ "scopes": ["*"], "expires_in_days": 1 })).await;
    assert_eq!(
        refused.problem(422, "invalid_input")["facts"]["field"],
        "body.scopes[0]"
    );
    let refused = issue(json!({ "scopes": ["read_case", "withdraw"], "expires_in_days": 1 })).await;
    assert_eq!(
        refused.problem(422, "invalid_input")["facts"]["field"],
        "body.scopes[1]"
    );
    let refused = issue(json!({ "scopes": ["read_case"], "expires_in_days": 3 })).await;
    assert_eq!(
        refused.problem(422, "invalid_input")["facts"]["field"],
        "body.expires_in_days"
    );
    let issued = issue(json!({ "scopes": ["read_case"], "expires_in_days": 1 })).await;
    assert_eq!(issued.status, 201, "{}", issued.text());
    let issued = issue(json!({ "scopes": ["read_case"] })).await;
    assert_eq!(issued.status, 201, "{}", issued.text());
    let expires: jiff::Timestamp = issued.json()["expires_at"]
        .as_str()
        .expect("an expiry")
        .parse()
        .expect("a moment");
    assert_eq!(expires, now + jiff::SignedDuration::from_hours(48));
}

/// Registers a hold of `court` straight through the store.
async fn hold(app: &TestApp, id: u64, court: &str, scope: HoldScope) -> HoldId {
    let hold = HoldId::from_u64(id);
    let command = Command::RegisterHold {
        hold,
        court: court.to_owned(),
        reference: format!("Order {id}"),
        scope,
        depends_on: None,
    };
    let clerk = corridor_domain::Actor {
        user: UserId::parse("fixture.clerk").expect("a user"),
        role: Role::CourtClerk,
        party: Party::Court(court.to_owned()),
    };
    accepted(app, &command, clerk).await;
    hold
}

fn class(agreements: &[&str]) -> HoldScope {
    HoldScope::Class {
        criteria: ClassCriteria {
            agreements: agreements
                .iter()
                .map(|id| AgreementId::parse(id).expect("an agreement id"))
                .collect(),
            nationalities: [Country::parse("ATA").expect("ATA")].into_iter().collect(),
            ..ClassCriteria::default()
        },
    }
}

async fn listed_holds(app: &TestApp, token: &str) -> Vec<String> {
    let mut ids: Vec<String> = call(app, "GET", "/api/holds", token, None, None)
        .await
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|hold| hold["hold"].as_str().expect("an id").to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn the_hold_list_shows_each_caller_only_the_orders_they_may_know_of() {
    // Proves that a clerk lists their court's orders only, a sending official the orders
    // bearing on their state's agreements (a named-case order only when they see its case),
    // and that a command on an order they may not know of is answered as a missing one.
    let app = spawn_app().await;
    crate::fixture::load_agreements(&app, &["gbr-rwa-2024.toml"]).await;
    let us_case = seeded(&app, &[Stage::Proposed]).await[0];
    let us_class = hold(&app, 0x71, "court-a", class(&["us-rwa-2025"])).await;
    let uk_class = hold(&app, 0x72, "court-b", class(&["gbr-rwa-2024"])).await;
    let every = hold(&app, 0x73, "court-b", class(&[])).await;
    let named = hold(
        &app,
        0x74,
        "court-b",
        HoldScope::Cases {
            cases: [us_case].into_iter().collect(),
        },
    )
    .await;
    let ids = |holds: &[HoldId]| {
        let mut ids: Vec<String> = holds.iter().map(ToString::to_string).collect();
        ids.sort();
        ids
    };
    let us = token(&app, "officer.usa", Role::SendingOfficer, state("USA")).await;
    let uk = token(&app, "officer.gbr", Role::SendingOfficer, state("GBR")).await;
    let clerk_a = token(
        &app,
        "clerk.a",
        Role::CourtClerk,
        Party::Court("court-a".to_owned()),
    )
    .await;
    assert_eq!(
        listed_holds(&app, &us).await,
        ids(&[us_class, every, named])
    );
    assert_eq!(listed_holds(&app, &uk).await, ids(&[uk_class, every]));
    assert_eq!(listed_holds(&app, &clerk_a).await, ids(&[us_class]));

    let stay = |hold: HoldId| format!("/api/holds/{hold}/stay");
    let hidden = call(&app, "POST", &stay(named), &clerk_a, None, None).await;
    let missing = call(
        &app,
        "POST",
        "/api/holds/hold-00000000deadbeef/stay",
        &clerk_a,
        None,
        None,
    )
    .await;
    assert_eq!(
        without(&hidden, &named.to_string()),
        without(&missing, "hold-00000000deadbeef")
    );
}

#[tokio::test]
async fn counsel_named_on_a_case_must_be_a_counsel_account() {
    // Proves that a proposal naming as counsel a name no account has, or an account of
    // another role, is refused naming `body.counsel`, and that an enabled counsel account is
    // accepted.
    let app = spawn_app().await;
    let officer = token(&app, "officer.usa", Role::SendingOfficer, state("USA")).await;
    app.add_user("counsel.real", Role::Counsel, Party::Clients)
        .await;
    let propose = |counsel: &str| {
        let mut body = crate::cases::proposal();
        body["counsel"] = json!(counsel);
        call(
            &app,
            "POST",
            "/api/agreements/us-rwa-2025/cases",
            &officer,
            None,
            Some(body),
        )
    };
    for name in ["nobody.here", "admin", "officer.usa"] {
        let refused = propose(name).await;
        assert_eq!(
            refused.problem(422, "invalid_input")["facts"]["field"],
            "body.counsel",
            "{name}"
        );
    }
    let accepted = propose("counsel.real").await;
    assert_eq!(accepted.status, 201, "{}", accepted.text());
}

#[tokio::test]
async fn a_court_clerk_reads_only_the_cases_their_courts_orders_matched() {
    // Proves that a clerk cannot read (and is answered as for a missing case) a case no order
    // of their court matched, and reads one their court's order matched.
    let app = spawn_app().await;
    let ids = seeded(&app, &[Stage::Proposed, Stage::Proposed]).await;
    hold(
        &app,
        0x81,
        "court-a",
        HoldScope::Cases {
            cases: [ids[0]].into_iter().collect(),
        },
    )
    .await;
    let clerk = token(
        &app,
        "clerk.a",
        Role::CourtClerk,
        Party::Court("court-a".to_owned()),
    )
    .await;
    let paths: Vec<String> = ids
        .iter()
        .map(|case| format!("/api/cases/{case}"))
        .collect();
    let matched = call(&app, "GET", &paths[0], &clerk, None, None).await;
    assert_eq!(matched.status, 200, "{}", matched.text());
    call(&app, "GET", &paths[1], &clerk, None, None)
        .await
        .problem(404, "not_found");
    let listed = call(
        &app,
        "GET",
        "/api/agreements/us-rwa-2025/cases",
        &clerk,
        None,
        None,
    )
    .await
    .json();
    assert_eq!(
        listed["cases"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
}

#[tokio::test]
async fn a_receiving_officers_version_moves_only_with_what_they_see() {
    // Proves that a protection claim filed and refused between two reads leaves the receiving
    // officer's version and ETag as they were (the count of events would have risen by two),
    // that the version they were told is the one `If-Match` takes, that the answer's ETag is
    // the one a read then gives, and that a stale one is refused naming only told versions.
    let app = spawn_app().await;
    let case = seeded(&app, &[Stage::Requested]).await[0];
    let receiver = token(&app, "receiver.rwa", Role::ReceivingOfficer, state("RWA")).await;
    let path = format!("/api/cases/{case}");
    let read = || call(&app, "GET", &path, &receiver, None, None);
    let before = read().await;
    let told = before.json()["version"].as_u64().expect("a version");
    assert_eq!(before.header("etag"), format!("\"{told}\""));
    let (stored, _) = app
        .store
        .case(case)
        .await
        .expect("a read")
        .expect("the case");
    claim(&app, case, Some(false)).await;
    let (after, _) = app
        .store
        .case(case)
        .await
        .expect("a read")
        .expect("the case");
    assert_eq!(
        after.version,
        stored.version + 2,
        "two events were appended"
    );
    let again = read().await;
    assert_eq!(again.json()["version"], told, "{}", again.text());
    assert_eq!(again.header("etag"), before.header("etag"));

    let stale = format!("\"{}\"", told ^ 1);
    let refused = call(
        &app,
        "POST",
        &format!("{path}/approve"),
        &receiver,
        Some(&stale),
        None,
    )
    .await;
    let facts = refused.problem(412, "version_conflict")["facts"].clone();
    assert_eq!(facts["current_version"], told.to_string(), "{facts}");
    let etag = format!("\"{told}\"");
    let approved = call(
        &app,
        "POST",
        &format!("{path}/approve"),
        &receiver,
        Some(&etag),
        None,
    )
    .await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    let now = read().await;
    assert_eq!(approved.header("etag"), now.header("etag"));
    assert_ne!(now.header("etag"), etag, "approving changed what they see");
}
