//! Work queues (`GET /api/queue`) and the dry run of a court order (`POST /api/holds/dry-run`):
//! each role's queue holds what it should, in order of urgency, and nothing the role may not
//! know; a role without a queue is refused as the list of cases refuses it; a dry run's figures
//! are what registering then does, and it appends nothing but its access record; and a queue
//! reads the store as many times with 300 cases as with 10.

use corridor_accounts::{Accounts, Scope};
use corridor_domain::terms::Country;
use corridor_domain::{CaseId, Party, Role, UserId};
use serde_json::{Value, json};

use crate::cases::{call, proposal};
use crate::fixture::{self, CaseSpec, MEDP_MONITORS, Seeder, Stage};
use crate::harness::{Setup, TestApp, spawn_app_with};

const US: &str = "us-rwa-2025";
const GBR: &str = "gbr-rwa-2024";

/// The US–Rwanda file with a reply deadline of 30 days that silence accepts, a transfer
/// deadline of 6 months, and a sharing list without the nationality.
fn us_text_with_clocks() -> String {
    let text = fixture::agreement_text("us-rwa-2025.toml");
    let clocks = "[clocks]\n\
        reply_deadline = { value = \"30 days\", source = \"test\" }\n\
        silence_accepts = { value = true, source = \"test\" }\n\
        transfer_deadline = { value = \"6 months\", source = \"test\" }\n";
    let text = text.replacen("[clocks]\n", clocks, 1);
    let shared = "[\"name\", \"birth_date\", \"nationality\", \"sex\", \"documents\"]";
    assert!(text.contains(shared), "the shipped sharing list changed");
    text.replacen(
        shared,
        "[\"name\", \"birth_date\", \"sex\", \"documents\"]",
        1,
    )
}

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

/// Tokens of every role the queues serve, and of two roles without one.
struct Tokens {
    officer: String,
    supervisor: String,
    receiver: String,
    clerk: String,
    monitor: String,
    counsel: String,
    admin: String,
}

impl Tokens {
    async fn new(app: &TestApp) -> Self {
        Self {
            officer: token(app, "officer.usa", Role::SendingOfficer, state("USA")).await,
            supervisor: token(app, "supervisor.usa", Role::SendingSupervisor, state("USA")).await,
            receiver: token(app, "receiver.rwa", Role::ReceivingOfficer, state("RWA")).await,
            clerk: token(
                app,
                "clerk.dc",
                Role::CourtClerk,
                Party::Court("dc".to_owned()),
            )
            .await,
            monitor: token(
                app,
                "monitor.medp",
                Role::Monitor,
                Party::MonitoringBody(MEDP_MONITORS.to_owned()),
            )
            .await,
            counsel: token(app, "counsel.one", Role::Counsel, Party::Clients).await,
            admin: token(app, "admin.ops", Role::Admin, Party::None).await,
        }
    }
}

/// The stages of the US cases, one each, in this order.
const STAGES: [Stage; 8] = [
    Stage::Proposed,
    Stage::Noticed,
    Stage::Requested,
    Stage::Accepted,
    Stage::Approved,
    Stage::Scheduled,
    Stage::InTransit,
    Stage::Arrived,
];

/// The US agreement (with clocks) and the UK one, one US case per stage of [`STAGES`] and one
/// UK case after arrival (for the monitor).
async fn setup(app: &TestApp) -> (Vec<CaseId>, CaseId, Tokens) {
    fixture::load_text(app, "us-rwa-2025.toml", &us_text_with_clocks()).await;
    fixture::load_agreements(app, &["gbr-rwa-2024.toml"]).await;
    let mut seeder = Seeder::default();
    let specs: Vec<CaseSpec> = STAGES
        .iter()
        .map(|stage| CaseSpec::new(US, *stage))
        .collect();
    let cases = seeder.build(app, &specs).await;
    let uk = seeder
        .build(app, &[CaseSpec::new(GBR, Stage::Arrived)])
        .await;
    let tokens = Tokens::new(app).await;
    (cases, uk[0], tokens)
}

