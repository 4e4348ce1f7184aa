//! Step 3: the network with its actual numbers. A tiny skip-gram model (vocabulary = the
//! sentence's words, 8 numbers per word, random start) takes one training pair: the input
//! word's embedding is dotted with the output vectors of the true target and of a few
//! negative samples, and one update of [`skipgram::step`] — the very function the trainer
//! runs millions of times — moves the vectors. The view shows every number before and
//! after.

use egui::RichText;

use super::sentence_words;
use crate::lessons::{LessonContext, shared_views};
use crate::model::numerics::rng::SplitMix64;
use crate::model::word2vec::negative_table::{NegativeTable, POWER};
use crate::model::word2vec::skipgram;
use crate::widgets::{Heatmap, Scale};

/// Length of each vector in the tiny model: small enough to read every number.
pub const DIM: usize = 8;
/// Negative samples per pair in the tiny model.
const NEGATIVES: usize = 3;
/// Words of the sentence the tiny model knows; longer sentences are cut.
const MAX_WORDS: usize = 40;
/// Context radius used to list the pairs.
const WINDOW: usize = 2;

/// State of the network view.
pub struct NetworkView {
    /// Which (input, target) pair of the sentence to train on.
    pub pair: usize,
    /// Learning rate of the one update (the trainer starts at 0.025; larger here so the
    /// change is visible after a single step).
    pub alpha: f32,
    /// Seed of the random start and of the negatives; "New random model" changes it.
    pub seed: u64,
}

impl Default for NetworkView {
    fn default() -> Self {
        NetworkView {
            pair: 0,
            alpha: 0.5,
            seed: 1,
        }
    }
}

