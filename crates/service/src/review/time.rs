//! Days and timestamps for the review: the store keeps milliseconds since
//! the Unix epoch, counters are kept per UTC day, and the API speaks RFC
//! 3339 (`2026-03-01T14:05:09Z`, or a plain `2026-03-01` for a day).
//!
//! The calendar and the RFC 3339 reading and writing are `jiff`'s (UTC and
//! explicit offsets only: no time zone database); the day numbers are plain
//! division, as the counters' keys need.

use jiff::fmt::temporal::Pieces;
use jiff::tz::Offset;
use jiff::Timestamp;

use crate::store::Millis;

/// Milliseconds in a day.
pub const DAY_MILLIS: u64 = 86_400_000;

/// The UTC day number (days since 1970-01-01) of a time.
pub fn day_of(at: Millis) -> u32 {
    u32::try_from(at / DAY_MILLIS).unwrap_or(u32::MAX)
}

/// The first millisecond of a day.
pub fn start_of(day: u32) -> Millis {
    u64::from(day) * DAY_MILLIS
}

/// The moment `seconds` after the epoch; the last one jiff knows (the
/// year 9999) for anything later.
fn timestamp(seconds: u64) -> Timestamp {
    i64::try_from(seconds)
        .ok()
        .and_then(|s| Timestamp::from_second(s).ok())
        .unwrap_or(Timestamp::MAX)
}

/// `2026-03-01`.
pub fn format_day(day: u32) -> String {
    let at = timestamp(start_of(day) / 1000);
    Offset::UTC.to_datetime(at).date().to_string()
}

/// `2026-03-01T14:05:09Z` (seconds precision).
pub fn format_time(at: Millis) -> String {
    format!("{:.0}", timestamp(at / 1000))
}

/// Read `2026-03-01` (the start of that UTC day) or `2026-03-01T14:05:09Z`
/// (fractions of a second, dropped, and a `+HH:MM` offset accepted).
pub fn parse_time(text: &str) -> Result<Millis, String> {
    let bad = || format!("`{text}` is not a date like 2026-03-01 or 2026-03-01T14:05:09Z");
    let trimmed = text.trim();
    // jiff reads all of ISO 8601; the review asks for its common shape:
    // `YYYY-MM-DD`, alone or followed by a time with its seconds.
    let b = trimmed.as_bytes();
    let at_is = |k: usize, c: u8| b.get(k) == Some(&c);
    let shaped =
        at_is(4, b'-') && at_is(7, b'-') && (b.len() == 10 || (at_is(13, b':') && at_is(16, b':')));
    if !shaped {
        return Err(bad());
    }
    let pieces = Pieces::parse(trimmed).map_err(|_| bad())?;
    if pieces.time_zone_annotation().is_some() {
        return Err(bad());
    }
    let at = match (pieces.time(), pieces.offset()) {
        (None, _) => {
            Offset::UTC.to_timestamp(pieces.date().to_datetime(jiff::civil::Time::midnight()))
        }
        (Some(time), Some(offset)) => offset
            .to_numeric_offset()
            .to_timestamp(pieces.date().to_datetime(time)),
        (Some(_), None) => return Err(bad()),
    }
    .map_err(|_| bad())?;
    let seconds = u64::try_from(at.as_second()).map_err(|_| bad())?;
    Ok(seconds * 1000)
}

#[cfg(test)]
mod tests {
    //! Properties: day numbers and dates agree both ways over
    //! centuries (leap years included); formatting and parsing round-trip;
    //! malformed dates are refused.
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(format_day(0), "1970-01-01");
        assert_eq!(format_day(59), "1970-03-01");
        assert_eq!(format_day(11_016), "2000-02-29");
        assert_eq!(format_day(20_513), "2026-03-01");
        assert_eq!(format_time(1_772_373_909_000), "2026-03-01T14:05:09Z");
        assert_eq!(format_time(1_772_373_909_999), "2026-03-01T14:05:09Z");
    }

    #[test]
    fn days_round_trip() {
        for day in 0..150_000u32 {
            let text = format_day(day);
            assert_eq!(parse_time(&text), Ok(start_of(day)), "{text}");
        }
        assert!(format_day(u32::MAX).starts_with("9999-"));
    }

    #[test]
    fn parsing() {
        let table = [
            ("2026-03-01", Some(1_772_323_200_000)),
            ("2026-03-01T14:05:09Z", Some(1_772_373_909_000)),
            ("2026-03-01T14:05:09.123Z", Some(1_772_373_909_000)),
            ("2026-03-01T16:05:09+02:00", Some(1_772_373_909_000)),
            ("2026-03-01T11:05:09-03:00", Some(1_772_373_909_000)),
            (" 2026-03-01 ", Some(1_772_323_200_000)),
            ("2024-02-29", Some(1_709_164_800_000)),
            ("2025-02-29", None),
            ("2026-13-01", None),
            ("2026-3-1", None),
            ("01/03/2026", None),
            ("2026-03-01T25:00:00Z", None),
            ("2026-03-01T14:05Z", None),
            ("2026-03-01T14:05:09", None),
            ("1969-12-31", None),
            ("", None),
            ("hier", None),
        ];
        for (text, expected) in table {
            assert_eq!(parse_time(text).ok(), expected, "{text:?}");
        }
        let at = 1_772_373_909_000;
        assert_eq!(parse_time(&format_time(at)), Ok(at));
        assert_eq!(day_of(at), 20_513);
        assert_eq!(start_of(20_513), 1_772_323_200_000);
    }
}
