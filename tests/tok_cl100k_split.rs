//! The hand-written cl100k pre-tokeniser against cl100k's regex: the same pieces
//! on generated text built from the characters each branch hinges on, and on
//! every document of the shipped corpus.

use llm_lens::model::corpus::Corpus;
use llm_lens::model::tokenize::cl100k_split::for_each_piece;
use llm_lens::model::tokenize::encoding::TokenizeError;
use llm_lens::model::tokenize::pretokenize::RegexSplit;

fn hand(text: &str) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    for_each_piece(text, |a, b| v.push((a, b)));
    v
}

fn regex(split: &RegexSplit, text: &str) -> Result<Vec<(usize, usize)>, TokenizeError> {
    let mut v = Vec::new();
    split.for_each_range(text, |a, b| v.push((a, b)))?;
    Ok(v)
}

/// Characters at the edges of the branches: apostrophes and contraction letters
/// (with the long s), every kind of white space and line break, letters and
/// numbers of several scripts, combining marks, symbols, emoji and controls.
const ALPHABET: &[char] = &[
    '\'', 's', 'S', 'ſ', 't', 'd', 'm', 'l', 'L', 'v', 'e', 'E', 'r', 'R', 'x', 'a', ' ', ' ', ' ',
    '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{a0}', '\u{2028}', '\u{3000}', '0', '7', '9',
    '٣', 'Ⅻ', '½', '०', 'é', 'Ж', '中', 'ا', 'ש', '𝔘', '\u{301}', '\u{200d}', '!', '.', ',', '"',
    '(', '-', '$', '😀', '🇫', '\u{0}', '\u{7f}', '\u{feff}',
];

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

#[test]
fn generated_text_splits_as_the_regex_does() -> Result<(), TokenizeError> {
    let split = RegexSplit::cl100k_regex();
    let mut rng = Rng(0xC1_100C);
    for _ in 0..20_000 {
        let len = 1 + rng.below(24);
        let text: String = (0..len)
            .map(|_| ALPHABET[rng.below(ALPHABET.len())])
            .collect();
        assert_eq!(hand(&text), regex(&split, &text)?, "{text:?}");
    }
    Ok(())
}

#[test]
fn the_corpus_splits_as_the_regex_does() -> Result<(), TokenizeError> {
    let split = RegexSplit::cl100k_regex();
    let mut pieces = 0;
    for doc in Corpus::builtin().documents() {
        let ours = hand(&doc.text);
        assert_eq!(ours, regex(&split, &doc.text)?, "document {}", doc.id);
        pieces += ours.len();
    }
    assert!(
        pieces > 2_000_000,
        "only {pieces} pieces: is the corpus shipped?"
    );
    Ok(())
}

#[test]
fn the_tokeniser_uses_the_hand_written_splitter() -> Result<(), TokenizeError> {
    // Same pieces through the public pre-tokeniser, which takes the fast path.
    let text = "Don't  split\u{3000}me 12345!!\r\n";
    assert_eq!(regex(&RegexSplit::cl100k(), text)?, hand(text));
    Ok(())
}
