//! GPT-2's (r50k) pre-tokeniser written out by hand: the same pieces as its
//! regex ([`super::pretokenize::GPT2_PATTERN`]), without a regex engine. The BPE
//! trainer splits the whole corpus with it, so this is most of a training run's
//! first second.
//!
//! The regex's branches, tried in order at each position, as rules on the
//! character classes of [`super::char_class`]:
//!
//! | branch | pattern | as a rule |
//! |---|---|---|
//! | 1 | `'(?:[sdmt]\|ll\|ve\|re)` | an apostrophe and a lower-case contraction |
//! | 2 | `` ?\p{L}++`` | letters, maybe after one space |
//! | 3 | `` ?\p{N}++`` | numbers (any count), maybe after one space |
//! | 4 | `` ?[^\s\p{L}\p{N}]++`` | symbols, maybe after one space |
//! | 5 | `\s++$` | white space that runs to the end of the text |
//! | 6 | `\s+(?!\S)` | white space but its last character, which goes to the next word |
//! | 7 | `\s` | a single white-space character |
//!
//! ```text
//! "I've  12345 cats!!\n"  →  |I|'ve| | 12345| cats|!!|\n|
//! ```

use super::char_class::{CharClass, CharClasses};
use super::split_rules::{char_at, cover, run_of, white_run};

/// Calls `f(start, end)` for every GPT-2 piece of `text`, in order. The pieces
/// cover `text` exactly.
///
/// ```
/// use llm_lens::model::tokenize::gpt2_split::for_each_piece;
/// let text = "I've  12345 cats!!\n";
/// let mut pieces = Vec::new();
/// for_each_piece(text, |a, b| pieces.push(&text[a..b]));
/// assert_eq!(pieces, ["I", "'ve", " ", " 12345", " cats", "!!", "\n"]);
/// ```
pub fn for_each_piece(text: &str, f: impl FnMut(usize, usize)) {
    cover(text, piece_end, f);
}

/// Branch 1: the length of the contraction after an apostrophe at `i` (bytes,
/// apostrophe included). Case-sensitive, unlike cl100k's.
fn contraction_len(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    match (b.get(i + 1)?, b.get(i + 2)) {
        (b's' | b'd' | b'm' | b't', _) => Some(2),
        (b'l', Some(b'l')) | (b'v' | b'r', Some(b'e')) => Some(3),
        _ => None,
    }
}

/// The end of the piece that starts at `pos` (which is below `text.len()`).
fn piece_end(text: &str, pos: usize, classes: &CharClasses) -> usize {
    use CharClass::*;
    let Some((c, class, len)) = char_at(text, pos, classes) else {
        return text.len();
    };
    if c == '\''
        && let Some(n) = contraction_len(text, pos)
    {
        return pos + n;
    }
    // 2 to 4: a run of one class, maybe after one space.
    let (run_class, from) = match class {
        Letter | Number | Other => (class, pos),
        _ => match char_at(text, pos + len, classes) {
            Some((_, next @ (Letter | Number | Other), _)) if c == ' ' => (next, pos + len),
            _ => (Space, pos),
        },
    };
    if run_class != Space {
        return run_of(text, from, run_class, classes);
    }
    // 5 to 7: `c` is white space.
    let run = white_run(text, pos, classes);
    if run.end == text.len() {
        return run.end; // 5
    }
    if run.last_start > pos {
        return run.last_start; // 6: the last space goes to the next piece
    }
    pos + len // 7
}
