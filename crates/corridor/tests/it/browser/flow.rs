//! A transfer from proposal to a court's class hold, through the real forms in Chromium, over the
//! demo database, as each official would do it: the visible labels and buttons, not ids, where a
//! person would read them. axe-core runs on every signed-in page met on the way, and one command
//! form (serving notice) is filled by the keyboard alone.
//!
//! The server runs on the real clock (session.rs: the browser's cookies expire by it), so the
//! demo's own cases, whose story ends on 2026-09-01 with every transfer deadline passed, are all
//! closed or expired: none is at a status that can be scheduled. The flow proposes a case of its
//! own instead, and schedules its departure four days ahead, after the notice period (the
//! demo-training terms: 24 hours of notice, a 72-hour fear-claim window) has run. The person is
//! synthetic and the only Ecuadorian of the demo, so the clerk's class order (demo-training,
//! ECU) matches that case alone.

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

use super::{Session, axe, open, sign_in, signed_out, with_browser};

/// How long a form's submission may take to load the next page. A bound, not a measurement.
const NAVIGATION_WAIT: Duration = Duration::from_secs(30);

/// The synthetic person the flow proposes.
const NAME: &str = "Lucía Ensayo Navegador";
/// What the sending state records that the demo-training terms do not share with the receiving
/// state (its `sharing.fields` are name, birth date, nationality, sex and documents).
const DETENTION_PLACE: &str = "synthetic_centre_north";
const HEALTH: &str = "Synthetic note: asthma, inhaler daily";
const CONTACT: &str = "Synthetic contact: +000 555 0100";

/// The pages axe-core has checked, and every serious or critical violation it found.
#[derive(Default)]
struct Audit {
    pages: Vec<String>,
    failures: Vec<String>,
}

impl Audit {
    /// Runs axe-core on the page shown, named `page` in the report.
    async fn check(&mut self, session: &Session, page: &str) {
        let report = axe(&session.client).await;
        assert!(
            report.passes.iter().any(|rule| rule == "html-has-lang"),
            "axe ran on {page}: {:?}",
            report.passes
        );
        self.pages.push(page.to_owned());
        self.failures.extend(report.serious_failure(page));
    }
}

/// The text of the page's `main`.
async fn main_text(client: &Client) -> String {
    client
        .find(Locator::Css("main"))
        .await
        .expect("the page has a main")
        .text()
        .await
        .expect("the main's text")
}

/// An XPath string literal for `text` (which holds no double quote).
fn literal(text: &str) -> String {
    assert!(!text.contains('"'), "{text}");
    format!("\"{text}\"")
}

/// The field whose label reads `label`, inside the part of `main` that `scope` (an XPath step
/// such as `form[@id='form-schedule']`, or `form`) selects.
async fn field(client: &Client, scope: &str, label: &str) -> Element {
    let xpath = format!(
        "//main//{scope}//label[normalize-space(.)={}]",
        literal(label)
    );
    let label_element = client
        .find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|error| panic!("no label {label:?} in {scope}: {error}"));
    let id = label_element
        .attr("for")
        .await
        .expect("the label's for")
        .unwrap_or_else(|| panic!("the label {label:?} names no field"));
    client
        .find(Locator::Id(&id))
        .await
        .unwrap_or_else(|error| panic!("no field #{id} for {label:?}: {error}"))
}

/// Types `value` into the field labelled `label`. A date or date-and-time field gets its value
/// set as its picker would (WebDriver's typing into them follows the browser's locale).
async fn fill(client: &Client, scope: &str, label: &str, value: &str) {
    let input = field(client, scope, label).await;
    let kind = input
        .attr("type")
        .await
        .expect("the type")
        .unwrap_or_default();
    if kind == "date" || kind == "datetime-local" {
        let element = serde_json::to_value(&input).expect("the element as JSON");
        client
            .execute(
                "arguments[0].value = arguments[1]; \
                 arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                vec![element, serde_json::Value::from(value)],
            )
            .await
            .unwrap_or_else(|error| panic!("{label:?} takes {value:?}: {error}"));
    } else {
        input.clear().await.expect("the field clears");
        input
            .send_keys(value)
            .await
            .unwrap_or_else(|error| panic!("typing into {label:?}: {error}"));
    }
}

/// Clicks the label that reads `label` (a radio button or a checkbox inside it, or the one it
/// names).
async fn choose(client: &Client, scope: &str, label: &str) {
    let xpath = format!(
        "//main//{scope}//label[normalize-space(.)={}]",
        literal(label)
    );
    client
        .find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|error| panic!("no choice {label:?} in {scope}: {error}"))
        .click()
        .await
        .expect("the browser clicks the choice");
}

