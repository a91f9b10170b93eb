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
use std::sync::{Mutex, PoisonError};

use cedar_policy::{
    ActionConstraint, Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicyId, PolicySet, Request, RestrictedExpression, Schema, ValidationMode, Validator,
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

/// The shipped schema and policy files in Cedar's JSON forms: `{"schema": <JSON schema>,
/// "policies": [[file name, <policy set as JSON>], …]}`, in the order of [`POLICY_FILES`]. The
/// same schema and policies as [`SCHEMA`] and [`POLICY_FILES`], which stay the source: the test
/// `the_shipped_json_is_the_shipped_text` holds the two equal (and says how to remake this file).
/// Cedar reads JSON with serde, several times faster than its grammar reads the text, which was
/// half of a one-off command's start-up (docs/benchmarks.md, "CLI start-up").
pub const SHIPPED_JSON: &str = include_str!("../policies/shipped.json");

/// The shipped schema and policy files read from their JSON forms ([`SHIPPED_JSON`]).
fn shipped_json() -> Result<(Schema, Vec<(String, PolicySet)>), LoadError> {
    const FILE: &str = "shipped.json";
    let malformed = |what: &str| LoadError::Parse {
        file: FILE.to_owned(),
        message: what.to_owned(),
    };
    let mut bundle: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(SHIPPED_JSON).map_err(|error| malformed(&error.to_string()))?;
    let schema = bundle
        .remove("schema")
        .ok_or_else(|| malformed("there is no `schema`"))?;
    let schema = Schema::from_json_value(schema).map_err(|error| LoadError::Schema {
        message: format!("{FILE}: {error}"),
    })?;
    let Some(serde_json::Value::Array(entries)) = bundle.remove("policies") else {
        return Err(malformed("`policies` is not a list"));
    };
    let mut files = Vec::with_capacity(entries.len());
    for entry in entries {
        let serde_json::Value::Array(pair) = entry else {
            return Err(malformed(
                "a `policies` entry is not a [file, policies] pair",
            ));
        };
        let [serde_json::Value::String(file), set] = <[serde_json::Value; 2]>::try_from(pair)
            .map_err(|_| malformed("a `policies` entry is not a [file, policies] pair"))?
        else {
            return Err(malformed(
                "a `policies` entry does not start with its file name",
            ));
        };
        let set = PolicySet::from_json_value(set).map_err(|error| LoadError::Parse {
            file: format!("{FILE}: {file}"),
            message: error.to_string(),
        })?;
        files.push((file, set));
    }
    Ok((schema, files))
}

/// The JSON forms of a schema and policy files given as text, as [`SHIPPED_JSON`] holds them
/// for the shipped ones: what the test that keeps the two equal compares, and writes when they
/// differ.
///
/// # Errors
/// When the schema or a policy file does not parse, or Cedar cannot write its JSON form.
pub fn json_forms(
    schema_text: &str,
    files: &[(&str, &str)],
) -> Result<serde_json::Value, LoadError> {
    let (fragment, _warnings) = cedar_policy::SchemaFragment::from_cedarschema_str(schema_text)
        .map_err(|error| LoadError::Schema {
            message: error.to_string(),
        })?;
    let schema = fragment
        .to_json_value()
        .map_err(|error| LoadError::Schema {
            message: error.to_string(),
        })?;
    let mut policies = Vec::with_capacity(files.len());
    for (file, text) in files {
        let set = PolicySet::from_str(text)
            .map_err(|error| LoadError::Parse {
                file: (*file).to_owned(),
                message: describe(&error),
            })?
            .to_json()
            .map_err(|error| LoadError::Parse {
                file: (*file).to_owned(),
                message: error.to_string(),
            })?;
        policies.push(serde_json::Value::Array(vec![
            serde_json::Value::String((*file).to_owned()),
            set,
        ]));
    }
    let mut bundle = serde_json::Map::new();
    bundle.insert("schema".to_owned(), schema);
    bundle.insert("policies".to_owned(), serde_json::Value::Array(policies));
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
    /// Every policy, as loaded and validated.
    policies: PolicySet,
    /// For each action, the policies whose scope can apply to it (see [`partition`]).
    by_action: HashMap<Action, PolicySet>,
    schema: Schema,
    authorizer: Authorizer,
    names: Names,
    /// Decisions already made, by request. A decision is a pure function of the policies (fixed
    /// for the life of an `Authz`) and the request, so remembering it changes no answer.
    memo: Mutex<HashMap<(Principal, Action, ResourceFacts), Decision>>,
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

    /// Parses the shipped schema and policies without validating the policies against the
    /// schema again: for a one-off command. The texts are compiled into the binary, so their
    /// validation is a fact of the build, not of the run: the test `shipped_policies_validate`
    /// holds it for these very texts, and `corridor serve` validates them again at start
    /// ([`Authz::load`]). Everything else (parsing, `@id`s, the actions' agreement with the
    /// schema) is checked as by [`Authz::load`]. Strict validation is about two thirds of a
    /// command's start-up work (docs/benchmarks.md, "CLI start-up").
    ///
    /// It reads them from their JSON forms ([`SHIPPED_JSON`]), which a test holds equal to the
    /// texts.
    pub fn load_shipped() -> Result<Self, LoadError> {
        let (schema, files) = shipped_json()?;
        Self::build(schema, files, false)
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
        Self::build(schema, sets, true)
    }

    /// Takes a schema and each file's policies, checks their `@id`s, and validates the policies
    /// in strict mode when `validate`.
    fn build(
        schema: Schema,
        files: Vec<(String, PolicySet)>,
        validate: bool,
    ) -> Result<Self, LoadError> {
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

        if validate {
            validate_strictly(&schema, &policies, &file_of)?;
        }

        check_actions(&schema)?;
        let names = Names::new()?;
        let by_action = partition(&policies, &names)?;
        Ok(Self {
            policies,
            by_action,
            schema,
            authorizer: Authorizer::new(),
            names,
            memo: Mutex::new(HashMap::new()),
        })
    }

    /// The `@id`s of the loaded policies, sorted.
    pub fn policy_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .policies
            .policies()
            .map(|policy| policy.id().to_string())
            .collect();
        ids.sort();
        ids
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
                let Some(policies) = self.by_action.get(&action) else {
                    return Decision::refused(format!("action `{action}` has no policy set"));
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
            Some(&self.schema),
        )
        .map_err(|error| error.to_string())?;
        // The entities' shape is fixed by this function, not by input, so checking them against
        // the schema on every decision would cost more than the decision itself (about 17 µs of
        // 30). Debug builds, which run the test suite and its whole matrix, check every one.
        let schema = Some(&self.schema).filter(|_| cfg!(debug_assertions));
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

/// Fails unless the schema declares exactly the actions [`Action`] has.
fn check_actions(schema: &Schema) -> Result<(), LoadError> {
    let in_schema: BTreeSet<String> = schema
        .actions()
        .map(|uid| uid.id().unescaped().to_owned())
        .collect();
    let in_code: BTreeSet<String> = Action::ALL
        .iter()
        .map(|action| action.as_str().to_owned())
        .collect();
    if in_schema == in_code {
        return Ok(());
    }
    Err(LoadError::ActionsDisagree {
        only_in_schema: in_schema.difference(&in_code).cloned().collect(),
        only_in_code: in_code.difference(&in_schema).cloned().collect(),
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
