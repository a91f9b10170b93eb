//! `--server URL`: the agreement, case, hold and tick commands carried out by a running
//! `corridor serve` over its JSON API, instead of on a local database.
//!
//! Each command becomes the request the API documents (`/api/openapi.json`), authenticated with
//! `--token` as `Authorization: Bearer …`. The answers are the API's JSON, which `backend.rs` reads
//! back into the typed values the local side answers with, so `commands.rs` prints them the same
//! way; a problem becomes an [`Answer`] and so the same exit status.
//!
//! A command on a case needs the version it is decided against (`If-Match`): `--expect-version
//! N` sends `"N"`; without it the case is read first and its `ETag` sent, which is the version
//! the caller just saw (a read that is itself recorded).
//!
//! Plain HTTP by default: the default build carries no TLS stack. Build with the `tls` feature
//! for `https://` (rustls, the webpki roots), or reach a remote server through a
//! TLS-terminating proxy or a tunnel on this machine; a token sent in the clear to another host
//! is warned about.

use std::time::Duration;

use anyhow::anyhow;
use corridor_app::ErrorKind;
use corridor_app::access::AccessQuery;
use corridor_app::complaints::NewComplaint;
use corridor_app::monitoring::{NewFinding, NewVisit};
use corridor_app::report::ReportQuery;
use corridor_app::service::{CaseQuery, NewCase, NewHold};
use corridor_domain::monitoring::{FindingOutcome, Seen};
use corridor_domain::terms::{AgreementId, AgreementStatus};
use corridor_domain::{CaseId, Command, ComplaintId, FindingId, HoldId, HoldScope, VisitId};
use jiff::civil::Date;
use serde_json::{Map, Value, json};

use crate::backend::{Answer, ComplaintWork, Failure, RequestResult};
use crate::entropy::Entropy;

/// How long one request may take, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Largest answer read from the server.
pub const RESPONSE_BYTES_MAX: u64 = 32 * 1024 * 1024;

/// Most agreements whose cases one `case list` without `--agreement` gathers.
pub const AGREEMENTS_LISTED_MAX: usize = 1_000;

/// A connection to a corridor server.
#[derive(Debug, Clone)]
pub struct Remote {
    base: String,
    token: Option<String>,
    agent: ureq::Agent,
}

/// What the server answered to a request that succeeded.
#[derive(Debug)]
struct Success {
    /// The body.
    body: Value,
    /// The version in `ETag`, when there is one.
    etag: Option<u64>,
}

/// A request to send.
#[derive(Debug, Clone)]
struct Call {
    /// The answer is text (a report), not JSON.
    text: bool,
    post: bool,
    path: String,
    if_match: Option<u64>,
    idempotency_key: Option<String>,
    body: Option<Value>,
}

impl Call {
    fn get(path: String) -> Self {
        Self {
            text: false,
            post: false,
            path,
            if_match: None,
            idempotency_key: None,
            body: None,
        }
    }

    fn post(path: String, body: Option<Value>) -> Self {
        Self {
            text: false,
            post: true,
            path,
            if_match: None,
            idempotency_key: None,
            body,
        }
    }
}

