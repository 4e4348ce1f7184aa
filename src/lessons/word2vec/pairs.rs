//! Step 2: the training data. A window slides over the learner's sentence; every
//! (centre, context) pair inside it is one training example for skip-gram, and every
//! (context words → centre) group one for CBOW. Negative samples for each example are
//! drawn from the shipped corpus's unigram^0.75 table, built once on a worker.

use egui::{Color32, RichText};

use super::sentence_words;
use crate::job::{Job, JobState};
use crate::lessons::LessonContext;
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::corpus::Corpus;
use crate::model::word2vec::negative_table::{NegativeTable, POWER};
use crate::model::word2vec::pair_count::PairCounts;
use crate::model::word2vec::{ModelKind, TrainerConfig, TrainingData, Vocab};
use crate::widgets::chart::PALETTE;

/// Words of the sentence the view walks over; longer sentences are cut.
const MAX_WORDS: usize = 40;
/// Negatives drawn per example, as the trainer's default.
const NEGATIVES: usize = 5;

/// The corpus vocabulary, its negative-sampling table, and its paragraphs counted.
pub struct CorpusTable {
    pub vocab: Vocab,
    pub table: NegativeTable,
    pub pairs: PairCounts,
}

/// Builds the built-in corpus's training data as the trainer does (its default
/// min_count and subsampling), then its table and pair counts. Takes a second or two
/// in a debug build, so it runs on a worker.
fn build_table() -> Option<CorpusTable> {
    let cfg = TrainerConfig::default();
    let data = TrainingData::build(Corpus::builtin(), cfg.min_count);
    let pairs = PairCounts::new(&data, cfg.sample, cfg.seed);
    let table = NegativeTable::new(data.vocab.counts(), POWER)?;
    Some(CorpusTable {
        vocab: data.vocab,
        table,
        pairs,
    })
}

/// State of the training-pairs view.
pub struct PairsView {
    pub model: ModelKind,
    /// Largest distance from the centre that still counts as context.
    pub window: usize,
    /// Index of the centre word in the sentence.
    pub centre: usize,
    /// Bumped by "Draw again" so the learner sees the draw is random.
    pub draw: u64,
    table: Option<Arc<CorpusTable>>,
    job: Option<Job<Option<CorpusTable>>>,
    table_error: Option<String>,
}

use std::sync::Arc;

impl Default for PairsView {
    fn default() -> Self {
        PairsView {
            model: ModelKind::SkipGram,
            window: 2,
            centre: 1,
            draw: 0,
            table: None,
            job: None,
            table_error: None,
        }
    }
}

impl PairsView {
    /// The corpus table, starting its worker on first use; `None` while it is built.
    pub fn corpus_table(&mut self, ctx: &egui::Context) -> Option<Arc<CorpusTable>> {
        if self.table.is_none() && self.table_error.is_none() {
            match &self.job {
                None => self.job = Some(Job::once("word2vec-vocab", build_table)),
                Some(job) => match job.poll() {
                    JobState::Done(Some(t)) => {
                        self.table = Some(Arc::new(t));
                        self.job = None;
                    }
                    JobState::Done(None) => {
                        self.table_error = Some("the corpus has no words".to_owned());
                        self.job = None;
                    }
                    JobState::Running => {
                        ctx.request_repaint_after(std::time::Duration::from_millis(100))
                    }
                    JobState::Died => {
                        self.table_error = Some("the vocabulary worker stopped".to_owned());
                        self.job = None;
                    }
                },
            }
        }
        self.table.clone()
    }

