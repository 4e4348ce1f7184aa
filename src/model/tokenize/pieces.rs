//! What the teaching tokenisers return (characters and words, BPE, Unigram, the
//! GPT byte-level BPEs): token pieces as bytes, with the byte range each covers.
//! WordPiece returns a [`super::wordpiece::ModelInput`] instead, the input BERT reads.

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
pub struct TokenPieces {
    pub ids: Vec<u32>,
    pub tokens: Vec<Vec<u8>>,
    pub offsets: Vec<(usize, usize)>,
    pub special: Vec<bool>,
}

impl TokenPieces {
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

    /// All tokens for display (see [`TokenPieces::token_display`]).
    pub fn tokens_display(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.token_display(i)).collect()
    }
}
