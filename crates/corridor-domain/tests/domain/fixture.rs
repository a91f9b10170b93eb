//! The fixture DSL: a test agreement, synthetic actors, a seeded id source, and a script runner
//! whose outcome is rendered as text for [`check`].
//!
//! A script is one step per line. Most lines are `<actor> <verb> [args]`, run as a command
//! through [`World::execute`]; a few lines are the fixture's own:
//!
//! - `terms key=value ...` (first line only): changes the test agreement before it is loaded;
//! - `wait 5d` / `wait 36h` / `wait 30m` / `wait until 2025-06-07T09:00:00Z`: moves the clock;
//! - `back 1d`: moves the clock back (a caller dating a step in the past);
//! - `skew 5s`: the clock skew the world allows between servers from then on;
//! - `walk <status> [person ...]`: proposes a new case and takes it to the status with the
//!   standard actors;
//! - `show welfare`: renders the welfare schedule of the current case at the current time;
//! - `show aftercare`: renders the current case's status in the years after arrival;
//! - `show log 2`: renders how many events the world holds and the last two as stored JSON;
//! - `show findings`: renders every finding's response clocks at the current time;
//! - a step written `? <step>` is rendered even when it was accepted and is not the last.
//!
//! The monitoring body's verbs (docs/monitoring.md): `<monitor> finding <category> <severity>
//! [cases=c1,c2] [to=sending_state,receiving_state]` (default: to the receiving state),
//! `<actor> respond fN`, `<monitor> close fN <outcome>`, and `<monitor> visit schedule|plan|record
//! [vN] [cases=c1] [seen=c1] [on=+1d|2025-06-03] [agreement=id]` (`plan` is an unannounced
//! schedule; `record` of a new visit is unannounced unless `announced=yes`). Findings are named
//! `f1`, `f2`, ... and visits `v1`, `v2`, ... in the order they are made.
//!
//! Cases are named `c1`, `c2`, ... in the order they are proposed and holds `h1`, `h2`, ... in the
//! order they are registered. A case command acts on the current case (the last one proposed or
//! named) unless its first argument names another. Every id comes from a seeded ChaCha stream, so
//! nothing may depend on ids being small or ordered.
//!
//! The rendering shows every refused step, every `?` step and the last step (so a step not shown
//! was accepted): the step, its outcome (`accepted: <event kinds>` or `refused: <code>` with its
//! facts, and `recorded:` when a safeguard refusal was itself recorded), and the status of the
//! current case. An event of another stream than the current case names it (`hold_registered(h1)`),
//! and one dated other than now shows its date (`request_lapsed @2025-06-16T09:00:00Z`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use corridor_domain::clock::{
    WelfareState, Whereabouts, aftercare, earliest_departure, finding_responses, welfare_schedule,
};
use corridor_domain::monitoring::{
    AddressedParty, FindingCategory, FindingFacts, FindingOutcome, Seen, Severity, VisitPlan,
};
use corridor_domain::terms::{AgreementId, AgreementStatus, Sex, Vulnerability};
use corridor_domain::{
    Actor, Case, CaseId, CaseStatus, ClassCriteria, Command, Context, Detention, Event, EventBody,
    FindingId, HoldId, HoldScope, Language, MonitorAlert, NoticeFacts, Outcome, PersonFacts,
    ReceivingProcedure, Role, Sealed, StreamId, UserId, VisitId, WelfareOutcome, World, case_terms,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// The moment every script starts at: a Monday morning, with the test agreement in force.
pub const START: &str = "2025-06-02T09:00:00Z";

/// The test agreement's id.
pub const AGREEMENT_ID: &str = "test-usa-rwa";

/// The monitoring body the test agreement names.
pub const MONITORING_BODY: &str = "test-monitors";

/// The court the test clerk acts for.
pub const COURT: &str = "dc-dc";

pub use corridor_testkit::{at, country, day, label};

/// The day of a timestamp, in UTC (as the domain reads it).
pub fn day_of(moment: Timestamp) -> Date {
    moment.to_zoned_datetime(TimeZone::UTC).date()
}

/// A compact duration, `5d`, `36h`, `30m` or a sum such as `5d1h`, as a signed duration.
pub fn duration(text: &str) -> SignedDuration {
    let mut total = SignedDuration::ZERO;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits
            .parse()
            .unwrap_or_else(|_| panic!("bad duration `{text}`"));
        digits.clear();
        total += match c {
            'd' => SignedDuration::from_hours(n * 24),
            'h' => SignedDuration::from_hours(n),
            'm' => SignedDuration::from_mins(n),
            's' => SignedDuration::from_secs(n),
            _ => panic!("bad duration unit in `{text}`"),
        };
    }
    assert!(digits.is_empty(), "duration `{text}` lacks a unit");
    total
}

/// A compact clock span (`24h`, `14d`, `6mo`, `2y`) as the agreement format writes it.
fn span_text(text: &str) -> String {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let unit = match &text[digits.len()..] {
        "h" => "hours",
        "d" => "days",
        "w" => "weeks",
        "mo" => "months",
        "y" => "years",
        other => panic!("bad clock span unit `{other}` in `{text}`"),
    };
    format!("{digits} {unit}")
}

// ----- the test agreement -------------------------------------------------------------------

/// The test agreement as a builder: every field a test may change, rendered as an agreement
/// file in the format of `docs/agreements.md`.
#[derive(Debug, Clone)]
pub struct AgreementFile {
    /// The day it entered into force; `None` for an agreement that is only signed.
    pub in_force_on: Option<String>,
    /// The day the file says the agreement terminates, if any.
    pub terminated_on: Option<String>,
    /// Whether the receiving state approves each person.
    pub per_person_approval: bool,
    /// Excluded nationalities.
    pub excluded_nationalities: Vec<String>,
    /// Minimum age.
    pub age_years_min: Option<u8>,
    /// Sexes that may be proposed.
    pub sexes: Option<Vec<String>>,
    /// Excluded vulnerabilities.
    pub excluded_vulnerabilities: Vec<String>,
    /// Total cap.
    pub transferred_total_max: Option<u64>,
    /// Present cap.
    pub present_max: Option<u64>,
    /// Notice lead time (compact span).
    pub notice_lead_time: Option<String>,
    /// Fear-claim window.
    pub fear_claim_window: Option<String>,
    /// Reply deadline.
    pub reply_deadline: Option<String>,
    /// Whether silence accepts.
    pub silence_accepts: bool,
    /// Transfer deadline.
    pub transfer_deadline: Option<String>,
    /// Extensions: reason and whole deadline.
    pub extensions: Vec<(String, String)>,
    /// Welfare checks: offset and window.
    pub welfare_checks: Vec<(String, String)>,
    /// One recurring welfare check rule: every, from, until and window.
    pub welfare_schedule: Option<[String; 4]>,
    /// How long whereabouts may stay unknown before the monitor is alerted.
    pub whereabouts_alert_after: Option<String>,
    /// Support period.
    pub support_period: Option<String>,
    /// Detention validation.
    pub detention_validation: Option<String>,
    /// How long an addressed party has to respond to a finding.
    pub finding_response: Option<String>,
    /// The onward rule.
    pub onward: String,
    /// The monitoring body id.
    pub monitoring: Option<String>,
    /// Whether nationals of the receiving state may be proposed.
    pub receiving_state_nationals: bool,
    /// How long before the scheduled departure the person may leave.
    pub departure_window_before: Option<String>,
    /// How long after it.
    pub departure_window_after: Option<String>,
    /// Whether an earlier schedule restarts the notice lead time.
    pub earlier_schedule_restarts_notice: bool,
}

