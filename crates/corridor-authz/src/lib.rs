//! corridor's authorization: every decision is made by Cedar policies, in one place.
//!
//! The policies live in `policies/*.cedar`, written for a reviewer, and are checked against the
//! schema in `policies/corridor.cedarschema`. Both are compiled into the binary. [`Authz::load`]
//! parses them and validates them in Cedar's strict mode; a server must not start when it fails.
//! [`Authz::decide`] then answers one question: may this [`Principal`] perform this [`Action`] on
//! the resource described by these [`ResourceFacts`]? Anything no policy permits is denied, and a
//! `forbid` policy wins over any `permit`.
//!
//! This crate decides *whether* a principal may act or look. *Which fields* it then sees is the
//! field filter's job, on the way out; and the domain's own guards (separation of duties, the
//! case lifecycle) still apply to every command that is authorized here.
//!
//! The crate does no I/O: the policies are embedded, the facts arrive as values.

#![deny(missing_docs)]

mod action;
mod facts;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::str::FromStr;
use std::sync::{Mutex, OnceLock, PoisonError};

use cedar_policy::{
    ActionConstraint, Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    Policy, PolicyId, PolicySet, Request, RestrictedExpression, Schema, ValidationMode, Validator,
};
use miette::Diagnostic;

pub use action::{Action, ResourceKind};
pub use facts::{AgreementFacts, CaseFacts, HoldFacts, Principal, ResourceFacts};

/// The schema, as shipped.
pub const SCHEMA: &str = include_str!("../policies/corridor.cedarschema");

/// The policy files, as shipped: file name and text. Each policy carries an `@id` annotation,
/// which is the name decisions give as their reason.
pub const POLICY_FILES: &[(&str, &str)] = &[
    ("public.cedar", include_str!("../policies/public.cedar")),
    (
        "sending_state.cedar",
        include_str!("../policies/sending_state.cedar"),
    ),
    (
        "receiving_state.cedar",
        include_str!("../policies/receiving_state.cedar"),
    ),
    ("counsel.cedar", include_str!("../policies/counsel.cedar")),
    ("monitor.cedar", include_str!("../policies/monitor.cedar")),
    ("court.cedar", include_str!("../policies/court.cedar")),
    ("admin.cedar", include_str!("../policies/admin.cedar")),
    ("auditor.cedar", include_str!("../policies/auditor.cedar")),
    ("guards.cedar", include_str!("../policies/guards.cedar")),
];

/// The shipped policies in Cedar's JSON form, split by action: `{"policies": {<@id>: <policy as
/// JSON>, …}, "actions": {<action>: [<@id>, …], …}}`, every action of [`Action`] listed with the
/// policies whose scope can apply to it ([`partition`]). The same policies as [`POLICY_FILES`],
/// which stay the source, validated against [`SCHEMA`]: the test
/// `the_shipped_json_is_the_shipped_text` holds the two equal (and says how to remake this file).
/// A one-off command reads only the policies of the actions it decides, with serde, instead of
/// parsing every policy and the schema with Cedar's grammar, which was most of its start-up
/// (docs/benchmarks.md, "CLI start-up").
pub const SHIPPED_JSON: &str = include_str!("../policies/shipped.json");

/// [`SHIPPED_JSON`] as read: each policy's JSON is kept as text until an action needs it.
#[derive(serde::Deserialize)]
struct ShippedForms {
    #[serde(borrow)]
    policies: BTreeMap<&'static str, &'static serde_json::value::RawValue>,
    #[serde(borrow)]
    actions: BTreeMap<&'static str, Vec<&'static str>>,
}

