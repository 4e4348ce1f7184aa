//! The course's BPE toy corpus: seven words with counts, small enough to follow every
//! merge by hand. Its 16 letters plus five merges make the 21-symbol target.
//!
//! ```
//! use llm_lens::model::tokenize::bpe_toy;
//! assert!(bpe_toy::text().starts_with("cat cat cat cat cat cats cats eat"));
//! assert_eq!(bpe_toy::letters(), 16);
//! ```

/// Each word and how often the corpus holds it, in the order the course lists them (the
/// order matters for [`super::bpe_train::TieBreak::FirstSeen`]).
pub const WORDS: [(&str, usize); 7] = [
    ("cat", 5),
    ("cats", 2),
    ("eat", 10),
    ("eating", 3),
    ("running", 2),
    ("jumping", 1),
    ("food", 6),
];

/// The vocabulary the course trains to: base letters and merges together.
pub const TARGET_SYMBOLS: usize = 21;

/// The corpus as text: every word written out as often as it occurs, in order.
pub fn text() -> String {
    WORDS
        .iter()
        .flat_map(|&(w, n)| std::iter::repeat_n(w, n))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Distinct letters of the corpus: the base symbols before any merge.
pub fn letters() -> usize {
    let mut chars: Vec<char> = WORDS.iter().flat_map(|(w, _)| w.chars()).collect();
    chars.sort_unstable();
    chars.dedup();
    chars.len()
}