impl Default for AgreementFile {
    fn default() -> Self {
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        Self {
            in_force_on: Some("2025-03-03".to_owned()),
            terminated_on: None,
            per_person_approval: true,
            excluded_nationalities: strings(&["SYR"]),
            age_years_min: Some(18),
            sexes: Some(strings(&["male"])),
            excluded_vulnerabilities: strings(&[
                "unaccompanied_minor",
                "pregnant",
                "torture_survivor",
            ]),
            transferred_total_max: Some(3),
            present_max: Some(2),
            notice_lead_time: Some("5d".to_owned()),
            fear_claim_window: Some("3d".to_owned()),
            reply_deadline: Some("14d".to_owned()),
            silence_accepts: false,
            transfer_deadline: Some("30d".to_owned()),
            extensions: vec![("imprisonment".to_owned(), "60d".to_owned())],
            welfare_checks: vec![
                ("7d".to_owned(), "2d".to_owned()),
                ("30d".to_owned(), "5d".to_owned()),
            ],
            welfare_schedule: None,
            whereabouts_alert_after: None,
            support_period: None,
            detention_validation: None,
            finding_response: Some("30d".to_owned()),
            onward: "sending_state_only".to_owned(),
            monitoring: Some(MONITORING_BODY.to_owned()),
            receiving_state_nationals: false,
            departure_window_before: None,
            departure_window_after: None,
            earlier_schedule_restarts_notice: true,
        }
    }
}

impl AgreementFile {
    /// Applies `key=value` modifiers such as `approval=no total=1 lead=24h onward=any`.
    pub fn modify(&mut self, modifiers: &[&str]) {
        for modifier in modifiers {
            let (key, value) = modifier
                .split_once('=')
                .unwrap_or_else(|| panic!("bad terms modifier `{modifier}`"));
            let span = || (value != "none").then(|| value.to_owned());
            let count = || {
                (value != "none").then(|| {
                    value
                        .parse()
                        .unwrap_or_else(|_| panic!("bad count `{value}`"))
                })
            };
            let yes = || match value {
                "yes" => true,
                "no" => false,
                _ => panic!("`{key}` takes yes or no"),
            };
            let list = || {
                if value == "none" {
                    Vec::new()
                } else {
                    value.split(',').map(str::to_owned).collect()
                }
            };
            let pairs = || {
                list()
                    .iter()
                    .map(|pair| {
                        let (a, b) = pair
                            .split_once(':')
                            .unwrap_or_else(|| panic!("bad pair `{pair}`"));
                        (a.to_owned(), b.to_owned())
                    })
                    .collect()
            };
            match key {
                "in_force" => self.in_force_on = span(),
                "terminated" => self.terminated_on = span(),
                "approval" => self.per_person_approval = yes(),
                "nationalities" => self.excluded_nationalities = list(),
                "age" => self.age_years_min = count().map(|n: u64| u8::try_from(n).unwrap()),
                "sexes" => self.sexes = (value != "any").then(list),
                "vulnerabilities" => self.excluded_vulnerabilities = list(),
                "total" => self.transferred_total_max = count(),
                "present" => self.present_max = count(),
                "lead" => self.notice_lead_time = span(),
                "fear" => self.fear_claim_window = span(),
                "reply" => self.reply_deadline = span(),
                "silence" => self.silence_accepts = yes(),
                "deadline" => self.transfer_deadline = span(),
                "extensions" => self.extensions = pairs(),
                "welfare" => self.welfare_checks = pairs(),
                "schedule" => {
                    self.welfare_schedule = (value != "none").then(|| {
                        let parts: Vec<String> = value.split(':').map(str::to_owned).collect();
                        parts.try_into().unwrap_or_else(|_| {
                            panic!("schedule takes every:from:until:window, not `{value}`")
                        })
                    })
                }
                "whereabouts" => self.whereabouts_alert_after = span(),
                "support" => self.support_period = span(),
                "detention" => self.detention_validation = span(),
                "finding_response" => self.finding_response = span(),
                "onward" => {
                    self.onward = match value {
                        "any" => "any_except_feared_and_protected".to_owned(),
                        "sending" => "sending_state_only".to_owned(),
                        _ => panic!("onward takes any or sending"),
                    }
                }
                "monitoring" => self.monitoring = span(),
                "nationals" => self.receiving_state_nationals = yes(),
                "window_before" => self.departure_window_before = span(),
                "window_after" => self.departure_window_after = span(),
                "restart" => self.earlier_schedule_restarts_notice = yes(),
                _ => panic!("unknown terms modifier `{key}`"),
            }
        }
    }