/// Clicks the button that reads `text` and waits until the next page has loaded.
async fn press(client: &Client, text: &str) {
    let xpath = format!("//main//button[normalize-space(.)={}]", literal(text));
    let Ok(button) = client.find(Locator::XPath(&xpath)).await else {
        panic!(
            "no button {text:?} on the page:\n{}",
            main_text(client).await
        );
    };
    button.clone().click().await.expect("the browser clicks");
    wait_for_new_page(&button).await;
}

/// Waits until `old` (an element of the page the browser was on) is gone.
async fn wait_for_new_page(old: &Element) {
    let started = Instant::now();
    while old.tag_name().await.is_ok() {
        assert!(
            started.elapsed() < NAVIGATION_WAIT,
            "no new page within {NAVIGATION_WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Presses `key` once, through WebDriver's key actions (a real key event).
async fn key(client: &Client, key: Key) {
    let actions = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: key.into() })
        .then(KeyAction::Up { value: key.into() });
    client
        .perform_actions(actions)
        .await
        .expect("the browser presses the key");
    client
        .release_actions()
        .await
        .expect("the browser releases the keys");
}

/// The `id` of what has focus.
async fn focused_id(client: &Client) -> String {
    client
        .active_element()
        .await
        .expect("an active element")
        .attr("id")
        .await
        .expect("its id")
        .unwrap_or_default()
}

/// Presses Tab until the element `id` has focus (at most `presses` times).
async fn tab_to(client: &Client, id: &str, presses: usize) {
    for _ in 0..presses {
        key(client, Key::Tab).await;
        if focused_id(client).await == id {
            return;
        }
    }
    panic!("{presses} presses of Tab never reached #{id}");
}

/// Asserts the page shows no refusal or error summary, naming what it shows otherwise.
async fn assert_no_refusal(client: &Client, after: &str) {
    let summaries = client
        .find_all(Locator::Css("main .error-summary"))
        .await
        .expect("the summaries");
    if !summaries.is_empty() {
        panic!(
            "{after} was refused or failed:\n{}",
            main_text(client).await
        );
    }
}

/// The value beside the term `term` in the page's first facts list that has it.
async fn fact(client: &Client, term: &str) -> String {
    let xpath = format!(
        "//main//dl/dt[normalize-space(.)={}]/following-sibling::dd[1]",
        literal(term)
    );
    client
        .find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|error| panic!("no fact {term:?} ({error})"))
        .text()
        .await
        .expect("the fact's text")
}

/// Signs in as `user` and opens `path`.
async fn as_user(session: &Session, user: &str, path: &str) {
    signed_out(&session.client).await;
    sign_in(session, user, session.password(user)).await;
    open(session, path).await;
}

