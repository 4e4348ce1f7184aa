//! Unigram language-model tokenisation (SentencePiece style): every vocabulary piece
//! has a probability, a word's segmentation is the most probable way to cut it into
//! pieces (Viterbi), and other segmentations have probabilities too.
//!
//! ```text
//! pieces  {h: .1, u: .1, g: .1, s: .1, hug: .2, ug: .2}
//! "hugs"  hug|s    .2 × .1           = .02     <- best (Viterbi)
//!         h|ug|s   .1 × .2 × .1      = .002
//!         h|u|g|s  .1 × .1 × .1 × .1 = .0001
//! P(hug|s | "hugs") = .02 / (.02 + .002 + .0001) ≈ .905   (sum by the forward algorithm)
//! ```
//!
//! Training starts from a large seed vocabulary (every substring of the corpus's
//! words up to `max_piece_chars` seen at least twice, plus every character), then
//! alternates EM (expected piece counts over all segmentations → new probabilities)
//! with pruning: drop the pieces whose removal costs the corpus the least
//! likelihood, keeping `shrink` of them each round, until `vocab_size` is reached.
//! Single characters are never pruned, so only unseen characters become `[UNK]`.

use rustc_hash::FxHashMap;

use super::pieces::TokenPieces;

mod trainer;
use crate::model::text::split_words;
pub use trainer::UnigramTrainer;

/// The unknown piece, id 0.
pub const UNK: &str = "[UNK]";

/// Training settings.
#[derive(Debug, Clone, PartialEq)]
pub struct UnigramConfig {
    pub vocab_size: usize,
    pub max_piece_chars: usize,
    /// Seed vocabulary size before pruning.
    pub seed_size: usize,
    /// Fraction of pieces kept per pruning round.
    pub shrink: f64,
    /// EM iterations per round.
    pub em_iters: usize,
}

impl Default for UnigramConfig {
    fn default() -> Self {
        Self {
            vocab_size: 1000,
            max_piece_chars: 12,
            seed_size: 20_000,
            shrink: 0.75,
            em_iters: 2,
        }
    }
}

/// A trained Unigram model: pieces with log-probabilities; `[UNK]` is id 0.
#[derive(Debug, Clone, PartialEq)]
pub struct UnigramModel {
    pieces: Vec<(String, f64)>,
    index: FxHashMap<String, u32>,
    max_chars: usize,
    unk_logp: f64,
}

/// One segmentation of a word with its log-probability and its probability among
/// all segmentations of that word.
#[derive(Debug, Clone, PartialEq)]
pub struct Segmentation {
    pub pieces: Vec<String>,
    pub log_prob: f64,
    pub prob: f64,
}

/// A lattice edge: `(end char index, piece id, log p)`.
type Edge = (usize, u32, f64);

