//! Every guard of docs/domain.md §4, on both sides: what it allows and what it refuses, with the typed
//! code and facts.
//!
//! The test agreement (see `fixture.rs`) sends from USA to RWA, in force since 2025-03-03; it
//! excludes Syrians, people under 18, anyone but men and three vulnerabilities; caps 3 in all and
//! 2 present; notice lead time 5 days and fear-claim window 3 days; transfers within 30 days of
//! acceptance (60 for `imprisonment`); onward movement only back to USA. Scripts start at
//! 2025-06-02T09:00:00Z.

use crate::fixture::{check, run_script};

/// The standard path reaches departure and arrival when every safeguard is met.
#[test]
fn happy_path() {
    check(
        "
        walk arrived
        ",
        "
        > walk arrived
        status: arrived
        ",
    );
}

// ----- agreement in force -------------------------------------------------------------------

/// Proposals need the agreement in force: not only signed, not terminated (from its day).
#[test]
fn propose_needs_agreement_in_force() {
    check(
        "
        officer.a propose
        ",
        "
        > officer.a propose
        accepted: case_proposed
        status: proposed
        ",
    );
    check(
        "
        terms in_force=none
        officer.a propose
        ",
        "
        > officer.a propose
        refused: agreement_not_in_force
          agreement=test-usa-rwa
          status=signed
        ",
    );
    check(
        "
        admin.i status terminated
        officer.a propose
        ",
        "
        > officer.a propose
        refused: agreement_not_in_force
          agreement=test-usa-rwa
          status=terminated
        ",
    );
    check(
        "
        admin.i load terminated=2025-07-01
        ? officer.a propose
        wait 30d
        officer.a propose
        ",
        "
        > officer.a propose
        accepted: case_proposed
        status: proposed
        > officer.a propose
        refused: agreement_not_in_force
          agreement=test-usa-rwa
          status=terminated
        ",
    );
}

/// An agreement's status moves only as its lifecycle allows, and never back in time.
#[test]
fn agreement_status_changes() {
    check(
        "
        admin.i status in_force
        admin.i status suspended 2025-03-01
        ? admin.i status suspended 2025-06-01
        admin.i status signed
        admin.i status terminated
        admin.i status in_force
        ",
        "
        > admin.i status in_force
        refused: invalid_input
          field=status
          reason=an agreement cannot go from in_force to in_force
        > admin.i status suspended 2025-03-01
        refused: invalid_input
          field=date
          reason=2025-03-01 is before the status in effect (in_force since 2025-03-03)
        > admin.i status suspended 2025-06-01
        accepted: agreement_status_changed
        > admin.i status signed
        refused: invalid_input
          field=status
          reason=an agreement cannot go from suspended to signed
        > admin.i status in_force
        refused: invalid_input
          field=status
          reason=an agreement cannot go from terminated to in_force
        ",
    );
}

/// A status change dated after today is refused (it would lock the agreement: the lifecycle
/// would read it while another status is in effect), so the suspension today goes through.
#[test]
fn agreement_status_changes_are_not_dated_after_today() {
    check(
        "
        ? admin.i status terminated 9999-12-31
        ? admin.i status suspended 2025-06-03
        admin.i status suspended
        officer.a propose
        ",
        "
        > admin.i status terminated 9999-12-31
        refused: invalid_input
          field=date
          reason=9999-12-31 is after today (2025-06-02); a status change is recorded on the day it takes effect
        > admin.i status suspended 2025-06-03
        refused: invalid_input
          field=date
          reason=2025-06-03 is after today (2025-06-02); a status change is recorded on the day it takes effect
        > officer.a propose
        refused: agreement_not_in_force
          agreement=test-usa-rwa
          status=suspended
        ",
    );
}

/// An agreement file may schedule a status for a later day; until that day the lifecycle reads
/// the status in effect, and a change recorded before it supersedes it.
#[test]
fn a_status_a_file_scheduled_does_not_block_an_earlier_change() {
    check(
        "
        admin.i load terminated=2025-09-01
        ? admin.i status suspended
        wait 120d
        officer.a propose
        ",
        "
        > admin.i status suspended
        accepted: agreement_status_changed
        > officer.a propose
        refused: agreement_not_in_force
          agreement=test-usa-rwa
          status=suspended
        ",
    );
}

/// An amendment cannot move the agreement's status against its lifecycle, e.g. out of termination.
#[test]
fn amendment_continues_the_lifecycle() {
    check(
        "
        admin.i status terminated
        admin.i load in_force=2025-07-01
        wait 30d
        officer.a propose
        ",
        "
        > admin.i load in_force=2025-07-01
        refused: invalid_input
          field=agreement file
          reason=its status history would take the agreement from terminated to in_force on 2025-07-01
        > officer.a propose
        refused: agreement_not_in_force
          agreement=test-usa-rwa
          status=terminated
        ",
    );
    check(
        "
        admin.i status suspended
        ? admin.i load in_force=2025-07-01
        wait 30d
        officer.a propose
        ",
        "
        > admin.i load in_force=2025-07-01
        accepted: agreement_loaded
        > officer.a propose
        accepted: case_proposed
        status: proposed
        ",
    );
}