    pub fn show(&mut self, ui: &mut egui::Ui, cx: &LessonContext<'_>) {
        let mut words = sentence_words(cx.sentence);
        words.truncate(MAX_WORDS);
        if words.is_empty() {
            ui.label("Your sentence has no words to slide a window over.");
            return;
        }
        let n = words.len();
        self.centre = self.centre.min(n - 1);

        ui.horizontal(|ui| {
            ui.label("Model:");
            ui.radio_value(&mut self.model, ModelKind::SkipGram, "skip-gram")
                .on_hover_text("Each (centre, context) pair is one example: predict a context word from the centre word.");
            ui.radio_value(&mut self.model, ModelKind::Cbow, "CBOW")
                .on_hover_text("Continuous bag of words: all context words together predict the centre word.");
        });
        ui.add(egui::Slider::new(&mut self.window, 1..=5).text("window (words each side)"))
            .on_hover_text("How far from the centre a word may be and still count as context. The trainer's default is 5.");
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.centre > 0, egui::Button::new("◀ Previous word"))
                .clicked()
            {
                self.centre -= 1;
            }
            ui.label(format!("centre word {} of {n}", self.centre + 1));
            if ui
                .add_enabled(self.centre + 1 < n, egui::Button::new("Next word ▶"))
                .clicked()
            {
                self.centre += 1;
            }
        });

        let lo = self.centre.saturating_sub(self.window);
        let hi = (self.centre + self.window).min(n - 1);
        let centre_fill = tint(PALETTE[1], ui.visuals().dark_mode);
        let context_fill = tint(PALETTE[0], ui.visuals().dark_mode);
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            for (i, w) in words.iter().enumerate() {
                let (fill, role) = if i == self.centre {
                    (centre_fill, "the centre word")
                } else if (lo..=hi).contains(&i) {
                    (context_fill, "a context word: inside the window")
                } else {
                    (Color32::TRANSPARENT, "outside the window")
                };
                let r = egui::Frame::new()
                    .fill(fill)
                    .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
                    .corner_radius(4.0)
                    .inner_margin(egui::Margin::symmetric(6, 3))
                    .show(ui, |ui| ui.label(RichText::new(w).monospace()))
                    .response;
                let clicked = r
                    .interact(egui::Sense::click())
                    .on_hover_text(format!(
                        "word {} \"{w}\": {role}. Click to make it the centre.",
                        i + 1
                    ))
                    .clicked();
                if clicked {
                    self.centre = i;
                }
            }
        });
        ui.horizontal(|ui| {
            legend_swatch(ui, centre_fill, "centre");
            legend_swatch(ui, context_fill, "context (inside the window)");
        });
        ui.separator();

        let context: Vec<&String> = (lo..=hi)
            .filter(|&i| i != self.centre)
            .map(|i| &words[i])
            .collect();
        let centre = &words[self.centre];
        let total: usize = (0..n)
            .map(|c| (c + self.window).min(n - 1) - c.saturating_sub(self.window))
            .sum();
        match self.model {
            ModelKind::SkipGram => {
                ui.strong(format!(
                    "Skip-gram training pairs for this centre: {}",
                    context.len()
                ));
                ui.horizontal_wrapped(|ui| {
                    for c in &context {
                        ui.label(RichText::new(format!("({centre} → {c})")).monospace())
                            .on_hover_text(format!(
                                "input: \"{centre}\"; the model should predict \"{c}\""
                            ));
                    }
                });
                ui.label(format!(
                    "The whole sentence gives {total} pairs with this window: every word is a centre once."
                ));
            }
            ModelKind::Cbow => {
                ui.strong("CBOW training example for this centre: 1");
                let ctx: Vec<&str> = context.iter().map(|s| s.as_str()).collect();
                ui.label(RichText::new(format!("[{}] → {centre}", ctx.join(", "))).monospace())
                    .on_hover_text("The context vectors are averaged into one input; the model should predict the centre word.");
                ui.label(format!(
                    "The whole sentence gives {n} CBOW examples, one per centre word, covering the same {total} (context, centre) pairs."
                ));
            }
        }
        if total == 0 {
            ui.label(
                "No pairs: as word2vec reads text (runs of letters and digits between spaces and punctuation), your sentence is a single word, and a window needs a neighbour. Text written without spaces, such as Chinese, reads as one long word; add a second word.",
            );
        }
        if let Some(t) = self.corpus_table(ui.ctx()) {
            self.corpus_count(ui, &t);
            self.unknown_words(ui, &t, &words);
        }
        ui.separator();
        self.negatives(ui, centre, &context);
    }

    /// The same window over the whole corpus: the examples one training pass reads.
    fn corpus_count(&self, ui: &mut egui::Ui, t: &CorpusTable) {
        let w = self.window;
        let p = &t.pairs;
        let text = match self.model {
            ModelKind::SkipGram => format!(
                "Over the whole built-in corpus ({} words seen at least 5 times) this window gives \
                 {} skip-gram pairs. The trainer draws each centre's radius from 1 to {w} and \
                 first drops some frequent words ({} words left in one pass), so one pass reads \
                 about {} pairs, each with {NEGATIVES} negatives.",
                group(p.words),
                group(p.skip_gram_pairs(w)),
                group(p.words_subsampled),
                group(p.expected_training_pairs(w).round() as u64),
            ),
            ModelKind::Cbow => format!(
                "Over the whole built-in corpus ({} words seen at least 5 times) CBOW makes one \
                 example per word, covering {} (context, centre) pairs with this window; after \
                 the trainer drops some frequent words, one pass reads {} examples.",
                group(p.words),
                group(p.skip_gram_pairs(w)),
                group(p.words_subsampled),
            ),
        };
        ui.label(RichText::new(text).strong());
    }

    /// The sentence's words the corpus vocabulary lacks, and what training does with them.
    fn unknown_words(&self, ui: &mut egui::Ui, t: &CorpusTable, words: &[String]) {
        let mut missing: Vec<String> = Vec::new();
        for w in words {
            if t.vocab.id(w).is_none() && !missing.contains(w) {
                missing.push(w.clone());
            }
        }
        if missing.is_empty() {
            return;
        }
        let shown: Vec<String> = missing
            .iter()
            .take(6)
            .map(|w| {
                let mut q: String = w.chars().take(40).collect();
                if w.chars().count() > 40 {
                    q.push('…');
                }
                format!("\u{201c}{q}\u{201d}")
            })
            .collect();
        let more = if missing.len() > shown.len() {
            format!(" and {} more", missing.len() - shown.len())
        } else {
            String::new()
        };
        ui.label(
            RichText::new(format!(
                "Not in the training vocabulary (seen fewer than 5 times in the corpus): {}{more}. The trainer drops such words before sliding its window, so in training they make no pairs; the pairs above are your sentence's.",
                shown.join(", ")
            ))
            .color(ui.visuals().warn_fg_color),
        );
    }

    /// Negative samples for the examples of the current centre, from the corpus table.
    fn negatives(&mut self, ui: &mut egui::Ui, centre: &str, context: &[&String]) {
        ui.strong(format!("Negative samples ({NEGATIVES} per example)"));
        let Some(t) = self.corpus_table(ui.ctx()) else {
            match &self.table_error {
                Some(e) => ui.colored_label(ui.visuals().warn_fg_color, e),
                None => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Counting the words of the built-in corpus…");
                    })
                    .response
                }
            };
            return;
        };
        ui.label(format!(
            "Drawn from the {} words seen at least 5 times in the built-in corpus, each with probability ∝ count^0.75.",
            t.vocab.len()
        ));
        let mut rng = SplitMix64::new(0x5eed ^ self.draw.wrapping_mul(0x9E37_79B9));
        let draw = |rng: &mut SplitMix64| -> Vec<String> {
            (0..NEGATIVES)
                .map(|_| {
                    let id = t.table.sample(rng) as usize;
                    t.vocab.words().get(id).cloned().unwrap_or_default()
                })
                .collect()
        };
        let examples: Vec<String> = match self.model {
            ModelKind::SkipGram => context
                .iter()
                .map(|c| format!("({centre} → {c})"))
                .collect(),
            ModelKind::Cbow => vec![format!("→ {centre}")],
        };
        egui::Grid::new("w2v-negatives")
            .striped(true)
            .show(ui, |ui| {
                ui.label(RichText::new("example").strong());
                ui.label(
                    RichText::new("negative words: the model should say \"no\" to these").strong(),
                );
                ui.end_row();
                for e in examples.iter().take(10) {
                    ui.label(RichText::new(e).monospace());
                    ui.label(draw(&mut rng).join(", "));
                    ui.end_row();
                }
            });
        ui.horizontal(|ui| {
            if ui
                .button("Draw again")
                .on_hover_text("Negatives are random: draw a new set.")
                .clicked()
            {
                self.draw = self.draw.wrapping_add(1);
            }
        });
        // Why the 0.75 power: frequent words are drawn a little less than their share.
        let probs = t.table.probabilities();
        let total = t.vocab.total().max(1) as f64;
        ui.add_space(4.0);
        egui::Grid::new("w2v-unigram").striped(true).show(ui, |ui| {
            ui.label(RichText::new("word").strong());
            ui.label(RichText::new("share of the corpus").strong())
                .on_hover_text("count / all words (with min_count 5)");
            ui.label(RichText::new("chance as a negative").strong())
                .on_hover_text("count^0.75 / Σ count^0.75, read back from the sampling table");
            ui.end_row();
            for (i, w) in t.vocab.words().iter().take(5).enumerate() {
                let share = t.vocab.counts().get(i).copied().unwrap_or(0) as f64 / total;
                ui.label(RichText::new(w).monospace());
                ui.label(format!("{:.2} %", share * 100.0));
                ui.label(format!(
                    "{:.2} %",
                    probs.get(i).copied().unwrap_or(0.0) * 100.0
                ));
                ui.end_row();
            }
        });
        ui.label("The 0.75 power makes the most frequent words a little less likely as negatives, and rare words a little more likely, than their plain share.");
    }
}

/// A light (or, in dark mode, deep) version of a palette colour for a chip's background.
pub fn tint(c: [u8; 3], dark: bool) -> Color32 {
    let mix = |v: u8| {
        if dark {
            (v as f32 * 0.55) as u8
        } else {
            (v as f32 * 0.35 + 255.0 * 0.65) as u8
        }
    };
    Color32::from_rgb(mix(c[0]), mix(c[1]), mix(c[2]))
}

/// A small coloured square and its meaning.
pub fn legend_swatch(ui: &mut egui::Ui, fill: Color32, text: &str) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
    ui.painter().rect_filled(rect, 3.0, fill);
    ui.label(text);
}

/// 12345678 → "12,345,678".
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
