//! Steps 9 and 10 of the self-attention lesson driven as a learner would: multi-head
//! attention on small numbers and in the built-in model, the button into the
//! playground's grid; cross-attention on the history lesson's pairs and the decoder
//! loop stepped to its stop token.

use crate::common;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{self, Queryable};
use llm_lens::app::LensApp;
use llm_lens::lessons::LessonId;
use llm_lens::lessons::attention::multi_head::Source;
use llm_lens::lessons::attention::{Attention, View};
use llm_lens::lessons::playground::Playground;

use super::attention::{harness_at_sentence as harness_at, has, wait_for_model};

/// Heatmaps whose title contains `title`.
fn heatmaps(h: &Harness<'static, LensApp>, title: &str) -> usize {
    h.query_all(kittest::by().role(Role::Image).label_contains(title))
        .count()
}

/// Presses the button labelled `label` through AccessKit: it may lie below the
/// harness's 800-pixel window.
fn press(h: &mut Harness<'static, LensApp>, label: &str) {
    h.get_by_label(label).click_accesskit();
    h.run_steps(3);
}

#[test]
fn both_steps_render_on_the_default_sentence_and_on_others() {
    let long = "Congress ".repeat(300);
    for sentence in [
        llm_lens::lessons::DEFAULT_SENTENCE,
        "The river bank was muddy after the rain.",
        "Ünïcödé 東京 — ok",
        long.as_str(),
    ] {
        let mut h = harness_at(View::MultiHead, sentence);
        wait_for_model(&mut h);
        for key in [
            "The mechanism on small numbers",
            "head 1 weights",
            "concatenation",
            "differs by at most",
            "The built-in model's heads",
            "layer 0 head 0",
            "Open the playground's attention grid ▶",
        ] {
            assert!(has(&h, key), "multi-head lacks {key:?} on {sentence:.20}");
        }
        if sentence == long {
            assert!(has(&h, "takes the first 14 words"));
        }
        h.state_mut()
            .set_step(common::step_of::<Attention>(View::CrossAttention));
        h.run_steps(3);
        for key in [
            "Cross-attention weights (7 × 3)",
            "linked target words",
            "The decoder loop",
            "pass 1 of 8",
            "taken from the reference translation",
        ] {
            assert!(
                has(&h, key),
                "cross-attention lacks {key:?} on {sentence:.20}"
            );
        }
    }
    // Cross-attention does not use the sentence: it draws on an empty one too.
    let mut h = harness_at(View::CrossAttention, "");
    h.run_steps(3);
    assert!(has(&h, "Cross-attention weights"));
}

#[test]
fn the_course_sentences_and_the_head_count_change_the_grids() {
    let mut h = harness_at(View::MultiHead, llm_lens::lessons::DEFAULT_SENTENCE);
    h.run_steps(3);
    // Default: 2 heads on the 7 words of the default sentence.
    assert_eq!(heatmaps(&h, "weights (7 × 7)"), 2);
    for (power, grids, d_k) in [(0, 1, 8), (2, 4, 2), (1, 2, 4)] {
        common::lesson::<Attention>(&mut h).multi_head.heads_power = power;
        h.run_steps(3);
        assert_eq!(heatmaps(&h, "weights (7 × 7)"), grids, "{grids} heads");
        assert!(has(&h, &format!("d_k = 8 / {grids} = {d_k}")));
    }
    // The course's first sentence: 13 words and the full stop.
    common::lesson::<Attention>(&mut h).multi_head.source = Source::Course(0);
    h.run_steps(3);
    assert_eq!(heatmaps(&h, "weights (14 × 14)"), 2);
    press(&mut h, "Bob's cake");
    assert_eq!(
        common::lesson_ref::<Attention>(&h).multi_head.source,
        Source::Course(1)
    );
    // i ate some of bob ' s chocolate cake .
    assert_eq!(heatmaps(&h, "weights (10 × 10)"), 2);
}

#[test]
fn the_model_heads_follow_the_layer_and_the_button_opens_the_playground() {
    let mut h = harness_at(View::MultiHead, llm_lens::lessons::DEFAULT_SENTENCE);
    // Only the lesson's heatmaps are counted: the live model panel has its own.
    h.state_mut().settings.model_panel = false;
    h.run_steps(2);
    wait_for_model(&mut h);
    let heads = common::lesson_ref::<Attention>(&h)
        .model
        .loaded()
        .map(|b| b.model.config.num_attention_heads)
        .unwrap_or(0);
    assert!(heads > 0);
    assert_eq!(heatmaps(&h, "layer 0 head"), heads);
    common::lesson::<Attention>(&mut h).multi_head.model.layer = 1;
    h.run_steps(3);
    assert_eq!(heatmaps(&h, "layer 1 head"), heads);
    assert!(has(&h, "bank → most"));
    press(&mut h, "Open the playground's attention grid ▶");
    assert_eq!(h.state().lesson(), LessonId::Playground);
    assert_eq!(h.state().settings.lesson, LessonId::Playground);
    assert_eq!(
        h.state().step(),
        common::step_of::<Playground>(llm_lens::lessons::playground::View::Attention)
    );
}

#[test]
fn next_grows_the_causal_mask_until_the_stop_token() {
    let mut h = harness_at(View::CrossAttention, llm_lens::lessons::DEFAULT_SENTENCE);
    h.run_steps(3);
    // The first pair: "I will go to the movie theatre", 7 words and the stop token.
    assert!(has(&h, "Decoder self-attention, causal (1 × 1)"));
    assert!(has(&h, "Next token: I"));
    for t in 2..=8 {
        press(&mut h, "Next token ▶");
        assert_eq!(common::lesson_ref::<Attention>(&h).cross.decoder.step, t);
        assert!(has(&h, &format!("causal ({t} × {t})")), "pass {t}");
        assert!(has(&h, &format!("{} of {} cells", t * (t - 1) / 2, t * t)));
        assert!(has(&h, &format!("Cross-attention to the source ({t} × 3)")));
    }
    assert!(has(&h, "Next token: </s>, the stop token"));
    // The loop has ended: Next does nothing more.
    press(&mut h, "Next token ▶");
    assert_eq!(common::lesson_ref::<Attention>(&h).cross.decoder.step, 8);
    press(&mut h, "⟲ Reset loop");
    assert_eq!(common::lesson_ref::<Attention>(&h).cross.decoder.step, 1);
    // Another pair, and the other direction: the grids follow.
    press(&mut h, "One word or two");
    assert!(has(&h, "Cross-attention weights (2 × 1)"));
    assert!(has(&h, "pass 1 of 3"));
    press(&mut h, "translate the other way");
    assert!(has(&h, "Cross-attention weights (1 × 2)"));
    assert!(has(&h, "pass 1 of 2"));
}
