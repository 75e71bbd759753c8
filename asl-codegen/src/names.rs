//! Rust names for ASL names: state variants, module and method names.

/// Splits a name into words at separators and case changes:
/// `ChargeCard`, `charge-card`, `Charge Card` and `CHARGE_CARD` all give
/// `["charge", "card"]`. Letters and digits of any script are kept
/// (`Überprüfen` gives `["überprüfen"]`, `注文` gives `["注文"]`); Rust
/// identifiers may hold them.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || !c.is_alphanumeric() || !unicode_ident::is_xid_continue(c) {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase() || p.is_numeric() || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether `name` starts as an identifier must: a letter of a script that
/// has one (XID_Start), not a digit.
fn starts_an_identifier(name: &str) -> bool {
    name.chars().next().is_some_and(unicode_ident::is_xid_start)
}

/// `PascalCase`, for enum variants. Never empty, never starts with a digit.
pub fn pascal(name: &str) -> String {
    let mut out: String = words(name)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect();
    if !starts_an_identifier(&out) {
        out.insert(0, 'S');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// `snake_case`, for modules and methods. Never empty, never a keyword.
pub fn snake(name: &str) -> String {
    let mut out = words(name).join("_");
    if !starts_an_identifier(&out) {
        out.insert_str(0, "s_");
    }
    if syn::parse_str::<syn::Ident>(&out).is_err() {
        out.push('_');
    }
    out
}

/// Whether `name` can name the generated module: a Rust identifier that is
/// no keyword (`fn`, `self`, `_` and the like would not compile).
pub fn is_module_name(name: &str) -> bool {
    syn::parse_str::<syn::Ident>(name).is_ok_and(|ident| ident == name && !name.starts_with("r#"))
}

/// `text` as it may stand in a doc comment: control characters (a carriage
/// return ends a `///` line) and Unicode's bidirectional controls (which
/// rustc refuses in comments) are written as escapes, so a state named with
/// them still gives code that compiles.
pub fn doc_safe(text: &str) -> String {
    let bidi =
        |c: char| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || bidi(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every name one generated module hands out, in one place, so that no two
/// items clash after case conversion (`a1` and `a_1` both give `A1`) and no
/// item takes a keyword.
///
/// Names live in Rust's namespaces: the `State` enum's variants, the `Tasks`
/// trait's methods (values) and its associated types (types). A Task claims
/// its method and its `{Prefix}Input`/`{Prefix}Output` types together, so a
/// number added to one is added to the other.
#[derive(Debug, Default)]
pub struct Namespace {
    variants: std::collections::HashSet<String>,
    methods: std::collections::HashSet<String>,
    types: std::collections::HashSet<String>,
}

impl Namespace {
    /// A `State` variant for the ASL state `name`: PascalCase, numbered
    /// (`Charge`, `Charge2`, …) when another state already took it.
    pub fn variant(&mut self, name: &str) -> String {
        let chosen = numbered(pascal(name), "")
            .find(|c| !self.variants.contains(c))
            .expect("an unbounded sequence of candidates has a free one");
        self.variants.insert(chosen.clone());
        chosen
    }

    /// The method and the associated-type prefix for a Task resource, both
    /// unused: `charge_card`/`ChargeCard`, then `charge_card_2`/`ChargeCard2`.
    pub fn task(&mut self, resource: &str) -> (String, String) {
        let (method, prefix) = numbered(task_method(resource), "_")
            .map(|method| {
                // `Self_` (from a function named `self`) would give `Self_Input`.
                let prefix = pascal(&method).trim_end_matches('_').to_string();
                (method, prefix)
            })
            .find(|(method, prefix)| {
                !self.methods.contains(method)
                    && !self.types.contains(&format!("{prefix}Input"))
                    && !self.types.contains(&format!("{prefix}Output"))
            })
            .expect("an unbounded sequence of candidates has a free one");
        self.methods.insert(method.clone());
        self.types.insert(format!("{prefix}Input"));
        self.types.insert(format!("{prefix}Output"));
        (method, prefix)
    }

    /// The method and the action enum for an AWS service's integrations:
    /// `dynamodb`/`DynamodbAction`, numbered when a Task method took the name.
    pub fn service(&mut self, service: &str) -> (String, String) {
        let method = numbered(snake(service), "_")
            .find(|m| !self.methods.contains(m))
            .expect("an unbounded sequence of candidates has a free one");
        self.methods.insert(method.clone());
        let action_type = format!("{}Action", pascal(&method).trim_end_matches('_'));
        self.types.insert(action_type.clone());
        (method, action_type)
    }
}

/// `base`, then `base2`, `base3`, … (`sep` between): the candidates for a
/// name. A keyword's trailing `_` goes before the number: `Self2`, not
/// `Self_2`.
fn numbered(base: String, sep: &'static str) -> impl Iterator<Item = String> {
    let stem = base.trim_end_matches('_').to_string();
    std::iter::once(base).chain((2..).map(move |n| format!("{stem}{sep}{n}")))
}

/// The method name for a Task resource: the function, activity or API it
/// names (`…:function:ChargeCard` → `charge_card`, `…:states:::sqs:sendMessage`
/// → `sqs_send_message`).
pub fn task_method(resource: &str) -> String {
    let parts: Vec<&str> = resource.split(':').collect();
    let lambda = asl_spec::model::lambda_resource(resource);
    let base = match parts.as_slice() {
        _ if let Some(asl_spec::model::LambdaResource::Direct { name }) = lambda => name.to_string(),
        ["arn", _, "states", _, _, "activity", name, ..] => name.to_string(),
        ["arn", _, "states", "", "", service, action @ ..] => format!("{service}_{}", action.join("_")),
        _ => parts.iter().rev().find(|p| !p.is_empty()).map(|s| s.to_string()).unwrap_or_default(),
    };
    let base =
        base.trim_end_matches(".sync").replace(".waitForTaskToken", "_wait_for_task_token").replace(".sync:2", "_sync");
    snake(&base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(pascal("charge card"), "ChargeCard");
        assert_eq!(pascal("State_1"), "State1");
        assert_eq!(pascal("HTTPRequest"), "HttpRequest");
        assert_eq!(pascal("1st"), "S1st");
        assert_eq!(pascal("!!"), "S");
        assert_eq!(snake("ChargeCard"), "charge_card");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("order-v2"), "order_v2");
    }

    #[test]
    fn letters_of_any_script_are_kept() {
        assert_eq!(pascal("Überprüfen"), "Überprüfen");
        assert_eq!(pascal("état du paiement"), "ÉtatDuPaiement");
        assert_eq!(pascal("注文を確認"), "注文を確認");
        assert_eq!(pascal("ПроверитьЗаказ"), "ПроверитьЗаказ");
        assert_eq!(snake("ПроверитьЗаказ"), "проверить_заказ");
        assert_eq!(pascal("١٢٣"), "S١٢٣");
        // Symbols are no letters: emoji and punctuation still separate words.
        assert_eq!(pascal("pay 💳 now"), "PayNow");
        for name in ["Überprüfen", "注文を確認", "١٢٣", "ǅungla"] {
            assert!(syn::parse_str::<syn::Ident>(&pascal(name)).is_ok(), "{name}");
            assert!(syn::parse_str::<syn::Ident>(&snake(name)).is_ok(), "{name}");
        }
    }

    #[test]
    fn task_methods() {
        assert_eq!(task_method("arn:aws:lambda:us-east-1:123456789012:function:ChargeCard"), "charge_card");
        assert_eq!(task_method("arn:aws:lambda:us-east-1:123456789012:function:ChargeCard:$LATEST"), "charge_card");
        assert_eq!(
            task_method("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            "sqs_send_message_wait_for_task_token"
        );
        assert_eq!(task_method("arn:aws:states:::lambda:invoke"), "lambda_invoke");
        assert_eq!(task_method("arn:aws:states:us-east-1:123:activity:approve-order"), "approve_order");
    }

    #[test]
    fn one_namespace_numbers_what_collides() {
        let mut ns = Namespace::default();
        assert_eq!(["A", "a", "A2", "a"].map(|n| ns.variant(n)), ["A", "A2", "A22", "A3"]);
        // A keyword's trailing `_` goes before the number: `Self2`, not `Self_2`.
        assert_eq!(["self", "Self"].map(|n| ns.variant(n)), ["Self_", "Self2"]);

        let lambda = |name: &str| format!("arn:aws:lambda:us-east-1:1:function:{name}");
        let mut ns = Namespace::default();
        // `a1` and `a_1` are different methods but the same type prefix.
        assert_eq!(ns.task(&lambda("a1")), ("a1".to_string(), "A1".to_string()));
        assert_eq!(ns.task(&lambda("a_1")), ("a_1_2".to_string(), "A12".to_string()));
        // …and `a12` then finds `A12` taken by the types alone.
        assert_eq!(ns.task(&lambda("a12")), ("a12_2".to_string(), "A122".to_string()));
        assert_eq!(ns.task(&lambda("type")), ("type_".to_string(), "Type".to_string()));
        assert_eq!(ns.task(&lambda("type")), ("type_2".to_string(), "Type2".to_string()));
    }

    #[test]
    fn module_names_are_identifiers_and_no_keywords() {
        for ok in ["order", "order_v2", "_private", "r#fn_x"] {
            assert_eq!(is_module_name(ok), !ok.starts_with("r#"), "{ok}");
        }
        for bad in ["fn", "self", "Self", "_", "crate", "super", "type", "1st", "a-b", "", "r#fn"] {
            assert!(!is_module_name(bad), "{bad}");
        }
    }

    #[test]
    fn doc_text_escapes_what_a_comment_cannot_hold() {
        assert_eq!(doc_safe("carriage\rreturn"), "carriage\\u{d}return");
        assert_eq!(doc_safe("right\u{202e}left"), "right\\u{202e}left");
        assert_eq!(doc_safe("plain `name` é"), "plain `name` é");
    }
}
