//! `corridor demo --people N`: a seeded synthetic population living one year under the demo's
//! agreements, instead of the story.
//!
//! The people are drawn from the demo's seed (nationality, sex, age, languages, counsel, and what
//! will become of them), and every step they take is a command to the real application, asked by
//! the demo's users at a simulated clock advanced event by event: proposals spread over the year,
//! notices, requests, the receiving state's answers (explicit, by silence where the terms let the
//! reply deadline accept, refusals), protection claims and their decisions, withdrawals, schedules,
//! departures, arrivals, detention validations, welfare checks made or missed, onward movements,
//! returns, settlements, erasures, a class-wide court order and an order naming cases, and the
//! administrator's weekly tick. The generator holds no rule of its own: it asks, the domain
//! decides, and a refusal (a cap reached, an exclusion, a hold, a notice period) is recorded like
//! any other and ends or delays the person's path. What it reads back from the store (a case's
//! status, its terms, its welfare schedule) is what the domain computed.
//!
//! The year's releases are then published in order (12 months, 4 quarters, the year, since entry
//! into force) by the demo's statistics scene; the `it` test `statistics::a_year_of_releases_…`
//! audits them together for differencing (docs/statistics.md).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context as _;
use corridor_domain::clock::WelfareState;
use corridor_domain::terms::{AgreementId, AgreementStatus, Country, Sex};
use corridor_domain::{
    CaseId, ClassCriteria, Command, EventBody, HoldId, HoldScope, Label, Language, NoticeFacts,
    Outcome, PersonFacts, PersonalData, UserId, WelfareOutcome,
};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use super::{Demo, country, propose_with};

/// The demo's users and the officials of the other agreements' states, for `--people`.
pub(super) const POPULATION_USERS: &str = r#"
[[user]]
name = "officer.ita"
role = "sending_officer"
state = "ITA"
[[user]]
name = "supervisor.ita"
role = "sending_supervisor"
state = "ITA"
[[user]]
name = "adjudicator.ita"
role = "adjudicator"
state = "ITA"
[[user]]
name = "receiver.alb"
role = "receiving_officer"
state = "ALB"
[[user]]
name = "officer.deu"
role = "sending_officer"
state = "DEU"
[[user]]
name = "supervisor.deu"
role = "sending_supervisor"
state = "DEU"
[[user]]
name = "adjudicator.deu"
role = "adjudicator"
state = "DEU"
[[user]]
name = "receiver.ita"
role = "receiving_officer"
state = "ITA"
"#;

/// The first year `--year` accepts: the demo's agreements are loaded, and the training profile
/// brought into force, in the December before it, after the training profile's negotiation began.
pub const YEAR_MIN: i16 = 2026;

