//! The policies against the schema: the shipped ones validate, broken ones are refused with a
//! message a reviewer can act on, and decisions name the policies that made them.

use corridor_authz::{Action, Authz, LoadError, POLICY_FILES, ResourceFacts, ResourceKind, SCHEMA};
use corridor_domain::{CaseId, Command, HoldId, Role};

use crate::fixture::{Side, principal, resource};

/// Loads the shipped schema with the shipped policies plus one extra file.
fn load_with(extra: &str) -> Result<Authz, LoadError> {
    let mut files = POLICY_FILES.to_vec();
    files.push(("extra.cedar", extra));
    Authz::from_sources(SCHEMA, &files)
}

/// The message of a load that must fail.
fn refusal(result: Result<Authz, LoadError>) -> String {
    match result {
        Ok(_) => String::from("<loaded>"),
        Err(error) => error.to_string(),
    }
}

/// Proves the shipped policies validate against the schema in strict mode, every one with an @id.
#[test]
fn shipped_policies_validate() -> anyhow::Result<()> {
    let authz = Authz::load()?;
    let ids = authz.policy_ids();
    assert!(ids.len() >= POLICY_FILES.len(), "{ids:?}");
    assert!(
        ids.contains(&"guard-admin-never-reads-cases".to_owned()),
        "{ids:?}"
    );
    // What a one-off command loads without validating is the same policy set.
    assert_eq!(Authz::load_shipped()?.policy_ids(), ids);
    Ok(())
}

/// Proves a policy reading an attribute the schema lacks is refused, naming file, policy and attribute.
#[test]
fn unknown_attribute_is_refused() {
    let message = refusal(load_with(
        r#"@id("broken-rank") permit (principal, action == Action::"read_case", resource is Case)
           when { principal.rank == "senior" };"#,
    ));
    assert!(message.contains("do not validate"), "{message}");
    assert!(
        message.contains("extra.cedar: for policy `broken-rank`, attribute `rank`"),
        "{message}"
    );
    assert!(message.contains("rank"), "{message}");
}

/// Proves a misspelt role is a validation error, not a rule that silently never matches.
#[test]
fn misspelt_role_is_refused() {
    let message = refusal(load_with(
        r#"@id("broken-role") permit (principal, action == Action::"read_case", resource is Case)
           when { principal.role == Role::"sending_oficer" };"#,
    ));
    assert!(message.contains("broken-role"), "{message}");
    assert!(message.contains("sending_oficer"), "{message}");
}

/// Proves an action the schema does not declare is refused.
#[test]
fn unknown_action_is_refused() {
    let message = refusal(load_with(
        r#"@id("broken-action") permit (principal, action == Action::"fly", resource);"#,
    ));
    assert!(message.contains("broken-action"), "{message}");
    assert!(message.contains("fly"), "{message}");
}

/// Proves a policy that can never apply (a validator warning) is refused like an error.
#[test]
fn impossible_policy_is_refused() {
    let message = refusal(load_with(
        r#"@id("never") permit (principal, action == Action::"read_log", resource is Case);"#,
    ));
    assert!(
        message.contains("policy `never`, policy is impossible"),
        "{message}"
    );
}

/// Proves a policy without an @id is refused, since decisions could not name it.
#[test]
fn policy_without_id_is_refused() {
    let message = refusal(load_with(
        r#"permit (principal, action == Action::"read_log", resource);"#,
    ));
    assert!(message.contains("`extra.cedar` has no `@id"), "{message}");
}

/// Proves two policies with one @id are refused.
#[test]
fn duplicate_id_is_refused() {
    let message = refusal(load_with(
        r#"@id("public-log") permit (principal, action == Action::"read_log", resource);"#,
    ));
    assert!(
        message.contains("policy id `public-log` is used twice"),
        "{message}"
    );
}

/// Proves text that is not Cedar is refused with the parser's message.
#[test]
fn unparsable_policy_is_refused() {
    let message = refusal(load_with("permit (principal, action, resource) when {"));
    assert!(
        message.starts_with("policy file `extra.cedar` does not parse"),
        "{message}"
    );
}

