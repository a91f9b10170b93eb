//! The demo's sign-in accounts, and its closing lines: where to look.
//!
//! `corridor demo` acts through its users file; a browser signs in with an account. So once the
//! story is told, each demo user gets an account (`corridor_accounts`) with the same role and
//! party, and a password drawn from the seed on a stream of its own: the same seed gives the
//! same passwords, and the story's draws, hence its log, are untouched. Accounts live in their
//! own tables, outside the event log: creating them adds no leaf to the log (the demo's log root
//! in docs/log.md stays what it was).
//!
//! The passwords are printed: the people and the accounts are synthetic, and the database is a
//! simulation. A real deployment's passwords are chosen by people or generated from the
//! operating system (`corridor user add`).

use corridor_accounts::AccountsError;
use corridor_domain::Actor;
use corridor_store::Store;
use jiff::Timestamp;
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng as _, SeedableRng as _};

use crate::users::Users;

/// The ChaCha20 stream the passwords come from: not the story's (stream 0), so drawing them
/// moves none of the story's ids, keys or nonces.
const PASSWORD_STREAM: u64 = u64::from_be_bytes(*b"demo-pwd");

/// Random bytes in a demo password, printed as hex after [`PASSWORD_PREFIX`].
const PASSWORD_BYTES: usize = 8;

/// What every demo password starts with, so nobody mistakes one for a real account's.
const PASSWORD_PREFIX: &str = "demo-";

/// One demo account and its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// Who it is: name, role and party, as in the demo's users file.
    pub actor: Actor,
    /// Its password, drawn from the seed.
    pub password: String,
}

/// The demo's accounts for `seed`: one per user of `users`, in name order, each with its
/// password.
pub fn accounts_for(users: &Users, seed: u64) -> Vec<DemoAccount> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(PASSWORD_STREAM);
    users
        .actors()
        .map(|actor| {
            let mut bytes = [0u8; PASSWORD_BYTES];
            rng.fill_bytes(&mut bytes);
            DemoAccount {
                actor: actor.clone(),
                password: format!("{PASSWORD_PREFIX}{}", hex::encode(bytes)),
            }
        })
        .collect()
}

/// Creates the demo's accounts in `store`'s database (created at `now`, the demo's clock) and
/// prints where to look: the command that serves the demo database, its URL, and each demo
/// user's role and password.
pub async fn create_and_announce(
    store: &Store,
    users: &Users,
    seed: u64,
    now: Timestamp,
    database: &str,
    key_file: &str,
) -> anyhow::Result<()> {
    let accounts = crate::user_cmd::open(store).await?;
    let created = accounts_for(users, seed);
    for account in &created {
        let actor = &account.actor;
        match accounts
            .add_user(
                &actor.user,
                actor.role,
                &actor.party,
                &account.password,
                now,
            )
            .await
        {
            // The demo starts from a fresh database, so an account already there was made by
            // this run: nothing to do.
            Ok(()) | Err(AccountsError::UserExists(_)) => {}
            Err(error) => {
                return Err(anyhow::Error::new(error)
                    .context(format!("cannot create the demo account `{}`", actor.user)));
            }
        }
    }
    println!("\nWhere to look: serve the demo database, then open the URL in a browser.");
    println!("  corridor serve --database {database} --key-file {key_file}");
    println!("  http://{}/", crate::config::LISTEN_DEFAULT);
    println!("Demo accounts (synthetic; the passwords come from the seed):");
    for account in &created {
        println!(
            "  {:<16} {:<20} {}",
            account.actor.user.as_str(),
            account.actor.role.as_str(),
            account.password
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_USERS: &str = r#"
[[user]]
name = "officer.ada"
role = "sending_officer"
state = "USA"
[[user]]
name = "clerk.eve"
role = "court_clerk"
court = "us-district-court-demo"
"#;

    #[test]
    fn same_seed_same_passwords_other_seed_others() {
        // Proves the passwords come from the seed: reproducible, different per seed and per user.
        let users = Users::parse("test", TWO_USERS).expect("the users parse");
        let first = accounts_for(&users, 7);
        assert_eq!(first, accounts_for(&users, 7));
        assert_eq!(first.len(), 2);
        let other = accounts_for(&users, 8);
        for (a, b) in first.iter().zip(&other) {
            assert_eq!(a.actor, b.actor);
            assert_ne!(a.password, b.password, "seed 7 and 8 give {}", a.password);
        }
        assert_ne!(first[0].password, first[1].password);
        for account in &first {
            assert!(account.password.starts_with(PASSWORD_PREFIX));
            assert_eq!(
                account.password.len(),
                PASSWORD_PREFIX.len() + 2 * PASSWORD_BYTES
            );
        }
    }

    #[tokio::test]
    async fn each_account_signs_in_with_its_password_and_no_event_is_recorded() {
        // Proves the accounts made are the users file's actors, that their printed passwords
        // sign in, and that making them writes nothing to the event log (so no log leaf).
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let store = Store::open(&url, true).await.expect("a fresh store");
        let users = Users::parse("test", TWO_USERS).expect("the users parse");
        let now: Timestamp = "2025-08-10T09:00:00Z".parse().expect("a moment");
        create_and_announce(&store, &users, 7, now, &url, "demo.key")
            .await
            .expect("the accounts are made");
        // Run again over the same database: the accounts are there, nothing fails.
        create_and_announce(&store, &users, 7, now, &url, "demo.key")
            .await
            .expect("the accounts are kept");
        assert_eq!(store.event_count().await.expect("a count"), 0);
        let accounts = crate::user_cmd::open(&store).await.expect("the accounts");
        let localhost = std::net::IpAddr::from([127, 0, 0, 1]);
        for account in accounts_for(&users, 7) {
            let (_, actor) = accounts
                .login(
                    account.actor.user.as_str(),
                    &account.password,
                    localhost,
                    now,
                )
                .await
                .expect("the printed password signs in");
            assert_eq!(actor, account.actor);
        }
        let ada = accounts_for(&users, 8)
            .into_iter()
            .find(|account| account.actor.user.as_str() == "officer.ada")
            .expect("officer.ada");
        assert!(
            accounts
                .login("officer.ada", &ada.password, localhost, now)
                .await
                .is_err(),
            "another seed's password does not sign in"
        );
        store.close().await;
    }

    #[test]
    fn passwords_are_not_the_story_stream() {
        // Proves the passwords do not reuse the story's first draws (its master key).
        let users = Users::parse("test", TWO_USERS).expect("the users parse");
        let mut story = crate::entropy::Entropy::seeded(7);
        let master: [u8; PASSWORD_BYTES] = story.array().expect("bytes");
        let first = accounts_for(&users, 7);
        assert_ne!(
            first[0].password,
            format!("{PASSWORD_PREFIX}{}", hex::encode(master))
        );
    }
}
