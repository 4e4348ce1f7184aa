//! Word embeddings: word2vec trained from scratch.

use super::{Lesson, LessonContext, LessonId, shared_views};
use crate::model::text::split_words;
use crate::widgets::{Heatmap, Scale};

#[derive(Default)]
pub struct Word2vec;

impl Lesson for Word2vec {
    fn id(&self) -> LessonId {
        LessonId::Word2vec
    }

    fn views(&self) -> &'static [&'static str] {
        &["one-hot"]
    }

    fn view(&mut self, ui: &mut egui::Ui, _name: &str, cx: &LessonContext<'_>) {
        if shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        one_hot(ui, cx);
    }
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
