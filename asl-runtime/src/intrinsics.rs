//! The 18 intrinsic functions, evaluated over calls parsed by `asl_spec`.

use crate::error::Failure;
use crate::jsonpath::{self, Roots};
use asl_spec::intrinsic::{Arg, Call, Function};
use serde_json::Value;
use smallvec::SmallVec;
use std::borrow::Cow;

/// Evaluates a call. `field` is the template key (`x.$`) for error messages.
pub(crate) fn evaluate<R: Roots + ?Sized>(
    call: &Call, roots: &R, field: &dyn std::fmt::Display,
) -> Result<Value, Failure> {
    // The most common call, `States.Format` with a literal template over
    // `$.name` members, reads its values where they are: no argument list.
    if let (Function::Format, [Arg::String(template), values @ ..]) = (call.function, call.args.as_slice())
        && values.len() <= 8
    {
        let mut found: SmallVec<[&Value; 8]> = SmallVec::new();
        for value in values {
            match value {
                Arg::Path(p) => match jsonpath::select_member(p, roots) {
                    Some(v) => found.push(v),
                    None => break,
                },
                _ => break,
            }
        }
        if found.len() == values.len() {
            return format(call, (&template.value, &template.holes), &found);
        }
    }
    // Arguments borrow what paths select; a function copies only what it
    // puts in its result.
    // Calls take a few arguments: keep them off the heap. (`new`, not
    // `with_capacity`, which returns the whole inline array by copy.)
    let mut args: Args<'_> = SmallVec::new();
    for (i, arg) in call.args.iter().enumerate() {
        args.push(match arg {
            // `States.Format` reads its template from the call itself.
            Arg::String(_) if i == 0 && call.function == Function::Format => Cow::Owned(Value::Null),
            Arg::String(s) => Cow::Owned(Value::String(s.value.clone())),
            Arg::Number(n) => Cow::Owned(Value::Number(n.clone())),
            Arg::Bool(b) => Cow::Owned(Value::Bool(*b)),
            Arg::Null => Cow::Owned(Value::Null),
            Arg::Path(p) => match jsonpath::select_member(p, roots) {
                Some(v) => Cow::Borrowed(v),
                None => jsonpath::select(p, roots).map_err(|_| jsonpath::path_not_found(p, field, roots))?,
            },
            Arg::Call(inner) => Cow::Owned(evaluate(inner, roots, field)?),
        });
    }
    // By reference: the arguments are a few hundred bytes, not worth a copy.
    apply(call, &mut args)
}

/// Applies `function` to argument values already evaluated: the JSONata
/// functions AWS adds (`$partition`, `$range`, `$hash`, …) are these
/// intrinsics under other names. (`States.Format`, whose template must be a
/// literal, is not one of them.)
pub(crate) fn apply_values(function: Function, args: Vec<Value>) -> Result<Value, Failure> {
    let call = Call { function, args: Vec::new() };
    let mut args: Args<'_> = args.into_iter().map(Cow::Owned).collect();
    apply(&call, &mut args)
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn fail(call: &Call, why: impl std::fmt::Display) -> Failure {
    Failure::intrinsic(format!("Invalid arguments in {}: {why}", call.function.name()))
}

fn int_arg(call: &Call, v: &Value, what: &str) -> Result<i64, Failure> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(i),
            None => n
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
                .ok_or_else(|| fail(call, format!("{what} must be an integer"))),
        },
        _ => Err(fail(call, format!("{what} must be an integer"))),
    }
}

/// Java's `Math.round`, which AWS applies to `States.MathAdd` operands.
fn java_round(f: f64) -> i64 {
    (f + 0.5).floor() as i64
}

fn str_arg<'a>(call: &Call, v: &'a Value, what: &str) -> Result<&'a str, Failure> {
    v.as_str().ok_or_else(|| fail(call, format!("{what} must be a string")))
}

fn array_arg<'a>(call: &Call, v: &'a Value, what: &str) -> Result<&'a Vec<Value>, Failure> {
    v.as_array().ok_or_else(|| fail(call, format!("{what} must be an array")))
}

