//! Reading input files with a size bound. Writing the generated tree is
//! `stage.rs`.

use std::fs;
use std::path::Path;

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
