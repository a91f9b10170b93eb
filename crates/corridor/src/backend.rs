//! Where the agreement, case, hold and tick commands are carried out: on the local database
//! through the application functions ([`corridor_app::service`]), or on a running
//! `corridor serve` over HTTP (`--server`, [`crate::remote`]).
//!
//! Both sides answer with the same typed values, the application layer's (a
//! [`CaseView`], a [`CommandOutcome`], a [`CasePage`], …: locally as the application functions
//! return them, remotely read back from the API's JSON, which they serialise to), or with a
//! problem ([`Answer`]). The command handlers (`commands.rs`) print from those alone, so a
//! command's text, its `--json` and its exit status are the same whichever side carried it out
//! (`tests/it/remote.rs` runs one sequence of commands both ways and compares). Locally the Cedar policies decide every command and every read and each
//! decision is recorded, exactly as over HTTP: the local caller is the `--as` account acting on
//! the database host: in a real deployment by its API token (whose scopes hold here too), in a
//! simulation by name ([`Credential::Local`](corridor_app::Credential::Local)); see
//! [`crate::identity`].

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context as _;
use corridor_app::access::{AccessQuery, AccessRecordPage};
use corridor_app::answers::{
    AgreementDetail, AgreementsView, CasePage, CommandOutcome, HistoryEvent, HoldView, Proposed,
    RegisteredHold,
};
use corridor_app::complaints::{
    self, ComplaintReceipt, ComplaintStatusView, ComplaintSummary, ComplaintView, NewComplaint,
};
use corridor_app::monitoring::{
    self, FindingView, FindingsView, MonitoringQueue, MonitoringRecorded, NewFinding, NewVisit,
    TickOutcome, VisitsView,
};
use corridor_app::report::{ReportFormat, ReportQuery, read_report};
use corridor_app::service::{self, CaseQuery, NewCase, NewHold};
use corridor_app::views::CaseView;
use corridor_app::{App as Application, AppConfig, AppError, Caller, ErrorKind};
use corridor_domain::monitoring::{FindingOutcome, Seen};
use corridor_domain::terms::{AgreementId, AgreementStatus};
use corridor_domain::{Actor, CaseId, Command, ComplaintId, FindingId, HoldId, VisitId};
use jiff::civil::Date;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::{App, ClockSetting};
use crate::remote::Remote;

/// A problem answered instead of a result: what the API would send, and what the exit status
/// and the message are made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Which outcome it is ([`ErrorKind`]); `None` for a problem of the HTTP layer itself that
    /// no application function answers with (a malformed request, a rate limit).
    pub kind: Option<ErrorKind>,
    /// The stable code (`hold_active`, `forbidden`, `version_conflict`, …).
    pub code: String,
    /// What happened, as a sentence.
    pub detail: String,
    /// The facts behind it.
    pub facts: BTreeMap<String, String>,
    /// For a refusal by the core: whether a safeguard refused.
    pub safeguard: Option<bool>,
    /// For a safeguard refusal on a case: the event that records it.
    pub recorded_seq: Option<u64>,
}

impl Answer {
    /// The outcome an HTTP status of a problem stands for (`corridor_api::problem` maps each
    /// kind to its status); a refusal by the core is told by its `safeguard` member.
    fn kind_of(status: u16, body: &Value) -> Option<ErrorKind> {
        if body.get("safeguard").is_some_and(Value::is_boolean) {
            return Some(ErrorKind::Refused);
        }
        match status {
            401 => Some(ErrorKind::Unauthenticated),
            403 => Some(ErrorKind::NotPermitted),
            404 => Some(ErrorKind::NotFound),
            409 => Some(ErrorKind::Conflict),
            412 => Some(ErrorKind::Stale),
            422 => Some(ErrorKind::BadInput),
            503 => Some(ErrorKind::Unavailable),
            500..=599 => Some(ErrorKind::Fault),
            _ => None,
        }
    }

