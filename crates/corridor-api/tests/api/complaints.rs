//! Confidential complaints (docs/domain.md §6: a government never learns that a complaint to the
//! monitoring body exists). The non-disclosure test compares every GET route every role can
//! reach before and after a complaint is lodged and worked on; the others prove the holder's
//! receipt, the monitoring body's bounds, erasure, and the neutral log leaf.

use std::collections::BTreeMap;

use corridor_api::limits::RateLimit;
use corridor_domain::terms::Country;
use corridor_domain::{CaseId, EventBody, Party, Role, StreamId};
use corridor_log::leaf::Leaf;
use serde_json::json;

use crate::cases::{call, token};
use crate::fixture::{self, CaseSpec, MEDP_MONITORS, Seeder, Stage};
use crate::harness::{Reply, Setup, TestApp, spawn_app, spawn_app_with};

const GBR_RWA: &str = "gbr-rwa-2024";

fn state(code: &str) -> Party {
    Party::State(Country::parse(code).expect("a country"))
}

/// `POST` without any credential (the holder's routes read none).
async fn public_post(app: &TestApp, path: &str, body: serde_json::Value) -> Reply {
    app.request(
        "POST",
        path,
        &[("content-type", "application/json")],
        body.to_string().into_bytes(),
    )
    .await
}

