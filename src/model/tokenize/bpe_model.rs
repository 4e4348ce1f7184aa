//! A trained BPE tokeniser ([`BpeModel`]): its vocabulary, its merges in order, and
//! encoding by applying the merges by rank, all or only the first `k` (the replay).

use rustc_hash::FxHashMap;

use super::TokenizeError;
use super::bpe_train::{Base, Merge, Pair};
use super::byte_level::bytes_to_visible;
use super::pieces::TokenPieces;

/// A trained BPE tokeniser: the vocabulary, the merges in order, and how to cut
/// text into base symbols.
#[derive(Debug, Clone)]
pub struct BpeModel {
    base: Base,
    vocab: Vec<Vec<u8>>,
    merges: Vec<Merge>,
    /// pair → (rank, new id)
    ranks: FxHashMap<Pair, (u32, u32)>,
}

impl BpeModel {
    pub(super) fn new(base: Base, vocab: Vec<Vec<u8>>, merges: Vec<Merge>) -> Self {
        let ranks = merges
            .iter()
            .enumerate()
            .map(|(r, m)| (m.pair, (r as u32, m.new_id)))
            .collect();
        Self {
            base,
            vocab,
            merges,
            ranks,
        }
    }

    pub fn merges(&self) -> &[Merge] {
        &self.merges
    }

    pub fn vocab(&self) -> &[Vec<u8>] {
        &self.vocab
    }

    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    pub fn is_byte_level(&self) -> bool {
        self.base.byte_level
    }

    /// A token for display: byte-level tokens in GPT-2's visible characters
    /// (`" the"` → `"Ġthe"`), others as text.
    pub fn token_string(&self, id: u32) -> String {
        let bytes = self.vocab.get(id as usize).map_or(&[][..], Vec::as_slice);
        let is_special = self.base.specials.iter().any(|&(_, s)| s == id);
        if self.base.byte_level && !is_special {
            bytes_to_visible(bytes)
        } else {
            String::from_utf8_lossy(bytes).into_owned()
        }
    }

    /// The merges file: one `"left right"` line per merge, in order.
    pub fn merges_text(&self) -> String {
        let mut out = String::new();
        for m in &self.merges {
            out.push_str(&self.token_string(m.pair.0));
            out.push(' ');
            out.push_str(&self.token_string(m.pair.1));
            out.push('\n');
        }
        out
    }

    /// Encodes with all merges; special tokens are ordinary text.
    pub fn encode(&self, text: &str) -> Result<TokenPieces, TokenizeError> {
        self.encode_with_merges(text, self.merges.len(), false)
    }

    /// Encodes using only the first `k` merges (the replay: `k = 0` gives base
    /// symbols, `k = merges().len()` the same as [`BpeModel::encode`]). Within each
    /// piece the lowest-ranked applicable merge is applied first, leftmost on ties,
    /// which reproduces training's order. With `allow_special`, special tokens in the
    /// text become their ids.
    pub fn encode_with_merges(
        &self,
        text: &str,
        k: usize,
        allow_special: bool,
    ) -> Result<TokenPieces, TokenizeError> {
        let mut enc = TokenPieces::default();
        let segments = if allow_special {
            self.base.split_specials(text)
        } else if text.is_empty() {
            Vec::new()
        } else {
            vec![(0, text.len(), None)]
        };
        let mut symbols = Vec::new();
        for (s, e, special) in segments {
            if let Some(id) = special {
                enc.push(id, &self.vocab[id as usize], s, e, true);
                continue;
            }
            let segment = &text[s..e];
            self.base.pieces(segment, &mut |a, b| {
                self.base.symbols(&segment[a..b], &mut symbols);
                self.apply_merges(&mut symbols, k);
                for &(id, x, y) in &symbols {
                    let token = self.vocab.get(id as usize).map_or(&[][..], Vec::as_slice);
                    enc.push(id, token, s + a + x, s + a + y, false);
                }
            })?;
        }
        Ok(enc)
    }

    /// Merges `(id, start, end)` symbols in rank order using ranks below `k`.
    fn apply_merges(&self, symbols: &mut Vec<(u32, usize, usize)>, k: usize) {
        let rank_of = |a: u32, b: u32| -> Option<(u32, u32)> {
            self.ranks
                .get(&(a, b))
                .copied()
                .filter(|&(r, _)| (r as usize) < k)
        };
        loop {
            let mut best: Option<(u32, u32, usize)> = None; // (rank, new id, index)
            for i in 0..symbols.len().saturating_sub(1) {
                if let Some((r, id)) = rank_of(symbols[i].0, symbols[i + 1].0)
                    && best.is_none_or(|(br, _, _)| r < br)
                {
                    best = Some((r, id, i));
                }
            }
            let Some((_, id, i)) = best else { break };
            let end = symbols[i + 1].2;
            symbols[i] = (id, symbols[i].1, end);
            symbols.remove(i + 1);
        }
    }
}