/// A served app with no case but those a test builds.
async fn bare_app() -> TestApp {
    spawn_app_with(Setup {
        proposals: 0,
        ..Setup::default()
    })
    .await
}

async fn queue(app: &TestApp, who: &str) -> Value {
    let reply = call(app, "GET", "/api/queue", who, None, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), "no-store");
    reply.json()
}

fn list(queue: &Value, key: &str, id: &str) -> Vec<String> {
    queue[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key}: {queue}"))
        .iter()
        .map(|item| item[id].as_str().expect("an id").to_owned())
        .collect()
}

#[tokio::test]
async fn the_officer_sees_their_states_open_cases_with_their_clocks_most_urgent_first() {
    // Proves an officer's queue holds every open case of their state, with the clocks the
    // domain computes, ordered overdue first, then by the soonest deadline, then the cases
    // without one; and that a passed reply deadline puts its case first, as overdue.
    let app = bare_app().await;
    let (cases, uk, tokens) = setup(&app).await;
    let [
        proposed,
        noticed,
        requested,
        accepted,
        approved,
        scheduled,
        in_transit,
        arrived,
    ] = cases[..].try_into().expect("eight cases");
    let officer = queue(&app, &tokens.officer).await;
    assert_eq!(officer["kind"], "cases", "{officer}");
    let mut deadline_free = [proposed, noticed, in_transit];
    deadline_free.sort();
    let mut transfer = [accepted, approved, scheduled];
    transfer.sort();
    let expected: Vec<String> = [requested, arrived]
        .into_iter()
        .chain(transfer)
        .chain(deadline_free)
        .map(|case| case.to_string())
        .collect();
    assert_eq!(list(&officer, "cases", "case"), expected, "{officer}");
    assert!(!list(&officer, "cases", "case").contains(&uk.to_string()));
    let by_case = |case: CaseId| -> Value {
        officer["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .find(|item| item["case"] == case.to_string())
            .cloned()
            .expect("the case is on the queue")
    };
    // Requested on 3 Aug at 09:00, a reply due 30 days later.
    assert_eq!(
        by_case(requested)["clocks"],
        json!({"notice_period_ends": "2025-08-03T10:00:00Z", "reply_due": "2025-09-02T09:00:00Z"})
    );
    // Accepted on 4 Aug at 09:00: six months to transfer.
    assert_eq!(
        by_case(accepted)["clocks"]["transfer_deadline"],
        "2026-02-04T09:00:00Z"
    );
    assert_eq!(by_case(proposed)["clocks"], json!({}));
    assert!(by_case(arrived)["clocks"]["welfare_check_due"].is_string());
    assert_eq!(by_case(requested)["status"], "requested");
    assert_eq!(by_case(requested)["overdue"], false);
    assert_eq!(officer["by_status"]["requested"], 1);
    assert_eq!(officer["truncated"], false);

    // A month on, no tick has run: the reply deadline passed, and the case is first, overdue.
    app.advance(jiff::SignedDuration::from_hours(24 * 31));
    let later = queue(&app, &tokens.officer).await;
    let first = &later["cases"][0];
    assert_eq!(first["case"], requested.to_string(), "{later}");
    assert_eq!(first["overdue"], true);
}

#[tokio::test]
async fn the_supervisor_sees_the_approvals_the_domain_would_accept_from_them() {
    // Proves a supervisor's queue holds the cases not yet approved for scheduling that the
    // decider would let them approve: never one already approved or scheduled, nor one they
    // proposed themselves (separation of duties).
    let app = bare_app().await;
    let (cases, _, tokens) = setup(&app).await;
    let [proposed, noticed, requested, accepted] = [cases[0], cases[1], cases[2], cases[3]];
    let path = format!("/api/agreements/{US}/cases");
    let own = call(
        &app,
        "POST",
        &path,
        &tokens.supervisor,
        None,
        Some(proposal()),
    )
    .await;
    assert_eq!(own.status, 201, "{}", own.text());
    let own = own.json()["case"].as_str().expect("a case").to_owned();
    let supervisor = queue(&app, &tokens.supervisor).await;
    assert_eq!(supervisor["kind"], "supervisor_approvals", "{supervisor}");
    let mut shown = list(&supervisor, "cases", "case");
    shown.sort();
    let mut expected: Vec<String> = [proposed, noticed, requested, accepted]
        .iter()
        .map(ToString::to_string)
        .collect();
    expected.sort();
    assert_eq!(shown, expected, "{supervisor}");
    assert!(!shown.contains(&own));
}

#[tokio::test]
async fn the_receiving_official_sees_only_requests_made_of_them_and_only_shared_fields() {
    // Proves a receiving official's queue holds the requests awaiting their answer, with the
    // reply deadline and what silence means, and nothing of a case not yet requested of them
    // nor a field their agreement does not share (here the nationality).
    let app = bare_app().await;
    let (cases, _, tokens) = setup(&app).await;
    let requested = cases[2];
    let receiver = queue(&app, &tokens.receiver).await;
    assert_eq!(receiver["kind"], "transfer_requests", "{receiver}");
    let requests = receiver["requests"].as_array().expect("requests");
    assert_eq!(requests.len(), 1, "{receiver}");
    let request = &requests[0];
    let mut keys: Vec<&str> = request
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        vec![
            "agreement",
            "case",
            "on_silence",
            "overdue",
            "reply_due",
            "status",
            "version"
        ],
        "{request}"
    );
    assert_eq!(request["case"], requested.to_string());
    assert_eq!(request["reply_due"], "2025-09-02T09:00:00Z");
    assert_eq!(request["on_silence"], "accepted");
    // The version told is the one the case's own page tells the official.
    let page = call(
        &app,
        "GET",
        &format!("/api/cases/{requested}"),
        &tokens.receiver,
        None,
        None,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(request["version"], page.json()["version"]);
    let text = receiver.to_string();
    for hidden in [cases[0], cases[1]] {
        assert!(!text.contains(&hidden.to_string()), "{receiver}");
    }
}

#[tokio::test]
async fn the_clerk_sees_their_orders_and_the_cases_each_pulled_and_the_monitor_their_queue() {
    // Proves a clerk's queue holds their court's orders, each with the cases it matched and
    // whether it pulled them, and nothing of another court's; and that a monitor's queue is the
    // monitoring body's.
    let app = bare_app().await;
    let (cases, uk, tokens) = setup(&app).await;
    let (scheduled, in_transit) = (cases[5], cases[6]);
    let other_clerk = token(
        &app,
        "clerk.other",
        Role::CourtClerk,
        Party::Court("other".to_owned()),
    )
    .await;
    let order =
        json!({"court": "dc", "reference": "DC-1 (synthetic)", "scope": {"agreements": [US]}});
    let registered = call(&app, "POST", "/api/holds", &tokens.clerk, None, Some(order)).await;
    assert_eq!(registered.status, 201, "{}", registered.text());
    let hold = registered.json()["hold"]
        .as_str()
        .expect("a hold")
        .to_owned();

    let clerk = queue(&app, &tokens.clerk).await;
    assert_eq!(clerk["kind"], "holds", "{clerk}");
    assert_eq!(clerk["holds"].as_array().map(Vec::len), Some(1), "{clerk}");
    assert_eq!(clerk["holds"][0]["hold"]["hold"], hold.as_str());
    assert_eq!(
        clerk["holds"][0]["cases"],
        json!([
            {"case": scheduled.to_string(), "agreement": US, "status": "accepted", "pulled": true},
            {"case": in_transit.to_string(), "agreement": US, "status": "recalled", "pulled": true},
        ]),
        "{clerk}"
    );
    let other = queue(&app, &other_clerk).await;
    assert_eq!(other["holds"], json!([]), "{other}");

    let monitor = queue(&app, &tokens.monitor).await;
    assert_eq!(monitor["kind"], "monitoring", "{monitor}");
    let direct = call(
        &app,
        "GET",
        "/api/monitoring/queue",
        &tokens.monitor,
        None,
        None,
    )
    .await
    .json();
    assert_eq!(monitor["queue"]["items"], direct["items"]);
    assert!(monitor.to_string().contains(&uk.to_string()), "{monitor}");
}

#[tokio::test]
async fn a_role_without_a_queue_is_refused_as_the_list_of_cases_refuses_it() {
    // Proves counsel and the operator, who may list no agreement's cases, get the list's own
    // problem from the queue, and an anonymous caller the same 401.
    let app = bare_app().await;
    let (_, _, tokens) = setup(&app).await;
    let cases = format!("/api/agreements/{US}/cases");
    for who in [&tokens.counsel, &tokens.admin] {
        let list = call(&app, "GET", &cases, who, None, None).await;
        let queue = call(&app, "GET", "/api/queue", who, None, None).await;
        assert_eq!(queue.status, list.status, "{}", queue.text());
        assert_eq!(queue.json()["code"], list.json()["code"]);
        queue.problem(403, "forbidden");
    }
    let anonymous = app.request("GET", "/api/queue", &[], Vec::new()).await;
    let list = app.request("GET", &cases, &[], Vec::new()).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.json()["code"], list.json()["code"]);
}