/// `text` with the sign of every integer `-0` dropped. AWS reads JSON text
/// with Jackson, which makes the integer `-0` a plain 0 (and keeps the float
/// `-0.0`); serde_json makes both the float -0.0. Borrowed when there is
/// none, as almost always.
fn integer_zeros_unsigned(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let signs: Vec<usize> = asl_spec::json::outside_strings(text)
        .filter(|&(i, b)| {
            b == b'-'
                && bytes.get(i + 1) == Some(&b'0')
                && !matches!(bytes.get(i + 2), Some(b'0'..=b'9' | b'.' | b'e' | b'E'))
        })
        .map(|(i, _)| i)
        .collect();
    if signs.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for sign in signs {
        out.push_str(&text[last..sign]);
        last = sign + 1;
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// How `States.Format` prints an argument (Java's `toString` of the value).
fn format_arg(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Object(m) => write_list(out, '{', '}', m, |out, (k, v)| {
            out.push_str(k);
            out.push('=');
            format_arg(v, out);
        }),
        Value::Array(a) => write_list(out, '[', ']', a, |out, v| format_arg(v, out)),
        // Integers, the common argument, without the formatting machinery.
        Value::Number(n) if n.as_u64().is_some() => {
            out.push_str(itoa::Buffer::new().format(n.as_u64().unwrap_or_default()))
        }
        Value::Number(n) if n.as_i64().is_some() => {
            out.push_str(itoa::Buffer::new().format(n.as_i64().unwrap_or_default()))
        }
        other => {
            use std::fmt::Write;
            // Writing into a String cannot fail.
            let _ = write!(out, "{other}");
        }
    }
}

/// `open`, the items separated by `", "`, then `close`: the list shape that
/// Java's `toString` and Python's `json.dumps` share.
pub(crate) fn write_list<T>(
    out: &mut String, open: char, close: char, items: impl IntoIterator<Item = T>,
    mut write: impl FnMut(&mut String, T),
) {
    out.push(open);
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write(out, item);
    }
    out.push(close);
}

type Args<'v> = SmallVec<[Cow<'v, Value>; 4]>;

/// `States.Format`: `values` in the template's holes (the offsets of its
/// `{}`).
fn format(call: &Call, (template, holes): (&str, &[usize]), values: &[&Value]) -> Result<Value, Failure> {
    if holes.len() != values.len() {
        return Err(fail(
            call,
            format!("the template has {} placeholder(s) but {} argument(s) were given", holes.len(), values.len()),
        ));
    }
    // Room for short arguments, so most calls allocate once.
    let mut out = String::with_capacity(template.len() + 16 * values.len());
    let mut last = 0;
    for (hole, value) in holes.iter().zip(values) {
        out.push_str(&template[last..*hole]);
        format_arg(value, &mut out);
        last = hole + 2;
    }
    out.push_str(&template[last..]);
    Ok(Value::String(out))
}

