//! Text before any model: the training corpus ([`corpus`]) and the simplest ways to
//! cut text into pieces, by character and by word. Later tokenisers (BPE, WordPiece,
//! Unigram) start from these pieces, and the lessons use them to show the learner's
//! sentence before any model touches it.

pub mod bounded;
pub mod corpus;
pub mod quote;

/// A piece of the input with its byte range in the original string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    /// Byte offsets `start..end` into the original UTF-8 text.
    pub start: usize,
    pub end: usize,
}

/// Splits into words and punctuation marks; whitespace separates and is dropped.
///
/// `"I withdrew money."` → `["I", "withdrew", "money", "."]`. Letters, digits and
/// marks (accents, joiners) stay together; every other visible character stands alone,
/// so `"don't"` → `["don", "'", "t"]`, as BERT's pre-tokeniser does.
pub fn split_words(text: &str) -> Vec<Piece> {
    word_ranges(text)
        .map(|r| Piece {
            text: text[r.clone()].to_string(),
            start: r.start,
            end: r.end,
        })
        .collect()
}

/// The byte ranges [`split_words`] cuts, without allocating a string per word: what
/// counting a 200 MB training text needs (a `Piece` per word took ~8 bytes per byte).
pub fn word_ranges(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        // Skip separators.
        while let Some(&(_, c)) = chars.peek() {
            if c.is_whitespace() || c.is_control() {
                chars.next();
            } else {
                break;
            }
        }
        let (start, c) = chars.next()?;
        let mut end = start + c.len_utf8();
        if is_word_char(c) {
            while let Some(&(i, c)) = chars.peek() {
                if !is_word_char(c) {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
        }
        Some(start..end)
    })
}

/// Splits into Unicode scalar values (what Rust calls `char`), keeping whitespace.
pub fn split_chars(text: &str) -> Vec<Piece> {
    text.char_indices()
        .map(|(i, c)| Piece {
            text: c.to_string(),
            start: i,
            end: i + c.len_utf8(),
        })
        .collect()
}

/// Where a chunk of `text` from byte `from` of about `bytes` bytes ends: just after the
/// first line break at or after `from + bytes`, or at the end. Counting chunks cut here
/// line by line sees the same lines as counting the whole text (a step's share of a
/// count that runs in steps).
///
/// ```
/// use llm_lens::model::text::line_chunk_end;
/// assert_eq!(line_chunk_end("ab\ncd\nef", 0, 1), 3);
/// assert_eq!(line_chunk_end("ab\ncd\nef", 3, 1), 6);
/// assert_eq!(line_chunk_end("ab\ncd\nef", 6, 1), 8);
/// ```
pub fn line_chunk_end(text: &str, from: usize, bytes: usize) -> usize {
    let target = from.saturating_add(bytes).min(text.len());
    text.as_bytes()
        .get(target..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(text.len(), |i| target + i + 1)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\u{200d}' || is_combining_mark(c)
}

/// Combining marks (accents written as separate code points) belong to their letter.
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_punctuation_with_offsets() {
        let text = "I withdrew  money, café!";
        let words: Vec<String> = split_words(text).into_iter().map(|p| p.text).collect();
        assert_eq!(words, ["I", "withdrew", "money", ",", "café", "!"]);
        for p in split_words(text) {
            assert_eq!(&text[p.start..p.end], p.text);
        }
    }

    #[test]
    fn any_unicode_is_covered_without_panics() {
        let text = "e\u{301}t\u{e9} 👩‍👩‍👧 東京\u{0}\u{200b}x";
        let chars = split_chars(text);
        assert_eq!(
            chars.iter().map(|p| p.text.as_str()).collect::<String>(),
            text
        );
        for p in split_words(text) {
            assert_eq!(&text[p.start..p.end], p.text);
        }
        assert!(split_words("").is_empty() && split_words("   ").is_empty());
    }
}
