//! The three Unicode character classes the GPT pre-tokenisers are written in:
//! letters (`\p{L}`), numbers (`\p{N}`) and white space (`\s`), plus `\r`/`\n`,
//! which the patterns treat apart.
//!
//! The tables are not typed in by hand: they come from `regex-syntax`, the
//! parser behind the regex crate, so a hand-written splitter classifies every
//! code point exactly as the reference regex does.

use std::sync::OnceLock;

use regex_syntax::hir::{Class, HirKind};

/// What a pre-tokeniser needs to know about one character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    /// `\p{L}`: any letter, in any script.
    Letter,
    /// `\p{N}`: digits and other numerals (`٣`, `Ⅻ`, `½`).
    Number,
    /// `\r` or `\n`.
    Newline,
    /// Any other `\s` (space, tab, no-break space, ideographic space, ...).
    Space,
    /// Everything else: punctuation, symbols, emoji, combining marks, controls.
    Other,
}

/// o200k splits words at case changes, so it also needs each letter's case.
/// Its two word rules use the sets `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` ("upper")
/// and `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` ("lower"), which overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Upper- and title-case letters (`A`, `Ǆ`): only in the upper set.
    Upper,
    /// Lower-case letters (`a`, `ß`): only in the lower set.
    Lower,
    /// Caseless letters and marks (`中`, `ʰ`, U+0301): in both sets.
    Both,
    /// Everything else: in neither.
    Neither,
}

impl Case {
    pub fn in_upper_set(self) -> bool {
        matches!(self, Case::Upper | Case::Both)
    }

    pub fn in_lower_set(self) -> bool {
        matches!(self, Case::Lower | Case::Both)
    }
}

/// Code points below this are classified by a flat table; above, by binary search.
const TABLE_LIMIT: usize = 0x1_0000;

/// One property of every code point: a flat table for the BMP, sorted ranges
/// above it.
#[derive(Debug)]
struct Table<T> {
    /// The value of every code point below [`TABLE_LIMIT`].
    bmp: Vec<T>,
    /// Sorted, disjoint `(first, last, value)` ranges above it.
    astral: Vec<(u32, u32, T)>,
    /// The value of code points in no range.
    default: T,
}

impl<T: Copy> Table<T> {
    /// From `(pattern, value)` pairs; a later pair overrides an earlier one where
    /// they overlap.
    fn build(patterns: &[(&str, T)], default: T) -> Table<T> {
        let mut bmp = vec![default; TABLE_LIMIT];
        let mut astral = Vec::new();
        for &(pattern, value) in patterns {
            for (first, last) in unicode_ranges(pattern) {
                for cp in first..=last.min(TABLE_LIMIT as u32 - 1) {
                    bmp[cp as usize] = value;
                }
                if last as usize >= TABLE_LIMIT {
                    astral.push((first.max(TABLE_LIMIT as u32), last, value));
                }
            }
        }
        astral.sort_unstable_by_key(|r| r.0);
        Table {
            bmp,
            astral,
            default,
        }
    }

    #[inline]
    fn of(&self, c: char) -> T {
        let cp = c as u32;
        if let Some(&v) = self.bmp.get(cp as usize) {
            return v;
        }
        match self.astral.binary_search_by(|&(first, last, _)| {
            if last < cp {
                std::cmp::Ordering::Less
            } else if first > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        }) {
            Ok(i) => self.astral[i].2,
            Err(_) => self.default,
        }
    }
}

/// Classification tables, built once from `regex-syntax`'s Unicode data.
#[derive(Debug)]
pub struct CharClasses {
    class: Table<CharClass>,
    case: Table<Case>,
}

