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
    let zone = local_zone(std::env::var_os("TZ").as_deref()).unwrap_or(jiff::tz::TimeZone::UTC);
    hh_mm_in(time, &zone)
}

/// The local time zone as the C library finds it, reading one file at most.
///
/// `jiff::tz::TimeZone::try_system` would do, but it indexes the whole
/// zoneinfo directory (some 600 files) to name the zone, which cost the
/// prompt that loads credentials 3 million instructions for a clock reading.
/// Like glibc: no `TZ` means `/etc/localtime`; an empty `TZ` means UTC; a
/// `TZ` (with or without a leading `:`) names a TZif file, absolute or under
/// `TZDIR` (default `/usr/share/zoneinfo`), or else is a POSIX rule such as
/// `CET-1CEST,M3.5.0,M10.5.0/3`.
fn local_zone(tz: Option<&std::ffi::OsStr>) -> Option<jiff::tz::TimeZone> {
    use jiff::tz::TimeZone;
    let Some(tz) = tz else {
        let data = std::fs::read("/etc/localtime").ok()?;
        return TimeZone::tzif("Local", &data).ok();
    };
    let tz = tz.to_str()?;
    let name = tz.strip_prefix(':').unwrap_or(tz);
    if name.is_empty() {
        return Some(TimeZone::UTC);
    }
    let file = if name.starts_with('/') {
        std::path::PathBuf::from(name)
    } else {
        let dir = std::env::var_os("TZDIR").unwrap_or_else(|| "/usr/share/zoneinfo".into());
        std::path::Path::new(&dir).join(name)
    };
    match std::fs::read(&file) {
        Ok(data) => TimeZone::tzif(name, &data).ok(),
        Err(_) => TimeZone::posix(name).ok(),
    }
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

/// For messages about expiry: "in 59m" / "expired".
pub fn describe_expiry(time: SystemTime) -> String {
    let left = remaining(time);
    if left.is_zero() {
        "expired".to_owned()
    } else {
        format!("in {}", short_duration(left))
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
    fn zones_come_from_tz_as_the_c_library_reads_it() {
        let t = from_epoch_secs(1_700_000_000); // 22:13:20 UTC, November: no DST
        let at = |tz: &str| hh_mm_in(t, &local_zone(Some(tz.as_ref())).expect(tz));
        assert_eq!(at(""), "22:13");
        assert_eq!(at("UTC0"), "22:13");
        assert_eq!(at("CET-1CEST,M3.5.0,M10.5.0/3"), "23:13");
        assert_eq!(at("<+09>-9"), "07:13");
        // Named zones need the system's tzdata: required under CI.
        let zoneinfo = std::path::Path::new("/usr/share/zoneinfo/Asia/Tokyo");
        if zoneinfo.exists() {
            assert_eq!(at("Asia/Tokyo"), "07:13");
            assert_eq!(at(":Asia/Tokyo"), "07:13");
            assert_eq!(at("/usr/share/zoneinfo/Asia/Tokyo"), "07:13");
        } else {
            assert!(
                std::env::var_os("CI").is_none(),
                "{} is missing: install tzdata",
                zoneinfo.display()
            );
            eprintln!("skipping named zones: no {}", zoneinfo.display());
        }
        assert!(local_zone(Some("not a zone!".as_ref())).is_none());
    }

    #[test]
    fn short_durations_read_naturally() {
        assert_eq!(short_duration(Duration::from_secs(45)), "45s");
        assert_eq!(short_duration(Duration::from_secs(59 * 60)), "59m");
        assert_eq!(short_duration(Duration::from_secs(8 * 3600 - 60)), "7h 59m");
    }
}
