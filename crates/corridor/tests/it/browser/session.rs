//! The browser session: Chromium through chromedriver, `corridor serve` over a demo database,
//! shared by the browser tests that run at once and stopped when the last of them ends.

use std::collections::BTreeMap;
use std::fs::File;
use std::future::Future;
use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use fantoccini::wd::{TimeoutConfiguration, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::harness::Sandbox;

/// Debian's Chromium (package `chromium`).
const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver (package `chromium-driver`), looked up on `PATH`.
const CHROMEDRIVER: &str = "chromedriver";
/// The window every page is seen in (and screenshots are taken of).
pub const WINDOW: (u32, u32) = (1280, 900);
/// The demo database the server serves, in the session's directory.
const DEMO_DATABASE: &str = "sqlite://corridor-demo.db";
/// How long chromedriver or the server may take to answer after starting. A bound on a wait,
/// not a measurement: a slow machine waits longer, a broken start fails instead of hanging.
const START_WAIT: Duration = Duration::from_secs(60);
/// How long a script (axe) or a page load may take before WebDriver gives up.
const SCRIPT_WAIT: Duration = Duration::from_secs(120);

/// What a browser test gets: the browser, signed out on a blank page, and the server.
#[derive(Debug, Clone)]
pub struct Session {
    /// The WebDriver client driving Chromium.
    pub client: Client,
    /// The server's base URL (`http://127.0.0.1:PORT`).
    pub base: String,
    /// The demo users' passwords, as `corridor demo` printed them.
    passwords: Arc<BTreeMap<String, String>>,
    /// The directory `corridor demo` ran in: its database, keys, users file and corridor.toml.
    demo: Arc<Sandbox>,
}

impl Session {
    /// The server's URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The password `corridor demo` printed for the demo user `user`.
    #[track_caller]
    pub fn password(&self, user: &str) -> &str {
        self.passwords.get(user).map_or_else(
            || panic!("`corridor demo` printed no password for `{user}`"),
            String::as_str,
        )
    }

    /// The directory the demo was built in, whose corridor.toml names the database the server
    /// serves: `session.demo().json_as("officer.ada", 0, &["case", "list"])` reads it as the CLI
    /// does.
    pub fn demo(&self) -> &Sandbox {
        &self.demo
    }
}

/// Runs a browser test: gets (or starts) the shared browser and server, waits for its turn with
/// the browser, starts it signed out, and runs `test`. Where Chromium or chromedriver is missing
/// it prints why and returns, unless `CI` is set, where it fails. When `test` fails, the server's
/// and chromedriver's logs are printed after its message.
pub fn with_browser<F, Fut>(test: F)
where
    F: FnOnce(Session) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(shared) = Shared::get() else {
        return;
    };
    let _turn = TURN.lock().unwrap_or_else(PoisonError::into_inner);
    let session = Session {
        client: shared.client.clone(),
        base: shared.base.clone(),
        passwords: Arc::clone(&shared.passwords),
        demo: Arc::clone(&shared.sandbox),
    };
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        shared.runtime.block_on(async {
            signed_out(&session.client).await;
            test(session).await;
        });
    }));
    if let Err(failure) = ran {
        eprintln!("{}", shared.logs());
        std::panic::resume_unwind(failure);
    }
}

/// A blank page and no cookies: whatever the previous test signed in as is gone.
///
/// WebDriver's Delete All Cookies deletes only the cookies of the page shown (none on a blank
/// page), so the cookies are cleared through Chromium's DevTools protocol instead, for every site
/// and path at once.
pub async fn signed_out(client: &Client) {
    client
        .goto("about:blank")
        .await
        .expect("the browser opens a blank page");
    client
        .issue_cmd(ClearBrowserCookies)
        .await
        .expect("Chromium forgets its cookies");
}

/// Chromium's `Network.clearBrowserCookies`, through chromedriver's DevTools endpoint.
#[derive(Debug)]
struct ClearBrowserCookies;