/// How many events of each kind follow sequence number `after`.
async fn kinds_after(app: &TestApp, after: u64) -> Vec<String> {
    app.store
        .events(after, 1_000)
        .await
        .expect("the events")
        .iter()
        .map(|stored| stored.event.body.kind().to_owned())
        .collect()
}

#[tokio::test]
async fn a_dry_run_tells_what_registering_then_does_and_appends_only_its_access_record() {
    // Proves the dry run's figures equal the effects registering the same order then has, that
    // it appends nothing but the record of its decision, and that it is refused as registering
    // is: by the policies for a caller who may not register, by the domain for a bad order.
    let app = bare_app().await;
    let (cases, _, tokens) = setup(&app).await;
    let order =
        json!({"court": "dc", "reference": "DC-2 (synthetic)", "scope": {"agreements": [US]}});
    let before = app.store.event_count().await.expect("a count");
    let dry = call(
        &app,
        "POST",
        "/api/holds/dry-run",
        &tokens.clerk,
        None,
        Some(order.clone()),
    )
    .await;
    assert_eq!(dry.status, 200, "{}", dry.text());
    let dry = dry.json();
    assert_eq!(kinds_after(&app, before).await, vec!["access_recorded"]);
    assert_eq!(dry["matched"], 2, "{dry}");
    assert_eq!(dry["would_pull"], 1);
    assert_eq!(dry["would_recall"], 1);

    let after_dry = app.store.event_count().await.expect("a count");
    let registered = call(&app, "POST", "/api/holds", &tokens.clerk, None, Some(order)).await;
    assert_eq!(registered.status, 201, "{}", registered.text());
    let kinds = kinds_after(&app, after_dry).await;
    let count = |kind: &str| kinds.iter().filter(|k| *k == kind).count() as u64;
    assert_eq!(
        count("hold_matched"),
        dry["matched"].as_u64().expect("a count")
    );
    assert_eq!(
        count("transfer_unscheduled"),
        dry["would_pull"].as_u64().expect("a count")
    );
    assert_eq!(
        count("recalled"),
        dry["would_recall"].as_u64().expect("a count")
    );
    assert_eq!(count("hold_registered"), 1, "{kinds:?}");
    // What was pulled is what the clerk's queue then shows.
    let clerk = queue(&app, &tokens.clerk).await;
    assert_eq!(
        list(&clerk["holds"][0], "cases", "case"),
        vec![cases[5].to_string(), cases[6].to_string()]
    );

    // Refused as registering is: the officer by the policies, a bad parent order by the domain.
    let order = json!({"court": "dc", "reference": "DC-3", "scope": {"agreements": [US]}});
    for (who, body) in [
        (&tokens.officer, order.clone()),
        (
            &tokens.clerk,
            json!({"court": "dc", "reference": "DC-3", "scope": {"agreements": [US]}, "depends_on": "hold-00000000000000aa"}),
        ),
    ] {
        let dry = call(
            &app,
            "POST",
            "/api/holds/dry-run",
            who,
            None,
            Some(body.clone()),
        )
        .await;
        let real = call(&app, "POST", "/api/holds", who, None, Some(body)).await;
        assert_eq!(dry.status, real.status, "{}", dry.text());
        assert!(dry.status >= 400, "{}", dry.text());
        assert_eq!(dry.json()["code"], real.json()["code"]);
    }
}

