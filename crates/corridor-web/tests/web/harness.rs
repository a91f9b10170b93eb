//! A served app per test, and the requests the tests send.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use corridor_api::limits::RateLimit;
use corridor_api::{AppState, ServerConfig};
use corridor_app::service::{self, NewCase};
use corridor_app::{Caller, Credential};
use corridor_domain::terms::AgreementId;
use corridor_domain::{Party, PersonalData, Role, UserId};
use corridor_log::checkpoint::Checkpoint;
use corridor_log::note::{Ed25519Signer, KeyName};
use corridor_store::Store;
use corridor_store::vault::MasterKey;
use http_body_util::BodyExt as _;
use jiff::Timestamp;
use tower::ServiceExt as _;

pub const ORIGIN: &str = "corridor.test/log";
pub const PASSWORD: &str = "correct horse battery staple";
pub const OFFICER: &str = "officer.ada";
/// A second account, of the same role and state as [`OFFICER`].
pub const OTHER_OFFICER: &str = "officer.bea";
/// The synthetic people proposed: their names must never appear on a public page.
pub const PEOPLE: [&str; 3] = [
    "Synthetic Person Amaru",
    "Synthetic Person Belen",
    "Synthetic Person Ciro",
];

pub struct TestApp {
    pub router: Router,
    /// The server's state: its application and store, for checks beside the pages.
    pub state: AppState,
    pub case_ids: Vec<String>,
    pub clock_ms: Arc<AtomicI64>,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }

    /// Every `Set-Cookie` value.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// `name=value` of the cookie `name` this reply sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|cookie| cookie.starts_with(&format!("{name}=")))
            .and_then(|cookie| cookie.split(';').next().map(str::to_owned))
    }

    /// The value of the hidden `csrf` field of the page.
    pub fn csrf_field(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a csrf field") + marker.len();
        let end = self.body[start..].find('"').expect("the field's end") + start;
        self.body[start..end].to_owned()
    }
}

fn local(user: &str, role: Role, party: Party) -> Caller {
    Caller {
        actor: corridor_testkit::actor(user, role, party),
        credential: Credential::Local,
    }
}

pub async fn spawn() -> TestApp {
    let dir = tempfile::Builder::new()
        .prefix("corridor-web-")
        .tempdir()
        .expect("a directory");
    let url = format!("sqlite://{}", dir.path().join("corridor.db").display());
    let store = Store::open(&url, true).await.expect("the store");
    store
        .configure_log(Some(ORIGIN), Some([9; 32]))
        .await
        .expect("the log");
    let store = Arc::new(store);
    let start: Timestamp = corridor_testkit::AUG_10.parse().expect("a moment");
    let clock_ms = Arc::new(AtomicI64::new(start.as_millisecond()));
    let read = Arc::clone(&clock_ms);
    let accounts = corridor_accounts::Accounts::from_pool(store.pool().clone())
        .await
        .expect("accounts");
    let authz = corridor_authz::Authz::load().expect("the policies");
    let mut config = ServerConfig::new(store.clone(), accounts, Arc::new(authz));
    config.master = Some(MasterKey::from_bytes([7; 32]));
    config.rate_limit = RateLimit {
        burst_requests: 100_000,
        refill_per_second: 100_000,
    };
    config.languages = corridor_web::i18n::languages()
        .into_iter()
        .map(str::to_owned)
        .collect();
    config.clock = Arc::new(move || {
        Timestamp::from_millisecond(read.load(Ordering::SeqCst)).unwrap_or_default()
    });
    let state = AppState::new(config);
    let app = state.app();
    let admin = local("admin", Role::Admin, Party::None);
    for file in ["us-rwa-2025.toml", "gbr-rwa-2024.toml"] {
        service::load_agreement(
            app,
            &admin,
            file.to_owned(),
            corridor_testkit::agreement_text(file),
        )
        .await
        .expect("the agreement loads");
    }
    let officer = local(
        OFFICER,
        Role::SendingOfficer,
        corridor_testkit::party("state:USA"),
    );
    let mut case_ids = Vec::new();
    for name in PEOPLE {
        let proposed = service::propose(
            app,
            &officer,
            AgreementId::parse("us-rwa-2025").expect("an id"),
            NewCase {
                facts: corridor_testkit::sealed::person_facts(),
                personal: PersonalData {
                    name: name.to_owned(),
                    ..PersonalData::default()
                },
                counsel: None,
                idempotency_key: None,
            },
        )
        .await
        .expect("a proposal");
        case_ids.push(proposed.case);
    }
    let signer = Ed25519Signer::from_seed(KeyName::new(ORIGIN).expect("a key name"), &[5; 32]);
    let (size, root) = store.tree_head().await.expect("the head");
    let note = Checkpoint::new(ORIGIN, size, root)
        .expect("a checkpoint")
        .sign(&signer)
        .expect("signed");
    store
        .record_checkpoint(size, &root, &note.to_text(), start)
        .await
        .expect("recorded");
    for name in [OFFICER, OTHER_OFFICER] {
        state
            .accounts()
            .add_user(
                &UserId::parse(name).expect("a user"),
                Role::SendingOfficer,
                &corridor_testkit::party("state:USA"),
                PASSWORD,
                start,
            )
            .await
            .expect("the user");
    }
    let router = corridor_api::router_with(state.clone(), corridor_web::pages());
    TestApp {
        router,
        state,
        case_ids,
        clock_ms,
        _dir: dir,
    }
}

