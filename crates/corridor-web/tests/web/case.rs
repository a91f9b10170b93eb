//! The case page and its forms: proposing (one case on a double submit, every field's error),
//! serving notice through the page, a stale version refused with its sentence, erasure's
//! confirmation step, what a receiving official and a stranger see, the CSRF token on every
//! form, the proof page's proof, the headers and titles, and the store reads a case page costs.

use corridor_app::service;
use corridor_app::{Caller, Credential};
use corridor_domain::{Command, NoticeFacts, Role};
use corridor_log::hash::leaf_hash;
use corridor_log::note::{Ed25519Signer, KeyName, VerifierSet};
use corridor_log::proof_text::InclusionProofText;

use crate::harness::{OFFICER, ORIGIN, PASSWORD, PEOPLE, Reply, TestApp, spawn};

const RECEIVING: &str = "receiving.rwa";
const STRANGER: &str = "officer.gbr";
const ADMIN: &str = "operator";

/// A well-formed proposal under us-rwa-2025, as the form posts it (without csrf and key).
const PROPOSAL: &str = "agreement=us-rwa-2025&name=Synthetic+Person+Dario&birth_date=1991-05-06&nationality=VEN&sex=male&languages=es&legal_basis=ina_241&removal_ordered_on=2025-03-03";

fn local(user: &str, role: Role, party: &str) -> Caller {
    Caller {
        actor: corridor_testkit::actor(user, role, corridor_testkit::party(party)),
        credential: Credential::Local,
    }
}

fn officer() -> Caller {
    local(OFFICER, Role::SendingOfficer, "state:USA")
}

/// The value of the hidden field `name` of the page's first form that has one.
fn hidden(reply: &Reply, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = reply.body.find(&marker).expect("the field") + marker.len();
    let end = reply.body[start..].find('"').expect("its end") + start;
    reply.body[start..end].to_owned()
}

/// The text of the `<title>`.
fn title(reply: &Reply) -> String {
    let start = reply.body.find("<title>").expect("a title") + "<title>".len();
    let end = reply.body.find("</title>").expect("its end");
    reply.body[start..end].to_owned()
}

