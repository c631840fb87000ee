//! Cmdlet names, the way the Microsoft Graph PowerShell SDK derives them.
//!
//! The SDK runs AutoRest.PowerShell (Graph's fork) over documents whose
//! operationIds look like `application.synchronization.job_start`, then
//! applies a few renaming directives. This module reproduces both steps as
//! pure functions, so `application.synchronization.job_start` (POST) becomes
//! `Start-MgBetaApplicationSynchronizationJob`:
//!
//! 1. The operationId splits at its first `_` into a group
//!    (`application.synchronization.job`) and a method (`start`); both are
//!    broken into lower-case words the way AutoRest does (camel humps, digit
//!    to letter steps, dots and other punctuation).
//! 2. A method that is itself a key of the verb table gives the verb, and the
//!    noun is the group alone. Otherwise the method words are searched for the
//!    action word (`infer`), and the remaining words join the noun.
//! 3. Every noun word is singularized, repeated words and repeated word pairs
//!    are dropped (`servicePrincipal_ListServicePrincipal` ->
//!    `ServicePrincipal`), and an action without a PowerShell verb becomes
//!    `Invoke` with the action put in front of the noun.
//! 4. Graph's renames: `Invoke-Delta...` -> `Get-...Delta`, `Test` from a
//!    `check`/`verify` action -> `Confirm`, and the `GraphBPre`-style
//!    placeholders that stand for prepositions turn back into `By`, `With`,
//!    `At`, `For`, `Of`.
//!
//! Per-module directives (removing operations, collapsing
//! `OnPremisePublishingProfileOnPremisePublishingProfile`, parameter aliases)
//! are configuration and are not applied here.

use std::fmt;

use super::singular::singularize;

/// A cmdlet name split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CmdletName {
    /// PowerShell verb: `Start`, `Get`, `Invoke`, ...
    pub verb: String,
    /// Full noun including the prefix: `MgBetaApplicationSynchronizationJob`.
    pub noun: String,
    /// The action word that names the parameter sets (`Start`, `List`,
    /// `Validate`, `Delta`): `Start-MgBetaApplicationSynchronizationJob` has
    /// the sets `Start` and `StartViaIdentity`.
    pub set_action: String,
}

impl CmdletName {
    /// `Verb-Noun`, e.g. `Start-MgBetaApplicationSynchronizationJob`.
    pub fn full(&self) -> String {
        format!("{}-{}", self.verb, self.noun)
    }
}

impl fmt::Display for CmdletName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.verb, self.noun)
    }
}

/// The start of every noun: `Mg` plus a subject prefix (`Beta` for the beta
/// endpoint, empty for v1.0).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamePrefix {
    /// Module-wide prefix, `Mg` for Microsoft Graph.
    pub prefix: String,
    /// `Beta` for beta documents, empty otherwise.
    pub subject_prefix: String,
}

impl NamePrefix {
    /// Derives the prefix from a document's server URL: a last path segment
    /// of `beta` (any case, trailing `/`, query or fragment ignored) gives
    /// `Mg` + `Beta`; `v1.0` and anything else give `Mg` + nothing.
    pub fn from_server_url(url: &str) -> NamePrefix {
        let without_query = url.trim().split(['?', '#']).next().unwrap_or_default();
        let last_segment = without_query
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let subject_prefix = if last_segment.eq_ignore_ascii_case("beta") {
            "Beta"
        } else {
            ""
        };
        NamePrefix {
            prefix: "Mg".to_string(),
            subject_prefix: subject_prefix.to_string(),
        }
    }
}

/// The cmdlet name of an operation, from its operationId and lower-case HTTP
/// method (`get`, `post`, `put`, `patch`, `delete`).
///
/// Never fails: an empty or odd operationId still yields a well-formed name
/// (the action then comes from the HTTP method). When the method splits on
/// `or` into two cmdlets (see [`cmdlet_names`]) this returns the first.
pub fn cmdlet_name(operation_id: &str, http_method: &str, prefix: &NamePrefix) -> CmdletName {
    let names = cmdlet_names(operation_id, http_method, prefix);
    // `cmdlet_names` is never empty; the fallback only avoids an `unwrap`.
    let from_http_method = || build(&fallback(http_method, Vec::new()), http_method, prefix);
    names.into_iter().next().unwrap_or_else(from_http_method)
}

/// All cmdlet names of an operation. AutoRest turns a method made of two
/// alternatives joined by `or` (`createOrGet`) into one cmdlet per
/// alternative; every other operation has exactly one name. Never empty.
pub fn cmdlet_names(operation_id: &str, http_method: &str, prefix: &NamePrefix) -> Vec<CmdletName> {
    let (group, method) = operation_id.split_once('_').unwrap_or(("", operation_id));
    let group_words = split_words(group);
    let method_words = split_words(method);
    let method_pascal = pascal(&method_words);

    let mut candidates = Vec::new();
    if verb_for(&method_pascal, http_method).is_some() {
        // The whole method is a verb-table key: the noun is the group alone.
        candidates.push(Candidate {
            action: method_pascal,
            subject: group_words.clone(),
        });
    } else {
        let mut budget = INFER_BUDGET;
        infer(&method_words, &group_words, &mut candidates, &mut budget);
    }
    if candidates.is_empty() {
        candidates.push(fallback(http_method, group_words));
    }
    candidates
        .iter()
        .map(|c| build(c, http_method, prefix))
        .collect()
}

