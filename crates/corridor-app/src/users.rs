//! The rules of user administration's inputs, whichever door they come through: a role an
//! account may hold, and the scopes of an API token.

use corridor_accounts::{SCOPE_EVERY_ACTION, Scope};
use corridor_authz::Action;
use corridor_domain::Role;

/// Parses a role name, listing the roles an account may hold when it is not one.
pub fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text)
        .filter(|role| *role != Role::Public)
        .ok_or_else(|| {
            let names: Vec<&str> = Role::ALL
                .iter()
                .filter(|role| **role != Role::Public)
                .map(|role| role.as_str())
                .collect();
            format!("`{text}` is not a role (one of: {})", names.join(", "))
        })
}

/// Parses token scopes: each a Cedar action name or `*`, named by its index when it is not.
pub fn parse_scopes(values: &[String]) -> Result<Vec<Scope>, (usize, String)> {
    values
        .iter()
        .enumerate()
        .map(|(index, value)| {
            if value != SCOPE_EVERY_ACTION && Action::parse(value).is_none() {
                let names: Vec<&str> = Action::ALL.iter().map(|action| action.as_str()).collect();
                return Err((
                    index,
                    format!(
                        "`{value}` is not an action (`{SCOPE_EVERY_ACTION}` or one of: {})",
                        names.join(", ")
                    ),
                ));
            }
            Scope::parse(value).map_err(|error| (index, error.to_string()))
        })
        .collect()
}
