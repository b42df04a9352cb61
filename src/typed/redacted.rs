//! [`Redacted`]: what a credential field shows in a generated type's `Debug`.

use std::fmt;

/// Stands in for a credential field (a password, an integration key, a calendar URL...) in the
/// `Debug` output of generated types.
#[derive(Clone, Copy)]
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