/// PowerShell parameter name of a path placeholder: its words PascalCased,
/// separators dropped (`synchronizationJob-id` -> `SynchronizationJobId`,
/// `oAuth2PermissionGrant-id` -> `OAuth2PermissionGrantId`,
/// `onPremisesAgentGroup-id1` -> `OnPremisesAgentGroupId1`). Words are not
/// singularized; repeated words collapse as in AutoRest (`id-id` -> `Id`).
/// Spellings such as `IPApplicationSegmentId` come from module
/// configuration, not from this rule.
pub fn parameter_name(placeholder: &str) -> String {
    let mut words = split_words(placeholder);
    words.dedup();
    pascal(&words)
}

/// The PowerShell verb for a PascalCased action word (case-insensitive), or
/// `None` when the verb table does not know it (the cmdlet then uses
/// `Invoke`). `Update` (and `Patch`, which maps to it) on an HTTP PUT is `Set`.
pub fn verb_for(action: &str, http_method: &str) -> Option<&'static str> {
    let same = SAME_NAME_VERBS
        .iter()
        .find(|v| v.eq_ignore_ascii_case(action))
        .copied();
    let verb = same.or_else(|| {
        VERB_GROUPS
            .iter()
            .find(|(_, actions)| actions.iter().any(|a| a.eq_ignore_ascii_case(action)))
            .map(|(verb, _)| *verb)
    })?;
    if verb == "Update" && http_method.eq_ignore_ascii_case("put") {
        Some("Set")
    } else {
        Some(verb)
    }
}

/// Verb table, by PowerShell verb: each action word on the right maps to the
/// verb on the left. Same data as AutoRest's default `verb-mapping`.
#[rustfmt::skip]
const VERB_GROUPS: &[(&str, &[&str])] = &[
    ("Get", &["Access", "Acquire", "Cat", "Dir", "Dump", "Examine", "List", "Obtain", "Retrieve",
              "Suggest", "Type"]),
    ("New", &["Allocate", "Create", "Generate", "Make", "Provision", "Regenerate"]),
    ("Set", &["Assign", "Configure", "Failover", "Put"]),
    ("Update", &["Patch", "Refresh", "Reimage", "Replace", "Reprocess", "Retarget", "Upgrade"]),
    ("Remove", &["Cut", "Delete", "Discard", "Dispose"]),
    ("Add", &["Append", "Apply", "Attach", "Concatenate", "Insert"]),
    ("Clear", &["Erase", "Flush", "Nullify", "Purge", "Unmark", "Unset", "Wipe"]),
    ("Test", &["Analyze", "Check", "Evaluate", "Is", "Validate", "Verify"]),
    ("Find", &["Discover", "Locate"]),
    ("Start", &["Power", "PowerOn", "Run", "Trigger"]),
    ("Stop", &["Cancel", "End", "PowerOff", "Shutdown"]),
    ("Restart", &["ForceReboot", "Reboot"]),
    ("Restore", &["Recover", "Undelete"]),
    ("Suspend", &["Pause"]),
    ("Invoke", &["Execute", "Perform", "Post"]),
    ("Join", &["Associate", "Combine", "Unite"]),
    ("Move", &["Migrate", "Name", "Reassociate", "Transfer"]),
    ("Copy", &["Clone", "Duplicate", "Replicate"]),
    ("Lock", &["Restrict", "Secure"]),
    ("Unlock", &["Unrestrict", "Unsecure"]),
    ("Show", &["Display", "Produce"]),
    ("Skip", &["Bypass", "Jump"]),
    ("Build", &["Compile"]),
    ("Publish", &["Release"]),
    ("Export", &["Capture"]),
    ("Import", &["Load"]),
    ("Sync", &["Synch", "Synchronize"]),
    ("Submit", &["Resubmit"]),
    ("Switch", &["Swap"]),
    ("Rename", &["Change"]),
    ("Reset", &["Generalize"]),
    ("Initialize", &["Activate"]),
    ("Grant", &["Authorize"]),
    ("Send", &["Notify"]),
    ("Split", &["Separate"]),
    ("Enter", &["Into"]),
    ("Complete", &["Finish"]),
];

/// Action words that are PowerShell verbs already and map to themselves.
#[rustfmt::skip]
const SAME_NAME_VERBS: &[&str] = &[
    "Add", "Approve", "Assert", "Backup", "Block", "Build", "Checkpoint", "Clear", "Close",
    "Compare", "Complete", "Compress", "Confirm", "Connect", "Convert", "ConvertFrom", "ConvertTo",
    "Copy", "Debug", "Deny", "Deploy", "Disable", "Disconnect", "Dismount", "Edit", "Enable",
    "Enter", "Exit", "Expand", "Export", "Find", "Format", "Get", "Grant", "Group", "Hide",
    "Import", "Initialize", "Install", "Invoke", "Join", "Limit", "Lock", "Measure", "Merge",
    "Mount", "Move", "New", "Open", "Optimize", "Out", "Ping", "Pop", "Protect", "Publish", "Push",
    "Read", "Receive", "Redo", "Register", "Remove", "Rename", "Repair", "Request", "Reset",
    "Resize", "Resolve", "Restart", "Restore", "Resume", "Revoke", "Save", "Search", "Select",
    "Send", "Set", "Show", "Skip", "Split", "Start", "Step", "Stop", "Submit", "Suspend", "Switch",
    "Sync", "Test", "Trace", "Unblock", "Undo", "Uninstall", "Unlock", "Unprotect", "Unpublish",
    "Unregister", "Update", "Use", "Wait", "Watch", "Write",
];

