//! corridor-api's integration tests: one binary, one module per concern.
//!
//! [`harness::spawn_app`] opens a fresh SQLite store in a temporary directory, appends events
//! through `Store::execute`, signs a checkpoint, and serves the real router on 127.0.0.1:0
//! (with a witness following its own log when [`harness::Setup::witness`] says so); tests talk
//! to it over HTTP/1.1 with hyper's client.
//!
//! The harness and every module are `#[cfg(test)]` so that clippy holds them to the rules for
//! tests (`allow-expect-in-tests` and friends in `clippy.toml`).

#[cfg(test)]
mod access;
#[cfg(test)]
mod attempts;
#[cfg(test)]
mod cases;
#[cfg(test)]
mod complaints;
#[cfg(test)]
mod existence;
#[cfg(test)]
mod fields;
#[cfg(test)]
mod fixture;
#[cfg(test)]
mod idempotency;
#[cfg(test)]
mod limits;
#[cfg(test)]
mod log;
#[cfg(test)]
mod matrix;
#[cfg(test)]
mod monitoring;
#[cfg(test)]
mod openapi;
#[cfg(test)]
mod ops;
#[cfg(test)]
mod problem;
#[cfg(test)]
mod queues;
#[cfg(test)]
mod reports;
#[cfg(test)]
mod service;
#[cfg(test)]
mod session;
#[cfg(test)]
mod statistics;
#[cfg(test)]
mod text;
#[cfg(test)]
mod users;
#[cfg(test)]
mod witness;

/// The harness: a served app per test and a small HTTP client.
#[cfg(test)]
pub mod harness {

    use std::net::SocketAddr;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use corridor_api::AppState;
    use corridor_api::limits::RateLimit;
    use corridor_domain::terms::Country;
    use corridor_domain::{Actor, CaseId, Command, Context, Outcome, Party, Role, UserId};
    use corridor_log::checkpoint::Checkpoint;
    use corridor_log::note::{Ed25519Signer, KeyName};
    use corridor_store::vault::MasterKey;
    use corridor_store::{Request, Store};
    use corridor_testkit::actor;
    use corridor_witness::{CosignClock, KnownLog, WitnessState, WitnessStore, build_witness};
    use http_body_util::{BodyExt as _, Full};
    use hyper::body::Bytes;
    use hyper::header::HeaderMap;
    use hyper_util::rt::TokioIo;
    use jiff::Timestamp;
    use tokio::net::{TcpListener, TcpStream};

    pub use corridor_testkit::{AUG_10, US_RWA};

    /// When the fixtures load agreements: before every fixture timeline starts, since no step
    /// may be dated before the last event of the agreement it reads.
    pub const AGREEMENTS_LOADED: &str = "2024-04-01T09:00:00Z";

    /// The master key of every test server.
    pub const MASTER_KEY: [u8; 32] = [7; 32];

    /// The log's origin in every test.
    pub const ORIGIN: &str = "corridor.test/log";

    /// The name of the test witness's cosigning key.
    pub const WITNESS_NAME: &str = "witness.test/w1";

    /// What a test app holds before it is served.
    #[derive(Debug, Clone, Copy)]
    pub struct Setup {
        /// Cases proposed after the agreement is loaded (one event and one leaf each).
        pub proposals: u64,
        /// The rate limit.
        pub rate_limit: RateLimit,
        /// Whether to sign a checkpoint once the events are in.
        pub checkpoint: bool,
        /// Whether session cookies carry `Secure`.
        pub secure_cookies: bool,
        /// Whether the server serves a witness ([`test_witness`]) following its own log.
        pub witness: bool,
    }

    impl Default for Setup {
        fn default() -> Self {
            Self {
                proposals: 2,
                rate_limit: RateLimit::default(),
                checkpoint: true,
                secure_cookies: false,
                witness: false,
            }
        }
    }

