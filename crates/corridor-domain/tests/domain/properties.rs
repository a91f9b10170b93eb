//! Random command sequences against [`World`]: no safeguard is ever bypassed, the caps always
//! hold, and replaying the events reproduces the state.
//!
//! The checker is written independently of the decider: it reads the state *before* each step
//! and every event the step emitted, and it recomputes holds, notice periods, deadlines, the
//! agreement's status and the counts from the raw state, never through the decider's guards.
//!
//! `PROPTEST_CASES` raises the number of sequences for a deeper run (the default keeps the suite
//! fast).

use std::collections::BTreeMap;

use corridor_domain::clock::earliest_departure;
use corridor_domain::terms::{AgreementId, AgreementStatus, Terms, Vulnerability};
use corridor_domain::{
    Case, CaseId, CaseStatus, Command, Context, Counts, EventBody, HoldId, HoldScope, HoldStatus,
    Language, NoticeFacts, Outcome, Refusal, Sealed, Snapshot, TimeOrder, WelfareOutcome, World,
    case_terms,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use crate::fixture::{
    ACTORS, AGREEMENT_ID, AgreementFile, START, actor, at, country, criteria, day_of, duration,
    person,
};
use crate::holds::{brute_covers, brute_effective};

/// Waits between steps, most of them short so that cases get somewhere before their clocks run.
const WAITS: [&str; 10] = [
    "0m", "10m", "1h", "6h", "12h", "1d", "2d", "4d", "16d", "35d",
];

/// Where a scheduled departure is put, from now (`earliest`: the earliest the notice allows).
const DEPARTURES: [&str; 7] = ["earliest", "earliest", "0m", "1d", "3d", "8d", "40d"];

/// Onward destinations: the sending state, the receiving state, a feared one, and others.
const DESTINATIONS: [&str; 5] = ["USA", "RWA", "VEN", "CUB", "CAN"];

/// Nationalities proposed (Syrians are excluded by the test agreement).
const NATIONALITIES: [&str; 5] = ["SLV", "SLV", "VEN", "VEN", "SYR"];

/// Nationalities class holds name: one that is proposed, one that never is.
const HOLD_NATIONALITIES: [&str; 2] = ["VEN", "CUB"];

/// One random step: how long to wait first, and what to do.
#[derive(Debug, Clone)]
struct Step {
    wait: usize,
    op: Op,
}

/// What a step does. Case and hold numbers are taken modulo how many exist when the step runs.
#[derive(Debug, Clone)]
enum Op {
    /// The case's next step on the usual path, by the usual actor or (if given) by any actor.
    Advance {
        case: usize,
        choice: u8,
        actor: Option<usize>,
    },
    Propose {
        nationality: usize,
        vulnerable: bool,
        by_supervisor: bool,
        counsel: bool,
    },
    Notice {
        case: usize,
        defective: bool,
    },
    Claim {
        case: usize,
        by_counsel: bool,
    },
    Vulnerability {
        case: usize,
        excluded: bool,
    },
    Extend {
        case: usize,
        allowed: bool,
    },
    Withdraw {
        case: usize,
    },
    RegisterHold {
        case: Option<usize>,
        nationality: usize,
        depends_on: Option<usize>,
    },
    StayHold {
        hold: usize,
    },
    ReactivateHold {
        hold: usize,
    },
    AmendHold {
        hold: usize,
        nationality: usize,
    },
    VacateHold {
        hold: usize,
    },
    Tick,
    AgreementStatus {
        status: usize,
    },
    /// Any case command by any actor.
    Random {
        command: u8,
        case: usize,
        actor: usize,
        choice: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let case = || 0..16usize;
    prop_oneof![
        40 => (case(), any::<u8>(), proptest::option::weighted(0.1, 0..ACTORS.len()))
            .prop_map(|(case, choice, actor)| Op::Advance { case, choice, actor }),
        3 => (0..NATIONALITIES.len(), proptest::bool::weighted(0.1), any::<bool>(), any::<bool>())
            .prop_map(|(nationality, vulnerable, by_supervisor, counsel)| {
                Op::Propose { nationality, vulnerable, by_supervisor, counsel }
            }),
        1 => (case(), proptest::bool::weighted(0.3))
            .prop_map(|(case, defective)| Op::Notice { case, defective }),
        2 => (case(), any::<bool>()).prop_map(|(case, by_counsel)| Op::Claim { case, by_counsel }),
        1 => (case(), any::<bool>())
            .prop_map(|(case, excluded)| Op::Vulnerability { case, excluded }),
        1 => (case(), any::<bool>()).prop_map(|(case, allowed)| Op::Extend { case, allowed }),
        1 => case().prop_map(|case| Op::Withdraw { case }),
        2 => (
            proptest::option::of(case()),
            0..HOLD_NATIONALITIES.len(),
            proptest::option::weighted(0.3, 0..8usize),
        )
            .prop_map(|(case, nationality, depends_on)| {
                Op::RegisterHold { case, nationality, depends_on }
            }),
        2 => (0..8usize).prop_map(|hold| Op::StayHold { hold }),
        2 => (0..8usize).prop_map(|hold| Op::ReactivateHold { hold }),
        1 => (0..8usize, 0..HOLD_NATIONALITIES.len())
            .prop_map(|(hold, nationality)| Op::AmendHold { hold, nationality }),
        2 => (0..8usize).prop_map(|hold| Op::VacateHold { hold }),
        4 => Just(Op::Tick),
        1 => (0..16usize).prop_map(|status| Op::AgreementStatus { status }),
        3 => (any::<u8>(), case(), 0..ACTORS.len(), any::<u8>())
            .prop_map(|(command, case, actor, choice)| Op::Random { command, case, actor, choice }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let wait = prop_oneof![12 => 0..5usize, 6 => 5..8usize, 1 => 8..10usize];
    (wait, op()).prop_map(|(wait, op)| Step { wait, op })
}

/// The agreement the sequence runs under: small caps, and the options that change the path.
fn agreement() -> impl Strategy<Value = AgreementFile> {
    let caps = prop_oneof![Just((1, 1)), Just((2, 1)), Just((2, 2)), Just((3, 2))];
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        caps,
    )
        .prop_map(|(approval, silence, onward, detention, (total, present))| {
            let mut file = AgreementFile::default();
            let yes = |flag: bool| if flag { "yes" } else { "no" };
            file.modify(&[
                &format!("approval={}", yes(approval)),
                &format!("silence={}", yes(silence)),
                if onward {
                    "onward=any"
                } else {
                    "onward=sending"
                },
                if detention {
                    "detention=48h"
                } else {
                    "detention=none"
                },
                &format!("total={total}"),
                &format!("present={present}"),
            ]);
            file
        })
}

/// What the command being built creates, kept once it is accepted.
#[derive(Debug, Clone, Copy)]
enum Created {
    Nothing,
    Case(CaseId),
    Hold(HoldId),
}

/// Runs the sequence, checking every step.
struct Run {
    created: Created,
    world: World,
    now: Timestamp,
    cases: Vec<CaseId>,
    holds: Vec<HoldId>,
    next_id: u64,
    terms: AgreementFile,
}

impl Run {
    fn new(terms: AgreementFile) -> Self {
        let mut run = Self {
            created: Created::Nothing,
            world: World::new(),
            now: at(START),
            cases: Vec::new(),
            holds: Vec::new(),
            next_id: 1,
            terms,
        };
        let load = Command::LoadAgreement {
            file_name: "test.toml".to_owned(),
            text: run.terms.to_toml(),
        };
        let outcome = run
            .world
            .execute(
                &load,
                &Context {
                    now: run.now,
                    actor: actor("admin.i"),
                },
            )
            .unwrap();
        assert!(matches!(outcome, Outcome::Accepted(_)), "{outcome:?}");
        run
    }

    /// Executes a command at the current time, keeping what it created.
    fn execute(&mut self, user: &str, command: &Command) -> Outcome {
        let outcome = self
            .world
            .execute(
                command,
                &Context {
                    now: self.now,
                    actor: actor(user),
                },
            )
            .unwrap();
        match (
            std::mem::replace(&mut self.created, Created::Nothing),
            &outcome,
        ) {
            (Created::Case(id), Outcome::Accepted(_)) => self.cases.push(id),
            (Created::Hold(id), Outcome::Accepted(_)) => self.holds.push(id),
            _ => {}
        }
        outcome
    }

    fn case(&self, n: usize) -> Option<CaseId> {
        (!self.cases.is_empty()).then(|| self.cases[n % self.cases.len()])
    }

    /// A case whose path is not over, so that advancing it goes somewhere.
    fn open_case(&self, n: usize) -> Option<CaseId> {
        let cases = &self.world.state().cases;
        let open: Vec<CaseId> = self
            .cases
            .iter()
            .copied()
            .filter(|id| cases.get(id).is_some_and(|c| !c.status.is_final()))
            .collect();
        if open.is_empty() {
            self.case(n)
        } else {
            Some(open[n % open.len()])
        }
    }

    /// A hold in this status if there is one, so that staying and reactivating mostly happen.
    fn hold_in(&self, n: usize, status: HoldStatus) -> Option<HoldId> {
        let holds = &self.world.state().holds;
        let some: Vec<HoldId> = self
            .holds
            .iter()
            .copied()
            .filter(|id| holds.get(id).is_some_and(|h| h.status == status))
            .collect();
        if some.is_empty() {
            self.hold(n)
        } else {
            Some(some[n % some.len()])
        }
    }

    /// A hold not yet vacated, if there is one.
    fn live_hold(&self, n: usize) -> Option<HoldId> {
        let holds = &self.world.state().holds;
        let live: Vec<HoldId> = self
            .holds
            .iter()
            .copied()
            .filter(|id| {
                holds
                    .get(id)
                    .is_some_and(|h| h.status != HoldStatus::Vacated)
            })
            .collect();
        if live.is_empty() {
            self.hold(n)
        } else {
            Some(live[n % live.len()])
        }
    }

    fn hold(&self, n: usize) -> Option<HoldId> {
        (!self.holds.is_empty()).then(|| self.holds[n % self.holds.len()])
    }

    fn fresh(&mut self) -> u64 {
        // Ids are spread over the whole range, as a real id source would draw them.
        self.next_id += 1;
        self.next_id.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    fn notice(&self, case: CaseId) -> NoticeFacts {
        let language = self
            .world
            .state()
            .cases
            .get(&case)
            .and_then(|c| c.rule.languages.first().cloned());
        NoticeFacts {
            language: language.unwrap_or_else(|| Language::parse("es").unwrap()),
            on_person: true,
            on_counsel: true,
            destination: country("RWA"),
            explains_how_to_contest: true,
        }
    }

    /// A departure to schedule: mostly the earliest the notice allows, sometimes too early or
    /// too late.
    fn departure(&self, case: &Case, choice: u8) -> Timestamp {
        match DEPARTURES[usize::from(choice) % DEPARTURES.len()] {
            "earliest" => {
                let state = self.world.state();
                let earliest =
                    case_terms(state, case).and_then(|terms| earliest_departure(case, terms));
                earliest.map_or(self.now, |earliest| earliest.max(self.now))
            }
            span => self.after(span),
        }
    }

    fn after(&self, span: &str) -> Timestamp {
        self.now.checked_add(duration(span)).unwrap()
    }

    /// The command and who issues it, or `None` when the step has nothing to act on.
    fn command(&mut self, op: &Op) -> Option<(&'static str, Command)> {
        let agreement = AgreementId::parse(AGREEMENT_ID).unwrap();
        Some(match *op {
            Op::Advance {
                case,
                choice,
                actor,
            } => {
                let id = self.open_case(case)?;
                let (user, command) = self.advance(id, choice)?;
                (actor.map_or(user, |a| ACTORS[a].0), command)
            }
            Op::Propose {
                nationality,
                vulnerable,
                by_supervisor,
                counsel,
            } => {
                let mut modifiers = vec![
                    format!("nat={}", NATIONALITIES[nationality]),
                    "fears=VEN".to_owned(),
                ];
                if vulnerable {
                    modifiers.push("vuln=pregnant".to_owned());
                }
                if counsel {
                    modifiers.push("counsel=counsel.c".to_owned());
                }
                let modifiers: Vec<&str> = modifiers.iter().map(String::as_str).collect();
                let (facts, counsel) = person(&modifiers, day_of(self.now));
                let case = CaseId::from_u64(self.fresh());
                self.created = Created::Case(case);
                let by = if by_supervisor {
                    "super.b"
                } else {
                    "officer.a"
                };
                (
                    by,
                    Command::Propose {
                        case,
                        agreement,
                        facts,
                        counsel,
                        personal: Sealed("sealed".to_owned()),
                    },
                )
            }
            Op::Notice { case, defective } => {
                let case = self.case(case)?;
                let mut notice = self.notice(case);
                notice.explains_how_to_contest = !defective;
                ("officer.a", Command::ServeNotice { case, notice })
            }
            Op::Claim { case, by_counsel } => {
                let case = self.open_case(case)?;
                (
                    if by_counsel { "counsel.c" } else { "officer.a" },
                    Command::ClaimProtection { case },
                )
            }
            Op::Vulnerability { case, excluded } => {
                let case = self.open_case(case)?;
                let category = if excluded {
                    Vulnerability::Pregnant
                } else {
                    Vulnerability::Disability
                };
                ("officer.a", Command::RecordVulnerability { case, category })
            }
            Op::Extend { case, allowed } => {
                let case = self.case(case)?;
                let reason = if allowed {
                    "imprisonment"
                } else {
                    "absconding"
                }
                .to_owned();
                ("officer.a", Command::ExtendDeadline { case, reason })
            }
            Op::Withdraw { case } => (
                "officer.a",
                Command::Withdraw {
                    case: self.case(case)?,
                    reason: "officer_decision".to_owned(),
                },
            ),
            Op::RegisterHold {
                case,
                nationality,
                depends_on,
            } => {
                let scope = match case.and_then(|n| self.open_case(n)) {
                    Some(case) => HoldScope::Cases {
                        cases: [case].into(),
                    },
                    None => HoldScope::Class {
                        criteria: criteria(&[&format!("nat={}", HOLD_NATIONALITIES[nationality])])
                            .0,
                    },
                };
                let depends_on = depends_on.and_then(|n| self.hold(n));
                let hold = HoldId::from_u64(self.fresh());
                self.created = Created::Hold(hold);
                let reference = format!("order-{}", self.holds.len() + 1);
                (
                    "clerk.f",
                    Command::RegisterHold {
                        hold,
                        court: "dc-dc".to_owned(),
                        reference,
                        scope,
                        depends_on,
                    },
                )
            }
            Op::StayHold { hold } => (
                "clerk.f",
                Command::StayHold {
                    hold: self.hold_in(hold, HoldStatus::Active)?,
                },
            ),
            Op::ReactivateHold { hold } => (
                "clerk.f",
                Command::ReactivateHold {
                    hold: self.hold_in(hold, HoldStatus::Stayed)?,
                },
            ),
            Op::VacateHold { hold } => (
                "clerk.f",
                Command::VacateHold {
                    hold: self.live_hold(hold)?,
                },
            ),
            Op::AmendHold { hold, nationality } => {
                let scope = HoldScope::Class {
                    criteria: criteria(&[&format!("nat={}", HOLD_NATIONALITIES[nationality])]).0,
                };
                (
                    "clerk.f",
                    Command::AmendHold {
                        hold: self.live_hold(hold)?,
                        scope,
                    },
                )
            }
            Op::Tick => ("admin.i", Command::Tick),
            Op::AgreementStatus { status } => {
                // Suspensions are lifted again; terminating is rare, since it ends every transfer
                // for the rest of the sequence.
                let agreement_state = &self.world.state().agreements[&agreement];
                let suspended = agreement_state
                    .last_status()
                    .is_some_and(|last| last.status == AgreementStatus::Suspended);
                let status = match status {
                    0 => AgreementStatus::Terminated,
                    _ if suspended => AgreementStatus::InForce,
                    1..=4 => AgreementStatus::Suspended,
                    _ => return None,
                };
                (
                    "admin.i",
                    Command::ChangeAgreementStatus {
                        agreement,
                        status,
                        on: day_of(self.now),
                    },
                )
            }
            Op::Random {
                command,
                case,
                actor,
                choice,
            } => {
                let id = self.case(case)?;
                let command = self.any_command(id, command, choice);
                (ACTORS[actor].0, command)
            }
        })
    }

    /// The usual next step of a case, by the usual actor.
    fn advance(&self, id: CaseId, choice: u8) -> Option<(&'static str, Command)> {
        let case = self.world.state().cases.get(&id)?;
        let case_id = id;
        Some(match case.status {
            CaseStatus::Proposed => (
                "officer.a",
                Command::ServeNotice {
                    case: case_id,
                    notice: self.notice(id),
                },
            ),
            CaseStatus::Noticed => ("officer.a", Command::RequestTransfer { case: case_id }),
            CaseStatus::Requested if choice.is_multiple_of(6) => (
                "receiver.e",
                Command::Refuse {
                    case: case_id,
                    reason: "no_capacity".to_owned(),
                },
            ),
            CaseStatus::Requested => ("receiver.e", Command::Approve { case: case_id }),
            CaseStatus::Accepted
                if case.supervisor_approval.is_none() && choice % 5 != 1
                    || choice.is_multiple_of(7) =>
            {
                // Mostly a supervisor who did not propose the case; sometimes the proposer.
                let other = if case
                    .proposed_by
                    .as_ref()
                    .is_some_and(|p| p.as_str() == "super.b")
                {
                    "super.x"
                } else {
                    "super.b"
                };
                (
                    if choice.is_multiple_of(4) {
                        "super.b"
                    } else {
                        other
                    },
                    Command::Approve { case: case_id },
                )
            }
            CaseStatus::Accepted | CaseStatus::Scheduled
                if choice.is_multiple_of(5) || case.status == CaseStatus::Accepted =>
            {
                let departure = self.departure(case, choice);
                (
                    "officer.a",
                    Command::Schedule {
                        case: case_id,
                        departure,
                    },
                )
            }
            CaseStatus::Scheduled => ("officer.a", Command::Depart { case: case_id }),
            // Travel takes a while, so that orders and findings can arrive in transit.
            CaseStatus::InTransit if choice.is_multiple_of(3) => ("admin.i", Command::Tick),
            CaseStatus::InTransit => ("receiver.e", Command::Arrive { case: case_id }),
            CaseStatus::ProtectionClaimed => (
                "judge.d",
                Command::DecideProtection {
                    case: case_id,
                    granted: choice.is_multiple_of(4),
                },
            ),
            CaseStatus::WhereaboutsUnknown => (
                "receiver.e",
                Command::ReportWhereaboutsKnown { case: case_id },
            ),
            CaseStatus::Arrived | CaseStatus::Settled => match choice % 9 {
                0 => ("receiver.e", Command::Settle { case: case_id }),
                1 => ("receiver.e", Command::Return { case: case_id }),
                2 => {
                    let destination =
                        country(DESTINATIONS[usize::from(choice / 9) % DESTINATIONS.len()]);
                    (
                        "receiver.e",
                        Command::Onward {
                            case: case_id,
                            destination,
                        },
                    )
                }
                3 => ("receiver.e", Command::LodgeReceivingClaim { case: case_id }),
                4 => (
                    "receiver.e",
                    Command::DecideReceivingClaim {
                        case: case_id,
                        granted: choice.is_multiple_of(2),
                    },
                ),
                5 => ("receiver.e", Command::LodgeAppeal { case: case_id }),
                6 => (
                    "receiver.e",
                    Command::ReportWhereaboutsUnknown { case: case_id },
                ),
                7 => (
                    "monitor.g",
                    Command::RecordWelfareCheck {
                        case: case_id,
                        outcome: WelfareOutcome::Well,
                    },
                ),
                _ => ("clerk.f", Command::ValidateDetention { case: case_id }),
            },
            _ => ("admin.i", Command::Tick),
        })
    }

    /// Any case command at all, for random actors.
    fn any_command(&self, case: CaseId, command: u8, choice: u8) -> Command {
        let destination = country(DESTINATIONS[usize::from(choice) % DESTINATIONS.len()]);
        match command % 24 {
            0 => Command::ServeNotice {
                case,
                notice: self.notice(case),
            },
            1 => Command::ClaimProtection { case },
            2 => Command::DecideProtection {
                case,
                granted: choice.is_multiple_of(2),
            },
            3 => Command::RequestTransfer { case },
            4 => Command::Approve { case },
            5 => Command::Refuse {
                case,
                reason: "no_capacity".to_owned(),
            },
            6 => Command::ExtendDeadline {
                case,
                reason: "imprisonment".to_owned(),
            },
            7 => match self.world.state().cases.get(&case) {
                Some(found) => Command::Schedule {
                    case,
                    departure: self.departure(found, choice),
                },
                None => Command::Schedule {
                    case,
                    departure: self.now,
                },
            },
            8 => Command::Depart { case },
            9 => Command::Arrive { case },
            10 => Command::RecordVulnerability {
                case,
                category: Vulnerability::TortureSurvivor,
            },
            11 => Command::LodgeReceivingClaim { case },
            12 => Command::DecideReceivingClaim {
                case,
                granted: choice.is_multiple_of(2),
            },
            13 => Command::LodgeAppeal { case },
            14 => Command::Onward { case, destination },
            15 => Command::Return { case },
            16 => Command::Settle { case },
            17 => Command::ReportWhereaboutsUnknown { case },
            18 => Command::ReportWhereaboutsKnown { case },
            19 => Command::RecordWelfareCheck {
                case,
                outcome: WelfareOutcome::Concerns,
            },
            20 => Command::ValidateDetention { case },
            21 => Command::Withdraw {
                case,
                reason: "officer_decision".to_owned(),
            },
            22 => Command::Erase { case },
            _ => Command::Tick,
        }
    }
}

// ----- the independent checker --------------------------------------------------------------

/// The status of the agreement on the day of `now`, read straight from its dated history.
fn agreement_status(pre: &Snapshot, case: &Case, now: Timestamp) -> AgreementStatus {
    let today = day_of(now);
    let mut status = AgreementStatus::Negotiating;
    for change in &pre.agreements[&case.agreement].status_history {
        if change.on <= today {
            status = change.status;
        }
    }
    status
}

fn terms_of<'a>(pre: &'a Snapshot, case: &Case) -> &'a Terms {
    &pre.agreements[&case.agreement].versions[case.terms_version as usize - 1].terms
}

/// Every safeguard a transfer (scheduled for `departure`, or departing now) must have met in the
/// state before the step, as a list of what was violated.
fn violations(
    pre: &Snapshot,
    id: CaseId,
    now: Timestamp,
    departure: Timestamp,
    from: &[CaseStatus],
) -> Vec<String> {
    let mut found = Vec::new();
    let Some(case) = pre.cases.get(&id) else {
        return vec!["no such case".to_owned()];
    };
    let terms = terms_of(pre, case);
    for hold in pre.holds.values() {
        if brute_effective(hold, &pre.holds) && brute_covers(&hold.scope, case) {
            found.push(format!("hold {} in effect covers the case", hold.id));
        }
    }
    if case.protection_claim_filed_at.is_some() || case.status == CaseStatus::ProtectionClaimed {
        found.push("a protection claim is pending".to_owned());
    }
    if !from.contains(&case.status) {
        found.push(format!("the case is {}", case.status));
    }
    match &case.notice {
        None => found.push("no complete notice".to_owned()),
        Some((served_at, _)) => {
            let spans = [
                terms.clocks.notice_lead_time,
                terms.clocks.fear_claim_window,
            ];
            for span in spans.into_iter().flatten() {
                if departure < span.after(*served_at) {
                    found.push(format!(
                        "the notice period runs until {}",
                        span.after(*served_at)
                    ));
                }
            }
        }
    }
    let Some((accepted_at, _)) = case.accepted else {
        found.push("the receiving state has not accepted".to_owned());
        return found;
    };
    match &case.supervisor_approval {
        None => found.push("no supervisor approved".to_owned()),
        Some(approver) if Some(approver) == case.proposed_by.as_ref() => {
            found.push("the proposer approved their own case".to_owned());
        }
        Some(_) => {}
    }
    let status = agreement_status(pre, case, now);
    if status != AgreementStatus::InForce {
        found.push(format!("the agreement is {status}"));
    }
    if let Some(base) = terms.clocks.transfer_deadline {
        let extended = terms
            .clocks
            .transfer_deadline_extensions
            .iter()
            .find(|extension| Some(&extension.reason) == case.deadline_extension.as_ref());
        let deadline = extended
            .map_or(base, |extension| extension.deadline)
            .after(accepted_at);
        if now > deadline || departure > deadline {
            found.push(format!("the transfer deadline {deadline} has passed"));
        }
    }
    found
}

/// Cases counted from their statuses alone, written out here rather than read from `Counts`.
fn recount(world: &World) -> Counts {
    let mut counts = Counts::default();
    for case in world.state().cases.values() {
        use CaseStatus::*;
        if matches!(
            case.status,
            InTransit | Arrived | Settled | Returned | Departed | WhereaboutsUnknown
        ) {
            counts.transferred += 1;
        }
        if matches!(
            case.status,
            InTransit | Arrived | Settled | WhereaboutsUnknown
        ) {
            counts.present += 1;
        }
        if case.status == Scheduled {
            counts.scheduled += 1;
        }
    }
    counts
}

/// Checks one step: the events it emitted against the state before it, and the state after it.
fn check_step(
    pre: &Snapshot,
    world: &World,
    outcome: &Outcome,
    now: Timestamp,
    terms: &AgreementFile,
) -> Result<(), String> {
    if let Outcome::Accepted(events) = outcome {
        for event in events {
            let (case, departure, from) = match &event.body {
                EventBody::Departed { case } => (*case, now, &[CaseStatus::Scheduled][..]),
                EventBody::TransferScheduled { case, departure } => (
                    *case,
                    *departure,
                    &[CaseStatus::Accepted, CaseStatus::Scheduled][..],
                ),
                _ => continue,
            };
            let found = violations(pre, case, now, departure, from);
            if !found.is_empty() {
                return Err(format!(
                    "{} for {case} at {now} bypassed: {}",
                    event.body.kind(),
                    found.join("; ")
                ));
            }
        }
    }
    let counts = recount(world);
    let agreement = AgreementId::parse(AGREEMENT_ID).unwrap();
    if terms
        .transferred_total_max
        .is_some_and(|cap| counts.transferred > cap)
    {
        return Err(format!("{} transferred, above the cap", counts.transferred));
    }
    if terms.present_max.is_some_and(|cap| counts.present > cap) {
        return Err(format!("{} present, above the cap", counts.present));
    }
    if world
        .state()
        .counts
        .get(&agreement)
        .copied()
        .unwrap_or_default()
        != counts
    {
        return Err(format!(
            "counts {:?} differ from a recount {counts:?}",
            world.state().counts.get(&agreement)
        ));
    }
    // A hold in effect has pulled every scheduled case it covers and recalled every one in transit.
    for case in world.state().cases.values() {
        if matches!(case.status, CaseStatus::Scheduled | CaseStatus::InTransit) {
            for hold in world.state().holds.values() {
                if brute_effective(hold, &world.state().holds) && brute_covers(&hold.scope, case) {
                    return Err(format!(
                        "{} is {} under hold {} in effect",
                        case.id, case.status, hold.id
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Replaying the log rebuilds every case, hold, agreement and count exactly.
fn check_replay(world: &World) -> Result<(), String> {
    let replayed = World::replay(world.events()).map_err(|error| error.to_string())?;
    let (a, b) = (world.state(), replayed.state());
    let same = |what: &str, equal: bool| {
        if equal {
            Ok(())
        } else {
            Err(format!("replay differs in {what}"))
        }
    };
    same("cases", a.cases == b.cases)?;
    same("holds", a.holds == b.holds)?;
    same("agreements", a.agreements == b.agreements)?;
    same("counts", a.counts == b.counts)?;
    same("events", world.events() == replayed.events())
}

fn cases_configured() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64)
}

/// How far the sequences got, so a regression that stops every case early shows up.
fn reached(world: &World) -> BTreeMap<CaseStatus, u64> {
    world.count_by_status()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases_configured(),
        ..ProptestConfig::default()
    })]

    /// Random command sequences never bypass a safeguard or a cap, and replay to the same state.
    #[test]
    fn no_safeguard_is_ever_bypassed(
        terms in agreement(),
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let mut run = Run::new(terms);
        for step in &steps {
            run.now = run.after(WAITS[step.wait]);
            let Some((user, command)) = run.command(&step.op) else { continue };
            let pre = run.world.state().clone();
            let outcome = run.execute(user, &command);
            let checked = check_step(&pre, &run.world, &outcome, run.now, &run.terms);
            prop_assert!(checked.is_ok(), "{} after {user} {command:?}", checked.unwrap_err());
        }
        let replayed = check_replay(&run.world);
        let reached = reached(&run.world);
        prop_assert!(replayed.is_ok(), "{}; reached {reached:?}", replayed.unwrap_err());
    }

    /// Random command sequences whose clock also jumps backwards (a caller dating steps in the
    /// past) never leave a stream whose events go back in time, and a step dated before what
    /// it follows is refused as such.
    #[test]
    fn time_never_goes_backwards_in_a_stream(
        terms in agreement(),
        steps in proptest::collection::vec((proptest::bool::weighted(0.3), step()), 1..60),
    ) {
        let mut run = Run::new(terms);
        for (back, step) in &steps {
            run.now = if *back {
                run.now.checked_sub(duration(WAITS[step.wait])).unwrap()
            } else {
                run.after(WAITS[step.wait])
            };
            let Some((user, command)) = run.command(&step.op) else { continue };
            let pre = run.world.state().clone();
            let outcome = run.execute(user, &command);
            if let Outcome::Refused { refusal: Refusal::TimeBeforeRecorded { stream, recorded, at }, recorded: logged } = &outcome {
                prop_assert!(logged.is_none(), "a time refusal was recorded: {outcome:?}");
                prop_assert!(recorded.is_none_or(|recorded| recorded > *at), "{stream}: refused {at} though the last event is at {recorded:?}");
            }
            let checked = check_step(&pre, &run.world, &outcome, run.now, &run.terms);
            prop_assert!(checked.is_ok(), "{} after {user} {command:?}", checked.unwrap_err());
        }
        let mut order = TimeOrder::new(SignedDuration::ZERO);
        for (seq, event) in run.world.events().iter().enumerate() {
            let problem = order.see(event);
            prop_assert!(problem.is_none(), "event {seq}: {}", problem.unwrap_or_default());
        }
    }
}

/// The random sequences reach every stage of the lifecycle, so the property sees them all.
#[test]
fn sequences_reach_departure_and_beyond() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = BTreeMap::new();
    const SEQUENCES: usize = 128;
    for _ in 0..SEQUENCES {
        let terms = agreement().new_tree(&mut runner).unwrap().current();
        let steps = proptest::collection::vec(step(), 60)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let mut run = Run::new(terms);
        for step in &steps {
            run.now = run.after(WAITS[step.wait]);
            let Some((user, command)) = run.command(&step.op) else {
                continue;
            };
            match run.execute(user, &command) {
                Outcome::Accepted(events) => {
                    for event in events {
                        *seen.entry(event.body.kind()).or_insert(0u32) += 1;
                    }
                }
                Outcome::Refused { refusal, .. } => {
                    *seen.entry(refusal.code()).or_insert(0u32) += 1;
                }
            }
        }
    }
    for kind in [
        "transfer_scheduled",
        "departed",
        "arrived",
        "transfer_unscheduled",
        "recalled",
        "protection_claimed",
        "hold_matched",
        "transfer_deadline_expired",
        "onward_moved",
        "returned",
    ] {
        assert!(
            seen.get(kind).copied().unwrap_or(0) > 0,
            "no `{kind}` in {SEQUENCES} sequences: {seen:?}"
        );
    }
}
