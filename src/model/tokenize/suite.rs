//! The lesson's corpus-trained tokenisers, trained together from one text so their rows
//! can be compared: characters, words, BPE, WordPiece and Unigram.
//!
//! Training is one call that reports progress by stage and can be cancelled, or the
//! same work in steps ([`super::suite_run`]) for the browser.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::TokenizeError;
use super::bpe_train::BpeModel;
use super::char_word::UnitTokenizer;
use super::suite_run::SuiteRun;
use super::unigram::UnigramModel;
use super::wordpiece::WordPiece;

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
pub(super) const STAGES: [(&str, f32); 5] = [
    ("characters", 0.02),
    ("words", 0.03),
    ("BPE", 0.30),
    ("WordPiece", 0.35),
    ("Unigram", 0.30),
];

/// Trains every tokeniser on `corpus`. `progress(stage, fraction of the whole)` is
/// called often enough for a progress bar; `cancel` is checked between and inside
/// stages. The steps of [`SuiteRun`], back to back.
pub fn train_suite(
    corpus: &str,
    corpus_name: &str,
    config: SuiteConfig,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&'static str, f32),
) -> Result<TokenizerSuite, TokenizeError> {
    let mut run = SuiteRun::new(config);
    progress(run.stage(), 0.0);
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(TokenizeError::Cancelled);
        }
        let before = run.stage();
        if let Some(suite) = run.step(corpus, corpus_name)? {
            progress(before, 1.0);
            return Ok(suite);
        }
        progress(run.stage(), run.fraction());
    }
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
