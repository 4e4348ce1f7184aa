//! [`SuiteRun`]: training the suite in short steps (a stage's set-up, a chunk of a word
//! count, a batch of merges, or one Unigram EM iteration or pruning round), so that the
//! browser, which cannot train on another thread, draws between them.
//! [`super::suite::train_suite`] is the same steps back to back, so both give the same
//! tokenisers.

use std::time::Duration;
use web_time::Instant;

use super::TokenizeError;
use super::bpe_train::{BpeConfig, BpeCounter, BpeTrainer};
use super::char_word::{Unit, UnitTokenizer};
use super::suite::{STAGES, SuiteConfig, TokenizerSuite};
use super::unigram::{self, UnigramConfig, UnigramTrainer};
use super::unit_count::{self, UnitCounter};
use super::wordpiece_count::{self, WordPieceCounter};
use super::wordpiece_train::WordPieceTrainer;

/// Merges per step: a few milliseconds of BPE or WordPiece.
pub const MERGES_PER_STEP: usize = 16;

/// What is trained so far, and the stage in hand.
enum Stage {
    /// The characters, then the words, counted a chunk a step.
    Chars(Box<UnitCounter>),
    Words(Box<UnitCounter>),
    /// The words counted a chunk a step, then the trainer built from the counts.
    BpeCount(Box<BpeCounter>),
    Bpe(Box<BpeTrainer>),
    WordPieceCount(Box<WordPieceCounter>),
    WordPiece(Box<WordPieceTrainer>),
    UnigramSeed,
    Unigram(Box<UnigramTrainer>),
    Ended,
}

/// A suite's training, advanced by [`SuiteRun::step`].
pub struct SuiteRun {
    config: SuiteConfig,
    stage: Stage,
    /// Index into [`STAGES`] of the stage in hand.
    index: usize,
    /// Merges done and planned in the stage in hand (0 of 1 outside the merging stages).
    merges: (usize, usize),
    chars: Option<UnitTokenizer>,
    words: Option<UnitTokenizer>,
    bpe: Option<super::bpe_train::BpeModel>,
    wordpiece: Option<super::wordpiece::WordPiece>,
    /// The words stage's count, which Unigram seeds from (no second count of the text).
    word_counts: Option<Box<UnitCounter>>,
    /// Time spent in each finished stage (its steps only, not the pauses between them).
    timings: Vec<(&'static str, Duration)>,
    spent: Duration,
}

impl SuiteRun {
    pub fn new(config: SuiteConfig) -> SuiteRun {
        SuiteRun {
            config,
            stage: Stage::Chars(Box::new(UnitCounter::new(Unit::Char))),
            index: 0,
            merges: (0, 1),
            chars: None,
            words: None,
            bpe: None,
            wordpiece: None,
            word_counts: None,
            timings: Vec::new(),
            spent: Duration::ZERO,
        }
    }

    /// The stage in hand, for the progress bar.
    pub fn stage(&self) -> &'static str {
        STAGES[self.index.min(STAGES.len() - 1)].0
    }

    /// Share of the whole training done, 0..1 (each stage weighs its share of [`STAGES`]).
    pub fn fraction(&self) -> f32 {
        let before: f32 = STAGES[..self.index.min(STAGES.len())]
            .iter()
            .map(|s| s.1)
            .sum();
        let within = match self.stage {
            Stage::Bpe(_) | Stage::WordPiece(_) => {
                self.merges.0 as f32 / self.merges.1.max(1) as f32
            }
            _ => 0.0,
        };
        let share = STAGES.get(self.index).map_or(0.0, |s| s.1);
        (before + share * within).min(1.0)
    }