/// A nationality the generator draws, with the languages its people speak.
type Nationality = (&'static str, &'static [&'static str]);

/// One agreement the population is proposed under: who acts for its states, and whom it sees.
/// Nothing here is a rule: the terms decide what the officials' commands do.
struct Route {
    /// The agreement's id.
    agreement: &'static str,
    /// Out of 1000 people, how many are proposed under it.
    per_mille: u64,
    officer: &'static str,
    supervisor: &'static str,
    adjudicator: &'static str,
    receiver: &'static str,
    /// The nationalities of the people proposed, drawn uniformly (repeats weigh).
    nationalities: &'static [Nationality],
    /// The legal basis of their removal orders.
    legal_basis: &'static str,
    /// Where some go on to after arrival.
    onward_to: &'static str,
}

const SPANISH: &[&str] = &["es"];
const ARABIC: &[&str] = &["ar"];

/// The agreements, by share of the population. The terminated UK–Rwanda arrangement still gets a
/// few proposals, which its status refuses.
const ROUTES: [Route; 5] = [
    Route {
        agreement: "us-rwa-2025",
        per_mille: 380,
        officer: "officer.ada",
        supervisor: "supervisor.kim",
        adjudicator: "adjudicator.cy",
        receiver: "receiver.dee",
        nationalities: &[
            ("VEN", SPANISH),
            ("VEN", SPANISH),
            ("VEN", SPANISH),
            ("HND", SPANISH),
            ("HND", SPANISH),
            ("GTM", SPANISH),
            ("GTM", SPANISH),
            ("SLV", SPANISH),
            ("MEX", SPANISH),
            ("CUB", SPANISH),
            ("HTI", &["ht", "fr"]),
            ("RWA", &["rw", "fr"]),
        ],
        legal_basis: "ina_241",
        onward_to: "UGA",
    },
    Route {
        agreement: "ita-alb-2023",
        per_mille: 300,
        officer: "officer.ita",
        supervisor: "supervisor.ita",
        adjudicator: "adjudicator.ita",
        receiver: "receiver.alb",
        nationalities: &[
            ("BGD", &["bn"]),
            ("BGD", &["bn"]),
            ("EGY", ARABIC),
            ("EGY", ARABIC),
            ("TUN", ARABIC),
            ("PAK", &["ur"]),
            ("CIV", &["fr"]),
            ("GMB", &["en"]),
        ],
        legal_basis: "border_procedure",
        onward_to: "ITA",
    },
    Route {
        agreement: "dublin-iii-deu-ita",
        per_mille: 260,
        officer: "officer.deu",
        supervisor: "supervisor.deu",
        adjudicator: "adjudicator.deu",
        receiver: "receiver.ita",
        nationalities: &[
            ("AFG", &["ps", "fa"]),
            ("AFG", &["ps", "fa"]),
            ("SYR", ARABIC),
            ("SYR", ARABIC),
            ("IRQ", ARABIC),
            ("ERI", &["ti"]),
            ("NGA", &["en"]),
            ("TUR", &["tr"]),
        ],
        legal_basis: "dublin_take_charge",
        onward_to: "FRA",
    },
    Route {
        agreement: "demo-training",
        per_mille: 50,
        officer: "officer.ada",
        supervisor: "supervisor.kim",
        adjudicator: "adjudicator.cy",
        receiver: "receiver.dee",
        nationalities: &[("HND", SPANISH), ("GTM", SPANISH), ("SLV", SPANISH)],
        legal_basis: "ina_241",
        onward_to: "UGA",
    },
    Route {
        agreement: "gbr-rwa-2024",
        per_mille: 10,
        officer: "officer.uk",
        supervisor: "officer.uk",
        adjudicator: "officer.uk",
        receiver: "receiver.dee",
        nationalities: &[("NGA", &["en"]), ("ALB", &["sq"])],
        legal_basis: "illegal_migration_act",
        onward_to: "UGA",
    },
];

/// Obviously fake name parts.
const GIVEN: [&str; 12] = [
    "Ana", "Luis", "Rosa", "Omar", "Lena", "Ivo", "Mira", "Tariq", "Sol", "Yara", "Nico", "Dana",
];
const FAMILY: [&str; 10] = [
    "Ejemplo",
    "Muestra",
    "Prueba",
    "Ficticia",
    "Simulada",
    "Modelo",
    "Plantilla",
    "Borrador",
    "Testcase",
    "Placeholder",
];

/// What will become of a person, drawn once when they are proposed. Whether it happens is the
/// domain's decision when the step is asked.
#[derive(Debug, Clone, Copy)]
struct Fate {
    /// Their counsel files a protection claim after notice; `Some(true)` if it is granted.
    claim: Option<bool>,
    /// The sending state withdraws the case after notice.
    withdraw: bool,
    /// The receiving state refuses them.
    refuse: bool,
    /// The receiving state does not answer.
    silent: bool,
    /// The officer asks a departure before the receiving state has answered.
    hasty: bool,
    /// A court validates their detention after arrival, where the terms ask it.
    validated: bool,
    /// The monitors miss their welfare checks.
    unvisited: bool,
    /// What follows arrival.
    after: After,
    /// The operator erases their personal data once their case ends before departure.
    erase: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    Stays,
    Settles,
    Onward,
    Returns,
    Claims { granted: bool },
}

/// A step of one person's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Propose,
    Notice,
    Claim,
    DecideClaim,
    Withdraw,
    Request,
    Reply,
    Supervise,
    Schedule,
    Depart,
    Arrive,
    Validate,
    Welfare,
    Afterwards,
    DecideReceivingClaim,
    Erase,
}

/// Something the clock brings: a person's next step, or the operator's or a court's act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    Person(usize, Step),
    Tick,
    ClassOrder,
    LiftClassOrder,
    NamedOrder,
    LiftNamedOrder,
}