/// One way of reading a method: the action word and the noun words.
#[derive(Debug, Clone)]
struct Candidate {
    /// A lower-case method word, or the PascalCased method for a table key.
    action: String,
    /// Group words followed by the method words that join the noun.
    subject: Vec<String>,
}

/// Prepositions a method is split on (`DoActionWithStyle` -> `DoAction`); the
/// words after the preposition are dropped, as in AutoRest. Graph documents
/// spell most of these as `GraphBPre`-style placeholders so that the split
/// does not happen there.
const PREPOSITIONS: &[&str] = &["with", "at", "by", "for", "in", "of"];

/// Upper bound on `infer` calls per operation: every `or` doubles the work,
/// and a hostile operationId must not make naming exponential.
const INFER_BUDGET: usize = 32;

/// Finds the action among the method words, following AutoRest's order:
/// split on `or`, then on a preposition, then take the first English verb
/// (or the first word when there is none).
fn infer(words: &[String], group: &[String], out: &mut Vec<Candidate>, budget: &mut usize) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    // The word `all` carries no meaning in a cmdlet name (`ListAll`).
    let words: Vec<String> = words.iter().filter(|w| *w != "all").cloned().collect();
    let push = |out: &mut Vec<Candidate>, action: &String, extra: &[String]| {
        let subject = group.iter().chain(extra).cloned().collect();
        out.push(Candidate {
            action: action.clone(),
            subject,
        });
    };
    match words.as_slice() {
        [] => {}
        [only] => push(out, only, &[]),
        [first, second] => {
            // Either order is possible: `ListOwner` or `OwnerList`.
            if !is_english_verb(first) && is_english_verb(second) {
                push(out, second, std::slice::from_ref(first));
            } else {
                push(out, first, std::slice::from_ref(second));
            }
        }
        [first, rest @ ..] => {
            if let Some(i) = words.iter().position(|w| w == "or").filter(|&i| i > 0) {
                // `CreateOrUpdateFoo` reads as `CreateFoo` and `UpdateFoo`.
                let (before, after) = words.split_at(i);
                let after = after.get(1..).unwrap_or_default();
                let mut left = before.to_vec();
                left.extend(after.iter().skip(1).cloned());
                infer(&left, group, out, budget);
                infer(after, group, out, budget);
            } else if let Some(j) = preposition_index(&words) {
                infer(words.get(..j).unwrap_or_default(), group, out, budget);
            } else {
                match words.iter().position(|w| is_english_verb(w)) {
                    Some(0) | None => push(out, first, rest),
                    Some(i) if i + 1 == words.len() => {
                        let before = words.get(..i).unwrap_or_default();
                        push(out, words.get(i).unwrap_or(first), before);
                    }
                    // A verb in the middle: AutoRest keeps only the group as
                    // the noun (the other words go to a variant suffix that
                    // is later discarded).
                    Some(i) => push(out, words.get(i).unwrap_or(first), &[]),
                }
            }
        }
    }
}

/// Index of the first preposition that splits the words, if any. `in` right
/// after `sign` (`signIn`) is part of a noun, and a preposition in first
/// position does not split.
fn preposition_index(words: &[String]) -> Option<usize> {
    PREPOSITIONS.iter().find_map(|p| {
        let mut positions = words
            .iter()
            .enumerate()
            .filter(|(_, w)| w == p)
            .map(|(i, _)| i);
        let found = if *p == "in" {
            positions.find(|&i| i == 0 || words.get(i - 1).is_none_or(|prev| prev != "sign"))
        } else {
            positions.next()
        };
        found.filter(|&i| i > 0)
    })
}

/// The candidate used when the method has no words at all: the HTTP method
/// is the action (`post` and unknown methods give a bare `Invoke`).
fn fallback(http_method: &str, subject: Vec<String>) -> Candidate {
    let action = match http_method.to_ascii_lowercase().as_str() {
        "get" => "Get",
        "put" => "Put",
        "patch" => "Patch",
        "delete" => "Delete",
        _ => "Post",
    };
    Candidate {
        action: action.to_string(),
        subject,
    }
}

/// Turns a candidate into the final name: verb lookup, `Invoke` prefixing,
/// singular and de-duplicated noun words, then Graph's renames.
fn build(candidate: &Candidate, http_method: &str, prefix: &NamePrefix) -> CmdletName {
    let set_action = capitalize(&candidate.action);
    let mut verb = verb_for(&set_action, http_method).unwrap_or("Invoke");

    let mut words = Vec::new();
    if verb == "Invoke" && !candidate.action.eq_ignore_ascii_case("post") {
        // `filterOperator` -> Invoke-MgBetaFilter<group>Operator.
        words.extend(split_words(&candidate.action));
    }
    words.extend(candidate.subject.iter().cloned());
    let words: Vec<String> = words.iter().map(|w| singularize(w)).collect();
    let mut subject = pascal(&without_repeats(words));

    if verb == "Invoke" {
        if let Some(rest) = subject.strip_prefix("Delta") {
            // Graph: Invoke-MgDeltaApplication -> Get-MgApplicationDelta.
            subject = format!("{rest}Delta");
            verb = "Get";
        }
    }
    if verb == "Test" && (set_action.starts_with("Check") || set_action.starts_with("Verify")) {
        verb = "Confirm";
    }
    let subject = restore_prepositions(&subject);
    CmdletName {
        verb: verb.to_string(),
        noun: format!("{}{}{}", prefix.prefix, prefix.subject_prefix, subject),
        set_action,
    }
}

