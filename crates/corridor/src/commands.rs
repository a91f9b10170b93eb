//! One handler per CLI command: turn flags into a domain command, execute, print.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_domain::clock::{next_deadline, welfare_schedule};
use corridor_domain::terms::{AgreementId, AgreementStatus};
use corridor_domain::{
    Actor, ClassCriteria, Command, HoldScope, NoticeFacts, PersonFacts, PersonalData, StreamId,
    WelfareOutcome,
};
use corridor_store::CaseFilter;
use corridor_store::vault;
use serde_json::json;

use crate::app::{
    App, Refused, describe, event_json, may_read_cases, parse_case, parse_country, parse_date,
    parse_hold, parse_label, parse_language, parse_sex, parse_timestamp, parse_user,
    parse_vulnerability,
};
use crate::cli::{AgreementCommand, CaseCommand, HoldCommand, ProposeArgs, ScopeArgs};
use crate::view::disclose;

/// Largest agreement file read from disk; the parser has its own, equal limit.
const AGREEMENT_FILE_BYTES_MAX: u64 = corridor_domain::terms::AGREEMENT_FILE_SIZE_MAX_BYTES as u64;

/// A value the user typed that cannot be used (exit status 2).
fn input(message: String) -> anyhow::Error {
    anyhow::Error::new(crate::app::InputError(message))
}