struct Person {
    route: &'static Route,
    name: String,
    facts: PersonFacts,
    counsel: bool,
    fate: Fate,
    case: Option<CaseId>,
    /// The receiving state, read from the case's agreement once proposed.
    receiving: Option<Country>,
    /// Schedules refused or pulled so far.
    retries: u8,
}

/// The most times a person's departure is scheduled again after a refusal or an order.
const RETRIES_MAX: u8 = 3;

/// The year, its people and the clock's queue.
struct Year<'d> {
    demo: &'d mut Demo,
    people: Vec<Person>,
    queue: BTreeMap<(Timestamp, u64), Job>,
    queued: u64,
    class_order: Option<HoldId>,
    named_order: Option<HoldId>,
    /// Accepted and refused commands, by month, for the progress lines.
    months: BTreeMap<String, (u64, u64)>,
}

/// A draw below `per_hundred` out of 100.
fn chance(demo: &mut Demo, per_hundred: u64) -> anyhow::Result<bool> {
    Ok(demo.app.entropy.u64()? % 100 < per_hundred)
}

/// A draw in `0..n`.
fn below(demo: &mut Demo, n: u64) -> anyhow::Result<u64> {
    Ok(demo.app.entropy.u64()? % n.max(1))
}

/// One of `items`, drawn uniformly; `None` if there is none.
fn one_of<T: Copy>(demo: &mut Demo, items: &[T]) -> anyhow::Result<Option<T>> {
    let count = u64::try_from(items.len()).unwrap_or(u64::MAX);
    let index = usize::try_from(below(demo, count)?).unwrap_or(0);
    Ok(items.get(index).copied())
}

/// A span of `low..=high` hours, drawn.
fn hours_between(demo: &mut Demo, low: i64, high: i64) -> anyhow::Result<jiff::Span> {
    let width = u64::try_from(high - low + 1).unwrap_or(1);
    let drawn = i64::try_from(below(demo, width)?).unwrap_or(0);
    Ok((low + drawn).hours())
}

fn day(year: i16, month: i8, day: i8) -> anyhow::Result<Timestamp> {
    Ok(jiff::civil::date(year, month, day)
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)?
        .timestamp())
}

impl<'d> Year<'d> {
    fn push(&mut self, at: Timestamp, job: Job) {
        self.queued += 1;
        self.queue.insert((at, self.queued), job);
    }

    fn next(&mut self, person: usize, step: Step, after: jiff::Span) -> anyhow::Result<()> {
        let at = self.demo.now.checked_add(after)?;
        self.push(at, Job::Person(person, step));
        Ok(())
    }

    /// Asks `command` as `who` at the current time, quietly; `Some` with the events on
    /// acceptance, `None` on refusal (counted by code, like the story's).
    async fn ask(&mut self, who: &str, command: Command) -> anyhow::Result<Option<Vec<EventBody>>> {
        let actor = self.demo.actor(who)?;
        let (_, executed) = self.demo.app.execute(&actor, command, None, &[]).await?;
        Ok(self.outcome(&executed.outcome))
    }

    fn outcome(&mut self, outcome: &Outcome) -> Option<Vec<EventBody>> {
        let month = self.demo.now.strftime("%Y-%m").to_string();
        let tally = self.months.entry(month).or_insert((0, 0));
        match outcome {
            Outcome::Accepted(events) => {
                tally.0 += 1;
                Some(events.iter().map(|event| event.body.clone()).collect())
            }
            Outcome::Refused { refusal, .. } => {
                tally.1 += 1;
                *self
                    .demo
                    .refusals
                    .entry(refusal.code().to_owned())
                    .or_insert(0) += 1;
                None
            }
        }
    }

    fn person(&self, index: usize) -> anyhow::Result<&Person> {
        self.people
            .get(index)
            .with_context(|| format!("no person {index} in the population"))
    }

    fn person_mut(&mut self, index: usize) -> anyhow::Result<&mut Person> {
        self.people
            .get_mut(index)
            .with_context(|| format!("no person {index} in the population"))
    }

