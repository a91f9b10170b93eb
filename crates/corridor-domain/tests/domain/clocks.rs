//! Every clock consequence, through `Command::Tick`, and the welfare schedule computed for the
//! time asked.
//!
//! The test agreement's reply deadline is 14 days, its transfer deadline 30 days (60 for
//! `imprisonment`), and its welfare checks are due 7 days (window 2 days) and 30 days (window 5
//! days) after arrival. Walked cases are requested and accepted at 2025-06-02T09:00:00Z and
//! arrive at 2025-06-07T09:00:00Z.

use crate::fixture::check;

/// Where silence accepts, the reply deadline accepts the person, dated at the deadline.
#[test]
fn silence_accepts() {
    check(
        "
        terms silence=yes
        walk requested
        wait 20d
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: accepted_by_receiving_state[silence] @2025-06-16T09:00:00Z
        status: accepted
        ",
    );
}

/// Where silence does not accept, the request lapses at the deadline, not a minute before.
#[test]
fn request_lapses() {
    check(
        "
        walk requested
        wait 13d23h
        ? admin.i tick
        wait 1h
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: nothing
        status: requested
        > admin.i tick
        accepted: request_lapsed
        status: noticed
        ",
    );
}

/// An answer after the reply deadline is refused even before a tick records the consequence.
#[test]
fn answer_after_reply_deadline() {
    check(
        "
        walk requested
        wait 15d
        receiver.e approve
        receiver.e refuse no_capacity
        admin.i tick
        ",
        "
        > receiver.e approve
        refused: invalid_input
          field=case
          reason=the reply deadline passed at 2025-06-16T09:00:00Z, so the request lapsed
        status: requested
        > receiver.e refuse no_capacity
        refused: invalid_input
          field=case
          reason=the reply deadline passed at 2025-06-16T09:00:00Z, so the request lapsed
        status: requested
        > admin.i tick
        accepted: request_lapsed @2025-06-16T09:00:00Z
        status: noticed
        ",
    );
    check(
        "
        terms silence=yes
        walk requested
        wait 15d
        receiver.e refuse no_capacity
        admin.i tick
        ",
        "
        > receiver.e refuse no_capacity
        refused: invalid_input
          field=case
          reason=the reply deadline passed at 2025-06-16T09:00:00Z, so silence accepted the person
        status: requested
        > admin.i tick
        accepted: accepted_by_receiving_state[silence] @2025-06-16T09:00:00Z
        status: accepted
        ",
    );
}

/// The transfer deadline expires accepted and scheduled cases alike; an extension moves it.
#[test]
fn transfer_deadline_expires() {
    check(
        "
        walk accepted
        wait 40d
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: transfer_deadline_expired @2025-07-02T09:00:00Z
        status: expired
        ",
    );
    check(
        "
        walk scheduled
        wait 40d
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: transfer_deadline_expired @2025-07-02T09:00:00Z
        status: expired
        ",
    );
    check(
        "
        walk accepted
        officer.a extend imprisonment
        wait 40d
        ? admin.i tick
        wait 25d
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: nothing
        status: accepted
        > admin.i tick
        accepted: transfer_deadline_expired @2025-08-01T09:00:00Z
        status: expired
        ",
    );
}

/// One tick runs consequences in order: silence accepts, then the transfer deadline expires.
#[test]
fn consequences_chain_in_one_tick() {
    check(
        "
        terms silence=yes
        walk requested
        wait 50d
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: accepted_by_receiving_state[silence] @2025-06-16T09:00:00Z, transfer_deadline_expired @2025-07-16T09:00:00Z
        status: expired
        ",
    );
}

/// One tick acts on every case whose clock ran out, and on no other.
#[test]
fn tick_acts_on_every_due_case() {
    check(
        "
        walk requested
        walk accepted
        wait 3d
        walk requested
        wait 12d
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: request_lapsed(c1) @2025-06-16T09:00:00Z
        status: requested
        ",
    );
}

