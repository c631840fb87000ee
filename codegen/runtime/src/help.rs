//! Help as `Get-Help` prints it. The generated help documents are Markdown
//! in the PlatyPS layout (see the generator's `emit/docs.rs`); this module
//! reads that layout back and renders the text views users know:
//! the default view, `-Detailed`, `-Full`, `-Examples`, `-Parameter NAME`
//! and `-Online` (which prints the address instead of opening a browser).

use std::borrow::Cow;

/// Which part of the help to show, as `Get-Help`'s switches choose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpView {
    /// NAME, SYNOPSIS, SYNTAX, DESCRIPTION, RELATED LINKS, REMARKS.
    Default,
    /// The default view plus the parameters (descriptions) and examples.
    Detailed,
    /// Everything: parameters with their attributes, inputs, outputs, notes.
    Full,
    /// NAME, SYNOPSIS and the examples.
    Examples,
    /// The parameters whose names match this wildcard pattern.
    Parameter(String),
    /// The address of the online version.
    Online,
}

/// Lines are wrapped to this many columns, as on a console that wide.
const WIDTH: usize = 100;

/// One parameter as the PARAMETERS section describes it.
#[derive(Debug, Default)]
struct ParamHelp {
    name: String,
    ty: String,
    description: String,
    default: String,
    aliases: Vec<String>,
    wildcards: bool,
    /// `(set, required, from pipeline)`.
    sets: Vec<(String, bool, bool)>,
}

#[derive(Debug, Default)]
struct Example {
    title: String,
    code: String,
    remarks: String,
}

/// A help document read back from its Markdown.
#[derive(Debug, Default)]
struct HelpDoc {
    name: String,
    module: String,
    uri: String,
    synopsis: String,
    syntax: Vec<String>,
    description: String,
    params: Vec<ParamHelp>,
    common: String,
    inputs: Vec<(String, String)>,
    outputs: Vec<(String, String)>,
    notes: String,
    examples: Vec<Example>,
    links: Vec<String>,
}

/// The module a help document belongs to (its `Module Name`).
pub fn module_name(help: &str) -> String {
    parse(help).module
}

/// Renders `help` (a generated Markdown help document) for `view`. `program`
/// is the command name used in the REMARKS lines. `Err` carries the message
/// of a view that has nothing to show (no such parameter, no address).
pub fn render(help: &str, view: &HelpView, program: &str) -> Result<String, String> {
    let doc = parse(help);
    let mut out = Out::default();
    match view {
        HelpView::Online => {
            if doc.uri.is_empty() {
                return Err("The online version of this Help topic cannot be displayed because the Internet address (URI) of the Help topic is not specified in the help file.".to_owned());
            }
            return Ok(format!("{}\n", printable(&doc.uri)));
        }
        HelpView::Parameter(pattern) => {
            let matching: Vec<&ParamHelp> = doc
                .params
                .iter()
                .filter(|p| wildcard_match(pattern, &p.name))
                .collect();
            if matching.is_empty() {
                return Err(format!("No parameter matches criteria {pattern}."));
            }
            out.blank();
            for p in matching {
                parameter(&mut out, p, true, 0);
            }
            return Ok(out.finish());
        }
        _ => {}
    }
    out.blank();
    out.heading("NAME");
    out.para(&doc.name, 4);
    out.blank();
    out.heading("SYNOPSIS");
    out.para(&doc.synopsis, 4);
    out.blank();
    if *view == HelpView::Examples {
        examples(&mut out, &doc);
        return Ok(out.finish());
    }
    out.blank();
    out.heading("SYNTAX");
    for line in &doc.syntax {
        out.wrapped(&syntax_types(line, &doc.params), 4, 8);
        out.blank();
    }
    out.blank();
    out.heading("DESCRIPTION");
    out.para(&doc.description, 4);
    out.blank();
    out.blank();
    if matches!(view, HelpView::Detailed | HelpView::Full) {
        out.heading("PARAMETERS");
        for p in &doc.params {
            parameter(&mut out, p, *view == HelpView::Full, 4);
        }
        out.line("    <CommonParameters>");
        out.para(&doc.common, 8);
        out.blank();
        out.blank();
    }
    if *view == HelpView::Full {
        for (title, items) in [("INPUTS", &doc.inputs), ("OUTPUTS", &doc.outputs)] {
            out.heading(title);
            for (ty, text) in items {
                out.para(ty, 4);
                out.para(text, 8);
                out.blank();
            }
            out.blank();
        }
        out.heading("NOTES");
        out.blank();
        out.para(&doc.notes, 8);
        out.blank();
    }
    if matches!(view, HelpView::Detailed | HelpView::Full) {
        examples(&mut out, &doc);
    }
    out.heading("RELATED LINKS");
    for link in &doc.links {
        out.para(link, 4);
    }
    out.blank();
    if *view == HelpView::Default {
        let n = &doc.name;
        out.heading("REMARKS");
        out.line(format!("    To see the examples, type: \"{program} help {n} -Examples\"."));
        out.line(format!("    For more information, type: \"{program} help {n} -Detailed\"."));
        out.line(format!("    For technical information, type: \"{program} help {n} -Full\"."));
        out.line(format!("    For online help, type: \"{program} help {n} -Online\"."));
        out.blank();
    }
    Ok(out.finish())
}

