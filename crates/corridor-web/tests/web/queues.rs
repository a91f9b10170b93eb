//! The work queue, holds and gauges pages: each role's queue shows what its queue holds and no
//! case it may not see; a clerk's dry run gives the API's counts and a double submit registers
//! one order, which pulls the scheduled case; a non-clerk gets the API's refusal; every form
//! has its CSRF token; the gauges give the store's figures to the viewers who may know them;
//! and the pages read the store as often with many cases as with few.

use std::collections::BTreeSet;

use corridor_app::queues::{WorkQueue, work_queue};
use corridor_app::service;
use corridor_app::{Caller, Credential};
use corridor_domain::terms::AgreementId;
use corridor_domain::{CaseId, Command, NoticeFacts, PersonalData, Role, UserId};

use crate::harness::{OFFICER, PASSWORD, TestApp, assert_no_inline_code, spawn};

const SUPERVISOR: &str = "supervisor.sam";
const RECEIVER: &str = "receiver.rita";
const CLERK: &str = "clerk.cleo";
const MONITOR: &str = "monitor.mo";
const AUDITOR: &str = "auditor.aud";
const AGREEMENT: &str = "us-rwa-2025";

/// Every account the tests sign in as, beside the harness's officer: (user, role, party).
const ACCOUNTS: [(&str, Role, &str); 6] = [
    (OFFICER, Role::SendingOfficer, "state:USA"),
    (SUPERVISOR, Role::SendingSupervisor, "state:USA"),
    (RECEIVER, Role::ReceivingOfficer, "state:RWA"),
    (CLERK, Role::CourtClerk, "court:dc"),
    (
        MONITOR,
        Role::Monitor,
        "monitoring_body:medp-monitoring-committee",
    ),
    (AUDITOR, Role::Auditor, "none"),
];

fn caller(user: &str) -> Caller {
    let (_, role, party) = ACCOUNTS
        .iter()
        .find(|(name, _, _)| *name == user)
        .expect("a known account");
    Caller {
        actor: corridor_testkit::actor(user, *role, corridor_testkit::party(party)),
        credential: Credential::Local,
    }
}

fn case(app: &TestApp, index: usize) -> CaseId {
    CaseId::parse(&app.case_ids[index]).expect("a case id")
}

/// Runs a case command as `user`, which must be accepted.
async fn act(app: &TestApp, user: &str, command: Command) {
    service::case_command(app.state.app(), &caller(user), command.clone(), None)
        .await
        .unwrap_or_else(|error| panic!("{command:?} as {user}: {error}"));
}

/// The accounts of [`ACCOUNTS`] (the officer exists already), and the cases moved on: the
/// first scheduled to depart in two days, the second requested of the receiving state, the
/// third only proposed (never requested: the receiving state must not learn of it).
async fn scenario(app: &TestApp) {
    let now = app.state.now();
    for (user, role, party) in ACCOUNTS.iter().skip(1) {
        app.state
            .accounts()
            .add_user(
                &UserId::parse(user).expect("a user"),
                *role,
                &corridor_testkit::party(party),
                PASSWORD,
                now,
            )
            .await
            .expect("the user");
    }
    for index in [0, 1] {
        let case = case(app, index);
        let notice = NoticeFacts {
            language: corridor_testkit::language("es"),
            on_person: true,
            on_counsel: false,
            destination: corridor_testkit::country("RWA"),
            explains_how_to_contest: true,
        };
        act(app, OFFICER, Command::ServeNotice { case, notice }).await;
        act(app, OFFICER, Command::RequestTransfer { case }).await;
    }
    let first = case(app, 0);
    act(app, RECEIVER, Command::Approve { case: first }).await;
    act(app, SUPERVISOR, Command::Approve { case: first }).await;
    let departure = now
        .checked_add(jiff::SignedDuration::from_hours(48))
        .expect("a moment");
    act(
        app,
        OFFICER,
        Command::Schedule {
            case: first,
            departure,
        },
    )
    .await;
}

