//! corridor-api's integration tests: one binary, one module per concern.
//!
//! [`harness::spawn_app`] opens a fresh SQLite store in a temporary directory, appends events
//! through `Store::execute`, signs a checkpoint, and serves the real router on 127.0.0.1:0;
//! tests talk to it over HTTP/1.1 with hyper's client.
//!
//! The harness and every module are `#[cfg(test)]` so that clippy holds them to the rules for
//! tests (`allow-expect-in-tests` and friends in `clippy.toml`).

#[cfg(test)]
mod limits;
#[cfg(test)]
mod log;
#[cfg(test)]
mod ops;
#[cfg(test)]
mod problem;

/// The harness: a served app per test and a small HTTP client.
#[cfg(test)]
pub mod harness {
    use std::collections::BTreeSet;
    use std::net::SocketAddr;
    use std::sync::Arc;

    use corridor_api::AppState;
    use corridor_api::limits::RateLimit;
    use corridor_domain::terms::{AgreementId, Country, Sex};
    use corridor_domain::{
        Actor, CaseId, Command, Context, Label, Language, Outcome, Party, PersonFacts,
        PersonalData, Role, UserId,
    };
    use corridor_log::checkpoint::Checkpoint;
    use corridor_log::note::{Ed25519Signer, KeyName};
    use corridor_store::vault::{self, MasterKey};
    use corridor_store::{Request, Store};
    use http_body_util::{BodyExt as _, Full};
    use hyper::body::Bytes;
    use hyper::header::HeaderMap;
    use hyper_util::rt::TokioIo;
    use jiff::Timestamp;
    use tokio::net::{TcpListener, TcpStream};

    /// The shipped United States–Rwanda agreement file.
    pub const US_RWA: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../agreements/us-rwa-2025.toml"
    );

    /// A moment in August 2025, after the US–Rwanda agreement came into force (1 Aug 2025).
    pub const AUG_10: &str = "2025-08-10T09:00:00Z";

    /// The log's origin in every test.
    pub const ORIGIN: &str = "corridor.test/log";

    /// What a test app holds before it is served.
    #[derive(Debug, Clone, Copy)]
    pub struct Setup {
        /// Cases proposed after the agreement is loaded (one event and one leaf each).
        pub proposals: u64,
        /// The rate limit.
        pub rate_limit: RateLimit,
        /// Whether to sign a checkpoint once the events are in.
        pub checkpoint: bool,
    }

    impl Default for Setup {
        fn default() -> Self {
            Self {
                proposals: 2,
                rate_limit: RateLimit::default(),
                checkpoint: true,
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

    fn actor(user: &str, role: Role, party: Party) -> Actor {
        Actor {
            user: UserId::parse(user).expect("a user id"),
            role,
            party,
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
        let case = CaseId::from_u64(id);
        let master = MasterKey::from_bytes([7; 32]);
        let case_key = [id.to_le_bytes()[0]; 32];
        let personal = PersonalData {
            name: format!("Synthetic Person {id}"),
            ..PersonalData::default()
        };
        let facts = PersonFacts {
            birth_date: "1990-04-12".parse().expect("a date"),
            nationality: Country::parse("VEN").expect("VEN"),
            sex: Sex::Male,
            vulnerabilities: BTreeSet::new(),
            feared_countries: BTreeSet::new(),
            protected_countries: BTreeSet::new(),
            languages: [Language::parse("es").expect("es")].into_iter().collect(),
            legal_basis: Label::parse("ina_241").expect("a label"),
            designation: None,
            detention_place: None,
            removal_ordered_on: "2025-03-03".parse().expect("a date"),
            health_data_consent: false,
        };
        let command = Command::Propose {
            case,
            agreement: AgreementId::parse("us-rwa-2025").expect("an agreement id"),
            facts,
            counsel: None,
            personal: vault::seal(case, &case_key, [1; vault::NONCE_BYTES], &personal),
        };
        (
            command,
            vec![(case, master.wrap(case, &case_key, [2; vault::NONCE_BYTES]))],
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
        let admin = context(actor("admin", Role::Admin, Party::None));
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
        let clock: corridor_api::Clock = Arc::new(|| AUG_10.parse().unwrap_or_default());
        let state = AppState::with(store.clone(), setup.rate_limit, clock);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("the bound address");
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(corridor_api::serve(listener, state, async move {
            let _ = stop.await;
        }));
        TestApp {
            address,
            store,
            signer,
            _dir: dir,
            _shutdown: shutdown,
        }
    }

    impl TestApp {
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
