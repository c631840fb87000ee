//! The module configuration's AutoRest-style directives.
//!
//! They act in three places, as they do in the real SDK:
//!
//! 1. `remove-path-by-operation` drops operations before anything else sees
//!    them ([`Directives::removes_operation`]).
//! 2. Cmdlet directives act on *variants*: one parameter set of one
//!    operation, with the verb, subject and set name AutoRest gives it. A
//!    directive renames or removes some variants, so it can move a single
//!    set to a cmdlet of its own (`where: {subject: X, variant: ^Get1$}`,
//!    `set: {subject: Y}`), and it adds cmdlet aliases. Directives run in
//!    the order written; each sees the names the earlier ones left.
//! 3. Parameter directives (those with `where: parameter-name`) select
//!    variants the same way, at their place in the order, and act on the
//!    matching parameters of those sets once the cmdlets are built.
//!
//! Variants are then grouped into cmdlets by their final names; set names
//! that now clash are numbered as AutoRest numbers them (`Get`, `Get1`).

use std::collections::{BTreeMap, BTreeSet};

use fancy_regex::RegexBuilder;

use crate::config::{Config, Directive};
use crate::error::{Pointer, Sink};
use crate::ir::{Cmdlet, Operation, ParamSet};
use crate::naming::cmdlet::{CmdletName, NamePrefix};
use crate::naming::ident::{pascal_case, snake_case};

/// The compiled directives of one configuration.
pub(crate) struct Directives {
    removals: Vec<Regex>,
    steps: Vec<Step>,
}

/// One `where` directive, ready to match.
struct Step {
    /// Configuration file and pointer of the directive, for messages.
    file: Option<String>,
    pointer: Pointer,
    matchers: Matchers,
    action: Action,
}

#[derive(Default)]
struct Matchers {
    cmdlet: Option<Regex>,
    operation_id: Option<Regex>,
    path: Option<Regex>,
    verb: Option<Regex>,
    subject: Option<Regex>,
    subject_prefix: Option<Regex>,
    variant: Option<Regex>,
    parameter_name: Option<Regex>,
}

enum Action {
    Command { remove: bool, verb: Option<String>, subject: Option<String>, aliases: Vec<String> },
    Parameter { hide: bool, rename: Option<String>, aliases: Vec<String>, mandatory: Option<bool> },
}

/// One parameter set of one operation on its way to a cmdlet.
#[derive(Debug, Clone)]
pub(crate) struct Variant {
    pub operation: usize,
    pub set: ParamSet,
    pub verb: String,
    pub subject_prefix: String,
    pub subject: String,
    pub aliases: Vec<String>,
    removed: bool,
}

impl Variant {
    /// A variant of the cmdlet `name` (whose noun starts with `prefix`).
    pub(crate) fn new(name: &CmdletName, prefix: &NamePrefix, set: ParamSet) -> Variant {
        let subject = name
            .noun
            .strip_prefix(&prefix.prefix)
            .and_then(|rest| rest.strip_prefix(&prefix.subject_prefix))
            .unwrap_or(&name.noun)
            .to_owned();
        Variant {
            operation: set.operation,
            set,
            verb: name.verb.clone(),
            subject_prefix: prefix.subject_prefix.clone(),
            subject,
            aliases: Vec::new(),
            removed: false,
        }
    }

    fn full_name(&self, prefix: &str) -> String {
        format!("{}-{prefix}{}{}", self.verb, self.subject_prefix, self.subject)
    }
}

/// A cmdlet as the directives left it: its name and its variants.
pub(crate) struct Grouped {
    pub full: String,
    pub verb: String,
    pub noun: String,
    pub sets: Vec<ParamSet>,
    pub aliases: Vec<String>,
    /// Index in the variant list of each set, in `sets` order.
    variant_ids: Vec<usize>,
}

/// A parameter directive with the variants it selected.
pub(crate) struct ParamAction {
    step: usize,
    variants: Vec<usize>,
}

/// A compiled directive regex. The real SDK's configuration is JavaScript
/// and uses look-ahead (`^admin(?!\.serviceAnnouncement)`) and
/// back-references (`^(X)(\1)+`), so these are `fancy_regex` patterns; a
/// match that exceeds its backtracking limit counts as no match.
pub(crate) struct Regex(fancy_regex::Regex);

impl Regex {
    fn build(text: &str) -> Result<Regex, String> {
        RegexBuilder::new(text).case_insensitive(true).build().map(Regex).map_err(|e| e.to_string())
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text).unwrap_or(false)
    }
}

