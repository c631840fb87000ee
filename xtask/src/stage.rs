//! Writing a generated tree as the files come, all or nothing.
//!
//! The generator hands over files one by one (from several threads). Each
//! is compared with what is on disk, reading only that file; a file that
//! differs is written at once to a temporary sibling, so neither the new
//! tree nor the old one is ever held in memory. Nothing at a real path
//! changes until [`Stage::commit`]: then every old file that is replaced or
//! removed is first moved aside, the new ones are moved into place, and the
//! moved-aside ones are deleted. Any failure, at any step, puts every path
//! back as it was and removes the temporaries and the folders the run made.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use codegen::File;
use codegen::tree::{Stale, Staleness, header_sha};

/// The file operations staging needs; tests swap in one that fails.
pub trait Disk: Sync {
    /// Writes a new file (the path does not exist yet).
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    /// Moves a file or a folder.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
}

/// The real file system.
pub struct RealDisk;

impl Disk for RealDisk {
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        fs::write(path, bytes)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }
}

/// What a finished run did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Files written (new or changed).
    pub written: usize,
    /// Files removed (no longer generated).
    pub removed: usize,
    /// Files already as generated.
    pub unchanged: usize,
    /// In check mode: every difference, with its reason.
    pub stale: Vec<Stale>,
}

#[derive(Default)]
struct State {
    produced: BTreeSet<String>,
    /// (relative path, temporary file holding its new bytes).
    staged: Vec<(String, PathBuf)>,
    /// Folders this run created, outermost first.
    created: Vec<PathBuf>,
    unchanged: usize,
    stale: Vec<Stale>,
    kept: Vec<File>,
    error: Option<String>,
}

/// A generation being written to `out`.
pub struct Stage<'d> {
    out: PathBuf,
    check: bool,
    /// Remove the files of `out` that were not generated (a generated tree)
    /// or leave them (files written into a folder of other files).
    prune: bool,
    existing: BTreeSet<String>,
    /// For an output folder that is empty or missing: the new tree is
    /// written straight into this sibling folder, which replaces `out` in
    /// one rename.
    fresh: Option<PathBuf>,
    keep: fn(&str) -> bool,
    disk: &'d dyn Disk,
    /// Folders known to exist (so each is checked or made once).
    folders: Mutex<BTreeSet<PathBuf>>,
    state: Mutex<State>,
}

/// The temporary sibling of `path` for this process, with a purpose tag.
fn sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.xtask-{tag}-{}", std::process::id()))
}

/// Every file below `dir` (relative paths with `/`) that generation owns;
/// empty when `dir` does not exist. Skipped, because they belong to the
/// user or to cargo and are never generated: `target` folders, hidden
/// files and folders (`.git`, `.gitignore`), and the lock file at the root
/// of an emitted workspace (cargo writes it on the first build).
pub fn list_tree(dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut out = BTreeSet::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = fs::read_dir(&current).map_err(|e| format!("{}: cannot list: {e}", current.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", current.display()))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| format!("{}: {e}", path.display()))?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if current == dir && entry.file_name() == "Cargo.lock" {
                continue;
            }
            if kind.is_dir() {
                // A build folder inside the output is not ours to compare.
                if path.file_name().is_some_and(|n| n == "target") {
                    continue;
                }
                stack.push(path);
            } else if kind.is_file() {
                out.insert(path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/"));
            }
        }
    }
    Ok(out)
}

/// Whether a folder is missing or holds nothing at all.
fn missing_or_empty(dir: &Path) -> bool {
    match fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(_) => !dir.exists(),
    }
}