/// `pairs` as an `application/x-www-form-urlencoded` body.
fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (byte as char).to_string()
                }
                b' ' => "+".to_owned(),
                other => format!("%{other:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the hidden field `name` of a page.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).expect("the field") + marker.len();
    let end = body[start..].find('"').expect("the field's end") + start;
    body[start..end].to_owned()
}

/// The case ids a queue holds.
fn queued_cases(queue: &WorkQueue) -> BTreeSet<String> {
    match queue {
        WorkQueue::Cases { cases, .. } | WorkQueue::SupervisorApprovals { cases, .. } => {
            cases.iter().map(|case| case.case.clone()).collect()
        }
        WorkQueue::TransferRequests { requests, .. } => requests
            .iter()
            .map(|request| request.case.clone())
            .collect(),
        WorkQueue::Holds { holds, .. } => holds
            .iter()
            .flat_map(|hold| hold.cases.iter().map(|case| case.case.clone()))
            .collect(),
        WorkQueue::Monitoring { queue } => queue
            .items
            .iter()
            .filter_map(|item| match item {
                corridor_app::monitoring::QueueItem::WelfareCheck { case, .. }
                | corridor_app::monitoring::QueueItem::WhereaboutsUnknown { case, .. }
                | corridor_app::monitoring::QueueItem::Alert { case, .. } => Some(case.clone()),
                _ => None,
            })
            .collect(),
    }
}

/// The class order the clerk registers: every Venezuelan under the agreement.
const CLASS_ORDER: [(&str, &str); 5] = [
    ("court", "dc"),
    ("reference", "DC-25-1 (synthetic)"),
    ("scope", "class"),
    ("agreements", AGREEMENT),
    ("nationalities", "VEN"),
];

fn with_csrf<'a>(csrf: &'a str, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![("csrf", csrf)];
    all.extend_from_slice(fields);
    all
}

#[tokio::test]
async fn each_roles_queue_shows_what_its_queue_holds_and_no_case_it_may_not_see() {
    // Proves the page lists exactly the cases the application's queue holds for each role,
    // that the receiving official never sees the case not requested of their state, and that
    // the officer's queue shows its clocks and statuses in words.
    let app = spawn().await;
    scenario(&app).await;
    let [first, second, third] = [0, 1, 2].map(|index| app.case_ids[index].clone());
    for (user, _, _) in ACCOUNTS.iter().filter(|(user, _, _)| *user != AUDITOR) {
        let session = app.sign_in(user, PASSWORD).await;
        let reply = app.get("/queue", &[("cookie", &session)]).await;
        assert_eq!(reply.status, 200, "{user}: {}", reply.body);
        assert_eq!(reply.header("cache-control"), "no-store", "{user}");
        assert_no_inline_code("/queue", &reply.body);
        assert!(
            reply.body.contains("href=\"/queue\" aria-current=\"page\""),
            "{user}: the queue is in the navigation"
        );
        let queue = work_queue(app.state.app(), &caller(user))
            .await
            .expect("the queue");
        let expected = queued_cases(&queue);
        for id in &app.case_ids {
            assert_eq!(
                reply.body.contains(id.as_str()),
                expected.contains(id),
                "{user}: case {id} on the page but not in the queue, or the reverse"
            );
        }
        match *user {
            OFFICER => {
                assert_eq!(expected.len(), 3, "{user}: {expected:?}");
                assert!(reply.body.contains("Notice period ends"), "{}", reply.body);
                assert!(reply.body.contains("Scheduled: 1"), "{}", reply.body);
                assert!(reply.body.contains("Requested: 1"), "{}", reply.body);
                // Dates in words, with the machine's moment beside them.
                assert!(reply.body.contains(" UTC</time>"), "{}", reply.body);
            }
            RECEIVER => {
                assert_eq!(expected, BTreeSet::from([second.clone()]), "{user}");
                assert!(!reply.body.contains(third.as_str()), "{user}: {third}");
                assert!(!reply.body.contains(first.as_str()), "{user}: {first}");
                // us-rwa-2025 sets no reply deadline: the page says what silence means.
                assert!(
                    reply.body.contains("The agreement sets no reply deadline"),
                    "{}",
                    reply.body
                );
            }
            MONITOR => {
                // us-rwa-2025 names no monitoring body: nothing of its cases reaches a monitor.
                assert!(expected.is_empty(), "{user}: {expected:?}");
                assert!(reply.body.contains("Nothing is waiting for you."));
            }
            _ => {}
        }
    }
    // The auditor reads no case: the queue is the API's refusal, and not in the navigation.
    let session = app.sign_in(AUDITOR, PASSWORD).await;
    let page = app.get("/queue", &[("cookie", &session)]).await;
    let api = app.get("/api/queue", &[("cookie", &session)]).await;
    assert_eq!(page.status, api.status, "{}", page.body);
    assert!(page.status == 403 || page.status == 404, "{}", page.body);
    assert!(!page.body.contains("href=\"/queue\""), "{}", page.body);
    // Without a session: sign in first.
    let anonymous = app.get("/queue", &[]).await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(anonymous.header("location"), "/login?m=sign_in");
}

