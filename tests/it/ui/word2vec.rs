//! The word2vec lesson driven as a learner would: every step renders its key label, a
//! small training run goes to 100 % and its vectors answer a neighbours query, and a
//! snapshot of the training step after a finished run.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use llm_lens::app::{LensApp, Settings};
use llm_lens::lessons::LessonId;
use llm_lens::lessons::word2vec::training::Status;
use llm_lens::lessons::word2vec::{View, Word2vec};
use llm_lens::model::text::corpus::Corpus;
use llm_lens::model::word2vec::TrainerConfig;
use llm_lens::prose::ProseLibrary;

/// A small corpus with clear word groups, so a short run has something to learn.
pub(super) fn small_corpus() -> Arc<Corpus> {
    let lines = [
        "the king rules the land and the king wears a crown",
        "the queen rules the land and the queen wears a crown",
        "oil and gas and coal are fuels for the nation",
        "crude oil and natural gas heat the homes of the nation",
        "the school and the college teach the students",
        "students learn at school and at college every year",
        "germany and france and italy and russia are nations of europe",
        "france and germany trade with italy and russia",
        "congress passed the law and the president signed the law",
        "the president asked congress for a new law on taxes",
        "war and peace shape the history of every nation",
        "peace follows war and war follows peace in history",
    ];
    let mut text = String::new();
    for i in 0..120 {
        // Vary the order so windows see different neighbours.
        for (j, l) in lines.iter().enumerate() {
            text.push_str(lines[(i * 7 + j * 5) % lines.len()]);
            text.push(' ');
            text.push_str(l);
            text.push('\n');
        }
    }
    Arc::new(Corpus::from_text("test", &text).expect("test corpus parses"))
}

/// Small and deterministic (one thread), fast in a debug build. Progress is reported
/// only at the end, so the loss curve does not depend on the machine's speed.
pub(super) fn small_config() -> TrainerConfig {
    TrainerConfig {
        dim: 16,
        window: 3,
        min_count: 1,
        epochs: 3,
        threads: 1,
        snapshot_top_n: 60,
        progress_every_ms: 3_600_000,
        snapshot_every_ms: 3_600_000,
        ..TrainerConfig::default()
    }
}

pub(super) fn app_at(view: View, sentence: Option<&str>) -> LensApp {
    let mut settings = Settings {
        lesson: LessonId::Word2vec,
        ..Settings::default()
    };
    if let Some(s) = sentence {
        settings.sentence = s.to_owned();
    }
    settings
        .steps
        .insert("word2vec".to_owned(), common::step_of::<Word2vec>(view));
    common::app(settings)
}

/// Starts the small run and steps frames until it ends (fails after 60 s).
fn train_to_completion(h: &mut Harness<'static, LensApp>) {
    common::lesson::<Word2vec>(h)
        .training
        .start(small_corpus(), small_config());
    common::step_while(h, Duration::from_secs(60), "training", |h| {
        common::lesson_ref::<Word2vec>(h).training.running()
    });
    h.run_steps(2);
}

#[test]
fn every_step_renders_and_shows_its_key_label() {
    let keys = [
        (View::OneHot, "One-hot vectors"),
        (View::TrainingPairs, "window (words each side)"),
        (View::Network, "1. One-hot input"),
        (View::ToyRun, "V → N → V"),
        (View::NegativeSampling, "Time per training step"),
        (View::Training, "Not trained yet"),
        (View::Explore, "There are no trained vectors yet"),
    ];
    assert_eq!(
        ProseLibrary::builtin().steps(LessonId::Word2vec).len(),
        keys.len()
    );
    let mut h = common::harness(app_at(View::OneHot, None));
    for (view, key) in keys {
        let step = common::step_of::<Word2vec>(view);
        h.state_mut().set_step(step);
        h.run_steps(3);
        assert_eq!(h.state().step(), step);
        assert!(
            h.query_all_by_label_contains(key).next().is_some(),
            "step {} lacks {key:?}",
            step + 1
        );
        // No step asks for a view the pane lacks.
        assert!(
            h.query_by_label_contains("which this lesson does not have")
                .is_none(),
            "step {} names an unknown view",
            step + 1
        );
    }
}

