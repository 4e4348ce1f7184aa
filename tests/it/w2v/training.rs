//! Short deterministic training runs on a small synthetic corpus with two
//! topics: words of the same topic must end up closer than words of different
//! topics, which the untrained (random) vectors must fail.

use llm_lens::model::numerics::rng::SplitMix64;
use llm_lens::model::text::corpus::Corpus;
use llm_lens::model::word2vec::{
    Control, Embeddings, ModelKind, TrainError, Trainer, TrainerConfig, TrainingEvent, train,
};
use std::sync::Arc;
use std::time::Duration;

const ANIMALS: [&str; 4] = ["cat", "dog", "horse", "goat"];
const FRUITS: [&str; 4] = ["apple", "pear", "plum", "mango"];
const ANIMAL_CONTEXT: [&str; 4] = ["fed", "barn", "pet", "walked"];
const FRUIT_CONTEXT: [&str; 4] = ["ate", "peeled", "ripe", "juicy"];

/// 600 lines; each mixes one topic's nouns with that topic's context words.
fn two_topic_text(seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut pick = |xs: &[&'static str]| xs[rng.below_u32(xs.len() as u32) as usize];
    let mut text = String::new();
    for i in 0..600 {
        let (nouns, ctx) = if i % 2 == 0 {
            (&ANIMALS, &ANIMAL_CONTEXT)
        } else {
            (&FRUITS, &FRUIT_CONTEXT)
        };
        let line = [
            "the",
            pick(ctx),
            pick(nouns),
            "and",
            pick(nouns),
            pick(ctx),
            "the",
            pick(nouns),
        ];
        text.push_str(&line.join(" "));
        text.push('\n');
    }
    text
}

fn config(model: ModelKind) -> TrainerConfig {
    TrainerConfig {
        model,
        dim: 16,
        window: 3,
        negative: 5,
        min_count: 1,
        sample: 0.0,
        alpha: 0.05,
        epochs: 8,
        threads: 1,
        seed: 42,
        snapshot_top_n: 100,
        snapshot_every_ms: 60_000,
        ..TrainerConfig::default()
    }
}

/// Mean cosine within topics minus mean cosine across topics.
fn topic_margin(e: &Embeddings) -> f32 {
    let mean = |pairs: Vec<(&str, &str)>| {
        let n = pairs.len() as f32;
        pairs
            .into_iter()
            .map(|(a, b)| e.similarity(a, b).expect("both words in vocabulary"))
            .sum::<f32>()
            / n
    };
    let mut within = Vec::new();
    let mut across = Vec::new();
    for group in [ANIMALS, FRUITS] {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                within.push((*a, *b));
            }
        }
    }
    for a in ANIMALS {
        for b in FRUITS {
            across.push((a, b));
        }
    }
    mean(within) - mean(across)
}

/// Trains and also returns the vectors of the first snapshot (before any update).
fn train_with_initial(model: ModelKind) -> (Embeddings, Embeddings) {
    let corpus = Corpus::from_text("topics", &two_topic_text(7)).unwrap();
    let mut first = None;
    let result = train(&corpus, &config(model), &Control::default(), &mut |e| {
        if let TrainingEvent::Snapshot(s) = e
            && first.is_none()
        {
            first = Some(s);
        }
    })
    .unwrap();
    let s = first.expect("an initial snapshot");
    assert_eq!(s.fraction, 0.0);
    let initial = Embeddings::new(s.words.to_vec(), s.dim, s.vectors.clone()).unwrap();
    (initial, std::sync::Arc::unwrap_or_clone(result.vectors))
}

#[test]
fn skipgram_puts_same_topic_words_closer_and_random_vectors_do_not() {
    let model = ModelKind::SkipGram;
    let (initial, trained) = train_with_initial(model);
    let before = topic_margin(&initial);
    let after = topic_margin(&trained);
    eprintln!("{model:?}: topic margin untrained {before:.3}, trained {after:.3}");
    assert!(before.abs() < 0.25, "untrained margin {before}");
    assert!(after > 0.4, "trained margin {after} (untrained {before})");
    // Nearest neighbour of "cat" is another animal.
    let n = trained.nearest("cat", 3).unwrap();
    assert!(ANIMALS.contains(&n[0].word.as_str()), "{n:?}");
}

#[test]
fn cbow_puts_same_topic_words_closer_and_random_vectors_do_not() {
    let model = ModelKind::Cbow;
    let (initial, trained) = train_with_initial(model);
    let before = topic_margin(&initial);
    let after = topic_margin(&trained);
    eprintln!("{model:?}: topic margin untrained {before:.3}, trained {after:.3}");
    assert!(before.abs() < 0.25, "untrained margin {before}");
    assert!(after > 0.4, "trained margin {after} (untrained {before})");
}