impl WebDriverCompatibleCommand for ClearBrowserCookies {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": "Network.clearBrowserCookies", "params": {} });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// The shared browser and server while some test holds them.
static SHARED: Mutex<Weak<Shared>> = Mutex::new(Weak::new());
/// The browser is one window: one test at a time uses it.
static TURN: Mutex<()> = Mutex::new(());

/// Chromium, chromedriver and the server, with the runtime the WebDriver client lives on.
#[derive(Debug)]
struct Shared {
    client: Client,
    base: String,
    passwords: Arc<BTreeMap<String, String>>,
    driver: Process,
    server: Process,
    runtime: tokio::runtime::Runtime,
    /// Kept for the server's lifetime: the pipe its first line came through.
    _server_stdout: BufReader<ChildStdout>,
    /// Holds the demo database and the logs; removed last.
    sandbox: Arc<Sandbox>,
}

impl Shared {
    /// The running shared session, or a new one; `None` where the browser is missing outside CI.
    fn get() -> Option<Arc<Self>> {
        let mut slot = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(shared) = slot.upgrade() {
            return Some(shared);
        }
        let chromedriver = match tools() {
            Ok(chromedriver) => chromedriver,
            Err(missing) if std::env::var_os("CI").is_some() => panic!(
                "the browser tests cannot run, and CI must run them: {missing}. .ci/run installs \
                 them: apt-get install chromium chromium-driver"
            ),
            Err(missing) => {
                eprintln!(
                    "browser test skipped: {missing} (apt-get install chromium chromium-driver)"
                );
                return None;
            }
        };
        let shared = Arc::new(Self::start(&chromedriver));
        *slot = Arc::downgrade(&shared);
        Some(shared)
    }

    /// Builds the demo database, starts the server and chromedriver, and opens Chromium.
    fn start(chromedriver: &Path) -> Self {
        let sandbox = Sandbox::new();
        let passwords = Arc::new(demo(&sandbox));
        let (mut server, server_stdout, base) = serve(&sandbox);
        wait_until(&format!("{base}/readyz"), &mut server, |_| true);
        let (driver, driver_url) = chromedriver_on_free_port(&sandbox, chromedriver);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the WebDriver client");
        let client = runtime.block_on(open_chromium(&driver_url, &driver));
        eprintln!(
            "browser harness: demo database in {}, corridor serve at {base}, chromedriver at {driver_url}",
            sandbox.path().display()
        );
        Self {
            client,
            base,
            passwords,
            driver,
            server,
            runtime,
            _server_stdout: server_stdout,
            sandbox: Arc::new(sandbox),
        }
    }

    /// The server's and chromedriver's logs, for a failed test's output.
    fn logs(&self) -> String {
        format!(
            "--- corridor serve (stderr)\n{}\n--- chromedriver\n{}",
            self.server.log(),
            self.driver.log()
        )
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Ends the WebDriver session, which quits Chromium, before chromedriver is killed.
        let client = self.client.clone();
        if let Err(error) = self.runtime.block_on(client.close()) {
            eprintln!(
                "the browser session did not close ({error})\n{}",
                self.logs()
            );
        }
    }
}

/// A child process, killed when dropped, with the file its output goes to.
#[derive(Debug)]
struct Process {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Process {
    /// The last 8 KiB of what it wrote.
    fn log(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = text.len().saturating_sub(8 * 1024);
        let start = (start..text.len())
            .find(|index| text.is_char_boundary(*index))
            .unwrap_or(text.len());
        text[start..].to_owned()
    }

