//! Lowering: the typed [`Definition`] becomes the plain data the emitter
//! turns into tokens. This form is compared in unit tests, never token text.

use crate::names;
use asl_spec::model::{Definition, StateKind, Transition};

/// Everything the generated module contains, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// The module's name.
    pub name: String,
    /// The top-level states, in source order.
    pub states: Vec<StateItem>,
    /// Index of `StartAt` in `states`.
    pub start: usize,
    /// One entry per distinct Task resource, anywhere in the machine.
    pub tasks: Vec<TaskItem>,
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
    /// Whether the state can end the execution.
    pub terminal: bool,
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
}

/// Lowers a validated definition.
pub fn lower(def: &Definition, module_name: &str) -> Module {
    let mut names = names::Namespace::default();
    let states = def
        .body
        .states
        .iter()
        .map(|s| {
            let variant = names.variant(&s.name);
            let next = match &s.transition {
                Transition::Next(t) if t.index != usize::MAX => Some(t.index),
                _ => None,
            };
            StateItem {
                name: s.name.to_string(),
                variant,
                type_name: s.kind.type_name(),
                next,
                successors: s.successors().into_iter().map(|t| t.index).filter(|i| *i != usize::MAX).collect(),
                terminal: s.is_terminal() || matches!(s.kind, StateKind::Fail(_)),
            }
        })
        .collect();
    let tasks = def
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
            }
        })
        .collect();
    Module { name: module_name.to_string(), states, start: def.body.start_index, tasks }
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
            }]
        );
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
