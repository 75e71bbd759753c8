//! The values fields hold: paths, `Parameters`-style templates, JSONata
//! strings, `Assign`, numbers given literally, by path or by JSONata.

use crate::diag::{Code, Diagnostics, Span, pointer_to};
use crate::intrinsic::Call;
use crate::json::{Member, Node, NodeKind};
use crate::model::*;
use crate::path::Path;

use super::{Builder, Obj};

/// Why `name` cannot be a variable name, if it cannot: AWS takes Unicode
/// identifiers (UAX #31 `ID_Start` then `ID_Continue`, `_` allowed first)
/// of at most 80 characters.
fn variable_name_problem(name: &str) -> Option<&'static str> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return Some("it is empty") };
    if !(first == '_' || unicode_ident::is_xid_start(first)) {
        return Some("it must start with a letter or `_`");
    }
    if !chars.all(unicode_ident::is_xid_continue) {
        return Some("it may contain only letters, digits and `_`");
    }
    (name.chars().count() > 80).then_some("it is longer than 80 characters")
}

/// Builds a payload template from a plain JSON value (no source spans), for
/// templates that come from somewhere other than a definition, such as mock
/// files. Returns every problem's message when it does not build.
pub fn template_from_value(value: &serde_json::Value) -> Result<Template, Vec<String>> {
    let node = node_of(value);
    let mut diags = Diagnostics::default();
    let template = Builder { diags: &mut diags, machine_ql: QueryLanguage::JsonPath }.template(&node, "");
    if diags.has_errors() { Err(diags.iter().map(|d| d.message.clone()).collect()) } else { Ok(template) }
}

fn node_of(value: &serde_json::Value) -> Node {
    use serde_json::Value as V;
    let kind = match value {
        V::Null => NodeKind::Null,
        V::Bool(b) => NodeKind::Bool(*b),
        V::Number(n) => NodeKind::Number(n.clone()),
        V::String(s) => NodeKind::String(s.clone()),
        V::Array(items) => NodeKind::Array(items.iter().map(node_of).collect()),
        V::Object(map) => NodeKind::Object(
            map.iter().map(|(k, v)| Member { key: k.clone(), key_span: Span::default(), value: node_of(v) }).collect(),
        ),
    };
    Node { span: Span::default(), kind }
}

/// `value` with its expressions compiled; `None` when one does not compile
/// (the JSONata-string check has reported it with its position).
pub(super) fn jsonata_of(node: &Node) -> Option<Jsonata> {
    Jsonata::from_value(&node.to_value()).ok()
}

/// Whether a string is a JSONata expression (`{% ... %}`).
pub fn is_jsonata(s: &str) -> bool {
    s.starts_with("{%") && s.ends_with("%}") && s.len() >= 4
}