#[tokio::test]
async fn a_clerks_dry_run_gives_the_apis_counts_and_a_double_submit_registers_one_order() {
    // Proves the dry run page shows the API dry run's figures, registers nothing, and that the
    // confirm form posted twice registers one order, which takes the scheduled case off the
    // schedule and is shown on the clerk's queue with that case.
    let app = spawn().await;
    scenario(&app).await;
    let session = app.sign_in(CLERK, PASSWORD).await;
    let cookie = [("cookie", session.as_str())];
    let blank = app.get("/holds/new", &cookie).await;
    assert_eq!(blank.status, 200, "{}", blank.body);
    assert_no_inline_code("/holds/new", &blank.body);
    let csrf = blank.csrf_field();
    assert_eq!(hidden(&blank.body, "court"), "dc");

    let api = app
        .send(
            "POST",
            "/api/holds/dry-run",
            &[
                ("cookie", session.as_str()),
                ("content-type", "application/json"),
                ("x-csrf-token", csrf.as_str()),
            ],
            &serde_json::json!({
                "court": "dc",
                "reference": "DC-25-1 (synthetic)",
                "scope": {"agreements": [AGREEMENT], "nationalities": ["VEN"]},
            })
            .to_string(),
        )
        .await;
    assert_eq!(api.status, 200, "{}", api.body);
    let api: serde_json::Value = serde_json::from_str(&api.body).expect("JSON");
    assert_eq!(api["would_pull"], 1, "the scheduled case: {api}");

    let events_before = app.state.app().store().event_count().await.expect("count");
    let dry = app
        .post(
            "/holds/new",
            &session,
            &form(&with_csrf(&csrf, &CLASS_ORDER)),
        )
        .await;
    assert_eq!(dry.status, 200, "{}", dry.body);
    assert_no_inline_code("/holds/new (dry run)", &dry.body);
    for (label, figure) in [
        ("Cases under way it covers now", &api["matched"]),
        (
            "Scheduled cases it would take off the schedule",
            &api["would_pull"],
        ),
        ("Cases in transit it would recall", &api["would_recall"]),
    ] {
        assert!(
            dry.body.contains(&format!("{label}</dt><dd>{figure}</dd>")),
            "{label}: {figure}: {}",
            dry.body
        );
    }
    // The dry run wrote its access record only: no hold, nothing pulled.
    let written = app.state.app().store().event_count().await.expect("count") - events_before;
    assert_eq!(written, 1, "one access record");
    let holds = service::list_holds(app.state.app(), &caller(CLERK))
        .await
        .expect("the holds");
    assert!(holds.is_empty(), "{holds:?}");

    let key = hidden(&dry.body, "key");
    assert!(!key.is_empty());
    let mut confirm = with_csrf(&csrf, &CLASS_ORDER);
    confirm.push(("key", key.as_str()));
    let body = form(&confirm);
    let first = app.post("/holds/confirm", &session, &body).await;
    let second = app.post("/holds/confirm", &session, &body).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(second.status, 200, "{}", second.body);
    assert!(
        first
            .body
            .contains("The order has been registered as hold-")
    );
    assert!(second.body.contains("was already registered as hold-"));
    let holds = service::list_holds(app.state.app(), &caller(CLERK))
        .await
        .expect("the holds");
    assert_eq!(holds.len(), 1, "one order for two submits: {holds:?}");
    assert!(first.body.contains("DC-25-1 (synthetic)"), "{}", first.body);

    // The scheduled case is pulled, as the application tells its officer.
    let pulled = service::read_case(app.state.app(), &caller(OFFICER), case(&app, 0))
        .await
        .expect("the case");
    assert_ne!(pulled.status, "scheduled", "{pulled:?}");
    assert_eq!(pulled.status, "accepted", "{pulled:?}");

    // The clerk's queue shows the order with the case it pulled.
    let queue = app.get("/queue", &cookie).await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(queue.body.contains("DC-25-1 (synthetic)"), "{}", queue.body);
    assert!(
        queue.body.contains(app.case_ids[0].as_str()),
        "{}",
        queue.body
    );
    assert!(
        queue.body.contains("Taken off the schedule or recalled"),
        "{}",
        queue.body
    );
    // The list shows it too.
    let list = app.get("/holds", &cookie).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains(&holds[0].hold), "{}", list.body);
}

