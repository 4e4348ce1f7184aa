//! How long the lessons' CPU jobs take on this machine, for deciding which must run in
//! slices in the browser (where a job in one piece holds the page until it ends).
//! `cargo run --release --example job_times [w2v|jobs|all]`; figures go to stdout.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use llm_lens::lessons::tokenisation::replay::train_replay;
use llm_lens::lessons::tokenisation::wordpiece_scores;
use llm_lens::lessons::word2vec::run::STEP_WORDS;
use llm_lens::lessons::word2vec::training::lesson_config;
use llm_lens::model::text::corpus::Corpus;
use llm_lens::model::tokenize::bert_base::bert_base_uncased;
use llm_lens::model::tokenize::bpe_train::{
    BpeConfig, BpeCounter, BpeTrainer, COUNT_BYTES, TieBreak,
};
use llm_lens::model::tokenize::char_word::Unit;
use llm_lens::model::tokenize::suite::{SuiteConfig, train_suite};
use llm_lens::model::tokenize::suite_run::SuiteRun;
use llm_lens::model::tokenize::tiktoken_bpe::TiktokenBpe;
use llm_lens::model::tokenize::unigram::{UnigramConfig, UnigramTrainer};
use llm_lens::model::tokenize::unit_count::{self, UnitCounter};
use llm_lens::model::tokenize::wordpiece_count::{self, WordPieceCounter};
use llm_lens::model::word2vec::negative_table::{NegativeTable, POWER};
use llm_lens::model::word2vec::pair_count::PairCounts;
use llm_lens::model::word2vec::softmax::measure_step_cost;
use llm_lens::model::word2vec::{
    Control, StepResult, Stepwise, TrainerConfig, TrainingData, TrainingEvent, train,
};

fn time<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let v = f();
    println!("{name}: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    v
}

fn builtin_text() -> String {
    let mut text = String::new();
    for d in Corpus::builtin().documents() {
        text.push_str(&d.text);
        text.push('\n');
    }
    text
}

/// The lesson's run in the browser's way, [`Stepwise`] at its step size, here.
fn word2vec_stepwise() {
    let mut run = Stepwise::new(Corpus::builtin(), lesson_config(), Default::default());
    // Set-up: the steps up to the one that sends `Started` (the count, then the tables).
    let (mut steps, mut longest, mut set_up) = (0u64, Duration::ZERO, (0, Duration::ZERO));
    let mut started = false;
    loop {
        steps += 1;
        let was_started = started;
        let t = Instant::now();
        let step = run.step(STEP_WORDS, &mut |e| {
            started |= matches!(e, TrainingEvent::Started { .. })
        });
        let took = t.elapsed();
        if was_started {
            longest = longest.max(took);
        } else {
            set_up = (set_up.0 + 1, set_up.1.max(took));
        }
        match step {
            StepResult::More => {}
            StepResult::Done(Ok(r)) => {
                let s = &r.stats;
                println!(
                    "word2vec stepwise ({steps} steps of {STEP_WORDS} words): {:.0} k words/s, \
                     {:.0} k effective words/s ({:.2} s); set-up (vocabulary) in {} steps, \
                     the longest {:.0} ms; longest later step {:.1} ms",
                    s.words_per_sec / 1e3,
                    s.effective_words_per_sec / 1e3,
                    s.train_seconds,
                    set_up.0,
                    set_up.1.as_secs_f64() * 1e3,
                    longest.as_secs_f64() * 1e3
                );
                return;
            }
            StepResult::Done(Err(e)) => return println!("word2vec stepwise: {e}"),
            StepResult::Ended => return,
        }
    }
}

/// The lesson's run on the built-in corpus with `threads` workers.
fn word2vec(threads: usize) {
    let config = TrainerConfig {
        threads,
        ..lesson_config()
    };
    let r = train(Corpus::builtin(), &config, &Control::default(), &mut |_| {});
    match r {
        Ok(r) => {
            let s = &r.stats;
            let cpu = s.train_cpu_seconds.unwrap_or(f64::NAN);
            println!(
                "word2vec threads={threads}: {:.0} k words/s, {:.0} k effective words/s, \
                 {:.0} k effective words per CPU second ({:.2} s wall, {cpu:.2} s CPU)",
                s.words_per_sec / 1e3,
                s.effective_words_per_sec / 1e3,
                s.effective_words as f64 / cpu / 1e3,
                s.train_seconds
            );
        }
        Err(e) => println!("word2vec threads={threads}: {e}"),
    }
}