async fn lodge(app: &TestApp, case_reference: &str, text: &str) -> String {
    let reply = public_post(
        app,
        "/api/complaints",
        json!({
            "agreement": GBR_RWA,
            "complainant": "person",
            "case_reference": case_reference,
            "text": text,
            "contact": "synthetic@example.invalid",
        }),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["receipt"]
        .as_str()
        .expect("a receipt")
        .to_owned()
}

/// Everyone of both states, a court clerk, counsel, the operator, an auditor, a monitor of
/// another body, and the public (no token).
async fn outsiders(app: &TestApp) -> Vec<(&'static str, Option<String>)> {
    let mut who = Vec::new();
    for (name, role, party) in [
        ("officer.gbr", Role::SendingOfficer, state("GBR")),
        ("super.gbr", Role::SendingSupervisor, state("GBR")),
        ("judge.gbr", Role::Adjudicator, state("GBR")),
        ("receiver.rwa", Role::ReceivingOfficer, state("RWA")),
        (
            "clerk.court",
            Role::CourtClerk,
            Party::Court("uk-high-court".to_owned()),
        ),
        ("counsel.cal", Role::Counsel, Party::Clients),
        ("admin.ops", Role::Admin, Party::None),
        ("auditor.ins", Role::Auditor, Party::None),
        (
            "monitor.other",
            Role::Monitor,
            Party::MonitoringBody("another-body".to_owned()),
        ),
    ] {
        who.push((name, Some(token(app, name, role, party).await)));
    }
    who.push(("public", None));
    who
}

/// Every GET route of the OpenAPI document, with its parameters filled: the agreement, the case
/// the complaint names, `complaint` (the complaint's id, or one that does not exist), a finding
/// of the monitoring body addressed to both states, the caller's own name, the log's first
/// tile, the latest statistics release's `statistics.json`; the joint committee's report asked
/// for in the committee's version.
fn get_routes(case: CaseId, complaint: &str, finding: &str, user: &str) -> Vec<(String, String)> {
    let document =
        serde_json::to_value(corridor_api::server::openapi(false)).expect("the document");
    let mut routes = Vec::new();
    for (template, item) in document["paths"].as_object().expect("paths") {
        if item.get("get").is_none() {
            continue;
        }
        let path = template
            .replace("{agreement}", GBR_RWA)
            .replace("{case}", &case.to_string())
            .replace("{complaint}", complaint)
            .replace("{finding}", finding)
            .replace("{user}", user)
            .replace("{path}", "0/000.p/1")
            .replace("{release}", "latest")
            .replace("{file}", "statistics.json");
        assert!(
            !path.contains('{'),
            "a parameter the test does not fill: {template}"
        );
        let path = if template == "/api/reports/{agreement}" {
            format!("{path}?period=2025&version=committee")
        } else {
            path
        };
        routes.push((template.clone(), path));
    }
    // Served outside the document's routes.
    routes.push(("/docs".to_owned(), "/docs/".to_owned()));
    routes
}

/// What a government watches in an answer: the status, the headers that say something about the
/// resource, and the body.
fn seen(reply: &Reply) -> String {
    let headers: Vec<String> = ["etag", "content-type", "content-length", "last-modified"]
        .iter()
        .map(|name| format!("{name}: {}", reply.header(name)))
        .collect();
    format!(
        "{}\n{}\n{}",
        reply.status,
        headers.join("\n"),
        String::from_utf8_lossy(&reply.body)
    )
}

/// The answers every outsider gets from every GET route, by (who, route template).
async fn sweep(
    app: &TestApp,
    who: &[(&'static str, Option<String>)],
    case: CaseId,
    complaint: &str,
    finding: &str,
) -> BTreeMap<(String, String), Reply> {
    let mut answers = BTreeMap::new();
    for (name, token) in who {
        for (template, path) in get_routes(case, complaint, finding, name) {
            let reply = match token {
                Some(token) => call(app, "GET", &path, token, None, None).await,
                None => app.request("GET", &path, &[], Vec::new()).await,
            };
            answers.insert(((*name).to_owned(), template), reply);
        }
    }
    answers
}

/// The lines (sorted: the exporter orders families as it likes) of a Prometheus page that the
/// sweep's own requests cannot move: everything but
/// the request series (each sweep adds its own requests), the log's size (each authenticated
/// read appends an access record) and the denials by role (each sweep is denied the same
/// routes again).
fn steady_metrics(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| {
            !line.starts_with("corridor_http_request")
                && !line.starts_with("corridor_log_leaves")
                && !line.starts_with("corridor_authorization_denials_total")
        })
        .map(str::to_owned)
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .collect()
}

/// The names and label sets of every series: a new one would be a new thing to watch.
fn series(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| line.rsplit_once(' ').map(|(name, _)| name.to_owned()))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn no_government_answer_changes_when_a_complaint_is_lodged() {
    // Proves docs/domain.md §6 for every role of both states, a court clerk, counsel, the operator,
    // an auditor, a monitor of another body and the public: every GET route of the OpenAPI
    // document (so a new route is not forgotten) answers byte for byte the same — status, ETag,
    // body — before and after a complaint naming a case they all may see is lodged, read,
    // answered and linked to that case by the agreement's monitoring body. Three answers are
    // normalised, each for what the test's own requests change and nothing else:
    // - `/metrics`: the request series, the log size and the denials by role move with the
    //   sweep's own requests; every other line is compared exactly, the set of series names and
    //   labels must be the same, and none names a complaint;
    // - the access records (the auditor's page): each sweep's reads are records; the page after
    //   must hold the page before, plus only records of the sweep's own users, none of them about
    //   a complaint or by a monitor;
    // - `/readyz` says the log's size, which each sweep's access records move: compared but
    //   for that number;
    // - the log (`/checkpoint`, tiles): compared exactly (no checkpoint is signed meanwhile); the
    //   leaves appended between the sweeps are checked below: every one is the neutral
    //   `monitoring_record` of the month, the complaint's exactly as a monitor's read.
    // The sweeps ask every route for every outsider from one address: a rate limit that never
    // answers 429 here, so that an answer differs only for what the complaint could change.
    let app = spawn_app_with(Setup {
        rate_limit: RateLimit {
            burst_requests: 1_000_000,
            refill_per_second: 1_000_000,
        },
        ..Setup::default()
    })
    .await;
    fixture::load_agreements(&app, fixture::AGREEMENT_FILES).await;
    let who = outsiders(&app).await;
    let case = Seeder::default()
        .build(
            &app,
            &[CaseSpec::new(GBR_RWA, Stage::Requested).with_counsel("counsel.cal")],
        )
        .await[0];
    let monitor = token(
        &app,
        "monitor.medp",
        Role::Monitor,
        Party::MonitoringBody(MEDP_MONITORS.to_owned()),
    )
    .await;
    let etag_before = call(
        &app,
        "GET",
        &format!("/api/cases/{case}"),
        &monitor,
        None,
        None,
    )
    .await
    .header("etag")
    .to_owned();
    let never = "complaint-00000000000000aa";
    // A finding of the monitoring body on the case, addressed to both states, so that the
    // finding routes answer something to compare.
    let recorded = call(
        &app,
        "POST",
        &format!("/api/agreements/{GBR_RWA}/findings"),
        &monitor,
        None,
        Some(json!({
            "cases": [case.to_string()],
            "category": "living_conditions",
            "severity": "concern",
            "text": "Synthetic: overcrowding at the centre.",
            "addressed": ["sending_state", "receiving_state"],
        })),
    )
    .await;
    assert_eq!(recorded.status, 201, "{}", recorded.text());
    let finding = recorded.json()["id"].as_str().expect("an id").to_owned();
    // A first sweep, not compared, so that every metric series the sweep itself creates exists
    // before the compared ones.
    sweep(&app, &who, case, never, &finding).await;
    let before = sweep(&app, &who, case, never, &finding).await;
    let leaves_before = app
        .store
        .leaves(0, 100_000)
        .await
        .expect("the leaves")
        .len();

    let receipt = lodge(
        &app,
        &case.to_string(),
        "Synthetic: I was threatened with removal.",
    )
    .await;
    let listed = call(
        &app,
        "GET",
        &format!("/api/agreements/{GBR_RWA}/complaints"),
        &monitor,
        None,
        None,
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let id = listed.json()[0]["complaint"]
        .as_str()
        .expect("the complaint")
        .to_owned();
    let path = format!("/api/complaints/{id}");
    assert_eq!(
        call(&app, "GET", &path, &monitor, None, None).await.status,
        200
    );
    for (verb, body) in [
        ("review", json!({"status": "under_review"})),
        ("link", json!({"case": case.to_string()})),
        (
            "review",
            json!({"status": "replied", "reply": "We will visit you."}),
        ),
    ] {
        let reply = call(
            &app,
            "POST",
            &format!("{path}/{verb}"),
            &monitor,
            None,
            Some(body),
        )
        .await;
        assert_eq!(reply.status, 200, "{verb}: {}", reply.text());
    }
    assert_eq!(
        call(
            &app,
            "GET",
            &format!("/api/cases/{case}"),
            &monitor,
            None,
            None
        )
        .await
        .header("etag"),
        etag_before,
        "the case's version moved"
    );
    let leaves_after_lodging = app.store.leaves(0, 100_000).await.expect("the leaves");

    let after = sweep(&app, &who, case, &id, &finding).await;
    assert_eq!(before.len(), after.len());
    for (key, old) in &before {
        let new = &after[key];
        let (name, template) = key;
        match template.as_str() {
            "/metrics" => {
                assert_eq!(
                    steady_metrics(&old.text()),
                    steady_metrics(&new.text()),
                    "{name}"
                );
                assert_eq!(series(&old.text()), series(&new.text()), "{name}");
                assert!(!new.text().contains("complaint"), "{}", new.text());
            }
            "/api/agreements/{agreement}/access-records" => {
                assert_eq!(old.status, new.status, "{name} {template}");
                if new.status != 200 {
                    assert_eq!(seen(old), seen(new), "{name} {template}");
                    continue;
                }
                let records = |reply: &Reply| -> Vec<serde_json::Value> {
                    reply.json()["records"].as_array().expect("records").clone()
                };
                let (old, new) = (records(old), records(new));
                assert_eq!(
                    new[..old.len()],
                    old[..],
                    "{name}: the earlier records changed"
                );
                for record in &new[old.len()..] {
                    let user = record["user"].as_str().unwrap_or_default();
                    assert!(
                        who.iter().any(|(sweeper, _)| *sweeper == user),
                        "{name} sees a record of {user}: {record}"
                    );
                }
                for record in &new {
                    let text = record.to_string();
                    assert!(!text.contains("complaint"), "{name} sees {text}");
                    assert_ne!(record["role"], "monitor", "{name} sees {text}");
                }
            }
            "/readyz" => {
                // The log's size moves with every access record the sweep writes; the leaves
                // appended are checked below.
                let size = |reply: &Reply| {
                    let mut json = reply.json();
                    json["log_leaves"] = json!("N");
                    (reply.status, json)
                };
                assert_eq!(size(old), size(new), "{name} {template}");
            }
            // Asked about a complaint id that never existed before, the real one after: the
            // answer may name the id asked for, and nothing else may differ.
            "/api/complaints/{complaint}" => assert_eq!(
                seen(old).replace(never, "ID"),
                seen(new).replace(&id, "ID"),
                "{name} {template}"
            ),
            _ => assert_eq!(seen(old), seen(new), "{name} {template}"),
        }
    }

    // The log: what was appended between the sweeps (the complaint's four events, the monitor's
    // reads and work) names no complaint and no agreement, and every leaf of it is the one
    // neutral shape, dated the first day of the month; the complaint's own leaf is the same text
    // as the monitor's read of the case but for the commitment.
    let shape = |entry: &[u8]| {
        let leaf = Leaf::parse(entry).expect("a leaf");
        (
            leaf.kind().to_owned(),
            leaf.agreement().map(str::to_owned),
            leaf.day().to_owned(),
        )
    };
    let new_leaves: Vec<_> = leaves_after_lodging[leaves_before..]
        .iter()
        .map(|(_, _, entry)| shape(entry))
        .collect();
    assert!(new_leaves.len() >= 4 + 5, "{new_leaves:?}");
    for leaf in &new_leaves {
        assert_eq!(
            *leaf,
            (
                "monitoring_record".to_owned(),
                None,
                "2025-08-01".to_owned()
            ),
            "every leaf appended is neutral: {new_leaves:?}"
        );
    }
    let complaint_stream = app
        .store
        .history(&StreamId::Complaint(id.parse().expect("a complaint id")))
        .await
        .expect("the complaint's stream");
    assert_eq!(complaint_stream.len(), 4);
    assert!(matches!(
        complaint_stream[0].event.body,
        EventBody::ComplaintLodged { .. }
    ));

    // The holder reads the reply with the receipt.
    let status = public_post(
        &app,
        "/api/complaints/status",
        json!({ "receipt": receipt }),
    )
    .await;
    assert_eq!(status.status, 200, "{}", status.text());
    assert_eq!(status.json()["status"], "replied");
    assert_eq!(status.json()["reply"], "We will visit you.");
}

#[tokio::test]
async fn a_receipt_is_drawn_from_a_seed_only_in_a_simulation() {
    // Proves the demo's seeded lodging (`lodge_drawing`) cannot reach a real deployment, where a
    // receipt drawn from a known seed could be guessed: it is refused and nothing is written.
    struct Zeros;
    impl corridor_app::complaints::Draw for Zeros {
        fn fill(&mut self, bytes: &mut [u8]) -> Result<(), corridor_app::AppError> {
            bytes.fill(0);
            Ok(())
        }
    }
    let app = spawn_app().await;
    fixture::load_agreements(&app, fixture::AGREEMENT_FILES).await;
    assert_eq!(app.store.deployment(), corridor_store::Deployment::Real);
    let events = app.store.event_count().await.expect("a count");
    let new = corridor_app::complaints::NewComplaint {
        agreement: GBR_RWA.to_owned(),
        complainant: "person".to_owned(),
        case_reference: None,
        text: "Synthetic: a complaint drawn from a seed.".to_owned(),
        contact: None,
    };
    let refused = corridor_app::complaints::lodge_drawing(app.state.app(), new, &mut Zeros).await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(app.store.event_count().await.expect("a count"), events);
}

#[tokio::test]
async fn a_receipt_reads_its_own_complaint_only_and_a_wrong_one_learns_nothing() {
    // Proves a receipt reads its complaint's status and nothing of another's; that a wrong code,
    // a malformed one and an empty one get one answer, byte for byte; that a session cookie is
    // not read by the holder's routes (no CSRF token needed); and that lodging refuses each bad
    // field by name (RFC 9457) and an agreement with no monitoring body.
    let app = spawn_app().await;
    fixture::load_agreements(&app, fixture::AGREEMENT_FILES).await;
    let first = lodge(&app, "my case", "Synthetic: first complaint.").await;
    let second = lodge(&app, "other case", "Synthetic: second complaint.").await;
    assert_ne!(first, second);
    let status = |receipt: String| {
        let app = &app;
        async move { public_post(app, "/api/complaints/status", json!({ "receipt": receipt })).await }
    };
    let answer = status(first.clone()).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["status"], "received");

    let wrong = status("0123abcd-0123abcd-0123abcd-0123abcd".to_owned()).await;
    wrong.problem(404, "not_found");
    for other in [
        "not a code".to_owned(),
        String::new(),
        format!(
            "{}{}",
            &first[..34],
            if first.ends_with('0') { '1' } else { '0' }
        ),
        first[..34].to_owned(),
    ] {
        let reply = status(other.clone()).await;
        assert_eq!(seen(&reply), seen(&wrong), "{other:?}");
    }
    // A cookie is not read: the same answer with or without one, no CSRF token asked for.
    let with_cookie = app
        .request(
            "POST",
            "/api/complaints/status",
            &[
                ("content-type", "application/json"),
                ("cookie", "corridor_session=forged"),
            ],
            json!({ "receipt": first }).to_string().into_bytes(),
        )
        .await;
    assert_eq!(with_cookie.status, 200, "{}", with_cookie.text());

    for (body, field) in [
        (
            json!({"agreement": GBR_RWA, "complainant": "person", "text": ""}),
            "body.text",
        ),
        (
            json!({"agreement": GBR_RWA, "complainant": "person", "text": "x".repeat(20_001)}),
            "body.text",
        ),
        (
            json!({"agreement": GBR_RWA, "complainant": "state", "text": "t"}),
            "body.complainant",
        ),
        (
            json!({"agreement": "No Such", "complainant": "person", "text": "t"}),
            "body.agreement",
        ),
        (
            json!({"agreement": GBR_RWA, "complainant": "person", "text": "t", "contact": "c".repeat(501)}),
            "body.contact",
        ),
    ] {
        let reply = public_post(&app, "/api/complaints", body).await;
        assert_eq!(
            reply.problem(422, "invalid_input")["facts"]["field"],
            field,
            "{}",
            reply.text()
        );
    }
    let reply = public_post(
        &app,
        "/api/complaints",
        json!({"agreement": "us-rwa-2025", "complainant": "person", "text": "t"}),
    )
    .await;
    reply.problem(403, "forbidden");
}

#[tokio::test]
async fn only_the_agreements_monitoring_body_sees_a_complaint_and_erasure_keeps_the_log() {
    // Proves a monitor of another body is told a complaint does not exist, as for one that
    // does not; a state official is refused every complaint route alike; the agreement's
    // monitor lists, reads and erases; after erasure the text and reply are unreadable (the key
    // row is gone), the holder still reads the status, and the store's check and the log's
    // check pass.
    let app = spawn_app().await;
    fixture::load_agreements(&app, fixture::AGREEMENT_FILES).await;
    let receipt = lodge(&app, "ref", "Synthetic: complaint to erase.").await;
    let own = token(
        &app,
        "monitor.medp",
        Role::Monitor,
        Party::MonitoringBody(MEDP_MONITORS.to_owned()),
    )
    .await;
    let other = token(
        &app,
        "monitor.other",
        Role::Monitor,
        Party::MonitoringBody("another-body".to_owned()),
    )
    .await;
    let officer = token(&app, "officer.gbr", Role::SendingOfficer, state("GBR")).await;
    let list = call(
        &app,
        "GET",
        &format!("/api/agreements/{GBR_RWA}/complaints"),
        &own,
        None,
        None,
    )
    .await
    .json();
    let id = list[0]["complaint"]
        .as_str()
        .expect("a complaint")
        .to_owned();
    let missing = "complaint-00000000000000bb";

    let concealed = call(
        &app,
        "GET",
        &format!("/api/complaints/{id}"),
        &other,
        None,
        None,
    )
    .await;
    let absent = call(
        &app,
        "GET",
        &format!("/api/complaints/{missing}"),
        &other,
        None,
        None,
    )
    .await;
    concealed.problem(404, "not_found");
    assert_eq!(
        concealed.text().replace(&id, "ID"),
        absent.text().replace(missing, "ID")
    );
    let listed = call(
        &app,
        "GET",
        &format!("/api/agreements/{GBR_RWA}/complaints"),
        &other,
        None,
        None,
    )
    .await;
    assert_eq!(listed.status, 403, "{}", listed.text());
    for path in [
        format!("/api/complaints/{id}"),
        format!("/api/complaints/{missing}"),
    ] {
        let reply = call(&app, "GET", &path, &officer, None, None).await;
        reply.problem(403, "forbidden");
    }

    let erased = call(
        &app,
        "POST",
        &format!("/api/complaints/{id}/erase"),
        &own,
        None,
        None,
    )
    .await;
    assert_eq!(erased.status, 200, "{}", erased.text());
    let shown = call(
        &app,
        "GET",
        &format!("/api/complaints/{id}"),
        &own,
        None,
        None,
    )
    .await
    .json();
    assert!(shown["text"].is_null(), "{shown}");
    assert_eq!(shown["erased"], true);
    let parsed = id.parse().expect("a complaint id");
    assert!(
        app.store
            .complaint_key(parsed)
            .await
            .expect("the key")
            .is_none()
    );
    let again = call(
        &app,
        "POST",
        &format!("/api/complaints/{id}/erase"),
        &own,
        None,
        None,
    )
    .await;
    again.problem(409, "complaint_erased");
    let status = public_post(
        &app,
        "/api/complaints/status",
        json!({ "receipt": receipt }),
    )
    .await;
    assert_eq!(status.json()["erased"], true, "{}", status.text());

    let report = app.store.check(&|_, _| {}).await.expect("the check");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let problems = app
        .store
        .check_log(&|_, _| {})
        .await
        .expect("the log check");
    assert!(problems.is_empty(), "{problems:?}");
}

#[tokio::test]
async fn the_monitors_queue_lists_a_complaint_until_it_is_answered() {
    // Proves an open complaint (received, then under review) stands on its monitoring body's
    // queue by id, agreement, status and the moment it was lodged — never its text, contact or
    // complainant — and leaves the queue once the body replied; the queue of a monitor of another
    // body never shows it.
    let app = spawn_app().await;
    fixture::load_agreements(&app, fixture::AGREEMENT_FILES).await;
    let text = "Synthetic: a complaint for the queue.";
    lodge(&app, "queue-ref", text).await;
    let own = token(
        &app,
        "monitor.medp",
        Role::Monitor,
        Party::MonitoringBody(MEDP_MONITORS.to_owned()),
    )
    .await;
    let other = token(
        &app,
        "monitor.other",
        Role::Monitor,
        Party::MonitoringBody("another-body".to_owned()),
    )
    .await;
    let complaints_on = |queue: &serde_json::Value| -> Vec<serde_json::Value> {
        queue["items"]
            .as_array()
            .expect("a list of items")
            .iter()
            .filter(|item| item["kind"] == "complaint")
            .cloned()
            .collect()
    };
    let queue = call(&app, "GET", "/api/monitoring/queue", &own, None, None).await;
    assert_eq!(queue.status, 200, "{}", queue.text());
    let items = complaints_on(&queue.json());
    assert_eq!(items.len(), 1, "{}", queue.text());
    let id = items[0]["complaint"].as_str().expect("an id").to_owned();
    assert_eq!(items[0]["agreement"], GBR_RWA);
    assert_eq!(items[0]["status"], "received");
    assert!(items[0]["lodged_at"].is_string(), "{}", items[0]);
    for absent in [text, "synthetic@example.invalid", "queue-ref", "person"] {
        assert!(!queue.text().contains(absent), "{absent} on the queue");
    }
    let elsewhere = call(&app, "GET", "/api/monitoring/queue", &other, None, None).await;
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.text());
    assert!(
        complaints_on(&elsewhere.json()).is_empty(),
        "{}",
        elsewhere.text()
    );

    let path = format!("/api/complaints/{id}/review");
    let reviewed = call(
        &app,
        "POST",
        &path,
        &own,
        None,
        Some(json!({"status": "under_review"})),
    )
    .await;
    assert_eq!(reviewed.status, 200, "{}", reviewed.text());
    let queue = call(&app, "GET", "/api/monitoring/queue", &own, None, None)
        .await
        .json();
    let items = complaints_on(&queue);
    assert_eq!(items.len(), 1, "{queue}");
    assert_eq!(items[0]["status"], "under_review");

    let replied = call(
        &app,
        "POST",
        &path,
        &own,
        None,
        Some(json!({"status": "replied", "reply": "Synthetic: we will visit."})),
    )
    .await;
    assert_eq!(replied.status, 200, "{}", replied.text());
    let queue = call(&app, "GET", "/api/monitoring/queue", &own, None, None)
        .await
        .json();
    assert!(complaints_on(&queue).is_empty(), "{queue}");
}