/// The JSON form of a schema and policy files given as text, as [`SHIPPED_JSON`] holds it for the
/// shipped ones: what the test that keeps the two equal compares, and writes when they differ.
/// The policies are loaded and validated as [`Authz::from_sources`] does first, so a form is only
/// ever made of policies that validate.
///
/// # Errors
/// When the schema or a policy file does not load or validate, or Cedar cannot write a policy's
/// JSON form.
pub fn json_forms(
    schema_text: &str,
    files: &[(&str, &str)],
) -> Result<serde_json::Value, LoadError> {
    let authz = Authz::from_sources(schema_text, files)?;
    let Rules::Validated {
        policies,
        by_action,
        ..
    } = &authz.rules
    else {
        return Err(LoadError::Parse {
            file: String::from("(json forms)"),
            message: String::from("the policies were not loaded from their texts"),
        });
    };
    let mut forms = serde_json::Map::new();
    for policy in policies.policies() {
        let form = policy.to_json().map_err(|error| LoadError::Parse {
            file: policy.id().to_string(),
            message: error.to_string(),
        })?;
        forms.insert(policy.id().to_string(), form);
    }
    let mut actions = serde_json::Map::new();
    for action in Action::ALL {
        let mut ids: Vec<String> = by_action
            .get(action)
            .map(|set| {
                set.policies()
                    .map(|policy| policy.id().to_string())
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        actions.insert(
            action.as_str().to_owned(),
            serde_json::Value::Array(ids.into_iter().map(serde_json::Value::String).collect()),
        );
    }
    let mut bundle = serde_json::Map::new();
    bundle.insert("policies".to_owned(), serde_json::Value::Object(forms));
    bundle.insert("actions".to_owned(), serde_json::Value::Object(actions));
    Ok(serde_json::Value::Object(bundle))
}

/// Why the policies could not be loaded. The server must not start.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The schema does not parse.
    #[error("the authorization schema does not parse: {message}")]
    Schema {
        /// What the parser said.
        message: String,
    },
    /// A policy file does not parse.
    #[error("policy file `{file}` does not parse: {message}")]
    Parse {
        /// The file.
        file: String,
        /// What the parser said.
        message: String,
    },
    /// A policy has no `@id` annotation, so decisions could not name it.
    #[error("a policy in `{file}` has no `@id(\"...\")` annotation: `{excerpt}`")]
    MissingId {
        /// The file.
        file: String,
        /// The policy's opening text.
        excerpt: String,
    },
    /// Two policies share an `@id`.
    #[error("policy id `{id}` is used twice (in `{first}` and `{second}`)")]
    DuplicateId {
        /// The id.
        id: String,
        /// The file of the first.
        first: String,
        /// The file of the second.
        second: String,
    },
    /// The policies do not validate against the schema in strict mode.
    #[error("the policies do not validate against the schema:\n{}", .errors.join("\n"))]
    Validation {
        /// One line per error or warning: the file, then Cedar's message (naming the policy) and help.
        errors: Vec<String>,
    },
    /// The schema's actions and [`Action`] disagree.
    #[error(
        "the schema's actions and the code's disagree: only in the schema {only_in_schema:?}, only in the code {only_in_code:?}"
    )]
    ActionsDisagree {
        /// Actions the schema declares that [`Action`] lacks.
        only_in_schema: Vec<String>,
        /// [`Action`] variants the schema lacks.
        only_in_code: Vec<String>,
    },
    /// A name the code builds (an entity type or role) is not valid Cedar.
    #[error("`{name}` is not a valid Cedar name: {message}")]
    Name {
        /// The name.
        name: String,
        /// What the parser said.
        message: String,
    },
}

/// The outcome of one decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// The `@id`s of the policies that decided: the permits that allowed it, or the forbids that
    /// denied it. Empty when nothing permitted it (default deny). Sorted.
    pub reasons: Vec<String>,
    /// Errors met while deciding: a request the schema rejects, or a policy that failed to
    /// evaluate (Cedar skips such a policy). Any error makes the decision a denial: a forbid that
    /// failed to evaluate must not let a permit through. Callers should log them.
    pub errors: Vec<String>,
}

impl Decision {
    fn refused(error: String) -> Self {
        Self {
            allowed: false,
            reasons: Vec::new(),
            errors: vec![error],
        }
    }
}

/// The loaded, validated policies: the one place authorization is decided.
#[derive(Debug)]
pub struct Authz {
    rules: Rules,
    authorizer: Authorizer,
    names: Names,
    /// Decisions already made, by request. A decision is a pure function of the policies (fixed
    /// for the life of an `Authz`) and the request, so remembering it changes no answer.
    memo: Mutex<HashMap<(Principal, Action, ResourceFacts), Decision>>,
}

