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

use super::ident::replace_placeholders;
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
    if is_verb_key(&method_pascal) {
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

/// Whether a PascalCased method is exactly a key of the verb table. Unlike
/// [`verb_for`] this is case-sensitive, as AutoRest's lookup of the whole
/// method is: `shutDown` (`ShutDown`) is not the key `Shutdown`, so its words
/// are read one by one instead.
fn is_verb_key(method: &str) -> bool {
    SAME_NAME_VERBS.contains(&method) || VERB_GROUPS.iter().any(|(_, actions)| actions.contains(&method))
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

    if verb == "Invoke"
        && let Some(rest) = subject.strip_prefix("Delta") {
            // Graph: Invoke-MgDeltaApplication -> Get-MgApplicationDelta.
            subject = format!("{rest}Delta");
            verb = "Get";
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

/// Graph's documents write By/With/At/For/Of/Or inside operationIds as
/// placeholders so that AutoRest does not split on them; the SDK renames them
/// back in cmdlet nouns when they follow a lower-case letter (its directives
/// match `[a-z]GraphBPre`).
fn restore_prepositions(subject: &str) -> String {
    replace_placeholders(subject, |before, _| before.is_some_and(|c| c.is_ascii_lowercase()))
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
/// method of several words. AutoRest uses a large dictionary of English
/// verbs; this is a curated list that agrees with it on the words Graph's
/// operationIds use, including its surprises: nouns it lists as verbs
/// (`calendar`, `key`, `time`, `window`, `down`, `is`) and verbs it lacks
/// (`consent`, `encrypt`, `reboot`, `shut`, `unshare`). A word it does not
/// know leaves the first word as the action, which is also AutoRest's
/// fallback.
fn is_english_verb(word: &str) -> bool {
    ENGLISH_VERBS
        .split_ascii_whitespace()
        .any(|verb| verb == word)
}

/// Lower-case, sorted, separated by white space (checked by a test).
const ENGLISH_VERBS: &str = "
accept access account acknowledge acquire activate adapt add adjust allocate allow analyze
answer append apply approve archive ask assert assess assign associate attach audit
authenticate authorize backup ban batch begin bind block book bookmark boot branch break
bring build bulk bypass cache calculate calendar call cancel capture change charge chat
check choose claim classify clean cleanse clear click clock clone close collect combine
comment commit compare compile complete compose compress compute concatenate configure
confirm connect consume contain continue control convert copy correct count create cross
custom cut deactivate debug decline decode decommission define delegate delete deliver
demand deny deploy deprecate describe deselect destroy detach detail detect determine
disable disallow discard disconnect discover dismiss dismount dispatch display dispose
distribute do down download drain draw drop dump duplicate edit eject elevate email embed
emit empty enable encode end enforce enqueue enroll ensure enter erase escalate estimate
evaluate examine exchange exclude execute exit expand expect experience expire explain
export extend extract fail feature fetch fill filter find finish fix flag flush follow force
forget format forward freeze function generate get give grant graph group guess handle hang
have hide highlight hold identify ignore import include increase index inform initialize
initiate insert install instantiate integrate invalidate invite invoke is isolate issue join
jump keep key kill label launch leave limit link list listen load locate lock log lookup
mail maintain make manage map mark match measure merge migrate mirror modify monitor mount
move mute name navigate notify obtain offer open optimize order organize out override own
page park parse pass patch pause perform pin ping place play poll pop populate post postpone
power predict prefer prepare present preview print process produce promote prompt protect
provide provision publish pull purge push put query queue quit raise rank reach reactivate
read reassign reauthorize rebuild recalculate receive recognize recommend reconnect record
recover redeem redirect redo reenable refresh regenerate register reimage reject release
reload remind remove rename render renew reopen reorder repair replace replicate reply
report request require reschedule reserve reset resize resolve respond restart restore
restrict resubmit resume retire retrieve retry return reupload reveal review revoke rotate
route run save scan schedule score search secure select send separate set settle share shift
show shutdown sign simulate skip snooze soft solve sort split stage start step stop store
submit subscribe suggest summarize supply support suspend swap switch sync synchronize tag
take target tenant terminate test time toggle top trace track transfer transform translate
trigger troubleshoot trust try unblock undo unfollow uninstall unite unlock unmute unpin
unpublish unregister update upgrade upload use validate verify view vote wait wake watch web
window wipe withdraw write zone
";

#[cfg(test)]
#[path = "cmdlet_tests.rs"]
mod tests;