#[test]
fn stepping_the_window_changes_the_pairs() {
    let mut h = common::harness(app_at(View::TrainingPairs, Some("the cat sat on the mat")));
    // Centre "cat" (word 2) with window 2: the, sat, on.
    h.get_by_label_contains("Skip-gram training pairs for this centre: 3");
    h.get_by_label("Next word ▶").click();
    h.run_steps(2);
    // Centre "sat": the, cat, on, the.
    h.get_by_label_contains("Skip-gram training pairs for this centre: 4");
    h.get_by_role_and_label(egui::accesskit::Role::RadioButton, "CBOW")
        .click();
    h.run_steps(2);
    h.get_by_label("[the, cat, on, the] → sat");
}

#[test]
fn a_small_training_run_reaches_100_percent_and_answers_neighbours() {
    let mut h = common::harness(app_at(View::Training, None));
    h.get_by_label_contains("Not trained yet");
    train_to_completion(&mut h);
    {
        let st = common::lesson_ref::<Word2vec>(&h);
        assert_eq!(st.training.status, Status::Finished);
        assert_eq!(st.training.fraction, 1.0);
        assert!(st.training.result.is_some());
        assert!(st.training.snapshot.is_some());
    }
    h.get_by_label("100 %");
    h.get_by_label_contains("Finished: 3 epochs");
    h.get_by_label("chart: Training loss");

    h.state_mut()
        .set_step(common::step_of::<Word2vec>(View::Explore));
    common::lesson::<Word2vec>(&mut h).explore.word = "king".to_owned();
    h.run_steps(3);
    h.get_by_label_contains("Source: your training run");
    h.get_by_label_contains("Using the vectors of the last finished run");
    h.get_by_label("Nearest to \"king\"");
    {
        let st = common::lesson_ref::<Word2vec>(&h);
        let neighbours = st.explore.neighbours.as_ref().expect("king is known");
        assert_eq!(neighbours.len(), 8);
        assert!(st.explore.similarity.is_ok(), "war and peace are known");
    }
    // An unknown word is an error message, not a panic.
    common::lesson::<Word2vec>(&mut h).explore.word = "zzzz".to_owned();
    h.run_steps(3);
    assert!(
        common::lesson::<Word2vec>(&mut h)
            .explore
            .neighbours
            .is_err(),
        "unknown word gives an error"
    );
}

#[test]
fn step_one_shows_the_dense_vectors_after_a_run() {
    let mut h = common::harness(app_at(
        View::OneHot,
        Some("The king and the queen spoke of zzzqqq and peace."),
    ));
    h.run_steps(3);
    h.get_by_label_contains("Train on the step “Training on two centuries of speeches” to see");
    assert!(
        h.query_by_label_contains("learned dense vectors: heatmap")
            .is_none()
    );
    train_to_completion(&mut h);
    h.run_steps(3);
    // The small run has dim 16 (≤ 24, all shown); "spoke" and "zzzqqq" are not in its
    // vocabulary, the six other distinct words are.
    h.get_by_label_contains("learned dense vectors: heatmap, 6 × 16");
    h.get_by_label_contains("Not in the vocabulary (too rare in the corpus): spoke, zzzqqq");
    h.get_by_label_contains("dense: 16 numbers, all used");
    h.get_by_label_contains("One-hot vectors");
}

/// A temporary file with `text`, removed when the guard drops.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let dir = std::env::temp_dir().join(format!("llm-lens-w2v-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write temp file");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        // Succeeds once the last file of the directory is gone.
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Types `path` into the load row's state, clicks Load and steps frames until the
/// worker is done (fails after 20 s).
fn load_through_the_pane(h: &mut Harness<'static, LensApp>, path: &std::path::Path) {
    let explore = &mut common::lesson::<Word2vec>(h).explore;
    // The typed path, the dialog's fallback.
    explore.typing_path = true;
    explore.load_path = path.display().to_string();
    h.run_steps(2);
    h.get_by_label("Load").click();
    h.run_steps(1);
    common::step_while(h, Duration::from_secs(20), "loading", |h| {
        common::lesson_ref::<Word2vec>(h).explore.loading()
    });
    h.run_steps(3);
}