fn log_add(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

impl UnigramModel {
    fn from_pieces(mut pieces: Vec<(String, f64)>, max_chars: usize) -> Self {
        pieces.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let min = pieces.iter().map(|p| p.1).fold(0.0, f64::min);
        let unk_logp = min - 10.0;
        pieces.insert(0, (UNK.to_string(), unk_logp));
        let index = pieces
            .iter()
            .enumerate()
            .map(|(i, (s, _))| (s.clone(), i as u32))
            .collect();
        Self {
            pieces,
            index,
            max_chars,
            unk_logp,
        }
    }

    pub fn vocab_size(&self) -> usize {
        self.pieces.len()
    }

    /// Pieces with log-probabilities by id, most probable first after `[UNK]`.
    pub fn pieces(&self) -> &[(String, f64)] {
        &self.pieces
    }

    /// Edges of a word's lattice: `edges[i]` = `(end char index, id, log p)`.
    fn lattice(&self, word: &str) -> (Vec<usize>, Vec<Vec<Edge>>) {
        let mut bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
        bounds.push(word.len());
        let n = bounds.len() - 1;
        let mut edges = vec![Vec::new(); n];
        for (i, e) in edges.iter_mut().enumerate() {
            for len in 1..=self.max_chars.min(n - i) {
                let s = &word[bounds[i]..bounds[i + len]];
                if let Some(&id) = self.index.get(s)
                    && id != 0
                {
                    e.push((i + len, id, self.pieces[id as usize].1));
                } else if len == 1 {
                    e.push((i + 1, 0, self.unk_logp));
                }
            }
        }
        (bounds, edges)
    }

    /// The most probable segmentation of `word` as `(id, start byte, end byte)`.
    fn viterbi(&self, word: &str) -> Vec<(u32, usize, usize)> {
        let (bounds, edges) = self.lattice(word);
        let n = edges.len();
        let mut best = vec![(f64::NEG_INFINITY, 0usize, 0u32); n + 1];
        best[0].0 = 0.0;
        for i in 0..n {
            let here = best[i].0;
            for &(j, id, lp) in &edges[i] {
                if here + lp > best[j].0 {
                    best[j] = (here + lp, i, id);
                }
            }
        }
        let mut out = Vec::new();
        let mut j = n;
        while j > 0 {
            let (_, i, id) = best[j];
            out.push((id, bounds[i], bounds[j]));
            j = i;
        }
        out.reverse();
        out
    }

    /// Viterbi encoding of each word ([`split_words`]); unseen characters → `[UNK]`.
    pub fn encode(&self, text: &str) -> TokenPieces {
        let mut enc = TokenPieces::default();
        for w in split_words(text) {
            for (id, s, e) in self.viterbi(&w.text) {
                let token = self.pieces.get(id as usize).map_or(UNK, |p| p.0.as_str());
                enc.push(id, token.as_bytes(), w.start + s, w.start + e, false);
            }
        }
        enc
    }

    /// Log of the total probability of all segmentations (forward algorithm).
    pub fn log_z(&self, word: &str) -> f64 {
        let (_, edges) = self.lattice(word);
        let mut alpha = vec![f64::NEG_INFINITY; edges.len() + 1];
        alpha[0] = 0.0;
        for i in 0..edges.len() {
            for &(j, _, lp) in &edges[i] {
                alpha[j] = log_add(alpha[j], alpha[i] + lp);
            }
        }
        alpha[edges.len()]
    }

    /// The `k` most probable segmentations of one word, best first, each with its
    /// probability among all segmentations (k-best Viterbi: `k` entries per position).
    pub fn top_k(&self, word: &str, k: usize) -> Vec<Segmentation> {
        let (bounds, edges) = self.lattice(word);
        let n = edges.len();
        if n == 0 || k == 0 {
            return Vec::new();
        }
        // beams[j]: up to k (score, from position, index in beams[from], id).
        let mut beams: Vec<Vec<(f64, usize, usize, u32)>> = vec![Vec::new(); n + 1];
        beams[0].push((0.0, 0, 0, 0));
        for i in 0..n {
            let from = std::mem::take(&mut beams[i]);
            for &(j, id, lp) in &edges[i] {
                for (r, b) in from.iter().enumerate() {
                    beams[j].push((b.0 + lp, i, r, id));
                }
                beams[j].sort_by(|a, b| b.0.total_cmp(&a.0));
                beams[j].truncate(k);
            }
            beams[i] = from;
        }
        let z = self.log_z(word);
        (0..beams[n].len())
            .map(|r| {
                let score = beams[n][r].0;
                let mut pieces = Vec::new();
                let (mut j, mut rr) = (n, r);
                while j > 0 {
                    let (_, i, ri, id) = beams[j][rr];
                    pieces.push(if id == 0 {
                        word[bounds[i]..bounds[j]].to_string()
                    } else {
                        self.pieces[id as usize].0.clone()
                    });
                    j = i;
                    rr = ri;
                }
                pieces.reverse();
                Segmentation {
                    pieces,
                    log_prob: score,
                    prob: (score - z).exp(),
                }
            })
            .collect()
    }
}

/// One pruning round, as [`train_recorded`] reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct PruneRound {
    /// Pieces (without `[UNK]`) before and after the round.
    pub before: usize,
    pub after: usize,
    /// The corpus's negative log-likelihood, −Σ count(w) · log P(w), before pruning (after
    /// this round's EM) and with the pruned vocabulary.
    pub loss_before: f64,
    pub loss_after: f64,
    /// The dropped pieces, cheapest first, with the estimated loss of dropping each.
    pub dropped: Vec<(String, f64)>,
    /// The kept piece whose removal would have cost least: the line pruning stopped at.
    pub cheapest_kept: Option<(String, f64)>,
}

