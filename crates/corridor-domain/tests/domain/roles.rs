//! Roles (docs/domain.md §2): every command is refused as `not_permitted` for a wrong role, and for the
//! right role acting for the wrong state; counsel act only for their own clients and monitors only
//! for the agreement's monitoring body. Such refusals are never recorded on the case.
//!
//! `officer.gbr`, `super.gbr`, `judge.gbr` and `receiver.alb` hold the right roles for the wrong
//! states; `monitor.other` belongs to another monitoring body; `counsel.y` is nobody's counsel.

use crate::fixture::check;

/// Proposals are for the sending state's officers and supervisors.
#[test]
fn propose() {
    check(
        "
        receiver.e propose
        officer.gbr propose
        super.b propose
        ",
        "
        > receiver.e propose
        refused: not_permitted
          command=propose
          reason=only sending_officer or sending_supervisor may
          role=receiving_officer
        > officer.gbr propose
        refused: not_permitted
          command=propose
          reason=they do not act for United States of America (USA)
          role=sending_officer
        > super.b propose
        accepted: case_proposed
        status: proposed
        ",
    );
}

/// The sending state's case work is for its officers and supervisors, acting for that state.
#[test]
fn sending_state_commands() {
    check(
        "
        walk accepted
        judge.d notice
        officer.gbr notice
        receiver.e request
        super.gbr request
        receiver.e extend imprisonment
        officer.gbr extend imprisonment
        counsel.c schedule earliest
        officer.gbr schedule earliest
        monitor.g depart
        officer.gbr depart
        receiver.e withdraw officer_decision
        officer.gbr withdraw officer_decision
        super.b schedule earliest
        ",
        "
        > judge.d notice
        refused: not_permitted
          command=serve_notice
          reason=only sending_officer or sending_supervisor may
          role=adjudicator
        status: accepted
        > officer.gbr notice
        refused: not_permitted
          command=serve_notice
          reason=they do not act for United States of America (USA)
          role=sending_officer
        status: accepted
        > receiver.e request
        refused: not_permitted
          command=request_transfer
          reason=only sending_officer or sending_supervisor may
          role=receiving_officer
        status: accepted
        > super.gbr request
        refused: not_permitted
          command=request_transfer
          reason=they do not act for United States of America (USA)
          role=sending_supervisor
        status: accepted
        > receiver.e extend imprisonment
        refused: not_permitted
          command=extend_deadline
          reason=only sending_officer or sending_supervisor may
          role=receiving_officer
        status: accepted
        > officer.gbr extend imprisonment
        refused: not_permitted
          command=extend_deadline
          reason=they do not act for United States of America (USA)
          role=sending_officer
        status: accepted
        > counsel.c schedule earliest
        refused: not_permitted
          command=schedule
          reason=only sending_officer or sending_supervisor may
          role=counsel
        status: accepted
        > officer.gbr schedule earliest
        refused: not_permitted
          command=schedule
          reason=they do not act for United States of America (USA)
          role=sending_officer
        status: accepted
        > monitor.g depart
        refused: not_permitted
          command=depart
          reason=only sending_officer or sending_supervisor may
          role=monitor
        status: accepted
        > officer.gbr depart
        refused: not_permitted
          command=depart
          reason=they do not act for United States of America (USA)
          role=sending_officer
        status: accepted
        > receiver.e withdraw officer_decision
        refused: not_permitted
          command=withdraw
          reason=only sending_officer or sending_supervisor may
          role=receiving_officer
        status: accepted
        > officer.gbr withdraw officer_decision
        refused: not_permitted
          command=withdraw
          reason=they do not act for United States of America (USA)
          role=sending_officer
        status: accepted
        > super.b schedule earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

/// The receiving state answers requests; the sending state's supervisor approves scheduling.
#[test]
fn approvals() {
    check(
        "
        walk requested
        receiver.alb approve
        receiver.alb refuse no_capacity
        officer.a refuse no_capacity
        officer.a approve
        super.gbr approve
        receiver.e approve
        ",
        "
        > receiver.alb approve
        refused: not_permitted
          command=approve
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: requested
        > receiver.alb refuse no_capacity
        refused: not_permitted
          command=refuse
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: requested
        > officer.a refuse no_capacity
        refused: not_permitted
          command=refuse
          reason=only receiving_officer may
          role=sending_officer
        status: requested
        > officer.a approve
        refused: not_permitted
          command=approve
          reason=only sending_supervisor may
          role=sending_officer
        status: requested
        > super.gbr approve
        refused: not_permitted
          command=approve
          reason=they do not act for United States of America (USA)
          role=sending_supervisor
        status: requested
        > receiver.e approve
        accepted: accepted_by_receiving_state[explicit]
        status: accepted
        ",
    );
}

/// Claims are filed by the sending state or the person's own counsel; adjudicators decide.
#[test]
fn protection_claims() {
    check(
        "
        walk accepted counsel=counsel.c
        receiver.e claim
        officer.gbr claim
        counsel.y claim
        public.j claim
        counsel.c claim
        officer.a decide denied
        judge.gbr decide denied
        judge.d decide denied
        ",
        "
        > receiver.e claim
        refused: not_permitted
          command=claim_protection
          reason=only sending_officer or sending_supervisor may
          role=receiving_officer
        status: accepted
        > officer.gbr claim
        refused: not_permitted
          command=claim_protection
          reason=they do not act for United States of America (USA)
          role=sending_officer
        status: accepted
        > counsel.y claim
        refused: not_permitted
          command=claim_protection
          reason=counsel.y is not counsel in this case
          role=counsel
        status: accepted
        > public.j claim
        refused: not_permitted
          command=claim_protection
          reason=only sending_officer or sending_supervisor may
          role=public
        status: accepted
        > officer.a decide denied
        refused: not_permitted
          command=decide_protection
          reason=only adjudicator may
          role=sending_officer
        status: protection_claimed
        > judge.gbr decide denied
        refused: not_permitted
          command=decide_protection
          reason=they do not act for United States of America (USA)
          role=adjudicator
        status: protection_claimed
        > judge.d decide denied
        accepted: protection_decided
        status: accepted
        ",
    );
}

/// Arrival and what follows it are the receiving state's to record.
#[test]
fn receiving_state_commands() {
    check(
        "
        walk in_transit
        officer.a arrive
        receiver.alb arrive
        receiver.e arrive
        officer.a lodge
        receiver.alb lodge
        receiver.e lodge
        officer.a decide-claim denied
        receiver.alb decide-claim denied
        receiver.e decide-claim denied
        officer.a appeal
        receiver.alb appeal
        officer.a settle
        receiver.alb settle
        officer.a onward USA
        receiver.alb onward USA
        officer.a return
        receiver.alb return
        receiver.e return
        ",
        "
        > officer.a arrive
        refused: not_permitted
          command=arrive
          reason=only receiving_officer may
          role=sending_officer
        status: in_transit
        > receiver.alb arrive
        refused: not_permitted
          command=arrive
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: in_transit
        > officer.a lodge
        refused: not_permitted
          command=lodge_receiving_claim
          reason=only receiving_officer may
          role=sending_officer
        status: arrived
        > receiver.alb lodge
        refused: not_permitted
          command=lodge_receiving_claim
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: arrived
        > officer.a decide-claim denied
        refused: not_permitted
          command=decide_receiving_claim
          reason=only receiving_officer may
          role=sending_officer
        status: arrived (receiving claim claim_pending)
        > receiver.alb decide-claim denied
        refused: not_permitted
          command=decide_receiving_claim
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: arrived (receiving claim claim_pending)
        > officer.a appeal
        refused: not_permitted
          command=lodge_appeal
          reason=only receiving_officer may
          role=sending_officer
        status: arrived (receiving claim refused)
        > receiver.alb appeal
        refused: not_permitted
          command=lodge_appeal
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: arrived (receiving claim refused)
        > officer.a settle
        refused: not_permitted
          command=settle
          reason=only receiving_officer may
          role=sending_officer
        status: arrived (receiving claim refused)
        > receiver.alb settle
        refused: not_permitted
          command=settle
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: arrived (receiving claim refused)
        > officer.a onward USA
        refused: not_permitted
          command=onward
          reason=only receiving_officer may
          role=sending_officer
        status: arrived (receiving claim refused)
        > receiver.alb onward USA
        refused: not_permitted
          command=onward
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: arrived (receiving claim refused)
        > officer.a return
        refused: not_permitted
          command=return
          reason=only receiving_officer may
          role=sending_officer
        status: arrived (receiving claim refused)
        > receiver.alb return
        refused: not_permitted
          command=return
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: arrived (receiving claim refused)
        > receiver.e return
        accepted: returned
        status: returned (receiving claim refused)
        ",
    );
}

/// Monitors act only for the agreement's own monitoring body, and not at all without one.
#[test]
fn monitors() {
    check(
        "
        walk arrived
        receiver.e welfare well
        monitor.other welfare well
        monitor.other unknown
        officer.a unknown
        receiver.alb unknown
        monitor.g unknown
        monitor.other known
        officer.a known
        monitor.g known
        counsel.c vulnerability disability
        officer.gbr vulnerability disability
        receiver.alb vulnerability disability
        monitor.other vulnerability disability
        monitor.g welfare well
        ",
        "
        > receiver.e welfare well
        refused: not_permitted
          command=record_welfare_check
          reason=only the agreement's monitoring body may
          role=receiving_officer
        status: arrived
        > monitor.other welfare well
        refused: not_permitted
          command=record_welfare_check
          reason=only the agreement's monitoring body may
          role=monitor
        status: arrived
        > monitor.other unknown
        refused: not_permitted
          command=report_whereabouts_unknown
          reason=only the agreement's monitoring body may
          role=monitor
        status: arrived
        > officer.a unknown
        refused: not_permitted
          command=report_whereabouts_unknown
          reason=only receiving_officer may
          role=sending_officer
        status: arrived
        > receiver.alb unknown
        refused: not_permitted
          command=report_whereabouts_unknown
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: arrived
        > monitor.other known
        refused: not_permitted
          command=report_whereabouts_known
          reason=only the agreement's monitoring body may
          role=monitor
        status: whereabouts_unknown
        > officer.a known
        refused: not_permitted
          command=report_whereabouts_known
          reason=only receiving_officer may
          role=sending_officer
        status: whereabouts_unknown
        > counsel.c vulnerability disability
        refused: not_permitted
          command=record_vulnerability
          reason=only sending_officer or sending_supervisor may
          role=counsel
        status: arrived
        > officer.gbr vulnerability disability
        refused: not_permitted
          command=record_vulnerability
          reason=they do not act for United States of America (USA)
          role=sending_officer
        status: arrived
        > receiver.alb vulnerability disability
        refused: not_permitted
          command=record_vulnerability
          reason=they do not act for Rwanda (RWA)
          role=receiving_officer
        status: arrived
        > monitor.other vulnerability disability
        refused: not_permitted
          command=record_vulnerability
          reason=only the agreement's monitoring body may
          role=monitor
        status: arrived
        > monitor.g welfare well
        accepted: welfare_check_recorded
        status: arrived
        ",
    );
    check(
        "
        terms monitoring=none
        walk arrived
        monitor.g welfare well
        ",
        "
        > monitor.g welfare well
        refused: not_permitted
          command=record_welfare_check
          reason=only the agreement's monitoring body may
          role=monitor
        status: arrived
        ",
    );
}

/// Court orders and detention validation are for court clerks.
#[test]
fn court_commands() {
    check(
        "
        terms detention=48h
        walk arrived
        officer.a hold cases=c1
        judge.d hold cases=c1
        clerk.f hold cases=c1
        officer.a stay h3
        officer.a amend h3 nat=VEN
        officer.a vacate h3
        clerk.f stay h3
        officer.a reactivate h3
        receiver.e validate
        clerk.f validate
        ",
        "
        > officer.a hold cases=c1
        refused: not_permitted
          command=register_hold
          reason=only court_clerk may
          role=sending_officer
        status: arrived (detention pending)
        > judge.d hold cases=c1
        refused: not_permitted
          command=register_hold
          reason=only court_clerk may
          role=adjudicator
        status: arrived (detention pending)
        > officer.a stay h3
        refused: not_permitted
          command=stay_hold
          reason=only court_clerk may
          role=sending_officer
        status: arrived (detention pending)
        > officer.a amend h3 nat=VEN
        refused: not_permitted
          command=amend_hold
          reason=only court_clerk may
          role=sending_officer
        status: arrived (detention pending)
        > officer.a vacate h3
        refused: not_permitted
          command=vacate_hold
          reason=only court_clerk may
          role=sending_officer
        status: arrived (detention pending)
        > officer.a reactivate h3
        refused: not_permitted
          command=reactivate_hold
          reason=only court_clerk may
          role=sending_officer
        status: arrived (detention pending)
        > receiver.e validate
        refused: not_permitted
          command=validate_detention
          reason=only court_clerk may
          role=receiving_officer
        status: arrived (detention pending)
        > clerk.f validate
        accepted: detention_validated
        status: arrived (detention validated)
        ",
    );
}

/// The operator's commands (agreement files and statuses, the clocks, erasure) are the admin's.
#[test]
fn operator_commands() {
    check(
        "
        walk proposed
        officer.a load total=2
        officer.a status suspended
        super.b tick
        monitor.g erase
        admin.i erase
        ",
        "
        > officer.a load total=2
        refused: not_permitted
          command=load_agreement
          reason=only admin may
          role=sending_officer
        status: proposed
        > officer.a status suspended
        refused: not_permitted
          command=change_agreement_status
          reason=only admin may
          role=sending_officer
        status: proposed
        > super.b tick
        refused: not_permitted
          command=tick
          reason=only admin may
          role=sending_supervisor
        status: proposed
        > monitor.g erase
        refused: not_permitted
          command=erase
          reason=only admin may
          role=monitor
        status: proposed
        > admin.i erase
        accepted: personal_data_erased
        status: proposed
        ",
    );
}
