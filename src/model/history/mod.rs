//! The data behind the history lesson: the timeline of language models and the word
//! alignments of statistical translation, both loaded from `assets/` and checked.

pub mod alignment;
pub mod timeline;
