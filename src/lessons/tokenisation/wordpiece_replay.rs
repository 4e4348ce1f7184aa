//! WordPiece, merge by merge: the project's WordPiece trainer run on the course's toy
//! corpus or on the learner's sentence, with the pairs it weighed before each merge
//! (count(ab), count(a), count(b) and the score) beside BPE's choice, the most frequent
//! pair; the sentence is re-cut with the vocabulary each merge leaves.

use egui::RichText;

use super::rows::{MAX_CHIPS, chips_from_wordpiece};
use crate::model::tokenize::basic::BasicTokenizer;
use crate::model::tokenize::bpe_toy;
use crate::model::tokenize::wordpiece::WordPiece;
use crate::model::tokenize::wordpiece_train::{SPECIALS, WordPieceTrainer};
use crate::widgets::token_strip;

/// Merges replayed at most (the toy corpus needs a handful).
pub const MAX_MERGES: usize = 30;
/// Candidate pairs listed before each merge.
const SHOWN: usize = 6;

/// What to train on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WpSource {
    #[default]
    Toy,
    Sentence,
}

/// One candidate pair as shown: pieces, counts and score.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub left: String,
    pub right: String,
    pub count_ab: u64,
    pub count_a: u64,
    pub count_b: u64,
    pub score: f64,
    pub competes: bool,
}

/// The whole run: the candidates before each merge, the merged token, and the vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct WpReplay {
    /// `frames[k]`: the candidates before merge k (best first), BPE's choice, the token.
    pub frames: Vec<(Vec<Row>, Option<Row>, String)>,
    /// Specials and alphabet: the vocabulary before any merge.
    pub base: usize,
    pub vocab: Vec<String>,
}

/// Trains on `text` for up to [`MAX_MERGES`] merges, recording every decision.
pub fn replay(text: &str) -> WpReplay {
    let mut trainer = WordPieceTrainer::new(text, usize::MAX, 1);
    let base = trainer.vocab().len();
    let mut frames = Vec::new();
    for _ in 0..MAX_MERGES {
        let row = |t: &WordPieceTrainer,
                   c: &crate::model::tokenize::wordpiece_train::WpCandidate| {
            let name = |id: u32| t.vocab().get(id as usize).cloned().unwrap_or_default();
            Row {
                left: name(c.pair.0),
                right: name(c.pair.1),
                count_ab: c.count,
                count_a: c.count_a,
                count_b: c.count_b,
                score: c.score,
                competes: c.competes,
            }
        };
        let all = trainer.candidates(usize::MAX);
        let rows: Vec<Row> = all.iter().take(SHOWN).map(|c| row(&trainer, c)).collect();
        let most_frequent = all
            .iter()
            .max_by(|a, b| a.count.cmp(&b.count).then(b.pair.cmp(&a.pair)))
            .map(|c| row(&trainer, c));
        let Some(m) = trainer.step() else {
            break;
        };
        let token = m.token.clone();
        frames.push((rows, most_frequent, token));
    }
    WpReplay {
        frames,
        base,
        vocab: trainer.vocab().to_vec(),
    }
}

impl WpReplay {
    /// The tokeniser with the first `k` merges.
    pub fn tokenizer(&self, k: usize) -> Option<WordPiece> {
        let end = (self.base + k).min(self.vocab.len());
        WordPiece::from_vocab_txt(&self.vocab[..end].join("\n"), BasicTokenizer::uncased()).ok()
    }
}

/// State of the view: the source, the merges applied, and the run for the last text.
#[derive(Default)]
pub struct WordPieceReplayView {
    pub source: WpSource,
    pub step: usize,
    cache: Option<(String, WpReplay)>,
}

