//! The generator configuration that sits beside a spec document: crate
//! facts, PowerShell module facts and AutoRest-style directives. Everything
//! module-specific lives here, not in the generator's Rust code.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Error;
use crate::load::{from_value, parse_yaml};

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The OpenAPI document, relative to the configuration file.
    #[serde(default)]
    pub input: Option<String>,
    /// Facts about the emitted crate.
    #[serde(default)]
    #[serde(rename = "crate")]
    pub package: CrateConfig,
    /// PowerShell module facts.
    #[serde(default)]
    pub module: ModuleConfig,
    /// Component schema name -> Rust path (relative to the crate root) of a
    /// type the runtime provides instead.
    #[serde(default)]
    pub replace: BTreeMap<String, String>,
    /// Path placeholder -> PowerShell parameter name, where no rule gives it.
    #[serde(default)]
    pub parameter_names: BTreeMap<String, String>,
    /// Module-wide identity keys: path placeholder -> description.
    #[serde(default)]
    pub identity_keys: BTreeMap<String, String>,
    /// A YAML file (relative to the configuration file) holding more
    /// identity keys, as `cargo xtask fragment` writes them. Its entries are
    /// merged into `identity_keys` by [`Config::merge_identity_keys`]; an
    /// inline entry wins over the file's.
    #[serde(default)]
    pub identity_keys_file: Option<String>,
    /// Directives applied to the derived cmdlets, in order.
    #[serde(default)]
    pub directive: Vec<Directive>,
}

/// The emitted crates' package facts. Everything left out is derived from
/// the module and the API version: `mg-beta-applications` and
/// `mg-beta-models` for beta Applications, `mg-users` and `mg-models` for
/// v1.0 Users, version 0.1.0, binary `mg`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CrateConfig {
    /// Package name of the module crate (kebab-case).
    #[serde(default)]
    pub name: Option<String>,
    /// Package name of the models crate of the module's version.
    #[serde(default)]
    pub models: Option<String>,
    /// Package version.
    #[serde(default)]
    pub version: Option<String>,
    /// Name of the CLI binary.
    #[serde(default)]
    pub binary: Option<String>,
    /// Package description.
    #[serde(default)]
    pub description: Option<String>,
}

/// PowerShell module facts.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ModuleConfig {
    /// Module name; the identity type is `I<name>Identity`. Defaults to the
    /// document's `info.title`.
    #[serde(default)]
    pub name: Option<String>,
    /// Noun prefix override (`MgBeta`); derived from the server URL otherwise.
    #[serde(default)]
    pub prefix: Option<String>,
    /// PowerShell namespace of the module's types (`Microsoft.Graph.Beta.PowerShell`);
    /// derived from the server URL otherwise.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Base of the online help links (`.../<cmdlet-lowercase>` is appended).
    #[serde(default)]
    pub help_uri_base: Option<String>,
}

/// One AutoRest-style directive: a selector and an action.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Directive {
    /// What the directive applies to.
    #[serde(rename = "where")]
    pub selector: Selector,
    /// Changes to make.
    #[serde(default)]
    pub set: Option<DirectiveSet>,
    /// Remove the selected cmdlets, parameter sets or operations.
    #[serde(default)]
    pub remove: bool,
}

/// Selects cmdlets, operations or parameters. All given fields must match.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Selector {
    /// Regex on the full cmdlet name (`Start-MgBetaApplicationSynchronizationJob`).
    #[serde(default)]
    pub cmdlet: Option<String>,
    /// Regex on the operationId.
    #[serde(default)]
    pub operation_id: Option<String>,
    /// Exact parameter-set name.
    #[serde(default)]
    pub parameter_set: Option<String>,
    /// Exact PowerShell parameter name.
    #[serde(default)]
    pub parameter_name: Option<String>,
}

/// What a directive changes.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DirectiveSet {
    /// Aliases to add to the selected parameter.
    #[serde(default)]
    pub alias: Vec<String>,
    /// New name of the selected parameter.
    #[serde(default)]
    pub parameter_name: Option<String>,
    /// New verb of the selected cmdlet.
    #[serde(default)]
    pub verb: Option<String>,
    /// New noun (without prefix) of the selected cmdlet.
    #[serde(default)]
    pub subject: Option<String>,
    /// Make the selected parameter mandatory (or not) in the selected sets.
    #[serde(default)]
    pub mandatory: Option<bool>,
}

