//! The History & RNNs lesson driven as a learner would: every step renders, the gradient
//! lab's verdict follows the weight scale, a small recall run trains to 100 %, a timeline
//! event opens its lesson, and snapshots of steps 1, 4 and 5.

use crate::common;

use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use llm_lens::app::{LensApp, Settings};
use llm_lens::lessons::LessonId;
use llm_lens::lessons::history::{History, View};
use llm_lens::prose::ProseLibrary;

fn history_at(view: View) -> egui_kittest::Harness<'static, LensApp> {
    let mut app = common::app(Settings {
        lesson: LessonId::History,
        ..Settings::default()
    });
    app.set_step(common::step_of::<History>(view));
    let mut h = common::harness(app);
    h.run_steps(3);
    h
}

#[test]
fn every_step_renders_and_shows_its_key_label() {
    let keys = [
        "Whole history",
        "Reset links",
        "y_t = tanh(",
        "Verdict: the gradient",
        "forget-gate bias",
        "Train",
        "Self-attention",
        "decoder-only events against",
    ];
    let prose = ProseLibrary::builtin();
    assert_eq!(prose.steps(LessonId::History).len(), keys.len());
    let mut h = history_at(View::Timeline);
    for (step, key) in keys.iter().enumerate() {
        h.state_mut().set_step(step);
        h.run_steps(3);
        assert_eq!(h.state().step(), step);
        assert!(
            h.query_all_by_label_contains(key).next().is_some(),
            "step {} lacks {key:?}",
            step + 1
        );
    }
}

