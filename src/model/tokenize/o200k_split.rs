//! GPT-4o's (o200k) pre-tokeniser written out by hand: the same pieces as its
//! regex ([`super::pretokenize::O200K_PATTERN`]), without a regex engine.
//!
//! o200k's word rules split at case changes. With "upper" the set
//! `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`, "lower" the set `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`
//! (caseless letters and marks are in both; see [`super::char_class::Case`]),
//! "prefix" one character that is not a line break, letter or number, and
//! "contraction" `(?i:'s|'t|'re|'ve|'m|'ll|'d)`, the branches are:
//!
//! | branch | pattern | as a rule |
//! |---|---|---|
//! | 1 | prefix? upper\* lower+ contraction? | a word ending in lower case (`camel`, ` Case`) |
//! | 2 | prefix? upper+ lower\* contraction? | a word in capitals (`HTTP`, `I've`) |
//! | 3 | `\p{N}{1,3}` | one to three digits |
//! | 4 | `` ?[^\s\p{L}\p{N}]+[\r\n/]*`` | symbols (maybe after a space), then line breaks and slashes |
//! | 5 | `\s*[\r\n]+` | white space up to its last line break |
//! | 6 | `\s+(?!\S)` | white space but its last character, or all of it at the end |
//! | 7 | `\s+` | the rest of a white-space run |
//!
//! ```text
//! "HTTPServer's camelCase"  →  |HTTPServer's| camel|Case|
//! ```
//!
//! Unlike cl100k's, these quantifiers are not possessive, so the rules below
//! follow the regex engine's backtracking order where the sets overlap: the
//! prefix is tried taken, then not; `upper*` gives back characters one at a
//! time until `lower+` can start.

use super::char_class::{Case, CharClass, CharClasses};
use super::split_rules::{
    char_at, contraction_any_case, cover, run_of, up_to_three_numbers, white_run,
};

/// Calls `f(start, end)` for every o200k piece of `text`, in order. The pieces
/// cover `text` exactly.
///
/// ```
/// use llm_lens::model::tokenize::o200k_split::for_each_piece;
/// let text = "HTTPServer's camelCase 12345!!\n";
/// let mut pieces = Vec::new();
/// for_each_piece(text, |a, b| pieces.push(&text[a..b]));
/// assert_eq!(pieces, ["HTTPServer's", " camel", "Case", " ", "123", "45", "!!\n"]);
/// ```
pub fn for_each_piece(text: &str, f: impl FnMut(usize, usize)) {
    cover(text, piece_end, f);
}

/// The end of the longest run from `i` of characters whose case passes `keep`.
fn case_run(text: &str, mut i: usize, classes: &CharClasses, keep: fn(Case) -> bool) -> usize {
    while let Some((c, _, len)) = char_at(text, i, classes) {
        if !keep(classes.case_of(c)) {
            break;
        }
        i += len;
    }
    i
}

/// After the word proper ends at `end`, an optional contraction.
fn with_contraction(text: &str, end: usize) -> usize {
    end + contraction_any_case(text, end).unwrap_or(0)
}

/// Branch 1 without its prefix, from `s`: `upper* lower+`, then a contraction.
fn word_ending_lower(text: &str, s: usize, classes: &CharClasses) -> Option<usize> {
    let upper_end = case_run(text, s, classes, Case::in_upper_set);
    // `upper*` takes the whole run if `lower+` can follow it...
    if let Some((c, _, _)) = char_at(text, upper_end, classes)
        && classes.case_of(c).in_lower_set()
    {
        let end = case_run(text, upper_end, classes, Case::in_lower_set);
        return Some(with_contraction(text, end));
    }
    // ...otherwise it gives back characters until one that is also in the lower
    // set (a caseless letter or a mark) can start `lower+`.
    let (offset, _) = text
        .get(s..upper_end)?
        .char_indices()
        .rev()
        .find(|&(_, c)| classes.case_of(c).in_lower_set())?;
    let start = s + offset;
    let end = case_run(text, start, classes, Case::in_lower_set);
    Some(with_contraction(text, end))
}

/// Branch 2 without its prefix, from `s`: `upper+ lower*`, then a contraction.
fn word_in_capitals(text: &str, s: usize, classes: &CharClasses) -> Option<usize> {
    let upper_end = case_run(text, s, classes, Case::in_upper_set);
    if upper_end == s {
        return None;
    }
    let end = case_run(text, upper_end, classes, Case::in_lower_set);
    Some(with_contraction(text, end))
}

/// The end of the piece that starts at `pos` (which is below `text.len()`).
fn piece_end(text: &str, pos: usize, classes: &CharClasses) -> usize {
    use CharClass::*;
    let Some((c, class, len)) = char_at(text, pos, classes) else {
        return text.len();
    };
    // 1 and 2, each trying the prefix taken first, then not taken.
    let prefix = matches!(class, Space | Other);
    for word in [word_ending_lower, word_in_capitals] {
        if prefix && let Some(end) = word(text, pos + len, classes) {
            return end;
        }
        if let Some(end) = word(text, pos, classes) {
            return end;
        }
    }
    // 3: up to three digits.
    if class == Number {
        return up_to_three_numbers(text, pos, classes);
    }
    // 4: symbols (marks included), after an optional space, then line breaks and
    // slashes.
    let symbols_from = match (c, class, char_at(text, pos + len, classes)) {
        (_, Other, _) => Some(pos),
        (' ', _, Some((_, Other, _))) => Some(pos + len),
        _ => None,
    };
    if let Some(from) = symbols_from {
        let mut end = run_of(text, from, Other, classes);
        while let Some(('\r' | '\n' | '/', _, l)) = char_at(text, end, classes) {
            end += l;
        }
        return end;
    }
    // 5 to 7: `c` is white space.
    let run = white_run(text, pos, classes);
    if let Some(e) = run.after_last_break {
        return e; // 5
    }
    if run.end == text.len() || run.last_start == pos {
        return run.end; // 6 at the end of the text, or 7 for a single character
    }
    run.last_start // 6: the last space goes to the next piece
}
