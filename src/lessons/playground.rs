//! The Transformer playground: a real model's forward pass, stage by stage.

use super::{Lesson, LessonContext, LessonId, shared_views};
use crate::widgets::token_strip;

#[derive(Default)]
pub struct Playground;

/// The stages of one forward pass, in order, as the later steps walk through them.
const STAGES: [&str; 7] = [
    "tokens and ids",
    "token + position + segment embeddings",
    "queries, keys and values",
    "attention scores and softmax weights",
    "weighted sum of values, output projection, residual + LayerNorm",
    "feed-forward network, residual + LayerNorm",
    "hidden states and predictions",
];

impl Lesson for Playground {
    fn id(&self) -> LessonId {
        LessonId::Playground
    }

    fn views(&self) -> &'static [&'static str] {
        &["overview"]
    }

    fn view(&mut self, ui: &mut egui::Ui, _name: &str, cx: &LessonContext<'_>) {
        if shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        ui.strong("Your sentence enters the model");
        token_strip(ui, &shared_views::word_chips(cx.sentence), false);
        ui.add_space(6.0);
        ui.strong("The stages it will pass through");
        for (i, stage) in STAGES.iter().enumerate() {
            ui.label(format!("{}. {stage}", i + 1));
        }
        ui.add_space(6.0);
        ui.label(format!("Compute: {}", cx.backend.label()));
    }
}
