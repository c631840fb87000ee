//! `cargo xtask names`: lowers every module document of an SDK folder with
//! its merged configuration and lists the cmdlet names, one per line, then
//! what two modules of one API version both define (operationIds, cmdlet
//! names). A quick way to see what a configuration or naming change does to
//! the whole SDK, without generating code.
//!
//! ```text
//! cargo xtask names --sdk DIR [--config-dir DIR] [--aliases] [--show REGEX]
//! ```
//!
//! `--show REGEX` adds, under each cmdlet whose name matches, one line per
//! parameter set: its name, HTTP method, path and operationId, which is
//! what a directive's `variant` and `operation-id` select.
//!
//! Output (stdout), tab-separated and sorted:
//!
//! ```text
//! beta    Applications    Add-MgBetaApplicationKey
//! beta    Applications    Remove-MgBetaApplicationOwnerDirectoryObjectByRef    alias=Remove-MgBetaApplicationOwnerByRef
//! duplicate-operation    beta    deviceManagement_GetX    DeviceManagement    DeviceManagement.Enrollment
//! duplicate-cmdlet       beta    Get-MgBetaX              DeviceManagement    DeviceManagement.Enrollment
//! ```
//!
//! A summary and every generation error go to stderr; the exit status is 1
//! when a document fails to lower or two modules share a name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use crate::disk;

pub const USAGE: &str = "usage: cargo xtask names --sdk DIR [--config-dir DIR] [--aliases] [--show REGEX]\n\
    \x20      DIR holds the module documents (subfolders too); --config-dir defaults to spec/sdk";

/// Parsed command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct NamesArgs {
    pub sdk: PathBuf,
    pub config_dir: Option<PathBuf>,
    pub aliases: bool,
    pub show: Option<String>,
}

impl NamesArgs {
    pub fn parse(args: &[String]) -> Result<NamesArgs, String> {
        let mut sdk = None;
        let mut parsed = NamesArgs::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| it.next().cloned().map(PathBuf::from).ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--sdk" => sdk = Some(value("--sdk")?),
                "--config-dir" => parsed.config_dir = Some(value("--config-dir")?),
                "--aliases" => parsed.aliases = true,
                "--show" => parsed.show = Some(value("--show")?.display().to_string()),
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        parsed.sdk = sdk.ok_or("--sdk DIR is required")?;
        Ok(parsed)
    }
}

/// Reads an SDK configuration folder: `graph.yaml` (shared) and one
/// `<info.title>.yaml` per module. A missing folder is no configuration.
pub fn load_sdk_config(dir: &Path, root: &Path) -> Result<codegen::config::SdkConfig, String> {
    let mut shared = None;
    let mut modules = Vec::new();
    if dir.is_dir() {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", crate::display(dir, root)))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if !is_yaml || !path.is_file() {
                continue;
            }
            let name = crate::display(&path, root);
            let text = disk::read_text(&path)?;
            if path.file_name().is_some_and(|n| n == codegen::config::SdkConfig::SHARED_FILE) {
                shared = Some((name, text));
            } else {
                modules.push((name, text));
            }
        }
    } else if dir.exists() {
        return Err(format!("{}: not a folder", crate::display(dir, root)));
    }
    let modules: Vec<(&str, &str)> = modules.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    codegen::config::SdkConfig::parse(shared.as_ref().map(|(n, t)| (n.as_str(), t.as_str())), &modules).map_err(|e| e.to_string())
}

/// What one document gave.
struct Module {
    version: String,
    title: String,
    cmdlets: Vec<(String, Vec<String>)>,
    operation_ids: BTreeSet<String>,
    /// Per cmdlet matching `--show`: one line per set.
    details: BTreeMap<String, Vec<String>>,
}