/// The text inside `<pre id="{id}" …>`, unescaped.
fn pre(reply: &Reply, id: &str) -> String {
    let marker = format!("<pre id=\"{id}\"");
    let at = reply.body.find(&marker).expect("the block");
    let start = reply.body[at..].find('>').expect("the tag's end") + at + 1;
    let end = reply.body[start..].find("</pre>").expect("its end") + start;
    reply.body[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#43;", "+")
        .replace("&#x2b;", "+")
        .replace("&#x2f;", "/")
        .replace("&#61;", "=")
        .replace("&amp;", "&")
}

async fn case_json(app: &TestApp, session: &str, case: &str) -> (u16, serde_json::Value) {
    let reply = app
        .get(&format!("/api/cases/{case}"), &[("cookie", session)])
        .await;
    let json = serde_json::from_str(&reply.body).unwrap_or(serde_json::Value::Null);
    (reply.status, json)
}

async fn history_json(app: &TestApp, session: &str, case: &str) -> Vec<serde_json::Value> {
    let reply = app
        .get(
            &format!("/api/cases/{case}/history"),
            &[("cookie", session)],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("the history")
}

async fn count_cases(app: &TestApp, session: &str) -> usize {
    let reply = app
        .get(
            "/api/agreements/us-rwa-2025/cases?limit=100",
            &[("cookie", session)],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let page: serde_json::Value = serde_json::from_str(&reply.body).expect("a page");
    page["cases"].as_array().expect("cases").len()
}

/// The notice the person (who understands `es`) may be served, as the form posts it.
fn notice_form(csrf: &str, version: &str) -> String {
    format!(
        "csrf={csrf}&version={version}&language=es&destination=RWA&on_person=true&explains_how_to_contest=true"
    )
}

/// Proposing through the form: a double submit (the same form, key and all, posted twice)
/// makes one case, and both answers lead to it.
#[tokio::test]
async fn proposing_twice_with_the_same_form_makes_one_case() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    let home = app.get("/", &[("cookie", &session)]).await;
    assert!(
        home.body.contains("href=\"/cases/new\""),
        "an officer's navigation links to proposing"
    );
    let form = app
        .get("/cases/new?agreement=us-rwa-2025", &[("cookie", &session)])
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("Who may be transferred"),
        "the eligibility is beside the form"
    );
    let key = hidden(&form, "key");
    assert_eq!(key.len(), 32, "an idempotency key is drawn with the form");
    let before = count_cases(&app, &session).await;
    let body = format!("csrf={}&key={key}&{PROPOSAL}", form.csrf_field());
    let first = app.post("/cases/new", &session, &body).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let second = app.post("/cases/new", &session, &body).await;
    assert_eq!(second.status, 303, "{}", second.body);
    let location = first.header("location");
    assert!(location.starts_with("/cases/case-"), "{location}");
    assert_eq!(second.header("location"), location, "the same case");
    assert_eq!(count_cases(&app, &session).await, before + 1);
    let page = app.get(&location, &[("cookie", &session)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Synthetic Person Dario"));
    // Another form (another key) is another case.
    let again = app
        .get("/cases/new?agreement=us-rwa-2025", &[("cookie", &session)])
        .await;
    assert_ne!(hidden(&again, "key"), key);
}

/// Every wrong field is named at once, beside its field and in the summary, with the API's
/// message; nothing is proposed.
#[tokio::test]
async fn a_proposal_with_wrong_fields_names_each_of_them() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    let form = app
        .get("/cases/new?agreement=us-rwa-2025", &[("cookie", &session)])
        .await;
    let before = count_cases(&app, &session).await;
    let body = format!(
        "csrf={}&key={}&agreement=us-rwa-2025&name=Synthetic+Person+Eli&birth_date=1991-13-40&nationality=ZZZ&sex=male&languages=es&legal_basis=ina_241&removal_ordered_on=2025-03-03",
        form.csrf_field(),
        hidden(&form, "key")
    );
    let reply = app.post("/cases/new", &session, &body).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(reply.body.contains("class=\"error-summary\""));
    for field in ["birth_date", "nationality"] {
        assert!(
            reply.body.contains(&format!("href=\"#p-{field}\"")),
            "the summary links to {field}"
        );
        assert!(
            reply.body.contains(&format!("id=\"p-{field}-error\"")),
            "{field}'s message is beside it"
        );
    }
    assert!(
        reply
            .body
            .contains("`ZZZ` is not an ISO 3166-1 alpha-3 country code"),
        "the API's own message"
    );
    assert!(
        reply.body.contains("value=\"Synthetic Person Eli\""),
        "what was entered is kept"
    );
    // Each wrong field is named once, with what the person typed: not again with a value the
    // form made up to find the next wrong field.
    assert_eq!(
        reply.body.matches("href=\"#p-nationality\"").count(),
        1,
        "{}",
        reply.body
    );
    assert!(!reply.body.contains("`AAA`"), "{}", reply.body);
    assert_eq!(count_cases(&app, &session).await, before);
}

/// Serving notice through the case page's form: the command is done, the page shows it in the
/// timeline; the same form posted again from the stale page is refused with the sentence.
#[tokio::test]
async fn notice_is_served_through_the_form_and_a_stale_page_is_refused() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    let case = &app.case_ids[0];
    let path = format!("/cases/{case}");
    let page = app.get(&path, &[("cookie", &session)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("action=\"/cases/{case}/actions/serve_notice\"")),
        "the officer may serve notice now"
    );
    assert!(
        !page.body.contains("/actions/approve\""),
        "approving is not possible before a request"
    );
    let version = hidden(&page, "version");
    let body = notice_form(&page.csrf_field(), &version);
    let done = app
        .post(&format!("{path}/actions/serve_notice"), &session, &body)
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), path);
    let after = app.get(&path, &[("cookie", &session)]).await;
    assert!(after.body.contains("Notice of the transfer was served."));
    assert_ne!(hidden(&after, "version"), version, "the version moved on");
    // The stale page's form again: refused as the API refuses a stale If-Match.
    let stale = app
        .post(&format!("{path}/actions/serve_notice"), &session, &body)
        .await;
    let api = app
        .send(
            "POST",
            &format!("/api/cases/{case}/notice"),
            &[
                ("cookie", &session),
                ("x-csrf-token", &page.csrf_field()),
                ("content-type", "application/json"),
                ("if-match", &format!("\"{version}\"")),
            ],
            r#"{"language":"es","destination":"RWA","on_person":true,"on_counsel":false,"explains_how_to_contest":true}"#,
        )
        .await;
    assert_eq!(api.status, 412, "{}", api.body);
    assert_eq!(stale.status, api.status, "the API's status: {}", stale.body);
    // The page says the API's refusal in the visitor's language: the catalogue's sentence for
    // the API's code, filled with the API's facts.
    let problem: serde_json::Value = serde_json::from_str(&api.body).expect("a problem");
    assert_eq!(problem["code"], "version_conflict");
    let fact = |name: &str| problem["facts"][name].as_str().expect("a fact").to_owned();
    let sentence = format!(
        "The case {} is at version {}, not {}. Reload it and try again.",
        fact("case"),
        fact("current_version"),
        fact("expected_version")
    );
    assert!(
        stale.body.contains(&askama_escape(&sentence)),
        "the page says the API's refusal: {sentence}\n{}",
        stale.body
    );
    assert!(stale.body.contains("id=\"form-serve_notice\""));
    assert!(stale.body.contains("href=\"#form-serve_notice\""));
}

