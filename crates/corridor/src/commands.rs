//! One handler per CLI command: turn flags into typed values, carry them out (locally or on a
//! server, `backend.rs`), print.
//!
//! Everything printed is made from the application layer's typed answers (a command outcome, a
//! case view, a page of cases, …) or a problem, which both sides answer with alike, so the output
//! is the same whichever side carried the command out. An answer's events are described as the
//! domain describes them: each is rebuilt from its kind, time, author and facts.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_app::ErrorKind;
use corridor_app::access::AccessQuery;
use corridor_app::complaints::{ComplaintSummary, NewComplaint};
use corridor_app::limits::PAGE_SIZE_MAX;
use corridor_app::monitoring::{FindingView, MonitoringRecorded, NewFinding, NewVisit, QueueItem};
use corridor_app::report::{Period, ReportFormat, ReportQuery, ReportVersion};
use corridor_app::service::{CaseQuery, NewCase, NewHold};
use corridor_domain::monitoring::{
    AddressedParty, FindingCategory, FindingOutcome, Seen, Severity,
};
use corridor_domain::terms::{AgreementId, AgreementStatus, parse_agreement};
use corridor_domain::{
    CaseId, ClassCriteria, Command, ComplaintId, Event, FindingId, HoldScope, NoticeFacts,
    PersonFacts, PersonalData, Role, ScopeChoice, VisitId, WelfareOutcome,
};
use serde_json::{Value, json};

use crate::app::{
    Refused, describe, event_json, exit, parse_case, parse_country, parse_date, parse_hold,
    parse_label, parse_language, parse_sex, parse_text, parse_timestamp, parse_user,
    parse_vulnerability,
};

/// Every line this module prints goes through [`crate::printable::escape`]: what the server or
/// the database holds is shown, never obeyed by the terminal (old data may hold anything).
macro_rules! println {
    ($($arg:tt)+) => {
        crate::printable::print_line(&crate::printable::escape(&::std::format!($($arg)+)))
    };
}

/// As `println!`, on standard error.
macro_rules! eprintln {
    ($($arg:tt)+) => {
        ::std::eprintln!("{}", crate::printable::escape(&::std::format!($($arg)+)))
    };
}
use crate::backend::{Answer, ComplaintWork, Executor, Failure, RequestResult};
use crate::cli::{
    AccessCommand, AgreementCommand, CaseCommand, ComplaintCommand, FindingCommand, HoldCommand,
    MonitorCommand, ProposeArgs, ReportArgs, ScopeArgs, VisitArgs, VisitCommand,
};
use corridor_app::answers::{
    AgreementDetail, CommandOutcome, EventSummary, HistoryEvent, Proposed, RegisteredHold,
};
use corridor_app::views::PersonalDataState;
use serde::Serialize;

/// Largest agreement file read from disk; the parser has its own, equal limit.
const AGREEMENT_FILE_BYTES_MAX: u64 = corridor_domain::terms::AGREEMENT_FILE_SIZE_MAX_BYTES as u64;

/// A value the user typed that cannot be used (exit status 2).
fn input(message: String) -> anyhow::Error {
    anyhow::Error::new(crate::app::InputError(message))
}

// ----- answers into output and exit statuses ---------------------------------------------------

/// The stored event an answer's event stands for (a command's `events[]` or a history entry):
/// rebuilt from its kind, time, author and facts, to be described as the domain describes it.
/// `None` when the facts are not an event's.
fn event_from(kind: &str, at: &str, by: Option<&str>, details: &Value) -> Option<Event> {
    let mut object = details.as_object()?.clone();
    object.insert("type".to_owned(), json!(kind));
    object.insert("at".to_owned(), json!(at));
    object.insert("by".to_owned(), by.map_or(Value::Null, |by| json!(by)));
    if kind == "case_proposed" {
        // The sealed personal data never leaves; describing the proposal does not need it.
        object
            .entry("personal".to_owned())
            .or_insert_with(|| json!(""));
    }
    serde_json::from_value(Value::Object(object)).ok()
}

/// The event a command's answer names.
fn summary_event(entry: &EventSummary) -> Option<Event> {
    event_from(&entry.kind, &entry.at, entry.by.as_deref(), &entry.details)
}

/// The event of a history entry, when the caller was told its facts.
fn history_event(entry: &HistoryEvent) -> Option<Event> {
    entry
        .details
        .as_ref()
        .and_then(|details| event_from(&entry.kind, &entry.at, entry.by.as_deref(), details))
}

/// An answer's event as `--json` prints it: the stored event with its sequence number and
/// stream, without sealed personal data; or, when it cannot be rebuilt, the answer's entry
/// without its case version and with its stream.
fn entry_json<T: Serialize>(seq: u64, event: Option<Event>, entry: &T, stream: &str) -> Value {
    match event {
        Some(event) => event_json(seq, &event),
        None => {
            let mut value = serde_json::to_value(entry).unwrap_or_default();
            if let Some(object) = value.as_object_mut() {
                object.remove("version");
                object
                    .entry("stream".to_owned())
                    .or_insert_with(|| json!(stream));
            }
            value
        }
    }
}

/// One line describing a command's event.
fn entry_line(entry: &EventSummary) -> String {
    summary_event(entry).map_or_else(
        || format!("{} on {}", entry.kind, entry.stream),
        |event| describe(&event),
    )
}

/// Prints what an accepted command appended.
fn print_accepted(json: bool, outcome: &CommandOutcome) {
    let events = &outcome.events;
    if json {
        let events: Vec<Value> = events
            .iter()
            .map(|entry| entry_json(entry.seq, summary_event(entry), entry, &entry.stream))
            .collect();
        println!("{}", json!({"outcome": "accepted", "events": events}));
    } else if events.is_empty() {
        println!("accepted: nothing to record");
    } else {
        println!("accepted:");
        for entry in events {
            println!("  #{:<6} {}", entry.seq, entry_line(entry));
        }
    }
}

/// Prints a refusal; `code` may differ from the answer's (a policy denial prints as
/// `not_permitted`, the code the core gives the same refusal).
fn print_refused(json: bool, answer: &Answer, code: &str) {
    let safeguard = answer.safeguard.unwrap_or(false);
    if json {
        println!(
            "{}",
            json!({
                "outcome": "refused",
                "code": code,
                "safeguard": safeguard,
                "message": answer.detail,
                "facts": answer.facts,
                "recorded_seq": answer.recorded_seq,
            })
        );
    } else {
        println!("refused ({code}): {}", answer.detail);
        for (name, value) in &answer.facts {
            println!("  {name}: {value}");
        }
        if let Some(seq) = answer.recorded_seq {
            println!("  recorded as event #{seq} (safeguard_triggered)");
        }
    }
}

/// The error a problem that is not a refusal of the command becomes; its type gives the exit
/// status (`main.rs`): 4 for a refusal, 1 otherwise.
fn answer_error(answer: &Answer) -> anyhow::Error {
    answer_error_saying(answer, answer.detail.clone())
}