/// The policies an [`Authz`] decides with, in one of two forms that decide alike (the test
/// `shipped_and_validated_policies_decide_alike` compares every decision of the matrix).
#[expect(
    clippy::large_enum_variant,
    reason = "one per `Authz`, made once per process: boxing would only add an indirection"
)]
enum Rules {
    /// Parsed from the texts and validated against the schema, all at load: what a server
    /// decides with ([`Authz::load`], [`Authz::from_sources`]).
    Validated {
        /// Every policy.
        policies: PolicySet,
        /// For each action, the policies whose scope can apply to it (see [`partition`]).
        by_action: HashMap<Action, PolicySet>,
        /// Each request is checked against it.
        schema: Schema,
    },
    /// The shipped JSON form ([`SHIPPED_JSON`]), an action's policies parsed at its first
    /// decision: what a one-off command decides with ([`Authz::load_shipped`]). There is no
    /// schema to check requests against: the requests [`Authz::decide`] builds always conform
    /// to it (their shapes are fixed by `request`, and `shipped_and_validated_policies_decide_alike`
    /// has the schema accept every action's request, for every role), so the check could refuse
    /// none of them.
    Shipped {
        /// Each policy's JSON form, by `@id`.
        forms: BTreeMap<&'static str, &'static serde_json::value::RawValue>,
        /// For each action, the `@id`s of the policies whose scope can apply to it, and the
        /// policy set once built.
        by_action: HashMap<Action, ActionPolicies>,
    },
}

/// One action's policies in the shipped form: their `@id`s, and their set once built (or why it
/// could not be, which refuses every decision of the action).
type ActionPolicies = (Vec<&'static str>, OnceLock<Result<PolicySet, String>>);

impl std::fmt::Debug for Rules {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Validated { policies, .. } => formatter
                .debug_struct("Validated")
                .field("policies", &policies.policies().count())
                .finish_non_exhaustive(),
            Self::Shipped { forms, .. } => formatter
                .debug_struct("Shipped")
                .field("policies", &forms.len())
                .finish_non_exhaustive(),
        }
    }
}

/// Most decisions remembered; the memo is cleared when full.
pub const DECISION_MEMO_ENTRIES_MAX: usize = 65_536;

/// Cedar names built once at load, so that a decision parses nothing.
#[derive(Debug)]
struct Names {
    kinds: HashMap<ResourceKind, EntityTypeName>,
    role: EntityTypeName,
    actions: HashMap<Action, EntityUid>,
}

/// Longest excerpt of a policy quoted in an error.
const EXCERPT_LENGTH_MAX: usize = 80;

/// Entity id of the singletons `Service` and `Log`.
const SINGLETON_ID: &str = "corridor";

impl Authz {
    /// Parses and validates the shipped schema and policies ([`SCHEMA`], [`POLICY_FILES`]).
    pub fn load() -> Result<Self, LoadError> {
        Self::from_sources(SCHEMA, POLICY_FILES)
    }

    /// The shipped policies from their JSON form ([`SHIPPED_JSON`]), for a one-off command: an
    /// action's policies are parsed when it is first decided, and neither the schema nor the
    /// policies' texts are parsed at all. The texts are compiled into the binary, so their
    /// validation is a fact of the build, not of the run: the test `shipped_policies_validate`
    /// validates these very texts, `the_shipped_json_is_the_shipped_text` holds the JSON form
    /// equal to them, and `corridor serve` validates them again at start ([`Authz::load`]).
    /// Loading the schema and every policy was most of a command's start-up (docs/benchmarks.md,
    /// "CLI start-up").
    ///
    /// # Errors
    /// When the JSON form is malformed or does not list exactly the actions of [`Action`].
    pub fn load_shipped() -> Result<Self, LoadError> {
        let malformed = |message: String| LoadError::Parse {
            file: String::from("shipped.json"),
            message,
        };
        let shipped: ShippedForms =
            serde_json::from_str(SHIPPED_JSON).map_err(|error| malformed(error.to_string()))?;
        let in_form: BTreeSet<String> = shipped.actions.keys().map(|a| (*a).to_owned()).collect();
        check_action_names(&in_form)?;
        let mut by_action = HashMap::with_capacity(Action::ALL.len());
        for action in Action::ALL {
            let ids = shipped
                .actions
                .get(action.as_str())
                .cloned()
                .unwrap_or_default();
            if let Some(unknown) = ids.iter().find(|id| !shipped.policies.contains_key(*id)) {
                return Err(malformed(format!(
                    "action `{action}` names policy `{unknown}`, which is not in `policies`"
                )));
            }
            by_action.insert(*action, (ids, OnceLock::new()));
        }
        Ok(Self {
            rules: Rules::Shipped {
                forms: shipped.policies,
                by_action,
            },
            authorizer: Authorizer::new(),
            names: Names::new()?,
            memo: Mutex::new(HashMap::new()),
        })
    }