impl Remote {
    /// A connection to the server at `url` (`http://host:port`), authenticated with `token`
    /// when given.
    pub fn new(url: &str, token: Option<&str>) -> anyhow::Result<Self> {
        let base = url.trim().trim_end_matches('/').to_owned();
        let (rest, encrypted) = match (base.strip_prefix("http://"), base.strip_prefix("https://"))
        {
            (Some(rest), _) => (rest, false),
            (None, Some(rest)) if cfg!(feature = "tls") => (rest, true),
            (None, Some(_)) => anyhow::bail!(
                "--server: this build of corridor speaks plain HTTP only (build it with the `tls` \
                 feature for https://); or reach `{base}` through a TLS-terminating proxy or a \
                 tunnel on this machine (http://127.0.0.1:PORT)"
            ),
            (None, None) => anyhow::bail!(
                "--server: `{base}` is not an http:// URL (e.g. http://127.0.0.1:8080)"
            ),
        };
        let host = rest.split('/').next().unwrap_or(rest);
        if host.is_empty() {
            anyhow::bail!("--server: `{base}` names no host");
        }
        let token = token.map(str::trim).filter(|token| !token.is_empty());
        let hostname = host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                name
            } else {
                host
            }
        });
        if token.is_some() && !encrypted && !matches!(hostname, "127.0.0.1" | "localhost" | "[::1]")
        {
            eprintln!(
                "warning: --server is plain HTTP to `{hostname}`: the token travels in the clear"
            );
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(REQUEST_TIMEOUT))
            .build()
            .new_agent();
        Ok(Self {
            base,
            token: token.map(str::to_owned),
            agent,
        })
    }

    /// Sends `call` and reads the answer, off the async runtime's threads.
    async fn send(&self, call: Call) -> Result<Success, Failure> {
        let remote = self.clone();
        tokio::task::spawn_blocking(move || remote.send_blocking(&call))
            .await
            .map_err(|error| Failure::Error(anyhow!("the request task failed: {error}")))?
    }

    fn send_blocking(&self, call: &Call) -> Result<Success, Failure> {
        let url = format!("{}{}", self.base, call.path);
        let unreachable = |error: ureq::Error| {
            Failure::Error(anyhow!("cannot reach the server at {url}: {error}"))
        };
        let mut response = if call.post {
            let mut request = self.agent.post(&url).header("accept", "application/json");
            if let Some(token) = &self.token {
                request = request.header("authorization", &format!("Bearer {token}"));
            }
            if let Some(version) = call.if_match {
                request = request.header("if-match", &format!("\"{version}\""));
            }
            if let Some(key) = &call.idempotency_key {
                request = request.header("idempotency-key", key);
            }
            match &call.body {
                Some(body) => request
                    .header("content-type", "application/json")
                    .send(body.to_string())
                    .map_err(unreachable)?,
                None => request.send_empty().map_err(unreachable)?,
            }
        } else {
            let mut request = self.agent.get(&url).header("accept", "application/json");
            if let Some(token) = &self.token {
                request = request.header("authorization", &format!("Bearer {token}"));
            }
            request.call().map_err(unreachable)?
        };
        let status = response.status().as_u16();
        let etag = response
            .headers()
            .get("etag")
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.trim().trim_matches('"').parse::<u64>().ok());
        let bytes = response
            .body_mut()
            .with_config()
            .limit(RESPONSE_BYTES_MAX)
            .read_to_vec()
            .map_err(|error| Failure::Error(anyhow!("reading the answer of {url}: {error}")))?;
        if call.text && (200..300).contains(&status) {
            let text = String::from_utf8(bytes).map_err(|_| {
                Failure::Error(anyhow!("the server's answer to {url} is not UTF-8 text"))
            })?;
            return Ok(Success {
                body: Value::String(text),
                etag,
            });
        }
        let body: Option<Value> = serde_json::from_slice(&bytes).ok();
        if (200..300).contains(&status) {
            let body = body.ok_or_else(|| {
                Failure::Error(anyhow!("the server's answer to {url} is not JSON"))
            })?;
            return Ok(Success { body, etag });
        }
        let answer = match &body {
            Some(problem) => Answer::from_problem_json(status, problem),
            None => Answer {
                code: String::new(),
                detail: format!(
                    "the server answered {status} {}",
                    String::from_utf8_lossy(&bytes).trim()
                ),
                ..Answer::from_problem_json(status, &Value::Null)
            },
        };
        if status >= 500 {
            return Err(Failure::Error(anyhow!(
                "the server at {} could not do it ({status}{}): {}",
                self.base,
                if answer.code.is_empty() {
                    String::new()
                } else {
                    format!(" {}", answer.code)
                },
                answer.detail
            )));
        }
        Err(Failure::Answer(answer))
    }

    async fn body(&self, call: Call) -> RequestResult<Value> {
        self.send(call).await.map(|success| success.body)
    }

    /// `GET /api/agreements`.
    pub async fn list_agreements(&self) -> RequestResult<Value> {
        self.body(Call::get("/api/agreements".to_owned())).await
    }

    /// `GET /api/agreements/{agreement}`.
    pub async fn read_agreement(&self, id: &AgreementId) -> RequestResult<Value> {
        self.body(Call::get(format!("/api/agreements/{id}"))).await
    }

    /// `POST /api/agreements`.
    pub async fn load_agreement(&self, file_name: &str, text: &str) -> RequestResult<Value> {
        let body = json!({"file_name": file_name, "text": text});
        self.body(Call::post("/api/agreements".to_owned(), Some(body)))
            .await
    }

    /// `POST /api/agreements/{agreement}/status`.
    pub async fn change_agreement_status(
        &self,
        id: &AgreementId,
        status: AgreementStatus,
        on: Option<Date>,
    ) -> RequestResult<Value> {
        let mut body = json!({"status": status.as_str()});
        if let (Some(on), Some(object)) = (on, body.as_object_mut()) {
            object.insert("on".to_owned(), json!(on.to_string()));
        }
        self.body(Call::post(
            format!("/api/agreements/{id}/status"),
            Some(body),
        ))
        .await
    }

    /// `POST /api/agreements/{agreement}/cases`.
    pub async fn propose(&self, agreement: &AgreementId, new: &NewCase) -> RequestResult<Value> {
        let facts = &new.facts;
        let texts =
            |items: &mut dyn Iterator<Item = String>| Value::from(items.collect::<Vec<_>>());
        let mut body = Map::new();
        body.insert("name".to_owned(), json!(new.personal.name));
        body.insert("birth_date".to_owned(), json!(facts.birth_date.to_string()));
        body.insert(
            "nationality".to_owned(),
            json!(facts.nationality.to_string()),
        );
        body.insert("sex".to_owned(), json!(facts.sex.as_str()));
        body.insert(
            "vulnerabilities".to_owned(),
            texts(&mut facts.vulnerabilities.iter().map(|v| v.as_str().to_owned())),
        );
        body.insert(
            "feared_countries".to_owned(),
            texts(&mut facts.feared_countries.iter().map(ToString::to_string)),
        );
        body.insert(
            "protected_countries".to_owned(),
            texts(&mut facts.protected_countries.iter().map(ToString::to_string)),
        );
        body.insert(
            "languages".to_owned(),
            texts(&mut facts.languages.iter().map(ToString::to_string)),
        );
        body.insert(
            "legal_basis".to_owned(),
            json!(facts.legal_basis.to_string()),
        );
        if let Some(designation) = &facts.designation {
            body.insert("designation".to_owned(), json!(designation.to_string()));
        }
        if let Some(place) = &facts.detention_place {
            body.insert("detention_place".to_owned(), json!(place.to_string()));
        }
        body.insert(
            "removal_ordered_on".to_owned(),
            json!(facts.removal_ordered_on.to_string()),
        );
        body.insert(
            "health_data_consent".to_owned(),
            json!(facts.health_data_consent),
        );
        body.insert("documents".to_owned(), json!(new.personal.documents));
        if let Some(contact) = &new.personal.contact {
            body.insert("contact".to_owned(), json!(contact));
        }
        if let Some(health) = &new.personal.health {
            body.insert("health".to_owned(), json!(health));
        }
        if let Some(counsel) = &new.counsel {
            body.insert("counsel".to_owned(), json!(counsel.to_string()));
        }
        self.create(
            format!("/api/agreements/{agreement}/cases"),
            Value::Object(body),
            new.idempotency_key.as_deref(),
            "proposing the case twice",
        )
        .await
    }

    /// `POST`s a creation (a proposal, a hold) with an `Idempotency-Key`: `key`, or one drawn
    /// now, so that a creation whose answer is lost can be finished rather than repeated; the
    /// error of a lost answer names the key and says what running again avoids (`twice`).
    async fn create(
        &self,
        path: String,
        body: Value,
        key: Option<&str>,
        twice: &str,
    ) -> RequestResult<Value> {
        let key = match key {
            Some(key) => key.to_owned(),
            None => hex::encode(Entropy::System.array::<16>()?),
        };
        let mut call = Call::post(path, Some(body));
        call.idempotency_key = Some(key.clone());
        self.body(call).await.map_err(|failure| match failure {
            Failure::Error(error) => Failure::Error(error.context(format!(
                "it may or may not have been done: run the same command again with \
                 --idempotency-key {key} to finish it without {twice}"
            ))),
            answer => answer,
        })
    }

    /// `GET /api/cases/{case}`: the view and its version.
    pub async fn read_case(&self, id: CaseId) -> Result<(Value, Option<u64>), Failure> {
        let success = self.send(Call::get(format!("/api/cases/{id}"))).await?;
        let version = success
            .etag
            .or_else(|| success.body.get("version").and_then(Value::as_u64));
        Ok((success.body, version))
    }

    /// `GET /api/cases/{case}/history`.
    pub async fn read_history(&self, id: CaseId) -> RequestResult<Value> {
        self.body(Call::get(format!("/api/cases/{id}/history")))
            .await
    }

    /// `GET /api/agreements/{agreement}/cases`; without an agreement, every agreement's whose
    /// cases the caller may list, merged in id order.
    pub async fn list_cases(&self, query: &CaseQuery) -> RequestResult<Value> {
        let mut parameters = vec![format!("limit={}", query.limit)];
        if let Some(status) = query.status {
            parameters.push(format!("status={}", status.as_str()));
        }
        if let Some(after) = query.after {
            parameters.push(format!("after={after}"));
        }
        let parameters = parameters.join("&");
        let page =
            |agreement: &str| Call::get(format!("/api/agreements/{agreement}/cases?{parameters}"));
        if let Some(agreement) = &query.agreement {
            return self.body(page(agreement.as_str())).await;
        }
        let listed = self.list_agreements().await?;
        let ids: Vec<String> = listed
            .get("agreements")
            .and_then(Value::as_array)
            .map(|agreements| {
                agreements
                    .iter()
                    .filter_map(|agreement| agreement.get("id").and_then(Value::as_str))
                    .map(str::to_owned)
                    .take(AGREEMENTS_LISTED_MAX)
                    .collect()
            })
            .unwrap_or_default();
        let mut cases: Vec<Value> = Vec::new();
        let mut denied = None;
        let mut any_listed = false;
        for id in &ids {
            match self.send(page(id)).await {
                Ok(success) => {
                    any_listed = true;
                    if let Some(found) = success.body.get("cases").and_then(Value::as_array) {
                        cases.extend(found.iter().cloned());
                    }
                }
                // Agreements whose cases the caller may not list are left out, as locally.
                Err(Failure::Answer(answer)) if answer.kind == Some(ErrorKind::NotPermitted) => {
                    denied = Some(answer)
                }
                Err(other) => return Err(other),
            }
        }
        if !any_listed && let Some(answer) = denied {
            return Err(Failure::Answer(answer));
        }
        cases.sort_by(|a, b| {
            let id = |case: &Value| case.get("case").and_then(Value::as_str).map(str::to_owned);
            id(a).cmp(&id(b))
        });
        cases.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        Ok(json!({"cases": cases, "next": Value::Null}))
    }

    /// A command on a case: `POST /api/cases/{case}/…` with `If-Match`.
    pub async fn case_command(
        &self,
        command: &Command,
        expected_version: Option<u64>,
    ) -> RequestResult<Value> {
        let case = command
            .case()
            .ok_or_else(|| Failure::Error(anyhow!("not a command on a case")))?;
        let (verb, body) = case_route(command)?;
        let version = match expected_version {
            Some(version) => version,
            None => self.current_version(case).await?,
        };
        let mut call = Call::post(format!("/api/cases/{case}/{verb}"), body);
        call.if_match = Some(version);
        self.body(call).await
    }

    /// The version of `case` as the caller sees it now, for `If-Match`.
    async fn current_version(&self, case: CaseId) -> Result<u64, Failure> {
        match self.read_case(case).await {
            Ok((_, Some(version))) => Ok(version),
            Ok((_, None)) => Err(Failure::Error(anyhow!(
                "the server sent no version of {case}; pass --expect-version N"
            ))),
            Err(Failure::Answer(answer)) if answer.kind == Some(ErrorKind::NotPermitted) => {
                Err(Failure::Answer(Answer {
                    detail: format!(
                        "{} — reading {case} for its version was refused; pass --expect-version N",
                        answer.detail
                    ),
                    ..answer
                }))
            }
            Err(other) => Err(other),
        }
    }

    /// `GET /api/agreements/{agreement}/access-records`.
    pub async fn list_access_records(&self, query: &AccessQuery) -> RequestResult<Value> {
        let mut path = format!(
            "/api/agreements/{}/access-records?after={}&limit={}",
            query.agreement, query.after, query.limit
        );
        if let Some(case) = query.case {
            path.push_str(&format!("&case={case}"));
        }
        self.body(Call::get(path)).await
    }

    /// `GET /api/reports/{agreement}`: the report as text.
    pub async fn read_report(&self, query: &ReportQuery, format: &str) -> RequestResult<String> {
        let mut call = Call::get(format!(
            "/api/reports/{}?period={}&version={}&format={format}",
            query.agreement,
            query.period.label(),
            query.version.as_str()
        ));
        call.text = true;
        match self.body(call).await? {
            Value::String(text) => Ok(text),
            _ => Err(Failure::Error(anyhow!("the server's report is not text"))),
        }
    }

    /// `GET /public/statistics/{release}/{file}`: the file's text, byte for byte.
    pub async fn statistics_file(&self, release: &str, file: &str) -> RequestResult<String> {
        let segment = |text: &str| {
            text.bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_'))
                && !text.is_empty()
        };
        if !segment(release) || !segment(file) {
            return Err(Failure::Error(anyhow!(
                "`{release}/{file}` is not a release's file name"
            )));
        }
        let mut call = Call::get(format!("/public/statistics/{release}/{file}"));
        call.text = true;
        match self.body(call).await? {
            Value::String(text) => Ok(text),
            _ => Err(Failure::Error(anyhow!("the server's file is not text"))),
        }
    }

    /// `GET /api/statistics/releases`.
    pub async fn statistics_releases(&self) -> RequestResult<Value> {
        self.body(Call::get("/api/statistics/releases".to_owned()))
            .await
    }

    /// `POST /api/complaints` (no credential is read by the server).
    pub async fn lodge_complaint(&self, new: &NewComplaint) -> RequestResult<Value> {
        let body = json!({
            "agreement": new.agreement,
            "complainant": new.complainant,
            "case_reference": new.case_reference,
            "text": new.text,
            "contact": new.contact,
        });
        self.body(Call::post("/api/complaints".to_owned(), Some(body)))
            .await
    }

    /// `POST /api/complaints/status`: the receipt code in the body, never in the URL.
    pub async fn complaint_status(&self, receipt: &str) -> RequestResult<Value> {
        let body = json!({ "receipt": receipt });
        self.body(Call::post("/api/complaints/status".to_owned(), Some(body)))
            .await
    }

    /// `GET /api/agreements/{agreement}/complaints`.
    pub async fn list_complaints(&self, agreement: &AgreementId) -> RequestResult<Value> {
        self.body(Call::get(format!("/api/agreements/{agreement}/complaints")))
            .await
    }

    /// `GET /api/complaints/{complaint}`.
    pub async fn read_complaint(&self, id: ComplaintId) -> RequestResult<Value> {
        self.body(Call::get(format!("/api/complaints/{id}"))).await
    }

    /// `POST /api/complaints/{complaint}/{review,link,erase}`.
    pub async fn complaint_work(
        &self,
        id: ComplaintId,
        work: &ComplaintWork,
    ) -> RequestResult<Value> {
        let (verb, body) = match work {
            ComplaintWork::Review { status, reply } => {
                ("review", Some(json!({ "status": status, "reply": reply })))
            }
            ComplaintWork::Link { case } => ("link", Some(json!({ "case": case.to_string() }))),
            ComplaintWork::Erase => ("erase", None),
        };
        self.body(Call::post(format!("/api/complaints/{id}/{verb}"), body))
            .await
    }

    /// `GET /api/holds`.
    pub async fn list_holds(&self) -> RequestResult<Value> {
        self.body(Call::get("/api/holds".to_owned())).await
    }

    /// `POST /api/holds`.
    pub async fn register_hold(&self, new: &NewHold) -> RequestResult<Value> {
        let mut body = json!({
            "court": new.court,
            "reference": new.reference,
            "scope": scope_body(&new.scope),
        });
        if let (Some(parent), Some(object)) = (new.depends_on, body.as_object_mut()) {
            object.insert("depends_on".to_owned(), json!(parent.to_string()));
        }
        self.create(
            "/api/holds".to_owned(),
            body,
            new.idempotency_key.as_deref(),
            "registering the hold twice",
        )
        .await
    }

    /// A command on a hold: `POST /api/holds/{hold}/…`.
    pub async fn hold_command(&self, hold: HoldId, command: &Command) -> RequestResult<Value> {
        let (verb, body) = match command {
            Command::StayHold { .. } => ("stay", None),
            Command::ReactivateHold { .. } => ("reactivate", None),
            Command::AmendHold { scope, .. } => {
                ("amend", Some(json!({"scope": scope_body(scope)})))
            }
            Command::VacateHold { .. } => ("vacate", None),
            _ => return Err(Failure::Error(anyhow!("not a command on a hold"))),
        };
        self.body(Call::post(format!("/api/holds/{hold}/{verb}"), body))
            .await
    }

    /// `POST /api/agreements/{agreement}/visits`.
    pub async fn schedule_visit(
        &self,
        agreement: &AgreementId,
        new: &NewVisit,
    ) -> RequestResult<Value> {
        self.create(
            format!("/api/agreements/{agreement}/visits"),
            visit_body(new),
            new.idempotency_key.as_deref(),
            "scheduling the visit twice",
        )
        .await
    }

    /// `POST /api/agreements/{agreement}/visits/recorded`.
    pub async fn record_visit(
        &self,
        agreement: &AgreementId,
        visit: Option<VisitId>,
        new: &NewVisit,
        seen: &Seen,
    ) -> RequestResult<Value> {
        let mut body = visit_body(new);
        if let Some(object) = body.as_object_mut() {
            if let Some(visit) = visit {
                object.insert("visit".to_owned(), json!(visit.to_string()));
            }
            let cases: Vec<String> = seen.cases.iter().map(ToString::to_string).collect();
            object.insert("seen_cases".to_owned(), json!(cases));
            object.insert("seen_others".to_owned(), json!(seen.others));
        }
        self.create(
            format!("/api/agreements/{agreement}/visits/recorded"),
            body,
            new.idempotency_key.as_deref(),
            "recording the visit twice",
        )
        .await
    }

    /// `GET /api/agreements/{agreement}/visits`.
    pub async fn list_visits(&self, agreement: &AgreementId) -> RequestResult<Value> {
        self.body(Call::get(format!("/api/agreements/{agreement}/visits")))
            .await
    }

    /// `POST /api/agreements/{agreement}/findings`.
    pub async fn record_finding(
        &self,
        agreement: &AgreementId,
        new: &NewFinding,
    ) -> RequestResult<Value> {
        let cases: Vec<String> = new.cases.iter().map(ToString::to_string).collect();
        let addressed: Vec<&str> = new.addressed.iter().map(|party| party.as_str()).collect();
        let body = json!({
            "cases": cases,
            "category": new.category.as_str(),
            "severity": new.severity.as_str(),
            "text": new.text,
            "addressed": addressed,
        });
        self.create(
            format!("/api/agreements/{agreement}/findings"),
            body,
            new.idempotency_key.as_deref(),
            "recording the finding twice",
        )
        .await
    }

    /// `POST /api/findings/{finding}/responses`.
    pub async fn respond_to_finding(&self, finding: FindingId, text: &str) -> RequestResult<Value> {
        let body = json!({"text": text});
        self.body(Call::post(
            format!("/api/findings/{finding}/responses"),
            Some(body),
        ))
        .await
    }

    /// `POST /api/findings/{finding}/close`.
    pub async fn close_finding(
        &self,
        finding: FindingId,
        outcome: FindingOutcome,
    ) -> RequestResult<Value> {
        let body = json!({"outcome": outcome.as_str()});
        self.body(Call::post(
            format!("/api/findings/{finding}/close"),
            Some(body),
        ))
        .await
    }

    /// `GET /api/agreements/{agreement}/findings`.
    pub async fn list_findings(&self, agreement: &AgreementId) -> RequestResult<Value> {
        self.body(Call::get(format!("/api/agreements/{agreement}/findings")))
            .await
    }

    /// `GET /api/findings/{finding}`.
    pub async fn read_finding(&self, finding: FindingId) -> RequestResult<Value> {
        self.body(Call::get(format!("/api/findings/{finding}")))
            .await
    }

    /// `GET /api/monitoring/queue`.
    pub async fn monitoring_queue(&self) -> RequestResult<Value> {
        self.body(Call::get("/api/monitoring/queue".to_owned()))
            .await
    }

    /// `POST /api/tick`.
    pub async fn tick(&self) -> RequestResult<Value> {
        self.body(Call::post("/api/tick".to_owned(), None)).await
    }
}

