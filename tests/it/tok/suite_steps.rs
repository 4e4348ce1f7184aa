//! The tokeniser suite in steps (how the lesson trains it, between frames in the
//! browser): the same tokenisers as each trainer run in one go.

use llm_lens::model::tokenize::bpe_train::{self, BpeConfig};
use llm_lens::model::tokenize::char_word::{Unit, UnitTokenizer};
use llm_lens::model::tokenize::suite::SuiteConfig;
use llm_lens::model::tokenize::suite_run::SuiteRun;
use llm_lens::model::tokenize::unigram::{self, UnigramConfig};
use llm_lens::model::tokenize::wordpiece_train;
use std::sync::atomic::AtomicBool;

#[test]
fn steps_give_the_tokenisers_of_each_trainer_in_one_go() {
    let corpus = "the bank of the river and the bank of england; banks bank money. \
                  lower lowest newer newest wider widest hugging hugs "
        .repeat(30);
    let config = SuiteConfig {
        word_vocab: 50,
        bpe_vocab: 320,
        wordpiece_vocab: 90,
        unigram_vocab: 60,
    };
    let mut run = SuiteRun::new(config);
    let (mut steps, mut last) = (0, 0.0f32);
    let suite = loop {
        steps += 1;
        if let Some(suite) = run.step(&corpus, "test").expect("trains") {
            break suite;
        }
        assert!(run.fraction() >= last, "progress went back");
        last = run.fraction();
    };
    assert!(run.ended());
    assert!(steps > 8, "{steps} steps");
    assert_eq!(suite.timings.len(), 5);

    let no = AtomicBool::new(false);
    assert_eq!(
        suite.chars,
        UnitTokenizer::train(&corpus, Unit::Char, usize::MAX, 1)
    );
    assert_eq!(
        suite.words,
        UnitTokenizer::train(&corpus, Unit::Word, config.word_vocab, 2)
    );
    let bpe = bpe_train::train(
        &corpus,
        BpeConfig {
            vocab_size: config.bpe_vocab,
            byte_level: true,
            special_tokens: vec!["<|endoftext|>".to_owned()],
            min_pair_count: 2,
        },
        &no,
        &mut |_, _| {},
    )
    .expect("trains");
    assert!(bpe.merges().len() > 20);
    assert_eq!(
        format!("{:?}", suite.bpe.merges()),
        format!("{:?}", bpe.merges())
    );
    let (wordpiece, _) =
        wordpiece_train::train(&corpus, config.wordpiece_vocab, 2, &no, &mut |_, _| {})
            .expect("trains");
    // vocab.txt lists the tokens in id order (the struct's map has a random order).
    assert!(wordpiece.vocab_size() > 20);
    assert_eq!(suite.wordpiece.to_vocab_txt(), wordpiece.to_vocab_txt());
    let unigram = unigram::train(
        &corpus,
        &UnigramConfig {
            vocab_size: config.unigram_vocab,
            ..UnigramConfig::default()
        },
    );
    assert_eq!(suite.unigram, unigram);
}