    /// Parses and validates a schema and policy files given as text: file name and text each.
    /// [`Authz::load`] calls it with the shipped files; tests call it with broken ones.
    pub fn from_sources(schema_text: &str, files: &[(&str, &str)]) -> Result<Self, LoadError> {
        let (schema, schema_warnings) =
            Schema::from_cedarschema_str(schema_text).map_err(|error| LoadError::Schema {
                message: error.to_string(),
            })?;
        // Schema warnings (shadowed names and the like) are mistakes in a file we own.
        let schema_warnings: Vec<String> = schema_warnings
            .map(|warning| format!("schema: {warning}"))
            .collect();
        if !schema_warnings.is_empty() {
            return Err(LoadError::Validation {
                errors: schema_warnings,
            });
        }
        let mut sets = Vec::with_capacity(files.len());
        for (file, text) in files {
            let parsed = PolicySet::from_str(text).map_err(|error| LoadError::Parse {
                file: (*file).to_owned(),
                message: describe(&error),
            })?;
            sets.push(((*file).to_owned(), parsed));
        }
        Self::build(schema, sets)
    }

    /// Takes a schema and each file's policies, checks their `@id`s, and validates the policies
    /// in strict mode.
    fn build(schema: Schema, files: Vec<(String, PolicySet)>) -> Result<Self, LoadError> {
        let mut policies = PolicySet::new();
        let mut file_of: BTreeMap<String, String> = BTreeMap::new();
        for (file, parsed) in &files {
            let file = file.as_str();
            for policy in parsed.policies() {
                let Some(id) = policy.annotation("id") else {
                    let excerpt: String = policy
                        .to_string()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    let excerpt = excerpt.chars().take(EXCERPT_LENGTH_MAX).collect();
                    return Err(LoadError::MissingId {
                        file: (*file).to_owned(),
                        excerpt,
                    });
                };
                if let Some(first) = file_of.insert(id.to_owned(), (*file).to_owned()) {
                    return Err(LoadError::DuplicateId {
                        id: id.to_owned(),
                        first,
                        second: (*file).to_owned(),
                    });
                }
                policies
                    .add(policy.new_id(PolicyId::new(id)))
                    .map_err(|error| LoadError::Parse {
                        file: (*file).to_owned(),
                        message: error.to_string(),
                    })?;
            }
        }

        validate_strictly(&schema, &policies, &file_of)?;

        check_actions(&schema)?;
        let names = Names::new()?;
        let by_action = partition(&policies, &names)?;
        Ok(Self {
            rules: Rules::Validated {
                policies,
                by_action,
                schema,
            },
            authorizer: Authorizer::new(),
            names,
            memo: Mutex::new(HashMap::new()),
        })
    }

