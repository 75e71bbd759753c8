//! Lowering: the typed [`Definition`] becomes the plain data the emitter
//! turns into tokens. This form is compared in unit tests, never token text.

use crate::names;
use asl_spec::model::{Definition, StateKind, Transition};

/// Everything the generated module contains, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// The module's name.
    pub name: String,
    /// Every state, its branches' and item processors' included, in
    /// definition order (a state, then the states inside it): index `i`
    /// is the state whose [`State::id`](asl_spec::model::State::id) is `i`.
    pub states: Vec<StateItem>,
    /// Index of the machine's `StartAt` in `states`.
    pub start: usize,
    /// One entry per distinct Task resource, anywhere in the machine.
    pub tasks: Vec<TaskItem>,
    /// The AWS services its Task states integrate with, each served by one
    /// method of its own unless an action's method is implemented.
    pub services: Vec<ServiceItem>,
}

/// An AWS service the machine calls through optimized or SDK integrations
/// (`arn:aws:states:::dynamodb:putItem`, …): every action of it can go to
/// one method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceItem {
    /// The service, as the resource names it (`dynamodb`, `aws-sdk`).
    pub service: String,
    /// The method every action goes to by default (snake_case).
    pub method: String,
    /// The enum naming its actions (`DynamodbAction`).
    pub action_type: String,
    /// The actions the machine calls, in order of first use.
    pub actions: Vec<ActionItem>,
}

/// One action of a [`ServiceItem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    /// The enum variant (`PutItem`, `RunTaskSync`).
    pub variant: String,
    /// The action as the resource names it (`putItem`, `runTask.sync`).
    pub action: String,
    /// The Task item (index in [`Module::tasks`]) that calls it.
    pub task: usize,
}

/// The service and action of a service-integration resource
/// (`arn:aws:states:::sqs:sendMessage`), not Lambda's (whose functions have
/// methods of their own).
pub fn service_action(resource: &str) -> Option<(&str, &str)> {
    let rest = resource.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let (service, action) = rest.strip_prefix("states:::")?.split_once(':')?;
    (service != "lambda" && !service.is_empty() && !action.is_empty()).then_some((service, action))
}

/// One variant of the `State` enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateItem {
    /// The ASL name.
    pub name: String,
    /// The Rust variant.
    pub variant: String,
    /// `Type`.
    pub type_name: &'static str,
    /// The static `Next`, if any.
    pub next: Option<usize>,
    /// Every possible successor (Next, Choice targets, Default, Catch).
    pub successors: Vec<usize>,
    /// Whether the state can end its scope (the execution, a branch or an
    /// iteration).
    pub terminal: bool,
    /// The Parallel or Map state it runs in (`None` at the top level).
    pub parent: Option<usize>,
}

/// One method of the handler trait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskItem {
    /// The `Resource` it serves.
    pub resource: String,
    /// The Lambda function it is, for `lambda:invoke` with a literal
    /// `FunctionName` (the method is named after it).
    pub function: Option<String>,
    /// The method name (snake_case).
    pub method: String,
    /// The associated type prefix (PascalCase).
    pub type_prefix: String,
    /// The states that invoke it (any scope).
    pub states: Vec<String>,
    /// The fields of its generated input struct, when every state it
    /// serves fixes the same keys ([`inputs`](crate::inputs)).
    pub input: Option<Vec<crate::inputs::Field>>,
    /// The service whose method serves it by default (index in
    /// [`Module::services`]), for service integrations.
    pub service: Option<usize>,
}

