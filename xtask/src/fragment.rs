//! `cargo xtask fragment`: cut a self-contained fragment out of a whole
//! module document, and write the module-wide identity keys beside it.
//!
//! ```text
//! cargo xtask fragment --from MODULE.yml --operation ID_OR_REGEX [--operation ...] --out DIR [--name STEM] [--config C]
//! ```
//!
//! `--config` is the module's configuration; the identity keys are those of
//! the module lowered with it (without it, the defaults).
//!
//! Writes `DIR/STEM.yaml` (default stem: the module file's stem plus
//! `.fragment`) and `DIR/identity-keys.yaml`, both or neither. The
//! extraction itself is `codegen::fragment` (pure); this module only reads
//! and writes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::disk;

pub const USAGE: &str = "usage: cargo xtask fragment --from MODULE.yml --operation ID_OR_REGEX [--operation ...] --out DIR [--name STEM] [--config C]\n\
    \x20      each --operation is a regex matched against whole operationIds;\n\
    \x20      --config is the module's configuration (its directives apply when the identity keys are derived)";

/// The file name of the identity keys written beside the fragment.
pub const IDENTITY_KEYS_FILE: &str = "identity-keys.yaml";

/// Parsed command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FragmentArgs {
    pub from: PathBuf,
    pub operations: Vec<String>,
    pub out: PathBuf,
    pub name: Option<String>,
    pub config: Option<PathBuf>,
}

impl FragmentArgs {
    pub fn parse(args: &[String]) -> Result<FragmentArgs, String> {
        let mut from = None;
        let mut out = None;
        let mut parsed = FragmentArgs::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--from" => from = Some(PathBuf::from(value("--from")?)),
                "--operation" => parsed.operations.push(value("--operation")?),
                "--out" => out = Some(PathBuf::from(value("--out")?)),
                "--name" => parsed.name = Some(value("--name")?),
                "--config" => parsed.config = Some(PathBuf::from(value("--config")?)),
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        parsed.from = from.ok_or("--from MODULE.yml is required")?;
        parsed.out = out.ok_or("--out DIR is required")?;
        if parsed.operations.is_empty() {
            return Err("at least one --operation is required".into());
        }
        Ok(parsed)
    }

    /// The fragment's file name: `--name` (a bare stem; `.yaml` or `.yml`
    /// is dropped) or the module's stem plus `.fragment`, then `.yaml`.
    fn file_name(&self) -> Result<String, String> {
        let stem = match &self.name {
            Some(name) => name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")).unwrap_or(name).to_owned(),
            None => {
                let stem = self.from.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                format!("{stem}.fragment")
            }
        };
        if stem.is_empty() || stem.contains(['/', '\\']) || stem.starts_with('.') {
            return Err(format!("--name `{stem}` must be a plain file stem (no folders, not hidden)"));
        }
        let file = format!("{stem}.yaml");
        if file == IDENTITY_KEYS_FILE {
            return Err(format!("--name `{stem}` would overwrite the identity keys written beside the fragment"));
        }
        Ok(file)
    }
}

pub fn run(args: &FragmentArgs, root: &Path) -> ExitCode {
    let file_name = match args.file_name() {
        Ok(name) => name,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let source = crate::display(&args.from, root);
    let text = match disk::read_text(&args.from) {
        Ok(text) => text,
        Err(e) => return crate::fail(&e),
    };
    let config = match &args.config {
        Some(path) => match crate::load_config(path, root) {
            Ok((config, _)) => config,
            Err(e) => return crate::fail(&e),
        },
        None => codegen::Config::default(),
    };
    let input = codegen::SpecInput { file: source, text };
    let fragment = match codegen::fragment::extract(&input, &args.operations, &config) {
        Ok(f) => f,
        Err(e) => return crate::fail(&e.to_string()),
    };
    let out = crate::display(&args.out, root);
    let written = crate::stage::Stage::new(&args.out, false, |_| false, &crate::stage::RealDisk).and_then(|stage| {
        let stage = stage.without_pruning();
        stage.accept(codegen::File { path: file_name.clone(), contents: fragment.spec.clone() });
        stage.accept(codegen::File { path: IDENTITY_KEYS_FILE.to_owned(), contents: fragment.identity_keys.clone() });
        stage.commit()
    });
    if let Err(e) = written {
        return crate::fail(&format!("{e}; {out} was left as it was"));
    }
    let keys = fragment.identity_keys.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count();
    println!("{out}/{file_name}: {} operations, {} components", fragment.operations.len(), fragment.components.len());
    for op in &fragment.operations {
        println!("  {} {} ({})", op.method.to_uppercase(), op.path, op.operation_id);
    }
    println!(
        "{out}/{IDENTITY_KEYS_FILE}: {keys} identity keys (name it with `identity-keys-file:` in the configuration)"
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<FragmentArgs, String> {
        FragmentArgs::parse(&list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn parses_repeated_operations_and_requires_the_rest() {
        let a = args(&["--from", "m.yml", "--operation", "a", "--operation", "b.*", "--out", "d"]).expect("valid");
        assert_eq!(a.operations, ["a", "b.*"]);
        assert_eq!(a.file_name().as_deref(), Ok("m.fragment.yaml"));
        assert!(args(&["--from", "m.yml", "--out", "d"]).expect_err("no op").contains("--operation"));
        assert!(args(&["--operation", "a", "--out", "d"]).expect_err("no from").contains("--from"));
        assert!(args(&["--from", "m.yml", "--operation", "a"]).expect_err("no out").contains("--out"));
        assert!(args(&["--from"]).expect_err("no value").contains("needs a value"));
        assert!(args(&["--colour"]).expect_err("unknown").contains("--colour"));
    }

    #[test]
    fn names_are_plain_stems() {
        let with = |name: &str| FragmentArgs { name: Some(name.into()), ..Default::default() }.file_name();
        assert_eq!(
            with("applications.synchronization-start").as_deref(),
            Ok("applications.synchronization-start.yaml")
        );
        assert_eq!(with("x.yml").as_deref(), Ok("x.yaml"));
        assert!(with("../x").is_err());
        assert!(with("identity-keys").is_err());
        assert!(with("").is_err());
    }
}
