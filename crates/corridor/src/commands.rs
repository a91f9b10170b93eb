//! One handler per CLI command: turn flags into typed values, carry them out (locally or on a
//! server, `backend.rs`), print.
//!
//! Everything printed is made from the API's answers (a command outcome, a case view, a page of
//! cases, a problem), so the output is the same whichever side carried the command out.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_app::ErrorKind;
use corridor_app::access::AccessQuery;
use corridor_app::limits::PAGE_SIZE_MAX;
use corridor_app::service::{CaseQuery, NewCase, NewHold};
use corridor_domain::terms::{AgreementId, AgreementStatus, parse_agreement};
use corridor_domain::{
    ClassCriteria, Command, Event, HoldScope, NoticeFacts, PersonFacts, PersonalData, Role,
    ScopeChoice, WelfareOutcome,
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
        ::std::println!("{}", crate::printable::escape(&::std::format!($($arg)+)))
    };
}

/// As `println!`, on standard error.
macro_rules! eprintln {
    ($($arg:tt)+) => {
        ::std::eprintln!("{}", crate::printable::escape(&::std::format!($($arg)+)))
    };
}
use crate::backend::{Answer, Executor, Failure, RequestResult};
use crate::cli::{
    AccessCommand, AgreementCommand, CaseCommand, HoldCommand, ProposeArgs, ScopeArgs,
};

/// Largest agreement file read from disk; the parser has its own, equal limit.
const AGREEMENT_FILE_BYTES_MAX: u64 = corridor_domain::terms::AGREEMENT_FILE_SIZE_MAX_BYTES as u64;

/// A value the user typed that cannot be used (exit status 2).
fn input(message: String) -> anyhow::Error {
    anyhow::Error::new(crate::app::InputError(message))
}

// ----- answers into output and exit statuses ---------------------------------------------------

/// The text of a JSON string member, or "".
fn text<'a>(value: &'a Value, name: &str) -> &'a str {
    value.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// The members of a JSON array, or none.
fn items<'a>(value: &'a Value, name: &str) -> &'a [Value] {
    value
        .get(name)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The texts of a JSON array of strings.
