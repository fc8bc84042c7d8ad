//! Wall-clock timestamps without a date library: "now" in the providers'
//! ISO-8601 shape (the emulator's answers) and RFC 3339 UTC instants (the
//! apply report). Formatting only; nothing here reads or sleeps on a clock
//! for timing.

use std::time::{SystemTime, UNIX_EPOCH};

/// `yyyy-MM-ddTHH:mm:ss` in UTC.
pub fn now_iso() -> String {
    iso(seconds(SystemTime::now()))
}

/// `yyyy-MM-ddTHH:mm:ssZ`: `at` in UTC as RFC 3339, to the second.
pub fn rfc3339(at: SystemTime) -> String {
    format!("{}Z", iso(seconds(at)))
}

/// Seconds since the epoch; an instant before it counts as the epoch.
fn seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn iso(secs: u64) -> String {
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's era-based method: 400-year eras of 146097 days).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(iso(0), "1970-01-01T00:00:00");
        assert_eq!(iso(1_559_648_569), "2019-06-04T11:42:49");
        assert_eq!(iso(951_782_400), "2000-02-29T00:00:00");
        let at = UNIX_EPOCH + Duration::from_millis(1_559_648_569_900);
        assert_eq!(rfc3339(at), "2019-06-04T11:42:49Z");
    }
}