impl Builder<'_> {
    pub(super) fn path_value(&mut self, node: &Node, ptr: &str, field: &str) -> Option<Path> {
        let (text, span) = self.string_value(node, ptr, field)?;
        match Path::parse(&text) {
            Ok(p) => Some(p),
            Err(e) => {
                let d = self.error(
                    Code::InvalidPath,
                    span,
                    ptr,
                    format!("`{field}` is not a valid JSONPath: {}", e.message),
                );
                d.label = format!("invalid path `{text}`");
                None
            }
        }
    }

    pub(super) fn nullable_path(&mut self, obj: &mut Obj<'_>, key: &str) -> Option<NullablePath> {
        let m = obj.take(key)?;
        if matches!(m.value.kind, NodeKind::Null) {
            return Some(NullablePath::Null);
        }
        self.path_value(&m.value, &obj.child_ptr(key), key).map(NullablePath::Path)
    }

    pub(super) fn result_path(&mut self, obj: &mut Obj<'_>) -> Option<ResultPath> {
        let m = obj.take("ResultPath")?;
        let ptr = obj.child_ptr("ResultPath");
        if matches!(m.value.kind, NodeKind::Null) {
            return Some(ResultPath::Discard);
        }
        let (text, span) = self.string_value(&m.value, &ptr, "ResultPath")?;
        match Path::parse_reference(&text) {
            Ok(p) if p.root == crate::path::Root::Input => Some(ResultPath::Path(p)),
            Ok(_) => {
                self.error(
                    Code::InvalidPath,
                    span,
                    &ptr,
                    "`ResultPath` must start with `$.`; it cannot write to the context object or a variable",
                );
                None
            }
            Err(e) => {
                let d = self.error(
                    Code::InvalidPath,
                    span,
                    &ptr,
                    format!("`ResultPath` must be a reference path: {}", e.message),
                );
                d.hint = Some("a reference path uses only `.name`, `['name']` and `[index]`, e.g. `$.result`".into());
                None
            }
        }
    }

    /// A `"key.$"` value: an intrinsic call or a path.
    pub(super) fn dynamic_value(&mut self, node: &Node, ptr: &str, field: &str) -> Option<Template> {
        let (text, span) = self.string_value(node, ptr, field)?;
        if Call::looks_like_call(&text) {
            match Call::parse(&text) {
                Ok(c) => Some(Template::Call(c)),
                Err(e) => {
                    let d = self.error(
                        Code::InvalidIntrinsic,
                        span,
                        ptr,
                        format!("invalid intrinsic function call in `{field}`: {}", e.message),
                    );
                    d.label = format!("at offset {} of the call", e.offset);
                    None
                }
            }
        } else {
            match Path::parse(&text) {
                Ok(p) => Some(Template::Path(p)),
                Err(e) => {
                    let d = self.error(
                        Code::InvalidPath,
                        span,
                        ptr,
                        format!(
                            "the value of `{field}` must be a valid JSONPath or a valid intrinsic function call: {}",
                            e.message
                        ),
                    );
                    d.hint = Some("a `.$` field holds a path such as `$.order.id` or a call such as `States.Format('{}', $.x)`; drop the `.$` for a literal".into());
                    None
                }
            }
        }
    }

    fn template(&mut self, node: &Node, ptr: &str) -> Template {
        match &node.kind {
            NodeKind::Object(members) => {
                let mut out = Vec::with_capacity(members.len());
                let mut dynamic = false;
                for m in members {
                    let child = pointer_to(ptr, &m.key);
                    if let Some(plain) = m.key.strip_suffix(".$") {
                        if let Some(other) = members.iter().find(|o| o.key == plain) {
                            let d = self.error(
                                Code::DuplicateField,
                                m.key_span,
                                &child,
                                format!("field `{plain}` appears both as `{plain}` and as `{}`", m.key),
                            );
                            d.related.push((other.key_span, "also here".into()));
                        }
                        dynamic = true;
                        if let Some(t) = self.dynamic_value(&m.value, &child, &m.key) {
                            out.push((plain.to_string(), t));
                        }
                    } else {
                        let t = self.template(&m.value, &child);
                        dynamic |= !matches!(t, Template::Literal(_));
                        out.push((m.key.clone(), t));
                    }
                }
                if dynamic { Template::Object(ObjectTemplate::new(out)) } else { Template::Literal(node.to_value()) }
            }
            NodeKind::Array(items) => {
                let parts: Vec<Template> =
                    items.iter().enumerate().map(|(i, n)| self.template(n, &format!("{ptr}/{i}"))).collect();
                if parts.iter().all(|t| matches!(t, Template::Literal(_))) {
                    Template::Literal(node.to_value())
                } else {
                    Template::Array(parts)
                }
            }
            _ => Template::Literal(node.to_value()),
        }
    }

    /// A payload template field. Any JSON value is allowed (AWS accepts a
    /// string or an array too); `.$` members are evaluated wherever they are.
    pub(super) fn template_field(&mut self, obj: &mut Obj<'_>, key: &str) -> Option<Template> {
        let m = obj.take(key)?;
        let ptr = obj.child_ptr(key);
        Some(self.template(&m.value, &ptr))
    }

    /// `Assign`: an object of variable names. In JSONPath its `name.$`
    /// members are paths or intrinsic calls, as in a payload template.
    pub(super) fn assign(&mut self, obj: &mut Obj<'_>, ql: QueryLanguage) -> Option<Assign> {
        let m = obj.take("Assign")?;
        let ptr = obj.child_ptr("Assign");
        let members = self.object(&m.value, &ptr)?.members;
        for member in members {
            let name = match ql {
                QueryLanguage::JsonPath => member.key.strip_suffix(".$").unwrap_or(&member.key),
                QueryLanguage::Jsonata => &member.key,
            };
            if let Some(problem) = variable_name_problem(name) {
                let d = self.error(
                    Code::Schema,
                    member.key_span,
                    &pointer_to(&ptr, &member.key),
                    format!("`{name}` is not a valid variable name: {problem}"),
                );
                d.label = "invalid variable name".into();
                d.hint = Some("a variable name starts with a letter or `_`, continues with letters, digits or `_`, and has at most 80 characters".into());
            }
        }
        match ql {
            QueryLanguage::JsonPath => Some(Assign::JsonPath(self.template(&m.value, &ptr))),
            QueryLanguage::Jsonata => jsonata_of(&m.value).map(Assign::Jsonata),
        }
    }

    /// `Output` of a JSONata state or catcher.
    pub(super) fn output(&mut self, obj: &mut Obj<'_>) -> Option<Jsonata> {
        obj.take("Output").and_then(|m| jsonata_of(&m.value))
    }

    pub(super) fn target(&mut self, node: &Node, ptr: &str, field: &str) -> Option<Target> {
        let (name, span) = self.string_value(node, ptr, field)?;
        Some(Target { name, span, index: usize::MAX })
    }

    pub(super) fn seconds(&mut self, obj: &mut Obj<'_>, key: &str, path_key: &str) -> Option<Seconds> {
        let lit = obj.take(key);
        let path = obj.take(path_key);
        if let (Some(_), Some(p)) = (lit, path) {
            self.error(
                Code::Schema,
                p.key_span,
                &obj.child_ptr(path_key),
                format!("`{key}` and `{path_key}` cannot both be set"),
            );
        }
        if let Some(m) = lit {
            let ptr = obj.child_ptr(key);
            if let NodeKind::String(s) = &m.value.kind
                && is_jsonata(s)
            {
                return Expr::compile(s).ok().map(Seconds::Jsonata);
            }
            return self.int_value(&m.value, &ptr, key, 1).map(Seconds::Fixed);
        }
        let m = path?;
        self.path_value(&m.value, &obj.child_ptr(path_key), path_key).map(Seconds::Path)
    }

    /// In a JSONata state, a string that opens or closes like an expression
    /// must be a whole `{% <expression> %}`. Space inside the delimiters is
    /// customary but not required: AWS accepts `{%$x%}` (and AWS CDK
    /// recognises expressions as `/^{%(.*)%}$/`).
    pub(super) fn check_jsonata_strings(&mut self, node: &Node, ptr: &str) {
        match &node.kind {
            NodeKind::String(s) if s.starts_with("{%") || s.ends_with("%}") => {
                let inner = s.strip_prefix("{%").and_then(|r| r.strip_suffix("%}"));
                let ok = inner.is_some_and(|e| !e.trim().is_empty());
                if !ok {
                    let d = self.error(
                        Code::Schema,
                        node.span,
                        ptr,
                        format!("`{s}` is not a JSONata expression: it must be written `{{% <expression> %}}`"),
                    );
                    d.hint = Some("open the expression with `{%` and close it with `%}`".into());
                } else if let Some(expr) = inner {
                    // Every expression must parse; the runtime never re-parses a bad one.
                    if let Err(e) = crate::jsonata::check_nesting(expr.trim())
                        .and_then(|()| jlens_core::parse(expr.trim()).map(drop).map_err(|e| e.to_string()))
                    {
                        self.error(
                            Code::Schema,
                            node.span,
                            ptr,
                            format!("the JSONata expression `{}` does not parse: {e}", expr.trim()),
                        )
                        .label = "invalid JSONata".into();
                    }
                }
            }
            NodeKind::Array(items) => {
                for (i, n) in items.iter().enumerate() {
                    self.check_jsonata_strings(n, &format!("{ptr}/{i}"));
                }
            }
            NodeKind::Object(members) => {
                for m in members {
                    self.check_jsonata_strings(&m.value, &pointer_to(ptr, &m.key));
                }
            }
            _ => {}
        }
    }

    pub(super) fn count(&mut self, obj: &mut Obj<'_>, key: &str) -> Option<Count> {
        let path_key = format!("{key}Path");
        let lit = obj.take(key);
        let path = obj.take(&path_key);
        if let (Some(_), Some(p)) = (lit, path) {
            self.error(
                Code::Schema,
                p.key_span,
                &obj.child_ptr(&path_key),
                format!("`{key}` and `{path_key}` cannot both be set"),
            );
        }
        if let Some(m) = lit {
            let ptr = obj.child_ptr(key);
            return match &m.value.kind {
                NodeKind::String(s) if is_jsonata(s) => Expr::compile(s).ok().map(Count::Jsonata),
                NodeKind::Number(n) if n.as_f64().is_some_and(|v| v >= 0.0) => Some(Count::Fixed(m.value.to_value())),
                NodeKind::Number(n) => {
                    self.error(Code::Schema, m.value.span, &ptr, format!("`{key}` must not be negative, but is {n}"));
                    None
                }
                _ => {
                    self.type_error(&m.value, &ptr, key, "a non-negative number");
                    None
                }
            };
        }
        let m = path?;
        self.path_value(&m.value, &obj.child_ptr(&path_key), &path_key).map(Count::Path)
    }

    /// An `ItemReader`'s or `ResultWriter`'s request: `Parameters` in a
    /// JSONPath state, `Arguments` in a JSONata one; the other language's
    /// field is an error, as on the state itself.
    pub(super) fn parameters_or_arguments(
        &mut self, obj: &mut Obj<'_>, ql: QueryLanguage,
    ) -> (Option<Template>, Option<Jsonata>) {
        let wrong = match ql {
            QueryLanguage::JsonPath => "Arguments",
            QueryLanguage::Jsonata => "Parameters",
        };
        if let Some(m) = obj.take(wrong) {
            self.other_language_field(ql, m, &obj.child_ptr(wrong), "Arguments");
        }
        match ql {
            QueryLanguage::JsonPath => (self.template_field(obj, "Parameters"), None),
            QueryLanguage::Jsonata => (None, obj.take("Arguments").and_then(|m| jsonata_of(&m.value))),
        }
    }
}
