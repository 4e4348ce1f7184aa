//! Step 7 (and the lesson's older views): why the Transformer dropped recurrence. Counts the
//! sequential steps of an RNN against one matrix product for the learner's sentence, and
//! links to the lessons where each part of the Transformer is taught.

use egui::RichText;

use crate::lessons::{Command, LessonContext, LessonId};
use crate::model::text::split_words;
use crate::widgets::{TokenChip, token_strip};

/// Each part of the Transformer, the lesson that opens it up, and the step (view) there.
const PARTS: &[(&str, LessonId, Option<&str>)] = &[
    (
        "tokens: cutting text into pieces with ids",
        LessonId::Tokenisation,
        None,
    ),
    ("embeddings: one vector per token", LessonId::Word2vec, None),
    (
        "self-attention and positional encoding",
        LessonId::Attention,
        Some("positional-encoding"),
    ),
    (
        "the encoder: reading in both directions",
        LessonId::Bert,
        None,
    ),
    (
        "the decoder loop and cross-attention",
        LessonId::Attention,
        Some("cross-attention"),
    ),
];

/// The sentence as the time steps a recurrent network would read, one word at a time.
pub fn sequence(ui: &mut egui::Ui, sentence: &str) {
    let words = split_words(sentence);
    ui.strong("Your sentence, as a recurrent network reads it");
    let chips: Vec<TokenChip> = words
        .iter()
        .enumerate()
        .map(|(t, w)| {
            TokenChip::new(format!("t={} {}", t + 1, w.text), None).with_detail(format!(
                "time step {} reads {:?}",
                t + 1,
                w.text
            ))
        })
        .collect();
    token_strip(ui, &chips, false);
    ui.add_space(6.0);
    ui.label(format!(
        "{} words → {} steps, each waiting for the one before it.",
        words.len(),
        words.len()
    ));
}

/// Counts the steps an RNN needs against the single matrix product of self-attention.
pub fn sequential_vs_parallel(ui: &mut egui::Ui, sentence: &str) {
    let n = split_words(sentence).len();
    egui::Grid::new("seq-vs-par").striped(true).show(ui, |ui| {
        ui.strong("");
        ui.strong("steps that must run one after another");
        ui.strong("word pairs compared");
        ui.end_row();
        ui.label("Recurrent network");
        ui.label(n.to_string());
        ui.label(format!(
            "{} (each word only sees a summary of the past)",
            n.saturating_sub(1)
        ));
        ui.end_row();
        ui.label("Self-attention");
        ui.label("1");
        ui.label(format!("{} (every word with every word)", n * n));
        ui.end_row();
    });
}

/// Step 7: the counter, then the map of the later lessons.
pub fn show(ui: &mut egui::Ui, cx: &LessonContext<'_>) {
    sequence(ui, cx.sentence);
    ui.add_space(8.0);
    sequential_vs_parallel(ui, cx.sentence);
    ui.add_space(12.0);
    ui.strong("The Transformer's parts, and where this course opens them up");
    for (part, lesson, view) in PARTS {
        ui.horizontal(|ui| {
            if ui
                .button(format!("{} ▶", lesson.title()))
                .on_hover_text(match view {
                    Some(v) => format!("Open the lesson “{}” at its step “{v}”", lesson.title()),
                    None => format!("Open the lesson “{}”", lesson.title()),
                })
                .clicked()
            {
                cx.send(match view {
                    Some(v) => Command::GoToLessonView(*lesson, v),
                    None => Command::GoToLesson(*lesson),
                });
            }
            ui.label(RichText::new(*part));
        });
    }
}
