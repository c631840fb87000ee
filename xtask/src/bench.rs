//! `cargo xtask bench`: how fast and how lean the generator and its output
//! are, against the targets of the issues. Build it in release first:
//!
//! ```text
//! cargo run --release -p xtask -- bench [--runs N] [--sdk DIR] [--module FILE]
//!                                        [--build] [--whole-sdk] [--overhead]
//!                                        [--target-dir DIR] [--keep]
//! ```
//!
//! Always (a few minutes at most):
//! - one module (beta Applications) generated in-process, `--runs` times
//!   after a warm-up: median wall and CPU time of load + lower and of
//!   emit + render; its module crate's Rust lines per cmdlet;
//! - the peak memory of a fresh `xtask codegen` process on that module;
//! - the committed fragment, whole `xtask codegen` processes;
//! - the whole beta SDK (every document of the version folder): `--runs`
//!   fresh `xtask codegen --sdk` processes into an up-to-date tree (median
//!   wall time, largest peak memory), and `--runs` rounds of generation into
//!   an empty folder interleaved with `cp -r` of the same output on the same
//!   disk.
//!
//! `--build`: compile budgets of the Applications module crate with the
//! runtime and models crates it needs (`cargo check`, `cargo build`, rustc
//! peak memory), and of the module built with one API tag's feature.
//! `--whole-sdk`: `cargo check` of every crate of the beta SDK, and a debug
//! build of its CLI with every module (tens of minutes).
//! `--overhead`: the request-overhead benchmark, and the instruction counts
//! of one request under callgrind when valgrind is installed.
//!
//! Timed builds start from crates.io dependencies already built (a warm-up
//! build, then `cargo clean -p` of every crate of ours), with incremental
//! compilation off, as a dependency is built. Memory of the compilers is the
//! largest resident set of one `rustc`, and of all running at once, sampled
//! from /proc every 20 ms.
//!
//! Documents: `--sdk DIR` (a folder of module documents, or one with `beta/`
//! below it), else `$GRAPH_SPECS_DIR/graph-sdk-2025-01.tar.xz` unpacked into
//! the scratch folder. Prints a table of target vs measured; exit status 1
//! when a measured target is missed.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::disk;

pub const USAGE: &str = "usage: cargo xtask bench [--runs N] [--fragment-runs M] [--sdk DIR] [--module FILE]\n\
    \x20                        [--build] [--whole-sdk] [--overhead] [--target-dir DIR] [--keep]\n\
    \x20      build it in release first: cargo run --release -p xtask -- bench";

/// The archive of real documents, below `GRAPH_SPECS_DIR`.
const ARCHIVE: &str = "graph-sdk-2025-01.tar.xz";
const ARCHIVE_DIR: &str = "graph-sdk-2025-01";
/// The module measured alone when `--module` is not given.
const MODULE_FILE: &str = "Applications.yml";
/// The API tag whose feature the single-tag build turns on.
const SINGLE_TAG: &str = "applications-application";

/// The committed fragment and configuration, relative to the workspace.
const FRAGMENT: &str = "spec/applications.synchronization-start.yaml";
const CONFIG: &str = "spec/codegen.yaml";

/// The lines `codegen --report-memory` prints to stderr, before the numbers.
const PEAK_PREFIX: &str = "peak memory (VmHWM): ";
const CPU_PREFIX: &str = "cpu time (main thread): ";

/// Targets from the issues.
const MODULE_SECONDS: f64 = 0.5;
const MODULE_PEAK_MB: f64 = 200.0;
const FRAGMENT_SECONDS: f64 = 0.1 / 3.0;
const LINES_PER_CMDLET: f64 = 250.0;
const SDK_UP_TO_DATE_SECONDS: f64 = 10.0;
const SDK_PEAK_MB: f64 = 1000.0;
const SDK_EMPTY_OVER_COPY_SECONDS: f64 = 10.0;
const MODULE_CHECK_SECONDS: f64 = 20.0;
const MODULE_BUILD_SECONDS: f64 = 30.0;
const MODULE_RUSTC_PEAK_MB: f64 = 1500.0;
const SDK_CHECK_SECONDS: f64 = 300.0;
const SDK_CLI_BUILD_SECONDS: f64 = 900.0;
const SDK_BUILD_PEAK_MB: f64 = 6000.0;
const OVERHEAD_RATIO: f64 = 1.05;