    /// Runs one person's step at the current time and queues what follows it.
    async fn step(&mut self, index: usize, step: Step) -> anyhow::Result<()> {
        let person = self.person(index)?;
        let route = person.route;
        let fate = person.fate;
        if step == Step::Propose {
            return self.propose(index).await;
        }
        let Some(case) = person.case else {
            return Ok(());
        };
        match step {
            Step::Propose => Ok(()),
            Step::Notice => {
                let Some(receiving) = person.receiving else {
                    return Ok(());
                };
                let language = person
                    .facts
                    .languages
                    .iter()
                    .next()
                    .cloned()
                    .context("a person without a language")?;
                let counsel = person.counsel;
                let notice = Command::ServeNotice {
                    case,
                    notice: NoticeFacts {
                        language,
                        on_person: true,
                        on_counsel: counsel,
                        destination: receiving,
                        explains_how_to_contest: true,
                    },
                };
                if self.ask(route.officer, notice).await?.is_none() {
                    return Ok(());
                }
                if fate.claim.is_some() {
                    let after = hours_between(self.demo, 12, 72)?;
                    self.next(index, Step::Claim, after)
                } else if fate.withdraw {
                    let after = hours_between(self.demo, 3 * 24, 20 * 24)?;
                    self.next(index, Step::Withdraw, after)
                } else {
                    let after = hours_between(self.demo, 26, 6 * 24)?;
                    self.next(index, Step::Request, after)
                }
            }
            Step::Claim => {
                let who = if person.counsel {
                    "counsel.fay"
                } else {
                    route.officer
                };
                if self
                    .ask(who, Command::ClaimProtection { case })
                    .await?
                    .is_some()
                {
                    let after = hours_between(self.demo, 14 * 24, 40 * 24)?;
                    self.next(index, Step::DecideClaim, after)?;
                }
                Ok(())
            }
            Step::DecideClaim => {
                let granted = fate.claim == Some(true);
                let decided = self
                    .ask(
                        route.adjudicator,
                        Command::DecideProtection { case, granted },
                    )
                    .await?;
                match decided {
                    Some(_) if granted => self.ended_before_departure(index),
                    Some(_) => {
                        let after = hours_between(self.demo, 2 * 24, 10 * 24)?;
                        self.next(index, Step::Request, after)
                    }
                    None => Ok(()),
                }
            }
            Step::Withdraw => {
                let command = Command::Withdraw {
                    case,
                    reason: "the removal order was set aside (synthetic)".to_owned(),
                };
                if self.ask(route.officer, command).await?.is_some() {
                    self.ended_before_departure(index)?;
                }
                Ok(())
            }
            Step::Request => {
                let Some(events) = self
                    .ask(route.officer, Command::RequestTransfer { case })
                    .await?
                else {
                    return Ok(());
                };
                let accepted = events
                    .iter()
                    .any(|body| matches!(body, EventBody::AcceptedByReceivingState { .. }));
                if fate.hasty && !accepted {
                    // Too soon: nobody has accepted the person yet.
                    let departure = self.demo.now.checked_add((5 * 24).hours())?;
                    self.ask(route.officer, Command::Schedule { case, departure })
                        .await?;
                }
                if accepted {
                    let after = hours_between(self.demo, 24, 5 * 24)?;
                    self.next(index, Step::Supervise, after)
                } else if fate.silent && self.silence_accepts(case).await? {
                    // Nobody answers: the weekly tick finds the reply deadline run out.
                    let after = hours_between(self.demo, 69 * 24, 76 * 24)?;
                    self.next(index, Step::Supervise, after)
                } else {
                    let after = hours_between(self.demo, 3 * 24, 25 * 24)?;
                    self.next(index, Step::Reply, after)
                }
            }
            Step::Reply => {
                if fate.refuse {
                    let command = Command::Refuse {
                        case,
                        reason: "the receiving state declined the request (synthetic)".to_owned(),
                    };
                    if self.ask(route.receiver, command).await?.is_some() {
                        self.ended_before_departure(index)?;
                    }
                    return Ok(());
                }
                if self
                    .ask(route.receiver, Command::Approve { case })
                    .await?
                    .is_some()
                {
                    let after = hours_between(self.demo, 24, 5 * 24)?;
                    self.next(index, Step::Supervise, after)?;
                }
                Ok(())
            }
            Step::Supervise => {
                if self
                    .ask(route.supervisor, Command::Approve { case })
                    .await?
                    .is_some()
                {
                    self.next(index, Step::Schedule, 1.hours())?;
                }
                Ok(())
            }
            Step::Schedule => {
                let ahead = hours_between(self.demo, 3 * 24, 14 * 24)?;
                let departure = self.demo.now.checked_add(ahead)?;
                let scheduled = self
                    .ask(route.officer, Command::Schedule { case, departure })
                    .await?;
                if scheduled.is_some() {
                    self.push(departure, Job::Person(index, Step::Depart));
                    Ok(())
                } else {
                    self.retry(index)
                }
            }
            Step::Depart => {
                if self
                    .ask(route.officer, Command::Depart { case })
                    .await?
                    .is_some()
                {
                    let after = hours_between(self.demo, 5, 14)?;
                    self.next(index, Step::Arrive, after)
                } else {
                    self.retry(index)
                }
            }
            Step::Arrive => {
                if self
                    .ask(route.receiver, Command::Arrive { case })
                    .await?
                    .is_none()
                {
                    return Ok(());
                }
                let terms = self.terms_of(case).await?;
                if terms.is_some_and(|terms| terms.clocks.detention_validation.is_some())
                    && fate.validated
                {
                    let after = hours_between(self.demo, 6, 40)?;
                    self.next(index, Step::Validate, after)?;
                }
                self.next(index, Step::Welfare, 1.hours())?;
                let after = hours_between(self.demo, 30 * 24, 150 * 24)?;
                self.next(index, Step::Afterwards, after)
            }
            Step::Validate => {
                self.ask("clerk.eve", Command::ValidateDetention { case })
                    .await?;
                Ok(())
            }
            Step::Welfare => self.welfare(index, case, fate).await,
            Step::Afterwards => {
                let (who, command) = match fate.after {
                    After::Stays => return Ok(()),
                    After::Settles => (route.receiver, Command::Settle { case }),
                    After::Returns => (route.receiver, Command::Return { case }),
                    After::Onward => (
                        route.receiver,
                        Command::Onward {
                            case,
                            destination: country(route.onward_to)?,
                        },
                    ),
                    After::Claims { .. } => (route.receiver, Command::LodgeReceivingClaim { case }),
                };
                let done = self.ask(who, command).await?.is_some();
                if done && matches!(fate.after, After::Claims { .. }) {
                    let after = hours_between(self.demo, 30 * 24, 90 * 24)?;
                    self.next(index, Step::DecideReceivingClaim, after)?;
                }
                Ok(())
            }
            Step::DecideReceivingClaim => {
                let granted = fate.after == After::Claims { granted: true };
                self.ask(
                    route.receiver,
                    Command::DecideReceivingClaim { case, granted },
                )
                .await?;
                Ok(())
            }
            Step::Erase => {
                self.ask("demo.admin", Command::Erase { case }).await?;
                Ok(())
            }
        }
    }