#[tokio::test]
async fn who_may_not_register_an_order_gets_the_apis_refusal() {
    // Proves a sending officer (who may list holds but not register one) gets the API's status
    // for the order form and for the dry run, and a receiving official the API's status for
    // the list.
    let app = spawn().await;
    scenario(&app).await;
    let officer = app.sign_in(OFFICER, PASSWORD).await;
    let page = app.get("/holds/new", &[("cookie", &officer)]).await;
    let csrf = app.get("/", &[("cookie", &officer)]).await.csrf_field();
    let api = app
        .send(
            "POST",
            "/api/holds/dry-run",
            &[
                ("cookie", officer.as_str()),
                ("content-type", "application/json"),
                ("x-csrf-token", csrf.as_str()),
            ],
            &serde_json::json!({
                "court": "dc",
                "reference": "DC-25-1 (synthetic)",
                "scope": {"nationalities": ["VEN"]},
            })
            .to_string(),
        )
        .await;
    assert_eq!(page.status, api.status, "{}", page.body);
    assert!(page.status == 403 || page.status == 404, "{}", page.body);
    let posted = app
        .post(
            "/holds/new",
            &officer,
            &form(&with_csrf(&csrf, &CLASS_ORDER)),
        )
        .await;
    assert_eq!(posted.status, api.status, "{}", posted.body);
    // The officer may read the list (their state's orders): none yet.
    let list = app.get("/holds", &[("cookie", &officer)]).await;
    assert_eq!(list.status, 200, "{}", list.body);

    let receiver = app.sign_in(RECEIVER, PASSWORD).await;
    let page = app.get("/holds", &[("cookie", &receiver)]).await;
    let api = app.get("/api/holds", &[("cookie", &receiver)]).await;
    assert_eq!(page.status, api.status, "{}", page.body);
    assert!(page.status == 403 || page.status == 404, "{}", page.body);
    assert!(!page.body.contains("href=\"/holds\""), "{}", page.body);
}

#[tokio::test]
async fn every_holds_form_carries_the_csrf_token_and_a_post_without_it_is_refused() {
    // Proves each form of the order's pages carries the session's token, and that a post
    // without it, or with another, is refused 403 with nothing registered.
    let app = spawn().await;
    scenario(&app).await;
    let session = app.sign_in(CLERK, PASSWORD).await;
    let blank = app.get("/holds/new", &[("cookie", &session)]).await;
    let csrf = blank.csrf_field();
    let dry = app
        .post(
            "/holds/new",
            &session,
            &form(&with_csrf(&csrf, &CLASS_ORDER)),
        )
        .await;
    assert_eq!(dry.status, 200, "{}", dry.body);
    for (page, body) in [("/holds/new", &blank.body), ("the dry run", &dry.body)] {
        let forms = body.matches("<form").count();
        let tokens = body
            .matches(&format!("name=\"csrf\" value=\"{csrf}\""))
            .count();
        assert!(forms >= 2, "{page}: the sign-out form and the page's");
        assert_eq!(forms, tokens, "{page}: a form without the token");
    }
    let key = hidden(&dry.body, "key");
    let mut order: Vec<(&str, &str)> = CLASS_ORDER.to_vec();
    order.push(("key", key.as_str()));
    let other = "0".repeat(csrf.len());
    for (path, body) in [
        ("/holds/new", form(&CLASS_ORDER)),
        ("/holds/confirm", form(&order)),
        ("/holds/confirm", form(&with_csrf(&other, &order))),
    ] {
        let reply = app.post(path, &session, &body).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
        assert!(reply.body.contains("csrf_rejected"), "{}", reply.body);
    }
    let holds = service::list_holds(app.state.app(), &caller(CLERK))
        .await
        .expect("the holds");
    assert!(holds.is_empty(), "{holds:?}");
}