/// Parsed command line.
#[derive(Debug, PartialEq, Eq)]
pub struct BenchArgs {
    runs: usize,
    fragment_runs: usize,
    sdk: Option<PathBuf>,
    module: Option<PathBuf>,
    build: bool,
    whole_sdk: bool,
    overhead: bool,
    /// Where builds keep their target dir (so the crates.io dependencies
    /// stay built between runs); a scratch folder otherwise.
    target_dir: Option<PathBuf>,
    keep: bool,
}

impl Default for BenchArgs {
    fn default() -> Self {
        BenchArgs {
            runs: 5,
            fragment_runs: 21,
            sdk: None,
            module: None,
            build: false,
            whole_sdk: false,
            overhead: false,
            target_dir: None,
            keep: false,
        }
    }
}

impl BenchArgs {
    pub fn parse(args: &[String]) -> Result<BenchArgs, String> {
        let mut parsed = BenchArgs::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
            let count = |name: &str, text: String| match text.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("{name} must be a positive whole number, not `{text}`")),
            };
            match arg.as_str() {
                "--runs" => parsed.runs = count("--runs", value("--runs")?)?,
                "--fragment-runs" => parsed.fragment_runs = count("--fragment-runs", value("--fragment-runs")?)?,
                "--sdk" => parsed.sdk = Some(PathBuf::from(value("--sdk")?)),
                "--module" => parsed.module = Some(PathBuf::from(value("--module")?)),
                "--target-dir" => parsed.target_dir = Some(PathBuf::from(value("--target-dir")?)),
                "--build" => parsed.build = true,
                "--whole-sdk" => parsed.whole_sdk = true,
                "--overhead" => parsed.overhead = true,
                "--keep" => parsed.keep = true,
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(parsed)
    }
}

/// Prints this process's peak resident set size and the CPU time of its
/// main thread (`codegen --report-memory`).
pub fn report_peak_memory() {
    match proc_kib("self", "VmHWM:") {
        Some(kib) => eprintln!("{PEAK_PREFIX}{kib} kB"),
        None => eprintln!("{PEAK_PREFIX}unavailable (no VmHWM in /proc/self/status)"),
    }
    if let Some(cpu) = thread_cpu() {
        eprintln!("{CPU_PREFIX}{} us", cpu.as_micros());
    }
}

/// Time the calling thread has spent on a CPU (Linux schedstat). Unlike wall
/// time, other processes competing for the CPUs do not inflate it.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

/// User + system time of every child process this one has waited for
/// (`cutime` + `cstime` of /proc/self/stat; cargo waits for its rustc
/// processes, so a build's compilers are counted). Linux clock ticks are
/// 1/100 s on every mainstream configuration.
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name start at field 3.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |field: usize| fields.get(field - 3)?.parse::<u64>().ok();
    Some(Duration::from_millis((ticks(16)? + ticks(17)?) * 10))
}

/// The number after `prefix` on a line of a child's stderr.
fn reported(stderr: &str, prefix: &str, unit: &str) -> Option<u64> {
    stderr.lines().find_map(|l| l.strip_prefix(prefix)).and_then(|v| v.trim_end_matches(unit).trim().parse().ok())
}

/// A `kB` field of /proc/<pid>/status.
fn proc_kib(pid: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(field))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}

/// One row of the result table.
struct Row {
    measure: String,
    target: String,
    measured: String,
    /// `Some(true)` met, `Some(false)` missed, `None` informational.
    met: Option<bool>,
}

impl Row {
    fn info(measure: impl Into<String>, measured: impl Into<String>) -> Row {
        Row { measure: measure.into(), target: "-".into(), measured: measured.into(), met: None }
    }

    fn at_most(measure: impl Into<String>, limit: f64, unit: &str, value: f64, measured: String) -> Row {
        Row { measure: measure.into(), target: format!("<= {limit} {unit}"), measured, met: Some(value <= limit) }
    }
}