    /// One step on `corpus` (the same text at every step): the suite once the last
    /// stage is done.
    pub fn step(
        &mut self,
        corpus: &str,
        corpus_name: &str,
    ) -> Result<Option<TokenizerSuite>, TokenizeError> {
        let t = Instant::now();
        let config = self.config;
        let mut next = None;
        match std::mem::replace(&mut self.stage, Stage::Ended) {
            Stage::Chars(mut counter) => {
                if counter.count(corpus, unit_count::COUNT_BYTES) {
                    self.stage = Stage::Chars(counter);
                } else {
                    self.chars = Some(counter.finish(usize::MAX, 1));
                    next = Some(Stage::Words(Box::new(UnitCounter::new(Unit::Word))));
                }
            }
            Stage::Words(mut counter) => {
                if counter.count(corpus, unit_count::COUNT_BYTES) {
                    self.stage = Stage::Words(counter);
                } else {
                    self.words = Some(counter.finish(config.word_vocab, 2));
                    self.word_counts = Some(counter);
                    let counter = BpeCounter::new(BpeConfig {
                        vocab_size: config.bpe_vocab,
                        byte_level: true,
                        special_tokens: vec!["<|endoftext|>".to_owned()],
                        min_pair_count: 2,
                    });
                    next = Some(Stage::BpeCount(Box::new(counter)));
                }
            }
            Stage::BpeCount(mut counter) => {
                if counter.count(corpus, super::bpe_count::COUNT_BYTES)? {
                    self.stage = Stage::BpeCount(counter);
                } else {
                    let trainer = counter.finish();
                    self.merges = (0, trainer.merges_left());
                    self.stage = Stage::Bpe(Box::new(trainer));
                }
            }
            Stage::Bpe(mut trainer) => {
                if self.merge_batch(|| trainer.step().is_some()) {
                    self.stage = Stage::Bpe(trainer);
                } else {
                    self.bpe = Some(trainer.finish());
                    next = Some(Stage::WordPieceCount(Box::default()));
                }
            }
            Stage::WordPieceCount(mut counter) => {
                if counter.count(corpus, wordpiece_count::COUNT_BYTES) {
                    self.stage = Stage::WordPieceCount(counter);
                } else {
                    let trainer = counter.finish(config.wordpiece_vocab, 2);
                    self.merges = (0, trainer.merges_left().max(1));
                    self.stage = Stage::WordPiece(Box::new(trainer));
                }
            }
            Stage::WordPiece(mut trainer) => {
                if self.merge_batch(|| trainer.step().is_some()) {
                    self.stage = Stage::WordPiece(trainer);
                } else {
                    self.wordpiece = Some(trainer.finish()?);
                    next = Some(Stage::UnigramSeed);
                }
            }
            Stage::UnigramSeed => {
                let config = UnigramConfig {
                    vocab_size: config.unigram_vocab,
                    ..UnigramConfig::default()
                };
                let trainer = match self.word_counts.take() {
                    Some(counter) => UnigramTrainer::from_counts(counter.counts(), &config),
                    // Unreachable: the words stage ran first and left its count.
                    None => UnigramTrainer::new(corpus, &config),
                };
                self.stage = Stage::Unigram(Box::new(trainer));
            }
            Stage::Unigram(mut trainer) => {
                let Some(unigram) = trainer.step(&mut |_| {}) else {
                    self.stage = Stage::Unigram(trainer);
                    self.spent += t.elapsed();
                    return Ok(None);
                };
                self.end_stage(t);
                self.index = STAGES.len();
                return self.suite(corpus, corpus_name, unigram).map(Some);
            }
            Stage::Ended => return Ok(None),
        }
        if let Some(next) = next {
            self.end_stage(t);
            self.index += 1;
            self.merges = (0, 1);
            self.stage = next;
        } else {
            self.spent += t.elapsed();
        }
        Ok(None)
    }

    /// Up to [`MERGES_PER_STEP`] merges; false once no merge is left.
    fn merge_batch(&mut self, mut merge: impl FnMut() -> bool) -> bool {
        for _ in 0..MERGES_PER_STEP {
            if !merge() {
                return false;
            }
            self.merges.0 += 1;
        }
        true
    }

    fn end_stage(&mut self, t: Instant) {
        let spent = std::mem::take(&mut self.spent) + t.elapsed();
        self.timings.push((self.stage(), spent));
    }

    fn suite(
        &mut self,
        corpus: &str,
        corpus_name: &str,
        unigram: unigram::UnigramModel,
    ) -> Result<TokenizerSuite, TokenizeError> {
        // Unreachable: the stages run in order, each setting its tokeniser.
        let missing = || TokenizeError::Vocab("the suite's stages ran out of order".to_owned());
        Ok(TokenizerSuite {
            corpus_name: corpus_name.to_owned(),
            corpus_bytes: corpus.len(),
            chars: self.chars.take().ok_or_else(missing)?,
            words: self.words.take().ok_or_else(missing)?,
            bpe: self.bpe.take().ok_or_else(missing)?,
            wordpiece: self.wordpiece.take().ok_or_else(missing)?,
            unigram,
            timings: std::mem::take(&mut self.timings),
        })
    }

    /// Whether the last stage is done.
    pub fn ended(&self) -> bool {
        matches!(self.stage, Stage::Ended)
    }
}
