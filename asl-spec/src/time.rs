//! RFC 3339 timestamps as ASL accepts them.

use jiff::Timestamp;

/// Parses an RFC 3339 timestamp the way Step Functions does: `T` and `Z`
/// uppercase, seconds required, an optional fraction, and a `Z` or `±hh:mm`
/// offset. Returns `None` for anything else (a space instead of `T`, no zone,
/// an impossible date).
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let shape_ok = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape_ok {
        return None;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let zone_ok = match &b[i..] {
        [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] if (*sign == b'+' || *sign == b'-') => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    };
    if !zone_ok {
        return None;
    }
    match s.parse::<Timestamp>() {
        Ok(t) => Some(t),
        // jiff's timestamps end at 9999-12-30T22:00Z, leaving room for any
        // offset; a valid later time is, for a Wait, the end of time.
        Err(_) => s[..i].parse::<jiff::civil::DateTime>().ok().map(|_| Timestamp::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_rfc3339;

    #[test]
    fn accepts_what_aws_accepts() {
        for ok in [
            "2016-03-14T01:59:00Z",
            "2023-12-13T07:09:46.000000Z",
            "2023-12-13T07:10:01.00Z",
            "2016-03-14T01:59:00+01:00",
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59.999-05:00",
        ] {
            assert!(parse_rfc3339(ok).is_some(), "{ok}");
        }
    }

    #[test]
    fn rejects_the_rest() {
        for bad in [
            "2016-12-05 21:29:29Z",
            "2016-12-05T21:29:29",
            "2016-13-05T21:29:29Z",
            "2016-12-05T25:29:29Z",
            "05-12-2016T21:29:29Z",
            "2016-12-05t21:29:29z",
            "2023-12-13T07:10:32.000000",
            "9999-12-32T23:59:59Z",
        ] {
            assert!(parse_rfc3339(bad).is_none(), "{bad}");
        }
    }
}
