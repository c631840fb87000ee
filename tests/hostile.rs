//! Broken and hostile spec documents. Each one must end in a clear error
//! naming the file and the JSON pointer of the node, or, where the document
//! is valid however odd, in Rust files that parse. Never a panic, a stack
//! overflow or unbounded memory, and `xtask` exits with status 1 leaving
//! the output folder as it was.
//!
//! Small documents live in `tests/hostile/`; the huge ones (deep nesting,
//! alias bombs, 100,000 operations, enormous text) are built here at run
//! time. The generated crates of the odd-but-valid documents are parsed with
//! syn here; compiling them takes a cold `cargo check` of reqwest and tokio
//! (about two and a half minutes), so that runs only on request:
//! `cargo test -p tests --test hostile -- --ignored`.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A document given as the error it must end in: every listed substring
/// must appear in the error text, the first being `file#pointer: message`.
struct Refused {
    file: &'static str,
    expect: &'static [&'static str],
}

const fn refused(file: &'static str, expect: &'static [&'static str]) -> Refused {
    Refused { file, expect }
}

/// The committed corpus of documents that must be refused.
const REFUSED: &[Refused] = &[
    // Not a YAML document at all.
    refused("empty.yaml", &["tests/hostile/empty.yaml#/: the document is empty"]),
    refused("whitespace-only.yaml", &["tests/hostile/whitespace-only.yaml#/: the document is empty"]),
    refused(
        "binary-garbage.bin",
        &["tests/hostile/binary-garbage.bin#/: not valid YAML at line 1, column 1: control characters are not allowed"],
    ),
    refused("utf16-bom.yaml", &["tests/hostile/utf16-bom.yaml#/: not valid YAML"]),
    refused("control-characters.yaml", &["#/: not valid YAML at line 1, column 1: control characters are not allowed"]),
    refused("invalid-yaml-unclosed-flow.yaml", &["#/: not valid YAML at line 4, column 24: did not find expected ',' or ']'"]),
    refused("invalid-yaml-bad-indent.yaml", &["#/: not valid YAML at line 8, column 6: did not find expected key"]),
    refused("invalid-yaml-tab-indent.yaml", &["#/: not valid YAML at line 5, column 1: found character that cannot start any token"]),
    refused("invalid-yaml-duplicate-key.yaml", &["#/: not valid YAML", "duplicate entry with key \"paths\""]),
    refused("multiple-documents.yaml", &["#/: not valid YAML", "more than one document"]),
    refused("truncated.json", &["tests/hostile/truncated.json#/: not valid YAML at line 2, column 1: did not find expected node content"]),
    refused("top-level-sequence.yaml", &["#/: the document is not a YAML mapping (an OpenAPI object)"]),
    refused("top-level-scalar.yaml", &["#/: the document is not a YAML mapping (an OpenAPI object)"]),
    // Not OpenAPI 3.0.
    refused("swagger-2.0.yaml", &["tests/hostile/swagger-2.0.yaml#/swagger: this is a Swagger/OpenAPI 2.0 document"]),
    refused("openapi-3.1.yaml", &["tests/hostile/openapi-3.1.yaml#/openapi: OpenAPI 3.1.0 is not supported"]),
    refused("openapi-version-number.yaml", &["#/openapi: `openapi` must be a version string such as \"3.0.1\""]),
    refused("openapi-version-unknown.yaml", &["#/openapi: unknown OpenAPI version `4.0.0`"]),
    refused("no-version-field.yaml", &["#/: missing the `openapi` version field"]),
    // Shapes openapiv3 rejects, or would silently drop.
    refused("missing-info.yaml", &["#/: missing field `info`"]),
    refused("responses-not-a-map.yaml", &["#/paths/~1a/get/responses: expected a map of responses"]),
    refused("parameter-in-body.yaml", &["#/paths/~1a/post/parameters/0: unknown variant `body`"]),
    refused("parameter-name-not-a-string.yaml", &["#/paths/~1things/get/parameters/0", "expected a string"]),
    refused("schema-property-integer-key.yaml", &["#/components/schemas/thing/properties: property names must be strings, not `404`"]),
    refused("schema-unknown-type.yaml", &["#/components/schemas/thing/type: unknown schema type `strnig`"]),
    refused("path-without-leading-slash.yaml", &["#/paths/things: path `things` must start with `/`"]),
    refused("misspelt-method.yaml", &["#/paths/~1things/gett: unknown key `gett` in a path item"]),
    refused("misspelt-operation-field.yaml", &["#/paths/~1things/get/paramters: unknown key `paramters` in an operation"]),
    refused("misspelt-components.yaml", &["#/component: unknown key `component` in the OpenAPI object"]),
    refused("non-string-path-key.yaml", &["#/paths: path keys must be strings, not `42`"]),
    refused("no-servers.yaml", &["#/servers: no server URL is declared"]),
    // References.
    refused(
        "ref-missing-schema.yaml",
        &["#/paths/~1things/get/responses/200/content/application~1json/schema/$ref: `$ref: #/components/schemas/nowhere` points at nothing"],
    ),
    refused("ref-missing-parameter.yaml", &["#/paths/~1things/get/parameters/0/$ref: `$ref: #/components/parameters/top` points at nothing"]),
    refused("ref-missing-response.yaml", &["#/paths/~1things/get/responses/200/$ref: `$ref: #/components/responses/gone` points at nothing"]),
    refused(
        "ref-missing-property-target.yaml",
        &["#/components/schemas/thing/properties/owner/$ref: `$ref: #/components/schemas/person` points at nothing"],
    ),
    refused(
        "ref-missing-additional-properties.yaml",
        &["#/components/schemas/bag/additionalProperties/$ref: `$ref: #/components/schemas/item` points at nothing"],
    ),
    refused("ref-cycle-parameter-self.yaml", &["#/paths/~1things/get/parameters/0/$ref: `$ref: #/components/parameters/loop` is part of a reference cycle"]),
    refused("ref-cycle-parameters.yaml", &["#/paths/~1things/get/parameters/0/$ref: `$ref: #/components/parameters/a` is part of a reference cycle"]),
    refused("ref-cycle-responses.yaml", &["#/paths/~1things/get/responses/200/$ref: `$ref: #/components/responses/ok` is part of a reference cycle"]),
    refused("ref-cycle-schema-self.yaml", &["#/components/schemas/ouroboros: schema `ouroboros` is defined only in terms of itself (`ouroboros` -> `ouroboros`)"]),
    refused(
        "ref-cycle-schema-aliases.yaml",
        &[
            "#/components/schemas/first: schema `first` is defined only in terms of itself (`first` -> `second` -> `first`)",
            "#/components/schemas/second: schema `second` is defined only in terms of itself (`second` -> `first` -> `second`)",
        ],
    ),
    refused(
        "ref-cycle-schema-through-array.yaml",
        &["#/components/schemas/matrix: schema `matrix` is defined only in terms of itself (`matrix` -> `row` -> `matrix`)"],
    ),
    refused("ref-cycle-allof-self.yaml", &["#/components/schemas/node/allOf/0: `$ref: #/components/schemas/node` makes an allOf cycle"]),
    refused(
        "ref-cycle-allof.yaml",
        &[
            "#/components/schemas/directoryObject/allOf/0: `$ref: #/components/schemas/entity` makes an allOf cycle",
            "#/components/schemas/entity/allOf/0: `$ref: #/components/schemas/directoryObject` makes an allOf cycle",
        ],
    ),
    refused(
        "ref-external-file.yaml",
        &["#/paths/~1things/get/responses/200/content/application~1json/schema/$ref: `$ref: common.yaml#/components/schemas/thing` is not a local reference"],
    ),
    refused("ref-external-url.yaml", &["#/paths/~1things/get/parameters/0/$ref: `$ref: https://example.com/params.yaml#/top` is not a local reference"]),
    // References in parts the generator does not otherwise read.
    refused(
        "ref-missing-default-response.yaml",
        &["tests/hostile/ref-missing-default-response.yaml#/paths/~1things/get/responses/default/$ref: `$ref: #/components/responses/error` points at nothing: no such component"],
    ),
    refused(
        "ref-missing-unused-component.yaml",
        &[
            "2 errors:",
            "#/components/responses/unused/content/application~1json/schema/$ref: `$ref: #/components/schemas/gone` points at nothing: no such component",
            "#/components/parameters/alsoUnused/schema/$ref: `$ref: #/components/schemas/thing/properties/missing` points at nothing in this document",
        ],
    ),
    refused(
        "ref-external-unused-component.yaml",
        &[
            "#/components/headers/trace/schema/$ref: `$ref: https://example.com/schemas/trace.json` is not a local reference",
            "#/components/requestBodies/upload/$ref: `$ref: bodies.yaml#/upload` is not a local reference",
        ],
    ),
    refused(
        "ref-missing-callback.yaml",
        &["#/paths/~1subscriptions/post/callbacks/onEvent/{$request.body#~1callbackUrl}/post/requestBody/$ref: `$ref: #/components/requestBodies/event` points at nothing"],
    ),
    refused(
        "ref-external-example.yaml",
        &[
            "#/paths/~1things/get/responses/200/content/application~1json/examples/sample/$ref: `$ref: ../examples/things.json` is not a local reference",
            "#/components/links/next/$ref: `$ref: #/paths/~1nowhere/get` points at nothing in this document",
        ],
    ),
    refused("ref-wrong-kind.yaml", &["#/paths/~1things/get/parameters/0/$ref: `$ref: #/components/schemas/thing` must point into #/components/parameters"]),
    refused("ref-path-item.yaml", &["#/paths/~1things: path item references are not supported"]),
    // Operations and path templates.
    refused(
        "duplicate-operation-id.yaml",
        &["#/paths/~1widgets/post: operationId `things.thing.get` is also used by `GET /things/{thing-id}`", "another HTTP method"],
    ),
    refused(
        "duplicate-operation-id-conflicting-parameters.yaml",
        &[
            "#/paths/~1things~1{thing-id}/get: operationId `things.get` is also used by `GET /parts` (/paths/~1parts/get)",
            "-ThingId is the query parameter `thing-id` of another type or location than the path parameter `thing-id` here",
        ],
    ),
    refused(
        "parameter-names-collide.yaml",
        &["#/paths/~1things~1{thing-id}/get/parameters/1: path parameter `thing-id` and query parameter `thingId` both become the PowerShell parameter -ThingId"],
    ),
    refused(
        "unicode-parameter-name.yaml",
        &["#/paths/~1things/get/parameters/0: parameter `名前` has no letters or digits a PowerShell parameter name can keep"],
    ),
    refused(
        "path-parameter-not-in-template.yaml",
        &["#/paths/~1things/get/parameters/0: path parameter `thing-id` does not appear in the path template (operationId `things.list`)"],
    ),
    refused(
        "path-placeholder-not-declared.yaml",
        &["#/paths/~1things~1{thing-id}~1parts~1{part-id}/get: path placeholder `{part-id}` has no `in: path` parameter declared"],
    ),
    refused("path-parameter-not-required.yaml", &["#/paths/~1things~1{thing-id}/get/parameters/0: path parameter `thing-id` must be `required: true`"]),
    refused("path-template-unbalanced.yaml", &["#/paths/~1things~1{thing-id: path `/things/{thing-id` has an unbalanced or empty `{...}` placeholder"]),
    refused("path-template-repeated-placeholder.yaml", &["#/paths/~1things~1{id}~1copies~1{id}: path `/things/{id}/copies/{id}` uses placeholder `{id}` twice"]),
    refused("operation-without-id.yaml", &["#/paths/~1things/get: operation has no operationId"]),
    refused("operation-without-success.yaml", &["#/paths/~1things/get/responses: no success (2XX) or default response is declared"]),
    refused("cookie-parameter.yaml", &["#/paths/~1things/get/parameters/0: cookie parameters are not supported"]),
    refused(
        "many-errors-at-once.yaml",
        &[
            "3 errors:",
            "#/paths/~1a~1{x}/get: path placeholder `{x}` has no `in: path` parameter declared",
            "#/paths/~1b/get/parameters/0/$ref: `$ref: #/components/parameters/none` points at nothing",
            "#/paths/~1c/get: operation has no operationId",
        ],
    ),
];

/// rustdoc's own lints that are on by default, denied: what prose from a
/// description could set off. (rustc's lints are `cargo check`'s business.)
const RUSTDOC_LINTS: &str = "-D rustdoc::broken_intra_doc_links -D rustdoc::private_intra_doc_links \
     -D rustdoc::invalid_codeblock_attributes -D rustdoc::invalid_html_tags -D rustdoc::bare_urls \
     -D rustdoc::invalid_rust_codeblocks -D rustdoc::redundant_explicit_links";

/// The valid documents whose descriptions are the hostile part; their
/// crates are also documented with rustdoc's warnings denied.
const TEXT: &[&str] = &["valid-hostile-text.yaml", "valid-unicode.yaml", "valid-hostile-unicode-markdown.yaml"];

/// Valid documents with hostile names and text: generation must succeed and
/// every Rust file must parse.
const VALID: &[&str] = &[
    "valid-keywords.yaml",
    "valid-digits.yaml",
    "valid-unicode.yaml",
    "valid-case-collisions.yaml",
    "valid-json-instead-of-yaml.json",
    "valid-hostile-text.yaml",
    "valid-hostile-unicode-markdown.yaml",
    "valid-refs-in-data.yaml",
    "valid-allof-self-reference.yaml",
    // Three operations become one cmdlet whose sets share -ThingId.
    "valid-cmdlet-merge-wire-names.yaml",
    // Own parameters named like -All, -InputObject, -Top, -Headers...
    "valid-reserved-parameters.yaml",
];

fn corpus_dir() -> PathBuf {
    tests::root().join("tests/hostile")
}

/// The corpus file as text; a file that is not UTF-8 is read the way a
/// careless caller would (lossily), so the loader sees the garbage.
fn corpus_text(name: &str) -> String {
    let path = corpus_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8_lossy(&bytes).into_owned()
}

fn generate(file: &str, text: String) -> Result<Vec<codegen::File>, codegen::Error> {
    let spec = codegen::SpecInput { file: file.to_owned(), text };
    codegen::generate(&spec, &codegen::Config::default(), "(default configuration)", &codegen::RuntimeSource::Vendored)
}

/// Runs the generator, turning a panic into a test failure that names the
/// document (the panic message itself is printed by the hook).
fn run(file: &str, text: String) -> Result<Result<Vec<codegen::File>, codegen::Error>, String> {
    catch_unwind(AssertUnwindSafe(|| generate(file, text))).map_err(|_| format!("{file}: the generator panicked"))
}

/// Checks one refusal; returns what went wrong, if anything.
fn check_refused(file: &str, text: String, expect: &[&str]) -> Option<String> {
    let outcome = match run(file, text) {
        Err(panicked) => return Some(panicked),
        Ok(outcome) => outcome,
    };
    let error = match outcome {
        Ok(files) => return Some(format!("{file}: generated {} files instead of failing", files.len())),
        Err(e) => e,
    };
    let text = error.to_string();
    let missing: Vec<&&str> = expect.iter().filter(|e| !text.contains(**e)).collect();
    if !missing.is_empty() {
        return Some(format!("{file}: the error lacks {missing:?}; it was:\n{text}"));
    }
    for d in &error.diagnostics {
        if d.file != file || !(d.pointer.is_empty() || d.pointer.starts_with('/')) || d.message.trim().is_empty() {
            return Some(format!("{file}: diagnostic without file, pointer or message: {d:?}"));
        }
    }
    None
}

#[test]
fn every_committed_broken_document_is_refused_with_file_and_pointer() {
    let failures: Vec<String> = REFUSED
        .iter()
        .filter_map(|case| check_refused(&format!("tests/hostile/{}", case.file), corpus_text(case.file), case.expect))
        .collect();
    assert!(failures.is_empty(), "{} of {} documents:\n\n{}", failures.len(), REFUSED.len(), failures.join("\n\n"));
}

#[test]
fn the_corpus_and_the_table_agree() {
    let mut listed: Vec<&str> = REFUSED.iter().map(|c| c.file).chain(VALID.iter().copied()).collect();
    listed.sort_unstable();
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("tests/hostile is readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort_unstable();
    assert_eq!(listed, on_disk, "every file in tests/hostile/ has one row, and every row a file");
    assert!(REFUSED.len() + VALID.len() + GENERATED_CASES >= 40);
}

/// Every Rust file of a generation parses, none carries the renderer's bug
/// marker, and the manifest is valid TOML (a duplicated key or a bad escape
/// would stop Cargo before rustc sees anything).
fn check_parses(file: &str, files: &[codegen::File]) -> Vec<String> {
    let mut problems = Vec::new();
    for f in files.iter().filter(|f| f.path.ends_with(".toml")) {
        if let Err(e) = f.contents.parse::<toml::Table>() {
            problems.push(format!("{file}: {} is not valid TOML: {e}", f.path));
        }
    }
    for f in files.iter().filter(|f| f.path.ends_with(".rs")) {
        if let Err(e) = syn::parse_file(&f.contents) {
            problems.push(format!("{file}: {} does not parse: {e}", f.path));
        }
        if f.contents.contains("compile_error!") {
            problems.push(format!("{file}: {} has a `compile_error!` codegen bug marker", f.path));
        }
    }
    problems
}

#[test]
fn odd_but_valid_documents_generate_rust_that_parses() {
    let mut failures = Vec::new();
    for name in VALID {
        let file = format!("tests/hostile/{name}");
        match run(&file, corpus_text(name)) {
            Err(panicked) => failures.push(panicked),
            Ok(Err(e)) => failures.push(format!("{file}: refused:\n{e}")),
            Ok(Ok(files)) => {
                failures.extend(check_parses(&file, &files));
                failures.extend(check_doc_text(&file, &files));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The codepoints rustc refuses in comments and literals (a deny-by-default
/// lint), and the invisible direction marks beside them.
fn direction_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Text from the document reaches the generated Rust only in forms rustc
/// and rustdoc take without complaint: no control character (a bare
/// carriage return in a doc comment is an error) or text-direction
/// codepoint anywhere, and no doc line that opens a code block (rustdoc
/// would compile it as a doctest) or an HTML tag. The runtime files are
/// the generator's own, copied verbatim, and skipped.
fn check_doc_text(file: &str, files: &[codegen::File]) -> Vec<String> {
    let mut problems = Vec::new();
    for f in files.iter().filter(|f| f.path.ends_with(".rs") && !f.path.starts_with("runtime/")) {
        if let Some((n, c)) = f.contents.char_indices().find(|(_, c)| (c.is_control() && !matches!(c, '\n' | '\t')) || direction_control(*c)) {
            problems.push(format!("{file}: {} has U+{:04X} at byte {n}", f.path, u32::from(c)));
        }
        for (number, line) in f.contents.lines().enumerate() {
            let trimmed = line.trim_start();
            let Some(doc) = trimmed.strip_prefix("///").or_else(|| trimmed.strip_prefix("//!")) else { continue };
            let doc = doc.strip_prefix(' ').unwrap_or(doc);
            let opens_block = doc.starts_with("```") || doc.starts_with("~~~") || doc.starts_with("    ") || doc.starts_with('\t');
            let html = doc.match_indices('<').any(|(i, _)| {
                let escaped = doc[..i].ends_with('\\');
                let tag = doc[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
                let autolink = doc[i + 1..].starts_with("http");
                !escaped && tag && !autolink && !in_code_span(doc, i)
            });
            if opens_block || html {
                problems.push(format!("{file}: {}:{}: {line:?}", f.path, number + 1));
            }
        }
    }
    problems
}

/// Whether byte `at` of a Markdown line lies inside a backtick code span.
fn in_code_span(line: &str, at: usize) -> bool {
    line[..at].matches('`').count() % 2 == 1 && line[at..].contains('`')
}

#[test]
fn odd_names_are_made_into_distinct_rust_identifiers() {
    let text = corpus_text("valid-case-collisions.yaml");
    let spec = codegen::SpecInput { file: "collisions.yaml".into(), text };
    let ws = codegen::build_workspace(&spec, &codegen::Config::default(), "config").unwrap_or_else(|e| panic!("{e}"));
    let types: Vec<&codegen::ir::TypeDef> = ws.models.iter().flat_map(|m| m.types.iter().map(|t| &t.def)).collect();
    let widget = types.iter().find(|t| t.schema_name == "a.Widget").expect("a.Widget is a type");
    let codegen::ir::TypeKind::Struct { fields, .. } = &widget.kind else { panic!("a.Widget is a struct") };
    let mut names: Vec<&str> = fields.iter().map(|f| f.rust_name.as_str()).collect();
    assert_eq!(names.len(), 7, "{names:?}");
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 7, "field names collide: {names:?}");
    let mut type_names: Vec<String> = types.iter().map(|t| t.rust_name.to_lowercase()).collect();
    let all = type_names.len();
    type_names.sort_unstable();
    type_names.dedup();
    assert_eq!(type_names.len(), all, "type names collide case-insensitively");
}

// ---------------------------------------------------------------------------
// Documents built at run time: too big or too deep to commit.

/// How many generated cases the tests below check (for the corpus count).
const GENERATED_CASES: usize = 13;

const HEAD: &str = "openapi: 3.0.1\ninfo: {title: Hostile, version: v1}\nservers: [{url: 'https://graph.microsoft.com/beta/'}]\n";

fn component_schema(schema: &str) -> String {
    format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Deep: {schema}\n")
}

/// A document built on demand (so that only one huge text is alive at a
/// time), with the error it must end in.
type GeneratedCase = (&'static str, Box<dyn Fn() -> String>, Vec<&'static str>);

fn generated_cases() -> Vec<GeneratedCase> {
    const DEEP: usize = 10_000;
    let limit = "recursion limit exceeded";
    vec![
        (
            "deep-flow-sequences.yaml",
            Box::new(|| format!("{HEAD}paths: {{}}\nx-deep: {}{}\n", "[".repeat(DEEP), "]".repeat(DEEP))),
            vec!["deep-flow-sequences.yaml#/: not valid YAML at line 5", limit],
        ),
        (
            "deep-block-sequences.yaml",
            Box::new(|| format!("{HEAD}paths: {{}}\nx-deep:\n  {}1\n", "- ".repeat(DEEP))),
            vec!["deep-block-sequences.yaml#/: not valid YAML at line 6", limit],
        ),
        (
            "deep-json-objects.json",
            Box::new(|| format!("{{\"openapi\": \"3.0.1\", \"x-deep\": {}1{}}}", "{\"a\": ".repeat(DEEP), "}".repeat(DEEP))),
            vec!["deep-json-objects.json#/: not valid YAML at line 1", limit],
        ),
        (
            "deep-schema-properties.json",
            Box::new(|| {
                format!(
                    "{{\"openapi\": \"3.0.1\", \"info\": {{\"title\": \"t\", \"version\": \"v\"}}, \"paths\": {{}}, \
                     \"components\": {{\"schemas\": {{\"Deep\": {}{{\"type\": \"string\"}}{}}}}}}}",
                    "{\"type\": \"object\", \"properties\": {\"p\": ".repeat(DEEP),
                    "}}".repeat(DEEP)
                )
            }),
            vec!["deep-schema-properties.json#/: not valid YAML at line 1", limit],
        ),
        (
            "deep-schema-allof.yaml",
            Box::new(|| component_schema(&format!("{}{{type: string}}{}", "{allOf: [".repeat(DEEP), "]}".repeat(DEEP)))),
            vec!["deep-schema-allof.yaml#/: not valid YAML at line 7", limit],
        ),
        (
            "deep-schema-items.yaml",
            // Deep enough to pass the YAML limit and reach the schema limit.
            Box::new(|| component_schema(&format!("{}{{type: string}}{}", "{type: array, items: ".repeat(100), "}".repeat(100)))),
            vec!["deep-schema-items.yaml#/components/schemas/Deep/items/items/", "schemas nest more than 64 levels deep"],
        ),
        (
            "alias-bomb-billion-laughs.yaml",
            Box::new(billion_laughs),
            vec!["alias-bomb-billion-laughs.yaml#/: not valid YAML", "repetition limit exceeded"],
        ),
        (
            "alias-bomb-quadratic.yaml",
            Box::new(|| quadratic_aliases(200_000)),
            vec!["alias-bomb-quadratic.yaml#/: the document expands to more than", "anchors and aliases"],
        ),
        (
            "operations-100000.yaml",
            Box::new(|| many_operations(100_000)),
            vec!["operations-100000.yaml#/paths: the document has 100000 operations, more than the 25000"],
        ),
        (
            "oversized.yaml",
            Box::new(|| format!("{HEAD}x-padding: '{}'\n", "a".repeat(101 * 1024 * 1024))),
            vec!["oversized.yaml#/: the document is", "bytes, more than the 104857600 accepted"],
        ),
        (
            "enormous-invalid-scalar.yaml",
            Box::new(|| format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    big: {{type: object, required: {}}}\n", "x".repeat(8 << 20))),
            vec!["enormous-invalid-scalar.yaml#/components/schemas/big", "bytes in all)"],
        ),
    ]
}

/// The classic: nine levels of nine aliases to the level below.
fn billion_laughs() -> String {
    let mut text = format!("{HEAD}paths: {{}}\nx-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let mut previous = 'a';
    for level in 'b'..='j' {
        let refs = vec![format!("*{previous}"); 9].join(", ");
        text.push_str(&format!("x-{level}: &{level} [{refs}]\n"));
        previous = level;
    }
    text
}

/// One big anchored sequence and many aliases to it: every alias is a single
/// jump, so serde_yaml's jump limit never fires, yet the text expands
/// quadratically (15 kB of it made 1.3 GB before the node budget).
fn quadratic_aliases(bytes: usize) -> String {
    let n = bytes / 6;
    format!("{HEAD}paths: {{}}\nx-big: &a [{}]\nx-many: [{}]\n", vec!["1"; n].join(","), vec!["*a"; n].join(","))
}

fn many_operations(n: usize) -> String {
    let mut text = format!("{HEAD}paths:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  /things{i}/{{id}}: {{get: {{operationId: things{i}.get, parameters: [{{$ref: '#/components/parameters/id'}}], responses: {{'204': {{description: ok}}}}}}}}\n"
        ));
    }
    text.push_str("components:\n  parameters:\n    id: {name: id, in: path, required: true, schema: {type: string}}\n");
    text
}

#[test]
fn huge_and_deep_documents_are_refused_quickly() {
    let cases = generated_cases();
    assert_eq!(cases.len() + 2, GENERATED_CASES, "keep GENERATED_CASES in step");
    let mut failures = Vec::new();
    for (name, build, expect) in &cases {
        if let Some(problem) = check_refused(name, build(), expect) {
            failures.push(problem);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Enormous prose is valid: it ends up in doc comments and help, intact.
#[test]
fn enormous_descriptions_generate() {
    let paragraph = "Starts the job. */ /* <b>bold</b> [link](x) `code` \\ \"quote\" ".repeat(40);
    let huge_line = "x".repeat(4 << 20);
    let many_lines = "line\n".repeat(50_000);
    let text = format!(
        "{HEAD}paths:\n  /things/{{thing-id}}:\n    get:\n      operationId: things.get\n      description: {}\n      summary: {}\n      \
         parameters:\n        - name: thing-id\n          in: path\n          required: true\n          description: {}\n          schema: {{type: string}}\n      \
         responses:\n        '204': {{description: ok}}\n",
        serde_json::to_string(&huge_line).expect("json"),
        serde_json::to_string(&paragraph).expect("json"),
        serde_json::to_string(&many_lines).expect("json"),
    );
    let files = match run("enormous-descriptions.yaml", text) {
        Err(panicked) => panic!("{panicked}"),
        Ok(result) => result.unwrap_or_else(|e| panic!("{e}")),
    };
    let problems = check_parses("enormous-descriptions.yaml", &files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let total: usize = files.iter().map(|f| f.contents.len()).sum();
    assert!(files.iter().any(|f| f.contents.contains(&huge_line)), "the 4 MB description is kept");
    // Each copy of the text is bounded: no quadratic blow-up in the output.
    assert!(total < 64 << 20, "{total} bytes of output");
}

/// A document at the schema depth limit still generates (and does not
/// overflow the 2 MB stack of a test thread).
#[test]
fn schemas_at_the_depth_limit_generate() {
    for (name, schema) in [
        ("items-60.yaml", format!("{}{{type: string}}{}", "{type: array, items: ".repeat(60), "}".repeat(60))),
        ("allof-60.yaml", format!("{}{{type: object, properties: {{a: {{type: string}}}}}}{}", "{allOf: [".repeat(60), "]}".repeat(60))),
        // Two YAML levels per schema: 60 is as deep as serde_yaml lets us go.
        ("properties-60.yaml", format!("{}{{type: string}}{}", "{type: object, properties: {p: ".repeat(60), "}}".repeat(60))),
    ] {
        let files = match run(name, component_schema(&schema)) {
            Err(panicked) => panic!("{panicked}"),
            Ok(result) => result.unwrap_or_else(|e| panic!("{e}")),
        };
        let problems = check_parses(name, &files);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

// ---------------------------------------------------------------------------
// The real `xtask` binary: exit status 1 and an untouched output folder.

fn xtask() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| tests::workspace_binary("xtask", "xtask"))
}

/// A scratch folder of our own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("mgbeta-hostile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                out.insert(path.clone(), Vec::new());
                stack.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(&path).expect("readable"));
            }
        }
    }
    out
}

#[test]
fn xtask_exits_1_and_leaves_the_output_folder_untouched() {
    let scratch = Scratch::new("xtask");
    let out = scratch.0.join("out");
    std::fs::create_dir_all(out.join("src")).expect("out/src");
    std::fs::write(out.join("Cargo.toml"), "[package]\nname = \"keep-me\"\n").expect("write");
    std::fs::write(out.join("src/lib.rs"), "// hand-written, must survive\n").expect("write");
    std::fs::write(out.join("notes.txt"), [0xff_u8, 0xfe, 0]).expect("write");
    let before = snapshot(&out);

    let bomb = scratch.0.join("alias-bomb.yaml");
    std::fs::write(&bomb, quadratic_aliases(200_000)).expect("write");
    let deep = scratch.0.join("deep.json");
    std::fs::write(&deep, format!("{{\"openapi\": \"3.0.1\", \"x\": {}1{}}}", "[".repeat(10_000), "]".repeat(10_000))).expect("write");
    let xtask = xtask(); // built before the clock starts
    let cases: Vec<(PathBuf, &str)> = vec![
        (corpus_dir().join("empty.yaml"), "empty.yaml#/: the document is empty"),
        (corpus_dir().join("binary-garbage.bin"), "binary-garbage.bin#/: the file is not UTF-8 text"),
        (corpus_dir().join("ref-cycle-allof.yaml"), "ref-cycle-allof.yaml#/components/schemas/entity/allOf/0:"),
        (corpus_dir().join("duplicate-operation-id.yaml"), "duplicate-operation-id.yaml#/paths/~1widgets/post:"),
        (bomb, "alias-bomb.yaml#/: the document expands to more than"),
        (deep, "deep.json#/: not valid YAML at line 1"),
    ];
    for (spec, expect) in cases {
        let output = Command::new(xtask)
            .arg("codegen")
            .arg("--spec")
            .arg(&spec)
            .arg("--out")
            .arg(&out)
            .output()
            .expect("xtask runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{}: {stderr}", spec.display());
        assert!(stderr.contains(expect), "{}: expected `{expect}` in:\n{stderr}", spec.display());
        assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
        assert_eq!(snapshot(&out), before, "{}: the output folder changed", spec.display());
    }
}

// ---------------------------------------------------------------------------
// Compiling the generated crates (slow when cold; run with --ignored).

#[test]
#[ignore = "compiles generated crates with a cold `cargo check` (minutes); run with --ignored"]
fn odd_but_valid_documents_generate_crates_that_compile() {
    let workspace = tests::root();
    let target = workspace.join("target").join("hostile-check");
    let scratch = Scratch::new("compile");
    let mut failures = Vec::new();
    for name in VALID {
        let files = generate(name, corpus_text(name)).unwrap_or_else(|e| panic!("{e}"));
        let dir = scratch.0.join(name.replace('.', "-"));
        for f in &files {
            let path = dir.join(&f.path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, &f.contents).expect("write");
        }
        // Same dependency versions as the workspace, and no network.
        std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).expect("lock file");
        let output = Command::new(env!("CARGO"))
            .args(["check", "--offline", "--quiet", "--workspace", "--all-targets"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .expect("cargo runs");
        // --quiet prints only diagnostics: any output is a warning or an error.
        if !output.status.success() || !output.stderr.is_empty() {
            failures.push(format!("{name}:\n{}", String::from_utf8_lossy(&output.stderr)));
            continue;
        }
        // Documents whose point is their text: rustdoc must take it without
        // one of its warnings (bare URLs, broken links, HTML, code blocks).
        if TEXT.contains(name) {
            let output = Command::new(env!("CARGO"))
                .args(["doc", "--offline", "--quiet", "--no-deps"])
                .current_dir(&dir)
                .env("CARGO_TARGET_DIR", &target)
                .env("RUSTDOCFLAGS", RUSTDOC_LINTS)
                .output()
                .expect("cargo runs");
            if !output.status.success() {
                failures.push(format!("{name} (cargo doc):\n{}", String::from_utf8_lossy(&output.stderr)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Parameters the cmdlet adds (-All, -PageSize, -InputObject, -BodyParameter,
/// -UploadFile, -DeltaLink), OData options (-Top) and common parameters keep
/// their names and types; an operation's own parameter named like one of
/// them is renamed after where it goes, and its help says why.
#[test]
fn own_parameters_give_way_to_what_the_cmdlet_adds() {
    let name = "valid-reserved-parameters.yaml";
    let files = generate(name, corpus_text(name)).unwrap_or_else(|e| panic!("{e}"));
    let surface = files
        .iter()
        .find(|f| f.path.ends_with("api-surface.txt"))
        .map(|f| f.contents.clone())
        .expect("a surface manifest");
    let params = |cmdlet: &str| -> Vec<String> {
        let start = surface.find(&format!("cmdlet {cmdlet}\n")).unwrap_or_else(|| panic!("{cmdlet} in\n{surface}"));
        surface[start..]
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .filter_map(|l| l.strip_prefix("  param "))
            .map(|l| l.split(" aliases=").next().unwrap_or(l).to_owned())
            .collect()
    };
    let list = params("Get-MgThing");
    for expected in [
        "All: System.Management.Automation.SwitchParameter",
        "PageSize: System.Int32",
        "CountVariable: System.String",
        "InputObject: Microsoft.Graph.PowerShell.Models.IDdModule2Identity",
        "Top: System.Int32",
        "Headers: System.Collections.IDictionary",
        "QueryAll: System.Boolean",
        "QueryPageSize: System.Int64",
        "QueryCountVariable: System.String",
        "QueryInputObject: System.String",
        "QueryTop: System.Int64",
        "QueryHeaders: System.String",
        "QueryVerbose: System.Boolean",
    ] {
        assert!(list.iter().any(|p| p == expected), "Get-MgThing lacks `{expected}`: {list:#?}");
    }
    let delta = params("Get-MgThingDelta");
    assert!(delta.iter().any(|p| p == "DeltaLink: System.String") && delta.iter().any(|p| p == "QueryDeltaLink: System.String"), "{delta:#?}");
    let upload = params("New-MgThingUploadSession");
    for expected in ["UploadFile: System.String", "QueryUploadFile: System.String", "BodyInputObject: System.String", "BodyWhatIf: System.Management.Automation.SwitchParameter"] {
        assert!(upload.iter().any(|p| p == expected), "New-MgThingUploadSession lacks `{expected}`: {upload:#?}");
    }
    let new = params("New-MgThing");
    assert!(new.iter().any(|p| p.starts_with("BodyParameter: Microsoft.Graph.PowerShell.Models.IThing")), "{new:#?}");
    assert!(new.iter().any(|p| p == "QueryBodyParameter: System.String"), "{new:#?}");
    assert!(surface.contains("(Named QueryAll because the cmdlet has a parameter -All of its own.)"), "the help says why");
}
