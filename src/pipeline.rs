//! The request pipeline shared by typed and raw calls.

/// Shared pipeline state.
#[derive(Clone, Debug, Default)]
pub struct Pipeline {}

impl progenitor_client::ClientHooks<Pipeline> for crate::rest::Client {}
