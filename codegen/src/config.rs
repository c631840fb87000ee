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

/// One AutoRest-style directive. Either a selector (`where`) with what to do
/// to the selection (`set`, `remove`), or `remove-path-by-operation` alone.
///
/// Selectors on PowerShell names (`verb`, `subject`, `subject-prefix`,
/// `variant`, `parameter-name`) follow AutoRest: a value made only of ASCII
/// letters and digits must equal the whole name; anything else is a regular
/// expression searched in the name. Every regex ignores case, and every
/// given field must match.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Directive {
    /// What the directive applies to.
    #[serde(rename = "where", default)]
    pub selector: Selector,
    /// Changes to make.
    #[serde(default)]
    pub set: Option<DirectiveSet>,
    /// Remove the selected cmdlets or parameter sets; hide the selected
    /// parameters (they stay bindable, as AutoRest's hidden parameters do).
    #[serde(default)]
    pub remove: bool,
    /// Regex on operationIds: matching operations are dropped before
    /// anything else looks at the document (collision checks, the identity
    /// type, cmdlets), as the real SDK's `remove-path-by-operation` does.
    #[serde(default)]
    pub remove_path_by_operation: Option<String>,
    /// Where the directive was written, for error messages: set by
    /// [`Config::parse`], not read from the file.
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// The file and position of a directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The configuration file as the user named it.
    pub file: String,
    /// Index in that file's `directive` list.
    pub index: usize,
}

/// Selects cmdlets, parameter sets, operations or parameters. All given
/// fields must match.
#[derive(Debug, Clone, Deserialize, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Selector {
    /// Regex on the full cmdlet name (`Start-MgBetaApplicationSynchronizationJob`).
    #[serde(default)]
    pub cmdlet: Option<String>,
    /// Regex on the operationId.
    #[serde(default)]
    pub operation_id: Option<String>,
    /// Regex on the path template (`/users/{user-id}/calendar`): tells apart
    /// operations that share an operationId.
    #[serde(default)]
    pub path: Option<String>,
    /// The PowerShell verb (`Get`, `New|Remove`).
    #[serde(default)]
    pub verb: Option<String>,
    /// The noun without `Mg` and the subject prefix (`ApplicationOwner`).
    #[serde(default)]
    pub subject: Option<String>,
    /// The subject prefix: `Beta` for beta documents, empty for v1.0 (select
    /// v1.0 with `^$`).
    #[serde(default)]
    pub subject_prefix: Option<String>,
    /// The parameter-set name (`List`, `Get1`, `CreateViaIdentityExpanded`).
    #[serde(default)]
    pub variant: Option<String>,
    /// The same as `variant` (the name this file format used first).
    #[serde(default)]
    pub parameter_set: Option<String>,
    /// The PowerShell parameter name. With it, the directive acts on the
    /// matching parameters of the selected cmdlets instead of the cmdlets.
    #[serde(default)]
    pub parameter_name: Option<String>,
}

impl Selector {
    /// Whether no field is given.
    pub fn is_empty(&self) -> bool {
        self == &Selector::default()
    }
}

/// What a directive changes. `subject`, `verb` and `parameter-name` may use
/// `$1`, `$2`... for the groups captured by the selector of the same name.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DirectiveSet {
    /// Aliases to add: to the selected parameter, or (without
    /// `parameter-name`) to the selected cmdlets, where `${verb}`,
    /// `${subject-prefix}`, `${subject}` and `${variant}` stand for the
    /// cmdlet's names after this directive's changes
    /// (`${verb}-Mg${subject-prefix}${subject}` keeps the current name), and
    /// `$1`, `$2`... the groups the `subject` selector captured. One name or
    /// a list.
    #[serde(default, deserialize_with = "one_or_many")]
    pub alias: Vec<String>,
    /// New name of the selected parameter.
    #[serde(default)]
    pub parameter_name: Option<String>,
    /// New verb of the selected cmdlets.
    #[serde(default)]
    pub verb: Option<String>,
    /// New subject (noun without `Mg` and the subject prefix) of the
    /// selected cmdlets.
    #[serde(default)]
    pub subject: Option<String>,
    /// Make the selected parameter mandatory (or not) in the selected sets.
    #[serde(default)]
    pub mandatory: Option<bool>,
}

/// A string or a list of strings.
fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a name or a list of names")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_owned()])
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element::<String>()? {
                out.push(item);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_any(Visitor)
}

