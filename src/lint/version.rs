//! Versions and the version ranges of `license { "<range>" = "<SPDX>" }` tables.
//!
//! A version is its leading dotted numbers: `v1.31.4+k3s1` is 1.31.4, `2.25.1.0-b381`
//! is 2.25.1.0, `7.2-alpine` is 7.2. A range is `*` (every version) or comparisons
//! separated by commas that must all hold: `>=7.4, <8.0`. A bound compares only as many
//! numbers as it has, as npm does with partial versions: `<=7.2` holds for every 7.2.x,
//! `<7.4` for nothing of 7.4.x, `=8` for every 8.x.

use std::cmp::Ordering;

/// The numbers of a version, or `None` when it does not start with one.
#[must_use]
pub fn parse(text: &str) -> Option<Vec<u64>> {
    let t = text.trim();
    let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let core = t[..end].trim_end_matches('.');
    if core.is_empty() {
        return None;
    }
    core.split('.').map(|p| p.parse::<u64>().ok()).collect()
}

/// A malformed range: what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeError(pub String);

/// Whether `version` lies in `range`.
///
/// # Errors
/// The range is not `*` or a comma-separated list of `OP VERSION` with `OP` one of
/// `>=`, `>`, `<=`, `<`, `=`.
pub fn matches(range: &str, version: &[u64]) -> Result<bool, RangeError> {
    let range = range.trim();
    if range == "*" {
        return Ok(true);
    }
    let mut all = true;
    for part in range.split(',') {
        let part = part.trim();
        let (op, rest) = ["<=", ">=", "<", ">", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|r| (*op, r)))
            .ok_or_else(|| {
                RangeError(format!(
                    "`{part}` does not start with `<`, `<=`, `>`, `>=` or `=`"
                ))
            })?;
        let bound =
            parse(rest).filter(|_| rest.trim().chars().all(|c| c.is_ascii_digit() || c == '.'));
        let bound =
            bound.ok_or_else(|| RangeError(format!("`{}` is not a version", rest.trim())))?;
        let ord = compare_prefix(version, &bound);
        let ok = match op {
            "<" => ord == Ordering::Less,
            "<=" => ord != Ordering::Greater,
            ">" => ord == Ordering::Greater,
            ">=" => ord != Ordering::Less,
            _ => ord == Ordering::Equal,
        };
        all &= ok;
    }
    Ok(all)
}

/// Compares the first `bound.len()` numbers of `version` (missing ones are 0) with
/// `bound`.
fn compare_prefix(version: &[u64], bound: &[u64]) -> Ordering {
    for (i, b) in bound.iter().enumerate() {
        let v = version.get(i).copied().unwrap_or(0);
        match v.cmp(b) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    Ordering::Equal
}

/// The first row of a license table whose range holds `version`: `Ok(None)` when none
/// does. With no version (an image without a tag), only a `*` row matches.
///
/// # Errors
/// A row before the match has a malformed range: the range and what is wrong.
pub fn pick<'t>(
    table: &'t [(String, String)],
    version: Option<&[u64]>,
) -> Result<Option<&'t (String, String)>, (String, RangeError)> {
    for row in table {
        let hit = match version {
            Some(v) => matches(&row.0, v).map_err(|e| (row.0.clone(), e))?,
            None => row.0.trim() == "*",
        };
        if hit {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(range: &str, v: &str) -> bool {
        matches(range, &parse(v).expect("version")).expect("range")
    }

    #[test]
    fn versions() {
        assert_eq!(parse("v1.31.4+k3s1"), Some(vec![1, 31, 4]));
        assert_eq!(parse("2.25.1.0-b381"), Some(vec![2, 25, 1, 0]));
        assert_eq!(parse("7.2-alpine"), Some(vec![7, 2]));
        assert_eq!(parse("latest"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn ranges() {
        assert!(m("*", "1.0"));
        assert!(m("<=7.2", "7.2.7"));
        assert!(!m("<=7.2", "7.3.0"));
        assert!(m(">=7.4, <8.0", "7.4.0"));
        assert!(m(">=7.4, <8.0", "7.8.3"));
        assert!(!m(">=7.4, <8.0", "8.0.0"));
        assert!(m(">=8.0", "8.2"));
        assert!(m("<1.15", "1.14.9"));
        assert!(!m("<1.15", "1.15.0"));
        assert!(m("=8", "8.1.0"));
        assert!(m(">7.2", "7.4"));
        assert!(!m(">7.2", "7.2.9"));
        assert!(matches("~7", &[7]).is_err());
        assert!(matches(">= x", &[7]).is_err());
    }

    #[test]
    fn picking() {
        let table = vec![
            ("<=7.2".to_string(), "BSD-3-Clause".to_string()),
            (">=7.4, <8.0".to_string(), "SSPL-1.0".to_string()),
        ];
        assert_eq!(
            pick(&table, Some(&[7, 2, 7]))
                .expect("ok")
                .map(|r| r.1.as_str()),
            Some("BSD-3-Clause")
        );
        assert_eq!(pick(&table, Some(&[7, 3])).expect("ok"), None);
        assert_eq!(pick(&table, None).expect("ok"), None);
    }
}