fn texts(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A JSON value as it reads in text: a string without quotes, anything else as JSON.
fn plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// The stored event an answer's event stands for (a command's `events[]` or a history entry):
/// rebuilt from its kind, time, author and facts. `None` when the answer carries no facts.
fn event_of(entry: &Value) -> Option<Event> {
    let mut object = entry.get("details")?.as_object()?.clone();
    for name in ["type", "at"] {
        object.insert(name.to_owned(), entry.get(name)?.clone());
    }
    object.insert(
        "by".to_owned(),
        entry.get("by").cloned().unwrap_or(Value::Null),
    );
    if text(entry, "type") == "case_proposed" {
        // The sealed personal data never leaves; describing the proposal does not need it.
        object
            .entry("personal".to_owned())
            .or_insert_with(|| json!(""));
    }
    serde_json::from_value(Value::Object(object)).ok()
}

/// An answer's event as `--json` prints it: the stored event with its sequence number and
/// stream, without sealed personal data.
fn entry_json(entry: &Value, stream: &str) -> Value {
    let seq = entry.get("seq").and_then(Value::as_u64).unwrap_or(0);
    match event_of(entry) {
        Some(event) => event_json(seq, &event),
        None => {
            let mut value = entry.clone();
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

/// One line describing an answer's event.
fn entry_line(entry: &Value) -> String {
    event_of(entry).map_or_else(
        || format!("{} on {}", text(entry, "type"), text(entry, "stream")),
        |event| describe(&event),
    )
}

/// Prints what an accepted command appended.
fn print_accepted(json: bool, outcome: &Value) {
    let events = items(outcome, "events");
    if json {
        let events: Vec<Value> = events
            .iter()
            .map(|entry| entry_json(entry, text(entry, "stream")))
            .collect();
        println!("{}", json!({"outcome": "accepted", "events": events}));
    } else if events.is_empty() {
        println!("accepted: nothing to record");
    } else {
        println!("accepted:");
        for entry in events {
            let seq = entry.get("seq").and_then(Value::as_u64).unwrap_or(0);
            println!("  #{:<6} {}", seq, entry_line(entry));
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
        ) => Refused(answer.detail.clone()).into(),
        _ => anyhow::anyhow!("{} ({})", answer.detail, answer.code),
    }
}

/// Prints a command's result and gives its exit status: 0 accepted, 3 refused by a safeguard,
/// 4 refused otherwise, 5 a version conflict; other failures are errors.
fn command_result(json: bool, reply: RequestResult) -> anyhow::Result<ExitCode> {
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
fn read_result(
    backend: &Executor,
    reply: RequestResult,
    what: &str,
    case_contents: bool,
) -> anyhow::Result<Value> {
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
            let agreements = items(&listed, "agreements");
            if json {
                let list: Vec<_> = agreements
                    .iter()
                    .map(|agreement| {
                        let parties = agreement.get("parties").unwrap_or(&Value::Null);
                        json!({
                            "id": text(agreement, "id"), "title": text(agreement, "title"),
                            "sending": text(parties, "sending"), "receiving": text(parties, "receiving"),
                            "status_today": text(agreement, "status"),
                            "terms_version": agreement.get("terms_version"),
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
                    let parties = agreement.get("parties").unwrap_or(&Value::Null);
                    println!(
                        "{:<22} {:<4} {:<4} {:<12} {:>5}  {}",
                        text(agreement, "id"),
                        text(parties, "sending"),
                        text(parties, "receiving"),
                        text(agreement, "status"),
                        agreement
                            .get("terms_version")
                            .map(plain)
                            .unwrap_or_default(),
                        text(agreement, "title")
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
fn show_agreement(json: bool, detail: &Value) -> anyhow::Result<()> {
    let latest =
        parse_agreement(text(detail, "file_name"), text(detail, "text")).map_err(|errors| {
            anyhow::anyhow!("the agreement's stored file no longer parses: {errors}")
        })?;
    let terms_version = detail.get("terms_version").map(plain).unwrap_or_default();
    let history = items(detail, "status_history");
    if json {
        println!(
            "{}",
            json!({
                "id": text(detail, "id"), "title": latest.title,
                "sending": latest.sending.to_string(), "receiving": latest.receiving.to_string(),
                "status_today": text(detail, "status"),
                "status_history": history.iter().map(|c| json!({"status": text(c, "status"), "on": text(c, "on")})).collect::<Vec<_>>(),
                "terms_version": detail.get("terms_version"),
                "sources": latest.sources,
            })
        );
        return Ok(());
    }
    println!("{} — {}", text(detail, "id"), latest.title);
    println!(
        "parties: {} ({}) → {} ({})",
        latest.sending,
        latest.sending.name(),
        latest.receiving,
        latest.receiving.name()
    );
    println!("status today: {}", text(detail, "status"));
    for change in history {
        println!(
            "  {:<12} from {}",
            text(change, "status"),
            text(change, "on")
        );
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
                    "--outcome: `{outcome}` is not one of well, concerns, not_seen"
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

/// The result of a creation (a proposal, a hold): as any command's, unless it answered again
/// one made earlier with the same idempotency key. `what` names the answer's member with the
/// created id, `done` the verb (`proposed`, `registered`).
fn created_result(
    json: bool,
    what: &str,
    done: &str,
    reply: RequestResult,
) -> anyhow::Result<ExitCode> {
    if let Ok(answer) = &reply
        && answer["replayed"] == true
    {
        let id = text(answer, what);
        if json {
            let mut out = json!({"outcome": "accepted", "replayed": true, what: id, "events": []});
            // A case's version today (a hold has none).
            if let (Some(version), Some(object)) = (answer.get("version"), out.as_object_mut()) {
                object.insert("version".to_owned(), version.clone());
            }
            println!("{out}");
        } else {
            println!("already {done} with this idempotency key: {id}; nothing new was recorded");
        }
        return Ok(ExitCode::SUCCESS);
    }
    command_result(json, reply)
}

async fn show(backend: &Executor, json: bool, case: &str) -> anyhow::Result<ExitCode> {
    let id = parse_case(case)?;
    let view = read_result(backend, backend.read_case(id).await, &id.to_string(), true)?;
    if json {
        println!("{view}");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} · {} · terms version {} · {} · version {}",
        text(&view, "case"),
        text(&view, "agreement"),
        view.get("terms_version").map(plain).unwrap_or_default(),
        text(&view, "status"),
        view.get("version").map(plain).unwrap_or_default()
    );
    let personal = view.get("personal_data").unwrap_or(&Value::Null);
    match text(&view, "personal_data_state") {
        "erased" => println!("personal data: erased"),
        "shown" => {
            let name = text(personal, "name");
            if !name.is_empty() {
                println!("name: {name}");
            }
            if let Some(birth) = personal.get("birth_date").and_then(Value::as_str) {
                println!("born: {birth}");
            }
            for document in texts(personal.get("documents").unwrap_or(&Value::Null)) {
                println!("document: {document}");
            }
            if let Some(contact) = personal.get("contact").and_then(Value::as_str) {
                println!("contact: {contact}");
            }
            if let Some(health) = personal.get("health").and_then(Value::as_str) {
                println!("health: {health}");
            }
        }
        _ => println!("personal data: withheld"),
    }
    let rule = view.get("rule_attributes").unwrap_or(&Value::Null);
    let list = |name: &str| rule.get(name).map(|value| join(texts(value).into_iter()));
    if let Some(nationality) = rule.get("nationality") {
        println!("nationality: {}", plain(nationality));
    }
    if let Some(sex) = rule.get("sex") {
        println!("sex: {}", plain(sex));
    }
    if let Some(age) = rule.get("age_years_at_proposal") {
        println!("age at proposal: {}", plain(age));
    }
    if let Some(languages) = list("languages") {
        println!("languages: {languages}");
    }
    if let Some(vulnerabilities) = list("vulnerabilities") {
        println!("vulnerabilities: {vulnerabilities}");
    }
    if let (Some(feared), Some(protected)) = (list("feared_countries"), list("protected_countries"))
    {
        println!("feared: {feared} · protected from: {protected}");
    }
    if let Some(legal_basis) = rule.get("legal_basis") {
        println!(
            "removal order: {} on {} · designation {} · detained at {}",
            plain(legal_basis),
            text(rule, "removal_ordered_on"),
            rule.get("designation")
                .map_or_else(|| "none".to_owned(), plain),
            rule.get("detention_place")
                .map_or_else(|| "nowhere".to_owned(), plain)
        );
    }
    let moment = |name: &str| view.get(name).and_then(Value::as_str);
    match (
        moment("departed_at"),
        moment("arrived_at"),
        moment("departure"),
    ) {
        (_, Some(arrived), _) => println!("arrived: {arrived}"),
        (Some(departed), None, _) => println!("departed: {departed}"),
        (None, None, Some(departure)) => println!("departure scheduled: {departure}"),
        _ => {}
    }
    if let Some(deadline) = moment("next_deadline") {
        println!("next deadline: {deadline}");
    }
    let holds = texts(view.get("holds_matched").unwrap_or(&Value::Null));
    if !holds.is_empty() {
        println!("holds matched: {}", join(holds.into_iter()));
    }
    for item in items(&view, "welfare_checks") {
        println!(
            "welfare check due {} (window to {}): {}",
            text(item, "due_at"),
            text(item, "window_ends_at"),
            text(item, "state")
        );
    }
    let refusals = view
        .get("safeguard_refusals")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    if refusals > 0 {
        println!("safeguard refusals recorded: {refusals}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn history(backend: &Executor, json: bool, case: &str) -> anyhow::Result<ExitCode> {
    let id = parse_case(case)?;
    let events = read_result(
        backend,
        backend.read_history(id).await,
        &id.to_string(),
        true,
    )?;
    let events = events.as_array().map_or(&[][..], Vec::as_slice);
    let stream = id.to_string();
    if json {
        let list: Vec<Value> = events
            .iter()
            .map(|entry| entry_json(entry, &stream))
            .collect();
        println!("{}", json!(list));
    } else {
        for entry in events {
            println!(
                "#{:<6} v{:<3} {}  {}",
                entry.get("seq").map(plain).unwrap_or_default(),
                entry.get("version").map(plain).unwrap_or_default(),
                text(entry, "at"),
                event_of(entry)
                    .map_or_else(|| text(entry, "type").to_owned(), |event| describe(&event))
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
    let cases = items(&page, "cases");
    if json {
        let list: Vec<_> = cases
            .iter()
            .map(|r| json!({"case": text(r, "case"), "agreement": text(r, "agreement"), "status": text(r, "status"),
                "version": r.get("version"), "nationality": r.get("nationality")}))
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
                text(r, "case"),
                text(r, "agreement"),
                text(r, "status"),
                r.get("version").map(plain).unwrap_or_default()
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
        println!("{page}");
        return Ok(ExitCode::SUCCESS);
    }
    let records = items(&page, "records");
    if records.is_empty() {
        println!("no access records");
    }
    for record in records {
        let allowed = record.get("allowed").and_then(Value::as_bool) == Some(true);
        println!(
            "#{} {} {} ({}) {} {}: {} by {}",
            record.get("seq").map(plain).unwrap_or_default(),
            text(record, "at"),
            text(record, "user"),
            text(record, "role"),
            text(record, "action"),
            text(record, "resource"),
            if allowed { "allowed" } else { "denied" },
            join(texts(record.get("policies").unwrap_or(&Value::Null)).into_iter()),
        );
    }
    if let Some(next) = page.get("next").and_then(Value::as_u64) {
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
            let holds = holds.as_array().map_or(&[][..], Vec::as_slice);
            if json {
                let list: Vec<_> = holds
                    .iter()
                    .map(|h| json!({"hold": text(h, "hold"), "court": text(h, "court"), "reference": text(h, "reference"),
                        "status": text(h, "status"), "scope": h.get("scope"), "depends_on": h.get("depends_on"),
                        "amendments": h.get("amendments")}))
                    .collect();
                println!("{}", json!(list));
            } else if holds.is_empty() {
                println!("no holds registered");
            } else {
                for h in holds {
                    let scope = h.get("scope").map(Value::to_string).unwrap_or_default();
                    let parent = h
                        .get("depends_on")
                        .and_then(Value::as_str)
                        .map_or(String::new(), |p| format!(" · depends on {p}"));
                    println!(
                        "{} · {} · {} {} · {scope}{parent}",
                        text(h, "hold"),
                        text(h, "status"),
                        text(h, "court"),
                        text(h, "reference")
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

/// `corridor tick`.
pub async fn tick(backend: &Executor, json: bool) -> anyhow::Result<ExitCode> {
    command_result(json, backend.tick().await)
}