    /// The agreement file's text.
    pub fn to_toml(&self) -> String {
        let quoted = |items: &[String]| {
            let inner: Vec<String> = items.iter().map(|item| format!("\"{item}\"")).collect();
            format!("[{}]", inner.join(", "))
        };
        let mut text = String::new();
        let mut line = |s: String| {
            text.push_str(&s);
            text.push('\n');
        };
        line(format!("id = \"{AGREEMENT_ID}\""));
        line("title = \"Test agreement (fictional)\"".to_owned());
        line("[parties]\nsending = \"USA\"\nreceiving = \"RWA\"".to_owned());
        line("[[status]]\nstatus = \"negotiating\"\non = \"2025-01-06\"".to_owned());
        line("[[status]]\nstatus = \"signed\"\non = \"2025-02-03\"".to_owned());
        if let Some(on) = &self.in_force_on {
            line(format!("[[status]]\nstatus = \"in_force\"\non = \"{on}\""));
        }
        if let Some(on) = &self.terminated_on {
            line(format!(
                "[[status]]\nstatus = \"terminated\"\non = \"{on}\""
            ));
        }
        line("[eligibility]".to_owned());
        line(format!(
            "per_person_approval = {}",
            self.per_person_approval
        ));
        if !self.excluded_nationalities.is_empty() {
            line(format!(
                "excluded_nationalities = {}",
                quoted(&self.excluded_nationalities)
            ));
        }
        if let Some(age) = self.age_years_min {
            line(format!("age_years_min = {age}"));
        }
        if let Some(sexes) = &self.sexes {
            line(format!("sexes = {}", quoted(sexes)));
        }
        if !self.excluded_vulnerabilities.is_empty() {
            line(format!(
                "excluded_vulnerabilities = {}",
                quoted(&self.excluded_vulnerabilities)
            ));
        }
        if self.receiving_state_nationals {
            line("receiving_state_nationals = true".to_owned());
        }
        line("[caps]".to_owned());
        if let Some(total) = self.transferred_total_max {
            line(format!("transferred_total_max = {total}"));
        }
        if let Some(present) = self.present_max {
            line(format!("present_max = {present}"));
        }
        line("[clocks]".to_owned());
        let spans = [
            ("notice_lead_time", &self.notice_lead_time),
            ("fear_claim_window", &self.fear_claim_window),
            ("reply_deadline", &self.reply_deadline),
            ("transfer_deadline", &self.transfer_deadline),
            ("support_period", &self.support_period),
            ("detention_validation", &self.detention_validation),
            ("finding_response", &self.finding_response),
            ("whereabouts_alert_after", &self.whereabouts_alert_after),
            ("departure_window_before", &self.departure_window_before),
            ("departure_window_after", &self.departure_window_after),
        ];
        for (key, value) in spans {
            if let Some(value) = value {
                line(format!("{key} = \"{}\"", span_text(value)));
            }
        }
        line(format!("silence_accepts = {}", self.silence_accepts));
        if !self.earlier_schedule_restarts_notice {
            line("earlier_schedule_restarts_notice = false".to_owned());
        }
        for (reason, deadline) in &self.extensions {
            line(format!(
                "[[clocks.transfer_deadline_extensions]]\nreason = \"{reason}\"\ndeadline = \"{}\"",
                span_text(deadline)
            ));
        }
        for (offset, window) in &self.welfare_checks {
            line(format!(
                "[[clocks.welfare_checks]]\noffset = \"{}\"\nwindow = \"{}\"",
                span_text(offset),
                span_text(window)
            ));
        }
        if let Some([every, from, until, window]) = &self.welfare_schedule {
            line(format!(
                "[[clocks.welfare_schedule]]\nevery = \"{}\"\nfrom = \"{}\"\nuntil = \"{}\"\nwindow = \"{}\"",
                span_text(every),
                span_text(from),
                span_text(until),
                span_text(window)
            ));
        }
        line(format!("[onward]\nrule = \"{}\"", self.onward));
        line("[sharing]\nfields = [\"name\", \"nationality\", \"sex\"]".to_owned());
        if let Some(body) = &self.monitoring {
            line(format!(
                "[monitoring]\nid = \"{body}\"\nname = \"Test Monitoring Board\""
            ));
        }
        text
    }
}

// ----- actors -------------------------------------------------------------------------------

/// Every synthetic actor, by user name: the role and the party each acts for.
pub const ACTORS: &[(&str, Role, &str)] = &[
    ("officer.a", Role::SendingOfficer, "state:USA"),
    ("super.b", Role::SendingSupervisor, "state:USA"),
    ("super.x", Role::SendingSupervisor, "state:USA"),
    ("judge.d", Role::Adjudicator, "state:USA"),
    ("receiver.e", Role::ReceivingOfficer, "state:RWA"),
    ("clerk.f", Role::CourtClerk, "court:dc-dc"),
    ("counsel.c", Role::Counsel, "clients"),
    ("counsel.y", Role::Counsel, "clients"),
    ("monitor.g", Role::Monitor, "monitoring_body:test-monitors"),
    (
        "monitor.other",
        Role::Monitor,
        "monitoring_body:other-monitors",
    ),
    ("admin.i", Role::Admin, "none"),
    ("public.j", Role::Public, "none"),
    // The right roles acting for the wrong party.
    ("officer.gbr", Role::SendingOfficer, "state:GBR"),
    ("super.gbr", Role::SendingSupervisor, "state:GBR"),
    ("judge.gbr", Role::Adjudicator, "state:GBR"),
    ("receiver.alb", Role::ReceivingOfficer, "state:ALB"),
];

/// The synthetic actor with this user name.
pub fn actor(name: &str) -> Actor {
    let (_, role, party) = ACTORS
        .iter()
        .find(|(user, _, _)| *user == name)
        .unwrap_or_else(|| panic!("no actor `{name}`"));
    corridor_testkit::actor(name, *role, corridor_testkit::party(party))
}

// ----- people -------------------------------------------------------------------------------