    /// Fails the test if the process has exited.
    #[track_caller]
    fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().expect("the process's status") {
            panic!(
                "{} exited ({status}) before it answered:\n{}",
                self.name,
                self.log()
            );
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver's path, or what is missing.
fn tools() -> Result<PathBuf, String> {
    if !Path::new(CHROMIUM).exists() {
        return Err(format!("no Chromium at {CHROMIUM}"));
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(CHROMEDRIVER))
        .find(|path| path.is_file())
        .ok_or_else(|| format!("no `{CHROMEDRIVER}` on PATH"))
}

/// Runs `corridor demo` in the sandbox (it writes the database, its keys, its users file and a
/// corridor.toml naming them) and returns the passwords it printed, by user.
fn demo(sandbox: &Sandbox) -> BTreeMap<String, String> {
    let stdout = sandbox
        .corridor(&["demo", "--quiet", "--demo-database", DEMO_DATABASE])
        .code(0)
        .stdout();
    let passwords = demo_passwords(&stdout);
    assert!(
        passwords.contains_key("officer.ada"),
        "`corridor demo` printed no password for officer.ada:\n{stdout}"
    );
    passwords
}

/// The `NAME ROLE PASSWORD` lines under "Demo accounts" in `corridor demo`'s output.
fn demo_passwords(stdout: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .skip_while(|line| !line.starts_with("Demo accounts"))
        .skip(1)
        .map_while(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [user, _role, password] if line.starts_with("  ") => {
                    Some(((*user).to_owned(), (*password).to_owned()))
                }
                _ => None,
            }
        })
        .collect()
}

/// Starts `corridor serve` on a free port over the demo (its corridor.toml names the database,
/// key and users), with the system clock: cookies the browser keeps expire by its clock, so the
/// server's must be the same. Returns the process, its standard output and its base URL.
fn serve(sandbox: &Sandbox) -> (Process, BufReader<ChildStdout>, String) {
    let log = sandbox.file("server.log");
    let mut command = sandbox.real_command(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--rate-limit-burst",
        "1000000",
        "--rate-limit-per-second",
        "1000000",
    ]);
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(File::create(&log).expect("the server's log file"))
        .spawn()
        .expect("corridor serve starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("the server's stdout"));
    let mut server = Process {
        name: "corridor serve",
        child,
        log,
    };
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .expect("the server says where it listens");
    let Some(base) = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .map(|url| url.trim_end_matches('/').to_owned())
    else {
        server.assert_running();
        panic!(
            "no URL in the server's first line {line:?}:\n{}",
            server.log()
        );
    };
    (server, stdout, base)
}

/// A free port on the loopback address, as the kernel hands it out now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Starts chromedriver on a free port, its output in the sandbox, and waits until it is ready.
fn chromedriver_on_free_port(sandbox: &Sandbox, chromedriver: &Path) -> (Process, String) {
    let log = sandbox.file("chromedriver.log");
    let output = File::create(&log).expect("chromedriver's log file");
    let port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .current_dir(sandbox.path())
        .stdin(Stdio::null())
        .stdout(output.try_clone().expect("chromedriver's log file"))
        .stderr(output)
        .spawn()
        .expect("chromedriver starts");
    let mut driver = Process {
        name: "chromedriver",
        child,
        log,
    };
    let url = format!("http://127.0.0.1:{port}");
    wait_until(&format!("{url}/status"), &mut driver, |status| {
        status["value"]["ready"] == true
    });
    (driver, url)
}

/// Polls `url` until it answers 200 with JSON that `ready` accepts, failing with the process's
/// log if it exits first or [`START_WAIT`] passes.
fn wait_until(url: &str, process: &mut Process, ready: impl Fn(&serde_json::Value) -> bool) {
    let started = Instant::now();
    loop {
        let last = match ureq::get(url).call() {
            Ok(mut answer) => {
                let text = answer.body_mut().read_to_string().unwrap_or_default();
                let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                if ready(&body) {
                    return;
                }
                text
            }
            Err(error) => error.to_string(),
        };
        process.assert_running();
        assert!(
            started.elapsed() < START_WAIT,
            "{} did not answer {url} within {START_WAIT:?} (last: {last}):\n{}",
            process.name,
            process.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Opens headless Chromium through chromedriver at `driver_url`.
async fn open_chromium(driver_url: &str, driver: &Process) -> Client {
    let (width, height) = WINDOW;
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                format!("--window-size={width},{height}"),
            ],
        },
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object literal");
    };
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(driver_url)
        .await
        .unwrap_or_else(|error| {
            panic!(
                "chromedriver did not open Chromium: {error}\n{}",
                driver.log()
            )
        });
    client
        .update_timeouts(TimeoutConfiguration::new(
            Some(SCRIPT_WAIT),
            Some(SCRIPT_WAIT),
            None,
        ))
        .await
        .expect("WebDriver takes the timeouts");
    client
}

#[test]
fn the_demo_passwords_are_read_from_its_closing_lines() {
    // Proves the parser takes the indented lines under "Demo accounts" and nothing after them.
    let stdout = "Summary: 3 events\nDemo accounts (synthetic; the passwords come from the seed):\n  \
                  officer.ada      sending_officer      demo-0011223344556677\n  \
                  clerk.eve        court_clerk          demo-8899aabbccddeeff\n\
                  Explore: corridor --as officer.ada case list\n";
    let passwords = demo_passwords(stdout);
    assert_eq!(
        passwords,
        BTreeMap::from([
            ("clerk.eve".to_owned(), "demo-8899aabbccddeeff".to_owned()),
            ("officer.ada".to_owned(), "demo-0011223344556677".to_owned()),
        ])
    );
    assert!(demo_passwords("no accounts here\n").is_empty());
}