/// Drops a word equal to the one before it and a word pair equal to the pair
/// before it (case-insensitively): `application application` ->
/// `application`, `service principal service principal` ->
/// `service principal`. Repeats created by a removal collapse too.
fn without_repeats(words: Vec<String>) -> Vec<String> {
    let same = |a: &String, b: &String| a.eq_ignore_ascii_case(b);
    let mut kept: Vec<String> = Vec::with_capacity(words.len());
    for word in words {
        kept.push(word);
        loop {
            let n = kept.len();
            let tail = kept.get(n.saturating_sub(4)..).unwrap_or_default();
            match tail {
                [.., a, b] if same(a, b) => {
                    kept.pop();
                }
                [a, b, c, d] if same(a, c) && same(b, d) => {
                    kept.truncate(n - 2);
                }
                _ => break,
            }
        }
    }
    kept
}

/// Graph's documents write By/With/At/For/Of inside operationIds as
/// placeholders so that AutoRest does not split on them; the SDK renames them
/// back when they follow a lower-case letter.
fn restore_prepositions(subject: &str) -> String {
    const PLACEHOLDERS: &[(&str, &str)] = &[
        ("GraphBPre", "By"),
        ("GraphWPre", "With"),
        ("GraphAPre", "At"),
        ("GraphFPre", "For"),
        ("GraphOPre", "Of"),
    ];
    let mut text = subject.to_string();
    for (placeholder, word) in PLACEHOLDERS {
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (at, _) in text.match_indices(placeholder) {
            let before = text.get(copied..at).unwrap_or_default();
            out.push_str(before);
            let after_lower = text
                .get(..at)
                .and_then(|t| t.chars().next_back())
                .is_some_and(|c| c.is_ascii_lowercase());
            out.push_str(if after_lower { word } else { placeholder });
            copied = at + placeholder.len();
        }
        out.push_str(text.get(copied..).unwrap_or_default());
        text = out;
    }
    text
}

/// Splits an identifier into lower-case ASCII words the way AutoRest does:
/// breaks between a lower-case and an upper-case letter, between a digit and
/// a letter, after a leading acronym (`IPApplication` -> `IP Application`),
/// and at every character that is not an ASCII letter or digit (`.`, `_`,
/// `-`, non-ASCII letters).
fn split_words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut spaced: Vec<char> = Vec::with_capacity(chars.len() + chars.len() / 2);
    let mut prev: Option<char> = None;
    for &c in &chars {
        if let Some(p) = prev {
            let lower_to_upper = p.is_ascii_lowercase() && c.is_ascii_uppercase();
            let digit_to_letter = p.is_ascii_digit() && c.is_ascii_alphabetic();
            if lower_to_upper || digit_to_letter {
                spaced.push(' ');
            }
        }
        spaced.push(c);
        prev = Some(c);
    }
    split_acronyms(&spaced)
        .split(|c| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.iter().collect::<String>().to_ascii_lowercase())
        .collect()
}

/// Separates an acronym that starts a word from the capitalized word it runs
/// into (`IPApplication` -> `IP Application`, `BPre` -> `B Pre`).
///
/// AutoRest's own splitter does this for the first acronym only, which would
/// leave `GraphOPreGraphBPre` as `graph o pre graph bpre`; the published
/// `...ConnectorMemberOfByRef` shows that every one is separated.
fn split_acronyms(chars: &[char]) -> Vec<char> {
    let is_word_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::with_capacity(chars.len() + 4);
    let mut prev: Option<char> = None;
    let mut index = 0;
    while let Some(&c) = chars.get(index) {
        let at_word_start = prev.is_none_or(|p| !is_word_char(p));
        let rest = chars.get(index..).unwrap_or_default();
        let run = rest.iter().take_while(|c| c.is_ascii_uppercase()).count();
        if at_word_start && run >= 2 && rest.get(run).is_some_and(char::is_ascii_lowercase) {
            out.extend(rest.iter().take(run - 1));
            out.push(' ');
            index += run - 1;
            prev = Some(' ');
            continue;
        }
        out.push(c);
        prev = Some(c);
        index += 1;
    }
    out
}

/// Upper-cases the first letter, keeps the rest.
fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Joins words with each first letter capitalized.
fn pascal(words: &[String]) -> String {
    words.iter().map(|w| capitalize(w)).collect()
}

/// Whether a lower-case word is an English verb, for finding the action in a
/// method of several words. A curated list of verbs that occur in Graph (and
/// common English ones); AutoRest ships a far larger dictionary, so a rare
/// verb in a non-leading position may be missed (the first word is then
/// taken, which is also AutoRest's fallback).
fn is_english_verb(word: &str) -> bool {
    ENGLISH_VERBS
        .split_ascii_whitespace()
        .any(|verb| verb == word)
}

