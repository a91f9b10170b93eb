//! The command line's settings: validated flags, the store, the master key, the users file and
//! the clock setting.
//!
//! Raw flags from `cli.rs` become typed values here (`parse_*`), in one step, with an error that
//! names the flag. The commands people type run through the application layer
//! (`corridor_app::service`, see `backend.rs`); [`App::execute`], which asks the store to decide
//! and append directly, is the demo's path alone (`demo.rs` says why).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use corridor_domain::terms::{Country, Sex, Vulnerability};
use corridor_domain::{
    Actor, CaseId, Command, Context, Event, HoldId, Label, Language, Outcome, UserId,
};
use corridor_store::vault::MasterKey;
use corridor_store::{Executed, Store, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;

use crate::entropy::Entropy;
use crate::users::Users;

/// Exit statuses, documented in `corridor --help` and the README.
pub mod exit {
    /// A safeguard refused the command (and the refusal was recorded where a case exists).
    pub const SAFEGUARD: u8 = 3;
    /// The command was refused: not permitted, wrong state, unknown id or invalid input.
    pub const REFUSED: u8 = 4;
    /// The case changed since the version given with `--expect-version`.
    pub const CONFLICT: u8 = 5;
}

/// Which clock commands read: a setting, made into the application's clock
/// ([`corridor_app::Clock`]) when the application is built.
#[derive(Debug, Clone, Copy)]
pub enum ClockSetting {
    /// The system clock.
    System,
    /// A fixed moment (the demo's simulated time, or `CORRIDOR_NOW` in tests).
    Fixed(Timestamp),
}

impl ClockSetting {
    /// Now.
    pub fn now(&self) -> Timestamp {
        match self {
            Self::System => Timestamp::now(),
            Self::Fixed(at) => *at,
        }
    }
}

/// Everything a command needs.
#[derive(Debug)]
pub struct App {
    /// The store (shared with the application state the commands run through).
    pub store: std::sync::Arc<Store>,
    /// The master key, if one was given.
    pub master: Option<MasterKey>,
    /// The users file.
    pub users: Users,
    /// Randomness.
    pub entropy: Entropy,
    /// JSON output.
    pub json: bool,
    /// The clock.
    pub clock: ClockSetting,
    /// Whether to print (the demo prints its own story).
    pub quiet: bool,
}

impl App {
    /// The master key, or a clear error.
    pub fn master(&self) -> anyhow::Result<&MasterKey> {
        self.master.as_ref().context(
            "no master key: run `corridor init`, pass `--key-file`, or set CORRIDOR_MASTER_KEY",
        )
    }

    /// Decides and appends a command straight through the store, without the policies or an
    /// access record (the demo's script, `demo.rs`), prints the outcome, and returns the exit
    /// status.
    pub async fn execute(
        &mut self,
        actor: &Actor,
        command: Command,
        expected_version: Option<u64>,
        new_case_keys: &[(CaseId, Vec<u8>)],
    ) -> anyhow::Result<(ExitCode, Executed)> {
        let context = Context {
            now: self.clock.now(),
            actor: actor.clone(),
        };
        let executed = match self
            .store
            .execute(&command, &context, expected_version, new_case_keys)
            .await
        {
            Ok(executed) => executed,
            Err(StoreError::Conflict {
                case,
                expected,
                current,
            }) => {
                if !self.quiet {
                    if self.json {
                        println!(
                            "{}",
                            json!({"outcome": "conflict", "case": case.to_string(), "expected_version": expected, "current_version": current})
                        );
                    } else {
                        println!(
                            "conflict: {case} is at version {current}, not {expected}; nothing was written. Show the case again and retry."
                        );
                    }
                }
                return Ok((
                    ExitCode::from(exit::CONFLICT),
                    Executed {
                        outcome: Outcome::Accepted(Vec::new()),
                        seqs: None,
                    },
                ));
            }
            Err(error) => return Err(error.into()),
        };
        let code = match &executed.outcome {
            Outcome::Accepted(_) => ExitCode::SUCCESS,
            Outcome::Refused { refusal, .. } if refusal.is_safeguard() => {
                ExitCode::from(exit::SAFEGUARD)
            }
            Outcome::Refused { .. } => ExitCode::from(exit::REFUSED),
        };
        if !self.quiet {
            self.report(&executed);
        }
        Ok((code, executed))
    }

    fn report(&self, executed: &Executed) {
        let first = executed.seqs.map_or(0, |(first, _)| first);
        match &executed.outcome {
            Outcome::Accepted(events) => {
                if self.json {
                    let events: Vec<_> = events
                        .iter()
                        .enumerate()
                        .map(|(index, event)| event_json(first + index as u64, event))
                        .collect();
                    println!("{}", json!({"outcome": "accepted", "events": events}));
                } else if events.is_empty() {
                    println!("accepted: nothing to record");
                } else {
                    println!("accepted:");
                    for (index, event) in events.iter().enumerate() {
                        println!("  #{:<6} {}", first + index as u64, describe(event));
                    }
                }
            }
            Outcome::Refused { refusal, recorded } => {
                if self.json {
                    println!(
                        "{}",
                        json!({
                            "outcome": "refused",
                            "code": refusal.code(),
                            "safeguard": refusal.is_safeguard(),
                            "message": refusal.message(),
                            "facts": refusal.facts(),
                            "recorded_seq": recorded.as_ref().map(|_| first),
                        })
                    );
                } else {
                    println!("refused ({}): {}", refusal.code(), refusal.message());
                    for (name, value) in refusal.facts() {
                        println!("  {name}: {value}");
                    }
                    if recorded.is_some() {
                        println!("  recorded as event #{first} (safeguard_triggered)");
                    }
                }
            }
        }
    }

    /// Draws a new case id, case key and the wrapped key to store with it.
    pub fn new_case_key(&mut self, case: CaseId) -> anyhow::Result<([u8; 32], Vec<u8>)> {
        let key: [u8; 32] = self.entropy.array()?;
        let nonce: [u8; 24] = self.entropy.array()?;
        let wrapped = self.master()?.wrap(case, &key, nonce);
        Ok((key, wrapped))
    }

    /// Draws a new case id.
    pub fn new_case_id(&mut self) -> anyhow::Result<CaseId> {
        Ok(CaseId::from_u64(self.entropy.u64()?))
    }
}

/// The JSON form of an appended event, as printed with `--json`.
pub fn event_json(seq: u64, event: &Event) -> serde_json::Value {
    let mut value = serde_json::from_str::<serde_json::Value>(&event.to_json()).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("seq".to_owned(), json!(seq));
        object.insert("stream".to_owned(), json!(event.body.stream().to_string()));
        // Sealed personal data is ciphertext, but printing it serves nobody.
        object.remove("personal");
    }
    value
}