/// A selector on a PowerShell name, as AutoRest reads it: letters and
/// digits alone must equal the whole name; anything else is a regex
/// searched in the name. Case is ignored.
fn name_pattern(text: &str) -> Result<Regex, String> {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric()) {
        Regex::build(&format!("^(?:{text})$"))
    } else {
        Regex::build(text)
    }
}

/// A regex searched in an operationId or a cmdlet name, ignoring case.
fn search_pattern(text: &str) -> Result<Regex, String> {
    Regex::build(text)
}

/// JavaScript's `String.replace` with a global regex, as AutoRest applies
/// `set` values: every match is replaced by the template, where `$1`...
/// `$99` are captured groups, `$&` the whole match and `$$` a dollar sign.
/// A match that exceeds the backtracking limit leaves the text unchanged.
pub(crate) fn replace_all(regex: &Regex, text: &str, template: &str) -> String {
    let mut out = String::with_capacity(text.len() + template.len());
    let mut last = 0;
    for caps in regex.0.captures_iter(text) {
        let Ok(caps) = caps else { return text.to_owned() };
        let Some(whole) = caps.get(0) else { continue };
        out.push_str(text.get(last..whole.start()).unwrap_or_default());
        expand(&caps, template, &mut out);
        last = whole.end();
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

/// The template with `$1`... taken from the first match in `text` (the
/// template as is when nothing matches).
fn expand_first(regex: &Regex, text: &str, template: &str) -> String {
    match regex.0.captures(text) {
        Ok(Some(caps)) => {
            let mut out = String::new();
            expand(&caps, template, &mut out);
            out
        }
        _ => template.to_owned(),
    }
}

fn expand(caps: &fancy_regex::Captures<'_, str>, template: &str, out: &mut String) {
    let bytes = template.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            match bytes.get(i + 1) {
                Some(b'$') => {
                    out.push('$');
                    i += 2;
                    continue;
                }
                Some(b'&') => {
                    out.push_str(caps.get(0).map_or("", |m| m.as_str()));
                    i += 2;
                    continue;
                }
                Some(d) if d.is_ascii_digit() => {
                    let one = usize::from(d - b'0');
                    let two = bytes.get(i + 2).filter(|e| e.is_ascii_digit()).map(|e| one * 10 + usize::from(e - b'0'));
                    // JavaScript takes two digits only when that group exists.
                    let (group, width) = match two {
                        Some(n) if n >= 1 && n < caps.len() => (n, 3),
                        _ => (one, 2),
                    };
                    if group >= 1 && group < caps.len() {
                        out.push_str(caps.get(group).map_or("", |m| m.as_str()));
                        i += width;
                        continue;
                    }
                }
                _ => {}
            }
        }
        // Copy one whole character (the template may hold any UTF-8).
        let ch_len = template.get(i..).and_then(|t| t.chars().next()).map_or(1, char::len_utf8);
        out.push_str(template.get(i..i + ch_len).unwrap_or_default());
        i += ch_len;
    }
}

/// Whether a verb or subject set by a directive can name a cmdlet.
fn is_name_part(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric())
}

impl Directives {
    /// Compiles every directive, reporting bad ones (with the file and
    /// pointer they were written at) to `sink`; bad ones are left out.
    pub(crate) fn compile(config: &Config, sink: &mut Sink) -> Directives {
        let mut removals = Vec::new();
        let mut steps = Vec::new();
        for (position, directive) in config.directive.iter().enumerate() {
            let (file, index) = match &directive.origin {
                Some(origin) => (Some(origin.file.clone()), origin.index),
                None => (None, position),
            };
            let pointer = Pointer::root().join("directive").join(index);
            let mut report = |at: &Pointer, message: String| match &file {
                Some(f) => sink.push_in(f, at, None, message),
                None => sink.push(at, None, message),
            };
            if let Some(pattern) = &directive.remove_path_by_operation {
                if !directive.selector.is_empty() || directive.set.is_some() || directive.remove {
                    report(&pointer, "`remove-path-by-operation` stands alone: write `where`, `set` and `remove` in a directive of their own".into());
                    continue;
                }
                match search_pattern(pattern) {
                    Ok(regex) => removals.push(regex),
                    Err(e) => report(&pointer.join("remove-path-by-operation"), format!("invalid regex: {e}")),
                }
                continue;
            }
            match compile_step(directive, &pointer) {
                Ok((matchers, action)) => steps.push(Step { file, pointer, matchers, action }),
                Err((at, message)) => report(&at, message),
            }
        }
        Directives { removals, steps }
    }

