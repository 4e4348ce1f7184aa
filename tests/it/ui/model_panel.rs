//! The live model panel beside every lesson: present everywhere, computing on the
//! learner's sentence, focused by each step's `<!-- panel: NAME -->`, walked stage by
//! stage, and working on the GPU path as on the CPU.

use std::time::Duration;

use crate::common;

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use llm_lens::app::{LensApp, Settings};
use llm_lens::compute::{BackendChoice, Compute};
use llm_lens::lessons::LessonId;
use llm_lens::lessons::attention::{Attention, View as AttentionView};
use llm_lens::lessons::history::{History, View as HistoryView};
use llm_lens::lessons::model_panel::PanelFocus;
use llm_lens::lessons::model_panel::pass::{Part, PassStage};
use llm_lens::lessons::tokenisation::{Tokenisation, View as TokView};
use llm_lens::model::bert::pretrained::PretrainedBert;
use llm_lens::prose::ProseLibrary;

const LIMIT: Duration = Duration::from_secs(120);

/// Steps frames until the panel has a trace for the app's sentence.
fn settle(h: &mut Harness<'static, LensApp>) {
    common::step_while(h, LIMIT, "the panel's forward pass", |h| {
        let p = h.state().model_panel();
        p.trace().is_none() || p.runner.busy()
    });
    h.run_steps(2);
}

/// The attention weights of `(layer, head)` computed here, on the CPU, for `sentence`.
fn reference_weights(sentence: &str, layer: usize, head: usize) -> Vec<f32> {
    let bert = PretrainedBert::builtin().expect("built-in model");
    let input = bert.fit(bert.model.encode(sentence, None));
    let trace = bert.run(&input, 0).expect("forward");
    let w = &trace.layers[layer]
        .steps
        .as_ref()
        .expect("computed")
        .weights;
    w.index_axis(ndarray::Axis(0), head)
        .iter()
        .copied()
        .collect()
}

fn panel_weights(h: &Harness<'static, LensApp>) -> (usize, usize, Vec<f32>, Vec<String>) {
    let p = h.state().model_panel();
    let t = p.trace().expect("a trace");
    let w = &t.layers[p.layer].steps.as_ref().expect("computed").weights;
    let v = w
        .index_axis(ndarray::Axis(0), p.head)
        .iter()
        .copied()
        .collect();
    (p.layer, p.head, v, t.tokens.clone())
}

fn close(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-4)
}

#[test]
fn the_panel_is_beside_every_lesson_with_a_heatmap_of_a_real_trace() {
    let sentence = "The river bank was muddy after the rain.";
    let mut h = common::harness(common::app(common::settings_at(
        LessonId::History,
        0,
        sentence,
    )));
    settle(&mut h);
    let (layer, head, weights, tokens) = panel_weights(&h);
    assert!(tokens.iter().any(|t| t == "river"), "{tokens:?}");
    assert!(
        close(&weights, &reference_weights(sentence, layer, head)),
        "the panel's heatmap is the model's layer {layer} head {head} on this sentence"
    );
    for lesson in LessonId::ALL {
        h.state_mut().set_lesson(lesson);
        h.run_steps(3);
        h.get_by_label("Live model");
        // The default focus shows the chosen head's weights as a heatmap.
        let title = format!("layer {layer} head {head}: attention weights");
        let shown = h.query_all_by_label_contains(&title).count()
            + h.query_all_by_label_contains("hidden state changes per layer")
                .count();
        assert!(shown > 0, "{}: the panel draws a heatmap", lesson.id());
        assert!(
            !h.state().model_panel().runner.busy(),
            "{}: moving between lessons reuses the trace",
            lesson.id()
        );
    }
}

#[test]
fn a_step_focus_changes_what_the_panel_shows() {
    let sentence = "I withdrew money from the bank.";
    let mut h = common::harness(common::app(common::settings_at_view::<Tokenisation>(
        TokView::FirstCuts,
        sentence,
    )));
    settle(&mut h);
    assert_eq!(h.state().model_panel().focus, PanelFocus::Tokens);
    assert_eq!(h.state().model_panel().pass_stage(), PassStage::Embeddings);
    h.get_by_label_contains("the row of the embedding table it reads");

    for (lesson, step, focus, text) in [
        (
            LessonId::History,
            common::step_of::<History>(HistoryView::Recall),
            PanelFocus::LongRange,
            "tokens apart",
        ),
        (
            LessonId::Attention,
            common::step_of::<Attention>(AttentionView::MultiHead),
            PanelFocus::Heads,
            "the weights of every head",
        ),
        (
            LessonId::Attention,
            common::step_of::<Attention>(AttentionView::Qkv),
            PanelFocus::Stage(llm_lens::lessons::model_panel::focus::StageName::Layer(
                Part::Qkv,
            )),
            "queries Q",
        ),
    ] {
        h.state_mut().set_lesson(lesson);
        h.state_mut().set_step(step);
        h.run_steps(3);
        assert_eq!(h.state().model_panel().focus, focus, "{}", lesson.id());
        assert!(
            h.query_all_by_label_contains(text).count() > 0,
            "{}: '{text}' on screen",
            lesson.id()
        );
    }
    // A step without a focus shows the default: the weights stage.
    let timeline = common::step_of::<History>(HistoryView::Timeline);
    h.state_mut().set_lesson(LessonId::History);
    h.state_mut().set_step(timeline);
    h.run_steps(3);
    assert_eq!(h.state().model_panel().focus, PanelFocus::Default);
    assert!(matches!(
        h.state().model_panel().pass_stage(),
        PassStage::Layer {
            part: Part::Weights,
            ..
        }
    ));
}

