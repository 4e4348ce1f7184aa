//! What every tokeniser must satisfy on any input, checked by the property test and the
//! fuzz harness (`examples/fuzz_tokenizers.rs`): no panic, offsets inside the text and
//! in order, and byte-level BPE tokens that spell the input exactly.

use super::pieces::TokenPieces;
use super::suite::TokenizerSuite;
use super::tiktoken_bpe::TiktokenBpe;

fn offsets_ok(name: &str, text: &str, offsets: &[(usize, usize)]) -> Result<(), String> {
    let mut last = 0;
    for &(s, e) in offsets {
        if s > e || e > text.len() {
            return Err(format!(
                "{name}: span {s}..{e} outside a {}-byte text",
                text.len()
            ));
        }
        if s < last && s != e {
            return Err(format!(
                "{name}: span {s}..{e} starts before the previous one ends ({last})"
            ));
        }
        last = last.max(e);
    }
    Ok(())
}

fn spells(name: &str, text: &str, enc: &TokenPieces) -> Result<(), String> {
    if enc.tokens.concat() != text.as_bytes() {
        return Err(format!("{name}: the tokens do not spell the input"));
    }
    offsets_ok(name, text, &enc.offsets)
}

/// Runs every tokeniser on `text` and checks the invariants above.
pub fn check(text: &str, suite: &TokenizerSuite, real: &[&TiktokenBpe]) -> Result<(), String> {
    for bpe in real {
        let enc = bpe
            .encode(text)
            .map_err(|e| format!("{}: {e}", bpe.name()))?;
        spells(bpe.name(), text, &enc)?;
        let ids = bpe.encode_ids(text, false).map_err(|e| e.to_string())?;
        if bpe.decode(&ids) != text.as_bytes() {
            return Err(format!("{}: decode(encode(text)) != text", bpe.name()));
        }
    }
    let enc = suite
        .bpe
        .encode(text)
        .map_err(|e| format!("trained BPE: {e}"))?;
    spells("trained BPE", text, &enc)?;
    offsets_ok("characters", text, &suite.chars.encode(text).offsets)?;
    offsets_ok("words", text, &suite.words.encode(text).offsets)?;
    offsets_ok("unigram", text, &suite.unigram.encode(text).offsets)?;
    let wp = suite.wordpiece.encode(text);
    let body: Vec<(usize, usize)> = wp
        .offsets
        .iter()
        .zip(&wp.special_mask)
        .filter(|(_, s)| !**s)
        .map(|(o, _)| *o)
        .collect();
    offsets_ok("WordPiece", text, &body)?;
    if wp.ids.len() != wp.tokens.len() || wp.ids.len() != wp.type_ids.len() {
        return Err("WordPiece: ids, tokens and segments differ in length".to_owned());
    }
    Ok(())
}