/// Lower-case, sorted, separated by white space (checked by a test).
const ENGLISH_VERBS: &str = "
accept access acknowledge acquire activate adapt add adjust allocate allow analyze answer
append apply approve archive ask assert assess assign associate attach audit authenticate
authorize backup ban batch begin bind block book bookmark boot branch break bring build
bypass cache calculate call cancel capture change charge chat check choose claim classify
clean cleanse clear click clone close collect combine comment commit compare compile
complete compose compress compute concatenate configure confirm connect consent consume
contain continue control convert copy correct count create cut deactivate debug decline
decode decommission decrypt define delegate delete deliver deny deploy deprecate describe
deselect destroy detach detect determine disable disallow discard disconnect discover
dismiss dismount dispatch display dispose distribute do download drain draw drop dump
duplicate edit eject elevate email embed emit empty enable encode encrypt end enforce
enqueue enroll ensure enter erase escalate estimate evaluate examine exchange exclude
execute exit expand expect expire explain export extend extract fail fetch fill filter find
finish fix flag flush follow force forget format forward freeze function generate get give
grant group guess handle hang hide highlight hold identify ignore import include increase
index inform initialize insert install instantiate integrate invalidate invite invoke
isolate issue join jump keep kill label launch leave limit link list listen load locate lock
log lookup mail maintain make manage map mark match measure merge migrate mirror modify
monitor mount move mute name navigate notify obtain offer open optimize order organize
override own page park parse pass patch pause perform pin ping place play poll pop populate
post postpone power predict prefer prepare present preview print process produce promote
prompt protect provide provision publish pull purge push put query queue quit raise rank
reach reactivate read reassign reauthorize reboot rebuild recalculate receive recognize
recommend reconnect record recover redeem redirect redo reenable refresh regenerate register
reimage reject release reload remind remove rename render renew reopen reorder repair
replace replicate reply report reprocess reprovision request require reschedule reserve
reset resize resolve respond restart restore restrict resubmit resume retire retrieve retry
return reupload reveal review revoke rotate route run save scan schedule score search secure
select send separate set settle share shift show shutdown sign simulate skip snooze solve
sort split stage start step stop store submit subscribe suggest summarize supply support
suspend swap switch sync synchronize tag take target terminate test toggle trace track
transfer transform translate trigger troubleshoot trust try undo unfollow uninstall unite
unlock unmute unpin unpublish unregister unshare unsubscribe update upgrade upload use
validate verify view vote wait wake watch wipe withdraw write
";

#[cfg(test)]
mod tests {
    use super::*;

    fn beta() -> NamePrefix {
        NamePrefix::from_server_url("https://graph.microsoft.com/beta/")
    }

    /// Trimmed non-empty rows of a table; `#` starts a comment row.
    fn rows(table: &str) -> impl Iterator<Item = &str> {
        table
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
    }

    /// `input => expected` rows.
    fn pairs(table: &str) -> impl Iterator<Item = (&str, &str)> {
        rows(table).map(|r| {
            r.split_once("=>")
                .map_or((r, ""), |(a, b)| (a.trim(), b.trim()))
        })
    }

    /// Rows of operationId, HTTP method, expected cmdlet, expected set action.
    fn check(table: &str) {
        for row in rows(table) {
            let fields: Vec<&str> = row.split_whitespace().collect();
            let [id, method, full, set_action] = fields.as_slice() else {
                panic!("bad row: {row}")
            };
            let name = cmdlet_name(id, method, &beta());
            assert_eq!(
                (name.full().as_str(), name.set_action.as_str()),
                (*full, *set_action),
                "{id}"
            );
        }
    }

