//! State machines, their versions and aliases, and definition validation.

use super::now_ms;
use crate::App;
use crate::arn::{self, Arn};
use crate::protocol::{ApiError, epoch, length, max_results, page_start, page_token, parse, required};
use crate::registry::{Alias, Kind, Machine, Route, Version};
use asl_spec::{Diagnostic, Severity, WorkflowType};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The longest definition AWS takes (characters).
const MAX_DEFINITION: usize = 1_048_576;

/// `InvalidDefinition`, listing the errors as AWS does
/// (`SCHEMA_VALIDATION_FAILED: … at /States/X`).
pub(crate) fn invalid_definition<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>) -> ApiError {
    let list: Vec<String> = diagnostics
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            format!("{}: {} at {}", d.code.as_str(), d.message, if d.location.is_empty() { "/" } else { &d.location })
        })
        .collect();
    ApiError::new("InvalidDefinition", format!("Invalid State Machine Definition: '{}'", list.join(", ")))
}

fn workflow_type(kind: &str) -> Result<WorkflowType, ApiError> {
    match kind {
        "STANDARD" => Ok(WorkflowType::Standard),
        "EXPRESS" => Ok(WorkflowType::Express),
        other => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{other}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
        ))),
    }
}

/// Checks `definition` as a `kind` state machine.
fn check_definition(definition: &str, kind: &str) -> Result<(), ApiError> {
    length("definition", definition, 1, MAX_DEFINITION)?;
    let loaded = asl_spec::load_as(definition, workflow_type(kind)?);
    if loaded.diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Err(invalid_definition(loaded.diagnostics.iter()));
    }
    Ok(())
}

fn does_not_exist(arn: &str) -> ApiError {
    ApiError::new("StateMachineDoesNotExist", format!("State Machine Does Not Exist: '{arn}'"))
}

fn revision() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A state machine an ARN names, resolved: a version or an alias gives the
/// machine as that version has it.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The machine (for a version, as published).
    pub(crate) machine: Machine,
    /// The version it runs, if one was named (directly or by an alias).
    pub(crate) version_arn: Option<String>,
    /// The alias named, if one was.
    pub(crate) alias_arn: Option<String>,
    /// Step Functions Local's `#TestCase`.
    pub(crate) test_case: Option<String>,
}