    /// The answer of a problem body (RFC 9457, with corridor's members) sent with `status`.
    pub fn from_problem_json(status: u16, body: &Value) -> Self {
        let text = |name: &str| {
            body.get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            kind: Self::kind_of(status, body),
            code: text("code"),
            detail: text("detail"),
            facts: body
                .get("facts")
                .and_then(Value::as_object)
                .map(|facts| {
                    facts
                        .iter()
                        .map(|(name, value)| {
                            let value = value
                                .as_str()
                                .map_or_else(|| value.to_string(), str::to_owned);
                            (name.clone(), value)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            safeguard: body.get("safeguard").and_then(Value::as_bool),
            recorded_seq: body.get("recorded_seq").and_then(Value::as_u64),
        }
    }
}

/// Why a request has no result.
#[derive(Debug)]
pub enum Failure {
    /// corridor answered with a problem (a refusal, a denial, a conflict, a missing case, …).
    Answer(Answer),
    /// Something else went wrong: the database, the network, the server itself (exit 1 unless
    /// the error says otherwise).
    Error(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Self::Error(error)
    }
}

impl Failure {
    /// The failure of a local [`AppError`]. Faults keep their cause: on the command line the
    /// operator is the one who reads it, unlike a client of the server.
    fn local(error: AppError) -> Self {
        if matches!(error, AppError::NoMasterKey) {
            return Self::Error(anyhow::anyhow!(
                "no master key: run `corridor init`, pass `--key-file`, or set CORRIDOR_MASTER_KEY"
            ));
        }
        let kind = error.kind();
        if matches!(kind, ErrorKind::Unavailable | ErrorKind::Fault) {
            return Self::Error(anyhow::Error::new(error));
        }
        let description = error.describe();
        Self::Answer(Answer {
            kind: Some(kind),
            code: description.code,
            detail: description.detail,
            facts: description.facts,
            safeguard: description.safeguard,
            recorded_seq: description.recorded_seq,
        })
    }
}

/// The result of one request: its typed answer (the same value on both sides: the application
/// function's locally, the API's JSON read back into it remotely), or why there is none.
pub type RequestResult<T> = Result<T, Failure>;

/// The local side: the application functions over the local store.
#[derive(Debug)]
pub struct Local {
    state: Application,
    caller: Option<Caller>,
}

/// What carries commands and reads out, and where: the application layer on the local database,
/// or a server over HTTP. (Named apart from `corridor_store::Backend`, which is the database
/// kind.)
#[derive(Debug)]
pub enum Executor {
    /// On the local database, as the `--as` user.
    Local(Local),
    /// On a running server, as the `--token`'s account.
    Remote(Remote),
}

/// A local typed answer, or the failure its error stands for.
fn answered<T>(result: Result<T, AppError>) -> RequestResult<T> {
    result.map_err(Failure::local)
}

/// The server's JSON answer read into the type the application function answers with.
fn typed<T: DeserializeOwned>(result: RequestResult<Value>) -> RequestResult<T> {
    serde_json::from_value(result?)
        .context("the server's answer is not of the expected shape")
        .map_err(Failure::Error)
}

impl Executor {
    /// The local side over `app`'s store and its `accounts`, acting as `caller` (`None` when
    /// nobody was named or proved: public reads are then anonymous and everything else asks
    /// who is acting). Takes the master key out of `app`. Must be called inside the async runtime
    /// (the application state starts its committer).
    pub fn local(
        app: &mut App,
        caller: Option<Caller>,
        accounts: corridor_accounts::Accounts,
    ) -> anyhow::Result<Self> {
        // A one-off command: the shipped policies' validation is the build's (`load_shipped`).
        let authz = corridor_authz::Authz::load_shipped()
            .context("the authorization policies do not load; nothing can be decided")?;
        let mut config = AppConfig::new(Arc::clone(&app.store), accounts, Arc::new(authz));
        config.master = app.master.take();
        config.simulated_counsel = app.users.counsel();
        config.clock = match app.clock {
            ClockSetting::Fixed(at) => Arc::new(move || at),
            ClockSetting::System => Arc::new(jiff::Timestamp::now),
        };
        Ok(Self::Local(Local {
            state: Application::new(config),
            caller,
        }))
    }

    /// The acting user, when known (locally, the `--as` user; a server knows its token's).
    pub fn actor(&self) -> Option<&Actor> {
        match self {
            Self::Local(local) => local.caller.as_ref().map(|caller| &caller.actor),
            Self::Remote(_) => None,
        }
    }

    /// The local caller that must be someone.
    fn someone(local: &Local) -> Result<Caller, Failure> {
        local
            .caller
            .clone()
            .context("say who is acting with `--as USER` (or CORRIDOR_USER), and in a real deployment prove it with --token or --token-file")
            .map_err(Failure::Error)
    }

    /// The local caller of a public read: the `--as` user, or the anonymous public.
    fn anyone(local: &Local) -> Result<Caller, Failure> {
        match &local.caller {
            Some(caller) => Ok(caller.clone()),
            None => Caller::anonymous().map_err(Failure::local),
        }
    }

    /// Every agreement .
    pub async fn list_agreements(&self) -> RequestResult<AgreementsView> {
        match self {
            Self::Local(local) => {
                answered(service::list_agreements(&local.state, &Self::anyone(local)?).await)
            }
            Self::Remote(remote) => typed(remote.list_agreements().await),
        }
    }

    /// One agreement .
    pub async fn read_agreement(&self, id: &AgreementId) -> RequestResult<AgreementDetail> {
        match self {
            Self::Local(local) => {
                answered(service::read_agreement(&local.state, &Self::anyone(local)?, id).await)
            }
            Self::Remote(remote) => typed(remote.read_agreement(id).await),
        }
    }

    /// Loads an agreement file .
    pub async fn load_agreement(
        &self,
        file_name: String,
        text: String,
    ) -> RequestResult<CommandOutcome> {
        match self {
            Self::Local(local) => answered(
                service::load_agreement(&local.state, &Self::someone(local)?, file_name, text)
                    .await,
            ),
            Self::Remote(remote) => typed(remote.load_agreement(&file_name, &text).await),
        }
    }

    /// Records an agreement's status .
    pub async fn change_agreement_status(
        &self,
        id: AgreementId,
        status: AgreementStatus,
        on: Option<Date>,
    ) -> RequestResult<CommandOutcome> {
        match self {
            Self::Local(local) => answered(
                service::change_agreement_status(
                    &local.state,
                    &Self::someone(local)?,
                    id,
                    status,
                    on,
                )
                .await,
            ),
            Self::Remote(remote) => typed(remote.change_agreement_status(&id, status, on).await),
        }
    }

    /// Proposes a case .
    pub async fn propose(&self, agreement: AgreementId, new: NewCase) -> RequestResult<Proposed> {
        match self {
            Self::Local(local) => answered(
                service::propose(&local.state, &Self::someone(local)?, agreement, new).await,
            ),
            Self::Remote(remote) => typed(remote.propose(&agreement, &new).await),
        }
    }

    /// A case as the caller may see it .
    pub async fn read_case(&self, id: CaseId) -> RequestResult<CaseView> {
        match self {
            Self::Local(local) => {
                answered(service::read_case(&local.state, &Self::someone(local)?, id).await)
            }
            Self::Remote(remote) => typed(remote.read_case(id).await.map(|(view, _)| view)),
        }
    }

    /// A case's events .
    pub async fn read_history(&self, id: CaseId) -> RequestResult<Vec<HistoryEvent>> {
        match self {
            Self::Local(local) => {
                answered(service::read_history(&local.state, &Self::someone(local)?, id).await)
            }
            Self::Remote(remote) => typed(remote.read_history(id).await),
        }
    }

    /// A page of cases .
    pub async fn list_cases(&self, query: &CaseQuery) -> RequestResult<CasePage> {
        match self {
            Self::Local(local) => {
                answered(service::list_cases(&local.state, &Self::someone(local)?, query).await)
            }
            Self::Remote(remote) => typed(remote.list_cases(query).await),
        }
    }

    /// A command on one case .
    pub async fn case_command(
        &self,
        command: Command,
        expected_version: Option<u64>,
    ) -> RequestResult<CommandOutcome> {
        match self {
            Self::Local(local) => answered(
                service::case_command(
                    &local.state,
                    &Self::someone(local)?,
                    command,
                    expected_version,
                )
                .await,
            ),
            Self::Remote(remote) => typed(remote.case_command(&command, expected_version).await),
        }
    }

    /// A page of an agreement's access records .
    pub async fn list_access_records(
        &self,
        query: &AccessQuery,
    ) -> RequestResult<AccessRecordPage> {
        match self {
            Self::Local(local) => answered(
                corridor_app::access::list_access_records(
                    &local.state,
                    &Self::someone(local)?,
                    query,
                )
                .await,
            ),
            Self::Remote(remote) => typed(remote.list_access_records(query).await),
        }
    }

    /// Computes, signs and stores a statistics release, as the `--as` operator: on the local
    /// database only (its signing key is the database host's).
    pub async fn publish_statistics(
        &self,
        request: &corridor_app::statistics::release::PublishRequest,
        signer: &corridor_log::note::Ed25519Signer,
    ) -> RequestResult<corridor_app::statistics::release::PublishedRelease> {
        match self {
            Self::Local(local) => answered(
                corridor_app::statistics::release::publish(
                    &local.state,
                    &Self::someone(local)?,
                    request,
                    signer,
                )
                .await,
            ),
            Self::Remote(_) => Err(Failure::Error(anyhow::anyhow!(
                "a release is published on the database host, which holds the statistics key: run `corridor stats publish` there, without --server"
            ))),
        }
    }

    /// One file of a published statistics release, as text (every release file is UTF-8).
    pub async fn statistics_file(&self, release: &str, file: &str) -> RequestResult<String> {
        match self {
            Self::Local(local) => answered(
                corridor_app::statistics::release::file(
                    &local.state,
                    &Self::anyone(local)?,
                    release,
                    file,
                )
                .await,
            )
            .and_then(|bytes| {
                String::from_utf8(bytes)
                    .context("the release's file is not UTF-8")
                    .map_err(Failure::Error)
            }),
            Self::Remote(remote) => remote.statistics_file(release, file).await,
        }
    }

    /// The published statistics releases, newest first.
    pub async fn statistics_releases(
        &self,
    ) -> RequestResult<corridor_app::statistics::release::ReleasesView> {
        match self {
            Self::Local(local) => answered(
                corridor_app::statistics::release::list(&local.state, &Self::anyone(local)?).await,
            ),
            Self::Remote(remote) => typed(remote.statistics_releases().await),
        }
    }

    /// The joint committee's report, rendered in `format`.
    pub async fn read_report(
        &self,
        query: &ReportQuery,
        format: ReportFormat,
        format_name: &str,
    ) -> RequestResult<String> {
        match self {
            Self::Local(local) => answered(
                read_report(&local.state, &Self::anyone(local)?, query)
                    .await
                    .map(|report| format.render(&report)),
            ),
            Self::Remote(remote) => remote.read_report(query, format_name).await,
        }
    }

    /// Lodges a complaint, as nobody: no account is ever named.
    pub async fn lodge_complaint(&self, new: NewComplaint) -> RequestResult<ComplaintReceipt> {
        match self {
            Self::Local(local) => answered(complaints::lodge(&local.state, new).await),
            Self::Remote(remote) => typed(remote.lodge_complaint(&new).await),
        }
    }

    /// Lodges a complaint drawing its ids, key and receipt from `draw`: a simulation's seeded
    /// stream (`corridor demo`), on the local database only.
    pub async fn lodge_complaint_drawing(
        &self,
        new: NewComplaint,
        draw: &mut (dyn complaints::Draw + Send),
    ) -> RequestResult<ComplaintReceipt> {
        match self {
            Self::Local(local) => {
                answered(complaints::lodge_drawing(&local.state, new, draw).await)
            }
            Self::Remote(_) => Err(Failure::Error(anyhow::anyhow!(
                "a seeded lodging is a simulation's, on its own database"
            ))),
        }
    }

    /// A complaint's status, by its receipt code.
    pub async fn complaint_status(&self, receipt: &str) -> RequestResult<ComplaintStatusView> {
        match self {
            Self::Local(local) => answered(complaints::status(&local.state, receipt).await),
            Self::Remote(remote) => typed(remote.complaint_status(receipt).await),
        }
    }

    /// An agreement's complaints.
    pub async fn list_complaints(
        &self,
        agreement: &AgreementId,
    ) -> RequestResult<Vec<ComplaintSummary>> {
        match self {
            Self::Local(local) => {
                answered(complaints::list(&local.state, &Self::someone(local)?, agreement).await)
            }
            Self::Remote(remote) => typed(remote.list_complaints(agreement).await),
        }
    }

    /// One complaint, opened.
    pub async fn read_complaint(&self, id: ComplaintId) -> RequestResult<ComplaintView> {
        match self {
            Self::Local(local) => {
                answered(complaints::read(&local.state, &Self::someone(local)?, id).await)
            }
            Self::Remote(remote) => typed(remote.read_complaint(id).await),
        }
    }

    /// A monitor's work on a complaint: `review` (status, reply), `link` (case) or `erase`.
    pub async fn complaint_work(
        &self,
        id: ComplaintId,
        work: ComplaintWork,
    ) -> RequestResult<ComplaintSummary> {
        match self {
            Self::Local(local) => {
                let caller = Self::someone(local)?;
                let state = &local.state;
                answered(match work {
                    ComplaintWork::Review { status, reply } => {
                        complaints::review(state, &caller, id, &status, reply).await
                    }
                    ComplaintWork::Link { case } => {
                        complaints::link(state, &caller, id, case).await
                    }
                    ComplaintWork::Erase => complaints::erase(state, &caller, id).await,
                })
            }
            Self::Remote(remote) => typed(remote.complaint_work(id, &work).await),
        }
    }

    /// Every hold .
    pub async fn list_holds(&self) -> RequestResult<Vec<HoldView>> {
        match self {
            Self::Local(local) => {
                answered(service::list_holds(&local.state, &Self::someone(local)?).await)
            }
            Self::Remote(remote) => typed(remote.list_holds().await),
        }
    }

    /// Registers a hold .
    pub async fn register_hold(&self, new: NewHold) -> RequestResult<RegisteredHold> {
        match self {
            Self::Local(local) => {
                answered(service::register_hold(&local.state, &Self::someone(local)?, new).await)
            }
            Self::Remote(remote) => typed(remote.register_hold(&new).await),
        }
    }

    /// A command on one hold .
    pub async fn hold_command(
        &self,
        hold: HoldId,
        command: Command,
    ) -> RequestResult<CommandOutcome> {
        match self {
            Self::Local(local) => answered(
                service::hold_command(&local.state, &Self::someone(local)?, hold, command).await,
            ),
            Self::Remote(remote) => typed(remote.hold_command(hold, &command).await),
        }
    }

    /// Schedules or plans a visit .
    pub async fn schedule_visit(
        &self,
        agreement: AgreementId,
        new: NewVisit,
    ) -> RequestResult<MonitoringRecorded> {
        match self {
            Self::Local(local) => answered(
                monitoring::schedule_visit(&local.state, &Self::someone(local)?, agreement, new)
                    .await,
            ),
            Self::Remote(remote) => typed(remote.schedule_visit(&agreement, &new).await),
        }
    }

    /// Records a visit made .
    pub async fn record_visit(
        &self,
        agreement: AgreementId,
        visit: Option<VisitId>,
        new: NewVisit,
        seen: Seen,
    ) -> RequestResult<MonitoringRecorded> {
        match self {
            Self::Local(local) => answered(
                monitoring::record_visit(
                    &local.state,
                    &Self::someone(local)?,
                    agreement,
                    visit,
                    new,
                    seen,
                )
                .await,
            ),
            Self::Remote(remote) => {
                typed(remote.record_visit(&agreement, visit, &new, &seen).await)
            }
        }
    }

    /// An agreement's visits .
    pub async fn list_visits(&self, agreement: &AgreementId) -> RequestResult<VisitsView> {
        match self {
            Self::Local(local) => answered(
                monitoring::list_visits(&local.state, &Self::someone(local)?, agreement).await,
            ),
            Self::Remote(remote) => typed(remote.list_visits(agreement).await),
        }
    }

    /// Records a finding .
    pub async fn record_finding(
        &self,
        agreement: AgreementId,
        new: NewFinding,
    ) -> RequestResult<MonitoringRecorded> {
        match self {
            Self::Local(local) => answered(
                monitoring::record_finding(&local.state, &Self::someone(local)?, agreement, new)
                    .await,
            ),
            Self::Remote(remote) => typed(remote.record_finding(&agreement, &new).await),
        }
    }

    /// Responds to a finding .
    pub async fn respond_to_finding(
        &self,
        finding: FindingId,
        text: String,
    ) -> RequestResult<CommandOutcome> {
        match self {
            Self::Local(local) => answered(
                monitoring::respond_to_finding(&local.state, &Self::someone(local)?, finding, text)
                    .await,
            ),
            Self::Remote(remote) => typed(remote.respond_to_finding(finding, &text).await),
        }
    }

    /// Closes a finding .
    pub async fn close_finding(
        &self,
        finding: FindingId,
        outcome: FindingOutcome,
    ) -> RequestResult<CommandOutcome> {
        match self {
            Self::Local(local) => answered(
                monitoring::close_finding(&local.state, &Self::someone(local)?, finding, outcome)
                    .await,
            ),
            Self::Remote(remote) => typed(remote.close_finding(finding, outcome).await),
        }
    }

    /// An agreement's findings .
    pub async fn list_findings(&self, agreement: &AgreementId) -> RequestResult<FindingsView> {
        match self {
            Self::Local(local) => answered(
                monitoring::list_findings(&local.state, &Self::someone(local)?, agreement).await,
            ),
            Self::Remote(remote) => typed(remote.list_findings(agreement).await),
        }
    }

    /// One finding .
    pub async fn read_finding(&self, finding: FindingId) -> RequestResult<FindingView> {
        match self {
            Self::Local(local) => answered(
                monitoring::read_finding(&local.state, &Self::someone(local)?, finding).await,
            ),
            Self::Remote(remote) => typed(remote.read_finding(finding).await),
        }
    }

    /// The monitor's queue .
    pub async fn monitoring_queue(&self) -> RequestResult<MonitoringQueue> {
        match self {
            Self::Local(local) => {
                answered(monitoring::monitoring_queue(&local.state, &Self::someone(local)?).await)
            }
            Self::Remote(remote) => typed(remote.monitoring_queue().await),
        }
    }

    /// Lets the clocks run .
    pub async fn tick(&self) -> RequestResult<TickOutcome> {
        match self {
            Self::Local(local) => {
                answered(service::tick(&local.state, &Self::someone(local)?).await)
            }
            Self::Remote(remote) => typed(remote.tick().await),
        }
    }
}

/// A monitor's work on a complaint, as the command line asks it.
#[derive(Debug, Clone)]
pub enum ComplaintWork {
    /// Move it on.
    Review {
        /// The new status.
        status: String,
        /// The reply.
        reply: Option<String>,
    },
    /// Link it to a case.
    Link {
        /// The case.
        case: CaseId,
    },
    /// Destroy its key.
    Erase,
}
