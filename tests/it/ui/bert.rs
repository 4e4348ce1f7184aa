//! The BERT lesson driven as a learner would: every step renders its key label on
//! the default sentence and on awkward ones, the masking step's clicks and rolls,
//! the pair steps; snapshots of the input and masking views.

use crate::common;

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use llm_lens::app::{LensApp, Settings};
use llm_lens::lessons::LessonId;
use llm_lens::lessons::bert::masking::Mode;
use llm_lens::lessons::bert::{Bert, View};
use llm_lens::prose::ProseLibrary;

fn app_at(view: View, sentence: &str) -> LensApp {
    let mut settings = Settings {
        lesson: LessonId::Bert,
        sentence: sentence.to_owned(),
        ..Settings::default()
    };
    settings
        .steps
        .insert("bert".to_owned(), common::step_of::<Bert>(view));
    common::app(settings)
}

/// Steps frames until the lesson's model has loaded (fails after 60 s).
fn wait_for_model(h: &mut Harness<'static, LensApp>) {
    h.run_steps(2);
    common::step_while(h, Duration::from_secs(60), "loading the model", |h| {
        common::lesson_ref::<Bert>(h).model.loaded().is_none()
    });
    h.run_steps(2);
}

const KEYS: [(View, &str); 8] = [
    (View::EncoderOnly, "Left only (what GPT has seen)"),
    (View::PretrainFinetune, "BERT read about"),
    (View::Input, "Three table look-ups, added"),
    (
        View::Masking,
        "The model's guesses at every chosen position",
    ),
    (View::Nsp, "Sentence B:"),
    (View::Pretraining, "Blank to watch:"),
    (View::FineTuning, "Task: which century is a paragraph from?"),
    (View::Sizes, "109,482,240"),
];

#[test]
fn every_step_renders_its_key_label_on_awkward_sentences_too() {
    assert_eq!(
        ProseLibrary::builtin().steps(LessonId::Bert).len(),
        KEYS.len()
    );
    let long = "Congress ".repeat(300);
    for sentence in [
        llm_lens::lessons::DEFAULT_SENTENCE,
        "Ünïcödé 東京 — [MASK] ok",
        long.as_str(),
    ] {
        let mut h = common::harness(app_at(View::EncoderOnly, sentence));
        wait_for_model(&mut h);
        for (view, key) in KEYS {
            let step = common::step_of::<Bert>(view);
            h.state_mut().set_step(step);
            h.run_steps(3);
            assert!(
                h.query_all_by_label_contains(key).next().is_some(),
                "step {} lacks {key:?} on {:.20}",
                step + 1,
                sentence
            );
        }
    }
}

#[test]
fn an_empty_sentence_gets_the_notice_and_not_a_panic() {
    let mut h = common::harness(app_at(View::Masking, ""));
    h.run_steps(3);
    h.get_by_label_contains("Type a sentence");
}

#[test]
fn clicking_a_token_masks_it_and_the_model_guesses_there() {
    let mut h = common::harness(app_at(View::Masking, "the state of the union is strong"));
    wait_for_model(&mut h);
    common::lesson::<Bert>(&mut h).masking.mode = Mode::Manual(Default::default());
    h.run_steps(3);
    h.get_by_role_and_label(Role::Button, "union").click();
    h.run_steps(3);
    let Mode::Manual(picked) = &common::lesson_ref::<Bert>(&h).masking.mode else {
        panic!("clicking a token switches to masking by hand");
    };
    assert_eq!(picked.iter().copied().collect::<Vec<_>>(), vec![5]);
    h.get_by_label("union → [MASK]");
    // Re-roll goes back to the sampler.
    h.get_by_role_and_label(Role::Button, "🎲 Re-roll").click();
    h.run_steps(3);
    assert_eq!(
        common::lesson_ref::<Bert>(&h).masking.mode,
        Mode::Sampler(1)
    );
}

#[test]
fn a_thousand_rolls_land_inside_the_binomial_band() {
    let mut h = common::harness(app_at(
        View::Masking,
        "the president asked congress to cut taxes on working families",
    ));
    wait_for_model(&mut h);
    h.get_by_role_and_label(Role::Button, "Roll 1000 times")
        .click();
    h.run_steps(3);
    let t = common::lesson_ref::<Bert>(&h).masking.tally;
    assert_eq!(t.rolls, 1001);
    // Every roll chooses round(15 % × eligible) positions.
    let per_roll = (t.eligible / t.rolls) as f64;
    assert_eq!(
        t.chosen,
        (per_roll * 0.15).round().max(1.0) as u64 * t.rolls
    );
    let within = |count: u64, p: f64| {
        let mean = t.chosen as f64 * p;
        (count as f64 - mean).abs() <= 4.5 * (mean * (1.0 - p)).sqrt()
    };
    assert!(within(t.masked, 0.8), "{t:?}");
    assert!(within(t.random, 0.1), "{t:?}");
    assert!(within(t.unchanged, 0.1), "{t:?}");
}

