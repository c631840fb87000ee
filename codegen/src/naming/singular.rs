//! English noun singularization, tuned for Microsoft Graph names.
//!
//! Cmdlet nouns are built from singular words (`jobs` -> `Job`,
//! `onPremises` -> `onPremise`), the way AutoRest's pluralization service
//! (a port of Entity Framework's) does it. We do not port that service: we
//! apply a short list of English suffix rules plus a few exception lists.
//! Where the service keeps a plural on purpose because Graph treats it as a
//! proper name (`credentials`, `rights`, `statistics`, `dns`), so do we, since
//! the published cmdlet names depend on it (the 2020-era module exported
//! `Test-MgApplicationSynchronizationJobCredentials`).
//!
//! Only the last word of a camelCase or PascalCase compound is changed:
//! `ServicePrincipals` -> `ServicePrincipal`. The function never panics: any
//! tail it does not understand (digits, non-ASCII letters) is left as is.

/// Words ending in `s` that must stay unchanged: proper names used by Graph,
/// words that are singular already, and nouns without a singular. (Words of
/// one or two letters are never changed.)
const INVARIANT: &[&str] = &[
    "acls",
    "afterwards",
    "alias",
    "always",
    "bps",
    "chassis",
    "corps",
    "credentials",
    "ddos",
    "debris",
    "dns",
    "does",
    "economics",
    "ethics",
    "fips",
    "gbps",
    "has",
    "https",
    "kbps",
    "logistics",
    "mathematics",
    "mbps",
    "minus",
    "news",
    "perhaps",
    "physics",
    "plus",
    "politics",
    "rights",
    "sas",
    "series",
    "species",
    "statistics",
    "status",
    "this",
    "thus",
    "towards",
    "vmss",
    "was",
    "whereas",
    // Graph keeps the product name whole (WindowsAutopilotDeviceIdentity).
    "windows",
    "yes",
];

/// Word endings of nouns that do not change in the plural.
const INVARIANT_SUFFIXES: &[&str] = &["deer", "fish", "itis", "sheep"];

/// Irregular plurals, and regular-looking plurals our suffix rules would get
/// wrong (`caches` is not `cach`, `analyses` is not `analyse`).
const IRREGULAR: &[(&str, &str)] = &[
    ("abuses", "abuse"),
    ("aliases", "alias"),
    ("alumni", "alumnus"),
    ("analyses", "analysis"),
    ("appendices", "appendix"),
    ("atlases", "atlas"),
    ("avalanches", "avalanche"),
    ("axes", "axis"),
    ("biases", "bias"),
    ("cacti", "cactus"),
    ("caches", "cache"),
    ("canvases", "canvas"),
    ("children", "child"),
    ("cliches", "cliche"),
    ("cookies", "cookie"),
    ("crises", "crisis"),
    ("criteria", "criterion"),
    ("diagnoses", "diagnosis"),
    ("dice", "die"),
    ("emojis", "emoji"),
    ("emphases", "emphasis"),
    ("emus", "emu"),
    ("feet", "foot"),
    ("foci", "focus"),
    ("formulae", "formula"),
    ("fungi", "fungus"),
    ("gases", "gas"),
    ("geese", "goose"),
    ("gurus", "guru"),
    ("headaches", "headache"),
    ("hypotheses", "hypothesis"),
    ("indices", "index"),
    ("lenses", "lens"),
    ("lice", "louse"),
    ("matrices", "matrix"),
    ("menus", "menu"),
    ("mice", "mouse"),
    ("movies", "movie"),
    ("niches", "niche"),
    ("nuclei", "nucleus"),
    ("oases", "oasis"),
    ("oxen", "ox"),
    ("parentheses", "parenthesis"),
    ("people", "person"),
    ("quizzes", "quiz"),
    ("phenomena", "phenomenon"),
    ("radii", "radius"),
    ("schemata", "schema"),
    ("skis", "ski"),
    ("stimuli", "stimulus"),
    ("syllabi", "syllabus"),
    ("synopses", "synopsis"),
    ("syntheses", "synthesis"),
    ("taxis", "taxi"),
    ("teeth", "tooth"),
    ("theses", "thesis"),
    ("valves", "valve"),
    ("vertices", "vertex"),
    ("wikis", "wiki"),
];

/// Singular nouns ending in `us`; their plural adds `es` (`statuses`).
const US_NOUNS: &[&str] = &[
    "abacus",
    "apparatus",
    "bonus",
    "bus",
    "cactus",
    "campus",
    "census",
    "chorus",
    "circus",
    "consensus",
    "corpus",
    "exodus",
    "focus",
    "fungus",
    "genus",
    "hiatus",
    "impetus",
    "nexus",
    "octopus",
    "plexus",
    "prospectus",
    "radius",
    "sinus",
    "status",
    "stimulus",
    "surplus",
    "syllabus",
    "thesaurus",
    "virus",
];

