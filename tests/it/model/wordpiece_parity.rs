//! Our WordPiece against Hugging Face `tokenizers` on bert-base-uncased's
//! vocabulary (from the MiniLM fixture): ids and offsets must match exactly.

use crate::model_support;

use llm_lens::model::tokenize::WordPiece;
use model_support::{Rng, minilm_dir};
use tokenizers::Tokenizer;

const REAL: &[&str] = &[
    "I withdrew money from the bank.",
    "The river bank was flooded after the storm.",
    "Transformers use self-attention to mix information between tokens.",
    "Don't panic! It's only 3.14159 percent of the $2,000,000 budget...",
    "She said, \"Hello,\" and left; he didn't reply—not even a nod.",
    "The quick brown fox jumps over the lazy dog.",
    "Pneumonoultramicroscopicsilicovolcanoconiosis is a long word.",
    "e-mail me at someone@example.com or visit https://example.org/path?q=1&r=2",
    "Naïve café owners in São Paulo serve crème brûlée à la mode.",
    "Zürich, Köln, Malmö, Ålesund and Łódź are European cities.",
    "東京は日本の首都です。北京是中国的首都。",
    "서울은 한국의 수도입니다.",
    "Москва — столица России.",
    "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.",
    "القاهرة هي عاصمة مصر",
    "नई दिल्ली भारत की राजधानी है।",
    "I ❤️ NY 🙂👍🏽 👨‍👩‍👧‍👦 🇫🇷",
    "ＦＵＬＬ－ＷＩＤＴＨ　ｔｅｘｔ！ １２３",
    "The [MASK] sat on the mat.",
    "[CLS] already here [SEP] and [PAD] [UNK]",
    "unaffable unbelievable antidisestablishmentarianism",
    "In 1790, the first State of the Union address was delivered by George Washington.",
    "We the People of the United States, in Order to form a more perfect Union...",
    "GPUs, TPUs & CPUs: which is fastest for matmul-heavy workloads?",
    "Tabs\tand\nnewlines\r\nand   multiple   spaces",
    "İstanbul ıı ẞ ß ﬁ ǅ Σίσυφος ΣΑΣ",
];

/// Characters that stress every branch of the basic tokeniser.
fn random_char(rng: &mut Rng) -> char {
    let ranges: &[(u32, u32)] = &[
        (0x20, 0x7E), // ASCII printable
        (0x61, 0x7A), // lower-case letters (more real words)
        (0x61, 0x7A),
        (0x00, 0x1F),       // C0 controls (tab/newline are whitespace)
        (0x7F, 0x9F),       // DEL + C1 controls
        (0xA0, 0xFF),       // Latin-1: nbsp, accents, symbols
        (0x100, 0x17F),     // Latin Extended-A
        (0x300, 0x36F),     // combining diacritics (Mn)
        (0x370, 0x3FF),     // Greek
        (0x400, 0x4FF),     // Cyrillic
        (0x600, 0x6FF),     // Arabic
        (0x900, 0x97F),     // Devanagari (Mn and Mc marks)
        (0xE00, 0xE7F),     // Thai
        (0x1100, 0x11FF),   // Hangul jamo
        (0xAC00, 0xD7A3),   // Hangul syllables (decompose under NFD)
        (0x3040, 0x30FF),   // Hiragana, Katakana
        (0x4E00, 0x9FFF),   // CJK ideographs
        (0x3400, 0x4DBF),   // CJK extension A
        (0xF900, 0xFAFF),   // CJK compatibility
        (0x2000, 0x206F),   // general punctuation, zero-width, bidi controls
        (0x3000, 0x303F),   // CJK punctuation, ideographic space
        (0xFF00, 0xFFEF),   // full-width forms
        (0xFE00, 0xFE0F),   // variation selectors
        (0xE000, 0xE0FF),   // private use
        (0xFFF0, 0xFFFF),   // specials incl. U+FFFD, non-characters
        (0x1F300, 0x1F6FF), // emoji
        (0x1F900, 0x1F9FF), // more emoji
        (0x1D400, 0x1D4FF), // mathematical letters
        (0x1D165, 0x1D172), // musical combining marks (Mc with a combining class)
        (0x20000, 0x2A6DF), // CJK extension B
        (0xE0000, 0xE007F), // tags
    ];
    loop {
        let (lo, hi) = ranges[rng.below(ranges.len())];
        let cp = lo + (rng.next() % (hi - lo + 1) as u64) as u32;
        if let Some(c) = char::from_u32(cp) {
            return c;
        }
    }
}