fn examples(out: &mut Out, doc: &HelpDoc) {
    if doc.examples.is_empty() {
        return;
    }
    out.heading("EXAMPLES");
    for example in &doc.examples {
        out.line(format!("    {:-^80}", format!(" {} ", example.title)));
        out.blank();
        for line in example.code.lines() {
            out.line(format!("    {}", printable(line)));
        }
        out.blank();
        out.para(&example.remarks, 4);
        out.blank();
        out.blank();
    }
}

/// One parameter: the heading line, its description, and with `attributes`
/// the table Get-Help prints under it.
fn parameter(out: &mut Out, p: &ParamHelp, attributes: bool, indent: usize) {
    let pad = " ".repeat(indent);
    let ty = short_type(&p.ty);
    if ty.is_empty() {
        out.line(format!("{pad}-{}", p.name));
    } else {
        out.line(format!("{pad}-{} <{ty}>", p.name));
    }
    out.para(&p.description, indent + 4);
    out.blank();
    if !attributes {
        return;
    }
    let required: Vec<&(String, bool, bool)> = p.sets.iter().filter(|s| s.1).collect();
    let required = match (required.len(), p.sets.len()) {
        (0, _) => "false".to_owned(),
        (n, all) if n == all => "true".to_owned(),
        _ => {
            let names: Vec<&str> = required.iter().map(|s| s.0.as_str()).collect();
            format!("true ({}), false otherwise", names.join(", "))
        }
    };
    let pipeline = if p.sets.iter().any(|s| s.2) { "true (ByValue)" } else { "false" };
    let aliases = if p.aliases.is_empty() { "None".to_owned() } else { p.aliases.join(", ") };
    let default = if p.default == "''" { "" } else { p.default.as_str() };
    let rows = [
        ("Required?", required.as_str()),
        ("Position?", "named"),
        ("Default value", default),
        ("Accept pipeline input?", pipeline),
        ("Aliases", aliases.as_str()),
        ("Accept wildcard characters?", if p.wildcards { "true" } else { "false" }),
    ];
    for (label, value) in rows {
        out.line(format!("{pad}    {label:<29}{}", printable(value)).trim_end());
    }
    out.blank();
}

/// Joins a parameter name to its type so that wrapping keeps them together.
const GLUE: char = '\u{e000}';

/// A SYNTAX line with Get-Help's type names (`-Proxy <Uri>`) in place of
/// PlatyPS's short ones (`-Proxy <uri>`), each name glued to its type.
fn syntax_types(line: &str, params: &[ParamHelp]) -> String {
    let mut line = line.replace(" <", &format!("{GLUE}<"));
    for p in params {
        let ty = short_type(&p.ty);
        let head = format!("-{}{GLUE}<", p.name);
        if ty.is_empty() {
            continue;
        }
        if let Some(start) = line.find(&head) {
            let from = start + head.len();
            if let Some(len) = line[from..].find('>') {
                line.replace_range(from..from + len, &ty);
            }
        }
    }
    line
}

/// The type name Get-Help shows: the last segment of the .NET name; none
/// for a switch.
fn short_type(full: &str) -> String {
    if full.ends_with("SwitchParameter") {
        return String::new();
    }
    full.rsplit('.').next().unwrap_or(full).to_owned()
}