/// [`answer_error`] with another sentence than the answer's detail (a command that leads with
/// the problem's code, as `corridor stats` does).
pub(crate) fn answer_error_saying(answer: &Answer, message: String) -> anyhow::Error {
    match answer.kind {
        Some(ErrorKind::Unauthenticated) => Refused(format!(
            "not logged in ({}): check `--token` (or CORRIDOR_TOKEN), or issue a new token with `corridor user token`",
            answer.detail
        ))
        .into(),
        Some(
            ErrorKind::Refused
            | ErrorKind::NotPermitted
            | ErrorKind::NotFound
            | ErrorKind::Conflict
            | ErrorKind::BadInput,
        ) => Refused(message).into(),
        _ => anyhow::anyhow!("{message} ({})", answer.code),
    }
}

/// Prints a command's result and gives its exit status: 0 accepted, 3 refused by a safeguard,
/// 4 refused otherwise, 5 a version conflict; other failures are errors.
fn command_result(json: bool, reply: RequestResult<CommandOutcome>) -> anyhow::Result<ExitCode> {
    let answer = match reply {
        Ok(outcome) => {
            print_accepted(json, &outcome);
            return Ok(ExitCode::SUCCESS);
        }
        Err(Failure::Error(error)) => return Err(error),
        Err(Failure::Answer(answer)) => answer,
    };
    if answer.code == "version_conflict" {
        let fact = |name: &str| {
            answer
                .facts
                .get(name)
                .and_then(|value| value.parse::<u64>().ok())
        };
        let case = answer.facts.get("case").cloned().unwrap_or_default();
        let (expected, current) = (fact("expected_version"), fact("current_version"));
        if json {
            println!(
                "{}",
                json!({"outcome": "conflict", "case": case, "expected_version": expected, "current_version": current})
            );
        } else {
            println!(
                "conflict: {case} is at version {}, not {}; nothing was written. Show the case again and retry.",
                current.map_or_else(|| "?".to_owned(), |v| v.to_string()),
                expected.map_or_else(|| "?".to_owned(), |v| v.to_string()),
            );
        }
        return Ok(ExitCode::from(exit::CONFLICT));
    }
    if let Some(safeguard) = answer.safeguard {
        print_refused(json, &answer, &answer.code);
        return Ok(ExitCode::from(if safeguard {
            exit::SAFEGUARD
        } else {
            exit::REFUSED
        }));
    }
    if answer.kind == Some(ErrorKind::NotPermitted) && answer.code == "forbidden" {
        print_refused(json, &answer, "not_permitted");
        return Ok(ExitCode::from(exit::REFUSED));
    }
    if answer.kind == Some(ErrorKind::Stale) {
        eprintln!("error: {}", answer.detail);
        return Ok(ExitCode::from(exit::CONFLICT));
    }
    Err(answer_error(&answer))
}

/// The answer of a read, or the error its problem becomes. `what` names what was read, for the
/// message of a denial; `case_contents` says whether it is case contents (which some roles may
/// never read).
fn read_result<T>(
    backend: &Executor,
    reply: RequestResult<T>,
    what: &str,
    case_contents: bool,
) -> anyhow::Result<T> {
    match reply {
        Ok(value) => Ok(value),
        Err(Failure::Error(error)) => Err(error),
        Err(Failure::Answer(answer))
            if answer.kind == Some(ErrorKind::NotPermitted) && answer.code == "forbidden" =>
        {
            let message = match backend.actor() {
                Some(actor)
                    if case_contents && matches!(actor.role, Role::Admin | Role::Public) =>
                {
                    format!(
                        "{} acts as `{}`, a role that may not read case contents",
                        actor.user, actor.role
                    )
                }
                Some(actor) => format!("{} may not see {what}", actor.user),
                None => format!("you may not see {what} ({})", answer.detail),
            };
            Err(Refused(message).into())
        }
        Err(Failure::Answer(answer)) => Err(answer_error(&answer)),
    }
}

// ----- agreements ------------------------------------------------------------------------------