pub fn run(args: &BenchArgs, root: &Path) -> ExitCode {
    let scratch = std::env::temp_dir().join(format!("mg-bench-{}", std::process::id()));
    let mut rows = Vec::new();
    let result = measure(args, root, &scratch, &mut rows);
    if args.keep {
        println!("kept {}", scratch.display());
    } else {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    print_table(&rows);
    println!("load average after: {}", load_average());
    match result {
        Ok(()) if rows.iter().any(|r| r.met == Some(false)) => ExitCode::FAILURE,
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => crate::fail(&format!("error: {e}")),
    }
}

fn measure(args: &BenchArgs, root: &Path, scratch: &Path, rows: &mut Vec<Row>) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the xtask binary: {e}"))?;
    println!(
        "xtask bench: {} build of {}",
        if cfg!(debug_assertions) { "DEBUG (numbers are not meaningful; use --release)" } else { "release" },
        exe.display()
    );
    println!("machine: {} CPUs ({}), {}", cpus(), cpu_model(), memory());
    println!("load average before: {}", load_average());
    std::fs::create_dir_all(scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;

    let beta = beta_documents(args, root, scratch)?;
    let module = match &args.module {
        Some(path) => path.clone(),
        None => beta.join(MODULE_FILE),
    };
    println!("beta documents: {}", crate::display(&beta, root));
    println!("module: {}", crate::display(&module, root));

    // The module alone, as `--sdk` over a folder holding only it: the
    // shipped configuration, and the crates it needs (runtime, models).
    let module_docs = scratch.join("module-docs");
    std::fs::create_dir_all(&module_docs).map_err(|e| format!("{}: {e}", module_docs.display()))?;
    let file_name = module.file_name().ok_or_else(|| format!("{}: not a file", module.display()))?;
    std::fs::copy(&module, module_docs.join(file_name)).map_err(|e| format!("{}: {e}", module.display()))?;

    in_process(&module_docs, root, args.runs, rows)?;
    let module_out = scratch.join("module");
    let (wall, stderr) = timed(xtask_codegen(&exe, &module_docs, &module_out).arg("--report-memory"))?;
    let megabytes = reported_mb(&stderr)?;
    rows.push(Row::at_most(
        "module, peak memory of a fresh `xtask codegen --sdk` process",
        MODULE_PEAK_MB,
        "MB",
        megabytes,
        format!("{megabytes:.0} MB"),
    ));
    rows.push(Row::info("  that process's time (writes the crates too)", with_cpu(seconds(wall), child_cpu(&stderr))));

    fragment(&exe, root, scratch, args.fragment_runs, rows)?;
    let sdk_out = scratch.join("sdk");
    sdk_generation(&exe, &beta, scratch, &sdk_out, args.runs, rows)?;

    if args.build || args.whole_sdk {
        let target = args.target_dir.clone().unwrap_or_else(|| scratch.join("target"));
        if args.build {
            module_build(root, &module_out, &target, rows)?;
        }
        if args.whole_sdk {
            sdk_build(root, &sdk_out, &target, rows)?;
        }
    } else {
        rows.push(Row::info("compile budgets", "not run (add --build, --whole-sdk)"));
    }
    if args.overhead {
        overhead(root, rows)?;
    }
    Ok(())
}

/// The folder of beta documents: `--sdk DIR` (or its `beta/`), else the
/// archive unpacked into the scratch folder.
fn beta_documents(args: &BenchArgs, root: &Path, scratch: &Path) -> Result<PathBuf, String> {
    if let Some(dir) = &args.sdk {
        let beta = dir.join("beta");
        return Ok(if beta.is_dir() { beta } else { dir.clone() });
    }
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("GRAPH_SPECS_DIR") {
        candidates.push(PathBuf::from(dir).join(ARCHIVE));
    }
    candidates.push(root.join("../shared/specs").join(ARCHIVE));
    let archive = candidates.iter().find(|p| p.is_file()).ok_or_else(|| {
        let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        format!("the archive of Graph documents was not found (tried {}); give --sdk DIR or set GRAPH_SPECS_DIR", tried.join(", "))
    })?;
    timed(Command::new("tar").arg("-xJf").arg(archive).arg("-C").arg(scratch))?;
    Ok(scratch.join(ARCHIVE_DIR).join("beta"))
}

fn xtask_codegen(exe: &Path, docs: &Path, out: &Path) -> Command {
    let mut command = Command::new(exe);
    command.arg("codegen").arg("--sdk").arg(docs).arg("--out").arg(out);
    command
}

fn reported_mb(stderr: &str) -> Result<f64, String> {
    let kib = reported(stderr, PEAK_PREFIX, "kB").ok_or_else(|| format!("the codegen child printed no peak memory:\n{stderr}"))?;
    Ok(kib as f64 * 1024.0 / 1e6)
}

fn child_cpu(stderr: &str) -> Option<String> {
    reported(stderr, CPU_PREFIX, "us").map(|us| seconds(Duration::from_micros(us)))
}

/// The module generated in-process `runs` times after a warm-up.
fn in_process(docs: &Path, root: &Path, runs: usize, rows: &mut Vec<Row>) -> Result<(), String> {
    let inputs = crate::sdk_inputs(docs, None, root)?;
    let cli = codegen::CliOptions { crate_name: "mg-cli".to_owned(), binary: "mg".to_owned() };
    let mut wall: [Vec<Duration>; 3] = Default::default();
    let mut cpu: [Vec<Duration>; 3] = Default::default();
    let (mut lines, mut cmdlets, mut files_made, mut bytes) = (0, 0, 0, 0);
    for run in 0..=runs {
        let mark = || (Instant::now(), thread_cpu());
        let m0 = mark();
        let ws = codegen::sdk::build(&inputs, &cli).map_err(|e| e.to_string())?;
        let m1 = mark();
        let files = codegen::emit::emit(&ws, &codegen::RuntimeSource::Vendored);
        let m2 = mark();
        let api = ws.modules.first().ok_or("the module document gave no module")?;
        let dir = format!("{}/", codegen::emit::module_dir(api));
        cmdlets = api.cmdlets.len();
        lines = files
            .iter()
            .filter(|f| f.path.starts_with(&dir) && f.path.ends_with(".rs"))
            .map(|f| f.contents.lines().count())
            .sum::<usize>();
        files_made = files.len();
        bytes = files.iter().map(|f| f.contents.len()).sum::<usize>();
        drop((files, ws));
        if run == 0 {
            continue; // warm-up
        }
        for (i, (from, to)) in [(m0, m1), (m1, m2), (m0, m2)].into_iter().enumerate() {
            wall[i].push(to.0 - from.0);
            if let (Some(a), Some(b)) = (from.1, to.1) {
                cpu[i].push(b.saturating_sub(a));
            }
        }
    }
    let wall = wall.each_mut().map(|v| median(v));
    let cpu = cpu.iter().all(|c| c.len() == runs).then(|| cpu.each_mut().map(|v| median(v)));
    rows.push(Row::at_most(
        format!("module, in-process generation (median of {runs})"),
        MODULE_SECONDS,
        "s",
        wall[2].as_secs_f64(),
        with_cpu(seconds(wall[2]), cpu.map(|c| seconds(c[2]))),
    ));
    let stages = |t: [Duration; 3]| format!("{} / {}", seconds(t[0]), seconds(t[1]));
    rows.push(Row::info("  load+lower / emit+render, wall", stages(wall)));
    if let Some(cpu) = cpu {
        rows.push(Row::info("  load+lower / emit+render, CPU", stages(cpu)));
    }
    rows.push(Row::info("  output", format!("{files_made} files, {:.1} MB", bytes as f64 / 1e6)));
    let per_cmdlet = lines as f64 / cmdlets.max(1) as f64;
    rows.push(Row::at_most(
        "module crate: generated .rs lines per cmdlet",
        LINES_PER_CMDLET,
        "lines",
        per_cmdlet,
        format!("{per_cmdlet:.0} ({lines} lines / {cmdlets} cmdlets)"),
    ));
    Ok(())
}

/// The committed fragment as whole processes, into an emptied folder.
fn fragment(exe: &Path, root: &Path, scratch: &Path, runs: usize, rows: &mut Vec<Row>) -> Result<(), String> {
    let out = scratch.join("fragment");
    let mut walls = Vec::new();
    let mut cpu = Vec::new();
    for run in 0..=runs {
        let _ = std::fs::remove_dir_all(&out);
        let mut child = Command::new(exe);
        child
            .args(["codegen", "--report-memory", "--spec"])
            .arg(root.join(FRAGMENT))
            .arg("--config")
            .arg(root.join(CONFIG))
            .arg("--out")
            .arg(&out);
        let (wall, stderr) = timed(&mut child)?;
        if run > 0 {
            walls.push(wall);
            cpu.extend(reported(&stderr, CPU_PREFIX, "us").map(Duration::from_micros));
        }
    }
    let wall = median(&mut walls);
    rows.push(Row {
        measure: format!("fragment, whole `xtask codegen` process (median of {runs})"),
        target: format!("<= {:.0} ms", FRAGMENT_SECONDS * 1e3),
        measured: with_cpu(millis(wall), (!cpu.is_empty()).then(|| millis(median(&mut cpu)))),
        met: Some(wall.as_secs_f64() <= FRAGMENT_SECONDS),
    });
    Ok(())
}

/// The whole beta SDK: into an empty folder against `cp -r`, interleaved,
/// then into the up-to-date tree.
fn sdk_generation(exe: &Path, beta: &Path, scratch: &Path, out: &Path, runs: usize, rows: &mut Vec<Row>) -> Result<(), String> {
    let documents = crate::documents(beta)?.len();
    let copy = scratch.join("sdk-copy");
    let (mut fresh, mut copies) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        // Both start from a deleted tree, so the disk has the same work.
        remove(out)?;
        let (wall, _) = timed(&mut xtask_codegen(exe, beta, out))?;
        fresh.push(wall);
        remove(&copy)?;
        let (wall, _) = timed(Command::new("cp").arg("-r").arg(out).arg(&copy))?;
        copies.push(wall);
    }
    remove(&copy)?;
    let (files, megabytes) = tree_size(out);
    let (fresh, copied) = (median(&mut fresh), median(&mut copies));
    let over = fresh.as_secs_f64() - copied.as_secs_f64();
    rows.push(Row::at_most(
        format!("beta SDK ({documents} documents) into an empty folder, minus `cp -r` (medians of {runs})"),
        SDK_EMPTY_OVER_COPY_SECONDS,
        "s",
        over,
        format!("{over:.1} s ({} generate, {} cp -r)", seconds(fresh), seconds(copied)),
    ));
    rows.push(Row::info("  output", format!("{files} files, {megabytes:.0} MB")));

    // The rounds above leave gigabytes of dirty pages; flush them first, so
    // the kernel's writeback does not compete with the timed runs.
    let _ = Command::new("sync").status();
    let (mut walls, mut peak, mut cpu) = (Vec::new(), 0.0f64, Vec::new());
    for _ in 0..runs {
        let (wall, stderr) = timed(xtask_codegen(exe, beta, out).arg("--report-memory"))?;
        walls.push(wall);
        peak = peak.max(reported_mb(&stderr)?);
        cpu.extend(reported(&stderr, CPU_PREFIX, "us").map(Duration::from_micros));
    }
    let wall = median(&mut walls);
    rows.push(Row::at_most(
        format!("beta SDK into the up-to-date tree (median of {runs})"),
        SDK_UP_TO_DATE_SECONDS,
        "s",
        wall.as_secs_f64(),
        with_cpu(seconds(wall), (!cpu.is_empty()).then(|| format!("main thread {}", seconds(median(&mut cpu))))),
    ));
    rows.push(Row::at_most("  its peak memory (largest of the runs)", SDK_PEAK_MB, "MB", peak, format!("{peak:.0} MB")));
    Ok(())
}