    /// Whether `remove-path-by-operation` drops the operation.
    pub(crate) fn removes_operation(&self, operation_id: &str) -> bool {
        self.removals.iter().any(|r| r.is_match(operation_id))
    }

    /// Runs the cmdlet directives over the variants, in order, and returns
    /// the parameter directives with the variants each one selected.
    pub(crate) fn apply_to_variants(
        &self,
        variants: &mut [Variant],
        operations: &[Operation],
        prefix: &NamePrefix,
        sink: &mut Sink,
    ) -> Vec<ParamAction> {
        let mut actions = Vec::new();
        for (step_index, step) in self.steps.iter().enumerate() {
            let selected: Vec<usize> = variants
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.removed && step.selects(v, operations, &prefix.prefix))
                .map(|(i, _)| i)
                .collect();
            match &step.action {
                Action::Parameter { .. } => {
                    if !selected.is_empty() {
                        actions.push(ParamAction { step: step_index, variants: selected });
                    }
                }
                Action::Command { remove: true, .. } => {
                    for &i in &selected {
                        if let Some(v) = variants.get_mut(i) {
                            v.removed = true;
                        }
                    }
                }
                Action::Command { remove: false, verb, subject, aliases } => {
                    for &i in &selected {
                        let Some(v) = variants.get_mut(i) else { continue };
                        let old_subject = v.subject.clone();
                        if let Some(template) = subject {
                            let new = match &step.matchers.subject {
                                Some(re) => replace_all(re, &v.subject, template),
                                None => template.clone(),
                            };
                            if !is_name_part(&new) {
                                step.report(sink, "subject", format!("renames `{}` to the subject `{new}`, which is not letters and digits", v.full_name(&prefix.prefix)));
                                continue;
                            }
                            v.subject = new;
                        }
                        if let Some(template) = verb {
                            let new = match &step.matchers.verb {
                                Some(re) => replace_all(re, &v.verb, template),
                                None => template.clone(),
                            };
                            if !is_name_part(&new) {
                                step.report(sink, "verb", format!("renames `{}` to the verb `{new}`, which is not letters and digits", v.full_name(&prefix.prefix)));
                                continue;
                            }
                            v.verb = new;
                        }
                        for alias in aliases {
                            let alias = alias
                                .replacen("${verb}", &v.verb, 1)
                                .replacen("${subject-prefix}", &v.subject_prefix, 1)
                                .replacen("${subject}", &v.subject, 1)
                                .replacen("${variant}", &v.set.name, 1);
                            // `$1`... are the groups the subject selector
                            // captured in the subject before this directive.
                            let alias = match &step.matchers.subject {
                                Some(re) => expand_first(re, &old_subject, &alias),
                                None => alias,
                            };
                            if !alias.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || alias.is_empty() {
                                step.report(sink, "alias", format!("alias `{alias}` of `{}` is not a cmdlet name", v.full_name(&prefix.prefix)));
                                continue;
                            }
                            if !v.aliases.contains(&alias) {
                                v.aliases.push(alias);
                            }
                        }
                    }
                }
            }
        }
        actions
    }

    /// Applies the parameter directives to the built cmdlets.
    pub(crate) fn apply_to_params(&self, actions: &[ParamAction], groups: &[Grouped], cmdlets: &mut [Cmdlet], sink: &mut Sink) {
        // Where each variant ended up: (cmdlet, set name).
        let mut home: BTreeMap<usize, (usize, String)> = BTreeMap::new();
        for (c, group) in groups.iter().enumerate() {
            for (set, &v) in group.sets.iter().zip(&group.variant_ids) {
                home.insert(v, (c, set.name.clone()));
            }
        }
        let mut touched = BTreeSet::new();
        for action in actions {
            let Some(step) = self.steps.get(action.step) else { continue };
            let Action::Parameter { hide, rename, aliases, mandatory } = &step.action else { continue };
            let Some(pattern) = &step.matchers.parameter_name else { continue };
            let mut by_cmdlet: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
            for v in &action.variants {
                if let Some((c, set)) = home.get(v) {
                    by_cmdlet.entry(*c).or_default().insert(set.clone());
                }
            }
            for (c, sets) in by_cmdlet {
                let Some(cmdlet) = cmdlets.get_mut(c) else { continue };
                touched.insert(c);
                let mut added = Vec::new();
                for param in cmdlet.params.iter_mut() {
                    // Common parameters belong to every cmdlet and are not
                    // the operation's: directives leave them alone.
                    let Some(list) = param.sets.as_mut() else { continue };
                    if !pattern.is_match(&param.name) || !list.iter().any(|m| sets.contains(&m.set)) {
                        continue;
                    }
                    if *hide {
                        param.dont_show = true;
                    }
                    for alias in aliases {
                        let alias = if alias.chars().all(|c| c.is_ascii_alphanumeric()) {
                            alias.clone()
                        } else {
                            replace_all(pattern, &param.name, alias)
                        };
                        if !param.aliases.iter().any(|a| a.eq_ignore_ascii_case(&alias)) {
                            param.aliases.push(alias);
                        }
                    }
                    if let Some(mandatory) = mandatory {
                        for m in list.iter_mut().filter(|m| sets.contains(&m.set)) {
                            m.mandatory = *mandatory;
                        }
                    }
                    if let Some(template) = rename {
                        let new_name = replace_all(pattern, &param.name, template);
                        if !is_name_part(&new_name) {
                            step.report(sink, "parameter-name", format!("renames -{} of {} to `{new_name}`, which is not letters and digits", param.name, cmdlet.name));
                            continue;
                        }
                        if list.iter().all(|m| sets.contains(&m.set)) {
                            param.name = new_name.clone();
                            param.rust_name = snake_case(&new_name);
                        } else {
                            // Only some of its sets are selected: those
                            // get a parameter of their own.
                            let (moved, kept): (Vec<_>, Vec<_>) = list.drain(..).partition(|m| sets.contains(&m.set));
                            *list = kept;
                            let mut split = param.clone();
                            split.name = new_name.clone();
                            split.rust_name = snake_case(&new_name);
                            split.sets = Some(moved);
                            added.push(split);
                        }
                    }
                }
                cmdlet.params.extend(added);
                // Two parameters may now share a name (case-insensitively).
                let mut seen = BTreeSet::new();
                for p in &cmdlet.params {
                    if !seen.insert(p.name.to_lowercase()) {
                        step.report(sink, "parameter-name", format!("gives {} two parameters named -{}", cmdlet.name, p.name));
                    }
                }
            }
        }
        for c in touched {
            if let Some(cmdlet) = cmdlets.get_mut(c) {
                cmdlet.params.sort_by_key(|p| p.name.to_lowercase());
            }
        }
    }
}