    /// Proposes the person, then queues their notice.
    async fn propose(&mut self, index: usize) -> anyhow::Result<()> {
        let person = self.person(index)?;
        let route = person.route;
        let actor = self.demo.actor(route.officer)?;
        let agreement = AgreementId::parse(route.agreement).map_err(anyhow::Error::msg)?;
        let facts = person.facts.clone();
        let personal = PersonalData {
            name: person.name.clone(),
            birth_date: Some(facts.birth_date),
            documents: vec![format!("synthetic travel document for {}", person.name)],
            contact: None,
            health: None,
        };
        let counsel = if person.counsel {
            Some(UserId::parse("counsel.fay").map_err(anyhow::Error::msg)?)
        } else {
            None
        };
        let (_, executed) = propose_with(
            &mut self.demo.app,
            &actor,
            agreement,
            facts,
            personal,
            counsel,
        )
        .await?;
        let Some(events) = self.outcome(&executed.outcome) else {
            return Ok(());
        };
        let Some(case) = events.iter().find_map(|body| match body {
            EventBody::CaseProposed { case, .. } => Some(*case),
            _ => None,
        }) else {
            return Ok(());
        };
        let receiving = match self.demo.app.store.case(case).await? {
            Some((_, agreement)) => agreement.latest().map(|latest| latest.receiving),
            None => None,
        };
        let person = self.person_mut(index)?;
        person.case = Some(case);
        person.receiving = receiving;
        let after = hours_between(self.demo, 4, 5 * 24)?;
        self.next(index, Step::Notice, after)
    }

