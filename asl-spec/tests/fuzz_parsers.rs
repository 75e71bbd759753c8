//! Fuzz targets for the parsers behind every field: JSONPath (and reference
//! paths), intrinsic calls and JSONata. Inputs are random text, random edits
//! of valid expressions, and deep nesting; a parser must answer `Ok` or
//! `Err`, never panic, and never take long.
//!
//! CI runs a bounded number of cases (`ASL_FUZZ_CASES`, default 2,000 per
//! target); run more locally with, e.g., `ASL_FUZZ_CASES=200000 cargo test
//! --release -p asl-spec --test fuzz_parsers`.

use asl_spec::intrinsic::Call;
use asl_spec::jsonata::Expr;
use asl_spec::path::Path;
use proptest::prelude::*;
use std::time::{Duration, Instant};

fn cases() -> u32 {
    std::env::var("ASL_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000)
}

/// Valid expressions of each kind, to mutate.
const PATHS: &[&str] = &[
    "$",
    "$.a.b[0]",
    "$['k ey'][*].x",
    "$..price",
    "$.items[?(@.n > 2 && @.s == 'x')]",
    "$.a[1:3]",
    "$$.Execution.Input.id",
    "$var.field[2]",
];
const CALLS: &[&str] = &[
    "States.Format('{} and {}', $.a, $.b)",
    "States.Array(1, 'two', $.c, null, true)",
    "States.JsonMerge($.a, States.StringToJson('{\"b\":1}'), false)",
    "States.ArrayRange(1, 9, 2)",
    "States.Hash($.x, 'SHA-256')",
    "States.MathAdd(States.ArrayLength($.xs), -1)",
    "States.Format('it\\'s {}', States.UUID())",
];
const JSONATA: &[&str] = &[
    "$states.input.a + 1",
    "$sum($states.input.items.(price * qty))",
    "($f := function($x){ $x * 2 }; $map([1,2,3], $f))",
    "$states.input.s ~> /a+b/i",
    "{ 'k': $states.input.v, 'l': [1..3] }",
    "$exists($x) ? $x : 'none'",
    "$states.input.items[n > 1].name",
];

/// Random edits of `base`: bytes deleted, inserted or replaced with ones
/// that matter to these grammars.
fn mutated(base: &'static [&'static str]) -> impl Strategy<Value = String> {
    let alphabet = prop::sample::select(vec![
        '$', '.', '[', ']', '(', ')', '{', '}', '\'', '"', '\\', ',', '*', '?', '@', ':', '~', '>', '/', '-', '0', '9',
        ' ', 'a', 'é', '\u{0}', '\u{202e}',
    ]);
    (prop::sample::select(base.to_vec()), prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, alphabet), 1..6))
        .prop_map(|(base, edits)| {
            let mut chars: Vec<char> = base.chars().collect();
            for (at, kind, c) in edits {
                let i = at.index(chars.len() + 1);
                match kind {
                    0 if i < chars.len() => {
                        chars.remove(i);
                    }
                    1 => chars.insert(i, c),
                    _ if i < chars.len() => chars[i] = c,
                    _ => chars.push(c),
                }
            }
            chars.into_iter().collect()
        })
}

/// Deeply nested text of the kind that overflows recursive parsers.
fn nested() -> impl Strategy<Value = String> {
    (1usize..20_000, prop::sample::select(vec![("(", ")"), ("[", "]"), ("{'a':", "}"), ("States.Array(", ")")]))
        .prop_map(|(depth, (open, close))| format!("{}1{}", open.repeat(depth), close.repeat(depth)))
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,60}",
        mutated(PATHS),
        mutated(CALLS),
        mutated(JSONATA),
        nested(),
        Just(format!("$.{}", "a.".repeat(50_000))),
    ]
}

/// Parses `text` every way; none may panic or take long.
fn parse_all(text: &str) {
    let started = Instant::now();
    let _ = Path::parse(text);
    let _ = Path::parse_reference(text);
    let _ = Call::parse(text);
    let _ = Expr::compile(text);
    let _ = Expr::compile(&format!("{{% {text} %}}"));
    assert!(started.elapsed() < Duration::from_secs(2), "{} bytes took {:?}", text.len(), started.elapsed());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_parsers_never_panic(text in text()) {
        parse_all(&text);
    }
}

#[test]
fn deep_nesting_is_refused_before_the_parser_recurses() {
    // About 950 nested objects overflowed a 2 MiB stack in jlens-core's
    // parser; the call parser overflowed on nested calls.
    for depth in [201, 950, 20_000] {
        let object = format!("{}1{}", "{'a':".repeat(depth), "}".repeat(depth));
        assert!(Expr::compile(&object).unwrap_err().contains("more than 200 deep"));
        let call = format!("{}1{}", "States.Array(".repeat(depth), ")".repeat(depth));
        assert!(Call::parse(&call).is_err());
    }
    assert!(Expr::compile(&format!("{}1{}", "(".repeat(200), ")".repeat(200))).is_ok());
    // Brackets inside strings do not count.
    assert!(Expr::compile(&format!("'{}'", "(".repeat(1000))).is_ok());
}

#[test]
fn the_seeds_are_valid() {
    // The mutations start from expressions the parsers accept.
    for p in PATHS {
        assert!(Path::parse(p).is_ok(), "{p}");
    }
    for c in CALLS {
        assert!(Call::parse(c).is_ok(), "{c}");
    }
    for j in JSONATA {
        assert!(Expr::compile(j).is_ok(), "{j}");
    }
}