impl<'d> Stage<'d> {
    /// Starts a run into `out`; `check` only compares. Files whose path
    /// `keep` accepts are also kept in memory (see [`Stage::kept`]).
    pub fn new(out: &Path, check: bool, keep: fn(&str) -> bool, disk: &'d dyn Disk) -> Result<Stage<'d>, String> {
        let fresh = (!check && missing_or_empty(out)).then(|| sibling(out, "new"));
        if let Some(dir) = &fresh {
            let _ = fs::remove_dir_all(dir);
            fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
        }
        Ok(Stage {
            out: out.to_path_buf(),
            check,
            prune: true,
            existing: list_tree(out)?,
            fresh,
            keep,
            disk,
            folders: Mutex::new(BTreeSet::new()),
            state: Mutex::new(State::default()),
        })
    }

    /// The bytes on disk of a generated path, if it exists.
    pub fn read_existing(&self, rel: &str) -> Option<Vec<u8>> {
        self.existing.contains(rel).then(|| fs::read(self.out.join(rel)).ok()).flatten()
    }

    fn fail(&self, message: String) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.error.get_or_insert(message);
    }

    /// Makes the folders above `path` that do not exist yet, recording them.
    fn make_parents(&self, path: &Path) -> Result<(), String> {
        let Some(parent) = path.parent() else { return Ok(()) };
        let mut known = self.folders.lock().unwrap_or_else(|p| p.into_inner());
        if known.contains(parent) {
            return Ok(());
        }
        let missing: Vec<PathBuf> =
            parent.ancestors().take_while(|a| !known.contains(*a) && !a.exists()).map(Path::to_path_buf).collect();
        for folder in missing.iter().rev() {
            fs::create_dir(folder)
                .or_else(|e| if folder.is_dir() { Ok(()) } else { Err(e) })
                .map_err(|e| format!("{}: cannot create: {e}", folder.display()))?;
            if self.fresh.is_none() {
                self.state.lock().unwrap_or_else(|p| p.into_inner()).created.push(folder.clone());
            }
        }
        known.insert(parent.to_path_buf());
        Ok(())
    }

    /// Takes one generated file: compares it, and stages it when it differs.
    /// Callable from several threads; the writing happens outside any lock.
    pub fn accept(&self, file: File) {
        let old = self.read_existing(&file.path);
        let same = old.as_deref() == Some(file.contents.as_bytes());
        {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if state.error.is_some() {
                return;
            }
            if !state.produced.insert(file.path.clone()) {
                state.error = Some(format!("codegen bug: {} is generated twice", file.path));
                return;
            }
            if (self.keep)(&file.path) {
                state.kept.push(file.clone());
            }
            if same {
                state.unchanged += 1;
                return;
            }
            if self.check {
                let why = match &old {
                    None => Staleness::Missing,
                    Some(old) => match (header_sha(old), header_sha(file.contents.as_bytes())) {
                        (Some(a), Some(b)) if a != b => Staleness::SpecChanged,
                        _ => Staleness::Edited,
                    },
                };
                state.stale.push(Stale { path: file.path, why });
                return;
            }
        }
        let target = match &self.fresh {
            Some(dir) => dir.join(&file.path),
            None => sibling(&self.out.join(&file.path), "new"),
        };
        if let Err(e) = self.make_parents(&target) {
            return self.fail(e);
        }
        if let Err(e) = self.disk.write(&target, file.contents.as_bytes()) {
            return self.fail(format!("{}: cannot write: {e}", self.out.join(&file.path).display()));
        }
        self.state.lock().unwrap_or_else(|p| p.into_inner()).staged.push((file.path, target));
    }

    /// Leaves the files that are not generated alone.
    pub fn without_pruning(mut self) -> Self {
        self.prune = false;
        self
    }