/// askama's escaping of text, for comparing a sentence with the page.
fn askama_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// Erasure needs its confirmation: the post without it shows what will be erased and does
/// nothing; the confirmed post erases.
#[tokio::test]
async fn erasure_needs_the_confirmation_step() {
    let app = spawn().await;
    app.add_user(ADMIN, Role::Admin, "none").await;
    let admin = app.sign_in(ADMIN, PASSWORD).await;
    let officer = app.sign_in(OFFICER, PASSWORD).await;
    let case = &app.case_ids[1];
    let confirm = app
        .get(&format!("/cases/{case}/erase"), &[("cookie", &admin)])
        .await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(confirm.body.contains("This cannot be undone."));
    assert!(confirm.body.contains("name=\"confirm\" value=\"yes\""));
    let unconfirmed = app
        .post(
            &format!("/cases/{case}/actions/erase"),
            &admin,
            &format!("csrf={}", confirm.csrf_field()),
        )
        .await;
    assert_eq!(unconfirmed.status, 200, "{}", unconfirmed.body);
    assert!(unconfirmed.body.contains("This cannot be undone."));
    let page = app
        .get(&format!("/cases/{case}"), &[("cookie", &officer)])
        .await;
    assert!(page.body.contains(PEOPLE[1]), "nothing was erased");
    let confirmed = app
        .post(
            &format!("/cases/{case}/actions/erase"),
            &admin,
            &format!("csrf={}&confirm=yes", confirm.csrf_field()),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(confirmed.body.contains("Personal data erased"));
    let page = app
        .get(&format!("/cases/{case}"), &[("cookie", &officer)])
        .await;
    assert!(!page.body.contains(PEOPLE[1]), "the name is gone");
    assert!(page.body.contains("has been erased"));
    // The officer may not erase: the post is refused as the API refuses it.
    let refused = app
        .post(
            &format!("/cases/{}/actions/erase", app.case_ids[2]),
            &officer,
            &format!("csrf={}&confirm=yes", page.csrf_field()),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
}

/// Serves notice and requests the transfer of case `index` through the application layer.
async fn request(app: &TestApp, index: usize) {
    let case = corridor_domain::CaseId::parse(&app.case_ids[index]).expect("an id");
    service::case_command(
        app.state.app(),
        &officer(),
        Command::ServeNotice {
            case,
            notice: NoticeFacts {
                language: corridor_domain::Language::parse("es").expect("a language"),
                on_person: true,
                on_counsel: false,
                destination: corridor_domain::terms::Country::parse("RWA").expect("a country"),
                explains_how_to_contest: true,
            },
        },
        None,
    )
    .await
    .expect("notice");
    service::case_command(
        app.state.app(),
        &officer(),
        Command::RequestTransfer { case },
        None,
    )
    .await
    .expect("the request");
}

/// The receiving state's official sees on the page only what the API shows them: none of the
/// fields the agreement does not share; and may answer the request.
#[tokio::test]
async fn a_receiving_official_sees_only_what_the_agreement_shares() {
    let app = spawn().await;
    app.add_user(RECEIVING, Role::ReceivingOfficer, "state:RWA")
        .await;
    request(&app, 0).await;
    let case = &app.case_ids[0];
    let officer = app.sign_in(OFFICER, PASSWORD).await;
    let receiving = app.sign_in(RECEIVING, PASSWORD).await;
    let (_, whole) = case_json(&app, &officer, case).await;
    let (status, shown) = case_json(&app, &receiving, case).await;
    assert_eq!(status, 200);
    let page = app
        .get(&format!("/cases/{case}"), &[("cookie", &receiving)])
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let withheld: Vec<String> = shown["rule_attributes"]["withheld"]
        .as_array()
        .expect("the withheld list")
        .iter()
        .filter_map(|name| name.as_str().map(str::to_owned))
        .collect();
    assert!(!withheld.is_empty(), "the agreement withholds some fields");
    let mut checked = 0;
    for name in &withheld {
        if let Some(value) = whole["rule_attributes"][name].as_str()
            && value.len() > 3
        {
            checked += 1;
            assert!(
                !page.body.contains(value),
                "the page shows withheld `{name}`: {value}"
            );
        }
    }
    assert!(checked > 0, "a withheld value was compared");
    for (name, value) in whole["personal_data"]
        .as_object()
        .expect("the officer's view")
    {
        if shown["personal_data"].get(name).is_none()
            && let Some(text) = value.as_str()
        {
            assert!(!page.body.contains(text), "the page shows `{name}`");
        }
    }
    if shown["personal_data"].get("name").is_none() {
        assert!(!page.body.contains(PEOPLE[0]));
    }
    assert!(
        page.body.contains("/actions/approve\"") && page.body.contains("/actions/refuse\""),
        "the official may answer the request"
    );
    assert!(!page.body.contains("/actions/serve_notice\""));
}

/// A user who may not read the case gets the API's status, and the page names nothing of it.
#[tokio::test]
async fn a_stranger_gets_the_apis_status_and_learns_nothing() {
    let app = spawn().await;
    app.add_user(STRANGER, Role::SendingOfficer, "state:GBR")
        .await;
    let stranger = app.sign_in(STRANGER, PASSWORD).await;
    let case = &app.case_ids[0];
    let (api_status, _) = case_json(&app, &stranger, case).await;
    assert!(api_status == 404 || api_status == 403, "{api_status}");
    for path in [
        format!("/cases/{case}"),
        format!("/cases/{case}/events/1/proof"),
    ] {
        let page = app.get(&path, &[("cookie", &stranger)]).await;
        assert_eq!(page.status, api_status, "{path}: {}", page.body);
        for name in PEOPLE {
            assert!(!page.body.contains(name), "{path}");
        }
        assert!(!page.body.contains("us-rwa-2025"), "{path}");
        assert!(!page.body.contains("<form method=\"post\" action=\"/cases/"));
    }
    // A missing case is answered alike.
    let missing = app
        .get("/cases/case-0000000000000001", &[("cookie", &stranger)])
        .await;
    assert_eq!(missing.status, 404);
}

/// Every form on the case page carries the CSRF token; a post without it is refused 403 and
/// does nothing.
#[tokio::test]
async fn every_form_carries_the_csrf_token_and_a_post_without_it_is_refused() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    let case = &app.case_ids[0];
    let page = app
        .get(&format!("/cases/{case}"), &[("cookie", &session)])
        .await;
    let csrf = page.csrf_field();
    let forms = page.body.matches("<form ").count();
    assert!(
        forms >= 3,
        "the sign-out form and the case's forms ({forms})"
    );
    assert_eq!(
        page.body
            .matches(&format!("name=\"csrf\" value=\"{csrf}\""))
            .count(),
        forms,
        "one token per form"
    );
    let version = hidden(&page, "version");
    let without = notice_form("", &version).replacen("csrf=&", "", 1);
    let reply = app
        .post(
            &format!("/cases/{case}/actions/serve_notice"),
            &session,
            &without,
        )
        .await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    let forged = app
        .post(
            &format!("/cases/{case}/actions/serve_notice"),
            &session,
            &notice_form("forged", &version),
        )
        .await;
    assert_eq!(forged.status, 403);
    let history = history_json(&app, &session, case).await;
    assert_eq!(history.len(), 1, "nothing was done: {history:?}");
    let propose = app
        .get("/cases/new?agreement=us-rwa-2025", &[("cookie", &session)])
        .await;
    assert_eq!(
        propose.body.matches("<form ").count(),
        propose
            .body
            .matches(&format!("name=\"csrf\" value=\"{csrf}\""))
            .count()
    );
    let no_token = app
        .post("/cases/new", &session, &format!("key=k1&{PROPOSAL}"))
        .await;
    assert_eq!(no_token.status, 403);
}

/// The proof page's proof verifies: its leaf is at its index under the checkpoint the log
/// signed, checked with corridor-log's verifier.
#[tokio::test]
async fn the_proof_page_proof_verifies() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    let case = &app.case_ids[2];
    let history = history_json(&app, &session, case).await;
    let seq = history[0]["seq"].as_u64().expect("a seq");
    let page = app
        .get(&format!("/cases/{case}"), &[("cookie", &session)])
        .await;
    let link = format!("/cases/{case}/events/{seq}/proof");
    assert!(page.body.contains(&link), "the timeline links to the proof");
    let proof = app.get(&link, &[("cookie", &session)]).await;
    assert_eq!(proof.status, 200, "{}", proof.body);
    let text = InclusionProofText::parse(&pre(&proof, "proof-text")).expect("a tlog-proof");
    let leaf = text.extra.clone().expect("the leaf");
    assert_eq!(String::from_utf8_lossy(&leaf), pre(&proof, "leaf"));
    assert!(String::from_utf8_lossy(&leaf).contains("kind case_proposed"));
    let signer = Ed25519Signer::from_seed(KeyName::new(ORIGIN).expect("a key name"), &[5; 32]);
    let verifiers = VerifierSet::new()
        .with(signer.verifier())
        .expect("a verifier set");
    let signed = text
        .verify(&leaf_hash(&leaf), ORIGIN, &verifiers)
        .expect("the proof verifies");
    assert!(proof.body.contains(&leaf_hash(&leaf).to_base64()));
    assert!(
        proof
            .body
            .contains(&format!("<dd>{}</dd>", signed.checkpoint().size()))
    );
    // A proof changed by one hash does not.
    let mut broken = text.clone();
    if let Some(first) = broken.proof.first_mut() {
        *first = leaf_hash(b"another leaf");
        assert!(
            broken
                .verify(&leaf_hash(&leaf), ORIGIN, &verifiers)
                .is_err()
        );
    }
}