/// One row of the before/after table.
struct Row {
    word: String,
    target: bool,
    skipped: bool,
    before: f32,
    after: f32,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl NetworkView {
    pub fn show(&mut self, ui: &mut egui::Ui, _cx: &LessonContext<'_>) {
        let mut words = sentence_words(_cx.sentence);
        words.truncate(MAX_WORDS);
        let mut vocab: Vec<String> = Vec::new();
        let mut counts: Vec<u64> = Vec::new();
        for w in &words {
            match vocab.iter().position(|v| v == w) {
                Some(i) => counts[i] += 1,
                None => {
                    vocab.push(w.clone());
                    counts.push(1);
                }
            }
        }
        let id = |w: &str| vocab.iter().position(|v| v == w).unwrap_or(0) as u32;
        // Skip-gram pairs (centre → context) of the sentence, as in step 2.
        let n = words.len();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for c in 0..n {
            let (lo, hi) = (c.saturating_sub(WINDOW), (c + WINDOW).min(n - 1));
            for o in lo..=hi {
                if o != c && words[o] != words[c] {
                    pairs.push((id(&words[c]), id(&words[o])));
                }
            }
        }
        let (Some(table), false) = (NegativeTable::new(&counts, POWER), pairs.is_empty()) else {
            ui.label("The network needs a sentence with at least two different words.");
            return;
        };
        let v = vocab.len();
        self.pair = self.pair.min(pairs.len() - 1);

        ui.horizontal(|ui| {
            ui.add(
                egui::Slider::new(&mut self.pair, 0..=pairs.len() - 1)
                    .text("training pair")
                    .custom_formatter(|x, _| format!("{}", x as usize + 1)),
            )
            .on_hover_text(format!(
                "One of the {} skip-gram pairs your sentence makes with a window of {WINDOW}.",
                pairs.len()
            ));
        });
        ui.horizontal(|ui| {
            ui.add(egui::Slider::new(&mut self.alpha, 0.01..=2.0).logarithmic(true).text("learning rate α"))
                .on_hover_text("How big a step the update takes. The trainer starts at 0.025 and takes millions of steps; here one step must be visible.");
            if ui.button("New random model").on_hover_text("Start again from other random vectors and negatives.").clicked() {
                self.seed = self.seed.wrapping_add(1);
            }
        });

        // The tiny model: input embeddings (syn0) and output vectors (syn1), both random.
        let mut rng = SplitMix64::new(self.seed);
        let syn0: Vec<f32> = (0..v * DIM).map(|_| rng.next_f32() - 0.5).collect();
        let syn1: Vec<f32> = (0..v * DIM).map(|_| rng.next_f32() - 0.5).collect();
        let (input, target) = pairs[self.pair];
        let mut negs: Vec<u32> = Vec::new();
        for _ in 0..NEGATIVES {
            negs.push(table.sample(&mut rng));
        }
        let (mut syn0_after, mut syn1_after) = (syn0.clone(), syn1.clone());
        let mut scratch = vec![0.0f32; DIM];
        skipgram::step(
            &mut syn0_after,
            &mut syn1_after,
            DIM,
            input,
            target,
            &negs,
            self.alpha,
            &mut scratch,
        );
        let row = |m: &[f32], w: u32| m[w as usize * DIM..(w as usize + 1) * DIM].to_vec();
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        let name = |w: u32| vocab[w as usize].clone();

        ui.label(
            RichText::new(format!(
                "Pair: input \"{}\" → target \"{}\"",
                name(input),
                name(target)
            ))
            .strong(),
        );
        ui.label(format!(
            "Vocabulary: the {v} distinct words of your sentence. Each has an embedding (input vector) and an output vector of {DIM} numbers, both random to start."
        ));

        // 1. input: one-hot → embedding row.
        ui.add_space(4.0);
        ui.strong(format!(
            "1. One-hot input {} picks one row of the embedding matrix {}",
            shared_views::shape(1, v),
            shared_views::shape(v, DIM)
        ));
        let v_before = row(&syn0, input);
        let v_after = row(&syn0_after, input);
        let dims: Vec<String> = (1..=DIM).map(|d| format!("d{d}")).collect();
        let scale = Scale::diverging_for(&[&syn0[..], &syn1[..], &v_after[..]].concat());
        Heatmap::new("embedding of the input word", &v_before, 1, DIM)
            .labels(&[format!("\"{}\"", name(input))], &dims)
            .scale(scale)
            .show_values(true)
            .unit("vector component")
            .legend(false)
            .show(ui);

        // 2. output vectors of the target and the negatives.
        ui.add_space(4.0);
        ui.strong("2. Output vectors of the target and the negative samples");
        let mut out_words: Vec<u32> = vec![target];
        out_words.extend(&negs);
        let out_values: Vec<f32> = out_words.iter().flat_map(|&w| row(&syn1, w)).collect();
        let out_labels: Vec<String> = out_words
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                if i == 0 {
                    format!("{} (target)", name(w))
                } else {
                    format!("{} (negative)", name(w))
                }
            })
            .collect();
        Heatmap::new("output vectors", &out_values, out_words.len(), DIM)
            .labels(&out_labels, &dims)
            .scale(scale)
            .show_values(true)
            .unit("vector component")
            .show(ui);