#[test]
fn typing_a_sentence_updates_the_panel() {
    let mut h = common::harness(common::app(common::settings_at(LessonId::Word2vec, 0, "")));
    h.run_steps(2);
    let edit = common::sentence_box(&h);
    edit.focus();
    edit.type_text("We sat on the bank of the river");
    h.run_steps(2);
    settle(&mut h);
    let (layer, head, weights, tokens) = panel_weights(&h);
    assert!(tokens.iter().any(|t| t == "river"), "{tokens:?}");
    assert!(close(
        &weights,
        &reference_weights("We sat on the bank of the river", layer, head)
    ));
}

#[test]
fn the_stepper_walks_every_stage_of_the_pass() {
    let mut h = common::harness(common::app(common::settings_at(
        LessonId::Playground,
        0,
        "The cat sat on the [MASK].",
    )));
    settle(&mut h);
    h.get_by_label("|◀").click();
    h.run_steps(2);
    let count = h.state().model_panel().stage_count();
    assert_eq!(
        count,
        4 * 6 + 2,
        "embeddings, six stages in each of 4 layers, MLM head"
    );
    let mut seen = Vec::new();
    for _ in 0..count + 2 {
        let stage = h.state().model_panel().pass_stage();
        if seen.last() != Some(&stage) {
            seen.push(stage);
        }
        // The stage's own tensor (or the predictions) is on screen.
        let label = stage.label(4);
        assert!(h.query_all_by_label(label.as_str()).count() > 0, "{label}");
        h.key_press_modifiers(egui::Modifiers::SHIFT, Key::ArrowRight);
        h.run_steps(2);
    }
    assert_eq!(seen.len(), count, "every stage once, in order");
    for (i, s) in seen.iter().enumerate() {
        assert_eq!(s.index(4), i);
    }
    // Shift+→ stepped the model, not the lesson.
    assert_eq!(h.state().step(), 0);
    h.get_by_label_contains("[MASK] at position");
    // Walking hides what the pass has not reached: back at the embeddings, only the
    // input row of the hidden states is filled.
    h.get_by_label("|◀").click();
    h.run_steps(2);
    h.get_by_label_contains("Grey rows: layers the walk has not reached yet");
    // Play walks on by itself.
    h.get_by_label("Play ▶").click();
    h.state_mut().model_panel_mut().stepper.pace = 4.0;
    let start = std::time::Instant::now();
    while h.state().model_panel().stage < 3 {
        assert!(start.elapsed() < Duration::from_secs(30), "play advances");
        std::thread::sleep(Duration::from_millis(50));
        h.run_steps(1);
    }
}

#[test]
fn the_panel_works_on_the_gpu_path_and_says_where_it_ran() {
    let compute = Compute::blocking(BackendChoice::Gpu);
    let gpu = compute.status().is_gpu();
    if !common::have_adapter_or_skip(
        "the_panel_works_on_the_gpu_path",
        &if gpu { Ok(()) } else { Err("no GPU adapter") },
    ) {
        return;
    }
    let sentence = "Attention is all you need.";
    let app = LensApp::new(
        common::settings_at(LessonId::Bert, 0, sentence),
        ProseLibrary::builtin(),
        compute,
    );
    let mut h = common::harness(app);
    settle(&mut h);
    let ran = h
        .state()
        .model_panel()
        .runner
        .last
        .as_ref()
        .map(|r| r.ran.label())
        .expect("a result");
    assert!(ran.contains("GPU"), "{ran}");
    let (layer, head, weights, _) = panel_weights(&h);
    assert!(close(&weights, &reference_weights(sentence, layer, head)));
}

#[test]
fn clicking_the_panel_heatmap_opens_the_stage_in_the_playground() {
    let mut h = common::harness(common::app(common::settings_at(
        LessonId::Bert,
        0,
        "I withdrew money from the bank.",
    )));
    settle(&mut h);
    let (layer, head) = {
        let p = h.state().model_panel();
        (p.layer, p.head)
    };
    let title = format!("layer {layer} head {head}: attention weights");
    h.query_all_by_label_contains(&title)
        .last()
        .expect("the panel's heatmap")
        .click();
    h.run_steps(3);
    assert_eq!(h.state().lesson(), LessonId::Playground);
    let weights_step = common::step_of::<llm_lens::lessons::playground::Playground>(
        llm_lens::lessons::playground::View::Weights,
    );
    assert_eq!(h.state().step(), weights_step);
    let p = common::lesson_ref::<llm_lens::lessons::playground::Playground>(&h);
    assert_eq!((p.layer, p.head), (layer, head));
}