/// One line describing an event for people.
pub fn describe(event: &Event) -> String {
    use corridor_domain::EventBody::*;
    let who = event
        .by
        .as_ref()
        .map_or_else(|| "the clock".to_owned(), ToString::to_string);
    match &event.body {
        AgreementLoaded {
            agreement,
            terms_version,
            file_name,
            ..
        } => {
            format!("agreement {agreement} loaded from {file_name} (terms version {terms_version})")
        }
        AgreementStatusChanged {
            agreement,
            status,
            on,
        } => format!("agreement {agreement} is {status} from {on}"),
        CaseProposed {
            case,
            agreement,
            terms_version,
            ..
        } => {
            format!("{case} proposed under {agreement} (terms version {terms_version}) by {who}")
        }
        HoldMatched { case, hold } => format!("{case} is covered by {hold}"),
        NoticeServed {
            case,
            language,
            destination,
        } => {
            format!("{case}: notice served in `{language}` naming {destination}")
        }
        ProtectionClaimed { case } => format!("{case}: protection claim filed by {who}"),
        ProtectionDecided { case, granted } => {
            format!(
                "{case}: protection {} by {who}",
                if *granted {
                    "granted — no transfer"
                } else {
                    "denied"
                }
            )
        }
        TransferRequested { case } => format!("{case}: transfer requested of the receiving state"),
        AcceptedByReceivingState { case, acceptance } => {
            format!("{case}: accepted by the receiving state ({acceptance:?})")
        }
        RequestLapsed { case } => format!("{case}: request lapsed unanswered"),
        RefusedByReceivingState { case, reason } => {
            format!("{case}: refused by the receiving state: {reason}")
        }
        SupervisorApproved { case } => format!("{case}: approved for scheduling by {who}"),
        TransferDeadlineExtended { case, reason } => {
            format!("{case}: transfer deadline extended ({reason})")
        }
        TransferScheduled { case, departure } => {
            format!("{case}: departure scheduled for {departure}")
        }
        TransferUnscheduled { case, cause } => {
            format!("{case}: taken off the schedule ({cause:?})")
        }
        Departed { case } => format!("{case}: departed"),
        Recalled { case, hold } => match hold {
            Some(hold) => format!("{case}: recalled in transit by {hold}"),
            None => format!("{case}: recalled in transit"),
        },
        Arrived { case } => format!("{case}: arrived"),
        ComplaintLodged {
            complaint,
            agreement,
            complainant,
            ..
        } => format!(
            "{complaint}: complaint lodged under {agreement} by a {}",
            complainant.as_str()
        ),
        ComplaintReviewed {
            complaint, status, ..
        } => format!("{complaint}: {status}, by {who}"),
        ComplaintLinked { complaint, case } => format!("{complaint}: linked to {case} by {who}"),
        ComplaintErased { complaint } => format!("{complaint}: erased by {who}"),
        AgeDisputed {
            case,
            claimed_age_at_proposal,
        } => format!(
            "{case}: age disputed — {claimed_age_at_proposal} on the day of the proposal by the birth date the person gives"
        ),
        AgeDecided {
            case,
            age_at_proposal,
        } => format!("{case}: age decided — {age_at_proposal} on the day of the proposal"),
        FearRecorded { case, country } => {
            format!("{case}: fear of {} ({country}) recorded", country.name())
        }
        VulnerabilityRecorded {
            case,
            category,
            excluded,
        } => format!(
            "{case}: vulnerability `{category}` recorded{}",
            if *excluded {
                " — excluded by the terms, case sent back"
            } else {
                ""
            }
        ),
        ReceivingClaimLodged { case } => format!("{case}: claim lodged in the receiving state"),
        ReceivingClaimDecided {
            case,
            granted,
            appeal,
        } => format!(
            "{case}: {} {}",
            if *appeal { "appeal" } else { "claim" },
            if *granted { "granted" } else { "refused" }
        ),
        AppealLodged { case } => format!("{case}: appeal lodged"),
        OnwardMoved { case, destination } => format!("{case}: moved on to {destination}"),
        Returned { case } => format!("{case}: returned to the sending state"),
        Settled { case } => format!("{case}: settled"),
        WhereaboutsUnknown { case } => format!("{case}: whereabouts unknown"),
        WhereaboutsKnown { case } => format!("{case}: whereabouts known again"),
        WelfareCheckRecorded { case, outcome } => {
            format!("{case}: welfare check — {}", outcome.as_str())
        }
        DetentionValidated { case } => format!("{case}: detention validated by a court"),
        DetentionValidationLapsed { case } => {
            format!("{case}: detention not validated in time — release required")
        }
        TransferDeadlineExpired { case } => {
            format!(
                "{case}: transfer deadline passed — responsibility stays with the sending state"
            )
        }
        SupportPeriodEnded { case } => format!("{case}: support period ended"),
        MonitorAlertRaised { case, alert } => {
            format!("{case}: alert to the monitoring body — {}", alert.reason())
        }
        Withdrawn { case, reason } => format!("{case}: withdrawn ({reason})"),
        PersonalDataErased { case } => format!("{case}: personal data erased (case key destroyed)"),
        AccessRecorded {
            role,
            action,
            resource,
            allowed,
            ..
        } => format!(
            "{who} ({role}) {} `{action}` on {resource}",
            if *allowed {
                "was allowed"
            } else {
                "was denied"
            }
        ),
        SafeguardTriggered {
            case,
            command,
            code,
            ..
        } => {
            format!("{case}: safeguard `{code}` refused `{command}` by {who}")
        }
        HoldRegistered {
            hold,
            court,
            reference,
            ..
        } => format!("{hold} registered: {court} order {reference}"),
        HoldStayed { hold } => format!("{hold} stayed"),
        HoldReactivated { hold } => format!("{hold} in effect again"),
        HoldAmended { hold, .. } => format!("{hold} amended"),
        HoldVacated { hold, because_of } => match because_of {
            Some(parent) => format!("{hold} vacated because {parent} was"),
            None => format!("{hold} vacated"),
        },
        VisitScheduled { visit, plan } => format!(
            "{visit}: {} visit to {} on {} {} by {who}",
            if plan.announced {
                "announced"
            } else {
                "unannounced"
            },
            plan.place,
            plan.on,
            if plan.announced {
                "scheduled"
            } else {
                "planned"
            }
        ),
        VisitRecorded { visit, plan, .. } => {
            format!(
                "{visit}: visit to {} on {} recorded by {who}",
                plan.place, plan.on
            )
        }
        FindingRecorded { finding, facts } => format!(
            "{finding}: {} finding of {} recorded by {who}",
            facts.severity,
            facts.category.as_str().replace('_', " ")
        ),
        FindingResponded { finding, party, .. } => format!(
            "{finding}: the {} responded ({who})",
            party.as_str().replace('_', " ")
        ),
        FindingClosed { finding, outcome } => format!(
            "{finding}: closed by {who} ({})",
            outcome.as_str().replace('_', " ")
        ),
    }
}