    /// The `@id`s of the loaded policies, sorted.
    pub fn policy_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = match &self.rules {
            Rules::Validated { policies, .. } => policies
                .policies()
                .map(|policy| policy.id().to_string())
                .collect(),
            Rules::Shipped { forms, .. } => forms.keys().map(|id| (*id).to_owned()).collect(),
        };
        ids.sort();
        ids
    }

    /// The policies that can apply to `action`; from the shipped form, parsed at the first call.
    fn policies_for(&self, action: Action) -> Result<&PolicySet, String> {
        let missing = || format!("action `{action}` has no policy set");
        match &self.rules {
            Rules::Validated { by_action, .. } => by_action.get(&action).ok_or_else(missing),
            Rules::Shipped { forms, by_action } => {
                let (ids, built) = by_action.get(&action).ok_or_else(missing)?;
                built
                    .get_or_init(|| build_shipped(forms, ids))
                    .as_ref()
                    .map_err(Clone::clone)
            }
        }
    }

    /// The schema requests are checked against, when the policies were validated at load.
    fn schema(&self) -> Option<&Schema> {
        match &self.rules {
            Rules::Validated { schema, .. } => Some(schema),
            Rules::Shipped { .. } => None,
        }
    }

    /// Decides whether `principal` may perform `action` on `resource`. Default deny: anything no
    /// policy permits, and anything a policy forbids, is refused.
    pub fn decide(
        &self,
        principal: &Principal,
        action: Action,
        resource: &ResourceFacts,
    ) -> Decision {
        let key = (principal.clone(), action, resource.clone());
        if let Some(decision) = self
            .memo
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return decision.clone();
        }
        let decision = self.decide_uncached(principal, action, resource);
        let mut memo = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
        if memo.len() >= DECISION_MEMO_ENTRIES_MAX {
            memo.clear();
        }
        memo.insert(key, decision.clone());
        decision
    }

    /// [`Authz::decide`] without the memo: Cedar evaluates the request every time. The
    /// benchmarks measure this.
    pub fn decide_uncached(
        &self,
        principal: &Principal,
        action: Action,
        resource: &ResourceFacts,
    ) -> Decision {
        if action.resource_kind() != resource.kind() {
            return Decision::refused(format!(
                "action `{action}` acts on a {}, not a {}",
                action.resource_kind().as_str(),
                resource.kind().as_str()
            ));
        }
        match self.request(principal, action, resource) {
            Ok((request, entities)) => {
                let policies = match self.policies_for(action) {
                    Ok(policies) => policies,
                    Err(error) => return Decision::refused(error),
                };
                let response = self.authorizer.is_authorized(&request, policies, &entities);
                let mut reasons: Vec<String> = response
                    .diagnostics()
                    .reason()
                    .map(ToString::to_string)
                    .collect();
                reasons.sort();
                let errors: Vec<String> = response
                    .diagnostics()
                    .errors()
                    .map(ToString::to_string)
                    .collect();
                // Fail closed: an evaluation error could have hidden a forbid.
                let allowed =
                    response.decision() == cedar_policy::Decision::Allow && errors.is_empty();
                Decision {
                    allowed,
                    reasons,
                    errors,
                }
            }
            Err(error) => Decision::refused(error),
        }
    }

    /// Builds the Cedar request and the entities it reads, checked against the schema.
    fn request(
        &self,
        principal: &Principal,
        action: Action,
        resource: &ResourceFacts,
    ) -> Result<(Request, Entities), String> {
        let action_uid = self
            .names
            .actions
            .get(&action)
            .cloned()
            .ok_or_else(|| format!("action `{action}` is not in the schema"))?;
        let principal_uid = self.uid(ResourceKind::User, &principal.user)?;
        let role = EntityUid::from_type_name_and_id(
            self.names.role.clone(),
            EntityId::new(principal.role.as_str()),
        );
        let text =
            |value: Option<String>| RestrictedExpression::new_string(value.unwrap_or_default());
        let principal_entity = Entity::new(
            principal_uid.clone(),
            HashMap::from([
                (
                    "role".to_owned(),
                    RestrictedExpression::new_entity_uid(role),
                ),
                (
                    "state".to_owned(),
                    text(principal.state.map(|country| country.to_string())),
                ),
                ("court".to_owned(), text(principal.court.clone())),
                (
                    "monitoring_body".to_owned(),
                    text(principal.monitoring_body.clone()),
                ),
            ]),
            HashSet::new(),
        )
        .map_err(|error| error.to_string())?;
        let mut entities = vec![principal_entity];

        let resource_uid = match resource {
            ResourceFacts::Service => self.uid(ResourceKind::Service, SINGLETON_ID)?,
            ResourceFacts::Log => self.uid(ResourceKind::Log, SINGLETON_ID)?,
            ResourceFacts::Agreement(agreement) => {
                let (uid, entity) = self.agreement(agreement)?;
                entities.push(entity);
                uid
            }
            ResourceFacts::Case(case) => {
                let (agreement_uid, agreement_entity) = self.agreement(&case.agreement)?;
                entities.push(agreement_entity);
                let uid = self.uid(ResourceKind::Case, &case.id.to_string())?;
                let mut attributes = HashMap::from([
                    (
                        "agreement".to_owned(),
                        RestrictedExpression::new_entity_uid(agreement_uid),
                    ),
                    (
                        "requested".to_owned(),
                        RestrictedExpression::new_bool(case.requested),
                    ),
                    (
                        "courts".to_owned(),
                        RestrictedExpression::new_set(
                            case.courts
                                .iter()
                                .map(|court| RestrictedExpression::new_string(court.clone())),
                        ),
                    ),
                ]);
                if let Some(counsel) = &case.counsel {
                    let counsel_uid = self.uid(ResourceKind::User, counsel.as_str())?;
                    attributes.insert(
                        "counsel".to_owned(),
                        RestrictedExpression::new_entity_uid(counsel_uid),
                    );
                }
                entities.push(
                    Entity::new(uid.clone(), attributes, HashSet::new())
                        .map_err(|error| error.to_string())?,
                );
                uid
            }
            ResourceFacts::Hold(hold) => {
                let uid = self.uid(ResourceKind::Hold, &hold.id.to_string())?;
                let sending_states = hold
                    .sending_states
                    .iter()
                    .map(|country| RestrictedExpression::new_string(country.to_string()));
                let attributes = HashMap::from([
                    (
                        "court".to_owned(),
                        RestrictedExpression::new_string(hold.court.clone()),
                    ),
                    (
                        "sending_states".to_owned(),
                        RestrictedExpression::new_set(sending_states),
                    ),
                ]);
                entities.push(
                    Entity::new(uid.clone(), attributes, HashSet::new())
                        .map_err(|error| error.to_string())?,
                );
                uid
            }
            // The account acted on: its attributes are not read by any policy, and the principal
            // may be the same user, so no second entity is added.
            ResourceFacts::User(user) => self.uid(ResourceKind::User, user.as_str())?,
        };

        let request = Request::new(
            principal_uid,
            action_uid,
            resource_uid,
            Context::empty(),
            self.schema(),
        )
        .map_err(|error| error.to_string())?;
        // The entities' shape is fixed by this function, not by input, so checking them against
        // the schema on every decision would cost more than the decision itself (about 17 µs of
        // 30). Debug builds, which run the test suite and its whole matrix, check every one.
        let schema = self.schema().filter(|_| cfg!(debug_assertions));
        let entities =
            Entities::from_entities(entities, schema).map_err(|error| error.to_string())?;
        Ok((request, entities))
    }

    fn agreement(&self, agreement: &AgreementFacts) -> Result<(EntityUid, Entity), String> {
        let uid = self.uid(ResourceKind::Agreement, agreement.id.as_str())?;
        let attributes = HashMap::from([
            (
                "sending".to_owned(),
                RestrictedExpression::new_string(agreement.sending.to_string()),
            ),
            (
                "receiving".to_owned(),
                RestrictedExpression::new_string(agreement.receiving.to_string()),
            ),
            (
                "monitoring_body".to_owned(),
                RestrictedExpression::new_string(
                    agreement.monitoring_body.clone().unwrap_or_default(),
                ),
            ),
        ]);
        let entity = Entity::new(uid.clone(), attributes, HashSet::new())
            .map_err(|error| error.to_string())?;
        Ok((uid, entity))
    }

    fn uid(&self, kind: ResourceKind, id: &str) -> Result<EntityUid, String> {
        let type_name = self
            .names
            .kinds
            .get(&kind)
            .cloned()
            .ok_or_else(|| format!("entity type `{}` unknown", kind.as_str()))?;
        Ok(EntityUid::from_type_name_and_id(
            type_name,
            EntityId::new(id),
        ))
    }
}

