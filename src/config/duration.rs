//! Durations in config values: `"10m"`, `"1h30m"`, `"90s"` (humantime syntax).
//!
//! Bounds matter more than syntax here: `refresh_before` is compared with the
//! remaining lifetime of role credentials, which AWS caps at 12 hours. Zero
//! would mean "never renew early" (credentials would expire under a running
//! command), and anything of 12 hours or more would renew at every prompt.

use std::time::Duration;

/// The longest role session AWS issues; a renewal margin must stay below it.
const LONGEST_ROLE_SESSION: Duration = Duration::from_secs(12 * 3600);

/// Parses the duration `text` given for `key`, whose default is `default`
/// (named in the fix). The error is a one-line message (without location)
/// saying what was expected.
pub(crate) fn parse(key: &str, text: &str, default: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text.trim()).map_err(|_| {
        format!(
            "{key} must be a duration like \"10m\", \"1h30m\" or \"90s\", got {text:?} — write a number followed by s, m or h"
        )
    })?;
    if duration.is_zero() {
        return Err(format!(
            "{key} must be more than zero, got {text:?} — use e.g. \"{default}\" (the default), or remove the line"
        ));
    }
    if duration < Duration::from_secs(1) || duration >= LONGEST_ROLE_SESSION {
        return Err(format!(
            "{key} must be at least 1s and less than 12h (the longest role session), got {text:?} — use e.g. \"{default}\" (the default)"
        ));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_forms() {
        assert_eq!(parse("k", "10m", "10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse("k", "1h30m", "10m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("k", "90s", "10m"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("k", "1h 5m", "10m"), Ok(Duration::from_secs(3900)));
        assert_eq!(parse("k", "11h59m", "10m"), Ok(Duration::from_secs(43140)));
    }

    #[test]
    fn rejects_zero_absurd_and_garbage() {
        for text in ["0", "0s", "0m"] {
            assert!(
                parse("k", text, "10m")
                    .unwrap_err()
                    .contains("more than zero"),
                "{text}"
            );
        }
        for text in ["500ms", "12h", "2d", "1000000h"] {
            assert!(
                parse("k", text, "10m")
                    .unwrap_err()
                    .contains("less than 12h"),
                "{text}"
            );
        }
        for text in ["", "10", "ten minutes", "10 parsecs", "-5m"] {
            assert!(
                parse("k", text, "10m")
                    .unwrap_err()
                    .contains("like \"10m\""),
                "{text}"
            );
        }
    }
}
