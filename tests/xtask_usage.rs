//! `cargo xtask <command> --help` prints that command's usage and exits 0;
//! a usage error prints the error and the usage on lines of their own and
//! exits 2.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

fn xtask() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| tests::workspace_binary("xtask", "xtask"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(xtask()).args(args).current_dir(tests::root()).output().expect("xtask runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn every_command_prints_its_own_usage_for_help() {
    for command in ["codegen", "diff", "fragment", "bench"] {
        for help in ["--help", "-h"] {
            let (code, stdout, stderr) = run(&[command, help]);
            assert_eq!((code, stderr.as_str()), (0, ""), "{command} {help}: {stdout}");
            assert!(stdout.starts_with(&format!("usage: cargo xtask {command} ")), "{command} {help}: {stdout}");
            // Only this command's usage, not the whole list.
            let others = ["codegen", "diff", "fragment", "bench"].iter().filter(|c| **c != command);
            for other in others {
                assert!(!stdout.contains(&format!("cargo xtask {other} ")), "{command} {help}: {stdout}");
            }
        }
    }
    // After other options too, and through `help <command>`.
    let (code, stdout, _) = run(&["codegen", "--check", "--help"]);
    assert!(code == 0 && stdout.starts_with("usage: cargo xtask codegen "), "{stdout}");
    let (code, stdout, _) = run(&["help", "diff"]);
    assert!(code == 0 && stdout.starts_with("usage: cargo xtask diff "), "{stdout}");
    let (code, stdout, _) = run(&["--help"]);
    assert!(code == 0 && ["codegen", "diff", "fragment", "bench"].iter().all(|c| stdout.contains(&format!("usage: cargo xtask {c} "))), "{stdout}");
}

#[test]
fn a_usage_error_prints_the_error_then_the_usage() {
    for (args, error, usage) in [
        (&["codegen", "--spec"][..], "error: --spec needs a value", "usage: cargo xtask codegen "),
        (&["codegen", "--frobnicate"], "error: unknown argument `--frobnicate`", "usage: cargo xtask codegen "),
        (&["diff", "only-one"], "error: expected two inputs (OLD and NEW), got 1", "usage: cargo xtask diff "),
        (&["fragment", "--from"], "error: --from needs a value", "usage: cargo xtask fragment "),
        (&["bench", "--runs", "x"], "error: --runs must be a positive whole number, not `x`", "usage: cargo xtask bench "),
        (&["nonsense"], "error: unknown task `nonsense`", "usage: cargo xtask codegen "),
    ] {
        let (code, stdout, stderr) = run(args);
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.first(), Some(&error), "{args:?}: {stderr}");
        assert!(lines.iter().skip(1).any(|l| l.starts_with(usage)), "{args:?}: {stderr}");
        assert!(!lines[0].contains("usage:"), "the error and the usage are on separate lines: {stderr}");
    }
    // A value that happens to be `--help` is a value, not a request for help.
    let (code, _, stderr) = run(&["codegen", "--check", "--spec", "--help"]);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("--help"), "{stderr}");
}
