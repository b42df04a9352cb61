//! The normalization report (`generated/normalization.tsv`): the sites each rule changed.

use std::path::Path;

/// Writes `normalization.tsv` from the report's lines (document, rule, site).
pub fn write(out_dir: &Path, report: &[String]) -> Result<(), String> {
    let mut text = String::from(
        "# document\trule\tsite (JSON pointer of a node the rule changed; (none) when it changed nothing)\n",
    );
    for line in report {
        text.push_str(line);
        text.push('\n');
    }
    crate::codegen::write_if_changed(&out_dir.join("normalization.tsv"), &text)
}