impl TestApp {
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(
                request
                    .body(Body::from(body.to_owned()))
                    .expect("a request"),
            )
            .await
            .expect("an answer");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.send("GET", path, headers, "").await
    }

    /// A form post.
    pub async fn post(&self, path: &str, cookie: &str, body: &str) -> Reply {
        self.send(
            "POST",
            path,
            &[
                ("cookie", cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body,
        )
        .await
    }

    /// Signs `user` in through the form; returns the session cookie (`corridor_session=…`).
    pub async fn sign_in(&self, user: &str, password: &str) -> String {
        let form = self.get("/login", &[]).await;
        let login_cookie = form
            .cookie("corridor_login_csrf")
            .expect("the login cookie");
        let body = format!(
            "csrf={}&user={user}&password={}",
            form.csrf_field(),
            password.replace(' ', "+")
        );
        let reply = self.post("/login", &login_cookie, &body).await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        reply.cookie("corridor_session").expect("a session cookie")
    }

    /// Adds an account `user` of `role` for `party` (`state:RWA`, `none`) with [`PASSWORD`].
    pub async fn add_user(&self, user: &str, role: Role, party: &str) {
        let party = if party == "none" {
            Party::None
        } else {
            corridor_testkit::party(party)
        };
        self.state
            .accounts()
            .add_user(
                &UserId::parse(user).expect("a user"),
                role,
                &party,
                PASSWORD,
                self.state.now(),
            )
            .await
            .expect("the user");
    }

    pub fn advance(&self, span: jiff::SignedDuration) {
        let span_ms = i64::try_from(span.as_millis()).expect("in range");
        self.clock_ms.fetch_add(span_ms, Ordering::SeqCst);
    }
}

/// Fails when the HTML has inline script or style: a `<script>` with a body or without `src`, a
/// `<style>` element, a `style=` attribute, or an `on…=` event attribute.
pub fn assert_no_inline_code(path: &str, html: &str) {
    assert!(!html.contains("<style"), "{path}: a <style> element");
    assert!(!html.contains(" style="), "{path}: a style attribute");
    let mut rest = html;
    while let Some(at) = rest.find("<script") {
        let tag_end = rest[at..].find('>').expect("a closed tag") + at;
        assert!(
            rest[at..tag_end].contains(" src=\"/assets/"),
            "{path}: a script without src"
        );
        assert!(
            rest[tag_end + 1..].starts_with("</script>"),
            "{path}: a script with a body"
        );
        rest = &rest[tag_end..];
    }
    let lower = html.to_ascii_lowercase();
    for (at, _) in lower.match_indices(" on") {
        let name: String = lower[at + 3..]
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        let after = &lower[at + 3 + name.len()..];
        assert!(
            name.is_empty() || !after.starts_with('='),
            "{path}: an event attribute on{name}="
        );
    }
}
