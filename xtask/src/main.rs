//! `cargo xtask`: the only code in the workspace that touches the disk.
//!
//! ```text
//! cargo xtask codegen                      regenerate generated/ from spec/
//! cargo xtask codegen --check              fail, naming each stale file, when generated/ is stale
//! cargo xtask codegen --spec F --out D     generate a workspace from any document into any folder
//!                     [--config C]         with another generator configuration
//! cargo xtask codegen --sdk DIR --out D    every module document below DIR as one workspace
//!                     [--config C]         (default: the configuration shipped in spec/sdk/)
//! cargo xtask diff OLD NEW                 the API change report between two specs or manifests
//!                  [--format markdown]     (exit status 3 when a change is breaking)
//! cargo xtask fragment --from MODULE.yml   cut the operations matching each --operation regex,
//!       --operation RE... --out DIR        with everything they reference, out of a module
//!       [--name STEM]                      document; writes DIR/STEM.yaml and DIR/identity-keys.yaml
//! cargo xtask bench [--runs N] [--build]   generation and compile timings, peak memory, request
//!       [--whole-sdk] [--overhead]         overhead, against the targets (see bench.rs)
//! cargo xtask <command> --help             that command's usage (exit status 0)
//! cargo xtask names --sdk DIR              every module document lowered with its configuration
//!                   [--config-dir C]       (default spec/sdk): cmdlet names, and what two modules share
//! ```
//!
//! A usage error prints `error: ...` and then the command's usage, and exits 2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod diff;
mod disk;
mod fragment;
mod names;
mod stage;

const CODEGEN_USAGE: &str = "usage: cargo xtask codegen [--check] [--spec FILE | --sdk DIR] [--config FILE] [--out DIR]\n\
    \x20      regenerates generated/ from spec/, or FILE (one module) or every document below DIR (the SDK)\n\
    \x20      into DIR as a Cargo workspace; --check only reports stale files";

/// A command: its name, its usage text, and the options that take a value
/// (so that `--spec --help` is a spec named `--help`, not a request for help).
struct Command {
    name: &'static str,
    usage: &'static str,
    valued: &'static [&'static str],
}

const COMMANDS: [Command; 5] = [
    Command { name: "codegen", usage: CODEGEN_USAGE, valued: &["--spec", "--sdk", "--config", "--out"] },
    Command { name: "diff", usage: diff::USAGE, valued: &["--format", "--config"] },
    Command { name: "fragment", usage: fragment::USAGE, valued: &["--from", "--operation", "--out", "--name", "--config"] },
    Command { name: "bench", usage: bench::USAGE, valued: &["--runs", "--fragment-runs", "--sdk", "--module", "--target-dir"] },
    Command { name: "names", usage: names::USAGE, valued: &["--sdk", "--config-dir", "--show"] },
];

/// The usage of every command, for `cargo xtask --help`.
fn usage() -> String {
    let mut text = String::from("usage: cargo xtask <command> [options]    (cargo xtask <command> --help for one command)\n");
    for command in &COMMANDS {
        text.push('\n');
        text.push_str(command.usage);
        text.push('\n');
    }
    text
}

/// Whether `-h` or `--help` stands where an option can (not as the value
/// of an option that takes one).
fn wants_help(args: &[String], valued: &[&str]) -> bool {
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return true,
            option if valued.contains(&option) => {
                it.next();
            }
            _ => {}
        }
    }
    false
}

/// A usage error: the error, then the command's usage, on their own lines.
fn usage_error(message: &str, usage: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{usage}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let first = args.first().map(String::as_str);
    let rest = args.get(1..).unwrap_or_default();
    if let Some(command) = COMMANDS.iter().find(|c| Some(c.name) == first && wants_help(rest, c.valued)) {
        println!("{}", command.usage);
        return ExitCode::SUCCESS;
    }
    match first {
        Some("codegen") => match CodegenArgs::parse(rest) {
            Ok(parsed) => {
                let status = codegen(&parsed);
                if parsed.report_memory {
                    bench::report_peak_memory();
                }
                status
            }
            Err(message) => usage_error(&message, CODEGEN_USAGE),
        },
        Some("diff") => match diff::DiffArgs::parse(rest) {
            Ok(parsed) => diff::run(&parsed, &workspace_root()),
            Err(message) => usage_error(&message, diff::USAGE),
        },
        Some("fragment") => match fragment::FragmentArgs::parse(rest) {
            Ok(parsed) => fragment::run(&parsed, &workspace_root()),
            Err(message) => usage_error(&message, fragment::USAGE),
        },
        Some("bench") => match bench::BenchArgs::parse(rest) {
            Ok(parsed) => bench::run(&parsed, &workspace_root()),
            Err(message) => usage_error(&message, bench::USAGE),
        },
        Some("help") => match rest {
            [] => {
                print!("{}", usage());
                ExitCode::SUCCESS
            }
            [name] => match COMMANDS.iter().find(|c| c.name == name) {
                Some(command) => {
                    println!("{}", command.usage);
                    ExitCode::SUCCESS
                }
                None => usage_error(&format!("unknown task `{name}`"), &usage()),
            },
            _ => usage_error("`help` takes at most one command", &usage()),
        },
        Some("names") => match names::NamesArgs::parse(rest) {
            Ok(parsed) => names::run(&parsed, &workspace_root()),
            Err(message) => usage_error(&message, names::USAGE),
        },
        Some("-h" | "--help") | None => {
            print!("{}", usage());
            ExitCode::SUCCESS
        }
        Some(other) => usage_error(&format!("unknown task `{other}`"), &usage()),
    }
}

