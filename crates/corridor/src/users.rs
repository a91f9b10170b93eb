//! A simulation's users file: who may act, in which role, for whom.
//!
//! In a simulation the CLI takes `--as USER` and looks the user up among the accounts in the
//! database first (`corridor user …`, `user_cmd.rs`), then here: a file suits the demo and
//! scripted tests. A name that is an account never falls back to the file, so disabling the
//! account stops it on the command line too. A real deployment never reads the file: anyone who
//! can edit it could name themselves anything (`identity.rs`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, bail};
use corridor_domain::{Actor, Party, Role, UserId};
use serde::Deserialize;

/// Most users one file may list.
pub const USERS_MAX: usize = 10_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    #[serde(default, rename = "user")]
    users: Vec<UserEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    name: String,
    role: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    court: Option<String>,
    #[serde(default)]
    monitoring_body: Option<String>,
    #[serde(default)]
    disabled: bool,
}

/// The users, by name.
#[derive(Debug, Default)]
pub struct Users {
    actors: BTreeMap<UserId, Actor>,
}

impl Users {
    /// Reads and validates a users file, naming the entry and field of any error.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "cannot read the users file `{}` (create one with `corridor init`)",
                path.display()
            )
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses a users file's text.
    pub fn parse(file: &str, text: &str) -> anyhow::Result<Self> {
        let parsed: UsersFile =
            toml::from_str(text).map_err(|error| anyhow::anyhow!("{file}: {error}"))?;
        if parsed.users.len() > USERS_MAX {
            bail!("{file}: more than {USERS_MAX} users");
        }
        let mut users = Self::default();
        for (index, entry) in parsed.users.into_iter().enumerate() {
            let place = format!("{file}: user[{index}] (`{}`)", entry.name);
            let user = UserId::parse(&entry.name)
                .map_err(|error| anyhow::anyhow!("{place}: `name`: {error}"))?;
            let role = Role::parse(&entry.role).with_context(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
                format!(
                    "{place}: `role`: `{}` is not a role (one of: {})",
                    entry.role,
                    names.join(", ")
                )
            })?;
            let party = party_of(&place, role, &entry)?;
            if entry.disabled {
                continue;
            }
            if users
                .actors
                .insert(user.clone(), Actor { user, role, party })
                .is_some()
            {
                bail!("{place}: `name`: listed twice");
            }
        }
        Ok(users)
    }

    /// The names of the enabled counsel in the file.
    pub fn counsel(&self) -> std::collections::BTreeSet<UserId> {
        self.actors
            .values()
            .filter(|actor| actor.role == Role::Counsel)
            .map(|actor| actor.user.clone())
            .collect()
    }

    /// Every enabled user, in name order.
    pub fn actors(&self) -> impl Iterator<Item = &Actor> {
        self.actors.values()
    }

    /// The actor for a user name.
    pub fn actor(&self, name: &str) -> anyhow::Result<Actor> {
        let id = UserId::parse(name).map_err(anyhow::Error::msg)?;
        self.actors
            .get(&id)
            .cloned()
            .with_context(|| format!("there is no enabled user `{name}` in the users file"))
    }
}

/// The entry's party, by the domain's one rule for every way of naming a user's party
/// ([`Party::from_fields`], the function the accounts use too).
fn party_of(place: &str, role: Role, entry: &UserEntry) -> anyhow::Result<Party> {
    Party::from_fields(
        role,
        entry.state.as_deref(),
        entry.court.as_deref(),
        entry.monitoring_body.as_deref(),
    )
    .map_err(|error| anyhow::anyhow!("{place}: `{}`: {}", error.field, error.message))
}

/// The text of a new users file with a first admin and, optionally, example accounts.
pub fn initial_file(admin: &str, examples: bool) -> String {
    let mut text = format!(
        "# corridor users: one [[user]] per account. Roles: sending_officer, sending_supervisor,\n\
         # adjudicator, receiving_officer, court_clerk, counsel, monitor, public, admin.\n\
         # State roles need `state = \"ISO3\"`; clerks `court = \"…\"`; monitors `monitoring_body = \"…\"`.\n\n\
         [[user]]\nname = \"{admin}\"\nrole = \"admin\"\n"
    );
    if examples {
        text.push_str(EXAMPLE_USERS);
    }
    text
}

/// Synthetic accounts for trying corridor with the shipped United States–Rwanda file.
const EXAMPLE_USERS: &str = r#"
# Synthetic example accounts (no real persons).
[[user]]
name = "officer.ada"
role = "sending_officer"
state = "USA"

[[user]]
name = "supervisor.ben"
role = "sending_supervisor"
state = "USA"

[[user]]
name = "adjudicator.cy"
role = "adjudicator"
state = "USA"

[[user]]
name = "receiver.dee"
role = "receiving_officer"
state = "RWA"

[[user]]
name = "clerk.eve"
role = "court_clerk"
court = "us-district-court-example"

[[user]]
name = "counsel.fay"
role = "counsel"

[[user]]
name = "monitor.gus"
role = "monitor"
monitoring_body = "example-monitors"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// A bad role, a missing party and a duplicate name are each reported with the entry.
    #[test]
    fn errors_name_the_entry_and_field() {
        let bad_role = "[[user]]\nname = \"a\"\nrole = \"king\"\n";
        let error = Users::parse("u.toml", bad_role).unwrap_err().to_string();
        assert!(
            error.contains("user[0]") && error.contains("`role`"),
            "{error}"
        );
        let no_state = "[[user]]\nname = \"a\"\nrole = \"sending_officer\"\n";
        let error = Users::parse("u.toml", no_state).unwrap_err().to_string();
        assert!(error.contains("`state`"), "{error}");
        let twice =
            "[[user]]\nname = \"a\"\nrole = \"admin\"\n[[user]]\nname = \"a\"\nrole = \"admin\"\n";
        assert!(
            Users::parse("u.toml", twice)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        let unknown = "[[user]]\nname = \"a\"\nrole = \"admin\"\ncolour = \"red\"\n";
        assert!(
            Users::parse("u.toml", unknown)
                .unwrap_err()
                .to_string()
                .contains("colour")
        );
        assert!(Users::parse("u.toml", &initial_file("root", true)).is_ok());
    }

    /// A users file names a party by the accounts' rule: an adjudicator may act for a court, and
    /// a role given another kind of party is refused, naming the field.
    #[test]
    fn parties_follow_the_accounts_rule() {
        let court = "[[user]]\nname = \"j\"\nrole = \"adjudicator\"\ncourt = \"kigali\"\n";
        let users = Users::parse("u.toml", court).unwrap();
        assert_eq!(
            users.actor("j").unwrap().party,
            Party::Court("kigali".to_owned())
        );
        let clerk = "[[user]]\nname = \"c\"\nrole = \"court_clerk\"\nstate = \"RWA\"\n";
        let error = Users::parse("u.toml", clerk).unwrap_err().to_string();
        assert!(
            error.contains("user[0]") && error.contains("`state`: `court_clerk` acts for a court"),
            "{error}"
        );
    }
}