/// `corridor agreement …`.
pub async fn agreement(
    backend: &Executor,
    json: bool,
    command: AgreementCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        AgreementCommand::Load { file } => {
            let size = std::fs::metadata(&file)
                .with_context(|| format!("cannot read agreement file `{}`", file.display()))?
                .len();
            if size > AGREEMENT_FILE_BYTES_MAX {
                bail!(
                    "`{}` is {size} bytes; agreement files may be at most {AGREEMENT_FILE_BYTES_MAX}",
                    file.display()
                );
            }
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read agreement file `{}`", file.display()))?;
            let file_name = file.display().to_string();
            // Report every error in the file, with line and field, before anything is decided.
            if let Err(errors) = parse_agreement(&file_name, &text) {
                if json {
                    let list: Vec<_> = errors
                        .0
                        .iter()
                        .map(|e| json!({"file": e.file, "line": e.line, "column": e.column, "field": e.field, "message": e.message}))
                        .collect();
                    println!("{}", json!({"outcome": "invalid", "errors": list}));
                } else {
                    eprintln!("{} error(s) in the agreement file:", errors.0.len());
                    for error in &errors.0 {
                        eprintln!("{error}");
                    }
                }
                return Ok(ExitCode::from(exit::REFUSED));
            }
            command_result(json, backend.load_agreement(file_name, text).await)
        }
        AgreementCommand::Status { id, status, on } => {
            let agreement =
                AgreementId::parse(&id).map_err(|e| input(format!("agreement: {e}")))?;
            let status = AgreementStatus::parse(&status).ok_or_else(|| {
                let names: Vec<&str> = AgreementStatus::ALL.iter().map(|s| s.as_str()).collect();
                input(format!(
                    "`{status}` is not a status (one of: {})",
                    names.join(", ")
                ))
            })?;
            let on = on.map(|on| parse_date("on", &on)).transpose()?;
            let reply = backend.change_agreement_status(agreement, status, on).await;
            command_result(json, reply)
        }
        AgreementCommand::List => {
            let listed = read_result(
                backend,
                backend.list_agreements().await,
                "the agreements",
                false,
            )?;
            let agreements = &listed.agreements;
            if json {
                let list: Vec<_> = agreements
                    .iter()
                    .map(|agreement| {
                        let parties = &agreement.parties;
                        json!({
                            "id": agreement.id, "title": agreement.title,
                            "sending": parties.sending, "receiving": parties.receiving,
                            "status_today": agreement.status,
                            "terms_version": agreement.terms_version,
                        })
                    })
                    .collect();
                println!("{}", json!(list));
            } else if agreements.is_empty() {
                println!("no agreements loaded (load one with `corridor agreement load FILE`)");
            } else {
                println!(
                    "{:<22} {:<4} {:<4} {:<12} {:>5}  title",
                    "id", "from", "to", "today", "terms"
                );
                for agreement in agreements {
                    let parties = &agreement.parties;
                    println!(
                        "{:<22} {:<4} {:<4} {:<12} {:>5}  {}",
                        agreement.id,
                        parties.sending,
                        parties.receiving,
                        agreement.status,
                        agreement.terms_version,
                        agreement.title
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AgreementCommand::Show { id } => {
            let agreement =
                AgreementId::parse(&id).map_err(|e| input(format!("agreement: {e}")))?;
            let detail = read_result(
                backend,
                backend.read_agreement(&agreement).await,
                &format!("agreement {agreement}"),
                false,
            )?;
            show_agreement(json, &detail)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints an agreement's detail; its terms are read from the file it was loaded from.
fn show_agreement(json: bool, detail: &AgreementDetail) -> anyhow::Result<()> {
    let latest = parse_agreement(&detail.file_name, &detail.text).map_err(|errors| {
        anyhow::anyhow!("the agreement's stored file no longer parses: {errors}")
    })?;
    let terms_version = detail.agreement.terms_version;
    let history = &detail.status_history;
    if json {
        println!(
            "{}",
            json!({
                "id": detail.agreement.id, "title": latest.title,
                "sending": latest.sending.to_string(), "receiving": latest.receiving.to_string(),
                "status_today": detail.agreement.status,
                "status_history": history.iter().map(|c| json!({"status": c.status, "on": c.on})).collect::<Vec<_>>(),
                "terms_version": terms_version,
                "sources": latest.sources,
            })
        );
        return Ok(());
    }
    println!("{} — {}", detail.agreement.id, latest.title);
    println!(
        "parties: {} ({}) → {} ({})",
        latest.sending,
        latest.sending.name(),
        latest.receiving,
        latest.receiving.name()
    );
    println!("status today: {}", detail.agreement.status);
    for change in history {
        println!("  {:<12} from {}", change.status, change.on);
    }
    let terms = &latest.terms;
    println!("terms version {terms_version}:");
    let e = &terms.eligibility;
    println!(
        "  excluded nationalities: {}",
        join(e.excluded_nationalities.iter())
    );
    println!(
        "  minimum age: {}",
        e.age_years_min.map_or("none".to_owned(), |a| a.to_string())
    );
    println!(
        "  sexes: {}",
        e.sexes
            .as_ref()
            .map_or("any".to_owned(), |s| join(s.iter()))
    );
    println!(
        "  excluded vulnerabilities: {}",
        join(e.excluded_vulnerabilities.iter())
    );
    println!("  per-person approval: {}", e.per_person_approval);
    println!(
        "  caps: transferred {} · present {}",
        terms
            .caps
            .transferred_total_max
            .map_or("none".to_owned(), |c| c.to_string()),
        terms
            .caps
            .present_max
            .map_or("none".to_owned(), |c| c.to_string())
    );
    let c = &terms.clocks;
    let span = |s: Option<corridor_domain::terms::ClockSpan>| {
        s.map_or("none".to_owned(), |s| s.to_string())
    };
    println!(
        "  notice lead time: {} · fear-claim window: {}",
        span(c.notice_lead_time),
        span(c.fear_claim_window)
    );
    println!(
        "  reply deadline: {} (silence accepts: {})",
        span(c.reply_deadline),
        c.silence_accepts
    );
    println!("  transfer deadline: {}", span(c.transfer_deadline));
    for extension in &c.transfer_deadline_extensions {
        println!(
            "    extended to {} for {}",
            extension.deadline, extension.reason
        );
    }
    for check in &c.welfare_checks {
        println!(
            "  welfare check {} after arrival, window {}",
            check.offset, check.window
        );
    }
    println!(
        "  support period: {} · detention validation: {}",
        span(c.support_period),
        span(c.detention_validation)
    );
    println!("  onward rule: {}", terms.onward.as_str());
    println!(
        "  shared fields: {}",
        join(terms.shared_fields.iter().map(|f| f.as_str()))
    );
    println!(
        "  monitoring body: {}",
        terms
            .monitoring
            .as_ref()
            .map_or("none".to_owned(), |m| format!("{} ({})", m.name, m.id))
    );
    if !latest.sources.is_empty() {
        println!("sources:");
        for (path, source) in &latest.sources {
            println!("  {path}: {source}");
        }
    }
    Ok(())
}

fn join<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let list: Vec<String> = items.map(|item| item.to_string()).collect();
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }
}

// ----- cases -----------------------------------------------------------------------------------

/// `corridor case …`.
pub async fn case(
    backend: &Executor,
    json: bool,
    command: CaseCommand,
) -> anyhow::Result<ExitCode> {
    let simple = |target: &crate::cli::Target,
                  make: &dyn Fn(corridor_domain::CaseId) -> Command| {
        parse_case(&target.case).map(|case| (make(case), target.expect_version))
    };
    let (command, expected) = match command {
        CaseCommand::Propose(args) => return propose(backend, json, *args).await,
        CaseCommand::Show { case } => return show(backend, json, &case).await,
        CaseCommand::History { case } => return history(backend, json, &case).await,
        CaseCommand::List {
            agreement,
            status,
            limit,
            after,
        } => return list(backend, json, agreement, status, limit, after).await,
        CaseCommand::Notice {
            target,
            language,
            destination,
            on_person,
            on_counsel,
            explains_contest,
        } => {
            let notice = NoticeFacts {
                language: parse_language(&language)?,
                on_person,
                on_counsel,
                destination: parse_country("destination", &destination)?,
                explains_how_to_contest: explains_contest,
            };
            simple(&target, &|case| Command::ServeNotice {
                case,
                notice: notice.clone(),
            })?
        }
        CaseCommand::ClaimProtection { target } => {
            simple(&target, &|case| Command::ClaimProtection { case })?
        }
        CaseCommand::DecideProtection { target, decision } => {
            let granted = match decision.as_str() {
                "granted" => true,
                "denied" => false,
                other => {
                    return Err(input(format!(
                        "--decision: `{other}` is not `granted` or `denied`"
                    )));
                }
            };
            simple(&target, &|case| Command::DecideProtection { case, granted })?
        }
        CaseCommand::Request { target } => {
            simple(&target, &|case| Command::RequestTransfer { case })?
        }
        CaseCommand::Approve { target } => simple(&target, &|case| Command::Approve { case })?,
        CaseCommand::Refuse { target, reason } => {
            let reason = parse_text("reason", &reason)?;
            simple(&target, &|case| Command::Refuse {
                case,
                reason: reason.clone(),
            })?
        }
        CaseCommand::Extend { target, reason } => {
            let reason = parse_text("reason", &reason)?;
            simple(&target, &|case| Command::ExtendDeadline {
                case,
                reason: reason.clone(),
            })?
        }
        CaseCommand::Schedule { target, departure } => {
            let departure = parse_timestamp("departure", &departure)?;
            simple(&target, &|case| Command::Schedule { case, departure })?
        }
        CaseCommand::Depart { target } => simple(&target, &|case| Command::Depart { case })?,
        CaseCommand::Arrive { target } => simple(&target, &|case| Command::Arrive { case })?,
        CaseCommand::Onward {
            target,
            destination,
        } => {
            let destination = parse_country("destination", &destination)?;
            simple(&target, &|case| Command::Onward { case, destination })?
        }
        CaseCommand::After { target, step } => {
            let make: Box<dyn Fn(corridor_domain::CaseId) -> Command> = match step.as_str() {
                "claim-lodged" => Box::new(|case| Command::LodgeReceivingClaim { case }),
                "claim-granted" => Box::new(|case| Command::DecideReceivingClaim {
                    case,
                    granted: true,
                }),
                "claim-refused" => Box::new(|case| Command::DecideReceivingClaim {
                    case,
                    granted: false,
                }),
                "appeal-lodged" => Box::new(|case| Command::LodgeAppeal { case }),
                "settled" => Box::new(|case| Command::Settle { case }),
                "returned" => Box::new(|case| Command::Return { case }),
                "whereabouts-unknown" => {
                    Box::new(|case| Command::ReportWhereaboutsUnknown { case })
                }
                "whereabouts-known" => Box::new(|case| Command::ReportWhereaboutsKnown { case }),
                "detention-validated" => Box::new(|case| Command::ValidateDetention { case }),
                other => {
                    return Err(input(format!(
                        "`{other}` is not a step; use claim-lodged, claim-granted, claim-refused, appeal-lodged, \
                         settled, returned, whereabouts-unknown, whereabouts-known or detention-validated"
                    )));
                }
            };
            simple(&target, &*make)?
        }
        CaseCommand::Vulnerability { target, category } => {
            let category = parse_vulnerability("category", &category)?;
            simple(&target, &|case| Command::RecordVulnerability {
                case,
                category,
            })?
        }
        CaseCommand::Fear { target, country } => {
            let country = parse_country("country", &country)?;
            simple(&target, &|case| Command::RecordFear { case, country })?
        }
        CaseCommand::AgeDispute {
            target,
            claimed_birth_date,
        } => {
            let claimed_birth_date = parse_date("claimed-birth-date", &claimed_birth_date)?;
            simple(&target, &|case| Command::DisputeAge {
                case,
                claimed_birth_date,
            })?
        }
        CaseCommand::AgeDecision { target, birth_date } => {
            let birth_date = parse_date("birth-date", &birth_date)?;
            simple(&target, &|case| Command::DecideAge { case, birth_date })?
        }
        CaseCommand::Welfare { target, outcome } => {
            let outcome = WelfareOutcome::parse(&outcome).ok_or_else(|| {
                input(format!(
                    "--outcome: `{outcome}` is not one of {}",
                    WelfareOutcome::names()
                ))
            })?;
            simple(&target, &|case| Command::RecordWelfareCheck {
                case,
                outcome,
            })?
        }
        CaseCommand::Withdraw { target, reason } => {
            let reason = parse_text("reason", &reason)?;
            simple(&target, &|case| Command::Withdraw {
                case,
                reason: reason.clone(),
            })?
        }
        CaseCommand::Erase { target } => simple(&target, &|case| Command::Erase { case })?,
    };
    command_result(json, backend.case_command(command, expected).await)
}

async fn propose(backend: &Executor, json: bool, args: ProposeArgs) -> anyhow::Result<ExitCode> {
    let agreement =
        AgreementId::parse(&args.agreement).map_err(|e| input(format!("--agreement: {e}")))?;
    let set = |name: &str, values: &[String]| -> anyhow::Result<BTreeSet<_>> {
        values
            .iter()
            .map(|value| parse_country(name, value))
            .collect()
    };
    let facts = PersonFacts {
        birth_date: parse_date("birth-date", &args.birth_date)?,
        nationality: parse_country("nationality", &args.nationality)?,
        sex: parse_sex(&args.sex)?,
        vulnerabilities: args
            .vulnerabilities
            .iter()
            .map(|v| parse_vulnerability("vulnerability", v))
            .collect::<anyhow::Result<_>>()?,
        feared_countries: set("feared", &args.feared)?,
        protected_countries: set("protected-from", &args.protected_from)?,
        languages: args
            .languages
            .iter()
            .map(|l| parse_language(l))
            .collect::<anyhow::Result<_>>()?,
        legal_basis: parse_label("legal-basis", &args.legal_basis)?,
        designation: args
            .designation
            .as_deref()
            .map(|d| parse_label("designation", d))
            .transpose()?,
        detention_place: args
            .detention_place
            .as_deref()
            .map(|d| parse_label("detention-place", d))
            .transpose()?,
        removal_ordered_on: parse_date("removal-ordered-on", &args.removal_ordered_on)?,
        health_data_consent: args.health_consent,
    };
    if args.name.trim().is_empty() {
        return Err(input("--name: it is empty".to_owned()));
    }
    let optional =
        |name: &str, value: Option<String>| value.map(|text| parse_text(name, &text)).transpose();
    let personal = PersonalData {
        name: parse_text("name", &args.name)?,
        birth_date: Some(facts.birth_date),
        documents: args
            .documents
            .iter()
            .map(|document| parse_text("document", document))
            .collect::<anyhow::Result<_>>()?,
        contact: optional("contact", args.contact)?,
        health: optional("health", args.health)?,
    };
    let counsel = args
        .counsel
        .as_deref()
        .map(|c| parse_user("counsel", c))
        .transpose()?;
    let new = NewCase {
        facts,
        personal,
        counsel,
        idempotency_key: checked_idempotency_key(args.idempotency_key)?,
    };
    created_result(
        json,
        "case",
        "proposed",
        backend.propose(agreement, new).await,
    )
}

/// `--idempotency-key`, checked as a server checks the header (bad values exit 2).
fn checked_idempotency_key(key: Option<String>) -> anyhow::Result<Option<String>> {
    if let Some(key) = &key {
        corridor_app::limits::check_idempotency_key(key)
            .map_err(|message| input(format!("--idempotency-key: {message}")))?;
    }
    Ok(key)
}

/// What a creation (a proposal, a hold) answered: the created id, the case's version today (a
/// hold has none), whether it answered again one made earlier, and what it appended.
struct Created {
    id: String,
    version: Option<u64>,
    replayed: bool,
    outcome: CommandOutcome,
}

impl From<Proposed> for Created {
    fn from(proposed: Proposed) -> Self {
        Self {
            id: proposed.case,
            version: Some(proposed.version),
            replayed: proposed.replayed,
            outcome: proposed.outcome,
        }
    }
}

impl From<MonitoringRecorded> for Created {
    fn from(recorded: MonitoringRecorded) -> Self {
        Self {
            id: recorded.id,
            version: None,
            replayed: recorded.replayed,
            outcome: recorded.outcome,
        }
    }
}

impl From<RegisteredHold> for Created {
    fn from(registered: RegisteredHold) -> Self {
        Self {
            id: registered.hold,
            version: None,
            replayed: registered.replayed,
            outcome: registered.outcome,
        }
    }
}

/// The result of a creation (a proposal, a hold): as any command's, unless it answered again
/// one made earlier with the same idempotency key. `what` names the created thing (`case`,
/// `hold`), `done` the verb (`proposed`, `registered`).
fn created_result<T: Into<Created>>(
    json: bool,
    what: &str,
    done: &str,
    reply: RequestResult<T>,
) -> anyhow::Result<ExitCode> {
    let created = match reply {
        Ok(answer) => answer.into(),
        Err(failure) => return command_result(json, Err(failure)),
    };
    if created.replayed {
        let id = &created.id;
        if json {
            let mut out = json!({"outcome": "accepted", "replayed": true, what: id, "events": []});
            if let (Some(version), Some(object)) = (created.version, out.as_object_mut()) {
                object.insert("version".to_owned(), json!(version));
            }
            println!("{out}");
        } else {
            println!("already {done} with this idempotency key: {id}; nothing new was recorded");
        }
        return Ok(ExitCode::SUCCESS);
    }
    command_result(json, Ok(created.outcome))
}

async fn show(backend: &Executor, json: bool, case: &str) -> anyhow::Result<ExitCode> {
    let id = parse_case(case)?;
    let view = read_result(backend, backend.read_case(id).await, &id.to_string(), true)?;
    if json {
        println!("{}", serde_json::to_value(&view)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} · {} · terms version {} · {} · version {}",
        view.case, view.agreement, view.terms_version, view.status, view.version
    );
    match view.personal_data_state {
        PersonalDataState::Erased => println!("personal data: erased"),
        PersonalDataState::Shown => {
            let personal = view.personal_data.clone().unwrap_or_default();
            if let Some(name) = personal.name.as_deref().filter(|name| !name.is_empty()) {
                println!("name: {name}");
            }
            if let Some(birth) = &personal.birth_date {
                println!("born: {birth}");
            }
            for document in personal.documents.iter().flatten() {
                println!("document: {document}");
            }
            if let Some(contact) = &personal.contact {
                println!("contact: {contact}");
            }
            if let Some(health) = &personal.health {
                println!("health: {health}");
            }
        }
        PersonalDataState::Withheld => println!("personal data: withheld"),
    }
    let rule = &view.rule_attributes;
    let list = |values: &Option<Vec<String>>| values.as_ref().map(|values| join(values.iter()));
    if let Some(nationality) = &rule.nationality {
        println!("nationality: {nationality}");
    }
    if let Some(sex) = &rule.sex {
        println!("sex: {sex}");
    }
    if let Some(age) = rule.age_years_at_proposal {
        println!("age at proposal: {age}");
    }
    if let Some(languages) = list(&rule.languages) {
        println!("languages: {languages}");
    }
    if let Some(vulnerabilities) = list(&rule.vulnerabilities) {
        println!("vulnerabilities: {vulnerabilities}");
    }
    if let (Some(feared), Some(protected)) = (
        list(&rule.feared_countries),
        list(&rule.protected_countries),
    ) {
        println!("feared: {feared} · protected from: {protected}");
    }
    if let Some(legal_basis) = &rule.legal_basis {
        println!(
            "removal order: {} on {} · designation {} · detained at {}",
            legal_basis,
            rule.removal_ordered_on.as_deref().unwrap_or_default(),
            rule.designation.as_deref().unwrap_or("none"),
            rule.detention_place.as_deref().unwrap_or("nowhere")
        );
    }
    match (&view.departed_at, &view.arrived_at, &view.departure) {
        (_, Some(arrived), _) => println!("arrived: {arrived}"),
        (Some(departed), None, _) => println!("departed: {departed}"),
        (None, None, Some(departure)) => println!("departure scheduled: {departure}"),
        _ => {}
    }
    if let Some(deadline) = &view.next_deadline {
        println!("next deadline: {deadline}");
    }
    if !view.holds_matched.is_empty() {
        println!("holds matched: {}", join(view.holds_matched.iter()));
    }
    for item in &view.welfare_checks {
        println!(
            "welfare check due {} (window {} to {}): {}",
            item.due_at, item.window_opens_at, item.window_ends_at, item.state
        );
    }
    if let Some(aftercare) = &view.aftercare {
        print_aftercare(aftercare);
    }
    let refusals = view.safeguard_refusals.unwrap_or(0);
    if refusals > 0 {
        println!("safeguard refusals recorded: {refusals}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The years after arrival, as `case show` prints them.
fn print_aftercare(aftercare: &corridor_app::views::AftercareView) {
    println!(
        "after arrival: {} months · checks done {} · missed {} (in a row {}) · due {} · upcoming {}",
        aftercare.months_since_arrival,
        aftercare.checks_done,
        aftercare.checks_missed,
        aftercare.missed_in_a_row,
        aftercare.checks_due,
        aftercare.checks_upcoming
    );
    println!(
        "whereabouts: {} since {}",
        aftercare.whereabouts, aftercare.whereabouts_since
    );
    if let (Some(destination), Some(at)) = (&aftercare.onward_destination, &aftercare.onward_at) {
        println!("moved on to {destination} at {at}");
    }
    if let Some(end) = &aftercare.support_ends_at {
        println!("support period ends: {end}");
    }
    for alert in aftercare.alerts.iter().flatten() {
        println!(
            "ALERT to the monitoring body at {}: {} (since {}{})",
            alert.at,
            alert.reason,
            alert.since,
            alert
                .count
                .map(|count| format!(", {count} in a row"))
                .unwrap_or_default()
        );
    }
}

async fn history(backend: &Executor, json: bool, case: &str) -> anyhow::Result<ExitCode> {
    let id = parse_case(case)?;
    let events = read_result(
        backend,
        backend.read_history(id).await,
        &id.to_string(),
        true,
    )?;
    let stream = id.to_string();
    if json {
        let list: Vec<Value> = events
            .iter()
            .map(|entry| entry_json(entry.seq, history_event(entry), entry, &stream))
            .collect();
        println!("{}", json!(list));
    } else {
        for entry in &events {
            println!(
                "#{:<6} v{:<3} {}  {}",
                entry.seq,
                entry.version,
                entry.at,
                history_event(entry).map_or_else(|| entry.kind.clone(), |event| describe(&event))
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(
    backend: &Executor,
    json: bool,
    agreement: Option<String>,
    status: Option<String>,
    limit: u32,
    after: Option<String>,
) -> anyhow::Result<ExitCode> {
    let query = CaseQuery {
        agreement: agreement
            .map(|a| AgreementId::parse(&a).map_err(|e| input(format!("--agreement: {e}"))))
            .transpose()?,
        status: status
            .map(|s| {
                corridor_app::disclosure::ShownStatus::parse(&s)
                    .ok_or_else(|| input(format!("--status: `{s}` is not a case status")))
            })
            .transpose()?,
        limit: if (1..=PAGE_SIZE_MAX).contains(&limit) {
            limit
        } else {
            return Err(input(format!(
                "--limit: give 1 to {PAGE_SIZE_MAX} (page on with --after)"
            )));
        },
        after: after.as_deref().map(parse_case).transpose()?,
    };
    let page = read_result(
        backend,
        backend.list_cases(&query).await,
        "these cases",
        true,
    )?;
    let cases = &page.cases;
    if json {
        let list: Vec<_> = cases
            .iter()
            .map(|r| {
                json!({"case": r.case, "agreement": r.agreement, "status": r.status,
                "version": r.version, "nationality": r.nationality})
            })
            .collect();
        println!("{}", json!(list));
    } else {
        println!(
            "{:<22} {:<22} {:<20} {:>3}",
            "case", "agreement", "status", "v"
        );
        for r in cases {
            println!(
                "{:<22} {:<22} {:<20} {:>3}",
                r.case, r.agreement, r.status, r.version
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

// ----- holds and the clocks --------------------------------------------------------------------

fn scope_of(args: &ScopeArgs) -> anyhow::Result<HoldScope> {
    let cases = args
        .cases
        .iter()
        .map(|c| parse_case(c))
        .collect::<anyhow::Result<_>>()?;
    let criteria = ClassCriteria {
        agreements: args
            .agreements
            .iter()
            .map(|a| AgreementId::parse(a).map_err(|e| input(format!("--agreement: {e}"))))
            .collect::<anyhow::Result<_>>()?,
        nationalities: args
            .nationalities
            .iter()
            .map(|n| parse_country("nationality", n))
            .collect::<anyhow::Result<_>>()?,
        legal_bases: args
            .legal_bases
            .iter()
            .map(|l| parse_label("legal-basis", l))
            .collect::<anyhow::Result<_>>()?,
        designations: args
            .designations
            .iter()
            .map(|l| parse_label("designation", l))
            .collect::<anyhow::Result<_>>()?,
        detention_places: args
            .detention_places
            .iter()
            .map(|l| parse_label("detention-place", l))
            .collect::<anyhow::Result<_>>()?,
        removal_ordered_from: args
            .ordered_from
            .as_deref()
            .map(|d| parse_date("ordered-from", d))
            .transpose()?,
        removal_ordered_until: args
            .ordered_until
            .as_deref()
            .map(|d| parse_date("ordered-until", d))
            .transpose()?,
    };
    HoldScope::of(cases, criteria).map_err(|choice| match choice {
        ScopeChoice::Both => input("give either --case (an individual order) or class criteria, not both".to_owned()),
        ScopeChoice::Neither => input("give --case for an individual order, or class criteria (--nationality, --legal-basis, …)".to_owned()),
    })
}

/// `corridor hold …`.
/// `corridor report`: the joint committee's report, written to standard output.
pub async fn report(backend: &Executor, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let query = ReportQuery {
        agreement: AgreementId::parse(&args.agreement)
            .map_err(|e| input(format!("--agreement: {e}")))?,
        period: Period::parse(&args.period).map_err(|e| input(format!("--period: {e}")))?,
        version: if args.public {
            ReportVersion::Public
        } else {
            ReportVersion::Committee
        },
    };
    let format = ReportFormat::parse(&args.format).map_err(|e| input(format!("--format: {e}")))?;
    let text = read_result(
        backend,
        backend.read_report(&query, format, &args.format).await,
        &format!("the report on {}", query.agreement),
        false,
    )?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// `corridor access list`: one page of an agreement's access records, a line each (or the page
/// as JSON), then the `--after` of the next page when there is one.
pub async fn access(
    backend: &Executor,
    json: bool,
    command: AccessCommand,
) -> anyhow::Result<ExitCode> {
    let AccessCommand::List {
        agreement,
        case,
        after,
        limit,
    } = command;
    if !(1..=PAGE_SIZE_MAX).contains(&limit) {
        return Err(input(format!("--limit: give 1 to {PAGE_SIZE_MAX}")));
    }
    let query = AccessQuery {
        agreement: AgreementId::parse(&agreement)
            .map_err(|e| input(format!("--agreement: {e}")))?,
        case: case.as_deref().map(parse_case).transpose()?,
        after,
        limit,
    };
    let page = read_result(
        backend,
        backend.list_access_records(&query).await,
        "the access records",
        false,
    )?;
    if json {
        println!("{}", serde_json::to_value(&page)?);
        return Ok(ExitCode::SUCCESS);
    }
    let records = &page.records;
    if records.is_empty() {
        println!("no access records");
    }
    for record in records {
        println!(
            "#{} {} {} ({}) {} {}: {} by {}",
            record.seq,
            record.at,
            record.user.as_deref().unwrap_or_default(),
            record.role,
            record.action,
            record.resource,
            if record.allowed { "allowed" } else { "denied" },
            join(record.policies.iter()),
        );
    }
    if let Some(next) = page.next {
        println!("more: --after {next}");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn hold(
    backend: &Executor,
    json: bool,
    command: HoldCommand,
) -> anyhow::Result<ExitCode> {
    let (hold, command) = match command {
        HoldCommand::List => {
            let holds = read_result(backend, backend.list_holds().await, "the holds", false)?;
            if json {
                let list: Vec<_> = holds
                    .iter()
                    .map(|h| {
                        json!({"hold": h.hold, "court": h.court, "reference": h.reference,
                        "status": h.status, "scope": h.scope, "depends_on": h.depends_on,
                        "amendments": h.amendments})
                    })
                    .collect();
                println!("{}", json!(list));
            } else if holds.is_empty() {
                println!("no holds registered");
            } else {
                for h in &holds {
                    let scope = h.scope.to_string();
                    let parent = h
                        .depends_on
                        .as_ref()
                        .map_or(String::new(), |p| format!(" · depends on {p}"));
                    println!(
                        "{} · {} · {} {} · {scope}{parent}",
                        h.hold, h.status, h.court, h.reference
                    );
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        HoldCommand::Register {
            court,
            reference,
            depends_on,
            scope,
            idempotency_key,
        } => {
            let new = NewHold {
                court: parse_text("court", &court)?,
                reference: parse_text("reference", &reference)?,
                scope: scope_of(&scope)?,
                depends_on: depends_on.as_deref().map(parse_hold).transpose()?,
                idempotency_key: checked_idempotency_key(idempotency_key)?,
            };
            return created_result(json, "hold", "registered", backend.register_hold(new).await);
        }
        HoldCommand::Stay { hold } => {
            let hold = parse_hold(&hold)?;
            (hold, Command::StayHold { hold })
        }
        HoldCommand::Reactivate { hold } => {
            let hold = parse_hold(&hold)?;
            (hold, Command::ReactivateHold { hold })
        }
        HoldCommand::Amend { hold, scope } => {
            let hold = parse_hold(&hold)?;
            let scope = scope_of(&scope)?;
            (hold, Command::AmendHold { hold, scope })
        }
        HoldCommand::Lift { hold } => {
            let hold = parse_hold(&hold)?;
            (hold, Command::VacateHold { hold })
        }
    };
    command_result(json, backend.hold_command(hold, command).await)
}

/// `corridor tick`: what the clocks caused, then the responses to findings overdue now.
pub async fn tick(backend: &Executor, json: bool) -> anyhow::Result<ExitCode> {
    let answer = match backend.tick().await {
        Ok(answer) => answer,
        Err(failure) => return command_result(json, Err(failure)),
    };
    if json {
        let mut value = serde_json::to_value(&answer)?;
        if answer.overdue_responses.is_empty()
            && let Some(object) = value.as_object_mut()
        {
            object.remove("overdue_responses");
        }
        // The events as every command prints them.
        let events: Vec<Value> = answer
            .outcome
            .events
            .iter()
            .map(|entry| entry_json(entry.seq, summary_event(entry), entry, &entry.stream))
            .collect();
        if let Some(object) = value.as_object_mut() {
            object.insert("events".to_owned(), json!(events));
            object.remove("case_version");
        }
        println!("{value}");
        return Ok(ExitCode::SUCCESS);
    }
    let code = command_result(false, Ok(answer.outcome))?;
    for overdue in &answer.overdue_responses {
        println!(
            "overdue: {} ({}) · response of the {} was due {}",
            overdue.finding,
            overdue.agreement,
            overdue.party.replace('_', " "),
            overdue.due_at
        );
    }
    Ok(code)
}

// ----- the monitoring body ---------------------------------------------------------------------

/// `corridor monitor …`.
pub async fn monitor(
    backend: &Executor,
    json: bool,
    command: MonitorCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        MonitorCommand::Visit(command) => visit(backend, json, command).await,
        MonitorCommand::Finding(command) => finding(backend, json, command).await,
        MonitorCommand::Queue => {
            let queue = read_result(
                backend,
                backend.monitoring_queue().await,
                "the monitor's queue",
                false,
            )?;
            if json {
                println!("{}", serde_json::to_value(&queue)?);
            } else if queue.items.is_empty() {
                println!("nothing on the queue at {}", queue.at);
            } else {
                for item in &queue.items {
                    println!("{}", queue_line(item));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn queue_line(item: &QueueItem) -> String {
    let flag = |overdue: bool| if overdue { "OVERDUE" } else { "due" };
    match item {
        QueueItem::WelfareCheck {
            case,
            due_at,
            window_ends_at,
            overdue,
            ..
        } => format!(
            "{} · welfare check · {case} · due {due_at}, window until {window_ends_at}",
            flag(*overdue)
        ),
        QueueItem::WhereaboutsUnknown { case, .. } => {
            format!("unknown · whereabouts unknown · {case}")
        }
        QueueItem::Alert {
            case,
            reason,
            since,
            raised_at,
            ..
        } => format!(
            "ALERT · {} · {case} · since {since}, raised {raised_at}",
            reason.replace('_', " ")
        ),
        QueueItem::VisitPlanned {
            visit,
            on,
            place,
            announced,
            ..
        } => format!(
            "planned · {} visit · {visit} · {on} · {place}",
            if *announced {
                "announced"
            } else {
                "unannounced"
            }
        ),
        QueueItem::Complaint {
            complaint,
            status,
            lodged_at,
            ..
        } => format!(
            "open · complaint · {complaint} · {} · lodged {lodged_at}",
            status.replace('_', " ")
        ),
        QueueItem::FindingResponse {
            finding,
            severity,
            party,
            due_at,
            overdue,
            ..
        } => format!(
            "{} · response of the {} · {finding} ({severity}){}",
            flag(*overdue),
            party.replace('_', " "),
            due_at
                .as_ref()
                .map_or_else(String::new, |due| format!(" · due {due}"))
        ),
    }
}

fn parse_agreement_id(value: &str) -> anyhow::Result<AgreementId> {
    AgreementId::parse(value).map_err(|e| input(format!("agreement: {e}")))
}

fn parse_finding(value: &str) -> anyhow::Result<FindingId> {
    FindingId::parse(value).map_err(|e| input(format!("finding: {e}")))
}

/// One of a closed list of snake_case names, or the list in the error.
fn one_of<T: Copy>(
    what: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> anyhow::Result<T> {
    parse(value).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|item| name(*item)).collect();
        input(format!(
            "`{value}` is not a {what} (one of: {})",
            names.join(", ")
        ))
    })
}

fn new_visit(args: &VisitArgs) -> anyhow::Result<(AgreementId, NewVisit)> {
    Ok((
        parse_agreement_id(&args.agreement)?,
        NewVisit {
            announced: !args.unannounced,
            on: parse_date("on", &args.on)?,
            place: parse_text("place", &args.place)?,
            cases: args
                .cases
                .iter()
                .map(|case| parse_case(case))
                .collect::<anyhow::Result<_>>()?,
            idempotency_key: checked_idempotency_key(args.idempotency_key.clone())?,
        },
    ))
}

/// `corridor monitor visit …`.
async fn visit(backend: &Executor, json: bool, command: VisitCommand) -> anyhow::Result<ExitCode> {
    match command {
        VisitCommand::Schedule { visit } => {
            let (agreement, new) = new_visit(&visit)?;
            let reply = backend.schedule_visit(agreement, new).await;
            created_result(json, "visit", "scheduled", reply)
        }
        VisitCommand::Record { visit, plan, seen } => {
            let (agreement, new) = new_visit(&plan)?;
            let visit = visit
                .as_deref()
                .map(|id| VisitId::parse(id).map_err(|e| input(format!("visit: {e}"))))
                .transpose()?;
            let mut who = Seen::default();
            for entry in &seen {
                match CaseId::parse(entry) {
                    Ok(case) => {
                        who.cases.insert(case);
                    }
                    Err(_) => who.others.push(parse_text("seen", entry)?),
                }
            }
            let reply = backend.record_visit(agreement, visit, new, who).await;
            created_result(json, "visit", "recorded", reply)
        }
        VisitCommand::List { agreement } => {
            let agreement = parse_agreement_id(&agreement)?;
            let what = format!("the visits of {agreement}");
            let listed = read_result(backend, backend.list_visits(&agreement).await, &what, false)?;
            if json {
                println!("{}", serde_json::to_value(&listed)?);
            } else if listed.visits.is_empty() {
                println!("no visits");
            } else {
                for v in &listed.visits {
                    let cases = if v.cases.is_empty() {
                        String::new()
                    } else {
                        format!(" · cases {}", v.cases.join(", "))
                    };
                    let seen = v.seen.as_ref().map_or_else(String::new, |seen| {
                        let mut all = seen.cases.clone();
                        all.extend(seen.others.iter().cloned());
                        format!(" · seen {}", all.join(", "))
                    });
                    println!(
                        "{} · {} · {} · {} · {}{cases}{seen}",
                        v.visit,
                        v.on,
                        v.status,
                        if v.announced {
                            "announced"
                        } else {
                            "unannounced"
                        },
                        v.place
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `corridor monitor finding …`.
async fn finding(
    backend: &Executor,
    json: bool,
    command: FindingCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        FindingCommand::Record {
            agreement,
            cases,
            category,
            severity,
            text,
            addressed,
            idempotency_key,
        } => {
            let new = NewFinding {
                cases: cases
                    .iter()
                    .map(|case| parse_case(case))
                    .collect::<anyhow::Result<_>>()?,
                category: one_of(
                    "category",
                    &category,
                    FindingCategory::parse,
                    FindingCategory::ALL,
                    FindingCategory::as_str,
                )?,
                severity: one_of(
                    "severity",
                    &severity,
                    Severity::parse,
                    Severity::ALL,
                    Severity::as_str,
                )?,
                text: parse_text("text", &text)?,
                addressed: addressed
                    .iter()
                    .map(|party| {
                        one_of(
                            "party",
                            party,
                            AddressedParty::parse,
                            AddressedParty::ALL,
                            AddressedParty::as_str,
                        )
                    })
                    .collect::<anyhow::Result<_>>()?,
                idempotency_key: checked_idempotency_key(idempotency_key)?,
            };
            let reply = backend
                .record_finding(parse_agreement_id(&agreement)?, new)
                .await;
            created_result(json, "finding", "recorded", reply)
        }
        FindingCommand::Respond { finding, text } => {
            let finding = parse_finding(&finding)?;
            let text = parse_text("text", &text)?;
            command_result(json, backend.respond_to_finding(finding, text).await)
        }
        FindingCommand::Close { finding, outcome } => {
            let finding = parse_finding(&finding)?;
            let outcome = one_of(
                "closing outcome",
                &outcome,
                FindingOutcome::parse,
                FindingOutcome::ALL,
                FindingOutcome::as_str,
            )?;
            command_result(json, backend.close_finding(finding, outcome).await)
        }
        FindingCommand::List { agreement } => {
            let agreement = parse_agreement_id(&agreement)?;
            let what = format!("the findings of {agreement}");
            let listed = read_result(
                backend,
                backend.list_findings(&agreement).await,
                &what,
                false,
            )?;
            if json {
                println!("{}", serde_json::to_value(&listed)?);
            } else if listed.findings.is_empty() {
                println!("no findings");
            } else {
                for f in &listed.findings {
                    println!("{}", finding_line(f));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        FindingCommand::Show { finding } => {
            let id = parse_finding(&finding)?;
            let view = read_result(backend, backend.read_finding(id).await, &finding, false)?;
            if json {
                println!("{}", serde_json::to_value(&view)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!("{}", finding_line(&view));
            println!("addressed to: {}", view.addressed.join(", "));
            println!("text: {}", view.text);
            for response in &view.responses {
                let due = response
                    .due_at
                    .as_ref()
                    .map_or_else(String::new, |due| format!(" (due {due})"));
                let said = response
                    .text
                    .as_ref()
                    .map_or_else(String::new, |text| format!(": {text}"));
                println!(
                    "response of the {}{due}: {}{said}",
                    response.party.replace('_', " "),
                    response.state
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn finding_line(f: &FindingView) -> String {
    let cases = if f.cases.is_empty() {
        String::new()
    } else {
        format!(" · cases {}", f.cases.join(", "))
    };
    let status = match &f.outcome {
        Some(outcome) => format!("closed ({outcome})"),
        None => f.status.clone(),
    };
    let hold = if f.holds_cases {
        " · monitor's hold"
    } else {
        ""
    };
    format!(
        "{} · {} · {} · {} · {status}{cases}{hold}",
        f.finding, f.recorded_at, f.severity, f.category
    )
}

// ----- complaints --------------------------------------------------------------------------------

/// `corridor complaint …` (docs/monitoring.md, "Confidential complaints").
pub async fn complaint(
    backend: &Executor,
    json: bool,
    command: ComplaintCommand,
) -> anyhow::Result<ExitCode> {
    let parse_complaint =
        |text: &str| ComplaintId::parse(text).map_err(|e| input(format!("COMPLAINT: {e}")));
    let work = |summary: ComplaintSummary| -> anyhow::Result<ExitCode> {
        if json {
            println!("{}", serde_json::to_value(&summary)?);
        } else {
            println!("{} {}", summary.complaint, summary.status);
        }
        Ok(ExitCode::SUCCESS)
    };
    match command {
        ComplaintCommand::Lodge {
            agreement,
            complainant,
            case_reference,
            text,
            text_file,
            contact,
        } => {
            let text = match (text, text_file) {
                (Some(text), _) => text,
                (None, Some(path)) => std::fs::read_to_string(&path)
                    .map_err(|e| input(format!("--text-file {}: {e}", path.display())))?,
                (None, None) => return Err(input("give --text or --text-file".to_owned())),
            };
            let new = NewComplaint {
                agreement,
                complainant,
                case_reference,
                text,
                contact,
            };
            let receipt = read_result(
                backend,
                backend.lodge_complaint(new).await,
                "the complaint",
                false,
            )?;
            if json {
                println!("{}", serde_json::to_value(&receipt)?);
            } else {
                println!("receipt {}", receipt.receipt);
                println!(
                    "keep this code: it alone reads the complaint's status and reply, and it cannot be shown again"
                );
            }
        }
        ComplaintCommand::Status { receipt } => {
            let receipt = match receipt {
                Some(receipt) => receipt,
                None => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim().to_owned()
                }
            };
            let status = read_result(
                backend,
                backend.complaint_status(&receipt).await,
                "the complaint",
                false,
            )?;
            if json {
                println!("{}", serde_json::to_value(&status)?);
            } else {
                println!("status {} (lodged {})", status.status, status.lodged_on);
                if status.erased {
                    println!("erased: its text and reply can no longer be read");
                }
                if let Some(reply) = status.reply {
                    println!("reply: {reply}");
                }
            }
        }
        ComplaintCommand::List { agreement } => {
            let agreement =
                AgreementId::parse(&agreement).map_err(|e| input(format!("--agreement: {e}")))?;
            let list = read_result(
                backend,
                backend.list_complaints(&agreement).await,
                "the complaints",
                false,
            )?;
            if json {
                println!("{}", serde_json::to_value(&list)?);
            } else if list.is_empty() {
                println!("no complaints");
            }
            for c in list.iter().filter(|_| !json) {
                println!(
                    "{} {} {} by {}{}",
                    c.complaint,
                    c.lodged_at,
                    c.status,
                    c.complainant,
                    c.case
                        .as_deref()
                        .map(|case| format!(", linked to {case}"))
                        .unwrap_or_default()
                );
            }
        }
        ComplaintCommand::Show { complaint } => {
            let view = read_result(
                backend,
                backend.read_complaint(parse_complaint(&complaint)?).await,
                "the complaint",
                false,
            )?;
            if json {
                println!("{}", serde_json::to_value(&view)?);
            } else {
                let s = &view.summary;
                println!(
                    "{} {} ({}), lodged {} by {}",
                    s.complaint, s.status, s.agreement, s.lodged_at, s.complainant
                );
                if s.erased {
                    println!("erased");
                }
                for (name, value) in [
                    ("case", &s.case),
                    ("case reference", &view.case_reference),
                    ("contact", &view.contact),
                    ("text", &view.text),
                    ("reply", &view.reply),
                ] {
                    if let Some(value) = value {
                        println!("{name}: {value}");
                    }
                }
            }
        }
        ComplaintCommand::Review {
            complaint,
            status,
            reply,
        } => {
            let id = parse_complaint(&complaint)?;
            let done = backend
                .complaint_work(id, ComplaintWork::Review { status, reply })
                .await;
            return work(read_result(backend, done, "the complaint", false)?);
        }
        ComplaintCommand::Link { complaint, case } => {
            let id = parse_complaint(&complaint)?;
            let case = parse_case(&case)?;
            let done = backend
                .complaint_work(id, ComplaintWork::Link { case })
                .await;
            return work(read_result(backend, done, "the complaint", false)?);
        }
        ComplaintCommand::Erase { complaint } => {
            let id = parse_complaint(&complaint)?;
            let done = backend.complaint_work(id, ComplaintWork::Erase).await;
            return work(read_result(backend, done, "the complaint", false)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