impl Config {
    /// Parses a configuration file's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Config, Error> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let value: serde_yaml::Value = parse_yaml(file, text)?;
        from_value(file, value)
    }

    /// This configuration (shared by several modules) with a module's own
    /// on top: the module's facts win where it gives them, maps are joined
    /// (the module's entries win), and the module's directives run after
    /// the shared ones.
    pub fn merged_with(mut self, module: Config) -> Config {
        self.input = module.input.or(self.input);
        let (p, m) = (&mut self.package, module.package);
        p.name = m.name.or(p.name.take());
        p.models = m.models.or(p.models.take());
        p.version = m.version.or(p.version.take());
        p.binary = m.binary.or(p.binary.take());
        p.description = m.description.or(p.description.take());
        let (p, m) = (&mut self.module, module.module);
        p.name = m.name.or(p.name.take());
        p.prefix = m.prefix.or(p.prefix.take());
        p.namespace = m.namespace.or(p.namespace.take());
        p.help_uri_base = m.help_uri_base.or(p.help_uri_base.take());
        self.replace.extend(module.replace);
        self.parameter_names.extend(module.parameter_names);
        self.identity_keys.extend(module.identity_keys);
        self.identity_keys_file = module.identity_keys_file.or(self.identity_keys_file);
        self.directive.extend(module.directive);
        self
    }

    /// Merges the text of an identity-keys file (a YAML map placeholder ->
    /// description; `file` names it in errors) into `identity_keys`. Inline
    /// entries win: the file only adds placeholders not already configured.
    pub fn merge_identity_keys(&mut self, file: &str, text: &str) -> Result<(), Error> {
        let value: serde_yaml::Value = if text.trim().is_empty() { serde_yaml::Value::Null } else { parse_yaml(file, text)? };
        if value.is_null() {
            return Ok(());
        }
        if !value.is_mapping() {
            return Err(Error::single(file, "", "identity keys must be a YAML map: path placeholder -> description"));
        }
        let keys: BTreeMap<String, String> = from_value(file, value)?;
        for (placeholder, description) in keys {
            self.identity_keys.entry(placeholder).or_insert(description);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors_with_a_pointer() {
        let err = Config::parse("spec/codegen.yaml", "crate:\n  name: a\n  version: b\n  binary: c\n  colour: red\n")
            .expect_err("unknown field");
        assert!(err.to_string().contains("spec/codegen.yaml#/crate/colour") || err.to_string().contains("#/crate"), "{err}");
    }

    #[test]
    fn identity_keys_file_merges_and_inline_entries_win() {
        let mut c = Config::parse(
            "spec/codegen.yaml",
            "identity-keys-file: identity-keys.yaml\nidentity-keys:\n  a-id: inline\n",
        )
        .expect("valid");
        assert_eq!(c.identity_keys_file.as_deref(), Some("identity-keys.yaml"));
        c.merge_identity_keys("spec/identity-keys.yaml", "# keys\na-id: from file\nb-id: The b\n").expect("merges");
        let keys: Vec<(&str, &str)> = c.identity_keys.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(keys, [("a-id", "inline"), ("b-id", "The b")]);
        c.merge_identity_keys("spec/identity-keys.yaml", "# nothing yet\n").expect("an empty file is no keys");
        assert_eq!(c.identity_keys.len(), 2);
    }

    #[test]
    fn bad_identity_keys_files_name_the_file_and_node() {
        let mut c = Config::default();
        let err = c.merge_identity_keys("spec/identity-keys.yaml", "a-id: [1, 2]\n").expect_err("not a string");
        assert!(err.to_string().starts_with("error: spec/identity-keys.yaml#/a-id: "), "{err}");
        let err = c.merge_identity_keys("spec/identity-keys.yaml", "- a-id\n").expect_err("not a map");
        assert!(err.to_string().starts_with("error: spec/identity-keys.yaml#/: identity keys must be a YAML map"), "{err}");
        let err = c.merge_identity_keys("spec/identity-keys.yaml", "a: [\n").expect_err("syntax");
        assert!(err.to_string().contains("spec/identity-keys.yaml#/: not valid YAML at line"), "{err}");
    }

    #[test]
    fn directives_parse() {
        let c = Config::parse(
            "c.yaml",
            "directive:\n  - where: {parameter-name: ApplicationId}\n    set: {alias: [ObjectId]}\n",
        )
        .expect("valid");
        assert_eq!(c.directive[0].set.as_ref().map(|s| s.alias.clone()), Some(vec!["ObjectId".to_owned()]));
    }
}
