//! The BPE replay as the lesson runs it, a few merges a step (between frames in the
//! browser): the same merges and recorded pairs as in one go, and it can be cancelled.

use llm_lens::job::JobState;
use llm_lens::lessons::tokenisation::replay::train_replay;
use llm_lens::lessons::tokenisation::replay_run::replay_job;
use llm_lens::lessons::tokenisation::training::TrainSource;
use llm_lens::model::tokenize::TokenizeError;
use llm_lens::model::tokenize::bpe_train::{BpeConfig, TieBreak};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn config() -> BpeConfig {
    BpeConfig {
        vocab_size: 256 + 60,
        byte_level: true,
        special_tokens: Vec::new(),
        min_pair_count: 2,
    }
}

fn text() -> String {
    "low lower lowest newer newest wider widest, the cat ate the eaten oats ".repeat(20)
}

#[test]
fn steps_give_the_merges_and_pairs_of_one_go() {
    let whole = train_replay(
        &text(),
        "your own text",
        config(),
        TieBreak::FirstSeen,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .expect("trains");
    let cancel = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(Mutex::new(0.0));
    let job = replay_job(
        None,
        TrainSource::Own(text()),
        config(),
        TieBreak::FirstSeen,
        &cancel,
        &progress,
    );
    let stepped = loop {
        match job.poll() {
            JobState::Done(r) => break r.expect("trains"),
            JobState::Running => std::thread::yield_now(),
            JobState::Died => panic!("the job died"),
        }
    };
    assert!(whole.model.merges().len() > 10);
    assert_eq!(
        format!("{:?}", whole.model.merges()),
        format!("{:?}", stepped.model.merges())
    );
    assert_eq!(whole.top, stepped.top);
    assert_eq!(*progress.lock().unwrap(), 1.0);
}

#[test]
fn a_cancelled_replay_ends_with_cancelled() {
    let cancel = Arc::new(AtomicBool::new(false));
    cancel.store(true, Ordering::Relaxed);
    let job = replay_job(
        None,
        TrainSource::Own(text()),
        config(),
        TieBreak::SmallerIds,
        &cancel,
        &Arc::new(Mutex::new(0.0)),
    );
    let result = loop {
        match job.poll() {
            JobState::Done(r) => break r,
            JobState::Running => std::thread::yield_now(),
            JobState::Died => panic!("the job died"),
        }
    };
    assert!(matches!(result, Err(TokenizeError::Cancelled)));
}
