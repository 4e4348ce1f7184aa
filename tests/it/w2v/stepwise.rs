//! The stepwise run (the browser's, no threads): the same vectors as a one-thread run
//! with the same seed, and it stops or waits between steps as asked.

use llm_lens::model::numerics::rng::SplitMix64;
use llm_lens::model::text::corpus::Corpus;
use llm_lens::model::word2vec::{
    Control, ModelKind, StepResult, Stepwise, TrainError, TrainResult, TrainerConfig,
    TrainingEvent, train,
};
use std::sync::Arc;

/// 400 lines of 6–13 words from a 30-word vocabulary.
fn corpus() -> Arc<Corpus> {
    let mut rng = SplitMix64::new(9);
    let mut text = String::new();
    for _ in 0..400 {
        let n = 6 + rng.below_u32(8);
        let line: Vec<String> = (0..n).map(|_| format!("w{}", rng.below_u32(30))).collect();
        text.push_str(&line.join(" "));
        text.push('\n');
    }
    match Corpus::from_text("words", &text) {
        Ok(c) => Arc::new(c),
        Err(e) => panic!("{e}"),
    }
}

fn config(model: ModelKind) -> TrainerConfig {
    TrainerConfig {
        model,
        dim: 12,
        window: 3,
        min_count: 1,
        // Keeps frequent words at random: the random stream must match too.
        sample: 1e-2,
        epochs: 3,
        threads: 1,
        seed: 5,
        snapshot_top_n: 10,
        ..TrainerConfig::default()
    }
}

/// Steps `run` to its end, `words` a step; the result and the number of steps.
fn step_to_end(run: &mut Stepwise, words: u64) -> (Result<TrainResult, TrainError>, usize) {
    let mut steps = 0;
    loop {
        steps += 1;
        match run.step(words, &mut |_| {}) {
            StepResult::More => {}
            StepResult::Done(r) => return (r, steps),
            StepResult::Ended => panic!("stepped after the end"),
        }
    }
}

#[test]
fn steps_give_the_vectors_of_a_one_thread_run() {
    for model in [ModelKind::SkipGram, ModelKind::Cbow] {
        let c = config(model);
        let whole = train(&corpus(), &c, &Control::default(), &mut |_| {}).unwrap();
        // Steps that end inside chunks and inside the learning rate's updates.
        let mut run = Stepwise::new(corpus(), c.clone(), Arc::new(Control::default()));
        let (stepped, steps) = step_to_end(&mut run, 37);
        let stepped = stepped.unwrap();
        assert!(steps > 50, "{steps} steps");
        assert!(run.ended());
        let (a, b) = (&whole.vectors, &stepped.vectors);
        assert_eq!(a.words(), b.words());
        // Bit for bit: the same updates in the same order.
        assert!(a.data() == b.data(), "{model:?}: the vectors differ");
        assert_eq!(whole.stats.effective_words, stepped.stats.effective_words);
        assert_eq!(whole.stats.final_loss, stepped.stats.final_loss);
        assert!(matches!(run.step(37, &mut |_| {}), StepResult::Ended));
    }
}

#[test]
fn steps_report_as_a_run_does() {
    let mut run = Stepwise::new(corpus(), config(ModelKind::SkipGram), Default::default());
    let (mut started, mut progress, mut snapshots, mut last) = (0, 0, 0, 0.0f32);
    let result = loop {
        let step = run.step(500, &mut |e| match e {
            TrainingEvent::Started { .. } => started += 1,
            TrainingEvent::Progress { fraction, .. } => {
                assert!(fraction >= last);
                last = fraction;
                progress += 1;
            }
            TrainingEvent::Snapshot(_) => snapshots += 1,
            other => panic!("{other:?} from a step"),
        });
        if let StepResult::Done(r) = step {
            break r;
        }
    };
    assert!(result.is_ok());
    assert_eq!(started, 1);
    // At least the final report and the snapshots before and after training.
    assert!(progress >= 1 && snapshots >= 2);
    assert_eq!(last, 1.0);
}

#[test]
fn a_cancelled_run_stops_at_the_next_step() {
    let control = Arc::new(Control::default());
    let mut run = Stepwise::new(corpus(), config(ModelKind::SkipGram), control.clone());
    for _ in 0..5 {
        assert!(matches!(run.step(100, &mut |_| {}), StepResult::More));
    }
    control.cancel();
    let mut trained = false;
    let step = run.step(100, &mut |e| {
        trained |= matches!(e, TrainingEvent::Progress { .. })
    });
    assert!(matches!(step, StepResult::Done(Err(TrainError::Cancelled))));
    assert!(!trained && run.ended());
}

#[test]
fn a_run_paused_between_steps_goes_on_to_the_same_vectors() {
    // A pause is the caller not stepping for a while: the control's clock stops, and
    // nothing else changes.
    let c = config(ModelKind::Cbow);
    let mut plain = Stepwise::new(corpus(), c.clone(), Default::default());
    let control = Arc::new(Control::default());
    let mut paused = Stepwise::new(corpus(), c, control.clone());
    for _ in 0..10 {
        plain.step(200, &mut |_| {});
        paused.step(200, &mut |_| {});
    }
    control.pause();
    std::thread::sleep(std::time::Duration::from_millis(20));
    control.resume();
    let (a, _) = step_to_end(&mut plain, 200);
    let (b, _) = step_to_end(&mut paused, 200);
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.vectors.data() == b.vectors.data());
}
