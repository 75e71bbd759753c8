//! The Choice state and its rules (JSONPath comparisons and JSONata `Condition`s).

use crate::diag::{Code, Span};
use crate::json::{Member, NodeKind};
use crate::model::*;

use super::values::{is_jsonata, jsonata_of};
use super::{Builder, Obj};

impl Builder<'_> {
    pub(super) fn choice(&mut self, obj: &mut Obj<'_>, name: &str, ql: QueryLanguage) -> Choice {
        let default = obj.take("Default").and_then(|m| self.target(&m.value, &obj.child_ptr("Default"), "Default"));
        let mut choices = Vec::new();
        match self.required(obj, "Choices", format_args!("Choice state `{name}`")) {
            Some(m) if matches!(&m.value.kind, NodeKind::Array(a) if a.is_empty()) => {
                self.error(Code::Schema, m.value.span, &obj.child_ptr("Choices"), "`Choices` cannot be empty");
            }
            Some(_) | None => {}
        }
        for (mut r, ptr) in self.list(obj, "Choices") {
            let next = self
                .required(&mut r, "Next", "a choice rule")
                .and_then(|m| self.target(&m.value, &format!("{ptr}/Next"), "Next"));
            let assign = self.assign(&mut r, ql);
            let output = self.output(&mut r);
            let rule = self.rule(r, &ptr, ql, true);
            if let Some(next) = next {
                // A rule that failed to load keeps its branch (with an empty
                // `And`) so the graph checks still see its `Next`; the
                // definition has errors and is never executed.
                let rule = rule.unwrap_or(Rule::And(Vec::new()));
                choices.push(ChoiceBranch { rule, next, assign, output });
            }
        }
        Choice { choices, default }
    }

    /// One Choice rule; `top` rules carry `Next` (already taken by the caller).
    pub(super) fn rule(&mut self, mut r: Obj<'_>, ptr: &str, ql: QueryLanguage, top: bool) -> Option<Rule> {
        r.take("Comment");
        let mut allowed: Vec<&str> = vec!["Comment", "And", "Or", "Not", "Variable", "Condition"];
        if top {
            allowed.extend(["Next", "Assign", "Output"]);
        } else if r.has("Next") {
            let m = r.take("Next").expect("checked");
            self.error(Code::Schema, m.key_span, &format!("{ptr}/Next"), "a nested choice rule cannot have `Next`")
                .hint = Some("only the rules directly in `Choices` have `Next`".into());
        }
        let result = if ql == QueryLanguage::Jsonata {
            match self.required(&mut r, "Condition", "a JSONata choice rule") {
                Some(m) => match &m.value.kind {
                    NodeKind::Bool(_) => Some(Rule::Condition(Jsonata::Literal(m.value.to_value()))),
                    NodeKind::String(s) if is_jsonata(s) => jsonata_of(&m.value).map(Rule::Condition),
                    _ => {
                        self.type_error(
                            &m.value,
                            &format!("{ptr}/Condition"),
                            "Condition",
                            "a `{% ... %}` expression or a boolean",
                        );
                        None
                    }
                },
                None => None,
            }
        } else {
            self.jsonpath_rule(&mut r, ptr, ql)
        };
        let owner = if top { "a choice rule" } else { "a nested choice rule" };
        allowed.extend(Operator::ALL.iter().map(|o| o.name()));
        let path_names: Vec<String> =
            Operator::ALL.iter().filter(|o| o.has_path_form()).map(|o| format!("{}Path", o.name())).collect();
        allowed.extend(path_names.iter().map(String::as_str));
        self.finish(r, &allowed, owner);
        result
    }

    fn jsonpath_rule(&mut self, r: &mut Obj<'_>, ptr: &str, ql: QueryLanguage) -> Option<Rule> {
        for (key, is_list) in [("And", true), ("Or", true), ("Not", false)] {
            let Some(m) = r.take(key) else { continue };
            let child = format!("{ptr}/{key}");
            if is_list {
                let NodeKind::Array(items) = &m.value.kind else {
                    self.type_error(&m.value, &child, key, "a non-empty array of rules");
                    return None;
                };
                if items.is_empty() {
                    self.error(Code::Schema, m.value.span, &child, format!("`{key}` cannot be empty"));
                }
                let rules: Vec<Rule> = items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| {
                        let p = format!("{child}/{i}");
                        let o = self.object(n, &p)?;
                        self.rule(o, &p, ql, false)
                    })
                    .collect();
                return Some(if key == "And" { Rule::And(rules) } else { Rule::Or(rules) });
            }
            let o = self.object(&m.value, &child)?;
            return self.rule(o, &child, ql, false).map(|inner| Rule::Not(Box::new(inner)));
        }
        let variable = r.take("Variable");
        let mut found: Vec<(Operator, bool, &Member)> = Vec::new();
        for op in Operator::ALL {
            if let Some(m) = r.take(op.name()) {
                found.push((*op, false, m));
            }
            if op.has_path_form()
                && let Some(m) = r.take(&format!("{}Path", op.name()))
            {
                found.push((*op, true, m));
            }
        }
        let Some(variable) = variable else {
            let span = r.span;
            let d = self.error(
                Code::Schema,
                Span::new(span.start, span.start + 1),
                ptr,
                "a choice rule needs `Variable` and one comparison operator, or `And`, `Or` or `Not`",
            );
            d.hint = Some("e.g. `{\"Variable\": \"$.status\", \"StringEquals\": \"paid\", \"Next\": \"Ship\"}`".into());
            return None;
        };
        let variable = self.path_value(&variable.value, &format!("{ptr}/Variable"), "Variable");
        let (op, is_path, m) = match found.as_slice() {
            [one] => *one,
            [] => {
                let span = r.span;
                self.error(
                    Code::Schema,
                    Span::new(span.start, span.start + 1),
                    ptr,
                    "a choice rule with `Variable` needs exactly one comparison operator",
                )
                .hint = Some("add e.g. `StringEquals`, `NumericGreaterThan`, `IsPresent` or `BooleanEquals`".into());
                return None;
            }
            [_, second, ..] => {
                self.error(
                    Code::Schema,
                    second.2.key_span,
                    ptr,
                    "a choice rule may use only one comparison operator",
                )
                .hint = Some("combine several comparisons with `And` or `Or`".into());
                return None;
            }
        };
        let field = if is_path { format!("{}Path", op.name()) } else { op.name().to_string() };
        let fptr = format!("{ptr}/{field}");
        let operand = if is_path {
            Operand::Path(self.path_value(&m.value, &fptr, &field)?)
        } else {
            let ok = match (op.operand_type(), &m.value.kind) {
                (OperandType::String, NodeKind::String(_)) => true,
                (OperandType::Number, NodeKind::Number(_)) => true,
                (OperandType::Boolean, NodeKind::Bool(_)) => true,
                (OperandType::Timestamp, NodeKind::String(s)) => {
                    if crate::time::parse_rfc3339(s).is_none() {
                        self.error(
                            Code::Schema,
                            m.value.span,
                            &fptr,
                            format!(
                                "`{field}` must be an RFC 3339 timestamp such as `2016-03-14T01:59:00Z`, not `{s}`"
                            ),
                        );
                    }
                    true
                }
                _ => false,
            };
            if !ok {
                let expected = match op.operand_type() {
                    OperandType::String => "a string",
                    OperandType::Number => "a number",
                    OperandType::Boolean => "a boolean",
                    OperandType::Timestamp => "a timestamp string",
                };
                self.type_error(&m.value, &fptr, &field, expected);
                return None;
            }
            Operand::Literal(m.value.to_value())
        };
        Some(Rule::Compare(Comparison { variable: variable?, op, operand }))
    }
}
