//! Character/word vocabularies ([UNK] behaviour) and the `tokenize` / `bpe-train` CLI.

use clap::Parser;
use llm_lens::cli::bpe_train::{BpeTrainArgs, run as bpe_train_run};
use llm_lens::cli::tokenize::{TokenizeArgs, encode, to_json};
use llm_lens::model::tokenize::char_word::{Unit, UnitTokenizer};

#[derive(Parser)]
struct Tok {
    #[command(flatten)]
    args: TokenizeArgs,
}

#[derive(Parser)]
struct Train {
    #[command(flatten)]
    args: BpeTrainArgs,
}

fn tok(argv: &[&str]) -> Result<TokenizeArgs, clap::Error> {
    Tok::try_parse_from(std::iter::once("tokenize").chain(argv.iter().copied())).map(|t| t.args)
}

#[test]
fn word_vocab_marks_unseen_words_unknown() {
    let t = UnitTokenizer::train("the cat sat on the mat. The cat!", Unit::Word, 100, 1);
    let enc = t.encode("the dog sat!");
    let unk: Vec<bool> = enc.ids.iter().map(|&id| id == 0).collect();
    assert_eq!(unk, [false, true, false, false]);
    assert_eq!(enc.tokens_display(), ["the", "[UNK]", "sat", "!"]);
    assert_eq!(enc.offsets[1], (4, 7));
    // min_count drops rare words.
    let t2 = UnitTokenizer::train("the cat sat on the mat", Unit::Word, 100, 2);
    assert_eq!(t2.vocab_size(), 2);
    assert_eq!(t2.encode("cat").ids, [0]);
}

#[test]
fn char_vocab_keeps_whitespace_and_caps_size() {
    let t = UnitTokenizer::train("aaa bb c", Unit::Char, 4, 1);
    assert_eq!(t.vocab_size(), 4); // [UNK], a, " " (2, before "b" alphabetically), b
    let enc = t.encode("abcé");
    assert_eq!(enc.tokens_display(), ["a", "b", "[UNK]", "[UNK]"]);
    assert_eq!(enc.offsets, [(0, 1), (1, 2), (2, 3), (3, 5)]);
    let full = UnitTokenizer::train("a b", Unit::Char, 100, 1);
    assert_eq!(full.encode(" ").ids.len(), 1);
    assert_ne!(full.encode(" ").ids[0], 0);
}

#[test]
fn char_word_no_panics_on_any_unicode() {
    let mut x: u64 = 99;
    for _ in 0..500 {
        let raw: Vec<u8> = (0..(x % 64))
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 33) as u8
            })
            .collect();
        let text = String::from_utf8_lossy(&raw).into_owned();
        for unit in [Unit::Char, Unit::Word] {
            let t = UnitTokenizer::train(&text, unit, 20, 1);
            let enc = t.encode(&text);
            for &(s, e) in &enc.offsets {
                assert!(s < e && e <= text.len() && text.is_char_boundary(s));
            }
        }
    }
}

#[test]
fn cli_json_for_every_tokenizer() -> Result<(), String> {
    let text = "Hello, world! <|endoftext|>";
    for name in [
        "chars", "words", "bpe", "unigram", "r50k", "cl100k", "o200k",
    ] {
        let args =
            tok(&["--tokenizer", name, "--text", text, "--json"]).map_err(|e| e.to_string())?;
        let json: serde_json::Value =
            serde_json::from_str(&to_json(&encode(&args)?)).map_err(|e| e.to_string())?;
        let ids = json["ids"].as_array().map_or(0, Vec::len);
        assert!(ids > 0, "{name}");
        assert_eq!(json["tokens"].as_array().map_or(0, Vec::len), ids);
        assert_eq!(json["offsets"].as_array().map_or(0, Vec::len), ids);
    }
    let args = tok(&[
        "--tokenizer",
        "cl100k",
        "--special",
        "--text",
        "a<|endoftext|>",
    ])
    .map_err(|e| e.to_string())?;
    assert_eq!(encode(&args)?.ids, [64, 100257]);
    let args = tok(&["--tokenizer", "wordpiece", "--text", "x"]).map_err(|e| e.to_string())?;
    assert!(encode(&args).is_err());
    assert!(tok(&["--tokenizer", "nope", "--text", "x"]).is_err());
    Ok(())
}

#[test]
fn cli_bpe_train_writes_merges() -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("tok_cli_{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let corpus = dir.join("corpus.txt");
    let out = dir.join("merges.txt");
    std::fs::write(&corpus, llm_lens::cli::tokenize::SAMPLE.repeat(3))
        .map_err(|e| e.to_string())?;
    let args = Train::try_parse_from([
        "bpe-train",
        "--corpus",
        corpus.to_str().unwrap_or_default(),
        "--vocab-size",
        "300",
        "--out",
        out.to_str().unwrap_or_default(),
    ])
    .map_err(|e| e.to_string())?
    .args;
    bpe_train_run(&args)?;
    let merges = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
    assert_eq!(merges.lines().count(), 300 - 257);
    assert!(merges.lines().all(|l| l.split(' ').count() == 2));
    std::fs::remove_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(())
}