impl Config {
    /// Parses a configuration file's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Config, Error> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let value: serde_yaml::Value = parse_yaml(file, text)?;
        let mut config: Config = from_value(file, value)?;
        for (index, directive) in config.directive.iter_mut().enumerate() {
            directive.origin = Some(Origin { file: file.to_owned(), index });
        }
        Ok(config)
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

/// The configuration of a whole SDK: one file shared by every module plus
/// at most one file per module, named after the module document's
/// `info.title` (`Users.Actions.yaml`). Both have the layout of [`Config`].
///
/// A module's configuration is the shared one with the module file laid
/// over it: maps (`crate`, `module`, `replace`, `parameter-names`,
/// `identity-keys`) are merged key by key with the module's entries
/// winning, other values are replaced, and the module's directives run
/// before the shared ones (as the real SDK's module readmes run before its
/// common `readme.graph.md`).
///
/// Pure: the caller reads the files and hands over their names and text.
#[derive(Debug, Clone, Default)]
pub struct SdkConfig {
    shared: Option<Layer>,
    modules: BTreeMap<String, Layer>,
}

/// One configuration file: its name, its YAML map and its directive count.
#[derive(Debug, Clone)]
struct Layer {
    file: String,
    map: serde_yaml::Mapping,
    directives: usize,
}

impl Layer {
    /// Parses and checks one file; an empty file is an empty map.
    fn parse(file: &str, text: &str) -> Result<Layer, Error> {
        let config = Config::parse(file, text)?;
        // Bad regexes and directive shapes are reported once, here, rather
        // than once per module generated with them.
        let mut sink = crate::error::Sink::new(file);
        crate::lower::directives::Directives::compile(&config, &mut sink);
        sink.finish(())?;
        let value: serde_yaml::Value = if text.trim().is_empty() { serde_yaml::Value::Null } else { parse_yaml(file, text)? };
        let map = match value {
            serde_yaml::Value::Mapping(map) => map,
            serde_yaml::Value::Null => serde_yaml::Mapping::new(),
            // Config::parse has refused anything else already.
            _ => return Err(Error::single(file, "", "the configuration must be a YAML map")),
        };
        Ok(Layer { file: file.to_owned(), map, directives: config.directive.len() })
    }
}

/// The module a configuration file is for: its file name without the
/// directory and the `.yaml` (or `.yml`) extension.
pub fn module_title_of(file: &str) -> Option<&str> {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")).filter(|t| !t.is_empty())
}

impl SdkConfig {
    /// The name of the shared file in a configuration folder.
    pub const SHARED_FILE: &'static str = "graph.yaml";

    /// Parses the shared file (if any) and the module files, each given as
    /// (name, text). Every file is checked on its own, so errors name the
    /// file and the JSON pointer of the node; all of them are reported.
    pub fn parse(shared: Option<(&str, &str)>, modules: &[(&str, &str)]) -> Result<SdkConfig, Error> {
        let mut diagnostics = Vec::new();
        let mut config = SdkConfig::default();
        if let Some((file, text)) = shared {
            match Layer::parse(file, text) {
                Ok(layer) => config.shared = Some(layer),
                Err(e) => diagnostics.extend(e.diagnostics),
            }
        }
        for (file, text) in modules {
            let Some(title) = module_title_of(file) else {
                diagnostics.extend(Error::single(file, "", "a module configuration file is named `<info.title>.yaml`").diagnostics);
                continue;
            };
            if let Some(first) = config.modules.get(title) {
                let message = format!("a second configuration for module `{title}` (the first is {})", first.file);
                diagnostics.extend(Error::single(file, "", message).diagnostics);
                continue;
            }
            match Layer::parse(file, text) {
                Ok(layer) => {
                    config.modules.insert(title.to_owned(), layer);
                }
                Err(e) => diagnostics.extend(e.diagnostics),
            }
        }
        if diagnostics.is_empty() { Ok(config) } else { Err(Error { diagnostics }) }
    }

    /// The modules that have a file of their own, by title.
    pub fn module_titles(&self) -> impl Iterator<Item = &str> {
        self.modules.keys().map(String::as_str)
    }

    /// How the configuration of a module is named in messages: its files.
    pub fn files_for(&self, title: &str) -> String {
        let files: Vec<&str> =
            self.modules.get(title).into_iter().chain(self.shared.as_ref()).map(|l| l.file.as_str()).collect();
        if files.is_empty() { "(default configuration)".to_owned() } else { files.join(" + ") }
    }

