//! `cargo xtask diff OLD NEW`: the API change report between two versions.
//!
//! Each side is a spec document (lowered with the default configuration, or
//! with `--config`), a surface manifest (`api-surface.txt`, recognised by its
//! `surface 1` line), or a generated crate folder (its manifest is read).
//! Exit status: 0 when nothing is breaking, 3 when something is, so CI can
//! gate on it; 1 when an input cannot be read, 2 for a usage error.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codegen::surface::{self, Manifest};

use crate::disk;

pub const USAGE: &str = "usage: cargo xtask diff OLD NEW [--format text|markdown] [--config FILE]\n\
    \x20      OLD and NEW: spec documents, api-surface.txt manifests, or generated crate folders";

/// Exit status when the report holds a breaking change.
const BREAKING: u8 = 3;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct DiffArgs {
    pub old: PathBuf,
    pub new: PathBuf,
    pub markdown: bool,
    pub config: Option<PathBuf>,
}

impl DiffArgs {
    pub fn parse(args: &[String]) -> Result<DiffArgs, String> {
        let mut paths = Vec::new();
        let mut parsed = DiffArgs::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--format" => match it.next().map(String::as_str) {
                    Some("markdown" | "md") => parsed.markdown = true,
                    Some("text") => parsed.markdown = false,
                    Some(other) => return Err(format!("unknown format `{other}`: expected text or markdown")),
                    None => return Err("--format needs a value".into()),
                },
                "--config" => parsed.config = Some(it.next().map(PathBuf::from).ok_or("--config needs a value")?),
                other if other.starts_with("--") => return Err(format!("unknown argument `{other}`")),
                path => paths.push(PathBuf::from(path)),
            }
        }
        match <[PathBuf; 2]>::try_from(paths) {
            Ok([old, new]) => Ok(DiffArgs { old, new, ..parsed }),
            Err(paths) => Err(format!("expected two inputs (OLD and NEW), got {}", paths.len())),
        }
    }
}

pub fn run(args: &DiffArgs, root: &Path) -> ExitCode {
    let config = match &args.config {
        None => (codegen::Config::default(), "(default configuration)".to_owned()),
        // The same loading as `codegen`, identity-keys-file included.
        Some(path) => match crate::load_config(path, root) {
            Ok(loaded) => loaded,
            Err(e) => return crate::fail(&e),
        },
    };
    let old = match load(&args.old, root, &config) {
        Ok(m) => m,
        Err(e) => return crate::fail(&e),
    };
    let new = match load(&args.new, root, &config) {
        Ok(m) => m,
        Err(e) => return crate::fail(&e),
    };
    let report = codegen::diff::diff_manifests(&old, &new);
    let text = if args.markdown { report.to_markdown() } else { report.to_text() };
    // `print!` panics when the reader goes away (`| head`); the exit status
    // still tells the verdict, so a closed pipe is not an error here.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if report.is_breaking() { ExitCode::from(BREAKING) } else { ExitCode::SUCCESS }
}

/// One side of the comparison, whatever form it takes.
fn load(path: &Path, root: &Path, (config, config_name): &(codegen::Config, String)) -> Result<Manifest, String> {
    // A generated crate folder stands for the manifest inside it.
    let path = if path.is_dir() { path.join(surface::MANIFEST_FILE) } else { path.to_path_buf() };
    let name = crate::display(&path, root);
    let text = disk::read_text(&path)?;
    if surface::looks_like_manifest(&text) {
        return surface::parse(&name, &text).map_err(|e| e.to_string());
    }
    let input = codegen::SpecInput { file: name, text };
    let api = codegen::build_ir(&input, config, config_name).map_err(|e| e.to_string())?;
    let provenance = codegen::render::Provenance {
        spec_file: input.file.clone(),
        spec_sha256: api.spec_sha256.clone(),
        generator_version: codegen::VERSION.to_owned(),
    };
    Ok(Manifest { provenance: Some(provenance), surface: surface::from_api(&api) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_two_inputs_and_options_in_any_order() {
        let parsed = DiffArgs::parse(&args(&["--format", "markdown", "a.yml", "b.txt", "--config", "c.yaml"])).expect("valid");
        assert_eq!(
            parsed,
            DiffArgs { old: "a.yml".into(), new: "b.txt".into(), markdown: true, config: Some("c.yaml".into()) }
        );
        assert!(DiffArgs::parse(&args(&["a.yml"])).is_err());
        assert!(DiffArgs::parse(&args(&["a", "b", "--format", "html"])).is_err());
    }
}