    /// The terms the case keeps.
    async fn terms_of(
        &self,
        case: CaseId,
    ) -> anyhow::Result<Option<corridor_domain::terms::Terms>> {
        Ok(self
            .demo
            .app
            .store
            .case(case)
            .await?
            .and_then(|(found, agreement)| agreement.terms(found.terms_version).cloned()))
    }

    /// Whether the case's terms let the reply deadline's running out accept the person.
    async fn silence_accepts(&self, case: CaseId) -> anyhow::Result<bool> {
        Ok(self
            .terms_of(case)
            .await?
            .is_some_and(|terms| terms.clocks.silence_accepts))
    }

    /// A schedule or departure refused (a hold, a cap, the notice period, an order that pulled
    /// the case): schedule again later, a few times.
    fn retry(&mut self, index: usize) -> anyhow::Result<()> {
        let person = self.person_mut(index)?;
        person.retries = person.retries.saturating_add(1);
        if person.retries > RETRIES_MAX {
            return Ok(());
        }
        let after = hours_between(self.demo, 10 * 24, 30 * 24)?;
        self.next(index, Step::Schedule, after)
    }

    /// A case that ended before departure: its personal data is erased later, for some.
    fn ended_before_departure(&mut self, index: usize) -> anyhow::Result<()> {
        if self.person(index)?.fate.erase {
            let after = hours_between(self.demo, 20 * 24, 60 * 24)?;
            self.next(index, Step::Erase, after)?;
        }
        Ok(())
    }

    /// The monitoring body's next welfare check, at the schedule the domain computes, where the
    /// agreement names the demo's monitoring body; made unless the person's fate misses it.
    async fn welfare(&mut self, index: usize, case: CaseId, fate: Fate) -> anyhow::Result<()> {
        let Some((found, agreement)) = self.demo.app.store.case(case).await? else {
            return Ok(());
        };
        let Some(terms) = agreement.terms(found.terms_version) else {
            return Ok(());
        };
        let monitored = terms
            .monitoring
            .as_ref()
            .is_some_and(|body| body.id == "demo-monitors");
        if !monitored || fate.unvisited {
            return Ok(());
        }
        let now = self.demo.now;
        let upcoming = corridor_domain::clock::welfare_schedule(&found, terms, now)
            .into_iter()
            .find(|item| matches!(item.state, WelfareState::Upcoming | WelfareState::Due));
        let Some(item) = upcoming else {
            return Ok(());
        };
        if item.state == WelfareState::Due {
            let outcome = if chance(self.demo, 85)? {
                WelfareOutcome::Well
            } else {
                WelfareOutcome::Concerns
            };
            self.ask("monitor.gus", Command::RecordWelfareCheck { case, outcome })
                .await?;
            self.next(index, Step::Welfare, 1.hours())
        } else {
            let at = item.due_at.max(now.checked_add(1.hours())?);
            self.push(at, Job::Person(index, Step::Welfare));
            Ok(())
        }
    }