/// Lowers a validated definition.
pub fn lower(def: &Definition, module_name: &str) -> Module {
    let mut names = names::Namespace::default();
    let states = state_items(def, &mut names);
    let start = def.body.states.get(def.body.start_index).map_or(usize::MAX, |s| s.id as usize);
    let mut tasks: Vec<TaskItem> = def
        .task_targets()
        .into_iter()
        .map(|target| {
            let named = match &target.function {
                // Named as a direct call of that function would be.
                Some(function) => format!("arn:aws:lambda:::function:{function}"),
                None => target.resource.clone(),
            };
            let (method, type_prefix) = names.task(&named);
            // The states this method serves, to read their templates.
            let mut served = Vec::new();
            asl_spec::model::visit_states(&def.body, &mut |state| {
                if let StateKind::Task(task) = &state.kind
                    && *task.resource == *target.resource
                    && target.states.iter().any(|name| *name == *state.name)
                    && state.lambda_function().map(asl_spec::model::lambda_function_name) == target.function
                {
                    served.push(state);
                }
            });
            // A `lambda:invoke` method receives the `Payload`.
            let invoke =
                asl_spec::model::lambda_resource(&target.resource) == Some(asl_spec::model::LambdaResource::Invoke);
            let input = crate::inputs::fields(&served, invoke);
            TaskItem {
                type_prefix,
                resource: target.resource,
                function: target.function,
                method,
                states: target.states,
                input,
                service: None,
            }
        })
        .collect();
    let services = group_services(&mut tasks, &mut names);
    Module { name: module_name.to_string(), states, start, tasks, services }
}

/// Groups the service-integration tasks by service, in order of first use;
/// each service's method and action enum are named after the tasks' own.
fn group_services(tasks: &mut [TaskItem], names: &mut names::Namespace) -> Vec<ServiceItem> {
    let mut services: Vec<ServiceItem> = Vec::new();
    let mut variants: Vec<names::Namespace> = Vec::new();
    for (index, task) in tasks.iter_mut().enumerate() {
        let Some((service, action)) = service_action(&task.resource) else { continue };
        let at = match services.iter().position(|s| s.service == service) {
            Some(at) => at,
            None => {
                let (method, action_type) = names.service(service);
                services.push(ServiceItem { service: service.into(), method, action_type, actions: Vec::new() });
                variants.push(names::Namespace::default());
                services.len() - 1
            }
        };
        let variant = variants[at].variant(action);
        services[at].actions.push(ActionItem { variant, action: action.into(), task: index });
        task.service = Some(at);
    }
    services
}

