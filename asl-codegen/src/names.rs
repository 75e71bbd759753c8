//! Rust names for ASL names: state variants, module and method names.

/// Splits a name into words at separators and case changes:
/// `ChargeCard`, `charge-card`, `Charge Card` and `CHARGE_CARD` all give
/// `["charge", "card"]`.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `PascalCase`, for enum variants. Never empty, never starts with a digit.
pub fn pascal(name: &str) -> String {
    let mut out: String = words(name)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
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
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "s_");
    }
    if syn::parse_str::<syn::Ident>(&out).is_err() {
        out.push('_');
    }
    out
}

/// Makes `name` unique among `taken` by adding `2`, `3`, … (with `sep`).
pub fn unique(name: String, taken: &[String], sep: &str) -> String {
    if !taken.contains(&name) {
        return name;
    }
    (2..).map(|n| format!("{name}{sep}{n}")).find(|c| !taken.contains(c)).unwrap_or(name)
}

/// The method name for a Task resource: the function, activity or API it
/// names (`…:function:ChargeCard` → `charge_card`, `…:states:::sqs:sendMessage`
/// → `sqs_send_message`).
pub fn task_method(resource: &str) -> String {
    let parts: Vec<&str> = resource.split(':').collect();
    let base = match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name, ..] => name.to_string(),
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
    fn uniqueness() {
        assert_eq!(unique("A".into(), &["A".into(), "A2".into()], ""), "A3");
    }
}
