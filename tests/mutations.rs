//! A bounded proptest run over mutations of the committed fragment: edits
//! of its text (bytes cut, YAML punctuation and odd characters inserted,
//! lines repeated or swapped) and of its YAML tree (a node replaced by a
//! scalar, an empty collection, a `$ref` or a copy of another node). Whatever
//! comes of it, the generator must not panic; a refusal must name the file
//! and a JSON pointer; a success must be Rust that parses.
//!
//! 64 cases per strategy with a fixed seed, so CI is repeatable and quick;
//! `PROPTEST_CASES=5000 cargo test -p tests --test mutations` digs deeper.

use std::panic::{catch_unwind, AssertUnwindSafe};

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestCaseError};

const FILE: &str = "spec/applications.synchronization-start.yaml";

fn fragment() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| tests::read(FILE))
}

fn config() -> &'static codegen::Config {
    static CONFIG: std::sync::OnceLock<codegen::Config> = std::sync::OnceLock::new();
    CONFIG.get_or_init(|| tests::committed_inputs().1)
}

fn proptest_config() -> ProptestConfig {
    let explicit = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok());
    ProptestConfig {
        cases: explicit.unwrap_or(64),
        // Repeatable in CI unless asked otherwise; no regression files.
        rng_seed: if explicit.is_some() { RngSeed::Random } else { RngSeed::Fixed(0x5eed_f00d) },
        failure_persistence: None,
        max_shrink_iters: 512,
        ..ProptestConfig::default()
    }
}

/// Runs the generator on `text` and checks the outcome.
fn check(text: String) -> Result<(), TestCaseError> {
    let spec = codegen::SpecInput { file: FILE.to_owned(), text };
    let outcome = catch_unwind(AssertUnwindSafe(|| codegen::generate(&spec, config(), "spec/codegen.yaml", &codegen::RuntimeSource::Vendored)))
        .map_err(|_| TestCaseError::fail(format!("the generator panicked on:\n{}", spec.text)))?;
    match outcome {
        Ok(files) => {
            for f in files.iter().filter(|f| f.path.ends_with(".rs")) {
                if let Err(e) = syn::parse_file(&f.contents) {
                    return Err(TestCaseError::fail(format!("{} does not parse ({e}) for:\n{}", f.path, spec.text)));
                }
                prop_assert!(!f.contents.contains("compile_error!"), "{} has a codegen bug marker for:\n{}", f.path, spec.text);
            }
        }
        Err(error) => {
            prop_assert!(!error.diagnostics.is_empty(), "an error without diagnostics");
            for d in &error.diagnostics {
                let named = d.file == FILE || d.file == "spec/codegen.yaml";
                prop_assert!(named, "diagnostic names no input file: {d:?}");
                prop_assert!(d.pointer.is_empty() || d.pointer.starts_with('/'), "not a JSON pointer: {d:?}");
                prop_assert!(!d.message.trim().is_empty(), "empty message: {d:?}");
                prop_assert!(d.message.len() < 4096, "message of {} bytes", d.message.len());
            }
        }
    }
    Ok(())
}

/// Characters that matter to YAML, JSON pointers and Rust, plus a few that
/// are merely awkward.
fn awkward_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "{", "}", "[", "]", ":", ": ", ",", "&a ", "*a", "!!binary ", "!tag ", "|", ">-", "'", "\"", "#", "- ", "\n", "\n  ",
        "\t", "~", "/", "~1", "$ref", "#/components/schemas/", "{id}", "{", "null", "true", "1e999", "-0", "0x1F",
        "é", "日本", "🦀", "\u{200b}", "\u{feff}", "\\", "self", "type", "2XX", "default", "allOf", "in: path",
        "required: true", "operationId: x", "\u{0}",
    ]);
    prop::collection::vec(pieces, 1..6).prop_map(|parts| parts.concat())
}

#[derive(Debug, Clone)]
enum TextEdit {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    RepeatLine { line: usize },
    SwapLines { a: usize, b: usize },
    Truncate { at: usize },
}

fn text_edit() -> impl Strategy<Value = TextEdit> {
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(at, len)| TextEdit::Delete { at, len }),
        (any::<usize>(), awkward_text()).prop_map(|(at, text)| TextEdit::Insert { at, text }),
        any::<usize>().prop_map(|line| TextEdit::RepeatLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| TextEdit::SwapLines { a, b }),
        any::<usize>().prop_map(|at| TextEdit::Truncate { at }),
    ]
}