#[test]
fn dragging_the_scale_flips_vanishing_into_exploding() {
    let mut h = history_at(View::Gradients);
    h.get_by_label("Verdict: the gradient vanished.");
    common::lesson::<History>(&mut h).gradients.config.scale = 2.0;
    // Recomputation may move to a worker thread; give it time.
    let start = Instant::now();
    while h
        .query_by_label("Verdict: the gradient exploded.")
        .is_none()
    {
        assert!(start.elapsed() < Duration::from_secs(30), "no new verdict");
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The recall lab's settings made small enough for a debug build.
fn small_recall(app: &mut llm_lens::app::LensApp) {
    let Some(history) = app.lesson_mut::<History>() else {
        return;
    };
    let cfg = &mut history.recall.config;
    cfg.hidden = 4;
    cfg.max_distance = 3;
    cfg.eval_distances = vec![0, 3];
    cfg.train_steps = 30;
    cfg.batch_size = 8;
    cfg.eval_samples = 16;
}

#[test]
fn a_small_recall_run_trains_to_completion_on_arrival() {
    let mut app = common::app(common::settings_at_view::<History>(
        View::Recall,
        llm_lens::lessons::DEFAULT_SENTENCE,
    ));
    small_recall(&mut app);
    // No click: the step trains on arrival, so it is never blank.
    let mut h = common::harness(app);
    assert!(common::lesson_ref::<History>(&h).recall.running());
    common::step_while(&mut h, Duration::from_secs(60), "training", |h| {
        common::lesson_ref::<History>(h).recall.running()
    });
    h.run_steps(2);
    let st = common::lesson_ref::<History>(&h);
    assert_eq!(st.recall.progress(), 1.0);
    assert_eq!(st.recall.curves().len(), 3);
    h.get_by_label("trained all three models");
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Train again");
}

#[test]
fn a_recall_run_started_on_arrival_stops_when_the_learner_leaves() {
    let mut app = common::app(common::settings_at_view::<History>(
        View::Recall,
        llm_lens::lessons::DEFAULT_SENTENCE,
    ));
    if let Some(history) = app.lesson_mut::<History>() {
        history.recall.config.train_steps = 3000;
    }
    let mut h = common::harness(app);
    assert!(common::lesson_ref::<History>(&h).recall.running());
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(3);
    assert!(
        !common::lesson_ref::<History>(&h).recall.running(),
        "no training left burning the CPU behind another step"
    );
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(2);
    assert!(
        common::lesson_ref::<History>(&h).recall.running(),
        "coming back starts it again"
    );
}

#[test]
fn clicking_a_timeline_event_opens_its_lesson() {
    let mut h = history_at(View::Timeline);
    h.get_by_label("BERT (October 2018)").click();
    h.run_steps(3);
    assert_eq!(h.state().lesson(), LessonId::Bert);
}

#[test]
fn the_timeline_step_draws_the_encoder_decoder_on_the_shipped_pair() {
    let h = history_at(View::Timeline);
    let pair = &llm_lens::model::history::alignment::builtin_pairs().unwrap()[0];
    let caption = format!(
        "the encoder reads {} ja words, the decoder writes {} en words",
        pair.source.len(),
        pair.target.len()
    );
    // The drawing itself and the sentence under it.
    assert_eq!(h.query_all_by_label_contains(&caption).count(), 2);
}

#[test]
fn clicking_a_decoder_only_event_opens_the_masks_step() {
    let mut h = history_at(View::Timeline);
    h.get_by_label("GPT-3 (May 2020)").click();
    h.run_steps(3);
    assert_eq!(h.state().lesson(), LessonId::Attention);
    assert_eq!(
        h.state().step(),
        common::step_of::<llm_lens::lessons::attention::Attention>(
            llm_lens::lessons::attention::View::Masks
        )
    );
}

#[test]
fn the_lstm_step_counts_four_times_the_weights_for_the_labs_sizes() {
    let mut h = history_at(View::Lstm);
    h.get_by_label_contains("The LSTM learns 4.0× the recurrent weights");
    {
        let cfg = &mut common::lesson::<History>(&mut h).lstm.config;
        cfg.hidden = 10;
        cfg.input_size = 3;
    }
    h.run_steps(2);
    h.get_by_label_contains("(3 inputs, 10 hidden units)");
    // RNN: 30 + 100 + 10 = 140 weights; LSTM: four times each block.
    h.get_by_label("140");
    h.get_by_label("560");
    h.get_by_label("400");
}

#[test]
fn aligning_words_by_clicking_updates_the_labels() {
    let mut h = history_at(View::Alignment);
    // The shipped cinema pair leaves "I" and "the" unlinked: insertions.
    h.get_by_label_contains("target words with no link: I, the");
    h.get_by_label("行く").click();
    h.run_steps(2);
    h.get_by_label("I").click();
    h.run_steps(2);
    h.get_by_label_contains("target words with no link: the");
}

#[test]
fn snapshots_of_the_timeline_gradients_and_lstm_views() {
    if !common::renderer_or_skip("history snapshots") {
        return;
    }
    let failures: Vec<String> = [View::Timeline, View::Gradients, View::Lstm]
        .into_iter()
        .filter_map(|view| {
            common::snapshot_view::<History>(
                view,
                llm_lens::app::DEFAULT_SENTENCE,
                Duration::from_secs(60),
                |_| {},
            )
            .err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_gradient_lab_finds_where_its_own_settings_explode() {
    use llm_lens::lessons::history::gradients::{SCAN_STEP, Verdict, flip_points};
    use llm_lens::model::recurrent::rnn::{GradientLabConfig, rnn_gradient_profile};
    let cfg = GradientLabConfig::default();
    let (survives, explodes) = flip_points(&cfg).unwrap();
    let (survives, explodes) = (survives.unwrap(), explodes.unwrap());
    // Checked independently: just below each threshold the verdict is still the old one.
    let verdict = |scale: f64| {
        let p = rnn_gradient_profile(&GradientLabConfig {
            scale,
            ..cfg.clone()
        })
        .unwrap();
        Verdict::of(&p).unwrap()
    };
    assert_eq!(verdict(survives - SCAN_STEP), Verdict::Vanishing);
    assert_ne!(verdict(survives), Verdict::Vanishing);
    assert_ne!(verdict(explodes - SCAN_STEP), Verdict::Exploding);
    assert_eq!(verdict(explodes), Verdict::Exploding);
    // The prose quotes this for the default settings.
    assert!((explodes - 1.75).abs() < 1e-9, "{explodes}");
    let prose = llm_lens::prose::ProseLibrary::builtin();
    assert!(
        prose
            .steps(LessonId::History)
            .iter()
            .any(|s| s.body.contains("from 1.75 with the default settings"))
    );
    let mut h = history_at(View::Gradients);
    common::step_while(&mut h, Duration::from_secs(60), "scale scan", |h| {
        h.query_by_label_contains("Scanning the scale").is_some()
    });
    h.get_by_label_contains(&format!(
        "the gradient stops vanishing at a scale of {survives:.2} and explodes from {explodes:.2}."
    ));
}
