//! The monitoring body's records (docs/monitoring.md): visits, findings and their guards, the
//! response clock's edges, and the monitor's hold on onward movement.
//!
//! The test agreement names the monitoring body `test-monitors` (`monitor.g`; `monitor.other`
//! belongs to another body) and gives an addressed party 30 days to respond to a finding.

use crate::fixture::check;

/// A critical finding of onward-removal risk on a case holds it: `onward` is refused with its own
/// code and facts, and the refusal is recorded; closing the finding lifts the hold.
#[test]
fn monitor_hold_refuses_onward_until_the_finding_is_closed() {
    check(
        "
        terms onward=any
        walk arrived
        monitor.g finding onward_removal_risk critical cases=c1
        receiver.e onward CAN
        monitor.g close f1 accepted
        receiver.e onward CAN
        ",
        "
        > receiver.e onward CAN
        refused: monitor_hold
          category=onward_removal_risk
          finding=f1
          severity=critical
        recorded: safeguard_triggered
        status: arrived
        > receiver.e onward CAN
        accepted: onward_moved
        status: departed
        ",
    );
}

/// The hold stops every onward movement of the case it names, even back to the sending state,
/// and only that case: a hold on one case does not stop another.
#[test]
fn a_hold_on_one_case_does_not_stop_another() {
    check(
        "
        terms onward=any
        walk arrived
        walk arrived
        monitor.g finding onward_removal_risk critical cases=c1
        receiver.e onward c1 USA
        receiver.e onward c2 CAN
        ",
        "
        > receiver.e onward c1 USA
        refused: monitor_hold
          category=onward_removal_risk
          finding=f1
          severity=critical
        recorded: safeguard_triggered
        status: arrived
        > receiver.e onward c2 CAN
        accepted: onward_moved
        status: departed
        ",
    );
}

/// Only a critical finding of onward-removal risk on a case holds it: a serious one, a critical
/// one of another category, or one on the agreement as a whole does not.
#[test]
fn only_a_critical_onward_removal_risk_on_a_case_holds_it() {
    check(
        "
        terms onward=any
        walk arrived
        monitor.g finding onward_removal_risk serious cases=c1
        monitor.g finding living_conditions critical cases=c1
        monitor.g finding onward_removal_risk critical
        receiver.e onward c1 CAN
        ",
        "
        > receiver.e onward c1 CAN
        accepted: onward_moved
        status: departed
        ",
    );
}

/// Responses: only by a party the finding is addressed to, acting for its own state, once per
/// party, and not after the finding is closed; only the agreement's monitoring body closes it,
/// once.
#[test]
fn finding_guards() {
    check(
        "
        walk arrived
        monitor.g finding living_conditions concern cases=c1 to=receiving_state
        officer.a respond f1
        receiver.alb respond f1
        monitor.g respond f1
        receiver.e respond f1
        receiver.e respond f1
        monitor.other close f1 accepted
        receiver.e close f1 accepted
        monitor.g close f1 not_accepted
        monitor.g close f1 accepted
        receiver.e respond f1
        ",
        "
        > officer.a respond f1
        refused: finding_not_addressed_to_party
          finding=f1
          party=sending_state
        status: arrived
        > receiver.alb respond f1
        refused: not_permitted
          command=respond_to_finding
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: arrived
        > monitor.g respond f1
        refused: not_permitted
          command=respond_to_finding
          reason=only sending_officer or sending_supervisor may
          role=monitor
        status: arrived
        > receiver.e respond f1
        refused: finding_already_responded
          finding=f1
          party=receiving_state
          responded_at=2025-06-07T09:00:00Z
        status: arrived
        > monitor.other close f1 accepted
        refused: not_permitted
          command=close_finding
          reason=only the agreement's monitoring body may
          role=monitor
        status: arrived
        > receiver.e close f1 accepted
        refused: not_permitted
          command=close_finding
          reason=only the agreement's monitoring body may
          role=receiving_officer
        status: arrived
        > monitor.g close f1 accepted
        refused: finding_closed
          finding=f1
          outcome=not_accepted
        status: arrived
        > receiver.e respond f1
        refused: finding_closed
          finding=f1
          outcome=not_accepted
        status: arrived
        ",
    );
}

