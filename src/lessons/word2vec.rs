//! Word embeddings: word2vec trained from scratch.
//!
//! Six steps, one view each, every view but the first in its own file: one-hot vectors,
//! the training pairs a sliding window makes, one training step of a tiny network with
//! its real numbers, why negative sampling exists, live training on the shipped corpus,
//! and exploring the trained vectors.
//!
//! The shell builds the pane as a unit value, so the pane keeps its state (sliders,
//! the trainer, the last result) in egui's temporary data under [`STATE_ID`]; tests reach
//! it through [`state`] and [`lock`].

#[path = "word2vec_cost.rs"]
pub mod cost;
#[path = "word2vec_explore.rs"]
pub mod explore;
#[path = "word2vec_network.rs"]
pub mod network;
#[path = "word2vec_pairs.rs"]
pub mod pairs;
#[path = "word2vec_training.rs"]
pub mod training;

use std::sync::{Arc, Mutex, MutexGuard};

pub use super::job::{Job, JobState};
use super::{Lesson, LessonContext, LessonId, shared_views};
use crate::model::text::split_words;
use crate::widgets::{Heatmap, Scale};

/// Where the pane's state lives in egui's temporary data.
pub const STATE_ID: &str = "llm-lens-word2vec-state";

/// The views the prose can name, in lesson order.
pub const VIEWS: &[&str] = &[
    "one-hot",
    "training-pairs",
    "network",
    "negative-sampling",
    "training",
    "explore",
];

#[derive(Default)]
pub struct Word2vec;

/// Everything the learner changed in this lesson, kept while the app runs.
#[derive(Default)]
pub struct Word2vecState {
    pub pairs: pairs::PairsView,
    pub network: network::NetworkView,
    pub cost: cost::CostView,
    pub training: training::TrainingView,
    pub explore: explore::ExploreView,
}

/// Shared handle stored in egui's temporary data (which needs `Clone + Send + Sync`).
pub type SharedState = Arc<Mutex<Word2vecState>>;

/// The lesson's state for this egui context, created on first use.
pub fn state(ctx: &egui::Context) -> SharedState {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<SharedState>(egui::Id::unique(STATE_ID))
            .clone()
    })
}

/// Locks the state; a panic elsewhere must not make the lesson unusable, so poisoning is
/// ignored.
pub fn lock(state: &SharedState) -> MutexGuard<'_, Word2vecState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

impl Lesson for Word2vec {
    fn id(&self) -> LessonId {
        LessonId::Word2vec
    }

    fn views(&self) -> &'static [&'static str] {
        VIEWS
    }

    fn background(&mut self, ctx: &egui::Context) {
        lock(&state(ctx)).training.poll(ctx);
    }

    fn view(&mut self, ui: &mut egui::Ui, name: &str, cx: &LessonContext<'_>) {
        let shared = state(ui.ctx());
        let mut st = lock(&shared);
        // Training runs whatever step is shown, so its events are drained every frame
        // (otherwise the channel would fill while the learner reads another step).
        st.training.poll(ui.ctx());
        match name {
            "training" => st.training.show(ui, cx),
            "explore" => {
                let Word2vecState {
                    training, explore, ..
                } = &mut *st;
                explore.show(ui, cx, training);
            }
            "negative-sampling" => st.cost.show(ui, cx),
            _ if shared_views::empty_sentence_notice(ui, cx.sentence) => {}
            "training-pairs" => st.pairs.show(ui, cx),
            "network" => st.network.show(ui, cx),
            _ => {
                one_hot(ui, cx);
                ui.add_space(8.0);
                dense_vectors(ui, cx, &st.training);
            }
        }
    }
}

/// The learner's sentence as word2vec sees it: lower-cased words, the same
/// tokenisation the trainer applies to the corpus.
pub fn sentence_words(sentence: &str) -> Vec<String> {
    crate::model::corpus::words(sentence)
        .map(|w| w.into_owned())
        .collect()
}

/// The sentence's words as one-hot vectors over a vocabulary built from the sentence.
fn one_hot(ui: &mut egui::Ui, cx: &LessonContext<'_>) {
    const MAX_WORDS: usize = 40;
    let words: Vec<String> = split_words(cx.sentence)
        .into_iter()
        .map(|p| p.text.to_lowercase())
        .take(MAX_WORDS)
        .collect();
    let mut vocab: Vec<String> = Vec::new();
    for w in &words {
        if !vocab.contains(w) {
            vocab.push(w.clone());
        }
    }
    // (words × vocab): row t has a single 1 in the column of word t.
    let mut values = vec![0.0f32; words.len() * vocab.len()];
    for (r, w) in words.iter().enumerate() {
        if let Some(c) = vocab.iter().position(|v| v == w) {
            values[r * vocab.len() + c] = 1.0;
        }
    }
    ui.strong(format!(
        "One-hot vectors {}",
        shared_views::shape(words.len(), vocab.len())
    ));
    if split_words(cx.sentence).len() > MAX_WORDS {
        ui.label(format!("Showing the first {MAX_WORDS} words."));
    }
    Heatmap::new("one-hot vectors", &values, words.len(), vocab.len())
        .labels(&words, &vocab)
        .scale(Scale::Probability)
        .unit("(1 = this word)")
        .show(ui);
    ui.label(format!(
        "Here the vocabulary is just your sentence: {} distinct words. With a real vocabulary of 50,000 words every row would have 50,000 entries, all but one of them zero.",
        vocab.len()
    ));
}

/// Dense dimensions shown at most in step 1's heatmap.
const MAX_DENSE_DIMS: usize = 24;

/// The learned dense vectors of the sentence's words, from the last finished run of
/// step 5, or a line saying where to get them.
fn dense_vectors(ui: &mut egui::Ui, cx: &LessonContext<'_>, training: &training::TrainingView) {
    const MAX_WORDS: usize = 40;
    let Some(result) = &training.result else {
        ui.label("Train on step 5 to see the dense vectors here: the same words as a few learned numbers each, instead of one 1 among thousands of zeros.");
        return;
    };
    let emb = &result.vectors;
    let mut distinct: Vec<String> = Vec::new();
    for w in sentence_words(cx.sentence) {
        if !distinct.contains(&w) {
            distinct.push(w);
        }
    }
    distinct.truncate(MAX_WORDS);
    let (known, missing): (Vec<String>, Vec<String>) =
        distinct.into_iter().partition(|w| emb.get(w).is_some());
    let dim = emb.dim();
    let shown = dim.min(MAX_DENSE_DIMS);
    ui.strong(format!(
        "Learned dense vectors {}",
        shared_views::shape(known.len(), dim)
    ));
    if known.is_empty() {
        ui.label("None of your sentence's words is in the trained vocabulary.");
    } else {
        if dim > shown {
            ui.label(format!("Showing the first {shown} of {dim} dimensions."));
        }
        let mut values = Vec::with_capacity(known.len() * shown);
        for w in &known {
            if let Some(v) = emb.get(w) {
                values.extend_from_slice(&v[..shown]);
            }
        }
        let dims: Vec<String> = (0..shown).map(|d| d.to_string()).collect();
        Heatmap::new("learned dense vectors", &values, known.len(), shown)
            .labels(&known, &dims)
            .scale(Scale::diverging_for(&values))
            .unit("embedding value")
            .show(ui);
    }
    if !missing.is_empty() {
        ui.label(format!(
            "Not in the vocabulary (too rare in the corpus): {}",
            missing.join(", ")
        ));
    }
    ui.label(format!(
        "One-hot: {} numbers per word, mostly zero; dense: {dim} numbers, all used.",
        emb.len()
    ));
}
