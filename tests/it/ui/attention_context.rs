//! Steps 1 and 2 of the self-attention lesson driven as a learner would: the static
//! and contextual vectors of a word on the course's sentences and the learner's, and
//! the one-hot product beside the lookup, on the default sentence and awkward ones.

use crate::common;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use llm_lens::lessons::attention::{Attention, View};

use super::attention::{harness_at_sentence as harness_at, has, wait_for_model};

#[test]
fn both_steps_render_their_key_labels_on_any_sentence() {
    let long = "Congress ".repeat(700);
    for sentence in [
        llm_lens::lessons::DEFAULT_SENTENCE,
        "The river bank was muddy after the rain.",
        "Ünïcödé 東京 — [MASK] ok",
        long.as_str(),
    ] {
        let mut h = harness_at(View::WhyContext, sentence);
        wait_for_model(&mut h);
        for key in [
            "The same word in two sentences",
            "static, A",
            "contextual, B",
            // The course's bank: the prose says its static numbers are identical.
            "numbers are identical in A and B",
            "Contextual: A and B differ by up to",
            "attention computes",
        ] {
            assert!(has(&h, key), "why-context lacks {key:?} on {sentence:.20}");
        }
        h.state_mut()
            .set_step(common::step_of::<Attention>(View::Embeddings));
        h.run_steps(3);
        for key in [
            "One-hot X",
            "Rows of W picked by id",
            "equal, number for number",
            "vocab_size × hidden_size",
        ] {
            assert!(has(&h, key), "embeddings lacks {key:?} on {sentence:.20}");
        }
    }
}

#[test]
fn a_word_missing_from_the_second_sentence_or_cut_off_gets_a_notice() {
    let mut h = harness_at(View::WhyContext, "Ünïcödé 東京 — ok");
    wait_for_model(&mut h);
    // No bank here: the first word is compared, and the river sentence lacks it.
    assert!(has(&h, "is not in sentence B"));
    let long = format!("{} river", "word ".repeat(700));
    let mut h = harness_at(View::WhyContext, &long);
    wait_for_model(&mut h);
    assert!(has(&h, "cut to its"));
}

/// Steps frames until the comparison of the current input has arrived (the step reads
/// its sentences on a worker once that has proved slow).
fn settle(h: &mut egui_kittest::Harness<'static, llm_lens::app::LensApp>) {
    h.run_steps(2);
    common::step_while(
        h,
        std::time::Duration::from_secs(60),
        "reading the sentences",
        |h| common::lesson_ref::<Attention>(h).context.busy(),
    );
    h.run_steps(2);
}

#[test]
fn selecting_a_word_changes_the_comparison() {
    let mut h = harness_at(View::WhyContext, llm_lens::lessons::DEFAULT_SENTENCE);
    wait_for_model(&mut h);
    // Bank is compared first: it is in both sentences.
    assert!(has(&h, "\"bank\": the first 6"));
    assert!(!has(&h, "is not in sentence B"));
    h.get_by_role_and_label(Role::Button, "money")
        .click_accesskit();
    settle(&mut h);
    assert_eq!(
        common::lesson_ref::<Attention>(&h).context.word.as_deref(),
        Some("money")
    );
    h.get_by_label_contains("\"money\" is not in sentence B");
    common::lesson::<Attention>(&mut h).context.second = "Put the money in a box.".to_owned();
    settle(&mut h);
    assert!(!has(&h, "is not in sentence B"));
    assert!(has(&h, "\"money\": the first 6"));
    // Another chip, another word compared.
    common::lesson::<Attention>(&mut h).context.second = "I withdrew it.".to_owned();
    h.get_by_role_and_label(Role::Button, "withdrew")
        .click_accesskit();
    settle(&mut h);
    assert!(has(&h, "\"withdrew\": the first 6"));
}

#[test]
fn the_d_slider_and_the_sentence_change_the_matrices() {
    let mut h = harness_at(View::Embeddings, llm_lens::lessons::DEFAULT_SENTENCE);
    h.run_steps(3);
    // "I withdrew money from the bank." is 7 tokens, all distinct.
    h.get_by_label("One-hot X (7 × 7)");
    h.get_by_label("W (7 × 6)");
    common::lesson::<Attention>(&mut h).embeddings.d = 16;
    h.run_steps(3);
    h.get_by_label("W (7 × 16)");
    h.get_by_label("X · W (7 × 7 times 7 × 16 = 7 × 16)");
    assert!(has(&h, "equal, number for number"));
    let mut h = harness_at(View::Embeddings, "A rose is a rose.");
    h.run_steps(3);
    // Six tokens, four distinct words: the second "a" and "rose" reuse their ids.
    h.get_by_label("One-hot X (6 × 4)");
    assert!(has(&h, "a #0, rose #1, is #2, . #3"));
}
