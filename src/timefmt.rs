//! Timestamps as the AWS CLI and botocore write them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `YYYY-MM-DDTHH:MM:SSZ` in UTC: the form the AWS CLI writes to its caches
/// and `AWS_CREDENTIAL_EXPIRATION` uses.
pub fn format_utc(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// Parses the timestamp forms found in AWS CLI / botocore cache files:
/// `…Z`, `…UTC` (older CLI versions), `…+00:00`, with or without fractional seconds.
pub fn parse_utc(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let base = text
        .strip_suffix("UTC")
        .or_else(|| text.strip_suffix("+00:00"))
        .or_else(|| text.strip_suffix("+0000"))
        .or_else(|| text.strip_suffix('Z'))
        .or_else(|| text.strip_suffix('z'))?;
    humantime::parse_rfc3339_weak(base.trim_end()).ok()
}

/// Seconds since the Unix epoch (0 for times before it).
pub fn epoch_secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The time `secs` seconds after the Unix epoch.
pub fn from_epoch_secs(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// Time left until `time`, zero when it has passed.
pub fn remaining(time: SystemTime) -> Duration {
    time.duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO)
}

/// `14:05`: `time` on the local clock (`TZ` or the system time zone), as
/// people read expiry times. Falls back to UTC when no zone can be loaded.
pub fn local_hh_mm(time: SystemTime) -> String {
    let zone = jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC);
    hh_mm_in(time, &zone)
}

fn hh_mm_in(time: SystemTime, zone: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::try_from(time) {
        Ok(timestamp) => timestamp
            .to_zoned(zone.clone())
            .strftime("%H:%M")
            .to_string(),
        Err(_) => format_utc(time),
    }
}

/// A remaining duration, shortest form: `59m`, `7h 59m`, `45s`.
pub fn short_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        _ => format!("{}h {}m", secs / 3600, (secs % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_cli_form() {
        let t = from_epoch_secs(1_700_000_000);
        assert_eq!(format_utc(t), "2023-11-14T22:13:20Z");
        assert_eq!(parse_utc("2023-11-14T22:13:20Z"), Some(t));
    }

    #[test]
    fn accepts_older_and_offset_forms() {
        let t = from_epoch_secs(1_700_000_000);
        assert_eq!(parse_utc("2023-11-14T22:13:20UTC"), Some(t));
        assert_eq!(parse_utc("2023-11-14T22:13:20+00:00"), Some(t));
        assert_eq!(parse_utc("2023-11-14T22:13:20.000Z"), Some(t));
        assert_eq!(parse_utc("yesterday"), None);
        assert_eq!(parse_utc(""), None);
    }

    #[test]
    fn local_times_use_the_zone() {
        let t = from_epoch_secs(1_700_000_000); // 22:13:20 UTC
        assert_eq!(hh_mm_in(t, &jiff::tz::TimeZone::UTC), "22:13");
        let utc_plus_9 = jiff::tz::TimeZone::fixed(jiff::tz::offset(9));
        assert_eq!(hh_mm_in(t, &utc_plus_9), "07:13");
    }

    #[test]
    fn short_durations_read_naturally() {
        assert_eq!(short_duration(Duration::from_secs(45)), "45s");
        assert_eq!(short_duration(Duration::from_secs(59 * 60)), "59m");
        assert_eq!(short_duration(Duration::from_secs(8 * 3600 - 60)), "7h 59m");
    }
}
