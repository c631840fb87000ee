//! Any bytes through the loader and the lowering (`codegen::build_ir`): no
//! panic, no stack overflow, no runaway allocation, and every refusal names
//! the file and a JSON pointer.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The loader takes text; xtask refuses non-UTF-8 files before it.
    let text = String::from_utf8_lossy(data).into_owned();
    let spec = codegen::SpecInput { file: "fuzz.yaml".to_owned(), text };
    if let Err(error) = codegen::build_ir(&spec, &codegen::Config::default(), "(default configuration)") {
        assert!(!error.diagnostics.is_empty(), "an error without diagnostics");
        for d in &error.diagnostics {
            assert!(d.file == "fuzz.yaml" || d.file == "(default configuration)", "{d:?}");
            assert!(d.pointer.is_empty() || d.pointer.starts_with('/'), "{d:?}");
            assert!(!d.message.trim().is_empty(), "{d:?}");
        }
    }
});
