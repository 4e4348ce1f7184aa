//! Step 1: the sentence's words as one-hot vectors, then as the dense vectors training
//! learned for them.

use super::{sentence_words, training};
use crate::lessons::{LessonContext, shared_views};
use crate::widgets::{Heatmap, Scale};

/// The sentence's words as one-hot vectors over a vocabulary built from the sentence.
pub fn one_hot(ui: &mut egui::Ui, cx: &LessonContext<'_>) {
    const MAX_WORDS: usize = 40;
    // The words as the trainer reads them (lower-cased, punctuation dropped), so this
    // vocabulary is the one steps 2 and 3 use.
    let mut words = sentence_words(cx.sentence);
    words.truncate(MAX_WORDS);
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
    if sentence_words(cx.sentence).len() > MAX_WORDS {
        ui.label(format!("Showing the first {MAX_WORDS} words."));
    }
    Heatmap::new("one-hot vectors", &values, words.len(), vocab.len())
        .labels(&words, &vocab)
        .scale(Scale::Probability)
        .unit("(1 = this word)")
        .show(ui);
    ui.label(format!(
        "Here the vocabulary is just your sentence: {}, lower-cased and without punctuation, as the trainer reads text (steps 2 and 3 use the same list). With a real vocabulary of 50,000 words every row would have 50,000 entries, all but one of them zero.",
        match vocab.len() {
            1 if vocab[0].chars().any(|c| ('\u{3040}'..='\u{9fff}').contains(&c) || ('\u{ac00}'..='\u{d7af}').contains(&c)) => {
                "1 distinct word (Chinese, Japanese and Korean text has no spaces, so a tokeniser that splits at spaces reads it as one word)".to_owned()
            }
            1 => "1 distinct word".to_owned(),
            n => format!("{n} distinct words"),
        }
    ));
}

/// Dense dimensions shown at most in step 1's heatmap.
const MAX_DENSE_DIMS: usize = 24;

/// The learned dense vectors of the sentence's words, from the last finished run of
/// the training step, or a line saying where to get them.
pub fn dense_vectors(ui: &mut egui::Ui, cx: &LessonContext<'_>, training: &training::TrainingView) {
    const MAX_WORDS: usize = 40;
    let Some(result) = &training.result else {
        ui.label("Train on the step “Training on two centuries of speeches” to see the dense vectors here: the same words as a few learned numbers each, instead of one 1 among thousands of zeros.");
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
