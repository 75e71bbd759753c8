//! The state types and the fields each may carry, listed once.
//!
//! Like serde_derive's `symbol` table, this is the one place a field's name
//! is spelled: the loader reads it to know which fields a state may have
//! (and reports the rest as unknown, with the closest allowed name), which
//! query language each belongs to, and what a JSONata state uses instead of
//! a JSONPath-only field; `StateKind::type_name`, the lints and the history's
//! event names read the state types from here.
//!
//! Adding a field to a state type: a row here, then the loader code that
//! reads it into the model and the runtime code that executes it.

/// A state type, the value of a state's `Type` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "fields::StateType"))]
pub enum StateType {
    /// `Pass`.
    Pass,
    /// `Task`.
    Task,
    /// `Choice`.
    Choice,
    /// `Wait`.
    Wait,
    /// `Succeed`.
    Succeed,
    /// `Fail`.
    Fail,
    /// `Parallel`.
    Parallel,
    /// `Map`.
    Map,
}

impl StateType {
    /// Every state type, in the order AWS's messages list them.
    pub const ALL: [StateType; 8] = [
        StateType::Pass,
        StateType::Task,
        StateType::Choice,
        StateType::Wait,
        StateType::Succeed,
        StateType::Fail,
        StateType::Parallel,
        StateType::Map,
    ];

    /// The `Type` value (`"Pass"`, …).
    pub const fn name(self) -> &'static str {
        match self {
            StateType::Pass => "Pass",
            StateType::Task => "Task",
            StateType::Choice => "Choice",
            StateType::Wait => "Wait",
            StateType::Succeed => "Succeed",
            StateType::Fail => "Fail",
            StateType::Parallel => "Parallel",
            StateType::Map => "Map",
        }
    }

    /// The state type a `Type` value names.
    pub fn from_name(name: &str) -> Option<StateType> {
        StateType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether a state of this type may wait (Task, Wait, Parallel, Map);
    /// Pass, Choice, Succeed and Fail run to their end at once.
    pub const fn waits(self) -> bool {
        matches!(self, StateType::Task | StateType::Wait | StateType::Parallel | StateType::Map)
    }

    /// Whether a state of this type goes on with `Next` or `End` (Choice
    /// chooses its next state; Succeed and Fail always end).
    pub const fn flows(self) -> bool {
        !matches!(self, StateType::Choice | StateType::Succeed | StateType::Fail)
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }

    /// The fields a state of this type may carry, in either query language,
    /// in the table's order.
    pub fn fields(self) -> impl Iterator<Item = &'static Field> + Clone {
        FIELDS.iter().filter(move |f| f.states & self.bit() != 0)
    }

    /// Whether a state of this type may carry `field` (in some query language).
    pub fn has(self, field: &str) -> bool {
        self.fields().any(|f| f.name == field)
    }
}

/// Which query language a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Both JSONPath and JSONata states have it.
    Both,
    /// Only JSONPath states have it; a JSONata state writes `instead`.
    JsonPath {
        /// The JSONata field that takes its place.
        instead: &'static str,
    },
    /// Only JSONata states have it.
    Jsonata,
}

/// One field of one or more state types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The field's name as written in the definition.
    pub name: &'static str,
    /// The state types that have it, one bit each.
    states: u8,
    /// The query language it belongs to.
    pub language: Language,
}

impl Field {
    /// The field named `name` of any state type.
    pub fn named(name: &str) -> Option<&'static Field> {
        FIELDS.iter().find(|f| f.name == name)
    }
}

const fn of(types: &[StateType]) -> u8 {
    let mut bits = 0;
    let mut i = 0;
    while i < types.len() {
        bits |= types[i].bit();
        i += 1;
    }
    bits
}

const fn field(name: &'static str, states: u8, language: Language) -> Field {
    Field { name, states, language }
}

use Language::{Both, Jsonata};
use StateType::{Choice, Fail, Map, Parallel, Pass, Succeed, Task, Wait};

const ALL: u8 = of(&StateType::ALL);
const FLOWING: u8 = of(&[Pass, Task, Wait, Parallel, Map]);
/// The states that run something and shape its result.
const WORKING: u8 = of(&[Task, Parallel, Map]);
const fn jsonpath(instead: &'static str) -> Language {
    Language::JsonPath { instead }
}

