//! Durations written on the command line: `500ms`, `2s`, `1.5s`, `1min`, `1h`, `1d`.

use std::time::Duration;

/// Milliseconds per unit suffix (the same units as duration literals in the DSL).
const UNITS: [(&str, f64); 5] = [
    ("ms", 1.0),
    ("s", 1_000.0),
    ("min", 60_000.0),
    ("h", 3_600_000.0),
    ("d", 86_400_000.0),
];

/// Parses a duration such as `500ms`, `2s`, `1.5s`, `1min`, `1h` or `1d`: a non-negative number
/// (decimals allowed) and a unit, rounded to whole milliseconds. Made for clap:
/// `#[arg(long, value_parser = parse_duration, default_value = "1s")] window: Duration`.
///
/// ```
/// use std::time::Duration;
/// use rill_runtime::time::parse_duration;
///
/// assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
/// assert_eq!(parse_duration("2min"), Ok(Duration::from_secs(120)));
/// assert!(parse_duration("10").unwrap_err().contains("`10`"));
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim_start();
    let problem = |what: &str| {
        format!("`{text}` is not a duration: {what}; write a number and a unit: `500ms`, `2s`, `1.5s`, `1min`, `1h` or `1d`")
    };
    if number.is_empty() {
        return Err(problem("it does not start with a number"));
    }
    let Some((_, per_unit)) = UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(if unit.is_empty() {
            problem("it needs a unit")
        } else {
            problem(&format!("unknown unit `{unit}`"))
        });
    };
    let value: f64 = number
        .parse()
        .map_err(|_| problem(&format!("`{number}` is not a number")))?;
    let millis = (value * per_unit).round();
    if !millis.is_finite() || millis > u64::MAX as f64 {
        return Err(problem("it is too long"));
    }
    Ok(Duration::from_millis(millis as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit() {
        let ms = Duration::from_millis;
        assert_eq!(parse_duration("500ms"), Ok(ms(500)));
        assert_eq!(parse_duration("2s"), Ok(ms(2_000)));
        assert_eq!(parse_duration("1.5s"), Ok(ms(1_500)));
        assert_eq!(parse_duration("1min"), Ok(ms(60_000)));
        assert_eq!(parse_duration("1h"), Ok(ms(3_600_000)));
        assert_eq!(parse_duration("1d"), Ok(ms(86_400_000)));
        assert_eq!(parse_duration("0s"), Ok(ms(0)));
        assert_eq!(parse_duration(" 3 s "), Ok(ms(3_000)));
        assert_eq!(parse_duration("0.25min"), Ok(ms(15_000)));
    }

    #[test]
    fn errors_name_the_text() {
        for bad in [
            "",
            "10",
            "s",
            "2 parsecs",
            "1.2.3s",
            "-1s",
            "1e3ms",
            "99999999999999999999d",
        ] {
            let error = parse_duration(bad).unwrap_err();
            assert!(error.contains(&format!("`{bad}`")), "{bad}: {error}");
        }
        assert!(parse_duration("2weeks")
            .unwrap_err()
            .contains("unknown unit `weeks`"));
        assert!(parse_duration("10").unwrap_err().contains("needs a unit"));
    }
}