    /// The court's acts: a class order covering Venezuelans designated under the Alien Enemies
    /// Act in spring, and an order naming two scheduled cases in autumn; each lifted weeks later.
    async fn court(&mut self, job: Job) -> anyhow::Result<()> {
        let command = match job {
            Job::ClassOrder => {
                let hold = HoldId::from_u64(self.demo.app.entropy.u64()?);
                let criteria = ClassCriteria {
                    nationalities: [country("VEN")?].into_iter().collect(),
                    designations: [Label::parse("alien_enemies_act").map_err(anyhow::Error::msg)?]
                        .into_iter()
                        .collect(),
                    ..ClassCriteria::default()
                };
                self.class_order = Some(hold);
                Command::RegisterHold {
                    hold,
                    court: "us-district-court-demo".to_owned(),
                    reference: "26-cv-0101 (synthetic)".to_owned(),
                    scope: HoldScope::Class { criteria },
                    depends_on: None,
                }
            }
            Job::NamedOrder => {
                let mut cases = BTreeSet::new();
                for job in self.queue.values() {
                    if let Job::Person(index, Step::Depart) = job
                        && let Some(case) = self.person(*index)?.case
                        && cases.len() < 2
                    {
                        cases.insert(case);
                    }
                }
                if cases.is_empty() {
                    return Ok(());
                }
                let hold = HoldId::from_u64(self.demo.app.entropy.u64()?);
                self.named_order = Some(hold);
                Command::RegisterHold {
                    hold,
                    court: "us-district-court-demo".to_owned(),
                    reference: "26-cv-0202 (synthetic)".to_owned(),
                    scope: HoldScope::Cases { cases },
                    depends_on: None,
                }
            }
            Job::LiftClassOrder | Job::LiftNamedOrder => {
                let hold = if job == Job::LiftClassOrder {
                    self.class_order
                } else {
                    self.named_order
                };
                let Some(hold) = hold else {
                    return Ok(());
                };
                Command::VacateHold { hold }
            }
            Job::Person(..) | Job::Tick => return Ok(()),
        };
        self.ask("clerk.eve", command).await?;
        Ok(())
    }
}

/// Draws the person numbered `number` (from 1), proposed at a time drawn in `year`.
fn draw_person(demo: &mut Demo, number: u32, year: i16) -> anyhow::Result<(Person, Timestamp)> {
    let mut pick = below(demo, 1000)?;
    let mut chosen = None;
    for route in &ROUTES {
        chosen = Some(route);
        if pick < route.per_mille {
            break;
        }
        pick = pick.saturating_sub(route.per_mille);
    }
    let route = chosen.context("no agreement to propose under")?;
    let (nationality, languages) = one_of(demo, route.nationalities)?.unwrap_or(("HND", SPANISH));
    let sex = match below(demo, 100)? {
        0..=1 => Sex::Other,
        n if n < 40 => Sex::Female,
        _ => Sex::Male,
    };
    // Ages 15 to 69, weighted to young adults; a few minors, whom some terms exclude.
    let age: i16 = match below(demo, 100)? {
        0..=4 => 15 + i16::try_from(below(demo, 3)?).unwrap_or(0),
        5..=24 => 18 + i16::try_from(below(demo, 7)?).unwrap_or(0),
        25..=59 => 25 + i16::try_from(below(demo, 10)?).unwrap_or(0),
        60..=89 => 35 + i16::try_from(below(demo, 15)?).unwrap_or(0),
        _ => 50 + i16::try_from(below(demo, 20)?).unwrap_or(0),
    };
    let birth_date: Date = jiff::civil::date(year - age, 1, 1)
        .checked_add(i64::try_from(below(demo, 365)?).unwrap_or(0).days())?;
    let start = day(year, 1, 1)?;
    let proposed_at = start.checked_add(hours_between(demo, 24, 363 * 24)?)?;
    let designated = nationality == "VEN" && chance(demo, 50)?;
    let feared: BTreeSet<Country> = if chance(demo, 30)? {
        [country(nationality)?].into_iter().collect()
    } else {
        BTreeSet::new()
    };
    let removal_ordered_on = proposed_at
        .checked_sub((30 * 24).hours())?
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let facts = PersonFacts {
        birth_date,
        nationality: country(nationality)?,
        sex,
        vulnerabilities: BTreeSet::new(),
        feared_countries: feared,
        protected_countries: BTreeSet::new(),
        languages: languages
            .iter()
            .map(|code| Language::parse(code).map_err(anyhow::Error::msg))
            .collect::<anyhow::Result<_>>()?,
        legal_basis: Label::parse(if designated {
            "aea_1798"
        } else {
            route.legal_basis
        })
        .map_err(anyhow::Error::msg)?,
        designation: if designated {
            Some(Label::parse("alien_enemies_act").map_err(anyhow::Error::msg)?)
        } else {
            None
        },
        detention_place: None,
        removal_ordered_on,
        health_data_consent: false,
    };
    let given = one_of(demo, &GIVEN)?.unwrap_or("Ana");
    let family = one_of(demo, &FAMILY)?.unwrap_or("Ejemplo");
    let claim = if chance(demo, 10)? {
        Some(chance(demo, 40)?)
    } else {
        None
    };
    let after = match below(demo, 100)? {
        0..=7 => After::Onward,
        8..=15 => After::Returns,
        16..=27 => After::Claims {
            granted: chance(demo, 50)?,
        },
        28..=67 => After::Settles,
        _ => After::Stays,
    };
    let fate = Fate {
        claim,
        withdraw: chance(demo, 5)?,
        refuse: chance(demo, 8)?,
        silent: chance(demo, 35)?,
        hasty: chance(demo, 6)?,
        validated: chance(demo, 90)?,
        unvisited: chance(demo, 15)?,
        after,
        erase: chance(demo, 40)?,
    };
    let person = Person {
        route,
        name: format!("{given} {family}-{number:05} (synthetic)"),
        facts,
        counsel: chance(demo, 35)?,
        fate,
        case: None,
        receiving: None,
        retries: 0,
    };
    Ok((person, proposed_at))
}