/// `corridor agreement …`.
pub async fn agreement(
    app: &mut App,
    actor: Option<&str>,
    command: AgreementCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        AgreementCommand::Load { file } => {
            let actor = app.actor(actor)?;
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
            if let Err(errors) = corridor_domain::terms::parse_agreement(&file_name, &text) {
                if app.json {
                    let list: Vec<_> = errors
                        .0
                        .iter()
                        .map(|e| json!({"file": e.file, "line": e.line, "column": e.column, "field": e.field, "message": e.message}))
                        .collect();
                    println!("{}", json!({"outcome": "invalid", "errors": list}));
                } else {
                    eprintln!(
                        "{} error(s) in the agreement file:\n{errors}",
                        errors.0.len()
                    );
                }
                return Ok(ExitCode::from(crate::app::exit::REFUSED));
            }
            Ok(app
                .execute(
                    &actor,
                    Command::LoadAgreement { file_name, text },
                    None,
                    &[],
                )
                .await?
                .0)
        }
        AgreementCommand::Status { id, status, on } => {
            let actor = app.actor(actor)?;
            let agreement =
                AgreementId::parse(&id).map_err(|e| input(format!("agreement: {e}")))?;
            let status = AgreementStatus::parse(&status).ok_or_else(|| {
                let names: Vec<&str> = AgreementStatus::ALL.iter().map(|s| s.as_str()).collect();
                input(format!(
                    "`{status}` is not a status (one of: {})",
                    names.join(", ")
                ))
            })?;
            let on = match on {
                Some(on) => parse_date("on", &on)?,
                None => app
                    .clock
                    .now()
                    .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .date(),
            };
            Ok(app
                .execute(
                    &actor,
                    Command::ChangeAgreementStatus {
                        agreement,
                        status,
                        on,
                    },
                    None,
                    &[],
                )
                .await?
                .0)
        }
        AgreementCommand::List => {
            let today = app
                .clock
                .now()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date();
            let agreements = app.store.agreements().await?;
            if app.json {
                let list: Vec<_> = agreements
                    .iter()
                    .filter_map(|state| {
                        let latest = state.latest()?;
                        Some(json!({
                            "id": state.id.to_string(), "title": latest.title,
                            "sending": latest.sending.to_string(), "receiving": latest.receiving.to_string(),
                            "status_today": state.status_on(today).as_str(), "terms_version": state.latest_version(),
                        }))
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
                for state in &agreements {
                    if let Some(latest) = state.latest() {
                        println!(
                            "{:<22} {:<4} {:<4} {:<12} {:>5}  {}",
                            state.id,
                            latest.sending,
                            latest.receiving,
                            state.status_on(today).as_str(),
                            state.latest_version(),
                            latest.title
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AgreementCommand::Show { id } => {
            let today = app
                .clock
                .now()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date();
            let agreements = app.store.agreements().await?;
            let state = agreements
                .iter()
                .find(|state| state.id.as_str() == id)
                .with_context(|| format!("there is no agreement `{id}`"))?;
            let latest = state.latest().context("the agreement has no terms")?;
            if app.json {
                println!(
                    "{}",
                    json!({
                        "id": state.id.to_string(), "title": latest.title,
                        "sending": latest.sending.to_string(), "receiving": latest.receiving.to_string(),
                        "status_today": state.status_on(today).as_str(),
                        "status_history": state.status_history.iter().map(|c| json!({"status": c.status.as_str(), "on": c.on.to_string()})).collect::<Vec<_>>(),
                        "terms_version": state.latest_version(),
                        "sources": latest.sources,
                    })
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!("{} — {}", state.id, latest.title);
            println!(
                "parties: {} ({}) → {} ({})",
                latest.sending,
                latest.sending.name(),
                latest.receiving,
                latest.receiving.name()
            );
            println!("status today: {}", state.status_on(today));
            for change in &state.status_history {
                println!("  {:<12} from {}", change.status.as_str(), change.on);
            }
            let terms = &latest.terms;
            println!("terms version {}:", state.latest_version());
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
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn join<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let list: Vec<String> = items.map(|item| item.to_string()).collect();
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }
}

/// `corridor case …`.
pub async fn case(
    app: &mut App,
    actor: Option<&str>,
    command: CaseCommand,
) -> anyhow::Result<ExitCode> {
    let actor_name = actor;
    let simple = |target: &crate::cli::Target,
                  make: &dyn Fn(corridor_domain::CaseId) -> Command| {
        parse_case(&target.case).map(|case| (make(case), target.expect_version))
    };
    let (command, expected) = match command {
        CaseCommand::Propose(args) => return propose(app, &app.actor(actor_name)?, *args).await,
        CaseCommand::Show { case } => return show(app, &app.actor(actor_name)?, &case).await,
        CaseCommand::History { case } => return history(app, &app.actor(actor_name)?, &case).await,
        CaseCommand::List {
            agreement,
            status,
            limit,
            after,
        } => {
            return list(
                app,
                &app.actor(actor_name)?,
                agreement,
                status,
                limit,
                after,
            )
            .await;
        }
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
        CaseCommand::Refuse { target, reason } => simple(&target, &|case| Command::Refuse {
            case,
            reason: reason.clone(),
        })?,
        CaseCommand::Extend { target, reason } => {
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
        CaseCommand::Withdraw { target, reason } => simple(&target, &|case| Command::Withdraw {
            case,
            reason: reason.clone(),
        })?,
        CaseCommand::Erase { target } => simple(&target, &|case| Command::Erase { case })?,
    };
    let actor = app.actor(actor_name)?;
    Ok(app.execute(&actor, command, expected, &[]).await?.0)
}

async fn propose(app: &mut App, actor: &Actor, args: ProposeArgs) -> anyhow::Result<ExitCode> {
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
    let personal = PersonalData {
        name: args.name,
        birth_date: Some(facts.birth_date),
        documents: args.documents,
        contact: args.contact,
        health: args.health,
    };
    let counsel = args
        .counsel
        .as_deref()
        .map(|c| parse_user("counsel", c))
        .transpose()?;
    let (code, _) = propose_with(app, actor, agreement, facts, personal, counsel).await?;
    Ok(code)
}

/// Seals the personal data under a new case key and proposes the case.
pub async fn propose_with(
    app: &mut App,
    actor: &Actor,
    agreement: AgreementId,
    facts: PersonFacts,
    personal: PersonalData,
    counsel: Option<corridor_domain::UserId>,
) -> anyhow::Result<(ExitCode, corridor_store::Executed)> {
    let case = app.new_case_id()?;
    let (key, wrapped) = app.new_case_key(case)?;
    let nonce: [u8; vault::NONCE_BYTES] = app.entropy.array()?;
    let sealed = vault::seal(case, &key, nonce, &personal);
    let command = Command::Propose {
        case,
        agreement,
        facts,
        counsel,
        personal: sealed,
    };
    app.execute(actor, command, None, &[(case, wrapped)]).await
}

async fn show(app: &mut App, actor: &Actor, case: &str) -> anyhow::Result<ExitCode> {
    may_read_cases(actor)?;
    let id = parse_case(case)?;
    let (case, agreement) = match app.store.case(id).await? {
        Some(found) => found,
        None => return Err(Refused(format!("there is no case {id}")).into()),
    };
    let terms_file = agreement.latest().context("the agreement has no terms")?;
    let disclosure = disclose(actor, &case, terms_file);
    if !disclosure.visible {
        return Err(Refused(format!("{} may not see {id}", actor.user)).into());
    }
    let personal = if disclosure.any_personal() {
        match (&case.personal, app.store.case_key(id).await?) {
            (Some(sealed), Some(wrapped)) => {
                let key = app.master()?.unwrap_key(id, &wrapped)?;
                Some(disclosure.filter(vault::open(id, &key, sealed)?))
            }
            _ => None,
        }
    } else {
        None
    };
    let terms = agreement
        .terms(case.terms_version)
        .context("the case's terms version is missing")?;
    let now = app.clock.now();
    let welfare = welfare_schedule(&case, terms, now);
    let deadline = next_deadline(&case, terms);
    if app.json {
        let r = &case.rule;
        let shown = |allowed: bool, value: serde_json::Value| {
            if allowed { value } else { json!("withheld") }
        };
        let rule = json!({
            "nationality": shown(disclosure.nationality, json!(r.nationality.to_string())),
            "sex": shown(disclosure.sex_and_age, json!(r.sex.as_str())),
            "age_years_at_proposal": shown(disclosure.sex_and_age, json!(r.age_years_at_proposal)),
            "languages": shown(disclosure.languages, json!(r.languages.iter().map(|l| l.to_string()).collect::<Vec<_>>())),
            "vulnerabilities": shown(disclosure.vulnerabilities, json!(case.vulnerabilities().iter().map(|v| v.as_str()).collect::<Vec<_>>())),
            "feared_countries": shown(disclosure.protection_facts, json!(r.feared_countries.iter().map(|c| c.to_string()).collect::<Vec<_>>())),
            "protected_countries": shown(disclosure.protection_facts, json!(r.protected_countries.iter().map(|c| c.to_string()).collect::<Vec<_>>())),
            "legal_basis": shown(disclosure.removal_order, json!(r.legal_basis.to_string())),
            "designation": shown(disclosure.removal_order, json!(r.designation.as_ref().map(|d| d.to_string()))),
            "detention_place": shown(disclosure.removal_order, json!(r.detention_place.as_ref().map(|d| d.to_string()))),
            "removal_ordered_on": shown(disclosure.removal_order, json!(r.removal_ordered_on.to_string())),
        });
        println!(
            "{}",
            json!({
                "case": id.to_string(), "agreement": case.agreement.to_string(), "terms_version": case.terms_version,
                "status": case.status.as_str(), "version": case.version,
                "personal_data": match (&case.personal, &personal) {
                    (None, _) => json!("erased"),
                    (_, Some(data)) => serde_json::to_value(data).unwrap_or_default(),
                    (_, None) => json!("withheld"),
                },
                "rule_attributes": rule,
                "next_deadline": deadline.map(|d| d.to_string()),
                "departure": case.departure.map(|d| d.to_string()),
                "holds_matched": case.holds_matched.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
                "welfare_checks": welfare.iter().map(|w| json!({"due_at": w.due_at.to_string(), "window_ends_at": w.window_ends_at.to_string(), "state": w.state.as_str()})).collect::<Vec<_>>(),
                "safeguard_refusals": case.safeguard_refusals,
            })
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{id} · {} · terms version {} · {} · version {}",
        case.agreement, case.terms_version, case.status, case.version
    );
    match (&case.personal, &personal) {
        (None, _) => println!("personal data: erased"),
        (_, Some(data)) => {
            if !data.name.is_empty() {
                println!("name: {}", data.name);
            }
            if let Some(birth) = data.birth_date {
                println!("born: {birth}");
            }
            for document in &data.documents {
                println!("document: {document}");
            }
            if let Some(contact) = &data.contact {
                println!("contact: {contact}");
            }
            if let Some(health) = &data.health {
                println!("health: {health}");
            }
        }
        (_, None) => println!("personal data: withheld from {}", actor.user),
    }
    let r = &case.rule;
    if disclosure.nationality {
        println!("nationality: {}", r.nationality);
    }
    if disclosure.sex_and_age {
        println!(
            "sex: {} · age at proposal: {}",
            r.sex, r.age_years_at_proposal
        );
    }
    if disclosure.languages {
        println!("languages: {}", join(r.languages.iter()));
    }
    if disclosure.vulnerabilities {
        println!("vulnerabilities: {}", join(case.vulnerabilities().iter()));
    }
    if disclosure.protection_facts {
        println!(
            "feared: {} · protected from: {}",
            join(r.feared_countries.iter()),
            join(r.protected_countries.iter())
        );
    }
    if disclosure.removal_order {
        println!(
            "removal order: {} on {} · designation {} · detained at {}",
            r.legal_basis,
            r.removal_ordered_on,
            r.designation
                .as_ref()
                .map_or("none".to_owned(), |d| d.to_string()),
            r.detention_place
                .as_ref()
                .map_or("nowhere".to_owned(), |d| d.to_string())
        );
    }
    match (case.departed_at, case.arrived_at, case.departure) {
        (_, Some(arrived), _) => println!("arrived: {arrived}"),
        (Some(departed), None, _) => println!("departed: {departed}"),
        (None, None, Some(departure)) => println!("departure scheduled: {departure}"),
        _ => {}
    }
    if let Some(deadline) = deadline {
        println!("next deadline: {deadline}");
    }
    if !case.holds_matched.is_empty() {
        println!("holds matched: {}", join(case.holds_matched.iter()));
    }
    for item in &welfare {
        println!(
            "welfare check due {} (window to {}): {}",
            item.due_at,
            item.window_ends_at,
            item.state.as_str()
        );
    }
    if case.safeguard_refusals > 0 {
        println!("safeguard refusals recorded: {}", case.safeguard_refusals);
    }
    Ok(ExitCode::SUCCESS)
}

async fn history(app: &mut App, actor: &Actor, case: &str) -> anyhow::Result<ExitCode> {
    may_read_cases(actor)?;
    let id = parse_case(case)?;
    let (found, agreement) = app
        .store
        .case(id)
        .await?
        .ok_or_else(|| Refused(format!("there is no case {id}")))?;
    let terms_file = agreement.latest().context("the agreement has no terms")?;
    if !disclose(actor, &found, terms_file).visible {
        return Err(Refused(format!("{} may not see {id}", actor.user)).into());
    }
    let events = app.store.history(&StreamId::Case(id)).await?;
    if app.json {
        let list: Vec<_> = events
            .iter()
            .map(|stored| event_json(stored.seq, &stored.event))
            .collect();
        println!("{}", json!(list));
    } else {
        for stored in &events {
            println!(
                "#{:<6} v{:<3} {}  {}",
                stored.seq,
                stored.version,
                stored.event.at,
                describe(&stored.event)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(
    app: &mut App,
    actor: &Actor,
    agreement: Option<String>,
    status: Option<String>,
    limit: u32,
    after: Option<String>,
) -> anyhow::Result<ExitCode> {
    may_read_cases(actor)?;
    let status = status
        .map(|s| {
            corridor_domain::CaseStatus::parse(&s)
                .ok_or_else(|| input(format!("--status: `{s}` is not a case status")))
        })
        .transpose()?;
    let rows = app
        .store
        .list_cases(&CaseFilter {
            agreement,
            status,
            limit,
            after,
        })
        .await?;
    let agreements = app.store.agreements().await?;
    // Listing shows only what the user could open: the same disclosure as `case show`.
    let mut visible = Vec::new();
    for row in rows {
        let id = parse_case(&row.case_id)?;
        if let Some((case, _)) = app.store.case(id).await? {
            let agreement = agreements
                .iter()
                .find(|a| a.id == case.agreement)
                .and_then(|a| a.latest());
            if agreement.is_some_and(|agreement| disclose(actor, &case, agreement).visible) {
                visible.push(row);
            }
        }
    }
    if app.json {
        let list: Vec<_> = visible
            .iter()
            .map(|r| json!({"case": r.case_id, "agreement": r.agreement, "status": r.status, "version": r.version, "nationality": r.nationality}))
            .collect();
        println!("{}", json!(list));
    } else {
        println!(
            "{:<22} {:<22} {:<20} {:>3}",
            "case", "agreement", "status", "v"
        );
        for r in &visible {
            println!(
                "{:<22} {:<22} {:<20} {:>3}",
                r.case_id, r.agreement, r.status, r.version
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn scope_of(args: &ScopeArgs) -> anyhow::Result<HoldScope> {
    let class_given = !(args.agreements.is_empty()
        && args.nationalities.is_empty()
        && args.legal_bases.is_empty()
        && args.designations.is_empty()
        && args.detention_places.is_empty()
        && args.ordered_from.is_none()
        && args.ordered_until.is_none());
    match (args.cases.is_empty(), class_given) {
        (false, true) => Err(input("give either --case (an individual order) or class criteria, not both".to_owned())),
        (true, false) => Err(input("give --case for an individual order, or class criteria (--nationality, --legal-basis, …)".to_owned())),
        (false, false) => Ok(HoldScope::Cases { cases: args.cases.iter().map(|c| parse_case(c)).collect::<anyhow::Result<_>>()? }),
        (true, true) => Ok(HoldScope::Class {
            criteria: ClassCriteria {
                agreements: args
                    .agreements
                    .iter()
                    .map(|a| AgreementId::parse(a).map_err(|e| input(format!("--agreement: {e}"))))
                    .collect::<anyhow::Result<_>>()?,
                nationalities: args.nationalities.iter().map(|n| parse_country("nationality", n)).collect::<anyhow::Result<_>>()?,
                legal_bases: args.legal_bases.iter().map(|l| parse_label("legal-basis", l)).collect::<anyhow::Result<_>>()?,
                designations: args.designations.iter().map(|l| parse_label("designation", l)).collect::<anyhow::Result<_>>()?,
                detention_places: args.detention_places.iter().map(|l| parse_label("detention-place", l)).collect::<anyhow::Result<_>>()?,
                removal_ordered_from: args.ordered_from.as_deref().map(|d| parse_date("ordered-from", d)).transpose()?,
                removal_ordered_until: args.ordered_until.as_deref().map(|d| parse_date("ordered-until", d)).transpose()?,
            },
        }),
    }
}

/// `corridor hold …`.
pub async fn hold(
    app: &mut App,
    actor: Option<&str>,
    command: HoldCommand,
) -> anyhow::Result<ExitCode> {
    let command = match command {
        HoldCommand::List => {
            let holds = app.store.holds().await?;
            if app.json {
                let list: Vec<_> = holds
                    .values()
                    .map(|h| json!({"hold": h.id.to_string(), "court": h.court, "reference": h.reference, "status": h.status.as_str(),
                        "scope": serde_json::to_value(&h.scope).unwrap_or_default(), "depends_on": h.depends_on.map(|d| d.to_string()), "amendments": h.amendments}))
                    .collect();
                println!("{}", json!(list));
            } else if holds.is_empty() {
                println!("no holds registered");
            } else {
                for h in holds.values() {
                    let scope = serde_json::to_string(&h.scope).unwrap_or_default();
                    let parent = h
                        .depends_on
                        .map_or(String::new(), |p| format!(" · depends on {p}"));
                    println!(
                        "{} · {} · {} {} · {scope}{parent}",
                        h.id,
                        h.status.as_str(),
                        h.court,
                        h.reference
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
        } => Command::RegisterHold {
            hold: app.new_hold_id()?,
            court,
            reference,
            scope: scope_of(&scope)?,
            depends_on: depends_on.as_deref().map(parse_hold).transpose()?,
        },
        HoldCommand::Stay { hold } => Command::StayHold {
            hold: parse_hold(&hold)?,
        },
        HoldCommand::Reactivate { hold } => Command::ReactivateHold {
            hold: parse_hold(&hold)?,
        },
        HoldCommand::Amend { hold, scope } => Command::AmendHold {
            hold: parse_hold(&hold)?,
            scope: scope_of(&scope)?,
        },
        HoldCommand::Lift { hold } => Command::VacateHold {
            hold: parse_hold(&hold)?,
        },
    };
    let actor = app.actor(actor)?;
    Ok(app.execute(&actor, command, None, &[]).await?.0)
}
