//! User administration over HTTP: list and add users, disable them, change their role, and
//! issue, list and revoke their API tokens.
//!
//! Every handler asks the policies first (`corridor_app::authorize::authorize`: `list_users`,
//! `add_user`, `disable_user`, `set_user_role`, `issue_token`, `revoke_token`), so each decision,
//! allowed or denied, is on the record before anything is read or changed. The shipped policies
//! allow these actions to `admin` alone. Listing a user's tokens is decided as `issue_token` on
//! that user: whoever may give a user tokens may see which they hold (never their texts).
//!
//! The language of the web interface is the one thing here an account holder sets on their own
//! account, and only on it (`PUT /api/users/{user}/language`, decided as `set_language`).
//!
//! An admin cannot disable their own account or change their own role: the last admin could
//! otherwise lock everyone out, and a change of one's own privilege wants a second person.
//!
//! A token's text is in the answer that creates it and nowhere else: the accounts keep only its
//! SHA-256.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use corridor_accounts::{
    AccountsError, TOKEN_LIFETIME_MAX, TokenId, TokenInfo, UserInfo, party_from_fields,
};
use corridor_authz::{Action, ResourceFacts};
use corridor_domain::{Party, Role, UserId};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use corridor_app::AppError;

use crate::auth::Caller;
use corridor_app::authorize::authorize;

use crate::json::JsonBody;
use crate::problem::refused_before_policy;
use crate::problem::{AccessProblems, ApiError, CommonProblems, ProblemBody};
use crate::state::AppState;

pub use corridor_app::limits::TOKEN_LIFETIME_DAYS_DEFAULT;
pub use corridor_app::users::{parse_language, parse_role, parse_scopes};

/// The user administration routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(disable))
        .routes(routes!(set_role))
        .routes(routes!(list_tokens, issue_token))
        .routes(routes!(revoke_token))
        .routes(routes!(set_language))
}

/// The party a user acts for, as at most one of three fields (none for counsel, who act for
/// their clients, and for admins).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct PartyView {
    /// The state (ISO 3166-1 alpha-3), for state roles and adjudicators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The court, for court clerks and court adjudicators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
    /// The monitoring body, for monitors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitoring_body: Option<String>,
}

impl PartyView {
    /// The fields of `party`.
    pub fn of(party: &Party) -> Self {
        match party {
            Party::State(country) => Self {
                state: Some(country.code().to_owned()),
                ..Self::default()
            },
            Party::Court(id) => Self {
                court: Some(id.clone()),
                ..Self::default()
            },
            Party::MonitoringBody(id) => Self {
                monitoring_body: Some(id.clone()),
                ..Self::default()
            },
            Party::Clients | Party::None => Self::default(),
        }
    }
}

/// A user as an admin sees them (never a password or its hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// The login name.
    pub user: String,
    /// Their one role.
    pub role: String,
    /// What the role acts for.
    #[serde(flatten)]
    pub party: PartyView,
    /// Whether logins, sessions and tokens are refused.
    pub disabled: bool,
    /// When the user was added (RFC 3339).
    pub created_at: String,
}

impl UserView {
    fn of(info: &UserInfo) -> Self {
        Self {
            user: info.user.to_string(),
            role: info.role.as_str().to_owned(),
            party: PartyView::of(&info.party),
            disabled: info.disabled,
            created_at: info.created_at.to_string(),
        }
    }
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddUserBody {
    /// The login name: 1 to 64 lowercase letters, digits, `.`, `_` or `-`.
    pub user: String,
    /// The role: `sending_officer`, `sending_supervisor`, `adjudicator`, `receiving_officer`,
    /// `court_clerk`, `counsel`, `monitor` or `admin`.
    pub role: String,
    /// The state the role acts for (state roles; adjudicators may give a court instead).
    #[serde(default)]
    pub state: Option<String>,
    /// The court (court clerks, court adjudicators).
    #[serde(default)]
    pub court: Option<String>,
    /// The monitoring body (monitors).
    #[serde(default)]
    pub monitoring_body: Option<String>,
    /// The first password: at least 12 characters.
    #[schema(format = Password)]
    pub password: String,
}

/// A new role for a user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRoleBody {
    /// The role.
    pub role: String,
    /// The state the role acts for.
    #[serde(default)]
    pub state: Option<String>,
    /// The court.
    #[serde(default)]
    pub court: Option<String>,
    /// The monitoring body.
    #[serde(default)]
    pub monitoring_body: Option<String>,
}

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueTokenBody {
    /// The actions the token may perform, by their Cedar names (`read_case`, `register_hold`,
    /// …), or `*` for everything its user may do.
    pub scopes: Vec<String>,
    /// Days until the token stops working (default 90, at most 366).
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// A token, without its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// Names the token for revocation (`token-` and 16 hex digits).
    pub id: String,
    /// The user it acts as.
    pub user: String,
    /// What it may do.
    pub scopes: Vec<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
    /// When it was revoked, if it was (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

impl TokenView {
    fn of(info: &TokenInfo) -> Self {
        Self {
            id: info.id.to_string(),
            user: info.user.to_string(),
            scopes: info.scopes.iter().map(ToString::to_string).collect(),
            created_at: info.created_at.to_string(),
            expires_at: info.expires_at.to_string(),
            revoked_at: info.revoked_at.map(|at| at.to_string()),
        }
    }
}

/// A token just made: the one answer that holds its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    /// The token's text, for `Authorization: Bearer …`. Shown this once: corridor keeps only
    /// its SHA-256.
    pub token: String,
    /// The token.
    #[serde(flatten)]
    pub info: TokenView,
}

fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::App(AppError::InvalidInput {
        field: field.to_owned(),
        message: message.into(),
    })
}

/// A user name from the path.
fn path_user(value: &str) -> Result<UserId, ApiError> {
    UserId::parse(value).map_err(|message| invalid("path.user", message))
}

/// The role and party of a request body, each error naming its field.
fn role_and_party(
    role: &str,
    state: Option<&str>,
    court: Option<&str>,
    monitoring_body: Option<&str>,
) -> Result<(Role, Party), ApiError> {
    let role = parse_role(role).map_err(|message| invalid("body.role", message))?;
    let party = party_from_fields(role, state, court, monitoring_body)
        .map_err(|error| invalid(&format!("body.{}", error.field), error.message))?;
    Ok((role, party))
}

/// The user, read back after a change.
async fn user_view(state: &AppState, user: &UserId) -> Result<UserView, ApiError> {
    state
        .accounts()
        .user(user)
        .await?
        .map(|info| UserView::of(&info))
        .ok_or_else(|| ApiError::App(AppError::Accounts(AccountsError::UnknownUser(user.clone()))))
}

/// Refuses a change to the caller's own account.
fn not_self(caller: &Caller, user: &UserId, what: &str) -> Result<(), ApiError> {
    if caller.actor.user == *user {
        return Err(invalid(
            "path.user",
            format!("you cannot {what} your own account; another admin must"),
        ));
    }
    Ok(())
}

/// `GET /api/users`: every user.
#[utoipa::path(
    get,
    path = "/api/users",
    tag = "users",
    responses(
        (status = 200, description = "The users, by name", body = Vec<UserView>),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserView>>, ApiError> {
    caller.authenticated()?;
    authorize(
        state.app(),
        &caller,
        Action::ListUsers,
        &ResourceFacts::Service,
    )
    .await?;
    let users = state.accounts().list_users().await?;
    Ok(Json(users.iter().map(UserView::of).collect()))
}

/// `POST /api/users`: add a user.
#[utoipa::path(
    post,
    path = "/api/users",
    tag = "users",
    request_body = AddUserBody,
    responses(
        (status = 201, description = "Added; `Location` names the user", body = UserView),
        (status = 409, description = "There is a user of that name already (`user_exists`)", body = ProblemBody, content_type = "application/problem+json"),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody<AddUserBody>, ApiError>,
) -> Result<Response, ApiError> {
    caller.authenticated()?;
    let named = body.and_then(|JsonBody(body)| {
        let user = UserId::parse(&body.user).map_err(|message| invalid("body.user", message))?;
        Ok((user, body))
    });
    let (user, body) = match named {
        Ok(named) => named,
        Err(error) => {
            let resource = ("service".to_owned(), None);
            return Err(refused_before_policy(
                state.app(),
                &caller,
                Action::AddUser,
                resource,
                error,
            )
            .await);
        }
    };
    authorize(
        state.app(),
        &caller,
        Action::AddUser,
        &ResourceFacts::User(user.clone()),
    )
    .await?;
    let (role, party) = role_and_party(
        &body.role,
        body.state.as_deref(),
        body.court.as_deref(),
        body.monitoring_body.as_deref(),
    )?;
    state
        .accounts()
        .add_user(&user, role, &party, &body.password, state.now())
        .await
        .map_err(|error| match error {
            AccountsError::PasswordLength { .. } => invalid("body.password", error.to_string()),
            other => ApiError::from(other),
        })?;
    let view = user_view(&state, &user).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/users/{user}"))],
        Json(view),
    )
        .into_response())
}