/// Nouns ending in `o` whose plural adds `es`; every other `-oes` just adds `s`
/// (`shoes` -> `shoe`).
const OES_TO_O: &[&str] = &[
    "cargoes",
    "dominoes",
    "echoes",
    "embargoes",
    "heroes",
    "mosquitoes",
    "potatoes",
    "tomatoes",
    "torpedoes",
    "vetoes",
    "volcanoes",
];

/// Singular nouns ending in `men` that are not `man` plurals.
const MEN_SINGULARS: &[&str] = &[
    "abdomen", "acumen", "amen", "hymen", "omen", "regimen", "semen", "specimen", "stamen",
];

/// Returns the singular form of an English noun, preserving the case of the
/// input (`Policies` -> `Policy`, `IDs` -> `ID`, `onPremises` -> `onPremise`).
pub(crate) fn singularize(word: &str) -> String {
    if let Some(acronym) = acronym_plural(word) {
        return acronym.to_string();
    }
    let start = last_word_start(word);
    // `last_word_start` returns a char boundary, so this split cannot panic;
    // `get` keeps it that way even if that ever changed.
    let (Some(head), Some(tail)) = (word.get(..start), word.get(start..)) else {
        return word.to_string();
    };
    if tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_alphabetic()) {
        return word.to_string();
    }
    let lower = tail.to_ascii_lowercase();
    let single = singular_of_lowercase(&lower);
    format!("{head}{}", restore_case(tail, &single))
}

/// `IDs`, `APIs`, `URLs`: a run of two or more capitals followed by a lone
/// `s` is an acronym plural; dropping the `s` is the whole job.
fn acronym_plural(word: &str) -> Option<&str> {
    let stem = word.strip_suffix('s')?;
    let mut last_two = stem.chars().rev().take(2);
    let run = last_two.next().is_some_and(|c| c.is_ascii_uppercase())
        && last_two.next().is_some_and(|c| c.is_ascii_uppercase());
    run.then_some(stem)
}

/// Byte index where the last word of a compound starts: after the last
/// separator, at a lower-to-upper or digit-to-upper step, or at the last
/// capital of an acronym run that is followed by a lower-case letter
/// (`HTTPRequests` -> `Requests`).
fn last_word_start(word: &str) -> usize {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut start = 0;
    for (pos, &(index, c)) in chars.iter().enumerate() {
        let prev = pos
            .checked_sub(1)
            .and_then(|p| chars.get(p))
            .map(|&(_, p)| p);
        let next = chars.get(pos + 1).map(|&(_, n)| n);
        if !c.is_ascii_alphanumeric() {
            start = index + c.len_utf8();
        } else if c.is_ascii_uppercase() {
            let after_lower = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
            let acronym_end = prev.is_some_and(|p| p.is_ascii_uppercase())
                && next.is_some_and(|n| n.is_ascii_lowercase());
            if after_lower || acronym_end {
                start = index;
            }
        }
    }
    start
}

/// Gives `single` the letter case of `original`: a plain truncation keeps the
/// original letters; a rewritten word keeps the case of the first letter (or
/// of every letter when the original was all capitals).
fn restore_case(original: &str, single: &str) -> String {
    if original.to_ascii_lowercase().starts_with(single)
        && let Some(kept) = original.get(..single.len()) {
            return kept.to_string();
        }
    let all_caps = original.len() > 1 && original.bytes().all(|b| b.is_ascii_uppercase());
    if all_caps {
        return single.to_ascii_uppercase();
    }
    if original.starts_with(|c: char| c.is_ascii_uppercase()) {
        return capitalize(single);
    }
    single.to_string()
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// The rules proper, on a non-empty lower-case ASCII word.
fn singular_of_lowercase(w: &str) -> String {
    if w.len() <= 2 || INVARIANT.contains(&w) || INVARIANT_SUFFIXES.iter().any(|s| w.ends_with(s)) {
        return w.to_string();
    }
    if let Some(&(_, single)) = IRREGULAR.iter().find(|(plural, _)| *plural == w) {
        return single.to_string();
    }
    if let Some(stem) = w.strip_suffix("ies") {
        // Four-letter words (`lies`, `ties`, `pies`) are `-ie` nouns.
        return if stem.len() <= 1 {
            format!("{stem}ie")
        } else {
            format!("{stem}y")
        };
    }
    if let Some(stem) = w.strip_suffix("ves") {
        return singular_of_ves(w, stem);
    }
    for ending in ["ches", "shes", "sses", "xes", "zzes"] {
        if w.ends_with(ending) {
            return strip(w, 2);
        }
    }
    if let Some(stem) = w.strip_suffix("es") {
        if stem.ends_with("us") {
            // `statuses` -> `status`, but `causes` -> `cause`.
            return if US_NOUNS.iter().any(|n| stem.ends_with(n)) {
                stem.to_string()
            } else {
                strip(w, 1)
            };
        }
        if stem.ends_with('o') && OES_TO_O.contains(&w) {
            return stem.to_string();
        }
    }
    if let Some(stem) = w.strip_suffix("men") {
        // Exact match: `women` ends with `omen` but is a plural.
        if !MEN_SINGULARS.contains(&w) {
            return format!("{stem}man");
        }
        return w.to_string();
    }
    // `address`, `status`, `analysis` are already singular.
    if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        return w.to_string();
    }
    if w.ends_with('s') {
        return strip(w, 1);
    }
    w.to_string()
}

