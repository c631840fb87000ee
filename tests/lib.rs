//! Shared helpers for the workspace tests: where things are, and running
//! the generator on the committed spec exactly as `cargo xtask codegen` does.
//!
//! The README is included below so that its Rust example is compiled as a
//! doctest: the front door cannot drift from the generated crate.
#![doc = include_str!("../README.md")]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Reads a workspace file as text, failing the test with the path on error.
pub fn read(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The committed configuration and spec, as `cargo xtask codegen` reads them.
pub fn committed_inputs() -> (codegen::SpecInput, codegen::Config) {
    let config_name = "spec/codegen.yaml";
    let mut config = codegen::Config::parse(config_name, &read(config_name)).expect("committed config parses");
    // Identity keys kept in their own file (as `cargo xtask fragment` writes
    // them) are merged in exactly as xtask does.
    if let Some(keys_file) = config.identity_keys_file.clone() {
        let keys_name = format!("spec/{keys_file}");
        config.merge_identity_keys(&keys_name, &read(&keys_name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let input = config.input.clone().expect("config names its input");
    let spec_name = format!("spec/{input}");
    (codegen::SpecInput { text: read(&spec_name), file: spec_name }, config)
}

/// The IR of the committed spec.
pub fn committed_ir() -> codegen::ir::Api {
    let (spec, config) = committed_inputs();
    codegen::build_ir(&spec, &config, "spec/codegen.yaml").unwrap_or_else(|e| panic!("{e}"))
}

/// Every file generated from the committed spec.
pub fn committed_files() -> Vec<codegen::File> {
    let (spec, config) = committed_inputs();
    let source = codegen::RuntimeSource::Path("../codegen/runtime".to_owned());
    codegen::generate(&spec, &config, "spec/codegen.yaml", &source).unwrap_or_else(|e| panic!("{e}"))
}

/// Where the committed module crate lives below `generated/`.
pub const MODULE_DIR: &str = "beta/applications";

/// Only the files of the module crate, with paths relative to it (as the
/// surface manifest and the change report see them).
pub fn module_files(files: Vec<codegen::File>) -> Vec<codegen::File> {
    let prefix = format!("{MODULE_DIR}/");
    files
        .into_iter()
        .filter_map(|f| f.path.strip_prefix(&prefix).map(|p| codegen::File { path: p.to_owned(), contents: f.contents.clone() }))
        .collect()
}

/// [`committed_files`] of the module crate alone.
pub fn committed_module_files() -> Vec<codegen::File> {
    module_files(committed_files())
}

/// The folder of the real Graph module documents, from `GRAPH_SPECS_DIR`
/// (`.ci/run` sets it). `None`, after saying so, when it is not set.
pub fn graph_specs_dir(test: &str) -> Option<PathBuf> {
    match std::env::var_os("GRAPH_SPECS_DIR") {
        Some(dir) if Path::new(&dir).is_dir() => Some(PathBuf::from(dir)),
        _ => {
            eprintln!("skipped {test}: GRAPH_SPECS_DIR is not set to the folder of the real Graph documents");
            None
        }
    }
}

/// The folder of the archive's documents (`beta/` and `v1.0/` below it):
/// `GRAPH_SPECS_DIR/graph-sdk-2025-01/` when it is unpacked there already,
/// else `graph-sdk-2025-01.tar.xz` unpacked once into the target folder.
/// `None`, after saying so, when neither is there.
pub fn graph_sdk_dir(test: &str) -> Option<PathBuf> {
    const NAME: &str = "graph-sdk-2025-01";
    let specs = graph_specs_dir(test)?;
    let unpacked = specs.join(NAME);
    if unpacked.join("beta").is_dir() && unpacked.join("v1.0").is_dir() {
        return Some(unpacked);
    }
    let archive = specs.join(format!("{NAME}.tar.xz"));
    if !archive.is_file() {
        eprintln!("skipped {test}: {} is missing", archive.display());
        return None;
    }
    static UNPACKED: OnceLock<PathBuf> = OnceLock::new();
    let folder = UNPACKED.get_or_init(|| {
        let dest = target_dir().join("graph-specs");
        let folder = dest.join(NAME);
        if folder.join("v1.0").is_dir() {
            return folder;
        }
        // Unpack beside the destination and rename, so that a test binary
        // running at the same time never sees half an archive.
        let scratch = dest.join(format!(".unpack-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).unwrap_or_else(|e| panic!("{}: {e}", scratch.display()));
        let out = Command::new("tar")
            .arg("-xJf")
            .arg(&archive)
            .arg("-C")
            .arg(&scratch)
            .output()
            .unwrap_or_else(|e| panic!("running tar to unpack {}: {e}", archive.display()));
        assert!(out.status.success(), "tar -xJf {} failed:\n{}", archive.display(), String::from_utf8_lossy(&out.stderr));
        if std::fs::rename(scratch.join(NAME), &folder).is_err() && !folder.join("v1.0").is_dir() {
            panic!("could not move the unpacked archive to {}", folder.display());
        }
        let _ = std::fs::remove_dir_all(&scratch);
        folder
    });
    Some(folder.clone())
}

/// The target folder the tests were built into (`CARGO_TARGET_DIR` or
/// `target/`); a relative `CARGO_TARGET_DIR` is taken as relative to the
/// workspace, where cargo is normally run from (the tests run in tests/).
pub fn target_dir() -> PathBuf {
    let workspace = root();
    std::env::var_os("CARGO_TARGET_DIR").map(|dir| workspace.join(dir)).unwrap_or_else(|| workspace.join("target"))
}

/// Builds a binary of the workspace with the same cargo and target folder
/// as the tests themselves, and returns its path.
pub fn workspace_binary(package: &str, bin: &str) -> PathBuf {
    let workspace = root();
    let target = target_dir();
    let built = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "-p", package, "--bin", bin])
        .current_dir(&workspace)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    assert!(built.status.success(), "building {bin} failed:\n{}", String::from_utf8_lossy(&built.stderr));
    target.join("debug").join(format!("{bin}{}", std::env::consts::EXE_SUFFIX))
}

/// The `mgbeta` binary, built once per test run.
pub fn mgbeta_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| workspace_binary("mgbeta-cli", "mgbeta"))
}

/// What a finished child process wrote, and how it ended.
#[derive(Debug)]
pub struct Finished {
    /// Exit status.
    pub status: ExitStatus,
    /// Standard output (lossy UTF-8).
    pub stdout: String,
    /// Standard error (lossy UTF-8).
    pub stderr: String,
}

/// Runs `command` with piped standard streams, feeding `stdin` from a
/// thread (the child may stop reading early) and collecting both outputs;
/// kills the child and fails the test after `limit`.
pub fn run_piped(mut command: Command, stdin: Vec<u8>, limit: Duration) -> Finished {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("the child starts");
    let mut pipe = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || drop(pipe.write_all(&stdin)));
    let reader = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = reader(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = reader(Box::new(child.stderr.take().expect("piped stderr")));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = writer.join();
    Finished { status, stdout: stdout.join().expect("stdout reader"), stderr: stderr.join().expect("stderr reader") }
}