/// −Σ count(w) · log P(w) over the words (P summed over every segmentation).
fn corpus_loss(model: &UnigramModel, words: &[(&str, f64)]) -> f64 {
    -words.iter().map(|&(w, c)| c * model.log_z(w)).sum::<f64>()
}

/// Trains on `corpus` (words from [`split_words`]).
pub fn train(corpus: &str, config: &UnigramConfig) -> UnigramModel {
    train_recorded(corpus, config, &mut |_| {})
}

/// As [`train`], calling `round` after every pruning round: the steps of
/// [`UnigramTrainer`] back to back.
pub fn train_recorded(
    corpus: &str,
    config: &UnigramConfig,
    round: &mut dyn FnMut(PruneRound),
) -> UnigramModel {
    let mut trainer = UnigramTrainer::new(corpus, config);
    loop {
        if let Some(model) = trainer.step(round) {
            return model;
        }
    }
}

/// Expected count of each piece over all segmentations of all words (E-step).
fn expected_counts(model: &UnigramModel, words: &[(&str, f64)]) -> Vec<f64> {
    let mut expected = vec![0.0; model.pieces.len()];
    for &(w, c) in words {
        let (_, edges) = model.lattice(w);
        let n = edges.len();
        let mut alpha = vec![f64::NEG_INFINITY; n + 1];
        alpha[0] = 0.0;
        for i in 0..n {
            for &(j, _, lp) in &edges[i] {
                alpha[j] = log_add(alpha[j], alpha[i] + lp);
            }
        }
        let mut beta = vec![f64::NEG_INFINITY; n + 1];
        beta[n] = 0.0;
        for i in (0..n).rev() {
            for &(j, _, lp) in &edges[i] {
                beta[i] = log_add(beta[i], lp + beta[j]);
            }
        }
        let z = alpha[n];
        for i in 0..n {
            for &(j, id, lp) in &edges[i] {
                expected[id as usize] += c * (alpha[i] + lp + beta[j] - z).exp();
            }
        }
    }
    expected
}

/// Log-probability of the best segmentation of `text` not using piece `skip`.
fn best_without(model: &UnigramModel, text: &str, skip: u32) -> f64 {
    let (_, edges) = model.lattice(text);
    let n = edges.len();
    let mut best = vec![f64::NEG_INFINITY; n + 1];
    best[0] = 0.0;
    for i in 0..n {
        for &(j, id, lp) in &edges[i] {
            if id != skip && best[i] + lp > best[j] {
                best[j] = best[i] + lp;
            }
        }
    }
    best[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> UnigramModel {
        let p = |s: &str, x: f64| (s.to_string(), x.ln());
        UnigramModel::from_pieces(
            vec![
                p("h", 0.1),
                p("u", 0.1),
                p("g", 0.1),
                p("s", 0.1),
                p("hug", 0.2),
                p("ug", 0.2),
            ],
            4,
        )
    }

    #[test]
    fn viterbi_and_top_k_by_hand() {
        let m = toy();
        let enc = m.encode("hugs");
        assert_eq!(enc.tokens_display(), ["hug", "s"]);
        let top = m.top_k("hugs", 10);
        let segs: Vec<String> = top.iter().map(|s| s.pieces.join("|")).collect();
        // hug|s .02, h|ug|s .002, h|u|g|s .0001
        assert_eq!(segs, ["hug|s", "h|ug|s", "h|u|g|s"]);
        let total = 0.02 + 0.002 + 0.0001;
        assert!((top[0].prob - 0.02 / total).abs() < 1e-9);
        let sum: f64 = top.iter().map(|s| s.prob).sum();
        assert!((sum - 1.0).abs() < 1e-9);
    }
}
