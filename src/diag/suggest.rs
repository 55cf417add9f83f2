//! "Did you mean": the closest of a set of names to a misspelt one.
//!
//! A candidate qualifies when its optimal-string-alignment distance to the name (edits
//! and swaps of neighbours) is at most a third of the longer one's length (at least 1),
//! or when one is a prefix of the other; of those, the most similar by normalised
//! Levenshtein similarity wins, ties going to the first in byte order.
//!
//! A workspace can hold ten thousand names and as many unknown references (a renamed
//! database that every service uses): each lookup scans every candidate, so the scan
//! rejects most of them without computing a distance: by the characters they hold, by
//! length, and then by a distance computation that stops as soon as it must exceed the
//! limit. The result is exactly the naive one
//! (`tests::the_fast_scan_agrees_with_the_naive_one`).

/// The closest candidate to `name`, if any is close enough (see the module).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    closest(name, candidates.into_iter().map(Entry::new))
}

/// Names prepared for many lookups ([`Names::closest`]): each one's set of characters
/// and length made once. The same answers as [`did_you_mean`] over the same names.
#[derive(Debug, Default)]
pub struct Names<'a> {
    entries: Vec<Entry<'a>>,
}

impl<'a> Names<'a> {
    pub fn new(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            entries: names.into_iter().map(Entry::new).collect(),
        }
    }

    /// The closest of the names to `name`, if any is close enough.
    #[must_use]
    pub fn closest(&self, name: &str) -> Option<&'a str> {
        closest(name, self.entries.iter().copied())
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry<'a> {
    text: &'a str,
    set: u64,
    chars: usize,
}

impl<'a> Entry<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            set: char_set(text),
            chars: text.chars().count(),
        }
    }
}

