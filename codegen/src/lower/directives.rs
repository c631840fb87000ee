//! The module configuration's AutoRest-style directives, applied to the
//! derived cmdlets: renames and removals by operation, then parameter
//! aliases, renames, hiding and parameter-set removal.

use regex::Regex;

use crate::config::Directive;
use crate::error::{Pointer, Sink};
use crate::ir::{Cmdlet, Operation};
use crate::naming::cmdlet::{CmdletName, NamePrefix};
use crate::naming::ident::snake_case;

pub(crate) struct CompiledDirective<'a> {
    source: &'a Directive,
    cmdlet: Option<Regex>,
    operation_id: Option<Regex>,
}

pub(crate) fn compile_directives<'a>(directives: &'a [Directive], sink: &mut Sink) -> Vec<CompiledDirective<'a>> {
    let mut out = Vec::new();
    for (index, d) in directives.iter().enumerate() {
        let here = Pointer::root().join("directive").join(index).join("where");
        let compile = |pattern: &Option<String>, key: &str, sink: &mut Sink| -> Result<Option<Regex>, ()> {
            match pattern {
                None => Ok(None),
                Some(p) => Regex::new(p).map(Some).map_err(|e| sink.push(&here.join(key), None, format!("invalid regex: {e}"))),
            }
        };
        let (Ok(cmdlet), Ok(operation_id)) =
            (compile(&d.selector.cmdlet, "cmdlet", sink), compile(&d.selector.operation_id, "operation-id", sink))
        else {
            continue;
        };
        out.push(CompiledDirective { source: d, cmdlet, operation_id });
    }
    out
}

/// Renames or removes by operation; returns true when the operation is removed.
pub(crate) fn apply_name_directives(
    directives: &[CompiledDirective<'_>],
    operation_id: &str,
    prefix: &NamePrefix,
    name: &mut CmdletName,
) -> bool {
    for d in directives {
        if d.source.selector.parameter_name.is_some() || d.source.selector.parameter_set.is_some() {
            continue;
        }
        let op_matches = d.operation_id.as_ref().is_none_or(|r| r.is_match(operation_id));
        let cmdlet_matches = d.cmdlet.as_ref().is_none_or(|r| r.is_match(&name.full()));
        if !(op_matches && cmdlet_matches) || (d.operation_id.is_none() && d.cmdlet.is_none()) {
            continue;
        }
        if d.source.remove {
            return true;
        }
        if let Some(set) = &d.source.set {
            if let Some(verb) = &set.verb {
                name.verb = verb.clone();
            }
            if let Some(subject) = &set.subject {
                name.noun = format!("{}{}{subject}", prefix.prefix, prefix.subject_prefix);
            }
        }
    }
    false
}

pub(crate) fn apply_param_directives(directives: &[CompiledDirective<'_>], operations: &[Operation], cmdlet: &mut Cmdlet) {
    for d in directives {
        if d.cmdlet.as_ref().is_some_and(|r| !r.is_match(&cmdlet.name)) {
            continue;
        }
        // Sets of this cmdlet whose operation the directive selects.
        let selected: Vec<String> = cmdlet
            .sets
            .iter()
            .filter(|s| d.operation_id.as_ref().is_none_or(|r| operations.get(s.operation).is_some_and(|o| r.is_match(&o.id))))
            .filter(|s| d.source.selector.parameter_set.as_ref().is_none_or(|n| &s.name == n))
            .map(|s| s.name.clone())
            .collect();
        match (&d.source.selector.parameter_name, &d.source.selector.parameter_set) {
            (None, Some(_)) if d.source.remove => remove_sets(cmdlet, &selected),
            (Some(param_name), _) => {
                let Some(param) = cmdlet.params.iter_mut().find(|p| p.name.eq_ignore_ascii_case(param_name)) else {
                    continue;
                };
                if d.source.remove {
                    // AutoRest hides such a parameter; it stays bindable.
                    param.dont_show = true;
                }
                let Some(set) = &d.source.set else { continue };
                for alias in &set.alias {
                    if !param.aliases.iter().any(|a| a.eq_ignore_ascii_case(alias)) {
                        param.aliases.push(alias.clone());
                    }
                }
                if let Some(new_name) = &set.parameter_name {
                    param.name = new_name.clone();
                    param.rust_name = snake_case(new_name);
                }
                if let (Some(mandatory), Some(list)) = (set.mandatory, param.sets.as_mut()) {
                    for m in list.iter_mut().filter(|m| selected.contains(&m.set)) {
                        m.mandatory = mandatory;
                    }
                }
            }
            _ => {}
        }
    }
    cmdlet.params.sort_by_key(|p| p.name.to_lowercase());
}

/// Drops parameter sets (and parameters left in no set); the default moves
/// to the first remaining set when it was removed.
fn remove_sets(cmdlet: &mut Cmdlet, names: &[String]) {
    if names.len() >= cmdlet.sets.len() {
        return; // a cmdlet keeps at least one set; remove the cmdlet instead
    }
    cmdlet.sets.retain(|s| !names.contains(&s.name));
    if !cmdlet.sets.iter().any(|s| s.default) {
        if let Some(first) = cmdlet.sets.first_mut() {
            first.default = true;
        }
    }
    for p in &mut cmdlet.params {
        if let Some(list) = p.sets.as_mut() {
            list.retain(|m| !names.contains(&m.set));
        }
    }
    cmdlet.params.retain(|p| p.sets.as_ref().is_none_or(|l| !l.is_empty()));
}