/// The largest char boundary at or below `at % (len + 1)`.
fn boundary(text: &str, at: usize) -> usize {
    let mut i = at % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply_text(text: &str, edit: &TextEdit) -> String {
    match edit {
        TextEdit::Delete { at, len } => {
            let start = boundary(text, *at);
            let end = boundary(text, start + len).max(start);
            format!("{}{}", &text[..start], &text[end..])
        }
        TextEdit::Insert { at, text: piece } => {
            let at = boundary(text, *at);
            format!("{}{piece}{}", &text[..at], &text[at..])
        }
        TextEdit::RepeatLine { line } => {
            let mut lines: Vec<&str> = text.lines().collect();
            let i = line % lines.len();
            lines.insert(i, lines[i]);
            lines.join("\n")
        }
        TextEdit::SwapLines { a, b } => {
            let mut lines: Vec<&str> = text.lines().collect();
            let (a, b) = (a % lines.len(), b % lines.len());
            lines.swap(a, b);
            lines.join("\n")
        }
        TextEdit::Truncate { at } => text[..boundary(text, *at)].to_owned(),
    }
}

#[derive(Debug, Clone)]
enum Replacement {
    Null,
    Number(i64),
    Text(String),
    EmptyMap,
    EmptySeq,
    Ref(String),
    CopyOf(usize),
    Remove,
}

fn replacement() -> impl Strategy<Value = Replacement> {
    let refs = prop::sample::select(vec![
        "#/components/schemas/microsoft.graph.ODataErrors.ODataError",
        "#/components/schemas/missing",
        "#/components/responses/error",
        "#/components/parameters/nothing",
        "#/paths/~1applications",
        "other.yaml#/components/schemas/x",
        "#/",
        "",
    ]);
    prop_oneof![
        Just(Replacement::Null),
        any::<i64>().prop_map(Replacement::Number),
        awkward_text().prop_map(Replacement::Text),
        Just(Replacement::EmptyMap),
        Just(Replacement::EmptySeq),
        refs.prop_map(|r| Replacement::Ref(r.to_owned())),
        any::<usize>().prop_map(Replacement::CopyOf),
        Just(Replacement::Remove),
    ]
}

/// Every node of the tree, in pre-order.
fn nodes(value: &serde_yaml::Value) -> Vec<&serde_yaml::Value> {
    let mut out = vec![value];
    match value {
        serde_yaml::Value::Mapping(map) => map.values().for_each(|v| out.extend(nodes(v))),
        serde_yaml::Value::Sequence(seq) => seq.iter().for_each(|v| out.extend(nodes(v))),
        _ => {}
    }
    out
}

/// Replaces (or, for `Remove`, deletes from its parent) the `target`-th node
/// in pre-order; returns whether it was found.
fn replace_nth(value: &mut serde_yaml::Value, target: &mut usize, with: &serde_yaml::Value, remove: bool) -> bool {
    if *target == 0 {
        *value = with.clone();
        return true;
    }
    *target -= 1;
    match value {
        serde_yaml::Value::Mapping(map) => {
            let keys: Vec<serde_yaml::Value> = map.keys().cloned().collect();
            for key in keys {
                if remove && *target == 0 {
                    map.remove(&key);
                    return true;
                }
                if map.get_mut(&key).is_some_and(|child| replace_nth(child, target, with, remove)) {
                    return true;
                }
            }
            false
        }
        serde_yaml::Value::Sequence(seq) => {
            for i in 0..seq.len() {
                if remove && *target == 0 {
                    seq.remove(i);
                    return true;
                }
                if replace_nth(&mut seq[i], target, with, remove) {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}

fn apply_tree(text: &str, at: usize, replacement: &Replacement) -> String {
    // An earlier change may have left text that does not read back (say, a
    // key that YAML cannot print plainly); then this change is skipped.
    let Ok(mut tree) = serde_yaml::from_str::<serde_yaml::Value>(text) else { return text.to_owned() };
    let all = nodes(&tree);
    let count = all.len();
    if count < 2 {
        return text.to_owned();
    }
    let with = match replacement {
        Replacement::Null | Replacement::Remove => serde_yaml::Value::Null,
        Replacement::Number(n) => serde_yaml::Value::from(*n),
        Replacement::Text(s) => serde_yaml::Value::from(s.as_str()),
        Replacement::EmptyMap => serde_yaml::Value::Mapping(serde_yaml::Mapping::new()),
        Replacement::EmptySeq => serde_yaml::Value::Sequence(Vec::new()),
        Replacement::Ref(r) => {
            let mut map = serde_yaml::Mapping::new();
            map.insert("$ref".into(), r.as_str().into());
            serde_yaml::Value::Mapping(map)
        }
        Replacement::CopyOf(i) => all[i % count].clone(),
    };
    // The root itself is node 0; start at 1 so the document stays a document
    // most of the time (the empty and non-mapping cases have their own tests).
    let mut target = 1 + at % (count - 1);
    replace_nth(&mut tree, &mut target, &with, matches!(replacement, Replacement::Remove));
    serde_yaml::to_string(&tree).unwrap_or_else(|_| text.to_owned())
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn text_mutations_never_panic(edits in prop::collection::vec(text_edit(), 1..4)) {
        let text = edits.iter().fold(fragment().to_owned(), |text, edit| apply_text(&text, edit));
        check(text)?;
    }

    #[test]
    fn tree_mutations_never_panic(changes in prop::collection::vec((any::<usize>(), replacement()), 1..4)) {
        let text = changes.iter().fold(fragment().to_owned(), |text, (at, r)| apply_tree(&text, *at, r));
        check(text)?;
    }
}

/// The unmutated fragment is the baseline: it must generate.
#[test]
fn the_fragment_itself_generates() {
    check(fragment().to_owned()).expect("the committed fragment generates");
}