/// Text being built, line by line.
#[derive(Default)]
struct Out {
    text: String,
}

impl Out {
    fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(line.as_ref());
        self.text.push('\n');
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }

    fn heading(&mut self, title: &str) {
        self.line(title);
    }

    /// Text from the document, indented and wrapped to [`WIDTH`]. Lines of
    /// a paragraph join, as in Markdown, except lines that start indented
    /// or as a list item, which keep their own line (and indentation).
    fn para(&mut self, text: &str, indent: usize) {
        let mut lines: Vec<(usize, String)> = Vec::new();
        let mut blank = false;
        for line in text.trim().lines() {
            if line.trim().is_empty() {
                blank = true;
                continue;
            }
            let own = line.starts_with([' ', '\t', '>', '|'])
                || line.starts_with("- ")
                || line.starts_with("* ")
                || line.starts_with('[');
            let depth = line.len() - line.trim_start().len();
            let text = inline_markdown(line.trim());
            match lines.last_mut() {
                Some((_, previous)) if !blank && !own => {
                    previous.push(' ');
                    previous.push_str(&text);
                }
                _ => {
                    if blank && !lines.is_empty() {
                        lines.push((0, String::new()));
                    }
                    lines.push((depth, text));
                }
            }
            blank = false;
        }
        for (depth, line) in lines {
            if line.is_empty() {
                self.blank();
            } else {
                // Items hang; a paragraph wraps flush.
                let hang = if depth > 0 { 4 } else { 0 };
                self.wrapped(&line, indent + depth, indent + depth + hang);
            }
        }
    }

    /// One line wrapped at spaces: the first line indented by `first`, the
    /// others by `rest`.
    fn wrapped(&mut self, text: &str, first: usize, rest: usize) {
        let text = printable(text);
        let mut current = " ".repeat(first);
        let mut empty = true;
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let fits = current.chars().count() + 1 + word.chars().count() <= WIDTH;
            if !empty && !fits {
                self.line(&current);
                current = " ".repeat(rest);
                empty = true;
            }
            if !empty {
                current.push(' ');
            }
            current.extend(word.chars().map(|c| if c == GLUE { ' ' } else { c }));
            empty = false;
        }
        if !empty {
            self.line(&current);
        }
    }

    /// The text, with runs of more than two blank lines cut to two.
    fn finish(self) -> String {
        let mut out = String::with_capacity(self.text.len());
        let mut blanks = 0;
        for line in self.text.lines() {
            if line.trim().is_empty() {
                blanks += 1;
                if blanks > 2 {
                    continue;
                }
                out.push('\n');
            } else {
                blanks = 0;
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

/// Markdown inline syntax as plain text: links `[text](url)` become
/// `text (url)` (or the address alone), `> [!NOTE]` becomes `NOTE:`,
/// backslash escapes, `**`/`__` emphasis markers and code-span backticks go.
fn inline_markdown(line: &str) -> String {
    let line = line.strip_prefix("> ").unwrap_or(line);
    let line = line.strip_prefix('>').unwrap_or(line);
    if let Some(kind) = line.trim().strip_prefix("[!").and_then(|r| r.strip_suffix(']')) {
        return format!("{kind}:");
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        // A backslash-escaped bracket is text.
        if rest[..open].ends_with('\\') {
            out.push_str(&rest[..open - 1]);
            out.push('[');
            rest = &rest[open + 1..];
            continue;
        }
        let link = rest[open..].find("](").and_then(|mid| {
            let mid = open + mid;
            rest[mid + 2..].find(')').map(|close| (mid, mid + 2 + close))
        });
        match link {
            Some((mid, close)) if !rest[open + 1..mid].contains('[') => {
                out.push_str(&rest[..open]);
                let (text, url) = (&rest[open + 1..mid], &rest[mid + 2..close]);
                if text.is_empty() {
                    out.push_str(url);
                } else {
                    out.push_str(&format!("{text} ({url})"));
                }
                rest = &rest[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    let mut text = String::with_capacity(out.len());
    let mut chars = out.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(char::is_ascii_punctuation) => text.extend(chars.next()),
            '*' | '_' if chars.peek() == Some(&c) => {
                chars.next();
            }
            // Code spans read as their text.
            '`' => {}
            c => text.push(c),
        }
    }
    text
}

/// Text safe to print on a terminal: control characters (other than tab)
/// and text-direction controls are shown as escapes.
fn printable(text: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\t' && c != '\n')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if bad(c) { c.escape_unicode().to_string() } else { c.to_string() })
            .collect(),
    )
}

/// PowerShell's wildcard matching, without case: `*` any run, `?` one
/// character, `[abc]` and `[a-z]` one of a set, a backtick escapes.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    // Iterative matching with one backtrack point for the last `*`.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        let step = match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match class(&pattern[p..], text[t]) {
                Some((true, len)) => Some(len),
                _ => None,
            },
            Some('`') if pattern.get(p + 1) == Some(&text[t]) => Some(2),
            Some(c) if *c == text[t] && *c != '`' => Some(1),
            _ => None,
        };
        match (step, star) {
            (Some(len), _) => {
                p += len;
                t += 1;
            }
            (None, Some((sp, st))) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            (None, None) => return false,
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// A `[...]` class at the start of `pattern`: whether `c` is in it, and the
/// class's length. `None` if the bracket is never closed.
fn class(pattern: &[char], c: char) -> Option<(bool, usize)> {
    let close = pattern.iter().skip(1).position(|x| *x == ']')? + 1;
    let inner = &pattern[1..close];
    let mut i = 0;
    let mut hit = false;
    while i < inner.len() {
        if i + 2 < inner.len() && inner[i + 1] == '-' {
            hit |= (inner[i]..=inner[i + 2]).contains(&c);
            i += 3;
        } else {
            hit |= inner[i] == c;
            i += 1;
        }
    }
    Some((hit, close + 1))
}

/// True if `text` holds a wildcard character.
pub fn has_wildcards(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

// ---------------------------------------------------------------------------
// Reading the Markdown back

fn parse(help: &str) -> HelpDoc {
    let mut doc = HelpDoc::default();
    let mut lines = help.lines().peekable();
    // Front matter.
    if lines.peek() == Some(&"---") {
        lines.next();
        for line in lines.by_ref() {
            if line == "---" {
                break;
            }
            if let Some((key, value)) = line.split_once(": ") {
                let value = unquote(value.trim());
                match key {
                    "HelpUri" => doc.uri = value,
                    "Module Name" => doc.module = value,
                    _ => {}
                }
            }
        }
    }
    let mut section = String::new();
    let mut sub = String::new();
    let mut text = String::new();
    let mut fence: Option<(String, Vec<String>)> = None;
    let flush = |doc: &mut HelpDoc, section: &str, sub: &str, text: &mut String| {
        let body = std::mem::take(text).trim().to_owned();
        match section {
            "SYNOPSIS" => doc.synopsis = body,
            "DESCRIPTION" => doc.description = body,
            "NOTES" => doc.notes = body,
            "PARAMETERS" if sub == "CommonParameters" => doc.common = body,
            "PARAMETERS" => {
                if let Some(p) = doc.params.last_mut().filter(|p| p.description.is_empty()) {
                    p.description = body;
                }
            }
            "INPUTS" | "OUTPUTS" if !sub.is_empty() => {
                let list = if section == "INPUTS" { &mut doc.inputs } else { &mut doc.outputs };
                list.push((sub.to_owned(), body));
            }
            "EXAMPLES" => {
                if let Some(e) = doc.examples.last_mut() {
                    e.remarks = body;
                }
            }
            _ => {}
        }
    };
    for line in lines {
        if let Some((lang, body)) = &mut fence {
            if line.starts_with("```") {
                let lang = std::mem::take(lang);
                let body = std::mem::take(body);
                fence = None;
                match (section.as_str(), lang.as_str()) {
                    ("SYNTAX", _) => doc.syntax.push(body.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ")),
                    ("PARAMETERS", "yaml") => {
                        if let Some(p) = doc.params.last_mut() {
                            read_yaml(p, &body);
                        }
                    }
                    ("EXAMPLES", _) => {
                        if let Some(e) = doc.examples.last_mut() {
                            e.code = body.join("\n");
                        }
                    }
                    _ => {}
                }
            } else {
                body.push(line.to_owned());
            }
            continue;
        }
        if let Some(lang) = line.strip_prefix("```") {
            // A description before the block belongs to what precedes it.
            if section == "PARAMETERS" {
                flush(&mut doc, &section, &sub, &mut text);
            }
            fence = Some((lang.trim().to_owned(), Vec::new()));
            continue;
        }
        if let Some(title) = line.strip_prefix("# ") {
            doc.name = title.trim().to_owned();
            continue;
        }
        if let Some(title) = line.strip_prefix("## ") {
            flush(&mut doc, &section, &sub, &mut text);
            section = title.trim().to_owned();
            sub.clear();
            continue;
        }
        if let Some(title) = line.strip_prefix("### ") {
            flush(&mut doc, &section, &sub, &mut text);
            sub = title.trim().to_owned();
            match section.as_str() {
                "PARAMETERS" => {
                    if let Some(name) = sub.strip_prefix('-') {
                        doc.params.push(ParamHelp { name: name.to_owned(), ..ParamHelp::default() });
                    }
                }
                "EXAMPLES" => doc.examples.push(Example { title: sub.clone(), ..Example::default() }),
                _ => {}
            }
            continue;
        }
        if section == "RELATED LINKS" {
            if let Some(item) = line.strip_prefix("- ") {
                doc.links.push(inline_markdown(item));
            }
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    flush(&mut doc, &section, &sub, &mut text);
    doc
}

/// Reads the PlatyPS YAML block of a parameter (the layout `docs.rs`
/// writes: `Key: value` lines, lists as `- item` lines).
fn read_yaml(p: &mut ParamHelp, lines: &[String]) {
    let mut key = String::new();
    for line in lines {
        if let Some(item) = line.strip_prefix("- ") {
            match key.as_str() {
                "Aliases" => p.aliases.push(unquote(item.trim())),
                "ParameterSets" => {
                    if let Some(name) = item.strip_prefix("Name: ") {
                        p.sets.push((unquote(name.trim()), false, false));
                    }
                }
                _ => {}
            }
            continue;
        }
        if let Some(item) = line.strip_prefix("  ") {
            if let (Some(set), Some((k, v))) = (p.sets.last_mut(), item.split_once(": ")) {
                match k.trim() {
                    "IsRequired" => set.1 = v.trim() == "true",
                    "ValueFromPipeline" => set.2 = v.trim() == "true",
                    _ => {}
                }
            }
            continue;
        }
        let (k, v) = line.split_once(':').unwrap_or((line, ""));
        key = k.trim().to_owned();
        let v = v.trim();
        match key.as_str() {
            "Type" => p.ty = unquote(v),
            "DefaultValue" => p.default = v.to_owned(),
            "SupportsWildcards" => p.wildcards = v == "true",
            _ => {}
        }
    }
}

/// A YAML scalar without its single quotes.
fn unquote(value: &str) -> String {
    match value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Some(inner) => inner.replace("''", "'"),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_in_powershell() {
        let rows: &[(&str, &str, bool)] = &[
            ("*", "", true),
            ("*Job", "Start-MgBetaApplicationSynchronizationJob", true),
            ("start-*sync*", "Start-MgBetaApplicationSynchronizationJob", true),
            ("Start-?gBeta*", "Start-MgBetaX", true),
            ("*Job", "Start-Jobs", false),
            ("[st]tart", "Start", true),
            ("[a-r]tart", "Start", false),
            ("a`*b", "a*b", true),
            ("a`*b", "axb", false),
            ("[unclosed", "[unclosed", false),
            ("**a**", "banana", true),
        ];
        for (pattern, text, want) in rows {
            assert_eq!(wildcard_match(pattern, text), *want, "{pattern} ~ {text}");
        }
    }

    #[test]
    fn inline_markdown_becomes_text() {
        assert_eq!(inline_markdown("see [Docs](https://x/y) now"), "see Docs (https://x/y) now");
        assert_eq!(inline_markdown("[](https://x)"), "https://x");
        assert_eq!(inline_markdown("> [!NOTE]"), "NOTE:");
        assert_eq!(inline_markdown("a \\[b\\] **c** \\<d\\> `e`"), "a [b] c <d> e");
        assert_eq!(inline_markdown("[unclosed (x"), "[unclosed (x");
    }

    #[test]
    fn control_and_direction_characters_are_escaped() {
        assert_eq!(printable("a\u{1b}[2Jb\u{202e}c"), "a\\u{1b}[2Jb\\u{202e}c");
    }
}
