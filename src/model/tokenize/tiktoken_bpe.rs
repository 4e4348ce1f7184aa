//! Byte-level BPE with OpenAI's real vocabularies: GPT-2 (r50k), GPT-4 (cl100k) and
//! GPT-4o (o200k). The ranks come from the `.tiktoken` files in `assets/tiktoken/`
//! (copied from the `tiktoken-rs` crate, MIT); the merge loop is ours and gives
//! exactly the ids `tiktoken-rs` gives (see `tests/tok_tiktoken_parity.rs`).
//!
//! A rank file lists every token's bytes (base64) with its rank; a lower rank was
//! learned earlier. Encoding one pre-tokenised piece repeatedly merges the adjacent
//! pair whose concatenation has the lowest rank (the leftmost on ties) until no
//! adjacent pair is a token:
//!
//! ```text
//! " lower" as bytes: [" ", "l", "o", "w", "e", "r"]
//!   lowest-ranked pair " l"  -> [" l", "o", "w", "e", "r"]
//!   then "er"                -> [" l", "o", "w", "er"]
//!   then "ow", " low", ...   -> [" lower"]        (one token in cl100k)
//! ```

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::TokenizeError;
use super::pieces::TokenPieces;
use super::pretokenize::{CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN, RegexSplit};
use crate::model::text::quote::quote;

/// Pieces up to this many bytes use the plain quadratic scan; longer ones a heap.
const SHORT_PIECE: usize = 64;

/// One of OpenAI's byte-level BPE vocabularies with its pre-tokeniser and specials.
#[derive(Debug, Clone)]
pub struct TiktokenBpe {
    name: String,
    encoder: FxHashMap<Vec<u8>, u32>,
    /// Token bytes by id; empty where a rank is unused (cl100k has gaps).
    decoder: Vec<Vec<u8>>,
    specials: Vec<(String, u32)>,
    split: RegexSplit,
    /// The id of every single byte (byte-level BPE has all 256).
    byte_ids: [u32; 256],
    /// The rank of every two-byte token, indexed by `b0 · 256 + b1` (`u32::MAX`: none):
    /// a merge starts with a rank for each adjacent byte pair, and this answers them
    /// without hashing.
    pair_ranks: Vec<u32>,
}

/// Buffers the short-piece merge reuses from piece to piece.
#[derive(Default)]
struct MergeScratch {
    /// Part boundaries; part `i` is `bounds[i]..bounds[i + 1]`.
    bounds: Vec<usize>,
    /// `ranks[i]`: rank of parts `i` and `i + 1` joined (`u32::MAX`: not a token).
    ranks: Vec<u32>,
    /// `ids[i]`: the token id of part `i`.
    ids: Vec<u32>,
}

/// Decodes standard base64 (with `=` padding), as in `.tiktoken` files:
/// `"IQ=="` → `b"!"`.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some((c - b'A') as u32),
            b'a'..=b'z' => Some((c - b'a') as u32 + 26),
            b'0'..=b'9' => Some((c - b'0') as u32 + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        match chunk.len() {
            4 => out.extend_from_slice(&bytes[1..4]),
            3 => out.extend_from_slice(&bytes[1..3]),
            2 => out.push(bytes[1]),
            _ => return None,
        }
    }
    Some(out)
}