/// Ticking again emits nothing new.
#[test]
fn ticking_twice_emits_nothing_new() {
    check(
        "
        walk requested
        walk accepted
        wait 40d
        ? admin.i tick
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: transfer_deadline_expired @2025-07-02T09:00:00Z, request_lapsed(c1) @2025-06-16T09:00:00Z
        status: expired
        > admin.i tick
        accepted: nothing
        status: expired
        ",
    );
}

/// The support period ends at its deadline after arrival.
#[test]
fn support_period_ends() {
    check(
        "
        terms support=90d
        walk arrived
        wait 89d
        ? admin.i tick
        wait 10d
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: nothing
        status: arrived
        > admin.i tick
        accepted: support_period_ended @2025-09-05T09:00:00Z
        status: arrived (support ended)
        ",
    );
}

/// Detention lapses unless validated in time; a late validation is refused even before a tick.
#[test]
fn detention_validation() {
    check(
        "
        terms detention=48h
        walk arrived
        wait 3d
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: detention_validation_lapsed @2025-06-09T09:00:00Z
        status: arrived (detention lapsed)
        ",
    );
    check(
        "
        terms detention=48h
        walk arrived
        wait 47h
        ? clerk.f validate
        wait 3d
        admin.i tick
        ",
        "
        > clerk.f validate
        accepted: detention_validated
        status: arrived (detention validated)
        > admin.i tick
        accepted: nothing
        status: arrived (detention validated)
        ",
    );
    check(
        "
        terms detention=48h
        walk arrived
        wait 49h
        clerk.f validate
        admin.i tick
        ",
        "
        > clerk.f validate
        refused: invalid_input
          field=case
          reason=detention of c1 had to be validated by 2025-06-09T09:00:00Z, so it has lapsed
        status: arrived (detention pending)
        > admin.i tick
        accepted: detention_validation_lapsed @2025-06-09T09:00:00Z
        status: arrived (detention lapsed)
        ",
    );
}

/// Clocks stop when the case leaves the stage they guard.
#[test]
fn clocks_stop_with_the_stage() {
    check(
        "
        terms support=90d detention=48h
        walk returned
        wait 200d
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: nothing
        status: returned (detention pending)
        ",
    );
    check(
        "
        walk requested
        officer.a withdraw officer_decision
        wait 40d
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: nothing
        status: withdrawn
        ",
    );
}

/// The welfare schedule is computed for the time asked: upcoming, due, then overdue.
#[test]
fn welfare_schedule_over_time() {
    check(
        "
        walk arrived
        ? show welfare
        wait 7d
        ? show welfare
        wait 2d1m
        show welfare
        ",
        "
        > show welfare
        welfare at 2025-06-07T09:00:00Z:
          due 2025-06-14T09:00:00Z until 2025-06-16T09:00:00Z: upcoming
          due 2025-07-07T09:00:00Z until 2025-07-12T09:00:00Z: upcoming
        status: arrived
        > show welfare
        welfare at 2025-06-14T09:00:00Z:
          due 2025-06-14T09:00:00Z until 2025-06-16T09:00:00Z: due
          due 2025-07-07T09:00:00Z until 2025-07-12T09:00:00Z: upcoming
        status: arrived
        > show welfare
        welfare at 2025-06-16T09:01:00Z:
          due 2025-06-14T09:00:00Z until 2025-06-16T09:00:00Z: overdue
          due 2025-07-07T09:00:00Z until 2025-07-12T09:00:00Z: upcoming
        status: arrived
        ",
    );
}

