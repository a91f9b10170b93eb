//! corridor-witness's integration tests, in one binary: the real server on 127.0.0.1 port 0
//! over a fresh database, driven by the crate's client and by raw HTTP for bodies the client
//! would never send.
#![expect(
    clippy::unwrap_used,
    reason = "test fixtures should fail loudly, not propagate errors"
)]

mod client;
mod config;
mod fork;
mod monitoring;
mod persistence;
mod status;

use corridor_log::Hash;
use corridor_log::checkpoint::Checkpoint;
use corridor_log::note::{Ed25519Signer, KeyName};
use corridor_log::tree::{self, MemoryTree, consistency_proof};
use corridor_log::witness::AddCheckpointRequest;
use corridor_witness::{CosignClock, KnownLog, WitnessState, WitnessStore, build_witness};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::{Request, header};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The origin of the test log, and its key's name.
pub const LOG_ORIGIN: &str = "corridor.example/log";
/// The name of the test witness's cosigning key.
pub const WITNESS_NAME: &str = "witness.example/w1";
/// The time the test witness's clock reads.
pub const NOW_SECONDS: u64 = 1_750_000_000;

/// A 32-byte seed derived from a label, for tests only.
pub fn seed(label: &str) -> [u8; 32] {
    corridor_log::hash::sha256(label.as_bytes()).to_bytes()
}

/// An Ed25519 note signer named `name`, from a seed derived from `label`.
pub fn signer(name: &str, label: &str) -> Ed25519Signer {
    Ed25519Signer::from_seed(KeyName::new(name).unwrap(), &seed(label))
}

/// The test log's real signing key.
pub fn log_signer() -> Ed25519Signer {
    signer(LOG_ORIGIN, "the log's key")
}

/// The test witness's cosigning key string.
pub fn witness_key() -> String {
    corridor_witness::generate_cosigner_key(
        corridor_log::keys::Algorithm::Ed25519,
        WITNESS_NAME,
        &seed("the witness's key"),
    )
    .unwrap()
}

/// A log: a Merkle tree whose entries are named by segments, so that two logs share exactly
/// the prefix whose segments they share. `segments` lists `(end, label)`: the entries from the
/// previous segment's end up to `end` are `label/<index>`.
#[derive(Debug)]
pub struct Log {
    tree: MemoryTree,
}

impl Log {
    pub fn new(segments: &[(u64, &str)]) -> Self {
        let mut tree = MemoryTree::new();
        for (end, label) in segments {
            while tree.size() < *end {
                tree.append_entry(format!("{label}/{}", tree.size()).as_bytes())
                    .unwrap();
            }
        }
        Self { tree }
    }

    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    pub fn checkpoint(&self, size: u64) -> Checkpoint {
        Checkpoint::new(LOG_ORIGIN, size, tree::root(&self.tree, size).unwrap()).unwrap()
    }

    /// The checkpoint of `size`, signed by the log's key.
    pub fn signed(&self, size: u64) -> String {
        self.checkpoint(size).sign(&log_signer()).unwrap().to_text()
    }

    pub fn proof(&self, old_size: u64, new_size: u64) -> Vec<Hash> {
        consistency_proof(&self.tree, old_size, new_size).unwrap()
    }

    /// The honest add-checkpoint body for `old_size -> new_size`.
    pub fn body(&self, old_size: u64, new_size: u64) -> Vec<u8> {
        AddCheckpointRequest::encode(
            old_size,
            &self.proof(old_size, new_size),
            &self.signed(new_size),
        )
        .into_bytes()
    }
}

pub use corridor_store::Backend;

/// Every backend the tests of what the database must guarantee run on: SQLite, and PostgreSQL
/// unless `CORRIDOR_TEST_SKIP_POSTGRES=1`.
pub fn backends() -> Vec<Backend> {
    corridor_store::testing::backends()
}

/// A fresh, empty database with a unique name, from the workspace's one test-database helper.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    inner: corridor_store::testing::TestDatabase,
}

impl TestDatabase {
    pub async fn fresh(backend: Backend) -> Self {
        let inner = corridor_store::testing::TestDatabase::create(backend, "witness")
            .await
            .unwrap();
        Self {
            url: inner.url().to_owned(),
            inner,
        }
    }

    /// Drops a PostgreSQL database (an SQLite one goes with its temporary directory).
    pub async fn remove(self) {
        self.inner.remove().await.unwrap();
    }
}

/// A witness server running on 127.0.0.1.
#[derive(Debug)]
pub struct TestWitness {
    /// The witness's URL prefix, `http://127.0.0.1:<port>`.
    pub url: String,
    pub state: WitnessState,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

/// Starts the witness following the test log, over the database at `database_url`, with the
/// clock fixed at [`NOW_SECONDS`].
pub async fn spawn_witness(database_url: &str) -> TestWitness {
    spawn_witness_with_key(database_url, &witness_key()).await
}

/// [`spawn_witness`], cosigning with the private key string `key`.
pub async fn spawn_witness_with_key(database_url: &str, key: &str) -> TestWitness {
    let witness = build_witness(
        key,
        &[KnownLog::from_verifier_key(&log_signer().verifier().to_key_string()).unwrap()],
    )
    .unwrap();
    let store = WitnessStore::open(database_url, true).await.unwrap();
    let state = WitnessState::new(witness, store, CosignClock::fixed(NOW_SECONDS));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(corridor_witness::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));
    TestWitness {
        url,
        state,
        shutdown,
        server,
    }
}

impl TestWitness {
    /// Stops the server and closes its database.
    pub async fn stop(self) {
        self.shutdown.send(()).unwrap();
        self.server.await.unwrap().unwrap();
        self.state.store().close().await;
    }

    /// Sends `body` to add-checkpoint as is.
    pub async fn post(&self, body: Vec<u8>) -> RawAnswer {
        self.send(Request::post("/add-checkpoint"), body).await
    }

    /// Sends a GET for `path`.
    pub async fn get(&self, path: &str) -> RawAnswer {
        self.send(Request::get(path), Vec::new()).await
    }

    async fn send(&self, request: hyper::http::request::Builder, body: Vec<u8>) -> RawAnswer {
        let address = self.url.strip_prefix("http://").unwrap();
        let stream = TcpStream::connect(address).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        let driver = tokio::spawn(connection);
        let request = request
            .header(header::HOST, address)
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        drop(sender);
        driver.await.unwrap().unwrap();
        RawAnswer {
            status,
            content_type,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }
}

/// An HTTP answer as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAnswer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}