#[test]
fn model_panel_off_hides_it_and_a_button_brings_it_back() {
    let settings = Settings {
        model_panel: false,
        ..Settings::default()
    };
    let mut h = common::harness(common::app(settings));
    assert!(h.query_by_label("Live model").is_none());
    h.get_by_label("◀ Live model").click();
    h.run_steps(2);
    assert!(h.state().settings.model_panel);
    h.get_by_label("Live model");
    // Presentation hides it unless it is kept.
    h.state_mut().settings.presentation = true;
    h.run_steps(2);
    assert!(h.query_by_label("Live model").is_none());
    h.state_mut().settings.panel_pinned = true;
    h.run_steps(2);
    h.get_by_label("Live model");
}

#[test]
fn snapshots_of_the_panel_in_three_lessons() {
    if !common::renderer_or_skip("snapshots_of_the_panel_in_three_lessons") {
        return;
    }
    let cases = [
        (
            common::settings_at_view::<Tokenisation>(
                TokView::FirstCuts,
                "Tokenisers cut unbelievable words.",
            ),
            "panel/tokenisation_first_cuts",
        ),
        (
            common::settings_at_view::<Attention>(
                AttentionView::MultiHead,
                "I withdrew money from the bank.",
            ),
            "panel/attention_multi_head",
        ),
        (
            common::settings_at(
                LessonId::Bert,
                common::step_of::<llm_lens::lessons::bert::Bert>(
                    llm_lens::lessons::bert::View::Masking,
                ),
                "I withdrew money from the [MASK].",
            ),
            "panel/bert_masking",
        ),
    ];
    let failures: Vec<String> = cases
        .into_iter()
        .filter_map(|(s, name)| common::snapshot_app(s, name).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_embedding_focus_sets_the_lessons_word2vec_neighbours_beside_the_models() {
    use llm_lens::lessons::word2vec::{View as W2vView, Word2vec};
    use llm_lens::model::word2vec::Embeddings;
    let mut h = common::harness(common::app(common::settings_at_view::<Word2vec>(
        W2vView::OneHot,
        "the bank",
    )));
    settle(&mut h);
    assert_eq!(h.state().model_panel().focus, PanelFocus::Embedding);
    h.get_by_label_contains("Train word2vec in this lesson");
    // Three words in two dimensions: "riverside-x" (no WordPiece token, so only
    // word2vec can list it) lies nearest "bank", "money" opposite.
    let words = ["bank", "riverside-x", "money"].map(str::to_owned).to_vec();
    let vectors = vec![1.0, 0.0, 0.9, 0.1, -1.0, 0.2];
    let e = Embeddings::new(words, 2, vectors).expect("vectors");
    common::lesson::<Word2vec>(&mut h).explore.loaded =
        Some(("tiny.txt".to_owned(), std::sync::Arc::new(e)));
    let bank = h
        .state()
        .model_panel()
        .trace()
        .expect("trace")
        .tokens
        .iter()
        .position(|t| t == "bank")
        .expect("bank is one token");
    h.state_mut().model_panel_mut().token = bank;
    h.run_steps(3);
    h.get_by_label_contains("'bank' in the vectors of tiny.txt: nearest words");
    // The model's own nearest rows are listed too.
    h.get_by_label_contains("nearest rows of the model's table");
    h.get_by_label("riverside-x");
}

#[test]
fn a_narrow_window_starts_with_the_panel_folded_until_the_learner_opens_it() {
    let app = common::app(common::settings_at(
        LessonId::Attention,
        0,
        "the river bank",
    ));
    let mut h = Harness::builder()
        .with_size([1024.0, 768.0])
        .build_ui_state(|ui, app: &mut LensApp| app.ui(ui), app);
    h.run_steps(2);
    assert!(!h.state().model_panel_shown(), "folded at 1024 points");
    assert!(h.state().settings.model_panel, "the saved choice is kept");
    h.get_by_label("◀ Live model").click();
    h.run_steps(2);
    assert!(h.state().model_panel_shown(), "opened by the learner");
    h.get_by_label("Hide ▶").click_accesskit();
    h.run_steps(2);
    assert!(!h.state().model_panel_shown());
    // A wide window shows it as before.
    h.state_mut().settings.model_panel = true;
    h.set_size(egui::vec2(1280.0, 800.0));
    h.run_steps(2);
    assert!(h.state().model_panel_shown(), "shown at 1280 points");
}
