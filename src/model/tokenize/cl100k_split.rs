//! GPT-4's (cl100k) pre-tokeniser written out by hand: the same pieces as its
//! regex ([`super::pretokenize::CL100K_PATTERN`]), without a regex engine.
//!
//! The regex tries seven branches in order at each position and takes the first
//! that matches. Read as rules on the character classes of
//! [`super::char_class`]:
//!
//! | branch | pattern | as a rule |
//! |---|---|---|
//! | 1 | `'(?i:[sdmt]\|ll\|ve\|re)` | an apostrophe and an English contraction |
//! | 2 | `[^\r\n\p{L}\p{N}]?+\p{L}++` | letters, optionally after one space or symbol |
//! | 3 | `\p{N}{1,3}+` | one to three digits |
//! | 4 | `` ?[^\s\p{L}\p{N}]++[\r\n]*+`` | symbols (maybe after a space), then line breaks |
//! | 5 | `\s++$` | white space that runs to the end of the text |
//! | 6 | `\s*[\r\n]` | white space up to its last line break |
//! | 7 | `\s+(?!\S)` | white space but its last character, which goes to the next word |
//! | 8 | `\s` | a single white-space character |
//!
//! ```text
//! "I've  12 cats!!\n"  →  |I|'ve| | |12| cats|!!\n|
//! ```
//!
//! A regex engine has to discover all this by trying branches and backtracking;
//! the rules find each piece in one pass over its characters, which is why
//! encoding with this splitter is faster than with the regex (the tests check
//! both give the same pieces, on adversarial text and on the whole corpus).

use super::char_class::{CharClass, CharClasses};
use super::split_rules::{
    char_at, contraction_any_case, cover, run_of, up_to_three_numbers, white_run,
};

/// Calls `f(start, end)` for every cl100k piece of `text`, in order. The pieces
/// cover `text` exactly.
///
/// ```
/// use llm_lens::model::tokenize::cl100k_split::for_each_piece;
/// let text = "I've  12 cats!!\n";
/// let mut pieces = Vec::new();
/// for_each_piece(text, |a, b| pieces.push(&text[a..b]));
/// assert_eq!(pieces, ["I", "'ve", " ", " ", "12", " cats", "!!\n"]);
/// ```
pub fn for_each_piece(text: &str, f: impl FnMut(usize, usize)) {
    cover(text, piece_end, f);
}

/// The end of the piece that starts at `pos` (which is below `text.len()`).
fn piece_end(text: &str, pos: usize, classes: &CharClasses) -> usize {
    use CharClass::*;
    let Some((c, class, len)) = char_at(text, pos, classes) else {
        return text.len();
    };
    let next = char_at(text, pos + len, classes);
    // 1: contractions.
    if c == '\''
        && let Some(n) = contraction_any_case(text, pos)
    {
        return pos + n;
    }
    // 2: letters, with at most one leading character that is not a line break,
    // letter or number.
    match class {
        Letter => return run_of(text, pos + len, Letter, classes),
        Space | Other => {
            if let Some((_, Letter, next_len)) = next {
                return run_of(text, pos + len + next_len, Letter, classes);
            }
        }
        Number | Newline => {}
    }
    // 3: up to three digits.
    if class == Number {
        return up_to_three_numbers(text, pos, classes);
    }
    // 4: symbols, after an optional space, then any line breaks.
    let symbols_from = match (c, class, next) {
        (_, Other, _) => Some(pos),
        (' ', _, Some((_, Other, _))) => Some(pos + len),
        _ => None,
    };
    if let Some(from) = symbols_from {
        let end = run_of(text, from, Other, classes);
        return run_of(text, end, Newline, classes);
    }
    // 5 to 8: `c` is white space.
    let run = white_run(text, pos, classes);
    if run.end == text.len() {
        return run.end; // 5
    }
    if let Some(e) = run.after_last_break {
        return e; // 6
    }
    if run.last_start > pos {
        return run.last_start; // 7: the last space goes to the next piece
    }
    pos + len // 8
}