fn remove(path: &Path) -> Result<(), String> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("{}: {e}", path.display())),
        _ => Ok(()),
    }
}

/// Files and megabytes below `dir`.
fn tree_size(dir: &Path) -> (usize, f64) {
    let (mut files, mut bytes) = (0, 0u64);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).into_iter().flatten().flatten() {
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => stack.push(entry.path()),
                Ok(meta) => {
                    files += 1;
                    bytes += meta.len();
                }
                Err(_) => {}
            }
        }
    }
    (files, bytes as f64 / 1e6)
}

/// The packages of a generated workspace (every member's name).
fn packages(workspace: &Path) -> Result<Vec<String>, String> {
    let manifest = disk::read_text(&workspace.join("Cargo.toml"))?;
    let mut names = Vec::new();
    for member in manifest.lines().filter_map(|l| l.trim().strip_prefix('"')).filter_map(|l| l.split('"').next()) {
        let text = disk::read_text(&workspace.join(member).join("Cargo.toml"))?;
        let name = text
            .lines()
            .find_map(|l| l.strip_prefix("name = \""))
            .and_then(|rest| rest.split('"').next())
            .ok_or_else(|| format!("{member}/Cargo.toml: no package name"))?;
        names.push(name.to_owned());
    }
    Ok(names)
}

