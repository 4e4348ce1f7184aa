//! The building blocks the hand-written pre-tokenisers ([`super::gpt2_split`],
//! [`super::cl100k_split`], [`super::o200k_split`]) are made of: reading one
//! character with its class, runs of a class, contractions, digit groups and
//! white-space runs. Each splitter is then a short list of its regex's branches.

use super::char_class::{CharClass, CharClasses};

/// The character at byte `i` of `text` with its class and UTF-8 length
/// (`None` at the end). ASCII, most of any text, needs no decoding.
#[inline(always)]
pub fn char_at(text: &str, i: usize, classes: &CharClasses) -> Option<(char, CharClass, usize)> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        let c = char::from(b);
        return Some((c, classes.of(c), 1));
    }
    let c = text.get(i..)?.chars().next()?;
    Some((c, classes.of(c), c.len_utf8()))
}

/// The end of the longest run of characters of class `class` starting at `i`.
#[inline(always)]
pub fn run_of(text: &str, mut i: usize, class: CharClass, classes: &CharClasses) -> usize {
    while let Some((_, k, len)) = char_at(text, i, classes) {
        if k != class {
            break;
        }
        i += len;
    }
    i
}

/// Cuts `text` into consecutive pieces, `piece_end(text, start, classes)` giving
/// where each ends (always after `start`), and calls `f(start, end)` for each.
pub fn cover(
    text: &str,
    piece_end: fn(&str, usize, &CharClasses) -> usize,
    mut f: impl FnMut(usize, usize),
) {
    let classes = CharClasses::get();
    let mut pos = 0;
    while pos < text.len() {
        let mut end = piece_end(text, pos, classes);
        if end <= pos {
            // Never stall: a piece is at least one whole character.
            end = char_at(text, pos, classes).map_or(text.len(), |(_, _, len)| pos + len);
        }
        f(pos, end);
        pos = end;
    }
}

/// After an apostrophe at `i`, an English contraction in any case, as the
/// regex `'(?i:s|t|re|ve|m|ll|d)` has it (the long s `ſ` folds to `s`): its
/// length in bytes, apostrophe included.
///
/// ```
/// use llm_lens::model::tokenize::split_rules::contraction_any_case;
/// assert_eq!(contraction_any_case("'RE", 0), Some(3));
/// assert_eq!(contraction_any_case("'x", 0), None);
/// ```
pub fn contraction_any_case(text: &str, i: usize) -> Option<usize> {
    let mut chars = text.get(i..)?.chars();
    if chars.next()? != '\'' {
        return None;
    }
    let first = chars.next()?;
    match first {
        's' | 'S' | 'ſ' | 't' | 'T' | 'm' | 'M' | 'd' | 'D' => Some(1 + first.len_utf8()),
        'r' | 'R' | 'v' | 'V' | 'l' | 'L' => {
            let second = chars.next()?.to_ascii_lowercase();
            let ok = matches!(
                (first.to_ascii_lowercase(), second),
                ('r', 'e') | ('v', 'e') | ('l', 'l')
            );
            ok.then_some(3)
        }
        _ => None,
    }
}

/// `\p{N}{1,3}` from a number at `pos`: the end of at most three numbers.
pub fn up_to_three_numbers(text: &str, pos: usize, classes: &CharClasses) -> usize {
    let mut end = pos;
    for _ in 0..3 {
        match char_at(text, end, classes) {
            Some((_, CharClass::Number, l)) => end += l,
            _ => break,
        }
    }
    end
}

/// The maximal white-space run starting at a white-space character.
#[derive(Debug, Clone, Copy)]
pub struct WhiteRun {
    /// Where the run ends.
    pub end: usize,
    /// Where its last character starts (the one `\s+(?!\S)` leaves behind).
    pub last_start: usize,
    /// Just after its last `\r` or `\n`, if it has one.
    pub after_last_break: Option<usize>,
}

/// The white-space run from `pos`, which must be white space.
pub fn white_run(text: &str, pos: usize, classes: &CharClasses) -> WhiteRun {
    let mut run = WhiteRun {
        end: pos,
        last_start: pos,
        after_last_break: None,
    };
    while let Some((_, k, l)) = char_at(text, run.end, classes) {
        match k {
            CharClass::Newline => run.after_last_break = Some(run.end + l),
            CharClass::Space => {}
            _ => break,
        }
        run.last_start = run.end;
        run.end += l;
    }
    run
}