/// The default synthetic person, changed by `key=value` modifiers: `nat=VEN age=17 born=...
/// sex=female vuln=pregnant fears=VEN protected=SYR lang=es,en basis=... designation=...
/// place=... ordered=2025-05-01 counsel=counsel.c`.
pub fn person(modifiers: &[&str], today: Date) -> (PersonFacts, Option<UserId>) {
    let mut facts = PersonFacts {
        birth_date: day("1994-03-14"),
        nationality: country("SLV"),
        sex: Sex::Male,
        vulnerabilities: BTreeSet::new(),
        feared_countries: BTreeSet::new(),
        protected_countries: BTreeSet::new(),
        languages: [Language::parse("es").unwrap()].into(),
        legal_basis: label("ina_241"),
        designation: None,
        detention_place: None,
        removal_ordered_on: day("2025-05-01"),
        health_data_consent: false,
    };
    let mut counsel = None;
    for modifier in modifiers {
        let (key, value) = modifier
            .split_once('=')
            .unwrap_or_else(|| panic!("bad person modifier `{modifier}`"));
        let countries = || value.split(',').map(country).collect::<BTreeSet<_>>();
        match key {
            "nat" => facts.nationality = country(value),
            "age" => {
                let years: i64 = value.parse().unwrap();
                facts.birth_date = today.checked_sub(Span::new().years(years)).unwrap();
            }
            "born" => facts.birth_date = day(value),
            "sex" => facts.sex = Sex::parse(value).unwrap(),
            "vuln" => {
                facts.vulnerabilities = value
                    .split(',')
                    .map(|v| Vulnerability::parse(v).unwrap())
                    .collect();
            }
            "fears" => facts.feared_countries = countries(),
            "protected" => facts.protected_countries = countries(),
            "lang" => {
                facts.languages = value
                    .split(',')
                    .map(|l| Language::parse(l).unwrap())
                    .collect()
            }
            "basis" => facts.legal_basis = label(value),
            "designation" => facts.designation = Some(label(value)),
            "place" => facts.detention_place = Some(label(value)),
            "ordered" => facts.removal_ordered_on = day(value),
            "counsel" => counsel = Some(UserId::parse(value).unwrap()),
            _ => panic!("unknown person modifier `{key}`"),
        }
    }
    (facts, counsel)
}

// ----- holds --------------------------------------------------------------------------------

/// Class criteria from modifiers `nat=VEN,CUB basis=... designation=... place=... from=...
/// until=... agreements=...`; other keys are returned for the caller.
pub fn criteria<'a>(modifiers: &[&'a str]) -> (ClassCriteria, Vec<(&'a str, &'a str)>) {
    let mut criteria = ClassCriteria::default();
    let mut rest = Vec::new();
    for modifier in modifiers {
        let (key, value) = modifier
            .split_once('=')
            .unwrap_or_else(|| panic!("bad hold modifier `{modifier}`"));
        let labels = || value.split(',').map(label).collect();
        match key {
            "nat" => criteria.nationalities = value.split(',').map(country).collect(),
            "basis" => criteria.legal_bases = labels(),
            "designation" => criteria.designations = labels(),
            "place" => criteria.detention_places = labels(),
            "from" => criteria.removal_ordered_from = Some(day(value)),
            "until" => criteria.removal_ordered_until = Some(day(value)),
            "agreements" => {
                criteria.agreements = value
                    .split(',')
                    .map(|a| AgreementId::parse(a).unwrap())
                    .collect();
            }
            _ => rest.push((key, value)),
        }
    }
    (criteria, rest)
}

// ----- the script runner --------------------------------------------------------------------

/// A world, a clock and the names of what the script created.
#[derive(Debug)]
pub struct Script {
    world: World,
    now: Timestamp,
    ids: ChaCha8Rng,
    terms: AgreementFile,
    loading: Option<AgreementFile>,
    cases: Vec<CaseId>,
    holds: Vec<HoldId>,
    findings: Vec<FindingId>,
    visits: Vec<VisitId>,
    current: Option<CaseId>,
}

/// What one step did, before rendering.
#[expect(
    clippy::large_enum_variant,
    reason = "one per step, rendered at once and dropped"
)]
enum Done {
    /// The step ran a command.
    Command(Outcome),
    /// The step only moved the clock or walked a case: nothing to say but the status.
    Quiet,
    /// The step rendered its own text (`show ...`).
    Shown(String),
}

impl Script {
    /// A world at [`START`] with the test agreement, changed by `terms` modifiers, loaded.
    pub fn new(terms_modifiers: &[&str]) -> Self {
        let mut terms = AgreementFile::default();
        terms.modify(terms_modifiers);
        let mut script = Self {
            world: World::new(),
            now: at(START),
            ids: ChaCha8Rng::seed_from_u64(0x00c0_4d1d_0a11),
            terms,
            loading: None,
            cases: Vec::new(),
            holds: Vec::new(),
            findings: Vec::new(),
            visits: Vec::new(),
            current: None,
        };
        let load = Command::LoadAgreement {
            file_name: "test-usa-rwa.toml".to_owned(),
            text: script.terms.to_toml(),
        };
        match script.execute("admin.i", &load) {
            Outcome::Accepted(_) => {}
            Outcome::Refused { refusal, .. } => {
                panic!("the test agreement does not load: {refusal}")
            }
        }
        script
    }