#[test]
fn one_thread_with_a_seed_is_reproducible() {
    let corpus = Corpus::from_text("topics", &two_topic_text(1)).unwrap();
    let mut c = config(ModelKind::SkipGram);
    c.epochs = 2;
    c.snapshot_top_n = 0;
    c.sample = 1e-2; // exercise the subsampling coin too
    let run = |c: &TrainerConfig| {
        train(&corpus, c, &Control::default(), &mut |_| {})
            .unwrap()
            .vectors
    };
    let a = run(&c);
    assert_eq!(a, run(&c));
    c.seed += 1;
    assert_ne!(a, run(&c));
}

#[test]
fn two_threads_train_too() {
    let corpus = Corpus::from_text("topics", &two_topic_text(2)).unwrap();
    let mut c = config(ModelKind::SkipGram);
    c.threads = 2;
    let r = train(&corpus, &c, &Control::default(), &mut |_| {}).unwrap();
    assert_eq!(r.stats.threads, 2);
    assert!(r.vectors.data().iter().all(|x| x.is_finite()));
    assert!(topic_margin(&r.vectors) > 0.3);
    assert!(r.stats.final_loss > 0.0 && r.stats.final_loss < 4.0);
}

#[test]
fn invalid_settings_and_empty_vocabulary_are_errors() {
    let corpus = Corpus::from_text("tiny", "a b c").unwrap();
    let mut c = config(ModelKind::SkipGram);
    c.dim = 0;
    let err = train(&corpus, &c, &Control::default(), &mut |_| {}).unwrap_err();
    assert!(matches!(err, TrainError::InvalidConfig(_)), "{err}");
    let c = TrainerConfig {
        min_count: 5,
        ..config(ModelKind::SkipGram)
    };
    let err = train(&corpus, &c, &Control::default(), &mut |_| {}).unwrap_err();
    assert_eq!(err, TrainError::EmptyVocabulary { min_count: 5 });
}

fn background_config() -> TrainerConfig {
    TrainerConfig {
        epochs: 200,
        progress_every_ms: 5,
        snapshot_top_n: 8,
        snapshot_every_ms: 20,
        ..config(ModelKind::SkipGram)
    }
}

#[test]
fn trainer_reports_progress_and_can_be_cancelled() {
    let corpus = Arc::new(Corpus::from_text("topics", &two_topic_text(3)).unwrap());
    let trainer = Trainer::start(corpus, background_config());
    let mut progress = 0;
    loop {
        match trainer.events().recv_timeout(Duration::from_secs(60)) {
            Ok(TrainingEvent::Progress { fraction, loss, .. }) => {
                assert!((0.0..=1.0).contains(&fraction) && loss.is_finite());
                progress += 1;
                if progress == 3 {
                    trainer.cancel();
                }
            }
            Ok(TrainingEvent::Cancelled) => break,
            Ok(TrainingEvent::Finished(_)) => panic!("finished despite cancel"),
            Ok(TrainingEvent::Error(e)) => panic!("{e}"),
            Ok(_) => {}
            Err(e) => panic!("no event: {e}"),
        }
    }
    assert!(progress >= 3);
}

#[test]
fn trainer_pauses_resumes_and_finishes() {
    let corpus = Arc::new(Corpus::from_text("topics", &two_topic_text(4)).unwrap());
    let trainer = Trainer::start(
        corpus,
        TrainerConfig {
            epochs: 10,
            ..background_config()
        },
    );
    // Pause at the first progress report; while paused, the fraction must not move.
    let mut paused_at = None;
    let mut snapshots = 0;
    let result = loop {
        match trainer.events().recv_timeout(Duration::from_secs(60)) {
            Ok(TrainingEvent::Progress { fraction, .. }) => {
                if paused_at.is_none() {
                    trainer.pause();
                    assert!(trainer.is_paused());
                    std::thread::sleep(Duration::from_millis(50)); // workers reach the pause
                    // Drain what was reported before the pause took hold.
                    let mut last = fraction;
                    while let Ok(e) = trainer.events().try_recv() {
                        if let TrainingEvent::Progress { fraction, .. } = e {
                            last = fraction;
                        }
                    }
                    std::thread::sleep(Duration::from_millis(100));
                    for e in trainer.events().try_iter() {
                        if let TrainingEvent::Progress { fraction, .. } = e {
                            assert_eq!(fraction, last, "moved while paused");
                        }
                    }
                    paused_at = Some(last);
                    trainer.resume();
                }
            }
            Ok(TrainingEvent::Snapshot(s)) => {
                snapshots += 1;
                assert_eq!(s.pca.points.len(), s.words.len());
            }
            Ok(TrainingEvent::Finished(r)) => break r,
            Ok(TrainingEvent::Error(e)) => panic!("{e}"),
            Ok(TrainingEvent::Cancelled) => panic!("cancelled"),
            Ok(TrainingEvent::Started { vocab_size, .. }) => assert!(vocab_size > 10),
            Err(e) => panic!("no event: {e}"),
        }
    };
    assert!(paused_at.is_some_and(|f| f < 1.0));
    assert!(snapshots >= 2, "{snapshots} snapshots");
    assert!(topic_margin(&result.vectors) > 0.4);
}
