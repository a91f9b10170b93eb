//! The authorization matrix: every action × every role × own/other party, decided by the shipped
//! policies and compared with the table below, written by hand from docs/domain.md §2.
//!
//! Each cell is `own/other`: `A` allowed, `-` denied. "Own" and "other" are described in
//! [`crate::fixture::Side`]: for state officials their state is (or is not) the agreement's sending
//! state; a receiving officer's case is (or is not yet) requested of their state, and their
//! agreement is (or is not) one their state receives under; counsel's case is (or is not) their
//! client's; a monitor's body is (or is not) the agreement's; a clerk's court
//! made (or did not make) the hold. Public and admin belong to no party, so their two sides agree.

use std::collections::BTreeSet;

use corridor_authz::{Action, Authz};
use corridor_domain::Role;

use crate::fixture::{Side, principal, resource};

const EXPECTED: &str = "
action                      sending_officer sending_supervisor adjudicator receiving_officer court_clerk counsel monitor public admin   auditor
list_agreements             A/A             A/A                A/A         A/A               A/A         A/A     A/A     A/A    A/A     A/A
read_agreement              A/A             A/A                A/A         A/A               A/A         A/A     A/A     A/A    A/A     A/A
load_agreement              -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
amend_agreement             -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
change_agreement_status     -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
list_cases                  A/-             A/-                A/-         A/-               A/A         -/-     A/-     -/-    -/-     -/-
read_case                   A/-             A/-                A/-         A/-               A/-         A/-     A/-     -/-    -/-     -/-
read_history                A/-             A/-                A/-         -/-               -/-         A/-     A/-     -/-    -/-     -/-
read_access_records         -/-             -/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     A/A
read_committee_report       -/-             A/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     -/-
read_public_report          A/A             A/A                A/A         A/A               A/A         A/A     A/A     A/A    A/A     A/A
read_statistics             A/A             A/A                A/A         A/A               A/A         A/A     A/A     A/A    A/A     A/A
publish_statistics          -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
propose                     A/-             A/-                -/-         -/-               -/-         -/-     -/-     -/-    -/-     -/-
serve_notice                A/-             A/-                -/-         -/-               -/-         -/-     -/-     -/-    -/-     -/-
claim_protection            A/-             A/-                -/-         -/-               -/-         A/-     -/-     -/-    -/-     -/-
decide_protection           -/-             -/-                A/-         -/-               -/-         -/-     -/-     -/-    -/-     -/-
request_transfer            A/-             A/-                -/-         -/-               -/-         -/-     -/-     -/-    -/-     -/-
approve                     -/-             A/-                -/-         A/-               -/-         -/-     -/-     -/-    -/-     -/-
refuse                      -/-             -/-                -/-         A/-               -/-         -/-     -/-     -/-    -/-     -/-
extend_deadline             A/-             A/-                -/-         -/-               -/-         -/-     -/-     -/-    -/-     -/-
schedule                    A/-             A/-                -/-         -/-               -/-         -/-     -/-     -/-    -/-     -/-
depart                      A/-             A/-                -/-         -/-               -/-         -/-     -/-     -/-    -/-     -/-
arrive                      -/-             -/-                -/-         A/-               -/-         -/-     -/-     -/-    -/-     -/-
record_vulnerability        A/-             A/-                -/-         A/-               -/-         -/-     A/-     -/-    -/-     -/-
record_fear                 A/-             A/-                -/-         A/-               -/-         A/-     A/-     -/-    -/-     -/-
dispute_age                 A/-             A/-                -/-         -/-               -/-         A/-     A/-     -/-    -/-     -/-
decide_age                  -/-             -/-                A/-         -/-               -/-         -/-     -/-     -/-    -/-     -/-
lodge_receiving_claim       -/-             -/-                -/-         A/-               -/-         -/-     -/-     -/-    -/-     -/-
decide_receiving_claim      -/-             -/-                -/-         A/-               -/-         -/-     -/-     -/-    -/-     -/-
lodge_appeal                -/-             -/-                -/-         A/-               -/-         -/-     -/-     -/-    -/-     -/-
onward                      -/-             -/-                -/-         A/-               -/-         -/-     -/-     -/-    -/-     -/-
return                      -/-             -/-                -/-         A/-               -/-         -/-     -/-     -/-    -/-     -/-
settle                      -/-             -/-                -/-         A/-               -/-         -/-     -/-     -/-    -/-     -/-
report_whereabouts_unknown  -/-             -/-                -/-         A/-               -/-         -/-     A/-     -/-    -/-     -/-
report_whereabouts_known    -/-             -/-                -/-         A/-               -/-         -/-     A/-     -/-    -/-     -/-
record_welfare_check        -/-             -/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     -/-
validate_detention          -/-             -/-                -/-         -/-               A/A         -/-     -/-     -/-    -/-     -/-
withdraw                    A/-             A/-                -/-         -/-               -/-         -/-     -/-     -/-    -/-     -/-
erase                       -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
register_hold               -/-             -/-                -/-         -/-               A/-         -/-     -/-     -/-    -/-     -/-
stay_hold                   -/-             -/-                -/-         -/-               A/-         -/-     -/-     -/-    -/-     -/-
reactivate_hold             -/-             -/-                -/-         -/-               A/-         -/-     -/-     -/-    -/-     -/-
amend_hold                  -/-             -/-                -/-         -/-               A/-         -/-     -/-     -/-    -/-     -/-
vacate_hold                 -/-             -/-                -/-         -/-               A/-         -/-     -/-     -/-    -/-     -/-
list_holds                  A/A             A/A                A/A         -/-               A/A         -/-     -/-     -/-    -/-     -/-
read_hold                   A/-             A/-                A/-         -/-               A/-         -/-     -/-     -/-    -/-     -/-
schedule_visit              -/-             -/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     -/-
record_visit                -/-             -/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     -/-
read_visits                 A/-             A/-                -/-         A/-               -/-         -/-     A/-     -/-    -/-     -/-
record_finding              -/-             -/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     -/-
respond_to_finding          A/-             A/-                -/-         A/-               -/-         -/-     -/-     -/-    -/-     -/-
close_finding               -/-             -/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     -/-
read_findings               A/-             A/-                -/-         A/-               -/-         -/-     A/-     -/-    -/-     -/-
read_monitoring_queue       -/-             -/-                -/-         -/-               -/-         -/-     A/A     -/-    -/-     -/-
tick                        -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
check                       -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
read_log                    A/A             A/A                A/A         A/A               A/A         A/A     A/A     A/A    A/A     A/A
cosign_checkpoint           -/-             -/-                -/-         -/-               -/-         -/-     A/A     -/-    -/-     -/-
list_users                  -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
add_user                    -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
disable_user                -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
set_user_role               -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
issue_token                 -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    -/-     -/-
revoke_token                -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
set_language                -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    -/-     -/-
manage_keys                 -/-             -/-                -/-         -/-               -/-         -/-     -/-     -/-    A/A     -/-
lodge_complaint             -/-             -/-                -/-         -/-               -/-         -/-     -/-     A/A    -/-     -/-
list_complaints             -/-             -/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     -/-
read_complaint              -/-             -/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     -/-
review_complaint            -/-             -/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     -/-
link_complaint              -/-             -/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     -/-
erase_complaint             -/-             -/-                -/-         -/-               -/-         -/-     A/-     -/-    -/-     -/-
";