fn apply(call: &Call, args: &mut Args<'_>) -> Result<Value, Failure> {
    use Function::*;
    Ok(match call.function {
        Format => {
            // A literal template was parsed with the call; one selected by a
            // path (or made by a call) is a string whose `{}` are the holes.
            let selected;
            let (template, holes): (&str, &[usize]) = match call.args.first() {
                Some(Arg::String(literal)) => (&literal.value, &literal.holes),
                _ => {
                    let text = str_arg(call, &args[0], "the template")?;
                    selected = text.match_indices("{}").map(|(i, _)| i).collect::<Vec<_>>();
                    (text, &selected)
                }
            };
            let values: SmallVec<[&Value; 8]> = args[1..].iter().map(|v| &**v).collect();
            return format(call, (template, holes), &values);
        }
        StringToJson => {
            let s = str_arg(call, &args[0], "the argument")?;
            if s.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&integer_zeros_unsigned(s))
                    .map_err(|e| fail(call, format!("the string is not JSON: {e}")))?
            }
        }
        JsonToString => Value::String(compact(&args[0])),
        Array => Value::Array(args.drain(..).map(Cow::into_owned).collect()),
        ArrayPartition => {
            let size = int_arg(call, &args[1], "the chunk size")?;
            if size <= 0 {
                return Err(fail(call, "the chunk size must be greater than 0"));
            }
            let items = array_arg(call, &args[0], "the first argument")?;
            Value::Array(items.chunks(size as usize).map(|c| Value::Array(c.to_vec())).collect())
        }
        ArrayContains => {
            let items = array_arg(call, &args[0], "the first argument")?;
            Value::Bool(items.contains(&*args[1]))
        }
        ArrayRange => {
            let (start, end, step) = (
                int_arg(call, &args[0], "the start")?,
                int_arg(call, &args[1], "the end")?,
                int_arg(call, &args[2], "the step")?,
            );
            if step == 0 {
                return Err(fail(call, "the step cannot be 0"));
            }
            // In i128: the distance between two i64s does not fit an i64.
            let (start, end, step) = (i128::from(start), i128::from(end), i128::from(step));
            let count =
                if (step > 0 && start > end) || (step < 0 && start < end) { 0 } else { (end - start) / step + 1 };
            if count > 1000 {
                return Err(fail(call, "the range cannot hold more than 1000 items"));
            }
            // Every item lies between start and end, so it fits an i64.
            Value::Array((0..count).filter_map(|i| i64::try_from(start + i * step).ok()).map(Value::from).collect())
        }
        ArrayGetItem => {
            let index = int_arg(call, &args[1], "the index")?;
            let items = array_arg(call, &args[0], "the first argument")?;
            usize::try_from(index).ok().and_then(|i| items.get(i)).cloned().ok_or_else(|| {
                fail(call, format!("index {index} is out of bounds for an array of {} item(s)", items.len()))
            })?
        }
        ArrayLength => Value::from(array_arg(call, &args[0], "the argument")?.len()),
        ArrayUnique => {
            let items = array_arg(call, &args[0], "the argument")?;
            // A set of the items kept, not a scan of them for each item:
            // linear in the items, where the scan was quadratic (2 s for
            // 40,000 numbers). `Value`'s hash agrees with its equality.
            let mut kept = std::collections::HashSet::with_capacity(items.len());
            Value::Array(items.iter().filter(|v| kept.insert(*v)).cloned().collect())
        }
        Base64Encode => {
            use base64::Engine;
            let s = str_arg(call, &args[0], "the argument")?;
            if s.chars().count() > 10_000 {
                return Err(fail(call, "the input cannot be longer than 10000 characters"));
            }
            Value::String(base64::engine::general_purpose::STANDARD.encode(s))
        }
        Base64Decode => {
            use base64::Engine;
            let s = str_arg(call, &args[0], "the argument")?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|e| fail(call, format!("not valid base64: {e}")))?;
            Value::String(String::from_utf8_lossy(&bytes).into_owned())
        }
        Hash => {
            let data = match &*args[0] {
                Value::String(s) => s.clone(),
                other => compact(other),
            };
            let algorithm = str_arg(call, &args[1], "the algorithm")?;
            Value::String(hash(algorithm, data.as_bytes()).ok_or_else(|| {
                fail(call, format!("unsupported algorithm '{algorithm}'; use MD5, SHA-1, SHA-256, SHA-384 or SHA-512"))
            })?)
        }
        JsonMerge => {
            if *args[2] != Value::Bool(false) {
                return Err(fail(call, "only shallow merging is supported; the third argument must be false"));
            }
            let right = std::mem::take(&mut args[1]).into_owned();
            let left = std::mem::take(&mut args[0]).into_owned();
            match (left, right) {
                (Value::Object(mut l), Value::Object(r)) => {
                    for (k, v) in r {
                        l.insert(k, v);
                    }
                    Value::Object(l)
                }
                _ => return Err(fail(call, "both arguments must be objects")),
            }
        }
        MathRandom => {
            let start = int_arg(call, &java_round_value(&args[0]), "the start")?;
            let end = int_arg(call, &java_round_value(&args[1]), "the end")?;
            if start >= end {
                return Err(fail(call, "the start must be smaller than the end"));
            }
            let mut rng = match args.get(2) {
                Some(seed) => fastrand::Rng::with_seed(int_arg(call, seed, "the seed")? as u64),
                None => fastrand::Rng::with_seed(crate::durable::random_u64()),
            };
            Value::from(rng.i64(start..end))
        }
        MathAdd => {
            let a = number(call, &args[0])?;
            let b = number(call, &args[1])?;
            Value::from(a.checked_add(b).ok_or_else(|| fail(call, "the sum is out of range"))?)
        }
        StringSplit => {
            let s = str_arg(call, &args[0], "the first argument")?;
            let delimiters = str_arg(call, &args[1], "the delimiter")?;
            Value::Array(
                s.split(|c: char| delimiters.contains(c))
                    .filter(|t| !t.is_empty())
                    .map(|t| Value::String(t.to_string()))
                    .collect(),
            )
        }
        Uuid => Value::String(crate::durable::uuid_v4().to_string()),
    })
}