/// The pages with personal data are `no-store`, and no title names a case or a person.
#[tokio::test]
async fn case_pages_are_no_store_and_their_titles_name_nothing() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    let case = &app.case_ids[0];
    let history = history_json(&app, &session, case).await;
    let seq = history[0]["seq"].as_u64().expect("a seq");
    for path in [
        format!("/cases/{case}"),
        format!("/cases/{case}/events/{seq}/proof"),
        format!("/cases/{case}/erase"),
        "/cases/new".to_owned(),
        "/cases/new?agreement=us-rwa-2025".to_owned(),
    ] {
        let reply = app.get(&path, &[("cookie", &session)]).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.header("cache-control"), "no-store", "{path}");
        crate::harness::assert_no_inline_code(&path, &reply.body);
        let title = title(&reply);
        assert!(!title.contains("case-"), "{path}: {title}");
        for name in PEOPLE {
            assert!(!title.contains(name), "{path}: {title}");
        }
    }
}

/// Adds `events` refused (deficient) notices to case `index`: each is a `safeguard_triggered`
/// event on the case.
async fn refused_notices(app: &TestApp, index: usize, events: usize) {
    let case = corridor_domain::CaseId::parse(&app.case_ids[index]).expect("an id");
    for _ in 0..events {
        let refused = service::case_command(
            app.state.app(),
            &officer(),
            Command::ServeNotice {
                case,
                notice: NoticeFacts {
                    language: corridor_domain::Language::parse("fr").expect("a language"),
                    on_person: true,
                    on_counsel: false,
                    destination: corridor_domain::terms::Country::parse("RWA").expect("a country"),
                    explains_how_to_contest: true,
                },
            },
            None,
        )
        .await;
        assert!(refused.is_err(), "a deficient notice is refused");
    }
}

