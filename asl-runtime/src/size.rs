//! How big a payload's JSON text is, without writing it: AWS limits every
//! state's input and output (256 KiB by default), so this runs on every
//! state that changes its payload.
//!
//! A state passes on a [`Bound`] with its output: at least the length of the
//! output's JSON text. Where a state builds its output from its input and a
//! template, the bound is worked out from the parts it changed, so the
//! whole payload is walked only when the bound grows past the limit.

use asl_spec::path::Path;
use serde_json::Value;

/// At least the length of a payload's JSON text, in bytes; [`UNKNOWN`]
/// when nothing is known.
pub(crate) type Bound = usize;

/// A bound that says nothing.
pub(crate) const UNKNOWN: Bound = usize::MAX;

/// A bound of `v` if its JSON text fits in `limit` bytes, else `None`.
/// Walks the value without writing it, and stops once the limit is passed.
pub(crate) fn fitting_bound(v: &Value, limit: usize) -> Option<Bound> {
    let limit = isize::try_from(limit).unwrap_or(isize::MAX);
    // An upper bound that reads no string settles most payloads; only one
    // near the limit is measured byte by byte.
    let left = size_bound(v, limit);
    if left >= 0 {
        return Some((limit - left) as Bound);
    }
    let mut budget = limit;
    json_size(v, &mut budget);
    (budget >= 0).then_some((limit - budget) as Bound)
}

/// What writing a value at `path` (a `ResultPath`) can add to a payload
/// besides the value: for each name on the way, `,"name":` (the name
/// counted as escaped) and the braces of an object made to hold it. The
/// path's text is longer than its names, so this needs no walk of its
/// segments. (A path with segments other than names and indexes is not
/// written at all.)
pub(crate) fn path_overhead(path: &Path) -> Bound {
    6 * (path.text.len() + path.segments.len())
}

/// A bound of `v` (walking all of it).
pub(crate) fn bound_of(v: &Value) -> Bound {
    (isize::MAX - size_bound(v, isize::MAX)) as Bound
}

/// `budget` less at least the bytes of `v`'s JSON text: every string byte
/// counted as escaped (`\u00XX`, 6 bytes), every number at its longest (24
/// bytes, as in `-2.2250738585072014e-308`). Negative once the bound passes
/// the budget (it then stops early). The budget travels by value: this
/// runs on every state's output.
pub(crate) fn size_bound(v: &Value, budget: isize) -> isize {
    match v {
        Value::Null | Value::Bool(_) => budget - 5,
        Value::Number(_) => budget - 24,
        Value::String(s) => budget - (6 * s.len() as isize + 2),
        Value::Array(items) => {
            let mut budget = budget - (2 + items.len() as isize);
            for item in items {
                if budget < 0 {
                    break;
                }
                budget = size_bound(item, budget);
            }
            budget
        }
        Value::Object(members) => {
            let mut budget = budget - (2 + members.len() as isize);
            for (key, value) in members {
                if budget < 0 {
                    break;
                }
                budget = size_bound(value, budget - (6 * key.len() as isize + 4));
            }
            budget
        }
    }
}

/// The length of a value's JSON text (compact, as serde_json writes it).
pub(crate) fn json_len(v: &Value) -> usize {
    let mut budget = isize::MAX;
    json_size(v, &mut budget);
    (isize::MAX - budget) as usize
}

/// Takes the bytes of `v`'s JSON text from `budget`, stopping early once
/// it is negative.
fn json_size(v: &Value, budget: &mut isize) {
    if *budget < 0 {
        return;
    }
    *budget -= match v {
        Value::Null => 4,
        Value::Bool(b) => 4 + isize::from(!b),
        Value::Number(n) => number_len(n),
        Value::String(s) => string_len(s),
        Value::Array(items) => {
            *budget -= 1 + items.len().saturating_sub(1) as isize;
            items.iter().for_each(|item| json_size(item, budget));
            1
        }
        Value::Object(members) => {
            *budget -= 1 + members.len().saturating_sub(1) as isize;
            for (key, value) in members {
                *budget -= string_len(key) + 1;
                json_size(value, budget);
            }
            1
        }
    };
}

/// Bytes of a number as serde_json writes it.
fn number_len(n: &serde_json::Number) -> isize {
    if let Some(u) = n.as_u64() {
        return u.checked_ilog10().map_or(1, |d| d as isize + 1);
    }
    if let Some(i) = n.as_i64() {
        return 1 + i.unsigned_abs().checked_ilog10().map_or(1, |d| d as isize + 1);
    }
    n.to_string().len() as isize
}

/// Bytes of a string as serde_json writes it: quotes and escapes included.
fn string_len(s: &str) -> isize {
    let plain = s.len() as isize + 2;
    // Most strings need no escape; this count is a loop the compiler vectorises.
    if s.bytes().filter(|&b| b < 0x20 || b == b'"' || b == b'\\').count() == 0 {
        return plain;
    }
    let escapes: isize = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
            0..=0x1f => 5,
            _ => 0,
        })
        .sum();
    plain + escapes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_len_matches_serde_json() {
        let values = [
            serde_json::json!(null),
            serde_json::json!([true, false, 0, -1, 18446744073709551615u64, -9223372036854775808i64, 1.5, 1e300, -0.0]),
            serde_json::json!({"a": "quote\" back\\ nl\n tab\t ctl\u{1} \u{8}\u{c} é ☃ 😀 \u{7f}", "": [], "o": {}}),
            serde_json::json!([[[]], {"x": {"y": [1, {"z": null}]}}]),
            serde_json::json!({"\u{0}\u{1f}": "\u{0}\u{1f}", "n": [-2.2250738585072014e-308, -1.7976931348623157e308, false]}),
        ];
        for v in values {
            let text = serde_json::to_string(&v).unwrap();
            assert_eq!(json_len(&v), text.len(), "{text}");
            // The quick bound never undercounts.
            let left = size_bound(&v, text.len() as isize);
            assert!(left <= 0, "{text}: bound short by {left}");
            assert!(bound_of(&v) >= text.len());
            assert_eq!(fitting_bound(&v, text.len()), Some(text.len()), "exactly at the limit: measured");
            assert_eq!(fitting_bound(&v, text.len() - 1), None);
            assert!(fitting_bound(&v, bound_of(&v)).is_some_and(|b| b >= text.len()));
        }
    }
}