fn jobs() {
    time("corpus decompression (Corpus::builtin)", Corpus::builtin);
    let text = time("corpus text for the tokenisers", builtin_text);
    let cancel = AtomicBool::new(false);
    time("tokeniser suite (training.rs, default)", || {
        train_suite(
            &text,
            "builtin",
            SuiteConfig::default(),
            &cancel,
            &mut |_, _| {},
        )
        .map(|_| ())
    })
    .ok();
    let mut run = SuiteRun::new(SuiteConfig::default());
    let (mut steps, mut longest) = (0, (Duration::ZERO, ""));
    // Each stage's longest step, in the order the stages run.
    let mut by_stage: Vec<(&str, Duration)> = Vec::new();
    loop {
        steps += 1;
        let (stage, t) = (run.stage(), Instant::now());
        let done = run.step(&text, "builtin");
        longest = longest.max((t.elapsed(), stage));
        match by_stage.last_mut() {
            Some((s, d)) if *s == stage => *d = (*d).max(t.elapsed()),
            _ => by_stage.push((stage, t.elapsed())),
        }
        if !matches!(done, Ok(None)) {
            break;
        }
    }
    println!(
        "  in {steps} steps (SuiteRun): the longest {:.0} ms ({})",
        longest.0.as_secs_f64() * 1e3,
        longest.1
    );
    let by_stage: Vec<String> = by_stage
        .iter()
        .map(|(s, d)| format!("{s} {:.0} ms", d.as_secs_f64() * 1e3))
        .collect();
    println!("  the longest step of each stage: {}", by_stage.join(", "));
    let unigram = UnigramConfig {
        vocab_size: SuiteConfig::default().unigram_vocab,
        ..UnigramConfig::default()
    };
    let mut words = UnitCounter::new(Unit::Word);
    while words.count(&text, unit_count::COUNT_BYTES) {}
    let mut trainer = time("  of which Unigram's seed (the suite's step)", || {
        UnigramTrainer::from_counts(words.counts(), &unigram)
    });
    let (mut steps, mut longest) = (0, Duration::ZERO);
    loop {
        steps += 1;
        let t = Instant::now();
        let done = trainer.step(&mut |_| {}).is_some();
        longest = longest.max(t.elapsed());
        if done {
            break;
        }
    }
    println!(
        "  of which {steps} Unigram EM iterations and pruning rounds: the longest {:.0} ms",
        longest.as_secs_f64() * 1e3
    );
    let config = BpeConfig {
        vocab_size: 1000,
        byte_level: false,
        special_tokens: Vec::new(),
        min_pair_count: 2,
    };
    let trainer = time("  of which BpeTrainer::new (counting the words)", || {
        BpeTrainer::new(&text, config.clone())
    });
    if let Ok(mut trainer) = trainer {
        let merges = trainer.merges_left();
        time(
            &format!("  of which {merges} merges (no top-pairs record)"),
            || {
                while trainer.step().is_some() {}
            },
        );
    }
    // The replay job's first steps: its count, a chunk a step, then the trainer built.
    let mut counter = BpeCounter::new(config.clone());
    let (mut steps, mut longest) = (0, Duration::ZERO);
    loop {
        steps += 1;
        let t = Instant::now();
        let more = counter.count(&text, COUNT_BYTES);
        longest = longest.max(t.elapsed());
        if !matches!(more, Ok(true)) {
            break;
        }
    }
    let t = Instant::now();
    drop(counter.finish());
    println!(
        "  BPE count in {steps} steps of {} kB (replay_run.rs): the longest {:.1} ms; \
         the trainer from the counts {:.1} ms",
        COUNT_BYTES / 1024,
        longest.as_secs_f64() * 1e3,
        t.elapsed().as_secs_f64() * 1e3
    );
    time("BPE replay (replay.rs, default)", || {
        train_replay(
            &text,
            "builtin",
            config,
            TieBreak::SmallerIds,
            &cancel,
            &mut |_| {},
        )
        .map(|_| ())
    })
    .ok();
    time("GPT vocabularies (training.rs tokeniser-vocabs)", || {
        bert_base_uncased();
        (
            TiktokenBpe::r50k().is_ok(),
            TiktokenBpe::cl100k().is_ok(),
            TiktokenBpe::o200k().is_ok(),
        )
    });
    time("WordPiece scores (wordpiece_scores.rs)", || {
        wordpiece_scores::compute(&text)
    });
    // The scores job's steps: the count a chunk a step, the pairs, the trainer, scoring.
    let mut counter = WordPieceCounter::default();
    let (mut steps, mut longest) = (0, Duration::ZERO);
    loop {
        steps += 1;
        let t = Instant::now();
        let more = counter.count(&text, wordpiece_count::COUNT_BYTES);
        longest = longest.max(t.elapsed());
        if !more {
            break;
        }
    }
    println!(
        "  WordPiece count in {steps} steps (suite_run.rs, wordpiece_scores.rs): the longest {:.1} ms",
        longest.as_secs_f64() * 1e3
    );
    let counted = time("  then the pairs (wordpiece_scores::count)", || {
        wordpiece_scores::count(&counter)
    });
    let trainer = time("  then the trainer from the counts", || {
        counter.finish(usize::MAX, 2)
    });
    time("  then the scores", || {
        wordpiece_scores::score(counted, trainer)
    });
    time("word2vec vocab + pairs (pairs.rs)", || {
        let cfg = TrainerConfig::default();
        let data = TrainingData::build(Corpus::builtin(), cfg.min_count);
        let pairs = PairCounts::new(&data, cfg.sample, cfg.seed);
        NegativeTable::new(data.vocab.counts(), POWER).map(|t| (pairs, t))
    });
    time("word2vec training data (TrainingData::build)", || {
        TrainingData::build(Corpus::builtin(), 5)
    });
    time("word2vec step cost (cost.rs)", || {
        measure_step_cost(
            llm_lens::lessons::word2vec::cost::VOCAB_SIZES,
            100,
            5,
            Duration::from_millis(30),
        )
    });
}

fn main() {
    let what = std::env::args().nth(1).unwrap_or_else(|| "all".to_owned());
    if what == "w2v" || what == "all" {
        for threads in [1, 2] {
            word2vec(threads);
        }
        word2vec_stepwise();
    }
    if what == "jobs" || what == "all" {
        jobs();
    }
}