impl Names {
    fn new() -> Result<Self, LoadError> {
        let type_name = |name: &str| {
            EntityTypeName::from_str(name).map_err(|error| LoadError::Name {
                name: name.to_owned(),
                message: error.to_string(),
            })
        };
        let kinds = [
            ResourceKind::Service,
            ResourceKind::Log,
            ResourceKind::Agreement,
            ResourceKind::Case,
            ResourceKind::Hold,
            ResourceKind::User,
        ]
        .into_iter()
        .map(|kind| Ok((kind, type_name(kind.as_str())?)))
        .collect::<Result<HashMap<_, _>, LoadError>>()?;
        let action_type = type_name("Action")?;
        let actions = Action::ALL
            .iter()
            .map(|action| {
                (
                    *action,
                    EntityUid::from_type_name_and_id(
                        action_type.clone(),
                        EntityId::new(action.as_str()),
                    ),
                )
            })
            .collect();
        Ok(Self {
            kinds,
            role: type_name("Role")?,
            actions,
        })
    }
}

/// Splits the policies by the action they can apply to, so a decision evaluates only those.
///
/// Exact, not a heuristic: a policy whose scope excludes the action can never be satisfied for it
/// (Cedar evaluates the scope before the conditions, and a false scope cannot raise an error).
/// A policy whose scope is any action, or names an action that is not an [`Action`] (an action
/// group, should the schema gain one), goes to every action.
fn partition(policies: &PolicySet, names: &Names) -> Result<HashMap<Action, PolicySet>, LoadError> {
    let mut by_action: HashMap<Action, PolicySet> = Action::ALL
        .iter()
        .map(|action| (*action, PolicySet::new()))
        .collect();
    let action_of = |uid: &EntityUid| {
        names
            .actions
            .iter()
            .find(|(_, known)| *known == uid)
            .map(|(action, _)| *action)
    };
    for policy in policies.policies() {
        let applies_to: Vec<Action> = match policy.action_constraint() {
            ActionConstraint::Any => Action::ALL.to_vec(),
            ActionConstraint::Eq(uid) => {
                action_of(&uid).map_or_else(|| Action::ALL.to_vec(), |action| vec![action])
            }
            ActionConstraint::In(uids) => {
                let actions: Option<Vec<Action>> = uids.iter().map(action_of).collect();
                actions.unwrap_or_else(|| Action::ALL.to_vec())
            }
        };
        for action in applies_to {
            if let Some(set) = by_action.get_mut(&action) {
                set.add(policy.clone()).map_err(|error| LoadError::Parse {
                    file: String::from("(partition)"),
                    message: error.to_string(),
                })?;
            }
        }
    }
    Ok(by_action)
}