#[test]
fn vectors_load_from_a_file_and_answer_neighbours() {
    let file = TempFile::new(
        "tiny_vectors.txt",
        "3 2\nking 0.1 0.2\nqueen 0.12 0.21\ncoal -0.3 0.05\n",
    );
    let mut h = common::harness(app_at(View::Explore, None));
    h.get_by_label_contains("There are no trained vectors yet");
    load_through_the_pane(&mut h, &file.0);
    h.get_by_label_contains("Source: file tiny_vectors.txt, 3 words × 2 dims");
    common::lesson::<Word2vec>(&mut h).explore.word = "king".to_owned();
    h.run_steps(3);
    h.get_by_label("Nearest to \"king\"");
    {
        let st = common::lesson_ref::<Word2vec>(&h);
        assert!(st.explore.load_error.is_none());
        let neighbours = st.explore.neighbours.as_ref().expect("king is in the file");
        assert_eq!(neighbours.len(), 2);
        assert_eq!(neighbours[0].word, "queen");
    }

    // A malformed file: an error naming the line, and the loaded vectors stay.
    let bad = TempFile::new("bad_vectors.txt", "3 2\nking 0.1 0.2\nqueen 0.3\n");
    load_through_the_pane(&mut h, &bad.0);
    let error = common::lesson::<Word2vec>(&mut h)
        .explore
        .load_error
        .clone()
        .expect("a malformed file gives an error");
    assert!(error.contains("line 3"), "{error}");
    h.get_by_label_contains("line 3");
    h.get_by_label_contains("Source: file tiny_vectors.txt");

    // A missing file: an error, not a panic.
    load_through_the_pane(
        &mut h,
        std::path::Path::new("/nonexistent/llm-lens/vectors.txt"),
    );
    h.get_by_label_contains("Could not load vectors.txt");
}