impl TiktokenBpe {
    /// Builds a tokeniser from a `.tiktoken` rank file (`"<base64> <rank>"` per line),
    /// a pre-tokenisation regex and the special tokens with their ids.
    pub fn from_tiktoken(
        name: &str,
        rank_file: &str,
        pattern: &str,
        specials: &[(&str, u32)],
    ) -> Result<Self, TokenizeError> {
        let mut encoder = FxHashMap::default();
        let mut decoder: Vec<Vec<u8>> = Vec::new();
        for (n, line) in rank_file.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let bad = || TokenizeError::Vocab(format!("line {}: {}", n + 1, quote(line)));
            let (b64, rank) = line.split_once(' ').ok_or_else(bad)?;
            let bytes = base64_decode(b64).ok_or_else(bad)?;
            let rank: u32 = rank.trim().parse().map_err(|_| bad())?;
            set_at(&mut decoder, rank, bytes.clone());
            encoder.insert(bytes, rank);
        }
        let mut byte_ids = [0u32; 256];
        for b in 0..=255u8 {
            match encoder.get(&[b][..]) {
                Some(&id) => byte_ids[b as usize] = id,
                None => {
                    return Err(TokenizeError::Vocab(format!(
                        "byte 0x{b:02X} has no token; byte-level BPE needs all 256"
                    )));
                }
            }
        }
        for &(s, id) in specials {
            set_at(&mut decoder, id, s.as_bytes().to_vec());
        }
        let mut pair_ranks = vec![u32::MAX; 1 << 16];
        for (bytes, &rank) in &encoder {
            if let [b0, b1] = bytes[..] {
                pair_ranks[(b0 as usize) << 8 | b1 as usize] = rank;
            }
        }
        Ok(Self {
            name: name.to_string(),
            encoder,
            decoder,
            specials: specials
                .iter()
                .map(|&(s, id)| (s.to_string(), id))
                .collect(),
            split: RegexSplit::new(pattern)?,
            byte_ids,
            pair_ranks,
        })
    }

    /// GPT-2 (r50k_base), loaded once.
    pub fn r50k() -> Result<&'static Self, TokenizeError> {
        static CELL: OnceLock<Result<TiktokenBpe, TokenizeError>> = OnceLock::new();
        CELL.get_or_init(|| {
            Self::from_tiktoken(
                "r50k",
                include_str!("../../../assets/tiktoken/r50k_base.tiktoken"),
                GPT2_PATTERN,
                &[("<|endoftext|>", 50256)],
            )
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    /// GPT-4 (cl100k_base), loaded once.
    pub fn cl100k() -> Result<&'static Self, TokenizeError> {
        static CELL: OnceLock<Result<TiktokenBpe, TokenizeError>> = OnceLock::new();
        CELL.get_or_init(|| {
            Self::from_tiktoken(
                "cl100k",
                include_str!("../../../assets/tiktoken/cl100k_base.tiktoken"),
                CL100K_PATTERN,
                &[
                    ("<|endoftext|>", 100257),
                    ("<|fim_prefix|>", 100258),
                    ("<|fim_middle|>", 100259),
                    ("<|fim_suffix|>", 100260),
                    ("<|endofprompt|>", 100276),
                ],
            )
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    /// GPT-4o (o200k_base), loaded once.
    pub fn o200k() -> Result<&'static Self, TokenizeError> {
        static CELL: OnceLock<Result<TiktokenBpe, TokenizeError>> = OnceLock::new();
        CELL.get_or_init(|| {
            Self::from_tiktoken(
                "o200k",
                include_str!("../../../assets/tiktoken/o200k_base.tiktoken"),
                O200K_PATTERN,
                &[("<|endoftext|>", 199999), ("<|endofprompt|>", 200018)],
            )
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    /// `"r50k"`, `"cl100k"` or `"o200k"` for the built-in ones.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One more than the largest id (specials included).
    pub fn vocab_size(&self) -> usize {
        self.decoder.len()
    }

    /// The bytes of token `id` (empty for an unused id).
    pub fn token_bytes(&self, id: u32) -> &[u8] {
        self.decoder.get(id as usize).map_or(&[], Vec::as_slice)
    }

    /// The special tokens and their ids.
    pub fn specials(&self) -> &[(String, u32)] {
        &self.specials
    }

    /// The pre-tokeniser (for the pipeline view).
    pub fn pretokenizer(&self) -> &RegexSplit {
        &self.split
    }

    /// Encodes with special tokens treated as ordinary text, as `tiktoken`'s
    /// `encode_ordinary` does: `"<|endoftext|>"` becomes several ordinary tokens.
    pub fn encode(&self, text: &str) -> Result<TokenPieces, TokenizeError> {
        self.encode_with_special(text, false)
    }

    /// Encodes; when `allow_special`, occurrences of the special tokens become their
    /// single ids (and the regex runs on the text between them, as in `tiktoken`).
    pub fn encode_with_special(
        &self,
        text: &str,
        allow_special: bool,
    ) -> Result<TokenPieces, TokenizeError> {
        let mut enc = TokenPieces::default();
        self.encode_into(text, allow_special, &mut |id, start, end, special| {
            enc.push(id, self.token_bytes(id), start, end, special)
        })?;
        Ok(enc)
    }

    /// Only the ids (the fast path, used by the benchmark).
    pub fn encode_ids(&self, text: &str, allow_special: bool) -> Result<Vec<u32>, TokenizeError> {
        let mut ids = Vec::with_capacity(text.len() / 4);
        self.encode_into(text, allow_special, &mut |id, _, _, _| ids.push(id))?;
        Ok(ids)
    }

    /// The bytes of a sequence of ids (unknown ids are skipped).
    pub fn decode(&self, ids: &[u32]) -> Vec<u8> {
        ids.iter()
            .flat_map(|&id| self.token_bytes(id).iter().copied())
            .collect()
    }

    fn encode_into(
        &self,
        text: &str,
        allow_special: bool,
        emit: &mut dyn FnMut(u32, usize, usize, bool),
    ) -> Result<(), TokenizeError> {
        let mut pos = 0;
        let mut parts = Vec::new();
        let mut scratch = MergeScratch::default();
        while pos <= text.len() {
            let next = if allow_special {
                self.next_special(text, pos)
            } else {
                None
            };
            let seg_end = next.map_or(text.len(), |(start, _, _)| start);
            let segment = &text[pos..seg_end];
            let mut result = Ok(());
            self.split.for_each_range(segment, |a, b| {
                if result.is_err() {
                    return;
                }
                let piece = &segment.as_bytes()[a..b];
                let base = pos + a;
                if let Some(id) = self.whole(piece) {
                    emit(id, base, pos + b, false);
                    return;
                }
                if piece.len() <= SHORT_PIECE {
                    // The merge knows each part's id: no second look-up.
                    self.merge_scan_ids(piece, &mut scratch);
                    for (w, &id) in scratch.bounds.windows(2).zip(&scratch.ids) {
                        emit(id, base + w[0], base + w[1], false);
                    }
                    return;
                }
                self.merge_parts(piece, &mut parts);
                for &(s, e) in &parts {
                    match self.encoder.get(&piece[s..e]) {
                        Some(&id) => emit(id, base + s, base + e, false),
                        None => {
                            result = Err(TokenizeError::Vocab(format!(
                                "no token for bytes {:?}",
                                &piece[s..e]
                            )))
                        }
                    }
                }
            })?;
            result?;
            match next {
                Some((start, len, id)) => {
                    emit(id, start, start + len, true);
                    pos = start + len;
                }
                None => break,
            }
        }
        Ok(())
    }

    /// The earliest special token at or after `from` (longest on a tie):
    /// `(start, byte length, id)`.
    fn next_special(&self, text: &str, from: usize) -> Option<(usize, usize, u32)> {
        let rest = &text[from..];
        self.specials
            .iter()
            .filter_map(|(s, id)| rest.find(s.as_str()).map(|i| (from + i, s.len(), *id)))
            .min_by_key(|&(start, len, _)| (start, Reverse(len)))
    }

    fn rank(&self, bytes: &[u8]) -> Option<u32> {
        self.encoder.get(bytes).copied()
    }

    /// Splits `piece` into the byte ranges of its BPE tokens: repeatedly merge the
    /// adjacent pair of parts whose concatenation has the lowest rank, leftmost on
    /// ties, until no adjacent pair is in the vocabulary.
    pub fn merge_parts(&self, piece: &[u8], out: &mut Vec<(usize, usize)>) {
        out.clear();
        if piece.len() <= SHORT_PIECE {
            self.merge_scan(piece, out)
        } else {
            self.merge_heap(piece, out)
        }
    }

    /// The id of `piece` when it is one token; one- and two-byte pieces (spaces,
    /// punctuation) are answered from tables without hashing.
    fn whole(&self, piece: &[u8]) -> Option<u32> {
        match *piece {
            [b] => Some(self.byte_ids[b as usize]),
            [b0, b1] => {
                let r = self.pair_ranks[(b0 as usize) << 8 | b1 as usize];
                (r != u32::MAX).then_some(r)
            }
            _ => self.encoder.get(piece).copied(),
        }
    }

    /// Short pieces, O(n²): the part boundaries of [`TiktokenBpe::merge_scan_ids`].
    fn merge_scan(&self, piece: &[u8], out: &mut Vec<(usize, usize)>) {
        let mut scratch = MergeScratch::default();
        self.merge_scan_ids(piece, &mut scratch);
        out.extend(scratch.bounds.windows(2).map(|w| (w[0], w[1])));
    }

    /// The quadratic scan, also tracking each part's id (the rank of the pair that
    /// made it, or the byte's id), in buffers the caller reuses across pieces.
    fn merge_scan_ids(&self, piece: &[u8], scratch: &mut MergeScratch) {
        let MergeScratch { bounds, ranks, ids } = scratch;
        bounds.clear();
        bounds.extend(0..=piece.len());
        ids.clear();
        ids.extend(piece.iter().map(|&b| self.byte_ids[b as usize]));
        let pair_rank = |bounds: &[usize], i: usize| -> u32 {
            match bounds.get(i + 2) {
                Some(&end) => self.rank(&piece[bounds[i]..end]).unwrap_or(u32::MAX),
                None => u32::MAX,
            }
        };
        ranks.clear();
        ranks.extend(
            piece
                .windows(2)
                .map(|w| self.pair_ranks[(w[0] as usize) << 8 | w[1] as usize]),
        );
        // Past the last part there is no pair: one rank per boundary in all.
        ranks.extend([u32::MAX; 2]);
        ranks.truncate(bounds.len());
        loop {
            let (best, i) =
                ranks.iter().enumerate().fold(
                    (u32::MAX, 0),
                    |acc, (i, &r)| if r < acc.0 { (r, i) } else { acc },
                );
            if best == u32::MAX {
                break;
            }
            bounds.remove(i + 1);
            ranks.remove(i + 1);
            ids.remove(i + 1);
            ids[i] = best;
            ranks[i] = pair_rank(bounds, i);
            if i > 0 {
                ranks[i - 1] = pair_rank(bounds, i - 1);
            }
        }
    }

    /// The same merges in O(n log n) for long pieces: parts form a linked list and a
    /// min-heap holds `(rank, start, end)` of every adjacent pair; an entry is stale
    /// (skipped) once its left part no longer ends where it did.
    fn merge_heap(&self, piece: &[u8], out: &mut Vec<(usize, usize)>) {
        let n = piece.len();
        // next[s]: end of the part starting at s; prev[s]: start of the part before.
        let mut next: Vec<usize> = (1..=n).collect();
        let mut prev: Vec<usize> = (0..n).map(|i| i.wrapping_sub(1)).collect();
        let mut alive = vec![true; n];
        let mut heap = BinaryHeap::new();
        for s in 0..n.saturating_sub(1) {
            if let Some(r) = self.rank(&piece[s..s + 2]) {
                heap.push(Reverse((r, s, s + 2)));
            }
        }
        while let Some(Reverse((_, s, end))) = heap.pop() {
            let mid = next[s];
            if !alive[s] || mid >= n || next[mid] != end {
                continue; // stale
            }
            // Merge parts s..mid and mid..end.
            alive[mid] = false;
            next[s] = end;
            if end < n {
                prev[end] = s;
                if let Some(r) = self.rank(&piece[s..next[end]]) {
                    heap.push(Reverse((r, s, next[end])));
                }
            }
            let p = prev[s];
            if p < n
                && let Some(r) = self.rank(&piece[p..end])
            {
                heap.push(Reverse((r, p, end)));
            }
        }
        let mut s = 0;
        while s < n {
            out.push((s, next[s]));
            s = next[s];
        }
    }
}

fn set_at(v: &mut Vec<Vec<u8>>, id: u32, bytes: Vec<u8>) {
    let i = id as usize;
    if v.len() <= i {
        v.resize(i + 1, Vec::new());
    }
    v[i] = bytes;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_examples() {
        assert_eq!(base64_decode("IQ=="), Some(b"!".to_vec()));
        assert_eq!(base64_decode("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(base64_decode("aGVs"), Some(b"hel".to_vec()));
        assert_eq!(base64_decode("a"), None);
        assert_eq!(base64_decode("*A=="), None);
    }

    #[test]
    fn scan_and_heap_agree() -> Result<(), TokenizeError> {
        let bpe = TiktokenBpe::cl100k()?;
        for text in [
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "internationalisationinternationalisationsupercalifragilistic",
            "東京東京東京東京東京東京東京東京東京東京東京東京東京東京",
        ] {
            let mut a = Vec::new();
            let mut b = Vec::new();
            bpe.merge_scan(text.as_bytes(), &mut a);
            bpe.merge_heap(text.as_bytes(), &mut b);
            assert_eq!(a, b, "{text}");
        }
        Ok(())
    }
}