/// Cargo in a generated workspace, with this repository's lock file.
struct Cargo<'a> {
    workspace: &'a Path,
    target: &'a Path,
}

impl Cargo<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut c = Command::new(cargo);
        c.args(args)
            .current_dir(self.workspace)
            .env("CARGO_TARGET_DIR", self.target)
            .env("CARGO_INCREMENTAL", "0")
            .env_remove("RUSTFLAGS");
        c
    }

    /// Runs a cargo command untimed (warm-ups, cleaning).
    fn run(&self, args: &[&str]) -> Result<(), String> {
        timed(&mut self.command(args)).map(drop)
    }

    /// `cargo clean -p` of every crate of ours, so the next build compiles
    /// them from scratch while the crates.io dependencies stay built.
    fn clean_ours(&self, ours: &[String]) -> Result<(), String> {
        let mut args = vec!["clean", "--offline"];
        for name in ours {
            args.extend(["-p", name.as_str()]);
        }
        self.run(&args)
    }

    /// A timed build: wall, compilers' CPU, largest rustc and largest sum.
    fn timed(&self, args: &[&str]) -> Result<Built, String> {
        let sampler = RustcSampler::start();
        let cpu0 = children_cpu();
        let (wall, _) = timed(&mut self.command(args))?;
        let cpu = cpu0.zip(children_cpu()).map(|(a, b)| b.saturating_sub(a));
        let (one, all) = sampler.stop();
        Ok(Built { wall, cpu, one_mb: one as f64 * 1024.0 / 1e6, all_mb: all as f64 * 1024.0 / 1e6 })
    }
}

