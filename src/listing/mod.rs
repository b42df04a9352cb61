//! Listings: what a listing asks for ([`options`]), one page's body parsed once ([`page`]), the
//! paging engine that turns pages into records each once ([`engine`]), and the verbs on it
//! (`iter_all`, `list_all`, `find`, `persist`... in [`verbs`]; `iter_history` in [`history`]; the
//! live `watch` in [`watch`]), and the advice a capped listing gives ([`advice`]).

mod advice;
pub(crate) mod engine;
mod history;
pub(crate) mod options;
pub(crate) mod page;
pub(crate) mod verbs;
pub(crate) mod watch;
