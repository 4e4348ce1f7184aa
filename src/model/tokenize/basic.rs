//! BERT's "basic" tokenisation: clean the text, split CJK characters, strip
//! accents, lower-case, then split on whitespace and punctuation.
//!
//! It follows Hugging Face `tokenizers`' `BertNormalizer` + `BertPreTokenizer`
//! step by step (same order, same Unicode tables) because the WordPiece ids
//! must match theirs exactly. Every normalised character remembers the byte
//! range of the original character it came from, so tokens can be traced back
//! to the learner's text.
//!
//! ```
//! use llm_lens::model::tokenize::basic::BasicTokenizer;
//! let basic = BasicTokenizer::uncased();
//! assert_eq!(basic.tokenize("Héllo, wörld!"), ["hello", ",", "world", "!"]);
//! assert_eq!(basic.tokenize("東京 tower"), ["東", "京", "tower"]);
//! assert_eq!(basic.tokenize("a\u{200b}b\tc"), ["ab", "c"]); // zero-width space dropped
//! ```

use unicode_categories::UnicodeCategories;
use unicode_normalization::char::{canonical_combining_class, decompose_canonical};

/// One character after normalisation, with the byte range `start..end` of the
/// character in the original text that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormChar {
    pub ch: char,
    pub start: usize,
    pub end: usize,
}

/// Switches of BERT's normaliser (`BertNormalizer` in `tokenizer.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasicTokenizer {
    /// Drop control characters, map every whitespace to `' '`.
    pub clean_text: bool,
    /// Put spaces around CJK ideographs so each becomes its own word.
    pub handle_chinese_chars: bool,
    /// NFD-decompose and drop non-spacing marks (`é` → `e`).
    pub strip_accents: bool,
    pub lowercase: bool,
}

impl BasicTokenizer {
    /// bert-base-uncased's settings.
    pub fn uncased() -> Self {
        Self {
            clean_text: true,
            handle_chinese_chars: true,
            strip_accents: true,
            lowercase: true,
        }
    }

    /// bert-base-cased's settings: keeps case and accents.
    pub fn cased() -> Self {
        Self {
            strip_accents: false,
            lowercase: false,
            ..Self::uncased()
        }
    }

    /// Normalises `text`; byte offsets are shifted by `base` (where `text`
    /// starts inside the original string).
    ///
    /// ```
    /// use llm_lens::model::tokenize::basic::BasicTokenizer;
    /// let chars = BasicTokenizer::uncased().normalize("É!", 0);
    /// let s: String = chars.iter().map(|c| c.ch).collect();
    /// assert_eq!(s, "e!");
    /// assert_eq!((chars[0].start, chars[0].end), (0, 2)); // 'É' is 2 bytes
    /// ```
    pub fn normalize(&self, text: &str, base: usize) -> Vec<NormChar> {
        let mut out: Vec<NormChar> = Vec::with_capacity(text.len());
        for (i, c) in text.char_indices() {
            let (start, end) = (base + i, base + i + c.len_utf8());
            let mut c = c;
            if self.clean_text {
                if c == '\0' || c == '\u{fffd}' || is_control(c) {
                    continue;
                }
                if is_whitespace(c) {
                    c = ' ';
                }
            }
            let at = |ch| NormChar { ch, start, end };
            if self.handle_chinese_chars && is_chinese_char(c) {
                out.extend([at(' '), at(c), at(' ')]);
            } else {
                out.push(at(c));
            }
        }
        if self.strip_accents {
            out = strip_accents(out);
        }
        if self.lowercase && out.iter().all(|nc| nc.ch.is_ascii()) {
            // In place: ASCII lower-cases one character to one.
            out.iter_mut()
                .for_each(|nc| nc.ch = nc.ch.to_ascii_lowercase());
        } else if self.lowercase {
            let mut lowered = Vec::with_capacity(out.len());
            for nc in out {
                if nc.ch.is_ascii() {
                    lowered.push(NormChar {
                        ch: nc.ch.to_ascii_lowercase(),
                        ..nc
                    });
                    continue;
                }
                lowered.extend(nc.ch.to_lowercase().map(|ch| NormChar { ch, ..nc }));
            }
            out = lowered;
        }
        out
    }

