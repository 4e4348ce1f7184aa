//! Tokenisers, from scratch: character and word vocabularies, BPE (trained, and
//! byte-level with GPT-2/GPT-4/GPT-4o ranks), WordPiece (trained, and BERT's), Unigram.

pub mod basic;
/// bert-base-uncased's vocabulary, shipped beside the built-in model's.
pub mod bert_base;
/// BPE training's word count, in steps.
pub mod bpe_count;
/// BPE training with recorded merges and replay (character- or byte-level).
pub mod bpe_model;
/// The course's seven-word BPE toy corpus.
pub mod bpe_toy;
pub mod bpe_train;
/// GPT-2's byte ↔ visible-character mapping.
pub mod byte_level;
/// Letters, numbers and white space as the GPT pre-tokenisers see them.
pub mod char_class;
/// Character- and word-level vocabularies with `[UNK]`.
pub mod char_word;
/// cl100k's pre-tokeniser as hand-written rules (its regex's twin).
pub mod cl100k_split;
/// Ids back to text, and what a round trip loses.
pub mod decode;
/// GPT-2's pre-tokeniser as hand-written rules (its regex's twin).
pub mod gpt2_split;
/// What every tokeniser guarantees on any input (property test and fuzz harness).
pub mod invariants;
/// o200k's pre-tokeniser as hand-written rules (its regex's twin).
pub mod o200k_split;
/// The byte-level `TokenPieces` the teaching tokenisers return.
pub mod pieces;
/// Several models' normalisers and pre-tokenisers side by side, with offsets.
pub mod pre_tokenizers;
/// Regex pre-tokenisation: GPT-2, cl100k and o200k patterns.
pub mod pretokenize;
/// Shared pieces of the hand-written pre-tokenisers.
pub mod split_rules;
/// The cancel-and-progress loop of the merge-based trainers.
pub mod steps;
/// Every corpus-trained teaching tokeniser, trained together for the lesson.
pub mod suite;
pub mod suite_run;
/// r50k / cl100k / o200k byte-level BPE with our own merge loop.
pub mod tiktoken_bpe;
/// Unigram language-model tokeniser: EM training, Viterbi, top-k segmentations.
pub mod unigram;
/// The character and word vocabularies' count, in steps.
pub mod unit_count;
pub mod wordpiece;
/// WordPiece training's word count, in steps.
pub mod wordpiece_count;
/// WordPiece training with the likelihood score.
pub mod wordpiece_train;

pub use pieces::TokenPieces;
pub use wordpiece::{ModelInput, WordPiece};

/// Why tokenising, training or loading a vocabulary failed; never a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenizeError {
    /// The pre-tokenisation regex gave up (e.g. its backtracking limit on odd input).
    #[error("pre-tokenisation failed: {0}")]
    Regex(String),
    /// A vocabulary or merges file could not be read.
    #[error("bad vocabulary: {0}")]
    Vocab(String),
    /// Training was cancelled through its flag.
    #[error("cancelled")]
    Cancelled,
    /// A WordPiece vocabulary file could not be read.
    #[error("cannot read the vocabulary: {0}")]
    Io(String),
    #[error("tokenizer.json is not valid: {0}")]
    BadTokenizerJson(String),
    #[error("unsupported tokenizer: {0}")]
    Unsupported(String),
    #[error("the vocabulary has no {0} token, which BERT needs")]
    MissingSpecial(String),
}