/// A check within an item's window marks it done; after the person leaves, open items end.
#[test]
fn welfare_checks_done() {
    check(
        "
        walk arrived
        wait 6d
        monitor.g welfare well
        wait 14d
        monitor.g welfare concerns
        wait 20d
        show welfare
        ",
        "
        > show welfare
        welfare at 2025-07-17T09:00:00Z:
          due 2025-06-14T09:00:00Z until 2025-06-16T09:00:00Z: done at 2025-06-13T09:00:00Z
          due 2025-07-07T09:00:00Z until 2025-07-12T09:00:00Z: overdue
        status: arrived
        ",
    );
    check(
        "
        walk arrived
        wait 6d
        monitor.g welfare well
        receiver.e return
        wait 40d
        show welfare
        ",
        "
        > show welfare
        welfare at 2025-07-23T09:00:00Z:
          due 2025-06-14T09:00:00Z until 2025-06-16T09:00:00Z: done at 2025-06-13T09:00:00Z
          due 2025-07-07T09:00:00Z until 2025-07-12T09:00:00Z: ended
        status: returned
        ",
    );
}

// ----- the years after arrival ---------------------------------------------------------------

/// A recurring schedule every 10 days from 10 days after arrival (2025-06-07T09:00:00Z), each
/// check with a window of 2 days either side of its due time, and no one-off checks.
const SCHEDULE: &str = "terms welfare=none schedule=10d:10d:100d:2d";

/// A check in a window's first second and one in its last second count; one second before the
/// window opens or after it closes does not.
#[test]
fn welfare_window_edges() {
    check(
        &format!(
            "
            {SCHEDULE}
            walk arrived
            wait until 2025-06-15T08:59:59Z
            monitor.g welfare seen_well
            wait 1s
            monitor.g welfare seen_well
            wait until 2025-06-29T09:00:00Z
            monitor.g welfare seen_with_concerns
            wait until 2025-07-09T09:00:01Z
            monitor.g welfare refused_contact
            wait until 2025-07-10T00:00:00Z
            show welfare
            "
        ),
        "
        > show welfare
        welfare at 2025-07-10T00:00:00Z:
          due 2025-06-17T09:00:00Z until 2025-06-19T09:00:00Z: done at 2025-06-15T09:00:00Z
          due 2025-06-27T09:00:00Z until 2025-06-29T09:00:00Z: done at 2025-06-29T09:00:00Z
          due 2025-07-07T09:00:00Z until 2025-07-09T09:00:00Z: overdue
          due 2025-07-17T09:00:00Z until 2025-07-19T09:00:00Z: upcoming
          due 2025-07-27T09:00:00Z until 2025-07-29T09:00:00Z: upcoming
          due 2025-08-06T09:00:00Z until 2025-08-08T09:00:00Z: upcoming
          due 2025-08-16T09:00:00Z until 2025-08-18T09:00:00Z: upcoming
          due 2025-08-26T09:00:00Z until 2025-08-28T09:00:00Z: upcoming
          due 2025-09-05T09:00:00Z until 2025-09-07T09:00:00Z: upcoming
          due 2025-09-15T09:00:00Z until 2025-09-17T09:00:00Z: upcoming
        status: arrived
        ",
    );
}

/// Three checks missed in a row raise one alert, in the first second after the third window
/// closes; a fourth missed check in the same run raises none.
#[test]
fn three_missed_checks_raise_one_alert() {
    check(
        &format!(
            "
            {SCHEDULE}
            walk arrived
            wait until 2025-07-09T09:00:00Z
            ? admin.i tick
            wait 1s
            ? admin.i tick
            wait until 2025-07-19T09:00:01Z
            ? admin.i tick
            wait 30d
            admin.i tick
            "
        ),
        "
        > admin.i tick
        accepted: nothing
        status: arrived
        > admin.i tick
        accepted: monitor_alert_raised[missed_checks 3 since 2025-06-17T09:00:00Z]
        status: arrived
        > admin.i tick
        accepted: nothing
        status: arrived
        > admin.i tick
        accepted: nothing
        status: arrived
        ",
    );
}

