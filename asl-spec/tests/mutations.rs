//! Property test: random edits of real definitions (deleted and inserted
//! text, deleted fields, wrong types, huge numbers, bad escapes, deep
//! nesting) never make the loader or validator panic, and the time per byte
//! stays flat. Definitions come from ../shared (when present) and from
//! statemachines/.

use proptest::prelude::*;
use std::path::Path;
use std::time::Instant;

fn corpus() -> Vec<String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let mut roots = vec![repo.join("statemachines")];
    let shared = repo.join("../shared");
    if shared.exists() {
        roots.push(shared.join("validation"));
        roots.push(shared.join("conformance/cases"));
    } else {
        eprintln!("note: ../shared is absent; mutating only statemachines/");
    }
    let mut out = Vec::new();
    while let Some(dir) = roots.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                roots.push(path);
            } else if path.extension().is_some_and(|e| e == "json")
                && path
                    .file_name()
                    .is_some_and(|n| n != "expected.json" && n != "input.json" && n != "index.json" && n != "task.json")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                out.push(text);
            }
        }
    }
    out.sort();
    out
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    HugeNumber(usize),
    BadEscape(usize),
    WrongType(usize),
    DropField(usize),
    Nest(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(at, len)| Edit::Delete(at, len)),
        (any::<usize>(), "[{}\\[\\]\",:$.a-zA-Z0-9 \\\\%é]{1,12}").prop_map(|(at, s)| Edit::Insert(at, s)),
        any::<usize>().prop_map(Edit::HugeNumber),
        any::<usize>().prop_map(Edit::BadEscape),
        any::<usize>().prop_map(Edit::WrongType),
        any::<usize>().prop_map(Edit::DropField),
        (1..600usize).prop_map(Edit::Nest),
    ]
}

fn boundary(s: &str, at: usize) -> usize {
    let mut i = at % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, e: &Edit) -> String {
    let mut s = text.to_string();
    match e {
        Edit::Delete(at, len) => {
            let a = boundary(&s, *at);
            let b = boundary(&s, a + len);
            s.replace_range(a..b.max(a), "");
        }
        Edit::Insert(at, ins) => s.insert_str(boundary(&s, *at), ins),
        Edit::HugeNumber(at) => s.insert_str(boundary(&s, *at), "123456789012345678901234567890e999"),
        Edit::BadEscape(at) => s.insert_str(boundary(&s, *at), "\\ud800\\uZZ"),
        Edit::WrongType(n) => {
            // Replace the n-th string value after a colon with a number.
            let quotes: Vec<usize> = s.match_indices(": \"").map(|(i, _)| i + 2).collect();
            if let Some(&i) = quotes.get(n % quotes.len().max(1))
                && let Some(end) = s[i + 1..].find('"')
            {
                s.replace_range(i..i + end + 2, "42");
            }
        }
        Edit::DropField(n) => {
            let keys: Vec<usize> = s
                .match_indices("\"Next\"")
                .chain(s.match_indices("\"Type\""))
                .chain(s.match_indices("\"End\""))
                .map(|(i, _)| i)
                .collect();
            if let Some(&i) = keys.get(n % keys.len().max(1)) {
                let end = s[i..].find([',', '}']).map_or(s.len(), |e| i + e);
                s.replace_range(i..end, "\"X\": 0");
            }
        }
        Edit::Nest(depth) => s = format!("{}{}{}", "[".repeat(*depth), s, "]".repeat(*depth)),
    }
    s
}

#[test]
fn edits_never_panic() {
    use proptest::test_runner::{Config, TestRunner};
    let texts = corpus();
    let cases = 3000;
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let seen = std::cell::Cell::new(0u32);
    let worst = std::cell::Cell::new(0f64);
    let outcome = runner.run(&(any::<usize>(), proptest::collection::vec(edit(), 1..4)), |(file, edits)| {
        let mut text = texts[file % texts.len()].clone();
        for e in &edits {
            text = apply(&text, e);
        }
        let started = Instant::now();
        let loaded = asl_spec::load(&text);
        for d in loaded.diagnostics.iter() {
            // Rendering touches every span: it must stay inside the text.
            let _ = asl_spec::SourceFile { name: "x.json", text: &text }.render(d, false);
        }
        if let Some(def) = &loaded.definition {
            let _ = asl_spec::render::mermaid(def);
        }
        // Per byte only where the text is long enough for that to mean
        // something: a few bytes take a fixed cost that dwarfs their length.
        if text.len() >= 512 {
            worst.set(worst.get().max(started.elapsed().as_nanos() as f64 / text.len() as f64));
        }
        seen.set(seen.get() + 1);
        Ok(())
    });
    outcome.unwrap_or_else(|e| panic!("a mutated definition broke the loader: {e}"));
    assert_eq!(seen.get(), cases, "every case ran");
    eprintln!(
        "mutations: {cases} mutated cases over {} definitions; worst {:.0} ns per byte (texts of 512 bytes or more)",
        texts.len(),
        worst.get()
    );
}