#[derive(Debug, Default)]
struct CodegenArgs {
    check: bool,
    spec: Option<PathBuf>,
    sdk: Option<PathBuf>,
    config: Option<PathBuf>,
    out: Option<PathBuf>,
    /// Hidden: print the process's peak resident memory at exit (for `bench`).
    report_memory: bool,
}

impl CodegenArgs {
    fn parse(args: &[String]) -> Result<CodegenArgs, String> {
        let mut parsed = CodegenArgs::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| it.next().cloned().map(PathBuf::from).ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--check" => parsed.check = true,
                "--spec" => parsed.spec = Some(value("--spec")?),
                "--sdk" => parsed.sdk = Some(value("--sdk")?),
                "--config" => parsed.config = Some(value("--config")?),
                "--out" => parsed.out = Some(value("--out")?),
                "--report-memory" => parsed.report_memory = true,
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        if parsed.spec.is_some() && parsed.sdk.is_some() {
            return Err("give either --spec FILE or --sdk DIR, not both".to_owned());
        }
        if parsed.sdk.is_some() && parsed.out.is_none() {
            return Err("--sdk DIR needs --out OUT".to_owned());
        }
        Ok(parsed)
    }
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// Paths as the user sees them in messages: relative to the root when inside it.
fn display(path: &Path, root: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// Reads a configuration file and, when it names an `identity-keys-file`
/// (relative to the configuration), merges that file's keys in. Returns the
/// configuration and its name for messages.
pub(crate) fn load_config(path: &Path, root: &Path) -> Result<(codegen::Config, String), String> {
    let name = display(path, root);
    let text = disk::read_text(path)?;
    let mut config = codegen::Config::parse(&name, &text).map_err(|e| e.to_string())?;
    if let Some(keys_file) = config.identity_keys_file.clone() {
        let keys_path = path.parent().unwrap_or(Path::new("")).join(&keys_file);
        let keys_name = display(&keys_path, root);
        let keys_text = disk::read_text(&keys_path)
            .map_err(|e| format!("{e} (named by `identity-keys-file` in {name})"))?;
        config.merge_identity_keys(&keys_name, &keys_text).map_err(|e| e.to_string())?;
    }
    Ok((config, name))
}

/// Where the runtime comes from: this repository's `generated/` depends on
/// `codegen/runtime` by path; any other output carries its own copy.
fn runtime_source(out: &Path, root: &Path) -> codegen::RuntimeSource {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if same(out, &root.join("generated")) {
        codegen::RuntimeSource::Path("../codegen/runtime".to_owned())
    } else {
        codegen::RuntimeSource::Vendored
    }
}

/// Every OpenAPI document below `dir` (YAML or JSON), in path order.
fn documents(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| format!("{}: cannot list: {e}", current.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", current.display()))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml" || e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(format!("{}: no OpenAPI documents (*.yml, *.yaml, *.json) found", dir.display()));
    }
    Ok(out)
}

/// The inputs of `--sdk DIR`: every document, each with the configuration
/// for its module: the shipped configuration (`spec/sdk/`), a folder of the
/// same shape (`--config DIR`), or one file for every module
/// (`--config FILE`).
fn sdk_inputs(dir: &Path, config: Option<&Path>, root: &Path) -> Result<Vec<codegen::ModuleInput>, String> {
    enum Source {
        One(Box<(codegen::Config, String)>),
        Sdk(codegen::config::SdkConfig),
    }
    let source = match config {
        Some(path) if path.is_file() => Source::One(Box::new(load_config(path, root)?)),
        Some(path) => Source::Sdk(names::load_sdk_config(path, root)?),
        None => Source::Sdk(names::load_sdk_config(&root.join("spec/sdk"), root)?),
    };
    let mut inputs = Vec::new();
    for path in documents(dir)? {
        let name = display(&path, root);
        let text = disk::read_text(&path)?;
        let spec = codegen::SpecInput { file: name, text };
        let (config, config_file) = match &source {
            Source::One(one) => (one.0.clone(), one.1.clone()),
            Source::Sdk(sdk) => {
                let title = codegen::load::title_of(&spec.text).unwrap_or_default();
                (sdk.config_for(&title).map_err(|e| e.to_string())?, sdk.files_for(&title))
            }
        };
        inputs.push(codegen::ModuleInput { spec, config, config_file });
    }
    Ok(inputs)
}

fn codegen(args: &CodegenArgs) -> ExitCode {
    let root = workspace_root();
    let out = args.out.clone().unwrap_or_else(|| root.join("generated"));
    let out_name = display(&out, &root);
    let source = runtime_source(&out, &root);
    // The IR first: a bad spec stops here, before `out` is looked at.
    let built = if let Some(dir) = &args.sdk {
        let inputs = match sdk_inputs(dir, args.config.as_deref(), &root) {
            Ok(inputs) => inputs,
            Err(e) => return fail(&e),
        };
        let cli = codegen::CliOptions { crate_name: "mg-cli".to_owned(), binary: "mg".to_owned() };
        codegen::sdk::build(&inputs, &cli)
    } else {
        let default_config = root.join("spec/codegen.yaml");
        // With --spec and no --config, the default configuration applies only
        // when the spec is the one it names; another document gets defaults.
        let config_path = match (&args.config, &args.spec) {
            (Some(c), _) => Some(c.clone()),
            (None, None) => Some(default_config),
            (None, Some(_)) => None,
        };
        let (config, config_name) = match &config_path {
            Some(path) => match load_config(path, &root) {
                Ok(loaded) => loaded,
                Err(e) => return fail(&e),
            },
            None => (codegen::Config::default(), "(default configuration)".to_owned()),
        };
        let spec_path = match (&args.spec, &config.input, &config_path) {
            (Some(spec), _, _) => spec.clone(),
            (None, Some(input), Some(cfg)) => cfg.parent().unwrap_or(&root).join(input),
            _ => return fail("no spec document: give --spec FILE or set `input` in the configuration"),
        };
        let spec_name = display(&spec_path, &root);
        let text = match disk::read_text(&spec_path) {
            Ok(t) => t,
            Err(e) => return fail(&e),
        };
        let spec = codegen::SpecInput { file: spec_name, text };
        codegen::sdk::build_one(&codegen::ModuleInput { spec, config, config_file: config_name })
    };
    let ws = match built {
        Ok(ws) => ws,
        Err(e) => return fail(&e.to_string()),
    };
    for models in &ws.models {
        for conflict in &models.conflicts {
            eprintln!("note: {conflict}");
        }
    }
    // Files are compared and staged as they are rendered; nothing at a real
    // path changes until every file is there.
    let is_manifest = |path: &str| path.ends_with(codegen::surface::MANIFEST_FILE);
    let staging = match stage::Stage::new(&out, args.check, is_manifest, &stage::RealDisk) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    codegen::emit::emit_each(&ws, &source, &|file| staging.accept(file));
    drop(ws);
    // The change reports join the same run, so they are written all or
    // nothing with the code they describe.
    let manifests = staging.kept();
    let mut previous = BTreeMap::new();
    for m in &manifests {
        let report = format!("{}{}", m.path.strip_suffix(codegen::surface::MANIFEST_FILE).unwrap_or(""), codegen::diff::REPORT_FILE);
        for path in [m.path.clone(), report] {
            if let Some(bytes) = staging.read_existing(&path) {
                previous.insert(path, bytes);
            }
        }
    }
    let reports = codegen::diff::report_files(&manifests, &previous);
    for (_, r) in &reports {
        staging.accept(r.file.clone());
    }
    let outcome = match staging.commit() {
        Ok(outcome) => outcome,
        Err(e) => return fail(&format!("{e}; {out_name} was left as it was")),
    };
    if args.check {
        return check(&outcome, &out_name);
    }
    for (dir, r) in &reports {
        let at = if dir.is_empty() { out_name.clone() } else { format!("{out_name}/{dir}") };
        print_report(r, &at, reports.len() == 1);
    }
    println!("{out_name}: {} written, {} removed, {} unchanged", outcome.written, outcome.removed, outcome.unchanged);
    ExitCode::SUCCESS
}

/// What the regeneration changed in the API, for the person who ran it.
/// A first generation (no previous manifest) is summed up in one line; a
/// crate whose surface did not change is only mentioned when it is the only
/// one.
fn print_report(report: &codegen::diff::ReportFile, out: &str, only: bool) {
    if let Some(warning) = &report.warning {
        eprintln!("warning: {warning}");
    }
    match &report.report {
        Some(r) if r.old_origin.as_deref().is_some_and(|o| o.starts_with("(no previous")) && !only => {
            println!("{out}: new, {} (see {out}/{})", r.summary(), codegen::diff::REPORT_FILE)
        }
        Some(r) => println!("{}(kept in {out}/{})\n", r.to_text(), codegen::diff::REPORT_FILE),
        None if only => println!("API surface: no change ({out}/{} unchanged).", codegen::surface::MANIFEST_FILE),
        None => {}
    }
}

fn check(outcome: &stage::Outcome, out: &str) -> ExitCode {
    if outcome.stale.is_empty() {
        println!("{out}: up to date ({} files)", outcome.unchanged);
        return ExitCode::SUCCESS;
    }
    let stale = &outcome.stale;
    eprintln!("{out} is stale ({} files):", stale.len());
    for s in stale {
        eprintln!("  {out}/{s}");
    }
    eprintln!("fix: run `cargo xtask codegen` and commit the result");
    ExitCode::FAILURE
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::FAILURE
}