    /// The world.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The case named `cN`.
    pub fn case_id(&self, name: &str) -> CaseId {
        let index: usize = name
            .strip_prefix('c')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("bad case `{name}`"));
        *self
            .cases
            .get(index - 1)
            .unwrap_or_else(|| panic!("no case `{name}` yet"))
    }

    /// The hold named `hN`.
    pub fn hold_id(&self, name: &str) -> HoldId {
        if let Ok(raw) = HoldId::parse(name) {
            return raw;
        }
        let index: usize = name
            .strip_prefix('h')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("bad hold `{name}`"));
        *self
            .holds
            .get(index - 1)
            .unwrap_or_else(|| panic!("no hold `{name}` yet"))
    }

    /// The case as the world holds it.
    pub fn case(&self, name: &str) -> &Case {
        &self.world.state().cases[&self.case_id(name)]
    }

    fn execute(&mut self, actor_name: &str, command: &Command) -> Outcome {
        let context = Context {
            now: self.now,
            actor: actor(actor_name),
        };
        let before = self.world.events().len();
        let outcome = self
            .world
            .execute(command, &context)
            .expect("the world applies what it decided");
        // What `execute` reports is exactly what it appended, and a recorded refusal names the
        // refused command, its code and its facts.
        let appended = &self.world.events()[before..];
        match &outcome {
            Outcome::Accepted(events) => assert_eq!(appended, events.as_slice()),
            Outcome::Refused { refusal, recorded } => {
                assert_eq!(appended, recorded.as_slice());
                if let Some(Event {
                    body:
                        EventBody::SafeguardTriggered {
                            command: name,
                            code,
                            facts,
                            ..
                        },
                    ..
                }) = recorded
                {
                    assert_eq!(
                        (name.as_str(), code.as_str()),
                        (command.name(), refusal.code())
                    );
                    assert_eq!(facts, &refusal.facts());
                }
            }
        }
        outcome
    }

    fn next_id(&mut self) -> u64 {
        self.ids.next_u64()
    }

    /// Runs one line and renders it, or returns `None` when it was accepted and need not be
    /// shown (`last` forces rendering).
    pub fn step(&mut self, line: &str, last: bool) -> Option<String> {
        let done = self.run(line);
        let refused = matches!(done, Done::Command(Outcome::Refused { .. }));
        (refused || last).then(|| self.render(line, &done))
    }

    fn run(&mut self, line: &str) -> Done {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["wait", "until", moment] => {
                self.now = self.now.max(at(moment));
                Done::Quiet
            }
            ["wait", span] => {
                self.now = self.now.checked_add(duration(span)).unwrap();
                Done::Quiet
            }
            ["back", span] => {
                self.now = self.now.checked_sub(duration(span)).unwrap();
                Done::Quiet
            }
            ["skew", span] => {
                let skew = duration(span);
                self.world = std::mem::take(&mut self.world).with_clock_skew(skew);
                Done::Quiet
            }
            ["walk", status, modifiers @ ..] => self.walk(status, modifiers),
            ["show", "welfare"] => Done::Shown(self.show_welfare()),
            ["show", "findings"] => Done::Shown(self.show_findings()),
            ["show", "aftercare"] => Done::Shown(self.show_aftercare()),
            ["show", "log", count] => Done::Shown(self.show_log(count.parse().unwrap())),
            [actor_name, verb, args @ ..] => {
                let command = self.command(verb, args);
                let outcome = self.execute(actor_name, &command);
                // The terms a walk follows change only when a new version was really loaded.
                if let (Some(terms), Outcome::Accepted(_)) = (self.loading.take(), &outcome) {
                    self.terms = terms;
                }
                Done::Command(outcome)
            }
            _ => panic!("bad step `{line}`"),
        }
    }

    /// Proposes a case and takes it to `status` with the standard actors, each step as its own
    /// line, so a refusal on the way is rendered like any other.
    fn walk(&mut self, status: &str, modifiers: &[&str]) -> Done {
        let target =
            CaseStatus::parse(status).unwrap_or_else(|| panic!("unknown status `{status}`"));
        let path: &[&str] = match target {
            CaseStatus::Proposed => &[],
            CaseStatus::Noticed => &["notice"],
            CaseStatus::ProtectionClaimed => &["notice", "claim"],
            CaseStatus::Protected => &["notice", "claim", "granted"],
            CaseStatus::Requested => &["notice", "request"],
            CaseStatus::Refused => &["notice", "request", "refuse"],
            CaseStatus::Withdrawn => &["withdraw"],
            CaseStatus::Accepted => &["notice", "request", "accept"],
            CaseStatus::Scheduled => &["notice", "request", "accept", "schedule"],
            CaseStatus::InTransit => &["notice", "request", "accept", "schedule", "depart"],
            CaseStatus::Arrived => &[
                "notice", "request", "accept", "schedule", "depart", "arrive",
            ],
            CaseStatus::Settled => &[
                "notice", "request", "accept", "schedule", "depart", "arrive", "settle",
            ],
            CaseStatus::Returned => &[
                "notice", "request", "accept", "schedule", "depart", "arrive", "return",
            ],
            CaseStatus::WhereaboutsUnknown => &[
                "notice", "request", "accept", "schedule", "depart", "arrive", "unknown",
            ],
            other => panic!("walk does not go to `{other}`"),
        };
        let mut lines = vec![format!("officer.a propose {}", modifiers.join(" "))];
        for stage in path {
            match *stage {
                "accept" => {
                    if self.terms.per_person_approval {
                        lines.push("receiver.e approve".to_owned());
                    }
                    lines.push("super.b approve".to_owned());
                }
                "depart" => {
                    // Departure waits for the scheduled moment.
                    lines.push("wait until departure".to_owned());
                    lines.push("officer.a depart".to_owned());
                }
                "notice" | "request" | "claim" => lines.push(format!("officer.a {stage}")),
                "granted" => lines.push("judge.d decide granted".to_owned()),
                "refuse" => lines.push("receiver.e refuse no_capacity".to_owned()),
                "withdraw" => lines.push("officer.a withdraw officer_decision".to_owned()),
                "schedule" => lines.push("officer.a schedule earliest".to_owned()),
                "arrive" | "settle" | "return" | "unknown" => {
                    lines.push(format!("receiver.e {stage}"))
                }
                _ => unreachable!(),
            }
        }
        let mut refusals = String::new();
        for line in lines {
            let line = if line == "wait until departure" {
                let case = self
                    .current
                    .and_then(|id| self.world.state().cases.get(&id));
                // A schedule refused on the way was rendered already; the departure then fails too.
                let Some(departure) = case.and_then(|case| case.departure) else {
                    continue;
                };
                format!("wait until {departure}")
            } else {
                line
            };
            if let Some(rendered) = self.step(line.trim(), false) {
                refusals.push_str(&rendered);
            }
        }
        if refusals.is_empty() {
            Done::Quiet
        } else {
            Done::Shown(refusals)
        }
    }

    /// Resolves an optional leading `cN` argument: the case the command acts on, which becomes
    /// the current case.
    fn subject<'a>(&mut self, args: &'a [&'a str]) -> (CaseId, &'a [&'a str]) {
        match args.split_first() {
            Some((first, rest))
                if first.starts_with('c')
                    && first[1..].chars().all(|c| c.is_ascii_digit())
                    && first.len() > 1 =>
            {
                let id = self.case_id(first);
                self.current = Some(id);
                (id, rest)
            }
            _ => (self.current.expect("no current case"), args),
        }
    }

    fn command(&mut self, verb: &str, args: &[&str]) -> Command {
        let agreement = AgreementId::parse(AGREEMENT_ID).unwrap();
        let today = day_of(self.now);
        match verb {
            "propose" => {
                let (facts, counsel) = person(args, today);
                let case = CaseId::from_u64(self.next_id());
                self.cases.push(case);
                self.current = Some(case);
                let personal = Sealed(format!("sealed:c{}", self.cases.len()));
                return Command::Propose {
                    case,
                    agreement,
                    facts,
                    counsel,
                    personal,
                };
            }
            "hold" => {
                let hold = HoldId::from_u64(self.next_id());
                self.holds.push(hold);
                let (scope, rest) = self.scope(args);
                let mut depends_on = None;
                let mut court = COURT.to_owned();
                let mut reference = format!("order-{}", self.holds.len());
                for (key, value) in rest {
                    match key {
                        "depends" => depends_on = Some(self.hold_id(value)),
                        "court" => court = value.to_owned(),
                        "ref" => reference = value.to_owned(),
                        _ => panic!("unknown hold modifier `{key}`"),
                    }
                }
                return Command::RegisterHold {
                    hold,
                    court,
                    reference,
                    scope,
                    depends_on,
                };
            }
            "amend" => {
                let hold = self.hold_id(args[0]);
                let (scope, rest) = self.scope(&args[1..]);
                assert!(rest.is_empty(), "amend takes only a scope");
                return Command::AmendHold { hold, scope };
            }
            "stay" => {
                return Command::StayHold {
                    hold: self.hold_id(args[0]),
                };
            }
            "reactivate" => {
                return Command::ReactivateHold {
                    hold: self.hold_id(args[0]),
                };
            }
            "vacate" => {
                return Command::VacateHold {
                    hold: self.hold_id(args[0]),
                };
            }
            "tick" => return Command::Tick,
            "finding" | "respond" | "close" | "visit" => {
                return self.monitoring_command(verb, args);
            }
            "status" => {
                let status = AgreementStatus::parse(args[0]).unwrap();
                let on = args.get(1).map_or(today, |text| day(text));
                return Command::ChangeAgreementStatus {
                    agreement,
                    status,
                    on,
                };
            }
            "load" => {
                let mut terms = self.terms.clone();
                terms.modify(args);
                let text = terms.to_toml();
                self.loading = Some(terms);
                return Command::LoadAgreement {
                    file_name: "test-usa-rwa.toml".to_owned(),
                    text,
                };
            }
            _ => {}
        }
        let (case, args) = self.subject(args);
        let rest = args.join(" ");
        match verb {
            "notice" => {
                let languages = self
                    .world
                    .state()
                    .cases
                    .get(&case)
                    .map(|c| c.rule.languages.clone())
                    .unwrap_or_default();
                let mut notice = NoticeFacts {
                    language: languages
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| Language::parse("en").unwrap()),
                    on_person: true,
                    on_counsel: true,
                    destination: country("RWA"),
                    explains_how_to_contest: true,
                };
                for modifier in args {
                    let (key, value) = modifier.split_once('=').unwrap();
                    match key {
                        "lang" => notice.language = Language::parse(value).unwrap(),
                        "person" => notice.on_person = value == "yes",
                        "counsel" => notice.on_counsel = value == "yes",
                        "dest" => notice.destination = country(value),
                        "contest" => notice.explains_how_to_contest = value == "yes",
                        _ => panic!("unknown notice modifier `{key}`"),
                    }
                }
                Command::ServeNotice { case, notice }
            }
            "claim" => Command::ClaimProtection { case },
            "decide" => Command::DecideProtection {
                case,
                granted: granted(&rest),
            },
            "request" => Command::RequestTransfer { case },
            "approve" => Command::Approve { case },
            "refuse" => Command::Refuse { case, reason: rest },
            "extend" => Command::ExtendDeadline { case, reason: rest },
            "schedule" => Command::Schedule {
                case,
                departure: self.when(case, &rest),
            },
            "depart" => Command::Depart { case },
            "arrive" => Command::Arrive { case },
            "vulnerability" => Command::RecordVulnerability {
                case,
                category: Vulnerability::parse(&rest).unwrap(),
            },
            "age-dispute" => Command::DisputeAge {
                case,
                claimed_birth_date: day(&rest),
            },
            "age-decide" => Command::DecideAge {
                case,
                birth_date: day(&rest),
            },
            "fear" => Command::RecordFear {
                case,
                country: country(&rest),
            },
            "lodge" => Command::LodgeReceivingClaim { case },
            "decide-claim" => Command::DecideReceivingClaim {
                case,
                granted: granted(&rest),
            },
            "appeal" => Command::LodgeAppeal { case },
            "onward" => Command::Onward {
                case,
                destination: country(&rest),
            },
            "return" => Command::Return { case },
            "settle" => Command::Settle { case },
            "unknown" => Command::ReportWhereaboutsUnknown { case },
            "known" => Command::ReportWhereaboutsKnown { case },
            "welfare" => Command::RecordWelfareCheck {
                case,
                outcome: WelfareOutcome::parse(&rest).unwrap(),
            },
            "validate" => Command::ValidateDetention { case },
            "withdraw" => Command::Withdraw { case, reason: rest },
            "erase" => Command::Erase { case },
            _ => panic!("unknown verb `{verb}`"),
        }
    }

    /// A departure: `earliest` (the earliest the notice allows, or now), `+5d1h` from now, or
    /// a timestamp.
    fn when(&self, case: CaseId, text: &str) -> Timestamp {
        if text == "earliest" {
            let state = self.world.state();
            let case = &state.cases[&case];
            let earliest =
                case_terms(state, case).and_then(|terms| earliest_departure(case, terms));
            return earliest.map_or(self.now, |earliest| earliest.max(self.now));
        }
        match text.strip_prefix('+') {
            Some(span) => self.now.checked_add(duration(span)).unwrap(),
            None => at(text),
        }
    }

    fn scope<'a>(&self, args: &[&'a str]) -> (HoldScope, Vec<(&'a str, &'a str)>) {
        if let Some(list) = args.first().and_then(|first| first.strip_prefix("cases=")) {
            let cases = list.split(',').map(|name| self.case_id(name)).collect();
            let rest = args[1..]
                .iter()
                .map(|m| m.split_once('=').unwrap())
                .collect();
            return (HoldScope::Cases { cases }, rest);
        }
        let (criteria, rest) = criteria(args);
        (HoldScope::Class { criteria }, rest)
    }

    /// The last `count` events as stored (JSON), and how many events there are.
    fn show_log(&self, count: usize) -> String {
        let events = self.world.events();
        let mut text = format!("log: {} events\n", events.len());
        for event in &events[events.len().saturating_sub(count)..] {
            writeln!(text, "  {}", self.names(&event.to_json())).unwrap();
        }
        text
    }

    /// The finding named `fN`, or a raw finding id.
    pub fn finding_id(&self, name: &str) -> FindingId {
        if let Ok(raw) = FindingId::parse(name) {
            return raw;
        }
        let index: usize = name
            .strip_prefix('f')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("bad finding `{name}`"));
        self.findings[index - 1]
    }

    fn case_list(&self, list: &str) -> BTreeSet<CaseId> {
        if list == "none" {
            return BTreeSet::new();
        }
        list.split(',').map(|name| self.case_id(name)).collect()
    }

    /// The monitoring body's verbs: `finding`, `respond`, `close` and `visit`.
    fn monitoring_command(&mut self, verb: &str, args: &[&str]) -> Command {
        let mut agreement = AgreementId::parse(AGREEMENT_ID).unwrap();
        let keyed = |args: &[&str]| -> Vec<(String, String)> {
            args.iter()
                .filter_map(|arg| arg.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        };
        match verb {
            "finding" => {
                let finding = FindingId::from_u64(self.next_id());
                self.findings.push(finding);
                let mut cases = BTreeSet::new();
                let mut addressed = BTreeSet::from([AddressedParty::ReceivingState]);
                let mut text = "Synthetic finding for a test.".to_owned();
                for (key, value) in keyed(&args[2..]) {
                    match key.as_str() {
                        "cases" => cases = self.case_list(&value),
                        "to" if value == "none" => addressed.clear(),
                        "to" => {
                            addressed = value
                                .split(',')
                                .map(|p| AddressedParty::parse(p).unwrap())
                                .collect();
                        }
                        "text" => text = value.replace('_', " "),
                        "agreement" => agreement = AgreementId::parse(&value).unwrap(),
                        _ => panic!("unknown finding modifier `{key}`"),
                    }
                }
                Command::RecordFinding {
                    finding,
                    facts: FindingFacts {
                        agreement,
                        cases,
                        category: FindingCategory::parse(args[0]).unwrap(),
                        severity: Severity::parse(args[1]).unwrap(),
                        text,
                        addressed,
                    },
                }
            }
            "respond" => Command::RespondToFinding {
                finding: self.finding_id(args[0]),
                text: args.get(1).map_or("Synthetic response.", |t| t).to_owned(),
            },
            "close" => Command::CloseFinding {
                finding: self.finding_id(args[0]),
                outcome: FindingOutcome::parse(args[1]).unwrap(),
            },
            _ => self.visit_command(args),
        }
    }

    /// `visit schedule|plan|record [vN] [key=value ...]`.
    fn visit_command(&mut self, args: &[&str]) -> Command {
        let (mode, rest) = args
            .split_first()
            .expect("visit takes schedule, plan or record");
        let (visit, rest) = match rest.first().and_then(|first| first.strip_prefix('v')) {
            Some(number) if number.chars().all(|c| c.is_ascii_digit()) && !number.is_empty() => {
                let index: usize = number.parse().unwrap();
                (self.visits[index - 1], &rest[1..])
            }
            _ => {
                let visit = VisitId::from_u64(self.next_id());
                self.visits.push(visit);
                (visit, rest)
            }
        };
        let mut plan = VisitPlan {
            agreement: AgreementId::parse(AGREEMENT_ID).unwrap(),
            // A record keeps what the schedule said, unless the step says otherwise.
            announced: self
                .world
                .state()
                .visits
                .get(&visit)
                .map_or(*mode == "schedule", |existing| existing.plan.announced),
            on: day_of(self.now),
            place: "Reception centre (synthetic)".to_owned(),
            cases: BTreeSet::new(),
        };
        let mut seen = Seen::default();
        for arg in rest {
            let (key, value) = arg.split_once('=').unwrap();
            match key {
                "cases" => plan.cases = self.case_list(value),
                "seen" => seen.cases = self.case_list(value),
                "others" => seen.others = value.split(',').map(|v| v.replace('_', " ")).collect(),
                "on" => {
                    plan.on = match (value.strip_prefix('+'), value.strip_prefix('-')) {
                        (Some(span), _) => day_of(self.now.checked_add(duration(span)).unwrap()),
                        (_, Some(span)) => day_of(self.now.checked_sub(duration(span)).unwrap()),
                        _ => day(value),
                    }
                }
                "announced" => plan.announced = value == "yes",
                "place" => plan.place = value.replace('_', " "),
                "agreement" => plan.agreement = AgreementId::parse(value).unwrap(),
                _ => panic!("unknown visit modifier `{key}`"),
            }
        }
        match *mode {
            "schedule" | "plan" => Command::ScheduleVisit { visit, plan },
            "record" => Command::RecordVisit { visit, plan, seen },
            other => panic!("visit takes schedule, plan or record, not `{other}`"),
        }
    }

    /// Every finding's response clocks at the current time.
    fn show_findings(&self) -> String {
        let state = self.world.state();
        let mut text = format!("findings at {}:\n", self.now);
        for id in &self.findings {
            let Some(finding) = state.findings.get(id) else {
                continue;
            };
            let terms = state.agreements[&finding.facts.agreement]
                .latest()
                .map(|a| &a.terms)
                .unwrap();
            writeln!(text, "  {}:", self.names(&id.to_string())).unwrap();
            for clock in finding_responses(finding, terms, self.now) {
                let due = clock
                    .due_at
                    .map_or_else(|| "no period".to_owned(), |at| format!("due {at}"));
                writeln!(text, "    {} {due}: {}", clock.party, clock.state.as_str()).unwrap();
            }
        }
        text
    }

    fn show_aftercare(&self) -> String {
        let state = self.world.state();
        let case = &state.cases[&self.current.unwrap()];
        let terms = case_terms(state, case).unwrap();
        let Some(status) = aftercare(case, terms, self.now) else {
            return "aftercare: not arrived\n".to_owned();
        };
        let whereabouts = match status.whereabouts {
            Whereabouts::Known(since) => format!("known since {since}"),
            Whereabouts::Unknown(since) => format!("unknown since {since}"),
        };
        let mut text = format!(
            "aftercare at {}: {} months; done {} missed {} (in a row {}) due {} upcoming {}; whereabouts {whereabouts}\n",
            self.now,
            status.months_since_arrival,
            status.checks_done,
            status.checks_missed,
            status.missed_in_a_row,
            status.checks_due,
            status.checks_upcoming,
        );
        if let Some((country, at)) = status.onward {
            writeln!(text, "  moved on to {country} at {at}").unwrap();
        }
        if let Some(end) = status.support_ends_at {
            writeln!(text, "  support ends {end}").unwrap();
        }
        text
    }

    fn show_welfare(&self) -> String {
        let state = self.world.state();
        let case = &state.cases[&self.current.unwrap()];
        let terms = case_terms(state, case).unwrap();
        let mut text = format!("welfare at {}:\n", self.now);
        for item in welfare_schedule(case, terms, self.now) {
            let done = match item.state {
                WelfareState::Done(at) | WelfareState::NotFound(at) => format!(" at {at}"),
                _ => String::new(),
            };
            writeln!(
                text,
                "  due {} until {}: {}{done}",
                item.due_at,
                item.window_ends_at,
                item.state.as_str()
            )
            .unwrap();
        }
        text
    }

    // ----- rendering ----------------------------------------------------------------------

    /// Replaces every id the script created with its short name.
    fn names(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (index, id) in self.cases.iter().enumerate() {
            text = text.replace(&id.to_string(), &format!("c{}", index + 1));
        }
        for (index, id) in self.holds.iter().enumerate() {
            text = text.replace(&id.to_string(), &format!("h{}", index + 1));
        }
        for (index, id) in self.findings.iter().enumerate() {
            text = text.replace(&id.to_string(), &format!("f{}", index + 1));
        }
        for (index, id) in self.visits.iter().enumerate() {
            text = text.replace(&id.to_string(), &format!("v{}", index + 1));
        }
        text
    }

    fn event_text(&self, event: &Event) -> String {
        let mut text = event.body.kind().to_owned();
        let own = match event.body.stream() {
            StreamId::Case(id) => Some(id) == self.current,
            StreamId::Agreement(_) => true,
            StreamId::Hold(_)
            | StreamId::Access
            | StreamId::Visit(_)
            | StreamId::Finding(_)
            | StreamId::Complaint(_) => false,
        };
        if !own {
            write!(text, "({})", self.names(&event.body.stream().to_string())).unwrap();
        }
        match &event.body {
            EventBody::HoldMatched { hold, .. } => {
                write!(text, "[{}]", self.names(&hold.to_string())).unwrap()
            }
            EventBody::HoldVacated {
                because_of: Some(parent),
                ..
            } => {
                write!(text, "[because of {}]", self.names(&parent.to_string())).unwrap();
            }
            EventBody::AcceptedByReceivingState { acceptance, .. } => {
                write!(text, "[{}]", snake(&format!("{acceptance:?}"))).unwrap();
            }
            EventBody::MonitorAlertRaised { alert, .. } => match alert {
                MonitorAlert::MissedChecks { count, since } => {
                    write!(text, "[missed_checks {count} since {since}]").unwrap();
                }
                MonitorAlert::WhereaboutsUnknown { since } => {
                    write!(text, "[whereabouts_unknown since {since}]").unwrap();
                }
            },
            _ => {}
        }
        if event.at != self.now {
            write!(text, " @{}", event.at).unwrap();
        }
        text
    }

    fn render(&self, line: &str, done: &Done) -> String {
        let mut text = format!("> {line}\n");
        match done {
            Done::Command(Outcome::Accepted(events)) if events.is_empty() => {
                text.push_str("accepted: nothing\n")
            }
            Done::Command(Outcome::Accepted(events)) => {
                let kinds: Vec<String> =
                    events.iter().map(|event| self.event_text(event)).collect();
                writeln!(text, "accepted: {}", kinds.join(", ")).unwrap();
            }
            Done::Command(Outcome::Refused { refusal, recorded }) => {
                writeln!(text, "refused: {}", refusal.code()).unwrap();
                for (name, value) in refusal.facts() {
                    writeln!(text, "  {name}={}", self.names(&value)).unwrap();
                }
                if let Some(event) = recorded {
                    writeln!(text, "recorded: {}", event.body.kind()).unwrap();
                }
            }
            Done::Quiet => {}
            Done::Shown(shown) => {
                // A walk shows the refusals on its way; `show` shows its own text.
                text = if line.starts_with("walk") {
                    shown.clone() + &text
                } else {
                    format!("> {line}\n{shown}")
                };
                return text + &self.status_line();
            }
        }
        text + &self.status_line()
    }

    fn status_line(&self) -> String {
        let Some(case) = self
            .current
            .and_then(|id| self.world.state().cases.get(&id))
        else {
            return String::new();
        };
        let mut notes = Vec::new();
        if case.detention != Detention::NotRequired {
            notes.push(format!(
                "detention {}",
                snake(&format!("{:?}", case.detention))
            ));
        }
        if case.receiving_procedure != ReceivingProcedure::None {
            notes.push(format!(
                "receiving claim {}",
                snake(&format!("{:?}", case.receiving_procedure))
            ));
        }
        if case.support_ended {
            notes.push("support ended".to_owned());
        }
        if case.return_required {
            notes.push("return required".to_owned());
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        };
        format!("status: {}{notes}\n", case.status)
    }
}