impl CharClasses {
    /// The shared tables.
    pub fn get() -> &'static CharClasses {
        static TABLES: OnceLock<CharClasses> = OnceLock::new();
        TABLES.get_or_init(CharClasses::build)
    }

    fn build() -> CharClasses {
        // The three classes are disjoint; `\r` and `\n` are set apart last.
        let class = Table::build(
            &[
                (r"\p{L}", CharClass::Letter),
                (r"\p{N}", CharClass::Number),
                (r"\s", CharClass::Space),
                (r"[\r\n]", CharClass::Newline),
            ],
            CharClass::Other,
        );
        let case = Table::build(
            &[
                (r"[\p{Lu}\p{Lt}]", Case::Upper),
                (r"\p{Ll}", Case::Lower),
                (r"[\p{Lm}\p{Lo}\p{M}]", Case::Both),
            ],
            Case::Neither,
        );
        CharClasses { class, case }
    }

    /// The class of `c`: `'a'` and `'ж'` are letters, `'٣'` a number, `'\u{3000}'` a space.
    #[inline]
    pub fn of(&self, c: char) -> CharClass {
        self.class.of(c)
    }

    /// The case of `c` as o200k's word rules see it: `'A'` upper, `'a'` lower,
    /// `'中'` both.
    #[inline]
    pub fn case_of(&self, c: char) -> Case {
        self.case.of(c)
    }
}

/// The code point ranges of a one-class pattern such as `\p{L}`, as the regex
/// crate's parser resolves them (empty if the pattern is not a single class).
fn unicode_ranges(pattern: &str) -> Vec<(u32, u32)> {
    let Ok(hir) = regex_syntax::Parser::new().parse(pattern) else {
        return Vec::new();
    };
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_of_familiar_characters() {
        let t = CharClasses::get();
        for (c, class) in [
            ('a', CharClass::Letter),
            ('Ж', CharClass::Letter),
            ('中', CharClass::Letter),
            ('𝔸', CharClass::Letter),
            ('7', CharClass::Number),
            ('٣', CharClass::Number),
            ('½', CharClass::Number),
            ('\n', CharClass::Newline),
            ('\r', CharClass::Newline),
            (' ', CharClass::Space),
            ('\t', CharClass::Space),
            ('\u{3000}', CharClass::Space),
            ('!', CharClass::Other),
            ('\'', CharClass::Other),
            ('\u{301}', CharClass::Other),
            ('😀', CharClass::Other),
            ('\u{10FFFF}', CharClass::Other),
        ] {
            assert_eq!(t.of(c), class, "{c:?}");
        }
    }

    #[test]
    fn tables_agree_with_the_regex_crate() -> Result<(), Box<dyn std::error::Error>> {
        let regex = |class: &str| fancy_regex::Regex::new(&format!("^{class}$"));
        // Tried in order; the first that matches gives the expected value.
        let classes = [
            (regex(r"\p{L}")?, CharClass::Letter),
            (regex(r"\p{N}")?, CharClass::Number),
            (regex(r"[\r\n]")?, CharClass::Newline),
            (regex(r"\s")?, CharClass::Space),
        ];
        let cases = [
            (regex(r"[\p{Lu}\p{Lt}]")?, Case::Upper),
            (regex(r"\p{Ll}")?, Case::Lower),
            (regex(r"[\p{Lm}\p{Lo}\p{M}]")?, Case::Both),
        ];
        fn first_match<T: Copy>(
            s: &str,
            table: &[(fancy_regex::Regex, T)],
            otherwise: T,
        ) -> Result<T, fancy_regex::Error> {
            for (re, value) in table {
                if re.is_match(s)? {
                    return Ok(*value);
                }
            }
            Ok(otherwise)
        }
        let t = CharClasses::get();
        let mut buf = [0u8; 4];
        // Every code point in the BMP and a stride through the rest.
        let astral = (0x1_0000u32..=0x10_FFFF).step_by(7);
        for c in (0u32..0x1_0000).chain(astral).filter_map(char::from_u32) {
            let s: &str = c.encode_utf8(&mut buf);
            let class = first_match(s, &classes, CharClass::Other)?;
            assert_eq!(t.of(c), class, "U+{:04X}", c as u32);
            let case = first_match(s, &cases, Case::Neither)?;
            assert_eq!(t.case_of(c), case, "U+{:04X}", c as u32);
        }
        Ok(())
    }
}
