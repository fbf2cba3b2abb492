//! What the pickers of `init` and `use` share: how they look, and how a
//! picker that cannot run or was cancelled becomes a one-line error.

use inquire::InquireError;
use inquire::ui::RenderConfig;

use crate::error::{Error, Result};

/// Plain prompts where colour is unwanted.
pub(super) fn render_config() -> RenderConfig<'static> {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        RenderConfig::empty()
    } else {
        RenderConfig::default_colored()
    }
}

/// The answer, or the error for a picker that was cancelled (`cancelled`
/// says what that left undone) or could not ask (`instead` says what to
/// pass instead).
pub(super) fn ask<T>(
    answer: std::result::Result<T, InquireError>,
    cancelled: &str,
    instead: &str,
) -> Result<T> {
    answer.map_err(|err| match err {
        InquireError::OperationCanceled | InquireError::OperationInterrupted => {
            Error::with_code(format!("cancelled — {cancelled}"), 130)
        }
        InquireError::NotTTY => Error::with_code(format!("no terminal to ask on — {instead}"), 2),
        other => Error::new(format!("cannot ask on this terminal ({other}) — {instead}")),
    })
}