/// `ClaimPending` as `claim_pending`: the names of the domain's unit variants as text.
fn snake(name: &str) -> String {
    let mut text = String::new();
    for (index, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && index > 0 {
            text.push('_');
        }
        text.push(c.to_ascii_lowercase());
    }
    text
}

fn granted(text: &str) -> bool {
    match text {
        "granted" => true,
        "denied" => false,
        _ => panic!("decide takes granted or denied"),
    }
}

/// Strips the common indentation and the blank lines around a block written in a test.
pub fn trim_indent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let body: Vec<&str> = lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or("").trim_end())
        .collect();
    let start = body
        .iter()
        .position(|line| !line.is_empty())
        .unwrap_or(body.len());
    let end = body
        .iter()
        .rposition(|line| !line.is_empty())
        .map_or(start, |end| end + 1);
    body[start..end].join("\n")
}

/// Runs a script (see the module docs) and renders what it did.
pub fn run_script(script: &str) -> String {
    let script = trim_indent(script);
    let mut lines: Vec<&str> = script
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    let terms: Vec<&str> = match lines.first() {
        Some(first) if first.starts_with("terms ") => {
            let modifiers = first.split_whitespace().skip(1).collect();
            lines.remove(0);
            modifiers
        }
        _ => Vec::new(),
    };
    let mut runner = Script::new(&terms);
    let mut out = String::new();
    let count = lines.len();
    for (index, line) in lines.into_iter().enumerate() {
        let (line, shown) = match line.strip_prefix("? ") {
            Some(line) => (line, true),
            None => (line, index + 1 == count),
        };
        if let Some(rendered) = runner.step(line, shown) {
            out.push_str(&rendered);
        }
    }
    out
}

/// The one check: runs the script and compares what it did, as text, with `expected`.
#[track_caller]
pub fn check(script: &str, expected: &str) {
    let actual = run_script(script);
    let expected = trim_indent(expected);
    let actual = actual.trim_end();
    assert!(
        actual == expected,
        "\n--- script ---\n{}\n--- expected ---\n{expected}\n--- actual ---\n{actual}\n--- end ---\n",
        trim_indent(script)
    );
}