impl Step {
    fn selects(&self, v: &Variant, operations: &[Operation], prefix: &str) -> bool {
        let m = &self.matchers;
        let hit = |re: &Option<Regex>, text: &str| re.as_ref().is_none_or(|r| r.is_match(text));
        hit(&m.verb, &v.verb)
            && hit(&m.subject, &v.subject)
            && hit(&m.subject_prefix, &v.subject_prefix)
            && hit(&m.variant, &v.set.name)
            && hit(&m.cmdlet, &v.full_name(prefix))
            && m.operation_id.as_ref().is_none_or(|r| operations.get(v.operation).is_some_and(|o| r.is_match(&o.id)))
            && m.path.as_ref().is_none_or(|r| operations.get(v.operation).is_some_and(|o| r.is_match(&o.path.raw)))
    }

    fn report(&self, sink: &mut Sink, key: &str, message: String) {
        let at = self.pointer.join("set").join(key);
        match &self.file {
            Some(f) => sink.push_in(f, &at, None, message),
            None => sink.push(&at, None, message),
        }
    }
}

type StepError = (Pointer, String);

fn compile_step(d: &Directive, pointer: &Pointer) -> Result<(Matchers, Action), StepError> {
    let here = pointer.join("where");
    let s = &d.selector;
    if s.is_empty() {
        return Err((pointer.clone(), "a directive needs `where` (with `set` or `remove`) or `remove-path-by-operation`".into()));
    }
    if s.variant.is_some() && s.parameter_set.is_some() {
        return Err((here.join("parameter-set"), "`parameter-set` and `variant` are the same selector; give one".into()));
    }
    let compile = |value: &Option<String>, key: &str, name_rule: bool| -> Result<Option<Regex>, StepError> {
        match value.as_deref() {
            None | Some("") => Ok(None),
            Some(text) => {
                let built = if name_rule { name_pattern(text) } else { search_pattern(text) };
                built.map(Some).map_err(|e| (here.join(key), format!("invalid regex: {e}")))
            }
        }
    };
    let matchers = Matchers {
        cmdlet: compile(&s.cmdlet, "cmdlet", false)?,
        operation_id: compile(&s.operation_id, "operation-id", false)?,
        path: compile(&s.path, "path", false)?,
        verb: compile(&s.verb, "verb", true)?,
        subject: compile(&s.subject, "subject", true)?,
        subject_prefix: compile(&s.subject_prefix, "subject-prefix", true)?,
        variant: match &s.parameter_set {
            Some(_) => compile(&s.parameter_set, "parameter-set", true)?,
            None => compile(&s.variant, "variant", true)?,
        },
        parameter_name: compile(&s.parameter_name, "parameter-name", true)?,
    };
    let set = d.set.clone().unwrap_or_default();
    if d.set.is_none() && !d.remove {
        return Err((pointer.clone(), "the directive selects but does nothing: give `set` or `remove: true`".into()));
    }
    if d.set.is_some() && d.remove {
        return Err((pointer.join("remove"), "`remove` and `set` do not go together: a removed item has nothing to set".into()));
    }
    let action = if matchers.parameter_name.is_some() {
        if set.verb.is_some() || set.subject.is_some() {
            let key = if set.verb.is_some() { "verb" } else { "subject" };
            return Err((pointer.join("set").join(key), "a directive on parameters (`where: parameter-name`) cannot rename cmdlets".into()));
        }
        Action::Parameter { hide: d.remove, rename: set.parameter_name, aliases: set.alias, mandatory: set.mandatory }
    } else {
        if set.parameter_name.is_some() || set.mandatory.is_some() {
            let key = if set.parameter_name.is_some() { "parameter-name" } else { "mandatory" };
            return Err((pointer.join("set").join(key), "this acts on parameters: select them with `where: parameter-name`".into()));
        }
        Action::Command { remove: d.remove, verb: set.verb, subject: set.subject, aliases: set.alias }
    };
    Ok((matchers, action))
}