fn java_round_value(v: &Value) -> Value {
    match v.as_f64() {
        Some(f) if v.as_i64().is_none() => Value::from(java_round(f)),
        _ => v.clone(),
    }
}

fn number(call: &Call, v: &Value) -> Result<i64, Failure> {
    match v {
        Value::Number(n) => Ok(n.as_i64().unwrap_or_else(|| java_round(n.as_f64().unwrap_or(0.0)))),
        _ => Err(fail(call, "the arguments must be numbers")),
    }
}

fn hash(algorithm: &str, data: &[u8]) -> Option<String> {
    use sha2::Digest;
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
    Some(match algorithm {
        "MD5" => hex(&md5::Md5::digest(data)),
        "SHA-1" => hex(&sha1::Sha1::digest(data)),
        "SHA-256" => hex(&sha2::Sha256::digest(data)),
        "SHA-384" => hex(&sha2::Sha384::digest(data)),
        "SHA-512" => hex(&sha2::Sha512::digest(data)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::jsonpath::test_support::Doc;

    fn run(text: &str, input: Value) -> Result<Value, Failure> {
        evaluate(&Call::parse(text).unwrap(), &Doc(input), &"f.$")
    }

    #[test]
    fn format_prints_like_java() {
        assert_eq!(
            run("States.Format('a={} b={}', $.a, $.b)", json!({"a": {"x": 1, "y": []}, "b": null})).unwrap(),
            json!("a={x=1, y=[]} b=null")
        );
        assert!(run("States.Format('{}')", json!({})).is_err());
        assert_eq!(
            run("States.Format($.t, $.v)", json!({"t": "It's {}!", "v": "Pikachu"})).unwrap(),
            json!("It's Pikachu!")
        );
        assert!(run("States.Format($.t)", json!({"t": 1})).is_err());
    }

    #[test]
    fn math_add_rounds_like_java() {
        assert_eq!(run("States.MathAdd($.a, $.b)", json!({"a": -1.49, "b": -1.5})).unwrap(), json!(-2));
        assert_eq!(
            run("States.ArrayRange($.min, $.max, $.max)", json!({"min": i64::MIN, "max": i64::MAX})).unwrap(),
            json!([i64::MIN, -1, i64::MAX - 1])
        );
        assert_eq!(run("States.MathAdd($.a, $.b)", json!({"a": -0.5, "b": 0.5})).unwrap(), json!(1));
    }

    #[test]
    fn arrays_strings_and_hashes() {
        assert_eq!(run("States.ArrayRange(0, 10, 3)", json!({})).unwrap(), json!([0, 3, 6, 9]));
        assert_eq!(run("States.ArrayPartition($.a, 2)", json!({"a": [0, 1, 2]})).unwrap(), json!([[0, 1], [2]]));
        assert_eq!(run("States.StringSplit(', , ,', ',')", json!({})).unwrap(), json!([" ", " "]));
        assert_eq!(
            run("States.Hash('input data', 'MD5')", json!({})).unwrap(),
            json!("812f45842bc6d66ee14572ce20db8e86")
        );
        assert_eq!(run("States.JsonToString($.a)", json!({"a": {"x": [1, "s"]}})).unwrap(), json!("{\"x\":[1,\"s\"]}"));
        assert_eq!(run("States.StringToJson(' ')", json!({})).unwrap(), Value::Null);
        // Jackson's reading: the integer -0 is 0, the float keeps its sign,
        // and strings are left alone.
        let parsed =
            run("States.StringToJson($.t)", json!({"t": r#"[-0, -0.0, -0e1, "-0", "a\"-0", {"k": -0}, -01]"#}));
        assert!(parsed.is_err(), "a leading zero is not JSON");
        let parsed =
            run("States.StringToJson($.t)", json!({"t": r#"[-0, -0.0, -0e1, "-0", "a\"-0", {"k": -0}, -10]"#}))
                .unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), r#"[0,-0.0,-0.0,"-0","a\"-0",{"k":0},-10]"#);
        let r = run("States.MathRandom(0, 999, 3)", json!({})).unwrap();
        assert_eq!(r, run("States.MathRandom(0, 999, 3)", json!({})).unwrap());
    }

    #[test]
    fn missing_path_argument_is_a_runtime_error() {
        let e = run("States.Format('{}', $.nope)", json!({"a": 1})).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert!(
            e.message.contains("'$.nope' specified for the field 'f.$' could not be found in the input '{\"a\":1}'")
        );
    }
}