/// Loads the demo's agreements in the December before `year`, brings the training profile into
/// force, and lets `people` synthetic people live through `year`, one command at a time at the
/// simulated clock. Ends on the 4th of January after it, after the last tick.
pub(super) async fn year(demo: &mut Demo, people: u32, year: i16) -> anyhow::Result<()> {
    let before = year - 1;
    demo.advance_to(&format!("{before}-12-01T09:00:00Z"))?;
    demo.say(&format!(
        "The operator loads the agreement files; {people} synthetic people then live through {year}."
    ));
    for (file_name, text) in super::AGREEMENT_FILES {
        demo.run(
            "demo.admin",
            &format!("loads {file_name}"),
            Command::LoadAgreement {
                file_name: file_name.to_owned(),
                text: text.to_owned(),
            },
        )
        .await?;
    }
    let training = AgreementId::parse("demo-training").map_err(anyhow::Error::msg)?;
    for (on, status) in [
        (format!("{before}-12-01"), AgreementStatus::Signed),
        (format!("{before}-12-15"), AgreementStatus::InForce),
    ] {
        demo.advance_to(&format!("{on}T10:00:00Z"))?;
        demo.run(
            "demo.admin",
            &format!("records that demo-training is {status}"),
            Command::ChangeAgreementStatus {
                agreement: training.clone(),
                status,
                on: on.parse().context("a date")?,
            },
        )
        .await?;
    }
    let quiet = demo.quiet;
    let mut population = Year {
        demo,
        people: Vec::new(),
        queue: BTreeMap::new(),
        queued: 0,
        class_order: None,
        named_order: None,
        months: BTreeMap::new(),
    };
    for number in 1..=people {
        let (person, at) = draw_person(population.demo, number, year)?;
        let index = population.people.len();
        population.people.push(person);
        population.push(at, Job::Person(index, Step::Propose));
    }
    let mut tick = day(year, 1, 4)?;
    let end = day(year + 1, 1, 4)?;
    while tick <= end {
        population.push(tick, Job::Tick);
        tick = tick.checked_add((7 * 24).hours())?;
    }
    population.push(day(year, 3, 10)?.checked_add(15.hours())?, Job::ClassOrder);
    population.push(
        day(year, 5, 19)?.checked_add(15.hours())?,
        Job::LiftClassOrder,
    );
    population.push(day(year, 9, 15)?.checked_add(15.hours())?, Job::NamedOrder);
    population.push(
        day(year, 10, 6)?.checked_add(15.hours())?,
        Job::LiftNamedOrder,
    );
    while let Some(((at, _), job)) = population.queue.pop_first() {
        // Nothing happens after the year's last tick: the releases count what came before.
        if at > end {
            break;
        }
        population.demo.now = at;
        population.demo.app.clock = crate::app::ClockSetting::Fixed(at);
        match job {
            Job::Person(index, step) => population.step(index, step).await?,
            Job::Tick => {
                population.ask("demo.admin", Command::Tick).await?;
            }
            other => population.court(other).await?,
        }
    }
    population.demo.now = end;
    population.demo.app.clock = crate::app::ClockSetting::Fixed(end);
    if !quiet {
        for (month, (accepted, refused)) in &population.months {
            println!("  {month}: {accepted} commands done, {refused} refused");
        }
    }
    Ok(())
}