    /// Names exported by the published beta Applications module.
    #[test]
    fn published_names() {
        let name = cmdlet_name("application.synchronization.job_start", "post", &beta());
        assert_eq!(
            (name.verb.as_str(), name.noun.as_str()),
            ("Start", "MgBetaApplicationSynchronizationJob")
        );
        assert_eq!(
            name.to_string(),
            "Start-MgBetaApplicationSynchronizationJob"
        );
        check(
            "applications.synchronization.jobs_start post Start-MgBetaApplicationSynchronizationJob Start
            servicePrincipal.synchronization.job_start post Start-MgBetaServicePrincipalSynchronizationJob Start
            application_ListApplication get Get-MgBetaApplication List
            application_CreateApplication post New-MgBetaApplication Create
            application_UpdateApplication patch Update-MgBetaApplication Update
            application_DeleteApplication delete Remove-MgBetaApplication Delete
            application_restore post Restore-MgBetaApplication Restore
            application_ListOwnerGraphBPreRef get Get-MgBetaApplicationOwnerByRef List
            application_DeleteOwnerGraphBPreRef delete Remove-MgBetaApplicationOwnerByRef Delete
            application_ListOwnerAsUser get Get-MgBetaApplicationOwnerAsUser List
            application.Owner_GetCountAsUser get Get-MgBetaApplicationOwnerCountAsUser Get
            application_GetApplicationGraphBPreAppId get Get-MgBetaApplicationByAppId Get
            application_UpdateApplicationGraphBPreUniqueName patch Update-MgBetaApplicationByUniqueName Update
            application_getGraphBPreId post Get-MgBetaApplicationById Get
            application_GetCreatedOnBehalfGraphOPre get Get-MgBetaApplicationCreatedOnBehalfOf Get
            application_SetConnectorGroupGraphBPreRef put Set-MgBetaApplicationConnectorGroupByRef Set
            application.federatedIdentityCredential_GetGraphBPreName get Get-MgBetaApplicationFederatedIdentityCredentialByName Get
            application_SetLogo put Set-MgBetaApplicationLogo Set
            application_addKey post Add-MgBetaApplicationKey Add
            application_removePassword post Remove-MgBetaApplicationPassword Remove
            application_checkMemberGroup post Confirm-MgBetaApplicationMemberGroup Check
            application_getMemberObject post Get-MgBetaApplicationMemberObject Get
            application_unsetVerifiedPublisher post Clear-MgBetaApplicationVerifiedPublisher Unset
            application_delta get Get-MgBetaApplicationDelta Delta
            application_validateProperty post Test-MgBetaApplicationProperty Validate
            application.synchronization_ListJob get Get-MgBetaApplicationSynchronizationJob List
            application.synchronization.job_pause post Suspend-MgBetaApplicationSynchronizationJob Pause
            application.synchronization.job_restart post Restart-MgBetaApplicationSynchronizationJob Restart
            application.synchronization.job_provisionOnDemand post New-MgBetaApplicationSynchronizationJobOnDemand Provision
            application.synchronization.job_validateCredential post Test-MgBetaApplicationSynchronizationJobCredential Validate
            application.synchronization.job_SetBulkUploadContent put Set-MgBetaApplicationSynchronizationJobBulkUploadContent Set
            application.synchronization.job.schema.directory_discover post Find-MgBetaApplicationSynchronizationJobSchemaDirectory Discover
            application.synchronization.job.schema.directory_GetCount get Get-MgBetaApplicationSynchronizationJobSchemaDirectoryCount Get
            application.synchronization.job.schema_filterOperator get Invoke-MgBetaFilterApplicationSynchronizationJobSchemaOperator Filter
            application.synchronization.job.schema_function get Invoke-MgBetaFunctionApplicationSynchronizationJobSchema Function
            application.synchronization.job.schema_parseExpression post Invoke-MgBetaParseApplicationSynchronizationJobSchemaExpression Parse
            application.synchronization_acquireAccessToken post Get-MgBetaApplicationSynchronizationAccessToken Acquire
            application.synchronization_Ping get Ping-MgBetaApplicationSynchronization Ping
            application.synchronization_SetSecret put Set-MgBetaApplicationSynchronizationSecret Set
            applicationTemplate_ListApplicationTemplate get Get-MgBetaApplicationTemplate List
            applicationTemplate_instantiate post Invoke-MgBetaInstantiateApplicationTemplate Instantiate
            servicePrincipal_ListServicePrincipal get Get-MgBetaServicePrincipal List
            servicePrincipal_ListClaimsMappingPolicy get Get-MgBetaServicePrincipalClaimMappingPolicy List
            servicePrincipal_ListMemberGraphOPre get Get-MgBetaServicePrincipalMemberOf List
            servicePrincipal.MemberOf_GetCountAsGroup get Get-MgBetaServicePrincipalMemberOfCountAsGroup Get
            servicePrincipal_createPasswordSingleSignOnCredential post New-MgBetaServicePrincipalPasswordSingleSignOnCredential Create
            servicePrincipal_ListOauth2PermissionGrant get Get-MgBetaServicePrincipalOauth2PermissionGrant List
            onPremisesPublishingProfile.agentGroup_ListAgent get Get-MgBetaOnPremisePublishingProfileAgentGroupAgent List
            # `agent agent group`, then `agent group agent group`, collapse.
            onPremisesPublishingProfile.agentGroup.agent_ListAgentGroupGraphBPreRef get Get-MgBetaOnPremisePublishingProfileAgentGroupByRef List
            onPremisesPublishingProfile.connectorGroup_SetApplicationsLogo put Set-MgBetaOnPremisePublishingProfileConnectorGroupApplicationLogo Set
            onPremisesPublishingProfile.connector_CreateMemberGraphOPreGraphBPreRef post New-MgBetaOnPremisePublishingProfileConnectorMemberOfByRef Create
            # Module configuration, not a rule, collapses the repeated profile.
            onPremisesPublishingProfile_ListOnPremisesPublishingProfile get Get-MgBetaOnPremisePublishingProfileOnPremisePublishingProfile List
            # Plural ids of 2020; `credentials` stays plural as in that module.
            applications.synchronization.jobs.schema_functions get Invoke-MgBetaFunctionApplicationSynchronizationJobSchema Functions
            applications_checkMemberGroups post Confirm-MgBetaApplicationMemberGroup Check
            onPremisesPublishingProfiles.agentGroups.agents_ListAgentGroups get Get-MgBetaOnPremisePublishingProfileAgentGroup List
            applications.synchronization.jobs_validateCredentials post Test-MgBetaApplicationSynchronizationJobCredentials Validate
            # Unprotected prepositions split the method; the words after are lost.
            applications_getByIds post Get-MgBetaApplication Get
            servicePrincipals_ListRefMemberOf get Get-MgBetaServicePrincipalRefMember List",
        );
    }

