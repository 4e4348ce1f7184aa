//! The hand-written GPT-2, cl100k and o200k pre-tokenisers against their regexes: the
//! same pieces on an example of every branch, on generated text built from the
//! characters each branch hinges on, and on every document of the shipped corpus.

use llm_lens::model::text::corpus::Corpus;
use llm_lens::model::tokenize::TokenizeError;
use llm_lens::model::tokenize::pretokenize::{
    CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN, RegexSplit,
};
use llm_lens::model::tokenize::{cl100k_split, gpt2_split, o200k_split};

type Splitter = fn(&str, &mut dyn FnMut(usize, usize));

/// Each hand-written splitter with the pattern it stands for.
fn pairs() -> [(&'static str, Splitter); 3] {
    [
        (GPT2_PATTERN, |t, f| gpt2_split::for_each_piece(t, f)),
        (CL100K_PATTERN, |t, f| cl100k_split::for_each_piece(t, f)),
        (O200K_PATTERN, |t, f| o200k_split::for_each_piece(t, f)),
    ]
}

fn hand(split: Splitter, text: &str) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    split(text, &mut |a, b| v.push((a, b)));
    v
}

fn regex(split: &RegexSplit, text: &str) -> Result<Vec<(usize, usize)>, TokenizeError> {
    let mut v = Vec::new();
    split.for_each_range(text, |a, b| v.push((a, b)))?;
    Ok(v)
}

/// One example for each branch of the three patterns and for the places where they
/// differ: contractions in every case, white-space runs with and without line
/// breaks (and at the end), case changes inside words, marks, slashes, digits of
/// several scripts, emoji, controls and special-token text.
const EXAMPLES: &[&str] = &[
    "",
    "I've 12345 cats!!\n",
    "DON'T 'Re 'LL 'ſ 'x ' they'RE 'S 's 'll 'l 've",
    "HTTPServer's camelCase XMLHttpRequest IPhone iPhone",
    "  \n  x",
    "a  \n\n \t b",
    "end   ",
    "     \n",
    "tab\tbed \u{a0}nbsp \u{3000}ideo  word",
    "\"quoted\" (parens) ...dots",
    " !!\r\n\r\nnext",
    "\r\n\r\nnext\n",
    "x\r\ny",
    "a/b!!/\n/ c",
    "é = e\u{301} combining \u{301}x \u{301} Ǆx ǅx ʰa Aʰ 中文Ab",
    "٣٤٥٦ Ⅻ ½ 1234567 1234567890",
    "👨‍👩‍👧 🇫🇷 emoji !!? (x)",
    "\u{0}\u{7f}\u{85}\u{2028}controls",
    "中文字符和 العربية עברית",
    "<|endoftext|>",
    " 1 ' ",
];

#[test]
fn every_branch_splits_as_the_regex_does() -> Result<(), TokenizeError> {
    for (pattern, hand_split) in pairs() {
        let split = RegexSplit::regex_only(pattern)?;
        for text in EXAMPLES {
            assert_eq!(
                hand(hand_split, text),
                regex(&split, text)?,
                "{pattern} on {text:?}"
            );
        }
    }
    Ok(())
}

/// Characters at the edges of the branches: apostrophes and contraction letters
/// (with the long s), every kind of white space and line break, letters of every
/// case (upper, title, lower, modifier, caseless) and numbers of several scripts,
/// combining marks, symbols, slashes, emoji and controls.
const ALPHABET: &[char] = &[
    '\'', 's', 'S', 'ſ', 't', 'd', 'm', 'l', 'L', 'v', 'e', 'E', 'r', 'R', 'x', 'a', ' ', ' ', ' ',
    '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{a0}', '\u{2028}', '\u{3000}', '0', '7', '9',
    '٣', 'Ⅻ', '½', '०', 'é', 'Ж', '中', 'ا', 'ש', '𝔘', '\u{301}', '\u{200d}', '!', '.', ',', '"',
    '(', '-', '$', '😀', '🇫', '\u{0}', '\u{7f}', '\u{feff}', 'A', 'Q', 'T', 'D', 'ǅ', 'ʰ', 'ж',
    '/',
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
    for (pattern, hand_split) in pairs() {
        let split = RegexSplit::regex_only(pattern)?;
        let mut rng = Rng(0xC1_100C);
        for _ in 0..20_000 {
            let len = 1 + rng.below(24);
            let text: String = (0..len)
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect();
            assert_eq!(
                hand(hand_split, &text),
                regex(&split, &text)?,
                "{pattern} on {text:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn the_corpus_splits_as_the_regex_does() -> Result<(), TokenizeError> {
    for (pattern, hand_split) in pairs() {
        let split = RegexSplit::regex_only(pattern)?;
        let mut pieces = 0;
        for doc in Corpus::builtin().documents() {
            let ours = hand(hand_split, &doc.text);
            let theirs = regex(&split, &doc.text)?;
            assert_eq!(ours, theirs, "{pattern} on document {}", doc.id);
            pieces += ours.len();
        }
        assert!(
            pieces > 2_000_000,
            "only {pieces} pieces: is the corpus shipped?"
        );
    }
    Ok(())
}

#[test]
fn the_public_splitters_take_the_hand_written_path() -> Result<(), TokenizeError> {
    let text = "Don't  split\u{3000}me 12345!!\r\n";
    let [(_, gpt2), (_, cl100k), (_, o200k)] = pairs();
    assert_eq!(regex(&RegexSplit::gpt2(), text)?, hand(gpt2, text));
    assert_eq!(regex(&RegexSplit::cl100k(), text)?, hand(cl100k, text));
    assert_eq!(regex(&RegexSplit::o200k(), text)?, hand(o200k, text));
    Ok(())
}