struct Built {
    wall: Duration,
    cpu: Option<Duration>,
    one_mb: f64,
    all_mb: f64,
}

impl Built {
    fn describe(&self) -> String {
        format!(
            "{}; rustc peak {:.0} MB, all at once {:.0} MB",
            with_cpu(seconds(self.wall), self.cpu.map(seconds)),
            self.one_mb,
            self.all_mb
        )
    }
}

/// Samples the resident memory of every running `rustc` every 20 ms.
struct RustcSampler {
    stop: Arc<AtomicBool>,
    one: Arc<AtomicU64>,
    all: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<()>,
}

impl RustcSampler {
    fn start() -> RustcSampler {
        let (stop, one, all) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (s, o, a) = (stop.clone(), one.clone(), all.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let mut sum = 0;
                for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                    let pid = entry.file_name().to_string_lossy().into_owned();
                    if !pid.bytes().all(|b| b.is_ascii_digit()) {
                        continue;
                    }
                    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                    if comm.trim() == "rustc" {
                        let rss = proc_kib(&pid, "VmRSS:").unwrap_or(0);
                        o.fetch_max(rss, Ordering::Relaxed);
                        sum += rss;
                    }
                }
                a.fetch_max(sum, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        RustcSampler { stop, one, all, thread }
    }

    /// Largest single rustc and largest sum, in KiB.
    fn stop(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
        (self.one.load(Ordering::Relaxed), self.all.load(Ordering::Relaxed))
    }
}

/// Prepares a generated workspace for builds: this repository's lock file
/// (the same dependency versions the tests use).
fn with_lock(root: &Path, workspace: &Path) -> Result<(), String> {
    let lock = root.join("Cargo.lock");
    std::fs::copy(&lock, workspace.join("Cargo.lock")).map(drop).map_err(|e| format!("{}: cannot copy: {e}", lock.display()))
}

/// The Applications module crate with the runtime and models it needs.
fn module_build(root: &Path, workspace: &Path, target: &Path, rows: &mut Vec<Row>) -> Result<(), String> {
    with_lock(root, workspace)?;
    let ours: Vec<String> = packages(workspace)?.into_iter().filter(|p| !p.ends_with("-cli")).collect();
    let module = ours.iter().find(|p| !p.ends_with("runtime") && !p.ends_with("models")).cloned().ok_or("no module crate")?;
    let cargo = Cargo { workspace, target };
    println!("building {module} once to cache the crates.io dependencies (slow the first time)...");
    cargo.run(&["check", "--offline", "-p", &module])?;
    cargo.run(&["build", "--offline", "-p", &module])?;

    cargo.clean_ours(&ours)?;
    let check = cargo.timed(&["check", "--offline", "-p", &module])?;
    cargo.clean_ours(&ours)?;
    let build = cargo.timed(&["build", "--offline", "-p", &module])?;
    let label = format!("{module} + runtime + models");
    rows.push(Row::at_most(format!("{label}, cargo check"), MODULE_CHECK_SECONDS, "s", check.wall.as_secs_f64(), check.describe()));
    rows.push(Row::at_most(format!("{label}, cargo build"), MODULE_BUILD_SECONDS, "s", build.wall.as_secs_f64(), build.describe()));
    let peak = check.one_mb.max(build.one_mb);
    rows.push(Row::at_most(format!("{label}, rustc peak memory"), MODULE_RUSTC_PEAK_MB, "MB", peak, format!("{peak:.0} MB")));

    // One API tag's feature.
    cargo.clean_ours(&ours)?;
    let features = ["build", "--offline", "-p", &module, "--no-default-features", "--features", SINGLE_TAG];
    match cargo.timed(&features) {
        Ok(tag) => rows.push(Row::info(format!("{label}, cargo build with only `{SINGLE_TAG}`"), tag.describe())),
        Err(e) => rows.push(Row::info(format!("{label}, cargo build with only `{SINGLE_TAG}`"), format!("failed: {e}"))),
    }
    Ok(())
}

/// Every crate of the beta SDK checked, and the CLI built with every module.
fn sdk_build(root: &Path, workspace: &Path, target: &Path, rows: &mut Vec<Row>) -> Result<(), String> {
    with_lock(root, workspace)?;
    let ours = packages(workspace)?;
    let runtime = ours.iter().find(|p| p.ends_with("runtime")).cloned().ok_or("no runtime crate")?;
    let cli = ours.iter().find(|p| p.ends_with("-cli")).cloned().ok_or("no CLI crate")?;
    let cargo = Cargo { workspace, target };
    println!("building the runtime with every feature to cache the crates.io dependencies...");
    cargo.run(&["check", "--offline", "-p", &runtime, "--all-features"])?;
    cargo.run(&["build", "--offline", "-p", &runtime, "--all-features"])?;

    cargo.clean_ours(&ours)?;
    println!("cargo check --workspace (every crate of ours from scratch)...");
    let check = cargo.timed(&["check", "--offline", "--workspace"])?;
    rows.push(Row::at_most("beta SDK, cargo check --workspace", SDK_CHECK_SECONDS, "s", check.wall.as_secs_f64(), check.describe()));
    cargo.clean_ours(&ours)?;
    println!("cargo build -p {cli} (debug, every module)...");
    let build = cargo.timed(&["build", "--offline", "-p", &cli])?;
    rows.push(Row::at_most(
        format!("beta SDK, debug cargo build -p {cli} (every module)"),
        SDK_CLI_BUILD_SECONDS,
        "s",
        build.wall.as_secs_f64(),
        build.describe(),
    ));
    let peak = check.all_mb.max(build.all_mb);
    rows.push(Row::at_most("beta SDK builds, peak memory of all rustc at once", SDK_BUILD_PEAK_MB, "MB", peak, format!("{peak:.0} MB")));
    let binary = target.join("debug").join(format!("mg{}", std::env::consts::EXE_SUFFIX));
    if let Ok(meta) = std::fs::metadata(&binary) {
        rows.push(Row::info("  the debug mg binary", format!("{:.0} MB", meta.len() as f64 / 1e6)));
    }
    Ok(())
}

/// The request-overhead benchmark, then callgrind instruction counts.
fn overhead(root: &Path, rows: &mut Vec<Row>) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!("cargo bench -p tests --bench overhead ...");
    let status = Command::new(&cargo)
        .args(["bench", "-p", "tests", "--bench", "overhead"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!("cargo bench -p tests --bench overhead failed ({status})"));
    }
    rows.push(Row::info("request overhead, wall and CPU ratios", "printed above by the overhead benchmark"));
    let has_valgrind = Command::new("valgrind").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !has_valgrind.is_ok_and(|s| s.success()) {
        rows.push(Row::info("request overhead, callgrind instructions", "not run (valgrind is not installed)"));
        return Ok(());
    }
    let built = Command::new(&cargo)
        .args(["bench", "-p", "tests", "--bench", "overhead", "--no-run", "--message-format=json"])
        .current_dir(root)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo bench --no-run: {e}"))?;
    let stdout = String::from_utf8_lossy(&built.stdout);
    let binary = stdout
        .lines()
        .filter(|l| l.contains("\"name\":\"overhead\""))
        .find_map(|l| l.split("\"executable\":\"").nth(1).and_then(|rest| rest.split('"').next()))
        .ok_or("cargo did not name the overhead benchmark's executable")?
        .to_owned();
    // Instructions per request: the difference between a long and a short
    // run, so start-up cancels out. One round sends `n` requests after a
    // warm-up of min(n, 1000), and one recorded request.
    let (short, long) = (200u64, 1200u64);
    let sent = |n: u64| n.min(1000) + n;
    let mut per_request = Vec::new();
    for variant in ["generated", "hand-written"] {
        let count = |requests: u64| callgrind_instructions(&binary, variant, requests);
        let (a, b) = (count(short)?, count(long)?);
        per_request.push(b.saturating_sub(a) as f64 / (sent(long) - sent(short)) as f64);
    }
    let ratio = per_request[0] / per_request[1];
    rows.push(Row::at_most(
        "request overhead, generated / hand-written instructions (callgrind)",
        OVERHEAD_RATIO,
        "x",
        ratio,
        format!("{ratio:.3} ({:.0} vs {:.0} per request)", per_request[0], per_request[1]),
    ));
    Ok(())
}

