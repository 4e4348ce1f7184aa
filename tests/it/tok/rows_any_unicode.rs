//! Property test of the tokenisation lesson's rows: every tokeniser, on a few hundred
//! random strings mixing every kind of character (controls, combining marks, joiners,
//! emoji, CJK, right-to-left scripts, unassigned code points, long runs), never panics,
//! gives spans inside the text, and the byte-level rows spell the text exactly.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use llm_lens::lessons::tokenisation::rows::{RowOutcome, build_rows_from};
use llm_lens::model::numerics::rng::SplitMix64;
use llm_lens::model::tokenize::suite::{SuiteConfig, train_suite};
use llm_lens::model::tokenize::tiktoken_bpe::TiktokenBpe;

/// Character classes to draw from, as code point ranges.
const RANGES: &[(u32, u32)] = &[
    (0x00, 0x7F),         // ASCII, controls included
    (0x80, 0x24F),        // Latin-1 and extended Latin
    (0x300, 0x36F),       // combining marks
    (0x590, 0x6FF),       // Hebrew, Arabic
    (0x900, 0x97F),       // Devanagari
    (0x2000, 0x206F),     // spaces, zero-width characters, joiners, bidi controls
    (0x3000, 0x30FF),     // CJK punctuation, kana
    (0x4E00, 0x4FFF),     // CJK ideographs
    (0xFF00, 0xFFEF),     // full-width forms
    (0x1F300, 0x1FAFF),   // emoji
    (0xE0000, 0xE007F),   // tags
    (0x10FFF0, 0x10FFFF), // private use / noncharacters
];

fn random_text(rng: &mut SplitMix64) -> String {
    let len = rng.below_u32(60) as usize;
    let mut s = String::new();
    for _ in 0..len {
        let (lo, hi) = RANGES[rng.below_u32(RANGES.len() as u32) as usize];
        let c = char::from_u32(lo + rng.below_u32(hi - lo + 1)).unwrap_or('?');
        // Sometimes a run: long digit, space or letter runs stress the regexes.
        let reps = if rng.below_u32(10) == 0 {
            1 + rng.below_u32(40)
        } else {
            1
        };
        for _ in 0..reps {
            s.push(c);
        }
    }
    s
}

#[test]
fn every_row_handles_any_unicode() {
    let corpus = "The bank of the river. Die Bank am Fluss. 銀行 بنك банк 123 456\n".repeat(30);
    let config = SuiteConfig {
        word_vocab: 100,
        bpe_vocab: 400,
        wordpiece_vocab: 120,
        unigram_vocab: 120,
    };
    let suite = train_suite(
        &corpus,
        "test",
        config,
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .expect("training works");
    let real = Ok([
        TiktokenBpe::r50k().expect("r50k"),
        TiktokenBpe::cl100k().expect("cl100k"),
        TiktokenBpe::o200k().expect("o200k"),
    ]);
    let bert = ("trained".to_owned(), Arc::new(suite.wordpiece.clone()));
    let mut rng = SplitMix64::new(2026);
    let mut texts: Vec<String> = (0..300).map(|_| random_text(&mut rng)).collect();
    texts.extend(
        [
            "",
            " ",
            "\u{0}",
            "<|endoftext|>",
            "👩‍👩‍👧‍👦🇺🇸🏳️‍🌈",
            "1234567890123456789012345678901234567890",
            "\n\n\n      \t\t",
            "a\u{301}\u{302}\u{303}",
        ]
        .map(str::to_owned),
    );
    texts.push("x".repeat(10_000));
    for text in &texts {
        let rows = build_rows_from(text, Some(&suite), Some(&bert), Some(&real));
        assert_eq!(rows.len(), 10, "{text:?}");
        for row in &rows {
            let RowOutcome::Tokens { chips, .. } = &row.outcome else {
                panic!("{} failed on {text:?}: {:?}", row.name, row.outcome);
            };
            for chip in chips {
                if let Some((s, e)) = chip.span {
                    assert!(
                        s <= e && e <= text.len(),
                        "{} span {s}..{e} on {text:?}",
                        row.name
                    );
                }
            }
        }
        // Byte-level BPE writes every byte: the tokens spell the text.
        for bpe in real.as_ref().expect("loaded") {
            let enc = bpe.encode(text).expect("encodes");
            let bytes: Vec<u8> = enc.tokens.concat();
            assert_eq!(bytes, text.as_bytes(), "{} on {text:?}", bpe.name());
        }
        let enc = suite.bpe.encode(text).expect("encodes");
        assert_eq!(
            enc.tokens.concat(),
            text.as_bytes(),
            "trained BPE on {text:?}"
        );
        let vocabs: Vec<&TiktokenBpe> = real.as_ref().expect("loaded").to_vec();
        if let Err(e) = llm_lens::model::tokenize::invariants::check(text, &suite, &vocabs) {
            panic!("{e} on {text:?}");
        }
    }
}
