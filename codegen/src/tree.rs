//! Comparing a freshly generated file set with what is on disk: the one
//! check behind `cargo xtask codegen --check`, the staleness test and the
//! writer (which writes only what changed). Pure: callers read the disk.

use std::collections::BTreeMap;
use std::fmt;

use crate::emit::File;

/// What must change on disk to match the generated files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Files to create or overwrite.
    pub write: Vec<File>,
    /// Paths to delete (generated before, not any more).
    pub remove: Vec<String>,
    /// How many files are already up to date.
    pub unchanged: usize,
}

impl Plan {
    /// Whether the disk already matches.
    pub fn is_empty(&self) -> bool {
        self.write.is_empty() && self.remove.is_empty()
    }
}

/// `existing` maps relative paths to the bytes on disk.
pub fn plan(files: &[File], existing: &BTreeMap<String, Vec<u8>>) -> Plan {
    let mut plan = Plan::default();
    for file in files {
        match existing.get(&file.path) {
            Some(bytes) if bytes.as_slice() == file.contents.as_bytes() => plan.unchanged += 1,
            _ => plan.write.push(file.clone()),
        }
    }
    let produced: std::collections::BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for path in existing.keys() {
        if !produced.contains(path.as_str()) {
            plan.remove.push(path.clone());
        }
    }
    plan
}

/// Why one file is stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staleness {
    /// Not generated yet.
    Missing,
    /// Generated from another version of the spec.
    SpecChanged,
    /// Same spec, different bytes: edited by hand (or the generator changed).
    Edited,
    /// No longer generated.
    Extra,
}

/// One stale file with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Relative path.
    pub path: String,
    /// Why.
    pub why: Staleness,
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.why {
            Staleness::Missing => "missing: run `cargo xtask codegen`",
            Staleness::SpecChanged => "spec changed since generation: run `cargo xtask codegen`",
            Staleness::Edited => {
                "differs from what the generator writes for this spec (edited by hand, or codegen changed): \
                 regenerate with `cargo xtask codegen` and move any wanted change into codegen/ or spec/"
            }
            Staleness::Extra => "no longer generated: run `cargo xtask codegen` to remove it",
        };
        write!(f, "{}: {why}", self.path)
    }
}

/// Explains every difference the plan holds. `spec_sha256` is the current
/// spec's hash, compared with the one in each old file's header.
pub fn stale_files(plan: &Plan, existing: &BTreeMap<String, Vec<u8>>, spec_sha256: &str) -> Vec<Stale> {
    let mut out: Vec<Stale> = plan
        .write
        .iter()
        .map(|f| {
            let why = match existing.get(&f.path) {
                None => Staleness::Missing,
                // Files shared by several documents carry their own hash.
                Some(old) => match header_sha(old) {
                    Some(sha) if sha != header_sha(f.contents.as_bytes()).as_deref().unwrap_or(spec_sha256) => {
                        Staleness::SpecChanged
                    }
                    _ => Staleness::Edited,
                },
            };
            Stale { path: f.path.clone(), why }
        })
        .collect();
    out.extend(plan.remove.iter().map(|p| Stale { path: p.clone(), why: Staleness::Extra }));
    out
}

/// The spec hash recorded in a generated file's header, if any.
pub fn header_sha(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(2048)];
    let text = String::from_utf8_lossy(head);
    let at = text.find("sha256:")? + "sha256:".len();
    let sha: String = text[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    (sha.len() == 64).then_some(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> File {
        File { path: path.into(), contents: contents.into() }
    }

    #[test]
    fn plans_only_what_changed() {
        let existing: BTreeMap<String, Vec<u8>> =
            [("a".to_owned(), b"same".to_vec()), ("b".to_owned(), b"old".to_vec()), ("gone".to_owned(), b"x".to_vec())]
                .into_iter()
                .collect();
        let plan = plan(&[file("a", "same"), file("b", "new"), file("c", "added")], &existing);
        assert_eq!(plan.unchanged, 1);
        assert_eq!(plan.write.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(plan.remove, ["gone"]);
    }

    #[test]
    fn tells_spec_changes_from_hand_edits() {
        let old_sha = "a".repeat(64);
        let new_sha = "b".repeat(64);
        let existing: BTreeMap<String, Vec<u8>> = [
            ("spec".to_owned(), format!("// spec: x sha256:{old_sha}\nold").into_bytes()),
            ("edit".to_owned(), format!("// spec: x sha256:{new_sha}\nhand edit").into_bytes()),
        ]
        .into_iter()
        .collect();
        let files = [file("spec", "new"), file("edit", "new")];
        let stale = stale_files(&plan(&files, &existing), &existing, &new_sha);
        assert_eq!(stale[0].why, Staleness::SpecChanged);
        assert_eq!(stale[1].why, Staleness::Edited);
        assert!(stale[0].to_string().contains("spec changed since generation"));
    }
}