/// The item of every state, in [`visit_states`](asl_spec::model::visit_states)
/// order, which is the order of the states' ids.
fn state_items(def: &Definition, names: &mut names::Namespace) -> Vec<StateItem> {
    let mut out = Vec::with_capacity(def.state_count as usize);
    asl_spec::model::visit_scoped(&def.body, None, &mut |s, scope, parent| {
        debug_assert_eq!(s.id as usize, out.len());
        // Transitions name states by their index in the scope; items by id.
        let id = |index: usize| scope.states.get(index).map(|s| s.id as usize);
        let next = match &s.transition {
            Transition::Next(t) => id(t.index),
            _ => None,
        };
        out.push(StateItem {
            name: s.name.to_string(),
            variant: names.variant(&s.name),
            type_name: s.kind.type_name(),
            next,
            successors: s.successors().into_iter().filter_map(|t| id(t.index)).collect(),
            terminal: s.is_terminal() || matches!(s.kind, StateKind::Fail(_)),
            parent: parent.map(|p| p.id as usize),
        });
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowers_states_and_tasks() {
        let def = asl_spec::load(
            r#"{"StartAt": "Charge", "States": {
                "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:ChargeCard", "Next": "Check"},
                "Check": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": true, "Next": "Done"}], "Default": "Charge again"},
                "Charge again": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:ChargeCard", "End": true},
                "Done": {"Type": "Succeed"}}}"#,
        )
        .valid()
        .unwrap();
        let m = lower(&def, "pay");
        assert_eq!(
            m.states.iter().map(|s| s.variant.as_str()).collect::<Vec<_>>(),
            ["Charge", "Check", "ChargeAgain", "Done"]
        );
        assert_eq!(m.states[1].successors, vec![3, 2]);
        assert_eq!(m.states[0].next, Some(1));
        assert_eq!(
            m.tasks,
            vec![TaskItem {
                resource: "arn:aws:lambda:us-east-1:1:function:ChargeCard".into(),
                function: None,
                method: "charge_card".into(),
                type_prefix: "ChargeCard".into(),
                states: vec!["Charge".into(), "Charge again".into()],
                input: None,
                service: None,
            }]
        );
    }

    #[test]
    fn service_integrations_are_grouped_by_service() {
        let task = |name: &str, resource: &str, next: &str| {
            format!(r#""{name}": {{"Type": "Task", "Resource": "{resource}", {next}}}"#)
        };
        let text = format!(
            r#"{{"StartAt": "A", "States": {{{}, {}, {}, {}}}}}"#,
            task("A", "arn:aws:states:::dynamodb:putItem", r#""Next": "B""#),
            task("B", "arn:aws:states:::sqs:sendMessage.waitForTaskToken", r#""Next": "C""#),
            task("C", "arn:aws:states:::dynamodb:getItem", r#""Next": "D""#),
            task("D", "arn:aws-us-gov:states:::aws-sdk:s3:listBuckets", r#""End": true"#),
        );
        let module = lower(&asl_spec::load(&text).valid().unwrap(), "m");
        let services: Vec<(&str, &str, &str, Vec<&str>)> = module
            .services
            .iter()
            .map(|s| {
                let actions = s.actions.iter().map(|a| a.variant.as_str()).collect();
                (s.service.as_str(), s.method.as_str(), s.action_type.as_str(), actions)
            })
            .collect();
        assert_eq!(
            services,
            [
                ("dynamodb", "dynamodb", "DynamodbAction", vec!["PutItem", "GetItem"]),
                ("sqs", "sqs", "SqsAction", vec!["SendMessageWaitForTaskToken"]),
                ("aws-sdk", "aws_sdk", "AwsSdkAction", vec!["S3ListBuckets"]),
            ]
        );
        assert_eq!(service_action("arn:aws:states:::lambda:invoke"), None);
        assert_eq!(service_action("arn:aws:lambda:us-east-1:1:function:F"), None);
        assert!(module.tasks.iter().all(|t| t.service.is_some()));
    }

    #[test]
    fn nested_states_get_items_with_their_parent() {
        let def = asl_spec::load(
            r#"{"StartAt": "Fan", "States": {
                "Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}},
                    {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": true}}}]},
                "Each": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "D", "States": {
                    "D": {"Type": "Pass", "End": true}}}}}}"#,
        )
        .valid()
        .unwrap();
        let m = lower(&def, "m");
        let items: Vec<(&str, Option<&str>, Option<&str>)> = m
            .states
            .iter()
            .map(|s| {
                (
                    s.variant.as_str(),
                    s.parent.map(|p| m.states[p].variant.as_str()),
                    s.next.map(|n| m.states[n].variant.as_str()),
                )
            })
            .collect();
        assert_eq!(
            items,
            [
                ("Fan", None, Some("Each")),
                ("A", Some("Fan"), Some("B")),
                ("B", Some("Fan"), None),
                ("C", Some("Fan"), None),
                ("Each", None, None),
                ("D", Some("Each"), None),
            ]
        );
        assert_eq!(m.start, 0);
        assert!(m.states[2].terminal && m.states[5].terminal && !m.states[1].terminal);
    }

    #[test]
    fn lambda_invoke_gets_a_method_per_literal_function_name() {
        let invoke = |name: &str, function: &str, next: &str| {
            format!(
                r#""{name}": {{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {{"FunctionName": "{function}", "Payload.$": "$"}}, "Next": "{next}"}}"#
            )
        };
        let text = format!(
            r#"{{"StartAt": "A", "States": {{{}, {}, {},
               "D": {{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {{"FunctionName.$": "$.f"}}, "End": true}}}}}}"#,
            invoke("A", "arn:aws:lambda:us-east-1:1:function:Charge:live", "B"),
            invoke("B", "Refund", "C"),
            invoke("C", "Charge", "D"),
        );
        let def = asl_spec::load(&text).valid().unwrap();
        let module = lower(&def, "m");
        let tasks: Vec<(Option<&str>, &str, Vec<&str>)> = module
            .tasks
            .iter()
            .map(|t| (t.function.as_deref(), t.method.as_str(), t.states.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            tasks,
            [
                (Some("Charge"), "charge", vec!["A", "C"]),
                (Some("Refund"), "refund", vec!["B"]),
                (None, "lambda_invoke", vec!["D"]),
            ]
        );
    }
}
