//! `corridor user …` and the first admin of `corridor init`: the accounts in `--database`.
//!
//! These commands are the operator's, on the database host: whoever can open the database can
//! change its accounts anyway, so they take no `--as`. Over HTTP the same changes go through the
//! policies and are recorded (`/api/users`).
//!
//! Secrets are printed once and kept nowhere: a generated password, a token's text. The
//! accounts hold only an Argon2id hash of the one and a SHA-256 of the other.

use std::io::BufRead as _;
use std::process::ExitCode;

use anyhow::Context as _;
use corridor_accounts::{
    Accounts, AccountsError, TOKEN_LIFETIME_MAX, TokenId, UserInfo, party_from_fields,
};
use corridor_app::users::{parse_role, parse_scopes};
use corridor_domain::{Party, Role, UserId};
use corridor_store::Store;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::app::{InputError, Refused};
use crate::cli::{PartyArgs, UserCommand};
use crate::entropy::Entropy;

/// The environment variable `corridor init` reads the first admin's password from, for scripts
/// and tests; without it the password is generated.
pub const ADMIN_PASSWORD_ENV: &str = "CORRIDOR_ADMIN_PASSWORD";

/// Random bytes in a generated password: 128 bits, printed as 32 hex digits.
const GENERATED_PASSWORD_BYTES: usize = 16;

fn input(message: String) -> anyhow::Error {
    anyhow::Error::new(InputError(message))
}

fn refused(message: String) -> anyhow::Error {
    anyhow::Error::new(Refused(message))
}

/// A login name given on the command line.
fn parse_name(value: &str) -> anyhow::Result<UserId> {
    UserId::parse(value).map_err(|error| input(format!("NAME `{value}`: {error}")))
}

/// The role and party of `--role` and the party flags, each error naming its flag.
fn role_and_party(role: &str, party: &PartyArgs) -> anyhow::Result<(Role, Party)> {
    let role = parse_role(role).map_err(|message| input(format!("--role: {message}")))?;
    let party = party_from_fields(
        role,
        party.state.as_deref(),
        party.court.as_deref(),
        party.monitoring_body.as_deref(),
    )
    .map_err(|error| {
        input(format!(
            "--{}: {}",
            error.field.replace('_', "-"),
            error.message
        ))
    })?;
    Ok((role, party))
}

/// A password from standard input's first line, or a generated one (then returned to print).
fn new_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\n', '\r']).to_owned();
        if password.is_empty() {
            return Err(input(
                "--password-stdin: standard input held no password".to_owned(),
            ));
        }
        return Ok((password, false));
    }
    Ok((generate_password()?, true))
}

/// A strong random password.
fn generate_password() -> anyhow::Result<String> {
    let bytes: [u8; GENERATED_PASSWORD_BYTES] = Entropy::System.array()?;
    Ok(hex::encode(bytes))
}

/// An accounts error as the command line reports it: bad values exit 2, refusals 4.
fn report(error: AccountsError, password_source: &str) -> anyhow::Error {
    match error {
        AccountsError::PasswordLength { .. } => input(format!("{password_source}: {error}")),
        AccountsError::UserExists(_)
        | AccountsError::UnknownUser(_)
        | AccountsError::UserDisabled(_)
        | AccountsError::RoleFixed(_) => refused(error.to_string()),
        other => anyhow::Error::new(other),
    }
}

/// How a party reads in a sentence.
fn describe_party(party: &Party) -> String {
    match party {
        Party::State(country) => format!("state {}", country.code()),
        Party::Court(id) => format!("court `{id}`"),
        Party::MonitoringBody(id) => format!("monitoring body `{id}`"),
        Party::Clients => "their clients".to_owned(),
        Party::None => "no party".to_owned(),
    }
}

fn user_json(info: &UserInfo) -> serde_json::Value {
    let mut value = json!({
        "user": info.user.to_string(),
        "role": info.role.as_str(),
        "disabled": info.disabled,
        "created_at": info.created_at.to_string(),
    });
    let party = match &info.party {
        Party::State(country) => Some(("state", country.code().to_owned())),
        Party::Court(id) => Some(("court", id.clone())),
        Party::MonitoringBody(id) => Some(("monitoring_body", id.clone())),
        Party::Clients | Party::None => None,
    };
    if let (Some((name, id)), Some(object)) = (party, value.as_object_mut()) {
        object.insert(name.to_owned(), json!(id));
    }
    value
}

