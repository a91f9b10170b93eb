//! The rules of user administration's inputs, whichever door they come through: a role an
//! account may hold, and the scopes of an API token; and the one change an account holder makes
//! to their own account besides the password, the language of the web interface
//! ([`set_language`]), decided and recorded as every account change is.

use corridor_accounts::{LanguageTag, SCOPE_EVERY_ACTION, Scope};
use corridor_authz::{Action, ResourceFacts};
use corridor_domain::{Role, UserId};

use crate::authorize::authorize;
use crate::caller::Caller;
use crate::error::AppError;
use crate::state::App;

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

/// Parses the language asked for the web interface: a language tag among `shipped` (the
/// languages the interface has catalogues for; when empty, any well-formed tag), listing them
/// when it is not one.
pub fn parse_language(text: &str, shipped: &[String]) -> Result<LanguageTag, String> {
    let tag = LanguageTag::parse(text)?;
    if shipped.is_empty() || shipped.iter().any(|language| language == tag.as_str()) {
        Ok(tag)
    } else {
        Err(format!(
            "`{tag}` is not a language of this interface (one of: {})",
            shipped.join(", ")
        ))
    }
}

/// Sets the language of `user`'s web interface to `asked` (`None`: follow the browser), for
/// `caller`. The policies decide first (`set_language`: an account sets its own, nobody
/// another's), and the decision is an access record, allowed or denied, as every account change
/// is; only then is the tag read ([`parse_language`]), a bad one refused as invalid input naming
/// `field`. Answers the language now stored.
pub async fn set_language(
    app: &App,
    caller: &Caller,
    user: &UserId,
    asked: Option<&str>,
    shipped: &[String],
    field: &str,
) -> Result<Option<LanguageTag>, AppError> {
    caller.authenticated()?;
    authorize(
        app,
        caller,
        Action::SetLanguage,
        &ResourceFacts::User(user.clone()),
    )
    .await?;
    let language = asked
        .map(|text| parse_language(text, shipped))
        .transpose()
        .map_err(|message| AppError::InvalidInput {
            field: field.to_owned(),
            message,
        })?;
    app.accounts().set_language(user, language.as_ref()).await?;
    Ok(language)
}
