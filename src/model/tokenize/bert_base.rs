//! bert-base-uncased's 30,522-token WordPiece vocabulary, shipped in `assets/vocab/`:
//! the original BERT's ids ([PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103),
//! shown beside the built-in model's own smaller vocabulary.

use std::sync::OnceLock;

use super::WordPiece;
use super::basic::BasicTokenizer;

const VOCAB: &str = include_str!("../../../assets/vocab/bert-base-uncased.txt");

/// The vocabulary, parsed on first use.
pub fn bert_base_uncased() -> &'static WordPiece {
    static CACHE: OnceLock<WordPiece> = OnceLock::new();
    CACHE.get_or_init(|| {
        // The asset is part of the build and checked by the test below, so a failure
        // here is a broken build, not bad input.
        WordPiece::from_vocab_txt(VOCAB, BasicTokenizer::uncased())
            .expect("the shipped bert-base-uncased vocabulary parses")
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_special_tokens_have_the_original_ids() {
        let wp = super::bert_base_uncased();
        assert_eq!(wp.vocab_size(), 30_522);
        for (token, id) in [
            ("[PAD]", 0),
            ("[UNK]", 100),
            ("[CLS]", 101),
            ("[SEP]", 102),
            ("[MASK]", 103),
        ] {
            assert_eq!(wp.token_to_id(token), Some(id), "{token}");
        }
    }
}