/// `-ves` plurals: `shelves` -> `shelf`, `knives` -> `knife`, but
/// `archives` -> `archive`.
fn singular_of_ves(w: &str, stem: &str) -> String {
    if ["alves", "elves", "olves", "eaves", "arves"]
        .iter()
        .any(|e| w.ends_with(e))
    {
        return format!("{stem}f");
    }
    if ["nives", "lives", "wives"].iter().any(|e| w.ends_with(e)) {
        return format!("{stem}fe");
    }
    strip(w, 1)
}

/// Drops `n` trailing ASCII bytes.
fn strip(w: &str, n: usize) -> String {
    w.get(..w.len().saturating_sub(n)).unwrap_or(w).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(cases: &[(&str, &str)]) {
        for (input, expected) in cases {
            assert_eq!(singularize(input), *expected, "singularize({input:?})");
        }
    }

    #[test]
    fn regular_plurals_lose_their_s() {
        check(&[
            ("jobs", "job"),
            ("owners", "owner"),
            ("templates", "template"),
            ("keys", "key"),
            ("licenses", "license"),
            ("responses", "response"),
            ("databases", "database"),
            ("devices", "device"),
            ("archives", "archive"),
            ("shoes", "shoe"),
            ("causes", "cause"),
            ("settings", "setting"),
            ("claims", "claim"),
            ("teams", "team"),
            ("analytics", "analytic"),
        ]);
    }

    #[test]
    fn suffix_rules() {
        check(&[
            ("policies", "policy"),
            ("directories", "directory"),
            ("properties", "property"),
            ("ties", "tie"),
            ("addresses", "address"),
            ("switches", "switch"),
            ("pushes", "push"),
            ("mailboxes", "mailbox"),
            ("buzzes", "buzz"),
            ("quizzes", "quiz"),
            ("statuses", "status"),
            ("viruses", "virus"),
            ("heroes", "hero"),
            ("shelves", "shelf"),
            ("knives", "knife"),
            ("women", "woman"),
            ("specimen", "specimen"),
        ]);
    }

    #[test]
    fn singular_words_stay() {
        check(&[
            ("job", "job"),
            ("address", "address"),
            ("access", "access"),
            ("status", "status"),
            ("analysis", "analysis"),
            ("schema", "schema"),
            ("as", "as"),
            ("of", "of"),
            ("by", "by"),
            ("o", "o"),
            ("s", "s"),
            ("behalf", "behalf"),
        ]);
    }

    #[test]
    fn graph_exceptions_are_kept() {
        check(&[
            ("credentials", "credentials"),
            ("rights", "rights"),
            ("statistics", "statistics"),
            ("alias", "alias"),
            ("dns", "dns"),
            ("windows", "windows"),
            ("aliases", "alias"),
            ("criteria", "criterion"),
            ("children", "child"),
            ("indices", "index"),
            ("caches", "cache"),
        ]);
    }

    #[test]
    fn case_and_compounds() {
        check(&[
            ("onPremises", "onPremise"),
            ("OnPremises", "OnPremise"),
            ("Policies", "Policy"),
            ("ServicePrincipals", "ServicePrincipal"),
            ("HomeRealmDiscoveryPolicies", "HomeRealmDiscoveryPolicy"),
            ("HTTPRequests", "HTTPRequest"),
            ("IDs", "ID"),
            ("APIs", "API"),
            ("JOBS", "JOB"),
            ("POLICIES", "POLICY"),
            ("synchronization.jobs", "synchronization.job"),
            ("agent_groups", "agent_group"),
            ("oauth2Grants", "oauth2Grant"),
            ("ServiceIDs", "ServiceID"),
            ("OwnerAs", "OwnerAs"),
        ]);
    }

    #[test]
    fn odd_input_does_not_panic() {
        check(&[
            ("", ""),
            ("-", "-"),
            ("jobs2", "jobs2"),
            ("résumés", "résumés"),
            ("日本s", "日本s"),
            ("ジョブs", "ジョブs"),
            ("x.", "x."),
            ("Ss", "Ss"),
            ("ies", "ie"),
            ("ves", "ve"),
        ]);
        for word in ["\u{0}", "s\u{301}", "🦀s", "ABCs", "aBCs", "a-Bs"] {
            let _ = singularize(word);
        }
    }
}