/// The policy set of one action from the shipped JSON forms of its policies.
fn build_shipped(
    forms: &BTreeMap<&'static str, &'static serde_json::value::RawValue>,
    ids: &[&'static str],
) -> Result<PolicySet, String> {
    let mut set = PolicySet::new();
    for id in ids {
        let form = forms
            .get(id)
            .ok_or_else(|| format!("policy `{id}` is not in the shipped form"))?;
        let value: serde_json::Value =
            serde_json::from_str(form.get()).map_err(|error| format!("policy `{id}`: {error}"))?;
        let policy = Policy::from_json(Some(PolicyId::new(*id)), value)
            .map_err(|error| format!("policy `{id}`: {error}"))?;
        set.add(policy)
            .map_err(|error| format!("policy `{id}`: {error}"))?;
    }
    Ok(set)
}

/// Fails unless the schema declares exactly the actions [`Action`] has.
fn check_actions(schema: &Schema) -> Result<(), LoadError> {
    let in_schema: BTreeSet<String> = schema
        .actions()
        .map(|uid| uid.id().unescaped().to_owned())
        .collect();
    check_action_names(&in_schema)
}

/// Fails unless `declared` (the schema's actions, or those of the shipped form) are exactly the
/// actions [`Action`] has.
fn check_action_names(declared: &BTreeSet<String>) -> Result<(), LoadError> {
    let in_code: BTreeSet<String> = Action::ALL
        .iter()
        .map(|action| action.as_str().to_owned())
        .collect();
    if *declared == in_code {
        return Ok(());
    }
    Err(LoadError::ActionsDisagree {
        only_in_schema: declared.difference(&in_code).cloned().collect(),
        only_in_code: in_code.difference(declared).cloned().collect(),
    })
}

/// A Cedar diagnostic as one line: its message, and its help when it has one.
fn describe(diagnostic: &(impl Diagnostic + ?Sized)) -> String {
    match diagnostic.help() {
        Some(help) => format!("{diagnostic} (help: {help})"),
        None => diagnostic.to_string(),
    }
}

/// Validates `policies` against `schema` in strict mode; every error and warning, named by the
/// file its policy came from (`file_of`: `@id` → file).
fn validate_strictly(
    schema: &Schema,
    policies: &PolicySet,
    file_of: &BTreeMap<String, String>,
) -> Result<(), LoadError> {
    let result = Validator::new(schema.clone()).validate(policies, ValidationMode::Strict);
    let file = |id: &PolicyId| {
        file_of
            .get(AsRef::<str>::as_ref(id))
            .map_or("?", String::as_str)
            .to_owned()
    };
    let mut errors: Vec<String> = result
        .validation_errors()
        .map(|error| format!("{}: {}", file(error.policy_id()), describe(error)))
        .collect();
    // A warning (a policy that can never apply, confusable characters) is a mistake too.
    errors.extend(
        result
            .validation_warnings()
            .map(|warning| format!("{}: {}", file(warning.policy_id()), describe(warning))),
    );
    if errors.is_empty() {
        Ok(())
    } else {
        Err(LoadError::Validation { errors })
    }
}