pub fn run(args: &NamesArgs, root: &Path) -> ExitCode {
    let config_dir = args.config_dir.clone().unwrap_or_else(|| root.join("spec/sdk"));
    let show = match args.show.as_deref().map(regex::Regex::new).transpose() {
        Ok(show) => show,
        Err(e) => {
            eprintln!("error: --show: {e}");
            return ExitCode::from(2);
        }
    };
    let sdk = match load_sdk_config(&config_dir, root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let docs = match crate::documents(&args.sdk) {
        Ok(d) if !d.is_empty() => d,
        Ok(_) => {
            eprintln!("error: no .yml or .yaml documents below {}", args.sdk.display());
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Largest documents first keeps the workers busy to the end.
    let mut queue: Vec<PathBuf> = docs;
    queue.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)));
    let queue = Mutex::new(queue);
    let results: Mutex<Vec<Result<Module, String>>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().ok().and_then(|mut q| q.pop());
                    let Some(path) = next else { break };
                    let result = lower_one(&path, root, &sdk, show.as_ref());
                    if let Ok(mut r) = results.lock() {
                        r.push(result);
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    let mut failed = false;
    let mut modules = Vec::new();
    for r in results {
        match r {
            Ok(m) => modules.push(m),
            Err(e) => {
                failed = true;
                eprintln!("{e}");
            }
        }
    }
    modules.sort_by(|a, b| (&a.version, &a.title).cmp(&(&b.version, &b.title)));
    let titles: BTreeSet<&str> = modules.iter().map(|m| m.title.as_str()).collect();
    for title in sdk.module_titles() {
        if !titles.contains(title) {
            eprintln!("warning: {} configures module `{title}`, which no document has as info.title", sdk.files_for(title));
        }
    }
    let mut out = String::new();
    let mut per_version: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &modules {
        for (name, aliases) in &m.cmdlets {
            *per_version.entry(&m.version).or_default() += 1;
            out.push_str(&format!("{}\t{}\t{name}", m.version, m.title));
            if args.aliases {
                for a in aliases {
                    out.push_str(&format!("\talias={a}"));
                }
            }
            out.push('\n');
            for line in m.details.get(name).into_iter().flatten() {
                out.push_str(&format!("\t\t{line}\n"));
            }
        }
    }
    let (dup_ops, dup_cmdlets) = duplicates(&modules);
    for (version, id, owners) in &dup_ops {
        out.push_str(&format!("duplicate-operation\t{version}\t{id}\t{}\n", owners.join("\t")));
    }
    for (version, name, owners) in &dup_cmdlets {
        out.push_str(&format!("duplicate-cmdlet\t{version}\t{name}\t{}\n", owners.join("\t")));
    }
    print!("{out}");
    for (version, count) in per_version {
        let docs = modules.iter().filter(|m| m.version == version).count();
        eprintln!("{version}: {count} cmdlets from {docs} documents");
    }
    eprintln!(
        "{} operationIds and {} cmdlet names are defined by more than one module of a version",
        dup_ops.len(),
        dup_cmdlets.len()
    );
    if failed || !dup_ops.is_empty() || !dup_cmdlets.is_empty() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn lower_one(path: &Path, root: &Path, sdk: &codegen::config::SdkConfig, show: Option<&regex::Regex>) -> Result<Module, String> {
    let name = crate::display(path, root);
    let text = disk::read_text(path)?;
    let loaded = codegen::load::load(&codegen::SpecInput { file: name, text }).map_err(|e| e.to_string())?;
    let title = loaded.doc.info.title.clone();
    let config = sdk.config_for(&title).map_err(|e| e.to_string())?;
    let names = codegen::lower::ModelNames::assign(&codegen::lower::component_keys(&loaded), &config.replace);
    let lowered = codegen::lower::lower(&loaded, &config, &sdk.files_for(&title), &names).map_err(|e| e.to_string())?;
    let api = lowered.api;
    let mut details = BTreeMap::new();
    for c in api.cmdlets.iter().filter(|c| show.is_some_and(|r| r.is_match(&c.name))) {
        let lines = c
            .sets
            .iter()
            .filter_map(|s| {
                let op = api.operations.get(s.operation)?;
                Some(format!("{}\t{} {}\t{}", s.name, op.method.as_str(), op.path.raw, op.id))
            })
            .collect();
        details.insert(c.name.clone(), lines);
    }
    Ok(Module {
        details,
        version: api.version.name().to_owned(),
        title,
        cmdlets: api.cmdlets.iter().map(|c| (c.name.clone(), c.aliases.clone())).collect(),
        operation_ids: api.operations.iter().map(|o| o.id.clone()).collect(),
    })
}

type Shared = Vec<(String, String, Vec<String>)>;

/// OperationIds and cmdlet names (aliases included) that more than one
/// module of the same version defines: (version, name, modules).
fn duplicates(modules: &[Module]) -> (Shared, Shared) {
    let mut ops: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    let mut names: BTreeMap<(&str, String), (String, Vec<String>)> = BTreeMap::new();
    for m in modules {
        for id in &m.operation_ids {
            ops.entry((&m.version, id)).or_default().push(m.title.clone());
        }
        for (name, aliases) in &m.cmdlets {
            for n in std::iter::once(name).chain(aliases) {
                let (_, owners) = names.entry((&m.version, n.to_lowercase())).or_insert_with(|| (n.clone(), Vec::new()));
                if !owners.contains(&m.title) {
                    owners.push(m.title.clone());
                }
            }
        }
    }
    let keep = |owners: &Vec<String>| owners.len() > 1;
    let ops = ops.into_iter().filter(|(_, o)| keep(o)).map(|((v, id), o)| (v.to_owned(), id.to_owned(), o)).collect();
    let names = names.into_iter().filter(|(_, (_, o))| keep(o)).map(|((v, _), (n, o))| (v.to_owned(), n, o)).collect();
    (ops, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments() {
        let args: Vec<String> = ["--sdk", "specs", "--aliases"].iter().map(|s| s.to_string()).collect();
        let parsed = NamesArgs::parse(&args).expect("valid");
        assert_eq!(parsed, NamesArgs { sdk: "specs".into(), config_dir: None, aliases: true, show: None });
        assert!(NamesArgs::parse(&[]).is_err());
        assert!(NamesArgs::parse(&["--sdk".to_owned()]).is_err());
    }

    #[test]
    fn versions_come_from_the_server_url() {
    }
}
