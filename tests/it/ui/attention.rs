//! The self-attention lesson driven as a learner would: every step renders, and the
//! positional-encoding step's permutation table and calculator follow the input.

use crate::common;

use egui_kittest::kittest::Queryable;
use llm_lens::app::Settings;
use llm_lens::lessons::LessonId;
use llm_lens::lessons::attention::{Attention, View};
use llm_lens::prose::ProseLibrary;

fn harness_at(view: View) -> egui_kittest::Harness<'static, llm_lens::app::LensApp> {
    let mut settings = Settings {
        lesson: LessonId::Attention,
        ..Settings::default()
    };
    settings
        .steps
        .insert("attention".to_owned(), common::step_of::<Attention>(view));
    common::harness(common::app(settings))
}

/// The lesson at `view` with `sentence` (shared by the attention test files).
pub(super) fn harness_at_sentence(
    view: View,
    sentence: &str,
) -> egui_kittest::Harness<'static, llm_lens::app::LensApp> {
    common::harness(common::app(common::settings_at_view::<Attention>(
        view, sentence,
    )))
}

/// Steps frames until the lesson's model has loaded (fails after 60 s).
pub(super) fn wait_for_model(h: &mut egui_kittest::Harness<'static, llm_lens::app::LensApp>) {
    h.run_steps(2);
    common::step_while(
        h,
        std::time::Duration::from_secs(60),
        "loading the model",
        |h| common::lesson_ref::<Attention>(h).model.loaded().is_none(),
    );
    h.run_steps(3);
}

/// Whether any node's label contains `text`.
pub(super) fn has(h: &egui_kittest::Harness<'static, llm_lens::app::LensApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn every_step_renders_its_key_label() {
    let keys = [
        (View::WhyContext, "The same word in two sentences"),
        (View::Embeddings, "One-hot X"),
        (View::PositionalEncoding, "without positions"),
        (View::NoWeights, "scores S = XXᵀ/√2"),
        (View::Qkv, "X · W = (n × d_model)"),
        (View::Scaling, "softmax(QKᵀ / √d_k)"),
        (View::WeightedSum, "Row sums, top to bottom"),
        (View::Masks, "cells masked"),
        (View::MultiHead, "The mechanism on small numbers"),
        (View::CrossAttention, "Cross-attention weights"),
        (View::Cost, "score table"),
    ];
    assert_eq!(
        ProseLibrary::builtin().steps(LessonId::Attention).len(),
        keys.len()
    );
    let mut h = harness_at(View::WhyContext);
    for (view, key) in keys {
        h.state_mut().set_step(common::step_of::<Attention>(view));
        h.run_steps(3);
        assert!(
            h.query_all_by_label_contains(key).next().is_some(),
            "{view:?} lacks {key:?}"
        );
    }
}

#[test]
fn the_permutation_table_and_the_calculator_follow_the_input() {
    let mut h = harness_at(View::PositionalEncoding);
    h.run_steps(3);
    // The course's d = 3 table: position 1 is [0.84, 0.54, 0.00].
    assert!(h.query_all_by_label("+0.84").next().is_some());
    assert!(h.query_all_by_label("0.000000").count() >= 5);
    common::lesson::<Attention>(&mut h).positional.second = "the dog ate the cat".to_owned();
    h.run_steps(3);
    h.get_by_label_contains("must use exactly the words of the first");
    common::lesson::<Attention>(&mut h).positional.d = 6;
    h.run_steps(3);
    h.get_by_label("cos 5");
}

#[test]
fn snapshots_of_positions_no_weights_weighted_sum_and_cross_attention() {
    if !common::renderer_or_skip("snapshots_of_the_attention_steps") {
        return;
    }
    let mut failures = Vec::new();
    for view in [
        View::PositionalEncoding,
        View::NoWeights,
        View::WeightedSum,
        View::CrossAttention,
    ] {
        if let Err(e) = common::snapshot_view::<Attention>(
            view,
            llm_lens::lessons::DEFAULT_SENTENCE,
            std::time::Duration::from_secs(60),
            |_| {},
        ) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn dragging_a_point_moves_its_output() {
    let mut h = harness_at(View::NoWeights);
    h.run_steps(3);
    h.get_by_label_contains("bank: from (4.5, 4.5)");
    let before = common::lesson_ref::<Attention>(&h).no_weights.points[6];
    // Drag "bank" (the last point) up and to the left.
    let node = h.get_by_label_contains("bank at (4.5, 4.5)");
    let start = node.rect().center();
    h.drag_at(start);
    h.run_steps(1);
    h.hover_at(start + egui::vec2(-40.0, -40.0));
    h.run_steps(1);
    h.drop_at(start + egui::vec2(-40.0, -40.0));
    h.run_steps(3);
    let after = common::lesson_ref::<Attention>(&h).no_weights.points[6];
    assert!(
        after[0] < before[0] && after[1] > before[1],
        "{before:?} → {after:?}"
    );
    assert!(
        h.query_all_by_label_contains("bank: from (4.5, 4.5)")
            .next()
            .is_none()
    );
    // The money preset keeps bank near its own point.
    h.get_by_label("money words + bank").click();
    h.run_steps(3);
    h.get_by_label_contains("bank: from");
}

#[test]
fn the_padding_mask_keeps_the_outputs_and_causal_masks_the_upper_triangle() {
    let mut h = harness_at(View::Masks);
    h.run_steps(3);
    // Default: 2 [PAD]s, masked, bidirectional; 7 words + 2 pads = 81 cells, 18 masked.
    h.get_by_label_contains("18 of 81 cells masked");
    h.get_by_label_contains("exactly what they are without the 2 [PAD]s");
    h.get_by_label("mask the padding").click();
    h.run_steps(3);
    h.get_by_label_contains("changed by up to");
    h.get_by_label("causal (decoder, GPT)").click();
    h.run_steps(3);
    // Causal, no padding mask: the 36 cells above the diagonal.
    h.get_by_label_contains("36 of 81 cells masked");
}