/// The body of a visit to schedule or record.
fn visit_body(new: &NewVisit) -> Value {
    let cases: Vec<String> = new.cases.iter().map(ToString::to_string).collect();
    json!({
        "announced": new.announced,
        "on": new.on.to_string(),
        "place": new.place,
        "cases": cases,
    })
}

/// The path segment and body of a command on a case.
fn case_route(command: &Command) -> Result<(&'static str, Option<Value>), Failure> {
    Ok(match command {
        Command::ServeNotice { notice, .. } => (
            "notice",
            Some(json!({
                "language": notice.language.to_string(),
                "destination": notice.destination.to_string(),
                "on_person": notice.on_person,
                "on_counsel": notice.on_counsel,
                "explains_how_to_contest": notice.explains_how_to_contest,
            })),
        ),
        Command::ClaimProtection { .. } => ("protection-claim", None),
        Command::DecideProtection { granted, .. } => {
            ("protection-decision", Some(json!({"granted": granted})))
        }
        Command::RequestTransfer { .. } => ("request", None),
        Command::Approve { .. } => ("approve", None),
        Command::Refuse { reason, .. } => ("refuse", Some(json!({"reason": reason}))),
        Command::ExtendDeadline { reason, .. } => ("extend", Some(json!({"reason": reason}))),
        Command::Schedule { departure, .. } => (
            "schedule",
            Some(json!({"departure": departure.to_string()})),
        ),
        Command::Depart { .. } => ("depart", None),
        Command::Arrive { .. } => ("arrive", None),
        Command::RecordVulnerability { category, .. } => (
            "vulnerabilities",
            Some(json!({"category": category.as_str()})),
        ),
        Command::RecordFear { country, .. } => {
            ("fears", Some(json!({"country": country.to_string()})))
        }
        Command::DisputeAge {
            claimed_birth_date, ..
        } => (
            "age-dispute",
            Some(json!({"claimed_birth_date": claimed_birth_date.to_string()})),
        ),
        Command::DecideAge { birth_date, .. } => (
            "age-decision",
            Some(json!({"birth_date": birth_date.to_string()})),
        ),
        Command::LodgeReceivingClaim { .. } => ("receiving-claim", None),
        Command::DecideReceivingClaim { granted, .. } => (
            "receiving-claim-decision",
            Some(json!({"granted": granted})),
        ),
        Command::LodgeAppeal { .. } => ("appeal", None),
        Command::Onward { destination, .. } => (
            "onward",
            Some(json!({"destination": destination.to_string()})),
        ),
        Command::Return { .. } => ("return", None),
        Command::Settle { .. } => ("settle", None),
        Command::ReportWhereaboutsUnknown { .. } => ("whereabouts-unknown", None),
        Command::ReportWhereaboutsKnown { .. } => ("whereabouts-known", None),
        Command::RecordWelfareCheck { outcome, .. } => {
            ("welfare-checks", Some(json!({"outcome": outcome.as_str()})))
        }
        Command::ValidateDetention { .. } => ("detention-validated", None),
        Command::Withdraw { reason, .. } => ("withdraw", Some(json!({"reason": reason}))),
        Command::Erase { .. } => ("erase", None),
        other => {
            return Err(Failure::Error(anyhow!(
                "`{}` has no route on a case",
                corridor_authz::Action::of_command(other)
            )));
        }
    })
}

/// The API's `scope` body of a hold scope.
fn scope_body(scope: &HoldScope) -> Value {
    match scope {
        HoldScope::Cases { cases } => {
            json!({"cases": cases.iter().map(ToString::to_string).collect::<Vec<_>>()})
        }
        HoldScope::Class { criteria } => {
            let texts = |items: Vec<String>| Value::from(items);
            let mut body = json!({
                "agreements": texts(criteria.agreements.iter().map(ToString::to_string).collect()),
                "nationalities": texts(criteria.nationalities.iter().map(ToString::to_string).collect()),
                "legal_bases": texts(criteria.legal_bases.iter().map(ToString::to_string).collect()),
                "designations": texts(criteria.designations.iter().map(ToString::to_string).collect()),
                "detention_places": texts(criteria.detention_places.iter().map(ToString::to_string).collect()),
            });
            if let Some(object) = body.as_object_mut() {
                if let Some(from) = criteria.removal_ordered_from {
                    object.insert("removal_ordered_from".to_owned(), json!(from.to_string()));
                }
                if let Some(until) = criteria.removal_ordered_until {
                    object.insert("removal_ordered_until".to_owned(), json!(until.to_string()));
                }
            }
            body
        }
    }
}