/// An amendment applies to cases proposed after it; earlier cases keep the terms they started with.
#[test]
fn amended_terms_apply_to_new_cases() {
    check(
        "
        walk accepted
        ? admin.i load lead=1d fear=1d
        walk accepted
        officer.a schedule c1 +2d
        officer.a schedule c2 +2d
        ",
        "
        > admin.i load lead=1d fear=1d
        accepted: agreement_loaded
        status: accepted
        > officer.a schedule c1 +2d
        refused: notice_period_running
          earliest_departure=2025-06-07T09:00:00Z
        recorded: safeguard_triggered
        status: accepted
        > officer.a schedule c2 +2d
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

/// Requests need the agreement in force: refused while suspended, allowed once it is back.
#[test]
fn request_needs_agreement_in_force() {
    check(
        "
        walk noticed
        admin.i status suspended
        officer.a request
        admin.i status in_force
        officer.a request
        ",
        "
        > officer.a request
        refused: agreement_not_in_force
          agreement=test-usa-rwa
          status=suspended
        recorded: safeguard_triggered
        status: noticed
        > officer.a request
        accepted: transfer_requested
        status: requested
        ",
    );
}

/// Scheduling and departure are refused once the agreement is terminated.
#[test]
fn schedule_and_depart_need_agreement_in_force() {
    check(
        "
        walk accepted
        admin.i status terminated
        officer.a schedule earliest
        ",
        "
        > officer.a schedule earliest
        refused: agreement_not_in_force
          agreement=test-usa-rwa
          status=terminated
        recorded: safeguard_triggered
        status: accepted
        ",
    );
    check(
        "
        walk scheduled
        admin.i status terminated
        wait 5d
        officer.a depart
        ",
        "
        > officer.a depart
        refused: agreement_not_in_force
          agreement=test-usa-rwa
          status=terminated
        recorded: safeguard_triggered
        status: scheduled
        ",
    );
}

/// Obligations survive termination: arrival and every post-arrival step still work.
#[test]
fn post_arrival_survives_termination() {
    check(
        "
        walk in_transit
        admin.i status terminated
        receiver.e arrive
        monitor.g welfare well
        receiver.e lodge
        receiver.e decide-claim denied
        receiver.e settle
        receiver.e onward USA
        ",
        "
        > receiver.e onward USA
        accepted: returned
        status: returned (receiving claim refused)
        ",
    );
}

// ----- eligibility --------------------------------------------------------------------------

/// A birth date is refused for what is wrong with it: after today is in the future, and one that
/// makes the person older than anyone can be (0001-01-01 included) says so; 120 years is allowed.
#[test]
fn birth_date_bounds() {
    check(
        "
        officer.a propose born=0001-01-01
        officer.a propose born=1904-06-02
        officer.a propose born=2025-06-03
        officer.a propose born=1905-06-02
        ",
        "
        > officer.a propose born=0001-01-01
        refused: invalid_input
          field=birth date
          reason=0001-01-01 would make the person more than 120 years old, which is not plausible
        > officer.a propose born=1904-06-02
        refused: invalid_input
          field=birth date
          reason=1904-06-02 would make the person more than 120 years old, which is not plausible
        > officer.a propose born=2025-06-03
        refused: invalid_input
          field=birth date
          reason=2025-06-03 is in the future
        > officer.a propose born=1905-06-02
        accepted: case_proposed
        status: proposed
        ",
    );
}

/// Each exclusion refuses a proposal, and the person just inside each rule is accepted.
#[test]
fn eligibility_at_proposal() {
    check(
        "
        officer.a propose nat=SYR
        officer.a propose nat=VEN
        ",
        "
        > officer.a propose nat=SYR
        refused: ineligible
          reasons=nationals of Syrian Arab Republic (SYR) are excluded
        > officer.a propose nat=VEN
        accepted: case_proposed
        status: proposed
        ",
    );
    check(
        "
        officer.a propose born=2007-06-03
        officer.a propose born=2007-06-02
        ",
        "
        > officer.a propose born=2007-06-03
        refused: ineligible
          reasons=the person is 17 and the minimum age is 18
        > officer.a propose born=2007-06-02
        accepted: case_proposed
        status: proposed
        ",
    );
    check(
        "
        officer.a propose sex=female
        officer.a propose sex=male
        ",
        "
        > officer.a propose sex=female
        refused: ineligible
          reasons=only male people may be transferred
        > officer.a propose sex=male
        accepted: case_proposed
        status: proposed
        ",
    );
    check(
        "
        terms sexes=any
        officer.a propose sex=female
        ",
        "
        > officer.a propose sex=female
        accepted: case_proposed
        status: proposed
        ",
    );
    check(
        "
        officer.a propose vuln=pregnant
        officer.a propose vuln=disability
        ",
        "
        > officer.a propose vuln=pregnant
        refused: ineligible
          reasons=the vulnerability `pregnant` is excluded
        > officer.a propose vuln=disability
        accepted: case_proposed
        status: proposed
        ",
    );
}

/// A refused proposal names every reason at once.
#[test]
fn eligibility_lists_every_reason() {
    check(
        "
        officer.a propose nat=SYR age=16 sex=female vuln=pregnant,torture_survivor,disability
        ",
        "
        > officer.a propose nat=SYR age=16 sex=female vuln=pregnant,torture_survivor,disability
        refused: ineligible
          reasons=nationals of Syrian Arab Republic (SYR) are excluded; the person is 16 and the minimum age is 18; only male people may be transferred; the vulnerability `pregnant` is excluded; the vulnerability `torture_survivor` is excluded
        ",
    );
}

/// An excluded vulnerability found later withdraws, recalls or requires return; others don't.
#[test]
fn vulnerability_found_later_sends_the_case_back() {
    check(
        "
        walk scheduled
        officer.a vulnerability pregnant
        ",
        "
        > officer.a vulnerability pregnant
        accepted: vulnerability_recorded
        status: withdrawn
        ",
    );
    check(
        "
        walk in_transit
        receiver.e vulnerability pregnant
        ",
        "
        > receiver.e vulnerability pregnant
        accepted: vulnerability_recorded
        status: recalled
        ",
    );
    check(
        "
        walk arrived
        monitor.g vulnerability torture_survivor
        ",
        "
        > monitor.g vulnerability torture_survivor
        accepted: vulnerability_recorded
        status: arrived (return required)
        ",
    );
    check(
        "
        walk scheduled
        officer.a vulnerability disability
        ",
        "
        > officer.a vulnerability disability
        accepted: vulnerability_recorded
        status: scheduled
        ",
    );
}

// ----- notice -------------------------------------------------------------------------------

/// A notice counts only when complete (language, person, counsel, destination, contest).
#[test]
fn notice_must_be_complete() {
    check(
        "
        walk proposed counsel=counsel.c lang=es,en
        officer.a notice lang=fr
        officer.a notice person=no
        officer.a notice counsel=no
        officer.a notice dest=ALB
        officer.a notice contest=no
        officer.a notice lang=fr person=no counsel=no dest=ALB contest=no
        officer.a notice lang=en
        ",
        "
        > officer.a notice lang=fr
        refused: notice_deficient
          defects=is in `fr`, which the person is not recorded as understanding (en, es)
        recorded: safeguard_triggered
        status: proposed
        > officer.a notice person=no
        refused: notice_deficient
          defects=was not served on the person
        recorded: safeguard_triggered
        status: proposed
        > officer.a notice counsel=no
        refused: notice_deficient
          defects=was not served on the person's counsel
        recorded: safeguard_triggered
        status: proposed
        > officer.a notice dest=ALB
        refused: notice_deficient
          defects=names ALB instead of the receiving state RWA
        recorded: safeguard_triggered
        status: proposed
        > officer.a notice contest=no
        refused: notice_deficient
          defects=does not explain how to contest the transfer
        recorded: safeguard_triggered
        status: proposed
        > officer.a notice lang=fr person=no counsel=no dest=ALB contest=no
        refused: notice_deficient
          defects=is in `fr`, which the person is not recorded as understanding (en, es); was not served on the person; was not served on the person's counsel; names ALB instead of the receiving state RWA; does not explain how to contest the transfer
        recorded: safeguard_triggered
        status: proposed
        > officer.a notice lang=en
        accepted: notice_served
        status: noticed
        ",
    );
    check(
        "
        walk proposed
        officer.a notice counsel=no
        ",
        "
        > officer.a notice counsel=no
        accepted: notice_served
        status: noticed
        ",
    );
}

/// Without a complete notice a request or a schedule is refused as notice_missing.
#[test]
fn notice_missing() {
    check(
        "
        walk proposed
        officer.a request
        officer.a schedule +10d
        ",
        "
        > officer.a request
        refused: notice_missing
        recorded: safeguard_triggered
        status: proposed
        > officer.a schedule +10d
        refused: notice_missing
        recorded: safeguard_triggered
        status: proposed
        ",
    );
}

/// Departure is scheduled no earlier than the longer of notice lead time and fear window.
#[test]
fn notice_period_bounds_scheduling() {
    check(
        "
        walk accepted
        officer.a schedule +4d23h
        officer.a schedule +5d
        ",
        "
        > officer.a schedule +4d23h
        refused: notice_period_running
          earliest_departure=2025-06-07T09:00:00Z
        recorded: safeguard_triggered
        status: accepted
        > officer.a schedule +5d
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
    check(
        "
        terms lead=1d fear=3d
        walk accepted
        officer.a schedule +2d
        officer.a schedule +3d
        ",
        "
        > officer.a schedule +2d
        refused: notice_period_running
          earliest_departure=2025-06-05T09:00:00Z
        recorded: safeguard_triggered
        status: accepted
        > officer.a schedule +3d
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

/// Departure itself waits for the notice period, and a notice served again starts it again.
#[test]
fn notice_period_bounds_departure() {
    check(
        "
        walk scheduled
        wait 4d
        officer.a depart
        wait 1d
        officer.a depart
        ",
        "
        > officer.a depart
        refused: notice_period_running
          earliest_departure=2025-06-07T09:00:00Z
        recorded: safeguard_triggered
        status: scheduled
        > officer.a depart
        accepted: departed
        status: in_transit
        ",
    );
    check(
        "
        walk scheduled
        wait 2d
        officer.a notice
        wait 3d
        officer.a depart
        wait 2d
        officer.a depart
        ",
        "
        > officer.a depart
        refused: notice_period_running
          earliest_departure=2025-06-09T09:00:00Z
        recorded: safeguard_triggered
        status: scheduled
        > officer.a depart
        accepted: departed
        status: in_transit
        ",
    );
}

/// A notice served while a protection claim is pending counts once the claim is refused.
#[test]
fn notice_served_during_claim_counts() {
    check(
        "
        walk proposed
        officer.a claim
        officer.a notice
        judge.d decide denied
        officer.a request
        ",
        "
        > officer.a request
        accepted: transfer_requested
        status: requested
        ",
    );
}

// ----- protection claims --------------------------------------------------------------------

/// A pending protection claim blocks the request, the schedule and the departure.
#[test]
fn pending_claim_blocks_transfer() {
    check(
        "
        walk noticed
        wait 1h
        officer.a claim
        officer.a request
        ",
        "
        > officer.a request
        refused: protection_claim_pending
          filed_at=2025-06-02T10:00:00Z
        recorded: safeguard_triggered
        status: protection_claimed
        ",
    );
    check(
        "
        walk accepted
        officer.a claim
        officer.a schedule earliest
        ",
        "
        > officer.a schedule earliest
        refused: protection_claim_pending
          filed_at=2025-06-02T09:00:00Z
        recorded: safeguard_triggered
        status: protection_claimed
        ",
    );
    check(
        "
        walk scheduled
        wait 5d
        officer.a claim
        officer.a depart
        ",
        "
        > officer.a depart
        refused: protection_claim_pending
          filed_at=2025-06-07T09:00:00Z
        recorded: safeguard_triggered
        status: protection_claimed
        ",
    );
}

/// A claim (here by the person's own counsel) takes a scheduled departure off the schedule.
#[test]
fn claim_unschedules() {
    check(
        "
        walk scheduled counsel=counsel.c
        counsel.c claim
        ",
        "
        > counsel.c claim
        accepted: transfer_unscheduled, protection_claimed
        status: protection_claimed
        ",
    );
}

/// Protection granted ends the transfer for good; protection denied resumes where it stood.
#[test]
fn protection_decision() {
    check(
        "
        walk protection_claimed
        judge.d decide granted
        officer.a request
        officer.a notice
        officer.a claim
        officer.a schedule +10d
        ",
        "
        > officer.a request
        refused: protection_found
        recorded: safeguard_triggered
        status: protected
        > officer.a notice
        refused: protection_found
        recorded: safeguard_triggered
        status: protected
        > officer.a claim
        refused: protection_found
        recorded: safeguard_triggered
        status: protected
        > officer.a schedule +10d
        refused: protection_found
        recorded: safeguard_triggered
        status: protected
        ",
    );
    check(
        "
        walk scheduled
        officer.a claim
        judge.d decide denied
        officer.a schedule earliest
        ",
        "
        > officer.a schedule earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

// ----- receiving approval -------------------------------------------------------------------

/// Scheduling needs the receiving state's acceptance, explicit or by the terms; refusal ends it.
#[test]
fn receiving_state_approval() {
    check(
        "
        walk requested
        super.b approve
        officer.a schedule earliest
        receiver.e approve
        officer.a schedule earliest
        ",
        "
        > officer.a schedule earliest
        refused: not_approved_by_receiving_state
        recorded: safeguard_triggered
        status: requested
        > officer.a schedule earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
    check(
        "
        terms approval=no
        walk noticed
        officer.a request
        ",
        "
        > officer.a request
        accepted: transfer_requested, accepted_by_receiving_state[terms]
        status: accepted
        ",
    );
    check(
        "
        walk requested
        receiver.e refuse no_capacity
        officer.a schedule earliest
        ",
        "
        > officer.a schedule earliest
        refused: invalid_state
          command=schedule
          status=refused
        status: refused
        ",
    );
}

// ----- caps ---------------------------------------------------------------------------------

/// Scheduled cases reserve places under the total cap: refused at the limit, allowed below.
#[test]
fn total_cap_counts_scheduled_cases() {
    check(
        "
        terms total=1 present=none
        walk scheduled
        walk accepted
        officer.a schedule earliest
        officer.a schedule c1 +10d
        ",
        "
        > officer.a schedule earliest
        refused: cap_reached
          cap=caps.transferred_total_max
          current=1
          limit=1
        recorded: safeguard_triggered
        status: accepted
        > officer.a schedule c1 +10d
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
    check(
        "
        terms total=2 present=none
        walk scheduled
        walk accepted
        officer.a schedule earliest
        ",
        "
        > officer.a schedule earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

/// People who went back still count as transferred in all, but no longer as present.
#[test]
fn returned_counts_as_transferred_not_present() {
    check(
        "
        terms total=1 present=none
        walk returned
        walk accepted
        officer.a schedule earliest
        ",
        "
        > officer.a schedule earliest
        refused: cap_reached
          cap=caps.transferred_total_max
          current=1
          limit=1
        recorded: safeguard_triggered
        status: accepted
        ",
    );
    check(
        "
        terms total=5 present=1
        walk arrived
        walk accepted
        officer.a schedule earliest
        receiver.e return c1
        officer.a schedule c2 earliest
        ",
        "
        > officer.a schedule earliest
        refused: cap_reached
          cap=caps.present_max
          current=1
          limit=1
        recorded: safeguard_triggered
        status: accepted
        > officer.a schedule c2 earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

/// One below the present cap, a case may be scheduled.
#[test]
fn present_cap_one_below() {
    check(
        "
        terms total=5 present=2
        walk arrived
        walk accepted
        officer.a schedule earliest
        ",
        "
        > officer.a schedule earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

/// Departure checks the caps again, against the latest terms.
#[test]
fn caps_checked_at_departure() {
    check(
        "
        terms total=2 present=none
        walk scheduled
        walk scheduled
        admin.i load total=1
        wait 5d
        ? officer.a depart c1
        officer.a depart c2
        ",
        "
        > officer.a depart c1
        accepted: departed
        status: in_transit
        > officer.a depart c2
        refused: cap_reached
          cap=caps.transferred_total_max
          current=1
          limit=1
        recorded: safeguard_triggered
        status: scheduled
        ",
    );
}

// ----- holds --------------------------------------------------------------------------------

/// An individual hold blocks its own case and no other.
#[test]
fn individual_hold() {
    check(
        "
        walk accepted
        walk accepted
        clerk.f hold cases=c1
        officer.a schedule c1 earliest
        officer.a schedule c2 earliest
        ",
        "
        > officer.a schedule c1 earliest
        refused: hold_active
          court=dc-dc
          hold=h1
          reference=order-1
        recorded: safeguard_triggered
        status: accepted
        > officer.a schedule c2 earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

/// A class hold blocks the cases that match it and no other, including cases proposed after it.
#[test]
fn class_hold() {
    check(
        "
        clerk.f hold nat=VEN
        walk accepted nat=VEN
        walk accepted nat=CUB
        officer.a schedule c1 earliest
        officer.a schedule c2 earliest
        ",
        "
        > officer.a schedule c1 earliest
        refused: hold_active
          court=dc-dc
          hold=h1
          reference=order-1
        recorded: safeguard_triggered
        status: accepted
        > officer.a schedule c2 earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

/// A new hold pulls the scheduled cases it covers off the schedule and recalls those in transit.
#[test]
fn new_hold_pulls_scheduled_and_recalls_in_transit() {
    check(
        "
        walk scheduled
        clerk.f hold nat=SLV
        ",
        "
        > clerk.f hold nat=SLV
        accepted: hold_registered(h1), hold_matched[h1], transfer_unscheduled
        status: accepted
        ",
    );
    check(
        "
        walk in_transit
        clerk.f hold cases=c1
        ",
        "
        > clerk.f hold cases=c1
        accepted: hold_registered(h1), hold_matched[h1], recalled
        status: recalled
        ",
    );
}

/// A stayed hold doesn't block; reactivated it blocks and pulls; a vacated one never blocks.
#[test]
fn hold_status_history() {
    check(
        "
        walk accepted
        clerk.f hold cases=c1
        clerk.f stay h1
        officer.a schedule earliest
        ? clerk.f reactivate h1
        officer.a schedule earliest
        ",
        "
        > clerk.f reactivate h1
        accepted: hold_reactivated(h1), hold_matched[h1], transfer_unscheduled
        status: accepted
        > officer.a schedule earliest
        refused: hold_active
          court=dc-dc
          hold=h1
          reference=order-1
        recorded: safeguard_triggered
        status: accepted
        ",
    );
    check(
        "
        walk accepted
        clerk.f hold cases=c1
        clerk.f vacate h1
        officer.a schedule earliest
        ",
        "
        > officer.a schedule earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

/// An amended scope is what counts: widened, it pulls a scheduled case; narrowed, it releases.
#[test]
fn amended_hold_scope() {
    check(
        "
        walk accepted
        clerk.f hold nat=CUB
        officer.a schedule earliest
        clerk.f amend h1 nat=CUB,SLV
        ",
        "
        > clerk.f amend h1 nat=CUB,SLV
        accepted: hold_amended(h1), hold_matched[h1], transfer_unscheduled
        status: accepted
        ",
    );
    check(
        "
        walk accepted
        clerk.f hold nat=SLV
        clerk.f amend h1 nat=CUB
        officer.a schedule earliest
        ",
        "
        > officer.a schedule earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

/// A dependent hold falls with its vacated parent and has no effect while the parent is stayed.
#[test]
fn dependent_holds() {
    check(
        "
        walk accepted
        walk accepted
        clerk.f hold cases=c2
        clerk.f hold cases=c1 depends=h1
        officer.a schedule c1 earliest
        ? clerk.f vacate h1
        officer.a schedule c1 earliest
        ",
        "
        > officer.a schedule c1 earliest
        refused: hold_active
          court=dc-dc
          hold=h2
          reference=order-2
        recorded: safeguard_triggered
        status: accepted
        > clerk.f vacate h1
        accepted: hold_vacated(h1), hold_vacated(h2)[because of h1]
        status: accepted
        > officer.a schedule c1 earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
    check(
        "
        walk accepted
        walk accepted
        clerk.f hold cases=c2
        clerk.f stay h1
        clerk.f hold cases=c1 depends=h1
        officer.a schedule c1 earliest
        clerk.f reactivate h1
        ",
        "
        > clerk.f reactivate h1
        accepted: hold_reactivated(h1), hold_matched[h2], transfer_unscheduled
        status: accepted
        ",
    );
}

// ----- separation of duties -----------------------------------------------------------------

/// A supervisor may not approve a case they proposed; another supervisor may.
#[test]
fn self_approval() {
    check(
        "
        super.b propose
        super.b notice
        super.b request
        receiver.e approve
        super.b approve
        super.x approve
        ",
        "
        > super.b approve
        refused: self_approval
          user=super.b
        recorded: safeguard_triggered
        status: accepted
        > super.x approve
        accepted: supervisor_approved
        status: accepted
        ",
    );
}

/// Scheduling needs a supervisor's approval.
#[test]
fn supervisor_approval_needed() {
    check(
        "
        officer.a propose
        officer.a notice
        officer.a request
        receiver.e approve
        officer.a schedule earliest
        super.b approve
        officer.a schedule earliest
        ",
        "
        > officer.a schedule earliest
        refused: not_approved_by_supervisor
        recorded: safeguard_triggered
        status: accepted
        > officer.a schedule earliest
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

// ----- transfer deadline --------------------------------------------------------------------

/// Scheduling and departure are refused at or past the transfer deadline, even before a tick:
/// the deadline moment itself counts as passed, as `tick` expires the case at it.
#[test]
fn transfer_deadline() {
    check(
        "
        walk accepted
        officer.a schedule +30d1h
        officer.a schedule +30d
        officer.a schedule +29d23h
        ",
        "
        > officer.a schedule +30d1h
        refused: transfer_deadline_passed
          deadline=2025-07-02T09:00:00Z
        recorded: safeguard_triggered
        status: accepted
        > officer.a schedule +30d
        refused: transfer_deadline_passed
          deadline=2025-07-02T09:00:00Z
        recorded: safeguard_triggered
        status: accepted
        > officer.a schedule +29d23h
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
    check(
        "
        walk accepted
        wait 30d1h
        officer.a schedule +1h
        ",
        "
        > officer.a schedule +1h
        refused: transfer_deadline_passed
          deadline=2025-07-02T09:00:00Z
        recorded: safeguard_triggered
        status: accepted
        ",
    );
    check(
        "
        walk scheduled
        wait 30d1h
        officer.a depart
        ",
        "
        > officer.a depart
        refused: transfer_deadline_passed
          deadline=2025-07-02T09:00:00Z
        recorded: safeguard_triggered
        status: scheduled
        ",
    );
}

/// An allowed extension moves the deadline; an unknown reason or a passed deadline is refused.
#[test]
fn transfer_deadline_extension() {
    check(
        "
        walk accepted
        officer.a extend absconding
        officer.a extend imprisonment
        officer.a schedule +45d
        ",
        "
        > officer.a extend absconding
        refused: invalid_input
          field=reason
          reason=the terms allow extensions only for: imprisonment
        status: accepted
        > officer.a schedule +45d
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
    check(
        "
        walk accepted
        wait 31d
        officer.a extend imprisonment
        ",
        "
        > officer.a extend imprisonment
        refused: transfer_deadline_passed
          deadline=2025-07-02T09:00:00Z
        recorded: safeguard_triggered
        status: accepted
        ",
    );
}

// ----- onward movement ----------------------------------------------------------------------

/// Under `sending_state_only` a person may only go back to the sending state, which is a return.
#[test]
fn onward_sending_state_only() {
    check(
        "
        walk arrived
        receiver.e onward GBR
        receiver.e onward USA
        ",
        "
        > receiver.e onward GBR
        refused: onward_destination_prohibited
          destination=GBR
          reason=the agreement allows onward movement only back to the sending state (USA)
        recorded: safeguard_triggered
        status: arrived
        > receiver.e onward USA
        accepted: returned
        status: returned
        ",
    );
}

/// Onward movement never goes to a feared or protected country, or home while a claim is open.
#[test]
fn onward_non_refoulement() {
    check(
        "
        terms onward=any
        walk arrived nat=VEN fears=IRN protected=CUB
        receiver.e onward IRN
        receiver.e onward CUB
        receiver.e onward RWA
        receiver.e lodge
        receiver.e onward VEN
        receiver.e decide-claim denied
        receiver.e onward VEN
        ",
        "
        > receiver.e onward IRN
        refused: onward_destination_prohibited
          destination=IRN
          reason=the person fears persecution or harm there
        recorded: safeguard_triggered
        status: arrived
        > receiver.e onward CUB
        refused: onward_destination_prohibited
          destination=CUB
          reason=a decision protects the person from being sent there
        recorded: safeguard_triggered
        status: arrived
        > receiver.e onward RWA
        refused: invalid_input
          field=destination
          reason=RWA is the receiving state itself
        status: arrived
        > receiver.e onward VEN
        refused: onward_destination_prohibited
          destination=VEN
          reason=the person's protection claim in the receiving state is pending or granted, so they may not be sent to their country of nationality
        recorded: safeguard_triggered
        status: arrived (receiving claim claim_pending)
        > receiver.e onward VEN
        accepted: onward_moved
        status: departed (receiving claim refused)
        ",
    );
    check(
        "
        terms onward=any
        walk arrived fears=USA
        receiver.e onward USA
        receiver.e onward CAN
        ",
        "
        > receiver.e onward USA
        refused: onward_destination_prohibited
          destination=USA
          reason=the person fears persecution or harm there
        recorded: safeguard_triggered
        status: arrived
        > receiver.e onward CAN
        accepted: onward_moved
        status: departed
        ",
    );
}

// ----- time moves forward -------------------------------------------------------------------

/// A step refused under a suspension cannot be rerun dated before it: no step is dated before the
/// last event of its case, and the refusal names the stream and both moments (nothing recorded).
#[test]
fn a_step_is_never_dated_before_its_case() {
    check(
        "
        walk scheduled
        wait 6d
        admin.i status suspended
        officer.a depart
        back 1d
        officer.a depart
        ",
        "
        > officer.a depart
        refused: agreement_not_in_force
          agreement=test-usa-rwa
          status=suspended
        recorded: safeguard_triggered
        status: scheduled
        > officer.a depart
        refused: time_before_recorded
          at=2025-06-07T09:00:00Z
          recorded=2025-06-08T09:00:00Z
          stream=c1
        status: scheduled
        ",
    );
}

/// Nor before the last event of a stream the decision reads: the agreement's status, and every
/// court order that reaches the case (even one since vacated), which the refusal does not name,
/// nor its moment: the caller may not know the order.
#[test]
fn a_step_is_never_dated_before_what_its_decision_reads() {
    check(
        "
        walk accepted
        wait 6d
        admin.i status suspended
        back 1h
        officer.a schedule +1d
        ",
        "
        > officer.a schedule +1d
        refused: time_before_recorded
          at=2025-06-08T08:00:00Z
          recorded=2025-06-08T09:00:00Z
          stream=agreement:test-usa-rwa
        status: accepted
        ",
    );
    check(
        "
        walk accepted nat=VEN
        wait 6d
        clerk.f hold nat=VEN
        wait 1h
        clerk.f vacate h1
        back 30m
        officer.a schedule +1d
        ",
        "
        > officer.a schedule +1d
        refused: time_before_recorded
          at=2025-06-08T09:30:00Z
          stream=another stream this step reads or writes
        status: accepted
        ",
    );
}

/// Servers sharing one database may disagree by the configured skew, and no more.
#[test]
fn the_configured_skew_is_allowed_and_no_more() {
    check(
        "
        skew 5s
        walk noticed
        wait 1m
        officer.a request
        back 5s
        ? officer.a withdraw change_of_plan
        ",
        "
        > officer.a withdraw change_of_plan
        accepted: withdrawn
        status: withdrawn
        ",
    );
    check(
        "
        skew 5s
        walk noticed
        wait 1m
        officer.a request
        back 6s
        officer.a withdraw change_of_plan
        ",
        "
        > officer.a withdraw change_of_plan
        refused: time_before_recorded
          at=2025-06-02T09:00:54Z
          recorded=2025-06-02T09:01:00Z
          stream=c1
        status: requested
        ",
    );
}

/// A clock consequence is dated when the clock ran out, but never before a step the case
/// already records: a late tick keeps each case's history in order.
#[test]
fn a_late_tick_keeps_the_case_in_order() {
    check(
        "
        walk accepted
        wait 31d
        officer.a schedule +1d
        wait 1d
        admin.i tick
        ",
        "
        > officer.a schedule +1d
        refused: transfer_deadline_passed
          deadline=2025-07-02T09:00:00Z
        recorded: safeguard_triggered
        status: accepted
        > admin.i tick
        accepted: transfer_deadline_expired @2025-07-03T09:00:00Z
        status: expired
        ",
    );
}

// ----- departure follows the schedule the person was told of --------------------------------

/// A case scheduled for a day departs within the terms' window around it, not days before (the
/// notice period alone would allow it) and not long after.
#[test]
fn departure_follows_the_schedule() {
    check(
        "
        terms window_before=2h window_after=1d
        walk scheduled
        wait until 2025-06-07T09:00:00Z
        ? officer.a schedule 2025-06-20T09:00:00Z
        wait 1d
        officer.a depart
        wait until 2025-06-20T06:59:00Z
        officer.a depart
        wait 1m
        ? officer.a depart
        ",
        "
        > officer.a schedule 2025-06-20T09:00:00Z
        accepted: transfer_scheduled
        status: scheduled
        > officer.a depart
        refused: departure_outside_schedule
          earliest=2025-06-20T07:00:00Z
          latest=2025-06-21T09:00:00Z
          scheduled=2025-06-20T09:00:00Z
        recorded: safeguard_triggered
        status: scheduled
        > officer.a depart
        refused: departure_outside_schedule
          earliest=2025-06-20T07:00:00Z
          latest=2025-06-21T09:00:00Z
          scheduled=2025-06-20T09:00:00Z
        recorded: safeguard_triggered
        status: scheduled
        > officer.a depart
        accepted: departed
        status: in_transit
        ",
    );
    // Without a window the person leaves at the scheduled moment or after, never before.
    check(
        "
        walk scheduled
        officer.a schedule +10d
        wait 9d
        officer.a depart
        wait 1d
        ? officer.a depart
        ",
        "
        > officer.a depart
        refused: departure_outside_schedule
          earliest=2025-06-12T09:00:00Z
          scheduled=2025-06-12T09:00:00Z
        recorded: safeguard_triggered
        status: scheduled
        > officer.a depart
        accepted: departed
        status: in_transit
        ",
    );
}

/// Rescheduling earlier than the departure the person was told of is a new schedule: the notice
/// lead time runs again from it, unless the terms say it does not.
#[test]
fn an_earlier_schedule_restarts_the_notice_lead_time() {
    check(
        "
        walk scheduled
        officer.a schedule +20d
        wait 2d
        officer.a schedule +3d
        ? officer.a schedule +5d
        ",
        "
        > officer.a schedule +3d
        refused: notice_period_running
          earliest_departure=2025-06-09T09:00:00Z
        recorded: safeguard_triggered
        status: scheduled
        > officer.a schedule +5d
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
    check(
        "
        terms restart=no
        walk scheduled
        officer.a schedule +20d
        wait 2d
        ? officer.a schedule +3d
        ",
        "
        > officer.a schedule +3d
        accepted: transfer_scheduled
        status: scheduled
        ",
    );
}

// ----- a third country ----------------------------------------------------------------------

/// A third-country transfer sends nobody to their own country: nationals of the receiving state
/// are ineligible unless the terms say otherwise.
#[test]
fn nationals_of_the_receiving_state_are_not_third_country_transfers() {
    check(
        "
        officer.a propose nat=RWA
        ",
        "
        > officer.a propose nat=RWA
        refused: ineligible
          reasons=the person is a national of Rwanda (RWA), the receiving state, and a third-country transfer sends nobody to their own country
        ",
    );
    check(
        "
        terms nationals=yes
        officer.a propose nat=RWA
        ",
        "
        > officer.a propose nat=RWA
        accepted: case_proposed
        status: proposed
        ",
    );
}

// ----- a status a safeguard caused ----------------------------------------------------------

/// Every case command (by an actor allowed to ask it) on a case whose status a safeguard caused:
/// each one the status stops is refused with that safeguard's code and recorded, never as
/// `invalid_state`; erasure stays possible and detention validation answers about detention.
#[test]
fn a_status_a_safeguard_caused_names_that_safeguard() {
    let setups: [(&str, &str, &[&str]); 5] = [
        (
            "recalled by a court order",
            "walk in_transit nat=VEN\nclerk.f hold nat=VEN",
            &["refused: hold_active", "  court=dc-dc", "  hold=h1"],
        ),
        (
            "recalled for an excluded vulnerability",
            "walk in_transit\nofficer.a vulnerability pregnant",
            &[
                "refused: ineligible",
                "  reasons=the vulnerability `pregnant` is excluded",
            ],
        ),
        (
            "withdrawn for an excluded vulnerability",
            "walk accepted\nofficer.a vulnerability torture_survivor",
            &[
                "refused: ineligible",
                "  reasons=the vulnerability `torture_survivor` is excluded",
            ],
        ),
        (
            "expired",
            "walk accepted\nwait 31d\nadmin.i tick",
            &[
                "refused: transfer_deadline_passed",
                "  deadline=2025-07-02T09:00:00Z",
            ],
        ),
        (
            "protected",
            "walk protected",
            &["refused: protection_found"],
        ),
    ];
    let commands = [
        "officer.a notice",
        "officer.a claim",
        "judge.d decide granted",
        "officer.a request",
        "receiver.e approve",
        "super.x approve",
        "receiver.e refuse no_capacity",
        "officer.a extend imprisonment",
        "officer.a schedule +10d",
        "officer.a depart",
        "receiver.e arrive",
        "officer.a vulnerability disability",
        "receiver.e lodge",
        "receiver.e decide-claim granted",
        "receiver.e appeal",
        "receiver.e onward USA",
        "receiver.e return",
        "receiver.e settle",
        "receiver.e unknown",
        "receiver.e known",
        "monitor.g welfare well",
        "officer.a withdraw change_of_plan",
    ];
    for (name, setup, expected) in setups {
        for command in commands {
            let script = format!("{setup}\nwait 1m\n{command}");
            let actual = run_script(&script);
            let last = actual.rsplit("> ").next().unwrap_or_default();
            for line in expected {
                assert!(
                    last.lines().any(|shown| shown == *line),
                    "{name}, `{command}`: expected `{line}` in\n{last}"
                );
            }
            assert!(
                last.contains("recorded: safeguard_triggered"),
                "{name}, `{command}`: not recorded\n{last}"
            );
        }
        let erased = run_script(&format!("{setup}\nwait 1m\nadmin.i erase"));
        assert!(
            erased.contains("accepted: personal_data_erased"),
            "{name}: {erased}"
        );
        let validated = run_script(&format!("{setup}\nwait 1m\nclerk.f validate"));
        assert!(
            validated.contains("refused: invalid_input"),
            "{name}: {validated}"
        );
    }
}

// ----- a fear learnt after proposal ---------------------------------------------------------

/// A fear learnt after proposal is recorded (by the officer, counsel, the monitor, or the
/// receiving state after arrival) and binds every later onward decision.
#[test]
fn a_fear_learnt_later_binds_onward_decisions() {
    check(
        "
        terms onward=any
        walk arrived counsel=counsel.c
        ? receiver.e fear CUB
        receiver.e onward CUB
        monitor.g fear CAN
        receiver.e onward CAN
        counsel.c fear CAN
        public.j fear MEX
        ",
        "
        > receiver.e fear CUB
        accepted: fear_recorded
        status: arrived
        > receiver.e onward CUB
        refused: onward_destination_prohibited
          destination=CUB
          reason=the person fears persecution or harm there
        recorded: safeguard_triggered
        status: arrived
        > receiver.e onward CAN
        refused: onward_destination_prohibited
          destination=CAN
          reason=the person fears persecution or harm there
        recorded: safeguard_triggered
        status: arrived
        > counsel.c fear CAN
        refused: invalid_input
          field=country
          reason=a fear of Canada (CAN) is already recorded
        status: arrived
        > public.j fear MEX
        refused: not_permitted
          command=record_fear
          reason=only sending_officer or sending_supervisor may
          role=public
        status: arrived
        ",
    );
}

/// A fear of the receiving state itself, learnt at any time, stops the transfer until a
/// protection screening has decided after it; the receiving state records fears only after
/// arrival.
#[test]
fn a_fear_of_the_receiving_state_stops_the_transfer_until_screened() {
    check(
        "
        walk scheduled counsel=counsel.c
        receiver.e fear RWA
        counsel.c fear RWA
        wait 6d
        officer.a depart
        officer.a claim
        judge.d decide denied
        super.b approve
        officer.a schedule +1h
        wait 1h
        ? officer.a depart
        ",
        "
        > receiver.e fear RWA
        refused: invalid_state
          command=record_fear
          status=scheduled
        status: scheduled
        > officer.a depart
        refused: fear_not_screened
          country=RWA
        recorded: safeguard_triggered
        status: scheduled
        > officer.a depart
        accepted: departed
        status: in_transit
        ",
    );
}

// ----- age is a fact ------------------------------------------------------------------------

/// Under terms that exclude minors as a vulnerability (with no minimum age), a person whose
/// birth date makes them a minor on the day of the proposal is ineligible without anyone
/// recording `minor`; the day they turn 18 they are not.
#[test]
fn minority_follows_from_the_birth_date() {
    check(
        "
        terms age=none vulnerabilities=minor
        officer.a propose born=2009-01-01
        officer.a propose born=2007-06-03
        ? officer.a propose born=2007-06-02
        ",
        "
        > officer.a propose born=2009-01-01
        refused: ineligible
          reasons=the person is 16 and minors (`minor`) are excluded
        > officer.a propose born=2007-06-03
        refused: ineligible
          reasons=the person is 17 and minors (`minor`) are excluded
        > officer.a propose born=2007-06-02
        accepted: case_proposed
        status: proposed
        ",
    );
}

/// A disputed age protects the person until it is decided: the younger age binds request,
/// schedule and departure; an assessment decides it; and a person who was a minor on the day of
/// the proposal is not made eligible by waiting.
#[test]
fn a_disputed_age_protects_the_person_until_decided() {
    check(
        "
        walk accepted born=2007-01-01 counsel=counsel.c
        counsel.c age-dispute 2008-01-01
        counsel.c age-dispute 2008-02-01
        wait 6d
        officer.a schedule +1h
        judge.d age-decide 2008-01-01
        wait 400d
        officer.a schedule +1h
        ",
        "
        > counsel.c age-dispute 2008-02-01
        refused: invalid_input
          field=case
          reason=the person's age is already disputed and not yet decided
        status: accepted
        > officer.a schedule +1h
        refused: ineligible
          reasons=the person is 17 by the birth date they give, which binds while their age is disputed, and the minimum age is 18
        recorded: safeguard_triggered
        status: accepted
        > officer.a schedule +1h
        refused: ineligible
          reasons=the person is 17 by the age assessment and the minimum age is 18
        recorded: safeguard_triggered
        status: accepted
        ",
    );
    check(
        "
        walk scheduled born=2007-01-01
        officer.a age-dispute 2007-07-01
        wait 6d
        officer.a depart
        judge.d age-decide 2007-01-01
        ? officer.a depart
        judge.d age-decide 2007-01-01
        officer.a age-dispute 2030-01-01
        ",
        "
        > officer.a depart
        refused: ineligible
          reasons=the person is 17 by the birth date they give, which binds while their age is disputed, and the minimum age is 18
        recorded: safeguard_triggered
        status: scheduled
        > officer.a depart
        accepted: departed
        status: in_transit
        > judge.d age-decide 2007-01-01
        refused: invalid_state
          command=decide_age
          status=in_transit
        status: in_transit
        > officer.a age-dispute 2030-01-01
        refused: invalid_state
          command=dispute_age
          status=in_transit
        status: in_transit
        ",
    );
}

/// An order dated before the last step of a case it would pull is refused without naming that
/// case or its moment: the clerk may not know it exists.
#[test]
fn a_backdated_order_does_not_name_the_case_it_would_pull() {
    check(
        "
        walk scheduled nat=VEN
        wait 1h
        officer.a fear CUB
        back 30m
        clerk.f hold nat=VEN
        ",
        "
        > clerk.f hold nat=VEN
        refused: time_before_recorded
          at=2025-06-02T09:30:00Z
          stream=another stream this step reads or writes
        status: scheduled
        ",
    );
}