// ----- parsing flags into typed values --------------------------------------------------------

/// A value the user typed that corridor cannot use (exit status 2).
#[derive(Debug)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// A read corridor refuses outside the domain's decisions (exit status 4, like a refused
/// command): a role that may not read cases, a case the user may not see, an unknown case.
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Parses a flag's value, naming the flag in the error.
fn flag<T>(
    name: &str,
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> anyhow::Result<T> {
    parse(value).map_err(|reason| anyhow::Error::new(InputError(format!("--{name}: {reason}"))))
}

/// A case id flag.
pub fn parse_case(value: &str) -> anyhow::Result<CaseId> {
    flag("case", value, CaseId::parse)
}

/// A hold id flag.
pub fn parse_hold(value: &str) -> anyhow::Result<HoldId> {
    flag("hold", value, HoldId::parse)
}

/// A country flag.
pub fn parse_country(name: &str, value: &str) -> anyhow::Result<Country> {
    flag(name, value, Country::parse)
}

/// A date flag.
pub fn parse_date(name: &str, value: &str) -> anyhow::Result<Date> {
    flag(name, value, |text| {
        text.parse::<Date>()
            .map_err(|error| format!("`{text}` is not a date (YYYY-MM-DD): {error}"))
    })
}

/// A timestamp flag.
pub fn parse_timestamp(name: &str, value: &str) -> anyhow::Result<Timestamp> {
    flag(name, value, |text| {
        text.parse::<Timestamp>().map_err(|error| {
            format!("`{text}` is not a moment (e.g. 2025-09-01T08:00:00Z): {error}")
        })
    })
}

/// A label flag.
pub fn parse_label(name: &str, value: &str) -> anyhow::Result<Label> {
    flag(name, value, Label::parse)
}

/// A language flag.
pub fn parse_language(value: &str) -> anyhow::Result<Language> {
    flag("language", value, Language::parse)
}

/// A user flag.
pub fn parse_user(name: &str, value: &str) -> anyhow::Result<UserId> {
    flag(name, value, UserId::parse)
}

/// A free-text flag (a name, a reason, a court or reference): refused, naming the flag, when it
/// holds a control character or a bidirectional override, as the server refuses its text fields.
pub fn parse_text(name: &str, value: &str) -> anyhow::Result<String> {
    flag(name, value, |text| {
        corridor_domain::terms::check_text(text).map(|()| text.to_owned())
    })
}

/// A sex flag.
pub fn parse_sex(value: &str) -> anyhow::Result<Sex> {
    flag("sex", value, |text| {
        Sex::parse(text).ok_or_else(|| format!("`{text}` is not one of female, male, other"))
    })
}

/// A vulnerability flag.
pub fn parse_vulnerability(name: &str, value: &str) -> anyhow::Result<Vulnerability> {
    flag(name, value, |text| {
        Vulnerability::parse(text).ok_or_else(|| {
            let names: Vec<&str> = Vulnerability::ALL.iter().map(|v| v.as_str()).collect();
            format!(
                "`{text}` is not a vulnerability category (one of: {})",
                names.join(", ")
            )
        })
    })
}

/// Reads the master key from CORRIDOR_MASTER_KEY or the key file, if either exists.
pub fn read_master_key(key_file: &Path) -> anyhow::Result<Option<MasterKey>> {
    if let Ok(text) = std::env::var("CORRIDOR_MASTER_KEY") {
        return Ok(Some(
            MasterKey::parse(&text).context("CORRIDOR_MASTER_KEY")?,
        ));
    }
    match std::fs::read_to_string(key_file) {
        Ok(text) => {
            Ok(Some(MasterKey::parse(&text).with_context(|| {
                format!("key file `{}`", key_file.display())
            })?))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => {
            Err(error).with_context(|| format!("cannot read key file `{}`", key_file.display()))
        }
    }
}