fn closest<'a>(name: &str, candidates: impl Iterator<Item = Entry<'a>>) -> Option<&'a str> {
    let me = Entry::new(name);
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let cand = c.text;
        if cand == name {
            continue;
        }
        let limit = (name.len().max(cand.len()) / 3).max(1);
        // An edit or a swap changes the set of characters present by at most two, and
        // the length by at most one; a prefix's set is within the longer one's.
        let differ = (me.set ^ c.set).count_ones() as usize;
        let close = differ.div_ceil(2) <= limit
            && me.chars.abs_diff(c.chars) <= limit
            && osa_within(name, cand, limit);
        let prefix = (me.set & !c.set == 0 || c.set & !me.set == 0)
            && (name.starts_with(cand) || cand.starts_with(name));
        if !(close || prefix) {
            continue;
        }
        // The Levenshtein distance is at least the difference in length: a candidate
        // whose best possible similarity cannot win is not measured.
        if let Some((s, b)) = best {
            let bound = similarity(me.chars.abs_diff(c.chars), me.chars.max(c.chars));
            if bound < s || (bound == s && cand >= b) {
                continue;
            }
        }
        let score = strsim::normalized_levenshtein(name, cand);
        if score > 0.0 && best.is_none_or(|(s, b)| score > s || (score == s && cand < b)) {
            best = Some((score, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// The characters of `s` as a set of 64 buckets: one for each lowercase letter, digit,
/// `-` and `_` (what names are made of), the rest shared by code point. Two strings
/// differ in at least as many characters as their sets differ in buckets.
fn char_set(s: &str) -> u64 {
    s.chars().fold(0, |set, c| {
        let bucket = match c {
            'a'..='z' => u32::from(c) - u32::from('a'),
            '0'..='9' => 26 + u32::from(c) - u32::from('0'),
            '-' => 36,
            '_' => 37,
            _ => 38 + u32::from(c) % 26,
        };
        set | 1 << bucket
    })
}

/// strsim's normalised Levenshtein similarity for a distance and the longer length.
fn similarity(distance: usize, longest: usize) -> f64 {
    if longest == 0 {
        return 1.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let s = 1.0 - (distance as f64) / (longest as f64);
    s
}

/// The longest names measured on the stack; longer ones go to strsim.
const SHORT: usize = 64;

/// Whether the optimal-string-alignment distance of `a` and `b` is at most `limit`.
fn osa_within(a: &str, b: &str, limit: usize) -> bool {
    if a.is_ascii() && b.is_ascii() && a.len() < SHORT && b.len() < SHORT {
        osa_within_ascii(a.as_bytes(), b.as_bytes(), limit)
    } else {
        strsim::osa_distance(a, b) <= limit
    }
}

/// [`strsim::osa_distance`] over bytes (`a` and `b` shorter than [`SHORT`]), stopped as
/// soon as a row exceeds `limit`: a row's smallest cell is never below the row before's
/// (a cell comes from its left, from the row before, or, for a swap, from two rows up
/// plus one, which is at least its diagonal neighbour one row up: the swapped bytes
/// differ, so that neighbour's own diagonal step costs one).
fn osa_within_ascii(a: &[u8], b: &[u8], limit: usize) -> bool {
    if a.len().abs_diff(b.len()) > limit {
        return false;
    }
    let m = b.len();
    let mut rows = [[0u8; SHORT + 1]; 3];
    for (j, cell) in rows[1].iter_mut().enumerate().take(m + 1) {
        *cell = u8::try_from(j).unwrap_or(u8::MAX);
    }
    rows[0] = rows[1];
    // rows[(i + 1) % 3]: the row before; rows[i % 3]: the one before that.
    for (i, &ac) in a.iter().enumerate() {
        let (two, one, cur) = (i % 3, (i + 1) % 3, (i + 2) % 3);
        let mut row = rows[cur];
        row[0] = u8::try_from(i + 1).unwrap_or(u8::MAX);
        let mut row_min = row[0];
        for (j, &bc) in b.iter().enumerate() {
            let cost = u8::from(ac != bc);
            let mut d = (row[j] + 1)
                .min(rows[one][j + 1] + 1)
                .min(rows[one][j] + cost);
            if i > 0 && j > 0 && ac != bc && ac == b[j - 1] && bc == a[i - 1] {
                d = d.min(rows[two][j - 1] + 1);
            }
            row[j + 1] = d;
            row_min = row_min.min(d);
        }
        rows[cur] = row;
        if usize::from(row_min) > limit {
            return false;
        }
    }
    usize::from(rows[(a.len() + 1) % 3][m]) <= limit
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, candidate by candidate, with strsim's distances.
    fn naive<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let mut best: Option<(f64, &str)> = None;
        for &cand in candidates {
            if cand == name {
                continue;
            }
            let dist = strsim::osa_distance(name, cand);
            let limit = (name.len().max(cand.len()) / 3).max(1);
            let score = strsim::normalized_levenshtein(name, cand);
            if (dist <= limit || name.starts_with(cand) || cand.starts_with(name))
                && score > 0.0
                && best.is_none_or(|(s, c)| score > s || (score == s && cand < c))
            {
                best = Some((score, cand));
            }
        }
        best.map(|(_, c)| c)
    }

    #[test]
    fn osa_on_bytes_is_strsims() {
        let words = [
            "", "a", "ab", "ba", "abc", "acb", "bca", "ca", "abcd", "badc", "svc-12", "svc-21",
            "svx-1", "db-0", "cache-0", "token", "tokne", "kotne", "aaaa", "aaab",
        ];
        for a in words {
            for b in words {
                let d = strsim::osa_distance(a, b);
                for limit in 0..6 {
                    assert_eq!(
                        osa_within_ascii(a.as_bytes(), b.as_bytes(), limit),
                        d <= limit,
                        "{a:?} {b:?} limit {limit} (distance {d})"
                    );
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Short names over a small alphabet, so that most pairs are close.
        #[test]
        fn the_fast_scan_agrees_with_the_naive_one(
            name in "[abc-]{0,7}|[aé]{0,4}",
            candidates in proptest::collection::vec("[abc-]{0,8}|[aé]{0,5}|x{60,70}", 0..12),
        ) {
            let cands: Vec<&str> = candidates.iter().map(String::as_str).collect();
            let want = naive(&name, &cands);
            prop_assert_eq!(did_you_mean(&name, cands.iter().copied()), want);
            prop_assert_eq!(Names::new(cands.iter().copied()).closest(&name), want);
        }

        #[test]
        fn osa_limit_agrees_with_strsim(a in "[ab-]{0,10}", b in "[ab-]{0,10}", limit in 0usize..6) {
            prop_assert_eq!(
                osa_within_ascii(a.as_bytes(), b.as_bytes(), limit),
                strsim::osa_distance(&a, &b) <= limit
            );
        }
    }
}