/// The matrix as the shipped policies decide it, rendered in the layout of [`EXPECTED`].
fn decided_matrix() -> anyhow::Result<String> {
    let authz = Authz::load()?;
    let mut out = String::from("\naction                     ");
    for role in Role::ALL {
        out.push_str(&format!(" {role}"));
    }
    out.push('\n');
    for action in Action::ALL {
        out.push_str(&format!("{:<27}", action.as_str()));
        for role in Role::ALL {
            let mut cell = Vec::new();
            for side in [Side::Own, Side::Other] {
                let decision = authz.decide(
                    &principal(role, side)?,
                    *action,
                    &resource(action.resource_kind(), role, side)?,
                );
                anyhow::ensure!(
                    decision.errors.is_empty(),
                    "{action} by {role}: {:?}",
                    decision.errors
                );
                cell.push(if decision.allowed { "A" } else { "-" });
            }
            out.push_str(&format!(
                " {:<width$}",
                cell.join("/"),
                width = role.as_str().len()
            ));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    Ok(out)
}

/// The table's rows, each as its whitespace-separated words.
fn words(table: &str) -> Vec<Vec<&str>> {
    table
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.split_whitespace().collect())
        .collect()
}

/// Proves every action × role × own/other decision of the shipped policies is the hand-written one.
#[test]
fn matrix_matches_the_expected_table() -> anyhow::Result<()> {
    let decided = decided_matrix()?;
    println!("{decided}");
    let (expected_rows, decided_rows) = (words(EXPECTED), words(&decided));
    let mismatches: Vec<String> = expected_rows
        .iter()
        .zip(&decided_rows)
        .filter(|(expected, decided)| expected != decided)
        .map(|(expected, decided)| {
            format!(
                "expected {}\n decided {}",
                expected.join(" "),
                decided.join(" ")
            )
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "the matrix differs from the table:\n{}",
        mismatches.join("\n")
    );
    assert_eq!(
        expected_rows.len(),
        decided_rows.len(),
        "the table and the matrix have different row counts"
    );
    Ok(())
}

/// Proves the table covers every Action variant and every role, and names nothing that does not exist.
#[test]
fn table_covers_every_action_and_role() {
    let rows = words(EXPECTED);
    let header: Vec<&str> = rows
        .first()
        .map(|row| row.iter().skip(1).copied().collect())
        .unwrap_or_default();
    let roles: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
    assert_eq!(
        header, roles,
        "the table's columns must be every role, in Role::ALL order"
    );

    let in_table: Vec<&str> = rows
        .iter()
        .skip(1)
        .filter_map(|row| row.first().copied())
        .collect();
    let in_code: Vec<&str> = Action::ALL.iter().map(|action| action.as_str()).collect();
    let missing: Vec<&&str> = in_code
        .iter()
        .filter(|action| !in_table.contains(action))
        .collect();
    let unknown: Vec<&&str> = in_table
        .iter()
        .filter(|action| !in_code.contains(action))
        .collect();
    assert!(
        missing.is_empty(),
        "actions missing from the table: {missing:?}"
    );
    assert!(unknown.is_empty(), "rows naming no action: {unknown:?}");
    assert_eq!(
        in_table, in_code,
        "rows must follow Action::ALL order, once each"
    );
    for row in rows.iter().skip(1) {
        assert_eq!(
            row.len(),
            roles.len() + 1,
            "row `{}` needs one cell per role",
            row.join(" ")
        );
    }
    assert_eq!(
        in_table.iter().collect::<BTreeSet<_>>().len(),
        Action::ALL.len()
    );
}

#[test]
fn tokens_are_issued_by_their_own_user_only() {
    // Proves `self-tokens`: every role may issue and revoke its own tokens, nobody (not even
    // the admin) may issue one for another user, and the admin may still revoke anyone's.
    let authz = Authz::load().expect("the shipped policies load");
    for role in [
        Role::SendingOfficer,
        Role::SendingSupervisor,
        Role::Adjudicator,
        Role::ReceivingOfficer,
        Role::CourtClerk,
        Role::Counsel,
        Role::Monitor,
        Role::Admin,
    ] {
        let me = principal(role, Side::Own).expect("a principal");
        let own = corridor_authz::ResourceFacts::User(
            corridor_domain::UserId::parse(me.user()).expect("a user id"),
        );
        let other = corridor_authz::ResourceFacts::User(
            corridor_domain::UserId::parse("someone.else").expect("a user id"),
        );
        for action in [Action::IssueToken, Action::RevokeToken] {
            assert!(
                authz.decide(&me, action, &own).allowed,
                "{role:?} {action:?} own"
            );
        }
        assert!(
            !authz.decide(&me, Action::IssueToken, &other).allowed,
            "{role:?} issues for another user"
        );
        assert_eq!(
            authz.decide(&me, Action::RevokeToken, &other).allowed,
            role == Role::Admin,
            "{role:?} revokes another user's token"
        );
    }
}

#[test]
fn each_account_sets_only_its_own_language() {
    // Proves `self-language`: every role with an account may set its own interface language,
    // and nobody (not even the admin) may set another account's. The anonymous public has no
    // account (its principal names no user), so only the other account is asked of it.
    let authz = Authz::load().expect("the shipped policies load");
    for role in Role::ALL {
        let me = principal(role, Side::Own).expect("a principal");
        let other = corridor_authz::ResourceFacts::User(
            corridor_domain::UserId::parse("someone.else").expect("a user id"),
        );
        if role != Role::Public {
            let own = corridor_authz::ResourceFacts::User(
                corridor_domain::UserId::parse(me.user()).expect("a user id"),
            );
            assert!(
                authz.decide(&me, Action::SetLanguage, &own).allowed,
                "{role:?} sets its own language"
            );
        }
        assert!(
            !authz.decide(&me, Action::SetLanguage, &other).allowed,
            "{role:?} sets another account's language"
        );
    }
}

#[test]
fn remembered_decisions_equal_fresh_ones() {
    // Proves the memo changes no answer: every action × role × side decided twice through the
    // memo agrees with Cedar evaluating it afresh.
    let authz = Authz::load().expect("the shipped policies load");
    for &action in Action::ALL {
        for role in [
            Role::SendingOfficer,
            Role::ReceivingOfficer,
            Role::Counsel,
            Role::Monitor,
            Role::CourtClerk,
            Role::Public,
            Role::Admin,
        ] {
            for side in [Side::Own, Side::Other] {
                let principal = principal(role, side).expect("a principal");
                let facts = resource(action.resource_kind(), role, side).expect("a resource");
                let fresh = authz.decide_uncached(&principal, action, &facts);
                assert_eq!(authz.decide(&principal, action, &facts), fresh);
                assert_eq!(
                    authz.decide(&principal, action, &facts),
                    fresh,
                    "remembered"
                );
            }
        }
    }
}

#[test]
fn shipped_and_validated_policies_decide_alike() {
    // Proves a one-off command's policies (the shipped JSON form, each action's set built at its
    // first decision, no schema) decide every action × role × side exactly as the server's
    // (parsed from the texts, validated, every request checked against the schema): same answer,
    // same deciding policies, no errors on either side.
    let validated = Authz::load().expect("the shipped policies load");
    let shipped = Authz::load_shipped().expect("the shipped JSON form loads");
    for &action in Action::ALL {
        for role in Role::ALL {
            for side in [Side::Own, Side::Other] {
                let principal = principal(role, side).expect("a principal");
                let facts = resource(action.resource_kind(), role, side).expect("a resource");
                let expected = validated.decide_uncached(&principal, action, &facts);
                assert!(
                    expected.errors.is_empty(),
                    "{action} by {role}: {expected:?}"
                );
                assert_eq!(
                    shipped.decide_uncached(&principal, action, &facts),
                    expected,
                    "{action} by {role} ({side:?})"
                );
            }
        }
    }
}
