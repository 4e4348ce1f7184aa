//! Tokenisers. WordPiece (BERT) lives here; the teaching tokenisers (char,
//! word, BPE, Unigram) join it in later issues.

pub mod basic;
pub mod wordpiece;

pub use wordpiece::{Encoding, WordPiece};

/// Errors from loading a vocabulary.
#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    #[error("cannot read the vocabulary: {0}")]
    Io(String),
    #[error("tokenizer.json is not valid: {0}")]
    BadTokenizerJson(String),
    #[error("unsupported tokenizer: {0}")]
    Unsupported(String),
    #[error("the vocabulary has no {0} token, which BERT needs")]
    MissingSpecial(String),
}