/// A finding names cases of its agreement that exist, has a text, and is addressed to a state.
#[test]
fn finding_input() {
    check(
        "
        monitor.g finding documentation information to=none
        monitor.g finding documentation information text=_
        officer.a finding documentation information
        monitor.g finding documentation information agreement=other-agreement
        ",
        "
        > monitor.g finding documentation information to=none
        refused: invalid_input
          field=addressed
          reason=a finding is addressed to the sending state, the receiving state, or both
        > monitor.g finding documentation information text=_
        refused: invalid_input
          field=text
          reason=it is empty
        > officer.a finding documentation information
        refused: not_permitted
          command=record_finding
          reason=only the agreement's monitoring body may
          role=sending_officer
        > monitor.g finding documentation information agreement=other-agreement
        refused: unknown_agreement
          agreement=other-agreement
        ",
    );
}

/// Each addressed party's response is due the period the terms set after the finding was
/// recorded: in time at the due moment itself, overdue one second later; a response (late or
/// not) stops its clock, and closing the finding ends the clocks still waiting.
#[test]
fn response_clock_edges() {
    check(
        "
        monitor.g finding treatment_by_officials serious to=sending_state,receiving_state
        wait 30d
        ? show findings
        wait 1s
        ? show findings
        officer.a respond f1
        monitor.g close f1 escalated_to_joint_committee
        show findings
        ",
        "
        > show findings
        findings at 2025-07-02T09:00:00Z:
          f1:
            sending_state due 2025-07-02T09:00:00Z: awaited
            receiving_state due 2025-07-02T09:00:00Z: awaited
        > show findings
        findings at 2025-07-02T09:00:01Z:
          f1:
            sending_state due 2025-07-02T09:00:00Z: overdue
            receiving_state due 2025-07-02T09:00:00Z: overdue
        > show findings
        findings at 2025-07-02T09:00:01Z:
          f1:
            sending_state due 2025-07-02T09:00:00Z: responded
            receiving_state due 2025-07-02T09:00:00Z: closed
        ",
    );
}

/// Terms that set no response period leave responses awaited, never overdue.
#[test]
fn no_response_period_no_overdue() {
    check(
        "
        terms finding_response=none
        monitor.g finding documentation concern
        wait 400d
        show findings
        ",
        "
        > show findings
        findings at 2026-07-07T09:00:00Z:
          f1:
            receiving_state no period: awaited
        ",
    );
}

/// Visits: scheduled for a day not past, recorded once made on a day not to come, keeping the
/// agreement and whether it was announced; recorded once; by the agreement's monitoring body.
#[test]
fn visit_guards() {
    check(
        "
        walk arrived
        monitor.g visit schedule on=-1d cases=c1
        monitor.g visit schedule on=+7d cases=c1
        monitor.g visit record v2 announced=no seen=c1
        monitor.g visit record v2 on=+7d seen=c1
        wait 7d
        monitor.g visit record v2 seen=c1 others=centre_manager
        monitor.g visit record v2 seen=c1
        receiver.e visit schedule on=+1d
        monitor.other visit plan on=+1d
        monitor.g visit plan on=+1d cases=c1
        monitor.g visit record place=Centre_B cases=c1 seen=c1
        ",
        "
        > monitor.g visit schedule on=-1d cases=c1
        refused: invalid_input
          field=date
          reason=2025-06-06 is before today (2025-06-07); record a visit already made instead
        status: arrived
        > monitor.g visit record v2 announced=no seen=c1
        refused: invalid_input
          field=visit
          reason=v2 was scheduled under test-usa-rwa as announced; a record keeps both
        status: arrived
        > monitor.g visit record v2 on=+7d seen=c1
        refused: invalid_input
          field=date
          reason=2025-06-14 is after today (2025-06-07); a visit is recorded once made
        status: arrived
        > monitor.g visit record v2 seen=c1
        refused: already_exists
          what=a record of visit v2
        status: arrived
        > receiver.e visit schedule on=+1d
        refused: not_permitted
          command=schedule_visit
          reason=only the agreement's monitoring body may
          role=receiving_officer
        status: arrived
        > monitor.other visit plan on=+1d
        refused: not_permitted
          command=schedule_visit
          reason=only the agreement's monitoring body may
          role=monitor
        status: arrived
        > monitor.g visit record place=Centre_B cases=c1 seen=c1
        accepted: visit_recorded(v6)
        status: arrived
        ",
    );
}