/// Groups the surviving variants into cmdlets by their final names. Set
/// names that now clash in one cmdlet are numbered as AutoRest numbers them:
/// trailing digits dropped, then 1, 2... until free.
pub(crate) fn regroup(variants: Vec<Variant>, prefix: &NamePrefix) -> Vec<Grouped> {
    let mut groups: BTreeMap<String, Grouped> = BTreeMap::new();
    let mut taken: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (id, v) in variants.into_iter().enumerate() {
        if v.removed {
            continue;
        }
        let full = v.full_name(&prefix.prefix);
        let group = groups.entry(full.clone()).or_insert_with(|| Grouped {
            full: full.clone(),
            verb: v.verb.clone(),
            noun: format!("{}{}{}", prefix.prefix, v.subject_prefix, v.subject),
            sets: Vec::new(),
            aliases: Vec::new(),
            variant_ids: Vec::new(),
        });
        let names = taken.entry(full.clone()).or_default();
        let mut set = v.set;
        if names.contains(&set.name.to_lowercase()) {
            let base = set.name.trim_end_matches(|c: char| c.is_ascii_digit()).to_owned();
            let mut n = 1u32;
            while names.contains(&format!("{base}{n}").to_lowercase()) {
                n += 1;
            }
            set.name = format!("{base}{n}");
            set.variant = pascal_case(&set.name);
        }
        names.insert(set.name.to_lowercase());
        for alias in v.aliases {
            if !alias.eq_ignore_ascii_case(&full) && !group.aliases.contains(&alias) {
                group.aliases.push(alias);
            }
        }
        group.sets.push(set);
        group.variant_ids.push(id);
    }
    groups.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_templates_follow_javascript() {
        let re = name_pattern("^(User)(Calendar)$").expect("valid");
        assert_eq!(replace_all(&re, "UserCalendar", "$1Default$2"), "UserDefaultCalendar");
        assert_eq!(replace_all(&re, "UserCalendar", "$$1-$&"), "$1-UserCalendar");
        let re = name_pattern("(.*)AdminWindowUpdate(.*)").expect("valid");
        assert_eq!(replace_all(&re, "GetAdminWindowUpdateCatalog", "$1WindowsUpdates$2"), "GetWindowsUpdatesCatalog");
        // A group that does not exist stays literal text.
        assert_eq!(replace_all(&re, "AdminWindowUpdateX", "$3$1"), "$3");
        // Every match is replaced, as with a global JavaScript regex.
        let re = name_pattern("Io(Lob|Managed)").expect("valid");
        assert_eq!(replace_all(&re, "IoLobAppIoManagedApp", "iOS$1"), "iOSLobAppiOSManagedApp");
    }

    #[test]
    fn plain_words_match_whole_names_ignoring_case() {
        let re = name_pattern("Get").expect("valid");
        assert!(re.is_match("get") && !re.is_match("GetAll"));
        let re = name_pattern("New|Remove").expect("valid");
        assert!(re.is_match("Remove") && re.is_match("RemoveAll"));
    }
}