fn adversarial(rng: &mut Rng) -> String {
    let pieces = [
        " ", " ", "[MASK]", "[SEP", "##", "\u{200d}", "e\u{301}", "'s", "  ", "A",
    ];
    let len = rng.below(40);
    let mut s = String::new();
    for _ in 0..len {
        if rng.below(8) == 0 {
            s.push_str(pieces[rng.below(pieces.len())]);
        } else {
            s.push(random_char(rng));
        }
    }
    s
}

fn corpus() -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for s in REAL {
        out.push((s.to_string(), None));
    }
    // Real sentences spliced together and re-cased.
    for (i, a) in REAL.iter().enumerate() {
        for b in REAL.iter().skip(i + 1).step_by(3) {
            out.push((format!("{a} {}", b.to_uppercase()), None));
            out.push((a.to_string(), Some(b.to_string())));
        }
    }
    let edge = [
        String::new(),
        " ".into(),
        "\u{200b}".into(),
        "\u{0}\u{fffd}\u{7}".into(),
        "a".repeat(10_000),
        "é".repeat(10_000),
        "ab".repeat(50),       // exactly 100 chars: still WordPiece'd
        "ab".repeat(50) + "a", // 101 chars: [UNK]
        "東".repeat(5_000),
        "🙂".repeat(3_000),
        format!("{}!{}", "x".repeat(150), "y".repeat(99)),
    ];
    for e in &edge {
        out.push((e.clone(), None));
        out.push((e.clone(), Some("pair".into())));
        out.push(("".into(), Some(e.clone())));
    }
    let mut rng = Rng::new(0x5EED_1234);
    for i in 0..3000 {
        let a = adversarial(&mut rng);
        let b = (i % 5 == 0).then(|| adversarial(&mut rng));
        out.push((a, b));
    }
    out
}

fn hf_tokenizer(dir: &std::path::Path) -> Tokenizer {
    let mut tok =
        Tokenizer::from_file(dir.join("tokenizer.json")).expect("HF loads tokenizer.json");
    tok.with_padding(None);
    tok.with_truncation(None).expect("truncation off");
    tok
}

#[test]
fn wordpiece_matches_hf_tokenizers() {
    let Some(dir) = minilm_dir("wordpiece_matches_hf_tokenizers") else {
        return;
    };
    let hf = hf_tokenizer(&dir);
    let from_json = WordPiece::from_tokenizer_json_file(&dir.join("tokenizer.json")).unwrap();
    let from_vocab = WordPiece::from_vocab_file(&dir.join("vocab.txt")).unwrap();
    let cases = corpus();
    assert!(cases.len() > 3000);
    for (a, b) in &cases {
        let theirs = match b {
            Some(b) => hf.encode((a.as_str(), b.as_str()), true),
            None => hf.encode(a.as_str(), true),
        }
        .unwrap();
        for ours in [&from_json, &from_vocab] {
            let mine = match b {
                Some(b) => ours.encode_pair(a, b),
                None => ours.encode(a),
            };
            let ctx = || format!("input {a:?} / {b:?}");
            assert_eq!(mine.ids, theirs.get_ids(), "ids differ for {}", ctx());
            assert_eq!(
                mine.tokens,
                theirs.get_tokens(),
                "tokens differ for {}",
                ctx()
            );
            assert_eq!(
                mine.type_ids,
                theirs.get_type_ids(),
                "type ids differ for {}",
                ctx()
            );
            assert_eq!(
                mine.offsets,
                theirs.get_offsets(),
                "offsets differ for {}",
                ctx()
            );
            let special: Vec<u32> = mine.special_mask.iter().map(|&s| s as u32).collect();
            assert_eq!(
                special,
                theirs.get_special_tokens_mask(),
                "special mask differs for {}",
                ctx()
            );
        }
    }
    eprintln!("{} inputs matched", cases.len());
}

#[test]
fn offsets_point_into_the_original_text() {
    let Some(dir) = minilm_dir("offsets_point_into_the_original_text") else {
        return;
    };
    let wp = WordPiece::from_tokenizer_json_file(&dir.join("tokenizer.json")).unwrap();
    let text = "Héllo, naïve 東京!";
    let enc = wp.encode(text);
    let spans: Vec<&str> = enc.offsets.iter().map(|&(s, e)| &text[s..e]).collect();
    assert_eq!(
        enc.tokens,
        ["[CLS]", "hello", ",", "naive", "東", "京", "!", "[SEP]"]
    );
    assert_eq!(spans, ["", "Héllo", ",", "naïve", "東", "京", "!", ""]);
}