/// Every state field: its name, the state types that have it and its query
/// language. A state's allowed fields are listed in this order.
pub static FIELDS: &[Field] = &[
    field("Type", ALL, Both),
    field("Comment", ALL, Both),
    field("QueryLanguage", ALL, Both),
    field("Next", FLOWING, Both),
    field("End", FLOWING, Both),
    field("Resource", of(&[Task]), Both),
    field("Choices", of(&[Choice]), Both),
    field("Default", of(&[Choice]), Both),
    field("Seconds", of(&[Wait]), Both),
    field("SecondsPath", of(&[Wait]), jsonpath("Seconds")),
    field("Timestamp", of(&[Wait]), Both),
    field("TimestampPath", of(&[Wait]), jsonpath("Timestamp")),
    field("Error", of(&[Fail]), Both),
    field("ErrorPath", of(&[Fail]), jsonpath("Error")),
    field("Cause", of(&[Fail]), Both),
    field("CausePath", of(&[Fail]), jsonpath("Cause")),
    field("Branches", of(&[Parallel]), Both),
    field("ItemProcessor", of(&[Map]), Both),
    field("Iterator", of(&[Map]), Both),
    field("ItemsPath", of(&[Map]), jsonpath("Items")),
    field("Items", of(&[Map]), Jsonata),
    field("ItemSelector", of(&[Map]), Both),
    field("MaxConcurrency", of(&[Map]), Both),
    field("MaxConcurrencyPath", of(&[Map]), jsonpath("MaxConcurrency")),
    field("InputPath", of(&[Pass, Task, Choice, Wait, Succeed, Parallel, Map]), jsonpath("Output")),
    field("OutputPath", of(&[Pass, Task, Choice, Wait, Succeed, Parallel, Map]), jsonpath("Output")),
    field("ResultPath", of(&[Pass, Task, Parallel, Map]), jsonpath("Output")),
    field("Parameters", of(&[Pass, Task, Parallel, Map]), jsonpath("Arguments")),
    field("Result", of(&[Pass]), jsonpath("Output")),
    field("ResultSelector", WORKING, jsonpath("Output")),
    field("Retry", WORKING, Both),
    field("Catch", WORKING, Both),
    field("TimeoutSeconds", of(&[Task]), Both),
    field("TimeoutSecondsPath", of(&[Task]), jsonpath("TimeoutSeconds")),
    field("HeartbeatSeconds", of(&[Task]), Both),
    field("HeartbeatSecondsPath", of(&[Task]), jsonpath("HeartbeatSeconds")),
    field("Credentials", of(&[Task]), Both),
    field("ItemReader", of(&[Map]), Both),
    field("ItemBatcher", of(&[Map]), Both),
    field("ResultWriter", of(&[Map]), Both),
    field("ToleratedFailurePercentage", of(&[Map]), Both),
    field("ToleratedFailurePercentagePath", of(&[Map]), jsonpath("ToleratedFailurePercentage")),
    field("ToleratedFailureCount", of(&[Map]), Both),
    field("ToleratedFailureCountPath", of(&[Map]), jsonpath("ToleratedFailureCount")),
    field("Label", of(&[Map]), Both),
    field("Assign", of(&[Pass, Task, Choice, Wait, Parallel, Map]), Both),
    field("Arguments", WORKING, Jsonata),
    field("Output", of(&[Pass, Task, Choice, Wait, Succeed, Parallel, Map]), Jsonata),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_the_common_fields_and_names_itself() {
        for t in StateType::ALL {
            assert_eq!(StateType::from_name(t.name()), Some(t));
            for common in ["Type", "Comment", "QueryLanguage"] {
                assert!(t.has(common), "{} lacks {common}", t.name());
            }
            assert_eq!(t.has("Next"), t.flows());
            assert_eq!(t.has("End"), t.flows());
        }
        assert_eq!(StateType::from_name("Parallels"), None);
    }

    #[test]
    fn a_jsonpath_only_field_names_a_field_jsonata_states_have() {
        for f in FIELDS {
            if let Language::JsonPath { instead } = f.language {
                let replacement = Field::named(instead).expect(instead);
                assert!(!matches!(replacement.language, Language::JsonPath { .. }), "{} -> {instead}", f.name);
            }
        }
    }

    #[test]
    fn fields_are_listed_once() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(FIELDS[i + 1..].iter().all(|g| g.name != f.name), "{} twice", f.name);
        }
    }

    #[test]
    fn the_table_gives_aws_fields_of_a_choice_and_a_fail() {
        let names = |t: StateType| t.fields().map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(
            names(StateType::Choice),
            ["Type", "Comment", "QueryLanguage", "Choices", "Default", "InputPath", "OutputPath", "Assign", "Output"]
        );
        assert_eq!(
            names(StateType::Fail),
            ["Type", "Comment", "QueryLanguage", "Error", "ErrorPath", "Cause", "CausePath"]
        );
    }
}