    #[test]
    fn method_inference_and_odd_input() {
        check(
            "# Two words: verb second; neither a verb (the first word is the action).
            thing_ownerList get Get-MgBetaThingOwner List
            thing_frobnicateWidget post Invoke-MgBetaFrobnicateThingWidget Frobnicate
            # Verb last: the words before join the noun. Verb in the middle:
            # only the group stays (AutoRest drops the rest). No verb: first word.
            thing_widgetOwnerList get Get-MgBetaThingWidgetOwner List
            thing_widgetListOwners get Get-MgBetaThing List
            thing_zorbWidgetOwner post Invoke-MgBetaZorbThingWidgetOwner Zorb
            thing_ListAllWidgets get Get-MgBetaThingWidget List
            # Prepositions split, but not `signIn` nor in first position.
            thing_GetWidgetsInFolder get Get-MgBetaThingWidget Get
            thing_ListSignInEvents get Get-MgBetaThingSignInEvent List
            thing_forwardToManager post Invoke-MgBetaForwardThingToManager Forward
            # `post` adds nothing to the noun; Update and Patch on PUT are Set.
            thing_post post Invoke-MgBetaThing Post
            thing_UpdateWidget put Set-MgBetaThingWidget Update
            thing_Patch put Set-MgBetaThing Patch
            thing_forceReboot post Restart-MgBetaThing ForceReboot
            thing_execute post Invoke-MgBetaExecuteThing Execute
            thing_verifyDomain post Confirm-MgBetaThingDomain Verify
            _start post Start-MgBeta Start
            _ delete Remove-MgBeta Delete
            thing_ trace Invoke-MgBetaThing Post
            thing_all get Get-MgBetaThing Get
            thing get Invoke-MgBetaThing Thing
            a.b_c_d get Invoke-MgBetaCABD C
            thing_or get Invoke-MgBetaOrThing Or
            thing_getWidgetOr get Get-MgBetaThingWidget Get
            thing_delta GET Get-MgBetaThingDelta Delta
            日本_取得 get Get-MgBeta Get
            ünïcödé_lïst get Invoke-MgBetaLNCDSt L
            # Placeholders turn back into prepositions only after a lower-case
            # letter; repeated single words and pairs collapse, longer runs stay.
            GraphBPre_GetGraphBPre get Get-MgBetaGraphBPreBy Get
            thing_ListWidgetGraphWPreOwnerGraphAPreDateGraphFPreUser get Get-MgBetaThingWidgetWithOwnerAtDateForUser List
            thing_getV2GraphBPreName get Get-MgBetaThingV2GraphBPreName Get
            thing.thing_ListThingThing get Get-MgBetaThing List
            alpha.beta.gamma_ListAlphaBetaGamma get Get-MgBetaAlphaBetaGammaAlphaBetaGamma List",
        );
        assert_eq!(cmdlet_name("", "post", &beta()).full(), "Invoke-MgBeta");
    }

    #[test]
    fn or_gives_two_cmdlets_and_stays_cheap() {
        let names = |id: &str| {
            cmdlet_names(id, "post", &beta())
                .into_iter()
                .map(|n| n.full())
        };
        let both = ["New-MgBetaUserOnlineMeeting", "Get-MgBetaUserOnlineMeeting"];
        assert!(names("user.onlineMeeting_createOrGet").eq(both));
        assert_eq!(
            cmdlet_name("a_createOrUpdateB", "post", &beta()).full(),
            "New-MgBetaAB"
        );
        let many = names(&format!("thing_create{}", "OrUpdate".repeat(200))).count();
        assert!((1..=INFER_BUDGET).contains(&many));
        let long = format!("{}_list{}", "group.".repeat(5_000), "Owner".repeat(5_000));
        assert_eq!(
            cmdlet_name(&long, "get", &beta()).full(),
            "Get-MgBetaGroupOwner"
        );
        let _ = cmdlet_name(&"\u{0}_\u{FFFF}".repeat(1_000), "get", &beta());
    }

    #[test]
    fn parameter_names_and_prefixes() {
        let table = "application-id => ApplicationId
            synchronizationJob-id => SynchronizationJobId
            oAuth2PermissionGrant-id => OAuth2PermissionGrantId
            onPremisesAgentGroup-id1 => OnPremisesAgentGroupId1
            ipApplicationSegment-id => IpApplicationSegmentId
            appId => AppId
            uniqueName => UniqueName
            id-id => Id
            getIPAddressIPRange => GetIpAddressIpRange
            a__b..c--d  e => ABCDE
            日本-id => Id
            -- =>
            =>";
        for (placeholder, expected) in pairs(table) {
            assert_eq!(parameter_name(placeholder), expected, "{placeholder:?}");
        }
        let table = "https://graph.microsoft.com/beta/ => Beta
            https://graph.microsoft.com/BETA// => Beta
            https://graph.microsoft.com/beta?x=1#y => Beta
            https://graph.microsoft.com/v1.0/ =>
            https://example.com/ =>
            ß://ü =>
            =>";
        for (url, subject_prefix) in pairs(table) {
            let prefix = NamePrefix::from_server_url(url);
            assert_eq!(
                (prefix.prefix.as_str(), prefix.subject_prefix.as_str()),
                ("Mg", subject_prefix)
            );
        }
        let v1 = NamePrefix::from_server_url("https://graph.microsoft.com/v1.0");
        assert_eq!(
            cmdlet_name("application_GetApplication", "get", &v1).full(),
            "Get-MgApplication"
        );
    }

    /// PowerShell's approved verbs (`Get-Verb`).
    const APPROVED_VERBS: &str = "Add Approve Assert Backup Block Build Checkpoint Clear Close Compare
        Complete Compress Confirm Connect Convert ConvertFrom ConvertTo Copy Debug Deny Deploy Disable
        Disconnect Dismount Edit Enable Enter Exit Expand Export Find Format Get Grant Group Hide Import
        Initialize Install Invoke Join Limit Lock Measure Merge Mount Move New Open Optimize Out Ping Pop
        Protect Publish Push Read Receive Redo Register Remove Rename Repair Request Reset Resize Resolve
        Restart Restore Resume Revoke Save Search Select Send Set Show Skip Split Start Step Stop Submit
        Suspend Switch Sync Test Trace Unblock Undo Uninstall Unlock Unprotect Unpublish Unregister
        Update Use Wait Watch Write";