        // 3. scores before and after the update.
        ui.add_space(4.0);
        ui.strong(
            "3. Scores: embedding · output vector, squashed by σ to a probability of \"yes\"",
        );
        let rows: Vec<Row> = out_words
            .iter()
            .enumerate()
            .map(|(i, &w)| Row {
                word: name(w),
                target: i == 0,
                // skipgram::step skips a negative that is the target itself.
                skipped: i > 0 && w == target,
                before: dot(&v_before, &row(&syn1, w)),
                after: dot(&v_after, &row(&syn1_after, w)),
            })
            .collect();
        let loss = |f: &dyn Fn(&Row) -> f32| -> f32 {
            rows.iter()
                .filter(|r| !r.skipped)
                .map(|r| {
                    let p = sigmoid(f(r));
                    -(if r.target { p } else { 1.0 - p }).max(1e-7).ln()
                })
                .sum()
        };
        egui::Grid::new("w2v-network-scores")
            .striped(true)
            .show(ui, |ui| {
                for h in ["word", "wanted", "score before", "σ before", "σ after", "change"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for r in &rows {
                    ui.label(RichText::new(&r.word).monospace());
                    ui.label(if r.target { "1 (yes)" } else { "0 (no)" })
                        .on_hover_text("The target should score high, negatives low.");
                    if r.skipped {
                        ui.label("—").on_hover_text("This negative is the target itself; the trainer skips it, as word2vec.c does.");
                        ui.label("skipped");
                        ui.label("");
                        ui.label("");
                    } else {
                        let (pb, pa) = (sigmoid(r.before), sigmoid(r.after));
                        ui.label(format!("{:+.3}", r.before))
                            .on_hover_text("dot product of the input's embedding and this word's output vector");
                        ui.label(format!("{pb:.3}")).on_hover_text("σ(score) = 1 / (1 + e^−score)");
                        ui.label(format!("{pa:.3}")).on_hover_text("σ of the new dot product, after one update");
                        let better = if r.target { pa > pb } else { pa < pb };
                        ui.label(if better { "better ✓" } else { "worse" });
                    }
                    ui.end_row();
                }
            });
        ui.label(format!(
            "Loss −ln σ(target) − Σ ln σ(−negative): {:.3} before, {:.3} after one step.",
            loss(&|r| r.before),
            loss(&|r| r.after)
        ))
        .on_hover_text("The number training pushes down; computed from the scores above.");
        if let Some(note) = negatives_note(&negs, input, &name) {
            ui.label(RichText::new(note).weak());
        }

        // 4. the gradient update of the embedding.
        ui.add_space(4.0);
        ui.strong(format!(
            "4. The update: how the embedding of \"{}\" moved",
            name(input)
        ));
        let delta: Vec<f32> = v_after.iter().zip(&v_before).map(|(a, b)| a - b).collect();
        let both: Vec<f32> = [v_before.clone(), v_after.clone(), delta.clone()].concat();
        let labels = ["before".to_owned(), "after".to_owned(), "change".to_owned()];
        Heatmap::new("embedding update", &both, 3, DIM)
            .labels(&labels, &dims)
            .scale(Scale::diverging_for(&both))
            .show_values(true)
            .unit("vector component")
            .show(ui);
        ui.label("The embedding moved towards the target's output vector and away from the negatives' — and those output vectors moved too. Training repeats exactly this step for every pair of the corpus.");
    }
}

/// Why a negative may be the input word or come twice: they are drawn at random, with
/// replacement, from the whole vocabulary (frequent words more often), and only a
/// negative equal to the target is skipped, as in word2vec.c. `None` when neither happened.
fn negatives_note(negs: &[u32], input: u32, name: &dyn Fn(u32) -> String) -> Option<String> {
    let mut parts = Vec::new();
    if negs.contains(&input) {
        parts.push(format!(
            "\"{}\" is the input word itself: negatives are drawn from the whole vocabulary, the input included, and the trainer keeps it (only a negative equal to the target is skipped)",
            name(input)
        ));
    }
    let mut seen: Vec<u32> = Vec::new();
    for &n in negs {
        if seen.contains(&n) {
            continue;
        }
        let times = negs.iter().filter(|&&m| m == n).count();
        if times > 1 {
            parts.push(format!(
                "\"{}\" was drawn {times} times: draws are independent, so each one nudges its output vector",
                name(n)
            ));
        }
        seen.push(n);
    }
    if parts.is_empty() {
        None
    } else {
        Some(format!(
            "About the negatives: {}. With a vocabulary this small such repeats are common; with tens of thousands of words they are rare.",
            parts.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_and_the_input_among_negatives_are_explained() {
        let name = |w: u32| ["i", "bank", "money"][w as usize].to_owned();
        let note = negatives_note(&[1, 1, 0], 0, &name).expect("a note");
        assert!(note.contains("\"i\" is the input word itself"), "{note}");
        assert!(note.contains("\"bank\" was drawn 2 times"), "{note}");
        assert_eq!(negatives_note(&[1, 2], 0, &name), None);
    }
}
