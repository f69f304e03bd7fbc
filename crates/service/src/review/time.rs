//! Days and timestamps for the review: the store keeps milliseconds since
//! the Unix epoch, counters are kept per UTC day, and the API speaks RFC
//! 3339 (`2026-03-01T14:05:09Z`, or a plain `2026-03-01` for a day).
//!
//! Written by hand (civil-from-days, after Howard Hinnant's algorithms)
//! rather than with a date crate: the review needs UTC only, and these
//! few lines are exactly tested below.

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

/// (year, month 1-12, day 1-31) of a day number.
fn civil(day: u32) -> (i64, u32, u32) {
    let z = i64::from(day) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The day number of a civil date, if it is a real date from 1970 on.
fn day_number(y: i64, m: u32, d: u32) -> Option<u32> {
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from(if m > 2 { m - 3 } else { m + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    u32::try_from(era * 146_097 + doe - 719_468).ok()
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// `2026-03-01`.
pub fn format_day(day: u32) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2026-03-01T14:05:09Z` (seconds precision).
pub fn format_time(at: Millis) -> String {
    let secs = (at % DAY_MILLIS) / 1000;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_day(day_of(at)),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Read `2026-03-01` (the start of that UTC day) or `2026-03-01T14:05:09Z`
/// (fractions of a second and a `+HH:MM` offset accepted).
pub fn parse_time(text: &str) -> Result<Millis, String> {
    let bad = || format!("`{text}` is not a date like 2026-03-01 or 2026-03-01T14:05:09Z");
    let text = text.trim();
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let num = |s: &str| -> Result<u32, String> {
        if s.chars().all(|c| c.is_ascii_digit()) {
            s.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let day = day_number(i64::from(num(y)?), num(m)?, num(d)?).ok_or_else(bad)?;
    let Some(time) = time else {
        return Ok(start_of(day));
    };
    // Split the offset off: `Z`, `+02:00` or `-03:00`.
    let (clock, offset_minutes): (&str, i64) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(k) = time.rfind(['+', '-']) {
        let (c, off) = time.split_at(k);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (h, mi) = off[1..].split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || mi.len() != 2 {
            return Err(bad());
        }
        (c, sign * i64::from(num(h)? * 60 + num(mi)?))
    } else {
        return Err(bad());
    };
    let clock = clock.split('.').next().unwrap_or(clock);
    let mut hms = clock.splitn(3, ':');
    let (Some(h), Some(mi), Some(s)) = (hms.next(), hms.next(), hms.next()) else {
        return Err(bad());
    };
    if h.len() != 2 || mi.len() != 2 || s.len() != 2 {
        return Err(bad());
    }
    let (h, mi, s) = (num(h)?, num(mi)?, num(s)?);
    if h > 23 || mi > 59 || s > 60 {
        return Err(bad());
    }
    let local = i64::try_from(start_of(day)).map_err(|_| bad())?
        + (i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s)) * 1000;
    u64::try_from(local - offset_minutes * 60_000).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    //! Properties: day numbers and civil dates agree both ways over
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
    fn civil_dates_round_trip() {
        for day in 0..150_000u32 {
            let (y, m, d) = civil(day);
            assert_eq!(day_number(y, m, d), Some(day), "{y}-{m}-{d}");
        }
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
