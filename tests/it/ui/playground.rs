//! The Transformer playground driven as a learner would: every stage renders from a real
//! trace of the built-in model, [MASK] gets predictions, hovering an attention cell reads
//! its query, key and weight through AccessKit, ablating a head changes the trace, a
//! corrupt model folder leaves the old model in place, and snapshots of the attention
//! grid with one head enlarged.

use crate::common;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use llm_lens::app::{LensApp, Settings};
use llm_lens::lessons::LessonId;
use llm_lens::lessons::playground::{Playground, View};
use llm_lens::prose::ProseLibrary;

fn settings_at(view: View, sentence: &str) -> Settings {
    common::settings_at_view::<Playground>(view, sentence)
}

fn harness_at(view: View, sentence: &str) -> Harness<'static, LensApp> {
    common::harness(common::app(settings_at(view, sentence)))
}

/// The playground at `view` on `sentence` alone (no second sentence), its trace done.
fn single_sentence_at(view: View, sentence: &str) -> Harness<'static, LensApp> {
    let mut h = harness_at(view, sentence);
    common::lesson::<Playground>(&mut h).use_pair = false;
    settle(&mut h);
    h
}

/// Steps frames until the model is loaded and the trace matches the current input, in
/// the lesson and in the live model panel (whose width, once it has a trace to draw,
/// decides how much room the lesson's matrices get).
fn settle(h: &mut Harness<'static, LensApp>) {
    h.run_steps(2);
    common::step_while(h, Duration::from_secs(60), "the forward pass", |h| {
        let st = common::lesson_ref::<Playground>(h);
        let panel = &h.state().model_panel().runner;
        let panel_busy = h.state().model_panel_shown() && (panel.busy() || panel.last.is_none());
        st.runner.busy() || st.runner.last.is_none() || panel_busy
    });
    h.run_steps(3);
}

#[test]
fn every_stage_renders_from_the_trace() {
    // The pair as the built-in model's own tokeniser cuts it.
    let model = llm_lens::model::bert::builtin_model::load().expect("the shipped model loads");
    let n = model
        .encode(
            "I withdrew money from the bank.",
            Some(llm_lens::lessons::playground::DEFAULT_PAIR),
        )
        .ids
        .len();
    let keys = [
        (View::Overview, format!("Your input as {n} tokens")),
        (View::Embeddings, format!("token embeddings ({n} × 128)")),
        (View::Qkv, format!("queries Q ({n} × 32)")),
        (View::Scores, format!("raw scores QKᵀ/√d ({n} × {n})")),
        (View::Weights, format!("attention weights ({n} × {n})")),
        (View::Context, format!("weighted sum of values ({n} × 32)")),
        (View::Ffn, format!("FFN after GELU ({n} × 512)")),
        (
            View::Attention,
            "Every layer (rows) and head (columns)".to_owned(),
        ),
        (View::Hidden, "trajectories".to_owned()),
        (
            View::Predictions,
            "Click a token to see what the model would put in its place".to_owned(),
        ),
        (
            View::Ablation,
            "0 head(s) zeroed, 0 layer(s) skipped.".to_owned(),
        ),
    ];
    assert_eq!(
        ProseLibrary::builtin().steps(LessonId::Playground).len(),
        keys.len()
    );
    let mut h = harness_at(View::Overview, "I withdrew money from the bank.");
    settle(&mut h);
    for (view, key) in keys {
        let step = common::step_of::<Playground>(view);
        h.state_mut().set_step(step);
        h.run_steps(3);
        assert!(
            h.query_all_by_label_contains(&key).next().is_some(),
            "step {} lacks {key:?}",
            step + 1
        );
        assert!(
            h.query_by_label_contains("which this lesson does not have")
                .is_none(),
            "step {} names an unknown view",
            step + 1
        );
    }
    // The trace is the real forward pass of the built-in model on the pair.
    let st = common::lesson_ref::<Playground>(&h);
    let trace = st.trace().expect("a trace");
    let banks = trace.tokens.iter().filter(|t| *t == "bank").count();
    assert_eq!(banks, 2, "{:?}", trace.tokens);
    assert_eq!(trace.tokens.len(), n);
    assert_eq!(trace.layers.len(), 4);
}

#[test]
fn a_mask_gets_ten_predictions() {
    let mut h = harness_at(View::Predictions, "I withdrew money from the [MASK].");
    settle(&mut h);
    let st = common::lesson_ref::<Playground>(&h);
    let trace = st.trace().expect("a trace");
    let at = trace
        .tokens
        .iter()
        .position(|t| t == "[MASK]")
        .expect("the mask is a token");
    h.get_by_label_contains(&format!("position {at}: [MASK]"));
    let st = common::lesson_ref::<Playground>(&h);
    let trace = st.trace().expect("a trace");
    let mlm = trace
        .mlm
        .as_ref()
        .expect("the built-in model has an MLM head");
    assert_eq!(mlm.top_k[at].len(), 10);
    let total: f32 = mlm.top_k[at].iter().map(|p| p.prob).sum();
    assert!(total > 0.0 && total <= 1.0 + 1e-4);
}