#[tokio::test]
async fn the_order_form_says_what_is_wrong_with_each_field() {
    // Proves the form answers 422 with an error summary linking to each field's message.
    let app = spawn().await;
    scenario(&app).await;
    let session = app.sign_in(CLERK, PASSWORD).await;
    let csrf = app
        .get("/holds/new", &[("cookie", &session)])
        .await
        .csrf_field();
    let bad = form(&with_csrf(
        &csrf,
        &[
            ("court", "dc"),
            ("reference", "  "),
            ("scope", "cases"),
            ("cases", "not-a-case"),
        ],
    ));
    let reply = app.post("/holds/new", &session, &bad).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(
        reply.body.contains("class=\"error-summary\""),
        "{}",
        reply.body
    );
    for field in ["reference", "cases"] {
        assert!(
            reply.body.contains(&format!("<a href=\"#{field}\">")),
            "{field}: {}",
            reply.body
        );
        assert!(
            reply.body.contains(&format!("id=\"{field}-error\"")),
            "{field}: {}",
            reply.body
        );
    }
    assert!(
        reply.body.contains("Enter the court&#x27;s reference")
            || reply.body.contains("Enter the court&#39;s reference"),
        "{}",
        reply.body
    );
    // Neither cases nor class chosen.
    let none = form(&with_csrf(&csrf, &[("court", "dc"), ("reference", "DC-2")]));
    let reply = app.post("/holds/new", &session, &none).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(
        reply.body.contains("<a href=\"#scope-cases\">"),
        "{}",
        reply.body
    );
    // A class order with no criterion.
    let empty = form(&with_csrf(
        &csrf,
        &[("court", "dc"), ("reference", "DC-2"), ("scope", "class")],
    ));
    let reply = app.post("/holds/new", &session, &empty).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(
        reply.body.contains("Enter at least one criterion"),
        "{}",
        reply.body
    );
    // A value that does not parse is named in the visitor's language, beside its field.
    let class = form(&with_csrf(
        &csrf,
        &[
            ("court", "dc"),
            ("reference", "DC-3"),
            ("scope", "class"),
            ("nationalities", "Iraq"),
            ("removal_ordered_from", "1 May"),
        ],
    ));
    let english = app.post("/holds/new", &session, &class).await;
    assert_eq!(english.status, 422, "{}", english.body);
    for sentence in [
        "“Iraq” is not a country code: use the three-letter ISO 3166 code",
        "“1 May” is not a date: write it as YYYY-MM-DD",
    ] {
        assert!(
            english.body.contains(sentence),
            "{sentence}: {}",
            english.body
        );
    }
    let french = app
        .send(
            "POST",
            "/holds/new",
            &[
                ("cookie", &session),
                ("content-type", "application/x-www-form-urlencoded"),
                ("accept-language", "fr"),
            ],
            &class,
        )
        .await;
    assert_eq!(french.status, 422, "{}", french.body);
    // (Askama escapes the apostrophe of « n'est »; the sentences are checked around it.)
    for sentence in [
        "« Iraq » n",
        "est pas un code de pays : utilisez le code ISO 3166",
        "« 1 May » n",
        "est pas une date : écrivez-la AAAA-MM-JJ",
    ] {
        assert!(
            french.body.contains(sentence),
            "{sentence}: {}",
            french.body
        );
    }
    assert!(!french.body.contains("is not a"), "{}", french.body);
}

