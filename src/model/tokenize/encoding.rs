//! What every tokeniser in this folder returns.

use super::byte_level::display_bytes;

/// One tokenised text: for token `i`, `ids[i]`, its vocabulary entry `tokens[i]` (bytes,
/// because a byte-level token may hold half a character), the byte range
/// `offsets[i]` of the input it covers, and whether it is a special token.
///
/// `"Hi!"` with cl100k → ids `[13347, 0]`, tokens `[b"Hi", b"!"]`,
/// offsets `[(0, 2), (2, 3)]`, special `[false, false]`.
///
/// An `[UNK]` token's entry is `b"[UNK]"` while its offsets cover the unknown text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Encoding {
    pub ids: Vec<u32>,
    pub tokens: Vec<Vec<u8>>,
    pub offsets: Vec<(usize, usize)>,
    pub special: Vec<bool>,
}

impl Encoding {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub(crate) fn push(&mut self, id: u32, token: &[u8], start: usize, end: usize, special: bool) {
        self.ids.push(id);
        self.tokens.push(token.to_vec());
        self.offsets.push((start, end));
        self.special.push(special);
    }

    /// Token `i` for display: text, with stray bytes as `<0xE2>`.
    pub fn token_display(&self, i: usize) -> String {
        self.tokens
            .get(i)
            .map(|t| display_bytes(t))
            .unwrap_or_default()
    }

    /// All tokens for display (see [`Encoding::token_display`]).
    pub fn tokens_display(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.token_display(i)).collect()
    }
}

/// Why tokenising or training failed; never a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenizeError {
    /// The pre-tokenisation regex gave up (e.g. its backtracking limit on odd input).
    #[error("pre-tokenisation failed: {0}")]
    Regex(String),
    /// A vocabulary or merges file could not be read.
    #[error("bad vocabulary: {0}")]
    Vocab(String),
    /// Training was cancelled through its flag.
    #[error("cancelled")]
    Cancelled,
}
