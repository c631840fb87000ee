//! Reading and writing the generated tree, all or nothing: every file is
//! written through a temporary sibling and a rename, and when any step fails
//! the files already changed are put back as they were.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use codegen::tree::Plan;

/// Largest input read; the loader refuses anything near it with a clear
/// message, and reading stops here so `/dev/zero` cannot exhaust memory.
const MAX_INPUT_BYTES: u64 = 100 * 1024 * 1024 + 1;

pub fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let file = fs::File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if bytes.len() as u64 >= MAX_INPUT_BYTES {
        return Err(format!("{}#/: the file is larger than {} bytes", path.display(), MAX_INPUT_BYTES - 1));
    }
    String::from_utf8(bytes).map_err(|_| format!("{}#/: the file is not UTF-8 text", path.display()))
}

/// Every file below `dir` (relative paths with `/`), or an empty map when
/// the folder does not exist yet.
pub fn read_tree(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut out = BTreeMap::new();
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
            if kind.is_dir() {
                // A build folder inside the output is not ours to compare.
                if path.file_name().is_some_and(|n| n == "target") {
                    continue;
                }
                stack.push(path);
            } else if kind.is_file() {
                let rel = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                let bytes = fs::read(&path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
                out.insert(rel, bytes);
            }
        }
    }
    Ok(out)
}

/// The file operations the writer needs; tests swap in one that fails.
pub trait Disk {
    fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    fn remove(&mut self, path: &Path) -> io::Result<()>;
}

/// The real file system, with atomic per-file writes.
pub struct RealDisk;

impl Disk for RealDisk {
    fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let tmp = temp_sibling(path);
        fs::write(&tmp, bytes)?;
        fs::rename(&tmp, path).inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })
    }

    fn remove(&mut self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)?;
        // Drop folders the removal emptied; a non-empty one stays.
        if let Some(parent) = path.parent() {
            let _ = fs::remove_dir(parent);
        }
        Ok(())
    }
}

fn temp_sibling(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.xtask-tmp-{}", std::process::id()))
}

/// Applies the plan; on failure restores every file it had touched.
pub fn apply(dir: &Path, plan: &Plan, disk: &mut dyn Disk) -> Result<(), String> {
    // Remember what each touched path held so it can be put back.
    let mut undo: Vec<(PathBuf, Option<Vec<u8>>)> = Vec::new();
    // Folders a write creates, outermost first, so that a rollback leaves no
    // empty folder behind either.
    let mut created: Vec<PathBuf> = Vec::new();
    let result = (|| -> Result<(), String> {
        for file in &plan.write {
            let path = dir.join(&file.path);
            let before = fs::read(&path).ok();
            let missing: Vec<PathBuf> = path.ancestors().skip(1).take_while(|a| !a.exists()).map(Path::to_path_buf).collect();
            created.extend(missing.into_iter().rev());
            disk.write(&path, file.contents.as_bytes()).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
            undo.push((path, before));
        }
        for rel in &plan.remove {
            let path = dir.join(rel);
            let before = fs::read(&path).ok();
            disk.remove(&path).map_err(|e| format!("{}: cannot remove: {e}", path.display()))?;
            undo.push((path, before));
        }
        Ok(())
    })();
    if result.is_err() {
        for (path, before) in undo.into_iter().rev() {
            let _ = match before {
                Some(bytes) => RealDisk.write(&path, &bytes),
                None => fs::remove_file(&path),
            };
        }
        for folder in created.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use codegen::File;

    /// Writes for real but fails on the n-th operation.
    struct FailAfter(usize);

    impl Disk for FailAfter {
        fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
            if self.0 == 0 {
                return Err(io::Error::other("injected failure"));
            }
            self.0 -= 1;
            RealDisk.write(path, bytes)
        }
        fn remove(&mut self, path: &Path) -> io::Result<()> {
            if self.0 == 0 {
                return Err(io::Error::other("injected failure"));
            }
            self.0 -= 1;
            RealDisk.remove(path)
        }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-disk-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src")).expect("scratch dir");
        fs::write(dir.join("src/a.rs"), "old a").expect("seed");
        fs::write(dir.join("src/b.rs"), "old b").expect("seed");
        fs::write(dir.join("stale.rs"), "stale").expect("seed");
        dir
    }

    fn plan_for(dir: &Path) -> Plan {
        let files = vec![
            File { path: "src/a.rs".into(), contents: "new a".into() },
            File { path: "src/b.rs".into(), contents: "new b".into() },
            File { path: "src/c.rs".into(), contents: "new c".into() },
        ];
        codegen::tree::plan(&files, &read_tree(dir).expect("read"))
    }

    #[test]
    fn a_failure_midway_restores_the_tree_byte_for_byte() {
        for fail_at in 0..4 {
            let dir = scratch(&format!("fail{fail_at}"));
            let before = read_tree(&dir).expect("read");
            let plan = plan_for(&dir);
            let err = apply(&dir, &plan, &mut FailAfter(fail_at)).expect_err("injected");
            assert!(err.contains("injected failure"), "{err}");
            assert_eq!(read_tree(&dir).expect("read"), before, "failing at step {fail_at}");
            let _ = fs::remove_dir_all(&dir);
        }
    }

    #[test]
    fn a_rollback_also_removes_the_folders_it_created() {
        let dir = scratch("folders");
        let before = read_tree(&dir).expect("read");
        let files = vec![
            File { path: "new/deeper/x.rs".into(), contents: "x".into() },
            File { path: "src/a.rs".into(), contents: "new a".into() },
        ];
        let plan = codegen::tree::plan(&files, &before);
        apply(&dir, &plan, &mut FailAfter(1)).expect_err("injected");
        assert_eq!(read_tree(&dir).expect("read"), before);
        assert!(!dir.join("new").exists(), "the folder the failed run created is gone");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn success_writes_changes_and_removes_stale_files() {
        let dir = scratch("ok");
        let plan = plan_for(&dir);
        apply(&dir, &plan, &mut RealDisk).expect("applies");
        let after = read_tree(&dir).expect("read");
        assert_eq!(after.keys().cloned().collect::<Vec<_>>(), ["src/a.rs", "src/b.rs", "src/c.rs"]);
        assert_eq!(after["src/c.rs"], b"new c");
        let _ = fs::remove_dir_all(&dir);
    }
}