    /// A served app.
    #[derive(Debug)]
    pub struct TestApp {
        /// Where it listens.
        pub address: SocketAddr,
        /// The store it serves (also open in the test).
        pub store: Arc<Store>,
        /// The log's signer.
        pub signer: Ed25519Signer,
        /// The state it serves, for its accounts.
        pub state: AppState,
        /// The server's clock, in milliseconds since the epoch; starts at [`AUG_10`] and moves
        /// only when a test moves it ([`TestApp::advance`]).
        pub clock_ms: Arc<AtomicI64>,
        _dir: tempfile::TempDir,
        _shutdown: tokio::sync::oneshot::Sender<()>,
    }

    /// One HTTP answer.
    #[derive(Debug)]
    pub struct Reply {
        /// The status code.
        pub status: u16,
        /// The headers.
        pub headers: HeaderMap,
        /// The body.
        pub body: Vec<u8>,
    }

    impl Reply {
        /// A header as text, or "" when absent.
        pub fn header(&self, name: &str) -> &str {
            self.headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("")
        }

        /// The body as text.
        pub fn text(&self) -> String {
            String::from_utf8(self.body.clone()).expect("a UTF-8 body")
        }

        /// The body as JSON.
        pub fn json(&self) -> serde_json::Value {
            serde_json::from_slice(&self.body)
                .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.text()))
        }

        /// Asserts the answer is a problem of this status and code, and returns its body.
        #[track_caller]
        pub fn problem(&self, status: u16, code: &str) -> serde_json::Value {
            assert_eq!(
                self.status,
                status,
                "{}",
                String::from_utf8_lossy(&self.body)
            );
            assert_eq!(self.header("content-type"), "application/problem+json");
            let body = self.json();
            assert_eq!(body["status"], status);
            assert_eq!(body["code"], code);
            assert_eq!(
                body["type"],
                format!("https://corridor.invalid/problems/{code}")
            );
            body
        }
    }

    fn context(actor: Actor) -> Context {
        Context {
            now: AUG_10.parse::<Timestamp>().expect("a moment"),
            actor,
        }
    }

    /// A proposal of a synthetic person as case `id`, sealed, with its wrapped key.
    fn proposal(id: u64) -> (Command, Vec<(CaseId, Vec<u8>)>) {
        corridor_testkit::sealed::proposal(
            id,
            &format!("Synthetic Person {id}"),
            &MasterKey::from_bytes(MASTER_KEY),
        )
    }

    /// The default app: the US–Rwanda agreement and two proposals, checkpointed.
    pub async fn spawn_app() -> TestApp {
        spawn_app_with(Setup::default()).await
    }

    /// An app set up as `setup` says.
    pub async fn spawn_app_with(setup: Setup) -> TestApp {
        let dir = tempfile::Builder::new()
            .prefix("corridor-api-")
            .tempdir()
            .expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("corridor.db").display());
        let store = Store::open(&url, true)
            .await
            .expect("the store creates its database");
        store
            .configure_log(Some(ORIGIN), Some([9; 32]))
            .await
            .expect("the log is configured");
        let text = std::fs::read_to_string(US_RWA).expect("the shipped agreement");
        let load = Command::LoadAgreement {
            file_name: "us-rwa-2025.toml".to_owned(),
            text,
        };
        let admin = Context {
            now: AGREEMENTS_LOADED.parse().expect("a moment"),
            actor: actor("admin", Role::Admin, Party::None),
        };
        let loaded = store
            .execute(&load, &admin, None, &[])
            .await
            .expect("the agreement loads");
        assert!(matches!(loaded.outcome, Outcome::Accepted(_)), "{loaded:?}");
        let officer = context(actor(
            "officer.ada",
            Role::SendingOfficer,
            Party::State(Country::parse("USA").expect("USA")),
        ));
        let proposals: Vec<_> = (1..=setup.proposals)
            .map(|id| proposal(0x1000 + id))
            .collect();
        let requests: Vec<Request<'_>> = proposals
            .iter()
            .map(|(command, keys)| Request {
                command,
                context: &officer,
                expected_version: None,
                new_case_keys: keys,
            })
            .collect();
        for result in store
            .execute_many(&requests)
            .await
            .expect("the proposals commit")
        {
            let executed = result.expect("a proposal");
            assert!(
                matches!(executed.outcome, Outcome::Accepted(_)),
                "{executed:?}"
            );
        }
        let signer = Ed25519Signer::from_seed(KeyName::new(ORIGIN).expect("a key name"), &[5; 32]);
        if setup.checkpoint {
            let (size, root) = store.tree_head().await.expect("the tree head");
            let note = Checkpoint::new(ORIGIN, size, root)
                .expect("a checkpoint")
                .sign(&signer)
                .expect("signed");
            store
                .record_checkpoint(
                    size,
                    &root,
                    &note.to_text(),
                    AUG_10.parse().expect("a moment"),
                )
                .await
                .expect("the checkpoint is recorded");
        }
        let store = Arc::new(store);
        let start: Timestamp = AUG_10.parse().expect("a moment");
        let clock_ms = Arc::new(AtomicI64::new(start.as_millisecond()));
        let read = Arc::clone(&clock_ms);
        let clock: corridor_api::Clock = Arc::new(move || {
            Timestamp::from_millisecond(read.load(Ordering::SeqCst)).unwrap_or_default()
        });
        let witness = if setup.witness {
            Some(test_witness(dir.path(), &signer).await)
        } else {
            None
        };
        let state = app_state_with(
            store.clone(),
            setup.rate_limit,
            clock,
            setup.secure_cookies,
            witness,
        )
        .await;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("the bound address");
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(corridor_api::serve(listener, state.clone(), async move {
            let _ = stop.await;
        }));
        TestApp {
            address,
            store,
            signer,
            state,
            clock_ms,
            _dir: dir,
            _shutdown: shutdown,
        }
    }

    /// The state of a test server over `store`: its accounts, the shipped policies, a fixed
    /// master key.
    pub async fn app_state(
        store: Arc<Store>,
        rate_limit: RateLimit,
        clock: corridor_api::Clock,
    ) -> AppState {
        app_state_with(store, rate_limit, clock, false, None).await
    }

    /// [`app_state`], with session cookies `Secure` or not, serving `witness` or none.
    pub async fn app_state_with(
        store: Arc<Store>,
        rate_limit: RateLimit,
        clock: corridor_api::Clock,
        secure_cookies: bool,
        witness: Option<WitnessState>,
    ) -> AppState {
        let accounts = corridor_accounts::Accounts::from_pool(store.pool().clone())
            .await
            .expect("the accounts open");
        let authz = corridor_authz::Authz::load().expect("the shipped policies load");
        let mut config = corridor_api::ServerConfig::new(store, accounts, Arc::new(authz));
        config.master = Some(MasterKey::from_bytes(MASTER_KEY));
        config.rate_limit = rate_limit;
        config.clock = clock;
        config.secure_cookies = secure_cookies;
        config.witness = witness;
        AppState::new(config)
    }

    /// A witness that follows the test log (origin [`ORIGIN`], signed by `log`), with a
    /// cosigning key named [`WITNESS_NAME`], over a fresh SQLite database of its own in `dir`,
    /// its clock fixed at [`AUG_10`].
    pub async fn test_witness(dir: &std::path::Path, log: &Ed25519Signer) -> WitnessState {
        let key = corridor_witness::generate_cosigner_key(
            corridor_log::keys::Algorithm::Ed25519,
            WITNESS_NAME,
            &[11; 32],
        )
        .expect("a cosigning key");
        let followed = KnownLog::from_verifier_key(&log.verifier().to_key_string())
            .expect("the log's verifier key");
        let witness = build_witness(&key, &[followed]).expect("a witness");
        let url = format!("sqlite://{}", dir.join("witness.db").display());
        let store = WitnessStore::open(&url, true)
            .await
            .expect("the witness creates its database");
        let now = AUG_10.parse::<Timestamp>().expect("a moment").as_second();
        WitnessState::new(
            witness,
            store,
            CosignClock::fixed(u64::try_from(now).expect("after 1970")),
        )
    }

    /// The password of every user [`TestApp::add_user`] adds.
    pub const PASSWORD: &str = "correct horse battery staple";

    /// A logged-in browser: the session cookie to send and the CSRF token for unsafe requests.
    #[derive(Debug, Clone)]
    pub struct Browser {
        /// `corridor_session=<id>`, as a `Cookie` header sends it.
        pub cookie: String,
        /// The session's CSRF token.
        pub csrf: String,
    }

    impl Browser {
        /// The headers of a request from this browser: the cookie, the CSRF token when `csrf`,
        /// and a JSON content type.
        pub fn headers(&self, csrf: bool) -> Vec<(&str, &str)> {
            let mut headers = vec![
                ("cookie", self.cookie.as_str()),
                ("content-type", "application/json"),
            ];
            if csrf {
                headers.push(("x-csrf-token", self.csrf.as_str()));
            }
            headers
        }
    }

    impl TestApp {
        /// Moves the server's clock forward by `span`.
        pub fn advance(&self, span: jiff::SignedDuration) {
            let span_ms = i64::try_from(span.as_millis()).expect("a span in range");
            self.clock_ms.fetch_add(span_ms, Ordering::SeqCst);
        }

        /// The server's clock now.
        pub fn now(&self) -> Timestamp {
            Timestamp::from_millisecond(self.clock_ms.load(Ordering::SeqCst)).expect("a moment")
        }

        /// Adds a user with [`PASSWORD`] straight through the accounts.
        pub async fn add_user(&self, name: &str, role: Role, party: Party) {
            self.state
                .accounts()
                .add_user(
                    &UserId::parse(name).expect("a user id"),
                    role,
                    &party,
                    PASSWORD,
                    self.now(),
                )
                .await
                .expect("the user is added");
        }

        /// `POST /api/session` with this user and password.
        pub async fn login_reply(&self, user: &str, password: &str) -> Reply {
            let body = serde_json::json!({ "user": user, "password": password });
            self.request(
                "POST",
                "/api/session",
                &[("content-type", "application/json")],
                body.to_string().into_bytes(),
            )
            .await
        }

        /// Logs `user` in with [`PASSWORD`].
        pub async fn login(&self, user: &str) -> Browser {
            let reply = self.login_reply(user, PASSWORD).await;
            assert_eq!(reply.status, 200, "{}", reply.text());
            let set_cookie = reply.header("set-cookie");
            let cookie = set_cookie.split(';').next().expect("a cookie").to_owned();
            let csrf = reply.json()["csrf_token"]
                .as_str()
                .expect("a CSRF token")
                .to_owned();
            Browser { cookie, csrf }
        }

        /// `GET path`.
        pub async fn get(&self, path: &str) -> Reply {
            self.request("GET", path, &[], Vec::new()).await
        }

        /// Any request, on a connection of its own.
        pub async fn request(
            &self,
            method: &str,
            path: &str,
            headers: &[(&str, &str)],
            body: Vec<u8>,
        ) -> Reply {
            let stream = TcpStream::connect(self.address)
                .await
                .expect("the server accepts");
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .expect("an HTTP/1.1 connection");
            tokio::spawn(connection);
            let mut request = hyper::Request::builder()
                .method(method)
                .uri(path)
                .header("host", self.address.to_string());
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let request = request
                .body(Full::new(Bytes::from(body)))
                .expect("a request");
            let response = sender.send_request(request).await.expect("an answer");
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response
                .into_body()
                .collect()
                .await
                .expect("the body")
                .to_bytes()
                .to_vec();
            Reply {
                status,
                headers,
                body,
            }
        }
    }
}