impl WordPieceReplayView {
    pub fn show(&mut self, ui: &mut egui::Ui, sentence: &str, show_ws: bool) {
        ui.horizontal(|ui| {
            ui.label("Train on:");
            ui.radio_value(&mut self.source, WpSource::Toy, "course toy corpus")
                .on_hover_text(bpe_toy::text());
            ui.radio_value(&mut self.source, WpSource::Sentence, "your sentence");
        });
        let text = match self.source {
            WpSource::Toy => bpe_toy::text(),
            WpSource::Sentence => sentence.to_owned(),
        };
        if self.cache.as_ref().is_none_or(|(t, _)| *t != text) {
            self.cache = Some((text.clone(), replay(&text)));
        }
        let Some((_, run)) = &self.cache else {
            return;
        };
        let n = run.frames.len();
        self.step = self.step.min(n);
        ui.horizontal(|ui| {
            super::replay::undo_redo(ui, &mut self.step, n);
            ui.add(egui::Slider::new(&mut self.step, 0..=n).text("merges applied"));
        });
        ui.label(
            RichText::new(format!(
                "{} special tokens and {} letters to start with ({} of them ## pieces, which \
                 continue a word); {n} merges shown.",
                SPECIALS.len(),
                run.base - SPECIALS.len(),
                run.vocab[SPECIALS.len()..run.base]
                    .iter()
                    .filter(|t| t.starts_with("##"))
                    .count()
            ))
            .weak(),
        );
        match run.frames.get(self.step) {
            Some((rows, frequent, token)) => {
                let (left, right) = rows.first().map_or((String::new(), String::new()), |r| {
                    (r.left.clone(), r.right.clone())
                });
                ui.label(
                    RichText::new(format!(
                        "Next merge ({} of {n}): {left} + {right} → {token}",
                        self.step + 1
                    ))
                    .strong(),
                );
                candidates(ui, rows);
                if let Some(f) = frequent
                    && (&f.left, &f.right) != (&left, &right)
                {
                    ui.label(format!(
                        "BPE would merge the most frequent pair instead: {} + {} (seen {} times, \
                         score {:.4}).",
                        f.left, f.right, f.count_ab, f.score
                    ));
                } else {
                    ui.label("Here the best-scoring pair is also the most frequent: BPE agrees.");
                }
            }
            None => {
                ui.label(RichText::new("All merges applied.").strong());
            }
        }
        ui.add_space(6.0);
        if let Some(wp) = run.tokenizer(self.step) {
            if self.source == WpSource::Toy {
                let words: Vec<&str> = bpe_toy::WORDS.iter().map(|w| w.0).collect();
                let text = words.join(" ");
                let enc = wp.encode(&text);
                ui.label(format!(
                    "The corpus's own words with this vocabulary: {} pieces",
                    enc.len().saturating_sub(2)
                ));
                let mut chips = chips_from_wordpiece(&text, &enc);
                chips.truncate(MAX_CHIPS);
                token_strip(ui, &chips, show_ws);
            }
            let enc = wp.encode(sentence);
            ui.label(
                RichText::new(format!(
                    "Your sentence with {} tokens of vocabulary: {} pieces",
                    run.base + self.step,
                    enc.len().saturating_sub(2)
                ))
                .strong(),
            );
            let mut chips = chips_from_wordpiece(sentence, &enc);
            chips.truncate(MAX_CHIPS);
            token_strip(ui, &chips, show_ws);
        }
    }
}

/// The candidate table: counts, score, and whether the pair may compete.
fn candidates(ui: &mut egui::Ui, rows: &[Row]) {
    egui::Grid::new("wp-replay-candidates")
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            for h in ["pair", "count(ab)", "count(a)", "count(b)", "score"] {
                ui.strong(h);
            }
            ui.end_row();
            for (i, r) in rows.iter().enumerate() {
                let colour = if i == 0 {
                    ui.visuals().strong_text_color()
                } else if r.competes {
                    ui.visuals().text_color()
                } else {
                    ui.visuals().weak_text_color()
                };
                let text = |s: String| RichText::new(s).color(colour);
                ui.label(text(format!("{} + {}", r.left, r.right)).monospace());
                ui.label(text(r.count_ab.to_string()));
                ui.label(text(r.count_a.to_string()));
                ui.label(text(r.count_b.to_string()));
                ui.label(text(format!(
                    "{} / ({} × {}) = {:.4}",
                    r.count_ab, r.count_a, r.count_b, r.score
                )))
                .on_hover_text(if r.competes {
                    "competes for this merge"
                } else {
                    "seen too rarely to compete yet (the trainer's threshold)"
                });
                ui.end_row();
            }
        });
}