#[test]
fn a_random_corpus_pair_says_where_it_came_from() {
    let mut h = common::harness(app_at(View::Nsp, llm_lens::lessons::DEFAULT_SENTENCE));
    wait_for_model(&mut h);
    h.get_by_role_and_label(Role::Button, "Random pair from the corpus")
        .click();
    h.run_steps(3);
    assert!(common::lesson_ref::<Bert>(&h).nsp.pair.is_some());
    h.get_by_label_contains("truth:");
    h.get_by_role_and_label(Role::Button, "Back to my sentence")
        .click();
    h.run_steps(3);
    assert!(common::lesson_ref::<Bert>(&h).nsp.pair.is_none());
}

#[test]
fn continue_training_runs_to_the_end_and_moves_the_guesses() {
    let mut h = common::harness(app_at(
        View::Pretraining,
        llm_lens::lessons::DEFAULT_SENTENCE,
    ));
    wait_for_model(&mut h);
    {
        let p = &mut common::lesson::<Bert>(&mut h).pretraining;
        p.config.updates = 6;
        p.config.every = 3;
        p.config.max_docs = 2;
        p.config.batch = 2;
        p.config.seq_len = 24;
        p.config.lr = 1e-3;
    }
    h.get_by_role_and_label(Role::Button, "▶ Continue training")
        .click_accesskit();
    h.run_steps(2);
    common::step_while(&mut h, Duration::from_secs(300), "the training run", |h| {
        common::lesson_ref::<Bert>(h).pretraining.running()
    });
    h.run_steps(3);
    let p = &common::lesson_ref::<Bert>(&h).pretraining;
    assert!(p.error.is_none(), "{:?}", p.error);
    assert!(p.finished);
    assert_eq!(p.curve.len(), 6);
    assert!(p.curve.iter().all(|c| c.loss.is_finite() && c.loss > 0.0));
    let snap = p.snapshot.as_ref().expect("a snapshot of the new weights");
    assert_eq!(snap.step, 6);
    assert_eq!(snap.guesses.len(), 5);
    h.get_by_label_contains("After update 6");
    h.get_by_label_contains("layer 1 head 1, after update 6");
}

#[test]
fn fine_tuning_runs_and_classifies_the_sentence() {
    let mut h = common::harness(app_at(View::FineTuning, "We must preserve the Union."));
    wait_for_model(&mut h);
    {
        let f = &mut common::lesson::<Bert>(&mut h).fine_tuning;
        f.config.steps = 3;
        f.config.batch = 2;
        f.config.max_len = 24;
        f.stride = 60;
    }
    h.get_by_role_and_label(Role::Button, "▶ Fine-tune").click();
    h.run_steps(2);
    common::step_while(&mut h, Duration::from_secs(300), "fine-tuning", |h| {
        common::lesson_ref::<Bert>(h).fine_tuning.running()
    });
    h.run_steps(3);
    let f = &common::lesson_ref::<Bert>(&h).fine_tuning;
    assert!(f.error.is_none(), "{:?}", f.error);
    assert!(f.finished);
    assert_eq!(f.batches.len(), 3);
    // Before the first update and after the last.
    assert_eq!(
        f.validation.iter().map(|v| v.0).collect::<Vec<_>>(),
        vec![0, 3]
    );
    let (train, held) = f.sizes.expect("dataset sizes");
    assert!(train > 0 && held > 0);
    h.get_by_label_contains("Your sentence, after 3 updates");
}

#[test]
fn sizes_presets_change_the_count() {
    let mut h = common::harness(app_at(View::Sizes, llm_lens::lessons::DEFAULT_SENTENCE));
    h.run_steps(3);
    h.get_by_role_and_label(Role::Button, "BERT-Large").click();
    h.run_steps(3);
    h.get_by_label_contains("335.1 M parameters");
    h.get_by_label("share one layer").click();
    h.run_steps(3);
    assert!(common::lesson_ref::<Bert>(&h).sizes.shape.shared_layers);
}

#[test]
fn snapshot_input_masking_and_pretraining() {
    if !common::renderer_or_skip("snapshot_input_masking_and_pretraining") {
        return;
    }
    let mut failures = Vec::new();
    // Step 6 before any live run: the shipped model's own training curves.
    for view in [View::Input, View::Masking, View::Pretraining] {
        if let Err(e) = common::snapshot_view::<Bert>(
            view,
            llm_lens::lessons::DEFAULT_SENTENCE,
            Duration::from_secs(60),
            |_| {},
        ) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}