/// Total instructions of one overhead run under callgrind.
fn callgrind_instructions(binary: &str, variant: &str, requests: u64) -> Result<u64, String> {
    let out = std::env::temp_dir().join(format!("mg-bench-callgrind-{}.out", std::process::id()));
    let mut command = Command::new("valgrind");
    command
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(binary)
        .arg("--bench")
        .env("OVERHEAD_ONLY", variant)
        .env("OVERHEAD_REQUESTS", requests.to_string())
        .env("OVERHEAD_ROUNDS", "1");
    timed(&mut command)?;
    let text = disk::read_text(&out)?;
    let _ = std::fs::remove_file(&out);
    text.lines()
        .find_map(|l| l.strip_prefix("summary:").or_else(|| l.strip_prefix("totals:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| format!("no instruction total in the callgrind output of {variant}"))
}

/// Runs a command to completion; its wall time and stderr, or why it failed.
fn timed(command: &mut Command) -> Result<(Duration, String), String> {
    let started = Instant::now();
    let output = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect();
        return Err(format!("{command:?} failed ({}):\n{}", output.status, tail.join("\n")));
    }
    Ok((wall, stderr))
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn with_cpu(wall: String, cpu: Option<String>) -> String {
    match cpu {
        Some(cpu) => format!("{wall} wall ({cpu} CPU)"),
        None => format!("{wall} wall"),
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn cpus() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(1)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.strip_prefix("model name").and_then(|rest| rest.split_once(':')).map(|(_, v)| v.trim().to_owned())
            })
        })
        .unwrap_or_else(|| "unknown model".into())
}