#[test]
fn hovering_an_attention_cell_reads_query_key_and_weight() {
    let mut h = harness_at(View::Weights, "I withdrew money from the bank.");
    settle(&mut h);
    // The learner's own pick (the view would open on the most focused head).
    let st = common::lesson::<Playground>(&mut h);
    (st.picked, st.layer, st.head) = (true, 0, 0);
    h.run_steps(2);
    h.get_by_label_contains("layer 0 head 0 attention weights: heatmap")
        .hover();
    for _ in 0..60 {
        h.run_steps(1);
    }
    // The pointer lands mid-widget, on a cell near the diagonal's middle.
    let tip = h
        .query_by_label_contains("' → column ")
        .expect("the hovered cell's tooltip names query, key and weight");
    assert!(format!("{tip:?}").contains("attention weight"));
}

#[test]
fn ablating_a_head_changes_the_trace_downstream() {
    let mut h = harness_at(View::Ablation, "I withdrew money from the [MASK].");
    settle(&mut h);
    let before = common::lesson::<Playground>(&mut h)
        .trace()
        .expect("a trace");
    common::lesson::<Playground>(&mut h)
        .ablation
        .heads
        .insert((0, 1));
    settle(&mut h);
    // The comparison needs the unablated baseline too.
    common::step_while(&mut h, Duration::from_secs(60), "the baseline", |h| {
        let st = common::lesson_ref::<Playground>(h);
        let Some(t) = st.trace() else { return true };
        st.runner.busy() || st.runner.baseline_for(&t).is_none()
    });
    h.run_steps(3);
    let after = common::lesson::<Playground>(&mut h)
        .trace()
        .expect("a trace");
    let steps = after.layers[0].steps.as_ref().expect("layer 0 runs");
    assert_eq!(steps.ablated_heads, vec![1]);
    assert!(
        steps
            .context
            .index_axis(ndarray::Axis(0), 1)
            .iter()
            .all(|&v| v == 0.0)
    );
    let moved: f32 = (&after.layers[3].output - &before.layers[3].output)
        .mapv(f32::abs)
        .sum();
    assert!(
        moved > 1e-3,
        "the last layer's output did not change ({moved})"
    );
    h.get_by_label_contains("1 head(s) zeroed");
    assert!(
        h.query_all_by_label_contains("how far each hidden state moved")
            .next()
            .is_some()
    );
}