    /// The files kept so far (see [`Stage::new`]).
    pub fn kept(&self) -> Vec<File> {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).kept.clone()
    }

    /// Ends the run. In check mode, reports the differences. Otherwise
    /// moves the staged files into place and removes the files no longer
    /// generated, or, if anything fails, restores the tree and fails.
    pub fn commit(self) -> Result<Outcome, String> {
        let mut state = std::mem::take(&mut *self.state.lock().unwrap_or_else(|p| p.into_inner()));
        if let Some(e) = state.error.take() {
            self.clean(&mut state);
            return Err(e);
        }
        let removals: Vec<String> =
            if self.prune { self.existing.difference(&state.produced).cloned().collect() } else { Vec::new() };
        if self.check {
            let mut stale = std::mem::take(&mut state.stale);
            stale.sort_by(|a, b| a.path.cmp(&b.path));
            stale.extend(removals.into_iter().map(|path| Stale { path, why: Staleness::Extra }));
            return Ok(Outcome { unchanged: state.unchanged, stale, ..Outcome::default() });
        }
        if let Some(dir) = &self.fresh {
            // The whole new tree replaces an empty or missing folder at once.
            let had_folder = self.out.is_dir();
            if had_folder {
                let _ = fs::remove_dir(&self.out);
            }
            if let Err(e) = self.disk.rename(dir, &self.out) {
                if had_folder {
                    let _ = fs::create_dir(&self.out);
                }
                self.clean(&mut state);
                return Err(format!("{}: cannot write: {e}", self.out.display()));
            }
            return Ok(Outcome { written: state.staged.len(), ..Outcome::default() });
        }
        // Moved aside: (real path, where its old bytes are now).
        let mut aside: Vec<(PathBuf, PathBuf)> = Vec::new();
        // New files put in place.
        let mut placed: Vec<PathBuf> = Vec::new();
        let staged = state.staged.clone();
        let result = (|| -> Result<(), String> {
            for (rel, temp) in &staged {
                let target = self.out.join(rel);
                if self.existing.contains(rel) {
                    let old = sibling(&target, "old");
                    self.disk.rename(&target, &old).map_err(|e| format!("{}: cannot replace: {e}", target.display()))?;
                    aside.push((target.clone(), old));
                }
                self.disk.rename(temp, &target).map_err(|e| format!("{}: cannot write: {e}", target.display()))?;
                placed.push(target);
            }
            for rel in &removals {
                let target = self.out.join(rel);
                let old = sibling(&target, "old");
                self.disk.rename(&target, &old).map_err(|e| format!("{}: cannot remove: {e}", target.display()))?;
                aside.push((target, old));
            }
            Ok(())
        })();
        if let Err(e) = result {
            // Back out: new files go, old ones come back, temporaries go.
            for target in placed.iter().rev() {
                let _ = fs::remove_file(target);
            }
            for (target, old) in aside.iter().rev() {
                let _ = fs::rename(old, target);
            }
            self.clean(&mut state);
            return Err(e);
        }
        for (_, old) in &aside {
            let _ = fs::remove_file(old);
        }
        // Folders the removals emptied go too (never the output folder).
        for rel in &removals {
            let mut folder = self.out.join(rel);
            while folder.pop() && folder != self.out && fs::remove_dir(&folder).is_ok() {}
        }
        Ok(Outcome { written: placed.len(), removed: removals.len(), unchanged: state.unchanged, stale: Vec::new() })
    }

    /// Deletes the temporaries and the folders created by a failed run.
    fn clean(&self, state: &mut State) {
        if let Some(dir) = &self.fresh {
            let _ = fs::remove_dir_all(dir);
        }
        for (_, temp) in state.staged.drain(..) {
            let _ = fs::remove_file(temp);
        }
        for folder in state.created.drain(..).rev() {
            let _ = fs::remove_dir(folder);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Works for real but fails on the n-th operation.
    struct FailAfter(std::sync::atomic::AtomicUsize);

    impl FailAfter {
        fn new(n: usize) -> FailAfter {
            FailAfter(std::sync::atomic::AtomicUsize::new(n))
        }

        fn step(&self) -> io::Result<()> {
            use std::sync::atomic::Ordering;
            self.0
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .map(|_| ())
                .map_err(|_| io::Error::other("injected failure"))
        }
    }

    impl Disk for FailAfter {
        fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
            self.step()?;
            RealDisk.write(path, bytes)
        }
        fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
            self.step()?;
            RealDisk.rename(from, to)
        }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-stage-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src")).expect("scratch dir");
        fs::write(dir.join("src/a.rs"), "old a").expect("seed");
        fs::write(dir.join("src/b.rs"), "old b").expect("seed");
        fs::write(dir.join("stale.rs"), "stale").expect("seed");
        dir
    }

    fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
        list_tree(dir).expect("list").into_iter().map(|p| (p.clone(), fs::read(dir.join(&p)).expect("read"))).collect()
    }

    fn files() -> Vec<File> {
        vec![
            File { path: "src/a.rs".into(), contents: "new a".into() },
            File { path: "src/b.rs".into(), contents: "old b".into() },
            File { path: "new/deeper/c.rs".into(), contents: "new c".into() },
        ]
    }

    fn run(dir: &Path, disk: &dyn Disk) -> Result<Outcome, String> {
        let stage = Stage::new(dir, false, |_| false, disk)?;
        for f in files() {
            stage.accept(f);
        }
        stage.commit()
    }

    #[test]
    fn a_failure_at_any_step_leaves_the_tree_byte_for_byte() {
        // Two writes, then renames: a aside, a in place, c in place, stale aside.
        for fail_at in 0..6 {
            let dir = scratch(&format!("fail{fail_at}"));
            let before = snapshot(&dir);
            let err = run(&dir, &FailAfter::new(fail_at)).expect_err("injected");
            assert!(err.contains("injected failure"), "{err}");
            assert_eq!(snapshot(&dir), before, "failing at step {fail_at}");
            assert!(!dir.join("new").exists(), "the folder the failed run created is gone");
            let _ = fs::remove_dir_all(&dir);
        }
    }

    #[test]
    fn success_writes_changes_keeps_the_rest_and_removes_stale_files() {
        let dir = scratch("ok");
        let outcome = run(&dir, &RealDisk).expect("commits");
        assert_eq!((outcome.written, outcome.removed, outcome.unchanged), (2, 1, 1));
        let after = snapshot(&dir);
        let paths: Vec<&str> = after.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["new/deeper/c.rs", "src/a.rs", "src/b.rs"]);
        assert_eq!(fs::read(dir.join("src/a.rs")).expect("a"), b"new a");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn what_belongs_to_the_user_or_cargo_is_neither_compared_nor_removed() {
        let dir = scratch("user");
        let theirs = [".git/HEAD", ".gitignore", "Cargo.lock", "target/debug/x", "src/.editor-swap"];
        for path in theirs {
            let path = dir.join(path);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(&path, "theirs").expect("seed");
        }
        // A lock file below the root is not cargo's workspace lock: it is stale.
        fs::write(dir.join("src/Cargo.lock"), "stray").expect("seed");
        let outcome = run(&dir, &RealDisk).expect("commits");
        assert_eq!((outcome.written, outcome.removed, outcome.unchanged), (2, 2, 1));
        for path in theirs {
            assert_eq!(fs::read(dir.join(path)).expect(path), b"theirs", "{path}");
        }
        assert!(!dir.join("src/Cargo.lock").exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_fresh_folder_appears_whole_or_not_at_all() {
        let parent = std::env::temp_dir().join(format!("xtask-stage-fresh-{}", std::process::id()));
        let _ = fs::remove_dir_all(&parent);
        fs::create_dir_all(&parent).expect("parent");
        let out = parent.join("out");
        let err = run(&out, &FailAfter::new(1)).expect_err("injected");
        assert!(err.contains("injected failure"), "{err}");
        assert!(!out.exists(), "a failed run leaves no output folder");
        assert_eq!(fs::read_dir(&parent).expect("parent").count(), 0, "and no temporary folder");
        let outcome = run(&out, &RealDisk).expect("commits");
        assert_eq!(outcome.written, 3);
        assert_eq!(fs::read(out.join("new/deeper/c.rs")).expect("c"), b"new c");
        let _ = fs::remove_dir_all(&parent);
    }

    #[test]
    fn check_mode_changes_nothing_and_names_each_difference() {
        let dir = scratch("check");
        let before = snapshot(&dir);
        let stage = Stage::new(&dir, true, |_| false, &RealDisk).expect("stage");
        for f in files() {
            stage.accept(f);
        }
        let outcome = stage.commit().expect("checks");
        assert_eq!(snapshot(&dir), before);
        let stale: Vec<(&str, &Staleness)> = outcome.stale.iter().map(|s| (s.path.as_str(), &s.why)).collect();
        assert_eq!(
            stale,
            [("new/deeper/c.rs", &Staleness::Missing), ("src/a.rs", &Staleness::Edited), ("stale.rs", &Staleness::Extra)]
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