/// The account `user`, read back after a change.
async fn stored(accounts: &Accounts, user: &UserId) -> anyhow::Result<UserInfo> {
    accounts
        .user(user)
        .await?
        .ok_or_else(|| refused(format!("no user `{user}`")))
}

/// Opens the accounts of `store`'s database, migrating their tables if need be.
pub async fn open(store: &Store) -> anyhow::Result<Accounts> {
    Accounts::from_pool(store.pool().clone())
        .await
        .context("cannot open the accounts")
}

/// Runs `corridor user …`.
pub async fn run(
    store: &Store,
    command: UserCommand,
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let accounts = open(store).await?;
    match command {
        UserCommand::Add {
            name,
            role,
            party,
            password_stdin,
        } => {
            let user = parse_name(&name)?;
            let (role, party) = role_and_party(&role, &party)?;
            let (password, generated) = new_password(password_stdin)?;
            accounts
                .add_user(&user, role, &party, &password, now)
                .await
                .map_err(|error| report(error, "--password-stdin"))?;
            if json {
                let mut value = user_json(&stored(&accounts, &user).await?);
                if let (true, Some(object)) = (generated, value.as_object_mut()) {
                    object.insert("password".to_owned(), json!(password));
                }
                println!("{value}");
            } else {
                println!("added `{user}`: {role} for {}", describe_party(&party));
                if generated {
                    println!("password (shown once; store it now): {password}");
                }
            }
        }
        UserCommand::Disable { name } => {
            let user = parse_name(&name)?;
            accounts
                .disable_user(&user)
                .await
                .map_err(|error| report(error, ""))?;
            if json {
                println!("{}", user_json(&stored(&accounts, &user).await?));
            } else {
                println!("disabled `{user}`: logins refused, sessions ended, tokens stopped");
            }
        }
        UserCommand::Role { name, role, party } => {
            let user = parse_name(&name)?;
            let (role, party) = role_and_party(&role, &party)?;
            accounts
                .set_role(&user, role, &party, now)
                .await
                .map_err(|error| report(error, ""))?;
            if json {
                println!("{}", user_json(&stored(&accounts, &user).await?));
            } else {
                println!(
                    "`{user}` is now {role} for {}; their sessions ended and their tokens were revoked",
                    describe_party(&party)
                );
            }
        }
        UserCommand::Password {
            name,
            password_stdin,
        } => {
            let user = parse_name(&name)?;
            let (password, generated) = new_password(password_stdin)?;
            accounts
                .set_password(&user, &password)
                .await
                .map_err(|error| report(error, "--password-stdin"))?;
            if json {
                let shown = generated.then_some(password.as_str());
                println!("{}", json!({"user": user.to_string(), "password": shown}));
            } else {
                println!("new password for `{user}`; their sessions ended");
                if generated {
                    println!("password (shown once; store it now): {password}");
                }
            }
        }
        UserCommand::Token {
            name,
            scopes,
            expires_in_days,
            to_file,
        } => {
            let user = parse_name(&name)?;
            let scopes = parse_scopes(&scopes)
                .map_err(|(_, message)| input(format!("--scope: {message}")))?;
            let max_days = TOKEN_LIFETIME_MAX.as_hours() / 24;
            let expiry_error = || input(format!("--expires-in-days: give 1 to {max_days} days"));
            let expires_at = now
                .checked_add(SignedDuration::from_hours(
                    i64::from(expires_in_days).saturating_mul(24),
                ))
                .map_err(|_| expiry_error())?;
            let (secret, id) = accounts
                .create_token(&user, scopes.iter().cloned(), expires_at, now)
                .await
                .map_err(|error| match error {
                    AccountsError::TokenExpiry { .. } => expiry_error(),
                    AccountsError::Scopes(_) => input(format!("--scope: {error}")),
                    AccountsError::TooManyTokens(_) => refused(error.to_string()),
                    other => report(other, ""),
                })?;
            let scope_names: Vec<&str> = scopes.iter().map(|scope| scope.as_str()).collect();
            if let Some(path) = &to_file {
                crate::witness_cmd::write_private(path, secret.expose())?;
            }
            let shown = to_file.is_none().then(|| secret.expose());
            if json {
                println!(
                    "{}",
                    json!({"id": id.to_string(), "user": user.to_string(), "scopes": scope_names,
                        "expires_at": expires_at.to_string(), "token": shown,
                        "file": to_file.as_ref().map(|path| path.display().to_string())})
                );
            } else {
                println!(
                    "token {id} for `{user}` (scopes: {}), expires {expires_at}",
                    scope_names.join(" ")
                );
                match (&to_file, shown) {
                    (Some(path), _) => println!(
                        "token written to {} (mode 0600): use it with --token-file {}",
                        path.display(),
                        path.display()
                    ),
                    (None, shown) => {
                        println!(
                            "token (shown once; store it now): {}",
                            shown.unwrap_or_default()
                        );
                        println!(
                            "use it as: Authorization: Bearer <token>, or --token on the database host"
                        );
                    }
                }
            }
        }
        UserCommand::RevokeToken { id } => {
            let token = TokenId::parse(&id).ok_or_else(|| {
                input(format!(
                    "ID `{id}` is not a token id (`token-` and 16 hex digits)"
                ))
            })?;
            if !accounts.revoke_token(token, now).await? {
                return Err(refused(format!(
                    "there is no live token `{token}` (unknown, or revoked already)"
                )));
            }
            if json {
                println!("{}", json!({"id": token.to_string(), "revoked": true}));
            } else {
                println!("revoked {token}");
            }
        }
        UserCommand::List => {
            let users = accounts.list_users().await?;
            if json {
                let list: Vec<_> = users.iter().map(user_json).collect();
                println!("{}", serde_json::Value::Array(list));
            } else if users.is_empty() {
                println!("no accounts: add one with `corridor user add`");
            } else {
                for info in &users {
                    println!(
                        "{:<24} {:<20} {:<32} {}",
                        info.user.to_string(),
                        info.role.as_str(),
                        describe_party(&info.party),
                        if info.disabled { "disabled" } else { "enabled" }
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Creates the first admin account for `corridor init`, unless it exists, and says how to log
/// in. The password comes from [`ADMIN_PASSWORD_ENV`] or is generated and printed once.
pub async fn create_first_admin(store: &Store, name: &str, now: Timestamp) -> anyhow::Result<()> {
    let admin = UserId::parse(name).map_err(|error| input(format!("--admin: {error}")))?;
    let accounts = open(store).await?;
    if let Some(existing) = accounts.user(&admin).await? {
        println!(
            "admin account: keeping the existing `{admin}` ({})",
            existing.role
        );
        return Ok(());
    }
    let (password, generated) = match std::env::var(ADMIN_PASSWORD_ENV) {
        Ok(password) => (password, false),
        Err(_) => (generate_password()?, true),
    };
    accounts
        .add_user(&admin, Role::Admin, &Party::None, &password, now)
        .await
        .map_err(|error| report(error, ADMIN_PASSWORD_ENV))?;
    if generated {
        println!("admin account: created `{admin}` with password {password}");
        println!("  (shown once: store it now; `corridor user password {admin}` sets a new one)");
    } else {
        println!("admin account: created `{admin}` with the password in {ADMIN_PASSWORD_ENV}");
    }
    println!("log in: start the server with `corridor serve`, then");
    println!(
        "  curl -i -X POST http://127.0.0.1:8080/api/session -H 'Content-Type: application/json' \\"
    );
    println!("       -d '{{\"user\": \"{admin}\", \"password\": \"<the password>\"}}'");
    println!(
        "  the answer sets the session cookie and gives the CSRF token to send as X-CSRF-Token"
    );
    Ok(())
}

/// The actor behind `--as NAME` when NAME is an account: the CLI on the database host acts as
/// that account. `None` when there is no such account (the users file is asked next); an error
/// when the account is disabled.
pub async fn account_actor(
    accounts: &Accounts,
    name: &str,
) -> anyhow::Result<Option<corridor_domain::Actor>> {
    let Ok(user) = UserId::parse(name) else {
        return Ok(None);
    };
    match accounts.user(&user).await? {
        None => Ok(None),
        Some(info) if info.disabled => Err(refused(format!("the account `{user}` is disabled"))),
        Some(info) => Ok(Some(corridor_domain::Actor {
            user: info.user,
            role: info.role,
            party: info.party,
        })),
    }
}