#[test]
fn a_corrupt_model_folder_keeps_the_old_model() {
    let dir = std::env::temp_dir().join(format!("llm-lens-bad-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("config.json"), "{ not json").expect("write");
    std::fs::write(dir.join("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n").expect("write");
    std::fs::write(dir.join("model.safetensors"), b"garbage").expect("write");
    let mut h = harness_at(View::Overview, "I withdrew money from the bank.");
    settle(&mut h);
    let name = common::lesson::<Playground>(&mut h)
        .runner
        .model
        .as_ref()
        .map(|m| m.name.clone());
    common::lesson::<Playground>(&mut h)
        .runner
        .open_folder(&dir.display().to_string());
    settle(&mut h);
    h.get_by_label_contains("Could not open the model");
    let st_name = common::lesson::<Playground>(&mut h)
        .runner
        .model
        .as_ref()
        .map(|m| m.name.clone());
    assert_eq!(st_name, name, "the previous model stays loaded");
    assert!(common::lesson::<Playground>(&mut h).trace().is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn snapshot_of_the_grid_and_an_enlarged_head() {
    if !common::renderer_or_skip("playground snapshot") {
        return;
    }
    let setup = |app: &mut LensApp| {
        let Some(st) = app.lesson_mut::<Playground>() else {
            return;
        };
        (st.picked, st.layer, st.head) = (true, 2, 1);
    };
    if let Err(e) = common::snapshot_view::<Playground>(
        View::Attention,
        "I withdrew money from the bank.",
        Duration::from_secs(60),
        setup,
    ) {
        panic!("{e}");
    }
}

#[test]
fn typing_updates_the_trace_and_every_view_mode_opens() {
    let mut h = harness_at(View::Attention, "");
    h.run_steps(2);
    h.get_by_label_contains("Type a sentence in the box at the top");
    let edit = common::sentence_box(&h);
    edit.focus();
    edit.type_text("The bank raised rates.");
    settle(&mut h);
    {
        // Start from the first head, as a learner who picked it.
        let st = common::lesson::<Playground>(&mut h);
        (st.picked, st.layer, st.head) = (true, 0, 0);
    }
    h.run_steps(2);
    {
        let st = common::lesson_ref::<Playground>(&h);
        let trace = st.trace().expect("a trace of the typed sentence");
        assert_eq!(&trace.tokens[1..6], ["the", "bank", "raised", "rates", "."]);
    }
    for (mode, key) in [
        ("lines", "queries on the left, keys on the right"),
        ("mean over heads", " mean over heads ("),
        ("rollout", "attention rollout through layer "),
    ] {
        h.get_by_role_and_label(egui::accesskit::Role::RadioButton, mode)
            .click();
        h.run_steps(3);
        assert!(
            h.query_all_by_label_contains(key).next().is_some(),
            "{mode}: no {key:?}"
        );
    }
    // Keys ] and . move the selection (the sentence box must not have the keyboard).
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    h.event(egui::Event::Text("]".to_owned()));
    h.event(egui::Event::Text(".".to_owned()));
    h.run_steps(3);
    {
        let st = common::lesson_ref::<Playground>(&h);
        assert_eq!((st.layer, st.head), (1, 1));
    }
    h.state_mut()
        .set_step(common::step_of::<Playground>(View::Hidden));
    h.run_steps(3);
    for (mode, key) in [
        ("values", "hidden states after layer 0"),
        ("norms", "chart: Length of each token's vector"),
        ("similarity", "cosine similarity after layer 0"),
        ("trajectories", "Each line is one token"),
    ] {
        h.get_by_role_and_label(egui::accesskit::Role::RadioButton, mode)
            .click();
        h.run_steps(3);
        assert!(
            h.query_all_by_label_contains(key).next().is_some(),
            "{mode}: no {key:?}"
        );
    }
}

#[test]
fn snapshots_of_the_weights_and_the_hidden_state_trajectories() {
    if !common::renderer_or_skip("playground snapshots") {
        return;
    }
    let mut failures = Vec::new();
    for view in [View::Weights, View::Hidden] {
        if let Err(e) = common::snapshot_view::<Playground>(
            view,
            "I withdrew money from the bank.",
            Duration::from_secs(60),
            |_| {},
        ) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}

use crate::model_support;

#[test]
fn a_real_model_folder_runs_in_the_playground() {
    let Some(dir) = model_support::minilm_dir("a_real_model_folder_runs_in_the_playground") else {
        return;
    };
    let mut h = harness_at(View::Predictions, "I withdrew money from the bank.");
    settle(&mut h);
    common::lesson::<Playground>(&mut h)
        .runner
        .open_folder(&dir.display().to_string());
    settle(&mut h);
    common::step_while(&mut h, Duration::from_secs(60), "MiniLM's trace", |h| {
        let st = common::lesson_ref::<Playground>(h);
        st.trace().is_none_or(|t| t.layers.len() != 6)
    });
    h.run_steps(3);
    {
        let st = common::lesson_ref::<Playground>(&h);
        let trace = st.trace().expect("a trace");
        assert_eq!(trace.layers.len(), 6);
        assert_eq!(trace.attention(0).expect("layer 0").dim().0, 12);
        assert!(st.runner.model_error.is_none());
    }
    // MiniLM has no MLM head: the predictions step says so instead of drawing bars.
    h.get_by_label_contains("has no masked-language-model head");
}

#[test]
fn a_block_of_the_model_diagram_opens_its_step() {
    let mut h = harness_at(View::Embeddings, "I withdrew money from the bank.");
    settle(&mut h);
    h.get_by_label("Where this is in the model").click();
    h.run_steps(2);
    h.get_by_label("Softmax weights").click();
    h.run_steps(2);
    assert_eq!(
        h.state().step(),
        common::step_of::<Playground>(View::Weights),
        "the block sent the learner to the step that shows it"
    );
}

#[test]
fn the_weights_open_on_the_most_focused_head_until_the_learner_picks() {
    use llm_lens::lessons::playground::focus::most_focused_head;
    let mut h = harness_at(View::Weights, "I withdrew money from the bank.");
    settle(&mut h);
    let st = common::lesson_ref::<Playground>(&h);
    let trace = st.trace().expect("a trace");
    let (l, hd, _) = most_focused_head(&trace).expect("a head");
    assert_eq!((st.layer, st.head), (l, hd));
    h.get_by_label_contains(&format!("Opened on layer {l} head {hd}"));
    // Picking another head keeps it, and the note goes.
    let other = if hd == 0 { "." } else { "," };
    h.event(egui::Event::Text(other.to_owned()));
    h.run_steps(3);
    let st = common::lesson_ref::<Playground>(&h);
    assert!(st.picked);
    assert!(h.query_by_label_contains("Opened on layer").is_none());
}

#[test]
fn predictions_without_a_mask_show_an_example_instead_of_nothing() {
    let mut h = harness_at(View::Predictions, "I withdrew money from the bank.");
    settle(&mut h);
    let st = common::lesson_ref::<Playground>(&h);
    let trace = st.trace().expect("a trace");
    let at = trace
        .tokens
        .iter()
        .position(|t| t == "bank")
        .expect("bank is a token");
    h.get_by_label_contains(&format!(
        "here is an example: what the model would put at position {at}, 'bank'"
    ));
    // Another sentence without a repeated word: its longest word is the example.
    let mut h = harness_at(View::Predictions, "Taxes rose sharply.");
    common::lesson::<Playground>(&mut h).use_pair = false;
    settle(&mut h);
    h.get_by_label_contains("here is an example");
}

#[test]
fn clicking_a_row_pins_that_token_across_the_steps_and_the_panel() {
    use llm_lens::widgets::heatmap::pinned_row;
    // One sentence, so the whole matrix is on screen.
    let mut h = single_sentence_at(View::Weights, "The cat sat.");
    common::step_while(&mut h, Duration::from_secs(120), "the panel's pass", |h| {
        h.state().model_panel().trace().is_none()
    });
    h.run_steps(2);
    assert_eq!(pinned_row(&h.ctx), None);
    h.get_by_label_contains("Click a row of any matrix to pin");
    // Click the weights matrix's bottom-right cell: the last token's row.
    let rect = h
        .query_all_by_label_contains("attention weights: heatmap")
        .next()
        .expect("the weights heatmap")
        .rect();
    let n = common::lesson_ref::<Playground>(&h)
        .trace()
        .expect("trace")
        .len();
    let at = egui::pos2(rect.max.x - 3.0, rect.max.y - 3.0);
    h.event(egui::Event::PointerMoved(at));
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.run_steps(1);
    }
    h.run_steps(2);
    assert_eq!(pinned_row(&h.ctx), Some(n - 1));
    h.get_by_label_contains(&format!("Token {} '[SEP]' is pinned", n - 1));
    // The live model panel follows a pinned token that its own sentence has: pin 2.
    llm_lens::widgets::heatmap::set_pinned_row(&h.ctx, Some(2));
    h.run_steps(2);
    h.get_by_label_contains("Token 2 'cat' is pinned");
    // The live model panel follows the pinned token.
    assert_eq!(h.state().model_panel().token, 2);
    // Another step keeps the pin.
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(2);
    h.get_by_label_contains("Token 2 'cat' is pinned");
}

#[test]
fn the_scores_step_works_out_one_cell_from_q_and_k() {
    let mut h = single_sentence_at(View::Scores, "The cat sat.");
    // By default the first word's query with the key it attends to most.
    h.get_by_label_contains("One cell, worked out: query '1 the'");
    h.get_by_label_contains("query, key and their product: heatmap");
    llm_lens::widgets::heatmap::set_pinned_row(&h.ctx, Some(2));
    h.run_steps(2);
    h.get_by_label_contains("One cell, worked out: query '2 cat'");
    h.get_by_label_contains("(the scores matrix:");
}

#[test]
fn a_long_sentence_shows_a_labelled_window_of_tokens_or_all_of_them() {
    let words = "the bank by the river lent money to the farmers who worked the land ";
    let mut h = single_sentence_at(View::Scores, &words.repeat(5));
    settle(&mut h);
    let n = common::lesson_ref::<Playground>(&h)
        .trace()
        .expect("a trace")
        .tokens
        .len();
    assert!(n > 60, "{n} tokens");
    // The window keeps a cell at least 14 points wide, so every label is drawn.
    h.get_all_by_label_contains(&format!("of {n}"))
        .next()
        .expect("the window's range");
    assert!(
        h.query_by_label_contains(&format!("heatmap, {n} × {n}"))
            .is_none(),
        "no matrix draws all {n} tokens"
    );
    h.get_all_by_label_contains("raw scores QKᵀ/√d: heatmap, 42 × 42")
        .next()
        .expect("a labelled window of the scores");
    // Pinning a token beyond the window moves the window onto it.
    llm_lens::widgets::heatmap::set_pinned_row(&h.ctx, Some(n - 2));
    h.run_steps(2);
    h.get_all_by_label_contains(&format!("–{} of {n}", n - 1))
        .next()
        .expect("the window moved to the pinned token");
    h.get_all_by_label(&format!("all {n} tokens"))
        .next()
        .expect("the playground's checkbox comes first")
        .click_accesskit();
    h.run_steps(3);
    h.get_all_by_label_contains(&format!("heatmap, {n} × {n}"))
        .next()
        .expect("every token drawn");
}