#[test]
fn snapshot_of_the_training_view_after_a_run() {
    if !common::renderer_or_skip("word2vec training snapshot") {
        return;
    }
    // The run starts before the first frame; the picture waits until it has finished
    // (the view stops asking for frames), and leaves out the machine-dependent speed.
    let result = common::snapshot_view::<Word2vec>(
        View::Training,
        "The king and the queen spoke of oil, war and peace.",
        Duration::from_secs(120),
        |app| {
            if let Some(w) = app.lesson_mut::<Word2vec>() {
                w.training.start(small_corpus(), small_config());
                // A pinned word draws its lines to its nearest words.
                w.training.search = "oil".to_owned();
            }
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn steps_one_to_three_use_the_same_sentence_vocabulary() {
    // Lower-cased, punctuation dropped: 6 words, not 7 with the full stop.
    for (sentence, n) in [
        ("I withdrew money from the bank.", 6),
        ("Банк и река, и банк.", 3),
    ] {
        let mut h = common::harness(app_at(View::OneHot, Some(sentence)));
        h.run_steps(3);
        h.get_by_label_contains(&format!("just your sentence: {n} distinct words"));
        h.state_mut()
            .set_step(common::step_of::<Word2vec>(View::Network));
        h.run_steps(3);
        h.get_by_label_contains(&format!("Vocabulary: the {n} distinct words"));
    }
}

#[test]
fn step_three_explains_repeated_negatives_and_the_input_among_them() {
    // Seed 1, first pair of the default sentence: negatives bank, bank, i (input "i").
    let mut h = common::harness(app_at(
        View::Network,
        Some("I withdrew money from the bank."),
    ));
    h.run_steps(3);
    h.get_by_label_contains("\"i\" is the input word itself");
    h.get_by_label_contains("\"bank\" was drawn 2 times");
}

#[test]
fn step_two_says_why_a_sentence_gives_no_pairs_and_which_words_training_drops() {
    let mut h = common::harness(app_at(View::TrainingPairs, Some("银行今天关门")));
    h.run_steps(3);
    h.get_by_label_contains("The whole sentence gives 0 pairs");
    h.get_by_label_contains("No pairs: as word2vec reads text");
    let mut h = common::harness(app_at(
        View::TrainingPairs,
        Some("The zzzqqq bank 银行今天关门"),
    ));
    common::step_while(&mut h, Duration::from_secs(120), "corpus vocabulary", |h| {
        h.query_by_label_contains("Counting the words of the built-in corpus")
            .is_some()
    });
    h.run_steps(3);
    h.get_by_label_contains(
        "Not in the training vocabulary (seen fewer than 5 times in the corpus): \u{201c}zzzqqq\u{201d}, \u{201c}银行今天关门\u{201d}.",
    );
    assert!(h.query_by_label_contains("No pairs:").is_none());
}

#[test]
fn step_two_counts_the_corpus_examples_for_the_chosen_window() {
    use llm_lens::lessons::word2vec::pairs::group;
    use llm_lens::model::word2vec::TrainingData;
    let mut h = common::harness(app_at(View::TrainingPairs, Some("the cat sat on the mat")));
    common::step_while(&mut h, Duration::from_secs(120), "corpus vocabulary", |h| {
        h.query_by_label_contains("Counting the words of the built-in corpus")
            .is_some()
    });
    h.run_steps(2);
    // Brute force over the trainer's paragraphs: every centre, every neighbour within
    // radius w on either side.
    let data = TrainingData::build(Corpus::builtin(), 5);
    let pairs = |w: usize| -> u64 {
        (0..data.sentence_count())
            .map(|s| {
                let n = data.sentence(s).len();
                (0..n)
                    .map(|i| ((i + w).min(n - 1) - i.saturating_sub(w)) as u64)
                    .sum::<u64>()
            })
            .sum()
    };
    let words = data.ids.len() as u64;
    assert!(words > 1_900_000, "{words}");
    for w in [2, 5] {
        common::lesson::<Word2vec>(&mut h).pairs.window = w;
        h.run_steps(2);
        h.get_by_label_contains(&format!(
            "({} words seen at least 5 times) this window gives {} skip-gram pairs",
            group(words),
            group(pairs(w))
        ));
    }
}

#[test]
fn the_toy_run_shows_the_weights_change_and_the_loss_fall() {
    use llm_lens::model::word2vec::toy_run::{TOY_SENTENCES, ToyConfig, train};
    let mut h = common::harness(app_at(View::ToyRun, Some("the cat sat on the mat")));
    common::step_while(&mut h, Duration::from_secs(120), "toy run", |h| {
        h.query_by_label_contains("distinct words,").is_none()
    });
    let run = train(&TOY_SENTENCES, &ToyConfig::default());
    let v = run.words.len();
    h.get_by_label_contains(&format!("V → N → V = {v} → 3 → {v}: {} weights", 6 * v));
    h.get_by_label_contains(&format!("{} (centre, context) pairs", run.pairs.len()));
    // At the start the listed probabilities are all close to 1/V.
    common::lesson::<Word2vec>(&mut h).toy_run.snapshot = 0;
    h.run_steps(2);
    h.get_by_label_contains("After epoch 0,");
    // At the end, the most probable context of "cat" is what the run itself gives.
    common::lesson::<Word2vec>(&mut h).toy_run.snapshot = usize::MAX;
    h.run_steps(2);
    let last = run.snapshots.last().expect("snapshots");
    let cat = run.words.iter().position(|w| w == "cat").expect("cat") as u32;
    let p =
        llm_lens::model::word2vec::softmax::probabilities(&last.w_center, &last.w_outside, 3, cat);
    let (best, q) = p
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .expect("a word");
    h.get_by_label_contains(&format!(
        "After epoch 1000, the softmax over all {v} words puts around \"cat\": {} {:.0} %",
        run.words[best],
        q * 100.0
    ));
    assert!(*q > 1.5 / v as f32, "the run learned something");
    // Adding the sentence brings its new words into the vocabulary.
    common::lesson::<Word2vec>(&mut h).toy_run.with_sentence = true;
    common::step_while(&mut h, Duration::from_secs(120), "retrain", |h| {
        h.query_by_label_contains(&format!("{} distinct words", v + 3))
            .is_none()
    });
}

/// The app at `view` with arrival training on, on the small corpus with `config`.
fn app_training_on_arrival(view: View, config: TrainerConfig) -> LensApp {
    let mut app = app_at(view, None);
    let w = app.lesson_mut::<Word2vec>().expect("registered");
    w.arrival.enabled = true;
    w.arrival.corpus = Some(small_corpus());
    w.training.config = config;
    app
}

#[test]
fn the_training_step_trains_on_arrival_without_a_click() {
    let mut h = common::harness(app_training_on_arrival(View::Training, small_config()));
    assert!(
        common::lesson_ref::<Word2vec>(&h).training.runs_started() == 1,
        "opening the step started a run"
    );
    common::step_while(&mut h, Duration::from_secs(60), "training", |h| {
        common::lesson_ref::<Word2vec>(h).training.running()
    });
    h.run_steps(2);
    assert_eq!(
        common::lesson_ref::<Word2vec>(&h).training.status,
        Status::Finished
    );
    h.get_by_label_contains("Finished: 3 epochs");
    // Coming back does not train again.
    h.state_mut()
        .set_step(common::step_of::<Word2vec>(View::NegativeSampling));
    h.run_steps(2);
    h.state_mut()
        .set_step(common::step_of::<Word2vec>(View::Explore));
    h.run_steps(2);
    assert_eq!(
        common::lesson_ref::<Word2vec>(&h).training.runs_started(),
        1
    );
    h.get_by_label_contains("Source: your training run");
}

#[test]
fn a_run_started_on_arrival_pauses_while_the_learner_is_away() {
    // Long enough that it cannot end during the test; dropping the harness cancels it.
    let long = TrainerConfig {
        epochs: 1000,
        ..small_config()
    };
    let mut h = common::harness(app_training_on_arrival(View::Explore, long));
    h.get_by_label_contains("Training started by itself");
    h.state_mut()
        .set_step(common::step_of::<Word2vec>(View::NegativeSampling));
    h.run_steps(3);
    assert_eq!(
        common::lesson_ref::<Word2vec>(&h).training.status,
        Status::Paused
    );
    h.state_mut()
        .set_step(common::step_of::<Word2vec>(View::Training));
    h.run_steps(2);
    let st = &common::lesson_ref::<Word2vec>(&h).training;
    assert!(
        st.running() && st.status != Status::Paused,
        "{:?}",
        st.status
    );
    assert_eq!(st.runs_started(), 1, "the same run went on");
}

#[test]
fn a_pinned_word_on_the_map_lists_its_nearest_words_over_all_numbers() {
    let mut h = common::harness(app_at(View::Training, None));
    train_to_completion(&mut h);
    common::lesson::<Word2vec>(&mut h).training.search = "king".to_owned();
    h.run_steps(3);
    h.get_by_label_contains("Nearest to \u{201c}king\u{201d} over all 16 numbers (cosine):");
    let snap = common::lesson_ref::<Word2vec>(&h)
        .training
        .snapshot
        .clone()
        .expect("a snapshot");
    let king = snap.words.iter().position(|w| w == "king").expect("king");
    let near = snap.nearest(king, llm_lens::lessons::word2vec::map::NEIGHBOURS);
    assert_eq!(near.len(), llm_lens::lessons::word2vec::map::NEIGHBOURS);
    // Each neighbour is listed with its cosine, best first, as the maths ranks them.
    for (j, c) in near {
        h.get_by_label(&format!("{} {c:.2}", snap.words[j]));
    }
    h.get_by_label("its nearest words");
}
