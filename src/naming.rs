//! How pdrs names what PagerDuty's documents name: a tag as a cargo feature (`escalation_policies`)
//! or a command group (`escalation-policies`), and a plural's singular (`policies` → `policy`).
//!
//! One copy of each rule for the build script (which includes this file as it is) and the
//! runtime alike, so this module uses nothing else of the crate.

/// The words of a name: its runs of ASCII letters and digits, in lower case (`Escalation
/// Policies` → `escalation`, `policies`; `Add-ons` → `add`, `ons`).
pub fn words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect()
}

/// The words joined by `_`: a tag's cargo feature (`escalation_policies`).
pub fn snake(name: &str) -> String {
    words(name).join("_")
}

/// The words joined by `-`: a tag's command group (`escalation-policies`).
pub fn kebab(name: &str) -> String {
    words(name).join("-")
}

/// A plural word's singular, as PagerDuty's names use them: `policies` → `policy`,
/// `business_services` → `business_service`, `statuses` → `status`; a word that is not a plural
/// (`access`, `status`) is left as it is.
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("sses") || word.ends_with("uses") {
        word[..word.len() - 2].to_string()
    } else if word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_one_rule() {
        assert_eq!(snake("Escalation Policies"), "escalation_policies");
        assert_eq!(kebab("Add-ons"), "add-ons");
        assert_eq!(snake("SRE Agent"), "sre_agent");
        for (plural, one) in [
            ("policies", "policy"),
            ("business_services", "business_service"),
            ("statuses", "status"),
            ("addresses", "address"),
            ("users", "user"),
            ("status", "status"),
            ("access", "access"),
        ] {
            assert_eq!(singular(plural), one, "{plural}");
        }
    }
}