#[test]
fn a_transfer_from_proposal_to_a_class_hold_through_the_forms() {
    // Proves, in Chromium through the pages' own forms: an officer proposes a case (the form's
    // per-field errors first), serves notice by the keyboard alone and requests the transfer; the
    // receiving official's page shows only the fields the agreement shares and approves; a
    // supervisor who is not the proposer approves for scheduling; the officer schedules; the
    // court clerk's class order, after a dry run counting the one scheduled case, pulls it, and
    // the officer's case page, back at Accepted, names the order, and its schedule form refuses
    // with the hold's sentence (the court, its reference, the order) and leaves the case as it
    // was. axe-core finds no serious or critical violation on any signed-in page met, every
    // role's queue included.
    with_browser(|session| async move {
        let client = &session.client;
        let mut audit = Audit::default();

        // --- The sending officer: queue, the propose form (empty first), the case.
        as_user(&session, "officer.ada", "/queue").await;
        audit.check(&session, "/queue as officer.ada").await;
        open(&session, "/cases/new").await;
        audit.check(&session, "/cases/new").await;
        open(&session, "/cases/new?agreement=demo-training").await;
        audit
            .check(&session, "/cases/new?agreement=demo-training")
            .await;
        press(client, "Propose the case").await;
        let summary = client
            .find(Locator::Css("main .error-summary"))
            .await
            .expect("an empty proposal shows an error summary");
        let errors = summary.text().await.expect("the summary's text");
        assert!(errors.contains("Full name"), "{errors}");
        assert!(errors.contains("Date of birth"), "{errors}");
        audit
            .check(&session, "/cases/new with every field wrong")
            .await;

        fill(client, "form", "Full name", NAME).await;
        fill(client, "form", "Date of birth", "1991-04-12").await;
        fill(client, "form", "Nationality", "ECU").await;
        fill(client, "form", "Languages understood", "es").await;
        fill(
            client,
            "form",
            "Legal basis of the removal order",
            "ina_241",
        )
        .await;
        fill(client, "form", "Detention place", DETENTION_PLACE).await;
        fill(client, "form", "Removal ordered on", "2026-10-01").await;
        fill(
            client,
            "form",
            "Identity and travel documents",
            "passport X0000001 (synthetic)",
        )
        .await;
        fill(client, "form", "Contact details", CONTACT).await;
        fill(client, "form", "Health notes", HEALTH).await;
        choose(client, "form", "Female").await;
        choose(
            client,
            "form",
            "The person consents to share health data with the receiving state",
        )
        .await;
        press(client, "Propose the case").await;
        assert_no_refusal(client, "proposing").await;
        let url = client.current_url().await.expect("the URL");
        let case_path = url.path().to_owned();
        assert!(case_path.starts_with("/cases/case-"), "{url}");
        let officer_sees = main_text(client).await;
        for shown in [NAME, DETENTION_PLACE, HEALTH, CONTACT] {
            assert!(
                officer_sees.contains(shown),
                "the officer sees {shown}:\n{officer_sees}"
            );
        }
        assert_eq!(fact(client, "Status").await, "Proposed");
        audit.check(&session, "the case page, proposed").await;

        // Serving notice by the keyboard alone: Tab to the language, type, Tab on, Space ticks
        // the boxes, Enter submits.
        tab_to(client, "serve_notice-language", 80).await;
        let typing = client.active_element().await.expect("the language field");
        typing.send_keys("es").await.expect("typing the language");
        key(client, Key::Tab).await;
        assert_eq!(focused_id(client).await, "serve_notice-destination");
        client
            .active_element()
            .await
            .expect("the destination field")
            .send_keys("RWA")
            .await
            .expect("typing the destination");
        key(client, Key::Tab).await;
        assert_eq!(focused_id(client).await, "serve_notice-on_person");
        key(client, Key::Space).await;
        key(client, Key::Tab).await;
        assert_eq!(focused_id(client).await, "serve_notice-on_counsel");
        key(client, Key::Tab).await;
        assert_eq!(
            focused_id(client).await,
            "serve_notice-explains_how_to_contest"
        );
        key(client, Key::Space).await;
        key(client, Key::Tab).await;
        let button = client.active_element().await.expect("the submit button");
        assert_eq!(
            button.text().await.expect("the button's text").trim(),
            "Serve notice"
        );
        key(client, Key::Enter).await;
        wait_for_new_page(&button).await;
        assert_no_refusal(client, "serving notice by keyboard").await;
        assert_eq!(fact(client, "Status").await, "Notice served");

        press(client, "Request the transfer").await;
        assert_no_refusal(client, "requesting the transfer").await;
        assert_eq!(
            fact(client, "Status").await,
            "Requested of the receiving state"
        );
        let proof = client
            .find(Locator::Css("main .timeline a[href$='/proof']"))
            .await
            .expect("the timeline links to a proof")
            .attr("href")
            .await
            .expect("the link's href")
            .expect("an href");
        open(&session, &proof).await;
        audit.check(&session, "an event's proof").await;
        open(&session, "/holds").await;
        audit.check(&session, "/holds as officer.ada").await;
        open(&session, "/agreements/demo-training").await;
        assert!(
            !client
                .find_all(Locator::Css("main meter"))
                .await
                .expect("the gauges")
                .is_empty(),
            "the signed-in agreement page shows gauges"
        );
        audit
            .check(&session, "/agreements/demo-training signed in")
            .await;
        open(&session, "/account/password").await;
        audit.check(&session, "/account/password").await;
        open(&session, "/account").await;
        audit.check(&session, "/account (language)").await;

        // --- The receiving official: only what the agreement shares; approves.
        as_user(&session, "receiver.dee", "/queue").await;
        audit.check(&session, "/queue as receiver.dee").await;
        let queue = main_text(client).await;
        let case_id = case_path.trim_start_matches("/cases/");
        assert!(
            queue.contains(case_id),
            "the request waits in her queue:\n{queue}"
        );
        open(&session, &case_path).await;
        let receiver_sees = main_text(client).await;
        assert!(
            receiver_sees.contains(NAME),
            "the terms share the name:\n{receiver_sees}"
        );
        for withheld in [DETENTION_PLACE, HEALTH, CONTACT] {
            assert!(
                !client
                    .source()
                    .await
                    .expect("the page's source")
                    .contains(withheld),
                "the receiving official's page shows {withheld}, which the terms do not share"
            );
        }
        assert!(
            receiver_sees.contains("Not shown to you under the agreement"),
            "{receiver_sees}"
        );
        audit.check(&session, "the case page as receiver.dee").await;
        press(client, "Approve").await;
        assert_no_refusal(client, "the receiving state's approval").await;
        assert_eq!(fact(client, "Status").await, "Accepted");

        // --- A supervisor who did not propose: approves for scheduling.
        as_user(&session, "supervisor.ben", "/queue").await;
        audit.check(&session, "/queue as supervisor.ben").await;
        open(&session, &case_path).await;
        press(client, "Approve").await;
        assert_no_refusal(client, "the supervisor's approval").await;
        let timeline = main_text(client).await;
        assert!(
            timeline.contains("A supervisor approved the transfer for scheduling."),
            "{timeline}"
        );

        // --- The officer schedules the departure, four days ahead.
        let departure = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(4 * 24))
            .expect("four days ahead")
            .strftime("%Y-%m-%dT%H:%M")
            .to_string();
        as_user(&session, "officer.ada", &case_path).await;
        fill(
            client,
            "form[@id='form-schedule']",
            "Departure (UTC)",
            &departure,
        )
        .await;
        press(client, "Schedule the departure").await;
        assert_no_refusal(client, "scheduling").await;
        assert_eq!(fact(client, "Status").await, "Scheduled");

        // --- The court clerk: a class order, its dry run, its registration.
        as_user(&session, "clerk.eve", "/queue").await;
        audit.check(&session, "/queue as clerk.eve").await;
        open(&session, "/holds").await;
        audit.check(&session, "/holds as clerk.eve").await;
        let link = client
            .find(Locator::LinkText("Register a court order"))
            .await
            .expect("/holds links to the order form");
        link.clone().click().await.expect("the browser follows it");
        wait_for_new_page(&link).await;
        audit.check(&session, "/holds/new").await;
        fill(
            client,
            "form",
            "Court's reference",
            "26-cv-0017 (synthetic)",
        )
        .await;
        choose(client, "form", "A class of people (a class-wide order)").await;
        fill(client, "form", "Agreements (ids)", "demo-training").await;
        fill(
            client,
            "form",
            "Nationalities (ISO 3166-1 alpha-3 codes, such as VEN)",
            "ECU",
        )
        .await;
        press(client, "Check what the order would do").await;
        assert_no_refusal(client, "the dry run").await;
        assert_eq!(fact(client, "Cases under way it covers now").await, "1");
        assert_eq!(
            fact(client, "Scheduled cases it would take off the schedule").await,
            "1"
        );
        assert_eq!(fact(client, "Cases in transit it would recall").await, "0");
        audit.check(&session, "the hold's dry run").await;
        press(client, "Register the order").await;
        let notice = main_text(client).await;
        assert!(
            notice.contains("The order has been registered as"),
            "{notice}"
        );
        assert!(notice.contains("26-cv-0017 (synthetic)"), "{notice}");
        audit.check(&session, "/holds after registering").await;
        open(&session, "/queue").await;
        let queue = main_text(client).await;
        assert!(
            queue.contains(case_id),
            "the clerk's queue names the case the order matched:\n{queue}"
        );

        // --- The officer: the case is off the schedule, and scheduling again is refused with
        // the hold's sentence.
        as_user(&session, "officer.ada", &case_path).await;
        let page = main_text(client).await;
        assert_eq!(fact(client, "Status").await, "Accepted", "{page}");
        let orders = fact(client, "Court orders that matched it").await;
        let hold = orders
            .split(|c: char| c.is_whitespace() || c == ',')
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(
            hold.starts_with("hold-"),
            "the case page names the order that pulled it:\n{page}"
        );
        audit
            .check(&session, "the case page, pulled by the order")
            .await;
        fill(
            client,
            "form[@id='form-schedule']",
            "Departure (UTC)",
            &departure,
        )
        .await;
        press(client, "Schedule the departure").await;
        let refused = main_text(client).await;
        assert!(
            refused.contains("A court order stops this transfer")
                && refused.contains("26-cv-0017 (synthetic)")
                && refused.contains(hold.as_str()),
            "the schedule form refuses with the hold's sentence:\n{refused}"
        );
        assert_eq!(fact(client, "Status").await, "Accepted", "{refused}");
        audit
            .check(&session, "the schedule form refused by the hold")
            .await;

        // --- The other roles' queues.
        for user in [
            "adjudicator.cy",
            "monitor.gus",
            "counsel.fay",
            "supervisor.kim",
        ] {
            as_user(&session, user, "/queue").await;
            audit.check(&session, &format!("/queue as {user}")).await;
        }

        // --- The operator's erase confirmation (nothing erased).
        as_user(&session, "demo.admin", &format!("{case_path}/erase")).await;
        audit
            .check(&session, "the erase confirmation as demo.admin")
            .await;

        eprintln!(
            "axe checked {} signed-in pages: {:#?}",
            audit.pages.len(),
            audit.pages
        );
        assert!(audit.failures.is_empty(), "{}", audit.failures.join("\n\n"));
    });
}