/// Proves a schema action the Action enum lacks stops the load.
#[test]
fn schema_and_code_must_declare_the_same_actions() {
    let schema =
        format!("{SCHEMA}\naction fly appliesTo {{ principal: User, resource: Service }};\n");
    let message = refusal(Authz::from_sources(&schema, POLICY_FILES));
    assert!(
        message.contains(r#"only in the schema ["fly"]"#),
        "{message}"
    );
}

/// Proves decisions name their policies: the permit that allowed, the forbid that denied, none by default.
#[test]
fn decisions_name_their_policies() -> anyhow::Result<()> {
    let authz = Authz::load()?;
    let case = |role, side| resource(ResourceKind::Case, role, side);

    let allowed = authz.decide(
        &principal(Role::SendingOfficer, Side::Own)?,
        Action::ReadCase,
        &case(Role::SendingOfficer, Side::Own)?,
    );
    assert_eq!(
        (allowed.allowed, allowed.reasons),
        (true, vec!["sending-read-cases".to_owned()])
    );

    let forbidden = authz.decide(
        &principal(Role::Admin, Side::Own)?,
        Action::ReadCase,
        &case(Role::Admin, Side::Own)?,
    );
    assert_eq!(
        (forbidden.allowed, forbidden.reasons),
        (false, vec!["guard-admin-never-reads-cases".to_owned()])
    );

    let by_default = authz.decide(
        &principal(Role::SendingOfficer, Side::Other)?,
        Action::ReadCase,
        &case(Role::SendingOfficer, Side::Other)?,
    );
    assert_eq!((by_default.allowed, by_default.reasons.len()), (false, 0));
    Ok(())
}

/// Proves a resource of the wrong kind for the action is denied with an error, never decided.
#[test]
fn wrong_resource_kind_is_denied() -> anyhow::Result<()> {
    let authz = Authz::load()?;
    let decision = authz.decide(
        &principal(Role::Admin, Side::Own)?,
        Action::Erase,
        &ResourceFacts::Service,
    );
    assert!(!decision.allowed);
    assert_eq!(
        decision.errors,
        vec!["action `erase` acts on a Case, not a Service".to_owned()]
    );
    Ok(())
}

/// Proves domain commands map to the Cedar action of the same name, and back.
#[test]
fn commands_map_to_actions_of_the_same_name() -> anyhow::Result<()> {
    // The commands that are quick to build; `Action::of_command` is an exhaustive match, so a new
    // command variant cannot be left without an action.
    let case = CaseId::from_u64(1);
    let hold = HoldId::from_u64(2);
    let commands = [
        Command::ServeNotice {
            case,
            notice: notice()?,
        },
        Command::ClaimProtection { case },
        Command::DecideProtection {
            case,
            granted: false,
        },
        Command::RequestTransfer { case },
        Command::Approve { case },
        Command::Refuse {
            case,
            reason: String::new(),
        },
        Command::ExtendDeadline {
            case,
            reason: String::new(),
        },
        Command::Depart { case },
        Command::Arrive { case },
        Command::LodgeReceivingClaim { case },
        Command::DecideReceivingClaim {
            case,
            granted: true,
        },
        Command::LodgeAppeal { case },
        Command::Return { case },
        Command::Settle { case },
        Command::ReportWhereaboutsUnknown { case },
        Command::ReportWhereaboutsKnown { case },
        Command::ValidateDetention { case },
        Command::Withdraw {
            case,
            reason: String::new(),
        },
        Command::Erase { case },
        Command::StayHold { hold },
        Command::ReactivateHold { hold },
        Command::VacateHold { hold },
        Command::LoadAgreement {
            file_name: String::new(),
            text: String::new(),
        },
        Command::Tick,
    ];
    for command in &commands {
        assert_eq!(Action::of_command(command).as_str(), command.name());
        assert_eq!(
            Action::parse(command.name()),
            Some(Action::of_command(command))
        );
    }
    Ok(())
}

fn notice() -> anyhow::Result<corridor_domain::NoticeFacts> {
    Ok(corridor_domain::NoticeFacts {
        language: corridor_domain::Language::parse("en").map_err(anyhow::Error::msg)?,
        on_person: true,
        on_counsel: true,
        destination: corridor_domain::terms::Country::parse("RWA").map_err(anyhow::Error::msg)?,
        explains_how_to_contest: true,
    })
}

/// Proves the JSON form a one-off command loads (`policies/shipped.json`) is exactly the shipped
/// policy texts, validated against the schema, converted by Cedar and split by action as `load`
/// splits them, so `load_shipped` and `load` decide with the same policies. When the texts change, the test writes the new JSON forms and says where to copy
/// them from.
#[test]
fn the_shipped_json_is_the_shipped_text() -> anyhow::Result<()> {
    let expected = corridor_authz::json_forms(SCHEMA, POLICY_FILES)?;
    let shipped: serde_json::Value =
        serde_json::from_str(corridor_authz::SHIPPED_JSON).unwrap_or(serde_json::Value::Null);
    if shipped != expected {
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("shipped.json");
        std::fs::write(
            &path,
            format!("{}\n", serde_json::to_string_pretty(&expected)?),
        )?;
        panic!(
            "crates/corridor-authz/policies/shipped.json is not the shipped policies \
             in their JSON form, split by action; the right file is written: cp {} crates/corridor-authz/policies/shipped.json",
            path.display()
        );
    }
    Ok(())
}
