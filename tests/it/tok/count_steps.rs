//! The BPE, WordPiece, character and word trainers' counts in steps (how the suite and the replay
//! count in the browser, a chunk between frames): the same trainer as counting the
//! text in one piece, on a real slice of the built-in corpus.

use llm_lens::model::text::corpus::Corpus;
use llm_lens::model::tokenize::TokenizeError;
use llm_lens::model::tokenize::bpe_train::{BpeConfig, BpeCounter, BpeTrainer, TieBreak};
use llm_lens::model::tokenize::char_word::{Unit, UnitCounter, UnitTokenizer};
use llm_lens::model::tokenize::wordpiece_train::{WordPieceCounter, WordPieceTrainer};

/// The first addresses of the built-in corpus, about 300 kB, joined by `sep`.
fn slice(sep: &str) -> String {
    let mut text = String::new();
    for d in Corpus::builtin().documents() {
        if text.len() > 300_000 {
            break;
        }
        text.push_str(&d.text);
        text.push_str(sep);
    }
    text
}

/// The trainer from `config`'s count of `text`, `bytes` a step.
fn bpe_in_steps(text: &str, config: BpeConfig, bytes: usize) -> Result<BpeTrainer, TokenizeError> {
    let mut counter = BpeCounter::new(config);
    let mut steps = 1;
    while counter.count(text, bytes)? {
        steps += 1;
    }
    assert!(steps >= text.len() / bytes / 2, "{steps} steps");
    Ok(counter.finish())
}

fn assert_same_bpe(mut whole: BpeTrainer, mut stepped: BpeTrainer) {
    assert_eq!(whole.vocab(), stepped.vocab());
    assert!(whole.words().eq(stepped.words()), "the words differ");
    assert_eq!(whole.pair_counts(), stepped.pair_counts());
    // Where each word was first seen decides FirstSeen's ties.
    let mut a = whole.clone().with_tie_break(TieBreak::FirstSeen);
    let mut b = stepped.clone().with_tie_break(TieBreak::FirstSeen);
    for _ in 0..5 {
        assert_eq!(a.top_pairs(10), b.top_pairs(10));
        assert_eq!(a.step().cloned(), b.step().cloned());
    }
    for _ in 0..200 {
        assert_eq!(whole.step().cloned(), stepped.step().cloned());
    }
    assert_eq!(whole.merges().len(), 200);
}

#[test]
fn bpe_counted_in_steps_is_the_one_piece_count() -> Result<(), TokenizeError> {
    // Specials between the addresses: counting runs between them.
    let text = slice("\n<|endoftext|>\n");
    let byte_level = BpeConfig {
        vocab_size: 10_000,
        byte_level: true,
        special_tokens: vec!["<|endoftext|>".to_owned()],
        min_pair_count: 2,
    };
    let chars = BpeConfig {
        byte_level: false,
        ..byte_level.clone()
    };
    for config in [byte_level, chars] {
        for bytes in [4096, 999] {
            let whole = BpeTrainer::new(&text, config.clone())?;
            assert_same_bpe(whole, bpe_in_steps(&text, config.clone(), bytes)?);
        }
    }
    Ok(())
}

#[test]
fn wordpiece_counted_in_steps_is_the_one_piece_count() {
    let text = slice("\n");
    let mut whole = WordPieceTrainer::new(&text, 2000, 2);
    let mut counter = WordPieceCounter::default();
    let mut steps = 1;
    while counter.count(&text, 4096) {
        steps += 1;
    }
    assert!(steps > 50, "{steps} steps");
    let mut stepped = counter.finish(2000, 2);
    assert_eq!(whole.vocab(), stepped.vocab());
    assert_eq!(whole.threshold(), stepped.threshold());
    assert_eq!(whole.candidates(20), stepped.candidates(20));
    for _ in 0..100 {
        assert_eq!(whole.step().cloned(), stepped.step().cloned());
    }
    assert_eq!(whole.merges().len(), 100);
}

#[test]
fn characters_and_words_counted_in_steps_are_the_one_piece_count() {
    let text = slice("\n");
    for (unit, max_size, min_count) in [(Unit::Char, usize::MAX, 1), (Unit::Word, 3000, 2)] {
        let whole = UnitTokenizer::train(&text, unit, max_size, min_count);
        let mut counter = UnitCounter::new(unit);
        let mut steps = 1;
        while counter.count(&text, 4096) {
            steps += 1;
        }
        assert!(steps > 50, "{steps} steps");
        let stepped = counter.finish(max_size, min_count);
        assert!(whole.vocab_size() > 50);
        assert_eq!(whole, stepped, "{unit:?}");
    }
}
