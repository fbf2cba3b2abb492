//! Time stamps in the formats the AWS tools write.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (0 for times before it, which never occur here).
pub(crate) fn epoch_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

/// Milliseconds since the Unix epoch: the unit of `roleCredentials.expiration`.
pub(crate) fn epoch_millis(time: SystemTime) -> u64 {
    let millis = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis();
    u64::try_from(millis).unwrap_or(u64::MAX)
}

/// `YYYY-MM-DDTHH:MM:SSZ` in UTC, exactly as the AWS CLI v2 writes `expiresAt`
/// in its SSO token cache (no fractional seconds, no offset).
pub fn format_utc(time: SystemTime) -> String {
    let secs = epoch_seconds(time);
    let days = (secs / 86_400) as i64;
    let second_of_day = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// `YYYYMMDDTHHMMSSZ` in UTC: the ISO 8601 basic format of SigV4's
/// `X-Amz-Date`, as AWS also quotes it in its "Signature expired" messages.
pub(crate) fn format_amz_date(time: SystemTime) -> String {
    format_utc(time).replace(['-', ':'], "")
}

/// The instant an `X-Amz-Date` value (`YYYYMMDDTHHMMSSZ`) names, or `None`
/// when it is not exactly that shape or not a real date and time.
pub(crate) fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 16
        && bytes[8] == b'T'
        && bytes[15] == b'Z'
        && bytes[..8]
            .iter()
            .chain(&bytes[9..15])
            .all(u8::is_ascii_digit);
    if !shaped {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().ok();
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    let (hour, minute, second) = (number(9..11)?, number(11..13)?, number(13..15)?);
    let days = days_from_civil(i64::from(year), month, day)?;
    if hour > 23 || minute > 59 || second > 59 || days < 0 {
        return None;
    }
    let seconds = days as u64 * 86_400 + u64::from(hour * 3600 + minute * 60 + second);
    Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// The inverse of [`civil_from_days`] (also Howard Hinnant's), refusing
/// dates that do not exist, such as February 30th.
fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let era = shifted_year.div_euclid(400);
    let year_of_era = shifted_year.rem_euclid(400);
    let shifted_month = i64::from(if month > 2 { month - 3 } else { month + 9 });
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    // A day past the month's end lands in the next month: round-trip to catch it.
    (civil_from_days(days) == (year, month, day)).then_some(days)
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day)
/// (Howard Hinnant's `civil_from_days`), to avoid a date-time dependency.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        // 2024-02-29T23:59:59Z, a leap day, checked with `date -u -d @1709251199`.
        assert_eq!(
            format_utc(UNIX_EPOCH + Duration::from_secs(1_709_251_199)),
            "2024-02-29T23:59:59Z"
        );
        // 2038-01-19T03:14:08Z, one second past the 32-bit rollover.
        assert_eq!(
            format_utc(UNIX_EPOCH + Duration::from_secs(2_147_483_648)),
            "2038-01-19T03:14:08Z"
        );
    }

    #[test]
    fn amz_dates_round_trip_and_impossible_ones_are_refused() {
        // The AWS SigV4 documentation's example instant.
        let example = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        assert_eq!(format_amz_date(example), "20150830T123600Z");
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(example));
        assert_eq!(
            parse_amz_date("20240229T235959Z"),
            Some(UNIX_EPOCH + Duration::from_secs(1_709_251_199))
        );
        for bad in [
            "",
            "20150830T123600",
            "2015-08-30T12:36:00Z",
            "20150830 123600Z",
            "20230229T000000Z",
            "20150830T246000Z",
            "20151301T000000Z",
            "+2015083T123600Z",
            "19691231T235959Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn epoch_units_differ_by_a_thousand() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(epoch_seconds(t), 1_700_000_000);
        assert_eq!(epoch_millis(t), 1_700_000_000_123);
    }
}
