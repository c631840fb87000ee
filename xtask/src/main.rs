//! `cargo xtask`: the only code in the workspace that touches the disk.
//!
//! ```text
//! cargo xtask codegen                      regenerate generated/ from spec/
//! cargo xtask codegen --check              fail, naming each stale file, when generated/ is stale
//! cargo xtask codegen --spec F --out D     generate a crate from any document into any folder
//!                     [--config C]         with another generator configuration
//! cargo xtask diff OLD NEW                 the API change report between two specs or manifests
//!                  [--format markdown]     (exit status 3 when a change is breaking)
//! cargo xtask fragment --from MODULE.yml   cut the operations matching each --operation regex,
//!       --operation RE... --out DIR        with everything they reference, out of a module
//!       [--name STEM]                      document; writes DIR/STEM.yaml and DIR/identity-keys.yaml
//! cargo xtask bench [--runs N] [--build]   generator timings and peak memory against the targets
//! cargo xtask names --sdk DIR              every module document lowered with its configuration
//!                   [--config-dir C]       (default spec/sdk): cmdlet names, and what two modules share
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;
mod diff;
mod disk;
mod fragment;
mod names;

const USAGE: &str = "usage: cargo xtask codegen [--check] [--spec FILE] [--config FILE] [--out DIR]\n\
    \x20      cargo xtask diff OLD NEW [--format text|markdown] [--config FILE]\n\
    \x20      cargo xtask fragment --from MODULE.yml --operation ID_OR_REGEX [--operation ...] --out DIR [--name STEM]\n\
    \x20      cargo xtask bench [--runs N] [--module FILE] [--build]\n\
    \x20      cargo xtask names --sdk DIR [--config-dir DIR] [--aliases]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("codegen") => match CodegenArgs::parse(&args[1..]) {
            Ok(parsed) => {
                let status = codegen(&parsed);
                if parsed.report_memory {
                    bench::report_peak_memory();
                }
                status
            }
            Err(message) => {
                eprintln!("error: {message}\n{USAGE}");
                ExitCode::from(2)
            }
        },
        Some("diff") => match diff::DiffArgs::parse(&args[1..]) {
            Ok(parsed) => diff::run(&parsed, &workspace_root()),
            Err(message) => {
                eprintln!("error: {message}\n{}", diff::USAGE);
                ExitCode::from(2)
            }
        },
        Some("fragment") => match fragment::FragmentArgs::parse(&args[1..]) {
            Ok(parsed) => fragment::run(&parsed, &workspace_root()),
            Err(message) => {
                eprintln!("error: {message}\n{}", fragment::USAGE);
                ExitCode::from(2)
            }
        },
        Some("bench") => match bench::BenchArgs::parse(&args[1..]) {
            Ok(parsed) => bench::run(&parsed, &workspace_root()),
            Err(message) => {
                eprintln!("error: {message}\n{}", bench::USAGE);
                ExitCode::from(2)
            }
        },
        Some("names") => match names::NamesArgs::parse(&args[1..]) {
            Ok(parsed) => names::run(&parsed, &workspace_root()),
            Err(message) => {
                eprintln!("error: {message}\n{}", names::USAGE);
                ExitCode::from(2)
            }
        },
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("error: unknown task `{other}`\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

#[derive(Debug, Default)]
struct CodegenArgs {
    check: bool,
    spec: Option<PathBuf>,
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
                "--config" => parsed.config = Some(value("--config")?),
                "--out" => parsed.out = Some(value("--out")?),
                "--report-memory" => parsed.report_memory = true,
                other => return Err(format!("unknown argument `{other}`")),
            }
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
fn load_config(path: &Path, root: &Path) -> Result<(codegen::Config, String), String> {
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

fn codegen(args: &CodegenArgs) -> ExitCode {
    let root = workspace_root();
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
    let out = args.out.clone().unwrap_or_else(|| root.join("generated"));
    let spec_name = display(&spec_path, &root);
    let text = match disk::read_text(&spec_path) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let input = codegen::SpecInput { file: spec_name, text };
    // Everything is generated in memory first: a bad spec never touches `out`.
    let mut files = match codegen::generate(&input, &config, &config_name) {
        Ok(files) => files,
        Err(e) => return fail(&e.to_string()),
    };
    let existing = match disk::read_tree(&out) {
        Ok(map) => map,
        Err(e) => return fail(&e),
    };
    // The change report joins the same plan, so it is written all or nothing
    // with the code it describes.
    let report = codegen::diff::report_file(&files, &existing);
    if let Some(r) = &report {
        files.push(r.file.clone());
    }
    let plan = codegen::tree::plan(&files, &existing);
    let out_name = display(&out, &root);
    if args.check {
        return check(&plan, &existing, &input, &out_name);
    }
    match disk::apply(&out, &plan, &mut disk::RealDisk) {
        Ok(()) => {
            if let Some(r) = &report {
                print_report(r, &out_name);
            }
            println!(
                "{out_name}: {} written, {} removed, {} unchanged",
                plan.write.len(),
                plan.remove.len(),
                plan.unchanged
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("{e}; {out_name} was restored to its previous contents")),
    }
}

/// What the regeneration changed in the API, for the person who ran it.
fn print_report(report: &codegen::diff::ReportFile, out: &str) {
    if let Some(warning) = &report.warning {
        eprintln!("warning: {warning}");
    }
    match &report.report {
        Some(r) => println!("{}(kept in {out}/{})\n", r.to_text(), codegen::diff::REPORT_FILE),
        None => println!("API surface: no change ({out}/{} unchanged).", codegen::surface::MANIFEST_FILE),
    }
}

fn check(plan: &codegen::tree::Plan, existing: &BTreeMap<String, Vec<u8>>, input: &codegen::SpecInput, out: &str) -> ExitCode {
    if plan.is_empty() {
        println!("{out}: up to date ({} files)", plan.unchanged);
        return ExitCode::SUCCESS;
    }
    let sha = codegen::load::sha256_hex(&input.text);
    let stale = codegen::tree::stale_files(plan, existing, &sha);
    eprintln!("{out} is stale ({} files):", stale.len());
    for s in &stale {
        eprintln!("  {out}/{s}");
    }
    eprintln!("fix: run `cargo xtask codegen` and commit the result");
    ExitCode::FAILURE
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::FAILURE
}
