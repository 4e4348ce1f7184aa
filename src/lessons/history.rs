//! History & RNNs: from rule-based translation to the Transformer.

use super::{Lesson, LessonContext, LessonId, shared_views};
use crate::model::text::split_words;
use crate::widgets::{TokenChip, token_strip};

#[derive(Default)]
pub struct History;

impl Lesson for History {
    fn id(&self) -> LessonId {
        LessonId::History
    }

    fn views(&self) -> &'static [&'static str] {
        &["sequence", "sequential-vs-parallel"]
    }

    fn view(&mut self, ui: &mut egui::Ui, name: &str, cx: &LessonContext<'_>) {
        if shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        match name {
            "sequence" => sequence(ui, cx),
            _ => sequential_vs_parallel(ui, cx),
        }
    }
}

/// The sentence as the time steps a recurrent network would read, one word at a time.
fn sequence(ui: &mut egui::Ui, cx: &LessonContext<'_>) {
    let words = split_words(cx.sentence);
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
fn sequential_vs_parallel(ui: &mut egui::Ui, cx: &LessonContext<'_>) {
    let n = split_words(cx.sentence).len();
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