    /// Normalises and splits into words: whitespace separates and is dropped,
    /// each punctuation character becomes a word of its own.
    pub fn split(&self, text: &str, base: usize) -> Vec<Vec<NormChar>> {
        let chars = self.normalize(text, base);
        Self::word_ranges(&chars)
            .into_iter()
            .map(|r| chars[r].to_vec())
            .collect()
    }

    /// The words of normalised `chars` as index ranges into it (no copies): what
    /// [`BasicTokenizer::split`] returns, for callers that encode megabytes.
    pub fn word_ranges(chars: &[NormChar]) -> Vec<std::ops::Range<usize>> {
        let mut words = Vec::new();
        let mut start = None;
        for (i, nc) in chars.iter().enumerate() {
            let space = nc.ch.is_whitespace();
            if space || is_punctuation(nc.ch) {
                if let Some(s) = start.take() {
                    words.push(s..i);
                }
                if !space {
                    words.push(i..i + 1);
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            words.push(s..chars.len());
        }
        words
    }

    /// The words as strings: handy for teaching and doc examples.
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        self.split(text, 0)
            .iter()
            .map(|w| w.iter().map(|c| c.ch).collect())
            .collect()
    }
}

/// NFD over the whole sequence (decompose, then canonical reordering of each
/// run of combining marks), then drop non-spacing marks (category Mn).
///
/// Offsets follow Hugging Face's alignment rules so token offsets match
/// theirs: the first character of each decomposition takes the next original
/// character's range *in output order*, extra characters take the range of the
/// character before them. (Only reordered marks can tell the difference.)
fn strip_accents(chars: Vec<NormChar>) -> Vec<NormChar> {
    // ASCII has no decompositions and no marks: nothing to do (the common case).
    if chars.iter().all(|c| c.ch.is_ascii()) {
        return chars;
    }
    let ccc = |ch: char| {
        if ch.is_ascii() {
            0
        } else {
            canonical_combining_class(ch)
        }
    };
    // (character, is the first of its decomposition)
    let mut decomposed: Vec<(char, bool)> = Vec::with_capacity(chars.len());
    for nc in &chars {
        if nc.ch.is_ascii() {
            decomposed.push((nc.ch, true));
            continue;
        }
        let mut first = true;
        decompose_canonical(nc.ch, |ch| {
            decomposed.push((ch, first));
            first = false;
        });
    }
    // Canonical ordering: marks with a non-zero combining class are stably
    // sorted by class within each run (a run ends at a class-0 character).
    let mut i = 0;
    while i < decomposed.len() {
        if ccc(decomposed[i].0) == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < decomposed.len() && ccc(decomposed[i].0) != 0 {
            i += 1;
        }
        decomposed[start..i].sort_by_key(|&(ch, _)| ccc(ch));
    }
    let mut originals = chars.iter();
    let mut previous: Option<&NormChar> = None;
    let mut out = Vec::with_capacity(decomposed.len());
    for (ch, first) in decomposed {
        let source = if first || previous.is_none() {
            originals.next()
        } else {
            previous
        };
        if let Some(src) = source {
            previous = Some(src);
            if ch.is_ascii() || !ch.is_mark_nonspacing() {
                out.push(NormChar { ch, ..*src });
            }
        }
    }
    out
}

/// Whitespace as BERT sees it: tab, newline and CR count although they are controls.
fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

/// Control and format characters (Cc, Cf, Co), which BERT deletes. ASCII is answered
/// without the Unicode tables (a binary search per character was a quarter of the
/// encoding time): its only "other" characters are the C0 controls and DEL.
fn is_control(c: char) -> bool {
    if c.is_ascii() {
        return (c < ' ' || c == '\x7f') && !matches!(c, '\t' | '\n' | '\r');
    }
    c.is_other()
}

/// ASCII symbols such as `$` and `^` count as punctuation too, as in BERT.
fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    c.is_punctuation()
}

/// CJK Unified Ideographs and their extensions/compatibility blocks (not
/// Hangul, Hiragana or Katakana, which are written with spaces).
fn is_chinese_char(c: char) -> bool {
    matches!(
        c as u32,
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2B73F
            | 0x2B740..=0x2B81F
            | 0x2B920..=0x2CEAF
            | 0xF900..=0xFAFF
            | 0x2F800..=0x2FA1F
    )
}
