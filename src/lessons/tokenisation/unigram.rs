//! Unigram's view: every word of the learner's sentence with its most probable
//! segmentations and their probabilities, from the Unigram model trained in the lesson.

use egui::{RichText, Sense, vec2};

use super::training::TokenizerStore;
use crate::model::text::split_words;

/// Words and segmentations shown at most.
const MAX_WORDS: usize = 12;
const TOP_K: usize = 5;

pub fn show(ui: &mut egui::Ui, sentence: &str, store: &TokenizerStore) {
    let Some(suite) = &store.suite else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("The Unigram model is training…");
        });
        return;
    };
    let model = &suite.unigram;
    ui.label(format!(
        "Unigram model with {} pieces, trained on {}. Each word below lists its {TOP_K} most probable cuts; the bar is the cut's share of the probability of all cuts (forward algorithm).",
        model.vocab_size(),
        suite.corpus_name
    ));
    ui.label(
        RichText::new(format!(
            "A character never seen in {} has no piece: it is [UNK], here and in the side-by-side rows.",
            suite.corpus_name
        ))
        .weak(),
    );
    let mut words: Vec<String> = Vec::new();
    for p in split_words(sentence) {
        if p.text.chars().any(char::is_alphanumeric) && !words.contains(&p.text) {
            words.push(p.text);
        }
    }
    if words.len() > MAX_WORDS {
        ui.label(
            RichText::new(format!(
                "Showing the first {MAX_WORDS} of {} words.",
                words.len()
            ))
            .weak(),
        );
        words.truncate(MAX_WORDS);
    }
    let bar_color = ui.visuals().selection.bg_fill;
    // What is left for the cuts once the word column and the 220-point bar are drawn.
    let seg_width = (ui.available_width() - 360.0).max(160.0);
    egui::Grid::new("unigram-segmentations")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            ui.strong("word");
            ui.strong("segmentation");
            ui.strong("probability");
            ui.end_row();
            for w in &words {
                for (i, seg) in model.top_k(w, TOP_K).iter().enumerate() {
                    if i == 0 {
                        ui.label(RichText::new(w).strong());
                    } else {
                        ui.label("");
                    }
                    // Pieces the model lacks (characters the training text never
                    // contained) are [UNK], as in the side-by-side rows.
                    let text = seg
                        .pieces
                        .iter()
                        .map(|p| {
                            if p.chars().count() == 1 && model.encode(p).ids.first() == Some(&0) {
                                "[UNK]"
                            } else {
                                p.as_str()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" | ");
                    let label = if i == 0 {
                        RichText::new(text).monospace().strong()
                    } else {
                        RichText::new(text).monospace()
                    };
                    // A long cut wraps in its column, so the probability bar stays
                    // in view (a 10-character word of an unseen script is 10 pieces).
                    ui.allocate_ui(vec2(seg_width, 0.0), |ui| {
                        ui.add(egui::Label::new(label).wrap())
                            .on_hover_text(format!(
                                "log-probability {:.2} (sum of its pieces' log-probabilities)",
                                seg.log_prob
                            ));
                    });
                    let (cell, resp) = ui.allocate_exact_size(vec2(220.0, 14.0), Sense::hover());
                    let rect = egui::Rect::from_min_size(cell.min, vec2(160.0, cell.height()));
                    let p = seg.prob.clamp(0.0, 1.0) as f32;
                    ui.painter()
                        .rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
                    let mut fill = rect;
                    fill.set_width(rect.width() * p);
                    ui.painter().rect_filled(fill, 2.0, bar_color);
                    ui.painter().text(
                        rect.right_center() + vec2(6.0, 0.0),
                        egui::Align2::LEFT_CENTER,
                        format!("{:.1} %", p * 100.0),
                        egui::FontId::proportional(12.0),
                        ui.visuals().text_color(),
                    );
                    resp.on_hover_text(format!(
                        "P(this cut | {}) = {:.4}",
                        crate::model::text::quote::quote(w),
                        seg.prob
                    ));
                    ui.end_row();
                }
            }
        });
}