    /// The merged configuration of the module whose document has this
    /// `info.title`. Directives keep the file and index they were written
    /// at, so errors found while generating point into the right file.
    pub fn config_for(&self, title: &str) -> Result<Config, Error> {
        let module = self.modules.get(title);
        let mut merged = self.shared.as_ref().map(|l| l.map.clone()).unwrap_or_default();
        if let Some(layer) = module {
            for (key, value) in &layer.map {
                let combined = match (key.as_str(), merged.get(key), value) {
                    (Some("directive"), Some(serde_yaml::Value::Sequence(shared)), serde_yaml::Value::Sequence(own)) => {
                        serde_yaml::Value::Sequence(own.iter().chain(shared).cloned().collect())
                    }
                    (_, Some(serde_yaml::Value::Mapping(shared)), serde_yaml::Value::Mapping(own)) => {
                        let mut map = shared.clone();
                        for (k, v) in own {
                            map.insert(k.clone(), v.clone());
                        }
                        serde_yaml::Value::Mapping(map)
                    }
                    _ => value.clone(),
                };
                merged.insert(key.clone(), combined);
            }
        }
        let file = self.files_for(title);
        let mut config: Config = from_value(&file, serde_yaml::Value::Mapping(merged))?;
        let origins = module
            .into_iter()
            .flat_map(|l| (0..l.directives).map(move |i| (l.file.clone(), i)))
            .chain(self.shared.iter().flat_map(|l| (0..l.directives).map(move |i| (l.file.clone(), i))));
        for (directive, (file, index)) in config.directive.iter_mut().zip(origins) {
            directive.origin = Some(Origin { file, index });
        }
        Ok(config)
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
    fn sdk_configuration_merges_module_over_shared() {
        let shared = "replace:\n  A: runtime::A\n  B: runtime::B\nmodule:\n  help-uri-base: https://example.test/shared\ndirective:\n  - where: {subject: Shared}\n    remove: true\n";
        let users = "replace:\n  B: runtime::OwnB\nmodule:\n  name: Users\ndirective:\n  - remove-path-by-operation: ^user\\.joinedTeam\n  - where: {verb: Get, subject: ^(User)Thing$}\n    set: {subject: $1Other, alias: '${verb}-Mg${subject-prefix}${subject}'}\n";
        let sdk = SdkConfig::parse(Some(("sdk/graph.yaml", shared)), &[("sdk/Users.Actions.yaml", users)]).expect("valid");
        assert_eq!(sdk.module_titles().collect::<Vec<_>>(), ["Users.Actions"]);
        let c = sdk.config_for("Users.Actions").expect("merges");
        assert_eq!(c.replace.get("A").map(String::as_str), Some("runtime::A"));
        assert_eq!(c.replace.get("B").map(String::as_str), Some("runtime::OwnB"));
        assert_eq!(c.module.name.as_deref(), Some("Users"));
        assert_eq!(c.module.help_uri_base.as_deref(), Some("https://example.test/shared"));
        // Module directives first, each remembering where it was written.
        let origins: Vec<(String, usize)> = c.directive.iter().filter_map(|d| d.origin.clone()).map(|o| (o.file, o.index)).collect();
        assert_eq!(origins, [("sdk/Users.Actions.yaml".into(), 0), ("sdk/Users.Actions.yaml".into(), 1), ("sdk/graph.yaml".into(), 0)]);
        assert_eq!(c.directive[0].remove_path_by_operation.as_deref(), Some("^user\\.joinedTeam"));
        assert_eq!(c.directive[1].set.as_ref().map(|s| s.alias.clone()), Some(vec!["${verb}-Mg${subject-prefix}${subject}".to_owned()]));
        // A module without a file of its own gets the shared configuration.
        let other = sdk.config_for("Mail").expect("shared only");
        assert_eq!(other.directive.len(), 1);
        assert_eq!(sdk.files_for("Mail"), "sdk/graph.yaml");
        assert_eq!(sdk.files_for("Users.Actions"), "sdk/Users.Actions.yaml + sdk/graph.yaml");
    }

    #[test]
    fn sdk_configuration_errors_name_each_file() {
        let err = SdkConfig::parse(
            Some(("sdk/graph.yaml", "directive:\n  - where: {subjekt: X}\n    remove: true\n")),
            &[("sdk/Mail.yaml", "crate: [1]\n"), ("sdk/notes.txt", ""), ("sdk/Teams.yaml", "directive:\n  - remove-path-by-operation: '(('\n")],
        )
        .expect_err("four bad files");
        let text = err.to_string();
        assert!(text.contains("sdk/graph.yaml#/directive/0/where"), "{text}");
        assert!(text.contains("sdk/Mail.yaml#/crate"), "{text}");
        assert!(text.contains("sdk/notes.txt#/: a module configuration file is named"), "{text}");
        assert!(text.contains("sdk/Teams.yaml#/directive/0/remove-path-by-operation: invalid regex"), "{text}");
        assert_eq!(module_title_of("spec/sdk/Users.Actions.yaml"), Some("Users.Actions"));
        assert_eq!(module_title_of("graph.yml"), Some("graph"));
        assert_eq!(module_title_of(".yaml"), None);
    }

    #[test]
    fn aliases_are_one_name_or_a_list() {
        let c = Config::parse("c.yaml", "directive:\n  - where: {parameter-name: Top}\n    set: {alias: Limit}\n").expect("one name");
        assert_eq!(c.directive[0].set.as_ref().map(|s| s.alias.clone()), Some(vec!["Limit".to_owned()]));
        let err = Config::parse("c.yaml", "directive:\n  - where: {parameter-name: Top}\n    set: {alias: {a: b}}\n").expect_err("a map");
        assert!(err.to_string().contains("c.yaml#/directive/0/set/alias"), "{err}");
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