    fn is_approved(verb: &str) -> bool {
        APPROVED_VERBS.split_whitespace().any(|v| v == verb)
    }

    #[test]
    fn verb_tables() {
        let table =
            "Start Start, Ping Ping, Restore Restore, Pause Suspend, Validate Test, Check Test,
            Provision New, List Get, Acquire Get, Create New, Patch Update, Put Set, Delete Remove,
            Add Add, Unset Clear, Discover Find, update@PUT Set, Patch@put Set, Create@put New";
        for pair in table.split(',').map(str::trim) {
            let (key, verb) = pair.split_once(' ').unwrap_or_default();
            let (action, method) = key.split_once('@').unwrap_or((key, "post"));
            assert_eq!(verb_for(action, method), Some(verb), "{pair}");
        }
        for unknown in ["Filter", "Delta", "Instantiate", ""] {
            assert_eq!(verb_for(unknown, "get"), None);
        }
        let mut seen = std::collections::BTreeSet::new();
        for key in VERB_GROUPS
            .iter()
            .flat_map(|(_, actions)| *actions)
            .chain(SAME_NAME_VERBS)
        {
            assert!(seen.insert(key.to_ascii_lowercase()), "{key} listed twice");
        }
        for verb in VERB_GROUPS
            .iter()
            .map(|(verb, _)| verb)
            .chain(SAME_NAME_VERBS)
        {
            assert!(is_approved(verb), "{verb}");
        }
        let english: Vec<&str> = ENGLISH_VERBS.split_ascii_whitespace().collect();
        assert!(
            english.windows(2).all(|w| w.first() < w.last()),
            "unsorted or repeated"
        );
        assert!(
            english
                .iter()
                .all(|w| w.bytes().all(|b| b.is_ascii_lowercase()))
        );
        for (word, verb) in [
            ("get", true),
            ("provision", true),
            ("filter", true),
            ("delta", false),
        ] {
            assert_eq!(is_english_verb(word), verb, "{word}");
        }
    }

    /// Names every operation of the real module documents found under
    /// `GRAPH_SPECS_DIR` (the folder holding `graph-beta/`). Set
    /// `PRINT_CMDLET_NAMES` to list the names.
    #[test]
    fn names_every_operation_of_the_real_documents() {
        let Some(dir) = std::env::var_os("GRAPH_SPECS_DIR") else {
            eprintln!("skipped: GRAPH_SPECS_DIR not set");
            return;
        };
        let dir = std::path::PathBuf::from(dir).join("graph-beta");
        for file in ["applications-2024-03-12.yml", "applications-2020-09-22.yml"] {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            let doc: serde_yaml::Value =
                serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
            let prefix =
                NamePrefix::from_server_url(doc["servers"][0]["url"].as_str().unwrap_or_default());
            assert_eq!(prefix.subject_prefix, "Beta", "{file}: server URL");

            let mut names = std::collections::BTreeSet::new();
            let mut operations = 0;
            let paths = doc["paths"]
                .as_mapping()
                .map(|m| m.values().collect::<Vec<_>>())
                .unwrap_or_default();
            for method in ["get", "put", "post", "patch", "delete"] {
                for id in paths
                    .iter()
                    .filter_map(|item| item[method]["operationId"].as_str())
                {
                    operations += 1;
                    let name = cmdlet_name(id, method, &prefix);
                    let subject = name.noun.strip_prefix("MgBeta").unwrap_or_default();
                    let well_formed = is_approved(&name.verb)
                        && subject.starts_with(|c: char| c.is_ascii_uppercase())
                        && subject.bytes().all(|b| b.is_ascii_alphanumeric())
                        && !["BPre", "OPre", "WPre", "APre", "FPre"]
                            .iter()
                            .any(|p| subject.contains(p))
                        && !name.set_action.is_empty();
                    assert!(
                        well_formed,
                        "{id} ({method}) -> {name} ({})",
                        name.set_action
                    );
                    names.insert(name.full());
                }
            }
            eprintln!(
                "{file}: {operations} operations, {} distinct cmdlet names",
                names.len()
            );
            assert!(operations > 300, "{file}: only {operations} operations");
            let mut expected = vec![
                "Start-MgBetaApplicationSynchronizationJob",
                "Start-MgBetaServicePrincipalSynchronizationJob",
                "Get-MgBetaApplicationDelta",
                "Confirm-MgBetaServicePrincipalMemberGroup",
            ];
            if file.starts_with("applications-2024") {
                expected.extend([
                    "Get-MgBetaApplicationOwnerByRef",
                    "Get-MgBetaApplicationCreatedOnBehalfOf",
                    "Test-MgBetaApplicationSynchronizationJobCredential",
                    "Get-MgBetaOnPremisePublishingProfileConnectorMemberOfByRef",
                ]);
            }
            for name in expected {
                assert!(names.contains(name), "{file}: {name} missing");
            }
            if std::env::var_os("PRINT_CMDLET_NAMES").is_some() {
                names.iter().for_each(|name| eprintln!("  {name}"));
            }
        }
    }
}