/// `POST /api/users/{user}/disable`: refuse the user's logins from now on; their sessions end
/// and their tokens stop working.
#[utoipa::path(
    post,
    path = "/api/users/{user}/disable",
    tag = "users",
    params(("user" = String, Path, description = "The login name", pattern = "^[a-z0-9._-]{1,64}$")),
    responses(
        (status = 200, description = "Disabled", body = UserView),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    caller.authenticated()?;
    let user = path_user(&user)?;
    authorize(
        state.app(),
        &caller,
        Action::DisableUser,
        &ResourceFacts::User(user.clone()),
    )
    .await?;
    not_self(&caller, &user, "disable")?;
    state.accounts().disable_user(&user).await?;
    Ok(Json(user_view(&state, &user).await?))
}

/// `PUT /api/users/{user}/role`: give the user a new role and party. Their sessions end and
/// their tokens are revoked. Refused (409 `role_fixed`) once the user has acted on the record:
/// an account is one person in one role.
#[utoipa::path(
    put,
    path = "/api/users/{user}/role",
    tag = "users",
    params(("user" = String, Path, description = "The login name", pattern = "^[a-z0-9._-]{1,64}$")),
    request_body = SetRoleBody,
    responses(
        (status = 200, description = "Changed", body = UserView),
        (status = 409, description = "The user has acted on the record, so their role and party are theirs for good (`role_fixed`): disable the account and add a new one", body = ProblemBody, content_type = "application/problem+json"),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn set_role(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
    body: Result<JsonBody<SetRoleBody>, ApiError>,
) -> Result<Json<UserView>, ApiError> {
    caller.authenticated()?;
    let user = path_user(&user)?;
    // The policies are asked before the body is read, so a bad body is on the record too.
    authorize(
        state.app(),
        &caller,
        Action::SetUserRole,
        &ResourceFacts::User(user.clone()),
    )
    .await?;
    let JsonBody(body) = body?;
    not_self(&caller, &user, "change the role of")?;
    let (role, party) = role_and_party(
        &body.role,
        body.state.as_deref(),
        body.court.as_deref(),
        body.monitoring_body.as_deref(),
    )?;
    state
        .accounts()
        .set_role(&user, role, &party, state.now())
        .await?;
    Ok(Json(user_view(&state, &user).await?))
}

/// `GET /api/users/{user}/tokens`: the user's tokens, newest first, without their texts.
#[utoipa::path(
    get,
    path = "/api/users/{user}/tokens",
    tag = "users",
    params(("user" = String, Path, description = "The login name", pattern = "^[a-z0-9._-]{1,64}$")),
    responses(
        (status = 200, description = "The tokens, newest first", body = Vec<TokenView>),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    caller.authenticated()?;
    let user = path_user(&user)?;
    authorize(
        state.app(),
        &caller,
        Action::IssueToken,
        &ResourceFacts::User(user.clone()),
    )
    .await?;
    if state.accounts().user(&user).await?.is_none() {
        return Err(AccountsError::UnknownUser(user).into());
    }
    let tokens = state.accounts().list_tokens(&user).await?;
    Ok(Json(tokens.iter().map(TokenView::of).collect()))
}

/// `POST /api/users/{user}/tokens`: issue a token acting as the user, limited to its scopes.
#[utoipa::path(
    post,
    path = "/api/users/{user}/tokens",
    tag = "users",
    params(("user" = String, Path, description = "The login name", pattern = "^[a-z0-9._-]{1,64}$")),
    request_body = IssueTokenBody,
    responses(
        (status = 201, description = "Issued; the token's text is in this answer only", body = IssuedToken),
        (status = 409, description = "The user was disabled (`user_disabled`)", body = ProblemBody, content_type = "application/problem+json"),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn issue_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
    body: Result<JsonBody<IssueTokenBody>, ApiError>,
) -> Result<Response, ApiError> {
    caller.authenticated()?;
    let user = path_user(&user)?;
    // The policies are asked before the body is read, so a bad body is on the record too.
    authorize(
        state.app(),
        &caller,
        Action::IssueToken,
        &ResourceFacts::User(user.clone()),
    )
    .await?;
    let JsonBody(body) = body?;
    let scopes = parse_scopes(&body.scopes)
        .map_err(|(index, message)| invalid(&format!("body.scopes[{index}]"), message))?;
    let now = state.now();
    let after_days = |days: u32| {
        now.checked_add(SignedDuration::from_hours(
            i64::from(days).saturating_mul(24),
        ))
        .map_err(|_| invalid("body.expires_in_days", "too far in the future"))
    };
    let asked = body.expires_in_days.map(after_days).transpose()?;
    let expires_at =
        caller.token_within(&scopes, asked, after_days(TOKEN_LIFETIME_DAYS_DEFAULT)?)?;
    let (secret, id) = state
        .accounts()
        .create_token(&user, scopes, expires_at, now)
        .await
        .map_err(|error| match error {
            AccountsError::Scopes(_) => invalid("body.scopes", error.to_string()),
            AccountsError::TokenExpiry { .. } => invalid(
                "body.expires_in_days",
                format!("give 1 to {} days", TOKEN_LIFETIME_MAX.as_hours() / 24),
            ),
            other => ApiError::from(other),
        })?;
    let info = state
        .accounts()
        .list_tokens(&user)
        .await?
        .into_iter()
        .find(|token| token.id == id)
        .ok_or_else(|| ApiError::Internal(format!("{id} is not listed after its creation")))?;
    let issued = IssuedToken {
        token: secret.expose().to_owned(),
        info: TokenView::of(&info),
    };
    Ok((
        StatusCode::CREATED,
        [
            (
                header::LOCATION,
                HeaderValue::from_str(&format!("/api/users/{user}/tokens/{id}"))
                    .map_err(|error| ApiError::Internal(format!("a Location: {error}")))?,
            ),
            // The body holds the token's only copy: no cache may keep it.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Json(issued),
    )
        .into_response())
}

/// `DELETE /api/users/{user}/tokens/{token_id}`: revoke one of the user's tokens. Revoking a
/// token that is revoked already changes nothing and succeeds.
#[utoipa::path(
    delete,
    path = "/api/users/{user}/tokens/{token_id}",
    tag = "users",
    params(
        ("user" = String, Path, description = "The login name", pattern = "^[a-z0-9._-]{1,64}$"),
        ("token_id" = String, Path, description = "The token's id (`token-…`)", pattern = "^token-[0-9a-f]{16}$")
    ),
    responses(
        (status = 204, description = "Revoked"),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path((user, token_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.authenticated()?;
    let user = path_user(&user)?;
    let id = TokenId::parse(&token_id).ok_or_else(|| {
        invalid(
            "path.token_id",
            format!("`{token_id}` is not a token id (`token-` and 16 hex digits)"),
        )
    })?;
    authorize(
        state.app(),
        &caller,
        Action::RevokeToken,
        &ResourceFacts::User(user.clone()),
    )
    .await?;
    let owned = state
        .accounts()
        .list_tokens(&user)
        .await?
        .iter()
        .any(|token| token.id == id);
    if !owned {
        return Err(ApiError::App(AppError::NotFound {
            what: format!("token `{id}` of user `{user}`"),
        }));
    }
    state.accounts().revoke_token(id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The language of an account's web interface.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageBody {
    /// A language tag the interface ships (`en`, `fr`, …), or `null` to follow the browser's
    /// `Accept-Language`.
    pub language: Option<String>,
}

/// An account's interface language, as set.
#[derive(Debug, Serialize, ToSchema)]
pub struct LanguageView {
    /// The login name.
    pub user: String,
    /// The language tag chosen, or `null`: the browser's `Accept-Language` decides.
    pub language: Option<String>,
}

/// `PUT /api/users/{user}/language`: the language of the account's web interface. An account
/// sets its own and nobody else's (not even an admin); the decision is on the record.
#[utoipa::path(
    put,
    path = "/api/users/{user}/language",
    tag = "users",
    params(("user" = String, Path, description = "The login name: the caller's own", pattern = "^[a-z0-9._-]{1,64}$")),
    request_body = LanguageBody,
    responses(
        (status = 200, description = "Set; pages follow it from the next request", body = LanguageView),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn set_language(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
    body: Result<JsonBody<LanguageBody>, ApiError>,
) -> Result<Json<LanguageView>, ApiError> {
    caller.authenticated()?;
    let user = path_user(&user)?;
    let asked = match body {
        Ok(JsonBody(body)) => body.language,
        Err(error) => {
            // The policies are asked before the body is read, so a bad body is on the record too.
            authorize(
                state.app(),
                &caller,
                Action::SetLanguage,
                &ResourceFacts::User(user.clone()),
            )
            .await?;
            return Err(error);
        }
    };
    let language = corridor_app::users::set_language(
        state.app(),
        &caller,
        &user,
        asked.as_deref(),
        state.languages(),
        "body.language",
    )
    .await?;
    Ok(Json(LanguageView {
        user: user.to_string(),
        language: language.map(|tag| tag.to_string()),
    }))
}
