//! The domain's role table and the Cedar policies say the same thing: for every command (each is
//! a Cedar action of the same name) and every role, the policies allow a principal of the right
//! party exactly when the table names the role, and one of another party exactly when the table
//! asks for no party (`PartyRule::Any`). The grid is [`crate::matrix`]'s: "own" and "other" sides
//! as [`crate::fixture::Side`] describes them.

use std::collections::BTreeSet;

use corridor_authz::{Action, Authz};
use corridor_domain::Role;
use corridor_domain::roles::{self, PartyRule, ROLE_TABLE};

use crate::fixture::{Side, principal, resource};

/// Proves the two role matrices cannot drift: a role added to, or removed from, either the table
/// or a policy, or a party condition changed on one side only, fails here.
#[test]
fn role_table_matches_the_policies() -> anyhow::Result<()> {
    let authz = Authz::load()?;
    let mut mismatches = Vec::new();
    for (name, _) in ROLE_TABLE {
        let action = Action::parse(name)
            .ok_or_else(|| anyhow::anyhow!("the role table names `{name}`, which is no action"))?;
        for role in Role::ALL {
            let rule = roles::may_ask(role, name);
            let expected = [rule.is_some(), rule == Some(PartyRule::Any)];
            let mut decided = [false; 2];
            for (cell, side) in decided.iter_mut().zip([Side::Own, Side::Other]) {
                let decision = authz.decide(
                    &principal(role, side)?,
                    action,
                    &resource(action.resource_kind(), role, side)?,
                );
                anyhow::ensure!(
                    decision.errors.is_empty(),
                    "{action} by {role}: {decision:?}"
                );
                *cell = decision.allowed;
            }
            if decided != expected {
                mismatches.push(format!(
                    "{name} by {role}: the table says {expected:?} (own, other), the policies {decided:?}"
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "the role table and the policies disagree:\n{}",
        mismatches.join("\n")
    );
    Ok(())
}

/// Every row of the table is one command, named once, that somebody may ask. (A command with no
/// row is refused to everyone by the decider, so its own tests fail.)
#[test]
fn role_table_names_each_command_once() {
    let names: Vec<&str> = ROLE_TABLE.iter().map(|(name, _)| *name).collect();
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(
        unique.len(),
        names.len(),
        "a command named twice: {names:?}"
    );
    for (name, askers) in ROLE_TABLE {
        assert!(!askers.is_empty(), "`{name}` has nobody who may ask it");
    }
}