#[tokio::test]
async fn a_queue_reads_the_store_as_often_with_300_cases_as_with_10() {
    // Proves every role's queue makes a fixed number of store reads, whatever the number of
    // cases: the counts with 10 cases and with 300 are the same, role by role, while every
    // queue shows more in the second round.
    let app = bare_app().await;
    fixture::load_text(&app, "us-rwa-2025.toml", &us_text_with_clocks()).await;
    fixture::load_agreements(&app, &["gbr-rwa-2024.toml"]).await;
    let tokens = Tokens::new(&app).await;
    let mut seeder = Seeder::default();
    // Each round's US cases are of one nationality, and its order covers that nationality
    // only: an order registered now would otherwise refuse the next round's steps, dated
    // before it (time moves forward on every stream a step reads).
    let specs = |count: usize, nationality: &str| -> Vec<CaseSpec> {
        (0..count)
            .map(|n| {
                if n % 5 == 4 {
                    return CaseSpec::new(GBR, Stage::Arrived);
                }
                let mut spec = CaseSpec::new(US, STAGES[n % STAGES.len()]);
                spec.person.facts.nationality = Country::parse(nationality).expect("a country");
                spec
            })
            .collect()
    };
    let roles = [
        ("officer", &tokens.officer),
        ("supervisor", &tokens.supervisor),
        ("receiver", &tokens.receiver),
        ("clerk", &tokens.clerk),
        ("monitor", &tokens.monitor),
    ];
    let mut counts: Vec<Vec<(String, u64, usize)>> = Vec::new();
    for (count, nationality) in [(10, "HND"), (290, "SLV")] {
        seeder.build(&app, &specs(count, nationality)).await;
        let order = json!({
            "court": "dc",
            "reference": format!("DC-{nationality} (synthetic)"),
            "scope": {"agreements": [US], "nationalities": [nationality]},
        });
        let registered = call(&app, "POST", "/api/holds", &tokens.clerk, None, Some(order)).await;
        assert_eq!(registered.status, 201, "{}", registered.text());
        let mut round = Vec::new();
        for (role, who) in roles {
            let before = app.store.reads();
            let answer = queue(&app, who).await;
            let reads = app.store.reads() - before;
            round.push((role.to_owned(), reads, answer.to_string().len()));
        }
        counts.push(round);
    }
    let reads = |round: &[(String, u64, usize)]| -> Vec<(String, u64)> {
        round
            .iter()
            .map(|(role, reads, _)| (role.clone(), *reads))
            .collect()
    };
    assert_eq!(reads(&counts[0]), reads(&counts[1]));
    // The queues did grow with the cases: the counts compared are of real work.
    for (small, large) in counts[0].iter().zip(&counts[1]) {
        assert!(
            large.2 > small.2 * 5,
            "{} did not grow: {small:?} {large:?}",
            small.0
        );
    }
}