#[tokio::test]
async fn the_gauges_show_the_stores_figures_to_the_viewers_who_may_know_them() {
    // Proves the agreement page's gauges give the store's counts against the terms' caps to
    // signed-in viewers: the totals transferred and present to anyone who may read the
    // agreement, the number scheduled only to those who may list its cases, nothing signed out.
    let app = spawn().await;
    scenario(&app).await;
    // The first case departs (transferred, present in transit); the second is scheduled.
    app.advance(jiff::SignedDuration::from_hours(48));
    act(
        &app,
        OFFICER,
        Command::Depart {
            case: case(&app, 0),
        },
    )
    .await;
    let second = case(&app, 1);
    act(&app, RECEIVER, Command::Approve { case: second }).await;
    act(&app, SUPERVISOR, Command::Approve { case: second }).await;
    let departure = app
        .state
        .now()
        .checked_add(jiff::SignedDuration::from_hours(48))
        .expect("a moment");
    act(
        &app,
        OFFICER,
        Command::Schedule {
            case: second,
            departure,
        },
    )
    .await;
    let counts = app
        .state
        .app()
        .store()
        .counts(&AgreementId::parse(AGREEMENT).expect("an id"))
        .await
        .expect("the counts");
    assert_eq!(
        (counts.transferred, counts.present, counts.scheduled),
        (1, 1, 1)
    );
    let path = format!("/agreements/{AGREEMENT}");

    let anonymous = app.get(&path, &[]).await;
    assert_eq!(anonymous.status, 200);
    assert!(!anonymous.body.contains("Against the caps"));
    assert!(!anonymous.body.contains("<meter"));

    let transferred =
        "<meter min=\"0\" max=\"250\" value=\"1\" aria-labelledby=\"gauge-1\">1 of 250</meter>";
    let reserved = "2 of 250 (1 scheduled)";
    let present = "People present at once</dt>\n  <dd><span class=\"gauge__text\">1 (the terms set no cap)</span>";
    for (user, sees_scheduled) in [
        (OFFICER, true),
        (RECEIVER, true),
        (CLERK, true),
        (AUDITOR, false),
        (MONITOR, false),
    ] {
        let session = app.sign_in(user, PASSWORD).await;
        let page = app.get(&path, &[("cookie", &session)]).await;
        assert_eq!(page.status, 200, "{user}: {}", page.body);
        assert_no_inline_code(&path, &page.body);
        assert!(page.body.contains("Against the caps"), "{user}");
        assert!(page.body.contains(transferred), "{user}: {}", page.body);
        assert!(page.body.contains(present), "{user}: {}", page.body);
        assert_eq!(
            page.body.contains(reserved),
            sees_scheduled,
            "{user}: {}",
            page.body
        );
        assert_eq!(page.body.contains("scheduled)"), sees_scheduled, "{user}");
    }
}

/// The store reads one page costs.
async fn reads_of(app: &TestApp, path: &str, session: &str) -> u64 {
    let store = app.state.app().store();
    let before = store.reads();
    let reply = app.get(path, &[("cookie", session)]).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    store.reads() - before
}