/// Resolves the state machine ARN `arn`.
pub(crate) fn resolve(app: &App, arn: &str) -> Result<Resolved, ApiError> {
    let Arn::StateMachine { base, qualifier, test_case, .. } = arn::parse(arn)? else {
        return Err(ApiError::invalid_arn(arn));
    };
    let test_case = test_case.map(str::to_string);
    let Some(qualifier) = qualifier else {
        let machine = app.registry.get::<Machine>(Kind::Machine, base)?.ok_or_else(|| does_not_exist(arn))?;
        return Ok(Resolved { machine, version_arn: None, alias_arn: None, test_case });
    };
    let qualified = format!("{base}:{qualifier}");
    if qualifier.bytes().all(|b| b.is_ascii_digit()) {
        let version = app.registry.get::<Version>(Kind::Version, &qualified)?.ok_or_else(|| does_not_exist(arn))?;
        return Ok(Resolved { machine: version.machine, version_arn: Some(qualified), alias_arn: None, test_case });
    }
    let alias = app
        .registry
        .get::<Alias>(Kind::Alias, &qualified)?
        .ok_or_else(|| ApiError::new("ResourceNotFound", format!("Resource not found: '{arn}'")))?;
    // A weighted choice between the alias's versions.
    let total: u32 = alias.routing.iter().map(|r| r.weight).sum();
    let mut pick = if total == 0 { 0 } else { (uuid::Uuid::new_v4().as_u128() % u128::from(total)) as u32 };
    let mut chosen = &alias.routing[0];
    for route in &alias.routing {
        if pick < route.weight {
            chosen = route;
            break;
        }
        pick -= route.weight;
    }
    let version = app
        .registry
        .get::<Version>(Kind::Version, &chosen.version_arn)?
        .ok_or_else(|| does_not_exist(&chosen.version_arn))?;
    Ok(Resolved {
        machine: version.machine,
        version_arn: Some(chosen.version_arn.clone()),
        alias_arn: Some(qualified),
        test_case,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateRequest {
    name: Option<String>,
    definition: Option<String>,
    role_arn: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    logging_configuration: Option<Value>,
    tracing_configuration: Option<Value>,
    encryption_configuration: Option<Value>,
    tags: Option<Vec<super::tags::Tag>>,
    #[serde(default)]
    publish: bool,
    version_description: Option<String>,
}

fn default_logging() -> Value {
    json!({"level": "OFF", "includeExecutionData": false})
}

fn default_tracing() -> Value {
    json!({"enabled": false})
}

/// `CreateStateMachine`.
pub(crate) fn create(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: CreateRequest = parse(body)?;
    let name = required(request.name, "name")?;
    crate::protocol::check_name(&name, "state machine")?;
    let definition = required(request.definition, "definition")?;
    let role_arn = required(request.role_arn, "roleArn")?;
    length("roleArn", &role_arn, 1, 256)?;
    let kind = request.kind.unwrap_or_else(|| "STANDARD".into());
    check_definition(&definition, &kind)?;
    let arn = app.home.state_machine(&name);
    let now = now_ms();
    let machine = Machine {
        arn: arn.clone(),
        name,
        definition,
        role_arn,
        kind,
        description: None,
        logging: request.logging_configuration.unwrap_or_else(default_logging),
        tracing: request.tracing_configuration.unwrap_or_else(default_tracing),
        encryption: request.encryption_configuration,
        revision_id: revision(),
        created_ms: now,
        updated_ms: None,
        next_version: 1,
    };
    let tags = super::tags::pairs(request.tags.unwrap_or_default())?;
    if let Some(existing) = app.registry.create(Kind::Machine, &arn, None, now, &machine)? {
        // The same request again is idempotent; another one conflicts.
        let same = existing.definition == machine.definition
            && existing.role_arn == machine.role_arn
            && existing.kind == machine.kind;
        if !same {
            return Err(ApiError::new("StateMachineAlreadyExists", format!("State Machine Already Exists: '{arn}'")));
        }
        return Ok(json!({ "stateMachineArn": arn, "creationDate": epoch(existing.created_ms) }));
    }
    app.registry.tag(&arn, &tags, &[])?;
    let mut out = json!({ "stateMachineArn": arn, "creationDate": epoch(now) });
    if request.publish {
        let version = publish_version(app, &arn, request.version_description)?;
        out["stateMachineVersionArn"] = json!(version.arn);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateRequest {
    state_machine_arn: Option<String>,
    definition: Option<String>,
    role_arn: Option<String>,
    logging_configuration: Option<Value>,
    tracing_configuration: Option<Value>,
    encryption_configuration: Option<Value>,
    #[serde(default)]
    publish: bool,
    version_description: Option<String>,
}

/// `UpdateStateMachine`: new executions run the new definition; running
/// ones keep theirs.
pub(crate) fn update(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: UpdateRequest = parse(body)?;
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    let Arn::StateMachine { qualifier: None, test_case: None, .. } = arn::parse(&arn)? else {
        return Err(ApiError::validation(
            "UpdateStateMachine takes the state machine's own ARN, not a version's or an alias's",
        ));
    };
    let mut machine = app.registry.get::<Machine>(Kind::Machine, &arn)?.ok_or_else(|| does_not_exist(&arn))?;
    if request.definition.is_none()
        && request.role_arn.is_none()
        && request.logging_configuration.is_none()
        && request.tracing_configuration.is_none()
        && request.encryption_configuration.is_none()
        && !request.publish
    {
        return Err(ApiError::new(
            "MissingRequiredParameter",
            "Either the definition, the roleArn, the loggingConfiguration or the tracingConfiguration must be specified",
        ));
    }
    if let Some(definition) = request.definition {
        check_definition(&definition, &machine.kind)?;
        machine.definition = definition;
    }
    if let Some(role) = request.role_arn {
        length("roleArn", &role, 1, 256)?;
        machine.role_arn = role;
    }
    if let Some(logging) = request.logging_configuration {
        machine.logging = logging;
    }
    if let Some(tracing) = request.tracing_configuration {
        machine.tracing = tracing;
    }
    if let Some(encryption) = request.encryption_configuration {
        machine.encryption = Some(encryption);
    }
    let now = now_ms();
    machine.updated_ms = Some(now);
    machine.revision_id = revision();
    app.registry.put(Kind::Machine, &arn, None, machine.created_ms, &machine)?;
    let mut out = json!({ "updateDate": epoch(now), "revisionId": machine.revision_id });
    if request.publish {
        out["stateMachineVersionArn"] = json!(publish_version(app, &arn, request.version_description)?.arn);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArnRequest {
    state_machine_arn: Option<String>,
    state_machine_version_arn: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
    revision_id: Option<String>,
    description: Option<String>,
}

/// A machine as `DescribeStateMachine` (and the version's own fields, for a version).
fn describe_json(machine: &Machine, version: Option<&Version>) -> Value {
    let mut out = json!({
        "stateMachineArn": version.map_or(&machine.arn, |v| &v.arn),
        "name": machine.name,
        "status": "ACTIVE",
        "definition": machine.definition,
        "roleArn": machine.role_arn,
        "type": machine.kind,
        "creationDate": epoch(version.map_or(machine.created_ms, |v| v.created_ms)),
        "loggingConfiguration": machine.logging,
        "tracingConfiguration": machine.tracing,
        "revisionId": machine.revision_id,
        "encryptionConfiguration": machine.encryption.clone().unwrap_or_else(|| json!({"type": "AWS_OWNED_KEY"})),
    });
    let description = version.map_or(machine.description.as_ref(), |v| v.description.as_ref());
    if let Some(description) = description {
        out["description"] = json!(description);
    }
    out
}

/// `DescribeStateMachine` (of a machine or one of its versions).
pub(crate) fn describe(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ArnRequest = parse(body)?;
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    match arn::parse(&arn)? {
        Arn::StateMachine { qualifier: None, test_case: None, .. } => {
            let machine = app.registry.get::<Machine>(Kind::Machine, &arn)?.ok_or_else(|| does_not_exist(&arn))?;
            Ok(describe_json(&machine, None))
        }
        Arn::StateMachine { qualifier: Some(q), test_case: None, .. } if q.bytes().all(|b| b.is_ascii_digit()) => {
            let version = app.registry.get::<Version>(Kind::Version, &arn)?.ok_or_else(|| does_not_exist(&arn))?;
            Ok(describe_json(&version.machine, Some(&version)))
        }
        _ => Err(ApiError::invalid_arn(&arn)),
    }
}

/// One page of `items`, under `key`.
pub(crate) fn page(key: &str, items: Vec<Value>, max: Option<i64>, token: Option<&str>) -> Result<Value, ApiError> {
    let max = max_results(max, 100)?;
    let start = page_start(token, items.len())?;
    let end = (start + max).min(items.len());
    let mut out = Map::new();
    let len = items.len();
    out.insert(key.into(), Value::Array(items.into_iter().skip(start).take(end - start).collect()));
    if let Some(token) = page_token(end, len) {
        out.insert("nextToken".into(), json!(token));
    }
    Ok(Value::Object(out))
}

/// `ListStateMachines`.
pub(crate) fn list(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ArnRequest = parse(body)?;
    let machines: Vec<Machine> = app.registry.list(Kind::Machine, None)?;
    let items = machines
        .iter()
        .map(|m| json!({"stateMachineArn": m.arn, "name": m.name, "type": m.kind, "creationDate": epoch(m.created_ms)}))
        .collect();
    page("stateMachines", items, request.max_results, request.next_token.as_deref())
}

/// `DeleteStateMachine`: the machine, its versions and aliases go; its
/// executions run on to their end.
pub(crate) fn delete(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ArnRequest = parse(body)?;
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    match arn::parse(&arn)? {
        Arn::StateMachine { qualifier: None, test_case: None, .. } => {
            app.registry.delete(&arn)?;
            Ok(json!({}))
        }
        // AWS deletes a version or an alias given here too.
        Arn::StateMachine { qualifier: Some(_), test_case: None, .. } => {
            app.registry.delete(&arn)?;
            Ok(json!({}))
        }
        _ => Err(ApiError::invalid_arn(&arn)),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ValidateRequest {
    definition: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    severity: Option<String>,
    max_results: Option<i64>,
}

/// `ValidateStateMachineDefinition`: this project's diagnostics, in AWS's shape.
pub(crate) fn validate(body: &[u8]) -> Result<Value, ApiError> {
    let request: ValidateRequest = parse(body)?;
    let definition = required(request.definition, "definition")?;
    length("definition", &definition, 1, MAX_DEFINITION)?;
    let kind = workflow_type(request.kind.as_deref().unwrap_or("STANDARD"))?;
    let with_warnings = match request.severity.as_deref() {
        None | Some("ERROR") => false,
        Some("WARNING") => true,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{other}' at 'severity' failed to satisfy constraint: Member must satisfy enum value set: [ERROR, WARNING]"
            )));
        }
    };
    let max = max_results(request.max_results, 100)?;
    let loaded = asl_spec::load_as(&definition, kind);
    let chosen: Vec<&Diagnostic> =
        loaded.diagnostics.iter().filter(|d| with_warnings || d.severity == Severity::Error).collect();
    let failed = chosen.iter().any(|d| d.severity == Severity::Error);
    let diagnostics: Vec<Value> = chosen
        .iter()
        .take(max)
        .map(|d| {
            json!({
                "severity": match d.severity { Severity::Error => "ERROR", Severity::Warning => "WARNING" },
                "code": d.code.as_str(),
                "message": d.message,
                "location": d.location,
            })
        })
        .collect();
    Ok(json!({
        "result": if failed { "FAIL" } else { "OK" },
        "diagnostics": diagnostics,
        "truncated": chosen.len() > max,
    }))
}

/// Publishes the current revision of the machine `arn` as its next version.
fn publish_version(app: &App, arn: &str, description: Option<String>) -> Result<Version, ApiError> {
    let mut machine = app.registry.get::<Machine>(Kind::Machine, arn)?.ok_or_else(|| does_not_exist(arn))?;
    // The same revision published twice is the same version.
    let versions: Vec<Version> = app.registry.list(Kind::Version, Some(arn))?;
    if let Some(existing) = versions.iter().find(|v| v.machine.revision_id == machine.revision_id) {
        return Ok(existing.clone());
    }
    let number = machine.next_version;
    machine.next_version += 1;
    let now = now_ms();
    let version = Version {
        arn: format!("{arn}:{number}"),
        machine_arn: arn.to_string(),
        machine: machine.clone(),
        description,
        created_ms: now,
    };
    app.registry.put(Kind::Version, &version.arn, Some(arn), now, &version)?;
    app.registry.put(Kind::Machine, arn, None, machine.created_ms, &machine)?;
    Ok(version)
}

/// `PublishStateMachineVersion`.
pub(crate) fn publish(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ArnRequest = parse(body)?;
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    let machine = app.registry.get::<Machine>(Kind::Machine, &arn)?.ok_or_else(|| does_not_exist(&arn))?;
    if let Some(revision) = &request.revision_id
        && *revision != machine.revision_id
    {
        return Err(ApiError::new(
            "ConflictException",
            format!("The revisionId '{revision}' is not the state machine's current one ('{}')", machine.revision_id),
        ));
    }
    let version = publish_version(app, &arn, request.description)?;
    Ok(json!({ "creationDate": epoch(version.created_ms), "stateMachineVersionArn": version.arn }))
}

/// `ListStateMachineVersions`, newest first.
pub(crate) fn list_versions(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ArnRequest = parse(body)?;
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    let mut versions: Vec<Version> = app.registry.list(Kind::Version, Some(&arn))?;
    versions.reverse();
    let items = versions
        .iter()
        .map(|v| json!({"stateMachineVersionArn": v.arn, "creationDate": epoch(v.created_ms)}))
        .collect();
    page("stateMachineVersions", items, request.max_results, request.next_token.as_deref())
}

/// `DeleteStateMachineVersion`: refused while an alias routes to it.
pub(crate) fn delete_version(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ArnRequest = parse(body)?;
    let arn = required(request.state_machine_version_arn, "stateMachineVersionArn")?;
    let Some(version) = app.registry.get::<Version>(Kind::Version, &arn)? else { return Ok(json!({})) };
    let aliases: Vec<Alias> = app.registry.list(Kind::Alias, Some(&version.machine_arn))?;
    if let Some(alias) = aliases.iter().find(|a| a.routing.iter().any(|r| r.version_arn == arn)) {
        return Err(ApiError::new(
            "ConflictException",
            format!(
                "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{}]",
                alias.name
            ),
        ));
    }
    app.registry.delete(&arn)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AliasRequest {
    name: Option<String>,
    description: Option<String>,
    routing_configuration: Option<Vec<Route>>,
    state_machine_alias_arn: Option<String>,
    state_machine_arn: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// Checks an alias's routes: one or two versions of one machine, weights 0
/// to 100 adding to 100. Returns the machine's ARN.
fn check_routing(app: &App, routing: &[Route]) -> Result<String, ApiError> {
    if routing.is_empty() || routing.len() > 2 {
        return Err(ApiError::validation("routingConfiguration must route to one or two versions"));
    }
    if routing.iter().map(|r| r.weight).sum::<u32>() != 100 || routing.iter().any(|r| r.weight > 100) {
        return Err(ApiError::validation("the weights of routingConfiguration must add up to 100"));
    }
    let mut machine = None;
    for route in routing {
        let version = app
            .registry
            .get::<Version>(Kind::Version, &route.version_arn)?
            .ok_or_else(|| ApiError::new("ResourceNotFound", format!("Resource not found: '{}'", route.version_arn)))?;
        if machine.as_ref().is_some_and(|m| *m != version.machine_arn) {
            return Err(ApiError::validation("the versions of an alias must be of one state machine"));
        }
        machine = Some(version.machine_arn);
    }
    Ok(machine.expect("one route at least"))
}

fn alias_json(alias: &Alias) -> Value {
    let mut out = json!({
        "stateMachineAliasArn": alias.arn,
        "name": alias.name,
        "routingConfiguration": alias.routing,
        "creationDate": epoch(alias.created_ms),
    });
    if let Some(description) = &alias.description {
        out["description"] = json!(description);
    }
    if let Some(updated) = alias.updated_ms {
        out["updateDate"] = epoch(updated);
    }
    out
}

fn alias_not_found(arn: &str) -> ApiError {
    ApiError::new("ResourceNotFound", format!("Resource not found: '{arn}'"))
}

/// `CreateStateMachineAlias`.
pub(crate) fn create_alias(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: AliasRequest = parse(body)?;
    let name = required(request.name, "name")?;
    crate::protocol::check_name(&name, "alias")?;
    if name.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::new("InvalidName", format!("Invalid Name: '{name}' (an alias name is not a number)")));
    }
    let routing = required(request.routing_configuration, "routingConfiguration")?;
    let machine_arn = check_routing(app, &routing)?;
    let now = now_ms();
    let alias = Alias {
        arn: format!("{machine_arn}:{name}"),
        machine_arn: machine_arn.clone(),
        name,
        description: request.description,
        routing,
        created_ms: now,
        updated_ms: None,
    };
    if let Some(existing) = app.registry.create(Kind::Alias, &alias.arn, Some(&machine_arn), now, &alias)? {
        if existing.routing != alias.routing || existing.description != alias.description {
            return Err(ApiError::new("ConflictException", format!("Alias already exists: '{}'", alias.arn)));
        }
        return Ok(json!({ "stateMachineAliasArn": existing.arn, "creationDate": epoch(existing.created_ms) }));
    }
    Ok(json!({ "stateMachineAliasArn": alias.arn, "creationDate": epoch(now) }))
}

/// `UpdateStateMachineAlias`.
pub(crate) fn update_alias(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: AliasRequest = parse(body)?;
    let arn = required(request.state_machine_alias_arn, "stateMachineAliasArn")?;
    let mut alias = app.registry.get::<Alias>(Kind::Alias, &arn)?.ok_or_else(|| alias_not_found(&arn))?;
    if let Some(routing) = request.routing_configuration {
        if check_routing(app, &routing)? != alias.machine_arn {
            return Err(ApiError::validation("an alias routes to versions of its own state machine"));
        }
        alias.routing = routing;
    }
    if let Some(description) = request.description {
        alias.description = Some(description);
    }
    let now = now_ms();
    alias.updated_ms = Some(now);
    app.registry.put(Kind::Alias, &arn, Some(&alias.machine_arn), alias.created_ms, &alias)?;
    Ok(json!({ "updateDate": epoch(now) }))
}

/// `DescribeStateMachineAlias`.
pub(crate) fn describe_alias(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: AliasRequest = parse(body)?;
    let arn = required(request.state_machine_alias_arn, "stateMachineAliasArn")?;
    let alias = app.registry.get::<Alias>(Kind::Alias, &arn)?.ok_or_else(|| alias_not_found(&arn))?;
    Ok(alias_json(&alias))
}

/// `ListStateMachineAliases`.
pub(crate) fn list_aliases(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: AliasRequest = parse(body)?;
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    if app.registry.get::<Machine>(Kind::Machine, &arn)?.is_none() {
        return Err(alias_not_found(&arn));
    }
    let aliases: Vec<Alias> = app.registry.list(Kind::Alias, Some(&arn))?;
    let items =
        aliases.iter().map(|a| json!({"stateMachineAliasArn": a.arn, "creationDate": epoch(a.created_ms)})).collect();
    page("stateMachineAliases", items, request.max_results, request.next_token.as_deref())
}

/// `DeleteStateMachineAlias`.
pub(crate) fn delete_alias(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: AliasRequest = parse(body)?;
    let arn = required(request.state_machine_alias_arn, "stateMachineAliasArn")?;
    if !app.registry.delete(&arn)? {
        return Err(alias_not_found(&arn));
    }
    Ok(json!({}))
}
