//! The self-attention lesson's Q, K, V, weighted-sum and cost steps driven as a
//! learner would: the numbers on screen are the model functions' numbers, on the
//! default sentence and on another one; the animation adds terms; the cost step
//! measures on the backend in use.

use crate::common;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use llm_lens::app::LensApp;
use llm_lens::lessons::attention::qkv::HeadSettings;
use llm_lens::lessons::attention::{Attention, View};
use llm_lens::model::qkv::SmallHead;

fn harness_at(view: View, sentence: &str) -> Harness<'static, LensApp> {
    let mut h = super::attention::harness_at_sentence(view, sentence);
    super::attention::wait_for_model(&mut h);
    h
}

#[test]
fn the_qkv_step_prints_the_heads_numbers_for_the_learners_words() {
    for sentence in [
        "I withdrew money from the bank.",
        "Ünïcode wörds 中文 and a cat",
    ] {
        let mut h = harness_at(View::Qkv, sentence);
        let head = HeadSettings::default().head(sentence);
        // A number of Q as the heatmap prints it.
        let q = format!("{:.2}", head.q[[0, 0]]);
        assert!(
            h.query_all_by_label_contains(&q).next().is_some(),
            "Q[0,0] = {q} missing for {sentence:?}"
        );
        h.get_by_label_contains("These are the model's trained weights");
        // d_k follows the slider and the shapes line follows it.
        common::lesson::<Attention>(&mut h).qkv.head.d_k = 3;
        h.run_steps(2);
        let n = head.words.len();
        h.get_by_label_contains(&format!("→ ({n} × 3)"));
    }
}

#[test]
fn the_weighted_sum_shows_row_sums_and_builds_the_output_term_by_term() {
    let sentence = "We sat on the river bank";
    let mut h = harness_at(View::WeightedSum, sentence);
    assert!(h.query_all_by_label("1.000000").count() >= 6, "row sums");
    let head: SmallHead = HeadSettings::default().head(sentence);
    // The default word is "bank"; its full output is printed.
    let out = format!("{:+.2}", head.output[[5, 0]]);
    h.get_by_label_contains(&format!("Output of 'bank' = [{out}"));
    // Stepping the sum: two terms added.
    common::lesson::<Attention>(&mut h).weighted_sum.terms = Some(2);
    h.run_steps(2);
    h.get_by_label("2 of 6 terms added.");
    let sums = head.running_sum(5);
    let partial = format!("{:+.2}", sums[1][0]);
    assert!(h.query_all_by_label_contains(&partial).next().is_some());
    // Play runs to the end by itself.
    h.get_by_label("▶ Play").click_accesskit();
    h.run_steps(2);
    common::step_while(&mut h, Duration::from_secs(30), "playing", |h| {
        common::lesson_ref::<Attention>(h).weighted_sum.playing
    });
    h.run_steps(2);
    h.get_by_label_contains("Output of 'bank'");
}

#[test]
fn the_cost_step_measures_every_length_on_the_backend_in_use() {
    let mut h = harness_at(View::Cost, "the cat sat");
    h.get_by_label("256 KiB");
    h.get_by_label("▶ Measure on the CPU").click();
    h.run_steps(2);
    assert!(common::lesson_ref::<Attention>(&h).cost.running());
    common::step_while(&mut h, Duration::from_secs(240), "measuring", |h| {
        common::lesson_ref::<Attention>(h).cost.running()
    });
    h.run_steps(2);
    let samples = &common::lesson_ref::<Attention>(&h).cost.samples;
    assert_eq!(
        samples.len(),
        8,
        "{:?}",
        common::lesson_ref::<Attention>(&h).cost.error
    );
    assert!(samples.iter().all(|s| s.seconds > 0.0));
    assert!(h.query_all_by_label_contains(" ms (CPU)").count() == 8);
}
