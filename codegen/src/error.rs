//! Errors about the input: every one names the file, a JSON pointer into the
//! document and, where known, the operationId, so a user can jump straight to
//! the offending node.

use std::fmt;

/// One problem found in a spec document or in the generator configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in, as the user named it.
    pub file: String,
    /// RFC 6901 JSON pointer of the offending node (`""` is the whole document).
    pub pointer: String,
    /// The operationId of the operation the node belongs to, when there is one.
    pub operation_id: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() { "/" } else { &self.pointer };
        write!(f, "{}#{}: {}", self.file, pointer, self.message)?;
        if let Some(id) = &self.operation_id {
            write!(f, " (operationId `{id}`)")?;
        }
        Ok(())
    }
}

/// Everything that went wrong in one generation. Lowering collects all
/// problems instead of stopping at the first, so one run shows them all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Error {
    /// The problems, in the order they were found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Error {
    /// An error with a single diagnostic.
    pub fn single(file: &str, pointer: impl Into<String>, message: impl Into<String>) -> Error {
        Error {
            diagnostics: vec![Diagnostic {
                file: file.to_owned(),
                pointer: pointer.into(),
                operation_id: None,
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.diagnostics.as_slice() {
            [] => write!(f, "generation failed"),
            [one] => write!(f, "error: {one}"),
            many => {
                write!(f, "{} errors:", many.len())?;
                for d in many {
                    write!(f, "\n  error: {d}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}

/// Collects diagnostics while a stage walks the document.
#[derive(Debug)]
pub(crate) struct Sink {
    file: String,
    diagnostics: Vec<Diagnostic>,
}

impl Sink {
    pub(crate) fn new(file: &str) -> Sink {
        Sink { file: file.to_owned(), diagnostics: Vec::new() }
    }

    pub(crate) fn push(&mut self, pointer: &Pointer, operation_id: Option<&str>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            file: self.file.clone(),
            pointer: pointer.to_string(),
            operation_id: operation_id.map(str::to_owned),
            message: message.into(),
        });
    }

    /// Like [`Sink::push`], for a node of another file (a directive of a
    /// shared configuration file, say).
    pub(crate) fn push_in(&mut self, file: &str, pointer: &Pointer, operation_id: Option<&str>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            file: file.to_owned(),
            pointer: pointer.to_string(),
            operation_id: operation_id.map(str::to_owned),
            message: message.into(),
        });
    }

    /// Like [`Sink::push`], for a pointer already rendered (the IR keeps
    /// operation pointers as text).
    pub(crate) fn push_at(&mut self, pointer: &str, operation_id: Option<&str>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            file: self.file.clone(),
            pointer: pointer.to_owned(),
            operation_id: operation_id.map(str::to_owned),
            message: message.into(),
        });
    }

    /// Whether a diagnostic at `pointer` with `message` is already there.
    pub(crate) fn has(&self, pointer: &str, message: &str) -> bool {
        self.diagnostics.iter().any(|d| d.pointer == pointer && d.message == message)
    }

    pub(crate) fn len(&self) -> usize {
        self.diagnostics.len()
    }

    /// Turns the collected diagnostics into `Err` when there are any.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, Error> {
        if self.diagnostics.is_empty() {
            Ok(value)
        } else {
            Err(Error { diagnostics: self.diagnostics })
        }
    }
}

/// A JSON pointer under construction; segments are escaped on display.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pointer(Vec<String>);

impl Pointer {
    pub(crate) fn root() -> Pointer {
        Pointer(Vec::new())
    }

    /// The pointer of a child node.
    pub(crate) fn join(&self, segment: impl fmt::Display) -> Pointer {
        let mut next = self.0.clone();
        next.push(segment.to_string());
        Pointer(next)
    }
}

impl Pointer {
    /// The unescaped segments.
    pub(crate) fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.0 {
            write!(f, "/{}", segment.replace('~', "~0").replace('/', "~1"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_escapes_slashes_and_tildes() {
        let p = Pointer::root().join("paths").join("/applications/{id}").join("a~b");
        assert_eq!(p.to_string(), "/paths/~1applications~1{id}/a~0b");
    }

    #[test]
    fn display_names_file_pointer_and_operation() {
        let mut sink = Sink::new("spec/a.yaml");
        sink.push(&Pointer::root().join("paths"), Some("op_x"), "bad thing");
        let err = sink.finish(()).expect_err("one diagnostic");
        assert_eq!(err.to_string(), "error: spec/a.yaml#/paths: bad thing (operationId `op_x`)");
    }
}