fn memory() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find_map(|l| l.strip_prefix("MemTotal:"))?;
            line.trim().trim_end_matches("kB").trim().parse::<u64>().ok()
        })
        .map(|kib| format!("{:.1} GiB of memory", kib as f64 / (1024.0 * 1024.0)))
        .unwrap_or_else(|| "memory unknown".into())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn print_table(rows: &[Row]) {
    let width = |f: fn(&Row) -> &str, title: &str| {
        rows.iter().map(|r| f(r).chars().count()).max().unwrap_or(0).max(title.len())
    };
    let (w1, w2, w3) =
        (width(|r| &r.measure, "measure"), width(|r| &r.target, "target"), width(|r| &r.measured, "measured"));
    println!();
    println!("{:<w1$}  {:<w2$}  {:<w3$}  verdict", "measure", "target", "measured");
    println!("{}", "-".repeat(w1 + w2 + w3 + 13));
    for r in rows {
        let verdict = match r.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "",
        };
        println!("{:<w1$}  {:<w2$}  {:<w3$}  {verdict}", r.measure, r.target, r.measured);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<BenchArgs, String> {
        BenchArgs::parse(&list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn parses_counts_and_flags() {
        let a = args(&["--runs", "3", "--build", "--sdk", "d", "--whole-sdk"]).expect("valid");
        assert_eq!(a, BenchArgs { runs: 3, sdk: Some("d".into()), build: true, whole_sdk: true, ..Default::default() });
        assert!(args(&["--runs", "0"]).expect_err("zero").contains("positive"));
        assert!(args(&["--runs"]).expect_err("missing").contains("needs a value"));
        assert!(args(&["--fast"]).expect_err("unknown").contains("--fast"));
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        let ms = Duration::from_millis;
        assert_eq!(median(&mut [ms(3), ms(1), ms(2)]), ms(2));
        assert_eq!(median(&mut [ms(4), ms(1), ms(3), ms(2)]), ms(3));
        assert_eq!(median(&mut []), Duration::ZERO);
    }

    #[test]
    fn this_process_has_a_peak_and_cpu_counters() {
        if Path::new("/proc/self/status").exists() {
            assert!(proc_kib("self", "VmHWM:").is_some_and(|k| k > 0));
            assert!(children_cpu().is_some());
        }
    }

    #[test]
    fn reads_numbers_from_a_childs_report() {
        let stderr = "warning: x\npeak memory (VmHWM): 1234 kB\ncpu time (main thread): 56 us\n";
        assert_eq!(reported(stderr, PEAK_PREFIX, "kB"), Some(1234));
        assert_eq!(reported(stderr, CPU_PREFIX, "us"), Some(56));
        assert_eq!(reported("nothing", PEAK_PREFIX, "kB"), None);
    }

    #[test]
    fn lists_the_packages_of_a_generated_workspace() {
        let dir = std::env::temp_dir().join(format!("mg-bench-packages-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (member, name) in [("runtime", "mg-runtime"), ("beta/models", "mg-beta-models")] {
            std::fs::create_dir_all(dir.join(member)).expect("folder");
            std::fs::write(dir.join(member).join("Cargo.toml"), format!("[package]\nname = \"{name}\"\n")).expect("manifest");
        }
        std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = [\n    \"runtime\",\n    \"beta/models\",\n]\n").expect("workspace");
        let names = packages(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(names.expect("packages"), ["mg-runtime", "mg-beta-models"]);
    }
}
