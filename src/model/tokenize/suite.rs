//! The lesson's corpus-trained tokenisers, trained together from one text so their rows
//! can be compared: characters, words, BPE, WordPiece and Unigram.
//!
//! Training is one call that reports progress by stage and can be cancelled; the pane
//! runs it on a worker thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use web_time::Instant;

use super::TokenizeError;
use super::bpe_train::{self, BpeConfig, BpeModel};
use super::char_word::{Unit, UnitTokenizer};
use super::unigram::{self, UnigramConfig, UnigramModel};
use super::wordpiece::WordPiece;
use super::wordpiece_train;

/// Vocabulary sizes for each trained tokeniser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuiteConfig {
    pub word_vocab: usize,
    pub bpe_vocab: usize,
    pub wordpiece_vocab: usize,
    pub unigram_vocab: usize,
}

impl Default for SuiteConfig {
    /// Small enough that common words stay whole and rarer ones visibly split.
    fn default() -> Self {
        Self {
            word_vocab: 20_000,
            bpe_vocab: 4_000,
            wordpiece_vocab: 4_000,
            unigram_vocab: 4_000,
        }
    }
}

/// The trained tokenisers and what they were trained on.
#[derive(Debug, Clone)]
pub struct TokenizerSuite {
    pub corpus_name: String,
    pub corpus_bytes: usize,
    pub chars: UnitTokenizer,
    pub words: UnitTokenizer,
    pub bpe: BpeModel,
    pub wordpiece: WordPiece,
    pub unigram: UnigramModel,
    /// Training time of each stage, in order.
    pub timings: Vec<(&'static str, Duration)>,
}

/// Stages of [`train_suite`] with their share of the progress bar (measured: BPE and
/// WordPiece take most of the time, Unigram most of the rest).
const STAGES: [(&str, f32); 5] = [
    ("characters", 0.02),
    ("words", 0.03),
    ("BPE", 0.30),
    ("WordPiece", 0.35),
    ("Unigram", 0.30),
];

/// Trains every tokeniser on `corpus`. `progress(stage, fraction of the whole)` is
/// called often enough for a progress bar; `cancel` is checked between and inside
/// stages.
pub fn train_suite(
    corpus: &str,
    corpus_name: &str,
    config: SuiteConfig,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&'static str, f32),
) -> Result<TokenizerSuite, TokenizeError> {
    let mut timings = Vec::new();
    let mut done = 0.0f32;
    let stage = |i: usize, timings: &mut Vec<(&'static str, Duration)>, start: Instant| {
        timings.push((STAGES[i].0, start.elapsed()));
    };
    let check = || {
        if cancel.load(Ordering::Relaxed) {
            Err(TokenizeError::Cancelled)
        } else {
            Ok(())
        }
    };

    progress(STAGES[0].0, 0.0);
    let t = Instant::now();
    let chars = UnitTokenizer::train(corpus, Unit::Char, usize::MAX, 1);
    stage(0, &mut timings, t);
    done += STAGES[0].1;
    check()?;

    progress(STAGES[1].0, done);
    let t = Instant::now();
    let words = UnitTokenizer::train(corpus, Unit::Word, config.word_vocab, 2);
    stage(1, &mut timings, t);
    done += STAGES[1].1;
    check()?;

    let t = Instant::now();
    let base = done;
    let bpe = bpe_train::train(
        corpus,
        BpeConfig {
            vocab_size: config.bpe_vocab,
            byte_level: true,
            special_tokens: vec!["<|endoftext|>".to_owned()],
            min_pair_count: 2,
        },
        cancel,
        &mut |d, n| progress(STAGES[2].0, base + STAGES[2].1 * d as f32 / n.max(1) as f32),
    )?;
    stage(2, &mut timings, t);
    done += STAGES[2].1;

    let t = Instant::now();
    let base = done;
    let (wordpiece, _) =
        wordpiece_train::train(corpus, config.wordpiece_vocab, 2, cancel, &mut |d, n| {
            progress(STAGES[3].0, base + STAGES[3].1 * d as f32 / n.max(1) as f32)
        })?;
    stage(3, &mut timings, t);
    done += STAGES[3].1;
    check()?;

    progress(STAGES[4].0, done);
    let t = Instant::now();
    let unigram = unigram::train(
        corpus,
        &UnigramConfig {
            vocab_size: config.unigram_vocab,
            ..UnigramConfig::default()
        },
    );
    stage(4, &mut timings, t);
    check()?;
    progress(STAGES[4].0, 1.0);

    Ok(TokenizerSuite {
        corpus_name: corpus_name.to_owned(),
        corpus_bytes: corpus.len(),
        chars,
        words,
        bpe,
        wordpiece,
        unigram,
        timings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trains_every_tokeniser_and_reports_progress_to_one() {
        let corpus = "the bank of the river and the bank of england; banks bank money. ".repeat(20);
        let config = SuiteConfig {
            word_vocab: 50,
            bpe_vocab: 300,
            wordpiece_vocab: 80,
            unigram_vocab: 60,
        };
        let mut last = 0.0;
        let suite = train_suite(
            &corpus,
            "test",
            config,
            &AtomicBool::new(false),
            &mut |_, f| {
                assert!(f >= last - 1e-6, "progress went back: {f} < {last}");
                last = f;
            },
        )
        .expect("training works");
        assert!((last - 1.0).abs() < 1e-6);
        assert_eq!(suite.timings.len(), 5);
        assert!(suite.bpe.vocab_size() > 256);
        assert!(suite.wordpiece.vocab_size() > 5);
        let cancelled = train_suite(
            &corpus,
            "test",
            config,
            &AtomicBool::new(true),
            &mut |_, _| {},
        );
        assert!(matches!(cancelled, Err(TokenizeError::Cancelled)));
    }
}
