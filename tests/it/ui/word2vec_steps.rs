//! Step 5 with one thread: the run the browser gets, in steps between frames (on the
//! desktop the steps run on a worker). It pauses between steps, goes on, and ends with
//! the vectors of a one-thread run of the model.

use super::word2vec::{app_at, small_config, small_corpus};
use crate::common;
use std::time::Duration;

use llm_lens::lessons::word2vec::training::Status;
use llm_lens::lessons::word2vec::{View, Word2vec};
use llm_lens::model::word2vec::{Control, TrainerConfig, train};

#[test]
fn a_one_thread_run_pauses_between_steps_and_ends_with_the_one_thread_vectors() {
    let config = TrainerConfig {
        epochs: 20,
        progress_every_ms: 1,
        ..small_config()
    };
    let mut h = common::harness(app_at(View::Training, None));
    common::lesson::<Word2vec>(&mut h)
        .training
        .start(small_corpus(), config.clone());
    common::step_while(&mut h, Duration::from_secs(60), "the first progress", |h| {
        common::lesson_ref::<Word2vec>(h).training.words_trained() == 0
    });
    common::lesson::<Word2vec>(&mut h).training.pause();
    // The step in hand when the pause came may still report; after that, nothing moves.
    std::thread::sleep(Duration::from_millis(200));
    h.run_steps(2);
    let paused_at = common::lesson_ref::<Word2vec>(&h).training.words_trained();
    std::thread::sleep(Duration::from_millis(200));
    h.run_steps(3);
    let st = &common::lesson_ref::<Word2vec>(&h).training;
    assert_eq!(st.status, Status::Paused);
    assert_eq!(st.words_trained(), paused_at, "trained while paused");
    assert!(st.running());

    common::lesson::<Word2vec>(&mut h).training.resume();
    common::step_while(&mut h, Duration::from_secs(120), "training", |h| {
        common::lesson_ref::<Word2vec>(h).training.running()
    });
    let st = &common::lesson_ref::<Word2vec>(&h).training;
    assert_eq!(st.status, Status::Finished);
    let Some(result) = &st.result else {
        panic!("no result")
    };
    let whole = train(&small_corpus(), &config, &Control::default(), &mut |_| {}).unwrap();
    assert!(result.vectors.data() == whole.vectors.data());
}

#[test]
fn a_one_thread_run_can_be_cancelled_while_paused() {
    let config = TrainerConfig {
        epochs: 1000,
        ..small_config()
    };
    let mut h = common::harness(app_at(View::Training, None));
    let training = &mut common::lesson::<Word2vec>(&mut h).training;
    training.start(small_corpus(), config);
    h.run_steps(2);
    common::lesson::<Word2vec>(&mut h).training.pause();
    h.run_steps(2);
    common::lesson::<Word2vec>(&mut h).training.cancel();
    common::step_while(&mut h, Duration::from_secs(60), "cancelling", |h| {
        common::lesson_ref::<Word2vec>(h).training.running()
    });
    assert_eq!(
        common::lesson_ref::<Word2vec>(&h).training.status,
        Status::Cancelled
    );
}

#[test]
fn the_cost_step_measures_every_vocabulary_size_one_a_step() {
    let mut h = common::harness(app_at(View::NegativeSampling, None));
    h.run_steps(2);
    common::step_while(&mut h, Duration::from_secs(60), "measuring", |h| {
        common::lesson_ref::<Word2vec>(h).cost.measuring()
    });
    let costs = common::lesson_ref::<Word2vec>(&h).cost.costs.clone();
    let sizes: Vec<usize> = costs.unwrap_or_default().iter().map(|c| c.vocab).collect();
    assert_eq!(sizes, llm_lens::lessons::word2vec::cost::VOCAB_SIZES);
}