/// The reads a case page of `case` costs the store, once its caches are warm, with the page.
async fn page_reads(app: &TestApp, session: &str, case: &str) -> (u64, Reply) {
    // Once to warm the caches, then counted.
    app.get(&format!("/cases/{case}"), &[("cookie", session)])
        .await;
    let before = app.state.store().reads();
    let page = app
        .get(&format!("/cases/{case}"), &[("cookie", session)])
        .await;
    (app.state.store().reads() - before, page)
}

/// Most store reads one case page costs: the session, the case (cached), the holds, the
/// commit of its two access records, the history and the decider's one snapshot, with room
/// for the session's own bookkeeping, but never one per event, per case or per action.
const CASE_PAGE_READS_MAX: u64 = 12;

/// A case page reads the store a fixed number of times, however long the case's history and
/// however many cases there are.
#[tokio::test]
async fn a_case_page_reads_the_store_as_often_with_200_events_as_with_5() {
    let app = spawn().await;
    refused_notices(&app, 0, 4).await;
    refused_notices(&app, 1, 199).await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    let mut reads = Vec::new();
    for (index, events) in [(0, 5), (1, 200)] {
        let case = &app.case_ids[index];
        assert_eq!(history_json(&app, &session, case).await.len(), events);
        let (count, page) = page_reads(&app, &session, case).await;
        assert_eq!(page.status, 200);
        assert_eq!(
            page.body.matches("class=\"timeline__item").count(),
            events,
            "every event is on the page"
        );
        reads.push(count);
    }
    assert_eq!(reads[0], reads[1], "reads with 5 and with 200 events");
    assert!(reads[0] > 0);
    assert!(
        reads[0] <= CASE_PAGE_READS_MAX,
        "a case page reads the store {} times",
        reads[0]
    );
    // Twenty cases more: the page of the first case reads the store as often.
    for index in 0..20 {
        service::propose(
            app.state.app(),
            &officer(),
            corridor_domain::terms::AgreementId::parse("us-rwa-2025").expect("an id"),
            service::NewCase {
                facts: corridor_testkit::sealed::person_facts(),
                personal: corridor_domain::PersonalData {
                    name: format!("Synthetic Person Extra {index}"),
                    ..corridor_domain::PersonalData::default()
                },
                counsel: None,
                idempotency_key: None,
            },
        )
        .await
        .expect("a proposal");
    }
    let (count, page) = page_reads(&app, &session, &app.case_ids[1]).await;
    assert_eq!(page.status, 200);
    assert_eq!(count, reads[1], "reads with 3 cases and with 23");
}

/// A case page records both its reads, the case's and its history's, each allowed, and
/// nothing else: the actions it offers are asked without being recorded.
#[tokio::test]
async fn a_case_page_records_its_two_reads_and_no_more() {
    let app = spawn().await;
    let session = app.sign_in(OFFICER, PASSWORD).await;
    let case = &app.case_ids[0];
    let access = corridor_domain::StreamId::Access;
    let store = app.state.store();
    let before = store
        .stream_page(&access, 0, 100_000)
        .await
        .expect("the records")
        .last()
        .map_or(0, |stored| stored.seq);
    let page = app
        .get(&format!("/cases/{case}"), &[("cookie", &session)])
        .await;
    assert_eq!(page.status, 200);
    let records: Vec<(String, String, bool)> = store
        .stream_page(&access, before, 100_000)
        .await
        .expect("the records")
        .into_iter()
        .filter_map(|stored| match stored.event.body {
            corridor_domain::EventBody::AccessRecorded {
                action,
                resource,
                allowed,
                ..
            } => Some((action, resource, allowed)),
            _ => None,
        })
        .collect();
    assert_eq!(
        records,
        vec![
            ("read_case".to_owned(), case.clone(), true),
            ("read_history".to_owned(), case.clone(), true),
        ]
    );
}