/// Two missed, then seen, then one missed: no alert. The run starts again after the person is
/// seen, and a person not found counts as missed: three more raise a new alert.
#[test]
fn a_check_that_finds_the_person_ends_the_run() {
    check(
        &format!(
            "
            {SCHEDULE}
            walk arrived
            wait until 2025-07-07T09:00:00Z
            monitor.g welfare seen_well
            wait until 2025-07-19T09:00:01Z
            ? admin.i tick
            wait until 2025-07-28T09:00:00Z
            monitor.g welfare not_found
            wait until 2025-08-08T09:00:01Z
            admin.i tick
            "
        ),
        "
        > admin.i tick
        accepted: nothing
        status: arrived
        > admin.i tick
        accepted: monitor_alert_raised[missed_checks 3 since 2025-07-17T09:00:00Z]
        status: arrived
        ",
    );
}

/// Whereabouts unknown for exactly the terms' period raise nothing; one second longer raises
/// one alert, once. Found and lost again, a new episode raises a new one.
#[test]
fn whereabouts_unknown_longer_than_the_terms_allow() {
    check(
        "
        terms welfare=none whereabouts=30d
        walk arrived
        wait until 2025-06-10T09:00:00Z
        receiver.e unknown
        wait until 2025-07-10T09:00:00Z
        ? admin.i tick
        wait 1s
        ? admin.i tick
        wait 5d
        ? admin.i tick
        receiver.e known
        wait 1d
        receiver.e unknown
        wait 30d1s
        admin.i tick
        ",
        "
        > admin.i tick
        accepted: nothing
        status: whereabouts_unknown
        > admin.i tick
        accepted: monitor_alert_raised[whereabouts_unknown since 2025-06-10T09:00:00Z]
        status: whereabouts_unknown
        > admin.i tick
        accepted: nothing
        status: whereabouts_unknown
        > admin.i tick
        accepted: monitor_alert_raised[whereabouts_unknown since 2025-07-16T09:00:01Z]
        status: whereabouts_unknown
        ",
    );
}

/// Without a monitoring body named in the terms, nobody would read an alert: none is raised.
#[test]
fn no_alert_without_a_monitoring_body() {
    check(
        &format!(
            "
            {SCHEDULE} monitoring=none whereabouts=1d
            walk arrived
            receiver.e unknown
            wait 60d
            admin.i tick
            "
        ),
        "
        > admin.i tick
        accepted: nothing
        status: whereabouts_unknown
        ",
    );
}

/// The status in the years after arrival, computed when asked: months since arrival, checks
/// done, missed (a person not found counts as missed once the window closes), due and upcoming,
/// the whereabouts and since when, and the end of the support period.
#[test]
fn aftercare_status_over_time() {
    check(
        &format!(
            "
            {SCHEDULE} support=1y
            walk arrived
            ? show aftercare
            wait until 2025-06-16T09:00:00Z
            monitor.g welfare not_found
            wait until 2025-06-27T09:00:00Z
            monitor.g welfare seen_well
            wait until 2025-07-08T09:00:00Z
            ? show aftercare
            receiver.e unknown
            wait until 2025-08-07T12:00:00Z
            show aftercare
            "
        ),
        "
        > show aftercare
        aftercare at 2025-06-07T09:00:00Z: 0 months; done 0 missed 0 (in a row 0) due 0 upcoming 10; whereabouts known since 2025-06-07T09:00:00Z
          support ends 2026-06-07T09:00:00Z
        status: arrived
        > show aftercare
        aftercare at 2025-07-08T09:00:00Z: 1 months; done 1 missed 1 (in a row 0) due 1 upcoming 7; whereabouts known since 2025-06-27T09:00:00Z
          support ends 2026-06-07T09:00:00Z
        status: arrived
        > show aftercare
        aftercare at 2025-08-07T12:00:00Z: 2 months; done 1 missed 4 (in a row 3) due 1 upcoming 4; whereabouts unknown since 2025-07-08T09:00:00Z
          support ends 2026-06-07T09:00:00Z
        status: whereabouts_unknown
        ",
    );
}