#[tokio::test]
async fn the_queue_and_holds_pages_read_the_store_as_often_with_many_cases_as_with_few() {
    // Proves /queue (officer, supervisor, receiving official, clerk) and /holds (clerk,
    // officer) make the same number of store reads with 3 cases and with 43 and an order
    // matching them.
    let app = spawn().await;
    scenario(&app).await;
    let pages: [(&str, &str); 6] = [
        ("/queue", OFFICER),
        ("/queue", SUPERVISOR),
        ("/queue", RECEIVER),
        ("/queue", CLERK),
        ("/holds", CLERK),
        ("/holds", OFFICER),
    ];
    let mut sessions = Vec::new();
    for (_, user) in pages {
        sessions.push(app.sign_in(user, PASSWORD).await);
    }
    let measure = async |app: &TestApp| {
        let mut reads = Vec::new();
        for ((path, _), session) in pages.iter().zip(&sessions) {
            reads.push(reads_of(app, path, session).await);
        }
        reads
    };
    // A named order on the first case, so the clerk's pages have an order with a case.
    let order = corridor_app::service::NewHold {
        court: "dc".to_owned(),
        reference: "DC-25-2 (synthetic)".to_owned(),
        scope: corridor_domain::HoldScope::Cases {
            cases: [case(&app, 0)].into_iter().collect(),
        },
        depends_on: None,
        idempotency_key: None,
    };
    service::register_hold(app.state.app(), &caller(CLERK), order)
        .await
        .expect("the order");
    let few = measure(&app).await;

    let officer = caller(OFFICER);
    let mut many = Vec::new();
    for index in 0..40 {
        let proposed = service::propose(
            app.state.app(),
            &officer,
            AgreementId::parse(AGREEMENT).expect("an id"),
            service::NewCase {
                facts: corridor_testkit::sealed::person_facts(),
                personal: PersonalData {
                    name: format!("Synthetic Person {index}"),
                    ..PersonalData::default()
                },
                counsel: None,
                idempotency_key: None,
            },
        )
        .await
        .expect("a proposal");
        many.push(proposed.case);
    }
    // A class order matching every case, so the clerk's order matches many.
    let class = corridor_app::service::NewHold {
        court: "dc".to_owned(),
        reference: "DC-25-3 (synthetic)".to_owned(),
        scope: corridor_domain::HoldScope::Class {
            criteria: corridor_domain::ClassCriteria {
                nationalities: [corridor_testkit::country("VEN")].into_iter().collect(),
                ..corridor_domain::ClassCriteria::default()
            },
        },
        depends_on: None,
        idempotency_key: None,
    };
    service::register_hold(app.state.app(), &caller(CLERK), class)
        .await
        .expect("the class order");
    let more = measure(&app).await;
    assert_eq!(few, more, "reads per page {pages:?}");
    // The officer's queue shows the new cases: the count stayed while the page grew.
    let session = &sessions[0];
    let queue = app.get("/queue", &[("cookie", session.as_str())]).await;
    assert!(
        many.iter().all(|id| queue.body.contains(id.as_str())),
        "{}",
        queue.body
    );
}

#[tokio::test]
async fn a_monitors_queue_page_lists_an_open_complaint_without_its_text() {
    // Proves the monitor's page shows a complaint lodged with its body (id, agreement, status),
    // in English and in French, and nothing of what the complainant wrote; no other role's page
    // mentions it.
    let app = spawn().await;
    scenario(&app).await;
    let text = "Synthetic: a complaint the queue page must not print.";
    let receipt = corridor_app::complaints::lodge(
        app.state.app(),
        corridor_app::complaints::NewComplaint {
            agreement: "gbr-rwa-2024".to_owned(),
            complainant: "person".to_owned(),
            case_reference: Some("synthetic-ref-7".to_owned()),
            text: text.to_owned(),
            contact: Some("synthetic@example.invalid".to_owned()),
        },
    )
    .await
    .expect("the complaint is lodged");
    let session = app.sign_in(MONITOR, PASSWORD).await;
    let page = app.get("/queue", &[("cookie", &session)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Complaint to handle"), "{}", page.body);
    assert!(page.body.contains("complaint-"), "{}", page.body);
    assert!(page.body.contains("gbr-rwa-2024"), "{}", page.body);
    for secret in [
        text,
        "synthetic-ref-7",
        "synthetic@example.invalid",
        &receipt.receipt,
    ] {
        assert!(!page.body.contains(secret), "{secret} on the page");
    }
    let french = app
        .get("/queue", &[("cookie", &session), ("accept-language", "fr")])
        .await;
    assert!(french.body.contains("Plainte à traiter"), "{}", french.body);
    for user in [OFFICER, SUPERVISOR, RECEIVER, CLERK, AUDITOR] {
        let session = app.sign_in(user, PASSWORD).await;
        let page = app.get("/queue", &[("cookie", &session)]).await;
        assert!(!page.body.contains("complaint-"), "{user}: {}", page.body);
        assert!(!page.body.contains("Complaint"), "{user}: {}", page.body);
    }
}
