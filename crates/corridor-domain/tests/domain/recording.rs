//! Safeguard refusals are themselves recorded; other refusals record nothing.
//!
//! Every step the fixture runs also asserts that what `World::execute` reports is exactly what it
//! appended, and that a recorded refusal carries the refused command's name, code and facts.

use corridor_domain::World;

use crate::fixture::{Script, check};

/// A safeguard refusal appends a `safeguard_triggered` event with command, code and facts.
#[test]
fn safeguard_refusal_is_recorded() {
    check(
        "
        walk accepted
        clerk.f hold cases=c1 ref=25-cv-0042
        wait 1h
        officer.a schedule earliest
        show log 2
        ",
        r#"
        > officer.a schedule earliest
        refused: hold_active
          court=dc-dc
          hold=h1
          reference=25-cv-0042
        recorded: safeguard_triggered
        status: accepted
        > show log 2
        log: 8 events
          {"at":"2025-06-02T09:00:00Z","by":"clerk.f","type":"hold_registered","hold":"h1","court":"dc-dc","reference":"25-cv-0042","scope":{"scope":"cases","cases":["c1"]},"depends_on":null}
          {"at":"2025-06-02T10:00:00Z","by":"officer.a","type":"safeguard_triggered","case":"c1","command":"schedule","code":"hold_active","facts":{"court":"dc-dc","hold":"h1","reference":"25-cv-0042"}}
        status: accepted
        "#,
    );
}

/// Refusals that are not safeguards (role, state, input, unknown ids) record nothing.
#[test]
fn other_refusals_record_nothing() {
    check(
        "
        walk accepted
        ? show log 1
        public.j schedule earliest
        receiver.e arrive
        officer.a extend absconding
        clerk.f stay hold-00000000000000ff
        show log 1
        ",
        r#"
        > show log 1
        log: 6 events
          {"at":"2025-06-02T09:00:00Z","by":"super.b","type":"supervisor_approved","case":"c1"}
        status: accepted
        > public.j schedule earliest
        refused: not_permitted
          command=schedule
          reason=only sending_officer or sending_supervisor may
          role=public
        status: accepted
        > receiver.e arrive
        refused: invalid_state
          command=arrive
          status=accepted
        status: accepted
        > officer.a extend absconding
        refused: invalid_input
          field=reason
          reason=the terms allow extensions only for: imprisonment
        status: accepted
        > clerk.f stay hold-00000000000000ff
        refused: unknown_hold
          hold=hold-00000000000000ff
        status: accepted
        > show log 1
        log: 6 events
          {"at":"2025-06-02T09:00:00Z","by":"super.b","type":"supervisor_approved","case":"c1"}
        status: accepted
        "#,
    );
}

/// A refused proposal has no case to record against, and records nothing.
#[test]
fn refused_proposal_records_nothing() {
    check(
        "
        officer.a propose nat=SYR
        show log 0
        ",
        "
        > officer.a propose nat=SYR
        refused: ineligible
          reasons=nationals of Syrian Arab Republic (SYR) are excluded
        > show log 0
        log: 1 events
        ",
    );
}

/// Each recorded refusal counts on the case, and replaying the log counts them again.
#[test]
fn recorded_refusals_count() {
    let mut script = Script::new(&[]);
    for line in [
        "walk proposed",
        "officer.a request",
        "officer.a request",
        "officer.a notice lang=fr",
    ] {
        script.step(line, false);
    }
    assert_eq!(script.case("c1").safeguard_refusals, 3);
    let replayed = World::replay(script.world().events()).unwrap();
    assert_eq!(
        replayed.state().cases[&script.case_id("c1")],
        *script.case("c1")
    );
}
